#!/usr/bin/env python3
"""aaacheck.py - what each LIID must get from subscriber sessions, checked.

Computes from the lawtap config and the capture files alone, by the rules of
the subscriber-session contract (RADIUS and DHCPv4 sessions, warrants by
username, Calling-Station-Id, MAC or circuit id), every IRI (type, event,
field by field, PDU time) and every CC (IP packet by SHA-256, direction,
time) each LIID must receive, and compares them with `lawtap lemf`'s JSON
lines (doc/lemf-jsonl.md).  Static `targets` are judged as check.py judges
them (its model is imported, not copied).

CINs are the appliance's choice: each expected session (and each IRI-REPORT)
is mapped to exactly one CIN carrying its IRIs and CCs, distinct across
sessions; sequence numbers per (LIID, CIN, kind) run 0.. without gaps, and
each session's records follow capture order (all files merged by capture
time; ties by file order on the command line, then position).

Exit 0 if all holds, 1 if not, 2 on unusable input.
usage: aaacheck.py --conf CONF --pcap P [--pcap P2 ...] --jsonl LEMF.jsonl
"""

import argparse
import calendar
import collections
import hashlib
import heapq
import ipaddress
import json
import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import check  # noqa: E402  (test/e2e/check.py: libconfig and pcap readers, static model)

Unusable = check.Unusable
NEVER = 2**63 - 1

# --- configuration ------------------------------------------------------------


class Warrant:
    def __init__(self, w, idx):
        self.idx = idx
        self.liid = w["liid"]
        self.agency = w["agency"]
        self.cin = w["cin"]
        self.content = w.get("content", "both")
        self.start = check.utc(w["start"]) * 10**6 if w.get("start") else 0
        self.end = check.utc(w["end"]) * 10**6 if w.get("end") else NEVER
        self.targets = [ipaddress.ip_network(t, strict=True) for t in w.get("targets", [])]
        self.usernames = {s.encode("latin-1") for s in w.get("usernames", [])}
        self.csids = {s.encode("latin-1") for s in w.get("calling_station_ids", [])}
        self.macs = {m.lower() for m in w.get("macs", [])}
        self.circuits = {s.encode("latin-1") for s in w.get("circuit_ids", [])}
        self.aaa_cc = bool(w.get("aaa_cc", False))
        if not (self.targets or self.usernames or self.csids or self.macs or self.circuits):
            raise Unusable("config: warrant %d has nothing to match" % (idx + 1))

    def active(self, t):
        return self.start <= t < self.end

    def iri(self):
        return self.content in ("iri", "both")

    def cc(self):
        return self.content in ("cc", "both")


def load_config(path):
    with open(path) as fp:
        c = check.lc_parse(fp.read())
    try:
        agencies = {}
        for a in c["agencies"]:
            agencies[a["id"]] = {"hi2": a["hi2"], "hi3": a["hi3"],
                                 "version": a.get("pspdu_version", 40),
                                 "ipaccess": a.get("ipaccess_version", 20)}
        warrants = [Warrant(w, i) for i, w in enumerate(c["warrants"])]
        for w in warrants:
            if w.agency not in agencies:
                raise Unusable("config: warrant %d names an unknown agency" % (w.idx + 1))
        aaa = c.get("aaa", {})
        radius = []
        for r in aaa.get("radius", []):
            radius.append({"server": ipaddress.ip_address(r["server"]),
                           "ports": set(r.get("auth_ports", [1812])) |
                           set(r.get("acct_ports", [1813])),
                           "secret": r.get("secret", "").encode(),
                           "access_type": r.get("access_type", "undefined")})
        dhcp = [{"server": ipaddress.ip_address(d["server"]),
                 "access_type": d.get("access_type", "undefined")}
                for d in aaa.get("dhcp", [])]
        op = c["operator"]
        return {"operator": op["id"], "ne": op.get("network_element"),
                "auth_cc": op["country"],
                "delivery_cc": op.get("delivery_country", op["country"]),
                "agencies": agencies, "warrants": warrants, "radius": radius, "dhcp": dhcp,
                "access_timeout": int(aaa.get("access_timeout", 10) * 10**6)}
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise Unusable("config: missing or bad setting: %s" % e)


# --- wire formats ---------------------------------------------------------------

RAD_INT = {5, 40, 42, 43, 46, 49, 52, 53, 55}       # 4-octet integers
RAD_ONCE = {1, 4, 5, 8, 30, 31, 32, 40, 42, 43, 44, 46, 49, 52, 53, 55, 80, 87, 95}
RAD_CODES = {1, 2, 3, 4, 5, 11, 12, 13, 40, 41, 42, 43, 44, 45}


def radius_parse(b):
    """(code, id, auth, attrs[(type, value)]) or None when malformed (the whole
    datagram is then ignored, as are duplicates of once-only attributes)."""
    if len(b) < 20:
        return None
    code, ident, ln = struct.unpack("!BBH", b[:4])
    if ln < 20 or ln > 4096 or ln > len(b) or code not in RAD_CODES:
        return None
    attrs, off, seen = [], 20, set()
    while off < ln:
        if off + 2 > ln:
            return None
        t, al = b[off], b[off + 1]
        if al < 2 or off + al > ln:
            return None
        v = b[off + 2:off + al]
        if t in RAD_INT and len(v) != 4 or t in (4, 8) and len(v) != 4 or \
                t in (95, 168) and len(v) != 16 or t == 80 and len(v) != 16:
            return None
        if t in (97, 123):
            if len(v) < 2 or len(v) > 18 or v[1] > 128 or (v[1] + 7) // 8 > len(v) - 2:
                return None
        if t in RAD_ONCE:
            if t in seen:
                return None
            seen.add(t)
        attrs.append((t, v))
        off += al
    return code, ident, b[4:20], attrs


def first(attrs, t):
    for a, v in attrs:
        if a == t:
            return v
    return None


def u32(v):
    return None if v is None else struct.unpack("!I", v)[0]


