#!/usr/bin/env python3
"""A WebSub subscriber for the end-to-end tests, written against the W3C recommendation and
nothing of gazette's: it confirms intent by echoing hub.challenge, checks each delivery's
X-Hub-Signature with its secret, fails the first N deliveries with 500, and writes one JSON
line per request it receives.

usage: websub_subscriber.py PORT_FILE LOG_FILE SECRET FAIL_FIRST
"""
import hashlib
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

port_file, log_file, secret, fail_first = sys.argv[1], sys.argv[2], sys.argv[3].encode(), int(sys.argv[4])
lock = threading.Lock()
failures_left = [fail_first]


def record(entry):
    with lock, open(log_file, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


class Subscriber(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        q = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        record({"method": "GET", "path": urlparse(self.path).path, "mode": q.get("hub.mode"),
                "topic": q.get("hub.topic"), "lease": q.get("hub.lease_seconds"), "reason": q.get("hub.reason")})
        if q.get("hub.mode") in ("subscribe", "unsubscribe"):
            self.answer(200, q.get("hub.challenge", "").encode())
        else:
            self.answer(200)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        with lock:
            fail = failures_left[0] > 0
            if fail:
                failures_left[0] -= 1
        status = 500 if fail else 200
        record({"method": "POST", "path": urlparse(self.path).path, "status": status,
                "signature_ok": hmac.compare_digest(self.headers.get("X-Hub-Signature", ""), expected),
                "content_type": self.headers.get("Content-Type"), "links": self.headers.get_all("Link") or [],
                "body": body.decode("utf-8", "replace")})
        self.answer(status)


server = ThreadingHTTPServer(("127.0.0.1", 0), Subscriber)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
