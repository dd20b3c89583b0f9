// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IPerRecordAttestation} from "../interfaces/IPerRecordAttestation.sol";

/**
 * @title PerRecordAttestation
 * @author labour-provenance-ledger
 * @notice Benchmark baseline: one transaction and three new storage slots per attestation.
 * @dev Deliberately without access control, which only makes the baseline cheaper than a real
 * one-record-per-transaction registry and so understates the saving of batching.
 */
contract PerRecordAttestation is IPerRecordAttestation {
    mapping(uint256 id => Attestation) private _attestations;
    uint256 private _count;

    /// @inheritdoc IPerRecordAttestation
    function attest(
        bytes32 facilityId,
        bytes32 auditHash,
        uint8 rating,
        uint64 validUntil
    ) external returns (uint256 id) {
        id = ++_count;
        _attestations[id] = Attestation({
            facilityId: facilityId,
            auditHash: auditHash,
            attestedAt: uint64(block.timestamp),
            validUntil: validUntil,
            rating: rating
        });
        emit Attested(id, facilityId, msg.sender, auditHash, rating, validUntil);
    }

    /// @inheritdoc IPerRecordAttestation
    function attestation(uint256 id) external view returns (Attestation memory) {
        return _attestations[id];
    }

    /// @inheritdoc IPerRecordAttestation
    function attestationCount() external view returns (uint256) {
        return _count;
    }

    /// @inheritdoc IPerRecordAttestation
    function version() external pure returns (string memory) {
        return "1.0.0";
    }
}
