#!/usr/bin/env python3
"""tee.py - a TCP relay that keeps a copy of what the appliance sends.

usage: tee.py LISTEN_PORT TO_PORT OUT_FILE

Accepts one connection at a time on 127.0.0.1:LISTEN_PORT, relays it both ways
to 127.0.0.1:TO_PORT, and appends the bytes the appliance sent to OUT_FILE.
A close on either side closes the other.  Runs until killed.
"""
import select
import socket
import sys


def relay(a, b, out):
    socks = [a, b]
    while True:
        r, _, _ = select.select(socks, [], [])
        for s in r:
            data = s.recv(65536)
            if not data:
                return
            if s is a:
                out.write(data)
                out.flush()
                b.sendall(data)
            else:
                a.sendall(data)


def main():
    lport, tport, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", lport))
    ls.listen(4)
    with open(path, "ab") as out:
        while True:
            a, _ = ls.accept()
            b = socket.create_connection(("127.0.0.1", tport))
            try:
                relay(a, b, out)
            except OSError:
                pass
            a.close()
            b.close()


if __name__ == "__main__":
    main()
