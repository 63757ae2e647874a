#!/usr/bin/env python3
"""genaaa.py - generated corner cases for subscriber sessions (RADIUS, DHCPv4).

usage: genaaa.py OUTDIR [NAME ...]

Writes OUTDIR/gen-NAME.pcap (one classic pcap per case, Ethernet, microseconds)
and OUTDIR/gen-NAME.conf (agencies police on 127.0.0.1:40102/40103 and customs
on 127.0.0.1:40112/40113) for each case:

  dual      dual stack, several sessions of one user, an Interim that changes
            the addresses, Gigawords counters, a Stop with each terminate cause
  retrans   retransmitted Access- and Accounting-Requests and replies
  orphans   Stop without Start, Interim of an unknown session, Accounting-On/Off
  window    warrants that start and end in the middle of sessions
  malformed broken RADIUS (truncated, attribute length 0/1/overflow, duplicate
            User-Name, IPv6 prefix /0, /200, /20, unknown code), then a good one
  reject    Access-Reject, an unanswered Access-Request (accessFailed)
  dhcp      DHCPv4 exchanges direct and relayed (option 82), renewal, new
            address, RELEASE, DECLINE, lease expiry, malformed messages
  frag      an IP-fragmented Access-Accept and Accounting-Request

Each case has data traffic of target and non-target subscribers before,
during and after its sessions.  RADIUS authenticators are right for secret
testing123.  python3 stdlib only; the same arguments give the same bytes.
"""

import hashlib
import ipaddress
import os
import socket
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import gencap  # noqa: E402  (frames, IP/UDP headers, pcap writer)

T0 = 1794312000  # 2026-11-10T12:00:00Z
SECRET = b"testing123"
RADIUS = "10.77.0.1"
DHCP = "10.77.0.10"
NAS = "10.77.0.2"
NAS2 = "10.77.0.3"
RELAY = "10.88.0.1"
FULL = ("2026-11-01T00:00:00Z", "2027-05-01T00:00:00Z")

# RADIUS attribute types used here
USER, NAS_IP, NAS_PORT, FRAMED_IP, CLASS, CSID, NAS_ID = 1, 4, 5, 8, 25, 31, 32
STATUS, IN_OCT, OUT_OCT, SID, CAUSE, IN_GIGA, OUT_GIGA = 40, 42, 43, 44, 49, 52, 53
PORT_ID, NAS_IP6, FRAMED_PFX, DELEG_PFX, FRAMED_IP6 = 87, 95, 97, 123, 168


def iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


# --- RADIUS ----------------------------------------------------------------------------

def a_str(t, v):
    v = v.encode() if isinstance(v, str) else v
    return bytes([t, 2 + len(v)]) + v


def a_int(t, v):
    return bytes([t, 6]) + struct.pack("!I", v)


def a_ip(t, v):
    b = ipaddress.ip_address(v).packed
    return bytes([t, 2 + len(b)]) + b


def a_pfx(t, net, plen=None, nbytes=None):
    n = ipaddress.ip_network(net, strict=False)
    plen = n.prefixlen if plen is None else plen
    nb = (min(plen, 128) + 7) // 8 if nbytes is None else nbytes
    v = bytes([0, plen]) + n.network_address.packed[:nb]
    return bytes([t, 2 + len(v)]) + v


def rad(code, ident, auth, attrs):
    body = b"".join(attrs)
    return struct.pack("!BBH", code, ident, 20 + len(body)) + auth + body


def acct_req(ident, attrs):
    body = b"".join(attrs)
    hdr = struct.pack("!BBH", 4, ident, 20 + len(body))
    return hdr + hashlib.md5(hdr + bytes(16) + body + SECRET).digest() + body


def reply(code, req, attrs):
    body = b"".join(attrs)
    hdr = struct.pack("!BBH", code, req[1], 20 + len(body))
    return hdr + hashlib.md5(hdr + req[4:20] + body + SECRET).digest() + body


# --- DHCPv4 -----------------------------------------------------------------------------

def dhcp(op, mtype, mac, xid, ciaddr="0.0.0.0", yiaddr="0.0.0.0", giaddr="0.0.0.0",
         lease=None, server_id=DHCP, circuit=None, extra=b"", cookie=b"\x63\x82\x53\x63"):
    m = bytes.fromhex(mac.replace(":", ""))
    b = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", op, 1, 6, 1 if giaddr != "0.0.0.0" else 0,
                    xid, 0, 0, ipaddress.IPv4Address(ciaddr).packed,
                    ipaddress.IPv4Address(yiaddr).packed, bytes(4),
                    ipaddress.IPv4Address(giaddr).packed, m + bytes(10), bytes(64), bytes(128))
    o = bytes([53, 1, mtype])
    if server_id and op == 2:
        o += bytes([54, 4]) + ipaddress.IPv4Address(server_id).packed
    if lease is not None:
        o += bytes([51, 4]) + struct.pack("!I", lease)
    if circuit is not None:
        sub = bytes([1, len(circuit)]) + circuit + bytes([2, 4]) + b"\x0a\x58\x00\x01"
        o += bytes([82, len(sub)]) + sub
    return b + cookie + o + extra + b"\xff"


