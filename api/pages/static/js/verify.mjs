/**
 * The verify page (api/pages/verify.py). What the user pastes, opens or scans is one of:
 *
 * - a receipt: checked here with the independent verifier's own code (receipt-checks,
 *   vendored from tools/independent-verifier), against the RPC URL and contract in the form,
 *   and by this server (POST /v1/receipts/verify); the two verdicts side by side, and a
 *   warning (role="alert") when they differ;
 * - a worker's QR (LPL1:..., read from a photo or the camera with jsQR) or a presentation:
 *   checked by this server (POST /v1/presentations/verify), which holds the registry, the
 *   credential status and the single-use challenges;
 * - a credential: its Data Integrity proofs checked here (data-integrity.mjs, with the
 *   contexts GET /wallet/formats.json bundles), and compared by this server with what it
 *   has registered for it (GET /v1/credentials/{statusId}).
 */

import {verifyReceipt, DEFAULT_KINDS, strictJson} from 'receipt-checks';
import jsQRModule from 'jsqr';
import {verifyProofs} from './data-integrity.mjs';

const jsQR = jsQRModule.default ?? jsQRModule;
const form = document.getElementById('verify-form');
const strings = JSON.parse(form.dataset.strings);
const $ = id => document.getElementById(id);
const text = $('verify-text');
const note = $('verify-note');
const results = $('verify-results');
const MAX_IMAGE_SIDE = 1600;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;
const STATUS_PREFIX = 'urn:lpl:credential-status:';

/** The page's string `key`, with {name} filled from `values`. */
function t(key, values = {}) {
  const found = Object.hasOwn(strings, key) ? strings[key] : key;
  return found.replace(/\{(\w+)\}/g, (whole, name) => Object.hasOwn(values, name) ? String(values[name]) : whole);
}

const label = check => Object.hasOwn(strings, `check.${check}`) ? t(`check.${check}`) : check;

function element(tag, className, content) {
  const made = document.createElement(tag);
  if(className) { made.className = className; }
  if(content !== undefined) { made.textContent = content; }
  return made;
}

function say(message) { note.textContent = message; }

// -- showing verdicts ----------------------------------------------------------------------

/** Fill a verdict column: its title, a one-line summary, then every check in words. */
function showVerdict(column, {title, summary, ok, checks, facts = []}) {
  const box = $(column);
  if(title) { box.querySelector('h3').textContent = title; }
  const line = box.querySelector('.summary');
  line.textContent = summary;
  line.className = `summary ${ok ? 'valid' : 'invalid'}`;
  box.querySelector('dl')?.remove();
  if(facts.length) {
    const list = element('dl', 'facts');
    for(const [name, value] of facts) {
      const row = element('div');
      row.append(element('dt', '', name), element('dd', '', value));
      list.append(row);
    }
    line.after(list);
  }
  const list = box.querySelector('ol.checks');
  list.replaceChildren(...checks.map(check => {
    const item = element('li', check.ok === true ? 'pass' : check.ok === false ? 'fail' : 'skip');
    item.dataset.check = check.check;
    const outcome = check.ok === true ? t('verify.js.pass') : check.ok === false ? t('verify.js.fail') : t('verify.js.not_run');
    item.append(element('span', 'name', `${label(check.check)}: `), element('span', 'outcome', outcome));
    const detail = check.detail ?? (check.ok === true ? t('check.holds') : check.code);
    if(detail) { item.append(element('span', 'detail', detail)); }
    return item;
  }));
  box.hidden = false;
}

function clearResults() {
  for(const id of ['browser-verdict', 'server-verdict', 'disagreement', 'agreement']) { $(id).hidden = true; }
  for(const list of results.querySelectorAll('ol.checks')) { list.replaceChildren(); }
  for(const facts of results.querySelectorAll('dl.facts')) { facts.remove(); }
  $('disagreement').replaceChildren();
  results.hidden = false;
}

