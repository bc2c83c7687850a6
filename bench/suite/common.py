"""Processes, temporary directories and progress lines shared by every part of bench/run.

Every process the bench starts goes through `spawn` (its own session, so its whole group can be
signalled) and every temporary directory through `temp_dir`; `cleanup()` stops the first and
removes the second, newest first, whatever happened (bench/run calls it in `finally`)."""

import os
import signal
import socket
import shutil
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.dirname(BENCH_DIR)
SCRIPTS_DIR = os.path.join(REPO_ROOT, "scripts")
if SCRIPTS_DIR not in sys.path:
    sys.path.insert(0, SCRIPTS_DIR)

STOP_FILE = os.environ.get("COMPTOIR_BENCH_STOP_FILE", "")
_live = []        # [(name, Popen)] still to stop
_temp_dirs = []   # paths still to remove
_started = time.monotonic()


class Interrupted(Exception):
    """Raised between steps when the stop file exists (COMPTOIR_BENCH_STOP_FILE)."""


def log(message):
    """One progress line on stderr, with the minutes elapsed since the start."""
    elapsed = time.monotonic() - _started
    print(f"[bench {int(elapsed // 60):02d}:{int(elapsed % 60):02d}] {message}", file=sys.stderr, flush=True)


def check_stop():
    """Raises Interrupted when the stop file (if one is configured) exists."""
    if STOP_FILE and os.path.exists(STOP_FILE):
        raise Interrupted(f"{STOP_FILE} exists")


def temp_dir(prefix):
    """A new temporary directory, removed by cleanup()."""
    path = tempfile.mkdtemp(prefix=f"comptoir-bench-{prefix}-")
    os.chmod(path, 0o755)
    _temp_dirs.append(path)
    return path


def spawn(name, argv, log_path, env=None, cwd=None):
    """Starts `argv` in a session of its own, output to `log_path`; stopped by stop() or cleanup()."""
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                   env=env, cwd=cwd, start_new_session=True)
    track(name, process)
    return process


def track(name, process):
    """Registers a process started elsewhere (in its own session) for cleanup(), once."""
    if all(known is not process for _, known in _live):
        _live.append((name, process))


def stop(process, grace=10.0, sig=signal.SIGTERM):
    """Signals the process group of `process`, waits up to `grace` s, then SIGKILLs the group."""
    for index, (_, known) in enumerate(_live):
        if known is process:
            del _live[index]
            break
    if process.poll() is None:
        _signal_group(process, sig)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    _signal_group(process, signal.SIGKILL)  # stragglers of the group, if any
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _signal_group(process, sig):
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def cleanup():
    """Stops every process still running (newest first) and removes every temporary directory."""
    while _live:
        name, process = _live[-1]
        if process.poll() is None:
            log(f"stopping {name} (pid {process.pid})")
        stop(process, grace=5.0)
    while _temp_dirs:
        shutil.rmtree(_temp_dirs.pop(), ignore_errors=True)


def free_port():
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what, interval=0.2):
    """Polls `predicate` until truthy; raises RuntimeError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - not up yet
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def tail(path, lines=30):
    """The last lines of a log file, for error messages."""
    try:
        with open(path, "rb") as f:
            return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def percentile(sorted_values, p):
    """The p-th percentile (0-100) of an already sorted list, nearest rank; 0 for an empty list."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[rank]


def summarize(latencies_ms):
    """{p50, p95, p99, max} of a list of latencies in ms."""
    values = sorted(latencies_ms)
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "p99": percentile(values, 99),
            "max": values[-1] if values else 0.0}
