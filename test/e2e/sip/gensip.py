#!/usr/bin/env python3
# gensip.py - generated VoIP cases for the e2e-sip suite: OUTDIR/gen-sip.pcap (Ethernet),
# OUTDIR/gen-sip.conf (agencies police on 127.0.0.1:40202/40203, customs on 40212/40213)
# and OUTDIR/gen-sip.expect.json: for each LIID, the records it must get, in order.
#
# Calls (the SIP server is 192.0.2.10:5060; each UA talks to it directly):
#   c1 UDP  alice -> bob (W-BOB): INVITE retransmitted, 100, 180, 200+SDP, ACK, RTP and
#           RTCP both ways, a re-INVITE from bob moving his media (old address dropped),
#           BYE and 200; RTP to the old address after the move is not bob's
#   c2 TCP  carol -> dave, carol named by P-Asserted-Identity (W-CAROL) and dave by the
#           Request-URI (W-DAVE, customs): two targets in one call; segments split
#           inside messages and two messages in one segment
#   c3 UDP  frank -> bob: an INVITE of 3 KB in IPv4 fragments, then 486: End
#   c4 UDP  erin -> gina (W-ERIN by tel: number in the To): never a BYE; the call
#           timeout (60 s) ends it with an empty sIPContent
#   c5 UDP  zoe -> yves: nobody's; its RTP too
import hashlib, json, os, socket, struct, sys

SERVER = "192.0.2.10"
T0 = 1_794_052_800_000_000          # 2026-11-10T12:00:00Z in us


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Cap:
    def __init__(self):
        self.rows = []
        self.ts = T0
        self.ipid = 1
        self.tcpseq = {}

    def tick(self, us=2000):
        self.ts += us

    def ip4(self, src, dst, proto, body, ident=None, off=0, mf=False):
        if ident is None:
            ident = self.ipid = (self.ipid + 1) & 0xFFFF
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), ident,
                        (0x2000 if mf else 0) | (off // 8), 64, proto, 0,
                        socket.inet_aton(src), socket.inet_aton(dst))
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
        return h + body

    def frame(self, ip):
        self.rows.append((self.ts, b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip))
        self.tick()

    def udp(self, src, sport, dst, dport, data, frag=0):
        dg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
        if not frag:
            self.frame(self.ip4(src, dst, 17, dg))
            return
        self.ipid = ident = (self.ipid + 1) & 0xFFFF
        for off in range(0, len(dg), frag):
            part = dg[off:off + frag]
            self.frame(self.ip4(src, dst, 17, part, ident, off, off + frag < len(dg)))

    def tcp(self, src, sport, dst, dport, data=b"", flags=0x18):
        k = (src, sport, dst, dport)
        if k not in self.tcpseq:
            self.tcpseq[k] = 1000
        seq = self.tcpseq[k]
        seg = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0)
        self.frame(self.ip4(src, dst, 6, seg + data))
        self.tcpseq[k] = seq + len(data) + (1 if flags & 0x03 else 0)


def sdp(addr, port, extra=""):
    return ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n%s" % (addr, addr, port, extra))


def msg(start, call_id, frm, ftag, to, ttag, cseq, method, extra="", body="", via="UDP"):
    to_h = "<%s>" % to + (";tag=%s" % ttag if ttag else "")
    s = ("%s\r\nVia: SIP/2.0/%s 192.0.2.99:5060;branch=z9hG4bK%s%d%s\r\nMax-Forwards: 70\r\n"
         "From: <%s>;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n%s"
         % (start, via, call_id, cseq, method, frm, ftag, to_h, call_id, cseq, method, extra))
    if body:
        s += "Content-Type: application/sdp\r\n"
    s += "Content-Length: %d\r\n\r\n%s" % (len(body.encode()), body)
    return s.encode()


class Expect:
    def __init__(self):
        self.by = {}

    def iri(self, liid, call, typ, sip):
        self.by.setdefault(liid, []).append({"kind": "IRI", "call": call, "iri_type": typ,
                                             "sip": sip.decode("latin-1")})

    def cc(self, liid, call, d, payload):
        self.by.setdefault(liid, []).append({"kind": "CC", "call": call, "dir": d,
                                             "stream_id": "0",
                                             "payload_sha256": hashlib.sha256(payload).hexdigest()})


def rtp(seq, tag):
    return struct.pack("!BBHII", 0x80, 0, seq, seq * 160, 0x1234) + tag.encode() * 20


