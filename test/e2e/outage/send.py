#!/usr/bin/env python3
"""send.py - sends the seeded stream of traffic.py out of an interface, paced.

usage: send.py --iface IF --seed S --packets N --rate PPS --progress FILE

Packet i goes out as an Ethernet frame (a fixed foreign destination MAC, so
the capture side's kernel ignores it).  Pacing is by the clock, but a sender
that was stopped (SIGSTOP while the appliance restarts) resumes at the rate
instead of bursting to catch up.  FILE gets the count sent every 1000
packets and at the end.
"""

import argparse
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import traffic  # noqa: E402

ETH4 = bytes.fromhex("020000005601" "020000005602" "0800")
ETH6 = bytes.fromhex("020000005601" "020000005602" "86dd")


def progress(path, n):
    with open(path + ".tmp", "w") as fp:
        fp.write("%d\n" % n)
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--packets", type=int, required=True)
    ap.add_argument("--rate", type=float, required=True)
    ap.add_argument("--progress", required=True)
    a = ap.parse_args()
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    st = traffic.Stream(a.seed)
    step = 1.0 / a.rate
    due = time.monotonic()
    for i in range(a.packets):
        ip, src, _ = st.next()
        frame = (ETH6 if src.version == 6 else ETH4) + ip
        while True:
            try:
                s.send(frame)
                break
            except OSError:		# ENOBUFS: the veth's queue is full for a moment
                time.sleep(0.001)
        due += step
        if i % 16 == 15:
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            elif now - due > 0.05:
                due = now	# stopped for a while: no burst afterwards
        if i % 1000 == 999:
            progress(a.progress, i + 1)
    progress(a.progress, a.packets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
