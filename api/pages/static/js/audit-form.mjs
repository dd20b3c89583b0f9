/**
 * /audits/new: build an audit/v1 payload from the form, sign it with the auditor's key file
 * opened in the page (ledger-keys.mjs: the key never leaves the browser), POST it to
 * /v1/attestations, then follow GET /v1/records/{id} until it is anchored and show its
 * receipt. A problem the server answers with is shown beside the field it names.
 */

import {signEnvelope} from 'ledger-keys';

import {clearProblems, openKey, readProblem, say, showFieldError, showProblem, stringsOf}
  from '/static/js/forms.mjs';

const form = document.getElementById('audit-form');
const findings = document.getElementById('findings');
const template = document.getElementById('finding-template');
const errors = document.getElementById('form-errors');
const strings = stringsOf('audit-strings');
const STATES = ['pending', 'batched', 'submitted', 'anchored'];
let serial = 0;

const value = id => document.getElementById(id).value.trim();

function renumber() {
  [...findings.children].forEach((fieldset, index) => {
    fieldset.querySelector('[data-legend]').textContent = strings.finding.replace('{n}', index + 1);
    for(const input of fieldset.querySelectorAll('[data-part]')) {
      input.dataset.field = `payload.findings.${index}.${input.dataset.part}`;
    }
  });
}

function addFinding() {
  serial += 1;
  const fieldset = template.content.firstElementChild.cloneNode(true);
  for(const input of fieldset.querySelectorAll('[data-part]')) {
    const id = `finding-${serial}-${input.dataset.part}`;
    const error = fieldset.querySelector(`[data-error="${input.dataset.part}"]`);
    error.id = `${id}-error`;
    input.id = id;
    input.setAttribute('aria-describedby', error.id);
    const label = fieldset.querySelector(`[data-for="${input.dataset.part}"]`);
    if(label) { label.htmlFor = id; }
  }
  fieldset.querySelector('[data-part="id"]').value = `F${findings.children.length + 1}`;
  const evidence = fieldset.querySelector('[data-part="evidence"]');
  fieldset.querySelector('[data-part="evidenceFiles"]').addEventListener('change', async event => {
    // Hashed here; only the digests go into the audit (the files stay on this device).
    const lines = evidence.value.split(/\s+/).filter(Boolean);
    for(const file of event.target.files) {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
      const hex = [...digest].map(b => b.toString(16).padStart(2, '0')).join('');
      if(!lines.includes(`sha256:${hex}`)) { lines.push(`sha256:${hex}`); }
    }
    evidence.value = lines.join('\n');
    event.target.value = '';
  });
  fieldset.querySelector('[data-remove]').addEventListener('click', () => {
    fieldset.remove();
    renumber();
  });
  findings.append(fieldset);
  renumber();
  fieldset.querySelector('[data-part="clause"]').focus();
}

function payload() {
  const optional = (id) => value(id) || undefined;
  const facility = {id: value('facility-id'), name: value('facility-name'),
    country: value('facility-country').toUpperCase(), oshId: optional('facility-osh')};
  const built = {
    schema: 'audit/v1',
    facility,
    scheme: {name: value('scheme-name'), version: value('scheme-version')},
    auditType: value('audit-type'),
    notice: value('notice'),
    startDate: value('start-date'),
    endDate: value('end-date'),
    validUntil: value('valid-until'),
    auditFirm: {name: value('firm-name'), id: optional('firm-id')},
    auditors: [],
    scope: value('scope'),
    workersInterviewed: Number.parseInt(value('workers-interviewed'), 10),
    overallRating: value('overall-rating'),
    findings: [],
    correctiveActions: [],
    follows: optional('follows'),
  };
  [...findings.children].forEach(fieldset => {
    const part = name => fieldset.querySelector(`[data-part="${name}"]`);
    const id = part('id').value.trim();
    const evidence = part('evidence').value.split(/\s+/).filter(Boolean);
    built.findings.push({
      id, clause: part('clause').value.trim(),
      iloIndicators: [...part('iloIndicators').querySelectorAll('input:checked')].map(i => i.value),
      severity: part('severity').value, description: part('description').value.trim(),
      evidence: evidence.length ? evidence : undefined,
      status: part('status').value,
      followsFinding: part('followsFinding').value.trim() || undefined,
    });
    const action = part('action').value.trim();
    const verifier = part('actionVerifier').value.trim();
    part('action').dataset.field = part('dueDate').dataset.field = '';
    part('actionVerifier').dataset.field = '';
    if(action || part('dueDate').value || verifier) {
      const index = built.correctiveActions.length;
      part('action').dataset.field = `payload.correctiveActions.${index}.action`;
      part('dueDate').dataset.field = `payload.correctiveActions.${index}.dueDate`;
      part('actionVerifier').dataset.field = `payload.correctiveActions.${index}.verifier`;
      built.correctiveActions.push({findingId: id, action, dueDate: part('dueDate').value,
                                    verifier: verifier || undefined});
    }
  });
  return JSON.parse(JSON.stringify(built)); // drops the optional fields left undefined
}

