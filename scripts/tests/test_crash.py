"""The comptoir process killed with SIGKILL in the middle of purchase sagas and of a campaign.

Each test starts the platform on a fresh data directory, kills the whole process group with
SIGKILL at a known point and starts it again on the same data directory; the saga must then
finish by itself: every order confirmed or cancelled, the stock reserved exactly once, one
delivery and one confirmation mail per confirmed order and none for a cancelled one, the basket
of a confirmed order emptied (purchases.assert_settled); the campaign must end `sent` with exactly
one mail (one .eml file) per subscriber. The last start ends with SIGTERM and must exit 0.
"""

import email
import os
import re
import threading
import time

import pytest

from harness import eventually
from purchases import Shop, assert_settled, kill_hard, sold_out

QUIET_ENV = {"COMPTOIR_RATE_LIMIT_IP": "100000/1s", "COMPTOIR_RATE_LIMIT_USER": "100000/1s", "COMPTOIR_LOG_FORMAT": "text"}
SUBSCRIBERS = 1000


def restart(platforms, instance):
    """The platform again on the same data directory, after the SIGKILL."""
    platforms.start(instance.name, QUIET_ENV)
    return Shop(instance.base_url)


@pytest.mark.parametrize("held", ["products.stock.reserved", "orders.order.placed"], ids=["reserved-held", "placed-held"])
def test_sigkill_while_an_event_is_held(platforms, figure, held):
    """`products.stock.reserved` held: the order is committed and its stock reserved, but the
    reservation's event not delivered when the process dies; `orders.order.placed` held: the order
    is committed but products has not seen it yet (COMPTOIR_HOLD_EVENTS)."""
    label = "reserved-held" if held == "products.stock.reserved" else "placed-held"
    instance = platforms.start(label, {**QUIET_ENV, "COMPTOIR_HOLD_EVENTS": held})
    shop = Shop(instance.base_url)
    product = shop.product(shop.admin(), stock=5)
    buyer = shop.buyer(product, quantity=2)
    order = shop.must(shop.checkout(buyer), 201, "checkout")
    reserved_stock = 3 if held == "products.stock.reserved" else 5
    if held == "products.stock.reserved":
        eventually(lambda: shop.stock(product) == 3, 30, f"{label}: stock reserved before the kill")
    time.sleep(1.0)
    status = shop.order(buyer, order["id"])["status"]
    assert status == "pending", f"{label}: order {order['number']} should still be pending at the kill, is {status}"
    assert shop.stock(product) == reserved_stock, f"{label}: stock {reserved_stock} wanted at the kill, is {shop.stock(product)}"
    kill_hard(instance)
    shop = restart(platforms, instance)
    figure(assert_settled(shop, shop.admin(), label, [(buyer, order)], 1, product, 3))
    platforms.stop(instance)


