// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title IPerRecordAttestation
 * @author labour-provenance-ledger
 * @notice Benchmark baseline, not deployed by the product: one audit attestation stored per
 * transaction, the design that batching with Merkle roots replaces.
 */
interface IPerRecordAttestation {
    /**
     * @notice One stored attestation.
     */
    struct Attestation {
        // The audited facility.
        bytes32 facilityId;
        // Hash of the audit report.
        bytes32 auditHash;
        // Block time of the attestation.
        uint64 attestedAt;
        // End of the attestation's validity.
        uint64 validUntil;
        // The auditor's rating.
        uint8 rating;
    }

    /// @notice An attestation was stored.
    /// @param id The attestation's id (a counter).
    /// @param facilityId The audited facility.
    /// @param attester The account that sent it.
    /// @param auditHash Hash of the audit report.
    /// @param rating The auditor's rating.
    /// @param validUntil End of the attestation's validity.
    event Attested(
        uint256 indexed id,
        bytes32 indexed facilityId,
        address indexed attester,
        bytes32 auditHash,
        uint8 rating,
        uint64 validUntil
    );

    /**
     * @notice Stores one attestation under the next id.
     * @dev Emits {Attested}.
     * @param facilityId The audited facility.
     * @param auditHash Hash of the audit report.
     * @param rating The auditor's rating.
     * @param validUntil End of the attestation's validity.
     * @return id The new attestation's id, counting from 1.
     */
    function attest(
        bytes32 facilityId,
        bytes32 auditHash,
        uint8 rating,
        uint64 validUntil
    ) external returns (uint256 id);

    /**
     * @notice The attestation stored under `id`; all zero if none.
     * @param id The attestation's id.
     * @return The attestation.
     */
    function attestation(uint256 id) external view returns (Attestation memory);

    /**
     * @notice How many attestations are stored.
     * @return The count, which is also the latest id.
     */
    function attestationCount() external view returns (uint256);

    /// @notice The semantic version of this contract.
    /// @return The version, e.g. "1.0.0".
    function version() external view returns (string memory);
}
