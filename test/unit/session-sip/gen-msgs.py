# gen-msgs.py - writes msgs.h and the fuzz seed corpora (corpus/sip, corpus/sdp) from one list.
# Run from anywhere: python3 gen-msgs.py <repository root>
import os, sys
root = sys.argv[1]

SDP_OFFER = ("v=0\r\n"
 "o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\r\n"
 "s=-\r\n"
 "c=IN IP4 192.0.2.101\r\n"
 "t=0 0\r\n"
 "m=audio 49172 RTP/AVP 0 8 101\r\n"
 "a=rtpmap:0 PCMU/8000\r\n"
 "a=rtpmap:101 telephone-event/8000\r\n"
 "a=sendrecv\r\n")
SDP_ANSWER = ("v=0\r\n"
 "o=bob 2808844564 2808844564 IN IP4 biloxi.example.com\r\n"
 "s=-\r\n"
 "c=IN IP4 192.0.2.201\r\n"
 "t=0 0\r\n"
 "m=audio 3456 RTP/AVP 0\r\n"
 "a=rtpmap:0 PCMU/8000\r\n")
SDP_HOLD = ("v=0\r\n"
 "o=alice 2890844526 2890844527 IN IP4 pc33.atlanta.example.com\r\n"
 "s=-\r\n"
 "c=IN IP4 192.0.2.101\r\n"
 "t=0 0\r\n"
 "m=audio 49172 RTP/AVP 0\r\n"
 "a=sendonly\r\n")
SDP_V6 = ("v=0\n"
 "o=- 1 1 IN IP6 2001:db8::1\n"
 "s=call\n"
 "c=IN IP6 2001:db8::1\n"
 "t=0 0\n"
 "a=recvonly\n"
 "m=audio 5004 RTP/AVP 0\n"
 "m=video 5006 RTP/AVP 96\n"
 "c=IN IP6 2001:DB8:0:0:0:0:0:2\n"
 "a=inactive\n")
SDP_MULTI = ("v=0\r\n"
 "o=carol 28908764872 28908764872 IN IP4 100.3.6.6\r\n"
 "s=-\r\n"
 "t=0 0\r\n"
 "c=IN IP4 224.2.17.12/127\r\n"
 "m=audio 49170 RTP/AVP 0\r\n"
 "a=rtcp:53020\r\n"
 "m=video 51372/2 RTP/AVP 99\r\n"
 "c=IN IP4 198.51.100.7\r\n"
 "a=rtcp:53022 IN IP4 198.51.100.8\r\n"
 "a=rtpmap:99 h263-1998/90000\r\n"
 "m=audio 0 RTP/AVP 0\r\n"
 "m=audio 49180 RTP/SAVPF 111\r\n"
 "a=rtcp-mux\r\n"
 "a=rtcp:49180 IN IP6 2001:db8::7\r\n"
 "a=x-unknown:whatever\r\n")

def msg(start, hdrs, body=""):
    s = start + "\r\n" + "".join(h + "\r\n" for h in hdrs)
    if "%d" in s:
        s = s.replace("%d", str(len(body.encode())))
    return s + "\r\n" + body

VIA = "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds"
DLG = ["To: Bob <sip:bob@biloxi.example.com>",
       "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
       "Call-ID: a84b4c76e66710@pc33.atlanta.example.com"]
RVIA = [VIA + ";received=192.0.2.101"]
TOTAG = ["To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf",
         DLG[1], DLG[2]]

