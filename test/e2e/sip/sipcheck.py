#!/usr/bin/env python3
# sipcheck.py EXPECT.json LEMF.jsonl - the LEMF's lines against what each LIID must get:
# per LIID, exactly the expected IRIs in order (iRIType, the whole SIP message, iPMMIRI
# 5.5.17.1) and CCs in order (direction, streamIdentifier, payload, iPMMCC rtpFrame rTP);
# one CIN per (LIID, call), shared by its IRI and CC, no two calls alike; sequence numbers
# 0, 1, 2 ... per (LIID, CIN, IRI|CC); no ERROR line.  Exit 0 when all hold.
import json, sys


def main(expect_path, jsonl_path):
    exp = json.load(open(expect_path))
    errs = []
    got = {}
    for n, line in enumerate(open(jsonl_path), 1):
        l = json.loads(line)
        if l["kind"] == "ERROR":
            errs.append("line %d: ERROR %s" % (n, l.get("error")))
        if l["kind"] in ("IRI", "CC"):
            got.setdefault(l["liid"], {"IRI": [], "CC": []})[l["kind"]].append(l)
    for liid in sorted(set(exp) | set(got)):
        cin_of, seqs = {}, {}
        for kind in ("IRI", "CC"):
            e = [x for x in exp.get(liid, []) if x["kind"] == kind]
            g = got.get(liid, {"IRI": [], "CC": []})[kind]
            if len(e) != len(g):
                errs.append("%s: %d %s records, want %d" % (liid, len(g), kind, len(e)))
            for i, (x, l) in enumerate(zip(e, g)):
                where = "%s %s #%d (call %s)" % (liid, kind, i, x["call"])
                if cin_of.setdefault(x["call"], l.get("cin")) != l.get("cin"):
                    errs.append("%s: CIN %s, the call had %s" % (where, l.get("cin"),
                                                                 cin_of[x["call"]]))
                k = (l.get("cin"), kind)
                if l["seq"] != seqs.get(k, 0):
                    errs.append("%s: seq %d, want %d" % (where, l["seq"], seqs.get(k, 0)))
                seqs[k] = l["seq"] + 1
                if kind == "IRI":
                    want = {"iri": "iPMMIRI", "objid": "5.5.17.1", "iri_type": x["iri_type"],
                            "ipmm": "sIPMessage", "sip": x["sip"]}
                else:
                    want = {"cc": "iPMMCC", "objid": "5.5.17.2", "dir": x["dir"],
                            "stream_id": x["stream_id"], "frame_type": "rtpFrame",
                            "mmcc_protocol": "rTP", "payload_sha256": x["payload_sha256"]}
                for key, v in want.items():
                    if l.get(key) != v:
                        errs.append("%s: %s is %r, want %r" % (where, key,
                                                            str(l.get(key))[:80], str(v)[:80]))
        cins = list(cin_of.values())
        if len(set(cins)) != len(cins):
            errs.append("%s: two calls share a CIN: %s" % (liid, cin_of))
    for e in errs[:60]:
        print("sipcheck: " + e)
    total = sum(len(v) for v in exp.values())
    print("sipcheck: %d LIIDs, %d records expected: %s" % (len(exp), total,
                                                         "FAIL" if errs else "ok"))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