def rad_prefix(v):
    plen = v[1]
    raw = (v[2:] + bytes(16))[:16]
    n = int.from_bytes(raw, "big") >> (128 - plen) << (128 - plen) if plen else 0
    return ipaddress.IPv6Network((n, plen))


def rad_addrs(attrs):
    """(the valid addresses in contract order, any address attribute at all, absurd count)"""
    out, any_addr, absurd = [], False, 0
    for t in (8, 168, 97, 123):
        for a, v in attrs:
            if a != t:
                continue
            any_addr = True
            if t == 8:
                out.append(ipaddress.ip_network(ipaddress.IPv4Address(v)))
            elif t == 168:
                out.append(ipaddress.ip_network(ipaddress.IPv6Address(v)))
            else:
                p = rad_prefix(v)
                if p.prefixlen < 48:
                    absurd += 1
                else:
                    out.append(p)
    return out, any_addr, absurd


def dhcp_parse(b):
    """dict of the fields used, or None when malformed."""
    if len(b) < 240 or b[0] not in (1, 2) or b[1] != 1 or b[2] != 6 or \
            b[236:240] != b"\x63\x82\x53\x63":
        return None
    m = {"op": b[0], "ciaddr": ipaddress.IPv4Address(b[12:16]),
         "yiaddr": ipaddress.IPv4Address(b[16:20]), "giaddr": ipaddress.IPv4Address(b[24:28]),
         "mac": ":".join("%02x" % x for x in b[28:34])}
    opts, off = {}, 240
    while off < len(b):
        t = b[off]
        if t == 255:
            break
        if t == 0:
            off += 1
            continue
        if off + 2 > len(b) or off + 2 + b[off + 1] > len(b):
            return None
        v = b[off + 2:off + 2 + b[off + 1]]
        if t in opts:
            return None
        opts[t] = v
        off += 2 + len(v)
    if 52 in opts:
        return None  # overload: not generated, not judged
    if len(opts.get(53, b"")) != 1 or not 1 <= opts[53][0] <= 18:
        return None
    for t in (50, 51, 54):
        if t in opts and len(opts[t]) != 4:
            return None
    m["type"] = opts[53][0]
    m["lease"] = u32(opts.get(51))
    m["server_id"] = ipaddress.IPv4Address(opts[54]) if 54 in opts else None
    m["circuit"] = None
    if 82 in opts:
        r, o, subs = opts[82], 0, set()
        while o < len(r):
            if o + 2 > len(r) or o + 2 + r[o + 1] > len(r) or r[o] in subs:
                return None
            subs.add(r[o])
            if r[o] == 1:
                m["circuit"] = r[o + 2:o + 2 + r[o + 1]]
            o += 2 + r[o + 1]
    return m


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Frags:
    """IPv4 reassembly of datagrams to or from an AAA server."""

    def __init__(self):
        self.bufs = {}

    def add(self, ip):
        hl = (ip[0] & 15) * 4
        fo = struct.unpack("!H", ip[6:8])[0]
        key = (ip[12:16], ip[16:20], ip[9], ip[4:6])
        b = self.bufs.setdefault(key, {"parts": {}, "last": None, "head": None})
        off = (fo & 0x1FFF) * 8
        b["parts"][off] = ip[hl:]
        if off == 0:
            b["head"] = ip[:hl]
        if not fo & 0x2000:
            b["last"] = off + len(ip) - hl
        if b["head"] is None or b["last"] is None:
            return None
        data, pos = b"", 0
        while pos < b["last"]:
            if pos not in b["parts"]:
                return None
            data += b["parts"][pos]
            pos += len(b["parts"][pos])
        del self.bufs[key]
        h = bytearray(b["head"])
        h[2:4] = struct.pack("!H", len(h) + len(data))
        h[6:8] = b"\0\0"
        h[10:12] = b"\0\0"
        h[10:12] = struct.pack("!H", csum(bytes(h)))
        return bytes(h) + data


def udp_of(ip):
    """(proto, sport, dport, payload) of an unfragmented IP packet, or None."""
    if ip[0] >> 4 == 4:
        hl = (ip[0] & 15) * 4
        proto, body = ip[9], ip[hl:]
    else:
        proto, body = ip[6], ip[40:]
    if proto != 17 or len(body) < 8:
        return None
    sp, dp, ul = struct.unpack("!HHH", body[:6])
    if ul < 8 or ul > len(body):
        return None
    return sp, dp, body[8:ul]


# --- captures ---------------------------------------------------------------------

Pkt = collections.namedtuple("Pkt", "file index ts src dst ip")


def load(paths):
    pkts, why, firsts, lasts = [], collections.Counter(), [], []
    for fi, p in enumerate(paths):
        prev = None
        for i, (ts, frame) in enumerate(check.read_pcap(p)):
            if prev is not None and ts < prev:
                raise Unusable("%s: timestamps go backwards at record %d" % (p, i))
            prev = ts
            firsts.append(ts)
            lasts.append(ts)
            r = check.ip_of_frame(frame, why)
            if r:
                ip, s, d = r
                pkts.append(Pkt(fi, i, ts, ipaddress.ip_address(s), ipaddress.ip_address(d), ip))
    if not firsts:
        raise Unusable("the captures hold no packets")
    pkts.sort(key=lambda p: (p.ts, p.file, p.index))
    return pkts, why, min(firsts), max(lasts)


# --- the model ------------------------------------------------------------------------

END_REASON = {1: "regularLogoff", 2: "connectionLoss", 3: "connectionLoss",
              4: "connectionTimeout", 5: "connectionTimeout"}
FIELDS = ("iri_type", "event", "ts", "username", "target", "ip_version", "target_assignment",
          "additional", "other_ips", "start_time", "end_time", "end_reason", "octets_received",
          "octets_transmitted", "expected_end_time", "pop_ip", "pop_id", "pop_port",
          "pop_port_id", "access_type", "auth_type", "network_id", "cpe_id")


def s(b):
    return None if b is None else b.decode("latin-1")


class Stream:
    """What one (LIID, CIN) must carry: a session's (or report's) records for one warrant."""

    def __init__(self, w, label, fixed=False):
        self.w = w
        self.label = label
        self.fixed = fixed      # static targets: CIN from the config, order per file
        self.iri = []
        self.cc = []
        self.open = False
        self.closed = False
        self.closed_by = None


