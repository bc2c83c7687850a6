"""The scenarios of bench/run. Each is a function of the `Run` (options, binary, report, lazily
started servers) registered in SCENARIOS; each measures its anchor in the same run.
Shapes: `embedded` is one process on SQLite with the in-process bus; `cluster` is every other
shape (separate processes for `product`, PostgreSQL + Redis + RabbitMQ for `mix`, the three
non-SQLite/in-process shapes for `saga`)."""

import asyncio
import json
import os
import random
import shutil
import subprocess
import time
import uuid

from . import load, platform, servers
from .common import check_stop, free_port, log, spawn, stop, tail, temp_dir, wait_until
from .platform import Platform, cluster_env, seed_products, seed_shoppers
from harness import http_status  # noqa: E402 (scripts/ is on the path: see common)

PRODUCT_COUNT = 30
LISTING_PRODUCTS = 200
STOREFRONT = os.path.join("Sources", "Gateway", "Storefront")
STATIC_PATHS = ["/", "/app.js", "/style.css", "/kit.js", "/kit.css"]
SCENARIOS = {}


def scenario(name):
    def register(function):
        SCENARIOS[name] = function
        return function
    return register


def wants(run, shape):
    """Whether --shape asks for `shape` (embedded or cluster)."""
    return run.args.shape in (shape, "both")


def measure(run, scenario_name, shape, case, base_url, paths, headers=None):
    """One wrk case (warm-up, then --duration s), added to the report; returns its figures."""
    check_stop()
    log(f"{scenario_name} / {shape} / {case}: wrk -c{run.args.connections} {run.args.duration}s")
    figures = load.wrk_measure(base_url, paths, run.args.duration, run.args.connections, headers)
    run.report.row(scenario_name, shape, case, figures)
    return figures


# ---------------------------------------------------------------------------
# product reads: direct, nginx, gateway
# ---------------------------------------------------------------------------

@scenario("product")
def product(run):
    """GET product by id over 30 products: direct to products, nginx in front of it, the gateway;
    embedded (one process) and separate (gateway, products, websites, auth processes)."""
    shapes = [("embedded", Platform.embedded)] if wants(run, "embedded") else []
    if wants(run, "cluster"):
        shapes.append(("separate", Platform.separate))
    for shape, start in shapes:
        with start(run.binary, f"product {shape}") as shop:
            ids = seed_products(shop.gateway_url, PRODUCT_COUNT)
            headers = {"X-Comptoir-Website-Id": shop.website_id}
            service_paths = [f"/products/{i}" for i in ids]
            direct = measure(run, "product", shape, "direct (products service)", shop.service_urls["products"],
                             service_paths, headers)
            proxy = servers.start_nginx(upstream_port=int(shop.service_urls["products"].rsplit(":", 1)[1]))
            try:
                nginx = measure(run, "product", shape, "nginx -> products", proxy.url, service_paths, headers)
            finally:
                proxy.stop()
            gateway = measure(run, "product", shape, "gateway", shop.gateway_url, [f"/api/v1/products/{i}" for i in ids])
            run.report.ratio(f"product {shape}: gateway / nginx", gateway["rps"], nginx["rps"])
            run.report.ratio(f"product {shape}: gateway / direct", gateway["rps"], direct["rps"])
            if shape == "embedded":
                run.anchors["direct product"] = direct


def direct_product_anchor(run):
    """The embedded direct product read of this run, measured now if `product` did not run."""
    if "direct product" not in run.anchors:
        with Platform.embedded(run.binary, "product anchor") as shop:
            ids = seed_products(shop.gateway_url, PRODUCT_COUNT)
            run.anchors["direct product"] = measure(run, "ceiling", "embedded", "direct (products service)",
                                                    shop.service_urls["products"], [f"/products/{i}" for i in ids],
                                                    {"X-Comptoir-Website-Id": shop.website_id})
    return run.anchors["direct product"]


# ---------------------------------------------------------------------------
# the Hummingbird ceiling
# ---------------------------------------------------------------------------

