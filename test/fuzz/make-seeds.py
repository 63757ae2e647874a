#!/usr/bin/env python3
"""make-seeds.py - writes the fuzzers' seed corpora into test/fuzz/corpus/.

  corpus/frame   Ethernet frames picked from test/e2e/gencap.py captures (one
                 of each kind: VLAN depth, IPv4/IPv6, fragments, snap-length
                 cuts, garbled headers, non-IP) and a few hand-made edge cases
  corpus/pdu     PS-PDUs built here with an independent DER encoder: IPCC,
                 IPIRI, keep-alive(-response), other payloads, long lengths,
                 high tag numbers; and a few that must be refused
  corpus/stream  fuzz_stream inputs: chunk sizes, then concatenated PDUs
  corpus/config  conf/lawtap.conf, examples/*.conf, test/unit/mgmt/configs/*
                 and gencap's config
  corpus/der     fuzz_der operation lists

python3 stdlib only; the same tree always gives the same bytes.  Run it again
when the formats change:  python3 test/fuzz/make-seeds.py
"""

import ipaddress
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "corpus")


def put(kind, name, data):
    d = os.path.join(OUT, kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as fp:
        fp.write(data)


# -- DER, written here from X.690 so the decoder is checked against it -----
def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def ident(cls_cons, num):
    if num < 31:
        return bytes([cls_cons | num])
    groups = []
    while True:
        groups.insert(0, num & 0x7F)
        num >>= 7
        if not num:
            break
    return bytes([cls_cons | 0x1F]) + bytes([g | 0x80 for g in groups[:-1]] + [groups[-1]])


def tlv(cls_cons, num, content):
    return ident(cls_cons, num) + der_len(len(content)) + content


def prim(num, content):          # [num] IMPLICIT, primitive
    return tlv(0x80, num, content)


def cons(num, *parts):           # [num], constructed
    return tlv(0xA0, num, b"".join(parts))


def seq(*parts):
    return tlv(0x20, 16, b"".join(parts))


def uint(v):
    n = 1
    while v >> (8 * n - 1):
        n += 1
    return v.to_bytes(n, "big")


def base128(v):
    out = [v & 0x7F]
    v >>= 7
    while v:
        out.insert(0, 0x80 | (v & 0x7F))
        v >>= 7
    return bytes(out)


def oid(arcs):
    return base128(arcs[0] * 40 + arcs[1]) + b"".join(base128(a) for a in arcs[2:])


def reloid(arcs):
    return b"".join(base128(a) for a in arcs)


def gentime(sec, usec=0):
    import time
    s = time.strftime("%Y%m%d%H%M%S", time.gmtime(sec))
    if usec:
        s += ("." + "%06d" % usec).rstrip("0")
    return (s + "Z").encode()


T = 1795316400  # 2026-11-22T03:00:00Z


def header(liid=b"NZP-0001", seqno=0, cin=1, usec=123456, version=40, minimal=False,
           extra=b"", tail=b""):
    f = [prim(0, oid([0, 4, 0, 2, 2, 5, 1, version])), prim(1, liid)]
    if minimal:
        f.append(cons(3, cons(0, prim(0, b"OP"))))
        f.append(prim(4, uint(seqno)))
        return cons(1, *f, extra)
    f.append(prim(2, b"NZ"))
    f.append(cons(3, cons(0, prim(0, b"ExampleISP"), prim(1, b"lawtap-1")),
                  prim(1, uint(cin)), prim(2, b"NZ")))
    f.append(prim(4, uint(seqno)))
    f.append(prim(5, gentime(T, usec)))
    f.append(extra)
    f.append(cons(7, prim(0, uint(T)), prim(1, uint(usec))))
    f.append(prim(8, uint(1)))
    f.append(tail)
    return cons(1, *f)


def pspdu(hdr, payload):
    return seq(hdr, cons(2, payload))


def cc_payload(packet, direction=0, version=20):
    return seq(prim(0, uint(direction)),
               cons(2, cons(2, prim(0, reloid([5, 3, version, 2])), cons(1, prim(0, packet)))))


def ipcc(packet, direction=0, version=20):
    return cons(1, cc_payload(packet, direction, version))


def ipaddress_der(addr, prefix=None, assignment=None):
    a = ipaddress.ip_address(addr)
    f = [prim(1, uint(0 if a.version == 4 else 1)), cons(2, prim(1, a.packed))]
    if assignment is not None:
        f.append(prim(3, uint(assignment)))
    if a.version == 6:
        f.append(prim(4, uint(prefix or 128)))
    elif prefix is not None and prefix < 32:
        f.append(prim(5, (((1 << 32) - 1) ^ ((1 << (32 - prefix)) - 1)).to_bytes(4, "big")))
    return f


def ipiri(event, user, target=None, start=None, end=None, iri_type=1, version=20):
    c = [prim(0, uint(event)), prim(1, user), prim(2, uint(3)), prim(3, uint(1))]
    if target:
        c.append(cons(4, *ipaddress_der(*target)))
    if start:
        c.append(prim(10, gentime(*start)))
    if end:
        c.append(prim(11, gentime(*end)))
    iri = seq(prim(0, uint(iri_type)),
              cons(2, cons(2, prim(0, reloid([5, 3, version, 1])), cons(1, *c))))
    return cons(0, iri)


def ipiri_contents(event, user, access=0, ipver=1, target=None, network_id=None, cpe_id=None,
                   pop_port=None, start=None, end=None, end_reason=None, octets=None,
                   expected_end=None, pop_id=None, pop_ip=None, additional=None, auth=None,
                   others=(), pop_port_id=None):
    """IPIRIContents with every field lawtap writes, in tag order (TS 102 232-3 v20)."""
    c = [prim(0, uint(event)), prim(1, user), prim(2, uint(access)), prim(3, uint(ipver))]
    if target:
        c.append(cons(4, *ipaddress_der(*target)))
    if network_id is not None:
        c.append(prim(5, network_id))
    if cpe_id is not None:
        c.append(prim(6, cpe_id))
    if pop_port is not None:
        c.append(prim(8, uint(pop_port)))
    if start:
        c.append(prim(10, gentime(*start)))
    if end:
        c.append(prim(11, gentime(*end)))
    if end_reason is not None:
        c.append(prim(12, uint(end_reason)))
    if octets:
        c.append(prim(13, uint(octets[0])))
        c.append(prim(14, uint(octets[1])))
    if expected_end:
        c.append(prim(16, gentime(*expected_end)))
    if pop_id is not None:                       # CHOICE: printableIDType [0] inside [18]
        c.append(cons(18, prim(0, pop_id)))
    if pop_ip:
        c.append(cons(19, *ipaddress_der(*pop_ip)))
    if additional:
        c.append(cons(21, *ipaddress_der(*additional)))
    if auth is not None:
        c.append(prim(22, uint(auth)))
    if others:                                   # SEQUENCE OF CHOICE { iPAddress [0] }
        c.append(cons(23, *[cons(0, *ipaddress_der(*o)) for o in others]))
    if pop_port_id is not None:
        c.append(prim(25, pop_port_id))
    return cons(1, *c)


def ipiri_full(iri_type, version=20, **fields):
    iri = seq(prim(0, uint(iri_type)),
              cons(2, cons(2, prim(0, reloid([5, 3, version, 1])), ipiri_contents(**fields))))
    return cons(0, iri)


def session_pdus():
    """RADIUS and DHCP session IRIs with the fields of TS 102 232-3 beyond the first ones."""
    v6 = ["2001:db8:%x::" % i for i in range(9)]
    radius = dict(event=8, user=b"alice@isp.example", access=2, ipver=3,
                  target=("100.64.0.7", 32, 2), pop_port=4294967295, start=(T - 3600, 0),
                  end=(T, 123456), end_reason=1, octets=((1 << 64) - 1, 1 << 32),
                  pop_id=b"nas1.isp.example", pop_ip=("192.0.2.10",),
                  additional=(v6[1], 56, 2), auth=2,
                  others=[(v6[2], 64, 2), ("100.64.1.0", 24, 2)], pop_port_id=b"eth 0/1/1:100")
    dhcp = dict(event=1, user=b"02:00:00:00:00:01", access=6, ipver=1,
                target=("100.64.0.9", 32, 2), network_id=b"02:00:00:00:00:01",
                cpe_id=b"eth 0/1/1:100\xff", start=(T, 0), expected_end=(T + 86400, 0),
                pop_ip=("192.0.2.1", None, 1), auth=3)
    eight = dict(event=6, user=b"u", ipver=2, target=(v6[0], 48, 2),
                 octets=(0, (1 << 63)), others=[(a, 64, 2) for a in v6[1:9]])
    nine = dict(eight, others=[(a, 64, 2) for a in v6[:9]])
    return {
        "ipiri-radius-end": pspdu(header(seqno=20), ipiri_full(2, **radius)),
        "ipiri-dhcp-begin": pspdu(header(seqno=0, cin=77), ipiri_full(1, **dhcp)),
        "ipiri-8-others": pspdu(header(seqno=21), ipiri_full(3, **eight)),
    }, {
        "bad-ipiri-9-others": pspdu(header(seqno=22), ipiri_full(3, **nine)),
    }


def tri(n):
    return cons(2, prim(n, b""))


# -- frames from gencap ---------------------------------------------------
def read_pcap(path):
    with open(path, "rb") as fp:
        data = fp.read()
    off, out = 24, []
    while off + 16 <= len(data):
        _, _, cap, orig = struct.unpack_from("<IIII", data, off)
        off += 16
        out.append((data[off:off + cap], orig))
        off += cap
    return out


def classify(frame, orig):
    off, vl = 14, 0
    et = struct.unpack_from("!H", frame, 12)[0] if len(frame) >= 14 else -1
    while et in (0x8100, 0x88A8, 0x9100) and len(frame) >= off + 4:
        et = struct.unpack_from("!H", frame, off + 2)[0]
        off += 4
        vl += 1
    sub = None
    if et == 0x0800 and len(frame) > off + 9:
        ip = frame[off:]
        sub = (ip[0], ip[9], bool(struct.unpack_from("!H", ip, 6)[0] & 0x3FFF) if len(ip) > 8 else 0)
    elif et == 0x86DD and len(frame) > off + 6:
        sub = (frame[off] >> 4, frame[off + 6])
    return (vl, et, sub, len(frame) < orig, len(frame) < 64)


def frames():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(ROOT, "test", "e2e", "gencap.py"),
                        "--out", tmp, "--packets", "400", "--max-size", "200",
                        "--seed", "7", "--no-truth"], check=True, stdout=subprocess.DEVNULL)
        rows = read_pcap(os.path.join(tmp, "a.pcap")) + read_pcap(os.path.join(tmp, "b.pcap"))
        conf = open(os.path.join(tmp, "lawtap.conf"), "rb").read()
    seen, picked = set(), []
    for fr, orig in rows:
        k = classify(fr, orig)
        if k not in seen:
            seen.add(k)
            picked.append(fr)
    return picked, conf


