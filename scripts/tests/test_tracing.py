"""Tracing from outside: one checkout is one connected trace across the gateway and the services.

The platform exports its spans over OTLP/HTTP (COMPTOIR_OTLP_ENDPOINT) to the receiver of
otlp_receiver.py, which parses the real protobuf payload. A customer checks out (register, basket,
address, POST /api/v1/orders) and, once the order is confirmed and its confirmation mail sent, the
trace must hold, under one trace id, the gateway's server span, its call to orders, orders' server
span, and the saga through the event bus, reconstructed from the parents alone:

    publish orders.order.placed (orders, PRODUCER) -> process orders.order.placed (products, CONSUMER)
    -> publish products.stock.reserved (products) -> process products.stock.reserved (orders)
    -> publish orders.order.confirmed (orders) -> process orders.order.confirmed (baskets, deliveries, newsletters)

each consumer span linked to its producer span; every non-root span's parent in the trace; server
spans with http.route and http.response.status_code; db.transaction spans; and the platform's JSON
log lines of the checkout carrying the trace id. The same over RabbitMQ (it needs the servers),
with the trace id chosen by the caller (traceparent) or by the gateway; and nothing exported when
tracing is off, nor for unsampled requests when COMPTOIR_TRACE_SAMPLING=0.
"""

import json
import os
import time
import uuid

import pytest

from harness import eventually
from otlp_receiver import OTLPReceiver
from purchases import Shop

SPAN_TIMEOUT = 20.0           # seconds for the spans of a settled checkout to reach the receiver
SETTLE_TIMEOUT = 30.0
RESOURCE_ATTRIBUTES = {"deployment.environment": "pytest", "comptoir.test": "tracing"}
TRACE_ENV = {
    "COMPTOIR_TRACE_SAMPLING": "1",
    "OTEL_BSP_SCHEDULE_DELAY": "200",
    "COMPTOIR_TRACE_RESOURCE_ATTRIBUTES": ",".join(f"{k}={v}" for k, v in RESOURCE_ATTRIBUTES.items()),
    "COMPTOIR_RATE_LIMIT_IP": "100000/1s", "COMPTOIR_RATE_LIMIT_USER": "100000/1s",
}
GATEWAY = "comptoir-gateway"
SERVICES_IN_A_CHECKOUT = ["comptoir-gateway", "comptoir-orders", "comptoir-products", "comptoir-baskets",
                          "comptoir-deliveries", "comptoir-newsletters"]
CONFIRMED_CONSUMERS = ["comptoir-baskets", "comptoir-deliveries", "comptoir-newsletters"]
# (service, span name) the saga leaves, in order; the receiver waits for all of them.
SAGA_SPANS = [
    ("comptoir-orders", "publish orders.order.placed"),
    ("comptoir-products", "process orders.order.placed"),
    ("comptoir-products", "publish products.stock.reserved"),
    ("comptoir-orders", "process products.stock.reserved"),
    ("comptoir-orders", "publish orders.order.confirmed"),
] + [(service, "process orders.order.confirmed") for service in CONFIRMED_CONSUMERS]


def new_traceparent():
    trace_id, span_id = os.urandom(16).hex(), os.urandom(8).hex()
    return trace_id, span_id, f"00-{trace_id}-{span_id}-01"


# ---------------------------------------------------------------------------
# The journey
# ---------------------------------------------------------------------------

def checkout(instance, label, traceparent=None):
    """A product, a customer with it in the basket and an address, POST /api/v1/orders (with
    `traceparent` when given); waits until the order is confirmed and its confirmation mail sent.
    Returns (shop, admin, product, buyer, order)."""
    shop = Shop(instance.base_url)
    admin = shop.admin()
    product = shop.product(admin, stock=5)
    buyer = shop.buyer(product, quantity=1)
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    if traceparent:
        headers["traceparent"] = traceparent
    response = shop.client.post("/api/v1/orders", {"shipping_address_id": buyer["address"]}, token=buyer["token"], headers=headers)
    order = shop.must(response, 201, f"{label}: checkout")
    status = eventually(lambda: (lambda s: s if s != "pending" else None)(shop.order(buyer, order["id"])["status"]), SETTLE_TIMEOUT,
                        f"{label}: order {order['number']} settled")
    assert status == "confirmed", f"{label}: order {order['number']} should be confirmed, is {status}"
    eventually(lambda: shop.confirmation_mails(admin, buyer, order["number"]), SETTLE_TIMEOUT,
               f"{label}: the confirmation mail of order {order['number']}")
    return shop, admin, product, buyer, order


