// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAttesterRegistry} from "./IAttesterRegistry.sol";

/**
 * @title ICredentialStatus
 * @author labour-provenance-ledger
 * @notice Suspension and revocation of worker credentials, one entry per credential. An
 * anchorer relays the status change on behalf of the credential's issuer, whose key must be
 * accredited as an issuer in the registry at the time of the change.
 * @dev The first status write binds a credential to its issuer key; only that key's changes are
 * accepted afterwards. Transitions: ACTIVE -> SUSPENDED -> ACTIVE, and ACTIVE or SUSPENDED ->
 * REVOKED, which is final. A change that would change nothing reverts.
 */
interface ICredentialStatus {
    /// @notice The caller is not an anchorer in the registry.
    /// @param caller The rejected caller.
    error CredentialStatusNotAnchorer(address caller);

    /// @notice The issuer key is not accredited as an issuer at the current block time.
    /// @param issuerKey The rejected issuer key.
    error CredentialStatusIssuerNotAccredited(bytes32 issuerKey);

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

    /// @notice The status of a credential changed.
    /// @param credentialId The credential.
    /// @param issuerKey The issuer key on whose behalf it changed.
    /// @param status The new status: 0 active, 1 suspended, 2 revoked.
    /// @param reason The issuer's reason code, kept in the event only.
    event StatusChanged(bytes32 indexed credentialId, bytes32 indexed issuerKey, uint8 status, uint8 reason);

    /**
     * @notice Suspends an active credential on behalf of `issuerKey`. Anchorers only.
     * @dev Emits {StatusChanged}. Reverts {CredentialStatusNotAnchorer},
     * {CredentialStatusIssuerNotAccredited}, {CredentialStatusWrongIssuer},
     * {CredentialStatusRevoked} or {CredentialStatusAlreadySuspended}.
     * @param credentialId The credential.
     * @param issuerKey The issuer's Ed25519 key.
     * @param reason The issuer's reason code.
     */
    function suspend(bytes32 credentialId, bytes32 issuerKey, uint8 reason) external;

    /**
     * @notice Revokes an active or suspended credential for good, on behalf of `issuerKey`.
     * Anchorers only.
     * @dev Emits {StatusChanged}. Reverts {CredentialStatusNotAnchorer},
     * {CredentialStatusIssuerNotAccredited}, {CredentialStatusWrongIssuer} or
     * {CredentialStatusRevoked}.
     * @param credentialId The credential.
     * @param issuerKey The issuer's Ed25519 key.
     * @param reason The issuer's reason code.
     */
    function revoke(bytes32 credentialId, bytes32 issuerKey, uint8 reason) external;

    /**
     * @notice Makes a suspended credential active again, on behalf of `issuerKey`. Anchorers
     * only.
     * @dev Emits {StatusChanged}. Reverts {CredentialStatusNotAnchorer},
     * {CredentialStatusIssuerNotAccredited}, {CredentialStatusWrongIssuer},
     * {CredentialStatusRevoked} or {CredentialStatusNotSuspended}.
     * @param credentialId The credential.
     * @param issuerKey The issuer's Ed25519 key.
     * @param reason The issuer's reason code.
     */
    function reinstate(bytes32 credentialId, bytes32 issuerKey, uint8 reason) external;

    /**
     * @notice The status of `credentialId`; an unknown credential is active with no issuer.
     * @param credentialId The credential.
     * @return status 0 active, 1 suspended, 2 revoked.
     * @return updatedAt Block time of the last change; 0 if never changed.
     * @return issuerKey The issuer key the credential is bound to; 0 if never changed.
     */
    function statusOf(
        bytes32 credentialId
    ) external view returns (uint8 status, uint64 updatedAt, bytes32 issuerKey);

    /**
     * @notice The registry that says who may relay and who is an issuer.
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
