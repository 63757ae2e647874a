#!/usr/bin/env python3
"""selftest_aaa.py - aaacheck.py passes a perfect LEMF output and fails doctored ones.

Generates every genaaa.py case, checks the checker's model against the events
stated here by hand (so a model that computes nothing cannot pass), writes the
model's expectations as `lawtap lemf` JSON lines with CINs of its own choosing
(aaacheck must accept them), then doctors them in many ways, each of which
aaacheck must reject.  Needs no root and no lawtap (meson suite 'fast').
"""

import collections
import copy
import hashlib
import io
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import aaacheck  # noqa: E402

failures = []

# Per case: every IRI the model must expect, as "LIID type event [end_reason]".
EVENTS = {
    "dual": ["NZP-0101 begin startOfInterceptionWithSessionActive"] + [
        "%s %s" % (liid, e) for liid in ("NZP-0100", "NZC-0100") for e in
        ["begin accessAccept", "continue sessionStart", "continue interimUpdate",
         "end accessEnd regularLogoff",
         "begin accessAccept", "continue sessionStart", "end accessEnd regularLogoff"] +
        ["begin sessionStart"] * 6 +
        ["end accessEnd connectionLoss"] * 2 + ["end accessEnd connectionTimeout"] * 2 +
        ["end accessEnd undefined"] * 2],
    "retrans": ["NZP-0200 begin accessAccept", "NZP-0200 continue sessionStart",
                "NZP-0200 continue interimUpdate", "NZP-0200 end accessEnd regularLogoff",
                "NZP-0200 begin accessAccept"],
    "orphans": ["NZP-0300 begin startOfInterceptionWithSessionActive",
                "NZP-0300 end accessEnd connectionLoss", "NZP-0300 begin accessAccept",
                "NZP-0300 end accessEnd connectionLoss", "NZC-0300 begin accessAccept",
                "NZC-0300 end accessEnd connectionLoss", "NZC-0300 begin accessAccept",
                "NZC-0300 end accessEnd connectionLoss"],
    "window": ["NZP-0400 begin startOfInterceptionWithSessionActive",
               "NZP-0400 continue interimUpdate",
               "NZP-0400 end endOfInterceptionWithSessionActive",
               "NZP-0400 begin accessAccept", "NZP-0400 end accessEnd connectionTimeout",
               "NZC-0400 begin startOfInterceptionWithSessionActive",
               "NZC-0400 end endOfInterceptionWithSessionActive"],
    "malformed": ["NZP-0500 begin accessAccept", "NZP-0500 end accessEnd connectionLoss",
                  "NZP-0500 begin accessAccept", "NZP-0500 continue sessionStart",
                  "NZP-0500 end accessEnd regularLogoff"],
    "reject": ["NZP-0600 report accessReject", "NZP-0600 begin accessAccept",
               "NZP-0600 continue sessionStart", "NZP-0600 end accessEnd regularLogoff",
               "NZC-0600 report accessFailed"],
    "dhcp": ["NZP-0700 begin accessAccept", "NZP-0700 continue interimUpdate",
             "NZP-0700 end accessEnd undefined", "NZP-0700 begin accessAccept",
             "NZP-0700 end accessEnd regularLogoff", "NZP-0700 begin accessAccept",
             "NZP-0700 end accessEnd undefined", "NZC-0700 begin accessAccept",
             "NZC-0700 end accessEnd leaseExpired"],
    "frag": ["NZP-0800 begin accessAccept", "NZP-0800 continue sessionStart",
             "NZP-0800 continue interimUpdate", "NZP-0800 end accessEnd regularLogoff"],
}
# Per case: CC records per LIID (data and AAA packets).
CCS = {"dual": {"NZP-0100": 74, "NZC-0100": 0, "NZP-0101": 8}, "retrans": {"NZP-0200": 8},
       "orphans": {"NZP-0300": 4, "NZC-0300": 8},
       "window": {"NZP-0400": 11, "NZP-0401": 8, "NZC-0400": 6},
       "malformed": {"NZP-0500": 9}, "reject": {"NZP-0600": 15, "NZC-0600": 0},
       "dhcp": {"NZP-0700": 16, "NZC-0700": 4}, "frag": {"NZP-0800": 8}}


def ok(name, good, detail=""):
    print("%-4s %-44s %s" % ("ok" if good else "FAIL", name, detail))
    if not good:
        failures.append(name)