class Session:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.streams = {}       # warrant idx -> Stream


class Model:
    def __init__(self, cfg, paths):
        self.cfg = cfg
        self.paths = paths
        self.streams = []
        self.sessions = []          # RADIUS sessions alive
        self.bindings = {}          # DHCP: mac -> Session
        self.pending = {}           # (class, nas addr, port, id) -> request
        self.seen = set()           # retransmission keys
        self.timers = []
        self.tseq = 0
        self.count = collections.Counter()
        self.nsess = 0
        for w in cfg["warrants"]:
            if w.start > 0:
                self.timer(w.start, "wstart", w)
            if w.end < NEVER:
                self.timer(w.end, "wend", w)

    def timer(self, t, kind, obj):
        self.tseq += 1
        heapq.heappush(self.timers, (t, self.tseq, kind, obj))

    # -- records --------------------------------------------------------------------
    def cc(self, st, p, direction, ip=None):
        ip = p.ip if ip is None else ip
        if st.w.cc() and st.w.active(p.ts):
            st.cc.append({"sha": hashlib.sha256(ip).hexdigest(), "dir": direction,
                          "ts": p.ts, "len": len(ip), "pos": (p.file, p.index)})

    def iri(self, st, sess, itype, event, ts, **extra):
        if not st.w.iri():
            return
        r = dict.fromkeys(FIELDS)
        r.update(sess.fields(st.w) if sess is not None else {})
        r.update(iri_type=itype, event=event, ts=ts)
        r.update(extra)
        st.iri.append(r)

    def stream_for(self, sess, w, ts):
        """Opens the session's stream for w with an IRI-BEGIN if w is active."""
        st = Stream(w, sess.label)
        self.streams.append(st)
        sess.streams[w.idx] = st
        st.open = w.active(ts)
        return st if st.open else None

    def open_streams(self, sess, ts):
        return [st for st in sess.streams.values()
                if st.open and not st.closed and st.w.active(ts)]

    # -- sessions ---------------------------------------------------------------------
    def new_session(self, kind, ts, label, addrs, fields, **kw):
        self.nsess += 1
        sess = Session(kind=kind, start=ts, addrs=addrs, label="%s session #%d of %s" % (
            kind, self.nsess, label), **kw)
        sess.fields = lambda w: fields(sess, w)
        return sess

    def end_session(self, sess, ts, **extra):
        for st in self.open_streams(sess, ts):
            self.iri(st, sess, "end", "accessEnd", ts, end_time=ts, **extra)
            st.closed = True
        sess.ended = ts

    def fire(self, upto):
        while self.timers and self.timers[0][0] <= upto:
            t, _, kind, obj = heapq.heappop(self.timers)
            if kind == "wstart":
                for sess in self.live_sessions():
                    st = sess.streams.get(obj.idx)
                    if st is not None and not st.open:
                        st.open = True
                        self.iri(st, sess, "begin", "startOfInterceptionWithSessionActive", t)
            elif kind == "wend":
                for sess in self.live_sessions():
                    st = sess.streams.get(obj.idx)
                    if st is not None and st.open and not st.closed:
                        self.iri(st, sess, "end", "endOfInterceptionWithSessionActive", t,
                                 end_time=t)
                        st.closed = True
                        st.closed_by = "warrant"
            elif kind == "afail":
                if not obj["answered"]:
                    self.pending.pop(obj["pkey"], None)
                    obj["answered"] = True
                    self.report(obj, "accessFailed", t, None)
            elif kind == "lease":
                sess = obj
                if self.bindings.get(sess.mac) is sess and sess.expiry == t:
                    del self.bindings[sess.mac]
                    self.end_session(sess, t, end_reason="leaseExpired")

    def live_sessions(self):
        return self.sessions + list(self.bindings.values())

    # -- RADIUS -------------------------------------------------------------------------
    def rad_warrants(self, user, csid):
        return [w for w in self.cfg["warrants"]
                if (user is not None and user in w.usernames) or
                (csid is not None and csid in w.csids)]

    def rad_fields(self, sess, w):
        f = addr_fields(sess.addrs)
        f.update(username=s(sess.user), start_time=sess.start, auth_type="radiusAAA",
                 access_type=sess.access_type, **sess.pop)
        return f

    def radius(self, p, ip, srv, sport, dport, payload):
        m = radius_parse(payload)
        if m is None:
            self.count["malformed RADIUS"] += 1
            return
        code, ident, auth, attrs = m
        if code in (1, 4):
            rkey = (code, p.src, sport, ident, auth)
            if rkey in self.seen:
                self.count["RADIUS retransmissions"] += 1
                return
            self.seen.add(rkey)
            if code == 4 and not check_acct_auth(payload, srv["secret"]):
                self.count["bad authenticators (not judged)"] += 1
            nas_ip, nas_ip6, nas_id = first(attrs, 4), first(attrs, 95), first(attrs, 32)
            if nas_ip is not None:
                key = ("ip", ipaddress.IPv4Address(nas_ip))
            elif nas_ip6 is not None:
                key = ("ip", ipaddress.IPv6Address(nas_ip6))
            elif nas_id is not None:
                key = ("id", nas_id)
            else:
                key = ("ip", p.src)
            pop = {"pop_ip": str(ipaddress.IPv4Address(nas_ip)) if nas_ip is not None else
                   str(ipaddress.IPv6Address(nas_ip6)) if nas_ip6 is not None else str(p.src),
                   "pop_id": s(nas_id), "pop_port": u32(first(attrs, 5)),
                   "pop_port_id": s(first(attrs, 87))}
            req = {"code": code, "ts": p.ts, "p": p, "ip": ip, "nas": key, "pop": pop,
                   "user": first(attrs, 1), "csid": first(attrs, 31), "sid": first(attrs, 44),
                   "attrs": attrs, "auth": auth, "answered": False, "streams": [],
                   "access_type": srv["access_type"]}
            req["pkey"] = (code, p.src, sport, ident)
            self.pending[req["pkey"]] = req
            if code == 1:
                self.timer(p.ts + self.cfg["access_timeout"], "afail", req)
            else:
                self.accounting(p, ip, req)
            return
        if code not in (2, 3, 5):
            self.count["other RADIUS codes"] += 1
            return
        req = self.pending.pop((1 if code != 5 else 4, p.dst, dport, ident), None)
        if req is None:
            self.count["RADIUS replies to no pending request"] += 1
            return
        req["answered"] = True
        if not check_reply_auth(payload, req["auth"], srv["secret"]):
            self.count["bad authenticators (not judged)"] += 1
        if code == 5:
            for st in req["streams"]:
                if st.closed_by != "warrant":
                    self.cc(st, p, "indeterminate", ip)
            return
        ws = self.rad_warrants(req["user"], req["csid"])
        if code == 3:
            self.report(req, "accessReject", p.ts, (p, ip))
            return
        addrs, _, absurd = rad_addrs(attrs)
        self.count["absurd IPv6 prefixes"] += absurd
        sess = self.new_session("RADIUS", p.ts, s(req["user"]) or "", addrs,
                                    self.rad_fields,
                                nas=req["nas"], user=req["user"], sid=req["sid"],
                                by_accept=req["sid"] is None, pop=req["pop"],
                                access_type=req["access_type"], ended=None)
        for w in ws:
            st = self.stream_for(sess, w, p.ts)
            if st is None:
                continue
            self.iri(st, sess, "begin", "accessAccept", p.ts)
            if w.aaa_cc:
                self.cc(st, req["p"], "indeterminate", req["ip"])
                self.cc(st, p, "indeterminate", ip)
        self.sessions.append(sess)

    def report(self, req, event, ts, reply):
        for w in self.rad_warrants(req["user"], req["csid"]):
            if not w.active(ts):
                continue
            self.nsess += 1
            st = Stream(w, "report #%d %s of %s" % (self.nsess, event, s(req["user"])))
            self.streams.append(st)
            f = dict.fromkeys(FIELDS)
            f.update(addr_fields([]), username=s(req["user"]), auth_type="radiusAAA",
                     access_type=req["access_type"], **req["pop"])
            if w.iri():
                f.update(iri_type="report", event=event, ts=ts)
                st.iri.append(f)
            if w.aaa_cc:
                self.cc(st, req["p"], "indeterminate", req["ip"])
                if reply is not None:
                    self.cc(st, reply[0], "indeterminate", reply[1])

    def accounting(self, p, ip, req):
        attrs = req["attrs"]
        status = u32(first(attrs, 40))
        if status in (7, 8):
            for sess in [x for x in self.sessions if x.nas == req["nas"]]:
                self.end_session(sess, p.ts, end_reason="connectionLoss")
                self.sessions.remove(sess)
            return
        if status not in (1, 2, 3):
            self.count["accounting without a usable status"] += 1
            return
        sess = None
        if req["sid"] is not None:
            sess = next((x for x in self.sessions if x.nas == req["nas"] and
                         x.sid == req["sid"]), None)
        if sess is None:
            cand = [x for x in self.sessions if x.nas == req["nas"] and x.by_accept and
                    x.sid is None and x.user == req["user"]]
            if cand:
                sess = cand[-1]
                sess.sid = req["sid"]
        octets = {}
        if first(attrs, 42) is not None or first(attrs, 43) is not None:
            octets = {"octets_received": (u32(first(attrs, 43)) or 0) +
                      (u32(first(attrs, 53)) or 0) * 2**32,
                      "octets_transmitted": (u32(first(attrs, 42)) or 0) +
                      (u32(first(attrs, 52)) or 0) * 2**32}
        addrs, any_addr, absurd = rad_addrs(attrs)
        self.count["absurd IPv6 prefixes"] += absurd
        if sess is None:
            if status == 2:
                self.count["Stop for an unknown session"] += 1
                return
            sess = self.new_session("RADIUS", p.ts, s(req["user"]) or "", addrs,
                                    self.rad_fields,
                                    nas=req["nas"], user=req["user"], sid=req["sid"],
                                    by_accept=False, pop=req["pop"],
                                    access_type=req["access_type"], ended=None)
            self.sessions.append(sess)
            event = "sessionStart" if status == 1 else "startOfInterceptionWithSessionActive"
            for w in self.rad_warrants(req["user"], req["csid"]):
                st = self.stream_for(sess, w, p.ts)
                if st is None:
                    continue
                self.iri(st, sess, "begin", event, p.ts)
                if w.aaa_cc:
                    self.cc(st, p, "indeterminate", ip)
                    req["streams"].append(st)
            return
        if status in (1, 3) and any_addr:
            sess.addrs = addrs
        streams = self.open_streams(sess, p.ts)
        if status == 2:
            cause = u32(first(attrs, 49))
            self.end_session(sess, p.ts, end_reason=END_REASON.get(cause, "undefined"),
                             **octets)
            self.sessions.remove(sess)
        else:
            for st in streams:
                self.iri(st, sess, "continue",
                         "sessionStart" if status == 1 else "interimUpdate", p.ts, **octets)
        for st in streams:
            if st.w.aaa_cc:
                self.cc(st, p, "indeterminate", ip)
                req["streams"].append(st)

    # -- DHCPv4 --------------------------------------------------------------------------
    def dhcp_warrants(self, mac, circuit):
        out = []
        for w in self.cfg["warrants"]:
            if mac in w.macs:
                out.append((w, mac.encode()))
            elif circuit is not None and circuit in w.circuits:
                out.append((w, circuit))
        return out

    def dhcp_fields(self, sess, w):
        f = addr_fields(sess.addrs)
        f.update(username=s(sess.usernames[w.idx]), network_id=sess.mac,
                 cpe_id=s(sess.circuit), auth_type="dhcpAAA", start_time=sess.start,
                 expected_end_time=sess.expiry if sess.expiry < NEVER else None,
                 pop_ip=str(sess.pop_ip), access_type=sess.access_type)
        return f

    def dhcp(self, p, srv, payload, ip):
        m = dhcp_parse(payload)
        if m is None:
            self.count["malformed DHCP"] += 1
            return
        mac, t = m["mac"], m["type"]
        if t == 5 and m["op"] == 2 and int(m["yiaddr"]):
            lease = m["lease"] * 10**6 if m["lease"] is not None else None
            pop = m["giaddr"] if int(m["giaddr"]) else m["server_id"] or p.src
            old = self.bindings.get(mac)
            addr = ipaddress.ip_network(m["yiaddr"])
            if old is not None and old.addrs == [addr]:
                old.expiry = p.ts + lease if lease is not None else NEVER
                old.pop_ip = pop
                if lease is not None:
                    self.timer(old.expiry, "lease", old)
                for st in self.open_streams(old, p.ts):
                    self.iri(st, old, "continue", "interimUpdate", p.ts)
                    if st.w.aaa_cc:
                        self.cc(st, p, "indeterminate", ip)
                return
            if old is not None:
                del self.bindings[mac]
                self.end_session(old, p.ts, end_reason="undefined")
            ws = self.dhcp_warrants(mac, m["circuit"])
            sess = self.new_session("DHCP", p.ts, mac, [addr], self.dhcp_fields, mac=mac,
                                    circuit=m["circuit"], pop_ip=pop,
                                    usernames={w.idx: u for w, u in ws},
                                    expiry=p.ts + lease if lease is not None else NEVER,
                                    access_type=srv["access_type"], ended=None)
            self.bindings[mac] = sess
            if lease is not None:
                self.timer(sess.expiry, "lease", sess)
            for w, _ in ws:
                st = self.stream_for(sess, w, p.ts)
                if st is not None:
                    self.iri(st, sess, "begin", "accessAccept", p.ts)
                    if w.aaa_cc:
                        self.cc(st, p, "indeterminate", ip)
            return
        if t in (4, 7) and m["op"] == 1:
            old = self.bindings.get(mac)
            if old is None or (t == 7 and old.addrs != [ipaddress.ip_network(m["ciaddr"])]):
                self.count["DHCP release/decline of no binding"] += 1
                return
            del self.bindings[mac]
            for st in self.open_streams(old, p.ts):
                if st.w.aaa_cc:
                    self.cc(st, p, "indeterminate", ip)
            self.end_session(old, p.ts,
                             end_reason="regularLogoff" if t == 7 else "undefined")

    # -- the walk ---------------------------------------------------------------------------
    def aaa_kind(self, src, dst, sport, dport):
        for r in self.cfg["radius"]:
            if (dst == r["server"] and dport in r["ports"]) or \
                    (src == r["server"] and sport in r["ports"]):
                return "radius", r
        for d in self.cfg["dhcp"]:
            if (src == d["server"] or dst == d["server"]) and \
                    (sport in (67, 68) or dport in (67, 68)):
                return "dhcp", d
        return None, None

    def servers(self):
        return {r["server"] for r in self.cfg["radius"]} | {d["server"] for d in self.cfg["dhcp"]}

    def run(self, pkts):
        frags = Frags()
        servers = self.servers()
        for p in pkts:
            self.fire(p.ts)
            ip = p.ip
            isfrag = ip[0] >> 4 == 4 and struct.unpack("!H", ip[6:8])[0] & 0x3FFF
            if isfrag and ip[9] == 17 and (p.src in servers or p.dst in servers):
                ip = frags.add(ip)
                if ip is None:
                    continue
                self.count["AAA datagrams reassembled"] += 1
            elif not isfrag:
                u = udp_of(ip)
                if u is not None:
                    kind, srv = self.aaa_kind(p.src, p.dst, u[0], u[1])
                    if kind is not None:
                        self.aaa(p, ip, kind, srv, u)
                        continue
                self.data(p)
                continue
            else:
                self.data(p)
                continue
            u = udp_of(ip)
            kind, srv = self.aaa_kind(p.src, p.dst, u[0], u[1]) if u else (None, None)
            if kind is not None:
                self.aaa(p, ip, kind, srv, u)

    def aaa(self, p, ip, kind, srv, u):
        if kind == "radius":
            self.radius(p, ip, srv, u[0], u[1], u[2])
        else:
            self.dhcp(p, srv, u[2], ip)

    def data(self, p):
        for sess in self.live_sessions():
            if not sess.addrs:
                continue
            if any(p.src in a for a in sess.addrs):
                d = "fromTarget"
            elif any(p.dst in a for a in sess.addrs):
                d = "toTarget"
            else:
                continue
            for st in self.open_streams(sess, p.ts):
                self.cc(st, p, d)


