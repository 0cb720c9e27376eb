// The Hooks page of hookengine. Plain JavaScript; its one dependency is the
// code editor, CodeMirror 6, bundled into editor.js (see dashboard/editor).
// Every call goes to this origin's Management API with the token the user
// gave, and the DOM is built with textContent only (the page's CSP requires
// Trusted Types, so HTML strings could not be used anyway).

import { createEditor } from './editor.js';

const TOKEN_KEY = 'hookengine.token';
// The name rule comes from the server (points.json: store.CheckName's
// pattern and bound), so the page and the API never disagree.
let NAME_PATTERN = null;
let MAX_NAME = 0;
const MAX_SECRETS = 20;
const MAX_LOG_LINES = 500;
const CHECK_DELAY_MS = 350;

const $ = (id) => document.getElementById(id);

// el builds an element: el('li', {class: 'x', onclick: f}, 'text', child...).
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const state = {
  token: null,
  points: [],
  pointById: new Map(),
  hooks: [],
  hook: null,          // the selected hook, script included
  savedScript: '',
  dirty: false,
  checkSeq: 0,
  checkTimer: 0,
  compileError: null,
  secrets: [],
  editingSecret: null, // the name whose value is being changed
  logs: null,          // {abort: AbortController, hookId}
};

// ---------------------------------------------------------------------------
// Notices

let toastTimer = 0;
function toast(message) {
  const t = $('toast');
  t.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.textContent = ''; }, 6000);
}

let alertTimer = 0;
function alertError(message) {
  const a = $('alert');
  a.textContent = message;
  clearTimeout(alertTimer);
  alertTimer = setTimeout(() => { a.textContent = ''; }, 10000);
}

// describe turns an API error into a sentence for the user.
function describe(err) {
  if (!(err instanceof ApiError)) return String(err && err.message || err);
  switch (err.status) {
    case 0: return err.message;
    case 401: return 'The server refused the token (401: ' + err.message + ').';
    case 403: return 'Not allowed with this token (403): ' + err.message;
    default: return err.message + ' (' + err.status + (err.code ? ' ' + err.code : '') + ')';
  }
}

// ---------------------------------------------------------------------------
// The Management API

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code || '';
  }
}

// api calls the Management API with the token. body is a value to send as
// JSON, or a string sent as it is. A 401 signs the user out.
async function api(method, path, body, signal) {
  const headers = { Authorization: 'Bearer ' + state.token, Accept: 'application/json' };
  const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error', signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server could not be reached (' + e.message + ').');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data && data.errorCode, (data && data.message) || res.statusText);
    if (res.status === 401) signOut('The server refused the token (401: ' + err.message + '). Sign in again.');
    throw err;
  }
  return data;
}

const hooksPath = (id, rest) => '/api/v2/hooks' + (id ? '/' + encodeURIComponent(id) : '') + (rest || '');

// listHooks reads every hook, a page of 100 at a time.
async function listHooks() {
  const all = [];
  for (let page = 0; ; page++) {
    const q = new URLSearchParams({ page, per_page: 100, include_totals: 'true', fields: 'id,name,enabled,triggerId' });
    const res = await api('GET', hooksPath() + '?' + q);
    all.push(...res.hooks);
    if (res.hooks.length === 0 || all.length >= res.total) return all;
  }
}

// ---------------------------------------------------------------------------
// Sign-in

function showSignIn(message) {
  $('app-view').hidden = true;
  $('sign-out').hidden = true;
  $('signin-view').hidden = false;
  $('signin-error').textContent = message || '';
  $('token').value = '';
  $('token').focus();
}

