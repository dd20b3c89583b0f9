/**
 * W3C Data Integrity in the browser, as credentials/dataintegrity.py does it:
 *
 *   rdfc(document, formats)        RDFC-1.0 N-Quads, contexts only from `formats` (never fetched)
 *   verifyProofs(document, formats) every proof on a secured document checked on its own
 *                                   (eddsa-rdfc-2022, eddsa-jcs-2022), each as
 *                                   {check, ok, detail}; the signer is the did:key its
 *                                   verificationMethod names, and it must be the issuer
 *
 * `formats` is what GET /wallet/formats.json serves: the bundled JSON-LD contexts.
 */

import {ed25519} from '@noble/curves/ed25519.js';
import {sha256} from '@noble/hashes/sha2.js';
import canonicalize from 'canonicalize';
import jsonld from 'jsonld';

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const SUITES = new Set(['eddsa-rdfc-2022', 'eddsa-jcs-2022']);

export function fromBase58(text) {
  let value = 0n;
  for(const char of text) {
    const digit = B58.indexOf(char);
    if(digit < 0) { throw new Error('not base58'); }
    value = value * 58n + BigInt(digit);
  }
  const bytes = [];
  while(value > 0n) { bytes.unshift(Number(value % 256n)); value /= 256n; }
  for(const char of text) { if(char !== '1') { break; } bytes.unshift(0); }
  return new Uint8Array(bytes);
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for(const part of parts) { out.set(part, at); at += part.length; }
  return out;
}

function loaderOf(formats) {
  return async url => {
    const document = formats.contexts[url];
    if(document === undefined) { throw new Error(`context not bundled: ${url}`); }
    return {contextUrl: null, documentUrl: url, document};
  };
}

export async function rdfc(document, formats) {
  return jsonld.canonize(document, {
    algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader: loaderOf(formats),
    base: null, safe: true,
  });
}

/** The Ed25519 public key of a did:key (multicodec 0xed01), or an Error saying why not. */
function keyOfDid(did) {
  if(typeof did !== 'string' || !did.startsWith('did:key:z')) { throw new Error(`not a did:key: ${did}`); }
  const multikey = fromBase58(did.slice('did:key:z'.length));
  if(multikey.length !== 34 || multikey[0] !== 0xed || multikey[1] !== 0x01) {
    throw new Error('the did:key is not an Ed25519 key');
  }
  return multikey.slice(2);
}

async function hashOf(suite, data, formats) {
  const encoder = new TextEncoder();
  const text = suite === 'eddsa-jcs-2022' ? canonicalize(data) : await rdfc(data, formats);
  return sha256(encoder.encode(text));
}

async function checkOne(document, proof, formats) {
  const label = `proof ${proof?.cryptosuite ?? '?'}`;
  if(proof?.type !== 'DataIntegrityProof' || !SUITES.has(proof.cryptosuite)) {
    return {check: 'credential_signature', ok: false, detail: `${label}: not an eddsa-rdfc-2022 or eddsa-jcs-2022 DataIntegrityProof`};
  }
  const method = String(proof.verificationMethod ?? '');
  const did = method.split('#')[0];
  const issuer = typeof document.issuer === 'string' ? document.issuer : document.issuer?.id;
  if(did !== issuer) {
    return {check: 'credential_signature', ok: false, detail: `${label}: signed by ${did}, the issuer is ${issuer}`};
  }
  if(typeof proof.proofValue !== 'string' || !proof.proofValue.startsWith('z')) {
    return {check: 'credential_signature', ok: false, detail: `${label}: proofValue is not base58btc multibase`};
  }
  try {
    const {proofValue, ...config} = proof;
    const {proof: _all, ...unsecured} = document;
    const proofConfig = {...config, '@context': document['@context']};
    const hashed = concat(await hashOf(proof.cryptosuite, proofConfig, formats),
                          await hashOf(proof.cryptosuite, unsecured, formats));
    const ok = ed25519.verify(fromBase58(proofValue.slice(1)), hashed, keyOfDid(did));
    return {check: 'credential_signature', ok, detail: ok ? `${label} by ${did}` : `${label}: the signature does not verify`};
  } catch(error) {
    return {check: 'credential_signature', ok: false, detail: `${label}: ${error.message}`};
  }
}

/** Each proof of `document` checked on its own (a proof set is a list). */
export async function verifyProofs(document, formats) {
  const proofs = Array.isArray(document?.proof) ? document.proof : document?.proof ? [document.proof] : [];
  if(!proofs.length) { return [{check: 'credential_signature', ok: false, detail: 'the document has no proof'}]; }
  return Promise.all(proofs.map(proof => checkOne(document, proof, formats)));
}
