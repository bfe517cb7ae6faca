#!/usr/bin/env python3
"""A plain HTTP (or, given a certificate, HTTPS) server for the hub's client tests:
/ok answers 200 "ok", /redirect answers 302 to /ok, /big 1 MiB of a repeated pattern, /stall
half of a 1 MiB body and then nothing for a minute.

usage: callback_server.py PORT_FILE [CERT KEY]
"""
import os
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/big") or self.path.startswith("/stall"):
            body = (b"0123456789abcdef" * 65536)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.path.startswith("/stall"):
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                time.sleep(60)
                return
            self.wfile.write(body)
            return
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if len(sys.argv) > 3:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[2], sys.argv[3])
    server.socket = context.wrap_socket(server.socket, server_side=True)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
