// The Hooks page of hookengine. Plain JavaScript, no dependencies: every
// call goes to this origin's Management API with the token the user gave,
// and the DOM is built with textContent only (the page's CSP requires
// Trusted Types, so HTML strings could not be used anyway).

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
        el('button', { type: 'button', class: 'hook-link', 'aria-current': selected ? 'page' : false, onclick: () => openHook(h.id) }, h.name),
        h.enabled ? el('span', { class: 'badge on' }, 'enabled') : null);
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
  const point = state.pointById.get(new FormData($('create-form')).get('point'));
  try {
    const h = await api('POST', hooksPath(), { name, script: point.starter, triggerId: point.id });
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
  startLogs(h.id);
  showView('hook');
  scheduleCheck(0);
  $('script').focus();
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
  scriptEditor.mark(err && err.line ? err.line : 0);
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
// Runner

function resetRunner() {
  const p = state.pointById.get(state.hook.triggerId);
  inputEditor.set(JSON.stringify(p.sample, null, 2));
  $('run-input-error').textContent = '';
  $('run-result').replaceChildren();
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
    return;
  }
  $('run-input-error').textContent = '';
  $('run-input').removeAttribute('aria-invalid');
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
  out.scrollIntoView({ block: 'start' });
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
// A small code editor: a textarea with line numbers, Tab indentation,
// automatic indentation of new lines, and a marker on a line.

function makeEditor(root, textarea, onChange) {
  const gutter = root.querySelector('.gutter');
  const marker = root.querySelector('.marker');
  let lines = 0;
  let markedLine = 0;
  let tabLeaves = false;
  const lineHeight = () => parseFloat(getComputedStyle(textarea).lineHeight) || 20;
  const padTop = () => parseFloat(getComputedStyle(textarea).paddingTop) || 0;

  function renumber() {
    const n = textarea.value.split('\n').length;
    if (n !== lines) {
      lines = n;
      const nums = [];
      for (let i = 1; i <= n; i++) nums.push(i);
      gutter.textContent = nums.join('\n') + '\n';
    }
    sync();
  }
  function sync() {
    gutter.scrollTop = textarea.scrollTop;
    if (markedLine) {
      marker.style.transform = 'translateY(' + (padTop() + (markedLine - 1) * lineHeight() - textarea.scrollTop) + 'px)';
    }
  }
  // insert replaces the selection with text, keeping the undo history.
  function insert(text, selectAfter) {
    textarea.focus();
    if (!document.execCommand('insertText', false, text)) {
      textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, 'end');
      textarea.dispatchEvent(new Event('input'));
    }
    if (selectAfter) textarea.setSelectionRange(selectAfter[0], selectAfter[1]);
  }
  function indent(outdent) {
    const v = textarea.value;
    const start = textarea.selectionStart;
    const end = textarea.selectionEnd;
    if (!outdent && v.slice(start, end).indexOf('\n') < 0) { insert('  '); return; }
    const lineStart = v.lastIndexOf('\n', start - 1) + 1;
    const lineEnd = end > start && v[end - 1] === '\n' ? end - 1 : (v.indexOf('\n', end) < 0 ? v.length : v.indexOf('\n', end));
    const block = v.slice(lineStart, lineEnd).split('\n');
    const changed = block.map((l) => (outdent ? l.replace(/^ {1,2}|^\t/, '') : '  ' + l)).join('\n');
    textarea.setSelectionRange(lineStart, lineEnd);
    insert(changed, [lineStart, lineStart + changed.length]);
  }
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { tabLeaves = true; return; }
    if (e.key === 'Tab') {
      if (tabLeaves || e.ctrlKey || e.altKey || e.metaKey) { tabLeaves = false; return; }
      e.preventDefault();
      indent(e.shiftKey);
      return;
    }
    tabLeaves = false;
    if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey && !e.isComposing) {
      const v = textarea.value;
      const lineStart = v.lastIndexOf('\n', textarea.selectionStart - 1) + 1;
      const current = v.slice(lineStart, textarea.selectionStart);
      let pad = current.match(/^[ \t]*/)[0];
      if (/[{[(]\s*$/.test(current)) pad += '  ';
      e.preventDefault();
      insert('\n' + pad);
    }
  });
  textarea.addEventListener('input', () => { renumber(); if (onChange) onChange(); });
  textarea.addEventListener('scroll', sync);
  new ResizeObserver(sync).observe(textarea);
  return {
    value: () => textarea.value,
    set(text) { textarea.value = text; textarea.scrollTop = 0; textarea.setSelectionRange(0, 0); renumber(); },
    mark(line) {
      markedLine = line;
      marker.hidden = !line;
      gutter.dataset.marked = line ? String(line) : '';
      sync();
    },
    goTo(line, column) {
      const v = textarea.value.split('\n');
      let pos = 0;
      for (let i = 0; i < line - 1 && i < v.length; i++) pos += v[i].length + 1;
      pos += Math.max(0, (column || 1) - 1);
      textarea.focus();
      textarea.setSelectionRange(pos, pos);
      const top = padTop() + (line - 1) * lineHeight();
      if (top < textarea.scrollTop || top > textarea.scrollTop + textarea.clientHeight - 2 * lineHeight()) {
        textarea.scrollTop = Math.max(0, top - textarea.clientHeight / 3);
      }
      sync();
    },
  };
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

const scriptEditor = makeEditor($('script-editor'), $('script'), () => {
  setDirty(state.hook !== null && scriptEditor.value() !== state.savedScript);
  scheduleCheck();
});
const inputEditor = makeEditor($('input-editor'), $('run-input'), null);

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
  $('secret-cancel').addEventListener('click', () => { resetSecretForm(); renderSecrets(); });
  $('run').addEventListener('click', run);
  $('run-reset').addEventListener('click', resetRunner);
  $('run-input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
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
