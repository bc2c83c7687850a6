#!/usr/bin/env python3
"""An OTLP/HTTP trace receiver for the tests (docs/testing.md): what an OpenTelemetry collector
does with `POST /v1/traces`, and nothing more.

It accepts `POST /v1/traces` with `Content-Type: application/x-protobuf` (the body gzip-compressed
when `Content-Encoding: gzip`, sent with a Content-Length or chunked), parses it as the real
`ExportTraceServiceRequest` of opentelemetry-proto, answers 200 with an empty
`ExportTraceServiceResponse`, and keeps every span with its resource's `service.name`:
trace id, span id and parent span id (lower-case hex, "" when absent), name, kind (SERVER,
CLIENT, PRODUCER, CONSUMER, INTERNAL), attributes, links, status and the resource's attributes.
Anything else (another path or method, another content type, a body that does not parse) is
answered 404/405/415/400 and recorded in `problems`, which the tests assert empty.

In pytest (the `otlp_receiver` fixture of conftest.py):

    receiver = OTLPReceiver().start()          # 127.0.0.1, a free port, a thread
    env = {"COMPTOIR_OTLP_ENDPOINT": receiver.endpoint}
    ... receiver.spans(trace_id) ... receiver.stop()

By hand: `scripts/tests/otlp_receiver.py --port 4318` prints one line per span received
(`--jsonl FILE` also appends each span to FILE as one JSON object), until Ctrl-C.

Needs the PyPI packages opentelemetry-proto and protobuf (scripts/setup-servers).
"""

import argparse
import gzip
import json
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse

KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}
STATUS_CODES = {0: "UNSET", 1: "OK", 2: "ERROR"}
MAX_BODY = 64 << 20


def any_value(value):
    """An OTLP AnyValue as a plain Python value."""
    which = value.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if which == "kvlist_value":
        return attributes(value.kvlist_value.values)
    if which == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, which)


def attributes(key_values):
    return {kv.key: any_value(kv.value) for kv in key_values}


def span_record(span, resource, scope):
    return {
        "service": resource.get("service.name"),
        "resource": resource,
        "scope": scope,
        "trace_id": span.trace_id.hex(),
        "span_id": span.span_id.hex(),
        "parent_span_id": span.parent_span_id.hex(),
        "name": span.name,
        "kind": KINDS.get(span.kind, str(span.kind)),
        "attributes": attributes(span.attributes),
        "links": [{"trace_id": link.trace_id.hex(), "span_id": link.span_id.hex(), "attributes": attributes(link.attributes)}
                  for link in span.links],
        "status": {"code": STATUS_CODES.get(span.status.code, str(span.status.code)), "message": span.status.message},
        "start_ns": span.start_time_unix_nano,
        "end_ns": span.end_time_unix_nano,
    }


def parse_export(body):
    """The spans of one ExportTraceServiceRequest (bytes), as records."""
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    records = []
    for resource_spans in request.resource_spans:
        resource = attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            scope = scope_spans.scope.name
            records.extend(span_record(span, resource, scope) for span in scope_spans.spans)
    return records


