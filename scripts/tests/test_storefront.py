"""Browser tests of the storefront (Sources/Gateway/Storefront): the shopper defects of issue 16,
each in Chromium at desktop (1366x900) and phone (390x844) size, with no console errors, no
failed requests and axe-core clean views (browser.py). One platform for the module.

    cd scripts/tests && python3 -m pytest test_storefront.py --binary /path/to/comptoir -q
COMPTOIR_SCREENSHOTS=1 also writes docs/screens/storefront-<view>-<size>.png.
"""

import os
import re
import struct
import time
import uuid
import zlib

import pytest

from browser import (SIZES, PASSWORD, admin_token, api, assert_clean, axe_check, login, login_storage,  # noqa: F401
                     mail_token, make_user, ok, page_for, read_mail, start_platform)

SIZE_NAMES = list(SIZES)
EXPECT_TIMEOUT = 10_000
# A directory with another index.html, app.js and style.css to serve instead of the platform's (to check that a
# test fails on an older storefront: git show HEAD:Sources/Gateway/Storefront/app.js > DIR/app.js, and so on).
OVERRIDE = os.environ.get("COMPTOIR_STOREFRONT_OVERRIDE")


def png(width, height, rgb=(180, 90, 40)):
    """A plain PNG of this size (an 8-bit RGB picture with a diagonal band)."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            band = (x + y) // 40 % 2
            row += bytes(c // 2 if band else c for c in rgb)
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b"")


class Shop:
    """The module's platform and what the tests share on it."""

    def __init__(self, instance):
        self.instance = instance
        self.url = instance.base_url
        self.data_dir = instance.data_dir
        self.admin = admin_token(self.url)

    def product(self, name=None, price=7500, stock=50, category="kitchen", image=False):
        name = name or f"Pot {uuid.uuid4().hex[:6]}"
        body = {"sku": "SKU-" + uuid.uuid4().hex[:10], "name": name, "description": f"A fine {name}.", "price": price,
                "currency": "EUR", "stock": stock, "category": category, "category_name": category.title()}
        p = ok(api(self.url, "POST", "/products", body, token=admin_token(self.url)), 201)
        if image:
            ok(api(self.url, "POST", f"/products/{p['id']}/images", raw=self.picture, token=admin_token(self.url),
                   headers={"Content-Type": "image/png"}), 201)
            p = ok(api(self.url, "GET", f"/products/{p['id']}"))
        return p

    def set_stock(self, product, stock):
        ok(api(self.url, "PUT", f"/products/{product['id']}/stock", {"stock": stock}, token=admin_token(self.url)))

    def customer(self, with_address=True, name=None):
        user = make_user(self.url, name=name or "Camille Martin")
        if with_address:
            address = {"kind": "shipping", "name": user["name"], "line1": "12 rue de la Paix", "city": "Paris",
                       "postal_code": "75002", "country": "FR", "is_default": True}
            user["address"] = ok(api(self.url, "POST", "/addresses", address, token=user["token"]), 201)
        return user

    def basket_add(self, user, product, quantity=1):
        return ok(api(self.url, "POST", "/baskets/mine/items", {"product_id": product["id"], "quantity": quantity}, token=user["token"]))

    def order(self, user, product, quantity=1):
        """An order of `user` for `product`, once the saga has moved it out of pending."""
        self.basket_add(user, product, quantity)
        o = ok(api(self.url, "POST", "/orders", {"shipping_address_id": user["address"]["id"]}, token=user["token"]), 201)
        deadline = time.monotonic() + 10
        while o["status"] == "pending" and time.monotonic() < deadline:
            time.sleep(0.1)
            o = ok(api(self.url, "GET", f"/orders/{o['id']}", token=user["token"]))
        return o

    def delivery(self, user, order):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = ok(api(self.url, "GET", f"/deliveries?order_id={order['id']}", token=user["token"]))
            if found:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"no delivery for order {order['number']}")


