#!/usr/bin/env python3
"""gencap.py - writes the replay captures and the matching lawtap config.

Output in --out DIR:
  a.pcap, b.pcap   classic pcap (a1b2c3d4, Ethernet, microseconds); flows are
                   split between the two files by a symmetric hash of their
                   5-tuple, as RSS would spread them over two queues
  lawtap.conf      operator, delivery, two agencies, the warrants below
  truth.jsonl      what a perfect LEMF would have written, derived from the
                   generator's own labels (only selftest.py reads it; check.py
                   computes its expectations from the pcaps and the config)

python3 stdlib only; the same arguments always give the same bytes.
"""

import argparse
import hashlib
import ipaddress
import json
import os
import random
import struct
import sys

T0 = 1794312000  # 2026-11-10T12:00:00Z
SPAN_US = 5_000_000
FULL = ("2026-11-01T00:00:00Z", "2027-05-01T00:00:00Z")
W_ENDS = T0 + 3  # a window that ends in the middle of the capture
W_STARTS = T0 + 2  # and one that starts in the middle
FUTURE = T0 + 30  # a window that starts after the capture


def iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


# Targets: name -> the subscriber addresses that generate traffic for it.
TARGET_HOSTS = {
    "T1": ["203.0.113.7", "2001:db8:7::10", "2001:db8:7::beef"],
    "T2": ["198.51.100.20", "2001:db8:20:1::5", "2001:db8:20:ffff::1"],
    "T3": ["2001:db8:3::5"],
    "T4": ["192.0.2.130", "192.0.2.190"],
    "T5": ["100.64.200.3", "100.64.200.14"],
}

# (liid, agency, cin, content, start, end, targets, target names)
WARRANTS = [
    ("NZP-0001", "police", 1, "both", FULL[0], FULL[1],
     ["203.0.113.7/32", "2001:db8:7::/64"], ["T1"]),
    ("NZC-0001", "customs", 7, "cc", FULL[0], FULL[1],
     ["203.0.113.7/32", "100.64.200.0/28"], ["T1v4", "T5"]),
    ("NZP-0002", "police", 2, "both", FULL[0], FULL[1],
     ["198.51.100.20/32", "2001:db8:20::/48"], ["T2"]),
    ("NZP-0003", "police", 3, "iri", FULL[0], FULL[1],
     ["198.51.100.20/32"], ["T2v4"]),
    ("NZP-0004", "police", 4, "both", FULL[0], iso(W_ENDS),
     ["2001:db8:3::5/128"], ["T3"]),
    ("NZC-0002", "customs", 1, "both", iso(FUTURE), FULL[1],
     ["192.0.2.128/26"], ["T4"]),
    ("NZC-0003", "customs", 2, "both", iso(W_STARTS), FULL[1],
     ["2001:db8:3::5/128"], ["T3"]),
    ("NZP-0005", "police", 5, "cc", FULL[0], FULL[1],
     ["2001:db8:20:1::5/128"], ["=2001:db8:20:1::5"]),
]

AGENCIES = ["police", "customs"]

WHY = {
    "NZP-0001": "both; its IPv4 address is also under NZC-0001 (another agency)",
    "NZC-0001": "CC only; a /28 and NZP-0001's IPv4 address",
    "NZP-0002": "both, an IPv4 address and an IPv6 /48",
    "NZP-0003": "IRI only, on NZP-0002's IPv4 address (same agency)",
    "NZP-0004": "ends 3 s into the capture: an IRI-End, CC until then",
    "NZC-0002": "starts after the capture: nothing at all",
    "NZC-0003": "starts 2 s into the capture, on NZP-0004's target",
    "NZP-0005": "CC only, a host inside NZP-0002's /48 (same agency: two copies)",
}


