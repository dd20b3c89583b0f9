/**
 * Keys in the browser, as the ledger's CLI keeps and uses them, so a page can sign with a
 * key that never leaves the device:
 *
 *   openKeyFile(file, passphrase)  a key file (`ledger keys new`: Argon2id + SecretBox over
 *                                  the 32-byte Ed25519 seed) -> {did, seed, publicKey}
 *   signEnvelope(kind, payload, key, {created, nonce})
 *                                  a signed record envelope (ledger/envelope.py: Ed25519 over
 *                                  RFC 8785 JCS of {kind, payload, signer, created, nonce})
 *   requestAuthorization(key, method, target, body, audience)
 *                                  the `Authorization: Envelope ...` header of a signed read
 *                                  (ledger/signed_request.py)
 *   didKey(publicKey)              did:key:z6Mk... of an Ed25519 public key
 *
 * Bare specifiers resolve through the pages' import map (render.py) in a browser, and from
 * node_modules under Node (the tests run this same file there).
 */

import {ed25519} from '@noble/curves/ed25519.js';
import {sha256} from '@noble/hashes/sha2.js';
import canonicalize from 'canonicalize';
import sodium from 'libsodium-wrappers-sumo';

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58(bytes) {
  let value = 0n;
  for(const byte of bytes) { value = value * 256n + BigInt(byte); }
  let text = '';
  while(value > 0n) { text = B58[Number(value % 58n)] + text; value /= 58n; }
  for(const byte of bytes) { if(byte !== 0) { break; } text = '1' + text; }
  return text;
}

function base64url(bytes) {
  let binary = '';
  for(const byte of bytes) { binary += String.fromCharCode(byte); }
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), c => c.charCodeAt(0));
}

const hex = bytes => Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');

export function didKey(publicKey) {
  return 'did:key:z' + base58(new Uint8Array([0xed, 0x01, ...publicKey]));
}

/** A key from its 32-byte seed. */
export function keyFromSeed(seed) {
  const publicKey = ed25519.getPublicKey(seed);
  return {seed, publicKey, did: didKey(publicKey)};
}

/**
 * Open a key file (its parsed JSON). Throws Error('wrong passphrase, or the file is
 * damaged') as the CLI does: the two cannot be told apart.
 */
export async function openKeyFile(file, passphrase) {
  await sodium.ready;
  if(!file || file.version !== 1 || file.type !== 'ed25519' || file.kdf?.name !== 'argon2id') {
    throw new Error('not a ledger key file (version 1, ed25519, argon2id)');
  }
  let seed;
  try {
    const key = sodium.crypto_pwhash(
      sodium.crypto_secretbox_KEYBYTES, new TextEncoder().encode(passphrase),
      fromBase64(file.kdf.salt), file.kdf.opslimit, file.kdf.memlimit,
      sodium.crypto_pwhash_ALG_ARGON2ID13);
    const sealed = fromBase64(file.ciphertext);
    const nonce = sealed.slice(0, sodium.crypto_secretbox_NONCEBYTES);
    seed = sodium.crypto_secretbox_open_easy(sealed.slice(nonce.length), nonce, key);
  } catch {
    throw new Error('wrong passphrase, or the file is damaged');
  }
  const key = keyFromSeed(seed);
  if(file.did && file.did !== key.did) { throw new Error('the key file names another did'); }
  return key;
}

/** RFC 3339 in UTC with a Z, as the ledger writes times (milliseconds kept when present). */
export function formatTime(date) {
  return date.toISOString().replace('.000Z', 'Z');
}

export function newNonce() {
  return hex(crypto.getRandomValues(new Uint8Array(16)));
}

export function signEnvelope(kind, payload, key, {created = new Date(), nonce = newNonce()} = {}) {
  const unsigned = {kind, payload, signer: key.did, created: formatTime(created), nonce};
  const signature = ed25519.sign(new TextEncoder().encode(canonicalize(unsigned)), key.seed);
  return {...unsigned, signature: 'u' + base64url(signature)};
}

export function requestAuthorization(key, method, target, body, audience) {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body ?? new Uint8Array();
  const envelope = signEnvelope('request', {
    method: method.toUpperCase(), path: target, bodySha256: hex(sha256(bytes)), audience
  }, key);
  return 'Envelope ' + base64url(new TextEncoder().encode(canonicalize(envelope)));
}

/** base58btc of bytes, multibase-prefixed (`z...`), as proofValue and Multikeys are written. */
export function multibaseZ(bytes) {
  return 'z' + base58(bytes);
}

/**
 * Open what ledger/keyfile.py `encrypt_secret` sealed ({kdf: {argon2id...}, ciphertext}):
 * the plaintext bytes. Throws Error('wrong passphrase, or the data is damaged').
 */
export async function decryptSecret(sealed, passphrase) {
  await sodium.ready;
  try {
    if(sealed?.kdf?.name !== 'argon2id') { throw new Error('unsupported kdf'); }
    const key = sodium.crypto_pwhash(
      sodium.crypto_secretbox_KEYBYTES, new TextEncoder().encode(passphrase),
      fromBase64(sealed.kdf.salt), sealed.kdf.opslimit, sealed.kdf.memlimit,
      sodium.crypto_pwhash_ALG_ARGON2ID13);
    const box = fromBase64(sealed.ciphertext);
    const nonce = box.slice(0, sodium.crypto_secretbox_NONCEBYTES);
    return sodium.crypto_secretbox_open_easy(box.slice(nonce.length), nonce, key);
  } catch {
    throw new Error('wrong passphrase, or the data is damaged');
  }
}