# --- a case ---------------------------------------------------------------------------------

class Case:
    def __init__(self, name, seed, why):
        self.name = name
        self.why = why
        self.g = gencap.Gen(seed, 100, 300)
        self.r = self.g.r
        self.ts = T0 * 10**6 + 100_000
        self.rows = []
        self.warrants = []
        self.timeout = 10
        self.nas_port = 40000
        self.ident = 0

    def at(self, sec):
        """Moves the clock to T0 + sec (never backwards)."""
        t = T0 * 10**6 + int(sec * 10**6)
        assert t > self.ts, (self.name, sec)
        self.ts = t

    def put(self, ip):
        self.ts += self.r.randrange(200, 2000)
        v6 = ip[0] >> 4 == 6
        self.rows.append((self.ts, self.g.ether(0, 0x86DD if v6 else 0x0800, ip), None, ip,
                          None))
        return ip

    def udp(self, src, dst, sport, dport, data, put=True):
        v6 = ":" in src
        seg = self.g.l4(17, v6, src, dst, sport, dport, data)
        ip = self.g.ipv6(src, dst, 17, seg) if v6 else self.g.ipv4(src, dst, 17, seg)
        return self.put(ip) if put else ip

    def chat(self, sub, n=2, remote=None):
        """n packets between subscriber address sub and a remote host, both ways."""
        v6 = ":" in sub
        remote = remote or (("2001:db8:ff%02x::%x" % (self.r.randrange(256),
                                                      self.r.randrange(1, 65535))) if v6 else
                            "198.18.%d.%d" % (self.r.randrange(256), self.r.randrange(1, 255)))
        for k in range(n):
            data = self.g.payload(self.r.randrange(20, 200))
            if k % 2 == 0:
                self.udp(sub, remote, 33000 + k, 443, data)
            else:
                self.udp(remote, sub, 443, 33000 + k - 1, data)

    # RADIUS exchanges ------------------------------------------------------------------
    def next_id(self):
        self.ident = (self.ident + 1) & 0xFF
        return self.ident

    def access(self, user, attrs=(), nas=NAS, port=None, ident=None, put=True,
               nas_attr=True):
        """An Access-Request; returns (request bytes, NAS address, NAS port)."""
        port = port or self.nas_port
        ident = self.next_id() if ident is None else ident
        a = [a_str(USER, user)] + list(attrs)
        if nas_attr:
            a.append(a_ip(NAS_IP, nas))
        req = rad(1, ident, self.r.randbytes(16), a)
        if put:
            self.udp(nas, RADIUS, port, 1812, req)
        return req, nas, port

    def answer(self, req, code, attrs=(), raw=None):
        pkt, nas, port = req
        data = raw if raw is not None else reply(code, pkt, attrs)
        self.udp(RADIUS, nas, 1812, port, data)
        return data

    def acct(self, status, user, sid, attrs=(), nas=NAS, port=None, ident=None, answer=True,
             nas_attr=True):
        port = port or self.nas_port + 1
        ident = self.next_id() if ident is None else ident
        a = [a_int(STATUS, status)]
        if user is not None:
            a.append(a_str(USER, user))
        if sid is not None:
            a.append(a_str(SID, sid))
        if nas_attr:
            a.append(a_ip(NAS_IP, nas))
        a += list(attrs)
        req = acct_req(ident, a)
        self.udp(nas, RADIUS, port, 1813, req)
        if answer:
            self.acct_answer((req, nas, port))
        return req, nas, port

    def acct_answer(self, req):
        pkt, nas, port = req
        self.udp(RADIUS, nas, 1813, port, reply(5, pkt, []))

    def resend(self, req, port=1812):
        pkt, nas, p = req
        self.udp(nas, RADIUS, p, port, pkt)

    # output ----------------------------------------------------------------------------
    def warrant(self, liid, agency, cin, content="both", start=FULL[0], end=FULL[1], why="",
                **match):
        self.warrants.append((liid, agency, cin, content, start, end, why, match))

    def write(self, outdir):
        rows = sorted(self.rows, key=lambda x: x[0])
        assert all(a[0] < b[0] for a, b in zip(rows, rows[1:])), self.name
        if getattr(self, "split", False):
            # two capture files, so two workers: the data in the first, the AAA
            # traffic (and every third data packet) in the second
            def aaa(row):
                ip = row[3]
                if ip[0] >> 4 != 4 or ip[9] != 17:
                    return False
                src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
                return RADIUS in (src, dst) or DHCP in (src, dst)
            second = [r for i, r in enumerate(rows) if aaa(r) or i % 3 == 0]
            first = [r for i, r in enumerate(rows) if not (aaa(r) or i % 3 == 0)]
            gencap.write_pcap(os.path.join(outdir, "gen-%s.pcap" % self.name), first)
            gencap.write_pcap(os.path.join(outdir, "gen-%s.2.pcap" % self.name), second)
        else:
            gencap.write_pcap(os.path.join(outdir, "gen-%s.pcap" % self.name), rows)
        L = ["# lawtap configuration written by test/e2e/aaa/genaaa.py for gen-%s.pcap:" %
             self.name, "# %s" % self.why,
             'operator: { id = "ExampleISP"; network_element = "lawtap-1"; country = "NZ"; };',
             "delivery: { queue_mb = 16; reconnect_interval = 1; unreachable_timeout = 10; };",
             "agencies = (",
             '  { id = "police"; hi2 = "127.0.0.1:40102"; hi3 = "127.0.0.1:40103";\n'
             "    keepalive = 300; keepalive_timeout = 60; pspdu_version = 40; },",
             '  { id = "customs"; hi2 = "127.0.0.1:40112"; hi3 = "127.0.0.1:40113";\n'
             "    keepalive = 300; keepalive_timeout = 60; pspdu_version = 40; }",
             ");",
             "aaa: {",
             "  radius = (",
             '    { server = "%s"; auth_ports = [ 1812, 1645 ]; acct_ports = [ 1813, 1646 ];\n'
             '      secret = "testing123"; access_type = "xDSL"; }' % RADIUS,
             "  );",
             '  dhcp = ( { server = "%s"; access_type = "fTTx"; } );' % DHCP,
             "  access_timeout = %d;" % self.timeout,
             "  max_sessions = 1048576;",
             "};",
             "warrants = ("]
        ws = []
        for liid, agency, cin, content, start, end, why, match in self.warrants:
            m = "".join("\n    %s = %s;" % (k, "true" if v is True else "[ %s ]" % ", ".join(
                '"%s"' % x for x in v)) for k, v in match.items())
            ws.append('  # %s\n  { liid = "%s"; agency = "%s"; cin = %d; content = "%s";\n'
                      '    start = "%s"; end = "%s";%s }'
                      % (why, liid, agency, cin, content, start, end, m))
        L.append(",\n".join(ws))
        L.append(");")
        with open(os.path.join(outdir, "gen-%s.conf" % self.name), "w") as fp:
            fp.write("\n".join(L) + "\n")