def parse_iso(s):
    import calendar
    import time
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Gen:
    def __init__(self, seed, npackets, max_size):
        self.r = random.Random(seed)
        self.npackets = npackets
        self.max_size = max_size
        self.serial = 0
        self.ipid = self.r.randrange(65536)
        self.fragid = self.r.randrange(1 << 32)
        self.files = [[], []]  # per file: list of [ts or None, frame, label]

    # -- addresses ---------------------------------------------------------
    def subscriber(self, v6):
        if v6:
            return "2001:db8:100:%x::%x" % (self.r.randrange(1, 4096),
                                           self.r.randrange(1, 65536))
        return "100.64.%d.%d" % (self.r.randrange(0, 200), self.r.randrange(1, 255))

    def remote(self, v6):
        if v6:
            return "2001:db8:ff%02x::%x" % (self.r.randrange(256),
                                           self.r.randrange(1, 65536))
        return "198.%d.%d.%d" % (self.r.randrange(18, 20), self.r.randrange(256),
                                 self.r.randrange(1, 255))

    # -- layers ------------------------------------------------------------
    def payload(self, n):
        self.serial += 1
        head = struct.pack("!Q", self.serial)
        n = max(n, 8)
        return head + self.r.randbytes(n - 8)

    def l4(self, proto, v6, src, dst, sport, dport, data):
        if proto == 6:
            flags = self.r.choice([0x18, 0x10, 0x11, 0x02, 0x12])
            hdr = struct.pack("!HHIIBBHHH", sport, dport, self.r.randrange(1 << 32),
                              self.r.randrange(1 << 32), 5 << 4, flags,
                              self.r.randrange(1024, 65535), 0, 0)
        elif proto == 17:
            hdr = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
        else:  # ICMP / ICMPv6 echo request or reply
            t = (128 if self.r.random() < 0.5 else 129) if v6 else self.r.choice([0, 8])
            hdr = struct.pack("!BBHHH", t, 0, 0, sport, dport)
        seg = hdr + data
        if proto == 1 and not v6:
            c = csum(seg)
        else:
            s = ipaddress.ip_address(src).packed
            d = ipaddress.ip_address(dst).packed
            if v6:
                nh = 58 if proto == 1 else proto
                pseudo = s + d + struct.pack("!IxxxB", len(seg), nh)
            else:
                pseudo = s + d + struct.pack("!xBH", proto, len(seg))
            c = csum(pseudo + seg)
            if proto == 17 and c == 0:
                c = 0xFFFF
        off = {6: 16, 17: 6}.get(proto, 2)
        return seg[:off] + struct.pack("!H", c) + seg[off + 2:]

    def next_ipid(self):
        self.ipid = (self.ipid + 1) & 0xFFFF
        return self.ipid

    def ipv4(self, src, dst, proto, body, ident=None, frag=0, mf=False, tl=None,
             ver=4, ihl=5):
        ident = self.next_ipid() if ident is None else ident
        fl = (frag // 8) | (0x2000 if mf else 0)
        tl = 20 + len(body) if tl is None else tl
        h = struct.pack("!BBHHHBBH4s4s", (ver << 4) | ihl, 0, tl, ident, fl,
                        self.r.choice([64, 63, 128, 255]), proto, 0,
                        ipaddress.ip_address(src).packed,
                        ipaddress.ip_address(dst).packed)
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
        return h + body

    def ipv6(self, src, dst, nh, body, plen=None):
        plen = len(body) if plen is None else plen
        h = struct.pack("!IHBB16s16s", (6 << 28) | (self.r.randrange(1 << 20)), plen, nh,
                        64, ipaddress.ip_address(src).packed,
                        ipaddress.ip_address(dst).packed)
        return h + body

    def ether(self, encap, ethertype, ip, pad=True):
        dst = b"\x02\x00\x00" + self.r.randbytes(3)
        src = b"\x02\x00\x01" + self.r.randbytes(3)
        tags = b""
        if encap == 1:
            tags = struct.pack("!HH", 0x8100, self.r.randrange(1, 4095))
        elif encap == 2:
            tags = struct.pack("!HHHH", 0x88A8, self.r.randrange(1, 4095),
                               0x8100, self.r.randrange(1, 4095))
        f = dst + src + tags + struct.pack("!H", ethertype) + ip
        if pad and len(f) < 60:
            f += b"\0" * (60 - len(f))
        return f

    # -- packets of a flow --------------------------------------------------
    def packets(self, v6, src, dst, proto, sport, dport, size, frag):
        """The IP packets of one transmission (several when fragmented)."""
        data = self.payload(size)
        seg = self.l4(proto, v6, src, dst, sport, dport, data)
        if not frag:
            if v6:
                return [self.ipv6(src, dst, {1: 58}.get(proto, proto), seg)]
            return [self.ipv4(src, dst, proto, seg)]
        chunk = self.r.choice([64, 128, 256, 512])
        pieces = [seg[i:i + chunk] for i in range(0, len(seg), chunk)]
        out = []
        if v6:
            self.fragid = (self.fragid + 1) & 0xFFFFFFFF
            for i, p in enumerate(pieces):
                more = i < len(pieces) - 1
                fh = struct.pack("!BBHI", proto, 0, (i * chunk) | (1 if more else 0),
                                 self.fragid)
                out.append(self.ipv6(src, dst, 44, fh + p))
        else:
            ident = self.next_ipid()
            for i, p in enumerate(pieces):
                out.append(self.ipv4(src, dst, proto, p, ident=ident, frag=i * chunk,
                                     mf=i < len(pieces) - 1))
        return out

    def flow(self, sub, peer, sub_tag, peer_tag, npk):
        """A conversation between subscriber SUB and PEER; returns (file, [(ip, label)])."""
        v6 = ":" in sub
        proto = self.r.choices([6, 17, 1], [5, 4, 1])[0]
        sport, dport = self.r.randrange(1024, 65535), self.r.choice([53, 80, 443, 123, 5060,
                                                                     self.r.randrange(1, 65535)])
        if proto == 1:
            sport, dport = self.r.randrange(65536), 0  # ICMP id, sequence
        frag_flow = proto == 17 and self.r.random() < 0.15
        encap = self.r.choices([0, 1, 2], [6, 3, 2])[0]
        # RSS: symmetric hash of the 5-tuple picks the queue (here: the file).
        key = b"".join(sorted([ipaddress.ip_address(sub).packed + struct.pack("!H", sport),
                               ipaddress.ip_address(peer).packed + struct.pack("!H", dport)]))
        f = hashlib.sha256(key + bytes([proto])).digest()[0] & 1
        pkts = []
        for k in range(npk):
            up = self.r.random() < 0.5
            small = self.r.random() < 0.3
            size = self.r.randrange(8, 24) if small else self.r.randrange(40, self.max_size)
            frag = frag_flow and not small and size > 300
            if proto == 1:
                sp, dp = sport, k
            else:
                sp, dp = (sport, dport) if up else (dport, sport)
            s, d = (sub, peer) if up else (peer, sub)
            for ip in self.packets(v6, s, d, proto, sp, dp, size, frag):
                et = 0x86DD if v6 else 0x0800
                lab = {"src": sub_tag if up else peer_tag, "dst": peer_tag if up else sub_tag}
                pkts.append((self.ether(encap, et, ip), ip, lab))
        return f, pkts

    def garbled(self, target_addr):
        """Frames lawtap must count and skip: (frame, caplen_override_or_None)."""
        r = self.r
        kind = r.randrange(8)
        v6 = ":" in target_addr
        peer = self.remote(v6)
        encap = r.randrange(3)
        if v6:
            ip = self.ipv6(target_addr, peer, 17, self.l4(17, True, target_addr, peer,
                                                          1000, 53, self.payload(100)))
        else:
            ip = self.ipv4(target_addr, peer, 17, self.l4(17, False, target_addr, peer,
                                                          1000, 53, self.payload(100)))
        et = 0x86DD if v6 else 0x0800
        if kind == 0:  # IP header cut short by the snap length
            return self.ether(encap, et, ip, pad=False), 14 + 4 * encap + (12 if not v6 else 30)
        if kind == 1:  # total length beyond what was captured (snap length)
            return self.ether(encap, et, ip), 14 + 4 * encap + r.randrange(44, len(ip) - 1)
        if kind == 2:  # length field larger than the frame
            if v6:
                bad = ip[:4] + struct.pack("!H", len(ip) - 40 + r.randrange(1, 900)) + ip[6:]
            else:
                bad = ip[:2] + struct.pack("!H", len(ip) + r.randrange(1, 900)) + ip[4:]
            return self.ether(encap, et, bad), None
        if kind == 3:  # version 7
            return self.ether(encap, et, bytes([0x70 | (ip[0] & 0x0F)]) + ip[1:]), None
        if kind == 4 and not v6:  # IHL 4
            return self.ether(encap, et, bytes([0x44]) + ip[1:]), None
        if kind == 5 and not v6:  # total length shorter than the header
            return self.ether(encap, et, ip[:2] + struct.pack("!H", 16) + ip[4:]), None
        if kind == 6:  # ARP that mentions the address as well
            arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + r.randbytes(6) + \
                (ipaddress.ip_address(target_addr).packed if not v6 else b"\xcb\x00\x71\x07") + \
                b"\0" * 6 + r.randbytes(4)
            return self.ether(encap, 0x0806, arp), None
        # LLDP-ish: not IP at all
        return self.ether(encap, 0x88CC, r.randbytes(40)), None

    # -- assembling the captures --------------------------------------------
    def build(self):
        r = self.r
        n = self.npackets
        chunks = [[], []]  # per file: lists of packets, each list one flow

        made = 0

        def add(sub, peer, st, pt, npk):
            f, pk = self.flow(sub, peer, st, pt, npk)
            chunks[f].append(pk)
            return len(pk)

        tgt_share = max(20, n // 25)
        # Target traffic first, until every target host has flows in both files.
        names = list(TARGET_HOSTS)
        while made < tgt_share or not self.both_files(chunks):
            t = names[r.randrange(len(names))]
            host = r.choice(TARGET_HOSTS[t])
            v6 = ":" in host
            if r.random() < 0.08:  # target to target
                u = r.choice([x for x in names if x != t and
                              any((":" in h) == v6 for h in TARGET_HOSTS[x])])
                peer = r.choice([h for h in TARGET_HOSTS[u] if (":" in h) == v6])
                made += add(host, peer, host, peer, r.randrange(2, 8))
            else:
                made += add(host, self.remote(v6), host, None, r.randrange(2, 12))
        while made < n:
            v6 = r.random() < 0.35
            made += add(self.subscriber(v6), self.remote(v6), None, None, r.randrange(1, 12))
        # A few garbled frames, most of them carrying a target address.
        garb = [[], []]
        for i in range(max(8, n // 500)):
            addr = r.choice([r.choice(TARGET_HOSTS[t]) for t in names] +
                            [self.subscriber(False)])
            fr, cap = self.garbled(addr)
            garb[i & 1].append((fr, cap))
        for f in (0, 1):
            self.files[f] = self.interleave(chunks[f], garb[f])

    def both_files(self, chunks):
        seen = [set(), set()]
        for f in (0, 1):
            for fl in chunks[f]:
                for _, _, lab in fl:
                    seen[f].add(lab["src"])
                    seen[f].add(lab["dst"])
        return all(h in seen[0] and h in seen[1]
                   for hs in TARGET_HOSTS.values() for h in hs)

    def interleave(self, flows, garbled):
        """Merges the flows of one file keeping each flow's order; adds timestamps."""
        r = self.r
        out = []
        active = []
        pending = list(flows)
        r.shuffle(pending)
        while pending or active:
            while pending and (len(active) < 40 or not active):
                active.append(list(pending.pop()))
            i = r.randrange(len(active))
            out.append(active[i].pop(0))
            if not active[i]:
                active.pop(i)
        rows = [(fr, None, ip, lab) for fr, ip, lab in out]
        for fr, cap in garbled:
            rows.insert(r.randrange(1, len(rows)), (fr, cap, None, None))
        # Base timestamps: T0 + 1 mod 4, gaps multiples of 4, so the boundary
        # probes below (second - 1, second, second + 2) never collide.
        step = max(4, (SPAN_US // max(1, len(rows))) // 4 * 4)
        ts = T0 * 1_000_000 + 250_001
        timed = []
        for row in rows:
            timed.append((ts, *row))
            ts += r.randrange(1, 2 * step // 4) * 4 if step > 4 else 4
        return timed

    def add_probes(self):
        """Target packets exactly at the window boundaries, in both files."""
        host = TARGET_HOSTS["T3"][0]
        for f in (0, 1):
            extra = []
            for b in (W_ENDS, W_STARTS):
                for dt in (-1, 0, 2):
                    up = (dt + f) % 2 == 0
                    peer = self.remote(True)
                    s, d = (host, peer) if up else (peer, host)
                    ip = self.packets(True, s, d, 17, 4000 + dt, 5000 + f, 60, False)[0]
                    lab = {"src": host if up else None, "dst": None if up else host}
                    extra.append((b * 1_000_000 + dt, self.ether(f, 0x86DD, ip), None, ip, lab))
            self.files[f] = sorted(self.files[f] + extra, key=lambda x: x[0])
            # The first and last frames of each file are plain non-target packets,
            # so "first/last capture time" does not depend on how lawtap treats
            # garbage; they sit well inside the span.
            for pos, ts in ((0, T0 * 1_000_000 + 1), (None, (T0 + 6) * 1_000_000 - 3)):
                sub, peer = self.subscriber(False), self.remote(False)
                ip = self.packets(False, sub, peer, 17, 9, 9, 40, False)[0]
                row = (ts, self.ether(0, 0x0800, ip), None, ip, {"src": None, "dst": None})
                if pos == 0:
                    self.files[f].insert(0, row)
                else:
                    self.files[f].append(row)


def write_pcap(path, rows):
    with open(path, "wb") as fp:
        fp.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts, frame, cap, _, _ in rows:
            data = frame if cap is None else frame[:cap]
            fp.write(struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000,
                                 len(data), len(frame)))
            fp.write(data)


def write_conf(path, ports, unreachable_timeout):
    lines = [
        "# lawtap configuration written by test/e2e/gencap.py for its captures,",
        "# which run from 2026-11-10T12:00:00Z for about six seconds.",
        "# The format is documented in conf/lawtap.conf.",
        'operator: { id = "ExampleISP"; network_element = "lawtap-1"; country = "NZ"; };',
        "delivery: { queue_mb = 16; reconnect_interval = 1; unreachable_timeout = %d; };"
        % unreachable_timeout,
        "agencies = (",
    ]
    ag = []
    for i, a in enumerate(AGENCIES):
        ag.append('  { id = "%s"; hi2 = "127.0.0.1:%d"; hi3 = "127.0.0.1:%d";\n'
                  "    keepalive = 300; keepalive_timeout = 60; pspdu_version = 40; }"
                  % (a, ports[2 * i], ports[2 * i + 1]))
    lines.append(",\n".join(ag))
    lines.append(");")
    lines.append("warrants = (")
    ws = []
    for liid, agency, cin, content, start, end, targets, _ in WARRANTS:
        ws.append('  # %s\n' % WHY[liid] +
                  '  { liid = "%s"; agency = "%s"; cin = %d; content = "%s";\n'
                  '    start = "%s"; end = "%s";\n    targets = [ %s ]; }'
                  % (liid, agency, cin, content, start, end,
                     ", ".join('"%s"' % t for t in targets)))
    lines.append(",\n".join(ws))
    lines.append(");")
    with open(path, "w") as fp:
        fp.write("\n".join(lines) + "\n")


def truth(files, ports):
    """A perfect LEMF output, from the generator's labels (for selftest.py)."""
    listen = {a: ("127.0.0.1:%d" % ports[2 * i], "127.0.0.1:%d" % ports[2 * i + 1])
              for i, a in enumerate(AGENCIES)}
    host_warrants = {}
    for w in WARRANTS:
        for t in w[7]:
            hosts = [t[1:]] if t.startswith("=") else TARGET_HOSTS[t[:2]]
            for h in hosts:
                if t.endswith("v4") and ":" in h:
                    continue
                host_warrants.setdefault(h, []).append(w)
    first = min(rows[0][0] for rows in files)
    last = max(rows[-1][0] for rows in files)
    seq = {}
    out = []

    def emit(w, kind, rec):
        k = (w[0], w[2], kind)
        rec.update({"kind": kind, "liid": w[0], "cin": w[2], "seq": seq.get(k, 0),
                    "version": 40, "operator": "ExampleISP", "ne": "lawtap-1",
                    "auth_cc": "NZ", "delivery_cc": "NZ",
                    "objid": "5.3.20.%d" % (1 if kind == "IRI" else 2),
                    "listen": listen[w[1]][0 if kind == "IRI" else 1]})
        seq[k] = seq.get(k, 0) + 1
        out.append(rec)

    for w in WARRANTS:
        if w[3] == "cc":
            continue
        s, e = parse_iso(w[4]) * 1_000_000, parse_iso(w[5]) * 1_000_000
        if not (s <= last and e > first):
            continue
        for t in w[6]:
            net = ipaddress.ip_network(t)
            emit(w, "IRI", {"iri": "iPIRI", "iri_type": "begin", "event": "startOfInterceptionWithSessionActive",
                            "target_ip": str(net.network_address),
                            "target_family": net.version, "target_prefix_len": net.prefixlen})
    # CC in time order over both files (a worker per file, interleaved).
    allrows = sorted([(r[0], f, i, r) for f, rows in enumerate(files)
                      for i, r in enumerate(rows)], key=lambda x: (x[0], x[1], x[2]))
    for ts, f, i, (_, _, _, ip, lab) in allrows:
        if ip is None:
            continue
        done = set()
        for side, d in (("src", "fromTarget"), ("dst", "toTarget")):
            for w in host_warrants.get(lab[side], []):
                if w[3] == "iri" or w[0] in done:
                    continue
                if not (parse_iso(w[4]) * 1_000_000 <= ts < parse_iso(w[5]) * 1_000_000):
                    continue
                done.add(w[0])
                emit(w, "CC", {"dir": d, "cc": "iPCC", "payload_len": len(ip),
                               "payload_sha256": hashlib.sha256(ip).hexdigest(),
                               "ts_sec": ts // 1_000_000, "ts_usec": ts % 1_000_000})
    for w in WARRANTS:
        if w[3] == "cc":
            continue
        s, e = parse_iso(w[4]) * 1_000_000, parse_iso(w[5]) * 1_000_000
        if not (s <= last and e > first and e <= last):
            continue
        for t in w[6]:
            net = ipaddress.ip_network(t)
            emit(w, "IRI", {"iri": "iPIRI", "iri_type": "end", "event": "endOfInterceptionWithSessionActive",
                            "target_ip": str(net.network_address),
                            "target_family": net.version, "target_prefix_len": net.prefixlen})
    conns = {}
    offs = {}
    for rec in out:
        c = conns.setdefault(rec["listen"], len(conns) + 1)
        rec["conn"] = c
        rec["offset"] = offs.get(c, 0)
        offs[c] = rec["offset"] + 100
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="directory to write into")
    ap.add_argument("--packets", type=int, default=30000,
                    help="about how many packets in all (default 30000)")
    ap.add_argument("--seed", type=int, default=20261110)
    ap.add_argument("--ports", default="40002,40003,40012,40013",
                    help="police HI2,HI3, customs HI2,HI3 on 127.0.0.1")
    ap.add_argument("--max-size", type=int, default=1200,
                    help="largest L4 payload in bytes (default 1200)")
    ap.add_argument("--unreachable-timeout", type=int, default=10)
    ap.add_argument("--names", default="a.pcap,b.pcap")
    ap.add_argument("--conf", default="lawtap.conf")
    ap.add_argument("--no-truth", action="store_true")
    a = ap.parse_args()
    ports = [int(p) for p in a.ports.split(",")]
    if len(ports) != 4 or a.packets < 100 or a.max_size < 100:
        sys.exit("gencap: need four ports, at least 100 packets, --max-size 100 or more")
    os.makedirs(a.out, exist_ok=True)
    g = Gen(a.seed, a.packets, a.max_size)
    g.build()
    g.add_probes()
    names = a.names.split(",")
    for rows in g.files:
        if any(rows[i][0] >= rows[i + 1][0] for i in range(len(rows) - 1)):
            sys.exit("gencap: internal error: timestamps not increasing")
    for f in (0, 1):
        write_pcap(os.path.join(a.out, names[f]), g.files[f])
    write_conf(os.path.join(a.out, a.conf), ports, a.unreachable_timeout)
    if not a.no_truth:
        with open(os.path.join(a.out, "truth.jsonl"), "w") as fp:
            for rec in truth(g.files, ports):
                fp.write(json.dumps(rec, sort_keys=True) + "\n")
    tot = sum(len(x) for x in g.files)
    print("gencap: %d frames (%d + %d) in %s" % (tot, len(g.files[0]), len(g.files[1]), a.out))


if __name__ == "__main__":
    main()
