// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAttesterRegistry} from "./IAttesterRegistry.sol";

/**
 * @title IProvenanceAnchor
 * @author labour-provenance-ledger
 * @notice Timestamps batches of signed records: an anchorer stores the Merkle root of a batch,
 * and anyone can check a record's inclusion proof against it. Only hashes reach the chain.
 * @dev Trees follow OpenZeppelin's `MerkleProof` convention (sorted-pair keccak256). Leaves
 * must not be 64 bytes long before hashing (see the WARNING in `MerkleProof`); the ledger's leaf
 * is the keccak256 of a canonical JSON envelope, and verifiers recompute it from the record.
 */
interface IProvenanceAnchor {
    /**
     * @notice What the chain keeps about an anchored root; fits in one storage slot.
     */
    struct Anchor {
        // Block time at which the root was anchored; 0 for an unknown root.
        uint64 anchoredAt;
        // Number of records (leaves) in the batch.
        uint32 count;
        // Kind of records in the batch (audit, wage record, check-in, ...), set by the ledger.
        uint8 kind;
    }

    /// @notice The caller is not an anchorer in the registry.
    /// @param caller The rejected caller.
    error ProvenanceAnchorNotAnchorer(address caller);

    /// @notice The zero root cannot be anchored.
    error ProvenanceAnchorZeroRoot();

    /// @notice A batch must hold at least one record.
    error ProvenanceAnchorEmptyBatch();

    /// @notice The root was anchored before.
    /// @param root The rejected root.
    error ProvenanceAnchorRootExists(bytes32 root);

    /// @notice Batch ids must strictly increase; this also rejects duplicate and replayed ids.
    /// @param batchId The rejected batch id.
    /// @param lastBatchId The latest batch id anchored.
    error ProvenanceAnchorBatchIdNotIncreasing(uint64 batchId, uint64 lastBatchId);

    /// @notice A batch root was anchored.
    /// @param root The Merkle root.
    /// @param batchId The ledger's batch id.
    /// @param kind Kind of records in the batch.
    /// @param count Number of records in the batch.
    event Anchored(bytes32 indexed root, uint64 indexed batchId, uint8 indexed kind, uint32 count);

    /**
     * @notice Anchors the Merkle `root` of batch `batchId`, which holds `count` records of
     * `kind`, at the current block time. Anchorers only.
     * @dev Emits {Anchored}. Reverts {ProvenanceAnchorNotAnchorer}, {ProvenanceAnchorZeroRoot},
     * {ProvenanceAnchorEmptyBatch}, {ProvenanceAnchorRootExists} or
     * {ProvenanceAnchorBatchIdNotIncreasing}.
     * @param root The Merkle root; nonzero and never anchored before.
     * @param count Number of records in the batch; nonzero.
     * @param kind Kind of records in the batch.
     * @param batchId The ledger's batch id; greater than {lastBatchId}.
     */
    function anchor(bytes32 root, uint32 count, uint8 kind, uint64 batchId) external;

    /**
     * @notice What the chain keeps about `root`; all zero if it was never anchored.
     * @param root The Merkle root.
     * @return The anchor record.
     */
    function anchorOf(bytes32 root) external view returns (Anchor memory);

    /**
     * @notice The latest batch id anchored; 0 before the first anchor.
     * @return The batch id.
     */
    function lastBatchId() external view returns (uint64);

    /**
     * @notice Whether `root` is anchored and `proof` proves that `leaf` is in its tree.
     * @dev Recompute `leaf` from the record; never trust a leaf handed over with the proof.
     * @param leaf The leaf: keccak256 of the record.
     * @param proof Sibling hashes from the leaf up to the root (sorted-pair keccak256).
     * @param root The Merkle root.
     * @return True if the root is anchored and the proof holds.
     */
    function verify(bytes32 leaf, bytes32[] calldata proof, bytes32 root) external view returns (bool);

    /**
     * @notice The registry that says who may anchor.
     * @return The registry.
     */
    function registry() external view returns (IAttesterRegistry);

    /// @notice The semantic version of this contract.
    /// @return The version, e.g. "1.0.0".
    function version() external view returns (string memory);
}