function receiptSummary(report) {
  if(report.error) { return t('verify.js.server_error', {detail: report.error}); }
  return report.valid ? t('verify.js.valid') : t('verify.js.invalid', {check: label(report.failedCheck ?? 'format')});
}

/** The two verdicts differ: in the outcome, or in any check's outcome. */
function compare(mine, theirs) {
  const alert = $('disagreement');
  const word = valid => valid ? t('verify.js.word_valid') : t('verify.js.word_invalid');
  const theirChecks = new Map((theirs.checks ?? []).map(c => [c.check, c.ok]));
  // a check one side passed and the other failed, or one failed and the other did not run
  const differing = theirs.checks ? mine.checks.filter(c => {
    const other = theirChecks.get(c.check);
    return other !== c.ok && (c.ok === false || other === false);
  }).map(c => label(c.check)) : [];
  if(mine.valid === theirs.valid && differing.length === 0) {
    $('agreement').textContent = t('verify.js.agree');
    $('agreement').hidden = false;
    return;
  }
  alert.append(element('p', '', t('verify.js.disagree', {browser: word(mine.valid), server: word(theirs.valid)})));
  if(differing.length) { alert.append(element('p', '', t('verify.js.disagree_check', {checks: differing.join(', ')}))); }
  alert.hidden = false;
}

// -- the server --------------------------------------------------------------------------

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST', headers: {'content-type': 'application/json', accept: 'application/json'},
    body: typeof body === 'string' ? body : JSON.stringify(body)
  });
  let json = null;
  try { json = await response.json(); } catch { json = null; }
  return {status: response.status, ok: response.ok, json};
}

async function serverReceipt(raw) {
  try {
    const {ok, json} = await post('/v1/receipts/verify', raw);
    if(ok && json && Array.isArray(json.checks)) { return json; }
    return {valid: false, failedCheck: null, error: json?.detail ?? json?.title ?? 'no answer'};
  } catch(error) {
    return {valid: false, failedCheck: null, error: error.message};
  }
}

// -- what was given ----------------------------------------------------------------------

function pinnedFromForm() {
  const contract = form.elements.contract.value.trim();
  const chain = form.elements.chainId.value.trim();
  const genesis = form.elements.genesis.value.trim();
  const rpc = form.elements.rpc.value.trim();
  const problems = [];
  if(!ADDRESS.test(contract)) { problems.push(t('verify.contract')); }
  if(chain && !/^[1-9][0-9]{0,15}$/.test(chain)) { problems.push(t('verify.chain_id')); }
  if(genesis && !HASH.test(genesis)) { problems.push(t('verify.genesis')); }
  let url = null;
  try { url = new URL(rpc); } catch { url = null; }
  if(!url || !['http:', 'https:'].includes(url.protocol)) { problems.push(t('verify.rpc')); }
  return {
    problems, rpc,
    pinned: {contract, chainId: chain ? Number(chain) : undefined, genesisHash: genesis || undefined,
      source: 'the contract entered on this page'}
  };
}

async function checkReceipt(raw, parsed, unreadable) {
  const {problems, rpc, pinned} = pinnedFromForm();
  if(problems.length) {
    say(`${t('verify.trust')}: ${problems.join(', ')}`);
    results.hidden = true;
    return;
  }
  clearResults();
  showVerdict('browser-verdict', {title: t('verify.js.browser'), summary: t('verify.js.working'), ok: true, checks: []});
  showVerdict('server-verdict', {title: t('verify.js.server'), summary: t('verify.js.working'), ok: true, checks: []});
  const mine = verifyReceipt(parsed, {rpc, pinned, kinds: DEFAULT_KINDS, unreadable})
    .catch(error => ({valid: false, failedCheck: null, checks: [], error: error.message}));
  const [browser, server] = await Promise.all([mine, serverReceipt(raw)]);
  showVerdict('browser-verdict', {summary: receiptSummary(browser), ok: browser.valid, checks: browser.checks});
  showVerdict('server-verdict', {summary: receiptSummary(server), ok: server.valid, checks: server.checks ?? []});
  compare(browser, server);
}

