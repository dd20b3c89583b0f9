// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAttesterRegistry} from "./IAttesterRegistry.sol";

/**
 * @title ICredentialStatus
 * @author labour-provenance-ledger
 * @notice Suspension and revocation of worker credentials, one entry per credential. An
 * anchorer relays what the credential's issuer signed: first the registration, which binds the
 * credential to the issuer's key, then each status change. Every write carries the record id
 * (Merkle leaf) of the issuer-signed envelope it relays, so anyone can fetch that record and
 * check the issuer's consent; the anchorer cannot act in an issuer's name on its own.
 * @dev Transitions: ACTIVE -> SUSPENDED -> ACTIVE, and ACTIVE or SUSPENDED -> REVOKED, which is
 * final. A change that would change nothing reverts. The registry's admin can revoke an issuer
 * key here ({revokeIssuer}): every credential bound to it then reads as revoked, at once.
 */
interface ICredentialStatus {
    /**
     * @notice The stored entry of one credential.
     * @dev `registered` is false (and everything zero) for a credential never registered.
     */
    struct StatusEntry {
        // The issuer key the credential is bound to, by its registration.
        bytes32 issuerKey;
        // Record id (Merkle leaf) of the issuer-signed `credential` registration envelope.
        bytes32 registrationRecord;
        // Record id of the issuer-signed `credential_status` envelope of the last change; 0 if none.
        bytes32 statusRecord;
        // Block time of the registration or of the last change.
        uint64 updatedAt;
        // STATUS_ACTIVE, STATUS_SUSPENDED or STATUS_REVOKED.
        uint8 status;
        // Whether the credential was registered.
        bool registered;
    }

    /// @notice The caller is not an anchorer in the registry.
    /// @param caller The rejected caller.
    error CredentialStatusNotAnchorer(address caller);

    /// @notice The caller is not the registry's admin.
    /// @param caller The rejected caller.
    error CredentialStatusNotAdmin(address caller);

    /// @notice The issuer key is not accredited as an issuer at the current block time.
    /// @param issuerKey The rejected issuer key.
    error CredentialStatusIssuerNotAccredited(bytes32 issuerKey);

    /// @notice The registry's admin revoked this issuer key here; it can change nothing more.
    /// @param issuerKey The rejected issuer key.
    error CredentialStatusIssuerRevoked(bytes32 issuerKey);

    /// @notice The zero key cannot be revoked (no credential is bound to it).
    error CredentialStatusZeroIssuerKey();

    /// @notice Every write must name the issuer-signed record it relays.
    error CredentialStatusZeroRecord();

    /// @notice The credential was registered before.
    /// @param credentialId The credential.
    error CredentialStatusAlreadyRegistered(bytes32 credentialId);

    /// @notice The credential was never registered.
    /// @param credentialId The credential.
    error CredentialStatusNotRegistered(bytes32 credentialId);

    /// @notice The credential is bound to another issuer key.
    /// @param credentialId The credential.
    /// @param issuerKey The rejected issuer key.
    error CredentialStatusWrongIssuer(bytes32 credentialId, bytes32 issuerKey);

    /// @notice The credential is revoked; revocation is final.
    /// @param credentialId The credential.
    error CredentialStatusRevoked(bytes32 credentialId);

    /// @notice Only a suspended credential can be reinstated.
    /// @param credentialId The credential.
    error CredentialStatusNotSuspended(bytes32 credentialId);

    /// @notice The credential is suspended already.
    /// @param credentialId The credential.
    error CredentialStatusAlreadySuspended(bytes32 credentialId);

    /// @notice A credential was registered and bound to its issuer's key.
    /// @param credentialId The credential.
    /// @param issuerKey The issuer's Ed25519 key.
    /// @param recordHash Record id of the issuer-signed registration envelope.
    event CredentialRegistered(bytes32 indexed credentialId, bytes32 indexed issuerKey, bytes32 recordHash);

    /// @notice The status of a credential changed.
    /// @param credentialId The credential.
    /// @param issuerKey The issuer key on whose behalf it changed.
    /// @param status The new status: 0 active, 1 suspended, 2 revoked.
    /// @param reason The issuer's reason code, kept in the event only.
    /// @param recordHash Record id of the issuer-signed `credential_status` envelope.
    event StatusChanged(
        bytes32 indexed credentialId,
        bytes32 indexed issuerKey,
        uint8 status,
        uint8 reason,
        bytes32 recordHash
    );

    /// @notice The registry's admin revoked an issuer key: every credential bound to it is
    /// revoked from now on.
    /// @param issuerKey The issuer's Ed25519 key.
    /// @param revokedAt The block time of the revocation.
    event IssuerRevoked(bytes32 indexed issuerKey, uint64 revokedAt);

    /**
     * @notice Registers `credentialId`, binding it to `issuerKey`, as the issuer-signed record
     * `recordHash` asks. Anchorers only.
     * @dev Emits {CredentialRegistered}. Reverts {CredentialStatusNotAnchorer},
     * {CredentialStatusZeroRecord}, {CredentialStatusIssuerRevoked},
     * {CredentialStatusIssuerNotAccredited} or {CredentialStatusAlreadyRegistered}.
     * @param credentialId The credential.
     * @param issuerKey The issuer's Ed25519 key, accredited as an issuer now.
     * @param recordHash Record id of the issuer-signed `credential` registration envelope.
     */
    function register(bytes32 credentialId, bytes32 issuerKey, bytes32 recordHash) external;