@pytest.fixture(scope="module")
def shop(module_platforms):
    instance = start_platform(module_platforms, "shop")
    s = Shop(instance)
    s.picture = png(800, 600)
    s.hero = s.product("Copper saucepan", price=7500, stock=40, image=True)
    s.picture = png(320, 240, rgb=(40, 90, 160))
    s.small = s.product("Enamel mug", price=1200, stock=40, image=True)
    s.others = [s.product(f"Oak board {n}", price=1990 + n * 100, stock=30) for n in range(3)]
    return s


def serve_file(path):
    return lambda route: route.fulfill(path=path)


@pytest.fixture
def open_page(browser, shop):  # noqa: F811 - the browser fixture of browser.py
    """open_page(size, **context options) -> a recording page; every page is checked clean and closed at the end."""
    pages = []

    def factory(size, **kw):
        page = page_for(browser, shop.url, size, **kw)
        if OVERRIDE:
            for name in ("index.html", "app.js", "style.css"):
                target = shop.url + ("/" if name == "index.html" else "/" + name)
                page.context.route(target, serve_file(os.path.join(OVERRIDE, name)))
        page.set_default_timeout(EXPECT_TIMEOUT)
        page.on("dialog", lambda d: d.accept())
        pages.append(page)
        return page
    yield factory
    try:
        for page in pages:
            assert_clean(page)
    finally:
        for page in pages:
            page.unroute_all(behavior="ignoreErrors")
            page.context.close()


def signed_in(page, shop, user, hash_):
    login_storage(page, shop.url, user["email"], user["password"])
    page.goto_hash(hash_)
    return page


def main_text(page):
    return page.locator("main").inner_text()


def flash(page):
    return page.locator("#flash")


def open_menu(page):
    if page.size == "phone" and page.locator(".menu-toggle").get_attribute("aria-expanded") != "true":
        page.locator(".menu-toggle").click()


def wait_text(page, selector, text):
    page.locator(selector).filter(has_text=text).first.wait_for()