# --- the cases ------------------------------------------------------------------------------

ALICE_CSID = "02-00-00-00-01-01"


def case_dual():
    c = Case("dual", 101, "dual stack, several sessions of one user, interim address change, "
             "Gigawords, each terminate cause")
    c.warrant("NZP-0100", "police", 100, usernames=["alice@isp.example"], aaa_cc=True,
              why="alice by username, AAA packets as CC too")
    c.warrant("NZC-0100", "customs", 100, content="iri", calling_station_ids=[ALICE_CSID],
              why="alice's line by Calling-Station-Id, IRI only")
    c.warrant("NZP-0101", "police", 101, targets=["100.64.2.20/32"],
              why="bob by a static address, as before sessions")
    c.chat("100.64.2.20", 4)                 # bob, never a target
    c.chat("100.64.1.10", 2)                 # alice's future address, before her session
    c.at(1)
    ports = [a_int(NAS_PORT, 17), a_str(PORT_ID, "eth 0/1/1:100"), a_str(NAS_ID, "bng-1"),
             a_str(CSID, ALICE_CSID)]
    r1 = c.access("alice@isp.example", ports + [a_str(SID, "A1")])
    c.answer(r1, 2, [a_ip(FRAMED_IP, "100.64.1.10"), a_ip(FRAMED_IP6, "2001:db8:a::10"),
                     a_pfx(FRAMED_PFX, "2001:db8:a:1::/64"),
                     a_pfx(DELEG_PFX, "2001:db8:a100::/56"), a_str(CLASS, "gold")])
    for a in ("100.64.1.10", "2001:db8:a::10", "2001:db8:a:1::99", "2001:db8:a100:7::1",
              "100.64.2.20"):
        c.chat(a, 2)
    c.acct(1, "alice@isp.example", "A1", ports)
    c.chat("100.64.1.10", 2)
    c.at(2)
    # a second session of alice; the Access-Request has no Acct-Session-Id: the Start adopts it
    r2 = c.access("alice@isp.example", [a_int(NAS_PORT, 18), a_str(CSID, ALICE_CSID)],
                  port=40010)
    c.answer(r2, 2, [a_ip(FRAMED_IP, "100.64.1.11")])
    c.chat("100.64.1.11", 2)
    c.acct(1, "alice@isp.example", "A2", [a_int(NAS_PORT, 18)], port=40011)
    c.chat("100.64.1.11", 2)
    c.at(3)
    # the first session's addresses change; counters beyond 2^32
    c.acct(3, "alice@isp.example", "A1",
           [a_ip(FRAMED_IP, "100.64.1.12"), a_pfx(FRAMED_PFX, "2001:db8:a:2::/64"),
            a_int(IN_OCT, 1000), a_int(OUT_OCT, 123456), a_int(IN_GIGA, 2),
            a_int(OUT_GIGA, 5)])
    for a in ("100.64.1.10", "100.64.1.12", "2001:db8:a:1::99", "2001:db8:a:2::7",
              "2001:db8:a100:7::1"):
        c.chat(a, 2)
    c.at(4)
    c.acct(2, "alice@isp.example", "A1",
           [a_int(CAUSE, 1), a_int(IN_OCT, 7), a_int(OUT_OCT, 9), a_int(OUT_GIGA, 1)])
    c.chat("100.64.1.12", 2)                 # after the Stop: not CC
    # sessions created by a Start alone, v6 only, one per terminate cause
    for i, cause in enumerate([2, 3, 4, 5, 6, None]):
        c.at(5 + i * 0.5)
        sid = "S%d" % i
        addrs = [a_pfx(FRAMED_PFX, "2001:db8:b%d::/64" % i),
                 a_pfx(DELEG_PFX, "2001:db8:c%d00::/56" % i),
                 a_ip(FRAMED_IP6, "2001:db8:b%d::1" % i)]
        c.acct(1, "alice@isp.example", sid, addrs + [a_str(CSID, ALICE_CSID)], port=40020)
        c.chat("2001:db8:b%d::1" % i, 2)
        c.chat("2001:db8:c%d00:1::1" % i, 1)
        c.acct(2, "alice@isp.example", sid,
               ([a_int(CAUSE, cause)] if cause else []) + [a_int(IN_OCT, 10 * i)],
               port=40020)
    c.at(9)
    c.acct(2, "alice@isp.example", "A2", [a_int(CAUSE, 1)], port=40011)
    c.chat("100.64.1.11", 2)
    c.chat("100.64.2.20", 2)
    return c