M = [
 ("invite", msg("INVITE sip:bob@biloxi.example.com SIP/2.0",
   [VIA, "Max-Forwards: 70"] + DLG + ["CSeq: 314159 INVITE",
    "Contact: <sip:alice@pc33.atlanta.example.com>",
    "P-Asserted-Identity: \"Alice\" <sip:alice@atlanta.example.com>, <tel:+1-555-123-4567>",
    "P-Asserted-Identity: <sip:+15551234567@atlanta.example.com;user=phone>",
    "Content-Type: application/sdp", "Content-Length: %d"], SDP_OFFER)),
 ("trying", msg("SIP/2.0 100 Trying",
   RVIA + DLG + ["CSeq: 314159 INVITE", "Content-Length: 0"])),
 ("ringing", msg("SIP/2.0 180 Ringing",
   RVIA + TOTAG + ["CSeq: 314159 INVITE",
    "Contact: <sip:bob@192.0.2.4>", "Content-Type: application/sdp",
    "Content-Length: %d"], SDP_ANSWER)),
 ("ok", msg("SIP/2.0 200 OK",
   ["Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bK4b43c2ff8.1;received=192.0.2.3",
    "Via: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2, "
    "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1"]
   + TOTAG + ["CSeq: 314159 INVITE", "Contact: <sip:bob@192.0.2.4>",
    "Content-Type: application/sdp", "Content-Length: %d"], SDP_ANSWER)),
 ("ack", msg("ACK sip:bob@192.0.2.4 SIP/2.0",
   ["Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds9",
    "Max-Forwards: 70"] + TOTAG + ["CSeq: 314159 ACK", "Content-Length: 0"])),
 ("reinvite", msg("INVITE sip:bob@192.0.2.4 SIP/2.0",
   ["Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds10",
    "Max-Forwards: 70"] + TOTAG + ["CSeq: 314160 INVITE",
    "Contact: <sip:alice@pc33.atlanta.example.com>",
    "Content-Type: application/sdp", "Content-Length: %d"], SDP_HOLD)),
 ("bye", msg("BYE sip:alice@pc33.atlanta.example.com SIP/2.0",
   ["Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10",
    "Max-Forwards: 70",
    "From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf",
    "To: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
    DLG[2], "CSeq: 231 BYE", "Content-Length: 0"])),
 ("cancel", msg("CANCEL sip:bob@biloxi.example.com SIP/2.0",
   [VIA, "Max-Forwards: 70"] + DLG + ["CSeq: 314159 CANCEL",
    "Content-Length: 0"])),
 ("register", msg("REGISTER sip:registrar.biloxi.example.com SIP/2.0",
   ["Via: SIP/2.0/TCP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7",
    "Max-Forwards: 70",
    "To: Bob <sip:bob@biloxi.example.com>",
    "From: Bob <sip:bob@biloxi.example.com>;tag=456248",
    "Call-ID: 843817637684230@998sdasdh09",
    "CSeq: 1827 REGISTER",
    "Contact: <sip:bob@192.0.2.4>;expires=3600",
    "Authorization: Digest username=\"bob\", realm=\"biloxi.example.com\", "
    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:registrar.biloxi.example.com\", "
    "response=\"245f23415f11432b3434341c022\"",
    "Expires: 7200", "Content-Length: 0"])),
 ("compact", msg("INVITE sip:%2Bcarol@chicago.example.com;user=phone SIP/2.0",
   ["v: SIP/2.0/TCP client.atlanta.example.com:5060",
    " ;branch=z9hG4bK74bf9",
    "max-forwards:70",
    "f:  \"Alice, A.\"",
    "\t<sips:Alice@atlanta.example.com>;tag=9fxced76sl",
    "t : <tel:+1-312-555-(0100)>",
    "i:3848276298220188511@atlanta.example.com",
    "CSEQ:1 INVITE",
    "m: <sip:alice@client.atlanta.example.com;transport=tcp>",
    "Proxy-Authorization: Digest username=\"alice\",realm=\"atlanta.example.com\"",
    "Remote-Party-ID: \"Alice\" <sip:alice@atlanta.example.com>;party=calling",
    "c: application/sdp",
    "l:   %d"], SDP_V6)),
]
SDPS = [("offer", SDP_OFFER), ("answer", SDP_ANSWER), ("hold", SDP_HOLD),
        ("v6", SDP_V6), ("multi", SDP_MULTI)]

def cstr(s):
    out = []
    for line in s.encode().split(b"\n"):
        out.append(line)
    parts = []
    raw = s.encode()
    cur = ""
    for b in raw:
        c = chr(b)
        if c == "\r": cur += "\\r"
        elif c == "\n":
            cur += "\\n"; parts.append(cur); cur = ""
        elif c == "\"": cur += "\\\""
        elif c == "\\": cur += "\\\\"
        elif c == "\t": cur += "\\t"
        else: cur += c
    if cur: parts.append(cur)
    return "\n".join("\t\"%s\"" % p for p in parts)

with open(os.path.join(root, "test/unit/session-sip/msgs.h"), "w") as f:
    f.write("/* msgs.h - real-shaped SIP messages and SDP bodies (RFC 3665 call flows) for the tests. */\n")
    f.write("#ifndef LT_TEST_SIP_MSGS_H\n#define LT_TEST_SIP_MSGS_H\n\n")
    for n, s in SDPS:
        f.write("#define SDP_%s \\\n%s\n\n" % (n.upper(), cstr(s).replace("\n", " \\\n")))
    for n, s in M:
        f.write("#define MSG_%s \\\n%s\n\n" % (n.upper(), cstr(s).replace("\n", " \\\n")))
    f.write("#endif\n")
for n, s in M:
    d = os.path.join(root, "test/fuzz/corpus/sip"); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, n), "wb").write(s.encode())
d = os.path.join(root, "test/fuzz/corpus/sip")
open(os.path.join(d, "tcp-two"), "wb").write(("\r\n\r\n" + M[0][1] + M[1][1]).encode())
for n, s in SDPS:
    d = os.path.join(root, "test/fuzz/corpus/sdp"); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, n), "wb").write(s.encode())
