"""Fixtures of the process-level tests (docs/testing.md): the comptoir binary, the servers of
scripts/integration-test, and platforms started on free ports with temporary data directories.

- `binary`: `--binary PATH`, else $COMPTOIR_BINARY, else .build/debug/comptoir (its .resources
  bundles must sit beside it, as the build leaves them).
- `servers`: the variables of the servers (COMPTOIR_TEST_*), from the file of a running
  `scripts/integration-test --servers FILE` named by $COMPTOIR_SERVERS_FILE, else from the
  environment when they are set there (integration-test exports them), else from a
  `scripts/integration-test --servers` this session starts on first use and stops at its end.
  A test whose servers cannot be had fails when CI=true and is skipped otherwise.
- `platforms` (one test) and `module_platforms` (one module): start comptoir processes, wait
  until they are ready, stop them; whatever they started is stopped (SIGTERM, then SIGKILL) and
  their directory removed at the end, on a failure or Ctrl-C too. A process still running then
  must exit 0 after SIGTERM, or the test errors. A failed test's report holds the log tail of
  every process started for it.
- `figure`: a line of figures, printed, kept in the JUnit file and repeated at the end of the run.
- `browser`: one headless Chromium (Playwright) for the session, shared by the browser tests
  (test_storefront.py, test_backoffice.py; the helpers are in browser.py).
- `otlp_receiver`: an OTLP/HTTP trace receiver (otlp_receiver.py) on a free port of 127.0.0.1, in a
  thread, for COMPTOIR_OTLP_ENDPOINT; stopped at the end of the test.
- `amqp_namespace` (one test) and `module_amqp_namespace` (one module): (COMPTOIR_AMQP_URL, a
  namespace of its own) on the servers' RabbitMQ cluster; the namespace's queues are deleted at
  the end (ask for it before `platforms`, so that the platform has stopped by then).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from browser import browser  # noqa: F401  (a session fixture: defined here once, so both browser modules share it)
from harness import LOG_TAIL_LINES, REPO_ROOT, STOP_TIMEOUT, Instance, await_ready, pick_base_port, resolve_binary, stop_gracefully

# What scripts/integration-test --servers writes (write_server_variables there).
SERVER_VARIABLES = [
    "COMPTOIR_TEST_DATABASE_URL", "COMPTOIR_TEST_REDIS_URL", "COMPTOIR_TEST_REDIS_CONF", "COMPTOIR_TEST_AMQP_URL",
    "COMPTOIR_TEST_RABBITMQ_DIR", "COMPTOIR_TEST_S3_ENDPOINT", "COMPTOIR_TEST_S3_ACCESS_KEY", "COMPTOIR_TEST_S3_SECRET_KEY",
    "COMPTOIR_TEST_S3_REGION", "COMPTOIR_TEST_S3_BUCKET", "COMPTOIR_TEST_SMTP_URL", "COMPTOIR_TEST_SMTP_DIR",
    "COMPTOIR_TEST_SMTPS_URL", "COMPTOIR_TEST_SMTPS_DIR", "COMPTOIR_TEST_SMTP_CA_FILE",
]
SERVERS_START_TIMEOUT = 420.0   # seconds for integration-test --servers to say "servers up"
SERVERS_STOP_TIMEOUT = 180.0    # seconds for its trap to stop them (three RabbitMQ nodes)

_ACTIVE = []      # the Platforms of the tests and modules running now (for the log tails)
_FIGURES = []     # (test id, line)


def pytest_addoption(parser):
    parser.addoption("--binary", metavar="PATH", help="the comptoir binary (default $COMPTOIR_BINARY, else .build/debug/comptoir)")


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config):
    # SIGTERM and SIGHUP as Ctrl-C: pytest then tears every fixture down, so nothing is left running.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)


# ---------------------------------------------------------------------------
# The binary
# ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def binary(pytestconfig):
    path = resolve_binary(pytestconfig.getoption("binary") or os.environ.get("COMPTOIR_BINARY"))
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"the comptoir binary {path} is missing or not executable (swift build, or --binary PATH)", pytrace=False)
    return path


# ---------------------------------------------------------------------------
# The servers
# ---------------------------------------------------------------------------

def unavailable(reason):
    """A test cannot have its servers: it fails in CI, where they must be there, else it is skipped."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"servers unavailable: {reason}", pytrace=False)
    pytest.skip(f"servers unavailable: {reason}")


class Servers:
    def __init__(self, variables, origin, problem=None):
        self.variables = variables
        self.origin = origin        # where the variables came from, for messages
        self.problem = problem      # why there are none

    def need(self, *names):
        """{name: value} of these variables; fails or skips the test (unavailable) when one is missing."""
        if self.problem:
            unavailable(self.problem)
        missing = [name for name in names if not self.variables.get(name)]
        if missing:
            unavailable(f"{', '.join(missing)} not set ({self.origin})")
        return {name: self.variables[name] for name in names}


