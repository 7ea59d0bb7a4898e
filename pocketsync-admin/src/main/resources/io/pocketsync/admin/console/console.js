// The PocketSync web console: plain JavaScript over the admin API (docs/admin-api.md), polled every second.
// Every value from the server is put on the page as text, never as HTML.
'use strict';

const TOKEN_KEY = 'pocketsync-admin-token';
const POLL_MILLIS = 1000;
const $ = (id) => document.getElementById(id);
let scope = null;
let timer = null;

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

async function api(path, options = {}) {
  const response = await fetch('api/' + path, {
    method: options.method || 'GET',
    headers: Object.assign({ Authorization: 'Bearer ' + token() },
      options.body ? { 'Content-Type': 'application/json' } : {}),
    body: options.body ? JSON.stringify(options.body) : undefined,
    cache: 'no-store',
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error((body.error && body.error.message) || response.statusText);
    error.status = response.status;
    error.code = body.error && body.error.code;
    throw error;
  }
  return body;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement('td');
    if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === null || cell === undefined ? '' : String(cell);
    tr.appendChild(td);
  }
  return tr;
}

function button(label, action, onClick, className) {
  const b = el('button', label, className);
  b.type = 'button';
  b.dataset.action = action;
  b.addEventListener('click', onClick);
  return b;
}

function ago(iso) {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 2) return 'now';
  if (seconds < 120) return seconds + ' s ago';
  if (seconds < 7200) return Math.round(seconds / 60) + ' min ago';
  return new Date(iso).toLocaleString();
}

function image(values) {
  return Object.entries(values || {}).map(([k, v]) => k + '=' + (v !== null && typeof v === 'object' ? '<blob>' : JSON.stringify(v))).join(', ');
}

function status(text, isError) {
  $('status').textContent = text;
  $('status').className = isError ? 'error small' : 'muted small';
}

function signedIn(yes) {
  $('sign-in').hidden = yes;
  $('console').hidden = !yes;
  $('sign-out').hidden = !yes;
  $('scope-picker').hidden = !yes;
}

async function signIn(event) {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  await start();
}

async function start() {
  try {
    const info = await api('info');
    $('server-info').textContent = 'v' + info.version + ' · node ' + info.node + ' · store ' + info.store.name
      + (info.store.up ? '' : ' (down)') + ' · ' + info.transports.map((t) => t.name + (t.up ? '' : ' (down)')).join(', ')
      + ' · ' + info.nodes.length + ' node(s)';
    $('sign-in-error').textContent = '';
    signedIn(true);
    await loadScopes();
    if (!timer) timer = setInterval(refresh, POLL_MILLIS);
    await refresh();
  } catch (e) {
    if (e.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      $('sign-in-error').textContent = e.message;
      signedIn(false);
    } else {
      status('cannot reach the admin API: ' + e.message, true);
    }
  }
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  clearInterval(timer);
  timer = null;
  $('server-info').textContent = 'not signed in';
  signedIn(false);
}

async function loadScopes() {
  const body = await api('scopes');
  const select = $('scope');
  const names = body.scopes.map((s) => s.scope);
  const wanted = new URLSearchParams(location.search).get('scope');
  if (wanted && !names.includes(wanted)) names.unshift(wanted);
  const current = scope || wanted || names[0] || null;
  select.replaceChildren(...names.map((name) => { const o = el('option', name); o.value = name; return o; }));
  if (current) select.value = current;
  scope = current;
}

async function refresh() {
  if (!token()) return;
  try {
    if (!scope) await loadScopes();
    if (!scope) { status('no scope holds data yet; waiting'); return; }
    const s = encodeURIComponent(scope);
    const [summary, devices, conflicts, rejected, changes] = await Promise.all([
      api('scopes/' + s).catch((e) => (e.status === 404 ? null : Promise.reject(e))),
      api('scopes/' + s + '/devices').catch((e) => (e.status === 404 ? { devices: [], head: 0 } : Promise.reject(e))),
      api('scopes/' + s + '/audit?status=SUPERSEDED&order=newest&limit=20').catch(() => ({ entries: [] })),
      api('scopes/' + s + '/rejected?limit=50').catch(() => ({ entries: [] })),
      api('scopes/' + s + '/changes?limit=20').catch(() => ({ rows: [] })),
    ]);
    renderSummary(summary);
    renderDevices(devices.devices);
    renderConflicts(conflicts.entries);
    renderRejected(rejected.entries);
    renderChanges(changes.rows);
    status('updated ' + new Date().toLocaleTimeString());
  } catch (e) {
    if (e.status === 401) { signOut(); $('sign-in-error').textContent = e.message; return; }
    status('refresh failed: ' + e.message, true);
  }
}

function renderSummary(summary) {
  const box = $('scope-summary');
  if (!summary) { box.replaceChildren(el('p', 'Scope ' + scope + ' holds no data yet.', 'muted')); return; }
  const tables = Object.entries(summary.tables).map(([t, n]) => t + ': ' + n).join(', ') || 'no rows';
  box.replaceChildren(el('h2', 'Scope ' + summary.scope), el('p', 'head ' + summary.head + ' · ' + summary.rows
    + ' rows (' + tables + ') · ' + summary.sessionsHere + ' session(s) on this node', 'muted'));
}

