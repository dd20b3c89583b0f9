/**
 * The worker's wallet in the browser, as credentials/wallet.py keeps it and as the CLI's
 * `ledger wallet qr` presents it; nothing here talks to the network:
 *
 *   openWallet(file, pin)           the compartment a PIN opens (the PIN's or the duress
 *                                   PIN's): both compartments are always tried, so the time
 *                                   taken does not tell which; -> {key, credential, duress,
 *                                   investigator}. The document number and salt are dropped.
 *   present(wallet, formats, {challenge, created})
 *                                   a fresh presentation (credentials/presentation.py):
 *                                   eddsa-rdfc-2022 over RDFC-1.0 N-Quads, 5 minutes, with
 *                                   the sealed holder signal (credentials/signal.py)
 *   encodePayload(document, dictionary)
 *                                   `LPL1:` + base45(zlib(JCS)) with the LPL1 preset
 *                                   dictionary (credentials/qr.py)
 *   summary(credential)             what the page shows of a credential (never the
 *                                   document commitment's opening: the wallet has dropped it)
 *
 * `formats` is what GET /wallet/formats.json serves (the bundled JSON-LD contexts and the
 * QR dictionary, one source of truth in Python), cached by the service worker for offline.
 */

import {ed25519} from '@noble/curves/ed25519.js';
import {sha256} from '@noble/hashes/sha2.js';
import canonicalize from 'canonicalize';
import sodium from 'libsodium-wrappers-sumo';
import pako from 'pako';
import {concat, fromBase58, rdfc} from './data-integrity.mjs';
import {decryptSecret, formatTime, keyFromSeed, multibaseZ} from './ledger-keys.mjs';

export const LIFETIME_SECONDS = 300;  // credentials/presentation.py MAX_LIFETIME
const CREDENTIALS_V2 = 'https://www.w3.org/ns/credentials/v2';
const LABOUR_V1 = 'https://ledger.labour-provenance.org/contexts/labour/v1.jsonld';
const SUITE = 'eddsa-rdfc-2022';
const SIGNAL_LABEL = new TextEncoder().encode('lpl/holder-signal/v1\x00');
const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const WRONG = 'wrong PIN, or the wallet file is damaged';

function base64url(bytes) {
  let binary = '';
  for(const byte of bytes) { binary += String.fromCharCode(byte); }
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** RFC 9285 base45. */
export function base45(bytes) {
  let text = '';
  for(let i = 0; i < bytes.length; i += 2) {
    if(i + 1 < bytes.length) {
      let n = bytes[i] * 256 + bytes[i + 1];
      const c = n % 45; n = (n - c) / 45;
      const d = n % 45; const e = (n - d) / 45;
      text += B45[c] + B45[d] + B45[e];
    } else {
      const n = bytes[i];
      text += B45[n % 45] + B45[Math.floor(n / 45)];
    }
  }
  return text;
}

export function encodePayload(document, dictionary) {
  const packed = pako.deflate(new TextEncoder().encode(canonicalize(document)), {
    level: 9, windowBits: 15, memLevel: 9, dictionary: new TextEncoder().encode(dictionary),
  });
  return 'LPL1:' + base45(packed);
}

function compartmentOf(raw, did) {
  const data = JSON.parse(new TextDecoder().decode(raw).trimEnd());
  const multikey = fromBase58(String(data.seed).slice(1));
  if(data.seed[0] !== 'z' || multikey[0] !== 0x80 || multikey[1] !== 0x26 || multikey.length !== 34) {
    throw new Error(WRONG);
  }
  const key = keyFromSeed(multikey.slice(2));
  if(key.did !== did) { throw new Error("the wallet's did does not match its key"); }
  // The document (type, number, country, salt) is not kept: this page never shows it.
  return {key, credential: data.credential ?? null, investigator: data.investigator ?? null,
          duress: data.mode === 1};
}

export async function openWallet(file, pin) {
  if(!file || file.version !== 1 || file.type !== 'LabourWorkerWallet'
     || !Array.isArray(file.compartments) || file.compartments.length !== 2) {
    throw new Error('not a version 1 worker wallet');
  }
  const opened = [];
  for(const sealed of file.compartments) {  // always both: equal time whichever PIN it is
    try { opened.push(await decryptSecret(sealed, pin)); } catch { /* not this one */ }
  }
  if(opened.length !== 1) { throw new Error(WRONG); }
  return compartmentOf(opened[0], file.did);
}

const day = time => (typeof time === 'string' ? time.slice(0, 10) : null);

export function summary(credential) {
  if(!credential) { return null; }
  const subject = credential.credentialSubject ?? {};
  return {
    id: credential.id, issuer: credential.issuer, validFrom: day(credential.validFrom),
    validUntil: day(credential.validUntil), facility: subject.facility ?? null,
    nationality: subject.nationality ?? null,
    statusId: [credential.credentialStatus].flat()
      .find(entry => entry?.type === 'OnChainCredentialStatus')?.id?.split(':').pop() ?? null,
  };
}

/** credentials/signal.py signal_binding: 16 bytes over holder, created and challenge. */
function signalBinding(holder, created, challenge) {
  const text = new TextEncoder().encode([holder, created, challenge ?? ''].join('\x00'));
  return sha256(concat(SIGNAL_LABEL, text)).slice(0, 16);
}

/** credentials/signal.py seal_signal: a sealed box to the investigators' X25519 key. */
async function sealSignal(investigator, duress, binding) {
  await sodium.ready;
  let recipient;
  if(investigator) {
    const multikey = fromBase58(investigator.slice('did:key:z'.length));
    recipient = sodium.crypto_sign_ed25519_pk_to_curve25519(multikey.slice(2));
  } else {
    recipient = sodium.crypto_box_keypair().publicKey;  // a throwaway key: readable by nobody
  }
  const plain = concat(new Uint8Array([1, duress ? 1 : 0]), binding,
                       crypto.getRandomValues(new Uint8Array(6)));
  return 'u' + base64url(sodium.crypto_box_seal(plain, recipient));
}

export async function present(wallet, formats, {challenge = null, domain = null, created = new Date()} = {}) {
  if(!wallet.credential) { throw new Error('the wallet holds no credential yet: import one first'); }
  const start = new Date(Math.floor(created.getTime() / 1000) * 1000);
  const createdText = formatTime(start);
  const did = wallet.key.did;
  const holderSignal = await sealSignal(
    wallet.investigator, wallet.duress, signalBinding(did, createdText, challenge));
  const unsigned = {
    '@context': [CREDENTIALS_V2, LABOUR_V1], type: ['VerifiablePresentation'], holder: did,
    holderSignal, verifiableCredential: [wallet.credential],
  };
  const proof = {
    type: 'DataIntegrityProof', cryptosuite: SUITE, created: createdText,
    verificationMethod: `${did}#${did.slice('did:key:'.length)}`, proofPurpose: 'authentication',
  };
  if(challenge !== null) { proof.challenge = challenge; }
  if(domain !== null) { proof.domain = domain; }
  proof.expires = formatTime(new Date(start.getTime() + LIFETIME_SECONDS * 1000));
  const encoder = new TextEncoder();
  const config = await rdfc({...proof, '@context': unsigned['@context']}, formats);
  const body = await rdfc(unsigned, formats);
  const hashed = concat(sha256(encoder.encode(config)), sha256(encoder.encode(body)));
  const signature = ed25519.sign(hashed, wallet.key.seed);
  return {...unsigned, proof: {...proof, proofValue: multibaseZ(signature)}};
}
