"""The platform under test, in the shapes the scenarios need, and the data they read and write.

Shapes: `Platform.embedded(...)` (one `comptoir` process: gateway on P, services on P+1..P+11)
and `Platform.separate(...)` (`comptoir gateway` plus `comptoir serve products|websites|auth`
as separate processes sharing one data directory, the gateway pointed at them with
COMPTOIR_<ID>_URL). The environment of a cluster shape (PostgreSQL, Redis, RabbitMQ) is made by
`cluster_env`. Seeding goes through the gateway's API with harness.Client."""

import concurrent.futures
import os
import secrets
import time
import uuid

from .common import log, tail, temp_dir, track, wait_until
from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, READY_TIMEOUT, Client, Instance, await_ready, http_status,  # noqa: E402
                     pick_base_port, stop_gracefully)

SERVICE_OFFSETS = {"auth": 1, "products": 2, "baskets": 3, "orders": 4, "deliveries": 5, "addresses": 6, "websites": 7,
                   "sav": 8, "contacts": 9, "newsletters": 10, "questions": 11}
LOAD_ENV = {"COMPTOIR_RATE_LIMIT_IP": "100000000/1s", "COMPTOIR_RATE_LIMIT_USER": "100000000/1s",
            "COMPTOIR_LOG_LEVEL": "warning"}
SHOPPER_PASSWORD = "correct horse battery"
WORDS = ["lamp", "chair", "table", "kettle", "blanket", "mug", "shelf", "candle", "rug", "clock"]
CATEGORIES = ["kitchen", "living", "bedroom", "garden", "office", "bath"]


def cluster_env(servers, database=True, redis=True, amqp=True):
    """COMPTOIR_* settings pointing one platform at the shared servers, with a prefix or namespace
    of its own so platforms of one run never see each other's data."""
    tag = "b" + secrets.token_hex(4)
    env = {}
    if database:
        env.update(COMPTOIR_DATABASE_URL=servers.postgres.url, COMPTOIR_DATABASE_PREFIX=tag)
    if redis:
        env.update(COMPTOIR_REDIS_URL=servers.redis.url, COMPTOIR_REDIS_PREFIX=f"{tag}:")
    if amqp:
        env.update(COMPTOIR_AMQP_URL=servers.rabbitmq.url, COMPTOIR_AMQP_NAMESPACE=tag)
    return env