# ---------------------------------------------------------------------------
# One trace, as received
# ---------------------------------------------------------------------------

class Trace:
    def __init__(self, spans, caller_span_id=None):
        self.spans = spans
        self.caller_span_id = caller_span_id or ""
        self.by_id = {}
        self.duplicates = []
        for span in spans:
            if span["span_id"] in self.by_id:
                self.duplicates.append(span["span_id"])
            self.by_id[span["span_id"]] = span

    @property
    def trace_id(self):
        return self.spans[0]["trace_id"] if self.spans else None

    def services(self):
        return {s["service"] for s in self.spans}

    def find(self, service=None, name=None, kind=None):
        return [s for s in self.spans if (service is None or s["service"] == service) and (name is None or s["name"] == name)
                and (kind is None or s["kind"] == kind)]

    def one(self, service, name, kind=None):
        found = self.find(service, name, kind)
        assert len(found) == 1, (f"one {kind or ''} span {name!r} in {service} wanted in trace {self.trace_id}, found {len(found)}\n"
                                 + self.render())
        return found[0]

    def parent(self, span):
        return self.by_id.get(span["parent_span_id"])

    def is_root(self, span):
        return span["parent_span_id"] in ("", self.caller_span_id)

    def roots(self):
        return [s for s in self.spans if self.is_root(s)]

    def orphans(self):
        """Spans whose parent is neither the caller's span nor in the trace."""
        return [s for s in self.spans if not self.is_root(s) and s["parent_span_id"] not in self.by_id]

    def ancestors(self, span):
        seen, chain = set(), []
        while span is not None and span["parent_span_id"] and span["span_id"] not in seen:
            seen.add(span["span_id"])
            span = self.parent(span)
            if span is not None:
                chain.append(span)
        return chain

    def descends(self, span, ancestor):
        return any(a["span_id"] == ancestor["span_id"] for a in self.ancestors(span))

    def children(self, span):
        return [s for s in self.spans if s["parent_span_id"] == span["span_id"]]

    def descendants(self, span):
        return [s for s in self.spans if self.descends(s, span)]

    def render(self, limit=150):
        """The trace as an indented tree, for failure messages."""
        lines = []

        def walk(span, depth):
            if len(lines) >= limit:
                return
            status = span["attributes"].get("http.response.status_code", "")
            lines.append(f"{'  ' * depth}{span['service']} {span['kind']} {span['name']!r} {status} "
                         f"[{span['span_id']} <- {span['parent_span_id'] or '-'}]"
                         + (f" links {[l['span_id'] for l in span['links']]}" if span["links"] else ""))
            for child in sorted(self.children(span), key=lambda s: s["start_ns"]):
                walk(child, depth + 1)

        for span in sorted(self.roots() + self.orphans(), key=lambda s: s["start_ns"]):
            walk(span, 0)
        shown = f"trace {self.trace_id}: {len(self.spans)} spans" + (f" (first {limit} lines)" if len(lines) >= limit else "")
        return shown + "\n" + "\n".join(lines)


def gateway_checkout_spans(spans):
    """The gateway's server spans of POST /api/v1/orders (the trace id when the caller sent none)."""
    return [s for s in spans if s["service"] == GATEWAY and s["kind"] == "SERVER" and s["attributes"].get("url.path") == "/api/v1/orders"
            and s["attributes"].get("http.request.method") == "POST"]


def complete(spans, trace_id):
    """Whether the saga's spans of `trace_id` have all arrived."""
    have = {(s["service"], s["name"]) for s in spans if s["trace_id"] == trace_id}
    return all(wanted in have for wanted in SAGA_SPANS) and any(s["trace_id"] == trace_id for s in gateway_checkout_spans(spans))


