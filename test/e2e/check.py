#!/usr/bin/env python3
"""check.py - compares what the LEMF received with what the captures demand.

Reads the lawtap config and the pcap files on its own (a small libconfig
reader, its own pcap/Ethernet/VLAN/IP parser and prefix matching; nothing
shared with lawtap), computes per LIID the expected CC and IRI records and
checks the LEMF's JSON lines (doc/lemf-jsonl.md) against them:
exactly those records, nothing else; right LIID, CIN, direction, bytes,
time; CC on the agency's HI3 address and IRI on its HI2; sequence numbers
gapless from 0 per (LIID, CIN, kind); per LIID the CC records of each
capture file in that file's order.  Exit 0 if all holds, 1 if not, 2 on
unusable input.

usage: check.py -c lawtap.conf -j out.jsonl [--ignore-agency ID] [--live T0:T1] A.pcap [B.pcap ...]

--live: the frames were sent to a running appliance between wall-clock times
T0 and T1 (microseconds); windows are judged at T0 and records carry T0..T1
instead of the capture times.
"""

import argparse
import calendar
import collections
import hashlib
import ipaddress
import json
import re
import struct
import sys
import time


class Unusable(Exception):
    pass


# --- a libconfig reader for the subset lawtap.conf uses ------------------

TOKEN = re.compile(r"""
    (?P<ws>\s+|\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<num>[-+]?(?:0[xX][0-9a-fA-F]+|\d+\.\d*(?:[eE][-+]?\d+)?|\d+)L{0,2})
  | (?P<bool>(?i:true|false)\b)
  | (?P<name>[A-Za-z*][-A-Za-z0-9_*]*)
  | (?P<punct>[{}()\[\]=:;,])
""", re.X | re.S)


def lc_tokens(text):
    pos, out = 0, []
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            line = text.count("\n", 0, pos) + 1
            raise Unusable("config line %d: cannot read %r" % (line, text[pos:pos + 20]))
        pos = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        v = m.group()
        if kind == "str":
            v = json.loads(v)  # libconfig escapes are a subset of JSON's
        elif kind == "num":
            v = v.rstrip("L")
            v = int(v, 0) if re.fullmatch(r"[-+]?(0[xX][0-9a-fA-F]+|\d+)", v) else float(v)
        elif kind == "bool":
            v = v.lower() == "true"
        out.append((kind, v))
    return out


def lc_parse(text):
    toks = lc_tokens(text)
    pos = 0

    def peek():
        return toks[pos] if pos < len(toks) else ("eof", None)

    def take(kind=None, val=None):
        nonlocal pos
        t = peek()
        if (kind and t[0] != kind) or (val is not None and t[1] != val):
            raise Unusable("config: expected %s, found %r" % (val or kind, t[1]))
        pos += 1
        return t[1]

    def value():
        k, v = peek()
        if k == "punct" and v == "{":
            take()
            g = settings("}")
            take("punct", "}")
            return g
        if k == "punct" and v in "([":
            close = ")" if v == "(" else "]"
            take()
            items = []
            while peek() != ("punct", close):
                items.append(value())
                if peek() == ("punct", ","):
                    take()
            take("punct", close)
            return items
        if k == "str":
            s = take()
            while peek()[0] == "str":
                s += take()
            return s
        if k in ("num", "bool"):
            return take()
        raise Unusable("config: unexpected %r" % (v,))

    def settings(end):
        g = {}
        while peek()[0] != "eof" and peek() != ("punct", end):
            name = take("name")
            if peek()[1] not in ("=", ":"):
                raise Unusable("config: expected = after %s" % name)
            take()
            g[name] = value()
            if peek() in (("punct", ";"), ("punct", ",")):
                take()
        return g

    top = settings(None)
    if peek()[0] != "eof":
        raise Unusable("config: trailing %r" % (peek()[1],))
    return top


def utc(s):
    try:
        return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        raise Unusable("config: bad time %r" % s)


Warrant = collections.namedtuple("Warrant", "liid agency cin content start_us end_us nets")