def case_retrans():
    c = Case("retrans", 102, "retransmitted requests and replies count once")
    c.warrant("NZP-0200", "police", 200, usernames=["carol"], why="carol")
    c.chat("100.64.3.30", 2)
    c.at(1)
    r = c.access("carol", [a_str(SID, "C1")])
    c.resend(r)
    c.resend(r)
    acc = c.answer(r, 2, [a_ip(FRAMED_IP, "100.64.3.30")])
    c.answer(r, 2, raw=acc)                  # the server answers the retransmission too
    c.chat("100.64.3.30", 2)
    d = c.access("dave", [a_str(SID, "D1")])  # not a target
    c.resend(d)
    c.answer(d, 2, [a_ip(FRAMED_IP, "100.64.3.40")])
    c.chat("100.64.3.40", 2)
    c.at(2)
    s = c.acct(1, "carol", "C1", answer=False)
    c.resend(s, 1813)
    c.acct_answer(s)
    c.acct_answer(s)
    c.chat("100.64.3.30", 2)
    i = c.acct(3, "carol", "C1", [a_int(IN_OCT, 50), a_int(OUT_OCT, 60)], answer=False)
    c.resend(i, 1813)
    c.acct_answer(i)
    c.resend(i, 1813)
    c.acct_answer(i)
    c.chat("100.64.3.30", 2)
    c.at(3)
    e = c.acct(2, "carol", "C1", [a_int(CAUSE, 1)], answer=False)
    c.resend(e, 1813)
    c.acct_answer(e)
    c.acct_answer(e)
    c.chat("100.64.3.30", 2)
    # the same Identifier again, new authenticator: a new request (a new session)
    c.at(4)
    r2 = c.access("carol", [a_str(SID, "C2")], ident=r[0][1])
    c.answer(r2, 2, [a_ip(FRAMED_IP, "100.64.3.31")])
    c.chat("100.64.3.31", 2)
    c.chat("100.64.3.40", 2)
    return c


