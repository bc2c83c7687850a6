"""Shared helpers of the browser tests (test_storefront.py, test_backoffice.py): Chromium through
Playwright, pages that record console errors, page errors and failed requests, axe-core checks,
optional screenshots (COMPTOIR_SCREENSHOTS=1 writes docs/screens/<name>-<size>.png), and small
API helpers (urllib) for arranging data.

Use in a test module:
    from browser import page_for, assert_clean, axe_check, api, admin_token, make_user
`browser` is a session-scoped pytest fixture (one Chromium per session), registered once by
conftest.py: a module that imported it too would start a second Playwright, which its sync API
refuses inside the first one's loop.
"""

import base64
import contextlib
import email
import email.policy
import glob
import json
import os
import re
import time
import urllib.error
import urllib.request
import uuid

import pytest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, REPO_ROOT

CHROMIUM = os.environ.get("COMPTOIR_CHROMIUM", "/usr/bin/chromium")
SIZES = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2},
}
SCREENS_DIR = os.path.join(REPO_ROOT, "docs", "screens")
SCREENSHOT_MAX_BYTES = 400 * 1024
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PASSWORD = "correct-horse-battery"
RATE_LIMIT_ENV = {"COMPTOIR_RATE_LIMIT_IP": "100000/1m", "COMPTOIR_RATE_LIMIT_USER": "100000/1m"}
_AXE_SOURCE = None


# ---------------------------------------------------------------------------
# Chromium
# ---------------------------------------------------------------------------

@contextlib.contextmanager
def chromium():
    """A headless Chromium (Playwright), closed at the end."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else None, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def browser():
    with chromium() as b:
        yield b


# ---------------------------------------------------------------------------
# Pages that record problems
# ---------------------------------------------------------------------------

def page_for(browser, base_url, size, locale="en-US", extra_headers=None, **context_options):
    """A new context of `size` ("desktop" 1366x900 or "phone" 390x844) and a page in it that
    records console errors, page errors, failed requests and responses >= 400. A response a
    test expects is declared first: `page.expect_status(409, "/baskets/mine/items")` (any
    number of times; a substring or a compiled regex of the URL). `assert_clean(page)` checks.
    `page.size`, `page.base_url` and `page.problems` are set; `page.goto_hash("#/login")` opens
    a view of the storefront."""
    options = {**SIZES[size], "locale": locale, "base_url": base_url, **context_options}
    context = browser.new_context(**options)
    if extra_headers:
        context.set_extra_http_headers(extra_headers)
    page = context.new_page()
    page.size = size
    page.base_url = base_url
    page.problems = []
    page.expected = []   # [status, url pattern, times seen]

    def expect_status(status, url_part):
        page.expected.append([status, url_part, 0])

    def is_expected(status, url):
        for e in page.expected:
            part = e[1]
            matches = part.search(url) if hasattr(part, "search") else part in url
            if e[0] == status and matches:
                e[2] += 1
                return True
        return False

    def on_console(msg):
        if msg.type == "error":
            text = msg.text
            # Chromium logs every response >= 400 as a console error; those are judged as responses.
            if text.startswith("Failed to load resource: the server responded with a status of"):
                return
            page.problems.append(f"console error: {text} ({msg.location.get('url', '')}:{msg.location.get('lineNumber', '')})")

    def on_response(resp):
        if resp.status >= 400 and not is_expected(resp.status, resp.url):
            page.problems.append(f"response {resp.status}: {resp.request.method} {resp.url}")

    def on_failed(req):
        failure = req.failure or ""
        # A blob: download or an aborted navigation of the page itself is not a failed request.
        if req.url.startswith(("blob:", "data:")) or "ERR_ABORTED" in failure and req.resource_type == "document":
            return
        page.problems.append(f"request failed: {req.method} {req.url} ({failure})")

    page.on("console", on_console)
    page.on("pageerror", lambda err: page.problems.append(f"page error: {err}"))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    page.expect_status = expect_status

    def goto_hash(hash_, wait_for=None):
        """Opens a storefront view (a hash such as "#/login"); waits for its <h1> (or `wait_for`)."""
        if page.url.startswith(base_url) and "#" in page.url or page.url.rstrip("/") == base_url:
            page.evaluate("h => { location.hash = h; }", hash_)
        else:
            page.goto(base_url + "/" + hash_)
        page.wait_for_selector(wait_for or "main h1")
        return page

    page.goto_hash = goto_hash
    return page


@contextlib.contextmanager
def opened(browser, base_url, size, **kw):
    """page_for as a context manager: the context is closed at the end, after assert_clean."""
    page = page_for(browser, base_url, size, **kw)
    try:
        yield page
        assert_clean(page)
    finally:
        page.context.close()


def assert_clean(page):
    """Fails listing the console errors, page errors, failed requests and unexpected >= 400 responses."""
    problems = list(page.problems)
    page.problems.clear()
    assert not problems, "the page had problems:\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------
# axe-core and screenshots
# ---------------------------------------------------------------------------

def _axe_source():
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        import axe_playwright_python
        with open(os.path.join(os.path.dirname(axe_playwright_python.__file__), "axe.min.js"), encoding="utf-8") as f:
            _AXE_SOURCE = f.read()
    return _AXE_SOURCE


def axe_check(page, name):
    """axe-core on the whole document (wcag2a/aa, wcag21a/aa, best-practice): 0 violations. With
    COMPTOIR_SCREENSHOTS=1 also saves docs/screens/<name>-<size>.png."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Through the DevTools protocol: the storefront's CSP (script-src 'self') forbids an inline <script>.
        page.evaluate(_axe_source() + "\n;undefined")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                           AXE_TAGS)
    violations = result.get("violations", [])
    screenshot(page, name)
    lines = []
    for v in violations:
        targets = [", ".join(" ".join(t) if isinstance(t, list) else t for t in n.get("target", [])) for n in v.get("nodes", [])]
        summary = (v.get("nodes") or [{}])[0].get("failureSummary", "").replace("\n", " ")
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')} — {'; '.join(targets[:6])} — {summary[:300]}")
    assert not violations, f"axe violations on {name} ({getattr(page, 'size', '?')}):\n  " + "\n  ".join(lines)