def load_config(path):
    with open(path) as fp:
        c = lc_parse(fp.read())
    try:
        agencies = {}
        for a in c["agencies"]:
            agencies[a["id"]] = {"hi2": a["hi2"], "hi3": a["hi3"],
                                 "version": a.get("pspdu_version", 40),
                                 "ipaccess": a.get("ipaccess_version", 20)}
        warrants = []
        for w in c["warrants"]:
            nets = [ipaddress.ip_network(t, strict=True) for t in w["targets"]]
            start, end = w.get("start"), w.get("end")
            warrants.append(Warrant(w["liid"], w["agency"], w["cin"], w["content"],
                                    utc(start) * 10**6 if start else 0,
                                    utc(end) * 10**6 if end else 2**63 - 1, nets))
            if w["agency"] not in agencies:
                raise Unusable("config: warrant for unknown agency")
        op = c["operator"]
        return {"operator": op["id"], "ne": op.get("network_element"),
                "auth_cc": op["country"],
                "delivery_cc": op.get("delivery_country", op["country"]),
                "agencies": agencies, "warrants": warrants}
    except (KeyError, TypeError, ValueError) as e:
        raise Unusable("config: missing or bad setting: %s" % e)


# --- captures ---------------------------------------------------------------

Pkt = collections.namedtuple("Pkt", "file index ts src dst ip")


def read_pcap(path):
    """Yields (ts_us, captured bytes) for each record of a classic pcap."""
    with open(path, "rb") as fp:
        data = fp.read()
    if len(data) < 24:
        raise Unusable("%s: not a pcap file" % path)
    magic = struct.unpack("<I", data[:4])[0]
    forms = {0xA1B2C3D4: ("<", 1), 0xD4C3B2A1: (">", 1),
             0xA1B23C4D: ("<", 1000), 0x4D3CB2A1: (">", 1000)}
    if magic not in forms:
        raise Unusable("%s: not a classic pcap file" % path)
    end, div = forms[magic]
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    if linktype != 1:
        raise Unusable("%s: link type %d, want Ethernet" % (path, linktype))
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise Unusable("%s: truncated record header at %d" % (path, off))
        sec, frac, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            raise Unusable("%s: truncated record at %d" % (path, off))
        yield sec * 10**6 + frac // div, data[off:off + caplen]
        off += caplen


def ip_of_frame(f, why):
    """The IP packet a frame carries (padding cut), or None; counts why not."""
    if len(f) < 14:
        why["short frame"] += 1
        return None
    et = struct.unpack("!H", f[12:14])[0]
    off, tags = 14, 0
    while et in (0x8100, 0x88A8):
        if tags == 2 or len(f) < off + 4:
            why["bad VLAN"] += 1
            return None
        et = struct.unpack("!H", f[off + 2:off + 4])[0]
        off += 4
        tags += 1
    b = f[off:]
    if et == 0x0800:
        if len(b) < 20 or b[0] >> 4 != 4 or b[0] & 15 < 5:
            why["bad IPv4 header"] += 1
            return None
        tl = struct.unpack("!H", b[2:4])[0]
        if tl < (b[0] & 15) * 4 or tl > len(b):
            why["bad IPv4 length"] += 1
            return None
        return b[:tl], b[12:16], b[16:20]
    if et == 0x86DD:
        if len(b) < 40 or b[0] >> 4 != 6:
            why["bad IPv6 header"] += 1
            return None
        tl = 40 + struct.unpack("!H", b[4:6])[0]
        if tl > len(b):
            why["bad IPv6 length"] += 1
            return None
        return b[:tl], b[8:24], b[24:40]
    why["not IP"] += 1
    return None


def load_captures(paths):
    pkts, why, first, last = [], collections.Counter(), None, None
    for fi, p in enumerate(paths):
        prev = None
        for i, (ts, frame) in enumerate(read_pcap(p)):
            if prev is not None and ts < prev:
                raise Unusable("%s: timestamps go backwards at record %d" % (p, i))
            prev = ts
            first = ts if first is None else min(first, ts)
            last = ts if last is None else max(last, ts)
            r = ip_of_frame(frame, why)
            if r:
                ip, s, d = r
                pkts.append(Pkt(fi, i, ts, ipaddress.ip_address(s), ipaddress.ip_address(d), ip))
    if first is None:
        raise Unusable("the captures hold no packets")
    return pkts, why, first, last


# --- expectations -----------------------------------------------------------

