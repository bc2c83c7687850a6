"""The purchase journeys shared by the tests that drive the saga from outside (the pytest
suite's crash and RabbitMQ tests, scripts/k8s-run, scripts/recovery-drill): a shop client for
one running platform, and the assertion that every order settled exactly once.
"""

import os
import signal
import time
import uuid

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, Client, eventually

SETTLE_TIMEOUT = 30.0


class Shop:
    """API journeys against one running platform."""

    def __init__(self, *arguments):
        # Shop(base_url); scripts/k8s-run still passes its Results first: Shop(results, base_url).
        self.client = Client(arguments[-1])

    def must(self, response, status, what):
        if response.status != status:
            raise AssertionError(f"{what}: {response.describe()}")
        return response.json if response.body else None

    def login(self, email, password):
        return self.must(self.client.post("/api/v1/auth/login", {"email": email, "password": password}), 200, "login")["access_token"]

    def admin(self):
        return self.login(ADMIN_EMAIL, ADMIN_PASSWORD)

    def product(self, admin, stock):
        body = {"sku": f"CRASH-{uuid.uuid4().hex[:8]}", "name": "Crash-test lamp", "description": "survives kill -9",
                "price": 2500, "currency": "EUR", "stock": stock, "category": "tests"}
        return self.must(self.client.post("/api/v1/products", body, token=admin), 201, "create product")["id"]

    def stock(self, product):
        return self.must(self.client.get(f"/api/v1/products/{product}"), 200, "read product")["stock"]

    def buyer(self, product, quantity, name="Buyer"):
        """A registered customer with `quantity` of `product` in the basket and an address."""
        email = f"buyer-{uuid.uuid4().hex[:10]}@example.com"
        self.must(self.client.post("/api/v1/auth/register", {"email": email, "password": "correct horse battery", "name": name}),
                  201, "register")
        token = self.login(email, "correct horse battery")
        self.must(self.client.post("/api/v1/baskets/mine/items", {"product_id": product, "quantity": quantity}, token=token), 200, "add to basket")
        address = self.must(self.client.post("/api/v1/addresses", {
            "kind": "shipping", "name": "Camille Martin", "line1": "12 rue Oberkampf", "city": "Paris", "postal_code": "75011",
            "country": "FR", "is_default": True}, token=token), 201, "add address")["id"]
        return {"email": email, "token": token, "address": address}

    def checkout(self, buyer, idempotency_key=None):
        return self.client.post("/api/v1/orders", {"shipping_address_id": buyer["address"]}, token=buyer["token"],
                                headers={"Idempotency-Key": idempotency_key or uuid.uuid4().hex})

    def order(self, buyer, order_id):
        return self.must(self.client.get(f"/api/v1/orders/{order_id}", token=buyer["token"]), 200, "read order")

    def deliveries(self, buyer, order_id):
        return self.must(self.client.get(f"/api/v1/deliveries?order_id={order_id}", token=buyer["token"]), 200, "read deliveries")

    def basket_lines(self, buyer):
        return len(self.must(self.client.get("/api/v1/baskets/mine", token=buyer["token"]), 200, "read basket")["items"])

    def confirmation_mails(self, admin, buyer, number):
        page = self.must(self.client.get(f"/api/v1/newsletters/mails?to={buyer['email']}&per_page=100", token=admin), 200, "mail log")
        return [m for m in page["items"] if m["reason"] == "orders.order.confirmed" and number in m["subject"] and m["status"] == "sent"]


def sold_out(answer):
    """Whether a checkout was refused because the stock was gone by then (409 "Not enough stock"):
    checkout reads the stock first, so in a race the last buyers hear it at once instead of a
    cancellation a moment later."""
    return answer is not None and answer.status == 409 and "stock" in ((answer.json or {}).get("detail") or "").lower()


def kill_hard(instance):
    os.killpg(instance.process.pid, signal.SIGKILL)
    instance.process.wait(timeout=10)


def assert_settled(shop, admin, label, placed, expected_confirmed, product, expected_stock):
    """Every order of `placed` ([(buyer, order)]) settled exactly once: none pending,
    `expected_confirmed` confirmed and the others cancelled, the stock at `expected_stock`
    (reserved once), one delivery per confirmed order and none for a cancelled one, the basket of
    a confirmed order emptied, one confirmation mail per confirmed order and no duplicate.
    Returns the figures, as one line."""
    def settled():
        states = [shop.order(buyer, order["id"])["status"] for buyer, order in placed]
        return states if "pending" not in states else None
    states = eventually(settled, SETTLE_TIMEOUT, f"{label}: every order settled (none pending)")
    confirmed = [(b, o) for (b, o), s in zip(placed, states) if s == "confirmed"]
    cancelled = len(placed) - len(confirmed)
    assert len(confirmed) == expected_confirmed, \
        f"{label}: {expected_confirmed} confirmed, {len(placed) - expected_confirmed} cancelled wanted; states {states}"
    stock = shop.stock(product)
    assert stock == expected_stock, f"{label}: stock {expected_stock} wanted (reserved exactly once), is {stock}"
    for buyer, order in placed:
        wanted = 1 if (buyer, order) in confirmed else 0
        eventually(lambda: len(shop.deliveries(buyer, order["id"])) == wanted, SETTLE_TIMEOUT)
        deliveries = len(shop.deliveries(buyer, order["id"]))
        assert deliveries == wanted, f"{label}: order {order['number']} should have {wanted} delivery, has {deliveries}"
        eventually(lambda: len(shop.confirmation_mails(admin, buyer, order["number"])) >= wanted, SETTLE_TIMEOUT)
        if wanted:
            eventually(lambda: shop.basket_lines(buyer) == 0, SETTLE_TIMEOUT)
            assert shop.basket_lines(buyer) == 0, f"{label}: order {order['number']}'s basket should be empty"
    time.sleep(1.0)  # anything sent twice would show up by now
    mails = sum(len(shop.confirmation_mails(admin, b, o["number"])) for b, o in placed)
    assert mails == expected_confirmed, f"{label}: {expected_confirmed} confirmation mails wanted (no duplicate), {mails} sent"
    return (f"{label}: {len(placed)} orders settled: {len(confirmed)} confirmed, {cancelled} cancelled, stock {stock}, "
            f"{len(confirmed)} deliveries, {mails} confirmation mails")
