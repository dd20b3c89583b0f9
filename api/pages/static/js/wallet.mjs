/**
 * The /wallet page: open the wallet file with the PIN, show a fresh presentation QR that
 * refreshes before it expires, the worker's wage lines with received / disputed answers,
 * and their check-in history (both read by requests signed with their key). The key and PIN
 * stay in this page's memory; the server sees presentations the worker shows, signed reads
 * and signed acknowledgements, never a secret. Opening with the duress PIN runs the very
 * same code: only the sealed holder signal inside each presentation differs.
 */

import qrcode from 'qrcode-generator';
import {requestAuthorization, signEnvelope} from 'ledger-keys';
import {sha256} from '@noble/hashes/sha2.js';
import {encodePayload, openWallet, present, summary} from './wallet-core.mjs';

const STORED = 'lpl.wallet';  // the wallet file as chosen, still encrypted
const DEVICE = 'lpl.ack-device';
const REFRESH_BEFORE = 30;  // seconds before expiry a new presentation replaces the QR
const MAX_VERSION = 25;  // credentials/qr.py MAX_VERSION

const root = document.getElementById('wallet');
const strings = JSON.parse(root.dataset.strings);
const $ = id => document.getElementById(id);
const say = (key, values = {}) => {
  $('status').textContent = strings[key].replace(/\{(\w+)\}/g, (_, name) => values[name] ?? '');
};

let wallet = null;
let formats = null;
let expires = null;
let timer = null;
let refreshing = false;

async function json(url, options = {}) {
  const response = await fetch(url, {...options, headers: {accept: 'application/json', ...options.headers}});
  const body = await response.json().catch(() => ({}));
  if(!response.ok) { throw Object.assign(new Error(body.detail || response.statusText), {body}); }
  return body;
}

async function loadFormats() {
  formats ??= await json('/wallet/formats.json');
  return formats;
}

async function challenge() {
  if(!navigator.onLine) { return null; }
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 4000);
    return (await json('/v1/presentations/challenge', {signal: controller.signal})).challenge;
  } catch {
    return null;  // offline: the 5-minute window alone bounds a replay, as the CLI's qr
  }
}

async function showQr() {
  if(!wallet || refreshing) { return; }
  refreshing = true;
  try {
    const [loaded, nonce] = await Promise.all([loadFormats(), challenge()]);
    const presentation = await present(wallet, loaded, {challenge: nonce});
    const text = encodePayload(presentation, loaded.qrDictionary);
    const code = qrcode(0, 'M');
    code.addData(text, 'Alphanumeric');
    code.make();
    if(code.getModuleCount() > 17 + 4 * MAX_VERSION) { throw new Error('QR too large'); }
    if(!wallet) { return; }
    const image = $('qr-image');
    image.src = code.createDataURL(4, 4);
    image.hidden = false;
    $('qr').dataset.payload = text;
    expires = new Date(presentation.proof.expires);
    $('qr').dataset.expires = presentation.proof.expires;
    tick();
    if(nonce === null) { say('wallet.qr_offline'); }
  } catch {
    say('wallet.qr_failed');
  } finally {
    refreshing = false;
  }
}

function tick() {
  if(!wallet || !expires) { return; }
  const left = Math.max(0, Math.round((expires - Date.now()) / 1000));
  const time = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  $('countdown').textContent = strings['wallet.qr_expires'].replace('{time}', time);
  if(left <= REFRESH_BEFORE) { showQr(); }
}

function fill(container, values) {
  for(const element of container.querySelectorAll('[data-field]')) {
    const value = values[element.dataset.field];
    if(value === undefined) { continue; }
    (element.querySelector('code') ?? element).textContent = value ?? '—';
  }
}

function translate(container) {
  for(const element of container.querySelectorAll('[data-t]')) {
    element.textContent = strings[element.dataset.t];
  }
}

// -- wage lines --------------------------------------------------------------------------

let audience = null;

async function signedGet(path) {
  audience ??= (await json('/v1/health')).chain.audience;
  return json(path, {headers: {authorization: requestAuthorization(wallet.key, 'GET', path, '', audience)}});
}

async function deviceHash() {
  let id = localStorage.getItem(DEVICE);
  if(!id) {
    id = Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem(DEVICE, id);
  }
  const digest = sha256(new TextEncoder().encode('lpl/ack-device/v1\x00' + id));
  return 'sha256:' + Array.from(digest, b => b.toString(16).padStart(2, '0')).join('');
}

function ackLabel(status) {
  return strings[status ? `wallet.ack.${status}` : 'wallet.ack.none'];
}

function renderLine(view) {
  const item = $('line-template').content.firstElementChild.cloneNode(true);
  translate(item);
  item.dataset.line = view.id;
  const payload = view.envelope.payload;
  const currency = payload.run.currency;
  fill(item, {
    period: `${payload.run.periodStart} – ${payload.run.periodEnd}`,
    gross: `${payload.gross} ${currency}`, net: `${payload.net} ${currency}`,
    paidOn: payload.paidOn, ack: ackLabel(view.acknowledgement),
    compliance: strings[view.compliant ? 'wallet.line.compliant' : 'wallet.line.not_compliant'],
  });
  item.querySelector('[data-action="received"]').textContent = strings['wallet.received'];
  item.querySelector('[data-action="disputed"]').textContent = strings['wallet.disputed'];
  item.querySelector('[data-action="send-dispute"]').textContent = strings['wallet.dispute_send'];
  for(const [index, box] of item.querySelectorAll('.reasons input').entries()) {
    box.id = `reason-${view.id.slice(2, 10)}-${index}`;
    box.nextElementSibling.htmlFor = box.id;
  }
  item.addEventListener('click', event => onLineAction(event, item));
  $('lines').append(item);
}

