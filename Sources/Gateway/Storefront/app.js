// Comptoir storefront — vanilla ES2020, no build step. Server text only ever goes through text nodes.
// Its views and what is the shop's own: the store's locale and currency, the basket, addresses, attachments, the
// navigation of the shop. What it shares with the back-office (session, API client, formatting, DOM and form helpers,
// router) is in kit.js, loaded before it as /kit.js (the global ComptoirWeb).
'use strict';
(() => {
  const K = window.ComptoirWeb;
  const { API, KEY, store, claims, freshToken, ApiError, api, download, listOf, enc, retryAfter, waitText, describe } = K;
  const { fmtDay, fmtDate, plural, words, el, put, notice, loading, badge, link, card, heading, retitle, start, setFlash } = K;
  const { nextId, field, values, form, fail, pager, parseHash, go, hashWith, pageOf, route } = K;
  const MAX_ATTACHMENT = 10 * 1024 * 1024; // the support service's limit (10 MiB)
  // The countries the addresses service accepts (Sources/AddressesService/Domain/CountryRules.swift).
  const COUNTRIES = ['FR', 'DE', 'GB', 'US', 'ES', 'IT', 'BE', 'NL', 'CH', 'CA'];
  K.setUp({
    home: 'catalog', view: document.getElementById('main'), title: (text) => `${text} · ${shop.name}`,
    explain: (err) => (unavailable(err) ? 'This feature is not available yet. Please check back soon.' : null),
    onExpired: (message) => {
      updateNav(); setBasketCount(null);
      const r = routes[parseHash().name];
      if (r && r.auth) go(loginHash(), message, 'info'); else setFlash(message, 'info');
    },
    enter: markNav,
    show: async (sec, name, args, query) => {
      const r = routes[name];
      if (!r) {
        heading(sec, 'Page not found');
        sec.append(el('p', null, 'This page does not exist. ', link('#/catalog', 'Browse the catalog'), '.'));
      } else if (r.auth && !store.loggedIn) {
        return go(loginHash(), 'Please log in to continue.', 'info');
      } else await r.view(sec, args, query);
    },
  });
  async function myId() { await freshToken(); return claims().sub || ''; }
  // A service not deployed yet: the gateway has no route for it (404) or cannot reach it (5xx).
  function unavailable(err, anyNotFound = false) {
    if (!(err instanceof ApiError)) return false;
    if ([501, 502, 503, 504].includes(err.status)) return true;
    return err.status === 404 && (anyNotFound || !err.problem.detail || /no api route/i.test(err.problem.detail));
  }

  // ---------- the store: locale and currency (GET /websites/current), not the browser's ----------
  const shop = { locale: 'en', currency: 'EUR', name: 'Comptoir' };
  let regionNames = null;
  function setLocale(locale) {
    shop.locale = K.useLocale(locale);
    try { regionNames = new Intl.DisplayNames([shop.locale], { type: 'region' }); } catch { regionNames = null; }
  }
  setLocale(document.documentElement.lang || 'en');
  async function loadStore() {
    try {
      const w = await api('/websites/current');
      if (w && w.currency) shop.currency = w.currency;
      if (w && w.name) shop.name = w.name;
      if (w && w.locale) setLocale(w.locale);
    } catch { /* the defaults of the page stay */ }
  }

  // ---------- formatting ----------
  const money = (minor, currency) => K.money(minor, currency || shop.currency);
  const timeEl = (s) => (fmtDate(s) ? el('time', { datetime: s }, fmtDate(s)) : null);
  const countryName = (code) => { try { return (regionNames && regionNames.of(code)) || code; } catch { return code; } };
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16)); // fallback outside secure contexts
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    const x = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }
  function fileSize(n) {
    if (!(n >= 0)) return '';
    if (n < 1024) return `${n} B`;
    return n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
  }
  function showLoadError(box, err, sentence) {
    if (err && err.expired) return;
    put(box, unavailable(err, true)
      ? notice(`${sentence} We are still setting this part of Comptoir up — please check back soon.`)
      : notice(describe(err), 'error'));
  }

  // ---------- forms ----------
  const newPassword = (name, label) => field(name, label,
    { type: 'password', required: true, autocomplete: 'new-password', minlength: 10, hint: 'At least 10 characters.' });
  function fileField(name, label) {
    return field(name, label, { type: 'file', optional: true, hint: 'One file, at most 10 MiB.' });
  }
  function chosenFile(f, name) { // the file of a file field, checked against the size limit
    const input = f.elements.namedItem(name);
    const file = input && input.files && input.files[0];
    if (file && file.size > MAX_ATTACHMENT) throw fail([name, `“${file.name}” is ${fileSize(file.size)}; files may be at most 10 MiB.`]);
    return file || null;
  }
  async function attach(ticketId, file) {
    const name = /^[\x20-\x7e]{1,200}$/.test(file.name) ? file.name : enc(file.name).slice(0, 200);
    try {
      return await api(`/sav/tickets/${enc(ticketId)}/attachments`, {
        method: 'POST', auth: true, raw: file, headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-Filename': name },
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 413) err.problem.detail = `“${file.name}” is too large: files may be at most 10 MiB.`;
      throw err;
    }
  }

  // ---------- navigation ----------
  const isAuthPage = (h) => /^#\/(login|register|forgot|reset)\b/.test(h);
  const loginHash = () => (isAuthPage(location.hash) ? '#/login' : '#/login?next=' + enc(location.hash || '#/catalog'));
  const safeNext = (next) => (next && next.startsWith('#/') && !isAuthPage(next) ? next : '#/account');
  const withNext = (base, next) => (next && next.startsWith('#/') && !isAuthPage(next) ? `${base}?next=${enc(next)}` : base);
  function updateNav() {
    for (const li of document.querySelectorAll('[data-auth]')) li.hidden = (li.dataset.auth === 'in') !== store.loggedIn;
  }
  function markNav(name) { // the links of the page shown and of its section
    updateNav();
    const section = { product: 'catalog', order: 'orders', ticket: 'support', contact: 'support' }[name] || name;
    for (const a of document.querySelectorAll('.site-nav a')) {
      const href = a.getAttribute('href');
      if (href === '#/' + name) a.setAttribute('aria-current', 'page');
      else if (href === '#/' + section) a.setAttribute('aria-current', 'true');
      else a.removeAttribute('aria-current');
    }
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

  // ---------- auth ----------
  const PENDING_ADD = KEY + 'pending_add';
  async function pendingAdd() { // the "Add to basket" that asked for a login, done once logged in: [message, kind] or null
    const raw = sessionStorage.getItem(PENDING_ADD);
    if (!raw) return null;
    sessionStorage.removeItem(PENDING_ADD);
    let p;
    try { p = JSON.parse(raw); } catch { return null; }
    if (!p || !p.product_id) return null;
    try {
      setBasketCount(await api('/baskets/mine/items', { method: 'POST', auth: true, body: { product_id: p.product_id, quantity: p.quantity || 1 } }));
      return [`Added “${p.name}” to your basket.`, 'success'];
    } catch (err) {
      if (err.expired) return null;
      return [`We could not add “${p.name}” to your basket: ${describe(err)}`, 'error'];
    }
  }
  async function loginView(sec, args, query) {
    heading(sec, 'Log in');
    const next = query.get('next');
    const otp = field('otp', 'One-time code', { optional: true, autocomplete: 'one-time-code', inputmode: 'numeric' });
    otp.hidden = true; // shown when the account asks for a second factor
    const f = form('Log in', [
      field('email', 'E-mail', { type: 'email', required: true, autocomplete: 'email' }),
      field('password', 'Password', { type: 'password', required: true, autocomplete: 'current-password' }), otp,
    ], 'Log in', async (v) => {
      try { store.save(await api('/auth/login', { method: 'POST', body: v })); } catch (err) {
        if (err instanceof ApiError && (err.fields.some((e) => e.field === 'otp') || /\botp\b|one-time/i.test(err.message))) otp.hidden = false;
        if (err instanceof ApiError && err.status === 401 && !err.problem.detail) err.problem.detail = 'Incorrect e-mail or password.';
        if (err instanceof ApiError && err.status === 429) {
          err.problem.detail = `Too many failed attempts for this account. Please wait ${waitText(retryAfter(err.headers))} before trying again.`;
          err.after = el('p', null, 'Locked out? ', link('#/forgot', 'Forgot your password?'));
        }
        throw err;
      }
      updateNav();
      const added = await pendingAdd(); // sets the basket count itself
      if (!added) refreshBasketCount();
      go(safeNext(next), ...(added || ['Welcome back!']));
    });
    sec.append(el('div', { class: 'card narrow' }, f,
      el('p', { class: 'aside' }, link('#/forgot', 'Forgot your password?')),
      el('p', { class: 'aside' }, 'New to Comptoir? ', link(withNext('#/register', next), 'Create an account'), '.')));
  }
  async function registerView(sec, args, query) {
    heading(sec, 'Create an account');
    const next = query.get('next');
    const f = form('Create an account', [
      field('name', 'Name', { required: true, autocomplete: 'name', maxlength: 200 }),
      field('email', 'E-mail', { type: 'email', required: true, autocomplete: 'email' }),
      newPassword('password', 'Password'),
    ], 'Create account', async (v) => {
      const user = await api('/auth/register', { method: 'POST', body: v });
      try { store.save(await api('/auth/login', { method: 'POST', body: { email: v.email, password: v.password } })); }
      catch { return go(withNext('#/login', next), 'Your account has been created. Please log in.'); }
      updateNav();
      const added = await pendingAdd();
      go(next ? safeNext(next) : '#/account', ...(added || [`Welcome to Comptoir, ${(user && user.name) || v.name}!`]));
    });
    sec.append(el('div', { class: 'card narrow' }, f,
      el('p', { class: 'aside' }, 'Already have an account? ', link(withNext('#/login', next), 'Log in'), '.')));
  }
  async function forgotView(sec) {
    heading(sec, 'Forgot your password?');
    const box = el('div', { class: 'card narrow' });
    const f = form('Ask for a password reset link', [
      el('p', { class: 'hint' }, 'Enter the e-mail address of your account. We will send you a link to choose a new password.'),
      field('email', 'E-mail', { type: 'email', required: true, autocomplete: 'email' }),
    ], 'Send me a link', async (v) => {
      await api('/auth/password/forgot', { method: 'POST', body: { email: v.email } });
      const sent = el('div', { class: 'notice notice-success', role: 'status', tabindex: '-1' }, el('p', null,
        'If an account exists for that address, we have sent a link to choose a new password. It is valid for 30 minutes.'));
      put(box, sent, el('p', { class: 'aside' }, link('#/login', 'Back to log in')));
      sent.focus();
    });
    put(box, f, el('p', { class: 'aside' }, 'Remembered it? ', link('#/login', 'Log in'), '.'));
    sec.append(box);
  }
  async function resetView(sec, args, query) {
    heading(sec, 'Choose a new password');
    const token = query.get('token') || '';
    const box = el('div', { class: 'card narrow' });
    sec.append(box);
    if (!token) return put(box, notice('This link is incomplete. ', 'error', link('#/forgot', 'Ask for a new link'), '.'));
    const f = form('Choose a new password', [
      newPassword('new_password', 'New password'),
      field('confirm_password', 'Repeat new password', { type: 'password', required: true, autocomplete: 'new-password' }),
    ], 'Save the new password', async (v) => {
      if (v.new_password !== v.confirm_password) throw fail(['confirm_password', 'The two passwords do not match.']);
      try { await api('/auth/password/reset', { method: 'POST', body: { token, new_password: v.new_password } }); } catch (err) {
        if (err instanceof ApiError && err.fields.some((e) => e.field === 'token')) {
          err.fields = err.fields.filter((e) => e.field !== 'token');
          err.problem.detail = 'This link is no longer valid: it has been used or has expired.';
          err.after = el('p', null, link('#/forgot', 'Ask for a new link'));
        }
        throw err;
      }
      store.clear(); updateNav(); setBasketCount(null);
      go('#/login', 'Your password has been changed. Please log in with your new password.');
    });
    put(box, f);
  }
  async function accountView(sec) {
    heading(sec, 'Your account');
    const profile = card('Profile', loading());
    const pw = form('Change password', [
      field('current_password', 'Current password', { type: 'password', required: true, autocomplete: 'current-password' }),
      newPassword('new_password', 'New password'),
      field('confirm_password', 'Repeat new password', { type: 'password', required: true, autocomplete: 'new-password' }),
    ], 'Change password', async (v, f) => {
      if (v.new_password !== v.confirm_password) throw fail(['confirm_password', 'The two passwords do not match.']);
      await api('/auth/password', { method: 'POST', auth: true, body: { current_password: v.current_password, new_password: v.new_password } });
      f.reset();
      setFlash('Your password has been changed. Your other sessions have been signed out.');
    });
    const book = card('Address book', loading());
    book.classList.add('address-book');
    sec.append(el('div', { class: 'columns' }, profile, card('Change password', pw)), book);
    addressBook(book);
    try {
      const me = await api('/auth/me', { auth: true });
      const rows = [['Name', me.name], ['E-mail', me.email], ['Roles', (me.roles || []).join(', ')], ['Member since', fmtDate(me.created_at)]];
      put(profile, profile.firstChild,
        el('dl', { class: 'props' }, rows.map(([k, v]) => [el('dt', null, k), el('dd', null, v || '—')])),
        el('p', { class: 'links' }, link('#/orders', 'Your orders'), ' · ', link('#/support', 'Support tickets')),
        el('button', { type: 'button', class: 'btn btn-secondary', onclick: logout }, 'Log out'));
    } catch (err) { showLoadError(profile, err, 'Your profile is not available right now.'); }
  }
  async function addressBook(book, focusId) {
    const title = book.firstChild;
    let list;
    try { list = listOf(await api('/addresses?per_page=100', { auth: true })); } catch (err) {
      if (err.expired) return;
      return put(book, title, unavailable(err, true) ? notice('The address book is not available yet.') : notice(describe(err), 'error'));
    }
    const reload = (id) => addressBook(book, id);
    const add = el('details', { class: 'add-address' }, el('summary', null, 'Add a new address'), addressForm(null, () => reload()));
    const items = list.map((a) => {
      const label = a.name || a.line1 || 'address';
      const li = el('li', { class: 'address-item', 'data-address': a.id });
      const show = () => put(li,
        el('div', { class: 'address-head' }, badge(a.kind), a.is_default ? el('span', { class: 'badge badge-default' }, 'default') : null),
        addressBlock(a),
        el('div', { class: 'actions' },
          el('button', { type: 'button', class: 'btn btn-secondary', 'aria-label': `Edit the address of ${label}`, onclick: () => {
            const back = () => { show(); li.querySelector('button').focus(); };
            const cancel = el('button', { type: 'button', class: 'btn btn-ghost', onclick: back }, 'Cancel');
            put(li, addressForm(a, () => reload(a.id), cancel));
            li.querySelector('select, input').focus();
          } }, 'Edit'),
          el('button', { type: 'button', class: 'btn btn-ghost', 'aria-label': `Delete the address of ${label}`, onclick: async (ev) => {
            if (!confirm(`Delete the address of ${label}?`)) return;
            ev.target.disabled = true;
            try {
              await api('/addresses/' + enc(a.id), { method: 'DELETE', auth: true });
              setFlash('The address has been deleted.');
              reload();
            } catch (err) { ev.target.disabled = false; if (!err.expired) setFlash(describe(err), 'error'); }
          } }, 'Delete')));
      show();
      return li;
    });
    put(book, title, items.length ? el('ul', { class: 'stack addresses' }, items) : el('p', null, 'You have no saved addresses yet.'), add);
    const focus = focusId && book.querySelector(`[data-address="${CSS.escape(focusId)}"] button`);
    if (focus) focus.focus();
  }
  async function logout() {
    await K.signOut();
    updateNav(); setBasketCount(null);
    go('#/catalog', 'You have been logged out.');
  }

  // ---------- catalog ----------
  function productImage(p, cls, sizes) {
    const first = (p.images || [])[0];
    const url = typeof first === 'string' ? first : first && first.url;
    const ph = el('div', { class: cls + ' placeholder', 'aria-hidden': 'true' }, (p.name || '?').slice(0, 1));
    if (!url) return ph;
    // One stored size per image: the CSS never stretches it beyond its natural width (see .hero, .thumb).
    const img = el('img', { class: cls, src: url, srcset: `${url} 1x`, sizes, alt: '', decoding: 'async',
      loading: cls === 'hero' ? 'eager' : 'lazy' });
    img.addEventListener('error', () => img.replaceWith(ph));
    return img;
  }
  const soldOut = (p) => typeof p.stock === 'number' && p.stock <= 0;
  const maxQty = (p) => (typeof p.stock === 'number' ? Math.max(1, Math.min(99, p.stock)) : 99);
  function stockLabel(p) {
    if (typeof p.stock !== 'number') return null;
    if (soldOut(p)) return el('p', { class: 'stock stock-out' }, 'Out of stock');
    return el('p', { class: 'stock' + (p.stock < 5 ? ' stock-low' : '') }, p.stock < 5 ? `Only ${p.stock} left` : 'In stock');
  }
  function addButton(p, qtyInput, qtyError) {
    const btn = el('button', { type: 'button', class: 'btn', disabled: soldOut(p) }, 'Add to basket');
    btn.addEventListener('click', async () => {
      const asked = qtyInput ? parseInt(qtyInput.value, 10) : 1;
      if (qtyInput && qtyError) {
        qtyError.hidden = true; qtyInput.removeAttribute('aria-invalid');
        if (!(asked >= 1 && asked <= maxQty(p))) {
          qtyError.textContent = asked > maxQty(p) && typeof p.stock === 'number' && p.stock < 99
            ? `Only ${p.stock} of “${p.name}” left.` : `Choose a quantity between 1 and ${maxQty(p)}.`;
          qtyError.hidden = false; qtyInput.setAttribute('aria-invalid', 'true'); qtyInput.focus();
          return;
        }
      }
      const quantity = asked >= 1 ? asked : 1;
      if (!store.loggedIn) {
        sessionStorage.setItem(PENDING_ADD, JSON.stringify({ product_id: p.id, quantity, name: p.name }));
        return go(loginHash(), 'Please log in to add items to your basket.', 'info');
      }
      btn.disabled = true;
      try {
        setBasketCount(await api('/baskets/mine/items', { method: 'POST', auth: true, body: { product_id: p.id, quantity } }));
        setFlash(`Added “${p.name}” to your basket.`);
      } catch (err) {
        if (err.expired) {
          sessionStorage.setItem(PENDING_ADD, JSON.stringify({ product_id: p.id, quantity, name: p.name }));
          return go(loginHash(), 'Please log in again to add items to your basket.', 'info');
        }
        setFlash(unavailable(err) ? 'The basket is not available yet. Please check back soon.' : describe(err), 'error');
      } finally { btn.disabled = soldOut(p); }
    });
    return btn;
  }
  // A <select> applies its choice when picked with the pointer, or on Enter / leaving it from the keyboard,
  // not on every arrow key (each would be a new search).
  function applyOnChoice(select, apply) {
    let pointer = false, initial = select.value;
    select.addEventListener('pointerdown', () => { pointer = true; });
    select.addEventListener('keydown', (ev) => {
      pointer = false;
      if (ev.key === 'Enter') { ev.preventDefault(); apply(); }
    });
    select.addEventListener('change', () => { if (pointer) apply(); });
    select.addEventListener('focus', () => { initial = select.value; });
    select.addEventListener('blur', () => { if (!pointer && select.value !== initial) apply(); });
  }
  async function catalogView(sec, args, query) {
    heading(sec, 'Catalog');
    const state = { q: query.get('q') || '', category: query.get('category') || '', sort: query.get('sort') || '' };
    const page = pageOf(query);
    const catField = field('category', 'Category', { options: [['', 'All categories']] });
    const sorts = [['', 'Relevance'], ['price', 'Price: low to high'], ['-price', 'Price: high to low'], ['name', 'Name'], ['-created_at', 'Newest']];
    const filters = el('form', { class: 'filters', role: 'search', 'aria-label': 'Search products' },
      field('q', 'Search', { type: 'search', value: state.q, placeholder: 'What are you looking for?' }), catField,
      field('sort', 'Sort by', { value: state.sort, options: sorts }),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'btn' }, 'Search')));
    let applied = false;
    const apply = (ev) => {
      if (ev) ev.preventDefault();
      const target = hashWith('#/catalog', values(filters));
      if (applied || target === location.hash || (target === '#/catalog' && !location.hash)) return;
      applied = true;
      go(target);
    };
    filters.addEventListener('submit', apply);
    for (const s of filters.querySelectorAll('select')) applyOnChoice(s, apply);
    const count = el('p', { class: 'result-count', role: 'status' });
    const results = el('div', { class: 'results' }, loading());
    sec.append(filters, count, results);
    api('/categories').then((cats) => {
      const select = catField.querySelector('select');
      for (const c of listOf(cats)) {
        select.append(el('option', { value: c.slug }, typeof c.product_count === 'number' ? `${c.name} (${c.product_count})` : c.name));
      }
      select.value = state.category;
    }, () => { catField.hidden = true; });
    const params = new URLSearchParams({ page: String(page), per_page: '24' });
    for (const [k, v] of Object.entries(state)) if (v) params.set(k, v);
    try {
      const data = await api('/products?' + params);
      const items = listOf(data);
      count.textContent = items.length ? plural(typeof data.total === 'number' ? data.total : items.length, 'product') : '';
      if (!items.length && page > 1) {
        return put(results, notice('This page is past the end of the results. ', 'info',
          link(hashWith('#/catalog', { ...state, page: 1 }), 'Go to the first page'), '.'));
      }
      if (!items.length) return put(results, notice(state.q || state.category ? 'No products match your search.' : 'There are no products yet.'));
      put(results,
        el('ul', { class: 'grid' }, items.map((p) => el('li', { class: 'card product-card' },
          el('a', { class: 'product-link', href: '#/product/' + enc(p.id) },
            productImage(p, 'thumb', '(max-width: 600px) 100vw, 260px'), el('h2', { class: 'product-name' }, p.name)),
          el('p', { class: 'price' }, money(p.price, p.currency)), stockLabel(p), addButton(p)))),
        pager(data, (n) => hashWith('#/catalog', { ...state, page: n })));
    } catch (err) { showLoadError(results, err, 'The catalog is not available yet.'); }
  }
  async function productView(sec, [id]) {
    heading(sec, 'Product');
    const box = el('div', null, loading());
    sec.prepend(el('p', { class: 'crumbs' }, link('#/catalog', '← Back to catalog')));
    sec.append(box);
    let p;
    try { p = await api('/products/' + enc(id || '')); } catch (err) {
      if (err.status === 404 && !unavailable(err)) return put(box, notice('This product could not be found. It may have been removed.'));
      return showLoadError(box, err, 'The catalog is not available yet.');
    }
    retitle(sec, p.name);
    const qty = el('input', { type: 'number', id: 'qty', min: 1, max: maxQty(p), value: 1, inputmode: 'numeric', 'aria-describedby': 'qty-err' });
    const qtyError = el('p', { class: 'field-error', id: 'qty-err', hidden: true });
    put(box, el('div', { class: 'product' },
      el('div', { class: 'gallery' }, productImage(p, 'hero', '(max-width: 720px) 100vw, 540px')),
      el('div', { class: 'info' },
        el('p', { class: 'price price-big' }, money(p.price, p.currency)), stockLabel(p),
        soldOut(p) ? null : el('div', { class: 'buy' }, el('label', { for: 'qty' }, 'Quantity'), qty, addButton(p, qty, qtyError), qtyError),
        p.description ? el('p', { class: 'description' }, p.description) : null,
        el('dl', { class: 'props' },
          p.sku ? [el('dt', null, 'SKU'), el('dd', null, p.sku)] : null,
          p.category ? [el('dt', null, 'Category'), el('dd', null, link(hashWith('#/catalog', { category: p.category }), p.category))] : null))));
  }

  // ---------- basket & checkout ----------
  async function basketView(sec) {
    const box = start(sec, 'Your basket');
    try { renderBasket(box, await api('/baskets/mine', { auth: true })); }
    catch (err) { showLoadError(box, err, 'The basket is not available yet.'); }
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
      const path = '/baskets/mine/items/' + enc(i.product_id);
      const errId = 'qty-err-' + nextId();
      const qty = el('input', { type: 'number', min: 1, max: 99, value: i.quantity, class: 'qty', 'data-product': i.product_id,
        'aria-label': `Quantity of ${i.name}`, 'aria-describedby': errId });
      const lineError = el('p', { class: 'field-error line-error', id: errId, hidden: true });
      const refuse = (text) => { // the line keeps its quantity; the reason is shown next to it
        qty.value = i.quantity;
        qty.setAttribute('aria-invalid', 'true');
        lineError.textContent = text; lineError.hidden = false;
        qty.focus();
      };
      qty.addEventListener('change', async () => {
        lineError.hidden = true; qty.removeAttribute('aria-invalid');
        const n = parseInt(qty.value, 10);
        if (!(n >= 1 && n <= 99)) return refuse('Quantity must be between 1 and 99.');
        if (n === i.quantity) return;
        qty.disabled = true;
        try {
          const nb = await api(path, { method: 'PATCH', auth: true, body: { quantity: n } });
          renderBasket(box, nb, i.product_id);
          setFlash('Your basket has been updated.');
        } catch (err) {
          qty.disabled = false;
          if (!err.expired) refuse(describe(err));
        }
      });
      return el('tr', null,
        el('th', { scope: 'row' }, link('#/product/' + enc(i.product_id), i.name)),
        el('td', { 'data-label': 'Unit price' }, money(i.unit_price, cur)),
        el('td', { 'data-label': 'Quantity' }, qty, lineError),
        el('td', { 'data-label': 'Total' }, money(i.line_total, cur)),
        el('td', null, el('button', { type: 'button', class: 'btn btn-ghost', 'aria-label': `Remove ${i.name}`,
          onclick: () => update(() => api(path, { method: 'DELETE', auth: true })) }, 'Remove')));
    });
    const clear = el('button', { type: 'button', class: 'btn btn-secondary', onclick: () => {
      if (confirm('Remove every item from your basket?')) update(() => api('/baskets/mine', { method: 'DELETE', auth: true }));
    } }, 'Empty basket');
    const checkout = card('Checkout', loading());
    checkout.classList.add('checkout');
    const head = ['Product', 'Unit price', 'Quantity', 'Total'].map((t) => el('th', { scope: 'col' }, t));
    put(box,
      el('div', { class: 'table-wrap' }, el('table', { class: 'table' },
        el('caption', { class: 'visually-hidden' }, 'Basket contents'),
        el('thead', null, el('tr', null, head, el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Actions')))),
        el('tbody', null, rows),
        el('tfoot', null, el('tr', null, el('th', { scope: 'row', colspan: 3 }, 'Total'),
          el('td', { class: 'price' }, money(b.total, cur)), el('td'))))),
      el('div', { class: 'actions' }, clear), checkout);
    const focus = focusId && box.querySelector(`input[data-product="${CSS.escape(focusId)}"]`);
    if (focus) focus.focus();
    loadCheckout(checkout, box);
  }
  const addressLabel = (a) => [a.name, a.line1, a.line2, `${a.postal_code || ''} ${a.city || ''}`.trim(), a.region, countryName(a.country)]
    .filter(Boolean).join(', ');
  function addressBlock(a) {
    if (!a) return el('p', { class: 'meta' }, '—');
    const lines = [a.name, a.line1, a.line2, `${a.postal_code || ''} ${a.city || ''} ${a.region || ''}`.trim(), countryName(a.country), a.phone];
    return el('address', null, lines.filter(Boolean).map((l, n) => [n ? el('br') : null, l]));
  }
  async function settle(order) { // the saga moves a new order out of pending within about a second
    let o = order;
    const until = Date.now() + 10000;
    while (o && o.status === 'pending' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 300));
      try { o = await api('/orders/' + enc(order.id), { auth: true }); } catch (err) { if (err.expired) throw err; }
    }
    return o;
  }
  async function loadCheckout(box, view) {
    const title = box.firstChild;
    let addresses;
    try { addresses = listOf(await api('/addresses?per_page=100', { auth: true })); } catch (err) {
      if (err.expired) return;
      return put(box, title, unavailable(err, true)
        ? notice('Checkout is not available yet. Your basket is saved — please check back soon.') : notice(describe(err), 'error'));
    }
    const sorted = addresses.slice().sort((a, b) => Number(Boolean(b.is_default)) - Number(Boolean(a.is_default)));
    const shipping = sorted.filter((a) => a.kind !== 'billing');
    const add = el('details', { class: 'add-address', open: !shipping.length }, el('summary', null, 'Add a new address'),
      addressForm(null, () => loadCheckout(box, view)));
    if (!shipping.length) return put(box, title, el('p', null, 'Add a shipping address to place your order.'), add);
    const key = uuid(); // one key per checkout attempt: a retry or a double click cannot create a second order
    const order = form('Place order', [
      field('shipping_address_id', 'Shipping address', { required: true, options: shipping.map((a) => [a.id, addressLabel(a)]) }),
      field('billing_address_id', 'Billing address', { optional: true,
        options: [['', 'Same as shipping'], ...sorted.map((a) => [a.id, addressLabel(a)])] }),
    ], 'Place order', async (v) => {
      let o;
      try { o = await api('/orders', { method: 'POST', auth: true, body: v, headers: { 'Idempotency-Key': key } }); } catch (err) {
        if (unavailable(err)) err.problem.detail = 'Ordering is not available yet. Your basket is saved — please check back soon.';
        throw err;
      }
      setFlash('We are confirming your order…', 'info');
      o = await settle(o);
      refreshBasketCount();
      const n = o.number || o.id;
      if (o.status === 'cancelled') {
        setFlash('');
        const reason = o.cancel_reason ? ` ${o.cancel_reason}` : '';
        const msg = el('div', { class: 'notice notice-error order-failed', role: 'alert', tabindex: '-1' },
          el('p', null, `We could not confirm your order ${n}: it has been cancelled.${reason}`),
          el('p', null, link('#/order/' + enc(o.id), `See order ${n}`), ' · ', link('#/basket', 'Back to your basket')));
        put(view, msg);
        msg.focus();
      } else if (o.status === 'pending') {
        go('#/order/' + enc(o.id), `Your order ${n} has been received; we are confirming it.`, 'info');
      } else {
        go('#/order/' + enc(o.id), `Thank you! Your order ${n} is confirmed.`);
      }
    });
    put(box, title, order, add);
  }
  function addressForm(a, done, cancel) {
    const def = el('input', { type: 'checkbox', name: 'is_default', id: 'addr-default-' + nextId(), checked: Boolean(a && a.is_default) });
    const own = (shop.locale.split('-')[1] || '').toUpperCase();
    const countries = COUNTRIES.map((c) => [c, countryName(c)]).sort((x, y) => x[1].localeCompare(y[1], shop.locale));
    const val = (k) => (a && a[k] != null ? String(a[k]) : undefined);
    return form(a ? 'Edit address' : 'New address', [
      field('kind', 'Type', { options: [['shipping', 'Shipping'], ['billing', 'Billing']], value: val('kind') }),
      field('name', 'Full name', { required: true, autocomplete: 'name', value: val('name') }),
      field('line1', 'Address', { required: true, autocomplete: 'address-line1', value: val('line1') }),
      field('line2', 'Address line 2', { optional: true, autocomplete: 'address-line2', value: val('line2') }),
      el('div', { class: 'row' }, field('postal_code', 'Postal code', { required: true, autocomplete: 'postal-code', value: val('postal_code') }),
        field('city', 'City', { required: true, autocomplete: 'address-level2', value: val('city') })),
      field('country', 'Country', { required: true, autocomplete: 'country', options: [['', 'Choose a country'], ...countries],
        value: val('country') || (COUNTRIES.includes(own) ? own : '') }),
      field('region', 'State or province', { optional: true, autocomplete: 'address-level1', value: val('region'),
        hint: 'For the United States and Canada: the two-letter code, e.g. CA or ON.' }),
      field('phone', 'Phone', { optional: true, type: 'tel', autocomplete: 'tel', value: val('phone') }),
      el('div', { class: 'check' }, def, el('label', { for: def.id }, 'Use as my default address')),
      cancel ? el('div', { class: 'actions' }, cancel) : null,
    ], 'Save address', async (v) => {
      const body = { ...v, region: v.region ? v.region.toUpperCase() : undefined };
      if (a) await api('/addresses/' + enc(a.id), { method: 'PUT', auth: true, body });
      else await api('/addresses', { method: 'POST', auth: true, body });
      setFlash('Your address has been saved.');
      done();
    });
  }

  // ---------- orders ----------
  const cancellable = (o) => ['pending', 'confirmed'].includes(o.status);
  function cancelButton(o, after) {
    const label = `Order ${o.number || o.id}`;
    return el('button', { type: 'button', class: 'btn btn-secondary', onclick: async (ev) => {
      if (!confirm(`Cancel ${label.toLowerCase()}?`)) return;
      ev.target.disabled = true;
      try {
        await api(`/orders/${enc(o.id)}/cancel`, { method: 'POST', auth: true });
        go(after || location.hash, `${label} has been cancelled.`);
      } catch (err) { ev.target.disabled = false; if (!err.expired) setFlash(describe(err), 'error'); }
    } }, 'Cancel order');
  }
  async function ordersView(sec, args, query) {
    const box = start(sec, 'Your orders');
    let data;
    try {
      const customer = await myId(); // admins see every order of the store through /orders: ask for one's own
      data = await api(`/orders?user_id=${enc(customer)}&page=${pageOf(query)}&per_page=10`, { auth: true });
    } catch (err) { return showLoadError(box, err, 'Orders are not available yet.'); }
    const orders = listOf(data);
    if (!orders.length) {
      return put(box, notice('You have not placed any orders yet.'), el('p', null, link('#/catalog', 'Start shopping', 'btn')));
    }
    put(box, el('ul', { class: 'stack' }, orders.map((o) => {
      const label = `Order ${o.number || o.id}`;
      return el('li', { class: 'card order', 'data-order': o.id },
        el('div', { class: 'order-head' }, el('h2', null, link('#/order/' + enc(o.id), label)), badge(o.status)),
        el('p', { class: 'meta' }, [fmtDate(o.created_at), money(o.total, o.currency), plural(listOf(o.lines).length, 'line')].join(' · ')),
        o.status === 'cancelled' && o.cancel_reason ? el('p', { class: 'meta' }, `Cancelled: ${o.cancel_reason}`) : null,
        ['confirmed', 'shipped', 'delivered'].includes(o.status) ? shipmentOf(o) : null,
        el('div', { class: 'actions' }, link('#/order/' + enc(o.id), 'View details', 'btn btn-secondary'), cancellable(o) ? cancelButton(o) : null));
    })), pager(data, (page) => hashWith('#/orders', { page })));
  }
  const events = (d) => el('ol', { class: 'history' }, listOf(d.events).map((e) => el('li', null, timeEl(e.at), ' — ', e.description)));
  const hasEstimate = (d) => d && d.estimated_delivery && !['delivered', 'cancelled', 'failed'].includes(d.status);
  function shipmentOf(o) { // the order's parcel: carrier, tracking number (linked to public tracking), estimate
    const box = el('p', { class: 'meta shipment' }, 'Looking up the delivery…');
    api('/deliveries?order_id=' + enc(o.id), { auth: true }).then((list) => {
      const d = listOf(list)[0];
      if (!d) return put(box, 'The delivery is being arranged.');
      put(box, `${d.carrier} · `, link('#/track/' + enc(d.tracking_number), d.tracking_number), ` · ${words(d.status)}`,
        hasEstimate(d) ? ` · expected ${fmtDay(d.estimated_delivery)}` : '');
    }, () => put(box, 'Delivery details are not available right now.'));
    return box;
  }
  async function orderView(sec, [id]) {
    sec.append(el('p', { class: 'crumbs' }, link('#/orders', '← Your orders')));
    const box = start(sec, 'Order');
    sec.prepend(sec.querySelector('.crumbs'));
    let o;
    try { o = await api('/orders/' + enc(id || ''), { auth: true }); } catch (err) {
      if (err.status === 404 && !unavailable(err)) return put(box, notice('This order could not be found.', 'error'));
      return showLoadError(box, err, 'Orders are not available yet.');
    }
    const n = o.number || o.id;
    retitle(sec, `Order ${n}`);
    const cur = o.currency;
    const delivery = card('Delivery', loading());
    const history = o.status_history || [];
    put(box,
      el('div', { class: 'order-head' }, el('p', { class: 'meta' }, 'Placed ', timeEl(o.created_at), ' · ', money(o.total, cur)), badge(o.status)),
      o.status === 'cancelled' ? notice(`This order has been cancelled${o.cancel_reason ? ': ' + o.cancel_reason : '.'}`, 'error') : null,
      card('Items', el('div', { class: 'table-wrap' }, el('table', { class: 'table' },
        el('caption', { class: 'visually-hidden' }, `Items of order ${n}`),
        el('thead', null, el('tr', null, ['Product', 'Unit price', 'Quantity', 'Total'].map((t) => el('th', { scope: 'col' }, t)))),
        el('tbody', null, listOf(o.lines).map((l) => el('tr', null,
          el('th', { scope: 'row' }, l.product_id ? link('#/product/' + enc(l.product_id), l.name || l.product_id) : l.name),
          el('td', { 'data-label': 'Unit price' }, money(l.unit_price, cur)),
          el('td', { 'data-label': 'Quantity' }, String(l.quantity || 1)),
          el('td', { 'data-label': 'Total' }, money(l.line_total, cur))))),
        el('tfoot', null, el('tr', null, el('th', { scope: 'row', colspan: 3 }, 'Total'), el('td', { class: 'price' }, money(o.total, cur))))))),
      el('div', { class: 'columns' },
        card('Shipping address', addressBlock(o.shipping_address)),
        card('Billing address', addressBlock(o.billing_address || o.shipping_address))),
      delivery,
      card('History', history.length ? el('ol', { class: 'history' }, history.map((s) => el('li', null,
        badge(s.status), ' ', timeEl(s.at), s.note ? el('span', { class: 'note' }, ` — ${s.note}`) : null)))
        : el('p', null, 'No history yet.')),
      cancellable(o) ? el('div', { class: 'actions' }, cancelButton(o)) : null);
    try {
      const d = listOf(await api('/deliveries?order_id=' + enc(o.id), { auth: true }))[0];
      const none = o.status === 'cancelled' ? 'No parcel will be sent.' : 'The delivery is being arranged.';
      if (!d) return put(delivery, delivery.firstChild, el('p', null, none));
      put(delivery, delivery.firstChild,
        el('dl', { class: 'props' },
          el('dt', null, 'Carrier'), el('dd', null, d.carrier || '—'),
          el('dt', null, 'Tracking number'), el('dd', null, d.tracking_number ? link('#/track/' + enc(d.tracking_number), d.tracking_number) : '—'),
          el('dt', null, 'Status'), el('dd', null, badge(d.status)),
          hasEstimate(d) ? [el('dt', null, 'Expected delivery'), el('dd', null, fmtDay(d.estimated_delivery))] : null),
        listOf(d.events).length ? events(d) : null);
    } catch (err) { if (!err.expired) put(delivery, delivery.firstChild, el('p', null, 'Delivery details are not available right now.')); }
  }

  // ---------- parcel tracking (public) ----------
  async function trackView(sec, args) {
    const number = (args[0] || '').trim();
    const box = start(sec, 'Track a parcel');
    const numberField = field('number', 'Tracking number', { value: number, required: true });
    const lookup = el('form', { class: 'filters', novalidate: true }, numberField,
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'btn' }, 'Track')));
    lookup.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = numberField.querySelector('input'), slot = numberField.querySelector('.field-error');
      const wanted = input.value.trim();
      if (!wanted) {
        input.setAttribute('aria-invalid', 'true');
        slot.textContent = 'Enter a tracking number.'; slot.hidden = false;
        input.focus();
        return;
      }
      go('#/track/' + enc(wanted));
    });
    if (!number) return put(box, lookup);
    try {
      const t = await api('/deliveries/track/' + enc(number));
      put(box, lookup, card(`${t.carrier} · ${t.tracking_number}`,
        el('p', { class: 'track-status' }, badge(t.status), hasEstimate(t) ? ` Expected ${fmtDay(t.estimated_delivery)}` : ''),
        events(t)));
    } catch (err) {
      const text = err instanceof ApiError && err.status === 404 ? `No parcel has the tracking number “${number}”.` : describe(err);
      put(box, lookup, notice(text, 'error'));
    }
  }

  // ---------- contact (public) ----------
  function contactForm() {
    const box = el('div', { class: 'contact-box' });
    const f = form('Contact us', [
      field('name', 'Name', { required: true, autocomplete: 'name', maxlength: 200 }),
      field('email', 'E-mail', { type: 'email', required: true, autocomplete: 'email' }),
      field('topic', 'Topic', { options: [['support', 'Help with an order'], ['sales', 'Sales'], ['press', 'Press'], ['other', 'Something else']] }),
      field('message', 'Message', { required: true, textarea: true, minlength: 10, maxlength: 5000, hint: 'Between 10 and 5,000 characters.' }),
    ], 'Send message', async (v) => {
      await api('/contacts', { method: 'POST', body: v });
      const done = el('div', { class: 'notice notice-success', role: 'status', tabindex: '-1' },
        el('p', null, `Thank you, ${v.name}. We have received your message and will answer at ${v.email}.`));
      put(box, done);
      done.focus();
    });
    put(box, f);
    return box;
  }
  async function contactView(sec) {
    heading(sec, 'Contact us');
    sec.append(el('p', { class: 'lead' }, 'Questions about an order, our products or anything else? Write to us. You may also find an answer in the ',
      link('#/faq', 'FAQ'), '.'), el('div', { class: 'card narrow-wide' }, contactForm()));
  }

  // ---------- support ----------
  async function supportView(sec) {
    if (!store.loggedIn) {
      heading(sec, 'Support');
      sec.append(el('p', { class: 'lead' }, 'Have an account? ', link('#/login?next=' + enc('#/support'), 'Log in to open a ticket'),
        ' and follow the answers here. Otherwise, send us a message below, or look in the ', link('#/faq', 'FAQ'), '.'),
      card('Contact us', contactForm()));
      return;
    }
    const box = start(sec, 'Support', el('p', { class: 'lead' },
      'Need help with an order? Open a ticket and our team will answer here. You may also find an answer in the ', link('#/faq', 'FAQ'),
      ', or ', link('#/contact', 'send us a message'), '.'));
    let tickets;
    try { tickets = listOf(await api('/sav/tickets?per_page=50', { auth: true })); } catch (err) {
      return showLoadError(box, err, 'Support tickets are not available yet.');
    }
    const orderField = field('order_id', 'Related order', { optional: true, options: [['', 'None']] });
    orderField.hidden = true;
    myId().then((me) => api(`/orders?user_id=${enc(me)}&per_page=50`, { auth: true })).then((d) => {
      const select = orderField.querySelector('select');
      for (const o of listOf(d)) select.append(el('option', { value: o.id }, `Order ${o.number || o.id} · ${fmtDate(o.created_at)}`));
      orderField.hidden = !listOf(d).length;
    }, () => {});
    const create = form('Open a ticket', [
      field('subject', 'Subject', { required: true, maxlength: 200 }), field('message', 'Message', { required: true, textarea: true }), orderField,
      fileField('file', 'Attach a file'),
    ], 'Send', async (v, f) => {
      const file = chosenFile(f, 'file');
      const t = await api('/sav/tickets', { method: 'POST', auth: true, body: { subject: v.subject, message: v.message, order_id: v.order_id } });
      const label = `Ticket ${(t && t.number) || ''}`.trim();
      if (file) {
        try { await attach(t.id, file); } catch (err) {
          if (err.expired) return;
          return go('#/ticket/' + enc(t.id), `${label} has been opened, but the file could not be attached: ${describe(err)}`, 'error');
        }
      }
      go('#/ticket/' + enc(t.id), `${label} has been opened. We will get back to you soon.`);
    });
    put(box, card('Open a ticket', create), el('h2', null, 'Your tickets'),
      tickets.length ? el('ul', { class: 'stack' }, tickets.map(ticketItem)) : notice('You have no support tickets yet.'));
  }
  function ticketItem(t) {
    const msgs = t.messages || [];
    return el('li', { class: 'card ticket' },
      el('div', { class: 'order-head' },
        el('h3', null, link('#/ticket/' + enc(t.id), `#${t.number || ''} ${t.subject || ''}`.trim())), badge(t.status)),
      el('p', { class: 'meta' }, [fmtDate(t.updated_at || t.created_at), plural(msgs.length, 'message')].filter(Boolean).join(' · ')));
  }
  async function ticketView(sec, [id]) {
    sec.append(el('p', { class: 'crumbs' }, link('#/support', '← Support')));
    const box = start(sec, 'Ticket');
    sec.prepend(sec.querySelector('.crumbs'));
    const load = async (focusReply) => {
      let t;
      try { t = await api('/sav/tickets/' + enc(id || ''), { auth: true }); } catch (err) {
        if (err.status === 404 && !unavailable(err)) return put(box, notice('This ticket could not be found.', 'error'));
        return showLoadError(box, err, 'This conversation is not available yet.');
      }
      retitle(sec, `Ticket ${t.number || ''}: ${t.subject || ''}`);
      renderThread(box, t, await myId(), load);
      if (focusReply) { const r = box.querySelector('textarea'); if (r) r.focus(); }
    };
    await load(false);
  }
  function renderThread(box, t, me, reload) {
    const msgs = t.messages || [];
    const files = t.attachments || [];
    const reply = t.status !== 'closed' && form('Reply', [
      field('body', 'Your reply', { textarea: true, rows: 3 }), fileField('file', 'Attach a file'),
    ], 'Send reply', async (v, f) => {
      const file = chosenFile(f, 'file');
      if (!v.body && !file) throw fail(['body', 'Write a reply or attach a file.']);
      if (v.body) await api(`/sav/tickets/${enc(t.id)}/messages`, { method: 'POST', auth: true, body: { body: v.body } });
      if (file) {
        try { await attach(t.id, file); } catch (err) {
          if (!v.body || err.expired) throw err;
          setFlash(`Your reply has been sent, but the file could not be attached: ${describe(err)}`, 'error');
          return reload(true);
          throw err;
        }
      }
      setFlash(v.body && file ? 'Your reply and your file have been sent.' : v.body ? 'Your reply has been sent.' : 'Your file has been attached.');
      await reload(true);
    });
    const author = (m) => (me && m.author_id === me ? 'You'
      : m.author_name || (m.author_role && m.author_role !== 'customer' ? 'Comptoir support' : t.customer_name || 'Customer'));
    put(box,
      el('p', { class: 'meta' }, badge(t.status), ' Opened ', timeEl(t.created_at)),
      msgs.length ? el('ol', { class: 'thread', 'aria-label': 'Messages' }, msgs.map((m) => el('li',
        { class: me && m.author_id === me ? 'msg msg-own' : 'msg' },
        el('p', { class: 'meta msg-head' }, el('strong', { class: 'author' }, author(m)), ' · ', timeEl(m.created_at)),
        el('p', { class: 'pre' }, m.body || m.message || '')))) : el('p', null, 'No messages yet.'),
      files.length ? card('Attachments', el('ul', { class: 'attachments' }, files.map((a) => el('li', null,
        el('a', { href: `${API}/sav/tickets/${enc(t.id)}/attachments/${enc(a.id)}`, download: a.filename || 'attachment', onclick: async (ev) => {
          ev.preventDefault();
          try { await download(`/sav/tickets/${enc(t.id)}/attachments/${enc(a.id)}`, a.filename); }
          catch (err) { if (!err.expired) setFlash(describe(err), 'error'); }
        } }, a.filename || 'attachment'),
        el('span', { class: 'meta' }, ` ${[fileSize(a.size), fmtDate(a.created_at)].filter(Boolean).join(' · ')}`))))) : null,
      reply ? card('Reply', reply) : notice('This ticket is closed. Open a new ticket if you need more help.'));
  }

  // ---------- FAQ ----------
  async function faqView(sec, args, query) {
    heading(sec, 'Frequently asked questions');
    const q = query.get('q') || '';
    const search = el('form', { class: 'filters', role: 'search', 'aria-label': 'Search the FAQ' },
      field('q', 'Search the FAQ', { type: 'search', value: q }),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'btn' }, 'Search')));
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

  // ---------- newsletter ----------
  function newsletterSignup() {
    const box = el('div', { class: 'newsletter' });
    const f = form('Newsletter', [
      field('email', 'Get our newsletter: your e-mail', { type: 'email', required: true, autocomplete: 'email' }),
    ], 'Subscribe', async (v) => {
      await api('/newsletters/subscriptions', { method: 'POST', body: { email: v.email } });
      const done = el('p', { class: 'newsletter-done', role: 'status', tabindex: '-1' },
        `Almost done: we have sent a confirmation link to ${v.email}. Open it to confirm your subscription.`);
      put(box, done);
      done.focus();
    });
    put(box, f);
    return box;
  }
  async function newsletterView(sec, args, query) {
    if (args[0] !== 'confirm') {
      heading(sec, 'Page not found');
      return sec.append(el('p', null, 'This page does not exist. ', link('#/catalog', 'Browse the catalog'), '.'));
    }
    const box = start(sec, 'Newsletter subscription');
    const token = query.get('token') || '';
    if (!token) return put(box, notice('This confirmation link is incomplete. Please open the link of the mail again.', 'error'));
    try {
      const r = await api('/newsletters/subscriptions/confirm?token=' + enc(token));
      put(box, notice(`Thank you! ${(r && r.email) || 'Your address'} is now subscribed to our newsletter.`, 'success'),
        el('p', null, link('#/catalog', 'Browse the catalog')));
    } catch (err) {
      const text = err instanceof ApiError && err.status === 410 ? 'This confirmation link has expired. Please subscribe again.'
        : err instanceof ApiError && [400, 404, 422].includes(err.status) ? 'This confirmation link is not valid.' : describe(err);
      put(box, notice(text, 'error'));
    }
  }

  const routes = {
    catalog: { view: catalogView }, product: { view: productView }, faq: { view: faqView },
    login: { view: loginView }, register: { view: registerView }, forgot: { view: forgotView }, reset: { view: resetView },
    account: { view: accountView, auth: true }, basket: { view: basketView, auth: true },
    orders: { view: ordersView, auth: true }, order: { view: orderView, auth: true },
    support: { view: supportView }, ticket: { view: ticketView, auth: true }, contact: { view: contactView },
    track: { view: trackView }, newsletter: { view: newsletterView },
  };

  // ---------- start ----------
  document.getElementById('logout-button').addEventListener('click', logout);
  window.addEventListener('storage', (ev) => { // keep tabs in step when another one logs in or out
    if (ev.key && ev.key.startsWith(KEY)) { updateNav(); if (!store.loggedIn && (routes[parseHash().name] || {}).auth) route(); }
  });
  const signup = document.getElementById('newsletter-signup');
  if (signup) signup.append(newsletterSignup());
  updateNav(); refreshBasketCount();
  loadStore().then(route);
})();
