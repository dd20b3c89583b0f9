/**
 * The checks of the independent receipt verifier, with no Node-only dependency, so the same
 * code runs from the command line (verify-receipt.mjs) and in a browser page (the ledger's
 * /verify page loads it with an import map; it shares no code with the ledger).
 * What each check means: see verify-receipt.mjs.
 */

import {
  FetchRequest, Interface, decodeBase58, decodeBase64, getBytes, keccak256, toBeArray
} from 'ethers';
import {ed25519} from '@noble/curves/ed25519.js';
import canonicalize from 'canonicalize';

export const CHECKS = [
  'format', 'signature', 'leaf', 'proof', 'chain', 'contract', 'anchored',
  'signer_accredited', 'kind', 'anchored_at'
];

// Which AttesterRegistry roles (1 auditor, 2 issuer, 3 employer, 4 brand, 5 verifier,
// 6 investigator) may sign each record kind, the kind's number on chain, and, for a kind
// whose signer must be scoped to a facility, `scope`: the dotted payload path of its id.
// (A published table, written out here on purpose: this verifier shares no code with the
// ledger. A test checks that it equals the ledger's kind registry. --kind-table replaces it,
// e.g. with the table of a newer ledger: the table is the verifier's to choose, never the
// receipt's.)
// roles null: no registry role signs the kind, the key the record answers to does (a worker
// acknowledging their own wage line); there is no accreditation to check on chain.
export const DEFAULT_KINDS = Object.freeze({
  audit: {number: 1, roles: [1]},
  wage: {number: 2, roles: [3], scope: 'run.facility'},
  checkin: {number: 3, roles: [1, 5, 6]},
  'supply-link': {number: 4, roles: [3, 4], scope: 'buyer'},
  credential_status: {number: 5, roles: [2]},
  score: {number: 6, roles: [4]},
  credential: {number: 7, roles: [2]},
  'wage-ack': {number: 8, roles: null},
  facility: {number: 9, roles: [3, 4], scope: 'facility.id'},
  'supply-confirm': {number: 10, roles: [3], scope: 'supplier'},
  typology: {number: 11, roles: [4]},
  status_list: {number: 12, roles: [2]},
  external_conformity: {number: 13, roles: [1, 4, 6]}
});

const ANCHOR_ABI = new Interface([
  'function anchorOf(bytes32 root) view returns (tuple(uint64 anchoredAt, uint32 count, uint8 kind))',
  'function registry() view returns (address)',
  'event Anchored(bytes32 indexed root, uint64 indexed batchId, uint8 indexed kind, uint32 count)'
]);
const ANCHORED_TOPIC = ANCHOR_ABI.getEvent('Anchored').topicHash;
const REGISTRY_ABI = new Interface([
  'function accreditation(bytes32 key, uint8 role) view returns ' +
    '(tuple(uint64 validFrom, uint64 validUntil, uint64 revokedAt, bool suspended))',
  'function scopeAt(bytes32 key, uint8 role, bytes32 scope, uint64 at) view returns ' +
    '(uint64 grantedAt, uint64 revokedAt)'
]);

const RECEIPT_FIELDS = [
  'envelope', 'leaf', 'proof', 'root', 'batchId', 'kind', 'chainId', 'contract', 'txHash',
  'blockNumber', 'anchoredAt'
];
const ENVELOPE_FIELDS = ['kind', 'payload', 'signer', 'created', 'nonce', 'signature'];
const MAX_PROOF_STEPS = 64;
export const MAX_RECEIPT_BYTES = 8 * 1024 * 1024;
const MAX_DEPTH = 64;
const HEX32 = /^0x[0-9a-fA-F]{64}$/;
export const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const NONCE = /^[A-Za-z0-9_-]{22,128}$/;
const RPC_TIMEOUT_MS = 30000;
const KIND_LABEL = /^[a-z][a-z0-9_-]{0,31}$/;
const SCOPE_PATH = /^[A-Za-z][A-Za-z0-9_]{0,63}(\.[A-Za-z][A-Za-z0-9_]{0,63}){0,7}$/;
const MAX_SCOPE_ID_BYTES = 256;
export const MAX_KIND_TABLE_BYTES = 64 * 1024;

