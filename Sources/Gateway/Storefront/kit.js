// Comptoir web kit — what the storefront (Storefront/app.js) and the back-office (Admin/admin.js) share, loaded before
// either as /kit.js: the session (localStorage `comptoir.*`), the API client with its refresh-and-retry on 401, the wording
// of errors, prices and dates, the DOM and form helpers, and the hash router. Each app keeps its views, its navigation and
// what differs, and tells the kit the rest through setUp(). Vanilla ES2020, no build step, one frozen global: ComptoirWeb.
// Server text only ever goes through text nodes.
'use strict';
(() => {
  const API = '/api/v1';
  const KEY = 'comptoir.';
  const app = { // what the app running on this page tells the kit (setUp)
    auth: false, // api(): whether a call sends the Bearer token unless it says
    home: '', // the route of an empty hash
    view: null, // the element each route's section is put in
    bodyClass: null, // the class of start()'s box
    title: (text) => text, // the document's title for a page heading
    onTokens: () => {}, // after a refresh has stored new tokens
    onExpired: () => {}, // (message): the session has ended and its tokens are cleared
    explain: () => null, // (ApiError): the app's sentence for it, or null for the usual one
    unexpected: (err) => console.error(err), // a failure that is no ApiError
    enter: () => {}, // (route name): a new route is about to be drawn
    show: async () => {}, // (section, name, args, query): draws the route
  };
  let uid = 0, firstRender = true, keepFlash = false, refreshing = null;
  const nextId = () => ++uid; // for element ids unique in the page

  // ---------- tokens ----------
  const store = Object.freeze({
    get access() { return localStorage.getItem(KEY + 'access'); },
    get refresh() { return localStorage.getItem(KEY + 'refresh'); },
    get expiresAt() { return Number(localStorage.getItem(KEY + 'expires_at')) || 0; },
    get loggedIn() { return Boolean(this.refresh || this.access); },
    save(t) {
      const at = String(Date.now() + (Number(t.expires_in) || 900) * 1000);
      Object.entries({ access: t.access_token, refresh: t.refresh_token, expires_at: at })
        .forEach(([k, v]) => localStorage.setItem(KEY + k, v));
    },
    clear() { ['access', 'refresh', 'expires_at'].forEach((k) => localStorage.removeItem(KEY + k)); },
  });
  function claims() { // the access token's payload (sub, roles); {} when there is none
    try {
      const part = (store.access || '').split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const bytes = Uint8Array.from(atob(part + '='.repeat((4 - (part.length % 4)) % 4)), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch { return {}; }
  }
  async function freshToken() {
    if (!store.access || Date.now() > store.expiresAt - 5000) await refreshTokens();
    return store.access;
  }

  // ---------- HTTP ----------
  class ApiError extends Error {
    constructor(status, problem, headers) {
      const p = problem && typeof problem === 'object' ? problem : {};
      super(p.detail || p.title || `HTTP ${status}`);
      Object.assign(this, { status, problem: p, headers: headers || null, fields: Array.isArray(p.errors) ? p.errors : [] });
    }
  }
  async function send(path, method, payload, headers, raw) {
    const h = { Accept: 'application/json, application/problem+json', ...headers };
    if (payload !== undefined && raw === undefined) h['Content-Type'] = 'application/json';
    const body = raw !== undefined ? raw : payload === undefined ? undefined : JSON.stringify(payload);
    try { return await fetch(API + path, { method, headers: h, body }); } catch { throw new ApiError(0); }
  }
  async function readJson(res) { // the JSON body or null; any other body is read to its end, so that the request completes
    if (res.status !== 204 && (res.headers.get('Content-Type') || '').includes('json')) return res.json().catch(() => null);
    await res.arrayBuffer().catch(() => null);
    return null;
  }
  function refreshTokens() {
    refreshing = refreshing || (async () => {
      if (!store.refresh) return expire();
      const res = await send('/auth/refresh', 'POST', { refresh_token: store.refresh });
      const data = await readJson(res);
      if (res.ok && data && data.access_token) { store.save(data); return app.onTokens(); } // rotation: both tokens replaced
      // A server hiccup keeps the session; a rejected refresh token ends it.
      if (res.status >= 500 || res.status === 429) throw new ApiError(res.status, data, res.headers);
      return expire();
    })().finally(() => { refreshing = null; });
    return refreshing;
  }
  function expire() {
    const message = 'Your session has expired. Please log in again.';
    store.clear();
    app.onExpired(message);
    throw Object.assign(new ApiError(401, { detail: message }), { expired: true });
  }
  // opts: method, body (JSON, or a function giving it, so that a retry after a refresh sends fresh values: logout's
  // refresh_token), raw (bytes sent as they are), headers, auth (the app's default unless given), blob (the answer as a Blob)
  async function api(path, opts = {}) {
    const { method = 'GET', body, raw, auth = app.auth, headers = {} } = opts;
    const h = { ...headers };
    let token = null;
    if (auth) {
      token = await freshToken();
      h.Authorization = 'Bearer ' + token;
    }
    const res = await send(path, method, typeof body === 'function' ? body() : body, h, raw);
    const data = opts.blob && res.ok ? null : await readJson(res);
    if (res.status === 401 && auth && !opts.retried) {
      if (store.access === token) await refreshTokens(); // another tab may already have rotated the tokens
      return api(path, { ...opts, retried: true });
    }
    if (!res.ok) throw new ApiError(res.status, data, res.headers);
    return opts.blob ? res.blob() : data;
  }
  async function download(path, filename) { // a file behind the Bearer token, offered through a blob: URL
    const url = URL.createObjectURL(await api(path, { auth: true, blob: true }));
    const a = el('a', { href: url, download: filename || 'attachment', hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }
  async function signOut() { // the refresh token revoked at the server if it can be, the session ended here anyway
    if (store.refresh) {
      try { await api('/auth/logout', { method: 'POST', auth: true, body: () => ({ refresh_token: store.refresh }) }); }
      catch { /* the local session ends anyway */ }
    }
    store.clear();
  }
  const listOf = (d) => (Array.isArray(d) ? d : d && Array.isArray(d.items) ? d.items : []);
  const enc = encodeURIComponent;
  function retryAfter(headers) { // delta-seconds or an HTTP date
    const v = (headers && headers.get('Retry-After')) || '';
    const t = /^\s*\d+\s*$/.test(v) ? Number(v) : Math.ceil((Date.parse(v) - Date.now()) / 1000);
    return Number.isNaN(t) ? 0 : Math.max(v ? 1 : 0, t);
  }
  function waitText(s) {
    return !s ? 'a moment' : s < 90 ? `${s} second${s === 1 ? '' : 's'}` : `${Math.ceil(s / 60)} minutes`;
  }
  function describe(err) {
    if (!(err instanceof ApiError)) { app.unexpected(err); return 'Something went wrong. Please try again.'; }
    if (err.status === 0) return 'We could not reach Comptoir. Please check your connection and try again.';
    if (err.status === 429) return `Too many attempts. Please wait ${waitText(retryAfter(err.headers))} before trying again.`;
    return app.explain(err) || err.problem.detail || err.problem.title || `The request failed (HTTP ${err.status}).`;
  }

  // ---------- formatting ----------
  let moneyFormats = new Map(), dateFormat = null, dayFormat = null, locale;
  function useLocale(tag) { // prices and dates in this locale, which becomes the page's lang; undefined: the browser's
    if (tag !== undefined) {
      try { tag = Intl.getCanonicalLocales(tag)[0] || 'en'; } catch { tag = 'en'; }
      document.documentElement.lang = tag;
    }
    locale = tag;
    moneyFormats = new Map();
    dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    dayFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }); // estimates are whole days
    return locale;
  }
  useLocale(undefined);
  function money(minor, currency = 'EUR') { // an amount in minor units (cents)
    if (typeof minor !== 'number') return '';
    if (!moneyFormats.has(currency)) {
      try { moneyFormats.set(currency, new Intl.NumberFormat(locale, { style: 'currency', currency })); } catch { return `${minor} ${currency}`; }
    }
    const f = moneyFormats.get(currency);
    return f.format(minor / 10 ** f.resolvedOptions().maximumFractionDigits);
  }
  const asDate = (s) => { const d = s ? new Date(s) : null; return d && !Number.isNaN(d.getTime()) ? d : null; };
  const fmtDay = (s) => { const d = asDate(s); return d ? dayFormat.format(d) : ''; };
  const fmtDate = (s) => { const d = asDate(s); return d ? dateFormat.format(d) : ''; };
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const words = (s) => String(s || '').replace(/_/g, ' ');

  // ---------- DOM helpers ----------
  function el(tag, props, ...kids) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') n.className = v;
      else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of kids.flat(3)) if (c != null && c !== false) n.append(c instanceof Node ? c : String(c));
    return n;
  }
  const put = (node, ...kids) => node.replaceChildren(...kids.flat(3).filter((c) => c != null && c !== false)); // skips null/false
  const notice = (text, kind = 'info', ...more) => el('div', { class: `notice notice-${kind}` }, el('p', null, text, more));
  const loading = () => el('p', { class: 'loading', role: 'status' }, 'Loading…');
  const badge = (s) => el('span', { class: 'badge badge-' + String(s || '').replace(/[^a-z_]/gi, '') }, words(s) || 'unknown');
  const link = (href, text, cls) => el('a', { href, class: cls }, text);
  const card = (title, ...kids) => {
    const id = 'h-' + nextId();
    return el('section', { class: 'card', 'aria-labelledby': id }, el('h2', { id }, title), kids);
  };
  function heading(sec, text) {
    const h = el('h1', { tabindex: '-1' }, text);
    sec.prepend(h);
    document.title = app.title(text);
    if (!firstRender) h.focus();
    return h;
  }
  function retitle(sec, text) {
    const h = sec.querySelector('h1');
    if (h) h.textContent = text;
    document.title = app.title(text);
  }
  function start(sec, title, ...intro) { // heading + intro + a box that shows "Loading…" until replaced
    const box = el('div', { class: app.bodyClass }, loading());
    heading(sec, title);
    sec.append(...intro.filter(Boolean), box);
    return box;
  }
  function setFlash(text, kind = 'success') {
    const flashBox = document.getElementById('flash');
    flashBox.className = 'flash' + (text ? ' flash-' + kind : '');
    put(flashBox, ...(text ? [el('p', null, text)] : []));
  }

  // ---------- forms ----------
  function field(name, label, o = {}) {
    const id = `f-${name}-${nextId()}`;
    const attrs = {
      id, name, required: o.required, autocomplete: o.autocomplete, minlength: o.minlength, maxlength: o.maxlength, min: o.min, max: o.max,
      step: o.step, pattern: o.pattern, placeholder: o.placeholder, inputmode: o.inputmode, list: o.list,
      'aria-describedby': (o.hint ? id + '-hint ' : '') + id + '-err',
    };
    const input = o.options ? el('select', attrs, o.options.map(([v, t]) => el('option', { value: v }, t)))
      : o.textarea ? el('textarea', { ...attrs, rows: o.rows || 5 })
      : el('input', { ...attrs, type: o.type || 'text', value: o.value, multiple: o.multiple, accept: o.accept });
    if ((o.options || o.textarea) && o.value != null) input.value = o.value;
    return el('div', { class: 'field' + (o.wide ? ' wide' : '') },
      el('label', { for: id }, label, o.optional ? el('span', { class: 'optional' }, ' (optional)') : null),
      o.hint ? el('p', { class: 'hint', id: id + '-hint' }, o.hint) : null,
      input, el('p', { class: 'field-error', id: id + '-err', hidden: true }));
  }
  // A form's values, trimmed (passwords only if the app says so), empty ones left out unless keepEmpty. A checkbox gives
  // true or false; checkboxes that share a name give the list of the checked ones' values (none: no entry).
  function values(f, keepEmpty) {
    const out = {};
    for (const e of f.elements) {
      if (!e.name || e.disabled || e.type === 'file') continue;
      if (e.type === 'checkbox' && f.elements.namedItem(e.name) instanceof RadioNodeList) {
        if (e.checked) (out[e.name] = out[e.name] || []).push(e.value);
        continue;
      }
      const v = e.type === 'checkbox' ? e.checked : e.type === 'password' ? e.value : e.value.trim();
      if (v !== '' || keepEmpty) out[e.name] = v;
    }
    return out;
  }
  function showProblem(f, err) {
    const msg = f.querySelector('.form-msg');
    msg.hidden = true; msg.replaceChildren();
    for (const p of f.querySelectorAll('.field-error')) { p.hidden = true; p.textContent = ''; }
    for (const i of f.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
    if (!err || err.expired) return 0;
    const loose = [];
    let first = null;
    for (const e of err.fields || []) {
      const name = String(e.field || '').replace(/^[#/]+/, '').replace(/^body\./, '');
      const input = name ? f.elements.namedItem(name) : null;
      const slot = input && input.id ? document.getElementById(input.id + '-err') : null;
      if (slot) {
        input.setAttribute('aria-invalid', 'true');
        slot.textContent = e.message || 'This value is not valid.'; slot.hidden = false;
        first = first || input;
      } else if (e.message) loose.push(e.field ? `${e.field}: ${e.message}` : e.message);
    }
    const plain = err instanceof ApiError && err.status === 422 && !err.problem.detail;
    put(msg, el('p', null, plain ? 'Please correct the highlighted fields.' : describe(err)),
      loose.length ? el('ul', null, loose.map((m) => el('li', null, m))) : null, err.after || null);
    msg.hidden = false;
    (first || msg).focus();
    return err instanceof ApiError && err.status === 429 ? retryAfter(err.headers) : 0;
  }
  // o: cls (the form's class), small (a small button), novalidate, extra (beside the button), keepEmpty (see values)
  function form(label, fields, submitText, onSubmit, o = {}) {
    const btn = el('button', { type: 'submit', class: 'btn' + (o.small ? ' btn-small' : '') }, submitText);
    const f = el('form', { class: o.cls || 'form', 'aria-label': label, novalidate: o.novalidate },
      el('div', { class: 'form-msg', role: 'alert', tabindex: '-1', hidden: true }), fields, el('div', { class: 'actions' }, btn, o.extra));
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (btn.disabled) return;
      showProblem(f, null);
      btn.disabled = true; f.setAttribute('aria-busy', 'true');
      let wait = 0;
      try { await onSubmit(values(f, o.keepEmpty), f); } catch (err) { wait = showProblem(f, err); }
      f.removeAttribute('aria-busy');
      setTimeout(() => { btn.disabled = false; }, wait * 1000); // on 429, wait out Retry-After
    });
    return f;
  }
  // A refusal shown like the server's: fail(['field', 'message'], …)
  const fail = (...pairs) => new ApiError(422, { errors: pairs.map(([name, message]) => ({ field: name, message })) });
  function pager(data, hashFor) { // Previous / Page n of m / Next, or null on a single page
    const page = Number(data.page) || 1;
    const pages = Math.ceil((Number(data.total) || 0) / (Number(data.per_page) || 20));
    if (pages <= 1) return null;
    const to = (n, text, rel) => (n < 1 || n > pages
      ? el('span', { class: 'btn btn-secondary', 'aria-disabled': 'true' }, text)
      : el('a', { class: 'btn btn-secondary', href: hashFor(n), rel }, text));
    return el('nav', { class: 'pager', 'aria-label': 'Pagination' },
      to(page - 1, '← Previous', 'prev'), el('span', null, `Page ${page} of ${pages}`), to(page + 1, 'Next →', 'next'));
  }

  // ---------- navigation: #/name/arg…?query ----------
  function parseHash() {
    const raw = location.hash.replace(/^#\/?/, '');
    const q = raw.indexOf('?');
    let parts;
    try { parts = (q < 0 ? raw : raw.slice(0, q)).split('/').filter(Boolean).map(decodeURIComponent); } catch { parts = []; }
    return { name: parts[0] || app.home, args: parts.slice(1), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
  }
  function go(hash, message, kind) { // to hash (drawn again if it is the current one), with a message kept for it
    if (message) { setFlash(message, kind); keepFlash = true; }
    if (location.hash === hash) route(); else location.hash = hash;
  }
  function hashWith(base, params) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v && !(k === 'page' && Number(v) === 1)) p.set(k, v);
    return p.toString() ? `${base}?${p}` : base;
  }
  const pageOf = (query) => Math.max(1, parseInt(query.get('page'), 10) || 1);
  async function route() {
    if (location.hash && !location.hash.startsWith('#/')) return;
    const { name, args, query } = parseHash();
    document.querySelector('.site-nav').classList.remove('open');
    document.querySelector('.menu-toggle').setAttribute('aria-expanded', 'false');
    if (!keepFlash) setFlash('');
    keepFlash = false;
    app.enter(name);
    const sec = el('section', { class: 'view view-' + name });
    put(app.view, sec);
    try {
      await app.show(sec, name, args, query);
    } catch (err) {
      if (!err || !err.expired) sec.append(notice(describe(err), 'error'));
    } finally { firstRender = false; }
  }
  function setUp(options) { // the app's settings (see `app` above); wires the skip link, the menu button and the router
    Object.assign(app, options);
    document.getElementById('skip-link').addEventListener('click', (ev) => { ev.preventDefault(); document.getElementById('main').focus(); });
    document.querySelector('.menu-toggle').addEventListener('click', (ev) => {
      ev.currentTarget.setAttribute('aria-expanded', String(document.querySelector('.site-nav').classList.toggle('open')));
    });
    window.addEventListener('hashchange', route);
  }

  Object.defineProperty(window, 'ComptoirWeb', {
    enumerable: true,
    value: Object.freeze({
      API, KEY, setUp, nextId, store, claims, freshToken, ApiError, api, download, signOut, listOf, enc, retryAfter, waitText, describe,
      useLocale, money, fmtDay, fmtDate, plural, words, el, put, notice, loading, badge, link, card, heading, retitle, start, setFlash,
      field, values, showProblem, form, fail, pager, parseHash, go, hashWith, pageOf, route,
    }),
  });
})();
