"""The shipped Prometheus configuration against the running platform: a real Prometheus (the
Debian package's `prometheus`) scrapes every component with deploy/monitoring/prometheus/
prometheus-static.yml and evaluates deploy/monitoring/prometheus/rules/*.yml.

The platform runs in the cluster shape, one process per component (`comptoir serve <id>` for
each of the 11 services, `comptoir gateway` in front, each with its own SQLite data directory,
COMPTOIR_<ID>_URL telling each where the others are, events through the servers' RabbitMQ), so
that one service can be stopped alone. Then:

1. every component is an `up` target with its `service` label, and after a purchase journey the
   SLO recording rules (slo:availability_errors:ratio_rate*, slo:latency_slow:ratio_rate*) have
   values for the journey's services, with no error;
2. products is stopped while GET /api/v1/products/{id} goes on through the gateway (answered 5xx):
   ComptoirAvailabilityFastBurn{service="products"} and ComptoirTargetDown{service="products"}
   become pending (or firing), and no other service's availability alert does;
3. scripts/check-dashboards --metrics FILE passes on the /metrics of every component.

The only change to the shipped files, made in a temporary copy: the global scrape and evaluation
intervals become 1 s (and a scrape_timeout, which may not exceed the interval, 1 s too), so that
rules and alerts move within seconds instead of minutes. The targets file the file_sd
configuration of job `comptoir` reads is written with the processes' ports and `service` labels.
"""

import base64
import json
import math
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest
import yaml

from harness import REPO_ROOT, Client, eventually, free_port, http_status, pick_base_port
from purchases import Shop, assert_settled

pytestmark = pytest.mark.servers

MONITORING = os.path.join(REPO_ROOT, "deploy", "monitoring", "prometheus")
STATIC_CONFIG = "prometheus-static.yml"
CHECK_DASHBOARDS = os.path.join(REPO_ROOT, "scripts", "check-dashboards")
JOB = "comptoir"
SERVICES = ["auth", "products", "baskets", "orders", "deliveries", "addresses", "websites", "sav", "contacts", "newsletters", "questions"]
COMPONENTS = ["gateway"] + SERVICES
# What the purchase journey (purchases.Shop, assert_settled) sends requests to, through the gateway.
JOURNEY = ["gateway", "auth", "products", "baskets", "addresses", "orders", "deliveries", "newsletters"]
WINDOWS = ["5m", "30m", "1h", "6h", "3d"]
INTERVAL = "1s"
RULES_TIMEOUT = 60.0          # seconds for the recording rules to have values after the journey
ALERT_TIMEOUT = 120.0         # seconds for the alerts to become pending once products is down
PROMETHEUS_READY_TIMEOUT = 60.0


def missing_tool(what):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} (scripts/setup-servers installs it)", pytrace=False)
    pytest.skip(what)


# ---------------------------------------------------------------------------
# Prometheus
# ---------------------------------------------------------------------------

