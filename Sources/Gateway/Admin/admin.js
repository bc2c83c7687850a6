// Comptoir back-office — vanilla ES2020, no build step. Server text only ever goes through text nodes.
// Shares the storefront's session (localStorage `comptoir.*`); the server enforces every role, the UI only hides.
// Its views, the sections each role sees, and the staff helpers (tables, confirmations, prices typed in) are here; what
// it shares with the storefront (session, API client, formatting, DOM and form helpers, router) is in
// Storefront/kit.js, loaded before it as /kit.js (the global ComptoirWeb).
'use strict';
(() => {
  const K = window.ComptoirWeb;
  const { API, KEY, store, claims, ApiError, api, listOf, enc, describe, money, fmtDay, fmtDate, plural, words } = K;
  const { el, put, notice, loading, badge, link, card, heading, start, setFlash, nextId, values, form, fail } = K;
  const { parseHash, go, hashWith, pageOf, route } = K;
  const NO_ACCESS = 'You do not have access to this section.';
  let timers = [];
  K.setUp({
    auth: true, home: 'home', view: document.getElementById('view'), bodyClass: 'view-body',
    title: (text) => `${text} · Comptoir back-office`,
    explain: (err) => (err.status === 403 ? NO_ACCESS
      : [502, 503, 504].includes(err.status) ? 'This service is not answering right now. Please try again in a moment.' : null),
    unexpected: (err) => console.warn(err),
    onTokens: buildNav,
    onExpired: (message) => {
      buildNav();
      if (parseHash().name !== 'login') go(loginHash(), message, 'info'); else setFlash(message, 'info');
    },
    enter: () => {
      timers.forEach(clearInterval); timers = [];
      buildNav(); // the session may have changed in this tab (login, expiry)
    },
    show: async (sec, name, args, query) => {
      const r = routes[name];
      const s = sectionOf(name);
      if (name === 'login') await loginView(sec, args, query);
      else if (!store.loggedIn) return go(loginHash(), 'Please log in to continue.', 'info');
      else if (!isStaff()) staffOnly(sec);
      else if (!r) {
        heading(sec, 'Page not found');
        sec.append(el('p', null, 'This page does not exist. ', link('#/', 'Back to the overview'), '.'));
      }
      else if (s && !allowed(s.roles)) { heading(sec, s.label); sec.append(notice(NO_ACCESS, 'error')); }
      else await r(sec, args, query);
    },
  });

  // ---------- roles (from the access token) ----------
  const me = () => claims().sub || '';
  const myRoles = () => { const c = claims(); return Array.isArray(c.roles) ? c.roles : []; };
  const STAFF = ['admin', 'support', 'marketing', 'catalog'];
  const isStaff = () => myRoles().some((r) => STAFF.includes(r));
  const allowed = (roles) => myRoles().includes('admin') || roles.some((r) => myRoles().includes(r));
  const isAdmin = () => myRoles().includes('admin');
  const sameId = (a, b) => Boolean(a && b) && String(a).toLowerCase() === String(b).toLowerCase();

  // ---------- prices typed in ----------
  function fractionDigits(currency) {
    try { return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits; } catch { return 2; }
  }
  const toMajor = (minor, currency) => (typeof minor === 'number' ? (minor / 10 ** fractionDigits(currency)).toFixed(fractionDigits(currency)) : '');
  function toMinor(text, currency) { // "12.50" or "12,50" → 1250; null when not a price
    const s = String(text || '').trim().replace(',', '.');
    const d = fractionDigits(currency);
    if (!new RegExp(`^\\d+(\\.\\d{1,${d}})?$`).test(s) || (d === 0 && s.includes('.'))) return null;
    const [a, b = ''] = s.split('.');
    return Number(a) * 10 ** d + Number((b + '0'.repeat(d)).slice(0, d) || 0);
  }

  // ---------- DOM helpers ----------
  const button = (text, onclick, cls = 'btn btn-secondary btn-small', extra = {}) =>
    el('button', { type: 'button', class: cls, onclick, ...extra }, text);
  const props = (rows) => el('dl', { class: 'props' },
    rows.filter(Boolean).map(([k, v]) => [el('dt', null, k), el('dd', null, v == null || v === '' ? '—' : v)]));
  function showLoadError(box, err) { if (!err || !err.expired) put(box, notice(describe(err), 'error')); }
  function table(caption, cols, rows) { // cols: [[label, row → node|string, 'num'?]]
    return el('div', { class: 'table-wrap' }, el('table', { class: 'table' },
      el('caption', { class: 'visually-hidden' }, caption),
      el('thead', null, el('tr', null, cols.map(([label, , cls]) => el('th', { scope: 'col', class: cls }, label)))),
      el('tbody', null, rows.map((r) => el('tr', null, cols.map(([label, fn, cls], i) =>
        el(i ? 'td' : 'th', i ? { 'data-label': label, class: cls } : { scope: 'row', class: cls }, fn(r))))))));
  }
  function confirmBox(question, yesText, onYes) { // an inline confirmation instead of window.confirm
    const box = el('div', { class: 'confirm', role: 'alertdialog', 'aria-label': question, tabindex: '-1' }, el('p', null, question));
    const yes = button(yesText, async () => {
      yes.disabled = true;
      try { await onYes(); } catch (err) { if (!err.expired) { box.append(el('p', { role: 'alert' }, describe(err))); yes.disabled = false; } }
    }, 'btn btn-danger btn-small');
    box.append(el('div', { class: 'actions' }, yes, button('Keep it', () => box.remove())));
    setTimeout(() => box.focus());
    return box;
  }
  function every(ms, fn) { const t = setInterval(fn, ms); timers.push(t); return t; }

  // ---------- forms ----------
  const field = (name, label, o = {}) => K.field(name, label, { ...o, autocomplete: o.autocomplete || 'off' });
  function filterForm(label, fields, hashBase, extra = {}) { // a GET-like search form: its values go to the hash
    const f = el('form', { class: 'filters', role: 'search', 'aria-label': label }, fields,
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'btn' }, 'Apply')));
    f.addEventListener('submit', (ev) => { ev.preventDefault(); go(hashWith(hashBase, { ...values(f), ...extra })); });
    return f;
  }
  function pager(data, hashFor) { // the result count, and the pages' links when there are several
    const count = el('p', { class: 'result-count' }, plural(Number(data.total) || 0, 'result'));
    const pages = K.pager(data, hashFor);
    return pages ? [count, pages] : count;
  }

  // ---------- navigation ----------
  // Sections: the roles that may see them (admin sees everything).
  const SECTIONS = [
    { name: 'products', label: 'Catalog', roles: ['catalog'], routes: ['products', 'product', 'categories'] },
    { name: 'orders', label: 'Orders', roles: ['support'], routes: ['orders', 'order'] },
    { name: 'tickets', label: 'Support desk', roles: ['support'], routes: ['tickets', 'ticket', 'contacts'] },
    { name: 'templates', label: 'Newsletters', roles: ['marketing'], routes: ['templates', 'template', 'campaigns', 'campaign', 'subscribers'] },
    { name: 'faq', label: 'FAQ', roles: [], routes: ['faq', 'question'] },
    { name: 'websites', label: 'Stores', roles: [], routes: ['websites', 'website'] },
    { name: 'users', label: 'Users', roles: [], routes: ['users'] },
    { name: 'mails', label: 'Mail log', roles: [], routes: ['mails'] },
    { name: 'audit', label: 'Audit', roles: [], routes: ['audit'] },
  ];
  const sectionOf = (routeName) => SECTIONS.find((s) => s.routes.includes(routeName));
  const loginHash = () => (parseHash().name === 'login' ? '#/login' : '#/login?next=' + enc(location.hash || '#/'));
  const safeNext = (next) => (next && next.startsWith('#/') && !next.startsWith('#/login') ? next : '#/');
  function buildNav() {
    const list = document.getElementById('nav-list');
    const staff = store.loggedIn && isStaff();
    const items = !staff ? [] : SECTIONS.filter((s) => allowed(s.roles))
      .map((s) => el('li', null, el('a', { href: '#/' + s.name, 'data-section': s.name }, s.label)));
    if (store.loggedIn) items.push(el('li', null, el('button', { type: 'button', class: 'btn btn-ghost', onclick: logout }, 'Log out')));
    else items.push(el('li', null, el('a', { href: '#/login' }, 'Log in')));
    put(list, items);
    document.querySelector('.menu-toggle').hidden = false;
    markNav();
  }
  function markNav() {
    const s = sectionOf(parseHash().name);
    for (const a of document.querySelectorAll('#nav-list a[data-section]')) {
      if (s && a.dataset.section === s.name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
  }
  function staffOnly(sec) {
    heading(sec, 'Back-office');
    sec.append(notice('This area is for staff.'), el('p', null, link('/', 'Go to the storefront'), ' or ',
      button('log in with a staff account', logout, 'btn btn-ghost'), '.'));
  }
  function subnav(label, items) { // [[hash, text]]
    const cur = '#/' + parseHash().name;
    return el('nav', { class: 'subnav', 'aria-label': label }, el('ul', null, items.map(([h, t]) => el('li', null,
      el('a', { href: h, 'aria-current': h === cur ? 'page' : null }, t)))));
  }

  // ---------- login / overview ----------
  async function loginView(sec, args, query) {
    heading(sec, 'Staff log in');
    if (store.loggedIn) {
      sec.append(el('p', null, 'You are logged in. ', link('#/', 'Go to the overview'), ' or ', button('log out', logout, 'btn btn-ghost'), '.'));
      return;
    }
    const f = form('Log in', [
      field('email', 'E-mail', { type: 'email', required: true, autocomplete: 'email' }),
      field('password', 'Password', { type: 'password', required: true, autocomplete: 'current-password' }),
    ], 'Log in', async (v) => {
      try { store.save(await api('/auth/login', { method: 'POST', body: v, auth: false })); } catch (err) {
        if (err instanceof ApiError && err.status === 401 && !err.problem.detail) err.problem.detail = 'Incorrect e-mail or password.';
        throw err;
      }
      buildNav();
      go(safeNext(query.get('next')), 'Welcome back!');
    });
    sec.append(el('div', { class: 'card narrow' }, f, el('p', { class: 'aside' }, link('/#/forgot', 'Forgot your password?')),
      el('p', { class: 'aside' }, 'Shopping instead? ', link('/', 'Go to the storefront'), '.')));
  }
  async function homeView(sec) {
    heading(sec, 'Back-office');
    const mine = SECTIONS.filter((s) => allowed(s.roles));
    sec.append(el('p', { class: 'lead' }, 'Your roles: ', myRoles().join(', '), '.'),
      el('ul', { class: 'columns stack' }, mine.map((s) => el('li', { class: 'card' }, el('h2', null, link('#/' + s.name, s.label)),
        el('p', { class: 'meta' }, SUMMARY[s.name])))));
  }
  const SUMMARY = {
    products: 'Products, prices, stock, images and categories.', orders: 'Every order of the store, its delivery and cancellations.',
    tickets: 'The ticket queue and the contact-form messages.', templates: 'Templates, campaigns and subscribers.',
    faq: 'Questions and answers, in order.', websites: 'Stores: code, domain, currency and locale.',
    users: 'Accounts and their roles.', mails: 'Every mail the platform sent.', audit: 'Who did what, across every service.',
  };
  async function logout() {
    await K.signOut();
    buildNav();
    go('#/login', 'You have been logged out.');
  }

  // ---------- catalog ----------
  const imageId = (url) => String(typeof url === 'string' ? url : (url && url.url) || '').split('/').pop();
  let categoriesCache = null;
  const categories = () => (categoriesCache = categoriesCache
    || api('/categories', { auth: false }).then(listOf).catch((e) => { categoriesCache = null; throw e; }));
  function catalogNav() { return subnav('Catalog', [['#/products', 'Products'], ['#/categories', 'Categories'], ['#/product/new', 'New product']]); }
  async function productsView(sec, args, query) {
    const st = { q: query.get('q') || '', category: query.get('category') || '' };
    const catField = field('category', 'Category', { options: [['', 'All categories']] });
    const box = start(sec, 'Products', catalogNav(), filterForm('Search products',
      [field('q', 'Search', { type: 'search', value: st.q, placeholder: 'SKU, name or description' }), catField], '#/products'));
    categories().then((cs) => {
      const s = catField.querySelector('select');
      for (const c of cs) s.append(el('option', { value: c.slug }, `${c.name} (${c.product_count})`));
      s.value = st.category;
    }, () => {});
    const p = new URLSearchParams({ page: String(pageOf(query)), per_page: '20' });
    if (st.q) p.set('q', st.q);
    if (st.category) p.set('category', st.category);
    try {
      const data = await api('/products?' + p);
      const items = listOf(data);
      if (!items.length) return put(box, notice(st.q || st.category ? 'No product matches these filters.' : 'There are no products yet.'));
      put(box, table('Products', [
        ['Name', (x) => link('#/product/' + enc(x.id), x.name)], ['SKU', (x) => x.sku], ['Category', (x) => x.category || '—'],
        ['Price', (x) => money(x.price, x.currency), 'num'], ['Stock', (x) => String(x.stock ?? '—'), 'num'],
        ['Images', (x) => String((x.images || []).length), 'num'],
      ], items), pager(data, (page) => hashWith('#/products', { ...st, page })));
    } catch (err) { showLoadError(box, err); }
  }
  async function categoriesView(sec) {
    const box = start(sec, 'Categories', catalogNav(),
      el('p', { class: 'lead' }, 'A category is created by giving a product a new category slug and name.'));
    try {
      const cs = await categories();
      put(box, cs.length ? table('Categories', [['Name', (c) => link('#/products?category=' + enc(c.slug), c.name)], ['Slug', (c) => c.slug],
        ['Products', (c) => String(c.product_count ?? 0), 'num']], cs) : notice('There are no categories yet.'));
    } catch (err) { showLoadError(box, err); }
  }
  function productForm(p, onSaved) {
    const cur = (p && p.currency) || 'EUR';
    const f = form(p ? 'Edit product' : 'New product', [
      el('div', { class: 'columns' },
        field('sku', 'SKU', { required: true, value: p && p.sku, maxlength: 64 }),
        field('name', 'Name', { required: true, value: p && p.name, maxlength: 200 })),
      field('description', 'Description', { textarea: true, rows: 4, value: p && p.description, optional: true }),
      el('div', { class: 'columns' },
        field('price', 'Price', { required: true, value: p ? toMajor(p.price, cur) : '', inputmode: 'decimal', hint: 'In major units, e.g. 12.50.' }),
        field('currency', 'Currency', { required: true, value: cur, maxlength: 3, hint: 'ISO 4217 code, e.g. EUR.' }),
        p ? null : field('stock', 'Stock', { type: 'number', min: 0, max: 10000000, step: 1, value: 0, required: true })),
      el('div', { class: 'columns' },
        field('category', 'Category slug', { value: p && p.category, optional: true, list: 'category-slugs',
          hint: 'Lowercase letters, digits and dashes.' }),
        field('category_name', 'Category name', { optional: true, hint: 'Needed for a new category.' })),
      el('datalist', { id: 'category-slugs' }),
    ], p ? 'Save changes' : 'Create product', async (v, fm) => {
      const errors = [];
      const currency = (v.currency || '').toUpperCase();
      if (!/^[A-Z]{3}$/.test(currency)) errors.push(['currency', 'Enter a three-letter currency code.']);
      const price = toMinor(v.price, /^[A-Z]{3}$/.test(currency) ? currency : 'EUR');
      if (price == null) errors.push(['price', 'Enter a price such as 12.50.']);
      const stock = v.stock === undefined ? undefined : Number(v.stock);
      if (stock !== undefined && !(Number.isInteger(stock) && stock >= 0)) errors.push(['stock', 'Enter a whole number, 0 or more.']);
      if (v.category && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(v.category)) errors.push(['category', 'Use lowercase letters, digits and dashes.']);
      if (errors.length) throw fail(...errors);
      const body = { sku: v.sku, name: v.name, description: v.description || '', price, currency };
      if (v.category) body.category = v.category;
      if (v.category_name) body.category_name = v.category_name;
      if (!p && stock !== undefined) body.stock = stock;
      const saved = p ? await api('/products/' + enc(p.id), { method: 'PATCH', body }) : await api('/products', { method: 'POST', body });
      categoriesCache = null;
      onSaved(saved, fm);
    });
    categories().then((cs) => {
      const dl = f.querySelector('datalist');
      for (const c of cs) dl.append(el('option', { value: c.slug }, c.name));
    }, () => {});
    return f;
  }
  async function productView(sec, args) {
    const id = args[0];
    if (!id || id === 'new') {
      heading(sec, 'New product');
      const created = (saved) => go('#/product/' + enc(saved.id), `Product “${saved.name}” created. Add its images below.`);
      sec.append(catalogNav(), el('div', { class: 'card' }, productForm(null, created)));
      return;
    }
    const box = start(sec, 'Product', catalogNav());
    let p;
    try { p = await api('/products/' + enc(id)); } catch (err) { return showLoadError(box, err); }
    const h = sec.querySelector('h1');
    h.textContent = p.name; document.title = `${p.name} · Comptoir back-office`;
    const imagesBox = el('div');
    const stockForm = form('Stock', [field('stock', 'Units in stock', { type: 'number', min: 0, max: 10000000, step: 1, value: p.stock,
      required: true })],
      'Update stock', async (v) => {
        const stock = Number(v.stock);
        if (!(Number.isInteger(stock) && stock >= 0)) throw fail(['stock', 'Enter a whole number, 0 or more.']);
        p = await api(`/products/${enc(p.id)}/stock`, { method: 'PUT', body: { stock } });
        setFlash(`Stock set to ${p.stock}.`);
      });
    const del = el('div', null, button('Delete product', () => {
      if (del.querySelector('.confirm')) return;
      del.append(confirmBox(`Delete “${p.name}”? Its images go too. This cannot be undone.`, 'Yes, delete', async () => {
        await api('/products/' + enc(p.id), { method: 'DELETE' });
        categoriesCache = null;
        go('#/products', `Product “${p.name}” deleted.`);
      }));
    }, 'btn btn-danger'));
    put(box, el('div', { class: 'two' },
      el('div', null, card('Details', productForm(p, (saved) => { p = saved; h.textContent = p.name; setFlash('Changes saved.'); })),
        card('Images', imagesBox)),
      el('div', null, card('Stock', stockForm), card('Public page', el('p', null, link('/#/product/' + enc(p.id), 'View it in the storefront'))),
        card('Delete', del))));
    renderImages(imagesBox, p, (np) => { p = np; });
  }
  function renderImages(box, p, update) {
    const ids = (p.images || []).map(imageId);
    const status = el('p', { class: 'meta', role: 'status' });
    const move = async (i, delta) => {
      const order = ids.slice();
      [order[i], order[i + delta]] = [order[i + delta], order[i]];
      try {
        const np = await api(`/products/${enc(p.id)}/images`, { method: 'PUT', body: { image_ids: order } });
        update(np); renderImages(box, np, update);
        const btn = box.querySelectorAll('.images li')[i + delta];
        const target = btn && btn.querySelector(delta < 0 ? '[data-move=up]' : '[data-move=down]');
        (target && !target.disabled ? target : box.querySelector('.images li')).focus?.();
        box.querySelector('[role=status]').textContent = `Image moved to position ${i + delta + 1}.`;
      } catch (err) { if (!err.expired) status.textContent = describe(err); }
    };
    const remove = async (i) => {
      try {
        await api(`/products/${enc(p.id)}/images/${enc(ids[i])}`, { method: 'DELETE' });
        const np = await api('/products/' + enc(p.id));
        update(np); renderImages(box, np, update);
        box.querySelector('[role=status]').textContent = 'Image deleted.';
      } catch (err) { if (!err.expired) status.textContent = describe(err); }
    };
    const files = field('images', 'Add images', { type: 'file', multiple: true, accept: 'image/png,image/jpeg,image/webp',
      hint: 'PNG, JPEG or WebP, up to 5 MiB each.' });
    const upload = form('Upload images', [files], 'Upload', async (v, f) => {
      const list = Array.from(f.querySelector('input[type=file]').files || []);
      if (!list.length) throw fail(['images', 'Choose one or more image files.']);
      let done = 0, failed = '';
      for (const file of list) {
        status.textContent = `Uploading ${file.name} (${done + 1} of ${list.length})…`;
        const headers = { 'Content-Type': file.type || 'application/octet-stream' };
        try { await api(`/products/${enc(p.id)}/images`, { method: 'POST', raw: file, headers }); done++; } catch (err) {
          if (err.expired) throw err;
          failed = `${file.name} was not uploaded: ${describe(err)}`;
          break;
        }
      }
      status.textContent = '';
      if (!done) throw new ApiError(422, { detail: failed });
      const np = await api('/products/' + enc(p.id));
      update(np); renderImages(box, np, update);
      box.querySelector('[role=status]').textContent = `${plural(done, 'image')} uploaded.${failed ? ' ' + failed : ''}`;
    });
    put(box, ids.length ? el('ol', { class: 'images', 'aria-label': 'Images in display order' }, ids.map((imgId, i) =>
      el('li', { 'data-image-id': imgId },
      el('img', { src: `${API}/products/${enc(p.id)}/images/${enc(imgId)}`, alt: `Image ${i + 1} of ${p.name}` }),
      el('div', { class: 'actions' },
        button('Up', () => move(i, -1), undefined, { 'data-move': 'up', disabled: i === 0, 'aria-label': `Move image ${i + 1} up` }),
        button('Down', () => move(i, 1), undefined,
          { 'data-move': 'down', disabled: i === ids.length - 1, 'aria-label': `Move image ${i + 1} down` }),
        button('Delete', () => remove(i), undefined, { 'aria-label': `Delete image ${i + 1}` }))))) : el('p', null, 'No images yet.'),
    status, upload);
  }

  // ---------- orders ----------
  const ORDER_STATUSES = ['pending', 'confirmed', 'shipped', 'delivered', 'cancelled'];
  const DELIVERY_STATUSES = ['preparing', 'shipped', 'in_transit', 'delivered', 'failed'];
  const opts = (list, all) => [...(all ? [['', all]] : []), ...list.map((s) => [s, words(s)])];
  async function ordersView(sec, args, query) {
    const st = {}; for (const k of ['status', 'customer', 'number', 'from', 'to']) st[k] = query.get(k) || '';
    const box = start(sec, 'Orders', isAdmin() ? null : el('p', { class: 'lead' }, 'Read-only: support agents may look orders up.'),
      filterForm('Filter orders', [
        field('status', 'Status', { options: opts(ORDER_STATUSES, 'Any status'), value: st.status }),
        field('customer', 'Customer', { value: st.customer, hint: 'A user id, or the customer’s e-mail.' }),
        field('number', 'Order number', { value: st.number, placeholder: '2026-000042' }),
        field('from', 'From', { type: 'date', value: st.from }), field('to', 'To', { type: 'date', value: st.to }),
      ], '#/orders'));
    const p = new URLSearchParams({ page: String(pageOf(query)), per_page: '20' });
    for (const [k, v] of Object.entries(st)) if (v && k !== 'customer') p.set(k, v);
    if (st.customer) p.set(st.customer.includes('@') ? 'customer_email' : 'user_id', st.customer);
    try {
      const data = await api('/orders?' + p);
      const items = listOf(data);
      put(box, items.length ? table('Orders', [
        ['Number', (o) => link('#/order/' + enc(o.id), o.number || o.id)], ['Placed', (o) => fmtDate(o.created_at)],
        ['Customer', (o) => o.customer_name || o.customer_email || o.user_id], ['Status', (o) => badge(o.status)],
        ['Total', (o) => money(o.total, o.currency), 'num'],
      ], items) : notice('No order matches these filters.'), pager(data, (page) => hashWith('#/orders', { ...st, page })));
    } catch (err) { showLoadError(box, err); }
  }
  const addressLines = (a) => (a ? el('address', null,
    [a.name, a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(' '), a.region, a.country, a.phone]
      .filter(Boolean).map((l, i) => [i ? el('br') : null, l])) : el('p', null, '—'));
  async function orderView(sec, args) {
    const box = start(sec, 'Order', el('p', { class: 'crumbs' }, link('#/orders', '← All orders')));
    let o;
    try { o = await api('/orders/' + enc(args[0] || '')); } catch (err) { return showLoadError(box, err); }
    sec.querySelector('h1').textContent = `Order ${o.number || o.id}`;
    document.title = `Order ${o.number || o.id} · Comptoir back-office`;
    const deliveryBox = el('div', null, loading());
    const side = [card('Delivery', deliveryBox)];
    if (isAdmin() && ['pending', 'confirmed'].includes(o.status)) {
      const reason = field('reason', 'Reason', { textarea: true, rows: 3, maxlength: 500, required: true, hint: 'Shown to the customer.' });
      side.push(card('Cancel the order', form('Cancel the order', [reason], 'Cancel order', async (v) => {
        await api(`/orders/${enc(o.id)}/cancel`, { method: 'POST', body: { reason: v.reason } });
        go(location.hash, 'The order has been cancelled.');
      })));
    }
    put(box, el('div', { class: 'two' }, el('div', null,
      card('Summary', props([['Status', badge(o.status)], ['Placed', fmtDate(o.created_at)], ['Updated', fmtDate(o.updated_at)],
        ['Customer', [o.customer_name, o.customer_email].filter(Boolean).join(' · ') || null], ['Customer id', o.user_id],
        ['Total', money(o.total, o.currency)], o.cancel_reason ? ['Cancel reason', o.cancel_reason] : null]),
      el('p', null, link('#/orders?customer=' + enc(o.user_id || ''), 'Other orders of this customer'))),
      card('Lines', table('Order lines', [['Product', (l) => l.name || l.product_id], ['Unit price', (l) => money(l.unit_price, o.currency), 'num'],
        ['Quantity', (l) => String(l.quantity), 'num'], ['Line total', (l) => money(l.line_total, o.currency), 'num']], o.lines || [])),
      el('div', { class: 'columns' }, card('Shipping address', addressLines(o.shipping_address)),
        card('Billing address', addressLines(o.billing_address || o.shipping_address))),
      card('Status history', el('ol', { class: 'history' }, (o.status_history || []).map((s) => el('li', null, badge(s.status), ' ', fmtDate(s.at),
        s.note ? ` — ${s.note}` : ''))))), el('div', null, side)));
    loadDelivery(deliveryBox, o);
  }
  async function loadDelivery(box, o) {
    let d;
    try { d = listOf(await api('/deliveries?order_id=' + enc(o.id)))[0]; } catch (err) { return showLoadError(box, err); }
    if (!d) { // the deliveries service lists a delivery to its customer and to admins only
      return put(box, el('p', null, !isAdmin() ? 'Delivery details are shown to administrators only.'
        : o.status === 'pending' ? 'The delivery is created once the order is confirmed.' : 'No delivery for this order.'));
    }
    const canEdit = isAdmin() && !['delivered', 'cancelled'].includes(d.status);
    const upd = canEdit && form('Update the delivery', [
      field('status', 'Status', { options: opts(DELIVERY_STATUSES), value: DELIVERY_STATUSES.includes(d.status) ? d.status : 'preparing' }),
      field('carrier', 'Carrier', { value: d.carrier, optional: true }),
      field('estimated_delivery', 'Estimated delivery', { type: 'date', value: (d.estimated_delivery || '').slice(0, 10), optional: true }),
    ], 'Update delivery', async (v) => {
      const body = { status: v.status };
      if (v.carrier) body.carrier = v.carrier;
      if (v.estimated_delivery) body.estimated_delivery = `${v.estimated_delivery}T00:00:00Z`; // a whole day, in UTC
      await api('/deliveries/' + enc(d.id), { method: 'PATCH', body });
      go(location.hash, `Delivery updated: ${words(v.status)}.`);
    });
    const tracking = d.tracking_number ? link('/#/track/' + enc(d.tracking_number), d.tracking_number) : null;
    const events = (d.events || []).map((e) => el('li', null, fmtDate(e.at), ' — ', e.description || words(e.status)));
    put(box, props([['Status', badge(d.status)], ['Carrier', d.carrier], ['Tracking number', tracking], ['Estimated', fmtDay(d.estimated_delivery)]]),
    events.length ? [el('h3', null, 'Events'), el('ol', { class: 'history' }, events)] : null,
    upd);
  }

  // ---------- support desk ----------
  const TICKET_STATUSES = ['open', 'pending', 'resolved', 'closed'];
  const deskNav = () => subnav('Support desk', [['#/tickets', 'Tickets'], ['#/contacts', 'Contact messages']]);
  const assigneeText = (t) => (!t.assignee_id ? 'Unassigned' : sameId(t.assignee_id, me()) ? 'Me' : 'Another agent');
  async function ticketsView(sec, args, query) {
    const st = { status: query.get('status') || '', assignee: query.get('assignee') || '' };
    const box = start(sec, 'Support desk', deskNav(), filterForm('Filter tickets', [
      field('status', 'Status', { options: opts(TICKET_STATUSES, 'Any status'), value: st.status }),
      field('assignee', 'Assignee', { options: [['', 'Anyone'], ['me', 'Me'], ['none', 'Unassigned']], value: st.assignee }),
    ], '#/tickets'));
    const p = new URLSearchParams({ page: String(pageOf(query)), per_page: '20' });
    if (st.status) p.set('status', st.status);
    if (st.assignee) p.set('assignee', st.assignee === 'me' ? me() : 'none');
    try {
      const data = await api('/sav/tickets?' + p);
      const items = listOf(data);
      put(box, items.length ? table('Tickets', [
        ['Ticket', (t) => link('#/ticket/' + enc(t.id), `${t.number || ''} ${t.subject || ''}`.trim())],
        ['Customer', (t) => t.customer_name || t.user_id],
        ['Status', (t) => badge(t.status)], ['Assignee', assigneeText], ['Updated', (t) => fmtDate(t.updated_at || t.created_at)],
      ], items) : notice('No ticket matches these filters.'), pager(data, (page) => hashWith('#/tickets', { ...st, page })));
    } catch (err) { showLoadError(box, err); }
  }
  async function download(path, filename, status) {
    try {
      await K.download(path, filename);
      if (status) status.textContent = `${filename} downloaded.`;
    } catch (err) { if (status && !err.expired) status.textContent = describe(err); }
  }
  async function ticketView(sec, args) {
    const box = start(sec, 'Ticket', el('p', { class: 'crumbs' }, link('#/tickets', '← The queue')));
    const id = args[0] || '';
    let t;
    try { t = await api('/sav/tickets/' + enc(id)); } catch (err) { return showLoadError(box, err); }
    sec.querySelector('h1').textContent = `${t.number || 'Ticket'} · ${t.subject || ''}`;
    document.title = `${t.number || 'Ticket'} · Comptoir back-office`;
    const reload = (msg) => go(location.hash, msg);
    const patch = async (body, msg) => { await api('/sav/tickets/' + enc(t.id), { method: 'PATCH', body }); reload(msg); };
    const actStatus = el('p', { class: 'meta', role: 'status' });
    const act = async (body, msg) => { try { await patch(body, msg); } catch (err) { if (!err.expired) actStatus.textContent = describe(err); } };
    const mine = sameId(t.assignee_id, me());
    const assign = el('div', { class: 'actions' },
      !mine ? button(t.assignee_id ? 'Take over' : 'Take it', () => act({ assignee_id: me() }, 'The ticket is yours.'), 'btn btn-small') : null,
      t.assignee_id ? button('Unassign', () => act({ assignee_id: null }, 'The ticket is unassigned.')) : null);
    const statusForm = form('Change the status', [field('status', 'Status', { options: opts(TICKET_STATUSES), value: t.status })], 'Set status',
      (v) => patch({ status: v.status }, `Status set to ${v.status}.`), { small: true });
    const fileStatus = el('p', { class: 'meta', role: 'status' });
    const files = (t.attachments || []);
    const reply = t.status !== 'closed' && form('Reply', [
      field('body', 'Reply to the customer', { textarea: true, rows: 4, required: true }),
      field('files', 'Attachments', { type: 'file', multiple: true, optional: true, hint: 'Up to 10 MiB each.' }),
    ], 'Send reply', async (v, f) => {
      if (!v.body) throw fail(['body', 'Write a reply.']);
      await api(`/sav/tickets/${enc(t.id)}/messages`, { method: 'POST', body: { body: v.body } });
      for (const file of Array.from(f.querySelector('input[type=file]').files || [])) {
        const headers = { 'Content-Type': file.type || 'application/octet-stream', 'X-Filename': file.name.replace(/[^\x20-\x7e]/g, '_') };
        try { await api(`/sav/tickets/${enc(t.id)}/attachments`, { method: 'POST', raw: file, headers }); } catch (err) {
          if (err.expired) throw err; // the reply itself is sent: say so rather than offer to send it twice
          return go(location.hash, `Your reply has been sent, but ${file.name} was not attached: ${describe(err)}`, 'error');
        }
      }
      reload('Your reply has been sent.');
    });
    const ordersBox = el('div', null, loading());
    put(box, el('div', { class: 'two' }, el('div', null,
      card('Conversation', (t.messages || []).length ? el('ol', { class: 'thread' }, t.messages.map((m) => el('li', { class: 'msg' },
        el('p', { class: 'meta' }, [m.author_name || (sameId(m.author_id, me()) ? 'You' : ''), words(m.author_role), fmtDate(m.created_at)]
          .filter(Boolean).join(' · ')),
        el('p', { class: 'pre' }, m.body || '')))) : el('p', null, 'No messages yet.'),
      el('h3', null, 'Attachments'), files.length ? el('ul', { class: 'dl-list' }, files.map((a) => el('li', null,
        button(`Download ${a.filename} (${a.size ?? '?'} bytes)`,
          () => download(`/sav/tickets/${enc(t.id)}/attachments/${enc(a.id)}`, a.filename, fileStatus))))) : el('p', null, 'None.'),
      fileStatus),
      reply ? card('Reply', reply) : notice('This ticket is closed.')),
    el('div', null,
      card('Ticket', props([['Status', badge(t.status)], ['Customer', t.customer_name], ['Customer id', t.user_id], ['Assignee', assigneeText(t)],
        ['Order', t.order_id ? link('#/order/' + enc(t.order_id), 'Open the order') : null], ['Opened', fmtDate(t.created_at)]]), assign, actStatus),
      card('Status', statusForm), card('Customer’s orders', ordersBox))));
    try {
      const data = await api('/orders?' + new URLSearchParams({ user_id: t.user_id || '', per_page: '10' }));
      const os = listOf(data);
      put(ordersBox, os.length ? el('ul', { class: 'stack' }, os.map((o) => el('li', null,
        link('#/order/' + enc(o.id), o.number || o.id), ' ', badge(o.status), ' ', money(o.total, o.currency),
        el('span', { class: 'meta' }, ' · ', fmtDate(o.created_at))))) : el('p', null, 'This customer has no orders.'));
    } catch (err) { showLoadError(ordersBox, err); }
  }
  async function contactsView(sec, args, query) {
    const topic = query.get('topic') || '';
    const box = start(sec, 'Contact messages', deskNav(), filterForm('Filter messages',
      [field('topic', 'Topic', { options: opts(['sales', 'support', 'press', 'other'], 'Any topic'), value: topic })], '#/contacts'));
    const p = new URLSearchParams({ page: String(pageOf(query)), per_page: '20' });
    if (topic) p.set('topic', topic);
    try {
      const data = await api('/contacts?' + p);
      const items = listOf(data);
      put(box, items.length ? table('Contact messages', [
        ['From', (c) => c.name], ['E-mail', (c) => link('mailto:' + c.email, c.email)], ['Topic', (c) => c.topic],
        ['Message', (c) => el('span', { class: 'pre' }, c.message)], ['Received', (c) => fmtDate(c.created_at)]], items)
        : notice('No contact message yet.'), pager(data, (page) => hashWith('#/contacts', { topic, page })));
    } catch (err) { showLoadError(box, err); }
  }

  // ---------- newsletters ----------
  const newsNav = () => subnav('Newsletters', [['#/templates', 'Templates'], ['#/campaigns', 'Campaigns'], ['#/subscribers', 'Subscribers']]);
  async function templatesView(sec, args, query) {
    const box = start(sec, 'Templates', newsNav(), el('p', { class: 'toolbar' }, link('#/template/new', 'New template', 'btn')));
    try {
      const data = await api('/newsletters/templates?' + new URLSearchParams({ page: String(pageOf(query)), per_page: '20' }));
      const items = listOf(data);
      put(box, items.length ? table('Templates', [['Name', (x) => link('#/template/' + enc(x.id), x.name)], ['Subject', (x) => x.subject],
        ['Created', (x) => fmtDate(x.created_at)]], items) : notice('There are no templates yet.'),
      pager(data, (page) => hashWith('#/templates', { page })));
    } catch (err) { showLoadError(box, err); }
  }
  async function templateView(sec, args) {
    const id = args[0] && args[0] !== 'new' ? args[0] : null;
    const box = start(sec, id ? 'Edit template' : 'New template', newsNav());
    let t = null;
    if (id) { try { t = await api('/newsletters/templates/' + enc(id)); } catch (err) { return showLoadError(box, err); } }
    const f = form('Template', [
      field('name', 'Name', { required: true, value: t && t.name, maxlength: 200 }),
      field('subject', 'Subject', { required: true, value: t && t.subject, hint: 'Mustache: every mail knows {{email}} and {{unsubscribe_url}}.' }),
      field('text', 'Text version', { textarea: true, rows: 8, required: true, value: t && t.text }),
      field('html', 'HTML version', { textarea: true, rows: 8, optional: true, value: t && t.html }),
    ], t ? 'Save template' : 'Create template', async (v) => {
      const body = { name: v.name, subject: v.subject, text: v.text };
      if (v.html) body.html = v.html;
      if (t) { t = await api('/newsletters/templates/' + enc(t.id), { method: 'PUT', body }); setFlash('Template saved.'); }
      else { const n = await api('/newsletters/templates', { method: 'POST', body }); go('#/template/' + enc(n.id), 'Template created.'); }
    });
    const pSubject = el('p', { class: 'pre' }), pText = el('p', { class: 'pre' });
    const frame = el('iframe', { sandbox: '', title: 'HTML preview', srcdoc: '' });
    const pStatus = el('p', { class: 'meta', role: 'status', 'aria-live': 'polite' }, 'The preview follows your edits.');
    const pNote = el('p', { class: 'hint' });
    const preview = card('Preview', el('div', { class: 'preview' }, pStatus, el('h3', null, 'Subject'), pSubject, el('h3', null, 'Text'), pText,
      el('h3', null, 'HTML'), pNote, frame));
    let timer = null, seq = 0;
    const refresh = async () => {
      const v = values(f);
      if (!v.subject && !v.text) { pStatus.textContent = 'Write a subject and a text to see the preview.'; return; }
      const mine = ++seq;
      pStatus.textContent = 'Updating the preview…';
      try {
        const body = { subject: v.subject || '', text: v.text || '' };
        if (v.html) body.html = v.html;
        const r = await api('/newsletters/templates/preview', { method: 'POST', body });
        if (mine !== seq) return;
        pSubject.textContent = r.subject || ''; pText.textContent = r.text || '';
        const html = previewHtml(r.html || '');
        frame.setAttribute('srcdoc', html.text);
        put(pNote, html.dropped ? `Left out of this preview: ${html.dropped} (the back-office's security policy blocks them here).` : null);
        pStatus.textContent = 'Preview up to date.';
      } catch (err) {
        if (mine !== seq || err.expired) return;
        pStatus.textContent = err instanceof ApiError && err.status === 422
          ? 'The template has an error: ' + (err.fields.map((e) => e.message).join(' ') || describe(err)) : describe(err);
      }
    };
    f.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(refresh, 400); });
    put(box, el('div', { class: 'two' }, card('Template', f), preview));
    if (t) refresh();
  }
  // The srcdoc frame inherits the page's Content-Security-Policy (style-src 'self', img-src 'self' data: blob:): inline styles
  // and remote images would be blocked there with console errors, so the preview leaves them out, parsed inertly, and says so.
  function previewHtml(source) {
    // Even an inert parse checks style attributes and <style> against the policy: rename them first, drop them after.
    const neutral = source.replace(/<(\/?)style\b/gi, '<$1template')
      .replace(/<[a-z][^>]*>/gi, (tag) => tag.replace(/(\s)style(\s*=)/gi, '$1data-dropped-style$2'));
    const doc = new DOMParser().parseFromString(neutral, 'text/html');
    const dropped = new Set();
    for (const n of doc.querySelectorAll('template, link, script')) {
      dropped.add(n.localName === 'script' ? 'scripts' : 'style sheets'); n.remove();
    }
    for (const n of doc.querySelectorAll('[data-dropped-style]')) { dropped.add('inline styles'); n.removeAttribute('data-dropped-style'); }
    for (const n of doc.querySelectorAll('[srcset]')) n.removeAttribute('srcset');
    for (const n of doc.querySelectorAll('img[src], source[src], video[src], audio[src], iframe[src], object[data]')) {
      const src = n.getAttribute('src') || n.getAttribute('data') || '';
      let url = null;
      try { url = new URL(src, location.href); } catch { /* not a URL: dropped below */ }
      if (!url || (url.origin !== location.origin && !/^(data|blob):/.test(url.protocol))) {
        dropped.add('remote images'); n.removeAttribute('src'); n.removeAttribute('data');
      }
    }
    for (const n of doc.querySelectorAll('*')) for (const a of Array.from(n.attributes)) if (/^on/i.test(a.name)) n.removeAttribute(a.name);
    return { text: '<!doctype html>' + doc.documentElement.outerHTML, dropped: Array.from(dropped).join(', ') };
  }
  const toLocalInput = (iso) => { // an ISO time as a datetime-local value
    const d = iso ? new Date(iso) : null;
    if (!d || Number.isNaN(d.getTime())) return '';
    const z = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${z(d.getMonth() + 1)}-${z(d.getDate())}T${z(d.getHours())}:${z(d.getMinutes())}:${z(d.getSeconds())}`;
  };
  const fromLocalInput = (v) => { const d = v ? new Date(v) : null; return d && !Number.isNaN(d.getTime()) ? d.toISOString() : null; };
  async function campaignsView(sec, args, query) {
    const status = query.get('status') || '';
    const newBox = el('div', null, loading());
    const box = start(sec, 'Campaigns', newsNav(), card('New campaign', newBox), filterForm('Filter campaigns',
      [field('status', 'Status', { options: opts(['draft', 'scheduled', 'sending', 'sent'], 'Any status'), value: status })], '#/campaigns'));
    api('/newsletters/templates?per_page=100').then((d) => {
      const ts = listOf(d);
      if (!ts.length) return put(newBox, el('p', null, 'Create a ', link('#/template/new', 'template'), ' first.'));
      put(newBox, form('New campaign', [el('div', { class: 'columns' },
        field('subject', 'Subject', { required: true }),
        field('template_id', 'Template', { options: ts.map((x) => [x.id, x.name]) }),
        field('scheduled_at', 'Send at', { type: 'datetime-local', step: 1, optional: true,
          hint: 'Your local time. Leave empty to keep it as a draft.' }))],
      'Create campaign', async (v) => {
        const body = { subject: v.subject, template_id: v.template_id };
        if (v.scheduled_at) {
          body.scheduled_at = fromLocalInput(v.scheduled_at);
          if (!body.scheduled_at) throw fail(['scheduled_at', 'Enter a date and time.']);
        }
        const c = await api('/newsletters/campaigns', { method: 'POST', body });
        go('#/campaign/' + enc(c.id), body.scheduled_at ? 'Campaign scheduled.' : 'Draft campaign created.');
      }));
    }, (err) => showLoadError(newBox, err));
    const p = new URLSearchParams({ page: String(pageOf(query)), per_page: '20' });
    if (status) p.set('status', status);
    try {
      const data = await api('/newsletters/campaigns?' + p);
      const items = listOf(data);
      put(box, items.length ? table('Campaigns', [['Subject', (c) => link('#/campaign/' + enc(c.id), c.subject)], ['Status', (c) => badge(c.status)],
        ['Scheduled', (c) => fmtDate(c.scheduled_at) || '—'], ['Sent', (c) => String(c.sent_count ?? 0), 'num']], items)
        : notice('There are no campaigns yet.'), pager(data, (page) => hashWith('#/campaigns', { status, page })));
    } catch (err) { showLoadError(box, err); }
  }
  async function campaignView(sec, args) {
    const box = start(sec, 'Campaign', newsNav());
    const path = '/newsletters/campaigns/' + enc(args[0] || '');
    let c;
    try { c = await api(path); } catch (err) { return showLoadError(box, err); }
    sec.querySelector('h1').textContent = `Campaign: ${c.subject}`;
    const info = el('div'), live = el('p', { class: 'meta', role: 'status' });
    const draw = () => put(info, props([['Status', badge(c.status)], ['Sent', String(c.sent_count ?? 0)], ['Scheduled', fmtDate(c.scheduled_at)],
      ['Started', fmtDate(c.started_at)], ['Finished', fmtDate(c.finished_at)],
      ['Template', link('#/template/' + enc(c.template_id), 'Open the template')]]));
    draw();
    const canSend = ['draft', 'scheduled'].includes(c.status);
    const controls = canSend && el('div', null,
      form('Schedule', [field('scheduled_at', 'Send at', { type: 'datetime-local', step: 1, required: true, value: toLocalInput(c.scheduled_at) })],
        'Schedule',
        async (v) => {
          const at = fromLocalInput(v.scheduled_at);
          if (!at) throw fail(['scheduled_at', 'Enter a date and time.']);
          await api(path + '/send', { method: 'POST', body: { scheduled_at: at } });
          go(location.hash, 'Campaign scheduled.');
        }),
      el('div', { class: 'actions' }, button('Send now', async (ev) => {
        const b = ev.currentTarget;
        b.disabled = true;
        try { await api(path + '/send', { method: 'POST', body: {} }); go(location.hash, 'Sending started.'); }
        catch (err) { b.disabled = false; if (!err.expired) live.textContent = describe(err); }
      }, 'btn')));
    const sendCard = controls ? card('Send', controls) : el('div');
    put(box, el('div', { class: 'two' }, card('Progress', info, live), sendCard));
    if (c.status !== 'sent' && c.status !== 'draft') { // follow the progress while it is scheduled or sending
      const t = every(2000, async () => {
        try { c = await api(path); } catch (err) { if (err.expired) clearInterval(t); else live.textContent = describe(err); return; }
        draw();
        if (!['draft', 'scheduled'].includes(c.status)) sendCard.remove();
        live.textContent = c.status === 'sent' ? `Sent to ${plural(c.sent_count || 0, 'subscriber')}.`
          : c.status === 'sending' ? `Sending… ${c.sent_count || 0} sent so far.` : '';
        if (c.status === 'sent') clearInterval(t);
      });
    }
  }
  async function subscribersView(sec, args, query) {
    const st = { q: query.get('q') || '', status: query.get('status') || '' };
    const box = start(sec, 'Subscribers', newsNav(), filterForm('Search subscribers', [
      field('q', 'E-mail', { type: 'search', value: st.q }),
      field('status', 'Status', { options: opts(['pending', 'confirmed', 'unsubscribed'], 'Any status'), value: st.status }),
    ], '#/subscribers'));
    const p = new URLSearchParams({ page: String(pageOf(query)), per_page: '20' });
    for (const [k, v] of Object.entries(st)) if (v) p.set(k, v);
    try {
      const data = await api('/newsletters/subscribers?' + p);
      const items = listOf(data);
      put(box, items.length ? table('Subscribers', [['E-mail', (s) => s.email], ['Status', (s) => badge(s.status)],
        ['Subscribed', (s) => fmtDate(s.created_at)], ['Confirmed', (s) => fmtDate(s.confirmed_at) || '—']], items)
        : notice('No subscriber matches.'),
      pager(data, (page) => hashWith('#/subscribers', { ...st, page })));
    } catch (err) { showLoadError(box, err); }
  }

  // ---------- FAQ ----------
  async function faqView(sec, args, query) {
    const category = query.get('category') || '';
    const catField = field('category', 'Category', { options: [['', 'All categories']] });
    const box = start(sec, 'FAQ', el('p', { class: 'toolbar' }, link('#/question/new', 'New question', 'btn')),
      filterForm('Filter questions', [catField], '#/faq'));
    api('/questions/categories', { auth: false }).then((cs) => {
      const s = catField.querySelector('select');
      for (const c of listOf(cs)) s.append(el('option', { value: c.slug }, `${c.slug} (${c.question_count})`));
      s.value = category;
    }, () => {});
    const load = async () => {
      const p = new URLSearchParams({ page: String(pageOf(query)), per_page: '100' });
      if (category) p.set('category', category);
      const data = await api('/questions?' + p);
      const items = listOf(data);
      const status = el('p', { class: 'meta', role: 'status' });
      const move = async (i, delta) => { // rewrite the positions of the category in the new order
        const a = items[i], b = items[i + delta];
        const group = items.filter((x) => x.category === a.category);
        const order = group.slice();
        const ia = order.indexOf(a), ib = order.indexOf(b);
        [order[ia], order[ib]] = [order[ib], order[ia]];
        try {
          for (const [pos, q] of order.entries()) {
            const body = { question: q.question, answer: q.answer, category: q.category, position: pos };
            if (q.position !== pos) await api('/questions/' + enc(q.id), { method: 'PUT', body });
          }
          await load();
          box.querySelector('[role=status]').textContent = `“${a.question}” moved ${delta < 0 ? 'up' : 'down'}.`;
          const again = Array.from(box.querySelectorAll('button[aria-label]'))
            .filter((x) => x.getAttribute('aria-label').includes(`“${a.question}”`));
          (again.find((x) => !x.disabled) || box).focus();
        } catch (err) { if (!err.expired) status.textContent = describe(err); }
      };
      const same = (i, d) => items[i + d] && items[i + d].category === items[i].category;
      put(box, items.length ? table('Questions', [
        ['Question', (q) => link('#/question/' + enc(q.id), q.question)], ['Category', (q) => q.category],
        ['Position', (q) => String(q.position ?? ''), 'num'],
        ['Order', (q) => { const i = items.indexOf(q); return el('span', { class: 'actions' },
          button('Up', () => move(i, -1), undefined, { disabled: !same(i, -1), 'aria-label': `Move “${q.question}” up` }),
          button('Down', () => move(i, 1), undefined, { disabled: !same(i, 1), 'aria-label': `Move “${q.question}” down` })); }],
      ], items) : notice('There are no questions yet.'), status, pager(data, (page) => hashWith('#/faq', { category, page })));
    };
    try { await load(); } catch (err) { showLoadError(box, err); }
  }
  async function questionView(sec, args) {
    const id = args[0] && args[0] !== 'new' ? args[0] : null;
    const box = start(sec, id ? 'Edit question' : 'New question', el('p', { class: 'crumbs' }, link('#/faq', '← All questions')));
    let q = null;
    if (id) { try { q = await api('/questions/' + enc(id)); } catch (err) { return showLoadError(box, err); } }
    const f = form('Question', [
      field('question', 'Question', { required: true, value: q && q.question }),
      field('answer', 'Answer', { textarea: true, rows: 6, required: true, value: q && q.answer }),
      el('div', { class: 'columns' }, field('category', 'Category', { required: true, value: q && q.category }),
        field('position', 'Position', { type: 'number', min: 0, step: 1, value: q ? q.position : '', optional: true })),
    ], q ? 'Save question' : 'Create question', async (v) => {
      const body = { question: v.question, answer: v.answer, category: v.category };
      if (v.position !== undefined) {
        if (!/^\d+$/.test(v.position)) throw fail(['position', 'Enter a whole number, 0 or more.']);
        body.position = Number(v.position);
      }
      if (q) await api('/questions/' + enc(q.id), { method: 'PUT', body }); else await api('/questions', { method: 'POST', body });
      go('#/faq', q ? 'Question saved.' : 'Question created.');
    });
    const del = q && el('div', null, button('Delete question', () => {
      if (!del.querySelector('.confirm')) {
        del.append(confirmBox('Delete this question? This cannot be undone.', 'Yes, delete', async () => {
          await api('/questions/' + enc(q.id), { method: 'DELETE' });
          go('#/faq', 'Question deleted.');
        }));
      }
    }, 'btn btn-danger'));
    put(box, card('Question', f), del ? card('Delete', del) : null);
  }

  // ---------- stores ----------
  async function websitesView(sec, args, query) {
    const box = start(sec, 'Stores', el('p', { class: 'toolbar' }, link('#/website/new', 'New store', 'btn')));
    try {
      const data = await api('/websites?' + new URLSearchParams({ page: String(pageOf(query)), per_page: '20' }));
      const items = listOf(data);
      put(box, items.length ? table('Stores', [['Name', (w) => link('#/website/' + enc(w.id), w.name)], ['Code', (w) => w.code],
        ['Domain', (w) => w.domain || '—'], ['Currency', (w) => w.currency], ['Locale', (w) => w.locale]], items) : notice('There are no stores.'),
      pager(data, (page) => hashWith('#/websites', { page })));
    } catch (err) { showLoadError(box, err); }
  }
  async function websiteView(sec, args) {
    const id = args[0] && args[0] !== 'new' ? args[0] : null;
    const box = start(sec, id ? 'Edit store' : 'New store', el('p', { class: 'crumbs' }, link('#/websites', '← All stores')));
    let w = null;
    if (id) { try { w = await api('/websites/' + enc(id)); } catch (err) { return showLoadError(box, err); } }
    const f = form('Store', [el('div', { class: 'columns' },
      field('code', 'Code', { required: true, value: w && w.code, hint: 'Sent as X-Website.' }),
      field('name', 'Name', { required: true, value: w && w.name }),
      field('domain', 'Domain', { value: w && w.domain, optional: true, placeholder: 'shop.example.com' }),
      field('currency', 'Currency', { required: true, value: (w && w.currency) || 'EUR', maxlength: 3 }),
      field('locale', 'Locale', { required: true, value: (w && w.locale) || 'fr-FR', placeholder: 'fr-FR' }))],
    w ? 'Save store' : 'Create store', async (v) => {
      const body = { code: v.code, name: v.name, currency: (v.currency || '').toUpperCase(), locale: v.locale };
      if (v.domain) body.domain = v.domain;
      if (w) await api('/websites/' + enc(w.id), { method: 'PUT', body }); else await api('/websites', { method: 'POST', body });
      go('#/websites', w ? 'Store saved.' : 'Store created.');
    });
    put(box, card('Store', f));
  }

  // ---------- users ----------
  const ROLES = ['customer', 'admin', 'support', 'marketing', 'catalog'];
  async function usersView(sec, args, query) {
    const q = query.get('q') || '';
    const box = start(sec, 'Users', filterForm('Search users', [field('q', 'E-mail or name', { type: 'search', value: q })], '#/users'));
    const p = new URLSearchParams({ page: String(pageOf(query)), per_page: '20' });
    if (q) p.set('q', q);
    try {
      const data = await api('/auth/users?' + p);
      const items = listOf(data);
      put(box, items.length ? table('Users', [['E-mail', (u) => u.email], ['Name', (u) => u.name], ['Since', (u) => fmtDate(u.created_at)],
        ['Roles', (u) => rolesForm(u)]], items) : notice(q ? `No user matches “${q}”.` : 'There are no users.'),
      pager(data, (page) => hashWith('#/users', { q, page })));
    } catch (err) { showLoadError(box, err); }
  }
  function rolesForm(u) {
    const checks = el('fieldset', null, el('legend', { class: 'visually-hidden' }, `Roles of ${u.email}`), el('div', { class: 'roles' },
      ROLES.map((r) => { const id = `role-${nextId()}`; return el('span', { class: 'check' },
        el('input', { type: 'checkbox', id, name: 'roles', value: r, checked: (u.roles || []).includes(r) }), el('label', { for: id }, r)); })));
    return form(`Roles of ${u.email}`, [checks], 'Save roles', async (v) => {
      if (!(v.roles || []).length) throw fail(['roles', 'Keep at least one role.']);
      const nu = await api(`/auth/users/${enc(u.id)}/roles`, { method: 'PUT', body: { roles: v.roles } });
      setFlash(`Roles of ${u.email}: ${((nu && nu.roles) || v.roles).join(', ')}.`);
    }, { cls: 'form roles-form', small: true });
  }

  // ---------- mail log, audit ----------
  async function mailsView(sec, args, query) {
    const to = query.get('to') || '';
    const box = start(sec, 'Mail log', filterForm('Search mails', [field('to', 'Recipient', { type: 'search', value: to })], '#/mails'));
    const p = new URLSearchParams({ page: String(pageOf(query)), per_page: '20' });
    if (to) p.set('to', to);
    try {
      const data = await api('/newsletters/mails?' + p);
      const items = listOf(data);
      put(box, items.length ? table('Mails', [['To', (m) => m.to],
        ['Subject', (m) => el('details', null, el('summary', null, m.subject || '(no subject)'), el('p', { class: 'pre' }, m.body_text || ''))],
        ['Reason', (m) => m.reason], ['Status', (m) => badge(m.status)], ['Created', (m) => fmtDate(m.created_at)]], items)
        : notice('No mail matches.'), pager(data, (page) => hashWith('#/mails', { to, page })));
    } catch (err) { showLoadError(box, err); }
  }
  const SERVICES = ['auth', 'products', 'baskets', 'addresses', 'orders', 'deliveries', 'websites', 'sav', 'contacts', 'newsletters', 'questions'];
  const dayStart = (v, end) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T${end ? '23:59:59' : '00:00:00'}Z` : v);
  async function auditView(sec, args, query) {
    const st = {}; for (const k of ['service', 'actor_id', 'action', 'from', 'to']) st[k] = query.get(k) || '';
    const box = start(sec, 'Audit trail', filterForm('Filter the audit trail', [
      field('service', 'Service', { options: opts(SERVICES, 'Every service'), value: st.service }),
      field('actor_id', 'Actor id', { value: st.actor_id }), field('action', 'Action', { value: st.action, placeholder: 'login.succeeded' }),
      field('from', 'From', { type: 'date', value: st.from }), field('to', 'To', { type: 'date', value: st.to }),
    ], '#/audit'));
    const p = new URLSearchParams({ page: String(pageOf(query)), per_page: '50' });
    for (const [k, v] of Object.entries(st)) if (v) p.set(k, k === 'from' || k === 'to' ? dayStart(v, k === 'to') : v);
    try {
      const data = await api('/audit?' + p);
      const items = listOf(data);
      put(box, items.length ? table('Audit events', [['When', (a) => fmtDate(a.at)], ['Service', (a) => a.service], ['Action', (a) => a.action],
        ['Actor', (a) => a.actor_id || '—'], ['Target', (a) => a.target || '—'], ['Status', (a) => String(a.status ?? ''), 'num']], items)
        : notice('No event matches.'), pager(data, (page) => hashWith('#/audit', { ...st, page })));
    } catch (err) { showLoadError(box, err); }
  }

  const routes = {
    home: homeView, products: productsView, product: productView, categories: categoriesView,
    orders: ordersView, order: orderView, tickets: ticketsView, ticket: ticketView, contacts: contactsView,
    templates: templatesView, template: templateView, campaigns: campaignsView, campaign: campaignView, subscribers: subscribersView,
    faq: faqView, question: questionView, websites: websitesView, website: websiteView, users: usersView, mails: mailsView, audit: auditView,
  };

  // ---------- start ----------
  window.addEventListener('storage', (ev) => { if (ev.key && ev.key.startsWith(KEY)) { buildNav(); route(); } });
  buildNav(); route();
})();