def expected(cfg, pkts, first, last, live=None):
    """live: (t0, t1), the wall-clock span in which the frames were sent to a
    live appliance: every packet is judged at t0 and keyed without its time."""
    if live:
        first = last = live[0]
    cc = collections.defaultdict(dict)   # liid -> {(sha, dir, ts, len): (file, index)}
    iri = collections.defaultdict(list)  # liid -> [(type, event, ip, family, len)]
    for w in cfg["warrants"]:
        if w.content not in ("iri", "both"):
            continue
        if not (w.start_us <= last and w.end_us > first):
            continue
        for n in w.nets:
            iri[w.liid].append(("begin", "startOfInterceptionWithSessionActive",
                                n.network_address, n.version, n.prefixlen))
            if w.end_us <= last:
                iri[w.liid].append(("end", "endOfInterceptionWithSessionActive",
                                    n.network_address, n.version, n.prefixlen))
    ccw = [w for w in cfg["warrants"] if w.content in ("cc", "both")]
    for p in pkts:
        ts = live[0] if live else p.ts
        for w in ccw:
            if not (w.start_us <= ts < w.end_us):
                continue
            if any(p.src in n for n in w.nets):
                d = "fromTarget"
            elif any(p.dst in n for n in w.nets):
                d = "toTarget"
            else:
                continue
            key = (hashlib.sha256(p.ip).hexdigest(), d, None if live else p.ts, len(p.ip))
            cc[w.liid][key] = (p.file, p.index)
    return cc, iri


# --- the comparison ---------------------------------------------------------

class Report:
    def __init__(self, limit):
        self.limit = limit
        self.problems = []

    def bad(self, msg):
        self.problems.append(msg)


