#!/usr/bin/env python3
# sipp2expect.py PCAP OUTDIR - from a capture of sippcap.sh alone, what each LIID must get:
# OUTDIR/sipp.conf (sip servers 10.199.0.2-.4; W-BOB names sip:bob@* for police, W-CARL
# sip:carl@10.199.0.3 for customs; dan's calls are nobody's) and OUTDIR/sipp.expect.json
# in sipcheck.py's form.
#
# The model, worked out here independently of lawtap's code: a call is a Call-ID whose
# INVITE's Request-URI names the target; every SIP message of it is an IRI (Begin first),
# the final response to its BYE is the End and anything later is not sent.  The SDP in a
# message says where its sender receives RTP (port) and RTCP (port + 1); a UDP packet to
# one of those addresses goes to that side, else one from them comes from that side, while
# the call is on.  The target is the callee: toTarget when the packet goes to the callee.
import hashlib, json, os, re, socket, struct, sys

SERVERS = ("10.199.0.2", "10.199.0.3", "10.199.0.4")
WARRANTS = {"W-BOB": ("police", lambda user, host: user == "bob"),
            "W-CARL": ("customs", lambda user, host: user == "carl" and host == "10.199.0.3")}


def packets(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    link = struct.unpack(end + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        ts, tfrac, cap, _ = struct.unpack(end + "IIII", data[off:off + 16])
        fr = data[off + 16:off + 16 + cap]
        off += 16 + cap
        if link == 1:
            ip = fr[14:] if fr[12:14] == b"\x08\x00" else None
        elif link == 113:
            ip = fr[16:] if fr[14:16] == b"\x08\x00" else None
        elif link == 276:
            ip = fr[20:] if fr[0:2] == b"\x08\x00" else None
        else:
            ip = fr
        if not ip or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        hl = (ip[0] & 15) * 4
        src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
        sport, dport, ulen = struct.unpack("!HHH", ip[hl:hl + 6])
        yield src, sport, dst, dport, ip[hl + 8:hl + ulen]


def parse_sip(b):
    head, _, body = b.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    h = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        h.setdefault(k.strip().lower(), v.strip())
    return lines[0], h, body


def sdp_ep(body):
    m = re.search(rb"c=IN IP4 ([0-9.]+)", body)
    p = re.search(rb"m=audio (\d+)", body)
    return (m.group(1).decode(), int(p.group(1))) if m and p else None


def main(pcap, outdir):
    exp = {w: [] for w in WARRANTS}
    calls = {}          # Call-ID -> {"liids", "ended", "msgs", "caller_tag"}
    eps = {}            # (ip, port) -> (Call-ID, side)
    for src, sport, dst, dport, pay in packets(pcap):
        if (src in SERVERS or dst in SERVERS) and 5060 in (sport, dport):
            start, h, body = parse_sip(pay)
            cid = h.get("call-id") or h.get("i")
            if cid not in calls:
                m = re.match(r"INVITE sip:([^@]+)@([^:;> ]+)", start)
                liids = [w for w, (_, f) in WARRANTS.items() if m and f(m.group(1), m.group(2))]
                if not liids:
                    continue
                ftag = re.search(r"tag=([^;>\s]+)", h.get("from", "")).group(1)
                calls[cid] = {"liids": liids, "ended": False, "n": 0, "tag0": ftag}
            c = calls[cid]
            if c["ended"]:
                continue
            ftag = re.search(r"tag=([^;>\s]+)", h.get("from", "")).group(1)
            is_req = not start.startswith("SIP/2.0")
            sender = (0 if ftag == c["tag0"] else 1) if is_req else (1 if ftag == c["tag0"] else 0)
            final_bye = (not is_req and h.get("cseq", "").endswith("BYE") and
                         int(start.split()[1]) >= 200)
            for w in c["liids"]:
                exp[w].append({"kind": "IRI", "call": cid,
                               "iri_type": "end" if final_bye else
                               ("begin" if c["n"] == 0 else "continue"),
                               "sip": pay.decode("latin-1")})
            c["n"] += 1
            if final_bye:
                c["ended"] = True
                for k in [k for k, v in eps.items() if v[0] == cid]:
                    del eps[k]
                continue
            ep = sdp_ep(body)
            if ep:
                for k in [k for k, v in eps.items() if v == (cid, sender)]:
                    del eps[k]
                eps[ep] = (cid, sender)
                eps[(ep[0], ep[1] + 1)] = (cid, sender)
            continue
        hit = eps.get((dst, dport))
        to_side = hit[1] if hit else None
        if hit is None and (src, sport) in eps:
            hit = eps[(src, sport)]
            to_side = 1 - hit[1]
        if hit is None:
            continue
        for w in calls[hit[0]]["liids"]:
            exp[w].append({"kind": "CC", "call": hit[0], "stream_id": "0",
                           "dir": "toTarget" if to_side == 1 else "fromTarget",
                           "payload_sha256": hashlib.sha256(pay).hexdigest()})
    conf = """# lawtap configuration written by test/e2e/sip/sipp2expect.py for sipp.pcap
operator: { id = "ExampleTel"; network_element = "lawtap-1"; country = "NZ"; };
delivery: { queue_mb = 16; reconnect_interval = 1; unreachable_timeout = 10; };
agencies = (
  { id = "police"; hi2 = "127.0.0.1:40202"; hi3 = "127.0.0.1:40203";
    keepalive = 300; keepalive_timeout = 60; pspdu_version = 40; },
  { id = "customs"; hi2 = "127.0.0.1:40212"; hi3 = "127.0.0.1:40213";
    keepalive = 300; keepalive_timeout = 60; pspdu_version = 40; }
);
sip: { servers = [ "10.199.0.2", "10.199.0.3", "10.199.0.4" ]; };
warrants = (
  { liid = "W-BOB"; agency = "police"; cin = 1; content = "both"; sip_uris = [ "sip:bob@*" ]; },
  { liid = "W-CARL"; agency = "customs"; cin = 2; content = "both";
    sip_uris = [ "sip:carl@10.199.0.3" ]; }
);
"""
    with open(os.path.join(outdir, "sipp.conf"), "w") as f:
        f.write(conf)
    with open(os.path.join(outdir, "sipp.expect.json"), "w") as f:
        json.dump(exp, f, indent=1)
    print("sipp2expect: %s" % ", ".join("%s %d IRI %d CC" % (
        w, sum(r["kind"] == "IRI" for r in v), sum(r["kind"] == "CC" for r in v))
        for w, v in exp.items()))
    bad = [w for w, v in exp.items() if not any(r["kind"] == "CC" for r in v) or
           sum(r["iri_type"] == "end" for r in v if r["kind"] == "IRI") != 2]
    if bad:
        print("sipp2expect: the capture does not hold two whole calls with media for %s" % bad)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