async function checkPresentation(body) {
  clearResults();
  showVerdict('server-verdict', {title: t('verify.js.presentation'), summary: t('verify.js.working'), ok: true, checks: []});
  let answer;
  try { answer = await post('/v1/presentations/verify', body); } catch(error) {
    answer = {ok: false, json: {detail: error.message}};
  }
  const report = answer.json ?? {};
  const checks = report.checks ?? [];
  const failed = checks.find(c => c.ok === false);
  const ok = answer.ok && report.verified === true;
  const summary = ok ? t('verify.js.presentation_ok') :
    failed ? t('verify.js.presentation_bad', {check: label(failed.check)}) :
    t('verify.js.server_error', {detail: report.detail ?? report.title ?? answer.status});
  const facts = [];
  if(report.holder) { facts.push([t('verify.js.holder'), report.holder]); }
  if(report.issuer) { facts.push([t('verify.js.issuer'), report.issuer]); }
  if(report.expires) { facts.push([t('verify.js.expires'), report.expires]); }
  showVerdict('server-verdict', {summary, ok, checks, facts});
}

let formats = null;

/** The credential's proofs, checked in this browser: the server is not asked. */
async function browserCredential(credential) {
  let checks;
  try {
    formats ??= await (await fetch('/wallet/formats.json', {headers: {accept: 'application/json'}})).json();
    checks = await verifyProofs(credential, formats);
  } catch(error) {
    checks = [{check: 'proof', ok: false, detail: error.message}];
  }
  const failed = checks.find(c => c.ok === false);
  showVerdict('browser-verdict', {
    title: t('verify.js.credential_browser'),
    summary: failed ? t('verify.js.credential_bad', {check: label(failed.check)}) : t('verify.js.credential_proof_ok'),
    ok: !failed, checks,
  });
}

async function checkCredential(credential) {
  clearResults();
  await browserCredential(credential);
  // The on-chain entry: alone, or beside a BitstringStatusListEntry in a list.
  const statusRef = [credential?.credentialStatus].flat()
    .find(entry => entry?.type === 'OnChainCredentialStatus')?.id;
  const issuerOf = value => typeof value === 'string' ? value : value?.id;
  const checks = [];
  let view = null;
  if(typeof statusRef !== 'string' || !statusRef.startsWith(STATUS_PREFIX)) {
    checks.push({check: 'registered', ok: false, detail: `credentialStatus.id is not ${STATUS_PREFIX}0x…`});
  } else {
    const statusId = statusRef.slice(STATUS_PREFIX.length);
    const response = await fetch(`/v1/credentials/${encodeURIComponent(statusId)}`, {headers: {accept: 'application/json'}});
    const json = await response.json().catch(() => ({}));
    if(response.ok) {
      view = json;
      const same = view.credentialId === credential.id;
      checks.push({check: 'registered', ok: same, detail: same ? `${view.credentialId}` :
        `the ledger has ${view.credentialId} under this status id, not ${credential.id}`});
    } else {
      checks.push({check: 'registered', ok: false, detail: json.detail ?? `HTTP ${response.status}`});
    }
  }
  if(view && checks[0].ok) {
    const issuer = issuerOf(credential.issuer);
    checks.push({check: 'issuer', ok: view.issuer === issuer, detail: view.issuer === issuer ? view.issuer :
      `registered by ${view.issuer}, the credential names ${issuer}`});
    const now = Date.now();
    const inWindow = Date.parse(view.validFrom) <= now && now < Date.parse(view.validUntil);
    checks.push({check: 'validity', ok: inWindow, detail: `${view.validFrom} – ${view.validUntil}`});
    checks.push({check: 'status', ok: view.status === 'active', detail: view.status});
  }
  const failed = checks.find(c => c.ok === false);
  showVerdict('server-verdict', {
    title: t('verify.js.credential'),
    summary: failed ? t('verify.js.credential_bad', {check: label(failed.check)}) : t('verify.js.credential_ok'),
    ok: !failed, checks, facts: [[t('verify.js.issuer'), String(issuerOf(credential.issuer) ?? '')]]
  });
  $('server-verdict').querySelector('.summary').after(element('p', 'muted', t('verify.js.credential_note')));
}

