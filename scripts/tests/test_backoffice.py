"""Browser journeys of the back-office (/admin/, Sources/Gateway/Admin): Playwright Chromium through
browser.py, desktop 1366x900 and phone 390x844, each ending with an assertion on the server's state
through the API. One platform for the module; its users are made once.

    cd scripts/tests && python3 -m pytest test_backoffice.py --binary /tmp/sf/bin/comptoir -q

COMPTOIR_SCREENSHOTS=1 also writes docs/screens/admin-<view>-<size>.png (test_views_accessible).
"""

import datetime
import glob
import os
import re
import struct
import time
import urllib.parse
import urllib.request
import uuid
import zlib

import pytest

from browser import (page_for, assert_clean, axe_check, api, ok, admin_token, make_user,  # noqa: F401
                     login_storage, login_tokens, read_mail, mail_token, start_platform, jwt_claims)
from harness import ADMIN_EMAIL, ADMIN_PASSWORD

SIZES = ["desktop", "phone"]
TIMEOUT = 15_000  # ms, for what the UI waits on the server


# ---------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plat(module_platforms):
    return start_platform(module_platforms, "backoffice")


@pytest.fixture(scope="module")
def staff(plat):
    """One user per role, made once for the module."""
    base = plat.base_url
    return {
        "admin": {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "name": "Administrator"},
        "catalog": make_user(base, ["customer", "catalog"], name="Cato Log"),
        "support": make_user(base, ["customer", "support"], name="Sue Port"),
        "marketing": make_user(base, ["customer", "marketing"], name="Mark Eting"),
        "customer": make_user(base, ["customer"], name="Carla Customer"),
    }


