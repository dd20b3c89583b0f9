/**
 * /investigations: open the investigator's key file in the page, read
 * GET /v1/investigations/checkins by a signed request (ledger-keys.mjs requestAuthorization),
 * and show the coercion flags and check-ins as tables, each check-in's duress signal opened
 * here with the same key. A refusal (not an accredited investigator) is shown as it comes.
 */

import {requestAuthorization} from 'ledger-keys';

import {openSignal} from '/static/js/holder-signal.mjs';
import {clearProblems, openKey, readProblem, say, showProblem, stringsOf} from '/static/js/forms.mjs';

const form = document.getElementById('investigations-form');
const errors = document.getElementById('form-errors');
const strings = stringsOf('inv-strings');
const $ = id => document.getElementById(id);
const TARGET = '/v1/investigations/checkins?limit=500';

function cell(row, text, cls) {
  const td = document.createElement('td');
  if(text instanceof Node) { td.append(text); } else { td.textContent = text ?? ''; }
  if(cls) { td.className = cls; }
  row.append(td);
  return td;
}

function code(text, keep = 24) {
  const element = document.createElement('code');
  const value = text ?? '';
  element.textContent = value.length > keep ? value.slice(0, keep - 4) + '…' : value;
  if(value.length > keep) { element.title = value; }
  return element;
}

async function signalOf(key, checkin) {
  try {
    const reading = await openSignal(key, checkin.holderSignal,
      {holder: checkin.holder, created: checkin.presentedAt, challenge: checkin.challenge});
    if(!reading.bound) { return ['error', strings.unbound]; }
    return reading.duress ? ['error', strings.duress] : ['ok', strings.normal];
  } catch(error) {
    return ['muted', error.message === 'not sealed to this key' ? strings.otherKey : error.message];
  }
}

async function show(key, body) {
  const flags = $('flags-table').querySelector('tbody');
  flags.replaceChildren();
  for(const flag of body.flags) {
    const row = document.createElement('tr');
    row.dataset.kind = flag.kind;
    cell(row, flag.raisedAt);
    cell(row, code(flag.kind, 40));
    cell(row, code(flag.holder));
    cell(row, code(flag.recordId, 14));
    cell(row, JSON.stringify(flag.detail));
    flags.append(row);
  }
  $('flags-none').hidden = body.flags.length > 0;
  $('flags-table').closest('.scroll').hidden = body.flags.length === 0;
  const checkins = $('checkins-table').querySelector('tbody');
  checkins.replaceChildren();
  let duress = 0;
  for(const checkin of body.checkins) {
    const row = document.createElement('tr');
    const [cls, text] = await signalOf(key, checkin);
    if(text === strings.duress) { duress += 1; }
    row.dataset.signal = cls;
    cell(row, checkin.receivedAt);
    cell(row, text, cls);
    cell(row, code(checkin.facility, 32));
    cell(row, code(checkin.holder));
    cell(row, checkin.documentMatches ? strings.yes : strings.no);
    cell(row, checkin.onSite ? strings.yes : strings.no);
    cell(row, code(checkin.verifier));
    checkins.append(row);
  }
  $('checkins-none').hidden = body.checkins.length > 0;
  $('checkins-table').closest('.scroll').hidden = body.checkins.length === 0;
  $('found-summary').textContent = strings.summary.replace('{investigator}', body.investigator)
    .replace('{flags}', body.flags.length).replace('{checkins}', body.checkins.length)
    .replace('{duress}', duress);
  $('found').hidden = false;
  $('found-title').focus();
}

async function open(event) {
  event.preventDefault();
  clearProblems(form);
  $('found').hidden = true;
  const button = $('open');
  button.disabled = true;
  try {
    const status = say(errors, strings.opening, 'status');
    const key = await openKey({noFile: strings.noFile});
    status.remove();
    if(!key) { return; }
    let response;
    try {
      response = await fetch(TARGET, {headers: {
        Accept: 'application/json',
        Authorization: requestAuthorization(key, 'GET', TARGET, '', form.dataset.audience),
      }});
    } catch {
      say(errors, strings.unreachable);
      return;
    }
    if(!response.ok) {
      const problem = await readProblem(response);
      say(errors, strings.refused.replace('{status}', response.status)
        .replace('{detail}', problem.detail ?? problem.title ?? ''));
      errors.dataset.code = problem.code ?? '';
      errors.focus();
      return;
    }
    await show(key, await response.json());
  } finally {
    button.disabled = false;
  }
}

form.addEventListener('submit', open);
form.dataset.ready = 'true';