# ---------------------------------------------------------------------------
# 1. Overselling
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZE_NAMES)
def test_basket_quantity_respects_stock(open_page, shop, size):
    product = shop.product(stock=7)
    user = shop.customer(with_address=False)
    shop.basket_add(user, product, 2)
    page = open_page(size)
    page.expect_status(409, "/baskets/mine/items")
    signed_in(page, shop, user, "#/product/" + product["id"])
    qty = page.locator("#qty")
    assert qty.get_attribute("max") == "7", "the product page's quantity is capped by the stock"
    qty.fill("20")
    page.get_by_role("button", name="Add to basket").click()
    wait_text(page, "#qty-err", f"Only 7 of “{product['name']}” left.")
    page.goto_hash("#/basket")
    line = page.get_by_label(f"Quantity of {product['name']}")
    line.fill("20")
    line.press("Enter")
    error = page.locator(".line-error")
    error.filter(has_text=f"Only 7 of {product['name']} left.").wait_for()
    assert line.input_value() == "2", "a refused quantity goes back to the line's quantity"
    assert line.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in line.get_attribute("aria-describedby")
    basket = ok(api(shop.url, "GET", "/baskets/mine", token=user["token"]))
    assert basket["items"][0]["quantity"] == 2


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_checkout_confirms_and_shows_the_order(open_page, shop, size):
    user = shop.customer()
    shop.basket_add(user, shop.others[0], 2)
    page = open_page(size)
    signed_in(page, shop, user, "#/basket")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_function("() => location.hash.startsWith('#/order/')")
    wait_text(page, "#flash", "is confirmed.")
    text = flash(page).inner_text()
    assert re.search(r"Thank you! Your order \d{4}-\d+ is confirmed\.", text), text
    page.locator("main h1", has_text=re.compile(r"Order \d")).wait_for()
    page.locator("main .table").wait_for()
    body = main_text(page)
    assert shop.others[0]["name"] in body and "12 rue de la Paix" in body and "stock reserved" in body, body
    page.locator("main .props a[href^='#/track/']").wait_for()
    axe_check(page, "storefront-order-detail")
    page.get_by_role("button", name="Cancel order").click()
    page.locator("main .notice-error", has_text="This order has been cancelled").wait_for()
    assert "xpected delivery" not in main_text(page), "a cancelled parcel has no expected delivery date"


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_checkout_shows_the_cancellation_never_thanks(open_page, shop, size):
    """The saga cancels the order after POST /orders answered 201 pending (here an admin cancels it with a
    reason at that moment): the shopper sees the reason and a link to the order, never "Thank you"."""
    user = shop.customer()
    product = shop.product(stock=5)
    shop.basket_add(user, product, 1)
    page = open_page(size)
    reason = f"{product['name']} is no longer available."

    def cancel_once_created(route):
        if route.request.method != "POST":
            return route.continue_()
        response = route.fetch()
        created = response.json()
        ok(api(shop.url, "POST", f"/orders/{created['id']}/cancel", {"reason": reason}, token=admin_token(shop.url)))
        route.fulfill(response=response)
    page.route("**/api/v1/orders", cancel_once_created)
    signed_in(page, shop, user, "#/basket")
    page.get_by_role("button", name="Place order").click()
    failed = page.locator(".order-failed")
    failed.wait_for()
    assert reason in failed.inner_text(), failed.inner_text()
    assert "Thank you" not in page.locator("body").inner_text()
    axe_check(page, "storefront-checkout-cancelled")
    failed.get_by_role("link", name=re.compile(r"See order")).click()
    page.locator("main .notice-error", has_text=reason).wait_for()


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_checkout_still_pending_after_the_wait(open_page, shop, size):
    """The saga has not answered within ~10 s (here every GET /orders/{id} is answered as pending): the
    shopper is told that the order has been received and is being confirmed, not that it is confirmed."""
    user = shop.customer()
    shop.basket_add(user, shop.others[1], 1)
    page = open_page(size)

    def still_pending(route):
        response = route.fetch()
        order = response.json()
        order["status"] = "pending"
        route.fulfill(response=response, json=order)
    page.route(re.compile(r"/api/v1/orders/[0-9A-Fa-f-]{36}$"), still_pending)
    signed_in(page, shop, user, "#/basket")
    began = time.monotonic()
    page.get_by_role("button", name="Place order").click()
    page.wait_for_function("() => location.hash.startsWith('#/order/')", timeout=20_000)
    waited = time.monotonic() - began
    text = flash(page).inner_text()
    assert re.search(r"Your order \d{4}-\d+ has been received; we are confirming it\.", text), text
    assert "Thank you" not in text
    assert 8 < waited < 15, f"the storefront waited {waited:.1f} s"
    page.locator("main .table").wait_for()


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_checkout_after_the_stock_dropped(open_page, shop, size):
    user = shop.customer()
    product = shop.product(stock=5)
    shop.basket_add(user, product, 3)
    shop.set_stock(product, 1)
    page = open_page(size)
    page.expect_status(409, "/api/v1/orders")
    signed_in(page, shop, user, "#/basket")
    page.get_by_role("button", name="Place order").click()
    # Either POST /orders refuses it (409 "only 1 of X left") or the saga cancels it: the reason is shown.
    page.locator(".form-msg:not([hidden]), .order-failed").first.wait_for()
    text = page.locator("main").inner_text()
    assert re.search(r"only 1 of", text, re.I), text
    assert "Thank you" not in page.locator("body").inner_text()