def case_orphans():
    c = Case("orphans", 103, "Stop without Start, Interim of an unknown session, "
             "Accounting-On/Off")
    c.warrant("NZP-0300", "police", 300, usernames=["erin", "frank"], why="erin and frank")
    c.warrant("NZC-0300", "customs", 300, usernames=["gina", "hugo"], why="gina and hugo")
    c.chat("100.64.4.10", 2)
    c.at(1)
    c.acct(2, "erin", "E0", [a_int(CAUSE, 1)], nas=NAS2)   # nothing to stop
    c.chat("100.64.4.10", 2)
    c.acct(3, "erin", "E1", [a_ip(FRAMED_IP, "100.64.4.10"), a_int(IN_OCT, 5)], nas=NAS2)
    c.chat("100.64.4.10", 2)
    f = c.access("frank", [a_str(SID, "F1")], nas=NAS2)
    c.answer(f, 2, [a_ip(FRAMED_IP, "100.64.4.11")])
    c.chat("100.64.4.11", 2)
    g = c.access("gina", [a_str(SID, "G1")])
    c.answer(g, 2, [a_ip(FRAMED_IP, "100.64.4.12")])
    c.chat("100.64.4.12", 2)
    # a NAS known only by NAS-Identifier
    h = c.access("hugo", [a_str(NAS_ID, "bng-7"), a_str(SID, "H1")], nas="10.77.0.7",
                 nas_attr=False)
    c.answer(h, 2, [a_ip(FRAMED_IP, "100.64.4.13")])
    c.chat("100.64.4.13", 2)
    c.chat("100.64.4.99", 2)
    c.at(2)
    c.acct(8, None, None, nas=NAS2)          # NAS2 restarts: erin and frank end
    c.chat("100.64.4.10", 2)
    c.chat("100.64.4.11", 2)
    c.chat("100.64.4.12", 2)
    c.at(3)
    c.acct(7, None, None, [a_str(NAS_ID, "bng-7")], nas="10.77.0.7", nas_attr=False)
    c.chat("100.64.4.13", 2)
    c.chat("100.64.4.12", 2)
    c.at(4)
    c.acct(7, None, None, nas=NAS)           # gina's NAS
    c.chat("100.64.4.12", 2)
    c.acct(2, "gina", "G1", [a_int(CAUSE, 1)])  # too late: unknown now
    c.chat("100.64.4.99", 2)
    return c


def case_window():
    c = Case("window", 104, "warrants that start and end while sessions are up")
    c.warrant("NZP-0400", "police", 400, start=iso(T0 + 3), end=iso(T0 + 6),
              usernames=["hank"], why="hank, from 3 s to 6 s into the capture")
    c.warrant("NZC-0400", "customs", 400, start=iso(T0 + 2), end=iso(T0 + 5),
              macs=["02:00:00:00:04:01"], why="a DHCP client, from 2 s to 5 s")
    c.warrant("NZP-0401", "police", 401, content="cc", end=iso(T0 + 4),
              usernames=["ivan"], why="ivan, CC only, until 4 s")
    c.chat("100.64.5.10", 2)
    c.at(0.5)
    h = c.access("hank", [a_str(SID, "K1")])
    c.answer(h, 2, [a_ip(FRAMED_IP, "100.64.5.10")])
    v = c.access("ivan", [a_str(SID, "V1")])
    c.answer(v, 2, [a_ip(FRAMED_IP, "100.64.5.20")])
    c.udp(DHCP, "100.64.5.30", 67, 68, dhcp(2, 5, "02:00:00:00:04:01", 7,
                                            yiaddr="100.64.5.30", lease=60))
    for t in (1, 1.5, 2.5):
        c.at(t)
        for a in ("100.64.5.10", "100.64.5.20", "100.64.5.30", "100.64.5.99"):
            c.chat(a, 2)
    c.at(3)                                  # the very microsecond the window opens
    c.rows.append((c.ts, c.g.ether(0, 0x0800, c.udp("100.64.5.10", "198.18.0.1", 1, 2,
                                                    b"edge", put=False)), None, None, None))
    c.chat("100.64.5.10", 2)
    c.at(3.5)
    c.acct(3, "hank", "K1", [a_int(IN_OCT, 1), a_int(OUT_OCT, 2)])
    k2 = c.access("hank", [a_str(SID, "K2")], port=40030)
    c.answer(k2, 2, [a_ip(FRAMED_IP, "100.64.5.11")])
    for a in ("100.64.5.10", "100.64.5.11", "100.64.5.20", "100.64.5.30"):
        c.chat(a, 2)
    c.at(4.5)
    c.acct(2, "hank", "K2", [a_int(CAUSE, 4)], port=40031)
    for t in (4.6, 5.5, 6.5):
        c.at(t)
        for a in ("100.64.5.10", "100.64.5.11", "100.64.5.20", "100.64.5.30"):
            c.chat(a, 2)
    c.acct(2, "hank", "K1", [a_int(CAUSE, 1)])    # after the window: nothing
    c.chat("100.64.5.99", 2)
    return c