def receive_trace(receiver, label, trace_id=None, caller_span_id=None):
    """Waits (SPAN_TIMEOUT) for the saga's spans; without `trace_id`, the trace is the one of the
    gateway's server span of the checkout. Returns the Trace, once late spans had a moment to come."""
    if trace_id is None:
        found = receiver.wait_for(gateway_checkout_spans, SPAN_TIMEOUT)
        assert found, (f"{label}: no server span of POST /api/v1/orders from {GATEWAY} within {SPAN_TIMEOUT:g} s; "
                       f"received {len(receiver.spans())} spans: {sorted({(s['service'], s['name']) for s in receiver.spans()})[:40]}")
        assert len(found) == 1, f"{label}: one gateway server span of the checkout wanted, {len(found)}: {found}"
        trace_id = found[0]["trace_id"]
        assert found[0]["parent_span_id"] == "", f"{label}: without a traceparent the gateway's server span is a root: {found[0]}"
    done = receiver.wait_for(lambda spans: complete(spans, trace_id), SPAN_TIMEOUT)
    # Spans that end after the last consumer's (mail.send, deliveries' publication) come in the next batches.
    time.sleep(1.5)
    trace = Trace(receiver.spans(trace_id), caller_span_id)
    if not done:
        have = {(s["service"], s["name"]) for s in trace.spans}
        missing = [w for w in SAGA_SPANS if w not in have]
        raise AssertionError(f"{label}: within {SPAN_TIMEOUT:g} s the trace {trace_id} lacks {missing}; other traces received: "
                             f"{len(receiver.trace_ids()) - 1}\n{trace.render()}")
    return trace


