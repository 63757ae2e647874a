# gen-call-seeds.py - seed inputs of fuzz_calls (records: op, 2-byte length, data) from the SIP corpus.
# Run from anywhere: python3 gen-call-seeds.py <repository root>
import os, struct, sys
root = sys.argv[1]
sip = os.path.join(root, "test/fuzz/corpus/sip")
out = os.path.join(root, "test/fuzz/corpus/calls")
os.makedirs(out, exist_ok=True)
m = {n: open(os.path.join(sip, n), "rb").read() for n in
     ("invite", "trying", "ringing", "ok", "ack", "reinvite", "bye", "cancel", "register", "compact")}

def rec(op, data):
    return struct.pack(">BH", op, len(data)) + data

def udp(name, callee=0):
    return rec(0 | (callee << 2), m[name])

def media(a, b):
    return rec(1, bytes([a, b]))

def tick(steps):
    return rec(2, bytes([steps]))

bye_ok = m["bye"].split(b"\r\n", 1)[1].replace(b"Max-Forwards: 70\r\n", b"")
bye_ok = b"SIP/2.0 200 OK\r\n" + bye_ok
c487 = m["trying"].replace(b"100 Trying", b"487 Request Terminated")

seeds = {
 "call": udp("invite") + udp("trying", 1) + udp("ringing", 1) + udp("ok", 1) +
   udp("ack") + media(2, 3) + media(3, 2) + media(5, 2) + media(2, 5) +
   udp("reinvite") + media(2, 3) + udp("bye", 1) + rec(0, bye_ok) + udp("bye", 1),
 "cancel": udp("invite") + udp("ringing", 1) + udp("cancel") + rec(4, c487) + udp("ack"),
 "timeout": udp("invite") + udp("ok", 1) + tick(255) + tick(255) + media(2, 3),
 "register-compact": udp("register") + udp("compact") + tick(40) + udp("compact"),
}
tcp = m["invite"] + b"\r\n\r\n" + m["ack"]
segs = rec(3, struct.pack(">IB", 1000, 0x02))
seq = 1001
for i in range(0, len(tcp), 300):
    part = tcp[i:i + 300]
    segs += rec(3, struct.pack(">IB", seq, 0) + part)
    seq += len(part)
segs += rec(3, struct.pack(">IB", 1001, 0) + tcp[:100])
segs += rec(3, struct.pack(">IB", seq, 0x01))
seeds["tcp"] = segs
for n, b in seeds.items():
    open(os.path.join(out, n), "wb").write(b)