def case_malformed():
    c = Case("malformed", 105, "broken RADIUS binds nothing; a good session after it works")
    c.timeout = 600      # the requests whose answers are broken stay unanswered, quietly
    c.warrant("NZP-0500", "police", 500, usernames=["mallory"], why="mallory")
    c.chat("100.64.6.99", 2)
    c.at(1)
    good_accept = [a_ip(FRAMED_IP, "100.64.6.1")]

    def broken(addr, fn):
        r = c.access("mallory")
        pkt = reply(2, r[0], [a_ip(FRAMED_IP, addr)])
        c.answer(r, 2, raw=fn(pkt, r))
        c.chat(addr, 2)

    def setlen(p, n):
        return p[:2] + struct.pack("!H", n) + p[4:]
    broken("100.64.6.10", lambda p, r: p[:-3])                   # shorter than Length
    broken("100.64.6.11", lambda p, r: setlen(p + b"\x19\x00", len(p) + 2))   # length 0
    broken("100.64.6.12", lambda p, r: setlen(p + b"\x19\x01", len(p) + 2))   # length 1
    broken("100.64.6.13", lambda p, r: setlen(p + b"\x19\x09ab", len(p) + 4))  # overflow
    broken("100.64.6.14", lambda p, r: reply(2, r[0], [a_ip(FRAMED_IP, "100.64.6.14"),
                                                       a_str(USER, "mallory"),
                                                       a_str(USER, "mallory")]))
    broken("100.64.6.15", lambda p, r: reply(2, r[0], [a_ip(FRAMED_IP, "100.64.6.15"),
                                                       a_pfx(FRAMED_PFX, "2001:db8:6::/64",
                                                             plen=200, nbytes=16)]))
    broken("100.64.6.16", lambda p, r: reply(99, r[0], [a_ip(FRAMED_IP, "100.64.6.16")]))
    # a request with User-Name twice: ignored, so its Accept answers nothing
    r = c.access("mallory", [a_str(USER, "mallory")])
    c.answer(r, 2, [a_ip(FRAMED_IP, "100.64.6.17")])
    c.chat("100.64.6.17", 2)
    # a truncated Accounting Start
    p = acct_req(c.next_id(), [a_int(STATUS, 1), a_str(USER, "mallory"), a_str(SID, "M9"),
                               a_ip(FRAMED_IP, "100.64.6.18"), a_ip(NAS_IP, NAS)])
    c.udp(NAS, RADIUS, 40001, 1813, p[:30])
    c.chat("100.64.6.18", 2)
    c.at(2)
    # absurd prefixes: /20 left out of a target's session, /0 on someone else's
    r = c.access("mallory", [a_str(SID, "M1")])
    c.answer(r, 2, [a_ip(FRAMED_IP, "100.64.6.2"), a_pfx(FRAMED_PFX, "2001:db8::/20"),
                    a_pfx(DELEG_PFX, "2001:db8:6600::/56")])
    c.chat("100.64.6.2", 2)
    c.chat("2001:db8:1::5", 2)               # inside the /20: not bound
    c.chat("2001:db8:6600:1::5", 2)
    o = c.access("oliver", [a_str(SID, "O1")])
    c.answer(o, 2, [a_pfx(DELEG_PFX, "::/0")])
    c.chat("2001:db8:77::1", 2)
    c.at(3)
    r = c.access("mallory", [a_str(SID, "M2")])
    c.answer(r, 2, good_accept)
    c.chat("100.64.6.1", 3)
    c.acct(1, "mallory", "M2")
    c.chat("100.64.6.1", 2)
    for a in ("100.64.6.10", "100.64.6.14", "100.64.6.15", "100.64.6.99"):
        c.chat(a, 1)
    c.at(4)
    c.acct(2, "mallory", "M2", [a_int(CAUSE, 1)])
    c.acct(2, "mallory", "M1", [a_int(CAUSE, 2)])
    c.chat("100.64.6.1", 2)
    return c