# ---------------------------------------------------------------------------
# 2. Locked out: forgotten password, throttled login, contact form
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZE_NAMES)
def test_locked_out_owner_resets_the_password(open_page, shop, size):
    user = shop.customer(with_address=False)
    page = open_page(size)
    page.expect_status(401, "/api/v1/auth/login")
    page.expect_status(429, "/api/v1/auth/login")
    page.goto_hash("#/login")
    form = page.locator("form[aria-label='Log in']")
    message = form.locator(".form-msg")
    for attempt in range(8):
        form.get_by_label("E-mail").fill(user["email"])
        form.get_by_label("Password").fill(f"wrong-password-{attempt}")
        form.get_by_role("button", name="Log in").click()
        page.wait_for_function("f => !f.hasAttribute('aria-busy') && !f.querySelector('.form-msg').hidden", arg=form.element_handle())
        if "Too many" in message.inner_text():
            break
        page.wait_for_function("b => !b.disabled", arg=form.get_by_role("button", name="Log in").element_handle())
    text = message.inner_text()
    assert re.search(r"Please wait (\d+ seconds?|\d+ minutes|a moment)", text), f"the wait after {attempt + 1} attempts: {text}"
    assert attempt >= 4, "five failed logins are allowed before the throttle"
    message.get_by_role("link", name="Forgot your password?").click()
    page.locator("main h1", has_text="Forgot your password?").wait_for()
    axe_check(page, "storefront-forgot")
    sent_after = time.time() - 1
    page.get_by_label("E-mail").first.fill(user["email"])
    page.get_by_role("button", name="Send me a link").click()
    wait_text(page, "main .notice-success", "If an account exists for that address, we have sent a link")
    mail = read_mail(shop.data_dir, user["email"], "password", after=sent_after)
    assert "#/reset?token=" in mail["text"], mail["text"]
    token = mail_token(mail)
    page.goto_hash("#/reset?token=" + token)
    axe_check(page, "storefront-reset")
    new_password = "a-brand-new-password-1"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Repeat new password").fill(new_password)
    page.get_by_role("button", name="Save the new password").click()
    page.wait_for_function("() => location.hash === '#/login'")
    wait_text(page, "#flash", "Your password has been changed")
    form.get_by_label("E-mail").fill(user["email"])
    form.get_by_label("Password").fill(new_password)
    form.get_by_role("button", name="Log in").click()
    page.wait_for_function("() => location.hash === '#/account'")
    page.locator("main dd", has_text=user["email"]).wait_for()
    # The link works once.
    page.expect_status(422, "/api/v1/auth/password/reset")
    page.goto_hash("#/reset?token=" + token)
    page.get_by_label("New password", exact=True).fill("yet-another-password-2")
    page.get_by_label("Repeat new password").fill("yet-another-password-2")
    page.get_by_role("button", name="Save the new password").click()
    used = page.locator("main .form-msg")
    used.filter(has_text="This link is no longer valid").wait_for()
    assert used.get_by_role("link", name="Ask for a new link").get_attribute("href") == "#/forgot"


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_contact_form_for_visitors(open_page, shop, size):
    page = open_page(size)
    page.goto_hash("#/support")
    assert page.evaluate("location.hash") == "#/support", "the Support page does not bounce a visitor to the login"
    assert page.get_by_role("link", name="Log in to open a ticket").get_attribute("href").startswith("#/login?next=")
    page.locator("main form[aria-label='Contact us']").wait_for()
    axe_check(page, "storefront-support-visitor")
    page.locator("footer").get_by_role("link", name="Contact us").click()
    page.locator("main h1", has_text="Contact us").wait_for()
    axe_check(page, "storefront-contact")
    f = page.locator("main form[aria-label='Contact us']")
    f.get_by_label("Name").fill("Dominique Visitor")
    f.get_by_label("E-mail").fill(f"visitor-{size}@example.com")
    f.get_by_label("Topic").select_option("sales")
    f.get_by_label("Message").fill("Do you sell gift cards for the holidays?")
    f.get_by_role("button", name="Send message").click()
    wait_text(page, "main .notice-success", "We have received your message")
    contacts = ok(api(shop.url, "GET", "/contacts?per_page=100", token=admin_token(shop.url)))
    assert any(c["email"] == f"visitor-{size}@example.com" and c["topic"] == "sales" for c in contacts["items"])


