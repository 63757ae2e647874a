#!/usr/bin/env python3
# selftest_sip.py - sipcheck.py itself: a perfect LEMF output made from gensip.py's
# expectations passes, and each doctored copy (a record lost, two swapped, an iRIType,
# a direction, a CIN, a sequence number, the SIP text, an ERROR line) fails.
import copy, json, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))


def perfect(exp):
    lines, cin = [], 100
    for liid, recs in exp.items():
        cins, seq = {}, {}
        for r in recs:
            if r["call"] not in cins:
                cins[r["call"]] = cin
                cin += 1
            c = cins[r["call"]]
            k = (c, r["kind"])
            l = {"kind": r["kind"], "liid": liid, "cin": c, "seq": seq.get(k, 0)}
            seq[k] = l["seq"] + 1
            if r["kind"] == "IRI":
                l.update(iri="iPMMIRI", objid="5.5.17.1", iri_type=r["iri_type"],
                         ipmm="sIPMessage", sip=r["sip"])
            else:
                l.update(cc="iPMMCC", objid="5.5.17.2", dir=r["dir"], stream_id=r["stream_id"],
                         frame_type="rtpFrame", mmcc_protocol="rTP",
                         payload_sha256=r["payload_sha256"])
            lines.append(l)
    return lines


def check(d, lines):
    p = os.path.join(d, "out.jsonl")
    with open(p, "w") as f:
        for l in lines:
            f.write(json.dumps(l) + "\n")
    return subprocess.run([sys.executable, os.path.join(here, "sipcheck.py"),
                           os.path.join(d, "gen-sip.expect.json"), p],
                          capture_output=True).returncode


def main():
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, os.path.join(here, "gensip.py"), d], check=True,
                       capture_output=True)
        exp = json.load(open(os.path.join(d, "gen-sip.expect.json")))
        good = perfect(exp)
        if check(d, good) != 0:
            print("selftest_sip: a perfect output fails")
            return 1
        iris = [i for i, l in enumerate(good) if l["kind"] == "IRI"]
        ccs = [i for i, l in enumerate(good) if l["kind"] == "CC"]

        def edit(i, **kw):
            b = copy.deepcopy(good)
            b[i].update(kw)
            return b
        bad = {
            "lost record": good[:iris[3]] + good[iris[3] + 1:],
            "swapped": good[:iris[1]] + [good[iris[2]], good[iris[1]]] + good[iris[2] + 1:],
            "iri type": edit(iris[0], iri_type="continue"),
            "sip text": edit(iris[2], sip=good[iris[2]]["sip"][:-1]),
            "direction": edit(ccs[0], dir="fromTarget" if good[ccs[0]]["dir"] == "toTarget"
                              else "toTarget"),
            "stream": edit(ccs[1], stream_id="1"),
            "cin": edit(iris[4], cin=999),
            "seq": edit(iris[5], seq=good[iris[5]]["seq"] + 1),
            "error line": good + [{"kind": "ERROR", "error": "x"}],
            "extra": good + [good[ccs[0]]],
        }
        failed = [k for k, v in bad.items() if check(d, v) == 0]
        if failed:
            print("selftest_sip: doctored outputs pass: %s" % ", ".join(failed))
            return 1
    print("selftest_sip: ok (1 good, %d doctored outputs)" % len(bad))
    return 0


if __name__ == "__main__":
    sys.exit(main())