async function signIn(token) {
  state.token = token;
  try {
    state.hooks = await listHooks();
  } catch (err) {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    let msg = describe(err);
    if (err.status === 403) msg = 'This token may not read hooks (403): ' + err.message;
    showSignIn(msg);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $('signin-view').hidden = true;
  $('app-view').hidden = false;
  $('sign-out').hidden = false;
  renderPoints();
  showView('empty');
  $('create-open').focus();
}

function signOut(message) {
  stopLogs();
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.hooks = [];
  state.hook = null;
  setDirty(false);
  showSignIn(message);
}

// ---------------------------------------------------------------------------
// The extensibility points and their hooks

function renderPoints(flash) {
  const list = $('point-list');
  list.replaceChildren();
  for (const p of state.points) {
    const hooks = state.hooks.filter((h) => h.triggerId === p.id).sort((a, b) => a.name.localeCompare(b.name));
    const enabled = hooks.find((h) => h.enabled);
    const items = hooks.map((h) => {
      const selected = state.hook && state.hook.id === h.id;
      const row = el('li', { class: 'hook-row' + (h.enabled ? ' is-enabled' : '') + (flash && flash.has(h.id) ? ' flash' : ''), 'data-hook-id': h.id },
        el('button', {
          type: 'button', role: 'switch', class: 'switch', 'aria-checked': h.enabled ? 'true' : 'false',
          'aria-label': 'Run ' + h.name + ' for ' + p.id,
          title: h.enabled ? 'Enabled: runs for ' + p.id + '. Click to disable.' : 'Disabled. Click to enable (disables the enabled one).',
          onclick: () => setEnabled(h, !h.enabled),
        }),
        el('button', { type: 'button', class: 'hook-link', 'aria-current': selected ? 'page' : false, title: h.name, onclick: () => openHook(h.id) }, h.name));
      return row;
    });
    const runs = enabled ? ['Runs ', el('strong', {}, enabled.name)] : ['No hook enabled'];
    list.append(el('section', { class: 'point', 'aria-labelledby': 'point-' + p.id, 'data-point': p.id },
      el('h3', { id: 'point-' + p.id }, p.id, p.blocking ? el('span', { class: 'tag' }, 'blocking') : el('span', { class: 'tag muted' }, 'async')),
      el('p', { class: 'summary' }, p.summary),
      el('p', { class: 'runs' }, ...runs),
      hooks.length ? el('ul', { class: 'hook-list', 'aria-label': 'Hooks of ' + p.id }, items) : null,
      el('button', { type: 'button', class: 'link small', onclick: () => openCreate(p.id) }, '+ New ' + p.id + ' hook')));
  }
  updateMoreHint();
}

// updateMoreHint shows, at the bottom of the list of points, which points
// are below its fold (on a short window, send-phone-message is), with a
// button that brings them into view.
function updateMoreHint() {
  const body = $('points-body');
  const hint = $('points-more');
  const scrolls = getComputedStyle(body).overflowY === 'auto' && body.scrollHeight > body.clientHeight;
  const bottom = body.getBoundingClientRect().bottom;
  const below = scrolls ? [...document.querySelectorAll('#point-list .point')].filter((sec) => sec.getBoundingClientRect().top + 24 > bottom) : [];
  hint.hidden = below.length === 0;
  if (hint.hidden) return;
  const names = below.map((sec) => sec.dataset.point);
  hint.textContent = 'More below: ' + names.join(', ') + ' ↓';
  hint.title = hint.textContent; // the hint is one line; the names may not fit
  hint.dataset.targets = names.join(' ');
}

// showMorePoints scrolls the list to its end, where the points the hint
// names are, and moves the focus to the first of them.
function showMorePoints() {
  const names = ($('points-more').dataset.targets || '').split(' ');
  const secs = names.map((n) => document.querySelector('#point-list .point[data-point="' + n + '"]')).filter(Boolean);
  if (secs.length === 0) return;
  $('points-body').scrollTop = $('points-body').scrollHeight;
  const first = secs[0].querySelector('button');
  if (first) first.focus({ preventScroll: true });
  updateMoreHint();
}

async function refreshHooks(flash) {
  state.hooks = await listHooks();
  const h = state.hook;
  if (h) {
    const now = state.hooks.find((x) => x.id === h.id);
    if (!now) {
      // Deleted elsewhere (another tab, the CLI, a deploy).
      alertError(h.name + ' no longer exists on the server.');
      setDirty(false);
      closeHook();
      showView('empty');
    } else if (now.enabled !== h.enabled || now.name !== h.name) {
      h.enabled = now.enabled;
      h.name = now.name;
      renderHookHead();
    }
  }
  renderPoints(flash);
}

// setEnabled enables or disables a hook. The server disables the hook that
// was enabled for the point; the list shows it at once.
async function setEnabled(h, enabled) {
  const before = state.hooks.find((x) => x.triggerId === h.triggerId && x.enabled && x.id !== h.id);
  try {
    await api('PATCH', hooksPath(h.id), { enabled });
    await refreshHooks(new Set([h.id, before && before.id].filter(Boolean)));
  } catch (err) {
    alertError('Could not ' + (enabled ? 'enable ' : 'disable ') + h.name + ': ' + describe(err));
    return;
  }
  const after = before && state.hooks.find((x) => x.id === before.id);
  if (enabled && after && !after.enabled) {
    toast(h.name + ' is enabled; ' + before.name + ' was disabled: one hook runs per extensibility point.');
  } else {
    toast(h.name + (enabled ? ' is enabled: it runs for ' + h.triggerId + '.' : ' is disabled: no hook runs for ' + h.triggerId + '.'));
  }
  const sw = document.querySelector('[data-hook-id="' + h.id + '"] .switch');
  if (sw) sw.focus();
}

// ---------------------------------------------------------------------------
// Views of the workspace

function showView(which) {
  $('empty-view').hidden = which !== 'empty';
  $('create-view').hidden = which !== 'create';
  $('hook-view').hidden = which !== 'hook';
}

// leave asks before unsaved changes are lost; it resolves to true when the
// caller may go on.
async function leave() {
  if (!state.dirty) return true;
  const ok = await confirmDialog('Discard unsaved changes?', 'The script of ' + state.hook.name + ' has changes that are not saved.', 'Discard changes');
  if (ok) setDirty(false);
  return ok;
}

function closeHook() {
  stopLogs();
  state.hook = null;
  renderPoints();
}

// ---------------------------------------------------------------------------
// Create a Hook

// nameProblem says what is wrong with a hook name, as the API would.
function nameProblem(name) {
  if (name === '') return 'Enter a name.';
  if ([...name].length > MAX_NAME) return 'A name has at most ' + MAX_NAME + ' characters.';
  if (!NAME_PATTERN.test(name)) {
    if (/^[ -]|[ -]$/.test(name)) return 'A name starts and ends with a letter or a digit.';
    return 'Only letters, digits, spaces and hyphens are allowed.';
  }
  return '';
}

function setFieldError(input, errorEl, message) {
  errorEl.textContent = message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

async function openCreate(pointId) {
  if (!(await leave())) return;
  closeHook();
  const fs = $('new-point');
  fs.replaceChildren(el('legend', {}, 'Extensibility point'));
  for (const p of state.points) {
    const id = 'new-point-' + p.id;
    fs.append(el('div', { class: 'choice' },
      el('input', { type: 'radio', name: 'point', id, value: p.id, checked: p.id === (pointId || state.points[0].id) }),
      el('label', { for: id }, el('strong', {}, p.id), el('span', { class: 'summary' }, p.summary))));
  }
  $('new-name').value = '';
  setFieldError($('new-name'), $('new-name-error'), '');
  $('create-error').textContent = '';
  showView('create');
  $('new-name').focus();
}

async function createHook(e) {
  e.preventDefault();
  const nameInput = $('new-name');
  const name = nameInput.value.trim();
  const problem = nameProblem(name);
  setFieldError(nameInput, $('new-name-error'), problem);
  $('create-error').textContent = '';
  if (problem) { nameInput.focus(); return; }
  const form = new FormData($('create-form'));
  const point = state.pointById.get(form.get('point'));
  const script = form.get('form') === 'action' ? point.action_starter : point.starter;
  try {
    const h = await api('POST', hooksPath(), { name, script, triggerId: point.id });
    await refreshHooks(new Set([h.id]));
    toast('Created ' + h.name + ', disabled. Edit its script, then enable it.');
    await openHook(h.id, true);
  } catch (err) {
    if (err.status === 409 || (err.status === 400 && /name/.test(err.message))) {
      setFieldError(nameInput, $('new-name-error'), err.status === 409 ? 'A hook with this name exists already (names are unique across all points, ignoring case, spaces and hyphens).' : err.message);
      nameInput.focus();
    } else {
      $('create-error').textContent = 'Could not create the hook: ' + describe(err);
    }
  }
}

// ---------------------------------------------------------------------------
// The selected hook

async function openHook(id, fresh) {
  if (!fresh && state.hook && state.hook.id === id) return;
  if (!(await leave())) return;
  let h;
  try {
    h = await api('GET', hooksPath(id));
  } catch (err) {
    alertError('Could not open the hook: ' + describe(err));
    if (err.status === 404) await refreshHooks();
    return;
  }
  state.hook = h;
  state.savedScript = h.script;
  scriptEditor.set(h.script);
  setDirty(false);
  setCompileError(null);
  $('compile-text').textContent = '';
  $('rename-form').hidden = true;
  renderHookHead();
  renderPoints();
  resetRunner();
  resetSecretForm();
  loadSecrets();
  $('dep-error').textContent = '';
  checkDependencies();
  startLogs(h.id);
  showView('hook');
  scheduleCheck(0);
  scriptEditor.focus();
}

function renderHookHead() {
  const h = state.hook;
  $('hook-title').textContent = h.name;
  $('hook-point').textContent = h.triggerId;
  const s = $('hook-state');
  s.textContent = h.enabled ? 'enabled' : 'disabled';
  s.className = 'badge ' + (h.enabled ? 'on' : 'off');
}

function setDirty(dirty) {
  state.dirty = dirty;
  const s = $('save-state');
  s.textContent = dirty ? 'Unsaved changes' : (state.hook ? 'Saved' : '');
  s.className = 'save-state' + (dirty ? ' dirty' : '');
}

// --- The compile check

function setCompileError(err) {
  state.compileError = err;
  scriptEditor.mark(err && err.line ? [{ line: err.line, column: err.column, message: err.message }] : []);
  $('compile-goto').hidden = !(err && err.line);
  const status = $('compile-status');
  status.className = 'compile' + (err ? ' bad' : '');
}

function scheduleCheck(delay) {
  clearTimeout(state.checkTimer);
  state.checkTimer = setTimeout(() => { checkScript(); }, delay === undefined ? CHECK_DELAY_MS : delay);
}

// checkScript asks the server whether the editor's script compiles. It
// resolves to true when it does (or when the check cannot run).
async function checkScript() {
  clearTimeout(state.checkTimer);
  const h = state.hook;
  if (!h) return true;
  const script = scriptEditor.value();
  const seq = ++state.checkSeq;
  if (script.trim() === '') {
    setCompileError({ message: 'The script is empty.' });
    $('compile-text').textContent = 'The script is empty.';
    return false;
  }
  let res;
  try {
    res = await api('POST', '/hookengine/v1/triggers/' + encodeURIComponent(h.triggerId) + '/check', { script });
  } catch (err) {
    if (seq === state.checkSeq) {
      setCompileError(null);
      $('compile-text').textContent = 'Compile check unavailable: ' + describe(err);
    }
    return true;
  }
  if (seq !== state.checkSeq) return res.compiles;
  if (res.compiles) {
    setCompileError(null);
    $('compile-text').textContent = 'Compiles.';
    return true;
  }
  const e = res.error;
  setCompileError(e);
  $('compile-text').textContent = e.line ? 'Line ' + e.line + ', column ' + e.column + ': ' + e.message : e.message;
  return false;
}

async function save() {
  const h = state.hook;
  if (!h) return;
  if (!state.dirty) { toast('Nothing to save: the script is as saved.'); return; }
  const script = scriptEditor.value();
  $('save-state').textContent = 'Checking…';
  if (!(await checkScript())) {
    $('save-state').textContent = 'Not saved: fix the compile error first';
    $('save-state').className = 'save-state dirty';
    return;
  }
  try {
    const updated = await api('PATCH', hooksPath(h.id), { script });
    state.savedScript = updated.script;
    setDirty(scriptEditor.value() !== state.savedScript);
    toast('Saved ' + updated.name + '.');
  } catch (err) {
    if (err.status === 401) return; // signed out already
    setDirty(true);
    $('save-state').textContent = 'Not saved';
    alertError('Could not save: ' + describe(err));
  }
}

// --- Rename and delete

function openRename() {
  $('rename-form').hidden = false;
  $('rename-name').value = state.hook.name;
  setFieldError($('rename-name'), $('rename-error'), '');
  $('rename-name').focus();
  $('rename-name').select();
}

async function rename(e) {
  e.preventDefault();
  const input = $('rename-name');
  const name = input.value.trim();
  const problem = nameProblem(name);
  setFieldError(input, $('rename-error'), problem);
  if (problem) { input.focus(); return; }
  try {
    const updated = await api('PATCH', hooksPath(state.hook.id), { name });
    state.hook.name = updated.name;
    $('rename-form').hidden = true;
    renderHookHead();
    await refreshHooks(new Set([updated.id]));
    toast('Renamed to ' + updated.name + '.');
    $('rename-open').focus();
  } catch (err) {
    setFieldError(input, $('rename-error'), err.status === 409 ? 'A hook with this name exists already.' : describe(err));
    input.focus();
  }
}

async function deleteHook() {
  const h = state.hook;
  const ok = await confirmDialog('Delete ' + h.name + '?', 'The hook, its script and its secrets are deleted for good' +
    (h.enabled ? '; nothing will run for ' + h.triggerId + ' any more.' : '.'), 'Delete the hook');
  if (!ok) return;
  try {
    await api('DELETE', hooksPath(h.id));
  } catch (err) {
    alertError('Could not delete ' + h.name + ': ' + describe(err));
    return;
  }
  setDirty(false);
  closeHook();
  showView('empty');
  await refreshHooks();
  toast('Deleted ' + h.name + '.');
  $('create-open').focus();
}

// ---------------------------------------------------------------------------
// Secrets

async function loadSecrets() {
  const id = state.hook.id;
  try {
    const secrets = await api('GET', hooksPath(id, '/secrets'));
    if (!state.hook || state.hook.id !== id) return;
    // Only the names are kept: the values are "_VALUE_NOT_SHOWN_" anyway.
    state.secrets = Object.keys(secrets).sort();
  } catch (err) {
    state.secrets = [];
    $('secret-error').textContent = 'Could not read the secrets: ' + describe(err);
  }
  renderSecrets();
}

function renderSecrets() {
  const rows = state.secrets.map((name) => el('tr', { 'data-secret': name },
    el('th', { scope: 'row' }, el('code', {}, name)),
    el('td', { class: 'hidden-value' }, 'hidden'),
    el('td', { class: 'row-actions' },
      el('button', { type: 'button', class: 'small', 'aria-label': 'Change the value of ' + name, onclick: () => editSecret(name) }, 'Change'),
      el('button', { type: 'button', class: 'small danger', 'aria-label': 'Delete ' + name, onclick: () => deleteSecret(name) }, 'Delete'))));
  $('secret-rows').replaceChildren(...rows);
  $('secrets-empty').hidden = rows.length > 0;
  $('secret-count').textContent = state.secrets.length ? '(' + state.secrets.length + ')' : '';
  $('secret-form').hidden = state.secrets.length >= MAX_SECRETS && !state.editingSecret;
}

function resetSecretForm() {
  state.editingSecret = null;
  $('secret-form-title').textContent = 'Add a secret';
  $('secret-name').value = '';
  $('secret-name').disabled = false;
  $('secret-value').value = '';
  $('secret-submit').textContent = 'Add';
  $('secret-cancel').hidden = true;
  $('secret-error').textContent = '';
}

function editSecret(name) {
  resetSecretForm();
  state.editingSecret = name;
  $('secret-form-title').textContent = 'Change the value of ' + name;
  $('secret-name').value = name;
  $('secret-name').disabled = true;
  $('secret-submit').textContent = 'Save value';
  $('secret-cancel').hidden = false;
  $('secret-value').focus();
}

async function submitSecret(e) {
  e.preventDefault();
  const name = $('secret-name').value.trim();
  const value = $('secret-value').value;
  const editing = state.editingSecret;
  if (!name) { $('secret-error').textContent = 'Enter a name.'; $('secret-name').focus(); return; }
  if (!editing && state.secrets.includes(name)) {
    $('secret-error').textContent = name + ' exists already: use its Change button.';
    return;
  }
  try {
    await api(editing ? 'PATCH' : 'POST', hooksPath(state.hook.id, '/secrets'), { [name]: value });
  } catch (err) {
    $('secret-error').textContent = describe(err);
    return;
  }
  // The value leaves the page: the field is cleared at once.
  resetSecretForm();
  await loadSecrets();
  toast(editing ? 'Changed the value of ' + name + '.' : 'Added the secret ' + name + '.');
  $('secret-name').focus();
}

async function deleteSecret(name) {
  const ok = await confirmDialog('Delete the secret ' + name + '?', 'context.webtask.secrets.' + name + ' will be undefined from the next run on.', 'Delete the secret');
  if (!ok) return;
  try {
    await api('DELETE', hooksPath(state.hook.id, '/secrets'), [name]);
  } catch (err) {
    $('secret-error').textContent = describe(err);
    return;
  }
  resetSecretForm();
  await loadSecrets();
  toast('Deleted the secret ' + name + '.');
}

// ---------------------------------------------------------------------------
// Dependencies: the npm packages the hook declares, with the engine's
// verdict on each (from the compile check, which checks them as a run
// would).

// What each problem the engine reports means, in a few words.
const DEP_PROBLEMS = {
  missing: 'Missing: not installed on the server',
  wrong_version: 'Wrong version',
  esm_only: 'ES module only: require cannot load it',
  native_addon: 'Native addon: hooks load pure JavaScript only',
  core_module: 'Node.js core module: not available to hooks',
  invalid: 'Invalid name or version',
  unloadable: 'Installed, but cannot be loaded',
};

function depsOf(h) {
  return (h && h.dependencies) || {};
}

function renderDependencies(verdicts, note) {
  const deps = depsOf(state.hook);
  const names = Object.keys(deps).sort();
  const byName = new Map((verdicts || []).map((v) => [v.name, v]));
  const rows = names.map((name) => {
    const v = byName.get(name);
    let verdict;
    if (!v) {
      verdict = el('p', { class: 'verdict' }, el('span', { class: 'badge' }, 'unknown'));
    } else if (v.ok) {
      verdict = el('p', { class: 'verdict' }, el('span', { class: 'badge on' }, 'ok'), ' Satisfied: the engine can load it.');
    } else {
      const what = DEP_PROBLEMS[v.problem] || v.problem || 'Not satisfied';
      verdict = el('p', { class: 'verdict' },
        el('span', { class: 'badge bad' }, v.problem ? v.problem.replace('_', ' ') : 'problem'), ' ',
        el('strong', {}, what + (v.problem === 'wrong_version' && v.installed ? ': ' + v.installed + ' is installed' : '')),
        v.problem === 'wrong_version' ? null : el('span', { class: 'reason' }, v.reason));
    }
    return el('li', { 'data-dependency': name, 'data-verdict': v ? (v.ok ? 'ok' : v.problem || 'problem') : 'unknown' },
      el('div', { class: 'dep-head' },
        el('code', { class: 'dep-name' }, name), el('code', { class: 'dep-version' }, deps[name]),
        el('button', { type: 'button', class: 'small danger', 'aria-label': 'Remove ' + name, onclick: () => removeDependency(name) }, 'Remove')),
      verdict);
  });
  $('dep-rows').replaceChildren(...rows);
  $('deps-empty').hidden = rows.length > 0;
  const bad = (verdicts || []).filter((v) => !v.ok).length;
  $('dep-count').textContent = names.length ? '(' + names.length + ')' : '';
  $('tab-deps').classList.toggle('has-problem', bad > 0);
  $('deps-summary').textContent = note || (names.length === 0 ? '' : bad === 0
    ? 'Every dependency is satisfied on this server.'
    : bad + ' of ' + names.length + ' not satisfied: runs of this hook fail with dependency_error until they are.');
}

// checkDependencies asks the engine for its verdict on each dependency.
async function checkDependencies() {
  const h = state.hook;
  const deps = depsOf(h);
  if (Object.keys(deps).length === 0) { renderDependencies([]); return; }
  renderDependencies(null, 'Checking…');
  try {
    const res = await api('POST', '/hookengine/v1/triggers/' + encodeURIComponent(h.triggerId) + '/check',
      { script: state.savedScript || scriptEditor.value() || ' ', dependencies: deps });
    if (state.hook !== h) return;
    renderDependencies(res.dependencies || []);
  } catch (err) {
    if (state.hook !== h) return;
    renderDependencies(null, 'The verdicts are unavailable: ' + describe(err));
  }
}

async function saveDependencies(deps, done) {
  const h = state.hook;
  const updated = await api('PATCH', hooksPath(h.id), { dependencies: deps });
  h.dependencies = updated.dependencies || {};
  await checkDependencies();
  toast(done);
}

async function addDependency(e) {
  e.preventDefault();
  const name = $('dep-name').value.trim();
  const version = $('dep-version').value.trim();
  const error = $('dep-error');
  setFieldError($('dep-name'), error, '');
  $('dep-version').removeAttribute('aria-invalid');
  if (!name) { setFieldError($('dep-name'), error, 'Enter the package\'s name.'); $('dep-name').focus(); return; }
  if (!version) { setFieldError($('dep-version'), error, 'Enter a version or a range, such as 1.2.3 or ^1.2.0.'); $('dep-version').focus(); return; }
  const deps = { ...depsOf(state.hook), [name]: version };
  const had = name in depsOf(state.hook);
  try {
    await saveDependencies(deps, (had ? 'Changed ' : 'Added ') + name + '@' + version + '.');
  } catch (err) {
    error.textContent = 'Could not save the dependencies: ' + describe(err);
    return;
  }
  $('dep-name').value = '';
  $('dep-version').value = '';
  $('dep-name').focus();
}

async function removeDependency(name) {
  const deps = { ...depsOf(state.hook) };
  delete deps[name];
  try {
    await saveDependencies(deps, 'Removed ' + name + '.');
  } catch (err) {
    $('dep-error').textContent = 'Could not save the dependencies: ' + describe(err);
    return;
  }
  $('dep-name').focus();
}

// ---------------------------------------------------------------------------
// Runner

function resetRunner() {
  const p = state.pointById.get(state.hook.triggerId);
  inputEditor.set(JSON.stringify(p.sample, null, 2));
  inputEditor.mark([]);
  $('run-input-error').textContent = '';
  $('run-input').removeAttribute('aria-invalid');
  $('run-result').replaceChildren();
  $('bench-result').replaceChildren();
  // A runner opened for another hook starts at its input, not where the
  // last result left the panel scrolled.
  $('panel-runner').scrollTop = 0;
}

// showInPanel scrolls the runner's panel, and only it, so that node's top
// is at the panel's top.
function showInPanel(node) {
  const panel = $('panel-runner');
  panel.scrollTop += node.getBoundingClientRect().top - panel.getBoundingClientRect().top - 4;
}

const fmtJSON = (v) => JSON.stringify(v, null, 2);

// outcomeView says in words what the run's outcome means for its point.
function outcomeView(o) {
  if (!o) return null;
  const block = (title, ...rest) => el('div', { class: 'outcome' }, el('h5', {}, title), ...rest);
  const json = (label, v) => [el('p', { class: 'kv' }, label), el('pre', { class: 'json' }, v === null || v === undefined ? 'unchanged (null)' : fmtJSON(v))];
  const f = o.failure;
  switch (o.trigger) {
    case 'credentials-exchange':
      if (o.oauth_error) {
        return block('Token refused: /oauth/token answers ' + o.oauth_error.status + ' ' + o.oauth_error.error,
          el('p', {}, o.oauth_error.error_description));
      }
      return block('The access token that would be issued',
        ...json('scope', o.scope || []),
        ...json('claims', o.claims || {}),
        o.ignored && o.ignored.length ? el('p', { class: 'help' }, 'Ignored (not URL claims): ' + o.ignored.join(', ')) : null);
    case 'pre-user-registration':
      if (o.denied) {
        return block('Signup denied' + (f.name ? ' (' + f.name + ')' : ''),
          el('p', {}, 'For the logs: ' + f.message),
          f.friendly_message ? el('p', {}, 'For the user: ' + f.friendly_message) : null);
      }
      return block('The metadata that would be saved on the new user',
        ...json('user_metadata', o.user_metadata), ...json('app_metadata', o.app_metadata));
    case 'send-phone-message':
      if (f) return block('Message not sent', el('p', {}, f.message), f.friendly_message ? el('p', {}, 'For the user: ' + f.friendly_message) : null);
      return block('Message sent; the provider answered', ...json('result', o.result));
    default:
      if (f) return block('Failed (Auth0 only logged it)', el('p', {}, f.message));
      return block('Done (the result is ignored; only failures are logged)');
  }
}

async function run() {
  const h = state.hook;
  const text = inputEditor.value();
  try {
    JSON.parse(text);
  } catch (err) {
    $('run-input-error').textContent = 'The input is not valid JSON: ' + err.message;
    $('run-input').setAttribute('aria-invalid', 'true');
    const at = /at position (\d+)/.exec(err.message);
    if (at) {
      const before = text.slice(0, Number(at[1])).split('\n');
      inputEditor.mark([{ line: before.length, column: before[before.length - 1].length + 1, message: err.message }]);
    }
    return;
  }
  $('run-input-error').textContent = '';
  $('run-input').removeAttribute('aria-invalid');
  inputEditor.mark([]);
  const out = $('run-result');
  out.replaceChildren(el('p', { class: 'help' }, 'Running…'));
  $('run').disabled = true;
  let r;
  try {
    r = await api('POST', '/hookengine/v1/hooks/' + encodeURIComponent(h.id) + '/run', text);
  } catch (err) {
    out.replaceChildren(el('p', { class: 'error' }, 'Could not run: ' + describe(err)));
    return;
  } finally {
    $('run').disabled = false;
  }
  const envelope = { status: r.status };
  if (r.data !== undefined) envelope.data = r.data;
  out.replaceChildren(...[
    el('p', { class: 'run-head' },
      el('span', { class: 'badge ' + (r.status === 'success' ? 'on' : 'bad') }, r.status),
      el('span', { class: 'duration' }, r.duration_ms.toFixed(2) + ' ms'),
      cpuView(r),
      el('span', { class: 'ids' }, 'execution ', el('code', {}, r.execution_id))),
    state.dirty ? el('p', { class: 'help warn' }, 'The editor has unsaved changes: this ran the saved script.') : null,
    r.error ? el('p', { class: 'error' }, r.error) : null,
    outcomeView(r.outcome),
    el('h5', {}, 'Console output'),
    r.logs.length
      ? el('ol', { class: 'console' }, r.logs.map((l) => el('li', { class: 'level-' + l.level }, el('span', { class: 'level' }, l.level), ' ', l.message)))
      : el('p', { class: 'help' }, 'Nothing printed.'),
    r.logs_dropped ? el('p', { class: 'help' }, r.logs_dropped + ' more lines were dropped.') : null,
    el('details', { class: 'envelope', open: true }, el('summary', {}, 'Envelope (what Auth0\'s runtime answered)'), el('pre', { class: 'json' }, fmtJSON(envelope))),
  ].filter(Boolean));
  showInPanel(out);
}

// ---------------------------------------------------------------------------
// Benchmark: N warm runs of the saved script on the runner's input (POST
// /hookengine/v1/hooks/{id}/bench), their durations as a small histogram,
// and p50 and p99 beside the hook's limits. Kept apart from the runner.

const BENCH_RUNS = 200;

// cpuView shows a run's CPU time beside its wall time.
function cpuView(r) {
  if (typeof r.cpu_ms !== 'number') return null;
  return el('span', { class: 'cpu' }, 'CPU ' + r.cpu_ms.toFixed(2) + ' ms');
}

function fmtNs(ns) {
  if (ns >= 1e9) return (ns / 1e9).toFixed(2) + ' s';
  if (ns >= 1e6) return (ns / 1e6).toFixed(2) + ' ms';
  if (ns >= 1e3) return (ns / 1e3).toFixed(1) + ' µs';
  return Math.round(ns) + ' ns';
}

// ofLimit says what share of a limit a time is.
function ofLimit(ns, limit) {
  if (!(limit > 0)) return '';
  const pct = 100 * ns / limit;
  const shown = pct < 0.001 ? '<0.001' : pct < 0.1 ? pct.toFixed(3) : pct.toFixed(1);
  return ' — ' + shown + '% of the ' + fmtNs(limit) + ' limit';
}

// histogramView draws the bins of a histogram as bars, their heights set
// through the CSSOM (which the page's Content-Security-Policy allows, unlike
// style attributes).
function histogramView(h) {
  const most = Math.max(1, ...h.counts);
  const width = (h.max_ns - h.min_ns) / h.counts.length;
  const bars = h.counts.map((n, i) => {
    const bar = el('span', { class: 'bar', title: n + ' runs from ' + fmtNs(h.min_ns + i * width) + ' to ' + fmtNs(h.min_ns + (i + 1) * width) });
    bar.style.height = (n ? Math.max(3, 100 * n / most) : 0) + '%';
    return bar;
  });
  return el('div', { class: 'histogram', role: 'img',
    'aria-label': 'Durations of the runs, from ' + fmtNs(h.min_ns) + ' to ' + fmtNs(h.max_ns) + ', in ' + h.counts.length + ' bins' }, bars);
}

async function benchmark() {
  const h = state.hook;
  const text = inputEditor.value();
  try {
    JSON.parse(text);
  } catch (err) {
    $('run-input-error').textContent = 'The input is not valid JSON: ' + err.message;
    return;
  }
  $('run-input-error').textContent = '';
  const out = $('bench-result');
  out.replaceChildren(el('p', { class: 'help' }, 'Running ' + BENCH_RUNS + ' warm runs…'));
  $('bench').disabled = true;
  let r;
  try {
    r = await api('POST', '/hookengine/v1/hooks/' + encodeURIComponent(h.id) + '/bench?runs=' + BENCH_RUNS, text);
  } catch (err) {
    out.replaceChildren(el('p', { class: 'error' }, 'Could not benchmark: ' + describe(err)));
    return;
  } finally {
    $('bench').disabled = false;
  }
  const outcomes = Object.entries(r.outcomes).map(([k, n]) => k + ' ' + n).join(', ');
  const stat = (label, value) => [el('dt', {}, label), el('dd', {}, value)];
  out.replaceChildren(...[
    el('h5', {}, 'Benchmark: ' + r.runs + ' warm runs of the saved script'),
    r.stopped_early ? el('p', { class: 'help warn' }, 'Stopped after ' + r.runs + ' of ' + r.requested + ' runs: the time budget ran out.') : null,
    histogramView(r.histogram),
    el('p', { class: 'help histogram-axis' }, el('span', {}, fmtNs(r.histogram.min_ns)), el('span', {}, fmtNs(r.histogram.max_ns))),
    el('dl', { class: 'bench-stats' },
      stat('p50', fmtNs(r.wall.median_ns) + ofLimit(r.wall.median_ns, r.wall_limit_ns)),
      stat('p99', fmtNs(r.wall.p99_ns) + ofLimit(r.wall.p99_ns, r.wall_limit_ns)),
      stat('CPU p50', fmtNs(r.cpu.median_ns) + ofLimit(r.cpu.median_ns, r.cpu_limit_ns)),
      stat('CPU p99', fmtNs(r.cpu.p99_ns) + ofLimit(r.cpu.p99_ns, r.cpu_limit_ns)),
      stat('Ended', outcomes)),
  ].filter(Boolean));
}

// ---------------------------------------------------------------------------
// Real-time logs: server-sent events, read with fetch so that the token
// travels in the Authorization header (EventSource cannot send it).

function setLogsState(text, cls) {
  const s = $('logs-state');
  s.textContent = text;
  s.className = 'live-state ' + (cls || '');
}

function stopLogs() {
  if (state.logs) state.logs.abort.abort();
  state.logs = null;
}

function startLogs(hookId) {
  stopLogs();
  $('logs').replaceChildren();
  const abort = new AbortController();
  const sub = { abort, hookId };
  state.logs = sub;
  streamLogs(sub, 0);
}

async function streamLogs(sub, attempt) {
  const { signal } = sub.abort;
  setLogsState(attempt ? 'reconnecting…' : 'connecting…', 'wait');
  let retry = Math.min(1000 * 2 ** attempt, 15000);
  try {
    const res = await fetch('/hookengine/v1/hooks/' + encodeURIComponent(sub.hookId) + '/logs', {
      headers: { Authorization: 'Bearer ' + state.token, Accept: 'text/event-stream' },
      cache: 'no-store', credentials: 'omit', redirect: 'error', signal,
    });
    if (!res.ok) {
      let msg = res.statusText;
      try { msg = (await res.json()).message || msg; } catch { /* not JSON */ }
      if (res.status === 401) { signOut('The server refused the token (401: ' + msg + '). Sign in again.'); return; }
      if (res.status === 403) { setLogsState('not allowed: ' + msg, 'bad'); return; }
      if (res.status === 404) { setLogsState('the hook does not exist', 'bad'); return; }
      throw new Error(res.status + ' ' + msg);
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value.replace(/\r\n?/g, '\n');
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const ev = parseEvent(buf.slice(0, cut));
        buf = buf.slice(cut + 2);
        if (ev.retry) retry = ev.retry;
        if (ev.event === 'ready') { attempt = 0; setLogsState('live', 'on'); }
        else if (ev.event === 'log') addLog(JSON.parse(ev.data));
        else if (ev.event === 'end') setLogsState('the server closed the stream', 'wait');
      }
    }
  } catch (err) {
    if (signal.aborted) return;
  }
  if (signal.aborted || state.logs !== sub) return;
  setLogsState('disconnected; retrying…', 'wait');
  setTimeout(() => { if (state.logs === sub) streamLogs(sub, attempt + 1); }, retry);
}

function parseEvent(block) {
  const ev = { event: 'message', data: '' };
  const data = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') ev.event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) ev.retry = Number(value);
  }
  ev.data = data.join('\n');
  return ev;
}

