"""Load generators.

`wrk_case`: closed-loop throughput with wrk (-t2 -cN), over a list of paths taken in turn; every
non-2xx answer is counted (a Lua `response` hook) with wrk's socket errors.
`open_loop`: a constant arrival rate for the mix. Request i is due at start + i/rate; it is sent
on an idle keep-alive connection, or a new one when every connection is busy (so no request
waits behind another's answer), and its latency runs from the time it was due, not from when
it left: a generator or server that falls behind shows up in the latency (no coordinated
omission). The generator reports how late it sent (its own lag) and how many connections it
needed.
`HttpConnection`: the small asyncio HTTP/1.1 keep-alive client both of the latter use."""

import asyncio
import os
import re
import subprocess

from .common import summarize, temp_dir

WRK_SCRIPT = """
local specs = {%(specs)s}
local threads = {}
local next_start = 0
local requests = {}
function setup(thread)
  thread:set("start_at", next_start)
  next_start = next_start + 7
  table.insert(threads, thread)
end
function init(args)
  for i, spec in ipairs(specs) do requests[i] = wrk.format("GET", spec[1], spec[2]) end
  counter = start_at
  bad = 0
end
function request()
  counter = counter + 1
  return requests[(counter %% #requests) + 1]
end
function response(status, hdrs, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local non2xx = 0
  for _, t in ipairs(threads) do non2xx = non2xx + t:get("bad") end
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, non2xx))
end
"""


def lua_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_table(headers):
    return "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()) + "}"


def wrk_case(base_url, paths, duration, connections, headers=None, threads=2):
    """Runs wrk against `base_url` over `paths` (each a path, or (path, its own headers)), with
    `headers` on every request; returns {rps, p50, p95, p99 (ms), errors, requests}."""
    root = temp_dir("wrk")
    script = os.path.join(root, "case.lua")
    specs = [(p, {}) if isinstance(p, str) else p for p in paths]
    with open(script, "w") as f:
        f.write(WRK_SCRIPT % {"specs": ", ".join(f"{{{lua_string(path)}, {lua_table({**(headers or {}), **own})}}}"
                                                 for path, own in specs)})
    out = subprocess.run(["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{duration}s",
                          "--timeout", "10s", "-s", script, base_url], capture_output=True, text=True)
    match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", out.stdout)
    if not match:
        raise RuntimeError(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    requests, micros, p50, p95, p99, socket_errors, non2xx = map(int, match.groups())
    return {"rps": requests / (micros / 1e6), "p50": p50 / 1000, "p95": p95 / 1000, "p99": p99 / 1000,
            "errors": socket_errors + non2xx, "socket_errors": socket_errors, "non2xx": non2xx, "requests": requests}


def wrk_measure(base_url, paths, duration, connections, headers=None):
    """A 2 s warm-up (connections, caches), then the measured run."""
    wrk_case(base_url, paths, 2, connections, headers)
    return wrk_case(base_url, paths, duration, connections, headers)


# ---------------------------------------------------------------------------
# asyncio HTTP/1.1
# ---------------------------------------------------------------------------

class HttpConnection:
    """One keep-alive HTTP/1.1 connection (Content-Length or chunked answers)."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method, path, body=b"", headers=None):
        """Sends one request; returns (status, body bytes). Reconnects when the connection is closed."""
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "User-Agent: comptoir-bench"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body or method in ("POST", "PUT", "PATCH"):
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            return await self._read_response()
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            raise

    async def _read_response(self):
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        fields = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            body = await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        else:
            body = b""
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, body

    async def _read_chunked(self):
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class ConnectionPool:
    """Idle keep-alive connections to one host; a busy pool opens another connection."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.idle = []
        self.opened = 0
        self.busy = 0
        self.max_busy = 0

    async def request(self, method, path, body=b"", headers=None):
        connection = self.idle.pop() if self.idle else None
        if connection is None:
            connection = HttpConnection(self.host, self.port)
            self.opened += 1
        self.busy += 1
        self.max_busy = max(self.max_busy, self.busy)
        try:
            answer = await connection.request(method, path, body, headers)
            self.idle.append(connection)
            return answer
        finally:
            self.busy -= 1

    def close(self):
        for connection in self.idle:
            connection.close()
        self.idle = []


def host_port(base_url):
    host, port = base_url.split("//", 1)[1].split(":")
    return host, int(port.rstrip("/"))


class KindStats:
    """Latencies (ms) and errors of one kind of request."""

    def __init__(self):
        self.latencies = []
        self.errors = 0
        self.statuses = {}

    def record(self, latency_ms, status):
        self.latencies.append(latency_ms)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if not isinstance(status, int) or not 200 <= status <= 299:
            self.errors += 1

    def figures(self, seconds):
        return {"requests": len(self.latencies), "rps": len(self.latencies) / seconds if seconds else 0.0,
                "errors": self.errors, **summarize(self.latencies),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=lambda kv: str(kv[0]))}}


async def open_loop(base_url, rate, duration, next_request, drain_timeout=15.0):
    """Sends `rate` requests/s for `duration` s. `next_request(i)` returns (kind, method, path,
    body bytes, headers, on_answer(status, body) or None), or None when nothing can be sent (counted
    as `skipped`). Returns {kinds: {kind: KindStats}, sent, skipped, unfinished (no answer within
    `drain_timeout` s of the last send), seconds (to the last answer), achieved_rps (requests sent
    per second of the send window: below the target when the generator fell behind or skipped),
    lag (how late the sends left, ms), connections, max_in_flight}."""
    pool = ConnectionPool(*host_port(base_url))
    loop = asyncio.get_running_loop()
    kinds, tasks, lags = {}, set(), []
    skipped = 0
    total = int(rate * duration)
    start = loop.time() + 0.1
    sent_at = start

    async def one(intended, kind, method, path, body, headers, on_answer):
        try:
            status, answer = await pool.request(method, path, body, headers)
        except Exception as error:  # noqa: BLE001 - a transport error is an error of the run
            status, answer = type(error).__name__, b""
        kinds.setdefault(kind, KindStats()).record((loop.time() - intended) * 1000.0, status)
        if on_answer is not None:
            on_answer(status, answer)

    for i in range(total):
        intended = start + i / rate
        delay = intended - loop.time()
        if delay > 0.0005:
            await asyncio.sleep(delay)
        sent_at = loop.time()
        lags.append(max(0.0, sent_at - intended) * 1000.0)
        request = next_request(i)
        if request is None:
            skipped += 1
            continue
        task = loop.create_task(one(intended, *request))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    unfinished = 0
    if tasks:
        done, pending = await asyncio.wait(set(tasks), timeout=drain_timeout)
        unfinished = len(pending)
        for task in pending:
            task.cancel()
    seconds = loop.time() - start
    send_window = sent_at - start + 1.0 / rate
    pool.close()
    sent = total - skipped
    return {"kinds": kinds, "sent": sent, "skipped": skipped, "unfinished": unfinished, "seconds": seconds,
            "achieved_rps": sent / send_window if send_window > 0 else 0.0, "lag": summarize(lags),
            "connections": pool.opened, "max_in_flight": pool.max_busy}
