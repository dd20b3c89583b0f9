/**
 * Reading a holder signal in the browser, as credentials/signal.py reads it: a libsodium
 * sealed box to the X25519 form of the investigator's Ed25519 key, holding
 * version (1) || flag (1: 0 normal, 1 duress) || binding (16) || padding (6), where binding is
 * the first 16 bytes of SHA-256("lpl/holder-signal/v1\0" || holder \0 created \0 challenge).
 *
 *   openSignal(key, signal, {holder, created, challenge}) -> {duress, bound}
 *       key: what ledger-keys.mjs openKeyFile returns. Throws Error when the signal is
 *       malformed or not sealed to this key.
 */

import {sha256} from '@noble/hashes/sha2.js';
import sodium from 'libsodium-wrappers-sumo';

const LABEL = new TextEncoder().encode('lpl/holder-signal/v1\0');
const LENGTH = 24 + 48;

function fromBase64url(text) {
  const b64 = text.replaceAll('-', '+').replaceAll('_', '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - b64.length % 4) % 4)), c => c.charCodeAt(0));
}

export function signalBinding(holder, created, challenge) {
  const encoder = new TextEncoder();
  const parts = [holder, created, challenge ?? ''].map(v => encoder.encode(v));
  const joined = [LABEL];
  parts.forEach((part, i) => { if(i) { joined.push(new Uint8Array([0])); } joined.push(part); });
  const bytes = new Uint8Array(joined.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for(const part of joined) { bytes.set(part, offset); offset += part.length; }
  return sha256(bytes).slice(0, 16);
}

export async function openSignal(key, signal, {holder, created, challenge}) {
  await sodium.ready;
  if(typeof signal !== 'string' || !signal.startsWith('u')) { throw new Error('malformed signal'); }
  const sealed = fromBase64url(signal.slice(1));
  if(sealed.length !== LENGTH) { throw new Error('malformed signal'); }
  const secret = new Uint8Array(64);
  secret.set(key.seed);
  secret.set(key.publicKey, 32);
  const boxPublic = sodium.crypto_sign_ed25519_pk_to_curve25519(key.publicKey);
  const boxSecret = sodium.crypto_sign_ed25519_sk_to_curve25519(secret);
  let plain;
  try {
    plain = sodium.crypto_box_seal_open(sealed, boxPublic, boxSecret);
  } catch {
    throw new Error('not sealed to this key');
  } finally {
    secret.fill(0);
    boxSecret.fill(0);
  }
  if(plain.length !== 24 || plain[0] !== 1 || plain[1] > 1) { throw new Error('unknown signal format'); }
  const binding = signalBinding(holder, created, challenge);
  const bound = binding.every((byte, i) => byte === plain[2 + i]);
  return {duress: plain[1] === 1, bound};
}
