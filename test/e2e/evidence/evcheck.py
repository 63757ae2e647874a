#!/usr/bin/env python3
"""evcheck.py - the checks of evidence.sh that need more than the shell.

  evcheck.py conf IN OUT KEYDIR EVDIR
      IN with integrity TRIs for both agencies (police: 50 PDUs a hash, no time
      trigger in practice, 4 hashes a signature; customs: 7 PDUs or 1 s, 3) and
      evidence for NZP-0001 and NZC-0003 into EVDIR (none if EVDIR is -); keys
      from KEYDIR/{integrity,evidence}/evidence.key.
  evcheck.py tri CONF OUT.jsonl
      every IRI/CC stream's TRIs: their own sequence numbers gapless from 0;
      the hashes cover each PDU of the stream exactly once, in order, at most
      N per hash; the signatures cover each hash exactly once; the counts
      exactly those of the settings for police (no time trigger); every
      check "ok".  Prints the number of TRIs.
  evcheck.py ev CONF EVDIR SECRET_KEY A.pcap [B.pcap]
      each warrant with evidence has its store (named by its keyed hash),
      holding exactly the warrant's CC packets (check.py's expectation) with
      their capture times; no other store.  Prints the stores and packets.
  evcheck.py flip RAW OUT
      RAW (PS-PDUs as sent) with the last byte of its first CC record
      flipped.
Exit 0 if all holds, 1 if not, 2 on unusable input.
"""

import collections
import glob
import hashlib
import json
import os
import re
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import check  # noqa: E402

INTEG = {
    "police": (50, 3600, 4),
    "customs": (7, 1, 3),
}
EVIDENCE = ("NZP-0001", "NZC-0003")


def fail(msg):
    print("evcheck: FAIL: " + msg)
    sys.exit(1)


def cmd_conf(src, dst, keydir, evdir):
    text = open(src).read()
    for ag, (n, t, m) in INTEG.items():
        pat = '{ id = "%s";' % ag
        if pat not in text:
            sys.exit("evcheck: no agency %s in %s" % (ag, src))
        text = text.replace(pat, pat + ' integrity = { hash_every = %d; hash_seconds = %d; '
                            'sign_every = %d; key = "%s/integrity/evidence.key"; };'
                            % (n, t, m, keydir))
    if evdir == "-":
        open(dst, "w").write(text)
        return
    for liid in EVIDENCE:
        pat = '{ liid = "%s";' % liid
        if pat not in text:
            sys.exit("evcheck: no warrant %s in %s" % (liid, src))
        text = text.replace(pat, pat + " evidence = true;")
    text += ('evidence = { dir = "%s"; key = "%s/evidence/evidence.key"; '
             "max_bytes = 65536; max_seconds = 2; };\n" % (evdir, keydir))
    open(dst, "w").write(text)


def cmd_tri(conf, jsonl):
    # warrants by subscriber have no targets, which check.load_config wants
    agency = dict(re.findall(r'\{[^{}]*?\bliid\s*=\s*"([^"]+)"[^{}]*?\bagency\s*=\s*"([^"]+)"',
                          open(conf).read()))
    pdus = collections.defaultdict(list)     # (liid, cin, dt) -> [seq]
    tris = collections.defaultdict(list)     # (liid, cin, dt) -> [record]
    for line in open(jsonl):
        r = json.loads(line)
        if r.get("kind") in ("CC", "IRI"):
            pdus[(r["liid"], r.get("cin"), "cC" if r["kind"] == "CC" else "iRI")].append(r["seq"])
        elif r.get("kind") == "TRI" and r.get("tri") == "integrityCheck":
            tris[(r["liid"], r.get("cin"), r.get("data_type"))].append(r)
    if not pdus:
        fail("no IRI or CC records at all")
    total = 0
    for key in sorted(set(pdus) | set(tris), key=str):
        seqs, ts = pdus.get(key, []), tris.get(key, [])
        name = "%s CIN %s %s" % key
        if key not in pdus:
            fail("%s: TRIs for a stream without records" % name)
        n, _, m = INTEG[agency[key[0]]]
        if [t["seq"] for t in ts] != list(range(len(ts))):
            fail("%s: TRI sequence numbers %s, not 0.." % (name, [t["seq"] for t in ts][:20]))
        bad = [t for t in ts if t.get("integrity") != "ok"]
        if bad:
            fail("%s: TRI %d is %s" % (name, bad[0]["seq"], bad[0].get("integrity")))
        hashes = [t for t in ts if t["check_type"] == "hash"]
        sigs = [t for t in ts if t["check_type"] == "signature"]
        covered = [s for h in hashes for s in h["seqs"]]
        if covered != seqs:
            fail("%s: the hashes cover %d PDUs %s..., the stream has %d %s..." % (
                name, len(covered), covered[:8], len(seqs), seqs[:8]))
        if any(len(h["seqs"]) > n for h in hashes):
            fail("%s: a hash over more than %d PDUs" % (name, n))
        if [s for g in sigs for s in g["seqs"]] != [h["seq"] for h in hashes]:
            fail("%s: the signatures do not cover each hash once, in order" % name)
        if any(len(g["seqs"]) > m for g in sigs):
            fail("%s: a signature over more than %d hashes" % (name, m))
        if agency[key[0]] == "police":
            want_h = (len(seqs) + n - 1) // n
            want_s = (want_h + m - 1) // m
            if (len(hashes), len(sigs)) != (want_h, want_s):
                fail("%s: %d PDUs gave %d hash and %d signature TRIs, not %d and %d" % (
                    name, len(seqs), len(hashes), len(sigs), want_h, want_s))
        total += len(ts)
    print(total)