# ---------------------------------------------------------------------------
# 3. Tickets: attachments, authors
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZE_NAMES)
def test_ticket_attachments_and_authors(open_page, shop, size):
    user = shop.customer(with_address=False, name="Alex Dupont")
    agent = make_user(shop.url, roles=["support"], name="Sam Agent")
    page = open_page(size)
    signed_in(page, shop, user, "#/support")
    f = page.locator("form[aria-label='Open a ticket']")
    assert "10 MiB" in f.inner_text()
    f.get_by_label("Subject").fill("Broken lid")
    f.get_by_label("Message").fill("The lid of my saucepan arrived broken.")
    f.get_by_label("Attach a file").set_input_files({"name": "big.bin", "mimeType": "application/octet-stream",
                                                    "buffer": b"\0" * (10 * 1024 * 1024 + 1)})
    f.get_by_role("button", name="Send").click()
    wait_text(page, "form[aria-label='Open a ticket'] .field-error", "at most 10 MiB")
    photo = png(40, 30)
    f.get_by_label("Attach a file").set_input_files({"name": "lid.png", "mimeType": "image/png", "buffer": photo})
    f.get_by_role("button", name="Send").click()
    page.wait_for_function("() => location.hash.startsWith('#/ticket/')")
    wait_text(page, "#flash", "has been opened")
    ticket_id = page.evaluate("location.hash").split("/")[2]
    page.locator(".attachments a", has_text="lid.png").wait_for()
    assert page.locator(".msg .author").first.inner_text() == "You"
    answered = ok(api(shop.url, "POST", f"/sav/tickets/{ticket_id}/messages", {"body": "Sorry! Could you send the order number?"},
                      token=agent["token"]))
    shown_as = answered["messages"][-1].get("author_name") or "Comptoir support"  # the server names agents as it sees fit
    page.reload()
    page.locator(".msg", has_text="Could you send").wait_for()
    agent_msg = page.locator(".msg", has_text="Could you send")
    assert agent_msg.locator(".author").inner_text() == shown_as, agent_msg.inner_text()
    assert shown_as != "You"
    assert agent_msg.locator("time").count() == 1
    axe_check(page, "storefront-ticket")
    reply = page.locator("form[aria-label='Reply']")
    reply.get_by_label("Your reply").fill("It is order 2026-000001, here is the receipt.")
    reply.get_by_label("Attach a file").set_input_files({"name": "receipt.txt", "mimeType": "text/plain", "buffer": b"receipt 42"})
    reply.get_by_role("button", name="Send reply").click()
    page.locator(".attachments a", has_text="receipt.txt").wait_for()
    page.locator(".msg", has_text="here is the receipt").wait_for()
    with page.expect_download() as download:
        page.locator(".attachments a", has_text="receipt.txt").click()
    d = download.value
    assert d.suggested_filename == "receipt.txt"
    with open(d.path(), "rb") as saved:
        assert saved.read() == b"receipt 42"
    with page.expect_download() as download:
        page.locator(".attachments a", has_text="lid.png").click()
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == photo


# ---------------------------------------------------------------------------
# 4. The Register button is readable on #/register
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZE_NAMES)
def test_register_button_readable_on_register(open_page, shop, size):
    page = open_page(size)
    page.goto_hash("#/register")
    open_menu(page)
    button = page.locator(".site-nav a[href='#/register']")
    assert button.get_attribute("aria-current") == "page"
    colors = button.evaluate("b => { const s = getComputedStyle(b); return [s.color, s.backgroundColor]; }")
    assert colors[0] != colors[1], colors
    axe_check(page, "storefront-register")


# ---------------------------------------------------------------------------
# 5. A cancelled or failed parcel has no expected delivery date
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZE_NAMES)
def test_no_expected_date_for_failed_or_cancelled_parcels(open_page, shop, size):
    user = shop.customer()
    failed_order = shop.order(user, shop.others[1])
    assert failed_order["status"] == "confirmed", failed_order
    parcel = shop.delivery(user, failed_order)
    ok(api(shop.url, "PATCH", f"/deliveries/{parcel['id']}", {"status": "failed"}, token=admin_token(shop.url)))
    cancelled_order = shop.order(user, shop.others[2])
    ok(api(shop.url, "POST", f"/orders/{cancelled_order['id']}/cancel", token=user["token"]))
    cancelled_parcel = shop.delivery(user, cancelled_order)
    page = open_page(size)
    signed_in(page, shop, user, "#/orders")
    shipment = page.locator(f"[data-order='{failed_order['id']}'] .shipment")
    shipment.filter(has_text="failed").wait_for()
    assert "expected" not in shipment.inner_text().lower(), shipment.inner_text()
    page.goto_hash("#/track/" + parcel["tracking_number"])
    page.locator(".track-status").wait_for()
    assert "failed" in page.locator(".track-status").inner_text().lower()
    assert "expected" not in main_text(page).lower(), main_text(page)
    axe_check(page, "storefront-track")
    page.goto_hash("#/order/" + cancelled_order["id"])
    page.locator("main .props").wait_for()
    assert "xpected" not in main_text(page), main_text(page)
    page.goto_hash("#/track/" + cancelled_parcel["tracking_number"])
    page.locator(".track-status").wait_for()
    assert "expected" not in main_text(page).lower(), main_text(page)