const timeOf = (iso) => {
  const d = new Date(iso);
  return isNaN(d) ? '' : d.toTimeString().slice(0, 8) + '.' + String(d.getMilliseconds()).padStart(3, '0');
};

function addLog(ev) {
  const list = $('logs');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
  if (ev.dropped) list.append(el('li', { class: 'log dropped' }, ev.dropped + ' lines dropped: the page fell behind.'));
  let message = ev.message;
  if (ev.status) {
    message = 'run finished: ' + ev.status + (ev.duration_ms !== undefined ? ' in ' + ev.duration_ms.toFixed(2) + ' ms' : '') + (ev.error ? ' — ' + ev.error : '');
  }
  const fields = ev.fields ? Object.entries(ev.fields).map(([k, v]) => k + '=' + v).join(' ') : '';
  list.append(el('li', { class: 'log level-' + ev.level + (ev.status ? ' end' : ''), 'data-execution-id': ev.execution_id || '' },
    el('span', { class: 'time' }, timeOf(ev.time)),
    el('span', { class: 'level' }, ev.level),
    el('span', { class: 'msg' }, message, fields ? el('span', { class: 'fields' }, ' ' + fields) : null),
    el('span', { class: 'ids' }, 'hook ', el('code', {}, ev.hook_id), ' · execution ', el('code', {}, ev.execution_id || '-'))));
  while (list.childElementCount > MAX_LOG_LINES) list.firstElementChild.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

// ---------------------------------------------------------------------------
// Confirmation dialog

function confirmDialog(title, text, okLabel) {
  const d = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = okLabel;
  d.returnValue = '';
  return new Promise((resolve) => {
    d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true });
    d.showModal();
    $('confirm-cancel').focus();
  });
}