def check_checkout_trace(trace, label, messaging_system):
    """Everything the spec says about the trace of one checkout; returns a line of figures."""
    assert not trace.duplicates, f"{label}: span ids received twice: {trace.duplicates}"
    services = trace.services()
    missing = [s for s in SERVICES_IN_A_CHECKOUT if s not in services]
    assert not missing, f"{label}: trace {trace.trace_id} should hold spans of {missing} too (has {sorted(services)})\n{trace.render()}"

    # One root: the gateway's server span (child of the caller's span when there was a traceparent).
    roots = trace.roots()
    checkout_spans = gateway_checkout_spans(trace.spans)
    assert len(checkout_spans) == 1, f"{label}: one gateway server span of POST /api/v1/orders, found {len(checkout_spans)}\n{trace.render()}"
    gateway_server = checkout_spans[0]
    assert [s["span_id"] for s in roots] == [gateway_server["span_id"]], \
        f"{label}: the gateway's server span should be the only root, roots are {[(s['service'], s['name']) for s in roots]}\n{trace.render()}"
    orphans = trace.orphans()
    assert not orphans, (f"{label}: every non-root span's parent should be in the trace; parents missing for "
                         f"{[(s['service'], s['name'], s['parent_span_id']) for s in orphans]}\n{trace.render()}")

    # gateway SERVER -> gateway CLIENT orders -> orders SERVER.
    proxy = [s for s in trace.children(gateway_server) if s["kind"] == "CLIENT" and s["attributes"].get("peer.service") == "orders"]
    assert len(proxy) == 1 and proxy[0]["service"] == GATEWAY and proxy[0]["name"] == "POST orders", \
        f"{label}: the gateway's server span should have one CLIENT child 'POST orders' with peer.service=orders: {proxy}\n{trace.render()}"
    orders_server = [s for s in trace.children(proxy[0]) if s["service"] == "comptoir-orders" and s["kind"] == "SERVER"]
    assert len(orders_server) == 1, f"{label}: the gateway's call to orders should have orders' server span as its child\n{trace.render()}"
    orders_server = orders_server[0]

    # Server spans: name "<METHOD> <route>", the route template, the status, no 5xx; client calls: their callee's server span below.
    for span in trace.find(kind="SERVER"):
        a = span["attributes"]
        for key in ("http.request.method", "http.route", "url.path", "http.response.status_code"):
            assert key in a, f"{label}: server span {span['service']} {span['name']!r} lacks {key}: {a}"
        assert span["name"] == f"{a['http.request.method']} {a['http.route']}", \
            f"{label}: server span name {span['name']!r} should be '<METHOD> <route>' ({a['http.request.method']} {a['http.route']})"
        assert isinstance(a["http.response.status_code"], int) and a["http.response.status_code"] < 500 and span["status"]["code"] != "ERROR", \
            f"{label}: server span {span['service']} {span['name']!r}: status {a['http.response.status_code']}, {span['status']}"
    assert gateway_server["attributes"]["http.response.status_code"] == 201 and orders_server["attributes"]["http.response.status_code"] == 201, \
        f"{label}: the checkout's server spans should carry 201: {gateway_server['attributes']}, {orders_server['attributes']}"
    for span in trace.find(kind="CLIENT"):
        peer = span["attributes"].get("peer.service")
        if peer is None:
            continue
        assert "http.response.status_code" in span["attributes"] and span["name"].endswith(f" {peer}"), \
            f"{label}: client span {span['service']} {span['name']!r} should be '<METHOD> {peer}' with http.response.status_code: {span['attributes']}"
        callee = [c for c in trace.children(span) if c["kind"] == "SERVER" and c["service"] == f"comptoir-{peer}"]
        assert callee, f"{label}: the call {span['service']} {span['name']!r} should have comptoir-{peer}'s server span as its child\n{trace.render()}"
    called = {s["attributes"].get("peer.service") for s in trace.descendants(orders_server) if s["kind"] == "CLIENT"}
    assert {"baskets", "addresses"} <= called, \
        f"{label}: orders' checkout should call baskets and addresses (CLIENT spans with peer.service), calls {sorted(filter(None, called))}\n{trace.render()}"

    # The saga through the bus, by parents: producer -> consumer, each consumer linked to its producer.
    placed = trace.one("comptoir-orders", "publish orders.order.placed", "PRODUCER")
    assert trace.descends(placed, orders_server), f"{label}: 'publish orders.order.placed' should descend from orders' server span of the checkout\n{trace.render()}"
    reserved_in = trace.one("comptoir-products", "process orders.order.placed", "CONSUMER")
    reserved = trace.one("comptoir-products", "publish products.stock.reserved", "PRODUCER")
    confirmed_in = trace.one("comptoir-orders", "process products.stock.reserved", "CONSUMER")
    confirmed = trace.one("comptoir-orders", "publish orders.order.confirmed", "PRODUCER")
    consumers = [trace.one(service, "process orders.order.confirmed", "CONSUMER") for service in CONFIRMED_CONSUMERS]
    steps = [(placed, reserved_in), (reserved, confirmed_in), (confirmed, consumers[0]), (confirmed, consumers[1]), (confirmed, consumers[2])]
    for producer, consumer in steps:
        assert consumer["parent_span_id"] == producer["span_id"], \
            f"{label}: {consumer['service']} {consumer['name']!r} should be a child of {producer['service']} {producer['name']!r}\n{trace.render()}"
        assert any(l["span_id"] == producer["span_id"] and l["trace_id"] == trace.trace_id for l in consumer["links"]), \
            f"{label}: {consumer['service']} {consumer['name']!r} should link to {producer['name']!r} ({producer['span_id']}): {consumer['links']}"
    for consumer, producer in ((reserved_in, reserved), (confirmed_in, confirmed)):
        assert trace.descends(producer, consumer), \
            f"{label}: {producer['service']} {producer['name']!r} should descend from {consumer['service']} {consumer['name']!r}\n{trace.render()}"
    for producer in (placed, reserved, confirmed):
        a = producer["attributes"]
        event_type = producer["name"].split(" ", 1)[1]
        assert (a.get("messaging.system") == messaging_system and str(a.get("messaging.destination.name", "")).endswith("comptoir.events")
                and a.get("messaging.rabbitmq.destination.routing_key") == event_type and a.get("messaging.message.id")), \
            f"{label}: {producer['name']!r} attributes (messaging.system {messaging_system}, destination comptoir.events, routing key, message id): {a}"
        parent = trace.parent(producer)
        assert any(l["span_id"] == parent["span_id"] for l in producer["links"]), \
            f"{label}: {producer['name']!r} should link to the stored context it is the child of ({parent['name']!r} {parent['span_id']}): {producer['links']}"

    # Database transactions.
    transactions = trace.find(name="db.transaction")
    assert transactions and all(t["kind"] == "CLIENT" and t["attributes"].get("db.system.name") == "sqlite" for t in transactions), \
        f"{label}: db.transaction spans (CLIENT, db.system.name sqlite) wanted: {[(t['service'], t['kind'], t['attributes']) for t in transactions][:5]}"
    in_services = {t["service"] for t in transactions}
    assert {"comptoir-orders", "comptoir-products"} <= in_services, f"{label}: db.transaction spans in orders and products wanted, in {sorted(in_services)}"

    # The resource: COMPTOIR_TRACE_RESOURCE_ATTRIBUTES on every component's spans.
    wrong = {s["service"] for s in trace.spans if any(s["resource"].get(k) != v for k, v in RESOURCE_ATTRIBUTES.items())}
    assert not wrong, f"{label}: spans of {sorted(wrong)} lack the resource attributes {RESOURCE_ATTRIBUTES}"

    # What follows the confirmation: deliveries publishes, newsletters mails.
    delivery = trace.one("comptoir-deliveries", "publish deliveries.delivery.created", "PRODUCER")
    assert trace.descends(delivery, consumers[1]), f"{label}: 'publish deliveries.delivery.created' should descend from deliveries' consumer\n{trace.render()}"
    mails = trace.find("comptoir-newsletters", "mail.send", "CLIENT")
    assert mails, f"{label}: newsletters' mail.send span (CLIENT) should be in the trace\n{trace.render()}"
    return (f"{label}: trace {trace.trace_id}: {len(trace.spans)} spans from {len(services)} components, "
            f"{len(trace.find(kind='SERVER'))} server, {len(trace.find(kind='CLIENT'))} client, {len(transactions)} db.transaction")