/** One of the worker's own lists (GET /v1/me/...), rendered into the list `id`. */
async function loadList(path, field, id, render) {
  const items = (await signedGet(path))[field];
  if(!wallet) { return; }  // closed while the request was out
  $(id).replaceChildren();
  items.forEach(render);
  $(`${id}-none`).hidden = items.length > 0;
}

// -- check-in history --------------------------------------------------------------------

const when = iso => new Date(iso).toLocaleString(document.documentElement.lang || undefined, {
  dateStyle: 'medium', timeStyle: 'short',
});

function renderCheckin(view) {
  const item = $('checkin-template').content.firstElementChild.cloneNode(true);
  translate(item);
  item.dataset.checkin = view.id;
  fill(item, {
    when: when(view.checkedAt), facility: view.facility ?? '—',
    place: strings[view.onSite ? 'wallet.checkin.on_site' : 'wallet.checkin.off_site'],
    document: strings[view.documentMatches
      ? 'wallet.checkin.document_matched' : 'wallet.checkin.document_not_matched'],
  });
  $('checkins').append(item);
}

async function loadHistory() {
  const opened = $('opened');
  delete opened.dataset.history;
  if(!navigator.onLine) { return; }  // offline the page still shows the QR
  await Promise.all([
    loadList('/v1/me/wage-lines', 'lines', 'lines', renderLine)
      .catch(() => say('wallet.wages_failed')),
    loadList('/v1/me/checkins', 'checkins', 'checkins', renderCheckin)
      .catch(() => say('wallet.checkins_failed')),
  ]);
  if(wallet) { opened.dataset.history = 'loaded'; }
}

async function acknowledge(item, status, reasons) {
  const payload = {schema: 'wage-ack/v1', line: item.dataset.line, status, device: await deviceHash()};
  if(reasons.length) { payload.reasons = reasons; }
  const envelope = signEnvelope('wage-ack', payload, wallet.key);
  try {
    await json('/v1/wages/ack', {
      method: 'POST', body: JSON.stringify(envelope), headers: {'content-type': 'application/json'},
    });
    item.querySelector('[data-field="ack"]').textContent = ackLabel(status);
    item.querySelector('.reasons').hidden = true;
    say('wallet.ack_sent');
  } catch {
    say('wallet.ack_failed');
  }
}

function onLineAction(event, item) {
  const action = event.target.closest('button')?.dataset.action;
  if(action === 'received') {
    acknowledge(item, 'received', []);
  } else if(action === 'disputed') {
    const box = item.querySelector('.reasons');
    box.hidden = false;
    box.querySelector('input').focus();
  } else if(action === 'send-dispute') {
    const reasons = [...item.querySelectorAll('.reasons input:checked')].map(b => b.value);
    if(!reasons.length) { say('wallet.ack_need_reason'); return; }
    acknowledge(item, 'disputed', reasons);
  }
}

// -- open and close ----------------------------------------------------------------------

function showKept() {
  const kept = localStorage.getItem(STORED) !== null;
  $('kept-note').hidden = !kept;
  $('forget').hidden = !kept;
  $('keep').checked = kept;
}

$('open-form').addEventListener('submit', async event => {
  event.preventDefault();
  const pin = $('pin').value;
  $('pin').value = '';
  say('wallet.opening');
  $('open-button').disabled = true;
  try {
    const chosen = $('wallet-file').files[0];
    const text = chosen ? await chosen.text() : localStorage.getItem(STORED);
    let file;
    try { file = JSON.parse(text); } catch { say('wallet.not_a_wallet'); return; }
    try {
      wallet = await openWallet(file, pin);
    } catch (error) {
      say(error.message.startsWith('not a') ? 'wallet.not_a_wallet' : 'wallet.wrong_pin');
      return;
    }
    if($('keep').checked) { localStorage.setItem(STORED, text); } else { localStorage.removeItem(STORED); }
    $('wallet-file').value = '';
    if(!wallet.credential) { say('wallet.no_credential'); wallet = null; return; }
    fill($('credential'), summary(wallet.credential));
    $('closed').hidden = true;
    $('opened').hidden = false;
    $('status').textContent = '';
    $('qr-heading').focus?.();
    await showQr();
    timer = setInterval(tick, 1000);
    loadHistory();
  } finally {
    $('open-button').disabled = false;
  }
});

$('refresh').addEventListener('click', () => showQr());
$('reload').addEventListener('click', () => loadHistory());

$('close').addEventListener('click', () => {
  wallet = null;
  expires = null;
  clearInterval(timer);
  $('qr-image').hidden = true;
  $('qr-image').removeAttribute('src');
  delete $('qr').dataset.payload;
  $('countdown').textContent = '';
  $('lines').replaceChildren();
  $('checkins').replaceChildren();
  delete $('opened').dataset.history;
  $('opened').hidden = true;
  $('closed').hidden = false;
  showKept();
  $('pin').focus();
});

$('forget').addEventListener('click', () => {
  localStorage.removeItem(STORED);
  showKept();
  say('wallet.forgotten');
});

showKept();
if('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/wallet-sw.js', {scope: '/wallet'}).catch(() => {});
}