const types = value => Array.isArray(value?.type) ? value.type : [value?.type];

/** Decide what `raw` is and check it. */
async function check(raw) {
  say('');
  const trimmed = raw.trim();
  if(!trimmed) { say(t('verify.js.empty')); return; }
  if(/^LPL\d+:/.test(trimmed)) { await checkPresentation({qr: trimmed}); return; }
  let parsed = null;
  let unreadable = null;
  try { parsed = strictJson(new TextEncoder().encode(trimmed)); } catch(error) { unreadable = error.message; }
  if(unreadable !== null) {
    if(trimmed.startsWith('{')) { await checkReceipt(trimmed, null, unreadable); return; }
    say(t('verify.js.unreadable', {detail: unreadable}));
    results.hidden = true;
    return;
  }
  const object = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  if(object && types(parsed).includes('VerifiablePresentation')) {
    await checkPresentation({presentation: parsed});
  } else if(object && types(parsed).includes('VerifiableCredential')) {
    await checkCredential(parsed);
  } else if(object && ['envelope', 'leaf', 'root', 'proof'].some(k => Object.hasOwn(parsed, k))) {
    await checkReceipt(trimmed, parsed, null);
  } else {
    say(t('verify.js.unknown'));
    results.hidden = true;
    return;
  }
  $('verify-results-title').focus();
}

// -- QR codes: a photo, or the camera ------------------------------------------------------

function readQr(source, width, height) {
  const scale = Math.min(1, MAX_IMAGE_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const canvas = new OffscreenCanvas(w, h);
  const context = canvas.getContext('2d', {willReadFrequently: true});
  context.drawImage(source, 0, 0, w, h);
  const pixels = context.getImageData(0, 0, w, h);
  return jsQR(pixels.data, w, h);
}

async function found(qrText) {
  text.value = qrText;
  say(t('verify.js.qr_read', {size: qrText.length}));
  await check(qrText);
}

$('verify-file').addEventListener('change', async event => {
  const file = event.target.files[0];
  if(!file) { return; }
  if(file.type.startsWith('image/')) {
    let code = null;
    try {
      const bitmap = await createImageBitmap(file);
      code = readQr(bitmap, bitmap.width, bitmap.height);
      bitmap.close();
    } catch(error) {
      say(t('verify.js.unreadable', {detail: error.message}));
      return;
    }
    if(!code) { say(t('verify.js.no_qr')); results.hidden = true; return; }
    await found(code.data);
    return;
  }
  text.value = await file.text();
  await check(text.value);
});

let stream = null;

function stopCamera() {
  stream?.getTracks().forEach(track => track.stop());
  stream = null;
  const video = $('camera-video');
  video.srcObject = null;
  video.hidden = true;
  $('camera-stop').hidden = true;
  $('camera-start').hidden = false;
}

$('camera-start').addEventListener('click', async () => {
  const video = $('camera-video');
  try {
    stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}, audio: false});
  } catch(error) {
    say(t('verify.js.no_camera', {detail: error.message}));
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  $('camera-start').hidden = true;
  $('camera-stop').hidden = false;
  $('camera-stop').focus();
  await video.play();
  const scan = async () => {
    if(!stream) { return; }
    if(video.readyState >= 2 && video.videoWidth) {
      const code = readQr(video, video.videoWidth, video.videoHeight);
      if(code) { stopCamera(); await found(code.data); return; }
    }
    requestAnimationFrame(scan);
  };
  requestAnimationFrame(scan);
});
$('camera-stop').addEventListener('click', () => { stopCamera(); $('camera-start').focus(); });

form.addEventListener('submit', event => {
  event.preventDefault();
  check(text.value);
});
form.dataset.ready = 'true';
