#!/usr/bin/env python3
"""HTTP fixture for flow's tests: a real server on 127.0.0.1 that misbehaves on request.

Usage: python3 http_fixture.py [--port N] [--tls]
--tls serves HTTPS with a fresh self-signed certificate (clients must skip verification).
Prints "PORT=<n>" on stdout once it listens (port 0 = any free port), then serves until stdin closes
(the test process exited or closed the pipe), SIGTERM or Ctrl-C.

Endpoints (add new ones to ROUTES; keep them independent of each other):
  /echo                  method, path, query, headers, body (base64 and text), client port, as JSON
  /status/{code}         that status, small text body; ?header=Name:Value adds response headers
  /retry-after/{n}       429 with Retry-After: 1 for the first n requests per ?key=..., then 200
  /slow/{ms}             waits ms milliseconds, then 200 ("slow")
  /slow-body/{ms}        sends headers and half a body, waits ms, sends the rest
  /reset                 announces a 1000-byte body, sends 100 bytes, then closes the connection
  /rst                   closes the socket with a TCP reset before any reply
  /garbage               replies bytes that are not HTTP
  /bytes/{n}             n bytes (Content-Length); ?chunked=1 streams them without a length;
                         ?key=k records how many body bytes went out before the client hung up
  /stats                 JSON {"sent": bytes, "complete": bool} recorded by /bytes for ?key=...
  /malformed             200 application/json with a truncated JSON document
  /json                  200 with a small valid JSON document
  /redirect/{n}          302 chain of n hops ending at /echo
  /link-pages/{total}    ?page=k (1-based): JSON {"page":k,"items":[...]} with a Link: rel="next" header
  /gzip                  gzip-encoded JSON when the client accepts gzip
  /raw-headers           200 "ok" with padded, folded (obsolete line folding) and colon-holding header values
  /counter               JSON {"count": n}: requests seen so far per ?key=...
  /hook/{key}            a webhook receiver (Slack-style: replies "ok"); records each request (method, headers,
                         body) under key; ?fail=n answers 500 to the first n calls (?retry_after=s adds Retry-After)
  /hooks/{key}           JSON {"calls": n, "requests": [{method, path, headers, body}, ...]} recorded for key

Any JSON reply is compact with a trailing newline with ?compact=1 (else json.dumps's ", " and ": ").

Pagination and webapi endpoints (items are the integers 1..total):
  /offset/{total}        ?limit=&offset= (or skip=): {"products":[{"id":i}...],"total":N,"skip":o,"limit":l}
  /page-number/{total}   ?page= (1-based) &per_page= (default 10): {"data":[...],"page":p,"total_pages":n};
                         with ?key=, the pages requested are listed at /stats?key=pages:<key>, and
                         ?fail_page=k answers 503 to the first request for page k
  /cursor/{total}        ?cursor=&limit= (default 10): {"items":[...],"next_cursor":"c<k>" or null}
  /json-link/{total}     ?page=: {"items":[...],"next":"/json-link/N?page=p+1" (relative) or null}
  /same-next             a body whose "next" link is always /same-next?page=2 (a server that loops)
  /same-cursor           a body whose "next_cursor" is always "again"
  /same-page             the same page whatever the parameters, with "total": 1000
  /fail-then-ok/{n}      500 for the first n requests per ?key=, then 200 {"ok":true,"attempt":k}
  /reset-then-ok/{n}     the /reset behaviour for the first n requests per ?key=, then 200 JSON
  /item/{id}             {"id":id,"name":"item-<id>"} after a delay that is longer for smaller ids
                         (?delay_ms= the unit, default 20), so concurrent requests finish out of order
  /oauth/token           client credentials grant (form or Basic client auth; client "app", secret
                         "s3cret"); tokens "tok-<key>-<n>"; counts requests per ?key=
  /oauth/api             200 JSON when the Bearer token is one issued for ?key=, else 401; with
                         ?reject_first=1 the first token of the key is refused (forces a refresh)
  /echo-status/{code}    that status with JSON {"headers": {...}, "query": "..."}: what the client sent
  /bench/{pages}         ?page= (1-based): about 100 KB of JSON, {"page":p,"total_pages":n,"items":[...]}
"""

import base64
import gzip
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_lock = threading.Lock()
_counters = {}
_stats = {}
_hooks = {}