def ceiling_binary(run):
    """bench/ceiling's release executable, built now (under the shared swift lock) unless
    --ceiling-binary names one."""
    if run.args.ceiling_binary:
        return os.path.abspath(run.args.ceiling_binary)
    package = os.path.join(run.bench_dir, "ceiling")
    log("building bench/ceiling (release)")
    build = ["flock", run.args.swift_lock, "swift", "build", "-c", "release", "--package-path", package]
    completed = subprocess.run(build, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"bench/ceiling did not build:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return os.path.join(package, ".build", "release", "Ceiling")


@scenario("ceiling")
def ceiling(run):
    """The Hummingbird JSON route of bench/ceiling against the direct product read."""
    binary = ceiling_binary(run)
    direct = direct_product_anchor(run)
    root = temp_dir("ceiling")
    port = free_port()
    process = spawn("ceiling", [binary, str(port)], os.path.join(root, "ceiling.log"))
    try:
        wait_until(lambda: http_status(f"http://127.0.0.1:{port}/health", timeout=2.0) == 200, 30,
                   f"ceiling ({tail(os.path.join(root, 'ceiling.log'))})")
        paths = [f"/products/{uuid.uuid4()}" for _ in range(PRODUCT_COUNT)]
        top = measure(run, "ceiling", "embedded", "Hummingbird JSON route", f"http://127.0.0.1:{port}", paths)
    finally:
        stop(process)
    run.report.ratio("direct product / ceiling", direct["rps"], top["rps"])


# ---------------------------------------------------------------------------
# listing, search, categories; static files
# ---------------------------------------------------------------------------

LISTING_CASES = [
    ("listing page 1", lambda: ["/products?per_page=20"]),
    ("listing pages 1-10", lambda: [f"/products?per_page=20&page={p}" for p in range(1, 11)]),
    ("listing by category", lambda: [f"/products?per_page=20&category={c}" for c in platform.CATEGORIES]),
    ("search", lambda: [f"/products?q={w}&per_page=20" for w in platform.WORDS]),
    ("categories", lambda: ["/categories"]),
]


@scenario("listing")
def listing(run):
    """Product lists, search and categories over 200 products, through the gateway and (the
    anchor) straight to the products service; embedded."""
    with Platform.embedded(run.binary, "listing embedded") as shop:
        seed_products(shop.gateway_url, LISTING_PRODUCTS)
        headers = {"X-Comptoir-Website-Id": shop.website_id}
        for case, paths in LISTING_CASES:
            measure(run, "listing", "embedded", f"{case}: gateway", shop.gateway_url, ["/api/v1" + p for p in paths()])
            measure(run, "listing", "embedded", f"{case}: direct", shop.service_urls["products"], paths(), headers)


@scenario("static")
def static(run):
    """The storefront's files through the gateway against nginx serving a copy of them."""
    root = temp_dir("static")
    files = os.path.join(root, "www")
    shutil.copytree(os.path.join(run.repo_root, STOREFRONT), files)
    web = servers.start_nginx(static_root=files)
    try:
        with Platform.embedded(run.binary, "static embedded") as shop:
            gateway = measure(run, "static", "embedded", "storefront files: gateway", shop.gateway_url, STATIC_PATHS)
            nginx = measure(run, "static", "embedded", "storefront files: nginx", web.url, STATIC_PATHS)
    finally:
        web.stop()
    run.report.ratio("static: gateway / nginx", gateway["rps"], nginx["rps"])


# ---------------------------------------------------------------------------
# authenticated reads
# ---------------------------------------------------------------------------

AUTH_SHOPPERS = 8


@scenario("auth-reads")
def auth_reads(run):
    """The caller's basket and order list with a bearer token, 8 users each with a basket line
    and 2 orders, through the gateway and straight to the baskets and orders services; embedded."""
    with Platform.embedded(run.binary, "auth-reads embedded") as shop:
        ids = seed_products(shop.gateway_url, PRODUCT_COUNT)
        shoppers = seed_shoppers(shop.gateway_url, AUTH_SHOPPERS, ids, orders=2)
        for case, service, path in (("basket", "baskets", "/baskets/mine"), ("order list", "orders", "/orders")):
            signed = [(f"/api/v1{path}", {"Authorization": f"Bearer {s['token']}"}) for s in shoppers]
            measure(run, "auth-reads", "embedded", f"{case}: gateway", shop.gateway_url, signed)
            direct = [(path, {"Authorization": f"Bearer {s['token']}", "X-Comptoir-Website-Id": shop.website_id}) for s in shoppers]
            measure(run, "auth-reads", "embedded", f"{case}: direct", shop.service_urls[service], direct)


# ---------------------------------------------------------------------------
# the storefront mix, open loop
# ---------------------------------------------------------------------------

MIX_WEIGHTS = [("browse", 30), ("search", 15), ("product", 40), ("basket add", 10), ("checkout", 5)]
CHECKOUT_COOLDOWN = 5.0  # s after a checkout before the shopper's basket is used again (the saga empties it)


class MixPlan:
    """What request i of the mix is: the kinds in a fixed shuffled cycle of 100 slots, and the
    shoppers' baskets tracked so a checkout always finds a line and a basket add never lands in a
    basket the saga is about to empty."""

    def __init__(self, ids, shoppers):
        cycle = [kind for kind, weight in MIX_WEIGHTS for _ in range(weight)]
        random.Random(7).shuffle(cycle)
        self.cycle = cycle
        self.ids = ids
        self.shoppers = [dict(s, lines=0, busy=False, resume=0.0) for s in shoppers]
        self.cursor = 0

    def __call__(self, i):
        kind = self.cycle[i % len(self.cycle)]
        if kind == "browse":
            return kind, "GET", f"/api/v1/products?per_page=20&page={1 + i % 10}", b"", {}, None
        if kind == "search":
            return kind, "GET", f"/api/v1/products?q={platform.WORDS[i % len(platform.WORDS)]}&per_page=20", b"", {}, None
        if kind == "product":
            return kind, "GET", f"/api/v1/products/{self.ids[i % len(self.ids)]}", b"", {}, None
        if kind == "basket add":
            return self.basket_add(i)
        return self.checkout()

    def pick(self, predicate):
        now = time.monotonic()
        for _ in range(len(self.shoppers)):
            self.cursor = (self.cursor + 1) % len(self.shoppers)
            shopper = self.shoppers[self.cursor]
            if not shopper["busy"] and shopper["resume"] <= now and predicate(shopper):
                return shopper
        return None

    def basket_add(self, i):
        shopper = self.pick(lambda s: s["lines"] < 20)
        if shopper is None:
            return None
        shopper["busy"] = True

        def answered(status, body):
            shopper["busy"] = False
            if status == 200:
                shopper["lines"] += 1
        body = json.dumps({"product_id": self.ids[i % len(self.ids)], "quantity": 1}).encode()
        return "basket add", "POST", "/api/v1/baskets/mine/items", body, {"Authorization": f"Bearer {shopper['token']}"}, answered

    def checkout(self):
        shopper = self.pick(lambda s: s["lines"] > 0)
        if shopper is None:
            return None
        shopper["busy"] = True

        def answered(status, body):
            shopper["busy"] = False
            shopper["lines"] = 0
            shopper["resume"] = time.monotonic() + CHECKOUT_COOLDOWN
        body = json.dumps({"shipping_address_id": shopper["address"]}).encode()
        headers = {"Authorization": f"Bearer {shopper['token']}", "Idempotency-Key": uuid.uuid4().hex}
        return "checkout", "POST", "/api/v1/orders", body, headers, answered


@scenario("mix")
def mix(run):
    """The storefront mix at a constant arrival rate (--rate, --mix-duration), embedded and cluster."""
    shapes = [("embedded", {})] if wants(run, "embedded") else []
    if wants(run, "cluster"):
        shapes.append(("cluster", None))
    for shape, env in shapes:
        check_stop()
        env = env if env is not None else cluster_env(run.servers)
        with Platform.embedded(run.binary, f"mix {shape}", env) as shop:
            ids = seed_products(shop.gateway_url, LISTING_PRODUCTS, stock=5_000_000)
            shoppers = seed_shoppers(shop.gateway_url, run.args.shoppers)
            plan = MixPlan(ids, shoppers)
            log(f"mix / {shape}: {run.args.rate} req/s for {run.args.mix_duration} s, {len(shoppers)} shoppers")
            asyncio.run(load.open_loop(shop.gateway_url, run.args.rate, 3, plan))  # warm-up
            for s in plan.shoppers:
                s["resume"] = 0.0
            outcome = asyncio.run(load.open_loop(shop.gateway_url, run.args.rate, run.args.mix_duration, plan))
            run.report.mix(shape, run.args.rate, outcome)
            if shape == "embedded":
                run.report.fact("embedded peak RSS after the mix (MiB)", shop.peak_rss_mib())


# ---------------------------------------------------------------------------
# the checkout saga
# ---------------------------------------------------------------------------

SAGA_SHAPES = [("SQLite + in-process bus", "embedded", dict(database=False, redis=False, amqp=False)),
               ("SQLite + RabbitMQ x3", "cluster", dict(database=False, redis=False, amqp=True)),
               ("PostgreSQL + in-process bus", "cluster", dict(database=True, redis=True, amqp=False)),
               ("PostgreSQL + RabbitMQ x3", "cluster", dict(database=True, redis=True, amqp=True))]
SAGA_POLL = 0.002
# With many shoppers at once, a 2 ms poll each is thousands of reads a second: the load generator
# (one Python process) and the platform would spend the 2 cores answering polls, not settling orders.
SAGA_CONCURRENT_POLL = 0.02
SAGA_TIMEOUT = 30.0


class SagaDriver:
    """Checkouts on one keep-alive connection: a basket line (untimed), POST /orders, then
    GET /orders/{id} every 2 ms (20 ms with many shoppers at once) until confirmed or cancelled,
    timed from the POST's send."""

    def __init__(self, base_url, ids, poll=SAGA_POLL):
        self.connection = load.HttpConnection(*load.host_port(base_url))
        self.ids = ids
        self.poll = poll

    async def call(self, method, path, shopper, body=None, headers=None):
        payload = json.dumps(body).encode() if body is not None else b""
        status, answer = await self.connection.request(method, path, payload,
                                                       {"Authorization": f"Bearer {shopper['token']}", **(headers or {})})
        return status, (json.loads(answer) if answer else None)

    async def ready_basket(self, shopper, index):
        """Waits until the last confirmed order's basket is emptied, then adds one line."""
        deadline = time.monotonic() + SAGA_TIMEOUT
        while True:
            status, basket = await self.call("GET", "/api/v1/baskets/mine", shopper)
            if status == 200 and not basket["items"]:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"basket not emptied: {status} {basket}")
            await asyncio.sleep(self.poll)
        status, body = await self.call("POST", "/api/v1/baskets/mine/items", shopper,
                                       {"product_id": self.ids[index % len(self.ids)], "quantity": 1})
        if status != 200:
            raise RuntimeError(f"basket add: {status} {body}")

    async def checkout(self, shopper, index):
        """Returns (ms from POST to settled, final status or the failing HTTP status)."""
        await self.ready_basket(shopper, index)
        started = time.monotonic()
        status, order = await self.call("POST", "/api/v1/orders", shopper, {"shipping_address_id": shopper["address"]},
                                        {"Idempotency-Key": uuid.uuid4().hex})
        if status != 201:
            return (time.monotonic() - started) * 1000.0, f"POST {status}"
        while time.monotonic() - started < SAGA_TIMEOUT:
            status, current = await self.call("GET", f"/api/v1/orders/{order['id']}", shopper)
            if status == 200 and current["status"] in ("confirmed", "cancelled"):
                return (time.monotonic() - started) * 1000.0, current["status"]
            await asyncio.sleep(self.poll)
        return (time.monotonic() - started) * 1000.0, "timeout"


