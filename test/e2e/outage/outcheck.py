#!/usr/bin/env python3
"""outcheck.py - what each agency's LEMF received through outages, against what was sent.

Regenerates the seeded stream (traffic.py), and reads every JSON-lines file
of each agency (one per `lawtap lemf` run: the LEMF is killed and restarted
during the test).  Per (LIID, CIN, IRI|CC), after merging the files:

- sequence numbers 0..last with no gap, except exactly as many as the
  appliance reports overwritten for that agency's HI (--overwritten, quota
  runs) or for that stream (--overwritten-stream);
- a sequence number seen twice carries the same record both times, and the
  duplicates on an agency's HI are no more than the records the appliance
  reports it resent there (--resent);
- CC: in sequence order, the payloads (SHA-256, direction) are exactly the
  packets sent to and from that warrant's targets, in the order sent; a
  packet missing without a hole in the numbering was never numbered (lost
  before encoding: capture, ring, or a kill) and is a loss too, as is a tail
  that never arrived;
- IRI: IRI-Begin (startOfInterceptionWithSessionActive) for each target
  prefix, at least once and at most once per appliance start (--restarts);
- every record on an agency's connections is of that agency's warrants, on
  its HI2 (IRI) or HI3 (CC) address; no ERROR line other than a stream that
  ended inside a PDU (a connection lost mid-record), no cINReset; every line
  is JSON but the last of a file, which a killed LEMF may have left torn.

Exit 0 if all holds, 1 if not, 2 on unusable input.  The last line is the
figures: records, unique, lost, duplicates, overwritten.

usage: outcheck.py --seed S --packets N --agency ID=FILE[,FILE...] ...
       [--restarts K] [--resent ID:HI=N] [--overwritten ID:HI=N]
       [--overwritten-stream LIID:KIND=N] [--quota]
"""

import argparse
import bisect
import collections
import itertools
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import traffic  # noqa: E402

DIRS = {"fromTarget": 1, "toTarget": 2}
# bytes per sequence slot: flag (0 absent, 1/2 direction), 8 of the SHA-256, and
# the record's time in ms after BASE_MS (for --events)
LOOK = 13
DG = slice(1, 9)
BASE_MS = []


class Unusable(Exception):
    pass