def perfect(cfg, streams):
    recs, n = [], 7000
    for st in streams:
        cin = st.w.cin if st.fixed else n
        n += 0 if st.fixed else 3
        recs += aaacheck.to_json(st, cin, cfg)
    offs = collections.Counter()
    for r in recs:
        r["conn"] = 1
        r["offset"] = offs[r["listen"]]
        offs[r["listen"]] += 100
    return recs


def run(d, case, recs, name, want):
    path = os.path.join(d, "out.jsonl")
    with open(path, "w") as fp:
        for r in recs:
            fp.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    cfg = aaacheck.load_config(os.path.join(d, "gen-%s.conf" % case))
    out = io.StringIO()
    with redirect_stdout(out):
        rc = aaacheck.compare(cfg, [os.path.join(d, "gen-%s.pcap" % case)], path)
    lines = [x.strip() for x in out.getvalue().splitlines() if x.startswith("    ")]
    ok("%s: %s" % (case, name), rc == want, "exit %d (want %d)%s" % (
        rc, want, (": " + lines[0][:110]) if lines and want == 1 else ""))
    if rc != want:
        print(out.getvalue())


def main():
    d = tempfile.mkdtemp(prefix="lawtap-aaa-selftest-")
    subprocess.run([sys.executable, os.path.join(HERE, "genaaa.py"), d], check=True,
                   stdout=subprocess.DEVNULL)
    truth = {}
    for case in EVENTS:
        cfg = aaacheck.load_config(os.path.join(d, "gen-%s.conf" % case))
        streams, pkts, _, _ = aaacheck.expected(cfg, [os.path.join(d, "gen-%s.pcap" % case)])
        got = sorted("%s %s %s%s" % (st.w.liid, r["iri_type"], r["event"],
                                     " " + r["end_reason"] if r.get("end_reason") else "")
                     for st in streams for r in st.iri)
        ok("%s: model's IRIs as stated" % case, got == sorted(EVENTS[case]),
           "" if got == sorted(EVENTS[case]) else "got %s" % got)
        ncc = collections.Counter()
        for st in streams:
            ncc[st.w.liid] += len(st.cc)
        ok("%s: model's CC counts as stated" % case,
           all(ncc[k] == v for k, v in CCS[case].items()), str(dict(ncc)))
        truth[case] = perfect(cfg, streams)
        run(d, case, truth[case], "perfect output", 0)
        truth[case + "/pkts"] = pkts

    def variant(case, name, fn, want=1):
        recs = copy.deepcopy(truth[case])
        fn(recs)
        run(d, case, recs, name, want)

    def pick(recs, liid, kind, **kv):
        return [r for r in recs if r.get("liid") == liid and r["kind"] == kind and
                all(r.get(k) == v for k, v in kv.items())]

    def cins(recs, liid):
        return sorted({r["cin"] for r in recs if r.get("liid") == liid})

    def renumber(recs):
        seq = collections.Counter()
        for r in sorted(recs, key=lambda r: r["seq"]):
            k = (r["liid"], r["cin"], r["kind"])
            r["seq"] = seq[k]
            seq[k] += 1

    def next_seq(recs, liid, cin, kind):
        return 1 + max([r["seq"] for r in recs if r["liid"] == liid and r["cin"] == cin and
                        r["kind"] == kind], default=-1)

    def pkt_cc(p, like, recs, d="toTarget"):
        return dict(like, seq=next_seq(recs, like["liid"], like["cin"], "CC"), dir=d,
                    payload_sha256=hashlib.sha256(p.ip).hexdigest(), payload_len=len(p.ip),
                    ts_sec=p.ts // 10**6, ts_usec=p.ts % 10**6)

    P = "NZP-0100"
    variant("dual", "shuffled lines", lambda t: t.reverse(), 0)
    variant("dual", "CINs renumbered", lambda t: [r.update(cin=r["cin"] + 1) for r in t
                                                  if r["cin"] >= 7000], 0)
    variant("dual", "keep-alive added", lambda t: t.insert(2, {
        "kind": "KEEPALIVE", "listen": t[0]["listen"], "conn": 1, "offset": 0}), 0)

    def drop(t, r, renum=False):
        t.remove(r)
        if renum:
            renumber(t)
    variant("dual", "IRI dropped", lambda t: drop(t, pick(t, P, "IRI",
                                                           event="interimUpdate")[0]))
    variant("dual", "IRI dropped, sequence renumbered",
            lambda t: drop(t, pick(t, P, "IRI", event="interimUpdate")[0], True))
    variant("dual", "wrong event", lambda t: pick(t, P, "IRI", event="interimUpdate")[0]
            .update(event="sessionStart"))
    variant("dual", "wrong end_reason", lambda t: pick(t, P, "IRI", end_reason="connectionLoss")[0]
            .update(end_reason="connectionTimeout"))
    variant("dual", "end_reason missing", lambda t: pick(t, P, "IRI", iri_type="end")[0]
            .pop("end_reason"))
    variant("dual", "octets_received without Gigawords",
            lambda t: [r.update(octets_received=r["octets_received"] % 2**32)
                       for r in pick(t, P, "IRI", event="interimUpdate")])
    variant("dual", "octets on an IRI-BEGIN", lambda t: pick(t, P, "IRI", iri_type="begin")[0]
            .update(octets_received=0))
    variant("dual", "octets_transmitted missing", lambda t: pick(
        t, P, "IRI", event="interimUpdate")[0].pop("octets_transmitted"))

    def swap_iri_cin(t):
        a, b = cins(t, P)[:2]
        for r in pick(t, P, "IRI"):
            if r["cin"] in (a, b):
                r["cin"] = b if r["cin"] == a else a
    variant("dual", "IRI CINs swapped between sessions", swap_iri_cin)

    def merged(t):
        a, b = cins(t, P)[:2]
        for r in t:
            if r["liid"] == P and r["cin"] == b:
                r["cin"] = a
                r["seq"] += 1000
        renumber(t)
    variant("dual", "two sessions in one CIN", merged)
    variant("dual", "a session's records all missing", lambda t: [
        t.remove(r) for r in [r for r in t if r["liid"] == P and r["cin"] == cins(t, P)[3]]])

    pk = truth["dual/pkts"]

    def first_ts(t, liid, event):
        r = pick(t, liid, "IRI", event=event)[0]
        return r["ts_sec"] * 10**6 + r["ts_usec"]

    def early(t):
        # alice's address carried traffic before her Access-Accept bound it
        acc = first_ts(t, P, "accessAccept")
        p = [p for p in pk if p.ts < acc and p.dst == ipaddress.ip_address("100.64.1.10")][-1]
        cin = pick(t, P, "IRI", event="accessAccept")[0]["cin"]
        for r in pick(t, P, "CC", cin=cin):
            r["seq"] += 1
        like = pick(t, P, "CC", cin=cin)[0]
        t.append(dict(pkt_cc(p, like, t), seq=0))
    variant("dual", "CC one packet early", early)

    def late(t):
        # the packet after the Stop that ended alice's first session
        end = first_ts(t, P, "accessEnd")
        p = [p for p in pk if p.ts > end and p.src == ipaddress.ip_address("100.64.1.12")][0]
        cin = pick(t, P, "IRI", event="accessEnd")[0]["cin"]
        t.append(pkt_cc(p, pick(t, P, "CC", cin=cin)[0], t, "fromTarget"))
    variant("dual", "CC one packet late", late)

    def old_address(t):
        # after the Interim, 100.64.1.10 no longer belongs to the session
        ts = first_ts(t, P, "interimUpdate")
        p = [p for p in pk if p.ts > ts and p.src == ipaddress.ip_address("100.64.1.10")][0]
        cin = pick(t, P, "IRI", event="interimUpdate")[0]["cin"]
        t.append(pkt_cc(p, pick(t, P, "CC", cin=cin)[0], t, "fromTarget"))
    variant("dual", "CC of the address the Interim replaced", old_address)

    def other_sub(t):
        p = [p for p in pk if p.src == ipaddress.ip_address("100.64.2.20")][0]
        t.append(pkt_cc(p, pick(t, P, "CC")[0], t, "fromTarget"))
    variant("dual", "another subscriber's packet", other_sub)
    variant("dual", "CC dropped", lambda t: drop(t, pick(t, P, "CC")[5]))
    variant("dual", "AAA CC dropped, renumbered", lambda t: drop(
        t, pick(t, P, "CC", dir="indeterminate")[0], True))
    variant("dual", "CC direction flipped", lambda t: pick(t, P, "CC", dir="fromTarget")[3]
            .update(dir="toTarget"))
    variant("dual", "AAA CC as fromTarget", lambda t: pick(t, P, "CC", dir="indeterminate")[1]
            .update(dir="fromTarget"))
    variant("dual", "CC time off by 1 us", lambda t: pick(t, P, "CC")[4].update(
        ts_usec=pick(t, P, "CC")[4]["ts_usec"] ^ 1))
    variant("dual", "CC bytes changed", lambda t: pick(t, P, "CC")[6].update(
        payload_sha256=hashlib.sha256(b"x").hexdigest()))

    def swap_cc(t):
        a, b = pick(t, P, "CC", dir="fromTarget")[2:4]
        a["seq"], b["seq"] = b["seq"], a["seq"]
    variant("dual", "two CCs out of capture order", swap_cc)
    variant("dual", "IRI on the other agency's HI2", lambda t: pick(t, P, "IRI")[2].update(
        listen=pick(t, "NZC-0100", "IRI")[0]["listen"]))
    variant("dual", "CC on HI2", lambda t: pick(t, P, "CC")[1].update(
        listen=pick(t, P, "IRI")[0]["listen"]))
    variant("dual", "CC for the IRI-only warrant", lambda t: t.append(dict(
        pick(t, P, "CC")[3], liid="NZC-0100", cin=pick(t, "NZC-0100", "IRI")[0]["cin"], seq=0,
        listen="127.0.0.1:40113")))
    variant("dual", "sequence gap", lambda t: pick(t, P, "CC")[-1].update(
        seq=pick(t, P, "CC")[-1]["seq"] + 1))
    variant("dual", "IRI sequence from 1", lambda t: [r.update(seq=r["seq"] + 1) for r in
                                                      pick(t, "NZC-0100", "IRI")])
    variant("dual", "IRI duplicated", lambda t: t.append(dict(
        pick(t, P, "IRI")[0], seq=next_seq(t, P, pick(t, P, "IRI")[0]["cin"], "IRI"))))
    variant("dual", "wrong target_ip", lambda t: pick(t, P, "IRI")[1].update(
        target_ip="100.64.1.99"))
    variant("dual", "target_prefix_len 64 on an IPv4 /32", lambda t: pick(
        t, P, "IRI", target_family=4)[0].update(target_prefix_len=24))
    variant("dual", "wrong additional_ip", lambda t: pick(t, P, "IRI", event="accessAccept")[0]
            .update(additional_ip="2001:db8:a::11"))
    variant("dual", "other_ips missing", lambda t: pick(t, P, "IRI", event="accessAccept")[0]
            .pop("other_ips"))
    variant("dual", "other_ips reordered", lambda t: pick(t, P, "IRI", event="accessAccept")[0]
            ["other_ips"].reverse())
    variant("dual", "wrong ip_version", lambda t: pick(t, P, "IRI", ip_version="iPV6")[0]
            .update(ip_version="iPV4andV6"))
    variant("dual", "wrong start_time", lambda t: pick(t, P, "IRI", iri_type="end")[0].update(
        start_time=pick(t, P, "IRI", iri_type="end")[0]["end_time"]))
    variant("dual", "wrong end_time", lambda t: pick(t, P, "IRI", iri_type="end")[1].update(
        end_time=pick(t, P, "IRI", iri_type="end")[1]["start_time"]))
    variant("dual", "IRI PDU time off by 1 us", lambda t: pick(t, P, "IRI")[3].update(
        ts_usec=pick(t, P, "IRI")[3]["ts_usec"] ^ 1))
    variant("dual", "wrong username", lambda t: pick(t, "NZC-0100", "IRI")[0].update(
        username="alice"))
    variant("dual", "wrong pop_port", lambda t: pick(t, P, "IRI", pop_port=17)[0].update(
        pop_port=18))
    variant("dual", "pop_id missing", lambda t: pick(t, P, "IRI", pop_id="bng-1")[0]
            .pop("pop_id"))
    variant("dual", "wrong access_type", lambda t: pick(t, P, "IRI")[0].update(
        access_type="fTTx"))
    variant("dual", "static CC dropped", lambda t: drop(t, pick(t, "NZP-0101", "CC")[2]))
    variant("dual", "static CIN changed", lambda t: [r.update(cin=5) for r in t
                                                     if r["liid"] == "NZP-0101"])
    variant("dual", "not JSON", lambda t: t.append('{"kind": "CC"'))
    variant("dual", "decode error line", lambda t: t.append({
        "kind": "ERROR", "listen": t[0]["listen"], "conn": 1, "offset": 5,
        "error": "bad length"}))

    R = "NZP-0600"

    def report_in_session(t):
        rep = pick(t, R, "IRI", iri_type="report")[0]
        sess = pick(t, R, "IRI", iri_type="begin")[0]
        rep.update(cin=sess["cin"], seq=next_seq(t, R, sess["cin"], "IRI"))
    variant("reject", "report in the session's CIN", report_in_session)
    variant("reject", "accessFailed missing", lambda t: drop(
        t, pick(t, "NZC-0600", "IRI", event="accessFailed")[0]))
    variant("reject", "accessFailed at the request's time", lambda t: pick(
        t, "NZC-0600", "IRI", event="accessFailed")[0].update(
            ts_sec=pick(t, "NZC-0600", "IRI", event="accessFailed")[0]["ts_sec"] - 10))
    variant("reject", "report with a target_ip", lambda t: pick(
        t, R, "IRI", iri_type="report")[0].update(target_ip="100.64.7.1", target_family=4))
    variant("reject", "Reject's CC in the session's CIN", lambda t: pick(
        t, R, "CC", cin=pick(t, R, "IRI", iri_type="report")[0]["cin"])[1].update(
            cin=pick(t, R, "IRI", iri_type="begin")[0]["cin"], seq=100))

    M = "NZP-0700"
    variant("dhcp", "leaseExpired as undefined", lambda t: pick(
        t, "NZC-0700", "IRI", end_reason="leaseExpired")[0].update(end_reason="undefined"))
    variant("dhcp", "renewal's expected_end_time unchanged", lambda t: pick(
        t, M, "IRI", event="interimUpdate")[0].update(
            expected_end_time=pick(t, M, "IRI")[0]["expected_end_time"]))
    variant("dhcp", "cpe_id missing", lambda t: pick(t, "NZC-0700", "IRI")[0].pop("cpe_id"))
    variant("dhcp", "pop_ip not the relay", lambda t: pick(t, "NZC-0700", "IRI")[0].update(
        pop_ip="10.77.0.10"))
    variant("dhcp", "network_id with dashes", lambda t: pick(t, M, "IRI")[0].update(
        network_id="02-00-00-00-07-01"))
    variant("dhcp", "username the circuit, not the MAC", lambda t: pick(t, M, "IRI")[0]
            .update(username="eth 0/1/1:100"))

    W = "NZP-0400"
    variant("window", "SOI at the session's start", lambda t: pick(
        t, W, "IRI", event="startOfInterceptionWithSessionActive")[0].update(
            ts_sec=pick(t, W, "IRI")[0]["ts_sec"] - 2))
    variant("window", "end_reason on endOfInterception", lambda t: pick(
        t, W, "IRI", event="endOfInterceptionWithSessionActive")[0].update(
            end_reason="undefined"))

    def before_window(t):
        p = [p for p in truth["window/pkts"] if p.src == ipaddress.ip_address("100.64.5.10")
             and p.ts < 1794312003 * 10**6]   # NZP-0400 starts at T0 + 3 s
        cin = pick(t, W, "CC")[0]["cin"]
        for r in pick(t, W, "CC", cin=cin):
            r["seq"] += 1
        t.append(dict(pkt_cc(p[-1], pick(t, W, "CC", cin=cin)[0], t, "fromTarget"), seq=0))
    variant("window", "CC before the warrant starts", before_window)

    # unusable input: a truncated capture is exit 2, not a pass
    pc = os.path.join(d, "gen-frag.pcap")
    with open(pc, "rb") as fp:
        data = fp.read()
    with open(pc, "wb") as fp:
        fp.write(data[:-5])
    with open(os.path.join(d, "out.jsonl"), "w") as fp:
        fp.write("".join(json.dumps(r) + "\n" for r in truth["frag"]))
    rc = subprocess.run([sys.executable, os.path.join(HERE, "aaacheck.py"), "--conf",
                         os.path.join(d, "gen-frag.conf"), "--pcap", pc, "--jsonl",
                         os.path.join(d, "out.jsonl")], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode
    ok("frag: truncated capture", rc == 2, "exit %d (want 2)" % rc)

    shutil.rmtree(d)
    if failures:
        print("selftest_aaa: %d failure(s): %s" % (len(failures), ", ".join(failures)))
        return 1
    print("selftest_aaa: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
