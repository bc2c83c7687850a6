"""Shared pieces of the tests of the comptoir binary from outside: the pytest suite in
scripts/tests (smoke, crash, Redis, RabbitMQ, mail) and the scripts fuzz-test, k8s-run,
container-test and recovery-drill. An HTTP client for the gateway, free ports, platform processes
started, polled, stopped and killed (and commands run on their data), a small S3 client, and one
`eventually`. `Results` (an ok/FAIL line per check and a count) is for those scripts only; the
pytest suite asserts.
"""

import hashlib
import hmac
import json
import os
import random
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BINARY = os.path.join(".build", "debug", "comptoir")

PORTS_PER_INSTANCE = 12          # gateway on P, services on P+1 .. P+11
READY_TIMEOUT = 120.0            # seconds to wait for /health/ready
STOP_TIMEOUT = 20.0              # seconds to wait for a clean exit after SIGTERM
REQUEST_TIMEOUT = 30.0           # seconds per HTTP request
LOG_TAIL_LINES = 60

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin-password-123"


# ---------------------------------------------------------------------------
# Check bookkeeping (fuzz-test, k8s-run, container-test) and polling
# ---------------------------------------------------------------------------

def eventually(predicate, timeout=30.0, what=None, interval=0.2):
    """Calls `predicate` until it returns a truthy value, and returns that value. At `timeout`
    seconds: raises AssertionError naming `what` (and the last value) when `what` is given,
    else returns the last, falsy value (for the scripts that count their checks themselves)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            if what is not None:
                raise AssertionError(f"{what}: not within {timeout:g} s (last: {value!r})")
            return value
        time.sleep(interval)


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, condition, description, detail=""):
        """Records one check and prints its line; returns the condition."""
        if condition:
            self.passed += 1
            print(f"ok   {description}", flush=True)
        else:
            self.failed += 1
            suffix = f": {detail}" if detail else ""
            print(f"FAIL {description}{suffix}", flush=True)
        return bool(condition)

    def fail(self, description, detail=""):
        return self.check(False, description, detail)


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------

class Response:
    def __init__(self, method, url, status, headers, body, error=None):
        self.method = method
        self.url = url
        self.status = status          # None when the request failed at the transport level
        self.headers = headers        # http.client.HTTPMessage (case-insensitive) or {}
        self.body = body or b""
        self.error = error

    @property
    def content_type(self):
        return (self.headers.get("Content-Type") or "") if self.headers else ""

    @property
    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def header(self, name):
        return self.headers.get(name) if self.headers else None

    def describe(self):
        """A short description for failure messages."""
        if self.status is None:
            return f"{self.method} {self.url}: no response ({self.error})"
        text = self.body[:300].decode("utf-8", "replace").replace("\n", " ")
        return f"{self.method} {self.url} -> {self.status} [{self.content_type}] {text}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# No proxies (a http_proxy in the environment must not intercept 127.0.0.1), no redirects.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


class Client:
    """Talks to one gateway; remembers every response so X-Request-Id can be checked."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.responses = []

    def request(self, method, path, body=None, token=None, raw=None, headers=None):
        url = self.base_url + path
        data = None
        all_headers = {"User-Agent": "comptoir-script-test", "Accept": "application/json, */*"}
        if raw is not None:
            data = raw
            all_headers["Content-Type"] = "application/json"
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        if headers:
            all_headers.update(headers)
        req = urllib.request.Request(url, data=data, method=method, headers=all_headers)
        try:
            with _OPENER.open(req, timeout=REQUEST_TIMEOUT) as r:
                resp = Response(method, path, r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            try:
                payload = e.read()
            except Exception:  # noqa: BLE001 - a broken body is still a response
                payload = b""
            resp = Response(method, path, e.code, e.headers, payload)
        except (urllib.error.URLError, OSError, ValueError) as e:
            resp = Response(method, path, None, {}, b"", error=e)
        self.responses.append(resp)
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def all_pages(self, path, token=None, per_page=100):
        """Every item of a paginated list route (`{"items", "total", "page", "per_page"}`), page
        after page; `path` may carry a query already. Raises AssertionError on an answer that is
        not a 200 page."""
        items, page = [], 1
        separator = "&" if "?" in path else "?"
        while True:
            response = self.get(f"{path}{separator}page={page}&per_page={per_page}", token=token)
            body = response.json if response.status == 200 else None
            if not isinstance(body, dict) or not isinstance(body.get("items"), list):
                raise AssertionError(f"list {path}: {response.describe()}")
            items += body["items"]
            if not body["items"] or page * per_page >= body.get("total", 0):
                return items
            page += 1


def metric(base_url, name, labels):
    """The value of one Prometheus sample at `base_url`/metrics (`labels` as written there,
    e.g. 'type="orders.order.placed"', or '' for a sample without labels), 0 when absent."""
    text = Client(base_url).get("/metrics").body.decode("utf-8", "replace")
    pattern = rf"\{{{re.escape(labels)}\}}" if labels else r"(?:\{\})?"
    found = re.search(rf"^{re.escape(name)}{pattern} (\S+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


def http_status(url, timeout=5.0):
    """Status of a GET, or None if nothing answered (used while polling readiness)."""
    try:
        with _OPENER.open(urllib.request.Request(url, method="GET"), timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError, ValueError):
        return None


# ---------------------------------------------------------------------------
# Object storage (an S3 API such as the integration suite's nanio)
# ---------------------------------------------------------------------------

class S3:
    """A minimal S3 client (path-style, AWS Signature V4, the standard library only) for the
    scripts that look at or clear a bucket from outside the platform: list, read, delete."""

    def __init__(self, endpoint, access_key, secret_key, region="us-east-1"):
        self.endpoint = endpoint.rstrip("/")
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region

    def request(self, method, bucket, key="", query=None, body=b""):
        """One signed request; returns (status, body bytes); status None when nothing answered."""
        def quote(text, safe="-_.~"):  # SigV4's URI encoding
            return urllib.parse.quote(text, safe=safe)
        path = "/" + quote(bucket) + ("/" + quote(key, safe="-_.~/") if key else "")
        canonical_query = "&".join(f"{quote(k)}={quote(str(v))}" for k, v in sorted((query or {}).items()))
        host = urllib.parse.urlsplit(self.endpoint).netloc
        now = time.gmtime()
        stamp, day = time.strftime("%Y%m%dT%H%M%SZ", now), time.strftime("%Y%m%d", now)
        payload = hashlib.sha256(body).hexdigest()
        headers = {"host": host, "x-amz-content-sha256": payload, "x-amz-date": stamp}
        signed = ";".join(sorted(headers))
        canonical = "\n".join([method, path, canonical_query, "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)), signed, payload])
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        signing_key = ("AWS4" + self.secret_key).encode()
        for part in (day, self.region, "s3", "aws4_request"):
            signing_key = hmac.new(signing_key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, SignedHeaders={signed}, Signature={signature}"
        del headers["host"]
        url = self.endpoint + path + (f"?{canonical_query}" if canonical_query else "")
        req = urllib.request.Request(url, data=body if method in ("PUT", "POST") else None, method=method, headers=headers)
        try:
            with _OPENER.open(req, timeout=REQUEST_TIMEOUT) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (urllib.error.URLError, OSError) as e:
            return None, str(e).encode()

    def objects(self, bucket, prefix=""):
        """[(key, size)] of every object of `bucket` under `prefix` ([] when the bucket does not exist)."""
        found, token = [], None
        while True:
            query = {"list-type": "2", "prefix": prefix, **({"continuation-token": token} if token else {})}
            status, body = self.request("GET", bucket, query=query)
            if status == 404:
                return found
            if status != 200:
                raise RuntimeError(f"S3 list {bucket}/{prefix}: {status} {body[:200]!r}")
            root = ET.fromstring(body)

            def local(element):  # the tag without its namespace, if any
                return element.tag.rsplit("}", 1)[-1]
            token = None
            truncated = False
            for element in root:
                if local(element) == "Contents":
                    fields = {local(child): child.text for child in element}
                    found.append((fields.get("Key"), int(fields.get("Size") or 0)))
                elif local(element) == "IsTruncated":
                    truncated = (element.text or "").strip() == "true"
                elif local(element) == "NextContinuationToken":
                    token = element.text
            if not (truncated and token):
                return found

    def get(self, bucket, key):
        status, body = self.request("GET", bucket, key)
        if status != 200:
            raise RuntimeError(f"S3 get {bucket}/{key}: {status} {body[:200]!r}")
        return body

    def delete_objects(self, bucket, prefix=""):
        """Deletes every object under `prefix`, one request each; returns how many there were."""
        keys = self.objects(bucket, prefix)
        for key, _ in keys:
            status, body = self.request("DELETE", bucket, key)
            if status not in (200, 204, 404):
                raise RuntimeError(f"S3 delete {bucket}/{key}: {status} {body[:200]!r}")
        return len(keys)

    def delete_bucket(self, bucket):
        """Empties and removes `bucket` (nothing when it does not exist)."""
        self.delete_objects(bucket)
        status, body = self.request("DELETE", bucket)
        if status not in (200, 204, 404):
            raise RuntimeError(f"S3 delete bucket {bucket}: {status} {body[:200]!r}")


# ---------------------------------------------------------------------------
# Ports, processes
# ---------------------------------------------------------------------------

def _port_free(port):
    # Services bind 127.0.0.1; the gateway may bind every interface: check both.
    for host in ("127.0.0.1", "0.0.0.0"):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind((host, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def _port_range():
    """Where to look: below the kernel's ephemeral range when possible, so that outgoing
    connections do not grab one of our ports between the check and the bind."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            ephemeral_low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32768
    if ephemeral_low - 15000 >= 2000:
        return 15000, ephemeral_low
    return 20000, 60000


def pick_base_port(taken=()):
    """A random P such that P..P+11 are free and overlap no range of the bases in `taken`."""
    rng = random.SystemRandom()
    low, high = _port_range()
    for _ in range(500):
        base = rng.randrange(low, high - PORTS_PER_INSTANCE)
        span = range(base, base + PORTS_PER_INSTANCE)
        if any(abs(base - other) < PORTS_PER_INSTANCE for other in taken):
            continue
        if all(_port_free(p) for p in span):
            return base
    raise RuntimeError("could not find 12 consecutive free ports on 127.0.0.1")


def free_port(host="127.0.0.1"):
    """One free TCP port on `host`, for a helper server (Prometheus, the OTLP receiver)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((host, 0))
        return s.getsockname()[1]
    finally:
        s.close()


class Instance:
    def __init__(self, name, binary, root):
        self.name = name
        self.binary = binary
        self.data_dir = os.path.join(root, f"{name}-data")
        self.log_path = os.path.join(root, f"{name}.log")
        self.port = None
        self.process = None
        self.log_file = None
        self.ready = False
        self.ready_after = None
        os.makedirs(self.data_dir, exist_ok=True)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, port, extra_env=None, command=None):
        """Starts (or restarts, on the same data directory) the platform on base port `port`;
        `command` replaces `run` with another subcommand, e.g. ["gateway", "--host", "127.0.0.1"]."""
        self.port = port
        self.ready = False
        self.close_log()
        arguments = command if command is not None else ["--no-demo"]
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.binary, *arguments, "--port", str(port), "--data-dir", self.data_dir],
            stdin=subprocess.DEVNULL, stdout=self.log_file, stderr=subprocess.STDOUT,
            cwd=os.path.dirname(self.data_dir), env=self.environment(extra_env),
            start_new_session=True,  # Ctrl-C reaches us only; we stop the instance ourselves
        )

    @staticmethod
    def environment(extra_env=None):
        """The environment an instance (or a command on its data) runs with: the caller's, without
        the settings that would point it at other servers, plus the test defaults and `extra_env`."""
        env = dict(os.environ)
        # Settings from the caller's shell must not point the instance at other servers;
        # the caller's own extra_env may.
        for key in list(env):
            if key.startswith("COMPTOIR_") and key.endswith("_URL") or key.startswith(("COMPTOIR_S3_", "COMPTOIR_SMTP_")):
                del env[key]
        env.pop("COMPTOIR_DATA_DIR", None)
        # Nor send the instance's spans to the caller's collector (test_tracing.py sets them).
        for key in ("COMPTOIR_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                    "COMPTOIR_TRACE_SAMPLING", "COMPTOIR_TRACE_RESOURCE_ATTRIBUTES"):
            env.pop(key, None)
        env.update({
            "COMPTOIR_BCRYPT_COST": "4",
            "COMPTOIR_ADMIN_EMAIL": ADMIN_EMAIL,
            "COMPTOIR_ADMIN_PASSWORD": ADMIN_PASSWORD,
        })
        env.update(extra_env or {})
        return env

    def run(self, arguments, extra_env=None, timeout=600.0):
        """Runs a command of the binary on this instance's data directory (`comptoir <arguments>
        --data-dir <dir>`, e.g. ["migrate"] or ["backup", "--to", path]) with the environment `start`
        gives the platform; returns the subprocess.CompletedProcess (text stdout and stderr) and the
        seconds it took, as (completed, seconds)."""
        started = time.monotonic()
        completed = subprocess.run([self.binary, *arguments, "--data-dir", self.data_dir], stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True, errors="replace", timeout=timeout,
                                   cwd=os.path.dirname(self.data_dir), env=self.environment(extra_env))
        return completed, time.monotonic() - started

    def running(self):
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines=LOG_TAIL_LINES):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return "(no log)"
        tail = text.splitlines()[-lines:]
        return "\n".join(tail) if tail else "(empty log)"

    def print_log_tail(self):
        print(f"----- last {LOG_TAIL_LINES} lines of {self.name} log ({self.log_path}) -----")
        print(self.log_tail())
        print(f"----- end of {self.name} log -----", flush=True)

    def kill(self):
        """Last resort: SIGKILL the instance's whole process group (it has its own session)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                try:
                    self.process.kill()
                except ProcessLookupError:
                    pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def close_log(self):
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None


def await_ready(instances, timeout=READY_TIMEOUT):
    """Polls /health/ready of every instance concurrently until 200, exit or timeout. Returns
    {instance: None when ready, else what went wrong}; sets `ready` and `ready_after` (s)."""
    deadline = time.monotonic() + timeout
    started = time.monotonic()
    pending = list(instances)
    outcome = {}
    while pending:
        for inst in list(pending):
            if not inst.running():
                outcome[inst] = f"process exited with code {inst.process.returncode} before it was ready"
                pending.remove(inst)
                continue
            if http_status(inst.base_url + "/health/ready", timeout=2.0) == 200:
                inst.ready = True
                inst.ready_after = time.monotonic() - started
                outcome[inst] = None
                pending.remove(inst)
        if not pending:
            break
        if time.monotonic() > deadline:
            for inst in pending:
                outcome[inst] = f"not ready after {timeout:.0f} s"
            break
        time.sleep(0.5)
    return outcome


def stop_gracefully(instances, timeout=STOP_TIMEOUT):
    """SIGTERM every running instance, then waits up to `timeout` for each to exit; one still
    running then is killed. Returns {instance: exit code, or None when it had to be killed} for
    the instances that were running."""
    running = [inst for inst in instances if inst.running()]
    for inst in running:
        try:
            inst.process.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    codes = {}
    for inst in running:
        try:
            codes[inst] = inst.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            inst.kill()
            codes[inst] = None
    return codes


def wait_ready(results, instances):
    """await_ready, one check per instance."""
    for inst, problem in await_ready(instances).items():
        if problem is None:
            results.check(True, f"{inst.name}: GET /health/ready -> 200 (port {inst.port}, {inst.ready_after:.1f} s)")
        else:
            results.fail(f"{inst.name}: GET /health/ready -> 200", problem)
            inst.print_log_tail()


def stop_all(results, instances):
    """SIGTERM every running instance, then expect exit code 0 within STOP_TIMEOUT (an instance
    that exited before it was ready is left out: wait_ready reported it)."""
    waited = [inst for inst in instances if inst.process is not None
              and not (inst.process.returncode is not None and not inst.ready)]
    codes = stop_gracefully(waited)
    for inst in waited:
        if inst not in codes:
            code = inst.process.returncode
        else:
            code = codes[inst]
            if code is None:
                results.fail(f"{inst.name}: clean exit after SIGTERM", f"still running after {STOP_TIMEOUT:.0f} s; killed")
                inst.print_log_tail()
                continue
        if not results.check(code == 0, f"{inst.name}: clean exit after SIGTERM (exit code 0)", f"exit code {code}"):
            inst.print_log_tail()


def resolve_binary(arg):
    if arg is None:
        return os.path.join(REPO_ROOT, DEFAULT_BINARY)
    if os.path.isabs(arg) or os.path.exists(arg):
        return os.path.abspath(arg)
    return os.path.join(REPO_ROOT, arg)


def raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")