class Slots:
    """One CC stream's records by sequence number, 9 bytes a slot."""

    def __init__(self):
        self.b = bytearray()
        self.count = 0
        self.dups = 0		# the same record again
        self.conflicts = 0	# another record under a number already seen

    def put(self, seq, flag, dg, ts_ms):
        """'' when new or an identical duplicate, else why not."""
        end = (seq + 1) * LOOK
        if end > len(self.b):
            self.b.extend(bytes(max(end - len(self.b), len(self.b) // 2)))
        o = seq * LOOK
        self.count += 1
        if self.b[o] == 0:
            self.b[o] = flag
            self.b[o + 1:o + 9] = dg
            if not BASE_MS:
                BASE_MS.append(ts_ms - 3600 * 1000)
            rel = min(max(ts_ms - BASE_MS[0], 0), 2**32 - 1)
            self.b[o + 9:o + 13] = rel.to_bytes(4, "little")
            return ""
        if self.b[o] != flag or self.b[o + 1:o + 9] != dg:
            self.conflicts += 1
            return "another record"
        self.dups += 1
        return ""

    def time_near(self, seq):
        """Epoch seconds of the nearest record before seq (or after it)."""
        n = len(self.b) // LOOK
        for j in itertools.chain(range(seq - 1, -1, -1), range(seq + 1, n)):
            if self.b[j * LOOK]:
                o = j * LOOK + 9
                return (BASE_MS[0] + int.from_bytes(self.b[o:o + 4], "little")) / 1000
        return None

    def first(self):
        for j in range(len(self.b) // LOOK):
            if self.b[j * LOOK]:
                return j
        return -1

    def merge(self, other):
        """Adds other's records (another appliance run's) to these."""
        for j in range(len(other.b) // LOOK):
            o = j * LOOK
            if other.b[o]:
                self.put(j, other.b[o], bytes(other.b[o + 1:o + 9]),
                         BASE_MS[0] + int.from_bytes(other.b[o + 9:o + 13], "little"))
        self.count += other.dups + other.conflicts
        self.dups += other.dups
        self.conflicts += other.conflicts

    def last(self):
        n = len(self.b) // LOOK
        while n > 0 and self.b[(n - 1) * LOOK] == 0:
            n -= 1
        return n - 1


class Report:
    def __init__(self, limit):
        self.limit = limit
        self.problems = []

    def bad(self, msg):
        self.problems.append(msg)


def spec(s, what):
    try:
        k, v = s.rsplit("=", 1)
        return k, int(v)
    except ValueError:
        raise Unusable("%s %r: want KEY=N" % (what, s))


def read_agency(agency, files, cc, iri, rep, st, kills):
    addr = traffic.AGENCIES[agency][0]
    hi = {"IRI": "%s:%d" % (addr, traffic.HI2_PORT), "CC": "%s:%d" % (addr, traffic.HI3_PORT)}
    cins = {w[0]: w[2] for w in traffic.WARRANTS}
    for path in files:
        try:
            fp = open(path)
        except OSError as e:
            raise Unusable("%s: %s" % (path, e.strerror))
        with fp:
            for n, line in enumerate(fp, 1):
                if '"kind":"KEEPALIVE' in line or not line.strip():
                    continue
                where = "%s line %d" % (os.path.basename(path), n)
                try:
                    r = json.loads(line)
                except ValueError:
                    if not line.endswith("\n") and fp.read(1) == "":
                        st["torn_lines"] += 1	# a LEMF SIGKILLed while writing
                    else:
                        rep.bad("%s: not JSON" % where)
                    continue
                kind = r.get("kind")
                if kind == "ERROR":
                    if str(r.get("error", "")).startswith("stream ended inside a PDU"):
                        st["torn"] += 1
                    else:
                        rep.bad("%s: ERROR %s" % (where, r.get("error")))
                    continue
                if kind == "TRI":
                    if r.get("tri") == "cINReset":
                        rep.bad("%s: cINReset for %s CIN %s (the sequence state was lost)" % (
                            where, r.get("liid"), r.get("cin")))
                    continue
                if kind in ("KEEPALIVE", "KEEPALIVE_RESPONSE"):
                    continue
                if kind not in ("CC", "IRI"):
                    rep.bad("%s: a %s record" % (where, kind))
                    continue
                liid = r.get("liid")
                owner = traffic.agency_of(liid)
                if owner is None:
                    rep.bad("%s: %s for LIID %r that no warrant has" % (where, kind, liid))
                    continue
                if owner != agency:
                    st["cross"] += 1
                    rep.bad("%s: %s of %s's warrant %s on %s's connection" % (
                        where, kind, owner, liid, agency))
                    continue
                if r.get("listen") != hi[kind]:
                    rep.bad("%s: %s %s arrived on %s, want %s" % (where, liid, kind,
                                                                 r.get("listen"), hi[kind]))
                if r.get("cin") != cins[liid]:
                    rep.bad("%s: %s %s with CIN %r, want %d" % (where, liid, kind, r.get("cin"),
                                                               cins[liid]))
                seq = r.get("seq")
                if not isinstance(seq, int) or seq < 0 or seq >= 2**32:
                    rep.bad("%s: %s %s sequence number %r" % (where, liid, kind, seq))
                    continue
                st["records"] += 1
                if kind == "CC":
                    flag = DIRS.get(r.get("dir"))
                    try:
                        dg = bytes.fromhex(r.get("payload_sha256", ""))[:8]
                    except (ValueError, TypeError):
                        dg = b""
                    if flag is None or len(dg) != 8 or r.get("cc") != "iPCC":
                        rep.bad("%s: %s CC without a direction, iPCC or payload hash" % (
                            where, liid))
                        continue
                    if liid not in cc:
                        rep.bad("%s: CC for %s, a warrant without content" % (where, liid))
                        continue
                    ts = (r.get("ts_sec") or 0) * 1000 + (r.get("ts_usec") or 0) // 1000
                    run = cc[liid].setdefault(bisect.bisect(kills, ts / 1000), Slots())
                    why = run.put(seq, flag, dg, ts)
                    if why and run.conflicts <= 3:
                        rep.bad("%s: %s CC seq %d seen before with %s (numbering restarted?)" % (
                            where, liid, seq, why))
                else:
                    if liid not in iri:
                        rep.bad("%s: IRI for %s, a CC-only warrant" % (where, liid))
                        continue
                    iri[liid].append((seq, r.get("iri_type"), r.get("event"),
                                      r.get("target_ip"), r.get("target_prefix_len"), where))


def segments(liid, runs, rep):
    """The records of each appliance run (by capture time), merged into one numbering,
    or into one per run where a restarted appliance numbered from 0 again."""
    segs = []
    for k in sorted(runs):
        r = runs[k]
        if segs and 0 <= r.first() <= segs[-1].last():
            rep.bad("%s CC: numbering restarted with the appliance (run %d from seq %d, "
                    "the run before reached %d)" % (liid, k + 1, r.first(), segs[-1].last()))
            segs.append(Slots())
        elif not segs:
            segs.append(Slots())
        segs[-1].merge(r)
    return segs or [Slots()]


def walk_cc(cc, seed, packets):
    """Matches each CC stream's slots (per segment: see segments()) against the packets
    sent, in order."""
    res = {liid: collections.Counter() for liid in cc}
    first = {liid: {} for liid in cc}
    pos = {liid: 0 for liid in cc}
    seg = {liid: 0 for liid in cc}
    runs = {liid: [] for liid in cc}	# [segment, first seq, length] of each run of gaps
    ends = {liid: cc[liid][0].last() for liid in cc}
    bufs = {liid: cc[liid][0].b for liid in cc}
    stream = traffic.Stream(seed)
    for i in range(packets):
        ip, src, dst = stream.next()
        hits = traffic.cc_of(src, dst)
        if not hits:
            continue
        dg = traffic.digest(ip)
        for liid, d in hits:
            c = res[liid]
            c["want"] += 1
            j = pos[liid]
            while j > ends[liid] and seg[liid] + 1 < len(cc[liid]):
                seg[liid] += 1
                j = pos[liid] = 0
                ends[liid] = cc[liid][seg[liid]].last()
                bufs[liid] = cc[liid][seg[liid]].b
            if j > ends[liid]:
                c["tail"] += 1
                first[liid].setdefault("tail", i)
                continue
            b = bufs[liid]
            o = j * LOOK
            if b[o] == 0:
                c["gaps"] += 1
                first[liid].setdefault("gap", j)
                if j == 0 or b[o - LOOK] != 0:
                    runs[liid].append([seg[liid], j, 0])
                runs[liid][-1][2] += 1
                pos[liid] = j + 1
            elif b[o] == DIRS[d] and b[o + 1:o + 9] == dg:
                c["ok"] += 1
                pos[liid] = j + 1
            else:
                c["unnumbered"] += 1
                first[liid].setdefault("unnumbered", i)
    for liid in cc:
        left = [(pos[liid], ends[liid], bufs[liid])] + [
            (0, x.last(), x.b) for x in cc[liid][seg[liid] + 1:]]
        n = sum(1 for j0, end, b in left for j in range(j0, end + 1) if b[j * LOOK])
        if n:
            res[liid]["unmatched"] = n
            first[liid]["unmatched"] = pos[liid]
    return res, first, runs


def attribute(cc, runs, events):
    """Gaps per outage: each run of gaps goes to the outage of its agency nearest in time
    to the record before it (starting up to 5 s later, or ended up to 5 s before)."""
    out = collections.Counter()
    for w in traffic.cc_warrants():
        liid, ag = w[0], w[1]
        for k, seq, n in runs[liid]:
            t = cc[liid][k].time_near(seq)
            best = None
            for e in events:
                if e["agency"] not in (ag, "-") or t is None:
                    continue
                if e["start"] - 5 <= t <= e["end"] + 5:
                    d = 0 if e["start"] <= t <= e["end"] else min(abs(t - e["start"]),
                                                                   abs(t - e["end"]))
                    if best is None or d < best[0]:
                        best = (d, e)
            key = "%s %s" % (best[1]["kind"], ag) if best else "no outage near"
            out[key] += n
    return out


def check(a):
    rep = Report(a.limit)
    st = collections.Counter()
    cc = {w[0]: {} for w in traffic.cc_warrants()}	# liid -> appliance run -> Slots
    events = []
    if a.events:
        try:
            with open(a.events) as fp:
                events = json.load(fp)
        except (OSError, ValueError) as e:
            raise Unusable("%s: %s" % (a.events, e))
    kills = sorted(e["start"] for e in events if e["kind"] == "appliance-kill")
    iri = {w[0]: [] for w in traffic.iri_warrants()}
    for s in a.agency:
        ag, _, files = s.partition("=")
        if ag not in traffic.AGENCIES or not files:
            raise Unusable("--agency %r: want one of %s =FILE[,FILE]" % (
                s, "/".join(traffic.AGENCIES)))
        read_agency(ag, files.split(","), cc, iri, rep, st, kills)
    for liid in cc:
        cc[liid] = segments(liid, cc[liid], rep)
    resent = dict(spec(x, "--resent") for x in a.resent)
    over = dict(spec(x, "--overwritten") for x in a.overwritten)
    over_stream = dict(spec(x, "--overwritten-stream") for x in a.overwritten_stream)

    res, first, runs = walk_cc(cc, a.seed, a.packets)
    rows = []
    gaps_hi = collections.Counter()
    dups_hi = collections.Counter()
    for w in traffic.cc_warrants():
        liid, ag = w[0], w[1]
        c, f = res[liid], first[liid]
        s = Slots()
        for x in cc[liid]:
            s.count += x.count
            s.dups += x.dups
            s.conflicts += x.conflicts
        key = "%s:HI3" % ag
        gaps_hi[key] += c["gaps"]
        dups_hi[key] += s.dups
        rows.append((liid, ag, w[2], "CC", c["want"], s.count, s.dups, s.conflicts, c["gaps"],
                     c["unnumbered"], c["tail"]))
        if s.conflicts > 3:
            rep.bad("%s CC: %d records in all under numbers already used by another record" % (
                liid, s.conflicts))
        if c["unmatched"]:
            rep.bad("%s CC: %d records from seq %d on match no packet sent in that order "
                    "(wrong payload, direction or order)" % (liid, c["unmatched"],
                                                              f["unmatched"]))
        if c["unnumbered"]:
            rep.bad("%s CC: %d packets sent to or from its targets never numbered (first: "
                    "packet %d): lost before encoding" % (liid, c["unnumbered"],
                                                          f["unnumbered"]))
        if c["tail"]:
            rep.bad("%s CC: the last %d packets (from packet %d) never arrived" % (
                liid, c["tail"], f["tail"]))
        want_over = over_stream.get("%s:CC" % liid)
        if want_over is not None and want_over != c["gaps"]:
            rep.bad("%s CC: %d sequence numbers missing, the appliance reports %d overwritten" % (
                liid, c["gaps"], want_over))
        elif want_over is None and c["gaps"] and not a.quota:
            rep.bad("%s CC: %d sequence numbers missing (first %d)" % (liid, c["gaps"],
                                                                      f["gap"]))

    for w in traffic.iri_warrants():
        liid, ag = w[0], w[1]
        recs = sorted(iri[liid])
        seen, dups, conflicts = {}, 0, 0
        for r in recs:
            if r[0] in seen:
                if seen[r[0]][1:5] != r[1:5]:
                    conflicts += 1
                    if conflicts == 1:
                        rep.bad("%s: %s IRI seq %d seen before as another record "
                                "(numbering restarted?)" % (r[5], liid, r[0]))
                else:
                    dups += 1
                continue
            seen[r[0]] = r
        last = max(seen) if seen else -1
        gaps = last + 1 - len(seen)
        key = "%s:HI2" % ag
        gaps_hi[key] += gaps
        dups_hi[key] += dups
        per = collections.Counter()
        for r in seen.values():
            if r[1] != "begin" or r[2] != "startOfInterceptionWithSessionActive":
                rep.bad("%s: %s IRI %s/%s, want begin/startOfInterceptionWithSessionActive" % (
                    r[5], liid, r[1], r[2]))
            per["%s/%s" % (r[3], r[4])] += 1
        for t in w[4]:
            net, _, plen = t.partition("/")
            k = "%s/%s" % (net, plen)
            if not 1 <= per[k] <= 1 + a.restarts:
                rep.bad("%s IRI: %d IRI-Begin for target %d, want 1..%d" % (
                    liid, per[k], w[4].index(t) + 1, 1 + a.restarts))
        want_over = over_stream.get("%s:IRI" % liid)
        if want_over is not None and want_over != gaps:
            rep.bad("%s IRI: %d sequence numbers missing, the appliance reports %d "
                    "overwritten" % (liid, gaps, want_over))
        elif want_over is None and gaps and not a.quota:
            rep.bad("%s IRI: %d sequence numbers missing" % (liid, gaps))
        rows.append((liid, ag, w[2], "IRI", len(w[4]), len(recs), dups, conflicts, gaps, 0, 0))

    for key in sorted(set(gaps_hi) | set(over) | set(dups_hi) | set(resent)):
        if a.quota and gaps_hi[key] != over.get(key, 0):
            rep.bad("%s: %d sequence numbers missing, the appliance reports %d overwritten" % (
                key, gaps_hi[key], over.get(key, 0)))
        if not a.quota and over.get(key, 0):
            rep.bad("%s: the appliance reports %d overwritten in a run without a quota "
                    "test" % (key, over[key]))
        if dups_hi[key] > resent.get(key, 0):
            rep.bad("%s: %d duplicates, more than the %d records the appliance reports "
                    "resent" % (key, dups_hi[key], resent.get(key, 0)))
    if a.quota and sum(over.values()) == 0:
        rep.bad("quota run: the appliance reports nothing overwritten (the quota was not "
                "reached, or the count is not reported)")

    print("%-9s %-8s %4s %-4s %9s %9s %7s %8s %8s %10s %7s" % (
        "LIID", "AGENCY", "CIN", "KIND", "WANT", "GOT", "DUPS", "CONFLICT", "GAPS", "UNNUMBERED",
        "TAIL"))
    for r in rows:
        print("%-9s %-8s %4d %-4s %9d %9d %7d %8d %8d %10d %7d" % r)
    tot = [sum(r[i] for r in rows) for i in range(4, 11)]
    del tot[3]	# conflicts: counted as problems above
    lost = tot[3] + tot[4] + tot[5]
    print("outcheck: %d streams torn mid-record (connection lost), %d output files ending in a "
          "torn line (LEMF killed), %d cross-agency records" % (st["torn"], st["torn_lines"],
                                                              st["cross"]))
    if events:
        by = attribute(cc, runs, events)
        if by:
            print("outcheck: CC gaps by the outage nearest in time: %s" % ", ".join(
                "%s %d" % kv for kv in sorted(by.items())))
    ok = not rep.problems
    if not ok:
        print("outcheck: FAIL, %d problem(s):" % len(rep.problems))
        for p in rep.problems[:a.limit]:
            print("  " + p)
        if len(rep.problems) > a.limit:
            print("  ... and %d more" % (len(rep.problems) - a.limit))
    print("outcheck: %s: records %d, unique %d, lost %d (gaps %d, unnumbered %d, tail %d), "
          "duplicates %d, overwritten %d" % (
              "OK" if ok else "FAIL", st["records"], st["records"] - tot[2], lost, tot[3],
              tot[4], tot[5], tot[2], sum(over.values())))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description="check the LEMFs' records after outages")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--packets", type=int, required=True, help="packets the sender sent")
    ap.add_argument("--agency", action="append", default=[], help="ID=FILE[,FILE...]")
    ap.add_argument("--restarts", type=int, default=0, help="appliance restarts")
    ap.add_argument("--resent", action="append", default=[], help="ID:HI2|HI3=N")
    ap.add_argument("--overwritten", action="append", default=[], help="ID:HI2|HI3=N")
    ap.add_argument("--overwritten-stream", action="append", default=[],
                    help="LIID:CC|IRI=N")
    ap.add_argument("--quota", action="store_true",
                    help="gaps are allowed, exactly as many as reported overwritten")
    ap.add_argument("--limit", type=int, default=12, help="problems to list")
    ap.add_argument("--events", help="JSON list of the outages ({agency, kind, start, end}, "
                    "epoch seconds): attribute the gaps to them")
    a = ap.parse_args()
    if not a.agency:
        ap.error("no --agency")
    try:
        return check(a)
    except Unusable as e:
        print("outcheck: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