class Platform:
    """One platform: its processes (harness.Instance), the gateway URL and each service's URL."""

    def __init__(self, label, instances, gateway_url, service_urls):
        self.label = label
        self.instances = instances
        self.gateway_url = gateway_url
        self.service_urls = service_urls
        self.website_id = None

    @classmethod
    def embedded(cls, binary, label, env=None):
        """One `comptoir` process with every service."""
        root = temp_dir("platform")
        instance = Instance(label.replace(" ", "-"), binary, root)
        base = pick_base_port()
        instance.start(base, {**LOAD_ENV, **(env or {})})
        platform = cls(label, [instance], instance.base_url,
                       {name: f"http://127.0.0.1:{base + offset}" for name, offset in SERVICE_OFFSETS.items()})
        return platform.await_ready()

    @classmethod
    def separate(cls, binary, label, services=("auth", "products", "websites"), env=None):
        """`comptoir gateway` plus one `comptoir serve <service>` per service, one data directory."""
        root = temp_dir("platform")
        base = pick_base_port()
        urls = {name: f"http://127.0.0.1:{base + SERVICE_OFFSETS[name]}" for name in services}
        shared_env = {**LOAD_ENV, **(env or {}), **{f"COMPTOIR_{name.upper()}_URL": url for name, url in urls.items()}}
        instances = []
        data_dir = os.path.join(root, "data")
        os.makedirs(data_dir)
        for name in services:
            instance = Instance(name, binary, root)
            instance.data_dir = data_dir
            instance.start(base + SERVICE_OFFSETS[name], shared_env, command=["serve", name, "--no-demo"])
            instances.append(instance)
        services = cls(label, instances, None, urls)
        services.await_ready(check_website=False)
        # Started once auth is up, so that it finds the signing keys (data directory, JWKS).
        gateway = Instance("gateway", binary, root)
        gateway.data_dir = data_dir
        gateway.start(base, shared_env, command=["gateway"])
        platform = cls(label, instances + [gateway], gateway.base_url, urls)
        # The gateway's /health/ready waits for all 11 services; only these three run here, so
        # the gateway counts as ready once it is live and serves a read through one of them.
        return platform.await_ready([], lambda: http_status(gateway.base_url + "/health/live") == 200 and
                                    Client(gateway.base_url).get("/api/v1/websites/current").status == 200)

    def await_ready(self, ready_checked=None, gateway_ready=None, check_website=True):
        """Waits for /health/ready of `ready_checked` (every process by default), then for
        `gateway_ready()` when given; stops everything and raises when one does not come up."""
        for instance in self.instances:
            track(f"comptoir {instance.name}", instance.process)
        checked = self.instances if ready_checked is None else ready_checked
        problems = {inst: problem for inst, problem in await_ready(checked).items() if problem}
        if not problems and gateway_ready is not None:
            try:
                wait_until(gateway_ready, READY_TIMEOUT, "gateway")
            except RuntimeError as error:
                problems[self.instances[-1]] = str(error)
        if problems:
            logs = "\n".join(f"--- {inst.name}:\n{tail(inst.log_path, 8)}" for inst in problems)
            self.stop()
            raise RuntimeError(f"{self.label}: not ready: {[(inst.name, p) for inst, p in problems.items()]}\n{logs}")
        if check_website:
            self.website_id = Client(self.gateway_url).get("/api/v1/websites/current").json["id"]
            log(f"{self.label}: ready at {self.gateway_url}")
        return self

    def peak_rss_mib(self):
        """VmHWM of the first process (the embedded one), MiB; None when unreadable."""
        try:
            with open(f"/proc/{self.instances[0].process.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024.0
        except OSError:
            return None
        return None

    def stop(self):
        stop_gracefully([inst for inst in self.instances if inst.running()])
        for inst in self.instances:
            inst.kill()
            inst.close_log()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def must(response, status, what):
    """The JSON body of `response`, which must have `status`."""
    if response.status != status:
        raise RuntimeError(f"{what}: {response.describe()}")
    return response.json


def admin_token(base_url):
    return must(Client(base_url).post("/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}), 200,
                "admin login")["access_token"]


def seed_products(base_url, count, stock=1_000_000):
    """`count` products spread over CATEGORIES, each name holding one of WORDS; returns their ids."""
    token = admin_token(base_url)

    def create(index):
        word = WORDS[index % len(WORDS)]
        body = {"sku": f"B-{index:04d}-{uuid.uuid4().hex[:6]}", "name": f"{word.title()} number {index}",
                "description": f"A {word} to benchmark with, item {index}.", "price": 1000 + index, "currency": "EUR",
                "stock": stock, "category": CATEGORIES[index % len(CATEGORIES)]}
        return must(Client(base_url).post("/api/v1/products", body, token=token), 201, "create product")["id"]
    # The first one alone: in the separate shape, requests racing the products service's first
    # JWKS fetch are refused (401) until it has the key.
    first = [create(0)] if count else []
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return first + list(pool.map(create, range(1, count)))


def seed_shoppers(base_url, count, product_ids=(), orders=0):
    """`count` registered customers, each with a shipping address; with `product_ids`, one basket
    line each (and `orders` orders placed first, each from a line of its own).
    Returns [{email, token, address}]."""
    def create(index):
        client = Client(base_url)
        email = f"shopper-{index}-{uuid.uuid4().hex[:8]}@example.com"
        must(client.post("/api/v1/auth/register", {"email": email, "password": SHOPPER_PASSWORD, "name": f"Shopper {index}"}),
             201, "register")
        token = must(client.post("/api/v1/auth/login", {"email": email, "password": SHOPPER_PASSWORD}), 200, "login")["access_token"]
        address = must(client.post("/api/v1/addresses", {
            "kind": "shipping", "name": f"Shopper {index}", "line1": "12 rue Oberkampf", "city": "Paris",
            "postal_code": "75011", "country": "FR", "is_default": True}, token=token), 201, "add address")["id"]
        shopper = {"email": email, "token": token, "address": address}
        for n in range(orders):
            add_line(client, shopper, product_ids[(index + n) % len(product_ids)])
            must(client.post("/api/v1/orders", {"shipping_address_id": address}, token=token,
                             headers={"Idempotency-Key": uuid.uuid4().hex}), 201, "place order")
            wait_basket_empty(client, shopper)
        if product_ids:
            add_line(client, shopper, product_ids[index % len(product_ids)])
        return shopper
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(create, range(count)))


def add_line(client, shopper, product_id, quantity=1):
    return must(client.post("/api/v1/baskets/mine/items", {"product_id": product_id, "quantity": quantity},
                            token=shopper["token"]), 200, "add to basket")


def wait_basket_empty(client, shopper, timeout=30.0):
    """Waits until the saga has emptied the shopper's basket (an order was confirmed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not must(client.get("/api/v1/baskets/mine", token=shopper["token"]), 200, "read basket")["items"]:
            return
        time.sleep(0.05)
    raise RuntimeError("the basket was not emptied after an order")
