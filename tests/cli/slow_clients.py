#!/usr/bin/env python3
"""Slowloris clients for concur serve's request deadline.

usage: slow_clients.py PORT N READY_FILE

Keeps N connections to 127.0.0.1:PORT, each sending a request line and then
one header byte every 0.2 s, never finishing its request; a connection the
server closes is opened again at once. Writes READY_FILE once all N have
connected the first time; runs until killed.
"""
import os
import selectors
import socket
import sys
import time

PORT, N, READY = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


def connect():
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", PORT))
    return s


sel = selectors.DefaultSelector()
socks = {}
for i in range(N):
    s = connect()
    socks[i] = [s, False]
ready = False
while True:
    for i, (s, started) in list(socks.items()):
        try:
            s.send(b"GET / HTTP/1.1\r\nHost: x\r\n" if not started else b"X")
            socks[i][1] = True
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:  # closed by the server (or not yet connected): again
            s.close()
            socks[i] = [connect(), False]
    if not ready and all(started for _, started in socks.values()):
        with open(READY, "w") as f:
            f.write("ready\n")
        ready = True
    time.sleep(0.2)