export class Failed extends Error {}

/** Collects verdicts; `fail` records one and stops the run. */
export class Run {
  constructor(kinds = DEFAULT_KINDS) { this.checks = []; this.kinds = kinds; }
  pass(check, detail) { this.checks.push({check, ok: true, detail}); }
  fail(check, detail) { this.checks.push({check, ok: false, detail}); throw new Failed(); }
  expect(check, ok, passed, failed) { if(!ok) { this.fail(check, failed); } this.pass(check, passed); }
  report() {
    const failed = this.checks.find(c => c.ok === false);
    for(const check of CHECKS.slice(this.checks.length)) {
      this.checks.push({check, ok: null,
        detail: `not run: ${failed ? `the ${failed.check} check failed` : 'not reached'}`});
    }
    const valid = this.checks.every(c => c.ok === true) &&
      this.checks.map(c => c.check).join() === CHECKS.join();
    return {valid, failedCheck: failed ? failed.check : null, checks: this.checks};
  }
}

// -- strict JSON: UTF-8, no duplicate keys (two parsers could read different values), depth --

export function strictJson(bytes) {
  const text = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}).decode(bytes);
  if(text.startsWith('\uFEFF')) { throw new Error('a byte-order mark is not allowed'); }
  let at = 0;
  const blank = () => { while(' \t\n\r'.includes(text[at]) && at < text.length) { at++; } };
  const string = () => {
    const start = at++;
    while(at < text.length && text[at] !== '"') { at += text[at] === '\\' ? 2 : 1; }
    at++;
    return JSON.parse(text.slice(start, at));
  };
  const value = depth => {
    blank();
    const open = text[at];
    if(open === '{' || open === '[') {
      if(depth > MAX_DEPTH) { throw new Error(`nested deeper than ${MAX_DEPTH} levels`); }
      at++;
      const keys = new Set();
      blank();
      if(text[at] === (open === '{' ? '}' : ']')) { at++; return; }
      for(;;) {
        if(open === '{') {
          blank();
          if(text[at] !== '"') { throw new Error(`expected a key at ${at}`); }
          const key = string();
          if(keys.has(key)) { throw new Error(`duplicate key ${JSON.stringify(key)}`); }
          keys.add(key);
          blank();
          if(text[at++] !== ':') { throw new Error(`expected ':' at ${at - 1}`); }
        }
        value(depth + 1);
        blank();
        const next = text[at++];
        if(next === ',') { continue; }
        if(next === (open === '{' ? '}' : ']')) { return; }
        throw new Error(`unexpected ${JSON.stringify(next)} at ${at - 1}`);
      }
    }
    if(open === '"') { string(); return; }
    const token = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/
      .exec(text.slice(at, at + 400));
    if(!token) { throw new Error(`unexpected input at ${at}`); }
    at += token[0].length;
  };
  value(1);
  blank();
  if(at !== text.length) { throw new Error(`trailing data at ${at}`); }
  return JSON.parse(text); // the scan above found no duplicates, so this reads the same values
}

// -- encodings ---------------------------------------------------------------------------

function base58btc(text) {
  if(!/^[1-9A-HJ-NP-Za-km-z]+$/.test(text)) { throw new Error('invalid base58btc'); }
  let zeros = 0;
  while(text[zeros] === '1') { zeros++; }
  const body = zeros === text.length ? new Uint8Array(0) : toBeArray(decodeBase58(text));
  const out = new Uint8Array(zeros + body.length);
  out.set(body, zeros);
  return out;
}

