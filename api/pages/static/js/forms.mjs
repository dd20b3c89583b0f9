/**
 * What the signing pages (audits, payroll, investigations) share: opening the signer's key
 * file from the page's key fieldset (_keyfile.html) with ledger-keys.mjs, and showing
 * problems next to the field they name.
 *
 *   openKey(strings)              the key from #key-file + #key-passphrase, or null (the
 *                                 problem shown beside the input at fault)
 *   showProblem(form, problem, fallback)
 *                                 a problem+json body beside the input whose data-field is its
 *                                 `field` (or the longest prefix of it), else in `fallback`
 *   clearProblems(form)
 *   readProblem(response)         the problem+json body of a refused response
 */

import {openKeyFile} from 'ledger-keys';

const SIGNER_CODES = new Set([
  'bad_signature', 'unknown_signer', 'not_accredited', 'not_in_scope', 'signer_revoked',
  'signer_suspended', 'unauthorized', 'forbidden'
]);

function errorOf(input) {
  const id = input.getAttribute('aria-describedby')?.split(' ').find(i => i.endsWith('-error'));
  return id ? document.getElementById(id) : null;
}

export function showFieldError(input, message) {
  const box = errorOf(input);
  input.setAttribute('aria-invalid', 'true');
  if(box) { box.textContent = message; box.hidden = false; }
}

export function clearProblems(root) {
  for(const input of root.querySelectorAll('[aria-invalid]')) { input.removeAttribute('aria-invalid'); }
  for(const box of root.querySelectorAll('.field-error')) { box.textContent = ''; box.hidden = true; }
  for(const box of root.querySelectorAll('.form-errors')) { box.replaceChildren(); }
}

export function say(box, message, cls = 'error') {
  const p = document.createElement('p');
  p.className = cls;
  p.textContent = message;
  box.append(p);
  return p;
}

/** The input a problem's field names: exact, else the longest dotted prefix that has one. */
export function inputFor(root, field) {
  if(typeof field !== 'string') { return null; }
  const parts = field.split('.');
  while(parts.length) {
    const found = root.querySelector(`[data-field="${CSS.escape(parts.join('.'))}"]`);
    if(found) { return found; }
    parts.pop();
  }
  return null;
}

export function showProblem(root, problem, fallback) {
  const message = problem.detail || problem.title || String(problem.status);
  let input = inputFor(root, problem.field);
  if(!input && SIGNER_CODES.has(problem.code)) { input = root.querySelector('#key-file'); }
  if(input && input.dataset.field !== 'payload') {
    showFieldError(input, message);
    input.focus();
    return input;
  }
  say(fallback, message).dataset.code = problem.code ?? '';
  fallback.focus?.();
  return null;
}

export async function readProblem(response) {
  try {
    return await response.json();
  } catch {
    return {status: response.status, detail: `HTTP ${response.status}`};
  }
}

/** The key the page's key fieldset names, opened; null when it cannot be (said why). */
export async function openKey(strings) {
  const fileInput = document.getElementById('key-file');
  const passInput = document.getElementById('key-passphrase');
  const file = fileInput.files?.[0];
  if(!file) { showFieldError(fileInput, strings.noFile); fileInput.focus(); return null; }
  let parsed;
  try {
    parsed = JSON.parse(await file.text());
  } catch {
    showFieldError(fileInput, 'not a ledger key file (version 1, ed25519, argon2id)');
    fileInput.focus();
    return null;
  }
  try {
    return await openKeyFile(parsed, passInput.value);
  } catch(error) {
    const wrongPass = error.message.startsWith('wrong passphrase');
    showFieldError(wrongPass ? passInput : fileInput, error.message);
    (wrongPass ? passInput : fileInput).focus();
    return null;
  } finally {
    passInput.value = '';
  }
}

/** The page's strings (data-* of #id), as an object. */
export function stringsOf(id) {
  return {...document.getElementById(id).dataset};
}