def check_acct_auth(pkt, secret):
    ln = struct.unpack("!H", pkt[2:4])[0]
    return hashlib.md5(pkt[:4] + bytes(16) + pkt[20:ln] + secret).digest() == pkt[4:20]


def check_reply_auth(pkt, req_auth, secret):
    ln = struct.unpack("!H", pkt[2:4])[0]
    return hashlib.md5(pkt[:4] + req_auth + pkt[20:ln] + secret).digest() == pkt[4:20]


def addr_fields(addrs):
    f = {"target": None, "additional": None, "other_ips": [], "ip_version": "iPV4",
         "target_assignment": None}
    if not addrs:
        return f
    v4 = [a for a in addrs if a.version == 4]
    v6 = [a for a in addrs if a.version == 6]
    f["target"] = str(addrs[0])
    f["target_assignment"] = "dynamic"
    if v4 and v6:
        f["ip_version"] = "iPV4andV6"
        f["additional"] = str(v6[0])
        f["other_ips"] = [str(a) for a in v6[1:]]
    else:
        f["ip_version"] = "iPV4" if v4 else "iPV6"
        f["other_ips"] = [str(a) for a in addrs[1:]]
    return f


def static_streams(cfg, pkts, first_ts, last_ts):
    """check.py's model for the warrants with static targets."""
    ws = [w for w in cfg["warrants"] if w.targets]
    cws = [check.Warrant(w.liid, w.agency, w.cin, w.content, w.start, w.end, w.targets)
           for w in ws]
    cpkts = [check.Pkt(p.file, p.index, p.ts, p.src, p.dst, p.ip) for p in pkts]
    exp_cc, exp_iri = check.expected({"warrants": cws}, cpkts, first_ts, last_ts)
    out = []
    for w in ws:
        st = Stream(w, "static targets (CIN %d)" % w.cin, fixed=True)
        for (sha, d, ts, ln), pos in sorted(exp_cc.get(w.liid, {}).items(),
                                            key=lambda kv: (kv[0][2], kv[1])):
            st.cc.append({"sha": sha, "dir": d, "ts": ts, "len": ln, "pos": pos})
        for t, ev, ip, fam, plen in exp_iri.get(w.liid, []):
            st.iri.append({"iri_type": t, "event": ev, "target": "%s/%d" % (ip, plen)})
        out.append(st)
    return out