def case_reject():
    c = Case("reject", 106, "Access-Reject and an unanswered Access-Request")
    c.warrant("NZP-0600", "police", 600, usernames=["oscar"], aaa_cc=True,
              why="oscar, AAA packets as CC too")
    c.warrant("NZC-0600", "customs", 600, usernames=["peggy"], why="peggy")
    c.chat("100.64.7.1", 2)
    c.at(1)
    r = c.access("oscar", [a_int(NAS_PORT, 3), a_str(SID, "O1")])
    c.answer(r, 3, [a_str(18, "wrong password")])
    c.chat("100.64.7.1", 2)
    q = c.access("peggy", [a_str(NAS_ID, "bng-9")], nas_attr=False)   # never answered
    c.chat("100.64.7.2", 2)
    c.at(2)
    r = c.access("oscar", [a_int(NAS_PORT, 3), a_str(SID, "O2")])
    c.answer(r, 2, [a_ip(FRAMED_IP, "100.64.7.1")])
    c.chat("100.64.7.1", 2)
    c.acct(1, "oscar", "O2", [a_int(NAS_PORT, 3)])
    for t in range(3, 13, 2):
        c.at(t)
        c.chat("100.64.7.1", 1)
        c.chat("100.64.7.3", 1)
    c.at(12)
    c.answer(q, 2, [a_ip(FRAMED_IP, "100.64.7.2")])   # too late: no session
    c.chat("100.64.7.2", 2)
    c.at(13)
    c.acct(2, "oscar", "O2", [a_int(CAUSE, 1), a_int(IN_OCT, 77), a_int(OUT_OCT, 88)])
    c.access("peggy", [a_str(NAS_ID, "bng-9")], nas_attr=False)   # capture ends first
    c.chat("100.64.7.3", 2)
    return c


def case_dhcp():
    c = Case("dhcp", 107, "DHCPv4: direct and relayed, renewal, new address, RELEASE, "
             "DECLINE, lease expiry, malformed")
    A, B, E = "02:00:00:00:07:01", "02:00:00:00:07:02", "02:00:00:00:07:99"
    c.warrant("NZP-0700", "police", 700, macs=[A], aaa_cc=True,
              why="client A by MAC, its DHCP packets as CC too")
    c.warrant("NZC-0700", "customs", 700, circuit_ids=["eth 0/1/1:100"],
              why="the line behind the relay by circuit id")
    c.chat("100.64.8.10", 2)
    c.at(1)
    bc = "255.255.255.255"
    c.udp("0.0.0.0", bc, 68, 67, dhcp(1, 1, A, 1))
    c.udp(DHCP, bc, 67, 68, dhcp(2, 2, A, 1, yiaddr="100.64.8.10", lease=10))
    c.udp("0.0.0.0", bc, 68, 67, dhcp(1, 3, A, 1))
    c.udp(DHCP, bc, 67, 68, dhcp(2, 5, A, 1, yiaddr="100.64.8.10", lease=10))
    c.chat("100.64.8.10", 2)
    # the relayed line (option 82 from the relay, echoed by the server)
    cid = b"eth 0/1/1:100"
    c.udp(RELAY, DHCP, 67, 67, dhcp(1, 1, B, 2, giaddr=RELAY, circuit=cid))
    c.udp(DHCP, RELAY, 67, 67, dhcp(2, 2, B, 2, yiaddr="100.64.8.20", giaddr=RELAY,
                                    lease=3, circuit=cid))
    c.udp(RELAY, DHCP, 67, 67, dhcp(1, 3, B, 2, giaddr=RELAY, circuit=cid))
    c.udp(DHCP, RELAY, 67, 67, dhcp(2, 5, B, 2, yiaddr="100.64.8.20", giaddr=RELAY,
                                    lease=3, circuit=cid))
    c.chat("100.64.8.20", 2)
    c.udp(DHCP, bc, 67, 68, dhcp(2, 5, E, 3, yiaddr="100.64.8.99", lease=100))
    c.chat("100.64.8.99", 2)
    c.at(2)
    # renewal, unicast from the client: its own address, never CC
    c.udp("100.64.8.10", DHCP, 68, 67, dhcp(1, 3, A, 4, ciaddr="100.64.8.10"))
    c.udp(DHCP, "100.64.8.10", 67, 68, dhcp(2, 5, A, 4, ciaddr="100.64.8.10",
                                            yiaddr="100.64.8.10", lease=10))
    c.chat("100.64.8.10", 2)
    c.chat("100.64.8.20", 2)
    c.at(3)
    # malformed ACKs for A: bad cookie, truncated, option overrun, two message types
    c.udp(DHCP, bc, 67, 68, dhcp(2, 5, A, 5, yiaddr="100.64.8.13", lease=10,
                                 cookie=b"\x63\x82\x53\x64"))
    c.udp(DHCP, bc, 67, 68, dhcp(2, 5, A, 6, yiaddr="100.64.8.14", lease=10)[:200])
    c.udp(DHCP, bc, 67, 68, dhcp(2, 5, A, 7, yiaddr="100.64.8.15", lease=10)[:-1] +
          b"\x0c\x20ab")
    c.udp(DHCP, bc, 67, 68, dhcp(2, 5, A, 8, yiaddr="100.64.8.16", lease=10,
                                 extra=b"\x35\x01\x05"))
    for a in ("100.64.8.13", "100.64.8.14", "100.64.8.15", "100.64.8.16", "100.64.8.10"):
        c.chat(a, 2)
    c.at(4.5)                                 # B's lease (3 s from 1 s) has run out
    c.chat("100.64.8.20", 2)
    c.at(5)
    # A is given another address: the old binding ends, a new one begins
    c.udp(DHCP, bc, 67, 68, dhcp(2, 5, A, 9, yiaddr="100.64.8.11", lease=10))
    c.chat("100.64.8.10", 2)
    c.chat("100.64.8.11", 2)
    c.at(6)
    c.udp("100.64.8.11", DHCP, 68, 67, dhcp(1, 7, A, 10, ciaddr="100.64.8.11"))
    c.chat("100.64.8.11", 2)
    c.at(7)
    c.udp(DHCP, bc, 67, 68, dhcp(2, 5, A, 11, yiaddr="100.64.8.12", lease=10))
    c.chat("100.64.8.12", 2)
    c.udp("0.0.0.0", DHCP, 68, 67, dhcp(1, 4, A, 11, extra=b"\x32\x04\x64\x40\x08\x0c"))
    c.at(7.5)
    c.udp("0.0.0.0", DHCP, 68, 67, dhcp(1, 4, A, 12))        # nothing to decline
    c.chat("100.64.8.12", 2)
    c.chat("100.64.8.99", 2)
    return c