// ---------------------------------------------------------------------------
// Tabs of the hook tools

function selectTab(tab) {
  for (const t of document.querySelectorAll('[role="tab"]')) {
    const on = t === tab;
    t.setAttribute('aria-selected', on ? 'true' : 'false');
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
}

// ---------------------------------------------------------------------------
// Start

const scriptEditor = createEditor($('script-editor'), {
  id: 'script', label: 'script-title', describedBy: 'compile-status script-help',
  onChange() {
    setDirty(state.hook !== null && scriptEditor.value() !== state.savedScript);
    scheduleCheck();
  },
});
const inputEditor = createEditor($('input-editor'), {
  id: 'run-input', language: 'json', label: 'run-input-label', describedBy: 'run-input-error run-help',
  keys: [{ key: 'Mod-Enter', run: () => { run(); return true; } }],
});

function wire() {
  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (!token) { $('signin-error').textContent = 'Enter a token.'; return; }
    $('signin-error').textContent = '';
    signIn(token);
  });
  $('sign-out').addEventListener('click', async () => { if (await leave()) signOut('Signed out.'); });
  $('refresh').addEventListener('click', () => refreshHooks().then(() => toast('Hooks reloaded.'), (err) => alertError(describe(err))));
  $('create-open').addEventListener('click', () => openCreate());
  $('create-form').addEventListener('submit', createHook);
  $('create-cancel').addEventListener('click', () => showView('empty'));
  $('new-name').addEventListener('input', () => {
    if ($('new-name').hasAttribute('aria-invalid')) setFieldError($('new-name'), $('new-name-error'), nameProblem($('new-name').value.trim()));
  });
  $('new-name').addEventListener('blur', () => {
    const v = $('new-name').value.trim();
    if (v) setFieldError($('new-name'), $('new-name-error'), nameProblem(v));
  });
  $('save').addEventListener('click', save);
  $('compile-goto').addEventListener('click', () => {
    const e = state.compileError;
    if (e && e.line) scriptEditor.goTo(e.line, e.column);
  });
  $('rename-open').addEventListener('click', openRename);
  $('rename-form').addEventListener('submit', rename);
  $('rename-cancel').addEventListener('click', () => { $('rename-form').hidden = true; $('rename-open').focus(); });
  $('delete-open').addEventListener('click', deleteHook);
  $('secret-form').addEventListener('submit', submitSecret);
  $('dep-form').addEventListener('submit', addDependency);
  $('secret-cancel').addEventListener('click', () => { resetSecretForm(); renderSecrets(); });
  $('run').addEventListener('click', run);
  $('run-reset').addEventListener('click', resetRunner);
  $('bench').addEventListener('click', benchmark);
  $('points-more').addEventListener('click', showMorePoints);
  $('points-body').addEventListener('scroll', updateMoreHint, { passive: true });
  new ResizeObserver(updateMoreHint).observe($('points-body'));
  $('logs-clear').addEventListener('click', () => { $('logs').replaceChildren(); toast('Logs cleared.'); });
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  for (const t of tabs) {
    t.addEventListener('click', () => selectTab(t));
    t.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(t);
      const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i + tabs.length - 1) % tabs.length] : null;
      if (next) { e.preventDefault(); selectTab(next); next.focus(); }
    });
  }
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 's') {
      e.preventDefault();
      if (state.hook && !$('hook-view').hidden) save();
    }
  });
  window.addEventListener('beforeunload', (e) => {
    if (state.dirty) { e.preventDefault(); e.returnValue = ''; }
  });
}

async function start() {
  $('origin').textContent = location.host;
  wire();
  try {
    const res = await fetch('points.json', { cache: 'no-cache', credentials: 'omit' });
    const body = await res.json();
    state.points = body.points;
    NAME_PATTERN = new RegExp(body.nameRule.pattern);
    MAX_NAME = body.nameRule.maxLength;
  } catch (err) {
    alertError('Could not load the extensibility points: ' + err.message);
    return;
  }
  for (const p of state.points) state.pointById.set(p.id, p);
  // A sign-in link (hooks serve --dev) carries the token in the fragment,
  // which never reaches the server; it is taken out of the address at once.
  const m = /^#token=([^&]+)/.exec(location.hash);
  if (m) {
    history.replaceState(null, '', location.pathname + location.search);
    await signIn(decodeURIComponent(m[1]));
    return;
  }
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) await signIn(saved);
  else showSignIn('');
}

start();