def read_server_variables(path):
    """The variables of a `scripts/integration-test --servers FILE` file (`export NAME=value`
    lines, values quoted by bash's printf %q), read by bash itself."""
    script = '. "$1" >/dev/null && for name in "${@:2}"; do printf "%s=%s\\0" "$name" "${!name-}"; done'
    result = subprocess.run(["bash", "-c", script, "bash", path, *SERVER_VARIABLES], capture_output=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"cannot read {path}: {result.stderr.decode(errors='replace').strip()}")
    pairs = [item.split("=", 1) for item in result.stdout.decode().split("\0") if item]
    return {name: value for name, value in pairs if value}


class ServersProcess:
    """`scripts/integration-test --servers FILE`, started for this session."""

    def __init__(self, directory):
        self.file = os.path.join(directory, "servers.env")
        self.log_path = os.path.join(directory, "integration-test.log")
        self.process = None

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def start(self):
        env = {k: v for k, v in os.environ.items() if k not in SERVER_VARIABLES}
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen([os.path.join(REPO_ROOT, "scripts", "integration-test"), "--servers", self.file],
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=env,
                                            start_new_session=True)
        deadline = time.monotonic() + SERVERS_START_TIMEOUT
        while "servers up" not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(f"scripts/integration-test --servers exited with code {self.process.returncode}:\n"
                                   + "\n".join(self.log().splitlines()[-30:]))
            if time.monotonic() > deadline:
                raise RuntimeError(f"scripts/integration-test --servers not up after {SERVERS_START_TIMEOUT:.0f} s:\n"
                                   + "\n".join(self.log().splitlines()[-30:]))
            time.sleep(0.5)
        return read_server_variables(self.file)

    def stop(self):
        """SIGTERM to the script: its EXIT trap stops every server and removes their directories."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=SERVERS_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def servers():
    path = os.environ.get("COMPTOIR_SERVERS_FILE")
    if path:
        if not os.path.isfile(path):
            yield Servers({}, path, f"COMPTOIR_SERVERS_FILE={path} does not exist (scripts/integration-test --servers {path})")
            return
        yield Servers(read_server_variables(path), f"from {path}")
        return
    from_environment = {name: os.environ[name] for name in SERVER_VARIABLES if os.environ.get(name)}
    if from_environment:
        yield Servers(from_environment, "from the environment")
        return
    directory = tempfile.mkdtemp(prefix="comptoir-pytest-servers-")
    started = ServersProcess(directory)
    try:
        print("\nstarting the servers: scripts/integration-test --servers (1 to 2 minutes)", file=sys.__stderr__, flush=True)
        began = time.monotonic()
        try:
            variables = started.start()
        except (OSError, RuntimeError) as error:
            yield Servers({}, "scripts/integration-test --servers", str(error))
            return
        print(f"servers up after {time.monotonic() - began:.0f} s", file=sys.__stderr__, flush=True)
        yield Servers(variables, "from the scripts/integration-test --servers this session started")
    finally:
        started.stop()
        shutil.rmtree(directory, ignore_errors=True)


# ---------------------------------------------------------------------------
# Platforms
# ---------------------------------------------------------------------------

class Platforms:
    """comptoir processes of one test or module, in one temporary directory."""

    def __init__(self, binary, label):
        self.binary = binary
        self.root = tempfile.mkdtemp(prefix=f"comptoir-{re.sub(r'[^A-Za-z0-9_.-]+', '-', label)[:40]}-")
        self.instances = []

    def start(self, name, env=None, command=None, port=None, wait=True):
        """Starts (or, for a name already started, restarts on the same data directory) a
        platform on free ports; with `wait`, asserts that it gets ready."""
        instance = next((i for i in self.instances if i.name == name), None)
        if instance is None:
            instance = Instance(name, self.binary, self.root)
            self.instances.append(instance)
        taken = [i.port for i in self.instances if i.port is not None and i is not instance and i.running()]
        instance.start(port or pick_base_port(taken=taken), env, command)
        if wait:
            self.wait_ready(instance)
        return instance

    def wait_ready(self, *instances):
        outcome = await_ready(instances)
        problems = {i.name: problem for i, problem in outcome.items() if problem}
        assert not problems, f"GET /health/ready -> 200: {problems}"
        for i in instances:
            print(f"{i.name}: ready after {i.ready_after:.1f} s on port {i.port} (services {i.port + 1}-{i.port + 11}), "
                  f"data {i.data_dir}", flush=True)

    def stop(self, *instances):
        """SIGTERM: each must exit 0 within STOP_TIMEOUT (harness)."""
        dead = {i.name: i.process.returncode for i in instances if not i.running()}
        assert not dead, f"not running at the stop (exit codes {dead})"
        codes = stop_gracefully(instances)
        bad = {i.name: f"still running after {STOP_TIMEOUT:.0f} s, killed" if code is None else f"exit code {code}"
               for i, code in codes.items() if code != 0}
        assert not bad, f"clean exit after SIGTERM: {bad}"
        for i in instances:
            print(f"{i.name}: clean exit after SIGTERM (exit code 0)", flush=True)

    def close(self):
        """Stops what still runs (SIGTERM, then SIGKILL), removes the directory; returns what did not exit 0."""
        codes = stop_gracefully([i for i in self.instances if i.running()])
        problems = [f"{i.name}: {'still running after SIGTERM, killed' if code is None else f'exit code {code} after SIGTERM'}\n"
                    f"----- last {LOG_TAIL_LINES} lines of {i.log_path} -----\n{i.log_tail()}"
                    for i, code in codes.items() if code != 0]
        for i in self.instances:
            i.kill()
            i.close_log()
        shutil.rmtree(self.root, ignore_errors=True)
        return problems


def _platforms(binary, label):
    factory = Platforms(binary, label)
    _ACTIVE.append(factory)
    try:
        yield factory
    finally:
        _ACTIVE.remove(factory)
        problems = factory.close()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def platforms(binary, request):
    yield from _platforms(binary, request.node.name)


@pytest.fixture(scope="module")
def module_platforms(binary, request):
    yield from _platforms(binary, request.module.__name__)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for factory in _ACTIVE:
            for instance in factory.instances:
                report.sections.append((f"last {LOG_TAIL_LINES} lines of {instance.name}'s log ({instance.log_path})",
                                        instance.log_tail()))


# ---------------------------------------------------------------------------
# Tracing and RabbitMQ helpers (test_tracing.py, test_prometheus.py)
# ---------------------------------------------------------------------------

@pytest.fixture
def otlp_receiver():
    from otlp_receiver import OTLPReceiver
    receiver = OTLPReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


RABBITMQCTL = "/usr/lib/rabbitmq/bin/rabbitmqctl"


def _rabbitmq_nodes(directory):
    """(node name, HOME) of each node of the servers' cluster, from its nN/env file."""
    nodes = []
    for n in (1, 2, 3):
        try:
            with open(os.path.join(directory, f"n{n}", "env")) as f:
                text = f.read()
        except OSError:
            continue
        name, home = re.search(r"RABBITMQ_NODENAME='([^']+)'", text), re.search(r"HOME='([^']+)'", text)
        if name and home:
            nodes.append((name.group(1), home.group(1)))
    return nodes


