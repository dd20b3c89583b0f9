#!/usr/bin/env node
/*
 * Independent verification of our credentials with Digital Bazaar's maintained W3C libraries
 * (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022 and eddsa-jcs-2022 cryptosuites,
 * ed25519-multikey, did-method-key; jsonld-signatures). Nothing here shares code with the
 * Python implementation: only the bundled context files (credentials/contexts) are read.
 *
 * Usage: node tools/independent-verifier/verify.mjs [options] [FILE|-]
 *   --mode credential|proof  credential (default): the full VC 2.0 checks of @digitalbazaar/vc
 *                            (issuer must control the key, validity period); proof: only the
 *                            Data Integrity proof (jsonld-signatures), for non-VC documents and
 *                            for vectors whose issuer is not the signing key.
 *   --purpose assertionMethod|authentication   expected proof purpose (default assertionMethod)
 *   --challenge C --domain D                   required with --purpose authentication
 *   --now ISO                                  the time validity is checked against
 *   --rpc URL     check an OnChainCredentialStatus entry on chain (eth_chainId + one eth_call
 *                 to CredentialStatus.statusOf); without it the status is reported as not
 *                 checked and does not decide the verdict (a status needs the network).
 *   --status-list FILE   a BitstringStatusListCredential (as its URL serves it; repeatable):
 *                 BitstringStatusListEntry entries are checked by Digital Bazaar's
 *                 @digitalbazaar/vc-bitstring-status-list (checkStatus: it loads the list
 *                 by its URL from these files, verifies its proof and that its issuer is
 *                 the credential's, and reads the bit); a set bit fails the verdict.
 *                 Without it those entries are reported as not checked.
 * Input: one JSON document, or a JSON array of documents (one verdict each).
 * Output: a JSON verdict (or an array of them) on stdout. Exit 0 only if all verified, 1 if
 * any did not, 2 on a usage or input error. No network: unknown contexts are an error.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import * as DidKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite as eddsaJcs2022} from
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import {checkStatus as checkBitstringStatus} from
  '@digitalbazaar/vc-bitstring-status-list';

const here = path.dirname(fileURLToPath(import.meta.url));
const contextsDir = path.resolve(here, '..', '..', 'credentials', 'contexts');

function loadBundledContexts() {
  const manifest = JSON.parse(
    readFileSync(path.join(contextsDir, 'manifest.json'), 'utf8'));
  const contexts = new Map();
  for(const [url, entry] of Object.entries(manifest.contexts)) {
    const bytes = readFileSync(path.join(contextsDir, entry.file));
    const digest = createHash('sha256').update(bytes).digest('hex');
    if(digest !== entry.sha256) {
      throw new Error(`${entry.file} does not match its sha256 in manifest.json`);
    }
    contexts.set(url, JSON.parse(bytes.toString('utf8')));
  }
  return contexts;
}

const contexts = loadBundledContexts();
const didKeyDriver = DidKey.driver();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

// Status list credentials given with --status-list, by their id (the URL they are served at).
const statusLists = new Map();

async function documentLoader(url) {
  if(statusLists.has(url)) {
    return {contextUrl: null, documentUrl: url, document: structuredClone(statusLists.get(url))};
  }
  if(contexts.has(url)) {
    return {
      contextUrl: null,
      documentUrl: url,
      document: structuredClone(contexts.get(url))
    };
  }
  if(url.startsWith('did:key:')) {
    const document = await didKeyDriver.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(
    `"${url}" is not bundled in credentials/contexts/manifest.json and is not a ` +
    'did:key; this verifier never fetches from the network');
}

function suites() {
  return [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    new DataIntegrityProof({cryptosuite: eddsaJcs2022()})
  ];
}

function purposeFor({purpose, challenge, domain, date}) {
  const {AssertionProofPurpose, AuthenticationProofPurpose} = jsigs.purposes;
  if(purpose === 'authentication') {
    return new AuthenticationProofPurpose({challenge, domain, date});
  }
  if(purpose === 'assertionMethod') {
    return new AssertionProofPurpose({date});
  }
  throw new Error(`unsupported purpose "${purpose}"`);
}

function describe(error) {
  if(!error) {
    return [];
  }
  const nested = [
    ...(Array.isArray(error.errors) ? error.errors : []),
    ...(error.cause ? [error.cause] : []),
    ...(error.details?.cause ? [error.details.cause] : [])
  ];
  const own = {name: error.name, message: error.message};
  if(error.details?.event) {
    own.event = {
      code: error.details.event.code,
      message: error.details.event.message
    };
  }
  return [own, ...nested.flatMap(describe)];
}

// keccak256("statusOf(bytes32)")[:4]; tests/credentials check it against the contract ABI.
const STATUS_OF_SELECTOR = '0xc7df14e2';
const STATUS_NAMES = ['active', 'suspended', 'revoked'];

async function rpcCall(url, method, params) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({jsonrpc: '2.0', id: 1, method, params})
  });
  const body = await response.json();
  if(body.error) {
    throw new Error(`${method}: ${body.error.message}`);
  }
  return body.result;
}

// Reads our credentials' on-chain status independently of the Python code: the entry is
// CredentialStatus.statusOf(statusId) -> (uint8 status, uint64 updatedAt, bytes32 issuerKey).
async function checkStatus(entry, rpc) {
  if(!entry || entry.type !== 'OnChainCredentialStatus') {
    return {status: 'unknown type',
      result: {verified: false, error: new Error(`unsupported credentialStatus ${entry?.type}`)}};
  }
  const statusId = String(entry.id).replace('urn:lpl:credential-status:', '');
  if(!/^0x[0-9a-f]{64}$/.test(statusId)) {
    return {status: 'malformed', result: {verified: false, error: new Error('bad status id')}};
  }
  if(!rpc) {
    return {status: 'not checked (pass --rpc URL to read it on chain)', result: {verified: true}};
  }
  const chainId = Number(BigInt(await rpcCall(rpc, 'eth_chainId', [])));
  if(chainId !== Number(entry.statusChainId)) {
    return {status: `chain ${chainId}, not ${entry.statusChainId}`,
      result: {verified: false, error: new Error('status is on another chain')}};
  }
  const data = await rpcCall(rpc, 'eth_call',
    [{to: entry.statusContract, data: STATUS_OF_SELECTOR + statusId.slice(2)}, 'latest']);
  const code = Number(BigInt('0x' + data.slice(2, 66)));
  const status = STATUS_NAMES[code] ?? `unknown (${code})`;
  return code === 0 ? {status, result: {verified: true}} :
    {status, result: {verified: false, error: new Error(`credential is ${status}`)}};
}

// A credential's BitstringStatusListEntry entries, by Digital Bazaar's library alone.
async function checkListStatus(credential, options) {
  const entries = [credential.credentialStatus].flat();
  if(!entries.some(entry => entry?.type === 'BitstringStatusListEntry')) {
    return null;
  }
  if(!options['status-list']) {
    return {status: 'not checked (pass --status-list FILE)', result: {verified: true}};
  }
  const checked = await checkBitstringStatus({
    credential, documentLoader, suite: suites(), verifyMatchingIssuers: true
  });
  if(!checked.verified) {
    return {status: 'not verified', result: {verified: false, error: checked.error}};
  }
  const set = checked.results.filter(r => r.status === true);
  if(set.length > 0) {
    const purposes = set.map(r => r.credentialStatus.statusPurpose).join(', ');
    const status = purposes === 'revocation' ? 'revoked' : `bit set (${purposes})`;
    return {status, result: {verified: false, error: new Error(`credential is ${status}`)}};
  }
  return {status: 'active', result: {verified: true}};
}

async function checkAllStatus(credential, options, verdict) {
  const entries = [credential.credentialStatus].flat();
  const onChain = entries.filter(entry => entry?.type !== 'BitstringStatusListEntry');
  const outcomes = [];
  if(onChain.length !== 1 && entries.length > 1) {
    outcomes.push({status: 'malformed', result: {verified: false,
      error: new Error('expected one OnChainCredentialStatus beside the status list entry')}});
  } else {
    const outcome = await checkStatus(onChain[0], options.rpc);
    verdict.status = outcome.status;
    outcomes.push(outcome);
  }
  const list = await checkListStatus(credential, options);
  if(list) {
    verdict.statusList = list.status;
    outcomes.push(list);
  }
  const failed = outcomes.find(o => !o.result.verified);
  return failed ? failed.result : {verified: true};
}

async function verifyOne(document, options) {
  const proof = Array.isArray(document?.proof) ? document.proof[0] : document?.proof;
  const verdict = {
    verified: false,
    mode: options.mode,
    cryptosuite: proof?.cryptosuite ?? null,
    verificationMethod: proof?.verificationMethod ?? null,
    errors: []
  };
  const now = options.now ? new Date(options.now) : new Date();
  let result;
  if(options.mode === 'credential') {
    result = await vc.verifyCredential({
      credential: document,
      suite: suites(),
      documentLoader,
      now,
      checkStatus: async ({credential}) => checkAllStatus(credential, options, verdict)
    });
  } else {
    result = await jsigs.verify(document, {
      suite: suites(),
      purpose: purposeFor({...options, date: now}),
      documentLoader
    });
  }
  verdict.verified = result.verified === true;
  const errors = [
    result.error,
    ...(result.results ?? []).map(r => r.error),
    result.statusResult?.error
  ].filter(Boolean);
  const seen = new Set();
  for(const error of errors.flatMap(describe)) {
    const key = `${error.name}: ${error.message}`;
    if(!seen.has(key)) {
      seen.add(key);
      verdict.errors.push(error);
    }
  }
  return verdict;
}

async function main() {
  const {values, positionals} = parseArgs({
    allowPositionals: true,
    options: {
      mode: {type: 'string', default: 'credential'},
      purpose: {type: 'string', default: 'assertionMethod'},
      challenge: {type: 'string'},
      domain: {type: 'string'},
      now: {type: 'string'},
      rpc: {type: 'string'},
      'status-list': {type: 'string', multiple: true}
    }
  });
  for(const file of values['status-list'] ?? []) {
    const list = JSON.parse(readFileSync(file, 'utf8'));
    statusLists.set(list.id, list);
  }
  if(!['credential', 'proof'].includes(values.mode) || positionals.length > 1) {
    throw new Error('usage: verify.mjs [--mode credential|proof] [options] [FILE|-]');
  }
  const source = positionals[0] && positionals[0] !== '-' ? positionals[0] : 0;
  const input = JSON.parse(readFileSync(source, 'utf8'));
  const documents = Array.isArray(input) ? input : [input];
  const verdicts = [];
  for(const document of documents) {
    verdicts.push(await verifyOne(document, values));
  }
  process.stdout.write(
    JSON.stringify(Array.isArray(input) ? verdicts : verdicts[0], null, 2) + '\n');
  return verdicts.every(v => v.verified) ? 0 : 1;
}

main().then(code => {
  process.exitCode = code;
}, error => {
  process.stdout.write(JSON.stringify({
    verified: false,
    errors: [{name: error.name, message: error.message}]
  }, null, 2) + '\n');
  process.exitCode = 2;
});
