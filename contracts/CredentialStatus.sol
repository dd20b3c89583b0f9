// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAttesterRegistry} from "./interfaces/IAttesterRegistry.sol";
import {ICredentialStatus} from "./interfaces/ICredentialStatus.sol";

/**
 * @title CredentialStatus
 * @author labour-provenance-ledger
 * @notice Per-credential registration, suspension and revocation, relayed by anchorers from
 * records the credential's issuer signed; the registry's admin can void an issuer key.
 */
contract CredentialStatus is ICredentialStatus {
    /// @inheritdoc ICredentialStatus
    uint8 public constant STATUS_ACTIVE = 0;
    /// @inheritdoc ICredentialStatus
    uint8 public constant STATUS_SUSPENDED = 1;
    /// @inheritdoc ICredentialStatus
    uint8 public constant STATUS_REVOKED = 2;

    IAttesterRegistry private immutable _registry;
    /// @dev The registry's issuer role, read once at deployment.
    uint8 private immutable _issuerRole;

    mapping(bytes32 credentialId => StatusEntry) private _entries;
    mapping(bytes32 issuerKey => uint64 revokedAt) private _issuerRevokedAt;

    /**
     * @notice Deploys the status list, taking anchorers, issuers and the admin from `registry_`.
     * @param registry_ The registry; fixed for the life of the contract.
     */
    constructor(IAttesterRegistry registry_) {
        _registry = registry_;
        _issuerRole = registry_.ROLE_ISSUER();
    }

    /// @inheritdoc ICredentialStatus
    function register(bytes32 credentialId, bytes32 issuerKey, bytes32 recordHash) external {
        _requireRelay(recordHash);
        _requireActiveIssuer(issuerKey);
        StatusEntry storage entry = _entries[credentialId];
        if (entry.registered) revert CredentialStatusAlreadyRegistered(credentialId);
        entry.issuerKey = issuerKey;
        entry.registrationRecord = recordHash;
        entry.updatedAt = uint64(block.timestamp);
        entry.registered = true;
        emit CredentialRegistered(credentialId, issuerKey, recordHash);
    }

    /// @inheritdoc ICredentialStatus
    function suspend(bytes32 credentialId, bytes32 issuerKey, uint8 reason, bytes32 recordHash) external {
        StatusEntry storage entry = _authorizedEntry(credentialId, issuerKey, recordHash);
        if (entry.status == STATUS_SUSPENDED) revert CredentialStatusAlreadySuspended(credentialId);
        _setStatus(entry, credentialId, STATUS_SUSPENDED, reason, recordHash);
    }

    /// @inheritdoc ICredentialStatus
    function revoke(bytes32 credentialId, bytes32 issuerKey, uint8 reason, bytes32 recordHash) external {
        StatusEntry storage entry = _authorizedEntry(credentialId, issuerKey, recordHash);
        _setStatus(entry, credentialId, STATUS_REVOKED, reason, recordHash);
    }

    /// @inheritdoc ICredentialStatus
    function reinstate(bytes32 credentialId, bytes32 issuerKey, uint8 reason, bytes32 recordHash) external {
        StatusEntry storage entry = _authorizedEntry(credentialId, issuerKey, recordHash);
        if (entry.status != STATUS_SUSPENDED) revert CredentialStatusNotSuspended(credentialId);
        _setStatus(entry, credentialId, STATUS_ACTIVE, reason, recordHash);
    }

    /// @inheritdoc ICredentialStatus
    function revokeIssuer(bytes32 issuerKey) external {
        if (msg.sender != _registry.owner()) revert CredentialStatusNotAdmin(msg.sender);
        if (issuerKey == bytes32(0)) revert CredentialStatusZeroIssuerKey();
        if (_issuerRevokedAt[issuerKey] != 0) revert CredentialStatusIssuerRevoked(issuerKey);
        uint64 revokedAt = uint64(block.timestamp);
        _issuerRevokedAt[issuerKey] = revokedAt;
        emit IssuerRevoked(issuerKey, revokedAt);
    }

    /// @inheritdoc ICredentialStatus
    function statusOf(
        bytes32 credentialId
    ) external view returns (uint8 status, uint64 updatedAt, bytes32 issuerKey) {
        StatusEntry memory entry = _effectiveEntry(credentialId);
        return (entry.status, entry.updatedAt, entry.issuerKey);
    }

    /// @inheritdoc ICredentialStatus
    function entryOf(bytes32 credentialId) external view returns (StatusEntry memory) {
        return _effectiveEntry(credentialId);
    }

    /// @inheritdoc ICredentialStatus
    function issuerRevokedAt(bytes32 issuerKey) external view returns (uint64) {
        return _issuerRevokedAt[issuerKey];
    }

    /// @inheritdoc ICredentialStatus
    function registry() external view returns (IAttesterRegistry) {
        return _registry;
    }

    /// @inheritdoc ICredentialStatus
    function version() external pure returns (string memory) {
        return "2.0.0";
    }

    /**
     * @notice The entry of `credentialId` as the views report it: revoked since the issuer
     * revocation if the admin revoked its issuer key and it was not revoked before.
     * @param credentialId The credential.
     * @return entry The entry.
     */
    function _effectiveEntry(bytes32 credentialId) private view returns (StatusEntry memory entry) {
        entry = _entries[credentialId];
        uint64 revokedAt = _issuerRevokedAt[entry.issuerKey];
        if (entry.registered && revokedAt != 0 && entry.status != STATUS_REVOKED) {
            entry.status = STATUS_REVOKED;
            entry.updatedAt = revokedAt;
        }
    }

    /**
     * @notice Checks that the caller is an anchorer and that it relays a record.
     * @param recordHash The record id of the issuer-signed envelope relayed.
     */
    function _requireRelay(bytes32 recordHash) private view {
        if (!_registry.isAnchorer(msg.sender)) revert CredentialStatusNotAnchorer(msg.sender);
        if (recordHash == bytes32(0)) revert CredentialStatusZeroRecord();
    }

    /**
     * @notice Checks that `issuerKey` was not revoked here and is accredited as an issuer now.
     * @param issuerKey The issuer key acting.
     */
    function _requireActiveIssuer(bytes32 issuerKey) private view {
        if (_issuerRevokedAt[issuerKey] != 0) revert CredentialStatusIssuerRevoked(issuerKey);
        if (!_registry.isAccredited(issuerKey, _issuerRole, uint64(block.timestamp))) {
            revert CredentialStatusIssuerNotAccredited(issuerKey);
        }
    }

    /**
     * @notice Checks a relayed change: anchorer caller, a record named, the credential
     * registered and bound to `issuerKey`, the issuer active, and the credential not revoked.
     * @param credentialId The credential.
     * @param issuerKey The issuer key acting.
     * @param recordHash The record id of the issuer-signed `credential_status` envelope.
     * @return entry The credential's stored entry.
     */
    function _authorizedEntry(
        bytes32 credentialId,
        bytes32 issuerKey,
        bytes32 recordHash
    ) private view returns (StatusEntry storage entry) {
        _requireRelay(recordHash);
        entry = _entries[credentialId];
        if (!entry.registered) revert CredentialStatusNotRegistered(credentialId);
        if (entry.issuerKey != issuerKey) revert CredentialStatusWrongIssuer(credentialId, issuerKey);
        _requireActiveIssuer(issuerKey);
        if (entry.status == STATUS_REVOKED) revert CredentialStatusRevoked(credentialId);
    }

    /**
     * @notice Stores `status` for `credentialId` with the record that asked for it.
     * @param entry The credential's stored entry.
     * @param credentialId The credential.
     * @param status The new status.
     * @param reason The issuer's reason code.
     * @param recordHash The record id of the issuer-signed `credential_status` envelope.
     */
    function _setStatus(
        StatusEntry storage entry,
        bytes32 credentialId,
        uint8 status,
        uint8 reason,
        bytes32 recordHash
    ) private {
        entry.statusRecord = recordHash;
        entry.updatedAt = uint64(block.timestamp);
        entry.status = status;
        emit StatusChanged(credentialId, entry.issuerKey, status, reason, recordHash);
    }
}
