"""traffic.py - the outage test's model: agencies, warrants, and packet i of a seeded stream.

The sender (send.py) and the checker (outcheck.py) both iterate packet(seed, i)
for i = 0, 1, ...; the same seed always gives the same IP packets, each unique
(its payload names the seed and its index).  The driver writes the lawtap
configuration from AGENCIES and WARRANTS.  python3 stdlib only.
"""

import hashlib
import ipaddress
import os
import random
import struct

HI2_PORT, HI3_PORT = 41202, 41203

# agency id -> (its address in its namespace, the appliance's address on that
# link); LAWTAP_OUTAGE_NET moves the /24 (two runs at once need two).
NET = os.environ.get("LAWTAP_OUTAGE_NET", "198.19.86")
AGENCIES = {
    "police": (NET + ".2", NET + ".1"),
    "customs": (NET + ".6", NET + ".5"),
}

# (liid, agency, cin, content, targets).  Overlaps on purpose: 10.61.0.1 is under
# three warrants of both agencies, 2001:db8:61::1 under three of both.
WARRANTS = [
    ("OUT-P-1", "police", 11, "both", ["10.61.0.1/32", "2001:db8:61::1/128"]),
    ("OUT-P-2", "police", 12, "cc", ["10.61.0.0/29"]),
    ("OUT-C-1", "customs", 21, "both", ["10.61.0.1/32", "10.62.0.0/24"]),
    ("OUT-C-2", "customs", 22, "iri", ["2001:db8:61::/64"]),
    ("OUT-C-3", "customs", 23, "cc", ["2001:db8:61::/64"]),
]

# hosts the stream talks about: targets of one or more warrants, and others
TARGET_HOSTS = ["10.61.0.1", "10.61.0.5", "10.62.0.9", "10.62.0.200",
                "2001:db8:61::1", "2001:db8:61::77"]
OTHER_HOSTS = ["10.63.0.1", "10.63.0.2", "10.61.0.8", "2001:db8:63::1", "2001:db8:61:1::1"]
PEERS4 = ["10.64.%d.%d" % (a, b) for a in range(2) for b in range(1, 9)]
PEERS6 = ["2001:db8:64::%x" % b for b in range(1, 17)]

_nets = [(w[0], [ipaddress.ip_network(t) for t in w[4]]) for w in WARRANTS]


def agency_of(liid):
    for w in WARRANTS:
        if w[0] == liid:
            return w[1]
    return None


def cc_warrants():
    return [w for w in WARRANTS if w[3] in ("cc", "both")]


def iri_warrants():
    return [w for w in WARRANTS if w[3] in ("iri", "both")]


def _csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Stream:
    """packet i of the stream for seed: next() returns (ip bytes, src, dst) in order."""

    def __init__(self, seed, max_payload=1200):
        self.rng = random.Random(seed)
        self.seed = seed
        self.i = 0
        self.max_payload = max_payload

    def next(self):
        r = self.rng
        i = self.i
        self.i += 1
        host = r.choice(TARGET_HOSTS) if r.random() < 0.6 else r.choice(OTHER_HOSTS)
        v6 = ":" in host
        peer = r.choice(PEERS6 if v6 else PEERS4)
        src, dst = (host, peer) if r.random() < 0.5 else (peer, host)
        tcp = r.random() < 0.5
        plen = r.randint(16, self.max_payload)
        tag = b"lawtap-outage %d %d " % (self.seed, i)
        payload = (tag * (plen // len(tag) + 1))[:plen]
        sport, dport = 1024 + r.randrange(60000), r.choice((53, 80, 443, 5060, 8801))
        if tcp:
            l4 = struct.pack("!HHIIBBHHH", sport, dport, i & 0xFFFFFFFF, 0, 5 << 4, 0x18,
                             65535, 0, 0) + payload
            proto = 6
        else:
            l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
            proto = 17
        s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
        if v6:
            ip = struct.pack("!IHBB", 6 << 28, len(l4), proto, 64) + s.packed + d.packed + l4
        else:
            h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), i & 0xFFFF, 0x4000, 64,
                            proto, 0, s.packed, d.packed)
            h = h[:10] + struct.pack("!H", _csum(h)) + h[12:]
            ip = h + l4
        return ip, s, d


def cc_of(src, dst):
    """[(liid, direction)] for a packet between src and dst."""
    out = []
    for w, (liid, nets) in zip(WARRANTS, _nets):
        if w[3] not in ("cc", "both"):
            continue
        if any(src in n for n in nets):
            out.append((liid, "fromTarget"))
        elif any(dst in n for n in nets):
            out.append((liid, "toTarget"))
    return out


def digest(ip):
    """What the checker keeps per record: the first 8 bytes of the IP packet's SHA-256."""
    return hashlib.sha256(ip).digest()[:8]