async def sequential_checkouts(base_url, ids, shoppers, count):
    driver = SagaDriver(base_url, ids)
    outcomes = [await driver.checkout(shoppers[i % len(shoppers)], i) for i in range(count)]
    driver.connection.close()
    return outcomes


async def concurrent_checkouts(base_url, ids, shoppers, workers, seconds):
    """`workers` shoppers' loops for `seconds` s (each with its own shoppers and connection)."""
    deadline = time.monotonic() + seconds
    outcomes = []

    async def worker(n):
        driver = SagaDriver(base_url, ids, poll=SAGA_CONCURRENT_POLL)
        mine = shoppers[n::workers]
        i = 0
        while time.monotonic() < deadline:
            outcomes.append(await driver.checkout(mine[i % len(mine)], n * 100000 + i))
            i += 1
        driver.connection.close()
    started = time.monotonic()
    await asyncio.gather(*(worker(n) for n in range(workers)))
    return outcomes, time.monotonic() - started


@scenario("saga")
def saga(run):
    """POST /orders to settled: one shopper at a time (--saga-count checkouts) in four shapes,
    then 16 concurrent shoppers for 20 s on PostgreSQL + RabbitMQ."""
    for label, shape, parts in SAGA_SHAPES:
        if not wants(run, shape):
            continue
        check_stop()
        env = cluster_env(run.servers, **parts) if any(parts.values()) else {}
        with Platform.embedded(run.binary, f"saga {label}", env) as shop:
            ids = seed_products(shop.gateway_url, 5, stock=5_000_000)
            shoppers = seed_shoppers(shop.gateway_url, max(20, run.args.saga_workers * 4))
            log(f"saga / {label}: {run.args.saga_count} checkouts one at a time")
            asyncio.run(sequential_checkouts(shop.gateway_url, ids, shoppers, 5))  # warm-up
            outcomes = asyncio.run(sequential_checkouts(shop.gateway_url, ids, shoppers, run.args.saga_count))
            run.report.saga(label, "one shopper at a time", outcomes, None)
            if label == SAGA_SHAPES[-1][0]:
                check_stop()
                log(f"saga / {label}: {run.args.saga_workers} concurrent shoppers for {run.args.saga_seconds} s")
                outcomes, seconds = asyncio.run(concurrent_checkouts(shop.gateway_url, ids, shoppers,
                                                                     run.args.saga_workers, run.args.saga_seconds))
                run.report.saga(label, f"{run.args.saga_workers} concurrent shoppers", outcomes, seconds)
