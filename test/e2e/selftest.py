#!/usr/bin/env python3
"""selftest.py - shows that check.py passes a perfect LEMF output and fails doctored ones.

The perfect output (truth.jsonl) comes from gencap.py's own labels; check.py
computes its expectations from the pcaps and the config.  That they agree is
the first test; every doctored copy below must then make check.py exit 1.
Needs no root and no lawtap binary (meson suite 'fast').
"""

import copy
import hashlib
import io
import ipaddress
import json
import os
import subprocess
import sys
import tempfile
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check  # noqa: E402

failures = []


def run_check(d, recs, name, want):
    path = os.path.join(d, name + ".jsonl")
    with open(path, "w") as fp:
        for r in recs:
            fp.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    cfg = check.load_config(os.path.join(d, "lawtap.conf"))
    out = io.StringIO()
    with redirect_stdout(out):
        rc = check.check(cfg, [os.path.join(d, "a.pcap"), os.path.join(d, "b.pcap")], path,
                         set())
    ok = rc == want
    print("%-4s %-34s exit %d (want %d)" % ("ok" if ok else "FAIL", name, rc, want))
    if not ok or want == 1:
        lines = [x for x in out.getvalue().splitlines() if x.startswith("  ")]
        for x in lines[:2 if ok else 20]:
            print("        " + x.strip())
    if not ok:
        failures.append(name)


