// Comptoir storefront — vanilla ES2020, no build step. Server text only ever goes through text nodes.
'use strict';
(() => {
  const API = '/api/v1';
  const KEY = 'comptoir.';
  const main = document.getElementById('main');
  const flashBox = document.getElementById('flash');
  let uid = 0, firstRender = true, keepFlash = false, refreshing = null;

  // ---------- tokens ----------
  const store = {
    get access() { return localStorage.getItem(KEY + 'access'); },
    get refresh() { return localStorage.getItem(KEY + 'refresh'); },
    get expiresAt() { return Number(localStorage.getItem(KEY + 'expires_at')) || 0; },
    get loggedIn() { return Boolean(this.refresh || this.access); },
    save(t) {
      const at = String(Date.now() + (Number(t.expires_in) || 900) * 1000);
      Object.entries({ access: t.access_token, refresh: t.refresh_token, expires_at: at }).forEach(([k, v]) => localStorage.setItem(KEY + k, v));
    },
    clear() { ['access', 'refresh', 'expires_at'].forEach((k) => localStorage.removeItem(KEY + k)); },
  };

  // ---------- HTTP ----------
  class ApiError extends Error {
    constructor(status, problem, headers) {
      const p = problem && typeof problem === 'object' ? problem : {};
      super(p.detail || p.title || `HTTP ${status}`);
      Object.assign(this, { status, problem: p, headers: headers || null, fields: Array.isArray(p.errors) ? p.errors : [] });
    }
  }
  async function send(path, method, payload, headers) {
    const h = { Accept: 'application/json, application/problem+json', ...headers };
    if (payload !== undefined) h['Content-Type'] = 'application/json';
    let res;
    try { res = await fetch(API + path, { method, headers: h, body: payload === undefined ? undefined : JSON.stringify(payload) }); }
    catch { throw new ApiError(0); }
    let data = null;
    if (res.status !== 204 && (res.headers.get('Content-Type') || '').includes('json')) data = await res.json().catch(() => null);
    return { res, data };
  }
  function refreshTokens() {
    refreshing = refreshing || (async () => {
      if (!store.refresh) return expire();
      const { res, data } = await send('/auth/refresh', 'POST', { refresh_token: store.refresh });
      if (res.ok && data && data.access_token) return store.save(data); // rotation: both tokens replaced
      // A server hiccup keeps the session; a rejected refresh token ends it.
      if (res.status >= 500 || res.status === 429) throw new ApiError(res.status, data, res.headers);
      return expire();
    })().finally(() => { refreshing = null; });
    return refreshing;
  }
  function expire() {
    const message = 'Your session has expired. Please log in again.';
    store.clear(); updateNav(); setBasketCount(null);
    const r = routes[parseHash().name];
    if (r && r.auth) go(loginHash(), message, 'info'); else setFlash(message, 'info');
    throw Object.assign(new ApiError(401, { detail: message }), { expired: true });
  }
  async function api(path, opts = {}) {
    const { method = 'GET', body, auth = false, headers = {} } = opts;
    const h = { ...headers };
    let token = null;
    if (auth) {
      if (!store.access || Date.now() > store.expiresAt - 5000) await refreshTokens();
      token = store.access;
      h.Authorization = 'Bearer ' + token;
    }
    // body may be a function, so that a retry after a refresh sends fresh values (logout's refresh_token)
    const { res, data } = await send(path, method, typeof body === 'function' ? body() : body, h);
    if (res.status === 401 && auth && !opts.retried) {
      if (store.access === token) await refreshTokens(); // another tab may already have rotated the tokens
      return api(path, { ...opts, retried: true });
    }
    if (!res.ok) throw new ApiError(res.status, data, res.headers);
    return data;
  }
  const listOf = (d) => (Array.isArray(d) ? d : d && Array.isArray(d.items) ? d.items : []);
  // A service not deployed yet: the gateway has no route for it (404) or cannot reach it (5xx).
  function unavailable(err, anyNotFound = false) {
    if (!(err instanceof ApiError)) return false;
    if ([501, 502, 503, 504].includes(err.status)) return true;
    return err.status === 404 && (anyNotFound || !err.problem.detail || /no api route/i.test(err.problem.detail));
  }
  function retryAfter(headers) { // delta-seconds or an HTTP date
    const v = (headers && headers.get('Retry-After')) || '';
    const t = /^\s*\d+\s*$/.test(v) ? Number(v) : Math.ceil((Date.parse(v) - Date.now()) / 1000);
    return Number.isNaN(t) ? 0 : Math.max(v ? 1 : 0, t);
  }
  function describe(err) {
    if (!(err instanceof ApiError)) { console.error(err); return 'Something went wrong. Please try again.'; }
    if (err.status === 0) return 'We could not reach Comptoir. Please check your connection and try again.';
    if (err.status === 429) {
      const s = retryAfter(err.headers);
      const wait = !s ? 'a moment' : s < 90 ? `${s} second${s === 1 ? '' : 's'}` : `${Math.ceil(s / 60)} minutes`;
      return `Too many attempts. Please wait ${wait} before trying again.`;
    }
    if (unavailable(err)) return 'This feature is not available yet. Please check back soon.';
    return err.problem.detail || err.problem.title || `The request failed (HTTP ${err.status}).`;
  }

  // ---------- formatting ----------
  const moneyFormats = new Map();
  function money(minor, currency = 'EUR') {
    if (typeof minor !== 'number') return '';
    if (!moneyFormats.has(currency)) {
      try { moneyFormats.set(currency, new Intl.NumberFormat(undefined, { style: 'currency', currency })); } catch { return `${minor} ${currency}`; }
    }
    const f = moneyFormats.get(currency);
    return f.format(minor / 10 ** f.resolvedOptions().maximumFractionDigits);
  }
  const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }); // estimates are whole days
  const fmtDay = (s) => { const d = s ? new Date(s) : null; return d && !Number.isNaN(d.getTime()) ? dayFormat.format(d) : ''; };
  const fmtDate = (s) => { const d = s ? new Date(s) : null; return d && !Number.isNaN(d.getTime()) ? dateFormat.format(d) : ''; };
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16)); // fallback outside secure contexts
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    const x = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

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
  const notice = (text, kind = 'info') => el('div', { class: `notice notice-${kind}` }, el('p', null, text));
  const loading = () => el('p', { class: 'loading', role: 'status' }, 'Loading…');
  const badge = (s) => el('span', { class: 'badge badge-' + String(s || '').replace(/[^a-z_]/gi, '') }, s || 'unknown');
  const link = (href, text, cls) => el('a', { href, class: cls }, text);
  const card = (title, ...kids) => { const id = 'h-' + (++uid); return el('section', { class: 'card', 'aria-labelledby': id }, el('h2', { id }, title), kids); };
  function showLoadError(box, err, sentence) {
    if (err && err.expired) return;
    put(box, unavailable(err, true)
      ? notice(`${sentence} We are still setting this part of Comptoir up — please check back soon.`)
      : notice(describe(err), 'error'));
  }
  function start(sec, title, ...intro) { // heading + intro + a box that shows "Loading…" until replaced
    const box = el('div', null, loading());
    heading(sec, title);
    sec.append(...intro, box);
    return box;
  }
  function heading(sec, text) {
    const h = el('h1', { tabindex: '-1' }, text);
    sec.prepend(h);
    document.title = `${text} · Comptoir`;
    if (!firstRender) h.focus();
    return h;
  }
  function setFlash(text, kind = 'success') {
    flashBox.className = 'flash' + (text ? ' flash-' + kind : '');
    put(flashBox, ...(text ? [el('p', null, text)] : []));
  }

  // ---------- forms ----------
  function field(name, label, o = {}) {
    const id = `f-${name}-${++uid}`;
    const attrs = {
      id, name, required: o.required, autocomplete: o.autocomplete, minlength: o.minlength, maxlength: o.maxlength,
      placeholder: o.placeholder, inputmode: o.inputmode, 'aria-describedby': (o.hint ? id + '-hint ' : '') + id + '-err',
    };
    const input = o.options ? el('select', attrs, o.options.map(([v, t]) => el('option', { value: v }, t)))
      : o.textarea ? el('textarea', { ...attrs, rows: o.rows || 5 })
      : el('input', { ...attrs, type: o.type || 'text', value: o.value });
    if (o.options && o.value != null) input.value = o.value;
    return el('div', { class: 'field' },
      el('label', { for: id }, label, o.optional ? el('span', { class: 'optional' }, ' (optional)') : null),
      o.hint ? el('p', { class: 'hint', id: id + '-hint' }, o.hint) : null,
      input, el('p', { class: 'field-error', id: id + '-err', hidden: true }));
  }
  function values(f) {
    const out = {};
    for (const e of f.elements) {
      if (!e.name || e.disabled) continue;
      const v = e.type === 'checkbox' ? e.checked : e.type === 'password' ? e.value : e.value.trim();
      if (v !== '') out[e.name] = v;
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
      if (slot) { input.setAttribute('aria-invalid', 'true'); slot.textContent = e.message || 'This value is not valid.'; slot.hidden = false; first = first || input; }
      else if (e.message) loose.push(e.field ? `${e.field}: ${e.message}` : e.message);
    }
    const text = err instanceof ApiError && err.status === 422 && !err.problem.detail ? 'Please correct the highlighted fields.' : describe(err);
    put(msg, el('p', null, text), loose.length ? el('ul', null, loose.map((m) => el('li', null, m))) : null);
    msg.hidden = false;
    (first || msg).focus();
    return err instanceof ApiError && err.status === 429 ? retryAfter(err.headers) : 0;
  }
  function form(label, fields, submitText, onSubmit) {
    const btn = el('button', { type: 'submit', class: 'btn' }, submitText);
    const f = el('form', { class: 'form', 'aria-label': label },
      el('div', { class: 'form-msg', role: 'alert', tabindex: '-1', hidden: true }), fields, el('div', { class: 'actions' }, btn));
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (btn.disabled) return;
      showProblem(f, null);
      btn.disabled = true; f.setAttribute('aria-busy', 'true');
      let wait = 0;
      try { await onSubmit(values(f), f); } catch (err) { wait = showProblem(f, err); }
      f.removeAttribute('aria-busy');
      setTimeout(() => { btn.disabled = false; }, wait * 1000); // on 429, wait out Retry-After
    });
    return f;
  }
  const fail = (field, message) => new ApiError(422, { errors: [{ field, message }] });

  // ---------- navigation ----------
  function parseHash() {
    const raw = location.hash.replace(/^#\/?/, '');
    const q = raw.indexOf('?');
    let parts;
    try { parts = (q < 0 ? raw : raw.slice(0, q)).split('/').filter(Boolean).map(decodeURIComponent); } catch { parts = []; }
    return { name: parts[0] || 'catalog', args: parts.slice(1), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
  }
  function go(hash, message, kind) {
    if (message) { setFlash(message, kind); keepFlash = true; }
    if (location.hash === hash) route(); else location.hash = hash;
  }
  const isAuthPage = (h) => /^#\/(login|register)\b/.test(h);
  const loginHash = () => (isAuthPage(location.hash) ? '#/login' : '#/login?next=' + encodeURIComponent(location.hash || '#/catalog'));
  const safeNext = (next) => (next && next.startsWith('#/') && !isAuthPage(next) ? next : '#/account');
  function hashWith(base, params) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v && !(k === 'page' && Number(v) === 1)) p.set(k, v);
    return p.toString() ? `${base}?${p}` : base;
  }
  const pageOf = (query) => Math.max(1, parseInt(query.get('page'), 10) || 1);
  function updateNav() {
    for (const li of document.querySelectorAll('[data-auth]')) li.hidden = (li.dataset.auth === 'in') !== store.loggedIn;
  }
  function setBasketCount(b) {
    const c = document.getElementById('basket-count');
    const n = b == null ? 0 : typeof b === 'number' ? b : listOf(b).reduce((s, i) => s + (Number(i.quantity) || 0), 0);
    c.hidden = !n;
    put(c, ...(n ? [String(n), el('span', { class: 'visually-hidden' }, n === 1 ? ' item' : ' items')] : []));
  }
  function refreshBasketCount() {
    if (store.loggedIn) api('/baskets/mine', { auth: true }).then(setBasketCount, () => setBasketCount(null));
  }
  async function route() {
    if (location.hash && !location.hash.startsWith('#/')) return;
    const { name, args, query } = parseHash();
    const r = routes[name];
    document.querySelector('.site-nav').classList.remove('open');
    document.querySelector('.menu-toggle').setAttribute('aria-expanded', 'false');
    if (!keepFlash) setFlash('');
    keepFlash = false;
    for (const a of document.querySelectorAll('.site-nav a')) {
      if (a.getAttribute('href') === '#/' + name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    const sec = el('section', { class: 'view view-' + name });
    put(main, sec);
    try {
      if (!r) {
        heading(sec, 'Page not found');
        sec.append(el('p', null, 'This page does not exist. ', link('#/catalog', 'Browse the catalog'), '.'));
      } else if (r.auth && !store.loggedIn) {
        return go(loginHash(), 'Please log in to continue.', 'info');
      } else await r.view(sec, args, query);
    } catch (err) {
      if (!err || !err.expired) sec.append(notice(describe(err), 'error'));
    } finally { firstRender = false; }
  }

  // ---------- auth ----------
  async function loginView(sec, args, query) {
    heading(sec, 'Log in');
    const otp = field('otp', 'One-time code', { optional: true, autocomplete: 'one-time-code', inputmode: 'numeric' });
    otp.hidden = true; // shown when the account asks for a second factor
    const f = form('Log in', [
      field('email', 'E-mail', { type: 'email', required: true, autocomplete: 'email' }),
      field('password', 'Password', { type: 'password', required: true, autocomplete: 'current-password' }), otp,
    ], 'Log in', async (v) => {
      try { store.save(await api('/auth/login', { method: 'POST', body: v })); } catch (err) {
        if (err instanceof ApiError && (err.fields.some((e) => e.field === 'otp') || /\botp\b|one-time/i.test(err.message))) otp.hidden = false;
        if (err instanceof ApiError && err.status === 401 && !err.problem.detail) err.problem.detail = 'Incorrect e-mail or password.';
        throw err;
      }
      updateNav(); refreshBasketCount();
      go(safeNext(query.get('next')), 'Welcome back!');
    });
    sec.append(el('div', { class: 'card narrow' }, f, el('p', { class: 'aside' }, 'New to Comptoir? ', link('#/register', 'Create an account'), '.')));
  }
  async function registerView(sec) {
    heading(sec, 'Create an account');
    const f = form('Create an account', [
      field('name', 'Name', { required: true, autocomplete: 'name', maxlength: 200 }),
      field('email', 'E-mail', { type: 'email', required: true, autocomplete: 'email' }),
      field('password', 'Password', { type: 'password', required: true, autocomplete: 'new-password', minlength: 10, hint: 'At least 10 characters.' }),
    ], 'Create account', async (v) => {
      const user = await api('/auth/register', { method: 'POST', body: v });
      try { store.save(await api('/auth/login', { method: 'POST', body: { email: v.email, password: v.password } })); }
      catch { return go('#/login', 'Your account has been created. Please log in.'); }
      updateNav();
      go('#/account', `Welcome to Comptoir, ${(user && user.name) || v.name}!`);
    });
    sec.append(el('div', { class: 'card narrow' }, f, el('p', { class: 'aside' }, 'Already have an account? ', link('#/login', 'Log in'), '.')));
  }
  async function accountView(sec) {
    heading(sec, 'Your account');
    const profile = card('Profile', loading());
    const pw = form('Change password', [
      field('current_password', 'Current password', { type: 'password', required: true, autocomplete: 'current-password' }),
      field('new_password', 'New password', { type: 'password', required: true, autocomplete: 'new-password', minlength: 10, hint: 'At least 10 characters.' }),
      field('confirm_password', 'Repeat new password', { type: 'password', required: true, autocomplete: 'new-password' }),
    ], 'Change password', async (v, f) => {
      if (v.new_password !== v.confirm_password) throw fail('confirm_password', 'The two passwords do not match.');
      await api('/auth/password', { method: 'POST', auth: true, body: { current_password: v.current_password, new_password: v.new_password } });
      f.reset();
      setFlash('Your password has been changed. Your other sessions have been signed out.');
    });
    sec.append(el('div', { class: 'columns' }, profile, card('Change password', pw)));
    try {
      const me = await api('/auth/me', { auth: true });
      const rows = [['Name', me.name], ['E-mail', me.email], ['Roles', (me.roles || []).join(', ')], ['Member since', fmtDate(me.created_at)]];
      put(profile, profile.firstChild,
        el('dl', { class: 'props' }, rows.map(([k, v]) => [el('dt', null, k), el('dd', null, v || '—')])),
        el('p', { class: 'links' }, link('#/orders', 'Your orders'), ' · ', link('#/support', 'Support tickets')),
        el('button', { type: 'button', class: 'btn btn-secondary', onclick: logout }, 'Log out'));
    } catch (err) { showLoadError(profile, err, 'Your profile is not available right now.'); }
  }
  async function logout() {
    if (store.refresh) {
      try { await api('/auth/logout', { method: 'POST', auth: true, body: () => ({ refresh_token: store.refresh }) }); } catch { /* the local session ends anyway */ }
    }
    store.clear(); updateNav(); setBasketCount(null);
    go('#/catalog', 'You have been logged out.');
  }

  // ---------- catalog ----------
  function productImage(p, cls) {
    const first = (p.images || [])[0];
    const url = typeof first === 'string' ? first : first && first.url;
    const ph = el('div', { class: cls + ' placeholder', 'aria-hidden': 'true' }, (p.name || '?').slice(0, 1));
    if (!url) return ph;
    const img = el('img', { class: cls, src: url, alt: '', loading: 'lazy' });
    img.addEventListener('error', () => img.replaceWith(ph));
    return img;
  }
  const soldOut = (p) => typeof p.stock === 'number' && p.stock <= 0;
  function stockLabel(p) {
    if (typeof p.stock !== 'number') return null;
    if (soldOut(p)) return el('p', { class: 'stock stock-out' }, 'Out of stock');
    return el('p', { class: 'stock' + (p.stock < 5 ? ' stock-low' : '') }, p.stock < 5 ? `Only ${p.stock} left` : 'In stock');
  }
  function addButton(p, qtyInput) {
    const btn = el('button', { type: 'button', class: 'btn', disabled: soldOut(p) }, 'Add to basket');
    btn.addEventListener('click', async () => {
      if (!store.loggedIn) return go(loginHash(), 'Please log in to add items to your basket.', 'info');
      const quantity = qtyInput ? Math.min(99, Math.max(1, parseInt(qtyInput.value, 10) || 1)) : 1;
      btn.disabled = true;
      try {
        setBasketCount(await api('/baskets/mine/items', { method: 'POST', auth: true, body: { product_id: p.id, quantity } }));
        setFlash(`Added “${p.name}” to your basket.`);
      } catch (err) {
        if (err.expired) return go(loginHash(), 'Please log in again to add items to your basket.', 'info');
        setFlash(unavailable(err) ? 'The basket is not available yet. Please check back soon.' : describe(err), 'error');
      } finally { btn.disabled = soldOut(p); }
    });
    return btn;
  }
  function pager(data, hashFor) {
    const page = Number(data.page) || 1;
    const pages = Math.ceil((Number(data.total) || 0) / (Number(data.per_page) || 20));
    if (pages <= 1) return null;
    const to = (n, text, rel) => (n < 1 || n > pages
      ? el('span', { class: 'btn btn-secondary', 'aria-disabled': 'true' }, text)
      : el('a', { class: 'btn btn-secondary', href: hashFor(n), rel }, text));
    return el('nav', { class: 'pager', 'aria-label': 'Pagination' },
      to(page - 1, '← Previous', 'prev'), el('span', null, `Page ${page} of ${pages}`), to(page + 1, 'Next →', 'next'));
  }
  async function catalogView(sec, args, query) {
    heading(sec, 'Catalog');
    const state = { q: query.get('q') || '', category: query.get('category') || '', sort: query.get('sort') || '' };
    const catField = field('category', 'Category', { options: [['', 'All categories']] });
    const filters = el('form', { class: 'filters', role: 'search', 'aria-label': 'Search products' },
      field('q', 'Search', { type: 'search', value: state.q, placeholder: 'What are you looking for?' }), catField,
      field('sort', 'Sort by', { value: state.sort, options: [['', 'Relevance'], ['price', 'Price: low to high'], ['-price', 'Price: high to low'], ['name', 'Name'], ['-created_at', 'Newest']] }),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'btn' }, 'Search')));
    const apply = (ev) => { if (ev) ev.preventDefault(); go(hashWith('#/catalog', values(filters))); };
    filters.addEventListener('submit', apply);
    for (const s of filters.querySelectorAll('select')) s.addEventListener('change', () => apply());
    const count = el('p', { class: 'result-count', role: 'status' });
    const results = el('div', { class: 'results' }, loading());
    sec.append(filters, count, results);
    api('/categories').then((cats) => {
      const select = catField.querySelector('select');
      for (const c of listOf(cats)) select.append(el('option', { value: c.slug }, typeof c.product_count === 'number' ? `${c.name} (${c.product_count})` : c.name));
      select.value = state.category;
    }, () => { catField.hidden = true; });
    const params = new URLSearchParams({ page: String(pageOf(query)), per_page: '24' });
    for (const [k, v] of Object.entries(state)) if (v) params.set(k, v);
    try {
      const data = await api('/products?' + params);
      const items = listOf(data);
      count.textContent = items.length ? plural(typeof data.total === 'number' ? data.total : items.length, 'product') : '';
      if (!items.length) return put(results, notice(state.q || state.category ? 'No products match your search.' : 'There are no products yet.'));
      put(results,
        el('ul', { class: 'grid' }, items.map((p) => el('li', { class: 'card product-card' },
          el('a', { class: 'product-link', href: '#/product/' + encodeURIComponent(p.id) }, productImage(p, 'thumb'), el('h2', { class: 'product-name' }, p.name)),
          el('p', { class: 'price' }, money(p.price, p.currency)), stockLabel(p), addButton(p)))),
        pager(data, (page) => hashWith('#/catalog', { ...state, page })));
    } catch (err) { showLoadError(results, err, 'The catalog is not available yet.'); }
  }
  async function productView(sec, [id]) {
    const h = heading(sec, 'Product');
    const box = el('div', null, loading());
    sec.prepend(el('p', { class: 'crumbs' }, link('#/catalog', '← Back to catalog')));
    sec.append(box);
    let p;
    try { p = await api('/products/' + encodeURIComponent(id || '')); } catch (err) {
      if (err.status === 404 && !unavailable(err)) return put(box, notice('This product could not be found. It may have been removed.'));
      return showLoadError(box, err, 'The catalog is not available yet.');
    }
    h.textContent = p.name;
    document.title = `${p.name} · Comptoir`;
    const qty = el('input', { type: 'number', id: 'qty', min: 1, max: Math.max(1, Math.min(99, p.stock || 99)), value: 1, inputmode: 'numeric' });
    put(box, el('div', { class: 'product' },
      el('div', { class: 'gallery' }, productImage(p, 'hero')),
      el('div', { class: 'info' },
        el('p', { class: 'price price-big' }, money(p.price, p.currency)), stockLabel(p),
        soldOut(p) ? null : el('div', { class: 'buy' }, el('label', { for: 'qty' }, 'Quantity'), qty, addButton(p, qty)),
        p.description ? el('p', { class: 'description' }, p.description) : null,
        el('dl', { class: 'props' },
          p.sku ? [el('dt', null, 'SKU'), el('dd', null, p.sku)] : null,
          p.category ? [el('dt', null, 'Category'), el('dd', null, link(hashWith('#/catalog', { category: p.category }), p.category))] : null))));
  }

  // ---------- basket & checkout ----------
  async function basketView(sec) {
    const box = start(sec, 'Your basket');
    try { renderBasket(box, await api('/baskets/mine', { auth: true })); } catch (err) { showLoadError(box, err, 'The basket is not available yet.'); }
  }
  function renderBasket(box, b, focusId) {
    setBasketCount(b);
    const items = listOf(b);
    const cur = b.currency;
    if (!items.length) return put(box, notice('Your basket is empty.'), el('p', null, link('#/catalog', 'Browse the catalog', 'btn')));
    const update = async (req, pid) => {
      try {
        const nb = await req();
        renderBasket(box, nb || { items: [], total: 0, currency: cur }, pid);
        setFlash(nb ? 'Your basket has been updated.' : 'Your basket has been emptied.');
      } catch (err) { if (!err.expired) setFlash(describe(err), 'error'); }
    };
    const rows = items.map((i) => {
      const path = '/baskets/mine/items/' + encodeURIComponent(i.product_id);
      const qty = el('input', { type: 'number', min: 1, max: 99, value: i.quantity, class: 'qty', 'data-product': i.product_id, 'aria-label': `Quantity of ${i.name}` });
      qty.addEventListener('change', () => {
        const n = parseInt(qty.value, 10);
        if (!(n >= 1 && n <= 99)) { qty.value = i.quantity; return setFlash('Quantity must be between 1 and 99.', 'error'); }
        update(() => api(path, { method: 'PATCH', auth: true, body: { quantity: n } }), i.product_id);
      });
      return el('tr', null,
        el('th', { scope: 'row' }, link('#/product/' + encodeURIComponent(i.product_id), i.name)),
        el('td', { 'data-label': 'Unit price' }, money(i.unit_price, cur)),
        el('td', { 'data-label': 'Quantity' }, qty),
        el('td', { 'data-label': 'Total' }, money(i.line_total, cur)),
        el('td', null, el('button', { type: 'button', class: 'btn btn-ghost', 'aria-label': `Remove ${i.name}`,
          onclick: () => update(() => api(path, { method: 'DELETE', auth: true })) }, 'Remove')));
    });
    const clear = el('button', { type: 'button', class: 'btn btn-secondary', onclick: () => {
      if (confirm('Remove every item from your basket?')) update(() => api('/baskets/mine', { method: 'DELETE', auth: true }));
    } }, 'Empty basket');
    const checkout = card('Checkout', loading());
    checkout.classList.add('checkout');
    put(box,
      el('div', { class: 'table-wrap' }, el('table', { class: 'table' },
        el('caption', { class: 'visually-hidden' }, 'Basket contents'),
        el('thead', null, el('tr', null, ['Product', 'Unit price', 'Quantity', 'Total'].map((t) => el('th', { scope: 'col' }, t)),
          el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Actions')))),
        el('tbody', null, rows),
        el('tfoot', null, el('tr', null, el('th', { scope: 'row', colspan: 3 }, 'Total'), el('td', { class: 'price' }, money(b.total, cur)), el('td'))))),
      el('div', { class: 'actions' }, clear), checkout);
    const focus = focusId && box.querySelector(`input[data-product="${CSS.escape(focusId)}"]`);
    if (focus) focus.focus();
    loadCheckout(checkout);
  }
  const addressLabel = (a) => [a.name, a.line1, a.line2, `${a.postal_code || ''} ${a.city || ''}`.trim(), a.country].filter(Boolean).join(', ');
  async function loadCheckout(box) {
    const title = box.firstChild;
    let addresses;
    try { addresses = listOf(await api('/addresses', { auth: true })); } catch (err) {
      if (err.expired) return;
      return put(box, title, unavailable(err, true) ? notice('Checkout is not available yet. Your basket is saved — please check back soon.') : notice(describe(err), 'error'));
    }
    const sorted = addresses.slice().sort((a, b) => Number(Boolean(b.is_default)) - Number(Boolean(a.is_default)));
    const shipping = sorted.filter((a) => a.kind !== 'billing');
    const add = el('details', { class: 'add-address', open: !shipping.length }, el('summary', null, 'Add a new address'), addressForm(() => loadCheckout(box)));
    if (!shipping.length) return put(box, title, el('p', null, 'Add a shipping address to place your order.'), add);
    const key = uuid(); // one key per checkout attempt: a retry or a double click cannot create a second order
    const order = form('Place order', [
      field('shipping_address_id', 'Shipping address', { required: true, options: shipping.map((a) => [a.id, addressLabel(a)]) }),
      field('billing_address_id', 'Billing address', { optional: true, options: [['', 'Same as shipping'], ...sorted.map((a) => [a.id, addressLabel(a)])] }),
    ], 'Place order', async (v) => {
      try {
        const o = await api('/orders', { method: 'POST', auth: true, body: v, headers: { 'Idempotency-Key': key } });
        setBasketCount(0);
        go('#/orders', o && o.number ? `Thank you! Your order ${o.number} has been placed.` : 'Thank you! Your order has been placed.');
      } catch (err) {
        if (unavailable(err)) err.problem.detail = 'Ordering is not available yet. Your basket is saved — please check back soon.';
        throw err;
      }
    });
    put(box, title, order, add);
  }
  function addressForm(done) {
    const def = el('input', { type: 'checkbox', name: 'is_default', id: 'addr-default-' + (++uid) });
    return form('New address', [
      field('kind', 'Type', { options: [['shipping', 'Shipping'], ['billing', 'Billing']] }),
      field('name', 'Full name', { required: true, autocomplete: 'name' }),
      field('line1', 'Address', { required: true, autocomplete: 'address-line1' }),
      field('line2', 'Address line 2', { optional: true, autocomplete: 'address-line2' }),
      el('div', { class: 'row' }, field('postal_code', 'Postal code', { required: true, autocomplete: 'postal-code' }),
        field('city', 'City', { required: true, autocomplete: 'address-level2' })),
      field('country', 'Country code', { required: true, autocomplete: 'country', minlength: 2, maxlength: 2, placeholder: 'FR', hint: 'Two letters, e.g. FR, BE, DE.' }),
      field('phone', 'Phone', { optional: true, type: 'tel', autocomplete: 'tel' }),
      el('div', { class: 'check' }, def, el('label', { for: def.id }, 'Use as my default address')),
    ], 'Save address', async (v) => {
      await api('/addresses', { method: 'POST', auth: true, body: { ...v, country: (v.country || '').toUpperCase() } });
      setFlash('Your address has been saved.');
      done();
    });
  }

  // ---------- orders ----------
  async function ordersView(sec, args, query) {
    const box = start(sec, 'Your orders');
    let data;
    try { data = await api(`/orders?page=${pageOf(query)}&per_page=10`, { auth: true }); } catch (err) { return showLoadError(box, err, 'Orders are not available yet.'); }
    const orders = listOf(data);
    if (!orders.length) return put(box, notice('You have not placed any orders yet.'), el('p', null, link('#/catalog', 'Start shopping', 'btn')));
    put(box, el('ul', { class: 'stack' }, orders.map((o) => {
      const label = `Order ${o.number || o.id}`;
      const cancel = ['pending', 'confirmed'].includes(o.status) && el('button', { type: 'button', class: 'btn btn-secondary', onclick: async (ev) => {
        if (!confirm(`Cancel ${label.toLowerCase()}?`)) return;
        ev.target.disabled = true;
        try {
          await api(`/orders/${encodeURIComponent(o.id)}/cancel`, { method: 'POST', auth: true });
          go(location.hash, `${label} has been cancelled.`);
        } catch (err) { ev.target.disabled = false; if (!err.expired) setFlash(describe(err), 'error'); }
      } }, 'Cancel order');
      const history = o.status_history || [];
      return el('li', { class: 'card order' },
        el('div', { class: 'order-head' }, el('h2', null, label), badge(o.status)),
        el('p', { class: 'meta' }, [fmtDate(o.created_at), money(o.total, o.currency)].filter(Boolean).join(' · ')),
        el('details', null, el('summary', null, 'Details'),
          el('ul', { class: 'lines' }, listOf(o.lines).map((l) => el('li', null,
            el('span', null, `${l.quantity || 1} × ${l.name || l.product_id || ''}`), el('span', null, money(l.line_total, o.currency))))),
          history.length ? [el('h3', null, 'History'), el('ol', { class: 'history' }, history.map((s) => el('li', null, badge(s.status), ' ', fmtDate(s.at))))] : null),
        ['confirmed', 'shipped', 'delivered'].includes(o.status) ? shipmentOf(o) : null,
        cancel);
    })), pager(data, (page) => hashWith('#/orders', { page })));
  }
  function shipmentOf(o) { // the order's parcel: carrier, tracking number (linked to public tracking), estimate
    const box = el('p', { class: 'meta' }, 'Looking up the delivery…');
    api('/deliveries?order_id=' + encodeURIComponent(o.id), { auth: true }).then((list) => {
      const d = listOf(list)[0];
      if (!d) return put(box, 'The delivery is being arranged.');
      put(box, `${d.carrier} · `, link('#/track/' + encodeURIComponent(d.tracking_number), d.tracking_number), ` · ${d.status.replace('_', ' ')}`,
        d.status === 'delivered' ? '' : ` · expected ${fmtDay(d.estimated_delivery)}`);
    }, () => put(box, 'Delivery details are not available right now.'));
    return box;
  }

  // ---------- parcel tracking (public) ----------
  async function trackView(sec, args) {
    const number = args[0] || '';
    const box = start(sec, 'Track a parcel');
    const lookup = el('form', { class: 'filters' }, field('number', 'Tracking number', { value: number, required: true }),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'btn' }, 'Track')));
    lookup.addEventListener('submit', (ev) => { ev.preventDefault(); go('#/track/' + encodeURIComponent(values(lookup).number.trim())); });
    if (!number) return put(box, lookup);
    try {
      const t = await api('/deliveries/track/' + encodeURIComponent(number));
      put(box, lookup, card(`${t.carrier} · ${t.tracking_number}`,
        el('p', null, badge(t.status), t.status === 'delivered' ? '' : ` Expected ${fmtDay(t.estimated_delivery)}`),
        el('ol', { class: 'history' }, listOf(t.events).map((e) => el('li', null, fmtDate(e.at), ' — ', e.description)))));
    } catch (err) {
      put(box, lookup, notice(err instanceof ApiError && err.status === 404 ? `No parcel has the tracking number “${number}”.` : describe(err), 'error'));
    }
  }

  // ---------- support ----------
  async function supportView(sec) {
    const box = start(sec, 'Support', el('p', { class: 'lead' }, 'Need help with an order? Open a ticket and our team will answer here. You may also find an answer in the ', link('#/faq', 'FAQ'), '.'));
    let tickets;
    try { tickets = listOf(await api('/sav/tickets', { auth: true })); } catch (err) { return showLoadError(box, err, 'Support tickets are not available yet.'); }
    const orderField = field('order_id', 'Related order', { optional: true, options: [['', 'None']] });
    orderField.hidden = true;
    api('/orders?per_page=50', { auth: true }).then((d) => {
      for (const o of listOf(d)) orderField.querySelector('select').append(el('option', { value: o.id }, `Order ${o.number || o.id} · ${fmtDate(o.created_at)}`));
      orderField.hidden = !listOf(d).length;
    }, () => {});
    const create = form('Open a ticket', [
      field('subject', 'Subject', { required: true, maxlength: 200 }), field('message', 'Message', { required: true, textarea: true }), orderField,
    ], 'Send', async (v) => {
      const t = await api('/sav/tickets', { method: 'POST', auth: true, body: v });
      go(location.hash, `Ticket ${(t && t.number) || ''} has been opened. We will get back to you soon.`.replace('  ', ' '));
    });
    put(box, card('Open a ticket', create), el('h2', null, 'Your tickets'),
      tickets.length ? el('ul', { class: 'stack' }, tickets.map(ticketItem)) : notice('You have no support tickets yet.'));
  }
  function ticketItem(t) {
    const thread = el('div', { class: 'thread-box' }, loading());
    const details = el('details', null, el('summary', null, 'Conversation'), thread);
    const load = async () => {
      try { renderThread(thread, await api('/sav/tickets/' + encodeURIComponent(t.id), { auth: true }), load); } catch (err) { showLoadError(thread, err, 'This conversation is not available yet.'); }
    };
    details.addEventListener('toggle', () => { if (details.open && !details.dataset.loaded) { details.dataset.loaded = '1'; load(); } });
    return el('li', { class: 'card ticket' },
      el('div', { class: 'order-head' }, el('h3', null, `#${t.number || ''} ${t.subject || ''}`.trim()), badge(t.status)),
      el('p', { class: 'meta' }, fmtDate(t.created_at)), details);
  }
  function renderThread(box, t, reload) {
    const msgs = t.messages || [];
    const files = (t.attachments || []).map((a) => a.filename).filter(Boolean);
    const reply = t.status !== 'closed' && form('Reply', [field('body', 'Your reply', { required: true, textarea: true, rows: 3 })], 'Send reply', async (v) => {
      await api(`/sav/tickets/${encodeURIComponent(t.id)}/messages`, { method: 'POST', auth: true, body: { body: v.body } });
      setFlash('Your reply has been sent.');
      await reload();
    });
    put(box,
      msgs.length ? el('ol', { class: 'thread' }, msgs.map((m) => el('li', { class: 'msg' },
        el('p', { class: 'meta' }, [m.author_name || m.author || '', fmtDate(m.created_at)].filter(Boolean).join(' · ')),
        el('p', { class: 'pre' }, m.body || m.message || '')))) : el('p', null, 'No messages yet.'),
      files.length ? el('p', { class: 'meta' }, 'Attachments: ', files.join(', ')) : null, reply);
  }

  // ---------- FAQ ----------
  async function faqView(sec, args, query) {
    heading(sec, 'Frequently asked questions');
    const q = query.get('q') || '';
    const search = el('form', { class: 'filters', role: 'search', 'aria-label': 'Search the FAQ' },
      field('q', 'Search the FAQ', { type: 'search', value: q }), el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'btn' }, 'Search')));
    search.addEventListener('submit', (ev) => { ev.preventDefault(); go(hashWith('#/faq', values(search))); });
    const box = el('div', null, loading());
    sec.append(search, box, el('p', { class: 'aside' }, 'Still need help? ', link('#/support', 'Contact our support team'), '.'));
    const params = new URLSearchParams({ page: String(pageOf(query)) });
    if (q) params.set('q', q);
    try {
      const data = await api('/questions?' + params);
      const items = listOf(data);
      if (!items.length) return put(box, notice(q ? `No questions match “${q}”.` : 'There are no questions yet.'));
      put(box, el('div', { class: 'faq' }, items.map((f) => el('details', { class: 'card faq-item' },
        el('summary', null, f.question), f.category ? el('p', { class: 'meta' }, f.category) : null, el('p', { class: 'pre' }, f.answer)))),
        pager(data, (page) => hashWith('#/faq', { q, page })));
    } catch (err) { showLoadError(box, err, 'The FAQ is not available yet.'); }
  }
  const routes = {
    catalog: { view: catalogView }, product: { view: productView }, faq: { view: faqView },
    login: { view: loginView }, register: { view: registerView },
    account: { view: accountView, auth: true }, basket: { view: basketView, auth: true },
    orders: { view: ordersView, auth: true }, support: { view: supportView, auth: true }, track: { view: trackView },
  };

  // ---------- start ----------
  document.getElementById('logout-button').addEventListener('click', logout);
  document.getElementById('skip-link').addEventListener('click', (ev) => { ev.preventDefault(); main.focus(); });
  document.querySelector('.menu-toggle').addEventListener('click', (ev) => {
    ev.currentTarget.setAttribute('aria-expanded', String(document.querySelector('.site-nav').classList.toggle('open')));
  });
  window.addEventListener('storage', (ev) => { // keep tabs in step when another one logs in or out
    if (ev.key && ev.key.startsWith(KEY)) { updateNav(); if (!store.loggedIn && (routes[parseHash().name] || {}).auth) route(); }
  });
  window.addEventListener('hashchange', route);
  updateNav(); refreshBasketCount(); route();
})();
