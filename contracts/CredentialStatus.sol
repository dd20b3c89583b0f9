// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAttesterRegistry} from "./interfaces/IAttesterRegistry.sol";
import {ICredentialStatus} from "./interfaces/ICredentialStatus.sol";

/**
 * @title CredentialStatus
 * @author labour-provenance-ledger
 * @notice Per-credential suspension and revocation, written by anchorers on behalf of
 * accredited issuers.
 */
contract CredentialStatus is ICredentialStatus {
    /**
     * @dev The status entry of one credential.
     */
    struct Entry {
        // The issuer key bound by the first status write.
        bytes32 issuerKey;
        // Block time of the last change.
        uint64 updatedAt;
        // STATUS_ACTIVE, STATUS_SUSPENDED or STATUS_REVOKED.
        uint8 status;
    }

    /// @inheritdoc ICredentialStatus
    uint8 public constant STATUS_ACTIVE = 0;
    /// @inheritdoc ICredentialStatus
    uint8 public constant STATUS_SUSPENDED = 1;
    /// @inheritdoc ICredentialStatus
    uint8 public constant STATUS_REVOKED = 2;

    IAttesterRegistry private immutable _registry;
    /// @dev The registry's issuer role, read once at deployment.
    uint8 private immutable _issuerRole;

    mapping(bytes32 credentialId => Entry) private _entries;

    /**
     * @notice Deploys the status list, taking anchorers and issuers from `registry_`.
     * @param registry_ The registry; fixed for the life of the contract.
     */
    constructor(IAttesterRegistry registry_) {
        _registry = registry_;
        _issuerRole = registry_.ROLE_ISSUER();
    }

    /// @inheritdoc ICredentialStatus
    function suspend(bytes32 credentialId, bytes32 issuerKey, uint8 reason) external {
        Entry storage entry = _authorizedEntry(credentialId, issuerKey);
        if (entry.status == STATUS_SUSPENDED) revert CredentialStatusAlreadySuspended(credentialId);
        _setStatus(entry, credentialId, issuerKey, STATUS_SUSPENDED, reason);
    }

    /// @inheritdoc ICredentialStatus
    function revoke(bytes32 credentialId, bytes32 issuerKey, uint8 reason) external {
        Entry storage entry = _authorizedEntry(credentialId, issuerKey);
        _setStatus(entry, credentialId, issuerKey, STATUS_REVOKED, reason);
    }

    /// @inheritdoc ICredentialStatus
    function reinstate(bytes32 credentialId, bytes32 issuerKey, uint8 reason) external {
        Entry storage entry = _authorizedEntry(credentialId, issuerKey);
        if (entry.status != STATUS_SUSPENDED) revert CredentialStatusNotSuspended(credentialId);
        _setStatus(entry, credentialId, issuerKey, STATUS_ACTIVE, reason);
    }

    /// @inheritdoc ICredentialStatus
    function statusOf(
        bytes32 credentialId
    ) external view returns (uint8 status, uint64 updatedAt, bytes32 issuerKey) {
        Entry storage entry = _entries[credentialId];
        return (entry.status, entry.updatedAt, entry.issuerKey);
    }

    /// @inheritdoc ICredentialStatus
    function registry() external view returns (IAttesterRegistry) {
        return _registry;
    }

    /// @inheritdoc ICredentialStatus
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    /**
     * @notice Checks that the caller is an anchorer, that `issuerKey` is accredited as an issuer
     * now and may act on `credentialId`, and that the credential is not revoked.
     * @param credentialId The credential.
     * @param issuerKey The issuer key acting.
     * @return entry The credential's stored entry.
     */
    function _authorizedEntry(bytes32 credentialId, bytes32 issuerKey) private view returns (Entry storage entry) {
        if (!_registry.isAnchorer(msg.sender)) revert CredentialStatusNotAnchorer(msg.sender);
        if (!_registry.isAccredited(issuerKey, _issuerRole, uint64(block.timestamp))) {
            revert CredentialStatusIssuerNotAccredited(issuerKey);
        }
        entry = _entries[credentialId];
        bytes32 boundKey = entry.issuerKey;
        if (boundKey != bytes32(0) && boundKey != issuerKey) {
            revert CredentialStatusWrongIssuer(credentialId, issuerKey);
        }
        if (entry.status == STATUS_REVOKED) revert CredentialStatusRevoked(credentialId);
    }

    /**
     * @notice Stores `status` for `credentialId`, binding it to `issuerKey` on its first write.
     * @param entry The credential's stored entry.
     * @param credentialId The credential.
     * @param issuerKey The issuer key acting.
     * @param status The new status.
     * @param reason The issuer's reason code.
     */
    function _setStatus(
        Entry storage entry,
        bytes32 credentialId,
        bytes32 issuerKey,
        uint8 status,
        uint8 reason
    ) private {
        if (entry.issuerKey == bytes32(0)) entry.issuerKey = issuerKey;
        entry.updatedAt = uint64(block.timestamp);
        entry.status = status;
        emit StatusChanged(credentialId, issuerKey, status, reason);
    }
}