def main():
    d = tempfile.mkdtemp(prefix="lawtap-selftest-")
    subprocess.run([sys.executable, os.path.join(HERE, "gencap.py"), "--out", d,
                    "--packets", "4000", "--seed", "7"], check=True)
    with open(os.path.join(d, "truth.jsonl")) as fp:
        truth = [json.loads(x) for x in fp]
    cfg = check.load_config(os.path.join(d, "lawtap.conf"))
    pkts, _, first, last = check.load_captures([os.path.join(d, "a.pcap"),
                                                os.path.join(d, "b.pcap")])
    exp_cc, _ = check.expected(cfg, pkts, first, last)

    def cc(liid):
        return [i for i, r in enumerate(truth) if r["kind"] == "CC" and r["liid"] == liid]

    def iri(liid, t):
        return [i for i, r in enumerate(truth) if r["kind"] == "IRI" and r["liid"] == liid
                and r["iri_type"] == t]

    def next_seq(liid, kind):
        return 1 + max([r["seq"] for r in truth if r["liid"] == liid and r["kind"] == kind],
                       default=-1)

    def variant(name, fn, want=1):
        recs = copy.deepcopy(truth)
        fn(recs)
        run_check(d, recs, name, want)

    run_check(d, truth, "perfect output", 0)
    variant("shuffled connections", lambda t: t.sort(key=lambda r: r["listen"]), 0)
    variant("keep-alives only added", lambda t: t.insert(3, {
        "kind": "KEEPALIVE", "listen": t[0]["listen"], "conn": 1, "offset": 0}), 0)

    variant("one CC dropped", lambda t: t.pop(cc("NZP-0001")[5]))
    variant("one CC duplicated", lambda t: t.append(dict(t[cc("NZP-0002")[3]])))
    variant("direction flipped", lambda t: t[cc("NZC-0001")[2]].update(
        dir="toTarget" if t[cc("NZC-0001")[2]]["dir"] == "fromTarget" else "fromTarget"))
    variant("CC on other agency's HI3", lambda t: t[cc("NZP-0001")[0]].update(
        listen=t[cc("NZC-0001")[0]]["listen"]))
    variant("IRI on HI3", lambda t: t[iri("NZP-0003", "begin")[0]].update(
        listen=t[cc("NZP-0001")[0]]["listen"]))
    variant("wrong CIN", lambda t: t[cc("NZP-0002")[1]].update(cin=1))
    variant("wrong version", lambda t: t[cc("NZP-0002")[1]].update(version=38))
    variant("wrong objid version", lambda t: t[cc("NZC-0001")[3]].update(objid="5.3.17.2"))
    variant("IRI as iPIRIOnly", lambda t: t[iri("NZP-0001", "begin")[0]].update(
        iri="iPIRIOnly"))
    variant("no country code", lambda t: t[iri("NZP-0001", "begin")[0]].pop("auth_cc"))
    variant("wrong operator", lambda t: t[cc("NZP-0004")[0]].update(operator="OtherISP"))
    variant("timestamp off by 1us", lambda t: t[cc("NZC-0003")[4]].update(
        ts_usec=(t[cc("NZC-0003")[4]]["ts_usec"] + 1) % 10**6))
    variant("payload length wrong", lambda t: t[cc("NZP-0001")[7]].update(
        payload_len=t[cc("NZP-0001")[7]]["payload_len"] + 4))
    variant("payload bytes changed", lambda t: t[cc("NZP-0001")[7]].update(
        payload_sha256=hashlib.sha256(b"x").hexdigest()))
    variant("sequence gap", lambda t: t[cc("NZP-0004")[-1]].update(
        seq=t[cc("NZP-0004")[-1]]["seq"] + 1))
    variant("sequence from 1", lambda t: [t[i].update(seq=t[i]["seq"] + 1)
                                          for i in cc("NZC-0003")])
    variant("IRI-End dropped", lambda t: t.pop(iri("NZP-0004", "end")[0]))
    variant("IRI-Begin twice", lambda t: t.append(dict(t[iri("NZP-0001", "begin")[0]],
                                                       seq=next_seq("NZP-0001", "IRI"))))
    variant("IRI for a wrong prefix", lambda t: t[iri("NZP-0002", "begin")[1]].update(
        target_prefix_len=64))
    variant("IRI-End before IRI-Begin", lambda t: [
        t[iri("NZP-0004", "begin")[0]].update(seq=1), t[iri("NZP-0004", "end")[0]].update(seq=0)])
    variant("decode error line", lambda t: t.append({"kind": "ERROR", "listen": t[0]["listen"],
                                                     "conn": 1, "offset": 5,
                                                     "error": "bad length"}))
    variant("not JSON", lambda t: t.append("{\"kind\": \"CC\""))
    variant("unknown LIID", lambda t: t[cc("NZP-0001")[0]].update(liid="NZP-9999"))

    # Another target's packet relabelled as this warrant's.
    def other_target(t):
        r = dict(t[cc("NZP-0002")[0]], liid="NZP-0001", cin=1, seq=next_seq("NZP-0001", "CC"))
        t.append(r)
    variant("other target's packet", other_target)

    # Target traffic after the window closed (T3 carries on under NZC-0003).
    def after_window(t):
        late = [t[i] for i in cc("NZC-0003") if t[i]["ts_sec"] >= 1794312003]
        r = dict(late[0], liid="NZP-0004", cin=4, seq=next_seq("NZP-0004", "CC"),
                 listen=t[cc("NZP-0004")[0]]["listen"])
        t.append(r)
    variant("CC after the window's end", after_window)

    # The future warrant's target is in the capture; a record for it is wrong.
    def future(t):
        net = ipaddress.ip_network("192.0.2.128/26")
        p = next(p for p in pkts if p.src in net)
        t.append(dict(t[cc("NZC-0001")[0]], liid="NZC-0002", cin=1, seq=0, dir="fromTarget",
                      payload_sha256=hashlib.sha256(p.ip).hexdigest(), payload_len=len(p.ip),
                      ts_sec=p.ts // 10**6, ts_usec=p.ts % 10**6))
    variant("CC for the future warrant", future)

    # A non-target packet.
    def non_target(t):
        p = next(p for p in pkts if str(p.src).startswith("100.64.1"))
        t.append(dict(t[cc("NZP-0001")[0]], seq=next_seq("NZP-0001", "CC"),
                      payload_sha256=hashlib.sha256(p.ip).hexdigest(), payload_len=len(p.ip),
                      ts_sec=p.ts // 10**6, ts_usec=p.ts % 10**6))
    variant("CC of a non-target packet", non_target)

    # Two records of one file delivered in the wrong order (payloads swapped,
    # sequence numbers and offsets left as they were).
    def reorder(t):
        want = exp_cc["NZP-0002"]
        idx = cc("NZP-0002")
        f0 = [i for i in idx if want[(t[i]["payload_sha256"], t[i]["dir"],
                                      t[i]["ts_sec"] * 10**6 + t[i]["ts_usec"],
                                      t[i]["payload_len"])][0] == 0]
        a, b = f0[2], f0[3]
        keys = ("payload_sha256", "dir", "ts_sec", "ts_usec", "payload_len")
        va, vb = {k: t[a][k] for k in keys}, {k: t[b][k] for k in keys}
        t[a].update(vb)
        t[b].update(va)
    variant("file order broken", reorder)

    # The config reader copes with the rest of libconfig's syntax.
    text = ('/* c */ a: { b = "x" "y"; c = [1, 2,]; } # d\n// e\n'
            'l = ( { n = 0x10; f = 1.5; t = true; } );')
    got = check.lc_parse(text)
    ok = got == {"a": {"b": "xy", "c": [1, 2]}, "l": [{"n": 16, "f": 1.5, "t": True}]}
    print("%-4s %-34s" % ("ok" if ok else "FAIL", "libconfig reader"))
    if not ok:
        failures.append("libconfig reader")

    # A truncated capture is unusable input (exit 2), not a pass.
    with open(os.path.join(d, "a.pcap"), "rb") as fp:
        data = fp.read()
    with open(os.path.join(d, "a.pcap"), "wb") as fp:
        fp.write(data[:len(data) - 7])
    rc = subprocess.run([sys.executable, os.path.join(HERE, "check.py"), "-c",
                         os.path.join(d, "lawtap.conf"), "-j", os.path.join(d, "truth.jsonl"),
                         os.path.join(d, "a.pcap"), os.path.join(d, "b.pcap")],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    print("%-4s %-34s exit %d (want 2)" % ("ok" if rc == 2 else "FAIL", "truncated capture", rc))
    if rc != 2:
        failures.append("truncated capture")

    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    os.rmdir(d)
    if failures:
        print("selftest: %d failure(s): %s" % (len(failures), ", ".join(failures)))
        return 1
    print("selftest: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