def _count(key):
    with _lock:
        _counters[key] = _counters.get(key, 0) + 1
        return _counters[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can reuse connections
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms ACK wait
    server_version = "flow-fixture/1"

    def log_message(self, format, *args):  # quiet; set FIXTURE_LOG=1 to see requests
        if os.environ.get("FIXTURE_LOG"):
            sys.stderr.write("fixture: " + (format % args) + "\n")

    # -- helpers --------------------------------------------------------------------------------------

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            return self.rfile.read(length)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return b""

    def _send(self, status, body=b"", content_type="text/plain", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status, value, headers=()):
        if self._q("compact") == "1":
            # As most APIs send it: no whitespace, a trailing newline.
            body = json.dumps(value, separators=(",", ":")).encode() + b"\n"
        else:
            body = json.dumps(value).encode()
        self._send(status, body, "application/json", headers)

    # -- dispatch -------------------------------------------------------------------------------------

    def _dispatch(self):
        url = urlsplit(self.path)
        self.query = parse_qs(url.query, keep_blank_values=True)
        self.request_body = self._body()
        parts = [p for p in url.path.split("/") if p]
        name = parts[0] if parts else ""
        handler = ROUTES.get(name)
        if handler is None:
            return self._send(404, b"no such fixture endpoint\n")
        try:
            handler(self, parts[1:])
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def _arg(self, args, index, default=None):
        return args[index] if len(args) > index else default

    def _q(self, name, default=None):
        return self.query.get(name, [default])[0]

    # -- endpoints ------------------------------------------------------------------------------------

    def echo(self, args):
        body = self.request_body
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        url = urlsplit(self.path)
        self._json(200, {
            "method": self.command,
            "path": url.path,
            "query": url.query,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": text,
            "bodyBase64": base64.b64encode(body).decode(),
            "clientPort": self.client_address[1],
            "httpVersion": self.request_version,
        })

    def status(self, args):
        code = int(self._arg(args, 0, "200"))
        headers = [tuple(h.split(":", 1)) for h in self.query.get("header", [])]
        self._send(code, ("status %d\n" % code).encode(), headers=headers)

    def retry_after(self, args):
        limit = int(self._arg(args, 0, "1"))
        seen = _count("retry-after:" + (self._q("key") or ""))
        if seen <= limit:
            self._json(429, {"error": "slow down", "attempt": seen}, headers=[("Retry-After", "1")])
        else:
            self._json(200, {"ok": True, "attempt": seen})

    def slow(self, args):
        time.sleep(int(self._arg(args, 0, "1000")) / 1000)
        self._send(200, b"slow")

    def slow_body(self, args):
        delay = int(self._arg(args, 0, "1000")) / 1000
        self.send_response(200)
        self.send_header("Content-Length", "10")
        self.end_headers()
        self.wfile.write(b"12345")
        self.wfile.flush()
        time.sleep(delay)
        self.wfile.write(b"67890")

    def reset(self, args):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"x" * 100)
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def rst(self, args):
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def garbage(self, args):
        self.wfile.write(b"\x00\x01this is not HTTP\r\n\r\n")
        self.wfile.flush()
        self.close_connection = True

    def bytes_(self, args):
        count = int(self._arg(args, 0, "0"))
        key = self._q("key")
        chunked = bool(self._q("chunked"))
        chunk = b"x" * 65536
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(count))
        self.end_headers()
        sent = 0
        try:
            while sent < count:
                piece = chunk[: min(count - sent, len(chunk))]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        finally:
            if key is not None:
                with _lock:
                    _stats[key] = {"sent": sent, "complete": sent >= count}

    def stats(self, args):
        with _lock:
            value = _stats.get(self._q("key") or "")
        self._json(200 if value else 404, value or {"error": "no such key"})

    def malformed(self, args):
        self._send(200, b'{"items": [1, 2, {"name": "trunc', "application/json")

    def json_(self, args):
        self._json(200, {"name": "flow", "items": [1, 2, 3], "nested": {"ok": True}})

    def redirect(self, args):
        left = int(self._arg(args, 0, "1"))
        target = "/echo" if left <= 1 else "/redirect/%d" % (left - 1)
        self._send(302, b"", headers=[("Location", target)])

    def link_pages(self, args):
        total = int(self._arg(args, 0, "3"))
        page = int(self._q("page", "1"))
        items = [(page - 1) * 2 + 1, (page - 1) * 2 + 2]
        headers = []
        if page < total:
            headers.append(("Link", '</link-pages/%d?page=%d>; rel="next"' % (total, page + 1)))
        self._json(200, {"page": page, "items": items}, headers=headers)

    def gzip_(self, args):
        payload = json.dumps({"compressed": True, "filler": "z" * 1000}).encode()
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            self._send(200, gzip.compress(payload), "application/json", [("Content-Encoding", "gzip")])
        else:
            self._send(200, payload, "application/json")

    def hook(self, args):
        key = self._arg(args, 0, "")
        with _lock:
            entry = _hooks.setdefault(key, {"calls": 0, "requests": []})
            entry["calls"] += 1
            calls = entry["calls"]
        if calls <= int(self._q("fail", "0")):
            headers = []
            if self._q("retry_after") is not None:
                headers.append(("Retry-After", self._q("retry_after")))
            return self._send(500, b"temporarily broken\n", headers=headers)
        with _lock:
            entry["requests"].append({
                "method": self.command,
                "path": urlsplit(self.path).path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": self.request_body.decode("utf-8", "replace"),
            })
        self._send(200, b"ok")

    def hooks(self, args):
        with _lock:
            entry = _hooks.get(self._arg(args, 0, ""), {"calls": 0, "requests": []})
            self._json(200, json.loads(json.dumps(entry)))

    def counter(self, args):
        self._json(200, {"count": _count("counter:" + (self._q("key") or ""))})

    # -- pagination and webapi ------------------------------------------------------------------------

    def _int(self, name, default):
        try:
            return int(self._q(name, str(default)))
        except ValueError:
            return default

    def offset(self, args):
        total = int(self._arg(args, 0, "25"))
        limit = self._int("limit", 10)
        offset = self._int("offset", self._int("skip", 0))
        items = [{"id": i} for i in range(offset + 1, min(offset + limit, total) + 1)]
        self._json(200, {"products": items, "total": total, "skip": offset, "limit": limit})

    def page_number(self, args):
        total = int(self._arg(args, 0, "25"))
        per_page = self._int("per_page", 10)
        page = self._int("page", 1)
        start = (page - 1) * per_page
        key = self._q("key")
        if key is not None:
            with _lock:
                _stats.setdefault("pages:" + key, []).append(page)
            if page == self._int("fail_page", 0) and _count("fail-page:" + key) == 1:
                return self._json(503, {"error": "try again"})
        items = list(range(start + 1, min(start + per_page, total) + 1))
        self._json(200, {"data": items, "page": page, "total_pages": (total + per_page - 1) // per_page})

    def cursor(self, args):
        total = int(self._arg(args, 0, "25"))
        limit = self._int("limit", 10)
        cursor = self._q("cursor")
        start = int(cursor[1:]) if cursor else 0
        end = min(start + limit, total)
        self._json(200, {"items": list(range(start + 1, end + 1)), "next_cursor": ("c%d" % end) if end < total else None})

    def json_link(self, args):
        total = int(self._arg(args, 0, "3"))
        page = self._int("page", 1)
        nxt = ("/json-link/%d?page=%d" % (total, page + 1)) if page < total else None
        self._json(200, {"items": [page * 10 + 1, page * 10 + 2], "next": nxt})

    def same_next(self, args):
        self._json(200, {"items": [1, 2], "next": "/same-next?page=2"})

    def same_cursor(self, args):
        self._json(200, {"items": [1, 2], "next_cursor": "again"})

    def same_page(self, args):
        self._json(200, {"products": [{"id": 1}, {"id": 2}], "total": 1000})

    def fail_then_ok(self, args):
        limit = int(self._arg(args, 0, "2"))
        seen = _count("fail-then-ok:" + (self._q("key") or ""))
        if seen <= limit:
            self._json(500, {"error": "internal", "attempt": seen})
        else:
            self._json(200, {"ok": True, "attempt": seen})

    def reset_then_ok(self, args):
        limit = int(self._arg(args, 0, "1"))
        seen = _count("reset-then-ok:" + (self._q("key") or ""))
        if seen <= limit:
            return self.reset(args)
        self._json(200, {"ok": True, "attempt": seen})

    def item(self, args):
        ident = int(self._arg(args, 0, "0"))
        unit = self._int("delay_ms", 20)
        time.sleep(max(0, 10 - ident % 10) * unit / 1000)
        self._json(200, {"id": ident, "name": "item-%d" % ident})

    def oauth(self, args):
        what = self._arg(args, 0, "")
        key = self._q("key") or ""
        if what == "token":
            form = parse_qs(self.request_body.decode(), keep_blank_values=True)
            client = form.get("client_id", [None])[0]
            secret = form.get("client_secret", [None])[0]
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                client, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            if form.get("grant_type", [None])[0] != "client_credentials" or client != "app" or secret != "s3cret":
                return self._json(401, {"error": "invalid_client"})
            n = _count("oauth-token:" + key)
            return self._json(200, {"access_token": "tok-%s-%d" % (key, n), "token_type": "Bearer", "expires_in": 3600})
        if what == "api":
            auth = self.headers.get("Authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else ""
            prefix = "tok-%s-" % key
            valid = token.startswith(prefix)
            if valid and self._q("reject_first") and token == prefix + "1":
                valid = False
            if not valid:
                return self._json(401, {"error": "invalid_token"})
            return self._json(200, {"ok": True, "token": token})
        self._send(404, b"no such oauth endpoint\n")

    def raw_headers(self, args):
        # Header lines as a careless server writes them: padding, a folded line, a colon in the value.
        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Padded: \t padded value \t\r\nX-Folded: one\r\n  two\r\n"
                         b"X-Url:http://h/x?a=1\r\nContent-Length: 2\r\n\r\nok")

    def echo_status(self, args):
        code = int(self._arg(args, 0, "200"))
        self._json(code, {"headers": dict(self.headers.items()), "query": urlsplit(self.path).query})

    _bench_items = None

    def bench(self, args):
        pages = int(self._arg(args, 0, "1000"))
        page = self._int("page", 1)
        if Handler._bench_items is None:
            items = [{"id": i, "name": "item %d" % i, "price": i * 1.25, "tags": ["a", "b", "c"],
                      "description": "x" * 60} for i in range(650)]
            Handler._bench_items = json.dumps(items).encode()
        body = b'{"page": %d, "total_pages": %d, "items": %s}' % (page, pages, Handler._bench_items)
        self._send(200, body, "application/json")

ROUTES = {
    "echo": Handler.echo,
    "status": Handler.status,
    "retry-after": Handler.retry_after,
    "slow": Handler.slow,
    "slow-body": Handler.slow_body,
    "reset": Handler.reset,
    "rst": Handler.rst,
    "garbage": Handler.garbage,
    "bytes": Handler.bytes_,
    "stats": Handler.stats,
    "malformed": Handler.malformed,
    "json": Handler.json_,
    "redirect": Handler.redirect,
    "link-pages": Handler.link_pages,
    "gzip": Handler.gzip_,
    "raw-headers": Handler.raw_headers,
    "counter": Handler.counter,
    "hook": Handler.hook,
    "hooks": Handler.hooks,
    "offset": Handler.offset,
    "page-number": Handler.page_number,
    "cursor": Handler.cursor,
    "json-link": Handler.json_link,
    "same-next": Handler.same_next,
    "same-cursor": Handler.same_cursor,
    "same-page": Handler.same_page,
    "fail-then-ok": Handler.fail_then_ok,
    "reset-then-ok": Handler.reset_then_ok,
    "item": Handler.item,
    "oauth": Handler.oauth,
    "echo-status": Handler.echo_status,
    "bench": Handler.bench,
}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # many concurrent clients connect at once in the tests

    tls_context = None

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, on the request's own thread, not in the accept loop.
        if self.tls_context is not None:
            try:
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (OSError, ValueError):
                return  # a client that gave up on the certificate
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def main():
    port = 0
    if "--port" in sys.argv:
        port = int(sys.argv[sys.argv.index("--port") + 1])
    server = Server(("127.0.0.1", port), Handler)
    if "--tls" in sys.argv:
        import fixture_tls

        server.tls_context = fixture_tls.server_context()
    print("PORT=%d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # Exit when the parent closes our stdin (or dies): no orphaned fixtures.
        while sys.stdin.buffer.read(1024):
            pass
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    main()