    /**
     * @notice Suspends an active credential, as its issuer's signed record `recordHash` asks.
     * Anchorers only.
     * @dev Emits {StatusChanged}. Reverts {CredentialStatusNotAnchorer},
     * {CredentialStatusZeroRecord}, {CredentialStatusNotRegistered},
     * {CredentialStatusWrongIssuer}, {CredentialStatusIssuerRevoked},
     * {CredentialStatusIssuerNotAccredited}, {CredentialStatusRevoked} or
     * {CredentialStatusAlreadySuspended}.
     * @param credentialId The credential.
     * @param issuerKey The issuer's Ed25519 key; the one the credential is bound to.
     * @param reason The issuer's reason code.
     * @param recordHash Record id of the issuer-signed `credential_status` envelope.
     */
    function suspend(bytes32 credentialId, bytes32 issuerKey, uint8 reason, bytes32 recordHash) external;

    /**
     * @notice Revokes an active or suspended credential for good, as its issuer's signed record
     * `recordHash` asks. Anchorers only.
     * @dev Emits {StatusChanged}. Reverts {CredentialStatusNotAnchorer},
     * {CredentialStatusZeroRecord}, {CredentialStatusNotRegistered},
     * {CredentialStatusWrongIssuer}, {CredentialStatusIssuerRevoked},
     * {CredentialStatusIssuerNotAccredited} or {CredentialStatusRevoked}.
     * @param credentialId The credential.
     * @param issuerKey The issuer's Ed25519 key; the one the credential is bound to.
     * @param reason The issuer's reason code.
     * @param recordHash Record id of the issuer-signed `credential_status` envelope.
     */
    function revoke(bytes32 credentialId, bytes32 issuerKey, uint8 reason, bytes32 recordHash) external;

    /**
     * @notice Makes a suspended credential active again, as its issuer's signed record
     * `recordHash` asks. Anchorers only.
     * @dev Emits {StatusChanged}. Reverts {CredentialStatusNotAnchorer},
     * {CredentialStatusZeroRecord}, {CredentialStatusNotRegistered},
     * {CredentialStatusWrongIssuer}, {CredentialStatusIssuerRevoked},
     * {CredentialStatusIssuerNotAccredited}, {CredentialStatusRevoked} or
     * {CredentialStatusNotSuspended}.
     * @param credentialId The credential.
     * @param issuerKey The issuer's Ed25519 key; the one the credential is bound to.
     * @param reason The issuer's reason code.
     * @param recordHash Record id of the issuer-signed `credential_status` envelope.
     */
    function reinstate(bytes32 credentialId, bytes32 issuerKey, uint8 reason, bytes32 recordHash) external;

    /**
     * @notice Revokes `issuerKey` here: every credential bound to it reads as revoked from now
     * on, and it can register and change nothing more. For a compromised issuer key. Only the
     * registry's admin ({IAttesterRegistry-owner}).
     * @dev Emits {IssuerRevoked}. Reverts {CredentialStatusNotAdmin},
     * {CredentialStatusZeroIssuerKey} or {CredentialStatusIssuerRevoked} (revoked already).
     * Constant cost: one flag per key, read by the views.
     * @param issuerKey The issuer's Ed25519 key.
     */
    function revokeIssuer(bytes32 issuerKey) external;

    /**
     * @notice The status of `credentialId`; an unregistered credential is active with no issuer.
     * @dev A credential of a revoked issuer key reads as revoked, since the issuer revocation
     * unless it was revoked earlier.
     * @param credentialId The credential.
     * @return status 0 active, 1 suspended, 2 revoked.
     * @return updatedAt Block time of the registration or last change; 0 if never registered.
     * @return issuerKey The issuer key the credential is bound to; 0 if never registered.
     */
    function statusOf(
        bytes32 credentialId
    ) external view returns (uint8 status, uint64 updatedAt, bytes32 issuerKey);

    /**
     * @notice The whole entry of `credentialId`, with the record ids to check the issuer's
     * consent against; status and time as {statusOf} reports them.
     * @param credentialId The credential.
     * @return The entry; all zero if never registered.
     */
    function entryOf(bytes32 credentialId) external view returns (StatusEntry memory);

    /**
     * @notice When the registry's admin revoked `issuerKey` here; 0 if it did not.
     * @param issuerKey The issuer's Ed25519 key.
     * @return The block time of the revocation, or 0.
     */
    function issuerRevokedAt(bytes32 issuerKey) external view returns (uint64);

    /**
     * @notice The registry that says who may relay, who is an issuer, and who is the admin.
     * @return The registry.
     */
    function registry() external view returns (IAttesterRegistry);

    // The getters of public constants keep the constants' names.
    // solhint-disable func-name-mixedcase
    /// @notice Status of a credential in force.
    /// @return 0
    function STATUS_ACTIVE() external view returns (uint8);

    /// @notice Status of a suspended credential.
    /// @return 1
    function STATUS_SUSPENDED() external view returns (uint8);

    /// @notice Status of a revoked credential.
    /// @return 2
    function STATUS_REVOKED() external view returns (uint8);

    // solhint-enable func-name-mixedcase

    /// @notice The semantic version of this contract.
    /// @return The version, e.g. "1.0.0".
    function version() external view returns (string memory);
}