def check_log_lines(instance, label, trace_id):
    """The JSON log lines of the checkout's requests (gateway and orders) carry its trace id."""
    with open(instance.log_path, "rb") as f:
        lines = f.read().decode("utf-8", "replace").splitlines()
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    checkout_lines = [r for r in records if r.get("message") == "request" and r.get("method") == "POST"
                      and str(r.get("path", "")).rstrip("/").endswith("/orders")]
    assert len(checkout_lines) >= 2, f"{label}: access-log lines of POST /api/v1/orders from the gateway and orders wanted: {checkout_lines}"
    wrong = [r for r in checkout_lines if r.get("trace_id") != trace_id or len(str(r.get("span_id", ""))) != 16]
    assert not wrong, f"{label}: the checkout's log lines should carry trace_id {trace_id} and a span_id: {wrong}"
    traced = [r for r in records if r.get("trace_id") == trace_id]
    return f"{label}: {len(traced)} log lines carry trace_id {trace_id} ({len({r.get('logger') for r in traced})} loggers)"


def assert_clean_receiver(receiver, label):
    assert not receiver.problems, f"{label}: the receiver refused requests: {receiver.problems}"


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("caller", ["traceparent", "none"])
def test_a_checkout_is_one_connected_trace(caller, otlp_receiver, platforms, figure):
    label = f"in-process, {caller}"
    instance = platforms.start("tracing", {**TRACE_ENV, "COMPTOIR_OTLP_ENDPOINT": otlp_receiver.endpoint})
    trace_id, caller_span, traceparent = new_traceparent() if caller == "traceparent" else (None, None, None)
    checkout(instance, label, traceparent)
    trace = receive_trace(otlp_receiver, label, trace_id, caller_span)
    if trace_id:
        assert trace.trace_id == trace_id
    figure(check_checkout_trace(trace, label, "in_process"))
    figure(check_log_lines(instance, label, trace.trace_id))
    assert_clean_receiver(otlp_receiver, label)
    figure(f"{label}: {len(otlp_receiver.exports)} exports, {sum(e[2] for e in otlp_receiver.exports)} bytes, "
           f"encodings {sorted({e[1] for e in otlp_receiver.exports})}")
    platforms.stop(instance)