def check(cfg, paths, jsonl, ignore, limit=12, live=None):
    pkts, why, first, last = load_captures(paths)
    exp_cc, exp_iri = expected(cfg, pkts, first, last, live)
    by_sha = {}
    for p in pkts:
        by_sha.setdefault(hashlib.sha256(p.ip).hexdigest(), p)
    warrants = {w.liid: w for w in cfg["warrants"]}
    rep = Report(limit)
    recs = []
    with open(jsonl) as fp:
        for n, line in enumerate(fp, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except ValueError:
                rep.bad("out line %d: not JSON" % n)
                continue
            r["_line"] = n
            recs.append(r)

    got_cc = collections.defaultdict(list)
    got_iri = collections.defaultdict(list)
    seqs = collections.defaultdict(list)
    other = collections.Counter()
    for r in recs:
        kind = r.get("kind")
        where = "out line %d" % r["_line"]
        if kind in ("KEEPALIVE", "KEEPALIVE_RESPONSE", "TRI"):
            other[kind] += 1
            continue
        if kind not in ("CC", "IRI"):
            rep.bad("%s: %s record%s" % (where, kind,
                                        (": " + str(r.get("error"))) if r.get("error") else ""))
            continue
        w = warrants.get(r.get("liid"))
        if w is None:
            rep.bad("%s: %s for LIID %r that no warrant has" % (where, kind, r.get("liid")))
            continue
        if w.agency in ignore:
            continue
        ag = cfg["agencies"][w.agency]
        if r.get("cin") != w.cin:
            rep.bad("%s: %s %s with CIN %r, warrant has %d" % (where, w.liid, kind,
                                                              r.get("cin"), w.cin))
        want = ag["hi3"] if kind == "CC" else ag["hi2"]
        if r.get("listen") != want:
            rep.bad("%s: %s %s arrived on %s, agency %s's %s is %s" % (
                where, w.liid, kind, r.get("listen"), w.agency,
                "HI3" if kind == "CC" else "HI2", want))
        if r.get("version") != ag["version"]:
            rep.bad("%s: %s version %r, agency wants %r" % (where, w.liid, r.get("version"),
                                                           ag["version"]))
        if r.get("operator") != cfg["operator"] or r.get("ne") != cfg["ne"]:
            rep.bad("%s: operator/ne %r/%r, config says %r/%r" % (
                where, r.get("operator"), r.get("ne"), cfg["operator"], cfg["ne"]))
        if (r.get("auth_cc"), r.get("delivery_cc")) != (cfg["auth_cc"], cfg["delivery_cc"]):
            rep.bad("%s: country codes %r/%r, config says %r/%r" % (
                where, r.get("auth_cc"), r.get("delivery_cc"), cfg["auth_cc"],
                cfg["delivery_cc"]))
        objid = "5.3.%d.%d" % (ag["ipaccess"], 2 if kind == "CC" else 1)
        if r.get("objid") != objid or (kind == "IRI" and r.get("iri") != "iPIRI"):
            rep.bad("%s: %s %s object %r/%r, want %s %s" % (
                where, w.liid, kind, r.get("cc" if kind == "CC" else "iri"), r.get("objid"),
                "iPCC" if kind == "CC" else "iPIRI", objid))
        seqs[(w.liid, r.get("cin"), kind)].append(r.get("seq"))
        (got_cc if kind == "CC" else got_iri)[w.liid].append(r)

    liids = [w.liid for w in cfg["warrants"] if w.agency not in ignore]
    table = []
    for liid in liids:
        w = warrants[liid]
        want = exp_cc.get(liid, {})
        matched = {}  # key -> record
        for r in got_cc.get(liid, []):
            where = "out line %d" % r["_line"]
            ts = (r.get("ts_sec") or 0) * 10**6 + (r.get("ts_usec") or 0)
            key = (r.get("payload_sha256"), r.get("dir"), None if live else ts,
                   r.get("payload_len"))
            if live and not (live[0] - 10**6 <= ts <= live[1] + 10**6):
                rep.bad("%s: %s CC time %d outside the %d..%d the frames were sent in" % (
                    where, liid, ts, live[0], live[1]))
            if r.get("cc") != "iPCC":
                rep.bad("%s: %s CC of type %r, want iPCC" % (where, liid, r.get("cc")))
            if key in want and key not in matched:
                matched[key] = r
                continue
            if key in matched:
                rep.bad("%s: %s CC duplicates out line %d" % (where, liid, matched[key]["_line"]))
                continue
            p = by_sha.get(r.get("payload_sha256"))
            if p is None:
                rep.bad("%s: %s CC whose bytes match no IP packet in the captures" % (where, liid))
                continue
            alt = [k for k in want if k[0] == key[0]]
            pos = "%s record %d" % (paths[p.file], p.index)
            if alt:
                rep.bad("%s: %s CC of %s: got dir %s ts %d len %r, want dir %s ts %d len %d" % (
                    where, liid, pos, key[1], key[2], key[3], alt[0][1], alt[0][2], alt[0][3]))
            elif any(p.src in n or p.dst in n for n in w.nets):
                rep.bad("%s: %s CC of %s, outside the warrant's window or not CC" % (
                    where, liid, pos))
            else:
                rep.bad("%s: %s CC of %s, which is not the warrant's target's traffic" % (
                    where, liid, pos))
        missing = [k for k in want if k not in matched]
        for k in sorted(missing, key=lambda k: want[k])[:3]:
            f, i = want[k]
            rep.bad("%s: CC of %s record %d (%s, %d bytes) not received" % (
                liid, paths[f], i, k[1], k[3]))
        if len(missing) > 3:
            rep.bad("%s: %d more CC records not received" % (liid, len(missing) - 3))
        # Per capture file, the order of arrival and of sequence numbers follows the file.
        for order, label in ((lambda r: (r.get("conn") or 0, r.get("offset") or 0), "arrival"),
                             (lambda r: r.get("seq") if isinstance(r.get("seq"), int) else -1,
                              "sequence")):
            per_file = collections.defaultdict(list)
            for k, r in sorted(matched.items(), key=lambda kv: order(kv[1])):
                per_file[want[k][0]].append((want[k][1], r))
            for f, lst in per_file.items():
                for (a, ra), (b, rb) in zip(lst, lst[1:]):
                    if b < a:
                        rep.bad("%s: CC %s order breaks %s's order: record %d (out line %d) "
                                "after record %d (out line %d)" % (
                                    liid, label, paths[f], b, rb["_line"], a, ra["_line"]))
                        break

        # IRI
        want_iri = collections.Counter(exp_iri.get(liid, []))
        got = collections.Counter()
        by_prefix = {}
        for r in got_iri.get(liid, []):
            where = "out line %d" % r["_line"]
            try:
                ip = ipaddress.ip_address(r.get("target_ip"))
            except ValueError:
                rep.bad("%s: %s IRI without a usable target_ip" % (where, liid))
                continue
            plen = r.get("target_prefix_len")
            if plen is None and ip.max_prefixlen in [n.prefixlen for n in w.nets
                                                     if n.network_address == ip]:
                plen = ip.max_prefixlen  # a host address needs no length
            key = (r.get("iri_type"), r.get("event"), ip, r.get("target_family"), plen)
            got[key] += 1
            if key not in want_iri:
                rep.bad("%s: %s unexpected IRI %s/%s for %s/%s" % (
                    where, liid, key[0], key[1], ip, plen))
            by_prefix.setdefault((ip, plen), {})[key[0]] = r.get("seq")
        for k in want_iri:
            if got[k] < want_iri[k]:
                rep.bad("%s: IRI %s (%s) for %s/%d not received" % (liid, k[0], k[1], k[2], k[4]))
            elif got[k] > want_iri[k]:
                rep.bad("%s: IRI %s for %s/%d received %d times" % (liid, k[0], k[2], k[4],
                                                                    got[k]))
        for (ip, plen), s in by_prefix.items():
            if "begin" in s and "end" in s and not (isinstance(s["begin"], int) and
                                                    isinstance(s["end"], int) and
                                                    s["begin"] < s["end"]):
                rep.bad("%s: IRI-End for %s/%s does not follow its IRI-Begin" % (liid, ip, plen))
        table.append((liid, w.agency, w.cin, len(want), len(got_cc.get(liid, [])),
                      sum(want_iri.values()), len(got_iri.get(liid, []))))

    for (liid, cin, kind), s in sorted(seqs.items(), key=lambda kv: str(kv[0])):
        if not all(isinstance(x, int) for x in s):
            rep.bad("%s CIN %s %s: a record without a sequence number" % (liid, cin, kind))
            continue
        c = collections.Counter(s)
        dups = sorted(x for x in c if c[x] > 1)
        gaps = sorted(set(range(len(c))) - set(c)) if c else []
        if dups or gaps or (c and max(c) != len(c) - 1):
            rep.bad("%s CIN %s %s: sequence numbers are not 0..%d without gaps "
                    "(first gap %s, first duplicate %s, highest %d)" % (
                        liid, cin, kind, len(s) - 1, gaps[0] if gaps else "-",
                        dups[0] if dups else "-", max(c)))

    print("check: %d frames read from %d capture(s); skipped: %s" % (
        sum(1 for _ in pkts) + sum(why.values()), len(paths),
        ", ".join("%s %d" % kv for kv in sorted(why.items())) or "none"))
    print("check: %d records in %s%s" % (len(recs), jsonl, "".join(
        ", %d %s" % (v, k) for k, v in sorted(other.items()))))
    print("%-10s %-8s %4s %9s %9s %9s %9s" % ("LIID", "AGENCY", "CIN", "CC-WANT", "CC-GOT",
                                            "IRI-WANT", "IRI-GOT"))
    for row in table:
        print("%-10s %-8s %4d %9d %9d %9d %9d" % row)
    if rep.problems:
        print("check: FAIL, %d problem(s):" % len(rep.problems))
        for p in rep.problems[:limit]:
            print("  " + p)
        if len(rep.problems) > limit:
            print("  ... and %d more" % (len(rep.problems) - limit))
        return 1
    print("check: OK")
    return 0


def main():
    ap = argparse.ArgumentParser(description="compare the LEMF's JSON lines with the captures")
    ap.add_argument("-c", "--conf", required=True)
    ap.add_argument("-j", "--jsonl", required=True)
    ap.add_argument("--ignore-agency", action="append", default=[],
                    help="do not check this agency's records (e.g. it was unreachable)")
    ap.add_argument("--limit", type=int, default=12, help="problems to list")
    ap.add_argument("--live", metavar="T0:T1",
                    help="the captures were sent to a live appliance between these wall-clock "
                         "times (microseconds): judge windows at T0, ignore capture times")
    ap.add_argument("pcap", nargs="+")
    a = ap.parse_args()
    live = tuple(int(x) for x in a.live.split(":")) if a.live else None
    try:
        cfg = load_config(a.conf)
        return check(cfg, a.pcap, a.jsonl, set(a.ignore_agency), a.limit, live)
    except (Unusable, OSError) as e:
        print("check: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
