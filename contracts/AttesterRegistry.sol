// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IAttesterRegistry} from "./interfaces/IAttesterRegistry.sol";

/**
 * @title AttesterRegistry
 * @author labour-provenance-ledger
 * @notice Accredits Ed25519 keys for roles, with validity windows, suspension and revocation,
 * scopes them (e.g. to facilities), and lists the accounts allowed to relay hashes to the
 * chain (anchorers).
 * @dev The admin is an {Ownable2Step} owner: a new admin must accept before it takes over; an
 * anchorer can never become the admin, nor the admin an anchorer. Every write is idempotent and
 * emits its event only when something changed. A scope's grants are kept as a list of windows
 * in grant order (block times never decrease), so {scopeAt} finds one by binary search; only
 * the admin makes the list grow.
 */
contract AttesterRegistry is IAttesterRegistry, Ownable2Step {
    /// @inheritdoc IAttesterRegistry
    uint8 public constant ROLE_AUDITOR = 1;
    /// @inheritdoc IAttesterRegistry
    uint8 public constant ROLE_ISSUER = 2;
    /// @inheritdoc IAttesterRegistry
    uint8 public constant ROLE_EMPLOYER = 3;
    /// @inheritdoc IAttesterRegistry
    uint8 public constant ROLE_BRAND = 4;
    /// @inheritdoc IAttesterRegistry
    uint8 public constant ROLE_VERIFIER = 5;
    /// @inheritdoc IAttesterRegistry
    uint8 public constant ROLE_INVESTIGATOR = 6;

    mapping(bytes32 key => mapping(uint8 role => Accreditation)) private _accreditations;
    mapping(address account => bool) private _anchorers;
    mapping(bytes32 key => mapping(uint8 role => mapping(bytes32 scope => ScopeWindow[]))) private _scopes;

    /**
     * @notice Deploys the registry with `initialAdmin` as its admin and `initialAnchorers` as
     * its anchorers, so the anchoring account never holds the admin role, not even briefly.
     * @dev Emits {AnchorerAdded} for each anchorer (a repeated one once). Reverts
     * `OwnableInvalidOwner` for a zero admin, {AttesterRegistryZeroAddress} for a zero anchorer
     * and {AttesterRegistryAdminCannotAnchor} if the admin is among the anchorers.
     * @param initialAdmin The first admin (a Safe multisig in production).
     * @param initialAnchorers The accounts that relay roots and statuses (the operator's keys).
     */
    constructor(address initialAdmin, address[] memory initialAnchorers) Ownable(initialAdmin) {
        for (uint256 i = 0; i < initialAnchorers.length; ++i) {
            _addAnchorer(initialAnchorers[i]);
        }
    }

    /// @inheritdoc IAttesterRegistry
    function accredit(bytes32 key, uint8 role, uint64 validFrom, uint64 validUntil) external onlyOwner {
        _requireValidRole(role);
        if (key == bytes32(0)) revert AttesterRegistryZeroKey();
        if (validFrom == 0 || (validUntil != 0 && validUntil <= validFrom)) {
            revert AttesterRegistryInvalidWindow(validFrom, validUntil);
        }
        Accreditation storage current = _accreditations[key][role];
        if (current.revokedAt != 0) revert AttesterRegistryKeyRevoked(key, role);
        if (current.validFrom == validFrom && current.validUntil == validUntil) return;
        current.validFrom = validFrom;
        current.validUntil = validUntil;
        emit KeyAccredited(key, role, validFrom, validUntil);
    }

    /// @inheritdoc IAttesterRegistry
    function suspend(bytes32 key, uint8 role) external onlyOwner {
        Accreditation storage current = _liveAccreditation(key, role);
        if (current.suspended) return;
        current.suspended = true;
        emit KeySuspended(key, role);
    }

    /// @inheritdoc IAttesterRegistry
    function reinstate(bytes32 key, uint8 role) external onlyOwner {
        Accreditation storage current = _liveAccreditation(key, role);
        if (!current.suspended) return;
        current.suspended = false;
        emit KeyReinstated(key, role);
    }

    /// @inheritdoc IAttesterRegistry
    function revoke(bytes32 key, uint8 role) external onlyOwner {
        _requireValidRole(role);
        Accreditation storage current = _accreditations[key][role];
        if (current.validFrom == 0) revert AttesterRegistryNotAccredited(key, role);
        if (current.revokedAt != 0) return;
        uint64 revokedAt = uint64(block.timestamp);
        current.revokedAt = revokedAt;
        emit KeyRevoked(key, role, revokedAt);
    }

    /// @inheritdoc IAttesterRegistry
    function grantScope(bytes32 key, uint8 role, bytes32 scope) external onlyOwner {
        _liveAccreditation(key, role);
        if (scope == bytes32(0)) revert AttesterRegistryZeroScope();
        ScopeWindow[] storage windows = _scopes[key][role][scope];
        if (windows.length != 0 && windows[windows.length - 1].revokedAt == 0) return;
        uint64 at = uint64(block.timestamp);
        windows.push(ScopeWindow({grantedAt: at, revokedAt: 0}));
        emit ScopeGranted(key, role, scope, at);
    }

    /// @inheritdoc IAttesterRegistry
    function revokeScope(bytes32 key, uint8 role, bytes32 scope) external onlyOwner {
        _requireValidRole(role);
        ScopeWindow[] storage windows = _scopes[key][role][scope];
        if (windows.length == 0) revert AttesterRegistryScopeNotGranted(key, role, scope);
        ScopeWindow storage last = windows[windows.length - 1];
        if (last.revokedAt != 0) return;
        uint64 at = uint64(block.timestamp);
        last.revokedAt = at;
        emit ScopeRevoked(key, role, scope, at);
    }

    /// @inheritdoc IAttesterRegistry
    function addAnchorer(address account) external onlyOwner {
        _addAnchorer(account);
    }

    /// @inheritdoc IAttesterRegistry
    function removeAnchorer(address account) external onlyOwner {
        if (account == address(0)) revert AttesterRegistryZeroAddress();
        if (!_anchorers[account]) return;
        _anchorers[account] = false;
        emit AnchorerRemoved(account);
    }

    /// @inheritdoc IAttesterRegistry
    function accreditation(bytes32 key, uint8 role) external view returns (Accreditation memory) {
        _requireValidRole(role);
        return _accreditations[key][role];
    }

    /// @inheritdoc IAttesterRegistry
    function isAccredited(bytes32 key, uint8 role, uint64 at) external view returns (bool) {
        _requireValidRole(role);
        Accreditation memory current = _accreditations[key][role];
        return
            current.validFrom != 0 &&
            !current.suspended &&
            current.revokedAt == 0 &&
            current.validFrom <= at &&
            (current.validUntil == 0 || at < current.validUntil);
    }

    /// @inheritdoc IAttesterRegistry
    function scopeOf(
        bytes32 key,
        uint8 role,
        bytes32 scope
    ) external view returns (uint64 grantedAt, uint64 revokedAt) {
        _requireValidRole(role);
        ScopeWindow[] storage windows = _scopes[key][role][scope];
        if (windows.length == 0) return (0, 0);
        ScopeWindow memory last = windows[windows.length - 1];
        return (last.grantedAt, last.revokedAt);
    }

    /// @inheritdoc IAttesterRegistry
    function scopeAt(
        bytes32 key,
        uint8 role,
        bytes32 scope,
        uint64 at
    ) external view returns (uint64 grantedAt, uint64 revokedAt) {
        _requireValidRole(role);
        ScopeWindow[] storage windows = _scopes[key][role][scope];
        // The number of windows opened at or before `at` (grant times never decrease).
        uint256 low = 0;
        uint256 high = windows.length;
        while (low < high) {
            uint256 middle = (low + high) / 2;
            if (windows[middle].grantedAt <= at) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        if (low == 0) return (0, 0);
        ScopeWindow memory found = windows[low - 1];
        return (found.grantedAt, found.revokedAt);
    }

    /// @inheritdoc IAttesterRegistry
    function isAnchorer(address account) external view returns (bool) {
        return _anchorers[account];
    }

    /// @inheritdoc IAttesterRegistry
    function owner() public view override(IAttesterRegistry, Ownable) returns (address) {
        return super.owner();
    }

    /// @inheritdoc IAttesterRegistry
    function version() external pure returns (string memory) {
        return "2.1.0";
    }

    /**
     * @notice Makes `account` an anchorer unless it is one already.
     * @dev Emits {AnchorerAdded} when something changed. Reverts {AttesterRegistryZeroAddress},
     * or {AttesterRegistryAdminCannotAnchor} for the admin.
     * @param account The account.
     */
    function _addAnchorer(address account) private {
        if (account == address(0)) revert AttesterRegistryZeroAddress();
        if (account == owner()) revert AttesterRegistryAdminCannotAnchor(account);
        if (_anchorers[account]) return;
        _anchorers[account] = true;
        emit AnchorerAdded(account);
    }

    /**
     * @notice Starts handing the admin role to `newOwner`, who must accept; never to an
     * anchorer. Admin only.
     * @dev Reverts {AttesterRegistryAdminCannotAnchor} for an anchorer, which could not accept.
     * @param newOwner The proposed admin.
     */
    function transferOwnership(address newOwner) public override onlyOwner {
        if (_anchorers[newOwner]) revert AttesterRegistryAdminCannotAnchor(newOwner);
        super.transferOwnership(newOwner);
    }

    /**
     * @notice Hands the admin role to `newOwner` (at deployment, on acceptance, on renouncing),
     * refusing an anchorer: the hot anchoring key must never become the admin.
     * @dev Reverts {AttesterRegistryAdminCannotAnchor} for an anchorer.
     * @param newOwner The new admin.
     */
    function _transferOwnership(address newOwner) internal override {
        if (_anchorers[newOwner]) revert AttesterRegistryAdminCannotAnchor(newOwner);
        super._transferOwnership(newOwner);
    }

    /**
     * @notice The accreditation of `key` for `role`, which must exist and not be revoked.
     * @param key The Ed25519 public key.
     * @param role The role.
     * @return current The stored record.
     */
    function _liveAccreditation(bytes32 key, uint8 role) private view returns (Accreditation storage current) {
        _requireValidRole(role);
        current = _accreditations[key][role];
        if (current.validFrom == 0) revert AttesterRegistryNotAccredited(key, role);
        if (current.revokedAt != 0) revert AttesterRegistryKeyRevoked(key, role);
    }

    /**
     * @notice Reverts {AttesterRegistryInvalidRole} unless `role` is one of the six roles.
     * @param role The role.
     */
    function _requireValidRole(uint8 role) private pure {
        if (role == 0 || role > ROLE_INVESTIGATOR) revert AttesterRegistryInvalidRole(role);
    }
}