class Prometheus:
    """One prometheus process on the shipped configuration, in a directory of its own."""

    def __init__(self, root):
        self.root = root
        self.config_dir = os.path.join(root, "prometheus")
        self.config_path = os.path.join(self.config_dir, STATIC_CONFIG)
        self.log_path = os.path.join(root, "prometheus.log")
        self.port = None
        self.process = None
        self.changes = []

    # --- configuration -----------------------------------------------------------------

    def prepare(self, targets):
        """Copies deploy/monitoring/prometheus, sets the intervals to 1 s, writes the comptoir
        targets ([(address, service)]) where job `comptoir`'s file_sd configuration reads them."""
        shutil.copytree(MONITORING, self.config_dir)
        with open(self.config_path) as f:
            config = yaml.safe_load(f)
        # The one change to the shipped configuration: 1 s instead of the shipped intervals, so that
        # a 5-minute rate has samples and a rule changes within seconds. scrape_timeout may not exceed
        # the interval, so a timeout set anywhere becomes 1 s too, and so does an interval a job sets
        # for itself (it would win over the global one).
        config.setdefault("global", {})
        for key in ("scrape_interval", "evaluation_interval"):
            self.changes.append(f"global.{key}: {config['global'].get(key)} -> {INTERVAL}")
            config["global"][key] = INTERVAL
        if "scrape_timeout" in config["global"]:
            self.changes.append(f"global.scrape_timeout: {config['global']['scrape_timeout']} -> {INTERVAL}")
            config["global"]["scrape_timeout"] = INTERVAL
        jobs = {job.get("job_name"): job for job in config.get("scrape_configs") or []}
        for job in jobs.values():
            for key in ("scrape_interval", "scrape_timeout"):
                if key in job:
                    self.changes.append(f"{job['job_name']}.{key}: {job[key]} -> {INTERVAL}")
                    job[key] = INTERVAL
        with open(self.config_path, "w") as f:
            yaml.safe_dump(config, f, sort_keys=False)

        assert JOB in jobs, f"{STATIC_CONFIG} should have a scrape job {JOB!r}; jobs: {sorted(map(str, jobs))}"
        patterns = [pattern for sd in jobs[JOB].get("file_sd_configs") or [] for pattern in sd.get("files") or []]
        assert patterns, f"{STATIC_CONFIG}: job {JOB!r} should read its targets from file_sd_configs (outside Kubernetes)"
        pattern = patterns[0]
        name = pattern.replace("*", "comptoir") if any(c in pattern for c in "*?[") else pattern
        path = name if os.path.isabs(name) else os.path.join(self.config_dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # JSON, which is YAML too, whatever extension the pattern wants.
        with open(path, "w") as f:
            json.dump([{"targets": [address], "labels": {"service": service}} for address, service in targets], f, indent=1)
        self.targets_path = path

        rule_files = config.get("rule_files") or []
        assert rule_files, f"{STATIC_CONFIG} should load the rules (rule_files)"
        check = subprocess.run(["promtool", "check", "config", self.config_path], capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, f"promtool check config on the copy of {STATIC_CONFIG}: {check.stdout[-1500:]} {check.stderr[-1500:]}"
        return self

    # --- process -----------------------------------------------------------------------

    def start(self):
        self.port = free_port()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                ["prometheus", f"--config.file={self.config_path}", f"--storage.tsdb.path={os.path.join(self.root, 'tsdb')}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=info"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.root, start_new_session=True)
        deadline = time.monotonic() + PROMETHEUS_READY_TIMEOUT
        while http_status(f"{self.url}/-/ready", timeout=2.0) != 200:
            assert self.process.poll() is None, f"prometheus exited with code {self.process.returncode}:\n{self.log_tail()}"
            assert time.monotonic() < deadline, f"prometheus not ready after {PROMETHEUS_READY_TIMEOUT:.0f} s:\n{self.log_tail()}"
            time.sleep(0.3)
        return self

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return "\n".join(f.read().splitlines()[-lines:])
        except OSError:
            return "(no log)"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    # --- API ---------------------------------------------------------------------------

    def api(self, path, **params):
        r = Client(self.url).get(f"/api/v1/{path}" + (f"?{urllib.parse.urlencode(params)}" if params else ""))
        doc = r.json
        assert r.status == 200 and isinstance(doc, dict) and doc.get("status") == "success", \
            f"prometheus GET /api/v1/{path} {params}: {r.describe()}\n{self.log_tail(10)}"
        return doc["data"]

    def query(self, expr):
        """{service label: value} of an instant query (NaN and infinities left out)."""
        values = {}
        for sample in self.api("query", query=expr)["result"]:
            value = float(sample["value"][1])
            if math.isfinite(value):
                values[sample["metric"].get("service", "")] = value
        return values

    def alerts(self):
        """[(alertname, service label, state, labels)] of the pending and firing alerts."""
        return [(a["labels"].get("alertname"), a["labels"].get("service"), a["state"], a["labels"]) for a in self.api("alerts")["alerts"]]

    def comptoir_targets(self):
        return [t for t in self.api("targets", state="active")["activeTargets"] if t["labels"].get("job") == JOB]


# ---------------------------------------------------------------------------
# The platform, one process per component
# ---------------------------------------------------------------------------

class Cluster:
    def __init__(self, platforms, base):
        self.platforms = platforms
        self.base = base
        self.instances = {}

    def port(self, component):
        return self.base if component == "gateway" else self.base + SERVICES.index(component) + 1

    def url(self, component):
        return f"http://127.0.0.1:{self.port(component)}"

    @property
    def gateway(self):
        return self.instances["gateway"]

    def metrics(self, component):
        r = Client(self.url(component)).get("/metrics")
        assert r.status == 200 and r.body.strip(), f"{component}: GET /metrics: {r.describe()}"
        return r.body.decode("utf-8", "replace")


def seed():
    """A base64url Ed25519 seed (32 random bytes), the form COMPTOIR_SERVICE_KEY takes."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


@pytest.fixture(scope="module")
def cluster(module_amqp_namespace, module_platforms):
    url, namespace = module_amqp_namespace
    base = pick_base_port()
    c = Cluster(module_platforms, base)
    env = {f"COMPTOIR_{s.upper()}_URL": c.url(s) for s in SERVICES}
    env.update({
        "COMPTOIR_AMQP_URL": url, "COMPTOIR_AMQP_NAMESPACE": namespace,
        "COMPTOIR_SERVICE_KEY": seed(), "COMPTOIR_PUBLIC_URL": c.url("gateway"),
        "COMPTOIR_RATE_LIMIT_IP": "100000/1s", "COMPTOIR_RATE_LIMIT_USER": "100000/1s",
    })
    # Auth first: the others verify customers' tokens with its public keys, given to them as
    # COMPTOIR_JWT_PUBLIC_KEYS as a cluster's Secrets would.
    auth = module_platforms.start("auth", env, command=["serve", "auth", "--host", "127.0.0.1", "--no-demo"], port=c.port("auth"))
    jwks = Client(c.url("auth")).get("/auth/jwks.json")
    assert jwks.status == 200 and (jwks.json or {}).get("keys"), f"auth: GET /auth/jwks.json: {jwks.describe()}"
    env["COMPTOIR_JWT_PUBLIC_KEYS"] = jwks.body.decode()
    c.instances["auth"] = auth
    for service in SERVICES[1:]:
        c.instances[service] = module_platforms.start(service, env, command=["serve", service, "--host", "127.0.0.1", "--no-demo"],
                                                      port=c.port(service), wait=False)
    module_platforms.wait_ready(*[c.instances[s] for s in SERVICES[1:]])
    c.instances["gateway"] = module_platforms.start("gateway", env, command=["gateway", "--host", "127.0.0.1"], port=c.port("gateway"))
    return c


@pytest.fixture(scope="module")
def prometheus(cluster):
    if shutil.which("prometheus") is None or shutil.which("promtool") is None:
        missing_tool("prometheus and promtool are not installed (Debian package prometheus)")
    if not os.path.isfile(os.path.join(MONITORING, STATIC_CONFIG)):
        pytest.fail(f"{os.path.relpath(os.path.join(MONITORING, STATIC_CONFIG), REPO_ROOT)} is missing", pytrace=False)
    root = tempfile.mkdtemp(prefix="comptoir-prometheus-")
    server = Prometheus(root)
    try:
        server.prepare([(f"127.0.0.1:{cluster.port(c)}", c) for c in COMPONENTS])
        print(f"prometheus configuration: {', '.join(server.changes)}; targets in {os.path.relpath(server.targets_path, root)}", flush=True)
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def journey(cluster):
    """One purchase through the gateway, settled (confirmed, stock, delivery, mail, basket)."""
    shop = Shop(cluster.gateway.base_url)
    admin = shop.admin()
    product = shop.product(admin, stock=5)
    buyer = shop.buyer(product, quantity=2)
    order = shop.must(shop.checkout(buyer), 201, "checkout")
    line = assert_settled(shop, admin, "journey", [(buyer, order)], 1, product, 3)
    return {"shop": shop, "admin": admin, "product": product, "buyer": buyer, "order": order, "figures": line}


class Traffic:
    """Requests through the gateway from a thread, as shoppers keep sending them: a series a
    component creates on its first request starts at that request's count, so Prometheus sees an
    increase (and a rule a rate) only from the requests after its first scrape of it. Every
    round: GET /api/v1/products/{id} `product_every` times, then one read of each other service of
    the journey and the gateway's own account overview (its SLI leaves the proxied routes to their
    services). Counts the answers: {"products" or "others": {status: n}}."""

    def __init__(self, cluster, journey, product_every=1, pause=0.25):
        self.client = Client(cluster.gateway.base_url)
        self.journey = journey
        self.product_every = product_every
        self.pause = pause
        self.answers = {"products": {}, "others": {}}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="traffic", daemon=True)

    def _count(self, group, response):
        self.answers[group][response.status] = self.answers[group].get(response.status, 0) + 1

    def _run(self):
        j = self.journey
        token, admin = j["buyer"]["token"], j["admin"]
        others = [("/api/v1/baskets/mine", token), ("/api/v1/orders", token), ("/api/v1/addresses", token), ("/api/v1/auth/me", token),
                  (f"/api/v1/orders/{j['order']['id']}", token), (f"/api/v1/deliveries?order_id={j['order']['id']}", token),
                  (f"/api/v1/newsletters/mails?to={urllib.parse.quote(j['buyer']['email'])}", admin),
                  ("/api/v1/account/overview", token)]
        while not self.stopping.is_set():
            for _ in range(self.product_every):
                self._count("products", self.client.get(f"/api/v1/products/{j['product']}"))
                time.sleep(self.pause / self.product_every)
            for path, bearer in others:
                self._count("others", self.client.get(path, token=bearer))
            self.client.responses.clear()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=60)


# What test_a_stopped_service_... saved for test_the_dashboards_... (products' /metrics before its stop).
_SAVED = {}


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------

def test_every_component_is_up_and_the_slo_rules_have_values(cluster, prometheus, journey, figure):
    figure(journey["figures"])
    def all_up():
        targets = prometheus.comptoir_targets()
        services = sorted(t["labels"].get("service", "") for t in targets if t["health"] == "up")
        return targets if services == sorted(COMPONENTS) and len(targets) == len(COMPONENTS) else None
    targets = eventually(all_up, 30)
    if not targets:
        seen = [(t["labels"].get("service"), t["scrapeUrl"], t["health"], t.get("lastError")) for t in prometheus.comptoir_targets()]
        raise AssertionError(f"job {JOB}: {len(COMPONENTS)} targets up, one per component with its service label, wanted: {seen}")
    wrong = [t["scrapeUrl"] for t in targets if not t["scrapeUrl"].endswith("/metrics")]
    assert not wrong, f"the targets should be scraped at /metrics: {wrong}"

    # The journey's requests reached every service's SLI: both ratios have values, and no error.
    def rules():
        values = {(rule, service): v for rule in ("slo:availability_errors:ratio_rate5m", "slo:latency_slow:ratio_rate5m")
                  for service, v in prometheus.query(rule).items()}
        return values if all((rule, s) in values for rule in ("slo:availability_errors:ratio_rate5m", "slo:latency_slow:ratio_rate5m")
                             for s in JOURNEY) else None
    with Traffic(cluster, journey) as traffic:
        values = eventually(rules, RULES_TIMEOUT)
    bad = {group: {k: v for k, v in answers.items() if k not in (200, 201)} for group, answers in traffic.answers.items()}
    assert not any(bad.values()), f"every read of the journey's services should answer 200: {traffic.answers}"
    if not values:
        have = {rule: prometheus.query(rule) for rule in ("slo:availability_errors:ratio_rate5m", "slo:latency_slow:ratio_rate5m")}
        raise AssertionError(f"within {RULES_TIMEOUT:.0f} s the SLO ratios should have values for {JOURNEY}; have {have}")
    errors = {s: values[("slo:availability_errors:ratio_rate5m", s)] for s in JOURNEY if values[("slo:availability_errors:ratio_rate5m", s)] != 0}
    assert not errors, f"the journey had no 5xx: slo:availability_errors:ratio_rate5m should be 0, is {errors}"
    # Every window's ratios are loaded and evaluate without error; the windows of groups evaluated
    # at the global interval have values already (a group with an interval of its own, such as a
    # 1m one for the 6h and 3d windows, may not have run since the traffic began).
    rules_loaded = {r["name"]: (group["interval"], r["health"], r.get("lastError"))
                    for group in prometheus.api("rules", type="record")["groups"] for r in group["rules"]}
    for window in WINDOWS:
        for family in ("availability_errors", "latency_slow"):
            rule = f"slo:{family}:ratio_rate{window}"
            assert rule in rules_loaded and rules_loaded[rule][1] != "err", f"recording rule {rule} loaded and healthy: {rules_loaded.get(rule)}"
            if rules_loaded[rule][0] <= 1:
                assert "orders" in prometheus.query(f'{rule}{{service="orders"}}'), f"{rule}{{service=\"orders\"}} should have a value"
    active = [(a[0], a[1], a[2]) for a in prometheus.alerts()
              if a[0].startswith(("ComptoirAvailability", "ComptoirLatency", "ComptoirTargetDown")) and a[1] in COMPONENTS]
    assert not active, f"with everything up and no error no SLO or target alert should be pending or firing: {active}"
    slow = {s: round(values[("slo:latency_slow:ratio_rate5m", s)], 3) for s in JOURNEY}
    figure(f"{len(targets)} targets up; slo ratios for {len(JOURNEY)} services after the journey (latency_slow 5m: {slow})")


def test_a_stopped_service_burns_its_budget_fast_and_is_a_target_down(cluster, prometheus, journey, figure):
    products = cluster.instances["products"]
    _SAVED["products"] = cluster.metrics("products")
    cluster.platforms.stop(products)

    def burning():
        alerts = prometheus.alerts()
        fast = [a for a in alerts if a[0] == "ComptoirAvailabilityFastBurn" and a[1] == "products" and a[2] in ("pending", "firing")]
        down = [a for a in alerts if a[0] == "ComptoirTargetDown" and a[1] == "products" and a[2] in ("pending", "firing")]
        return (fast, down) if fast and down else None

    started = time.monotonic()
    with Traffic(cluster, journey, product_every=10, pause=0.5) as traffic:
        found = eventually(burning, ALERT_TIMEOUT, interval=1.0)
        if not found:
            raise AssertionError(
                f"within {ALERT_TIMEOUT:.0f} s of products' stop, ComptoirAvailabilityFastBurn and ComptoirTargetDown for products "
                f"should be pending or firing; alerts {[(a[0], a[1], a[2]) for a in prometheus.alerts()]}; "
                f"5m error ratios {prometheus.query('slo:availability_errors:ratio_rate5m')}; answers {traffic.answers}")
        elapsed = time.monotonic() - started
        fast, down = found
        time.sleep(5.0)  # a few more evaluations: nothing else starts burning
        alerts = prometheus.alerts()
    statuses = traffic.answers
    assert statuses["products"] and all(k is not None and k >= 500 for k in statuses["products"]), \
        f"with products stopped the gateway should answer GET /api/v1/products/{{id}} with 5xx only: {statuses}"
    assert statuses["others"] and set(statuses["others"]) == {200}, f"the other services should still answer 200: {statuses}"
    assert fast[0][3].get("severity") == "page", f"ComptoirAvailabilityFastBurn should page: {fast[0][3]}"
    # Every other service's availability alerts stay inactive, the gateway's too: its own SLI leaves
    # the proxied routes to their services, so a stopped service pages once.
    wrong = [(a[0], a[1], a[2]) for a in alerts if a[0].startswith("ComptoirAvailability") and a[1] != "products"]
    assert not wrong, f"only products' availability alerts should be pending or firing: {wrong}"
    gateway = sorted({f"{a[0]} {a[2]}" for a in alerts if a[1] == "gateway"})
    ratios = prometheus.query("slo:availability_errors:ratio_rate5m")
    figure(f"products stopped: FastBurn {fast[0][2]} and TargetDown {down[0][2]} after {elapsed:.0f} s; answers {statuses}; "
           f"5m error ratios {{{', '.join(f'{k}: {v:.3f}' for k, v in sorted(ratios.items()))}}}; gateway alerts: {gateway or 'none'}")


def test_the_dashboards_check_passes_on_the_metrics_of_every_component(cluster, prometheus, tmp_path, figure):
    if not os.path.isfile(CHECK_DASHBOARDS):
        missing_tool("scripts/check-dashboards is not there yet")
    parts = []
    for component in COMPONENTS:
        if component in _SAVED and not cluster.instances[component].running():
            text = _SAVED[component]
        else:
            text = cluster.metrics(component)
        parts.append(f"# component: {component}\n{text.rstrip()}\n")
    path = tmp_path / "metrics.txt"
    path.write_text("".join(parts))
    command = [CHECK_DASHBOARDS, "--metrics", str(path)]
    if not os.access(CHECK_DASHBOARDS, os.X_OK):
        command = ["python3", *command]
    r = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert r.returncode == 0, f"scripts/check-dashboards --metrics (exit {r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    last = (r.stdout.strip().splitlines() or [""])[-1]
    figure(f"check-dashboards on {len(parts)} components' /metrics ({path.stat().st_size} bytes): {last}")