def ip_of(frame):
    off = 14
    et = struct.unpack_from("!H", frame, 12)[0]
    while et in (0x8100, 0x88A8, 0x9100):
        et = struct.unpack_from("!H", frame, off + 2)[0]
        off += 4
    ip = frame[off:]
    if et == 0x0800:
        return ip[:struct.unpack_from("!H", ip, 2)[0]]
    return ip[:40 + struct.unpack_from("!H", ip, 4)[0]]


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    picked, gconf = frames()
    good = []
    for i, fr in enumerate(picked[:40]):
        put("frame", "gencap-%02d" % i, fr)
        if classify(fr, len(fr))[1] in (0x0800, 0x86DD):
            good.append(fr)

    mac = b"\x02\x00\x00\x00\x00\x01\x02\x00\x01\x00\x00\x02"
    v4 = struct.pack("!BBHHHBBH4s4s", 0x46, 0, 28, 1, 0, 64, 17, 0,
                     bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])) + b"\x01\x02\x03\x04" + b"\0" * 4
    v6 = struct.pack("!IHBB16s16s", 6 << 28, 0, 0, 64, ipaddress.ip_address("2001:db8::1").packed,
                     ipaddress.ip_address("2001:db8::2").packed)
    put("frame", "v4-options", mac + b"\x08\x00" + v4)
    put("frame", "v6-jumbogram", mac + b"\x86\xdd" + v6)
    put("frame", "vlan-9100-8100", mac + b"\x91\x00\x00\x05\x81\x00\x00\x06\x08\x00" + v4)
    put("frame", "vlan-three", mac + b"\x81\x00\x00\x01\x81\x00\x00\x02\x81\x00\x00\x03\x08\x00" + v4)
    put("frame", "vlan-cut", mac + b"\x81\x00\x00")
    put("frame", "short", mac)

    # PDUs
    pkt4 = ip_of(next(f for f in good if classify(f, len(f))[1] == 0x0800))
    pkt6 = ip_of(next(f for f in good if classify(f, len(f))[1] == 0x86DD))
    big = pkt6 + bytes(range(256)) * 2  # a payload past 255 bytes: 3-octet lengths
    pdus = {
        "ipcc-v4": pspdu(header(seqno=0), ipcc(pkt4, 0)),
        "ipcc-v6": pspdu(header(seqno=1, cin=4294967295), ipcc(pkt6, 1)),
        "ipcc-long": pspdu(header(seqno=2), ipcc(big, 2)),
        "ipcc-empty-packet": pspdu(header(seqno=3, usec=0), ipcc(b"", 0, version=17)),
        "ipcc-two-payloads": pspdu(header(seqno=4),
                                   cons(1, cc_payload(pkt4, 0), cc_payload(pkt4, 1))),
        "ipiri-v4-mask": pspdu(header(seqno=0),
                               ipiri(4, b"user@example", ("100.64.0.7", 24, 2), (T - 60, 0))),
        "ipiri-v6-prefix": pspdu(header(liid=b"NZC-0003", seqno=7),
                                 ipiri(5, b"u", ("2001:db8:7::10", 64, 1), (T - 60, 5), (T, 250000),
                                       iri_type=2)),
        "ipiri-no-target": pspdu(header(seqno=9), ipiri(6, b"x" * 255, iri_type=3)),
        "iri-email": pspdu(header(seqno=1), cons(0, seq(prim(0, uint(4)),
                                                        cons(2, cons(1, prim(0, b"\x01")))))),
        "keepalive": pspdu(header(liid=b"KA", seqno=0, cin=0), tri(3)),
        "keepalive-response": pspdu(header(liid=b"KA", seqno=5), tri(4)),
        "tri-cinreset": pspdu(header(seqno=6), cons(2, cons(7, prim(0, b"\x00")))),
        "hi1-operation": pspdu(header(seqno=1), cons(3, prim(0, b"\x05"))),
        "minimal-header": pspdu(header(minimal=True, seqno=11), tri(3)),
        "header-extensions": pspdu(header(seqno=12, extra=prim(6, b"IP-1")), tri(3)),
        "high-tag": pspdu(header(seqno=13, tail=prim(40, b"?")), tri(4)),
        "liid-25": pspdu(header(liid=b"L" * 25, seqno=14), tri(3)),
    }
    bad = {
        "bad-length-not-minimal": b"\x30\x81\x05" + bytes(5),
        "bad-indefinite": b"\x30\x80\x00\x00",
        "bad-trailing": pdus["keepalive"] + b"\x00",
        "bad-liid-26": pspdu(header(liid=b"L" * 26), tri(3)),
        # found by fuzz_der: a 9-octet INTEGER lost its first octet (seq 2^64 + 5 read as 5)
        "bad-seq-9-octets": pspdu(header(seqno=(1 << 64) + 5), tri(3)),
        "bad-no-seq": seq(cons(1, prim(1, b"A"), cons(3, cons(0, prim(0, b"OP")))),
                          cons(2, tri(3))),
    }
    sess, sess_bad = session_pdus()
    pdus.update(sess)
    bad.update(sess_bad)
    for name, b in list(pdus.items()) + list(bad.items()):
        put("pdu", name, b)

    # Streams: k, k chunk sizes, then the PDUs back to back.
    allp = b"".join(pdus[n] for n in ("ipcc-v4", "ipiri-v4-mask", "keepalive", "ipcc-long",
                                      "ipcc-v6", "keepalive-response"))
    put("stream", "whole", b"\x00" + allp)
    put("stream", "bytewise", b"\x01\x01" + allp)
    put("stream", "mixed", b"\x04\x07\x00\xc8\x03" + allp)
    put("stream", "cut-at-end", b"\x02\x10\x80" + allp[:-9])
    put("stream", "garbage-between", b"\x02\x05\x40" + pdus["ipcc-v4"] + b"\x31\x00" +
        pdus["keepalive"])
    put("stream", "gap", b"\x01\x20" + pdus["ipcc-v4"] + pspdu(header(seqno=5), ipcc(pkt4)))

    # Configs
    srcs = [os.path.join(ROOT, "conf", "lawtap.conf")]
    for d in (os.path.join(ROOT, "examples"), os.path.join(ROOT, "test", "unit", "mgmt", "configs")):
        if os.path.isdir(d):
            srcs += sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".conf"))
    for s in srcs:
        if os.path.exists(s):
            rel = os.path.relpath(s, ROOT).replace(os.sep, "-")
            put("config", rel, open(s, "rb").read())
    put("config", "gencap-lawtap.conf", gconf)

    # fuzz_der: op byte, tag byte, values (see fuzz_der.c)
    def op(o, tag, *vals):
        return bytes([o, tag]) + b"".join(vals)
    q = lambda v: struct.pack("!Q", v & (2 ** 64 - 1))
    u32 = lambda v: struct.pack("!I", v)
    put("der", "ints", op(0, 0x02, q(0)) + op(0, 0x02, q(-1)) + op(0, 0x80, q(128)) +
        op(0, 0x3f, b"\x00\x01\x00", q(2 ** 63 - 1)))
    put("der", "uints", op(1, 0x84, q(2 ** 64 - 1), b"\x00") + op(1, 0x81, q(255), b"\x00") +
        op(1, 0x02, q(2 ** 32), b"\x08"))
    put("der", "lengths", op(2, 0x10, u32(0)) + op(2, 0x23, u32(127)) + op(2, 0x23, u32(128)) +
        op(2, 0xa1, u32(300)) + op(2, 0xa1, u32(70000)) + op(2, 0x30, u32(2 ** 31)))
    put("der", "oids", op(3, 0x80, b"\x08", *[u32(a) + b"\x00" for a in [0, 4, 0, 2, 2, 5, 1, 40]]) +
        op(3, 0x06, b"\x03", u32(2) + b"\x00", u32(999) + b"\x00", u32(3) + b"\x00") +
        op(4, 0x80, b"\x04", *[u32(a) + b"\x00" for a in [5, 3, 20, 2]]))
    put("der", "times", op(5, 0x85, q(T), b"\x00", u32(123456), b"\x00") +
        op(5, 0x18, q(0), b"\x00", u32(0), b"\x00") +
        op(5, 0x8a, q(253402300799), b"\x00", u32(999999), b"\x00"))
    put("der", "octets", op(6, 0x81, b"\x00\x08", b"NZP-0001") + op(6, 0x9f, b"\x00\x00"))
    reads = pdus["ipiri-v6-prefix"] + b"\x02\x09\x01" + bytes(8) + b"\x18\x0f20261122030060Z"
    put("der", "read-pdu", b"\x07" + struct.pack("!H", len(reads)) + reads)
    print("make-seeds: %d files in %s" % (sum(len(f) for _, _, f in os.walk(OUT)), OUT))


if __name__ == "__main__":
    main()
