// Independent reference: @openzeppelin/merkle-tree's SimpleMerkleTree.
// stdin: [[leafHex, ...], ...]  stdout: [{root, proofs: [[hex, ...], ...]}, ...]
"use strict";
const fs = require("fs");
const { SimpleMerkleTree } = require("@openzeppelin/merkle-tree");

const sets = JSON.parse(fs.readFileSync(0, "utf8"));
const out = sets.map((leaves) => {
  const tree = SimpleMerkleTree.of(leaves);
  return { root: tree.root, proofs: leaves.map((_, i) => tree.getProof(i)) };
});
process.stdout.write(JSON.stringify(out));
