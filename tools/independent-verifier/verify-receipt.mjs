#!/usr/bin/env node
/**
 * An independent verifier of ledger receipts: it shares no code with the ledger.
 *
 *   node verify-receipt.mjs RECEIPT.json --rpc URL --contract ADDR [--json]
 *   node verify-receipt.mjs RECEIPT.json --rpc URL --deployment deployment.json [--json]
 *   node verify-receipt.mjs --kinds          (print the built-in kind table, receipt-checks.mjs, as JSON)
 *   ... --kind-table KINDS.json              (use this kind table instead of the built-in one)
 *
 * It uses only ethers 6 (JSON-RPC, ABI encoding, keccak256, base58), @noble/curves (Ed25519)
 * and canonicalize (RFC 8785), with its own ABI fragments and its own table of which
 * registry roles may sign which kind. It runs the checks of `ledger verify`, with the same
 * names in the same order, stopping at the first failure:
 *
 *   format            every field present and well formed (at most 64 proof steps)
 *   signature         Ed25519 over JCS(envelope without signature), key from the did:key
 *   leaf              keccak256(keccak256(JCS(envelope))) equals the receipt's leaf
 *   proof             the proof folds (sorted-pair keccak256, OpenZeppelin MerkleProof)
 *                     from that leaf to the receipt's root
 *   chain             the RPC serves the pinned chain (and genesis block, with --deployment)
 *                     and the receipt is for it
 *   contract          the receipt names the pinned ProvenanceAnchor
 *   anchored          ProvenanceAnchor.anchorOf(root) of the pinned anchor is set, and txHash
 *                     is mined in blockNumber (as the chain is now) with the pinned anchor's
 *                     Anchored event for the root: a receipt from before a reorg fails here
 *   signer_accredited through ProvenanceAnchor.registry() of the pinned anchor,
 *                     AttesterRegistry.accreditation(key, role), for some role allowed to
 *                     sign the envelope's kind: validFrom <= created < validUntil (or no
 *                     end), not suspended, and revokedAt == 0 or anchoredAt < revokedAt;
 *                     for a scoped kind (its table entry names `scope`, the payload path of
 *                     a facility id), that role must also hold the facility's scope,
 *                     keccak256("facility:" ++ id): AttesterRegistry.scopeAt(key, role,
 *                     scope, created) granted (at or before created) and, if revoked,
 *                     revoked after created and after anchoredAt
 *   kind              on-chain batch kind == envelope kind == receipt kind
 *   anchored_at       the receipt's anchoredAt is the anchor's block time
 *
 * The contract address in the receipt is never trusted: the deployment is pinned by the
 * caller. The checks live in receipt-checks.mjs (no Node-only code: a browser page runs
 * them too); this file is the command line. Exit 0 when every check holds, 1 when one fails, 2 for bad usage. --json prints
 * {"valid", "failedCheck", "checks": [{"check", "ok", "detail"}]} (ok null: not run).
 */

import {readFileSync, statSync} from 'node:fs';
import {parseArgs} from 'node:util';

import {
  ADDRESS, DEFAULT_KINDS, MAX_KIND_TABLE_BYTES, MAX_RECEIPT_BYTES, kindTable, strictJson,
  verifyReceipt
} from './receipt-checks.mjs';

// -- command line ------------------------------------------------------------------------

function usage(message) {
  process.stderr.write(`error: ${message}\n` +
    'usage: verify-receipt.mjs RECEIPT.json --rpc URL (--contract ADDR | --deployment FILE) ' +
    '[--kind-table KINDS.json] [--json]\n');
  process.exit(2);
}

function pinnedFrom(options) {
  if(options.contract && options.deployment) { usage('pass --contract or --deployment, not both'); }
  if(options.contract) {
    if(!ADDRESS.test(options.contract)) { usage('--contract must be a 0x-prefixed 20-byte address'); }
    return {contract: options.contract, chainId: null, genesisHash: null, source: '--contract'};
  }
  if(!options.deployment) { usage('pin the deployment: --contract ADDR or --deployment FILE'); }
  let deployment;
  try { deployment = strictJson(readFileSync(options.deployment)); } catch(error) {
    usage(`${options.deployment}: ${error.message}`);
  }
  const address = deployment?.contracts?.ProvenanceAnchor?.address;
  if(typeof address !== 'string' || !ADDRESS.test(address) || !Number.isSafeInteger(deployment.chainId)) {
    usage(`${options.deployment} does not name chainId and contracts.ProvenanceAnchor.address`);
  }
  return {contract: address, chainId: deployment.chainId,
    genesisHash: typeof deployment.genesisHash === 'string' && deployment.genesisHash ? deployment.genesisHash : null,
    source: `deployment ${options.deployment}`};
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({allowPositionals: true, options: {
      rpc: {type: 'string'}, contract: {type: 'string'}, deployment: {type: 'string'},
      json: {type: 'boolean', default: false}, kinds: {type: 'boolean', default: false},
      'kind-table': {type: 'string'}
    }});
  } catch(error) { usage(error.message); }
  const {values: options, positionals} = parsed;
  let kinds = DEFAULT_KINDS;
  if(options['kind-table']) {
    try {
      if(statSync(options['kind-table']).size > MAX_KIND_TABLE_BYTES) {
        throw new Error(`larger than ${MAX_KIND_TABLE_BYTES} bytes`);
      }
      kinds = kindTable(strictJson(readFileSync(options['kind-table'])));
    } catch(error) { usage(`--kind-table ${options['kind-table']}: ${error.message}`); }
  }
  if(options.kinds) { process.stdout.write(JSON.stringify(kinds, null, 2) + '\n'); return 0; }
  if(positionals.length !== 1) { usage('give exactly one RECEIPT.json'); }
  if(!options.rpc) { usage('--rpc URL is required'); }
  const pinned = pinnedFrom(options);

  let receipt = null, unreadable = null;
  try {
    if(statSync(positionals[0]).size > MAX_RECEIPT_BYTES) {
      throw new Error(`the receipt is larger than ${MAX_RECEIPT_BYTES} bytes`);
    }
    receipt = strictJson(readFileSync(positionals[0]));
  } catch(error) {
    if(error.code === 'ENOENT' || error.code === 'EISDIR') { usage(error.message); }
    unreadable = error.message;
  }
  const report = await verifyReceipt(receipt, {rpc: options.rpc, pinned, kinds, unreadable});
  if(options.json) {
    process.stdout.write(JSON.stringify({...report, rpc: options.rpc, pinned}, null, 2) + '\n');
  } else {
    for(const c of report.checks) {
      const mark = c.ok === true ? 'ok  ' : c.ok === false ? 'FAIL' : 'skip';
      process.stdout.write(`${mark} ${c.check.padEnd(17)} ${c.detail}\n`);
    }
    process.stdout.write(report.valid ? 'receipt valid\n' :
      `receipt INVALID: ${report.failedCheck ?? 'incomplete'} check failed\n`);
  }
  return report.valid ? 0 : 1;
}

main().then(code => { process.exitCode = code; }, error => {
  process.stderr.write(`error: ${error.stack || error}\n`);
  process.exitCode = 2;
});