def main(outdir):
    c, e = Cap(), Expect()

    # c1: alice (192.0.2.1) calls bob (192.0.2.2); W-BOB
    A, B = "192.0.2.1", "192.0.2.2"
    cid, al, bo = "c1@192.0.2.1", "sip:alice@a.example", "sip:bob@b.example"

    def sig1(src, data, liids, typ):
        c.udp(src, 5060, SERVER, 5060, data)
        for lid in liids:
            e.iri(lid, "c1", typ, data)

    inv = msg("INVITE %s SIP/2.0" % bo, cid, al, "ta", bo, None, 1, "INVITE", body=sdp(A, 4000))
    sig1(A, inv, ["W-BOB"], "begin")
    sig1(A, inv, ["W-BOB"], "continue")
    sig1(B, msg("SIP/2.0 100 Trying", cid, al, "ta", bo, None, 1, "INVITE"), ["W-BOB"], "continue")
    sig1(B, msg("SIP/2.0 180 Ringing", cid, al, "ta", bo, "tb", 1, "INVITE"), ["W-BOB"], "continue")
    sig1(B, msg("SIP/2.0 200 OK", cid, al, "ta", bo, "tb", 1, "INVITE", body=sdp(B, 5000)),
         ["W-BOB"], "continue")
    sig1(A, msg("ACK %s SIP/2.0" % bo, cid, al, "ta", bo, "tb", 1, "ACK"), ["W-BOB"], "continue")
    for i in range(3):
        p = rtp(i, "a")
        c.udp(A, 4000, B, 5000, p)
        e.cc("W-BOB", "c1", "toTarget", p)
        p = rtp(100 + i, "b")
        c.udp(B, 5000, A, 4000, p)
        e.cc("W-BOB", "c1", "fromTarget", p)
    p = b"\x81\xc8\x00\x06" + b"r" * 24
    c.udp(A, 4001, B, 5001, p)                      # RTCP on port + 1
    e.cc("W-BOB", "c1", "toTarget", p)
    # bob moves to 192.0.2.3:6000
    B2 = "192.0.2.3"
    sig1(B, msg("INVITE %s SIP/2.0" % al, cid, bo, "tb", al, "ta", 7, "INVITE",
                body=sdp(B2, 6000)), ["W-BOB"], "continue")
    sig1(A, msg("SIP/2.0 200 OK", cid, bo, "tb", al, "ta", 7, "INVITE", body=sdp(A, 4000)),
         ["W-BOB"], "continue")
    sig1(B2, msg("ACK %s SIP/2.0" % al, cid, bo, "tb", al, "ta", 7, "ACK"), ["W-BOB"], "continue")
    c.udp("198.51.100.77", 9, B, 5000, rtp(7, "x"))  # the old address: nobody's now
    for i in range(2):
        p = rtp(200 + i, "c")
        c.udp(A, 4000, B2, 6000, p)
        e.cc("W-BOB", "c1", "toTarget", p)
    sig1(A, msg("BYE %s SIP/2.0" % bo, cid, al, "ta", bo, "tb", 2, "BYE"), ["W-BOB"], "continue")
    sig1(B2, msg("SIP/2.0 200 OK", cid, al, "ta", bo, "tb", 2, "BYE"), ["W-BOB"], "end")
    c.udp(A, 4000, B2, 6000, rtp(300, "z"))         # after the end: nobody's

    # c2: carol (192.0.2.11) -> dave (192.0.2.12) over TCP; W-CAROL (PAI) and W-DAVE
    C, D = "192.0.2.11", "192.0.2.12"
    cid, ca, da = "c2@192.0.2.11", "sip:c.anon@c.example", "sip:dave@d.example"
    both = ["W-DAVE", "W-CAROL"]    # in the order the tracker finds them (R-URI before PAI)
    c.tcp(C, 40000, SERVER, 5060, flags=0x02)
    c.tcp(D, 40001, SERVER, 5060, flags=0x02)
    inv = msg("INVITE %s SIP/2.0" % da, cid, ca, "tc", da, None, 1, "INVITE",
              extra="P-Asserted-Identity: <sip:carol@c.example>\r\n", body=sdp(C, 4100),
              via="TCP")
    for lid in both:
        e.iri(lid, "c2", "begin", inv)
    c.tcp(C, 40000, SERVER, 5060, inv[:50])
    c.tcp(C, 40000, SERVER, 5060, inv[50:300])
    c.tcp(C, 40000, SERVER, 5060, inv[300:])
    ring = msg("SIP/2.0 180 Ringing", cid, ca, "tc", da, "td", 1, "INVITE", via="TCP")
    ok = msg("SIP/2.0 200 OK", cid, ca, "tc", da, "td", 1, "INVITE", body=sdp(D, 5100), via="TCP")
    c.tcp(D, 40001, SERVER, 5060, ring + ok[:100])
    c.tcp(D, 40001, SERVER, 5060, ok[100:])
    for m in (ring, ok):
        for lid in both:
            e.iri(lid, "c2", "continue", m)
    ack = msg("ACK %s SIP/2.0" % da, cid, ca, "tc", da, "td", 1, "ACK", via="TCP")
    c.tcp(C, 40000, SERVER, 5060, ack)
    for lid in both:
        e.iri(lid, "c2", "continue", ack)
    p = rtp(1, "d")
    c.udp(D, 5100, C, 4100, p)
    e.cc("W-DAVE", "c2", "fromTarget", p)
    e.cc("W-CAROL", "c2", "toTarget", p)
    bye = msg("BYE %s SIP/2.0" % ca, cid, da, "td", ca, "tc", 5, "BYE", via="TCP")
    byeok = msg("SIP/2.0 200 OK", cid, da, "td", ca, "tc", 5, "BYE", via="TCP")
    c.tcp(D, 40001, SERVER, 5060, bye)
    c.tcp(C, 40000, SERVER, 5060, byeok)
    for lid in both:
        e.iri(lid, "c2", "continue", bye)
        e.iri(lid, "c2", "end", byeok)

    # c3: a fragmented INVITE to bob, then busy
    F = "192.0.2.21"
    cid = "c3@192.0.2.21"
    big = msg("INVITE %s SIP/2.0" % bo, cid, "sip:frank@f.example", "tf", bo, None, 1, "INVITE",
              extra="X-Pad: %s\r\n" % ("p" * 2500), body=sdp(F, 4200))
    c.udp(F, 5060, SERVER, 5060, big, frag=1200)
    e.iri("W-BOB", "c3", "begin", big)
    busy = msg("SIP/2.0 486 Busy Here", cid, "sip:frank@f.example", "tf", bo, "tb3", 1, "INVITE")
    c.udp(SERVER, 5060, F, 5060, busy)
    e.iri("W-BOB", "c3", "end", busy)

    # c4: erin -> gina, never a BYE; W-ERIN names gina's number
    E, G = "192.0.2.31", "192.0.2.32"
    cid, er, gi = "c4@192.0.2.31", "sip:erin@e.example", "sip:+64215550100@g.example;user=phone"
    m1 = msg("INVITE %s SIP/2.0" % gi, cid, er, "te", gi, None, 1, "INVITE", body=sdp(E, 4300))
    m2 = msg("SIP/2.0 200 OK", cid, er, "te", gi, "tg", 1, "INVITE", body=sdp(G, 5300))
    m3 = msg("ACK %s SIP/2.0" % gi, cid, er, "te", gi, "tg", 1, "ACK")
    for m, src, typ in ((m1, E, "begin"), (m2, G, "continue"), (m3, E, "continue")):
        c.udp(src, 5060, SERVER, 5060, m)
        e.iri("W-ERIN", "c4", typ, m)
    p = rtp(5, "e")
    c.udp(E, 4300, G, 5300, p)
    e.cc("W-ERIN", "c4", "toTarget", p)

    # c5: nobody's call and media
    Z, Y = "192.0.2.41", "192.0.2.42"
    cid = "c5@192.0.2.41"
    c.udp(Z, 5060, SERVER, 5060, msg("INVITE sip:yves@y.example SIP/2.0", cid, "sip:zoe@z.example",
                                     "tz", "sip:yves@y.example", None, 1, "INVITE",
                                     body=sdp(Z, 4400)))
    c.udp(Y, 5060, SERVER, 5060, msg("SIP/2.0 200 OK", cid, "sip:zoe@z.example", "tz",
                                     "sip:yves@y.example", "ty", 1, "INVITE", body=sdp(Y, 5400)))
    c.udp(Z, 4400, Y, 5400, rtp(9, "n"))

    # 70 s later: c4's call timeout (60 s) has passed
    c.tick(70_000_000)
    c.udp("198.51.100.1", 1000, "198.51.100.2", 2000, b"later")
    e.iri("W-ERIN", "c4", "end", b"")

    with open(os.path.join(outdir, "gen-sip.pcap"), "wb") as fp:
        fp.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts, fr in c.rows:
            fp.write(struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(fr), len(fr)))
            fp.write(fr)
    conf = """# lawtap configuration written by test/e2e/sip/gensip.py for gen-sip.pcap
operator: { id = "ExampleTel"; network_element = "lawtap-1"; country = "NZ"; };
delivery: { queue_mb = 16; reconnect_interval = 1; unreachable_timeout = 10; };
agencies = (
  { id = "police"; hi2 = "127.0.0.1:40202"; hi3 = "127.0.0.1:40203";
    keepalive = 300; keepalive_timeout = 60; pspdu_version = 40; },
  { id = "customs"; hi2 = "127.0.0.1:40212"; hi3 = "127.0.0.1:40213";
    keepalive = 300; keepalive_timeout = 60; pspdu_version = 40; }
);
sip: { servers = [ "192.0.2.10" ]; ports = [ 5060 ]; call_timeout = 60; };
warrants = (
  { liid = "W-BOB"; agency = "police"; cin = 1; content = "both";
    sip_uris = [ "sip:bob@b.example" ]; },
  { liid = "W-CAROL"; agency = "police"; cin = 2; content = "both";
    sip_uris = [ "sip:carol@c.example" ]; },
  { liid = "W-DAVE"; agency = "customs"; cin = 3; content = "both";
    sip_uris = [ "sip:dave@*" ]; },
  { liid = "W-ERIN"; agency = "police"; cin = 4; content = "both";
    sip_uris = [ "tel:+64-21-555-0100" ]; }
);
"""
    with open(os.path.join(outdir, "gen-sip.conf"), "w") as fp:
        fp.write(conf)
    with open(os.path.join(outdir, "gen-sip.expect.json"), "w") as fp:
        json.dump(e.by, fp, indent=1)
    print("gensip: gen-sip.pcap (%d frames), gen-sip.conf, gen-sip.expect.json" % len(c.rows))


if __name__ == "__main__":
    main(sys.argv[1])