def screenshot(page, name):
    """docs/screens/<name>-<size>.png when COMPTOIR_SCREENSHOTS=1: the full page, or the viewport
    when the full page is over SCREENSHOT_MAX_BYTES."""
    if os.environ.get("COMPTOIR_SCREENSHOTS") != "1":
        return None
    os.makedirs(SCREENS_DIR, exist_ok=True)
    path = os.path.join(SCREENS_DIR, f"{name}-{getattr(page, 'size', 'page')}.png")
    page.evaluate("() => window.scrollTo(0, 0)")  # a sticky header would otherwise be drawn where the page was scrolled to
    data = page.screenshot(full_page=True, animations="disabled")
    if len(data) > SCREENSHOT_MAX_BYTES:
        data = page.screenshot(full_page=False, animations="disabled")
    with open(path, "wb") as f:
        f.write(data)
    return path


# ---------------------------------------------------------------------------
# API helpers
# ---------------------------------------------------------------------------

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def api(base_url, method, path, body=None, token=None, headers=None, raw=None):
    """One request to the gateway (path with or without the /api/v1 prefix); returns (status,
    parsed JSON or None). `raw` sends bytes as they are (set Content-Type in headers)."""
    if not path.startswith("/api/") and not path.startswith("/health"):
        path = "/api/v1" + path
    h = {"Accept": "application/json, application/problem+json", "User-Agent": "comptoir-browser-test"}
    data = None
    if raw is not None:
        data = raw
    elif body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    req = urllib.request.Request(base_url + path, data=data, method=method, headers=h)
    try:
        with _OPENER.open(req, timeout=30) as r:
            status, payload = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, payload = e.code, e.read()
    try:
        return status, json.loads(payload.decode()) if payload else None
    except ValueError:
        return status, None


def ok(result, *statuses):
    """The JSON of an api() result whose status is one of `statuses` (default 200, 201, 202, 204)."""
    status, data = result
    assert status in (statuses or (200, 201, 202, 204)), f"unexpected status {status}: {data}"
    return data


def login_tokens(base_url, email_, password):
    status, data = api(base_url, "POST", "/auth/login", {"email": email_, "password": password})
    assert status == 200, f"login {email_}: {status} {data}"
    return data


_ADMIN_TOKENS = {}


def admin_token(base_url):
    """An access token of the platform's admin (harness.ADMIN_EMAIL/ADMIN_PASSWORD), cached
    for a few minutes per base URL."""
    cached = _ADMIN_TOKENS.get(base_url)
    if cached and cached[1] > time.monotonic():
        return cached[0]
    token = login_tokens(base_url, ADMIN_EMAIL, ADMIN_PASSWORD)["access_token"]
    _ADMIN_TOKENS[base_url] = (token, time.monotonic() + 240)
    return token