/** What the browser can tell before asking the server: required fields are filled. */
function missing() {
  let first = null;
  for(const input of form.querySelectorAll('[required]')) {
    if(!input.value.trim()) {
      showFieldError(input, strings.required);
      first ??= input;
    }
  }
  if(first) { first.focus(); }
  return first !== null;
}

function showState(state, record) {
  for(const item of document.querySelectorAll('.states li')) {
    const reached = STATES.indexOf(item.dataset.state) <= STATES.indexOf(state);
    item.classList.toggle('reached', reached);
    if(item.dataset.state === state) { item.setAttribute('aria-current', 'step'); }
    else { item.removeAttribute('aria-current'); }
  }
  document.getElementById('state-line').textContent = strings.state.replace('{state}', state)
    + (record.batchId != null ? ` (batch ${record.batchId})` : '');
}

async function follow(id) {
  for(;;) {
    const response = await fetch(`/v1/records/${id}`, {headers: {Accept: 'application/json'}});
    if(!response.ok) {
      const problem = await readProblem(response);
      say(document.getElementById('state-line'), problem.detail ?? `HTTP ${response.status}`);
      return;
    }
    const record = await response.json();
    showState(record.status, record);
    if(record.status === 'anchored') { return showReceipt(id, record); }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}

async function showReceipt(id, record) {
  const response = await fetch(`/v1/records/${id}/receipt`, {headers: {Accept: 'application/json'}});
  const receipt = await response.json();
  document.getElementById('anchor-line').textContent = strings.anchored
    .replace('{block}', record.blockNumber).replace('{time}', record.anchoredAt)
    .replace('{tx}', record.txHash);
  const link = document.getElementById('receipt-link');
  link.href = `/v1/records/${id}/receipt`;
  link.download = `receipt-${id.slice(0, 10)}.json`;
  document.getElementById('receipt-json').textContent = JSON.stringify(receipt, null, 2);
  document.getElementById('receipt').hidden = false;
}

async function submit(event) {
  event.preventDefault();
  clearProblems(form);
  if(missing()) { return; }
  const button = document.getElementById('sign-submit');
  button.disabled = true;
  try {
    const status = say(errors, strings.opening, 'status');
    const key = await openKey({noFile: strings.noFile});
    status.remove();
    if(!key) { return; }
    const envelope = signEnvelope('audit', payload(), key);
    let response;
    try {
      response = await fetch('/v1/attestations', {
        method: 'POST', body: JSON.stringify(envelope),
        headers: {'Content-Type': 'application/json', Accept: 'application/json'},
      });
    } catch {
      say(errors, strings.unreachable);
      return;
    }
    if(response.status !== 201) {
      showProblem(form, await readProblem(response), errors);
      return;
    }
    const accepted = await response.json();
    const progress = document.getElementById('progress');
    document.getElementById('record-id').textContent = accepted.id;
    progress.hidden = false;
    form.hidden = true;
    document.getElementById('progress-title').focus();
    showState(accepted.status, {});
    await follow(accepted.id);
  } finally {
    button.disabled = false;
  }
}

document.getElementById('add-finding').addEventListener('click', addFinding);
form.addEventListener('submit', submit);
form.dataset.ready = 'true';