# ---------------------------------------------------------------------------
# 6. Prices, dates and <html lang> follow the store
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def second_store(shop):
    code = "uk" + uuid.uuid4().hex[:4]
    store = ok(api(shop.url, "POST", "/websites", {"code": code, "name": "Comptoir UK", "domain": f"{code}.example.test",
                                                   "currency": "GBP", "locale": "en-GB"}, token=shop.admin), 201)
    body = {"sku": "UK-1", "name": "Tea caddy", "price": 1250, "currency": "GBP", "stock": 9}
    product = ok(api(shop.url, "POST", "/products", body, token=shop.admin, headers={"X-Website": code}), 201)
    return store, product


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_prices_dates_and_lang_follow_the_store(open_page, shop, second_store, size):
    current = ok(api(shop.url, "GET", "/websites/current"))
    assert current["locale"] == "fr-FR" and current["currency"] == "EUR", current
    page = open_page(size, locale="en-US")
    page.goto_hash("#/product/" + shop.hero["id"])
    page.locator(".price-big").wait_for()
    assert page.evaluate("document.documentElement.lang") == "fr-FR"
    price = page.locator(".price-big").inner_text().replace("\u202f", " ").replace("\xa0", " ")
    assert price == "75,00 €", price
    store, product = second_store
    other = open_page(size, locale="fr-FR", extra_headers={"X-Website": store["code"]})
    other.goto_hash("#/catalog")
    other.locator(".product-card .price").first.wait_for()
    assert other.evaluate("document.documentElement.lang") == "en-GB"
    assert other.locator(".product-card .price").first.inner_text() == "£12.50"
    assert "Comptoir UK" in other.title()


# ---------------------------------------------------------------------------
# 7. Address book, order detail, newsletter
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZE_NAMES)
def test_address_book_with_country_list(open_page, shop, size):
    user = shop.customer(with_address=False)
    page = open_page(size)
    signed_in(page, shop, user, "#/account")
    book = page.locator(".address-book")
    book.get_by_text("You have no saved addresses yet.").wait_for()
    book.locator("summary", has_text="Add a new address").click()
    f = book.locator("form[aria-label='New address']")
    country = f.get_by_label("Country")
    assert country.evaluate("e => e.tagName") == "SELECT"
    codes = country.evaluate("s => [...s.options].map(o => o.value).filter(Boolean).sort()")
    assert codes == sorted(["FR", "DE", "GB", "US", "ES", "IT", "BE", "NL", "CH", "CA"]), codes
    names = country.evaluate("s => [...s.options].map(o => o.textContent)")
    assert "Allemagne" in names and "Royaume-Uni" in names, f"country names in the store's language (fr-FR): {names}"
    assert country.input_value() == "FR", "the store's own country is preselected"
    f.get_by_label("Full name").fill("Camille Martin")
    f.get_by_label("Address", exact=True).fill("3 Unter den Linden")
    f.get_by_label("Postal code").fill("10117")
    f.get_by_label("City").fill("Berlin")
    country.select_option("DE")
    f.get_by_role("button", name="Save address").click()
    item = book.locator(".address-item", has_text="3 Unter den Linden")
    item.wait_for()
    assert "Allemagne" in item.inner_text()
    axe_check(page, "storefront-account")
    item.get_by_role("button", name=re.compile("^Edit")).click()
    edit = book.locator("form[aria-label='Edit address']")
    assert edit.get_by_label("City").input_value() == "Berlin"
    edit.get_by_label("City").fill("Potsdam")
    edit.get_by_label("Postal code").fill("14467")
    edit.get_by_role("button", name="Save address").click()
    book.locator(".address-item", has_text="Potsdam").wait_for()
    saved = ok(api(shop.url, "GET", "/addresses", token=user["token"]))["items"]
    assert [(a["city"], a["country"]) for a in saved] == [("Potsdam", "DE")], saved
    book.locator(".address-item", has_text="Potsdam").get_by_role("button", name=re.compile("^Delete")).click()
    book.get_by_text("You have no saved addresses yet.").wait_for()
    assert ok(api(shop.url, "GET", "/addresses", token=user["token"]))["items"] == []


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_newsletter_signup_and_confirmation(open_page, shop, size):
    address = f"reader-{uuid.uuid4().hex[:8]}@example.com"
    page = open_page(size)
    page.goto_hash("#/faq")
    signup = page.locator("footer form[aria-label='Newsletter']")
    signup.get_by_label("Get our newsletter").fill(address)
    signup.get_by_role("button", name="Subscribe").click()
    wait_text(page, "footer .newsletter-done", "we have sent a confirmation link")
    mail = read_mail(shop.data_dir, address, "subscription")
    assert "#/newsletter/confirm?token=" in mail["text"], mail["text"]
    token = mail_token(mail)
    page.goto_hash("#/newsletter/confirm?token=" + token)
    wait_text(page, "main .notice-success", f"{address} is now subscribed")
    axe_check(page, "storefront-newsletter-confirm")


