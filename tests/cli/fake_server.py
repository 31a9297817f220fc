#!/usr/bin/env python3
"""A stand-in for `concur serve` in the command-line tests, with the same
routes (httpbin-like plus faults), until the embedded server exists.

  fake_server.py [--port 0] [--port-file F] [--pid-file F] [--latency SECONDS]

Prints its URL as the first line of stdout. Routes:
  /bytes/N                 N bytes of deterministic content
  /status/CODE             that status, empty body
  /delay/S                 waits S seconds, then a short body
  /fault/reset             promises 65536 bytes, sends 1000, then resets
  /fault/hang              never answers
  /fault/redirect-loop     redirects to itself forever
  /fault/huge              an endless body without Content-Length
Extras that only this stand-in has (tests skip them otherwise):
  /flaky/KEY/N[?retry-after=S]  503 for the first N requests of KEY, then 200 "ok"
"""
import argparse
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

PATTERN = bytes((i * 31 + 7) & 0xFF for i in range(65536))
flaky_counts = {}
flaky_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body leave in separate writes: without this, Nagle and
    # delayed ACKs add 40 ms to every keep-alive response
    disable_nagle_algorithm = True
    latency = 0.0

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.latency:
            time.sleep(self.latency)
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        try:
            route = getattr(self, "route_" + "_".join(parts[:2]).replace("-", "_"), None)
            if parts[:1] in (["bytes"], ["status"], ["delay"]):
                route = getattr(self, "route_" + parts[0])
                return route(parts[1])
            if parts[:1] == ["flaky"]:
                return self.route_flaky(parts[1], int(parts[2]), parse_qs(url.query))
            if route and parts[0] == "fault":
                return route()
        except (IndexError, ValueError):
            pass
        self.reply(404, b"not found\n")

    def route_bytes(self, n):
        n = int(n)
        body = (PATTERN * (n // len(PATTERN) + 1))[:n]
        self.reply(200, body)

    def route_status(self, code):
        self.reply(int(code))

    def route_delay(self, seconds):
        time.sleep(float(seconds))
        self.reply(200, b"delayed\n")

    def route_flaky(self, key, failures, query):
        with flaky_lock:
            seen = flaky_counts.get(key, 0)
            flaky_counts[key] = seen + 1
        if seen < failures:
            headers = [("Retry-After", query["retry-after"][0])] if "retry-after" in query else []
            self.reply(503, b"", headers)
        else:
            self.reply(200, b"ok")

    def route_fault_reset(self):
        self.send_response(200)
        self.send_header("Content-Length", "65536")
        self.end_headers()
        self.wfile.write(PATTERN[:1000])
        self.wfile.flush()
        # SO_LINGER with a zero timeout: close() sends RST, not FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def route_fault_hang(self):
        time.sleep(3600)

    def route_fault_redirect_loop(self):
        self.reply(302, b"", [("Location", "/fault/redirect-loop")])

    def route_fault_huge(self):
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for _ in range(16384):  # 1 GiB at most
                self.wfile.write(PATTERN)
        except OSError:
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 4096


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--pid-file")
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    Handler.latency = args.latency
    server = Server((args.bind, args.port), Handler)
    port = server.server_address[1]
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write(f"{os.getpid()}\n")
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.rename(tmp, args.port_file)
    print(f"http://{args.bind}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