def read_pcap(path):
    data = open(path, "rb").read()
    magic, _, _, _, _, _, linktype = struct.unpack_from("<IHHiIII", data, 0)
    if magic != 0xA1B2C3D4 or linktype != 101:
        fail("%s: not a little-endian microsecond pcap of raw IP" % path)
    at, out = 24, []
    while at < len(data):
        sec, usec, incl, orig = struct.unpack_from("<IIII", data, at)
        at += 16
        pkt = data[at:at + incl]
        at += incl
        if incl != orig or len(pkt) != incl:
            fail("%s: a truncated packet" % path)
        out.append((sec * 1000000 + usec, pkt))
    return out


def cmd_ev(conf, evdir, keyfile, pcaps):
    cfg = check.load_config(conf)
    seed = bytes.fromhex(open(keyfile).read().strip())[:32]
    pk, _, first, last = check.load_captures(pcaps)
    cc, _ = check.expected(cfg, pk, first, last)
    stores = sorted(os.path.basename(d) for d in glob.glob(os.path.join(evdir, "*")))
    want = {}
    for liid in EVIDENCE:
        name = "w-" + hashlib.blake2b(liid.encode(), digest_size=8, key=seed).hexdigest()
        want[name] = liid
    if sorted(want) != stores:
        fail("stores %s, expected %s" % (stores, sorted(want)))
    for name, liid in sorted(want.items()):
        d = os.path.join(evdir, name)
        files = sorted(glob.glob(os.path.join(d, name + "-*.pcap")))
        if len(files) < 2:
            fail("%s: %d file(s): max_bytes/max_seconds should have rotated it" % (liid, len(files)))
        got = []
        for f in files:
            if not re.fullmatch(re.escape(name) + r"-\d{6}\.pcap", os.path.basename(f)):
                fail("%s: unexpected file %s" % (liid, f))
            got += read_pcap(f)
        if [t for t, _ in got] != sorted(t for t, _ in got):
            fail("%s: packets out of time order" % liid)
        gk = sorted((hashlib.sha256(p).hexdigest(), t, len(p)) for t, p in got)
        wk = sorted((k[0], k[2], k[3]) for k in cc[liid])
        if gk != wk:
            missing = len(set(wk) - set(gk))
            extra = len(set(gk) - set(wk))
            fail("%s: the evidence holds %d packets, the warrant's CC is %d (%d missing, %d "
                 "not the warrant's)" % (liid, len(gk), len(wk), missing, extra))
        print("%s: %d packets in %d files" % (name, len(got), len(files)))


def cmd_flip(raw, out):
    data = bytearray(open(raw, "rb").read())
    at = 0
    while at < len(data):
        ln = check_len(data, at)
        # PS-PDU { pSHeader [1], payload [2] { cCPayloadSequence [1] ... } }
        hdr = check_len(data, at + hlen(data, at))
        p = at + hlen(data, at) + hdr
        if data[p] == 0xA2 and data[p + hlen(data, p)] == 0xA1:
            data[at + ln - 1] ^= 0x01
            open(out, "wb").write(data)
            return
        at += ln
    fail("%s: no CC record" % raw)


def hlen(d, at):
    return 2 if d[at + 1] < 0x80 else 2 + (d[at + 1] & 0x7F)


def check_len(d, at):
    if d[at + 1] < 0x80:
        return 2 + d[at + 1]
    n = d[at + 1] & 0x7F
    return 2 + n + int.from_bytes(d[at + 2:at + 2 + n], "big")


def main():
    a = sys.argv[1:]
    if len(a) == 5 and a[0] == "conf":
        cmd_conf(*a[1:])
    elif len(a) == 3 and a[0] == "tri":
        cmd_tri(*a[1:])
    elif len(a) >= 5 and a[0] == "ev":
        cmd_ev(a[1], a[2], a[3], a[4:])
    elif len(a) == 3 and a[0] == "flip":
        cmd_flip(*a[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