# ---------------------------------------------------------------------------
# 8. Smaller defects
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZE_NAMES)
def test_login_after_add_to_basket_returns_and_adds(open_page, shop, size):
    user = shop.customer(with_address=False)
    product = shop.others[0]
    page = open_page(size)
    page.goto_hash("#/product/" + product["id"])
    page.locator("#qty").fill("3")
    page.get_by_role("button", name="Add to basket").click()
    page.wait_for_function("() => location.hash.startsWith('#/login?next=')")
    register = page.get_by_role("link", name="Create an account")
    assert "next=" in register.get_attribute("href") and product["id"] in register.get_attribute("href")
    f = page.locator("form[aria-label='Log in']")
    f.get_by_label("E-mail").fill(user["email"])
    f.get_by_label("Password").fill(user["password"])
    f.get_by_role("button", name="Log in").click()
    page.wait_for_function("h => location.hash === h", arg="#/product/" + product["id"])
    wait_text(page, "#flash", f"Added “{product['name']}” to your basket.")
    basket = ok(api(shop.url, "GET", "/baskets/mine", token=user["token"]))
    assert [(i["product_id"], i["quantity"]) for i in basket["items"]] == [(product["id"], 3)], basket
    assert page.locator("#basket-count").inner_text().startswith("3")


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_register_from_login_keeps_the_return_address(open_page, shop, size):
    page = open_page(size)
    page.goto_hash("#/login?next=" + "%23%2Fproduct%2F" + shop.hero["id"])
    page.get_by_role("link", name="Create an account").click()
    page.locator("main h1", has_text="Create an account").wait_for()
    f = page.locator("form[aria-label='Create an account']")
    f.get_by_label("Name").fill("New Shopper")
    f.get_by_label("E-mail").fill(f"new-{uuid.uuid4().hex[:8]}@example.com")
    f.get_by_label("Password").fill(PASSWORD)
    f.get_by_role("button", name="Create account").click()
    page.wait_for_function("h => location.hash === h", arg="#/product/" + shop.hero["id"])


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_track_with_blank_number(open_page, shop, size):
    page = open_page(size)
    page.expect_status(404, "/api/v1/deliveries/track/")
    page.goto_hash("#/track")
    number = page.get_by_label("Tracking number")
    number.fill("    ")
    page.get_by_role("button", name="Track").click()
    wait_text(page, "main .field-error", "Enter a tracking number")
    assert number.get_attribute("aria-invalid") == "true"
    assert page.evaluate("location.hash") == "#/track"
    number.fill("NOPE-123")
    page.get_by_role("button", name="Track").click()
    wait_text(page, "main .notice-error", "No parcel has the tracking number “NOPE-123”.")
    axe_check(page, "storefront-track-not-found")


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_catalog_page_past_the_end(open_page, shop, size):
    page = open_page(size)
    page.goto_hash("#/catalog?page=99")
    notice = page.locator("main .notice", has_text="This page is past the end of the results")
    notice.wait_for()
    assert "There are no products yet" not in main_text(page)
    notice.get_by_role("link").click()
    page.locator(".product-card").first.wait_for()
    assert page.evaluate("location.hash") == "#/catalog"


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_catalog_filters_wait_for_enter_from_the_keyboard(open_page, shop, size):
    page = open_page(size)
    page.goto_hash("#/catalog")
    page.locator(".product-card").first.wait_for()
    sort = page.get_by_label("Sort by")
    sort.focus()
    sort.press("ArrowDown")
    sort.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.evaluate("location.hash") == "#/catalog", "arrow keys on a filter do not search"
    assert sort.input_value() != ""
    chosen = sort.input_value()
    sort.press("Enter")
    page.wait_for_function("s => location.hash.includes('sort=' + encodeURIComponent(s))", arg=chosen)
    page.locator(".product-card").first.wait_for()


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_product_image_not_upscaled(open_page, shop, size):
    page = open_page(size)
    for product in (shop.small, shop.hero):   # a 320x240 photo and an 800x600 one (the demo size)
        page.goto_hash("#/product/" + product["id"])
        hero = page.locator("img.hero")
        hero.wait_for()
        page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=hero.element_handle())
        natural, shown = hero.evaluate("i => [i.naturalWidth, i.getBoundingClientRect().width]")
        assert natural >= shown, f"the hero image of {product['name']} ({natural} px wide) is shown {shown:.0f} CSS px wide"
        assert hero.get_attribute("srcset") and hero.get_attribute("sizes")
    assert shown > 300, "the 800 px photo fills its column"
    axe_check(page, "storefront-product")


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_your_orders_are_only_your_own(open_page, shop, size):
    customer = shop.customer()
    shop.order(customer, shop.others[0])
    admin = make_user(shop.url, roles=["admin"], name="Ada Admin")
    page = open_page(size)
    login(page, shop.url, admin["email"], admin["password"], next_hash="#/orders")
    page.get_by_text("You have not placed any orders yet.").wait_for()
    page2 = open_page(size)
    signed_in(page2, shop, customer, "#/orders")
    page2.locator(".order").first.wait_for()
    axe_check(page2, "storefront-orders")


