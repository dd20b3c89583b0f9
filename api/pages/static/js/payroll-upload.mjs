/**
 * /wages/upload: check a payroll CSV on the server without storing anything
 * (POST /wages/upload/check, text/csv), show its problems by row and column or each line's
 * compliance, then sign every line's wage/v1 payload, as the server previewed it, with the
 * employer's key file opened in the page, and submit the run to POST /v1/wages.
 */

import {signEnvelope} from 'ledger-keys';

import {clearProblems, openKey, readProblem, say, showFieldError, showProblem, stringsOf}
  from '/static/js/forms.mjs';

const form = document.getElementById('payroll-form');
const signForm = document.getElementById('sign-form');
const strings = stringsOf('wages-strings');
const $ = id => document.getElementById(id);
let checked = null;

function cell(row, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if(cls) { td.className = cls; }
  row.append(td);
  return td;
}

function showFileProblems(problem) {
  const body = $('problems-table').querySelector('tbody');
  body.replaceChildren();
  for(const error of problem.errors ?? []) {
    const row = document.createElement('tr');
    row.dataset.row = error.row ?? '';
    row.dataset.column = error.column ?? '';
    cell(row, error.row ?? strings.wholeFile, 'num');
    const column = cell(row, '');
    if(error.column) {
      const code = document.createElement('code');
      code.textContent = error.column;
      column.append(code);
    } else {
      column.textContent = error.row == null ? '' : strings.wholeRow;
    }
    cell(row, error.detail);
    body.append(row);
  }
  $('file-problems-summary').textContent = problem.detail;
  $('file-problems').hidden = false;
  $('file-problems-title').focus();
}

function showResults(result) {
  const body = $('lines-table').querySelector('tbody');
  body.replaceChildren();
  for(const line of result.lines) {
    const row = document.createElement('tr');
    row.dataset.line = line.line;
    cell(row, line.line, 'num');
    cell(row, line.row, 'num');
    const worker = cell(row, '');
    const code = document.createElement('code');
    code.textContent = line.worker.length > 24 ? line.worker.slice(0, 20) + '…' : line.worker;
    code.title = line.worker;
    worker.append(code);
    cell(row, line.gross, 'num');
    cell(row, line.net, 'num');
    const verdict = cell(row, '');
    if(line.compliant) {
      verdict.append(Object.assign(document.createElement('span'),
        {className: 'ok', textContent: '✓ ' + strings.compliant}));
    } else {
      verdict.append(Object.assign(document.createElement('span'),
        {className: 'error', textContent: '✗ ' + strings.violations}));
      const list = document.createElement('ul');
      for(const v of line.violations) {
        const item = document.createElement('li');
        item.dataset.rule = v.rule;
        const rule = document.createElement('code');
        rule.textContent = v.rule;
        item.append(rule, ': ' + v.detail);
        list.append(item);
      }
      verdict.append(list);
    }
    body.append(row);
  }
  const report = result.report;
  $('results-summary').textContent = strings.summary
    .replace('{lines}', report.lines).replace('{compliant}', report.compliantLines)
    .replace('{jurisdiction}', report.jurisdiction).replace('{version}', report.rulesVersion)
    .replace('{facility}', result.facility);
  const caveats = $('caveats');
  caveats.replaceChildren(...report.caveats.map(c => Object.assign(
    document.createElement('li'), {textContent: `${c.rule}: ${c.detail}`})));
  $('results').hidden = false;
  $('results-title').focus();
}

async function check(event) {
  event.preventDefault();
  clearProblems(form);
  checked = null;
  for(const id of ['file-problems', 'results', 'submitted']) { $(id).hidden = true; }
  const facility = $('facility');
  const file = $('payroll-file').files?.[0];
  if(!facility.value.trim()) { showFieldError(facility, strings.required); facility.focus(); return; }
  if(!file) { showFieldError($('payroll-file'), strings.noCsv); $('payroll-file').focus(); return; }
  const query = new URLSearchParams({facility: facility.value.trim(), country: $('country').value});
  let response;
  try {
    response = await fetch(`/wages/upload/check?${query}`, {
      method: 'POST', body: await file.arrayBuffer(),
      headers: {'Content-Type': 'text/csv', Accept: 'application/json'},
    });
  } catch {
    say($('form-errors'), strings.unreachable);
    return;
  }
  if(!response.ok) {
    const problem = await readProblem(response);
    if(problem.code === 'payroll_invalid') { return showFileProblems(problem); }
    showProblem(form, problem, $('form-errors'));
    return;
  }
  checked = await response.json();
  showResults(checked);
}

async function submit(event) {
  event.preventDefault();
  clearProblems(signForm);
  if(!checked) { return; }
  const button = $('sign-submit');
  button.disabled = true;
  try {
    const status = say($('sign-errors'), strings.opening, 'status');
    const key = await openKey({noFile: strings.noFile});
    status.remove();
    if(!key) { return; }
    const created = new Date();
    const lines = checked.payloads.map(payload => signEnvelope('wage', payload, key, {created}));
    let response;
    try {
      response = await fetch('/v1/wages', {
        method: 'POST', body: JSON.stringify({lines}),
        headers: {'Content-Type': 'application/json', Accept: 'application/json'},
      });
    } catch {
      say($('sign-errors'), strings.unreachable);
      return;
    }
    if(response.status !== 201) {
      const problem = await readProblem(response);
      showProblem(signForm, problem, $('sign-errors'));
      for(const error of problem.errors ?? []) {
        const row = checked.lines[error.index]?.row ?? '?';
        say($('sign-errors'), strings.refusedRow.replace('{row}', row)
          .replace('{detail}', `${error.code}: ${error.detail}`));
      }
      $('sign-errors').focus();
      return;
    }
    const run = await response.json();
    const flagged = run.lines.filter(line => !line.compliant).length;
    $('submitted-summary').textContent = strings.admitted.replace('{run}', run.run)
      .replace('{lines}', run.lines.length).replace('{flagged}', flagged);
    $('run-link').href = `/v1/facilities/${encodeURIComponent(run.facility)}/wages`;
    $('results').hidden = true;
    $('submitted').hidden = false;
    $('submitted-title').focus();
  } finally {
    button.disabled = false;
  }
}

form.addEventListener('submit', check);
signForm.addEventListener('submit', submit);
form.dataset.ready = 'true';
