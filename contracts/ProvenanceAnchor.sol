// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAttesterRegistry} from "./interfaces/IAttesterRegistry.sol";
import {IProvenanceAnchor} from "./interfaces/IProvenanceAnchor.sol";

/**
 * @title ProvenanceAnchor
 * @author labour-provenance-ledger
 * @notice Stores the Merkle roots of record batches with their time, count and kind, and
 * verifies inclusion proofs against them.
 * @dev Anchoring is check, store, emit: one new slot per root plus an update of the batch-id
 * slot, so a batch costs the same whatever its size.
 */
contract ProvenanceAnchor is IProvenanceAnchor {
    IAttesterRegistry private immutable _registry;

    mapping(bytes32 root => Anchor) private _anchors;

    /// @dev The latest batch id anchored; shares its slot with `_batchSlotInUse`.
    uint64 private _lastBatchId;

    /// @dev Set by the constructor and never cleared, so the slot of `_lastBatchId` is never zero
    /// and the first anchor pays for an update (2,900 gas) instead of a new slot (20,000 gas), as
    /// OpenZeppelin's ReentrancyGuard does with its nonzero states.
    bool private _batchSlotInUse;

    /**
     * @notice Deploys the anchor, taking its anchorers from `registry_`.
     * @param registry_ The registry; fixed for the life of the contract.
     */
    constructor(IAttesterRegistry registry_) {
        _registry = registry_;
        _batchSlotInUse = true;
    }

    /// @inheritdoc IProvenanceAnchor
    function anchor(bytes32 root, uint32 count, uint8 kind, uint64 batchId) external {
        if (!_registry.isAnchorer(msg.sender)) revert ProvenanceAnchorNotAnchorer(msg.sender);
        if (root == bytes32(0)) revert ProvenanceAnchorZeroRoot();
        if (count == 0) revert ProvenanceAnchorEmptyBatch();
        Anchor storage stored = _anchors[root];
        if (stored.anchoredAt != 0) revert ProvenanceAnchorRootExists(root);
        uint64 lastBatchId_ = _lastBatchId;
        if (batchId <= lastBatchId_) revert ProvenanceAnchorBatchIdNotIncreasing(batchId, lastBatchId_);

        _anchors[root] = Anchor({anchoredAt: uint64(block.timestamp), count: count, kind: kind});
        _lastBatchId = batchId;
        emit Anchored(root, batchId, kind, count);
    }

    /// @inheritdoc IProvenanceAnchor
    function anchorOf(bytes32 root) external view returns (Anchor memory) {
        return _anchors[root];
    }

    /// @inheritdoc IProvenanceAnchor
    function lastBatchId() external view returns (uint64) {
        return _lastBatchId;
    }

    /// @inheritdoc IProvenanceAnchor
    function verify(bytes32 leaf, bytes32[] calldata proof, bytes32 root) external view returns (bool) {
        return _anchors[root].anchoredAt != 0 && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @inheritdoc IProvenanceAnchor
    function registry() external view returns (IAttesterRegistry) {
        return _registry;
    }

    /// @inheritdoc IProvenanceAnchor
    function version() external pure returns (string memory) {
        return "1.0.0";
    }
}