function renderDevices(devices) {
  const body = $('devices').tBodies[0];
  body.replaceChildren(...devices.map((d) => {
    let state = d.connected ? (d.session ? 'connected' : 'connected to ' + d.node) : 'offline';
    if (d.revoked) state = 'revoked' + (d.revoked.reason ? ' (' + d.revoked.reason + ')' : '');
    if (d.resyncPending) state += ', resync pending';
    const actions = el('span', null, 'actions');
    actions.append(button('Resync', 'resync', () => act(d.device, 'resync')));
    actions.append(d.revoked ? button('Allow', 'allow', () => act(d.device, 'allow'))
      : button('Revoke', 'revoke', () => askRevoke(d.device), 'danger'));
    const tr = row([el('span', d.device, 'id'), el('span', state, 'badge ' + (d.revoked ? 'revoked' : d.connected ? 'on' : 'off')), d.transport,
      d.remoteAddress, d.cursor, d.lag, d.pushesWaiting === null ? '–' : d.pushesWaiting, ago(d.lastSeen), actions]);
    tr.dataset.device = d.device;
    tr.dataset.state = d.revoked ? 'revoked' : d.connected ? 'connected' : 'offline';
    return tr;
  }));
  $('devices-empty').hidden = devices.length > 0;
}

function side(title, device, values, hlcTime, className) {
  const box = el('div', null, 'side ' + className);
  box.append(el('div', title, 'side-title'), el('div', device ? 'by ' + device : '', 'muted small'),
    el('div', image(values), 'image'), el('div', hlcTime ? 'written ' + new Date(hlcTime).toLocaleString() : '', 'muted small'));
  return box;
}

function renderConflicts(entries) {
  $('conflicts').replaceChildren(...entries.map((entry) => {
    const card = el('div', null, 'conflict');
    card.dataset.auditId = entry.id;
    card.append(el('div', '#' + entry.id + ' ' + entry.change.table + ' / ' + entry.change.row + ' · ' + ago(entry.at), 'small'));
    const pair = el('div', null, 'pair');
    const stored = entry.winner && entry.winner.stored;
    pair.append(side('Lost', entry.change.device, entry.change.image, entry.change.time, 'loser'));
    if (stored && entry.winner.current) {
      pair.append(side('Won', stored.device, stored.image, stored.time, 'winner'));
    } else {
      pair.append(side('Won: ' + (entry.winner ? entry.winner.changeId : '?'), stored ? 'row written again since by ' + stored.device : '',
        stored ? stored.image : {}, stored ? stored.time : null, 'winner'));
    }
    card.append(pair);
    return card;
  }));
  $('conflicts-empty').hidden = entries.length > 0;
}

function renderRejected(entries) {
  $('rejected').tBodies[0].replaceChildren(...entries.map((entry) => {
    const actions = el('span', null, 'actions');
    actions.append(button('Retry', 'retry', () => handle(entry.id, 'retry')),
      button('Drop', 'drop', () => handle(entry.id, 'drop'), 'danger'));
    const tr = row(['#' + entry.id, el('span', entry.change.table + ' / ' + entry.change.row, 'id'), el('span', entry.change.device, 'id'), el('span', entry.errorCode, 'code'),
      entry.reason, actions]);
    tr.dataset.auditId = entry.id;
    return tr;
  }));
  $('rejected-empty').hidden = entries.length > 0;
}

function renderChanges(rows) {
  $('changes').tBodies[0].replaceChildren(...rows.map((r) => row([r.lastSequence, r.table, r.row,
    r.deleted ? '(deleted)' : image(r.image), r.device, new Date(r.time).toLocaleTimeString()])));
}

function askRevoke(device) {
  $('revoke-device').textContent = device;
  $('revoke-reason').value = '';
  const dialog = $('revoke-dialog');
  dialog.onclose = () => { if (dialog.returnValue === 'revoke') act(device, 'revoke', { reason: $('revoke-reason').value }); };
  dialog.showModal();
}

async function act(device, action, body) {
  try {
    const result = await api('scopes/' + encodeURIComponent(scope) + '/devices/' + encodeURIComponent(device) + '/' + action,
      { method: 'POST', body: body || {} });
    status(action + ' ' + device + ': done' + (result.sessionsClosed !== undefined ? ', ' + result.sessionsClosed + ' session(s) ended' : ''));
  } catch (e) {
    status(action + ' ' + device + ' failed: ' + e.message, true);
  }
  await refresh();
}

async function handle(id, action) {
  try {
    const result = await api('scopes/' + encodeURIComponent(scope) + '/rejected/' + id + '/' + action, { method: 'POST', body: {} });
    status(action + ' #' + id + ': ' + (result.outcome || result.action));
  } catch (e) {
    status(action + ' #' + id + ' failed: ' + e.message, true);
  }
  await refresh();
}

document.addEventListener('DOMContentLoaded', () => {
  $('sign-in').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  $('scope').addEventListener('change', (event) => { scope = event.target.value; refresh(); });
  if (token()) start(); else signedIn(false);
});
