#!/usr/bin/env python3
"""Serves dummyjson-shaped product pages for the products benchmark, like https://dummyjson.com/products.

    products_server.py --dir PAGES_DIR --port 0      # prints PORT=n, serves until stdin closes

GET /products?skip=S&limit=L returns the pre-generated page holding products S..S+L-1 (pages made by
gen_products.py --pages N --page-size L), sent as is. Pages are memory-mapped once and sent from the
mapping: the fixture shares the machine's cores with flow and the database, so it should spend as
little CPU as it can (reading each 1.4 MB page into a fresh buffer cost about 0.2 s of the 1 s it
needs for the 1,000-page benchmark).
"""
import argparse
import mmap
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()
pages = sorted(f for f in os.listdir(args.dir) if f.startswith("page-"))
cache = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        skip = int(q.get("skip", ["0"])[0])
        limit = int(q.get("limit", ["1000"])[0])
        index = skip // limit if limit else 0
        if url.path != "/products" or index >= len(pages):
            body = b'{"products":[],"total":%d,"skip":%d,"limit":%d}' % (0, skip, limit)
        else:
            name = pages[index]
            body = cache.get(name)
            if body is None:
                with open(os.path.join(args.dir, name), "rb") as f:
                    body = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                cache[name] = body
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
server.daemon_threads = True
print(f"PORT={server.server_address[1]}", flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