@pytest.mark.servers
def test_a_checkout_over_rabbitmq_is_one_connected_trace(amqp_namespace, otlp_receiver, platforms, figure):
    label = "rabbitmq"
    url, namespace = amqp_namespace
    instance = platforms.start("tracing-amqp", {**TRACE_ENV, "COMPTOIR_OTLP_ENDPOINT": otlp_receiver.endpoint,
                                                "COMPTOIR_AMQP_URL": url, "COMPTOIR_AMQP_NAMESPACE": namespace})
    trace_id, caller_span, traceparent = new_traceparent()
    checkout(instance, label, traceparent)
    trace = receive_trace(otlp_receiver, label, trace_id, caller_span)
    figure(check_checkout_trace(trace, label, "rabbitmq"))
    figure(check_log_lines(instance, label, trace_id))
    assert_clean_receiver(otlp_receiver, label)
    platforms.stop(instance)


@pytest.fixture
def default_port_receiver():
    """A receiver on OTLP/HTTP's default port 4318 when it is free (so that an exporter left on by
    default would be caught), else on a free port."""
    try:
        receiver = OTLPReceiver(port=4318).start()
    except OSError:
        receiver = OTLPReceiver().start()
    yield receiver
    receiver.stop()


def test_tracing_off_sends_nothing(default_port_receiver, platforms, figure):
    label = "off"
    instance = platforms.start("tracing-off", {"COMPTOIR_TRACE_SAMPLING": "1", "OTEL_BSP_SCHEDULE_DELAY": "200"})
    _, _, traceparent = new_traceparent()
    checkout(instance, label, traceparent)
    time.sleep(3.0)  # fifteen export periods
    assert not default_port_receiver.exports and not default_port_receiver.problems, \
        (f"{label}: without COMPTOIR_OTLP_ENDPOINT nothing should be exported (receiver on port {default_port_receiver.port}): "
         f"{len(default_port_receiver.spans())} spans, {default_port_receiver.problems}")
    figure(f"{label}: a whole checkout, nothing received on port {default_port_receiver.port}")
    platforms.stop(instance)


def test_sampling_zero_keeps_only_sampled_parents(otlp_receiver, platforms, figure):
    """COMPTOIR_TRACE_SAMPLING=0 is parent-based: a checkout without traceparent exports no span,
    a request whose caller sampled it is traced."""
    label = "sampling 0"
    instance = platforms.start("tracing-zero", {**TRACE_ENV, "COMPTOIR_TRACE_SAMPLING": "0", "COMPTOIR_OTLP_ENDPOINT": otlp_receiver.endpoint})
    shop, _, product, _, _ = checkout(instance, label)
    time.sleep(3.0)
    spans = otlp_receiver.spans()
    assert not spans, f"{label}: nothing sampled, nothing should be exported: {sorted({(s['service'], s['name']) for s in spans})[:20]}"
    trace_id, caller_span, traceparent = new_traceparent()
    r = shop.client.get(f"/api/v1/products/{product}", headers={"traceparent": traceparent})
    assert r.status == 200, f"{label}: GET /api/v1/products/{{id}}: {r.describe()}"
    def through(spans):
        # The gateway's server span ends last: once it is there with products' server span below, the trace is whole.
        trace = Trace([x for x in spans if x["trace_id"] == trace_id], caller_span)
        return (trace.find("comptoir-products", kind="SERVER") and [r["service"] for r in trace.roots()] == [GATEWAY]
                and not trace.orphans())
    got = otlp_receiver.wait_for(through, SPAN_TIMEOUT)
    trace = Trace(otlp_receiver.spans(trace_id), caller_span)
    assert got, f"{label}: a request with a sampled traceparent is traced from the gateway through to products\n{trace.render()}"
    assert {s["trace_id"] for s in otlp_receiver.spans()} == {trace_id}, f"{label}: only the sampled request's trace should be exported"
    assert_clean_receiver(otlp_receiver, label)
    figure(f"{label}: a checkout exported nothing; a sampled GET gave {len(trace.spans)} spans")
    platforms.stop(instance)