function multibase(value) {
  if(typeof value !== 'string' || value.length < 2 || !'zu'.includes(value[0])) {
    throw new Error('not a base58btc (z) or base64url (u) multibase value');
  }
  if(value[0] === 'z') { return base58btc(value.slice(1)); }
  const body = value.slice(1);
  if(!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) {
    throw new Error('invalid base64url');
  }
  // (ethers' base64, not Node's Buffer: this module runs in a browser page too)
  const standard = body.replaceAll('-', '+').replaceAll('_', '/');
  return getBytes(decodeBase64(standard + '='.repeat((4 - standard.length % 4) % 4)));
}

/** did:key:z6Mk... → the raw 32-byte Ed25519 key (multicodec ed25519-pub, 0xed 0x01). */
function didKeyToRaw(did) {
  if(typeof did !== 'string' || !did.startsWith('did:key:')) { throw new Error('not a did:key'); }
  const id = did.slice('did:key:'.length).split('#')[0];
  if(!id.startsWith('z')) { throw new Error('a did:key is base58btc (z...)'); }
  const data = multibase(id);
  if(data[0] !== 0xed || data[1] !== 0x01) { throw new Error('did:key is not ed25519-pub'); }
  if(data.length !== 34) { throw new Error(`an Ed25519 key is 32 bytes, got ${data.length - 2}`); }
  return data.slice(2);
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time as {seconds, micros} (UTC unix seconds; microseconds, as the ledger). */
function parseTime(value, field) {
  const m = typeof value === 'string' ? RFC3339.exec(value) : null;
  if(!m) { throw new Error(`${field} is not an RFC 3339 timestamp with an offset`); }
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number);
  const second = Number(m[6] || 0);
  const back = new Date(0);
  back.setUTCFullYear(year, month - 1, day); // (Date.UTC would read years 0-99 as 19xx)
  back.setUTCHours(hour, minute, second);
  const local = back.getTime();
  if(back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 ||
     back.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59 || year < 1) {
    throw new Error(`${field} is not a valid date and time`);
  }
  let offset = 0;
  if(m[8] !== 'Z') {
    const [oh, om] = m[8].slice(1).split(':').map(Number);
    if(oh > 23 || om > 59) { throw new Error(`${field} has an invalid offset`); }
    offset = (m[8][0] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const micros = Number(((m[7] || '') + '000000').slice(0, 6));
  return {seconds: local / 1000 - offset, micros};
}

// -- scopes ------------------------------------------------------------------------------

/** The registry's scope of a facility: keccak256 of the UTF-8 bytes of "facility:" ++ id. */
function facilityScope(id) {
  return keccak256(new TextEncoder().encode(`facility:${id}`));
}

/** The facility scope named at the dotted `path` of `payload`; throws saying why not. */
function scopeNamed(payload, path) {
  let value = payload;
  for(const name of path.split('.')) {
    if(value === null || typeof value !== 'object' || Array.isArray(value) ||
       !Object.hasOwn(value, name)) {
      throw new Error(`the payload names no facility at payload.${path}`);
    }
    value = value[name];
  }
  const size = typeof value === 'string' && value.isWellFormed() ?
    new TextEncoder().encode(value).length : 0;
  if(size < 1 || size > MAX_SCOPE_ID_BYTES) {
    throw new Error(`payload.${path} must be a facility id (a string of ` +
      `1-${MAX_SCOPE_ID_BYTES} bytes in UTF-8)`);
  }
  return facilityScope(value);
}

/** A kind table as --kinds prints it, checked field by field. */
export function kindTable(data) {
  const isObject = v => v !== null && typeof v === 'object' && !Array.isArray(v);
  if(!isObject(data)) { throw new Error('a kind table is a JSON object'); }
  const labels = Object.keys(data);
  if(labels.length > 255) { throw new Error('a kind table has at most 255 kinds'); }
  const table = {};
  for(const label of labels) {
    const entry = data[label];
    if(!KIND_LABEL.test(label)) { throw new Error(`kind ${JSON.stringify(label)} is not a kind label`); }
    if(!isObject(entry)) { throw new Error(`kind ${label}: an entry is a JSON object`); }
    const extra = Object.keys(entry).filter(k => !['number', 'roles', 'scope'].includes(k));
    if(extra.length) { throw new Error(`kind ${label}: unknown field ${JSON.stringify(extra[0])}`); }
    if(!Number.isInteger(entry.number) || entry.number < 1 || entry.number > 255) {
      throw new Error(`kind ${label}: number must be an integer 1-255`);
    }
    if(entry.roles !== null && (!Array.isArray(entry.roles) ||
       !entry.roles.every(r => Number.isInteger(r) && r >= 1 && r <= 6))) {
      throw new Error(`kind ${label}: roles must be a list of roles 1-6, or null`);
    }
    const scope = entry.scope ?? null;
    if(scope !== null && (typeof scope !== 'string' || !SCOPE_PATH.test(scope))) {
      throw new Error(`kind ${label}: scope must be a dotted payload path`);
    }
    table[label] = {number: entry.number,
      roles: entry.roles === null ? null : [...new Set(entry.roles)],
      ...(scope === null ? {} : {scope})};
  }
  return table;
}

const iso = seconds => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
const lower = value => String(value).toLowerCase();
const rule = (kinds, label) => typeof label === 'string' ?
  Object.hasOwn(kinds, label) ? kinds[label] : null :
  null;

// -- JSON-RPC (ethers' FetchRequest; nothing but reads) ------------------------------------

async function rpc(url, method, params) {
  const request = new FetchRequest(url);
  request.timeout = RPC_TIMEOUT_MS;
  request.setHeader('content-type', 'application/json');
  request.body = JSON.stringify({jsonrpc: '2.0', id: 1, method, params});
  let body;
  try {
    const response = await request.send();
    response.assertOk();
    body = response.bodyJson;
  } catch(error) {
    throw new Error(`${method} to ${url} failed: ${error.shortMessage || error.message}`);
  }
  if(body.error) { throw new Error(`${method}: ${body.error.message || JSON.stringify(body.error)}`); }
  return body.result;
}

async function callAll(url, to, abi, name, args) {
  const data = await rpc(url, 'eth_call', [{to, data: abi.encodeFunctionData(name, args)}, 'latest']);
  return abi.decodeFunctionResult(name, data);
}

async function call(url, to, abi, name, args) {
  return (await callAll(url, to, abi, name, args))[0];
}

// -- the checks --------------------------------------------------------------------------

function parseReceipt(run, receipt) {
  try {
    const isObject = v => v !== null && typeof v === 'object' && !Array.isArray(v);
    if(!isObject(receipt)) { throw new Error('a receipt is a JSON object'); }
    const missing = RECEIPT_FIELDS.filter(f => !Object.hasOwn(receipt, f));
    if(missing.length) { throw new Error(`missing field(s): ${missing.join(', ')}`); }
    const envelope = receipt.envelope;
    if(!isObject(envelope)) { throw new Error('an envelope is a JSON object'); }
    for(const name of ENVELOPE_FIELDS) {
      if(!Object.hasOwn(envelope, name)) { throw new Error(`envelope.${name} is required`); }
    }
    const extra = Object.keys(envelope).filter(k => !ENVELOPE_FIELDS.includes(k)).sort();
    if(extra.length) { throw new Error(`unknown envelope field ${JSON.stringify(extra[0])}`); }
    if(typeof envelope.kind !== 'string' || !rule(run.kinds, envelope.kind)) {
      throw new Error(`unknown record kind ${JSON.stringify(envelope.kind)}`);
    }
    if(!isObject(envelope.payload)) { throw new Error('payload must be a JSON object'); }
    const key = didKeyToRaw(envelope.signer);
    const created = parseTime(envelope.created, 'created');
    if(typeof envelope.nonce !== 'string' || !NONCE.test(envelope.nonce)) {
      throw new Error('nonce must be 22-128 characters of base64url or hex');
    }
    const signature = multibase(envelope.signature);
    if(signature.length !== 64) { throw new Error('signature must be 64 bytes'); }
    for(const name of ['leaf', 'root']) {
      if(typeof receipt[name] !== 'string' || !HEX32.test(receipt[name])) {
        throw new Error(`${name} must be a 0x-prefixed 32-byte hex string`);
      }
    }
    if(!Array.isArray(receipt.proof)) { throw new Error('proof must be a list'); }
    if(receipt.proof.length > MAX_PROOF_STEPS) {
      throw new Error(`proof has ${receipt.proof.length} steps, at most ${MAX_PROOF_STEPS} allowed`);
    }
    if(!receipt.proof.every(p => typeof p === 'string' && HEX32.test(p))) {
      throw new Error('proof element must be a 0x-prefixed 32-byte hex string');
    }
    if(!Number.isSafeInteger(receipt.chainId) || receipt.chainId <= 0) {
      throw new Error('chainId must be a positive integer below 2**53');
    }
    if(typeof receipt.contract !== 'string' || !ADDRESS.test(receipt.contract)) {
      throw new Error('contract must be a 0x-prefixed 20-byte hex address');
    }
    if(typeof receipt.txHash !== 'string' || !HEX32.test(receipt.txHash)) {
      throw new Error('txHash must be a 0x-prefixed 32-byte hex string');
    }
    if(!Number.isSafeInteger(receipt.blockNumber) || receipt.blockNumber < 0) {
      throw new Error('blockNumber must be a non-negative integer below 2**53');
    }
    const anchoredAt = parseTime(receipt.anchoredAt, 'anchoredAt');
    run.pass('format', 'all fields present and well formed');
    return {envelope, key, created, signature, anchoredAt};
  } catch(error) {
    if(error instanceof Failed) { throw error; }
    run.fail('format', error.message);
  }
}

function accreditationProblem(held, created, anchoredAt) {
  const [validFrom, validUntil, revokedAt] = [held[0], held[1], held[2]].map(Number);
  const createdAt = iso(created.seconds);
  // Chain times are whole seconds, so comparing whole seconds of `created` is exact.
  if(validFrom === 0) { return 'never accredited'; }
  if(created.seconds < validFrom) {
    return `created ${createdAt}, before the window opens at ${iso(validFrom)}`;
  }
  if(validUntil !== 0 && created.seconds >= validUntil) {
    return `created ${createdAt}, after the window closed at ${iso(validUntil)}`;
  }
  if(held[3]) { return 'suspended'; }
  if(revokedAt !== 0 && anchoredAt >= revokedAt) {
    return `revoked at ${iso(revokedAt)}, not after the anchoring at ${iso(anchoredAt)}`;
  }
  return null;
}

/** Why the window scopeAt(created) found does not cover the record; null when it does. */
function scopeProblem(grant, scope, created, anchoredAt) {
  const [grantedAt, revokedAt] = [Number(grant[0]), Number(grant[1])];
  const name = `scope ${scope}`;
  const micros = created.micros ? `.${String(created.micros).padStart(6, '0')}` : '';
  const createdAt = iso(created.seconds).replace('Z', `${micros}Z`);
  // Chain times are whole seconds: created >= revokedAt exactly when its whole second is.
  if(grantedAt === 0) { return `${name} not granted at or before created ${createdAt}`; }
  if(revokedAt !== 0 && created.seconds >= revokedAt) {
    return `${name} revoked at ${iso(revokedAt)}, not after created ${createdAt}`;
  }
  if(revokedAt !== 0 && anchoredAt >= revokedAt) {
    return `${name} revoked at ${iso(revokedAt)}, not after the anchoring at ${iso(anchoredAt)}`;
  }
  return null;
}

// signer_accredited: for a role allowed to sign the kind, the pinned anchor's registry holds
// an accreditation (and, for a scoped kind, the scope) that covers the record.
async function checkSigner(run, url, pinned, envelope, kind, key, created, onChainTime) {
  if(!kind || kind.roles.length === 0) {
    run.fail('signer_accredited', `no registry role may sign ${JSON.stringify(envelope.kind)} records`);
  }
  let scope = null;
  if(kind.scope) {
    try { scope = scopeNamed(envelope.payload, kind.scope); } catch(error) {
      run.fail('signer_accredited', `${envelope.kind} records are scoped: ${error.message}`);
    }
  }
  let registry;
  try { registry = await call(url, pinned.contract, ANCHOR_ABI, 'registry', []); } catch(error) {
    run.fail('signer_accredited', `could not read the registry of ${pinned.contract}: ${error.message}`);
  }
  const problems = [];
  let accredited = null;
  for(const role of [...kind.roles].sort((a, b) => a - b)) {
    let held;
    try { held = await call(url, registry, REGISTRY_ABI, 'accreditation', [key, role]); } catch(error) {
      run.fail('signer_accredited', `could not ask registry ${registry}: ${error.message}`);
    }
    let problem = accreditationProblem(held, created, onChainTime);
    if(problem === null && scope !== null) {
      // scopeAt is asked for whole seconds (before 1970 nothing was ever granted).
      const at = BigInt(Math.max(0, created.seconds));
      let grant;
      try { grant = await callAll(url, registry, REGISTRY_ABI, 'scopeAt', [key, role, scope, at]); } catch(error) {
        run.fail('signer_accredited', `could not ask registry ${registry}: ${error.message}`);
      }
      problem = scopeProblem(grant, scope, created, onChainTime);
    }
    if(problem === null) { accredited = role; break; }
    problems.push(`role ${role}: ${problem}`);
  }
  const scoped = scope === null ? '' : `; holds scope ${scope}`;
  run.expect('signer_accredited', accredited !== null,
    `role ${accredited} in registry ${registry}; not suspended, not revoked before anchoring${scoped}`,
    `${envelope.signer} in registry ${registry}: ${problems.join('; ')}`);
}

async function checks(run, receipt, url, pinned) {
  const {envelope, key, created, signature, anchoredAt} = parseReceipt(run, receipt);

  const {signature: _, ...unsigned} = envelope;
  const signed = new TextEncoder().encode(canonicalize(unsigned));
  let good = false;
  try { good = ed25519.verify(signature, signed, key, {zip215: false}); } catch { good = false; }
  run.expect('signature', good, `signed by ${envelope.signer}`,
    `signature does not verify for ${envelope.signer}`);

  const leaf = keccak256(keccak256(new TextEncoder().encode(canonicalize(envelope))));
  run.expect('leaf', leaf === lower(receipt.leaf), 'leaf recomputed from the envelope',
    `envelope hashes to ${leaf}, receipt says ${receipt.leaf}`);
  let node = leaf;
  for(const step of receipt.proof.map(lower)) {
    node = keccak256(node < step ? node + step.slice(2) : step + node.slice(2));
  }
  run.expect('proof', node === lower(receipt.root), `${receipt.proof.length}-step proof leads to the root`,
    `proof leads to ${node}, not the receipt's root`);

  let served;
  try { served = Number(BigInt(await rpc(url, 'eth_chainId', []))); } catch(error) {
    run.fail('chain', `could not read the RPC's chain id: ${error.message}`);
  }
  const expected = pinned.chainId ?? served;
  if(served !== expected) {
    run.fail('chain', `the RPC serves chain ${served}, the pinned deployment is on ${expected}`);
  }
  if(receipt.chainId !== expected) {
    run.fail('chain', `receipt is for chain ${receipt.chainId}, the pinned chain is ${expected}`);
  }
  if(pinned.genesisHash) {
    let genesis;
    try { genesis = (await rpc(url, 'eth_getBlockByNumber', ['0x0', false])).hash; } catch(error) {
      run.fail('chain', `could not read the RPC's genesis block: ${error.message}`);
    }
    run.expect('chain', lower(genesis) === lower(pinned.genesisHash), `chain ${served}, genesis ${genesis}`,
      `the RPC's genesis block is ${genesis}, the pinned deployment's is ${pinned.genesisHash}`);
  } else {
    run.pass('chain', `chain ${served}`);
  }

  run.expect('contract', lower(receipt.contract) === lower(pinned.contract),
    `the pinned ProvenanceAnchor ${pinned.contract} (${pinned.source})`,
    `receipt names ProvenanceAnchor ${receipt.contract}, the pinned one is ${pinned.contract}`);

  let anchor;
  try { anchor = await call(url, pinned.contract, ANCHOR_ABI, 'anchorOf', [receipt.root]); } catch(error) {
    run.fail('anchored', `could not ask ${pinned.contract}: ${error.message}`);
  }
  const onChainTime = Number(anchor[0]);
  if(onChainTime === 0) { run.fail('anchored', `root ${receipt.root} is not anchored at ${pinned.contract}`); }
  // The receipt's transaction must be mined in its block, as the chain is now: after a reorg
  // the root may be anchored again, elsewhere, and this receipt names a block that is gone.
  let mined;
  try { mined = await rpc(url, 'eth_getTransactionReceipt', [receipt.txHash]); } catch(error) {
    run.fail('anchored', `could not read transaction ${receipt.txHash}: ${error.message}`);
  }
  const emitted = mined && mined.blockNumber && BigInt(mined.status) === 1n &&
    mined.logs.some(log => lower(log.address) === lower(pinned.contract) &&
      log.topics[0] === ANCHORED_TOPIC && lower(log.topics[1]) === lower(receipt.root));
  const minedIn = emitted ? Number(BigInt(mined.blockNumber)) : null;
  if(minedIn !== receipt.blockNumber) {
    const where = minedIn === null ? 'is not mined on this chain' : `is in block ${minedIn}`;
    run.fail('anchored', `transaction ${receipt.txHash} ${where} with the root's Anchored event, ` +
      `the receipt says block ${receipt.blockNumber}: a reorg moved the anchor (or the receipt ` +
      'names another transaction); fetch the receipt again');
  }
  run.pass('anchored', `anchored at ${iso(onChainTime)} in a batch of ${anchor[1]}, ` +
    `by ${receipt.txHash} in block ${receipt.blockNumber}`);

  const kind = rule(run.kinds, envelope.kind);
  if(kind && kind.roles === null) {
    run.pass('signer_accredited', `${envelope.kind} records are signed by the key they answer to ` +
      '(no registry role): nothing to check on chain; that the signer is the key the record ' +
      'it answers names (a wage line\'s worker) is checked against that record');
  } else {
    await checkSigner(run, url, pinned, envelope, kind, key, created, onChainTime);
  }

  const receiptKind = rule(run.kinds, receipt.kind);
  const numbers = [Number(anchor[2]), kind.number, receiptKind ? receiptKind.number : -1];
  run.expect('kind', numbers[0] === numbers[1] && numbers[1] === numbers[2],
    `batch of ${envelope.kind} records`,
    `on-chain kind ${numbers[0]}, envelope kind ${envelope.kind} (${numbers[1]}), ` +
    `receipt kind ${receipt.kind} (${numbers[2]})`);
  run.expect('anchored_at', anchoredAt.seconds === onChainTime && anchoredAt.micros === 0,
    'anchoring time matches the chain',
    `receipt says ${receipt.anchoredAt}, chain says ${iso(onChainTime)}`);
}

// -- the one entry point ------------------------------------------------------------------

/**
 * Check `receipt` (parsed JSON, or null when it was not strict JSON: pass `unreadable`, the
 * reason) against the deployment the caller pinned (`{contract, chainId, genesisHash,
 * source}`; never the receipt's) over the JSON-RPC endpoint `rpc`, with the kind table
 * `kinds`. Resolves to {valid, failedCheck, checks: [{check, ok, detail}]}.
 */
export async function verifyReceipt(receipt, {rpc, pinned, kinds = DEFAULT_KINDS, unreadable = null}) {
  const run = new Run(kinds);
  try {
    if(unreadable !== null) { run.fail('format', `malformed JSON: ${unreadable}`); }
    await checks(run, receipt, rpc, pinned);
  } catch(error) {
    if(!(error instanceof Failed)) { throw error; }
  }
  return run.report();
}