class OTLPReceiver:
    """The receiver, in a thread of this process."""

    def __init__(self, host="127.0.0.1", port=0, on_span=None):
        self.host = host
        self.requested_port = port
        self.on_span = on_span
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.records = []
        self.exports = []       # (content type, content encoding, body bytes, span count) per accepted request
        self.problems = []      # what was refused, and why
        self.server = None
        self.thread = None

    # --- lifecycle --------------------------------------------------------------------

    def start(self):
        receiver = self

        class Handler(_Handler):
            owner = receiver

        self.server = ThreadingHTTPServer((self.host, self.requested_port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="otlp-receiver", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=10)
            self.server = None

    @property
    def port(self):
        return self.server.server_address[1]

    @property
    def endpoint(self):
        """The base URL for COMPTOIR_OTLP_ENDPOINT (the exporter appends /v1/traces)."""
        return f"http://{self.host}:{self.port}"

    # --- what was received --------------------------------------------------------------

    def _add(self, records, export):
        with self.changed:
            self.records.extend(records)
            self.exports.append(export)
            self.changed.notify_all()
        if self.on_span:
            for record in records:
                self.on_span(record)

    def _problem(self, text):
        with self.changed:
            self.problems.append(text)
            self.changed.notify_all()

    def spans(self, trace_id=None):
        """Every span received so far (of one trace when `trace_id` is given), in arrival order."""
        with self.lock:
            return [r for r in self.records if trace_id is None or r["trace_id"] == trace_id]

    def trace_ids(self):
        with self.lock:
            return sorted({r["trace_id"] for r in self.records})

    def wait_for(self, predicate, timeout):
        """Calls predicate(spans) whenever spans arrive, until it returns a truthy value (returned)
        or `timeout` seconds pass (then the last, falsy value is returned)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self.spans())
            if value or time.monotonic() >= deadline:
                return value
            with self.changed:
                self.changed.wait(timeout=min(0.5, max(0.01, deadline - time.monotonic())))

    def clear(self):
        with self.lock:
            self.records.clear()
            self.exports.clear()
            self.problems.clear()


class _Handler(BaseHTTPRequestHandler):
    owner = None                    # the OTLPReceiver, set by a subclass
    protocol_version = "HTTP/1.1"   # keep-alive, as exporters expect; every answer has a Content-Length
    server_version = "comptoir-otlp-receiver"

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        pass

    def _answer(self, status, body=b"", content_type="application/x-protobuf"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _refuse(self, status, why):
        self.owner._problem(f"{self.command} {self.path}: {status} {why}")
        self._answer(status, why.encode(), "text/plain; charset=utf-8")

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024).strip():  # trailers
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(16)  # the CRLF after the chunk
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length)

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._refuse(405, "only POST /v1/traces")

    def do_POST(self):  # noqa: N802
        try:
            body = self._read_body()
        except (ValueError, OSError) as error:
            self.close_connection = True
            self._refuse(400, f"unreadable body: {error}")
            return
        if self.path.split("?", 1)[0] != "/v1/traces":
            self._refuse(404, f"unknown path {self.path} (only /v1/traces)")
            return
        content_type = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if content_type != "application/x-protobuf":
            self._refuse(415, f"Content-Type {content_type or '(none)'}, not application/x-protobuf")
            return
        encoding = (self.headers.get("Content-Encoding") or "identity").strip().lower()
        try:
            if encoding == "gzip":
                payload = gzip.decompress(body)
            elif encoding == "deflate":
                payload = zlib.decompress(body)
            elif encoding == "identity":
                payload = body
            else:
                self._refuse(415, f"Content-Encoding {encoding}")
                return
            records = parse_export(payload)
        except (OSError, EOFError, zlib.error, DecodeError) as error:
            self._refuse(400, f"not an ExportTraceServiceRequest ({encoding}, {len(body)} bytes): {error}")
            return
        self.owner._add(records, (content_type, encoding, len(body), len(records)))
        self._answer(200, ExportTraceServiceResponse().SerializeToString())


def main(argv=None):
    parser = argparse.ArgumentParser(description="An OTLP/HTTP trace receiver: prints the spans POSTed to /v1/traces.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4318)
    parser.add_argument("--jsonl", metavar="FILE", help="also append each span to FILE as a JSON line")
    options = parser.parse_args(argv)
    out = open(options.jsonl, "a", buffering=1) if options.jsonl else None

    def show(record):
        parent = record["parent_span_id"] or "-" * 16
        print(f"{record['trace_id']} {record['span_id']} <- {parent} {record['service'] or '?':22} {record['kind']:8} {record['name']}",
              flush=True)
        if out:
            out.write(json.dumps(record, sort_keys=True) + "\n")

    receiver = OTLPReceiver(options.host, options.port, on_span=show).start()
    print(f"OTLP/HTTP receiver on {receiver.endpoint}/v1/traces (COMPTOIR_OTLP_ENDPOINT={receiver.endpoint}); Ctrl-C stops it",
          file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        receiver.stop()
        for problem in receiver.problems:
            print(f"refused: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