def expected(cfg, paths):
    """The streams each LIID must get, the packets and the model's counters."""
    pkts, why, first_ts, last_ts = load(paths)
    m = Model(cfg, paths)
    m.run(pkts)
    streams = static_streams(cfg, pkts, first_ts, last_ts) + \
        [st for st in m.streams if st.iri or st.cc]
    return streams, pkts, why, m.count


# --- JSON lines -----------------------------------------------------------------------------

def iso(us):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(us // 10**6)) + \
        ".%06dZ" % (us % 10**6)


def from_iso(v):
    if not isinstance(v, str) or len(v) != 27 or v[19] != "." or v[-1] != "Z":
        return ("bad", v)
    try:
        return calendar.timegm(time.strptime(v[:19], "%Y-%m-%dT%H:%M:%S")) * 10**6 + \
            int(v[20:26])
    except ValueError:
        return ("bad", v)


def norm_addr(ip, plen, fam=None):
    if ip is None:
        return None if plen is None and fam is None else ("bad", ip, plen)
    try:
        a = ipaddress.ip_address(ip)
        if fam is not None and fam != a.version:
            return ("bad family", ip, fam)
        return str(ipaddress.ip_network((a, a.max_prefixlen if plen is None else plen)))
    except (ValueError, TypeError):
        return ("bad", ip, plen)


def norm_iri(r):
    """The observed IRI in the model's terms."""
    o = {"iri_type": r.get("iri_type"), "event": r.get("event"),
         "ts": (r.get("ts_sec") or 0) * 10**6 + (r.get("ts_usec") or 0),
         "username": r.get("username"),
         "target": norm_addr(r.get("target_ip"), r.get("target_prefix_len"),
                             r.get("target_family")),
         "additional": norm_addr(r.get("additional_ip"), r.get("additional_prefix_len")),
         "other_ips": [], "pop_ip": None}
    oi = r.get("other_ips")
    if oi is not None:
        try:
            o["other_ips"] = [str(ipaddress.ip_network(x, strict=True)) for x in oi]
        except (ValueError, TypeError):
            o["other_ips"] = ("bad", oi)
    if r.get("pop_ip") is not None or r.get("pop_prefix_len") is not None:
        n = norm_addr(r.get("pop_ip"), r.get("pop_prefix_len"))
        o["pop_ip"] = n.split("/")[0] if isinstance(n, str) and \
            n.endswith("/%d" % ipaddress.ip_address(r["pop_ip"]).max_prefixlen) else n
    for k in ("start_time", "end_time", "expected_end_time"):
        o[k] = None if r.get(k) is None else from_iso(r[k])
    for k in ("ip_version", "target_assignment", "end_reason", "octets_received",
              "octets_transmitted", "pop_id", "pop_port", "pop_port_id", "access_type",
              "auth_type", "network_id", "cpe_id"):
        o[k] = r.get(k)
    return o


def to_json(st, cin, cfg):
    """The JSON lines a perfect LEMF writes for stream st under CIN cin (selftest)."""
    ag = cfg["agencies"][st.w.agency]
    base = {"version": ag["version"], "liid": st.w.liid, "cin": cin,
            "operator": cfg["operator"], "ne": cfg["ne"], "auth_cc": cfg["auth_cc"],
            "delivery_cc": cfg["delivery_cc"]}
    out = []
    for i, r in enumerate(st.iri):
        j = dict(base, listen=ag["hi2"], kind="IRI", seq=i)
        j.update(iri_type=r["iri_type"], iri="iPIRI", objid="5.3.%d.1" % ag["ipaccess"],
                 event=r["event"])
        if "ts" in r:
            j.update(ts_sec=r["ts"] // 10**6, ts_usec=r["ts"] % 10**6)
        for k in ("username",):
            if r.get(k) is not None:
                j[k] = r[k]
        if r.get("target"):
            n = ipaddress.ip_network(r["target"])
            j.update(target_ip=str(n.network_address), target_family=n.version,
                     target_prefix_len=n.prefixlen)
        for k in ("ip_version", "target_assignment"):
            if r.get(k) is not None:
                j[k] = r[k]
        if r.get("additional"):
            n = ipaddress.ip_network(r["additional"])
            j.update(additional_ip=str(n.network_address), additional_prefix_len=n.prefixlen)
        if r.get("other_ips"):
            j["other_ips"] = list(r["other_ips"])
        for k in ("start_time", "end_time", "expected_end_time"):
            if r.get(k) is not None:
                j[k] = iso(r[k])
        for k in ("end_reason", "octets_received", "octets_transmitted", "pop_ip", "pop_id",
                  "pop_port", "pop_port_id", "access_type", "auth_type", "network_id",
                  "cpe_id"):
            if r.get(k) is not None:
                j[k] = r[k]
        out.append(j)
    for i, c in enumerate(st.cc):
        j = dict(base, listen=ag["hi3"], kind="CC", seq=i, ts_sec=c["ts"] // 10**6,
                 ts_usec=c["ts"] % 10**6, dir=c["dir"], cc="iPCC",
                 objid="5.3.%d.2" % ag["ipaccess"], payload_len=c["len"],
                 payload_sha256=c["sha"])
        out.append(j)
    return out


# --- the comparison -----------------------------------------------------------------------------

def ikey(r):
    return (r.get("iri_type"), r.get("event"), r.get("ts"), r.get("target"))


def ckey(c):
    return (c["sha"], c["dir"], c["ts"], c["len"])


def score(st, iris, ccs):
    want = collections.Counter([ikey(r) for r in st.iri] + [ckey(c) for c in st.cc])
    got = collections.Counter([ikey(r) for r in iris] + [ckey(c) for c in ccs])
    return sum((want & got).values())


def compare(cfg, paths, jsonl, limit=5):
    streams, pkts, why, counts = expected(cfg, paths)
    by_sha = {}
    for p in pkts:
        by_sha.setdefault(hashlib.sha256(p.ip).hexdigest(), p)
    warrants = {w.liid: w for w in cfg["warrants"]}
    problems = collections.defaultdict(list)   # liid (or "") -> messages
    obs = collections.defaultdict(lambda: {"IRI": [], "CC": []})  # (liid, cin)
    nrec = 0
    with open(jsonl) as fp:
        for n, line in enumerate(fp, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except ValueError:
                problems[""].append("out line %d: not JSON" % n)
                continue
            nrec += 1
            kind = r.get("kind")
            if kind in ("KEEPALIVE", "KEEPALIVE_RESPONSE", "TRI"):
                continue
            if kind not in ("IRI", "CC"):
                problems[""].append("out line %d: %s record %s" % (n, kind, r.get("error", "")))
                continue
            w = warrants.get(r.get("liid"))
            if w is None:
                problems[""].append("out line %d: %s for LIID %r that no warrant has" % (
                    n, kind, r.get("liid")))
                continue
            ag = cfg["agencies"][w.agency]
            bad = problems[w.liid]
            want = ag["hi2"] if kind == "IRI" else ag["hi3"]
            if r.get("listen") != want:
                bad.append("out line %d: %s arrived on %s, agency %s's %s is %s" % (
                    n, kind, r.get("listen"), w.agency, "HI2" if kind == "IRI" else "HI3", want))
            if r.get("version") != ag["version"]:
                bad.append("out line %d: version %r, agency wants %r" % (n, r.get("version"),
                                                                        ag["version"]))
            hdr = (r.get("operator"), r.get("ne"), r.get("auth_cc"), r.get("delivery_cc"))
            if hdr != (cfg["operator"], cfg["ne"], cfg["auth_cc"], cfg["delivery_cc"]):
                bad.append("out line %d: operator/ne/countries %r" % (n, hdr))
            objid = "5.3.%d.%d" % (ag["ipaccess"], 1 if kind == "IRI" else 2)
            alt = r.get("iri") if kind == "IRI" else r.get("cc")
            if r.get("objid") != objid or alt != ("iPIRI" if kind == "IRI" else "iPCC"):
                bad.append("out line %d: %s %s/%s, want %s" % (n, kind, alt, r.get("objid"),
                                                               objid))
            if not isinstance(r.get("seq"), int) or not isinstance(r.get("cin"), int):
                bad.append("out line %d: %s without an integer CIN and sequence number" % (
                    n, kind))
                continue
            r["_line"] = n
            obs[(w.liid, r["cin"])][kind].append(r)

    nexp = collections.Counter()
    for (liid, cin), k in obs.items():
        for kind in ("IRI", "CC"):
            seqs = sorted(r["seq"] for r in k[kind])
            if seqs and seqs != list(range(len(seqs))):
                gaps = sorted(set(range(max(seqs) + 1)) - set(seqs))
                dups = sorted(x for x, c in collections.Counter(seqs).items() if c > 1)
                problems[liid].append("CIN %d %s: sequence numbers not 0..%d without gaps "
                                      "(first gap %s, first duplicate %s)" % (
                                          cin, kind, len(seqs) - 1,
                                          gaps[0] if gaps else "-", dups[0] if dups else "-"))
            k[kind].sort(key=lambda r: r["seq"])
            if kind == "IRI":
                for r in k[kind]:
                    r["_n"] = norm_iri(r)
            else:
                for r in k[kind]:
                    r["_n"] = {"sha": r.get("payload_sha256"), "dir": r.get("dir"),
                               "ts": (r.get("ts_sec") or 0) * 10**6 + (r.get("ts_usec") or 0),
                               "len": r.get("payload_len")}

    table = []
    for w in cfg["warrants"]:
        bad = problems[w.liid]
        mine = [st for st in streams if st.w is w]
        cins = sorted(c for (liid, c) in obs if liid == w.liid)
        mapping = {}
        for st in mine:
            if st.fixed:
                mapping[id(st)] = w.cin
        free = [c for c in cins if c not in mapping.values()]
        pairs = []
        for st in mine:
            if st.fixed:
                continue
            for c in free:
                o = obs[(w.liid, c)]
                sc = score(st, [r["_n"] for r in o["IRI"]], [r["_n"] for r in o["CC"]])
                if sc:
                    pairs.append((-sc, mine.index(st), c, st))
        used = set()
        for _, _, c, st in sorted(pairs, key=lambda x: x[:3]):
            if id(st) in mapping or c in used:
                continue
            mapping[id(st)] = c
            used.add(c)
        for st in mine:
            c = mapping.get(id(st))
            o = obs.get((w.liid, c), {"IRI": [], "CC": []}) if c is not None else \
                {"IRI": [], "CC": []}
            if c is None:
                bad.append("%s: no CIN carries its %d IRI and %d CC" % (st.label, len(st.iri),
                                                                       len(st.cc)))
                continue
            diff_stream(st, c, o, bad, paths, by_sha)
        for c in cins:
            if c in mapping.values():
                continue
            o = obs[(w.liid, c)]
            lines = [r["_line"] for r in o["IRI"] + o["CC"]]
            bad.append("CIN %d: %d IRI and %d CC that belong to no expected session "
                       "(first at out line %d)" % (c, len(o["IRI"]), len(o["CC"]), min(lines)))
        nexp[w.liid] = (sum(len(st.iri) for st in mine), sum(len(st.cc) for st in mine))
        got = (sum(len(obs[(w.liid, c)]["IRI"]) for c in cins),
               sum(len(obs[(w.liid, c)]["CC"]) for c in cins))
        table.append((w.liid, w.agency, len(mine), nexp[w.liid][0], got[0], nexp[w.liid][1],
                      got[1]))

    print("aaacheck: %d IP packets in %d capture(s); skipped frames: %s; model: %s" % (
        len(pkts), len(paths), ", ".join("%s %d" % kv for kv in sorted(why.items())) or "none",
        ", ".join("%s %d" % kv for kv in sorted(counts.items())) or "nothing to note"))
    nbad = sum(len(v) for v in problems.values())
    if nbad:
        print("%-12s %-8s %8s %8s %8s %8s %8s" % ("LIID", "AGENCY", "STREAMS", "IRI-WANT",
                                                  "IRI-GOT", "CC-WANT", "CC-GOT"))
        for row in table:
            print("%-12s %-8s %8d %8d %8d %8d %8d" % row)
        print("aaacheck: FAIL, %d problem(s):" % nbad)
        for liid in sorted(problems):
            msgs = problems[liid]
            if not msgs:
                continue
            print("  %s: %d problem(s)" % (liid or "(any LIID)", len(msgs)))
            for x in msgs[:limit]:
                print("    " + x)
            if len(msgs) > limit:
                print("    ... and %d more" % (len(msgs) - limit))
        return 1
    print("aaacheck: OK: %d records, %d LIIDs, %d sessions/reports, %d IRI, %d CC" % (
        nrec, len(table), sum(t[2] for t in table), sum(t[3] for t in table),
        sum(t[5] for t in table)))
    return 0


def show(r):
    return ", ".join("%s=%s" % (k, v) for k, v in r.items() if v not in (None, []) and
                     k != "pos")


def diff_stream(st, cin, o, bad, paths, by_sha):
    n0 = len(bad)
    tag = "%s (CIN %d)" % (st.label, cin)
    got = o["IRI"]
    if st.fixed:
        want = collections.Counter(tuple(sorted(r.items())) for r in st.iri)
        have = collections.Counter(tuple(sorted((k, r["_n"].get(k)) for k in
                                                ("iri_type", "event", "target")))
                                   for r in got)
        for k in (want - have):
            bad.append("%s: IRI %s not received" % (tag, dict(k)))
        for k in (have - want):
            bad.append("%s: unexpected IRI %s" % (tag, dict(k)))
    else:
        for i in range(max(len(st.iri), len(got))):
            if len(bad) - n0 >= 6:
                break
            if i >= len(got):
                bad.append("%s: IRI %d (%s) not received" % (tag, i, show(st.iri[i])))
                continue
            if i >= len(st.iri):
                bad.append("%s: out line %d: IRI %d more than expected (%s %s)" % (
                    tag, got[i]["_line"], i, got[i].get("iri_type"), got[i].get("event")))
                continue
            e, g = st.iri[i], got[i]["_n"]
            d = ["%s %r, want %r" % (k, g.get(k), e.get(k)) for k in FIELDS if
                 g.get(k) != e.get(k)]
            if d:
                bad.append("%s: out line %d: IRI seq %d (%s %s): %s" % (
                    tag, got[i]["_line"], i, e["iri_type"], e["event"], "; ".join(d)))
    got = o["CC"]
    if st.fixed:
        want = collections.Counter(ckey(c) for c in st.cc)
        have = collections.Counter(ckey(r["_n"]) for r in got)
        pos = {ckey(c): c["pos"] for c in st.cc}
        for k in list(want - have)[:3]:
            bad.append("%s: CC of %s record %d not received" % (tag, paths[pos[k][0]],
                                                                pos[k][1]))
        for r in got:
            k = ckey(r["_n"])
            if have[k] > want.get(k, 0):
                bad.append("%s: out line %d: unexpected CC %s" % (tag, r["_line"],
                                                                  where(r["_n"], paths, by_sha)))
                have[k] -= 1
        last = {}
        for r in got:
            p = pos.get(ckey(r["_n"]))
            if p is None:
                continue
            if last.get(p[0], -1) > p[1]:
                bad.append("%s: out line %d: CC breaks %s's order" % (tag, r["_line"],
                                                                       paths[p[0]]))
                break
            last[p[0]] = p[1]
        return
    for i in range(max(len(st.cc), len(got))):
        if len(bad) - n0 >= 8:
            break
        if i >= len(got):
            bad.append("%s: CC %d (%s record %d) not received" % (
                tag, i, paths[st.cc[i]["pos"][0]], st.cc[i]["pos"][1]))
            continue
        if i >= len(st.cc):
            bad.append("%s: out line %d: CC seq %d more than expected: %s" % (
                tag, got[i]["_line"], i, where(got[i]["_n"], paths, by_sha)))
            continue
        e, g = st.cc[i], got[i]["_n"]
        if ckey(e) != ckey(g):
            bad.append("%s: out line %d: CC seq %d is %s %s ts %d; want %s record %d, %s ts %d" % (
                tag, got[i]["_line"], i, where(g, paths, by_sha), g["dir"], g["ts"] or 0,
                paths[e["pos"][0]], e["pos"][1], e["dir"], e["ts"]))


def where(c, paths, by_sha):
    p = by_sha.get(c["sha"])
    if p is None:
        return "bytes of no IP packet in the captures"
    return "%s record %d" % (paths[p.file], p.index)


def main():
    ap = argparse.ArgumentParser(description="check the LEMF's JSON lines against the AAA "
                                 "sessions in the captures")
    ap.add_argument("--conf", "-c", required=True)
    ap.add_argument("--pcap", action="append", required=True)
    ap.add_argument("--jsonl", "-j", required=True)
    ap.add_argument("--limit", type=int, default=5, help="problems to list per LIID")
    a = ap.parse_args()
    try:
        cfg = load_config(a.conf)
        return compare(cfg, a.pcap, a.jsonl, a.limit)
    except (Unusable, OSError) as e:
        print("aaacheck: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
