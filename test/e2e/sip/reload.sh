#!/usr/bin/env bash
# reload.sh - SIP warrants applied live: a running `lawtap run` on a live port
# sees a call of alice (W-ALICE) and bob (W-BOB) set up with media, then
# SIGHUP with a configuration that drops W-ALICE and adds W-CARL and W-BOBX
# (bob again, another warrant).  W-ALICE gets its End at the reload and
# nothing after; W-BOB keeps its call, CIN and sequence numbers to the BYE;
# W-CARL takes a call begun after the reload; W-BOBX joins the running call
# at its next message (the BYE, its Begin); alice's new call is nobody's.
# sipcheck.py holds each LIID to exactly that.
#
# usage: reload.sh LAWTAP [--keep]
# Needs root (netns, DPDK); exits 77 (skipped) without it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../netns.sh"
e2e_start sip-reload "$@"
ns=${LAWTAP_E2E_NS:-$ns}

e2e_veth

conf() {	# the warrants named, by LIID suffix
	cat <<CONF
operator: { id = "ExampleTel"; network_element = "lawtap-1"; country = "NZ"; };
delivery: { queue_mb = 16; reconnect_interval = 1; unreachable_timeout = 10; };
dpdk: {
  eal = ["-l", "0-1", "--no-huge", "-m", "512", "--no-pci", "--file-prefix=$ns",
         "--log-level=lib.eal:warning"];
  mbufs_per_queue = 4096;
  ports = ( { device = "net_af_packet0,iface=vcap"; rx_queues = 1; } );
};
agencies = (
  { id = "police"; hi2 = "127.0.0.1:41202"; hi3 = "127.0.0.1:41203";
    keepalive = 300; keepalive_timeout = 60; pspdu_version = 40; }
);
sip: { servers = [ "192.0.2.10" ]; ports = [ 5060 ]; };
warrants = (
CONF
	local sep="" w u n x
	for w in "$@"; do
		x=
		case $w in
		BOB)	n=1 u=sip:bob@b.example ;;
		ALICE)	n=2 u=sip:alice@a.example x=" sip_from = true;" ;;	# From names her
		CARL)	n=3 u=sip:carl@c.example ;;
		BOBX)	n=4 u='sip:bob@*' ;;
		esac
		printf '%s  { liid = "W-%s"; agency = "police"; cin = %d; content = "both";\n' \
			"$sep" "$w" "$n"
		printf '    sip_uris = [ "%s" ];%s }' "$u" "$x"
		sep=$',\n'
	done
	printf '\n);\n'
}
conf BOB ALICE >"$tmp/lawtap.conf"
"$lawtap" check-config -c "$tmp/lawtap.conf" >/dev/null || fail "config refused"

ip netns exec "$ns" "$lawtap" lemf --listen 127.0.0.1:41202 --listen 127.0.0.1:41203 --out "$tmp/out.jsonl" \
	--idle-exit 4 >"$tmp/lemf.out" 2>"$tmp/lemf.err" &
lemf_pid=$!
sleep 0.5
ip netns exec "$ns" "$lawtap" run -c "$tmp/lawtap.conf" >"$tmp/run.out" 2>&1 &
run_pid=$!
for _ in $(seq 300); do
	[ "$(grep -c 'connection [0-9]* from' "$tmp/lemf.err" || true)" -ge 2 ] && break
	kill -0 "$run_pid" 2>/dev/null || { cat "$tmp/run.out"; fail "lawtap run exited early"; }
	sleep 0.1
done

send() {	# PHASE: frames into vinj; what each LIID must get appended to expect-PHASE.json
	nsx python3 - "$here" "$tmp" "$1" <<'PY'
import json, socket, struct, sys, time
sys.path.insert(0, sys.argv[1])
from gensip import Expect, csum, msg, rtp, sdp
d, phase = sys.argv[2], sys.argv[3]
S, A, B, C, D, E = "192.0.2.10", "192.0.2.1", "192.0.2.2", "192.0.2.5", "192.0.2.4", "192.0.2.6"
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("vinj", 0))
e = Expect()
ident = [int(phase) * 1000]
def udp(src, sport, dst, dport, data):
    ident[0] += 1
    dg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(dg), ident[0], 0, 64, 17, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    s.send(b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + h[:10] + struct.pack("!H", csum(h)) +
           h[12:] + dg)
    time.sleep(0.002)
def sig(call, src, data, liids):
    udp(src, 5060, S, 5060, data)
    for lid, typ in liids:
        e.iri(lid, call, typ, data)