def png(width, height, rgb):
    """A small valid PNG of one colour."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


_AXE = []


def new_page(browser, base, size):
    """page_for with the gateway's real Content-Security-Policy in force (no bypass_csp): axe-core
    comes in as an init script, which the policy does not block, so axe_check finds it there."""
    page = page_for(browser, base, size, timezone_id="UTC")
    if not _AXE:
        import axe_playwright_python
        with open(os.path.join(os.path.dirname(axe_playwright_python.__file__), "axe.min.js"), encoding="utf-8") as f:
            _AXE.append(f.read())
    page.context.add_init_script(script=_AXE[0])
    page.set_default_timeout(TIMEOUT)
    return page


def staff_page(browser, plat, size, user):
    """A page on /admin/ with `user`'s session in localStorage (the storefront's keys)."""
    page = new_page(browser, plat.base_url, size)
    page.goto(plat.base_url + "/admin/#/login")
    page.wait_for_selector("main h1")
    login_storage(page, plat.base_url, user["email"], user["password"])
    return page


def open_view(page, hash_, heading=None):
    """Opens a back-office view by its hash and waits until it has loaded (its <h1>, no "Loading…")."""
    if "/admin/" in page.url:
        page.evaluate("h => { if (location.hash === h) dispatchEvent(new HashChangeEvent('hashchange')); else location.hash = h; }", hash_)
    else:
        page.goto(page.base_url + "/admin/" + hash_)
    if heading:
        page.get_by_role("heading", level=1, name=heading).wait_for()
    else:
        page.wait_for_selector("main h1")
    settle(page)
    return page


def settle(page):
    page.wait_for_function("() => !document.querySelector('#view .loading') && !document.querySelector('[aria-busy=true]')")


def flash(page, text):
    page.locator("#flash").get_by_text(text).wait_for()


def closed(page):
    try:
        assert_clean(page)
    finally:
        page.context.close()


def eventually(fn, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def make_product(base, stock=10, price=1250, **extra):
    body = {"sku": "T-" + uuid.uuid4().hex[:8].upper(), "name": extra.pop("name", "Test lamp " + uuid.uuid4().hex[:4]),
            "description": "A lamp for tests.", "price": price, "currency": "EUR", "stock": stock,
            "category": "lamps", "category_name": "Lamps", **extra}
    return ok(api(base, "POST", "/products", body, token=admin_token(base)), 201)


def place_order(base, customer):
    """The customer orders one product (address, basket, POST /orders); waits until it is confirmed."""
    token = customer["token"]
    product = make_product(base)
    address = ok(api(base, "POST", "/addresses", {"kind": "shipping", "name": customer["name"], "line1": "1 rue de Rivoli",
                                                    "city": "Paris", "postal_code": "75001", "country": "FR"}, token=token), 201)
    ok(api(base, "DELETE", "/baskets/mine", token=token))
    ok(api(base, "POST", "/baskets/mine/items", {"product_id": product["id"], "quantity": 1}, token=token))
    order = ok(api(base, "POST", "/orders", {"shipping_address_id": address["id"]}, token=token,
                   headers={"Idempotency-Key": uuid.uuid4().hex}), 201)
    return eventually(lambda: (lambda o: o if o["status"] != "pending" else None)(
        ok(api(base, "GET", f"/orders/{order['id']}", token=token))), what="the order to leave pending")


def fresh_token(base, user):
    return login_tokens(base, user["email"], user["password"])["access_token"]


# ---------------------------------------------------------------------------
# 1. Catalog: a product with two images, reordered, and its stock
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_catalog_product_with_images(browser, plat, staff, size):
    base = plat.base_url
    page = staff_page(browser, plat, size, staff["catalog"])
    try:
        open_view(page, "#/product/new", "New product")
        form = page.locator("form[aria-label='New product']")
        sku = "BO-" + uuid.uuid4().hex[:8].upper()
        # Validation first: a price that is not one is refused per field, before any request.
        form.get_by_label("SKU").fill(sku)
        form.get_by_label("Name", exact=True).fill(f"Desk lamp {size}")
        form.get_by_label("Description").fill("Brass, with a linen shade.")
        form.get_by_label("Price").fill("twelve")
        form.get_by_role("button", name="Create product").click()
        err = form.locator("[name=price] ~ .field-error")
        err.wait_for()
        assert "price" in err.inner_text().lower()
        assert form.locator("[name=price]").get_attribute("aria-invalid") == "true"
        form.get_by_label("Price").fill("49.90")
        form.get_by_label("Stock").fill("3")
        form.get_by_label("Category slug").fill("lighting")
        form.get_by_label("Category name").fill("Lighting")
        form.get_by_role("button", name="Create product").click()
        page.wait_for_function("() => /^#\\/product\\/[0-9A-Fa-f-]{36}$/.test(location.hash)")
        product_id = page.evaluate("() => location.hash.split('/').pop()")
        page.get_by_role("heading", level=1, name=f"Desk lamp {size}").wait_for()
        settle(page)

        page.get_by_label("Add images").set_input_files([
            {"name": "red.png", "mimeType": "image/png", "buffer": png(8, 6, (200, 30, 30))},
            {"name": "blue.png", "mimeType": "image/png", "buffer": png(6, 8, (30, 30, 200))},
        ])
        page.get_by_role("button", name="Upload").click()
        page.get_by_text("2 images uploaded.").wait_for()
        items = page.locator("ol.images > li")
        assert items.count() == 2
        first, second = items.nth(0).get_attribute("data-image-id"), items.nth(1).get_attribute("data-image-id")
        page.get_by_role("button", name="Move image 2 up").click()
        page.get_by_text("Image moved to position 1.").wait_for()
        assert [items.nth(i).get_attribute("data-image-id") for i in range(2)] == [second, first]

        stock = page.locator("form[aria-label='Stock']")
        stock.get_by_label("Units in stock").fill("17")
        stock.get_by_role("button", name="Update stock").click()
        flash(page, "Stock set to 17.")

        public = ok(api(base, "GET", f"/products/{product_id}"))
        assert public["sku"] == sku and public["price"] == 4990 and public["currency"] == "EUR"
        assert public["category"] == "lighting"
        assert [u.rsplit("/", 1)[-1].lower() for u in public["images"]] == [second.lower(), first.lower()]
        assert public["stock"] == 17
        cats = {c["slug"]: c for c in ok(api(base, "GET", "/categories"))}
        assert cats["lighting"]["name"] == "Lighting"
    finally:
        closed(page)


# ---------------------------------------------------------------------------
# 2. Support desk: take a ticket, answer with an attachment, resolve it
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_support_ticket_answered(browser, plat, staff, size):
    base = plat.base_url
    customer, agent = staff["customer"], staff["support"]
    subject = f"Broken handle {uuid.uuid4().hex[:6]}"
    ticket = ok(api(base, "POST", "/sav/tickets", {"subject": subject, "message": "The handle of my mug came off."},
                    token=fresh_token(base, customer)), 201)
    attachment = b"%PDF-1.4\n% a small test file\n" + os.urandom(64)
    page = staff_page(browser, plat, size, agent)
    try:
        open_view(page, "#/tickets?assignee=none", "Support desk")
        page.get_by_role("link", name=re.compile(re.escape(subject))).click()
        page.get_by_role("heading", level=1, name=re.compile(re.escape(subject))).wait_for()
        settle(page)
        page.get_by_role("button", name="Take it").click()
        flash(page, "The ticket is yours.")
        settle(page)
        assert page.locator("dl.props").first.get_by_text("Me", exact=True).count() == 1

        reply = page.locator("form[aria-label='Reply']")
        reply.get_by_label("Reply to the customer").fill("Sorry about that — the return label is attached.")
        reply.get_by_label("Attachments").set_input_files([{"name": "label.pdf", "mimeType": "application/pdf", "buffer": attachment}])
        reply.get_by_role("button", name="Send reply").click()
        flash(page, "Your reply has been sent.")
        settle(page)
        with page.expect_download() as dl:
            page.get_by_role("button", name=re.compile(r"Download label\.pdf")).click()
        with open(dl.value.path(), "rb") as f:
            assert f.read() == attachment

        status = page.locator("form[aria-label='Change the status']")
        status.get_by_label("Status").select_option("resolved")
        status.get_by_role("button", name="Set status").click()
        flash(page, "Status set to resolved.")

        seen = ok(api(base, "GET", f"/sav/tickets/{ticket['id']}", token=fresh_token(base, customer)))
        assert seen["status"] == "resolved"
        assert (seen["assignee_id"] or "").lower() == agent["id"].lower()
        answer = [m for m in seen["messages"] if (m["author_id"] or "").lower() == agent["id"].lower()]
        assert len(answer) == 1 and "return label" in answer[0]["body"]
        # The customer sees who answered: the agent's role and a name (the server shows agents as "Customer support").
        assert answer[0]["author_role"] == "support" and answer[0].get("author_name"), answer[0]
        files = seen["attachments"]
        assert [a["filename"] for a in files] == ["label.pdf"]
        req_token = fresh_token(base, customer)
        req = urllib.request.Request(f"{base}/api/v1/sav/tickets/{ticket['id']}/attachments/{files[0]['id']}",
                                     headers={"Authorization": "Bearer " + req_token})
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=30) as r:
            assert r.read() == attachment
    finally:
        closed(page)


# ---------------------------------------------------------------------------
# 3. Newsletters: template with a live preview, a scheduled campaign to every confirmed subscriber
# ---------------------------------------------------------------------------

_CONFIRMED = []      # every address confirmed in this module (a campaign reaches all of them)
_UNCONFIRMED = []


def campaign_mails(data_dir, subject):
    """{recipient: number of .eml files whose subject is `subject`}."""
    counts = {}
    for path in glob.glob(os.path.join(data_dir, "mail", "**", "*.eml"), recursive=True):
        with open(path, "rb") as f:
            head = f.read(8192).decode("utf-8", "replace")
        subj = re.search(r"^Subject: (.*)$", head, re.M)
        to = re.search(r"^To: (.*)$", head, re.M)
        if subj and to and subj.group(1).strip() == subject:
            addr = re.search(r"[\w.+-]+@[\w.-]+", to.group(1)).group(0).lower()
            counts[addr] = counts.get(addr, 0) + 1
    return counts


@pytest.mark.parametrize("size", SIZES)
def test_newsletter_campaign(browser, plat, staff, size):
    base = plat.base_url
    tag = uuid.uuid4().hex[:6]
    people = [f"reader-{tag}-{i}@example.com" for i in range(3)]
    for mail in people:
        ok(api(base, "POST", "/newsletters/subscriptions", {"email": mail}), 202)
    for mail in people[:2]:
        token = mail_token(read_mail(plat.data_dir, mail))
        assert ok(api(base, "GET", f"/newsletters/subscriptions/confirm?token={token}"))["status"] == "confirmed"
    _CONFIRMED.extend(people[:2])
    _UNCONFIRMED.append(people[2])

    page = staff_page(browser, plat, size, staff["marketing"])
    try:
        open_view(page, "#/template/new", "New template")
        form = page.locator("form[aria-label='Template']")
        form.get_by_label("Name", exact=True).fill(f"Spring {tag}")
        form.get_by_label("Subject").fill("Spring{{! a note for editors }} news")
        form.get_by_label("Text version").fill("Hello,{{! not sent }} the spring sale starts on Monday.")
        form.get_by_label("HTML version").fill('<h1 style="color:#8a3b12">Spring sale</h1><p>Starts on Monday.</p>')
        preview = page.locator("section.card", has=page.get_by_role("heading", name="Preview"))
        preview.get_by_text("Preview up to date.").wait_for()
        assert "Hello, the spring sale starts on Monday." in preview.locator("p.pre").nth(1).inner_text()
        assert preview.locator("p.pre").nth(0).inner_text() == "Spring news"
        frame = page.frame_locator("iframe[title='HTML preview']")
        assert frame.get_by_role("heading", name="Spring sale").inner_text() == "Spring sale"
        assert page.locator("iframe[title='HTML preview']").get_attribute("sandbox") == ""
        # The page's policy would block the inline style in the frame: the preview leaves it out and says so.
        assert "inline styles" in preview.locator(".hint").inner_text()
        form.get_by_role("button", name="Create template").click()
        flash(page, "Template created.")
        template_id = page.evaluate("() => location.hash.split('/').pop()")

        subject = f"Spring news {tag}"
        open_view(page, "#/campaigns", "Campaigns")
        new = page.locator("form[aria-label='New campaign']")
        new.get_by_label("Subject").fill(subject)
        new.get_by_label("Template").select_option(template_id)
        at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=6)
        new.get_by_label("Send at").fill(at.strftime("%Y-%m-%dT%H:%M:%S"))  # the page runs in UTC
        new.get_by_role("button", name="Create campaign").click()
        flash(page, "Campaign scheduled.")
        campaign_id = page.evaluate("() => location.hash.split('/').pop()")
        page.get_by_text(re.compile(r"Sent to \d+ subscribers?\.")).wait_for(timeout=40_000)

        token = fresh_token(base, staff["marketing"])
        campaign = ok(api(base, "GET", f"/newsletters/campaigns/{campaign_id}", token=token))
        assert campaign["status"] == "sent" and campaign["subject"] == subject
        assert campaign["scheduled_at"] and abs(datetime.datetime.fromisoformat(campaign["scheduled_at"].replace("Z", "+00:00"))
                                                 - at) < datetime.timedelta(seconds=2)
        assert campaign["sent_count"] == len(_CONFIRMED)
        want = {m.lower(): 1 for m in _CONFIRMED}
        counts = eventually(lambda: (lambda c: c if sum(c.values()) >= len(want) else None)(campaign_mails(plat.data_dir, subject)),
                            what="the campaign's mails")
        time.sleep(0.5)
        assert campaign_mails(plat.data_dir, subject) == want, counts
        for mail in _UNCONFIRMED:
            assert counts.get(mail.lower(), 0) == 0
        log = ok(api(base, "GET", f"/newsletters/mails?to={people[0]}&per_page=100", token=admin_token(base)))["items"]
        assert len([m for m in log if m["subject"] == subject]) == 1
        log = ok(api(base, "GET", f"/newsletters/mails?to={people[2]}&per_page=100", token=admin_token(base)))["items"]
        assert not [m for m in log if m["subject"] == subject]
    finally:
        closed(page)


# ---------------------------------------------------------------------------
# 4. Orders: the admin ships an order; the customer sees it shipped
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_admin_ships_order(browser, plat, staff, size):
    base = plat.base_url
    customer = staff["customer"]
    customer["token"] = fresh_token(base, customer)
    order = place_order(base, customer)
    assert order["status"] == "confirmed", order
    estimate = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    page = staff_page(browser, plat, size, staff["admin"])
    try:
        open_view(page, f"#/orders?number={order['number']}", "Orders")
        page.get_by_role("link", name=order["number"]).click()
        page.get_by_role("heading", level=1, name=f"Order {order['number']}").wait_for()
        settle(page)
        assert page.get_by_text(customer["email"]).count() >= 1
        upd = page.locator("form[aria-label='Update the delivery']")
        upd.get_by_label("Status").select_option("shipped")
        upd.get_by_label("Carrier").fill("La Poste")
        upd.get_by_label("Estimated delivery").fill(estimate)
        upd.get_by_role("button", name="Update delivery").click()
        flash(page, "Delivery updated: shipped.")
        settle(page)

        seen = ok(api(base, "GET", f"/orders/{order['id']}", token=customer["token"]))
        assert seen["status"] == "shipped", seen["status_history"]
        delivery = ok(api(base, "GET", f"/deliveries?order_id={order['id']}", token=customer["token"]))[0]
        assert delivery["status"] == "shipped" and delivery["carrier"] == "La Poste"
        assert delivery["estimated_delivery"].startswith(estimate)
    finally:
        closed(page)

    shop = new_page(browser, base, size)
    try:
        shop.goto(base + "/#/faq")
        login_storage(shop, base, customer["email"], customer["password"])
        shop.goto(base + f"/#/order/{order['id']}")
        shop.wait_for_selector("main h1")
        shop.locator("main").get_by_text(re.compile(r"\bshipped\b", re.I)).first.wait_for()
        shop.locator("main").get_by_text("La Poste").first.wait_for()
    finally:
        closed(shop)


# ---------------------------------------------------------------------------
# 5. Access: customers see no staff data; a support agent no Catalog or Users
# ---------------------------------------------------------------------------

STAFF_CALLS = [
    ("GET", "/auth/users"), ("GET", "/audit"), ("GET", "/newsletters/mails"), ("GET", "/newsletters/templates"),
    ("GET", "/newsletters/campaigns"), ("GET", "/newsletters/subscribers"), ("GET", "/contacts"), ("GET", "/websites"),
    ("POST", "/products"), ("POST", "/questions"), ("POST", "/websites"), ("GET", "/auth/audit"),
    ("PUT", f"/auth/users/{uuid.uuid4()}/roles"), ("PUT", f"/products/{uuid.uuid4()}/stock"), ("PATCH", f"/products/{uuid.uuid4()}"),
    ("PUT", f"/products/{uuid.uuid4()}/images"), ("DELETE", f"/products/{uuid.uuid4()}/images/{uuid.uuid4()}"),
    ("PATCH", f"/deliveries/{uuid.uuid4()}"), ("PATCH", f"/sav/tickets/{uuid.uuid4()}"), ("PUT", f"/questions/{uuid.uuid4()}"),
    ("POST", "/newsletters/templates/preview"), ("GET", "/products/audit-trail"),
]


@pytest.mark.parametrize("size", SIZES)
def test_access_by_role(browser, plat, staff, sample, size):
    base = plat.base_url
    page = staff_page(browser, plat, size, staff["customer"])
    calls = []
    page.on("request", lambda r: calls.append(r.url) if "/api/v1/" in r.url else None)
    try:
        open_view(page, "#/", "Back-office")
        page.get_by_text("This area is for staff.").wait_for()
        assert page.locator("#nav-list a[data-section]").count() == 0
        for hash_ in ("#/users", "#/orders", "#/products", "#/tickets"):
            open_view(page, hash_, "Back-office")
            assert page.get_by_text("This area is for staff.").count() == 1
            assert page.locator("table").count() == 0
        assert not [u for u in calls if "/auth/refresh" not in u], calls
    finally:
        closed(page)
    token = fresh_token(base, staff["customer"])
    refused = {f"{m} {p}": api(base, m, p, {"sku": "X"} if m in ("POST", "PUT", "PATCH") else None, token=token)[0] for m, p in STAFF_CALLS}
    assert {k: s for k, s in refused.items() if s != 403} == {}, refused

    page = staff_page(browser, plat, size, staff["support"])
    try:
        open_view(page, "#/", "Back-office")
        sections = page.locator("#nav-list a[data-section]").all_inner_texts()
        assert sections == ["Orders", "Support desk"], sections
        open_view(page, "#/users", "Users")
        page.get_by_text("You do not have access to this section.").wait_for()
        open_view(page, "#/product/new", "Catalog")
        page.get_by_text("You do not have access to this section.").wait_for()
        assert page.locator("form").count() == 0
        # Orders are read-only for support: the detail, without the admin's forms.
        number = sample["order"]["number"]
        open_view(page, f"#/order/{sample['order']['id']}", f"Order {number}")
        assert page.get_by_role("heading", name="Lines").count() == 1
        assert page.locator("form[aria-label='Update the delivery'], form[aria-label='Cancel the order']").count() == 0
    finally:
        closed(page)
    token = fresh_token(base, staff["support"])
    assert api(base, "POST", "/products", {"sku": "S-1", "name": "x", "price": 1}, token=token)[0] == 403
    assert api(base, "GET", "/auth/users", token=token)[0] == 403


# ---------------------------------------------------------------------------
# 6. Every view: axe-core 0 violations, no console errors or failed requests
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample(plat, staff):
    """One of each thing a detail view shows."""
    base = plat.base_url
    admin = admin_token(base)
    customer = staff["customer"]
    customer["token"] = fresh_token(base, customer)
    product = make_product(base, name="Sample vase")
    ok(api(base, "POST", f"/products/{product['id']}/images", raw=png(4, 3, (10, 120, 60)), token=admin,
           headers={"Content-Type": "image/png"}), 201)
    order = place_order(base, customer)
    ticket = ok(api(base, "POST", "/sav/tickets", {"subject": "Where is my parcel?", "message": "It has been a week.",
                                                   "order_id": order["id"]}, token=customer["token"]), 201)
    ok(api(base, "POST", f"/sav/tickets/{ticket['id']}/attachments", raw=b"hello", token=customer["token"],
           headers={"Content-Type": "text/plain", "X-Filename": "note.txt"}), 201)
    ok(api(base, "POST", "/contacts", {"name": "Paul Press", "email": "press@example.com", "topic": "press",
                                       "message": "May we write about your shop?"}), 202)
    mtoken = fresh_token(base, staff["marketing"])
    template = ok(api(base, "POST", "/newsletters/templates", {"name": "Sample", "subject": "Sample news",
                                                                "text": "Hello there.", "html": "<p>Hello there.</p>"},
                      token=mtoken), 201)
    campaign = ok(api(base, "POST", "/newsletters/campaigns", {"subject": "Sample campaign", "template_id": template["id"]},
                      token=mtoken), 201)
    question = ok(api(base, "POST", "/questions", {"question": "Do you ship abroad?", "answer": "Yes, to ten countries.",
                                                  "category": "delivery", "position": 0}, token=admin), 201)
    ok(api(base, "POST", "/questions", {"question": "How long does shipping take?", "answer": "Two to four days.",
                                        "category": "delivery", "position": 1}, token=admin), 201)
    website = ok(api(base, "GET", "/websites", token=admin))["items"][0]
    return {"product": product, "order": order, "ticket": ticket, "template": template, "campaign": campaign,
            "question": question, "website": website}


@pytest.mark.parametrize("size", SIZES)
def test_views_accessible(browser, plat, staff, sample, size):
    base = plat.base_url
    page = new_page(browser, base, size)
    try:
        # The login form: a wrong password is shown on the form, then the real login.
        page.expect_status(401, "/api/v1/auth/login")
        page.goto(base + "/admin/")
        page.get_by_role("heading", level=1, name="Staff log in").wait_for()
        axe_check(page, "admin-login")
        form = page.locator("form[aria-label='Log in']")
        form.get_by_label("E-mail").fill(ADMIN_EMAIL)
        form.get_by_label("Password").fill("not-the-password")
        form.get_by_role("button", name="Log in").click()
        form.locator(".form-msg").get_by_text(re.compile("incorrect", re.I)).wait_for()
        form.get_by_label("Password").fill(ADMIN_PASSWORD)
        form.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", level=1, name="Back-office").wait_for()
        settle(page)
        axe_check(page, "admin-home")
        if size == "phone":  # the navigation collapses behind a Menu button
            nav = page.locator("#site-nav")
            assert not nav.is_visible()
            page.get_by_role("button", name="Menu").click()
            assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
            nav.get_by_role("link", name="Users").click()
            page.get_by_role("heading", level=1, name="Users").wait_for()
            assert not nav.is_visible()
        s = sample
        views = [
            ("products", "#/products"), ("categories", "#/categories"), ("product-new", "#/product/new"),
            ("product", f"#/product/{s['product']['id']}"), ("orders", "#/orders"), ("order", f"#/order/{s['order']['id']}"),
            ("tickets", "#/tickets"), ("ticket", f"#/ticket/{s['ticket']['id']}"), ("contacts", "#/contacts"),
            ("templates", "#/templates"), ("template", f"#/template/{s['template']['id']}"), ("campaigns", "#/campaigns"),
            ("campaign", f"#/campaign/{s['campaign']['id']}"), ("subscribers", "#/subscribers"), ("faq", "#/faq"),
            ("question", f"#/question/{s['question']['id']}"), ("websites", "#/websites"),
            ("website", f"#/website/{s['website']['id']}"), ("users", "#/users"), ("mails", "#/mails"), ("audit", "#/audit"),
        ]
        for name, hash_ in views:
            open_view(page, hash_)
            if name == "template":
                page.get_by_text("Preview up to date.").wait_for()
            assert page.locator("#view .notice-error").count() == 0, (name, page.locator("#view .notice-error").all_inner_texts())
            axe_check(page, f"admin-{name}")
        # Lists are paginated: the audit trail gets more than a page (50) of events.
        while ok(api(base, "GET", "/audit?per_page=1", token=admin_token(base)))["total"] <= 50:
            for _ in range(10):
                login_tokens(base, staff["support"]["email"], staff["support"]["password"])
        open_view(page, "#/audit", "Audit trail")
        pager = page.get_by_role("navigation", name="Pagination")
        pager.get_by_role("link", name="Next →").click()
        pager.get_by_text(re.compile(r"Page 2 of \d+")).wait_for()
        settle(page)
        assert page.locator("table tbody tr").count() > 0
        # A form's errors, per field, are accessible too.
        page.expect_status(422, "/api/v1/websites")
        open_view(page, "#/website/new", "New store")
        store = page.locator("form[aria-label='Store']")
        store.get_by_label("Code").fill("Not A Code")
        store.get_by_label("Name", exact=True).fill("Second store")
        store.get_by_role("button", name="Create store").click()
        store.locator("[name=code] ~ .field-error").wait_for()
        assert store.locator("[name=code]").get_attribute("aria-invalid") == "true"
        assert page.evaluate("() => document.activeElement.name") == "code"
        axe_check(page, "admin-website-errors")
    finally:
        closed(page)


def test_faq_reorder(browser, plat, staff, sample):
    """FAQ up/down rewrites positions with PUT; the public order follows."""
    base = plat.base_url
    page = staff_page(browser, plat, "desktop", staff["admin"])
    try:
        open_view(page, "#/faq?category=delivery", "FAQ")
        page.get_by_role("button", name="Move “How long does shipping take?” up").click()
        page.get_by_text("“How long does shipping take?” moved up.").wait_for()
        items = ok(api(base, "GET", "/questions?category=delivery"))["items"]
        assert [q["question"] for q in items][:2] == ["How long does shipping take?", "Do you ship abroad?"]
        assert [q["position"] for q in items][:2] == [0, 1]
    finally:
        closed(page)


def test_roles_editing(browser, plat, staff):
    """Users: the admin gives a customer the marketing role through the checkboxes."""
    base = plat.base_url
    target = make_user(base, ["customer"], name="Rolf Roles")
    page = staff_page(browser, plat, "desktop", staff["admin"])
    try:
        open_view(page, f"#/users?q={target['email']}", "Users")
        roles = page.locator(f"form[aria-label='Roles of {target['email']}']")
        roles.get_by_label("marketing").check()
        roles.get_by_role("button", name="Save roles").click()
        flash(page, f"Roles of {target['email']}: customer, marketing.")
        user = [u for u in ok(api(base, "GET", f"/auth/users?q={target['email']}", token=admin_token(base)))["items"]]
        assert sorted(user[0]["roles"]) == ["customer", "marketing"]
        assert jwt_claims(fresh_token(base, target))["roles"] and "marketing" in jwt_claims(fresh_token(base, target))["roles"]
    finally:
        closed(page)


def test_catalog_delete_image_and_product(browser, plat, staff):
    """Catalog: an image deleted, then the product, after an inline confirmation; the public API follows."""
    base = plat.base_url
    product = make_product(base, name="Doomed teapot")
    token = fresh_token(base, staff["catalog"])
    for colour in ((1, 2, 3), (4, 5, 6)):
        ok(api(base, "POST", f"/products/{product['id']}/images", raw=png(3, 3, colour), token=token,
               headers={"Content-Type": "image/png"}), 201)
    kept = ok(api(base, "GET", f"/products/{product['id']}"))["images"][1].rsplit("/", 1)[-1]
    page = staff_page(browser, plat, "desktop", staff["catalog"])
    try:
        open_view(page, f"#/products?q={urllib.parse.quote('Doomed teapot')}", "Products")
        page.get_by_role("link", name="Doomed teapot").click()
        page.get_by_role("heading", level=1, name="Doomed teapot").wait_for()
        settle(page)
        details = page.locator("form[aria-label='Edit product']")
        details.get_by_label("Price").fill("19.5")
        details.get_by_label("Description").fill("Cracked, but charming.")
        details.get_by_role("button", name="Save changes").click()
        flash(page, "Changes saved.")
        edited = ok(api(base, "GET", f"/products/{product['id']}"))
        assert (edited["price"], edited["description"], edited["stock"]) == (1950, "Cracked, but charming.", 10)
        page.get_by_role("button", name="Delete image 1").click()
        page.get_by_text("Image deleted.").wait_for()
        assert [u.rsplit("/", 1)[-1] for u in ok(api(base, "GET", f"/products/{product['id']}"))["images"]] == [kept]

        page.get_by_role("button", name="Delete product").click()
        page.get_by_role("button", name="Keep it").click()
        assert api(base, "GET", f"/products/{product['id']}")[0] == 200
        page.get_by_role("button", name="Delete product").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Yes, delete").click()
        flash(page, "Product “Doomed teapot” deleted.")
        assert api(base, "GET", f"/products/{product['id']}")[0] == 404
    finally:
        closed(page)


def test_admin_cancels_order(browser, plat, staff):
    """Orders: the admin cancels a confirmed order with a reason; the customer's order carries it."""
    base = plat.base_url
    customer = staff["customer"]
    customer["token"] = fresh_token(base, customer)
    order = place_order(base, customer)
    page = staff_page(browser, plat, "desktop", staff["admin"])
    try:
        open_view(page, f"#/orders?customer={urllib.parse.quote(customer['email'])}&status=confirmed", "Orders")
        page.get_by_role("link", name=order["number"]).click()
        page.get_by_role("heading", level=1, name=f"Order {order['number']}").wait_for()
        settle(page)
        cancel = page.locator("form[aria-label='Cancel the order']")
        cancel.get_by_label("Reason").fill("The parcel service cannot reach your address.")
        cancel.get_by_role("button", name="Cancel order").click()
        flash(page, "The order has been cancelled.")
        settle(page)
        seen = ok(api(base, "GET", f"/orders/{order['id']}", token=customer["token"]))
        assert seen["status"] == "cancelled"
        assert seen["cancel_reason"] == "The parcel service cannot reach your address."
        delivery = ok(api(base, "GET", f"/deliveries?order_id={order['id']}", token=customer["token"]))
        assert all(d["status"] == "cancelled" for d in delivery), delivery
        assert page.get_by_text("The parcel service cannot reach your address.").count() >= 1
    finally:
        closed(page)


