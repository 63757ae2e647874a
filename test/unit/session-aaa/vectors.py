#!/usr/bin/env python3
"""vectors.py - prints the RADIUS vectors of test_radius.c, computed with hashlib (independent of the C code)."""
import hashlib, struct
def attr(t, v): return bytes([t, len(v)+2]) + v
def u32(t, x): return attr(t, struct.pack('>I', x))
secret = b"s3cret"
reqauth = bytes.fromhex("5e1d3a77c2094b8e9f10a6b4d3c2e1f0")
req_attrs = attr(1, b"alice") + attr(4, bytes([192,0,2,1])) + u32(5, 7)
req = bytes([1, 0x2a]) + struct.pack('>H', 20+len(req_attrs)) + reqauth + req_attrs
acc_attrs = attr(8, bytes([100,64,0,7])) + attr(97, bytes([0,64]) + bytes.fromhex("20010db800000007")) + attr(25, b"c1")
L = 20 + len(acc_attrs)
acc_auth = hashlib.md5(bytes([2, 0x2a]) + struct.pack('>H', L) + reqauth + acc_attrs + secret).digest()
acc = bytes([2, 0x2a]) + struct.pack('>H', L) + acc_auth + acc_attrs
st_attrs = u32(40, 2) + attr(1, b"alice") + attr(44, b"0000002A") + attr(4, bytes([192,0,2,1])) + attr(8, bytes([100,64,0,7])) + u32(42, 0x10) + u32(43, 0x20) + u32(52, 1) + u32(53, 2) + u32(46, 3600) + u32(49, 1) + u32(55, 1700000000)
L = 20 + len(st_attrs)
st_auth = hashlib.md5(bytes([4, 7]) + struct.pack('>H', L) + bytes(16) + st_attrs + secret).digest()
st = bytes([4, 7]) + struct.pack('>H', L) + st_auth + st_attrs
def c(name, b):
    print("static const uint8_t %s[%d] = {" % (name, len(b)))
    for i in range(0, len(b), 12):
        print("\t" + " ".join("0x%02x," % x for x in b[i:i+12]))
    print("};")
c("access_request", req); c("access_accept", acc); c("acct_stop", st)