# ---------------------------------------------------------------------------
# Every other view: axe-core clean at both sizes
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZE_NAMES)
def test_views_are_accessible(open_page, shop, size):
    page = open_page(size)
    page.goto_hash("#/catalog")
    page.locator(".product-card").first.wait_for()
    axe_check(page, "storefront-catalog")
    page.goto_hash("#/catalog?q=nothing-matches-this")
    page.get_by_text("No products match your search.").wait_for()
    axe_check(page, "storefront-catalog-no-result")
    page.goto_hash("#/catalog?page=99")
    page.get_by_text("This page is past the end of the results").wait_for()
    axe_check(page, "storefront-catalog-past-end")
    page.goto_hash("#/login")
    axe_check(page, "storefront-login")
    page.goto_hash("#/faq")
    page.locator("main .notice, main .faq").first.wait_for()
    axe_check(page, "storefront-faq")
    page.goto_hash("#/no-such-page")
    page.locator("main h1", has_text="Page not found").wait_for()
    axe_check(page, "storefront-404")
    user = shop.customer(with_address=False)
    shop.basket_add(user, shop.others[0], 1)
    signed_in(page, shop, user, "#/basket")
    page.locator("details[open] form[aria-label='New address']").wait_for()
    axe_check(page, "storefront-checkout-address")
    f = page.locator("form[aria-label='New address']")
    f.get_by_label("Full name").fill(user["name"])
    f.get_by_label("Address", exact=True).fill("5 quai des Chartrons")
    f.get_by_label("Postal code").fill("33000")
    f.get_by_label("City").fill("Bordeaux")
    f.get_by_role("button", name="Save address").click()
    page.locator("form[aria-label='Place order']").wait_for()
    axe_check(page, "storefront-basket")
    page.goto_hash("#/support")
    page.locator("form[aria-label='Open a ticket']").wait_for()
    page.get_by_text("You have no support tickets yet.").wait_for()
    axe_check(page, "storefront-support")
