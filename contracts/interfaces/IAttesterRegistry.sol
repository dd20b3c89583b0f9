// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title IAttesterRegistry
 * @author labour-provenance-ledger
 * @notice Which Ed25519 keys may author which kind of evidence, and which accounts may relay
 * hashes to the chain. An admin (a multisig in production) accredits a key for a role with a
 * validity window, and may suspend, reinstate or revoke it; the API mirrors the events.
 * Anchorers (the operator's hot keys) relay roots and issuer-signed statuses and can do nothing
 * else here; the admin and the anchorers are set at deployment, and no account is ever both.
 * @dev Roles are small integers: 1 auditor, 2 credential issuer, 3 employer, 4 brand,
 * 5 verifier, 6 investigator. Any other value reverts {AttesterRegistryInvalidRole}.
 *
 * Scopes narrow what an accredited key may sign in a role: a kind of record may require
 * that its signer hold a scope the record names (an employer signs wage lines only for the
 * facilities it is scoped to). A scope is an opaque `bytes32`; by convention a facility's is
 * `keccak256(abi.encodePacked("facility:", facilityId))`, with `facilityId` the UTF-8 bytes
 * of the facility id. Each grant opens a window `[grantedAt, revokedAt)` of block times; a
 * revoked scope may be granted again, which opens a new window and keeps the old ones, so
 * {scopeAt} can still tell whether a scope held at a past moment.
 */
interface IAttesterRegistry {
    /**
     * @notice The accreditation of one key for one role; fits in one storage slot.
     * @dev A zero `validFrom` means the key was never accredited for that role.
     */
    struct Accreditation {
        // First second (unix time) at which the key may act in the role; never zero once set.
        uint64 validFrom;
        // First second at which it may no longer act; 0 means open-ended.
        uint64 validUntil;
        // When it was revoked for good; 0 while not revoked.
        uint64 revokedAt;
        // Temporarily barred; {IAttesterRegistry-reinstate} lifts it.
        bool suspended;
    }

    /**
     * @notice One window in which a key held a scope in a role: from `grantedAt` until
     * `revokedAt` (exclusive); fits in one storage slot.
     */
    struct ScopeWindow {
        // Block time of the grant; never zero once set.
        uint64 grantedAt;
        // Block time of the revocation that closed the window; 0 while it is open.
        uint64 revokedAt;
    }

    /// @notice The role is not one of the six defined roles.
    /// @param role The rejected role value.
    error AttesterRegistryInvalidRole(uint8 role);

    /// @notice The window is empty or starts at zero: `validFrom` must be nonzero and
    /// `validUntil` must be 0 (open-ended) or later than `validFrom`.
    /// @param validFrom The rejected start.
    /// @param validUntil The rejected end.
    error AttesterRegistryInvalidWindow(uint64 validFrom, uint64 validUntil);

    /// @notice The zero key cannot be accredited.
    error AttesterRegistryZeroKey();

    /// @notice The zero address cannot be an anchorer.
    error AttesterRegistryZeroAddress();

    /// @notice The admin cannot be an anchorer, nor an anchorer the admin: the hot anchoring key
    /// must never be able to accredit.
    /// @param account The account that would have held both.
    error AttesterRegistryAdminCannotAnchor(address account);

    /// @notice The key has never been accredited for the role.
    /// @param key The Ed25519 public key.
    /// @param role The role.
    error AttesterRegistryNotAccredited(bytes32 key, uint8 role);

    /// @notice The key was revoked for the role; revocation is final.
    /// @param key The Ed25519 public key.
    /// @param role The role.
    error AttesterRegistryKeyRevoked(bytes32 key, uint8 role);

    /// @notice The zero scope cannot be granted.
    error AttesterRegistryZeroScope();

    /// @notice The key has never been granted the scope in the role.
    /// @param key The Ed25519 public key.
    /// @param role The role.
    /// @param scope The scope.
    error AttesterRegistryScopeNotGranted(bytes32 key, uint8 role, bytes32 scope);

    /// @notice A key was accredited for a role, or its window changed.
    /// @param key The Ed25519 public key.
    /// @param role The role.
    /// @param validFrom First second of the window.
    /// @param validUntil End of the window (exclusive); 0 means open-ended.
    event KeyAccredited(bytes32 indexed key, uint8 indexed role, uint64 validFrom, uint64 validUntil);

    /// @notice A key was suspended for a role.
    /// @param key The Ed25519 public key.
    /// @param role The role.
    event KeySuspended(bytes32 indexed key, uint8 indexed role);

    /// @notice A suspended key was reinstated for a role.
    /// @param key The Ed25519 public key.
    /// @param role The role.
    event KeyReinstated(bytes32 indexed key, uint8 indexed role);

    /// @notice A key was revoked for a role, for good.
    /// @param key The Ed25519 public key.
    /// @param role The role.
    /// @param revokedAt The block time of the revocation.
    event KeyRevoked(bytes32 indexed key, uint8 indexed role, uint64 revokedAt);

    /// @notice A key was granted a scope in a role: a new window opens at `at`.
    /// @param key The Ed25519 public key.
    /// @param role The role.
    /// @param scope The scope (for a facility, `keccak256("facility:" ++ facilityId)`).
    /// @param at The block time of the grant.
    event ScopeGranted(bytes32 indexed key, uint8 indexed role, bytes32 indexed scope, uint64 at);

    /// @notice A key's scope in a role was revoked: its open window closes at `at`.
    /// @param key The Ed25519 public key.
    /// @param role The role.
    /// @param scope The scope.
    /// @param at The block time of the revocation.
    event ScopeRevoked(bytes32 indexed key, uint8 indexed role, bytes32 indexed scope, uint64 at);

    /// @notice An account may now relay roots and statuses to the chain.
    /// @param account The anchorer.
    event AnchorerAdded(address indexed account);

    /// @notice An account may no longer relay roots and statuses to the chain.
    /// @param account The former anchorer.
    event AnchorerRemoved(address indexed account);

    /**
     * @notice Accredits `key` for `role` from `validFrom` until `validUntil`, or changes the
     * window of an existing accreditation (a suspension stays as it is). Admin only.
     * @dev Emits {KeyAccredited} unless the window is unchanged. Reverts
     * {AttesterRegistryInvalidRole}, {AttesterRegistryZeroKey}, {AttesterRegistryInvalidWindow},
     * or {AttesterRegistryKeyRevoked} for a revoked key.
     * @param key The Ed25519 public key.
     * @param role The role.
     * @param validFrom First second of the window; nonzero.
     * @param validUntil End of the window (exclusive); 0 means open-ended.
     */
    function accredit(bytes32 key, uint8 role, uint64 validFrom, uint64 validUntil) external;

    /**
     * @notice Suspends `key` for `role` until {reinstate}. Admin only.
     * @dev Emits {KeySuspended} unless already suspended. Reverts
     * {AttesterRegistryNotAccredited} or {AttesterRegistryKeyRevoked}.
     * @param key The Ed25519 public key.
     * @param role The role.
     */
    function suspend(bytes32 key, uint8 role) external;

    /**
     * @notice Lifts the suspension of `key` for `role`. Admin only.
     * @dev Emits {KeyReinstated} unless not suspended. Reverts
     * {AttesterRegistryNotAccredited} or {AttesterRegistryKeyRevoked}.
     * @param key The Ed25519 public key.
     * @param role The role.
     */
    function reinstate(bytes32 key, uint8 role) external;

    /**
     * @notice Revokes `key` for `role` for good, recording the block time. Admin only.
     * @dev Emits {KeyRevoked} unless already revoked (the first revocation time is kept).
     * Reverts {AttesterRegistryNotAccredited}.
     * @param key The Ed25519 public key.
     * @param role The role.
     */
    function revoke(bytes32 key, uint8 role) external;

    /**
     * @notice Grants `key` the scope `scope` in `role` from now on: opens a window at the
     * block time, unless one is open already. A scope revoked earlier may be granted again;
     * the new window starts now (the time between the two is not covered). Admin only.
     * @dev Emits {ScopeGranted} unless the scope is held already. Reverts
     * {AttesterRegistryInvalidRole}, {AttesterRegistryZeroScope},
     * {AttesterRegistryNotAccredited} for a key never accredited in the role, or
     * {AttesterRegistryKeyRevoked} for a revoked one (a suspended key may be granted scopes).
     * @param key The Ed25519 public key.
     * @param role The role.
     * @param scope The scope; nonzero. A facility's is
     * `keccak256(abi.encodePacked("facility:", facilityId))`.
     */
    function grantScope(bytes32 key, uint8 role, bytes32 scope) external;

    /**
     * @notice Revokes the scope `scope` of `key` in `role`: closes its open window at the
     * block time. Records signed within the window and anchored before its end stay
     * provable ({scopeAt}). Admin only.
     * @dev Emits {ScopeRevoked} unless no window is open (the last revocation time is kept).
     * Reverts {AttesterRegistryInvalidRole}, or {AttesterRegistryScopeNotGranted} for a
     * scope never granted to the key in the role.
     * @param key The Ed25519 public key.
     * @param role The role.
     * @param scope The scope.
     */
    function revokeScope(bytes32 key, uint8 role, bytes32 scope) external;

    /**
     * @notice Lets `account` relay roots and statuses to the chain. Admin only.
     * @dev Emits {AnchorerAdded} unless already an anchorer. Reverts
     * {AttesterRegistryZeroAddress}, or {AttesterRegistryAdminCannotAnchor} for the admin.
     * @param account The account.
     */
    function addAnchorer(address account) external;

    /**
     * @notice Stops `account` relaying roots and statuses to the chain. Admin only.
     * @dev Emits {AnchorerRemoved} unless not an anchorer. Reverts
     * {AttesterRegistryZeroAddress}.
     * @param account The account.
     */
    function removeAnchorer(address account) external;

    /**
     * @notice The accreditation record of `key` for `role`; all zero if never accredited.
     * @param key The Ed25519 public key.
     * @param role The role.
     * @return The record.
     */
    function accreditation(bytes32 key, uint8 role) external view returns (Accreditation memory);

    /**
     * @notice Whether `key` may act in `role` at time `at`: accredited, not suspended, not
     * revoked, `validFrom <= at` and (`validUntil == 0` or `at < validUntil`).
     * @dev Suspension and revocation apply whatever `at` is: they are the current state.
     * @param key The Ed25519 public key.
     * @param role The role.
     * @param at A unix time.
     * @return True if the key may act in the role at `at`.
     */
    function isAccredited(bytes32 key, uint8 role, uint64 at) external view returns (bool);

    /**
     * @notice The latest window of the scope `scope` of `key` in `role`; all zero if never
     * granted. The scope is held now when `grantedAt != 0 && revokedAt == 0`.
     * @dev Reverts {AttesterRegistryInvalidRole}.
     * @param key The Ed25519 public key.
     * @param role The role.
     * @param scope The scope.
     * @return grantedAt Block time of the latest grant; 0 if never granted.
     * @return revokedAt Block time of its revocation; 0 while held.
     */
    function scopeOf(
        bytes32 key,
        uint8 role,
        bytes32 scope
    ) external view returns (uint64 grantedAt, uint64 revokedAt);

    /**
     * @notice The window of the scope `scope` of `key` in `role` that was opened last at or
     * before `at`; all zero if none was. The scope held at `at` when
     * `grantedAt != 0 && (revokedAt == 0 || at < revokedAt)`; a record created at `at` and
     * anchored at `anchoredAt` is within it when, moreover, `revokedAt == 0 ||
     * anchoredAt < revokedAt`.
     * @dev A binary search over the grants (O(log n)). Reverts {AttesterRegistryInvalidRole}.
     * @param key The Ed25519 public key.
     * @param role The role.
     * @param scope The scope.
     * @param at A unix time.
     * @return grantedAt Block time of that grant; 0 if none at or before `at`.
     * @return revokedAt Block time of its revocation; 0 if it is still open.
     */
    function scopeAt(
        bytes32 key,
        uint8 role,
        bytes32 scope,
        uint64 at
    ) external view returns (uint64 grantedAt, uint64 revokedAt);

    /**
     * @notice The admin: the only account that may accredit, suspend, reinstate and revoke keys,
     * grant and revoke their scopes, change the anchorers, and void an issuer's credentials in
     * {ICredentialStatus}.
     * @return The admin's address (a Safe multisig in production).
     */
    function owner() external view returns (address);

    /**
     * @notice Whether `account` may relay roots and statuses to the chain.
     * @param account The account.
     * @return True for an anchorer.
     */
    function isAnchorer(address account) external view returns (bool);

    // The getters of public constants keep the constants' names.
    // solhint-disable func-name-mixedcase
    /// @notice Role of auditors (audit attestations).
    /// @return 1
    function ROLE_AUDITOR() external view returns (uint8);

    /// @notice Role of credential issuers (worker credentials and their status).
    /// @return 2
    function ROLE_ISSUER() external view returns (uint8);

    /// @notice Role of employers (wage records).
    /// @return 3
    function ROLE_EMPLOYER() external view returns (uint8);

    /// @notice Role of brands (supply links, traces).
    /// @return 4
    function ROLE_BRAND() external view returns (uint8);

    /// @notice Role of verifiers (ID-possession check-ins).
    /// @return 5
    function ROLE_VERIFIER() external view returns (uint8);

    /// @notice Role of investigators.
    /// @return 6
    function ROLE_INVESTIGATOR() external view returns (uint8);

    // solhint-enable func-name-mixedcase

    /// @notice The semantic version of this contract.
    /// @return The version, e.g. "1.0.0".
    function version() external view returns (string memory);
}