def _delete_queues(directory, prefix):
    """Deletes the queues whose names start with `prefix`, through the first node that answers."""
    for name, home in _rabbitmq_nodes(directory):
        env = {**os.environ, "HOME": home}
        listed = subprocess.run([RABBITMQCTL, "-n", name, "list_queues", "name", "--formatter", "json"], env=env,
                                capture_output=True, text=True, timeout=120)
        if listed.returncode != 0:
            continue
        for queue in json.loads(listed.stdout or "[]"):
            if queue["name"].startswith(prefix):
                subprocess.run([RABBITMQCTL, "-n", name, "delete_queue", queue["name"]], env=env, capture_output=True, timeout=60)
        return


def _amqp_namespace(servers):
    variables = servers.need("COMPTOIR_TEST_AMQP_URL", "COMPTOIR_TEST_RABBITMQ_DIR")
    namespace = f"obstest{os.urandom(4).hex()}"
    yield variables["COMPTOIR_TEST_AMQP_URL"], namespace
    _delete_queues(variables["COMPTOIR_TEST_RABBITMQ_DIR"], namespace + ".")


@pytest.fixture
def amqp_namespace(servers):
    yield from _amqp_namespace(servers)


@pytest.fixture(scope="module")
def module_amqp_namespace(servers):
    yield from _amqp_namespace(servers)


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

@pytest.fixture
def figure(request, record_property):
    def note(line):
        print(line, flush=True)
        record_property("figure", line)
        _FIGURES.append((request.node.nodeid, line))
    return note


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("figures")
        for nodeid, line in _FIGURES:
            terminalreporter.write_line(f"{nodeid.split('::')[-1]}: {line}")
    stats = terminalreporter.stats
    passed, failed = len(stats.get("passed", [])), len(stats.get("failed", [])) + len(stats.get("error", []))
    skipped = len(stats.get("skipped", []))
    if passed + failed + skipped == 0:
        return
    # The plain closing line of the scripts this suite replaced (scripts/container-test reads it).
    terminalreporter.write_line(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