def case_frag():
    c = Case("frag", 108, "IP-fragmented RADIUS: the appliance reassembles AAA datagrams")
    c.warrant("NZP-0800", "police", 800, usernames=["trent"], why="trent")
    c.chat("100.64.9.1", 2)
    c.at(1)
    r = c.access("trent", [a_str(SID, "T1")])
    acc = reply(2, r[0], [a_ip(FRAMED_IP, "100.64.9.1"),
                          a_pfx(DELEG_PFX, "2001:db8:9900::/56")] +
                [a_str(CLASS, bytes([65 + i]) * 200) for i in range(6)])
    seg = c.g.l4(17, False, RADIUS, NAS, 1812, r[2], acc)
    ident = c.g.next_ipid()
    pieces = [seg[i:i + 496] for i in range(0, len(seg), 496)]
    frags = [c.g.ipv4(RADIUS, NAS, 17, p, ident=ident, frag=i * 496, mf=i < len(pieces) - 1)
             for i, p in enumerate(pieces)]
    c.put(frags[0])
    c.chat("100.64.9.1", 2)                  # the session is not there yet
    for f in frags[:0:-1]:                   # the rest, last first
        c.put(f)
    c.chat("100.64.9.1", 2)
    c.chat("2001:db8:9900:1::1", 2)
    c.chat("100.64.9.2", 2)
    c.at(2)
    c.acct(1, "trent", "T1")
    c.chat("100.64.9.1", 2)
    c.at(3)
    # an Interim, fragmented, that moves trent to another address
    i = acct_req(c.next_id(), [a_int(STATUS, 3), a_str(USER, "trent"), a_str(SID, "T1"),
                               a_ip(NAS_IP, NAS), a_ip(FRAMED_IP, "100.64.9.3")] +
                 [a_str(CLASS, b"x" * 200) for _ in range(4)])
    seg = c.g.l4(17, False, NAS, RADIUS, 40001, 1813, i)
    ident = c.g.next_ipid()
    for k in range(0, len(seg), 512):
        c.put(c.g.ipv4(NAS, RADIUS, 17, seg[k:k + 512], ident=ident, frag=k,
                       mf=k + 512 < len(seg)))
    c.udp(RADIUS, NAS, 1813, 40001, reply(5, i, []))
    c.chat("100.64.9.1", 2)
    c.chat("100.64.9.3", 2)
    c.at(4)
    c.acct(2, "trent", "T1", [a_int(CAUSE, 1)])
    c.chat("100.64.9.3", 2)
    return c


def case_split():
    """case dual again, its AAA packets in a second capture file: another worker learns the
    sessions whose data the first worker sees, and the other way round"""
    c = case_dual()
    c.name = "split"
    c.split = True
    return c


CASES = {"dual": case_dual, "split": case_split, "retrans": case_retrans, "orphans": case_orphans,
         "window": case_window, "malformed": case_malformed, "reject": case_reject,
         "dhcp": case_dhcp, "frag": case_frag}


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit("usage: genaaa.py OUTDIR [%s ...]" % "|".join(CASES))
    out = sys.argv[1]
    names = sys.argv[2:] or list(CASES)
    for n in names:
        if n not in CASES:
            sys.exit("genaaa: no case %r (cases: %s)" % (n, ", ".join(CASES)))
    os.makedirs(out, exist_ok=True)
    for n in names:
        c = CASES[n]()
        c.write(out)
        print("genaaa: gen-%s.pcap (%d frames), gen-%s.conf" % (n, len(c.rows), n))


if __name__ == "__main__":
    main()
