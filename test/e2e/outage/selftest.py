#!/usr/bin/env python3
"""selftest.py - outcheck.py against perfect and doctored LEMF output (no root, no lawtap).

The perfect output is built from traffic.py the way the LEMF would print it;
each doctored case changes one thing and must fail (or, for the allowances,
pass): a gap, a reorder, a wrong payload, a wrong direction, a record on the
other agency's connection, a duplicate beyond the resent count, a numbering
that restarted, a missing IRI-Begin, a missing tail, a wrong listen address,
a decode ERROR, a cINReset, a line that is not JSON, and quota gaps against the overwritten count.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import traffic  # noqa: E402

SEED, PACKETS = 7, 600


def perfect():
    """{agency: [record dicts]} in the order one LEMF run would write them."""
    out = {a: [] for a in traffic.AGENCIES}
    seq = {}
    for w in traffic.iri_warrants():
        liid, ag = w[0], w[1]
        for t in w[4]:
            net, _, plen = t.partition("/")
            n = seq.setdefault((liid, "IRI"), 0)
            seq[(liid, "IRI")] = n + 1
            out[ag].append({"listen": "%s:%d" % (traffic.AGENCIES[ag][0], traffic.HI2_PORT),
                            "kind": "IRI", "liid": liid, "cin": w[2], "seq": n,
                            "iri_type": "begin", "iri": "iPIRI",
                            "event": "startOfInterceptionWithSessionActive",
                            "target_ip": net, "target_prefix_len": int(plen)})
    cins = {w[0]: (w[1], w[2]) for w in traffic.WARRANTS}
    st = traffic.Stream(SEED)
    for _ in range(PACKETS):
        ip, src, dst = st.next()
        for liid, d in traffic.cc_of(src, dst):
            ag, cin = cins[liid]
            n = seq.setdefault((liid, "CC"), 0)
            seq[(liid, "CC")] = n + 1
            out[ag].append({"listen": "%s:%d" % (traffic.AGENCIES[ag][0], traffic.HI3_PORT),
                            "kind": "CC", "liid": liid, "cin": cin, "seq": n, "dir": d,
                            "cc": "iPCC", "payload_len": len(ip),
                            "payload_sha256": hashlib.sha256(ip).hexdigest()})
    return out


def find(recs, liid, kind, seq):
    for i, r in enumerate(recs):
        if r["liid"] == liid and r["kind"] == kind and r.get("seq") == seq:
            return i
    raise SystemExit("selftest: no %s %s %d in the perfect output" % (liid, kind, seq))


def run(d, name, out, extra=(), split=False):
    args = [sys.executable, os.path.join(here, "outcheck.py"), "--seed", str(SEED),
            "--packets", str(PACKETS)]
    for ag, recs in out.items():
        files = []
        parts = [recs[:len(recs) // 2], recs[len(recs) // 2:]] if split else [recs]
        for k, part in enumerate(parts):
            p = os.path.join(d, "%s-%s-%d.jsonl" % (name, ag, k))
            with open(p, "w") as fp:
                for r in part:
                    if not isinstance(r, str):
                        r = json.dumps(r, separators=(",", ":"))	# as the LEMF writes
                    fp.write(r[:-1] if r.endswith("\0") else r + "\n")
            files.append(p)
        args += ["--agency", "%s=%s" % (ag, ",".join(files))]
    r = subprocess.run(args + list(extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    return r.returncode, r.stdout


def main():
    good = perfect()
    cases = []

    def case(name, want, mutate=None, extra=(), split=False):
        out = {a: [dict(r) for r in recs] for a, recs in good.items()}
        if mutate:
            mutate(out)
        cases.append((name, want, out, extra, split))

    P, C = out_p, out_c = "police", "customs"

    def gap(o):
        del o[P][find(o[P], "OUT-P-2", "CC", 10)]

    def reorder(o):
        i, j = find(o[P], "OUT-P-1", "CC", 5), find(o[P], "OUT-P-1", "CC", 6)
        o[P][i]["seq"], o[P][j]["seq"] = 6, 5

    def payload(o):
        o[C][find(o[C], "OUT-C-3", "CC", 3)]["payload_sha256"] = "ab" * 32

    def direction(o):
        r = o[P][find(o[P], "OUT-P-1", "CC", 2)]
        r["dir"] = "toTarget" if r["dir"] == "fromTarget" else "fromTarget"

    def cross(o):
        r = o[P].pop(find(o[P], "OUT-P-1", "CC", 4))
        r["listen"] = "%s:%d" % (traffic.AGENCIES[C][0], traffic.HI3_PORT)
        o[C].append(r)

    def cross_copy(o):	# a copy: police still has all of its own
        r = dict(o[P][find(o[P], "OUT-P-1", "CC", 4)])
        r["listen"] = "%s:%d" % (traffic.AGENCIES[C][0], traffic.HI3_PORT)
        o[C].append(r)

    def dup(o):
        o[P].append(dict(o[P][find(o[P], "OUT-P-2", "CC", 7)]))

    def restart(o):	# numbering from 0 again with new content
        r = dict(o[P][find(o[P], "OUT-P-2", "CC", 8)])
        r["seq"] = 0
        o[P].append(r)

    def no_begin(o):
        del o[C][find(o[C], "OUT-C-1", "IRI", 1)]

    def begin_twice(o):
        r = dict(o[C][find(o[C], "OUT-C-2", "IRI", 0)])
        r["seq"] = 1
        o[C].append(r)

    def tail(o):
        last = max(r["seq"] for r in o[C] if r["liid"] == "OUT-C-1" and r["kind"] == "CC")
        del o[C][find(o[C], "OUT-C-1", "CC", last)]

    def unnumbered(o):	# a packet dropped before it was numbered: the rest renumbered
        i = find(o[P], "OUT-P-1", "CC", 20)
        del o[P][i]
        for r in o[P][i:]:
            if r["liid"] == "OUT-P-1" and r["kind"] == "CC":
                r["seq"] -= 1

    def listen(o):
        o[P][find(o[P], "OUT-P-1", "CC", 1)]["listen"] = "%s:%d" % (
            traffic.AGENCIES[P][0], traffic.HI2_PORT)

    def cin(o):
        o[P][find(o[P], "OUT-P-1", "IRI", 0)]["cin"] = 99

    def decode_error(o):
        o[P].append({"listen": "x", "conn": 3, "offset": 9, "kind": "ERROR",
                     "error": "bad tag"})

    def torn(o):
        o[P].append({"listen": "x", "conn": 3, "offset": 9, "kind": "ERROR",
                     "error": "stream ended inside a PDU (12 bytes of it)"})

    def cinreset(o):
        o[C].append({"listen": "x", "kind": "TRI", "tri": "cINReset", "liid": "OUT-C-1",
                     "cin": 21, "seq": 0})

    def junk(o):
        o[C].append('{"kind": "CC", "liid": "OUT-C-1", "seq"')

    def torn_last(o):	# written by a LEMF killed mid-line: the record is lost
        r = o[C].pop(find(o[C], "OUT-C-3", "CC", max(
            x["seq"] for x in o[C] if x["liid"] == "OUT-C-3" and x["kind"] == "CC")))
        o[C].append(json.dumps(r, separators=(",", ":"))[:40] + "\0")

    def unknown(o):
        r = dict(o[C][find(o[C], "OUT-C-1", "CC", 0)])
        r["liid"] = "OUT-X-9"
        o[C].append(r)

    def quota(o):	# three records of one stream overwritten
        for s in (30, 31, 32):
            del o[P][find(o[P], "OUT-P-2", "CC", s)]

    def keepalives(o):
        o[P].append({"listen": "x", "kind": "KEEPALIVE", "liid": "-", "seq": 0})

    case("perfect", 0)
    case("perfect, split over two LEMF runs", 0, split=True)
    case("keep-alives and a torn record", 0, lambda o: (keepalives(o), torn(o)))
    case("gap", 1, gap)
    case("reorder", 1, reorder)
    case("wrong payload", 1, payload)
    case("wrong direction", 1, direction)
    case("cross-agency", 1, cross)
    case("cross-agency copy", 1, cross_copy)
    case("duplicate, nothing resent", 1, dup)
    case("duplicate within the resent count", 0, dup, ["--resent", "police:HI3=1"])
    case("duplicate counted on the other HI", 1, dup, ["--resent", "police:HI2=1"])
    case("two duplicates, one resent", 1, lambda o: (dup(o), dup(o)),
         ["--resent", "police:HI3=1"])
    case("numbering restarted", 1, restart, ["--resent", "police:HI3=9"])
    case("IRI-Begin missing", 1, no_begin)
    case("IRI-Begin twice, one start", 1, begin_twice)
    case("IRI-Begin twice after a restart", 0, begin_twice, ["--restarts", "1"])
    case("tail missing", 1, tail)
    case("a packet never numbered", 1, unnumbered)
    case("wrong listen address", 1, listen)
    case("wrong CIN", 1, cin)
    case("decode ERROR", 1, decode_error)
    case("cINReset", 1, cinreset)
    case("not JSON", 1, junk)
    case("unknown LIID", 1, unknown)
    case("the last line torn, its record lost", 1, torn_last)
    case("quota: gaps as overwritten", 0, quota,
         ["--quota", "--overwritten", "police:HI3=3"])
    case("quota: gaps as overwritten per stream", 0, quota,
         ["--quota", "--overwritten", "police:HI3=3", "--overwritten-stream", "OUT-P-2:CC=3"])
    case("quota: fewer overwritten than gaps", 1, quota,
         ["--quota", "--overwritten", "police:HI3=2"])
    case("quota: overwritten on the wrong stream", 1, quota,
         ["--quota", "--overwritten", "police:HI3=3", "--overwritten-stream", "OUT-P-1:CC=3"])
    case("quota: gaps without --quota", 1, quota, ["--overwritten", "police:HI3=3"])
    case("quota run that overwrote nothing", 1, None, ["--quota"])

    failed = 0
    with tempfile.TemporaryDirectory(prefix="lawtap-outcheck.") as d:
        for k, (name, want, out, extra, split) in enumerate(cases):
            rc, text = run(d, "c%d" % k, out, extra, split)
            ok = rc == want
            failed += not ok
            why = [x.strip() for x in text.splitlines() if x.startswith("  ")][:1]
            print("selftest: %-42s exit %d, want %d%s%s" % (name, rc, want, "" if ok else "  <--",
                                                           "\n    " + why[0] if why else ""))
            if not ok:
                print(text)
    del out_p, out_c
    if failed:
        print("selftest: FAIL, %d case(s)" % failed)
        return 1
    print("selftest: passed (%d cases)" % len(cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