def test_session_refresh(browser, plat, staff):
    """An expired access token is refreshed (POST /auth/refresh rotates both tokens) before the first staff call."""
    page = staff_page(browser, plat, "desktop", staff["support"])
    try:
        before = page.evaluate("() => { localStorage.setItem('comptoir.expires_at', '0'); return localStorage.getItem('comptoir.refresh'); }")
        open_view(page, "#/tickets", "Support desk")
        after = page.evaluate("() => [localStorage.getItem('comptoir.refresh'), Number(localStorage.getItem('comptoir.expires_at'))]")
        assert after[0] and after[0] != before and after[1] > time.time() * 1000
        assert page.locator("#view .notice-error").count() == 0
        # The old refresh token was rotated away: the server refuses it.
        assert api(plat.base_url, "POST", "/auth/refresh", {"refresh_token": before})[0] == 401
    finally:
        closed(page)


def test_template_edit_and_send_now(browser, plat, staff, sample):
    """Newsletters: a saved template edited (PUT), a draft campaign sent now; its progress is followed to sent."""
    base = plat.base_url
    token = fresh_token(base, staff["marketing"])
    template = ok(api(base, "POST", "/newsletters/templates", {"name": "Autumn", "subject": "Autumn news", "text": "Leaves fall."},
                      token=token), 201)
    campaign = ok(api(base, "POST", "/newsletters/campaigns", {"subject": f"Autumn {uuid.uuid4().hex[:6]}",
                                                               "template_id": template["id"]}, token=token), 201)
    page = staff_page(browser, plat, "desktop", staff["marketing"])
    try:
        open_view(page, f"#/template/{template['id']}", "Edit template")
        page.get_by_text("Preview up to date.").wait_for()
        form = page.locator("form[aria-label='Template']")
        form.get_by_label("Text version").fill("Leaves fall, prices too.")
        page.locator(".preview p.pre").nth(1).get_by_text("Leaves fall, prices too.").wait_for()
        form.get_by_role("button", name="Save template").click()
        flash(page, "Template saved.")
        assert ok(api(base, "GET", f"/newsletters/templates/{template['id']}", token=token))["text"] == "Leaves fall, prices too."

        open_view(page, f"#/campaign/{campaign['id']}", f"Campaign: {campaign['subject']}")
        page.get_by_role("button", name="Send now").click()
        flash(page, "Sending started.")
        page.get_by_text(re.compile(r"Sent to \d+ subscribers?\.")).wait_for(timeout=40_000)
        done = ok(api(base, "GET", f"/newsletters/campaigns/{campaign['id']}", token=token))
        assert done["status"] == "sent" and done["sent_count"] == len(_CONFIRMED)
    finally:
        closed(page)
