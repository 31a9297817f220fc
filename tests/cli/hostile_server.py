#!/usr/bin/env python3
"""A hostile HTTP server for concur io's error texts: behaviours that
`concur serve` has no reason to offer.

usage: hostile_server.py BEHAVIOUR PORT_FILE

Listens on a free port of 127.0.0.1, writes the port to PORT_FILE, and
answers every connection with BEHAVIOUR until killed:

  reset-then-hang  the first connection answers one request (keep-alive),
                   then resets when the second request arrives; every later
                   connection reads its request and never answers (a client
                   that silently retried the reset now times out)
  big-header       a 200 whose one header line is 1 MiB long
"""
import socket
import sys
import threading
import time


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data


def reset(conn):
    # SO_LINGER 0: close sends an RST instead of a FIN
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    conn.close()


def reset_then_hang(conn, first):
    if first:
        if read_request(conn) is None:
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        read_request(conn)
        reset(conn)
    else:
        read_request(conn)
        time.sleep(3600)


def big_header(conn, first):
    if read_request(conn) is None:
        return
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (1 << 20) +
                 b"\r\nContent-Length: 2\r\n\r\nok")
    time.sleep(1)
    conn.close()


def main():
    behaviour = {"reset-then-hang": reset_then_hang, "big-header": big_header}[sys.argv[1]]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write("%d\n" % listener.getsockname()[1])
    import os
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    first = True
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=behaviour, args=(conn, first), daemon=True).start()
        first = False


if __name__ == "__main__":
    main()