def media(n, tag, liids):
    for i in range(n):
        p = rtp(i, tag + "a")
        udp(A, 4000, B, 5000, p)
        for lid in liids:
            e.cc(lid, "c1", "fromTarget" if lid == "W-ALICE" else "toTarget", p)
        p = rtp(100 + i, tag + "b")
        udp(B, 5000, A, 4000, p)
        for lid in liids:
            e.cc(lid, "c1", "toTarget" if lid == "W-ALICE" else "fromTarget", p)
cid, al, bo = "c1@192.0.2.1", "sip:alice@a.example", "sip:bob@b.example"
if phase == "1":
    both = lambda t: [("W-BOB", t), ("W-ALICE", t)]
    sig("c1", A, msg("INVITE %s SIP/2.0" % bo, cid, al, "ta", bo, None, 1, "INVITE",
                     body=sdp(A, 4000)), both("begin"))
    sig("c1", B, msg("SIP/2.0 200 OK", cid, al, "ta", bo, "tb", 1, "INVITE",
                     body=sdp(B, 5000)), both("continue"))
    sig("c1", A, msg("ACK %s SIP/2.0" % bo, cid, al, "ta", bo, "tb", 1, "ACK"), both("continue"))
    media(5, "p", ["W-BOB", "W-ALICE"])
    e.iri("W-ALICE", "c1", "end", b"")      # at the reload, without a message
else:
    media(5, "q", ["W-BOB"])
    cid2, da, ca = "c2@192.0.2.4", "sip:dave@d.example", "sip:carl@c.example"
    sig("c2", D, msg("INVITE %s SIP/2.0" % ca, cid2, da, "td", ca, None, 1, "INVITE",
                     body=sdp(D, 4100)), [("W-CARL", "begin")])
    sig("c2", C, msg("SIP/2.0 200 OK", cid2, da, "td", ca, "tc", 1, "INVITE",
                     body=sdp(C, 5100)), [("W-CARL", "continue")])
    for i in range(3):
        p = rtp(i, "c")
        udp(D, 4100, C, 5100, p)
        e.cc("W-CARL", "c2", "toTarget", p)
    sig("c2", D, msg("BYE %s SIP/2.0" % ca, cid2, da, "td", ca, "tc", 2, "BYE"),
        [("W-CARL", "continue")])
    sig("c2", C, msg("SIP/2.0 200 OK", cid2, da, "td", ca, "tc", 2, "BYE"), [("W-CARL", "end")])
    # alice again: her warrant is gone
    sig("c3", A, msg("INVITE sip:eve@e.example SIP/2.0", "c3@192.0.2.1", al, "t3",
                     "sip:eve@e.example", None, 1, "INVITE", body=sdp(A, 4200)), [])
    sig("c1", A, msg("BYE %s SIP/2.0" % bo, cid, al, "ta", bo, "tb", 2, "BYE"),
        [("W-BOB", "continue"), ("W-BOBX", "begin")])
    sig("c1", B, msg("SIP/2.0 200 OK", cid, al, "ta", bo, "tb", 2, "BYE"),
        [("W-BOB", "end"), ("W-BOBX", "end")])
json.dump(e.by, open("%s/expect-%s.json" % (d, phase), "w"))
PY
}

send 1
sleep 0.5
conf BOB CARL BOBX >"$tmp/lawtap.conf"
kill -HUP "$run_pid"
for _ in $(seq 300); do
	grep -q 'reload applied' "$tmp/run.out" && break
	sleep 0.01
done
grep -q 'reload applied' "$tmp/run.out" || { cat "$tmp/run.out"; fail "the reload was not applied"; }
send 2
sleep 0.5
kill -TERM "$run_pid"
set +e
wait "$run_pid"
run_rc=$?
set -e
run_pid=
grep -v 'connecting\|-> up' "$tmp/run.out" | sed 's/^/  run: /' | tail -n 8
[ "$run_rc" = 0 ] || fail "lawtap run exited $run_rc"
for s in W-BOB W-ALICE W-CARL alice@ bob@ carl@; do
	grep -q -- "$s" "$tmp/run.out" && fail "lawtap's output names $s"
done
for _ in $(seq 300); do kill -0 "$lemf_pid" 2>/dev/null || break; sleep 0.1; done
set +e
wait "$lemf_pid"
lemf_rc=$?
set -e
lemf_pid=
sed 's/^/  lemf: /' "$tmp/lemf.out" | tail -n 8
[ "$lemf_rc" = 0 ] || fail "lawtap lemf exited $lemf_rc (gaps?)"
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
by = json.load(open(d + "/expect-1.json"))
for k, v in json.load(open(d + "/expect-2.json")).items():
    by.setdefault(k, []).extend(v)
json.dump(by, open(d + "/expect.json", "w"))
PY
python3 "$here/sipcheck.py" "$tmp/expect.json" "$tmp/out.jsonl" || fail "records"
echo "reload.sh: passed"