def test_sigkill_after_a_burst_of_checkouts(platforms, figure):
    """Nothing held: ten concurrent checkouts for six units, killed as soon as they answered."""
    label = "burst"
    instance = platforms.start(label, QUIET_ENV)
    shop = Shop(instance.base_url)
    product = shop.product(shop.admin(), stock=6)
    buyers = [shop.buyer(product, quantity=1) for _ in range(10)]
    answers = [None] * len(buyers)

    def place(index):
        answers[index] = shop.checkout(buyers[index])
    threads = [threading.Thread(target=place, args=(i,)) for i in range(len(buyers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kill_hard(instance)
    placed = [(buyers[i], answers[i].json) for i in range(len(buyers)) if answers[i].status == 201]
    # A checkout that arrives after the six units are reserved is refused at once (409): fine.
    odd = [a.describe() for a in answers if a.status != 201 and not sold_out(a)]
    assert not odd and len(placed) >= 6, f"{label}: every checkout should answer 201 or 409 sold out before the SIGKILL, " \
                                         f"at least 6 placed ({len(placed)}): " + "; ".join(odd)
    shop = restart(platforms, instance)
    figure(assert_settled(shop, shop.admin(), label, placed, 6, product, 0))
    platforms.stop(instance)


def test_sigkill_in_the_middle_of_a_campaign(platforms, figure):
    """A newsletter campaign to 1,000 confirmed subscribers, killed mid-send (batches of 50 with a
    pause, so that the kill lands inside it)."""
    label = "campaign"
    instance = platforms.start(label, {**QUIET_ENV, "COMPTOIR_CAMPAIGN_BATCH_SIZE": "50", "COMPTOIR_CAMPAIGN_BATCH_PAUSE": "200ms"})
    shop = Shop(instance.base_url)
    client = shop.client
    admin = shop.admin()
    addresses = [f"reader-{i:04d}@example.com" for i in range(SUBSCRIBERS)]
    for address in addresses:
        shop.must(client.post("/api/v1/newsletters/subscriptions", {"email": address}), 202, "subscribe")
    tokens = []
    page = 1
    while True:
        log = shop.must(client.get(f"/api/v1/newsletters/mails?reason=newsletters.subscription.requested&per_page=100&page={page}",
                                   token=admin), 200, "mail log")
        tokens += [re.search(r"token=([A-Za-z0-9_\-.]+)", m["body_text"]).group(1) for m in log["items"]]
        if page * 100 >= log["total"]:
            break
        page += 1
    for token in tokens:
        shop.must(client.get(f"/api/v1/newsletters/subscriptions/confirm?token={token}"), 200, "confirm")
    assert len(tokens) == SUBSCRIBERS, f"{label}: {SUBSCRIBERS} subscribers should be confirmed by their mailed links, {len(tokens)} tokens"
    template = shop.must(client.post("/api/v1/newsletters/templates", {
        "name": "Crash sale", "subject": "Crash sale", "text": "Hello {{email}}, everything must go.\nLeave: {{unsubscribe_url}}"}, token=admin),
        201, "template")["id"]
    campaign = shop.must(client.post("/api/v1/newsletters/campaigns", {"subject": "Crash sale for {{email}}", "template_id": template},
                                     token=admin), 201, "campaign")["id"]
    shop.must(client.post(f"/api/v1/newsletters/campaigns/{campaign}/send", token=admin), 202, "send")

    def sent_mid_campaign():
        sent = shop.must(client.get(f"/api/v1/newsletters/campaigns/{campaign}", token=admin), 200, "campaign")["sent_count"]
        return sent if SUBSCRIBERS * 3 // 10 <= sent < SUBSCRIBERS else None
    killed_at = eventually(sent_mid_campaign, 60, f"{label}: the campaign between 30 % and 100 % sent")
    kill_hard(instance)
    figure(f"{label}: SIGKILL with {killed_at} of {SUBSCRIBERS} mails sent")

    shop = restart(platforms, instance)
    client = shop.client
    admin = shop.admin()

    def campaign_sent():
        state = shop.must(client.get(f"/api/v1/newsletters/campaigns/{campaign}", token=admin), 200, "campaign")
        return state if state["status"] == "sent" else None
    done = eventually(campaign_sent, 120, f"{label}: the campaign sent after the restart")
    assert done["sent_count"] == SUBSCRIBERS, f"{label}: sent_count {SUBSCRIBERS} wanted after the restart: {done}"
    mail_dir = os.path.join(instance.data_dir, "mail")
    strays = [name for name in os.listdir(mail_dir) if not name.endswith(".eml")]
    assert not strays, f"{label}: the mail folder should hold only whole .eml files: {strays[:5]}"
    received, without_unsubscribe = {}, 0
    for name in os.listdir(mail_dir):
        with open(os.path.join(mail_dir, name), "rb") as f:
            message = email.message_from_binary_file(f)
        if (message["Subject"] or "").startswith("Crash sale for "):
            received[message["To"]] = received.get(message["To"], 0) + 1
            without_unsubscribe += message["List-Unsubscribe"] is None
    assert sorted(received) == sorted(addresses) and set(received.values()) == {1}, \
        f"{label}: each of the {SUBSCRIBERS} subscribers should get exactly one mail: " \
        f"{len(received)} recipients, counts {sorted(set(received.values()))}"
    assert without_unsubscribe == 0, f"{label}: {without_unsubscribe} campaign mails without List-Unsubscribe"
    figure(f"{label}: {len(received)} subscribers, one mail each, after the restart")
    platforms.stop(instance)