def jwt_claims(token):
    """The payload of a JWT (sub, roles, ...)."""
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def make_user(base_url, roles=("customer",), name=None, password=PASSWORD):
    """A new account (register, then PUT its roles as admin when they are not just customer);
    returns {email, password, name, id, token} (token: an access token after the roles are set)."""
    mail = f"user-{uuid.uuid4().hex[:10]}@example.com"
    name = name or "Test " + "-".join(roles).title()
    status, user = api(base_url, "POST", "/auth/register", {"email": mail, "password": password, "name": name})
    assert status == 201, f"register {mail}: {status} {user}"
    roles = list(roles)
    if roles != ["customer"]:
        status, data = api(base_url, "PUT", f"/auth/users/{user['id']}/roles", {"roles": roles}, token=admin_token(base_url))
        assert status in (200, 204), f"PUT roles {roles} of {mail}: {status} {data}"
    token = login_tokens(base_url, mail, password)["access_token"]
    return {"email": mail, "password": password, "name": name, "id": user["id"], "token": token, "roles": roles}


def login(page, base_url, email_, password, next_hash=None):
    """Logs in through the storefront's login form (#/login[?next=…]) and waits until the page
    has left the login view; the tokens land in localStorage (comptoir.* keys), shared with /admin/."""
    target = "#/login" + (f"?next={urllib.request.quote(next_hash, safe='')}" if next_hash else "")
    page.goto(base_url + "/" + target)
    form = page.locator("form[aria-label='Log in']")
    form.get_by_label("E-mail").fill(email_)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Log in").click()
    page.wait_for_function("() => !location.hash.startsWith('#/login') && localStorage.getItem('comptoir.access')")
    page.wait_for_selector("main h1")
    return page


def login_storage(page, base_url, email_, password):
    """Logs in without the form: the tokens from the API go into localStorage (for tests
    whose subject is not the login). The page is left on the storefront's home."""
    tokens = login_tokens(base_url, email_, password)
    if not page.url.startswith(base_url):
        page.goto(base_url + "/#/faq")
    page.evaluate("""t => {
        localStorage.setItem('comptoir.access', t.access_token);
        localStorage.setItem('comptoir.refresh', t.refresh_token);
        localStorage.setItem('comptoir.expires_at', String(Date.now() + (t.expires_in || 900) * 1000));
    }""", tokens)
    return tokens


# ---------------------------------------------------------------------------
# Mail
# ---------------------------------------------------------------------------

def _mail_text(msg):
    parts = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            try:
                parts.append(part.get_content())
            except (LookupError, KeyError):
                parts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
    return "\n".join(parts)


def read_mail(data_dir, to, subject_contains="", timeout=10.0, after=0.0):
    """The newest .eml under <data_dir>/mail/ sent to `to` whose subject contains
    `subject_contains` (and written after the time.time() `after`), waiting up to `timeout`
    seconds: {subject, to, text, path}. Fails when there is none."""
    deadline = time.monotonic() + timeout
    while True:
        files = sorted(glob.glob(os.path.join(data_dir, "mail", "**", "*.eml"), recursive=True),
                       key=os.path.getmtime, reverse=True)
        for path in files:
            if os.path.getmtime(path) < after:
                break
            with open(path, "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            if to.lower() in str(msg.get("To", "")).lower() and subject_contains.lower() in str(msg.get("Subject", "")).lower():
                return {"subject": str(msg.get("Subject", "")), "to": str(msg.get("To", "")), "text": _mail_text(msg), "path": path}
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {to} with a subject containing {subject_contains!r} in {data_dir}/mail "
                                 f"after {timeout:.0f} s ({len(files)} files)")
        time.sleep(0.2)


def mail_token(mail_):
    """The token=… of a mail's link."""
    m = re.search(r"token=([A-Za-z0-9_.-]+)", mail_["text"])
    assert m, f"no token= in the mail {mail_['subject']!r}: {mail_['text'][:500]}"
    return m.group(1)


# ---------------------------------------------------------------------------
# A platform for a module
# ---------------------------------------------------------------------------

def start_platform(module_platforms, name, demo=False, env=None):
    """A platform of the module with raised rate limits (RATE_LIMIT_ENV); `demo` loads the demo
    catalog, FAQ and website (harness starts with --no-demo otherwise)."""
    return module_platforms.start(name, env={**RATE_LIMIT_ENV, **(env or {})}, command=[] if demo else None)
