"""Redis under the running platform, from outside.

Needs the redis-server of scripts/integration-test (COMPTOIR_TEST_REDIS_URL, and
COMPTOIR_TEST_REDIS_CONF: its configuration file, with `port` and `requirepass`). The module
starts the whole platform (A) and a second gateway process (B) in front of A's services, both on
that Redis under a prefix of their own. Redis is restarted from COMPTOIR_TEST_REDIS_CONF as a
detached process and left running (integration-test stops it by its port).
"""

import re
import subprocess
import threading
import time
import uuid

import pytest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, Client, eventually, metric

pytestmark = pytest.mark.servers

SERVICES = ["auth", "products", "baskets", "orders", "deliveries", "addresses", "websites", "sav", "contacts",
            "newsletters", "questions"]
IP_LIMIT = 30
OUTAGE_SECONDS = 5.0
RECOVERY_TIMEOUT = 20.0


class Redis:
    """The test's redis-server, driven with redis-cli."""

    def __init__(self, conf):
        self.conf = conf
        with open(conf) as f:
            text = f.read()
        self.port = re.search(r"^port\s+(\d+)", text, re.M).group(1)
        found = re.search(r"^requirepass\s+(\S+)", text, re.M)
        self.password = found.group(1) if found else None

    def cli(self, *args):
        command = ["redis-cli", "-p", self.port, "--no-auth-warning"]
        if self.password:
            command += ["-a", self.password]
        return subprocess.run(command + list(args), capture_output=True, text=True, timeout=10).stdout.strip()

    def alive(self):
        try:
            return self.cli("ping") == "PONG"
        except subprocess.TimeoutExpired:
            return False

    def keys(self, pattern):
        return [k for k in self.cli("--scan", "--pattern", pattern).splitlines() if k]

    def stop(self):
        try:
            self.cli("shutdown", "nosave")
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + 10
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.1)

    def start(self):
        subprocess.Popen(["redis-server", self.conf], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while not self.alive() and time.monotonic() < deadline:
            time.sleep(0.1)


@pytest.fixture(scope="module")
def redis(servers):
    conf = servers.need("COMPTOIR_TEST_REDIS_URL", "COMPTOIR_TEST_REDIS_CONF")["COMPTOIR_TEST_REDIS_CONF"]
    server = Redis(conf)
    assert server.alive(), f"redis-server should answer on port {server.port}"
    yield server
    if not server.alive():  # a failed outage test must not leave it down for the next tests
        server.start()


@pytest.fixture(scope="module")
def redis_platform(redis, servers, module_platforms):
    """(A, B, prefix): the whole platform and a second gateway before its services, on one Redis."""
    prefix = f"redistest{uuid.uuid4().hex[:8]}:"
    common = {
        "COMPTOIR_REDIS_URL": servers.need("COMPTOIR_TEST_REDIS_URL")["COMPTOIR_TEST_REDIS_URL"], "COMPTOIR_REDIS_PREFIX": prefix,
        "COMPTOIR_LOG_FORMAT": "text", "COMPTOIR_RATE_LIMIT_IP": f"{IP_LIMIT}/1m", "COMPTOIR_RATE_LIMIT_USER": "100000/1s",
        "COMPTOIR_TRUSTED_PROXIES": "127.0.0.1",
    }
    platform = module_platforms.start("platform", common)
    upstreams = {f"COMPTOIR_{name.upper()}_URL": f"http://127.0.0.1:{platform.port + offset}" for offset, name in enumerate(SERVICES, 1)}
    gateway = module_platforms.start("gateway-2", {**common, **upstreams}, command=["gateway", "--host", "127.0.0.1"])
    return platform, gateway, prefix


def must(response, status, what):
    assert response.status == status, f"{what}: {response.describe()}"
    return response.json if response.body else None


def test_both_gateways_enforce_one_shared_rate_limit(redis_platform, figure):
    """429 and Retry-After from both once the shared per-IP bucket is empty; another client unaffected."""
    a, b = Client(redis_platform[0].base_url), Client(redis_platform[1].base_url)
    ip = "203.0.113.7"
    statuses = {"A": [], "B": []}
    retry_after = []
    for index in range(IP_LIMIT * 2):
        name, client = ("A", a) if index % 2 == 0 else ("B", b)
        response = client.get("/api/v1/products", headers={"X-Forwarded-For": ip})
        statuses[name].append(response.status)
        if response.status == 429:
            retry_after.append(response.header("Retry-After"))
    allowed = sum(s == 200 for s in statuses["A"] + statuses["B"])
    figure(f"shared limit: {allowed} of {IP_LIMIT * 2} requests allowed across both gateways (limit {IP_LIMIT}/1m)")
    assert IP_LIMIT <= allowed <= IP_LIMIT + 2, f"{allowed} allowed, wanted {IP_LIMIT} to {IP_LIMIT + 2}: A {statuses['A']}, B {statuses['B']}"
    assert 429 in statuses["A"] and 429 in statuses["B"], f"both gateways should answer 429 once the bucket is empty: {statuses}"
    assert retry_after and all(r and r.isdigit() and int(r) >= 1 for r in retry_after), f"every 429 should have Retry-After: {retry_after[:5]}"
    other = b.get("/api/v1/products", headers={"X-Forwarded-For": "203.0.113.8"})
    assert other.status == 200, f"another client should still get 200: {other.describe()}"


def test_a_logout_through_one_gateway_ends_the_token_at_the_other(redis_platform):
    """The session revocation list: a logout through A, and B refuses the access token at once."""
    a, b = Client(redis_platform[0].base_url), Client(redis_platform[1].base_url)
    headers = {"X-Forwarded-For": "198.51.100.20"}
    email = f"leaver-{uuid.uuid4().hex[:8]}@example.com"
    must(a.post("/api/v1/auth/register", {"email": email, "password": "correct-horse-1", "name": "Leaver"}, headers=headers), 201, "register")
    tokens = must(a.post("/api/v1/auth/login", {"email": email, "password": "correct-horse-1"}, headers=headers), 200, "login")
    before = b.get("/api/v1/auth/me", token=tokens["access_token"], headers=headers)
    assert before.status == 200, f"the access token should work at B: {before.describe()}"
    must(a.post("/api/v1/auth/logout", {"refresh_token": tokens["refresh_token"]}, token=tokens["access_token"], headers=headers), 204, "logout")
    after = b.get("/api/v1/auth/me", token=tokens["access_token"], headers=headers)
    assert after.status == 401, f"after a logout through A, B should refuse the access token at once: {after.describe()}"


class Traffic(threading.Thread):
    """A shopper's requests in a loop through one gateway, every answer recorded."""

    def __init__(self, base_url, products, token):
        super().__init__(daemon=True)
        self.client = Client(base_url)
        self.products = products
        self.token = token
        self.stop_event = threading.Event()
        self.answers = []  # (phase, method, path, status, body)
        self.phase = "before"

    def run(self):
        index = 0
        while not self.stop_event.is_set():
            # A new client address per round: the per-IP limit is low for the shared-limit test.
            headers = {"X-Forwarded-For": f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"}
            product = self.products[index % len(self.products)]
            index += 1
            for method, path, body, token in (
                ("GET", f"/api/v1/products/{product}", None, None),
                ("GET", "/api/v1/products?q=lamp&per_page=5", None, None),
                ("POST", "/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, None),
                ("GET", "/api/v1/auth/me", None, self.token),
                ("POST", "/api/v1/baskets/mine/items", {"product_id": product, "quantity": 1}, self.token),
                ("GET", "/api/v1/baskets/mine", None, self.token),
                ("DELETE", "/api/v1/baskets/mine", None, self.token),
            ):
                response = self.client.request(method, path, body=body, token=token, headers=headers)
                self.client.responses.clear()
                self.answers.append((self.phase, method, path, response.status, response.body[:200]))

    def stop(self):
        self.stop_event.set()
        self.join(timeout=30)


def test_redis_stopped_and_started_under_traffic(redis_platform, redis, figure):
    """Product reads, searches, logins and baskets while Redis stops and starts again: no 5xx,
    readiness `degraded` meanwhile, the cache and the rate-limit buckets back without a restart."""
    platform, _, prefix = redis_platform
    shop = Client(platform.base_url)
    headers = {"X-Forwarded-For": "192.0.2.51"}
    admin = must(shop.post("/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, headers=headers),
                 200, "admin login")["access_token"]
    products = []
    for index in range(3):
        body = {"sku": f"LAMP-{uuid.uuid4().hex[:6]}", "name": f"Desk lamp {index}", "description": "bright",
                "price": 3000 + index, "currency": "EUR", "stock": 1000, "category": "lamps"}
        products.append(must(shop.post("/api/v1/products", body, token=admin, headers=headers), 201, "create product")["id"])
    email = f"shopper-{uuid.uuid4().hex[:8]}@example.com"
    must(shop.post("/api/v1/auth/register", {"email": email, "password": "correct-horse-1", "name": "Shopper"}, headers=headers), 201, "register")
    token = must(shop.post("/api/v1/auth/login", {"email": email, "password": "correct-horse-1"}, headers=headers), 200, "login")["access_token"]
    products_url = f"http://127.0.0.1:{platform.port + 2}"

    traffic = Traffic(platform.base_url, products, token)
    traffic.start()
    try:
        time.sleep(2)
        assert redis.keys(prefix + "products:*"), "product reads should be cached in Redis before the outage"

        traffic.phase = "during"
        redis.stop()
        assert not redis.alive(), "redis-server should have stopped"
        time.sleep(OUTAGE_SECONDS)
        ready = Client(products_url).get("/health/ready")
        assert ready.status == 200 and (ready.json or {}).get("status") == "degraded", \
            f"the products service should stay ready, marked degraded: {ready.describe()}"
        errors_during = metric(products_url, "cache_lookups_total", 'result="error"')
        assert errors_during > 0, "cache lookups failing over to the database should be counted (cache_lookups_total{result=\"error\"})"

        traffic.phase = "after"
        redis.start()
        assert redis.alive(), "redis-server should have started again"
        hits_before = metric(products_url, "cache_lookups_total", 'result="hit"')
        eventually(lambda: redis.keys(prefix + "products:*"), RECOVERY_TIMEOUT, "product reads cached in Redis again, without a restart")
        eventually(lambda: redis.keys(prefix + "ratelimit:gateway:*"), RECOVERY_TIMEOUT, "the gateway's rate-limit buckets in Redis again")
        eventually(lambda: metric(products_url, "cache_lookups_total", 'result="hit"') > hits_before, RECOVERY_TIMEOUT,
                   "cache hits counting up again")
        eventually(lambda: (Client(products_url).get("/health/ready").json or {}).get("status") == "ok", RECOVERY_TIMEOUT,
                   "readiness ok again")
        time.sleep(1)
    finally:
        traffic.stop()
        if not redis.alive():
            redis.start()

    by_phase = {phase: [a for a in traffic.answers if a[0] == phase] for phase in ("before", "during", "after")}
    failures = [a for a in traffic.answers if a[3] is None or a[3] >= 500]
    figure(f"outage: {len(traffic.answers)} requests ({len(by_phase['during'])} while Redis was down), "
           f"{len(failures)} failed; {errors_during:.0f} cache errors counted during the outage")
    assert all(by_phase.values()), f"traffic should run before, during and after the outage: { {p: len(a) for p, a in by_phase.items()} }"
    assert not failures, "requests failed: " + "; ".join(f"{m} {p} -> {s} {b!r}" for _, m, p, s, b in failures[:5])
    odd = [a for a in traffic.answers if a[3] not in (200, 201, 204)]
    assert not odd, "requests answered otherwise than with Redis up: " + "; ".join(f"{m} {p} -> {s} {b!r}" for _, m, p, s, b in odd[:5])


def test_both_processes_exit_cleanly_after_sigterm(redis_platform, module_platforms):
    platform, gateway, _ = redis_platform
    module_platforms.stop(gateway, platform)
