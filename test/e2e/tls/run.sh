#!/usr/bin/env bash
# run.sh - TLS delivery and agency isolation on a live port (issue 5 items 6 and 7).
#
# Part 1, wrong peers, then delivery: agency police's address is held in turn
# by a listener with a rogue CA's certificate, one with the wrong name, one
# with an expired certificate and a plaintext one; the appliance must log each
# handshake failure, retry, and send none of them a record.  Then police's
# real LEMF comes up: everything is delivered over TLS 1.3 and check.py
# (as in live.sh) finds every record, no gaps.
# Part 2, isolation: three agencies whose warrants share targets, warrant
# churn by SIGHUP, one agency's receiver restarted, impostors on customs'
# address (a rogue CA's certificate with customs' name, then police's genuine
# certificate from the same CA), a reload that tries to move an agency
# (refused: agencies change only at a restart).  Each LEMF must hold only
# its own agency's LIIDs, gapless; the impostor none.
# Both parts: tcpdump on the agencies' side must never see a LIID in clear.
#
# usage: run.sh LAWTAP [--keep]     (needs root: netns, DPDK; 77 without)
# The test PKI is made with openssl in the test's directory; nothing committed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
e2e=$(dirname "$here")
. "$e2e/netns.sh"
. "$here/certs.sh"
e2e_start tls "$@"
ns=${LT_NETNS:-$ns}
command -v openssl >/dev/null || { echo "run.sh: openssl missing; skipped"; exit 77; }
command -v tcpdump >/dev/null || { echo "run.sh: tcpdump missing; skipped"; exit 77; }

declare -A pid=()
tcpdump_pid=
tls_cleanup() {
	local rc=$?
	for p in "${pid[@]}" $tcpdump_pid; do kill -KILL "$p" 2>/dev/null || true; done
	set +e
	(exit $rc)
	e2e_cleanup
}
trap tls_cleanup EXIT
fail() { echo "run.sh: FAIL: $*"; exit 1; }

e2e_veth
pki=$tmp/pki
mkdir -p "$pki"
tls_certs "$pki" || fail "test PKI"

# wait_log FILE REGEX N SECONDS: until FILE has N lines matching REGEX.
wait_log() {
	for _ in $(seq $(($4 * 10))); do
		[ "$(grep -Ec "$2" "$1" 2>/dev/null || true)" -ge "$3" ] && return 0
		[ -z "$run_pid" ] || kill -0 "$run_pid" 2>/dev/null ||
			{ tail -n 20 "$tmp/run.out"; fail "lawtap run exited early"; }
		sleep 0.1
	done
	tail -n 20 "$1"
	fail "waited $4 s for $3 lines of '$2' in $(basename "$1")"
}

# lemf NAME CERT PORT... : a TLS LEMF (it checks our certificate) writing NAME.jsonl
lemf() {
	local name=$1 cert=$2 args=()
	shift 2
	for p in "$@"; do args+=(--listen "127.0.0.1:$p"); done
	ip netns exec "$ns" "$lawtap" lemf "${args[@]}" --out "$tmp/$name.jsonl" --tls-cert "$pki/$cert.crt" \
		--tls-key "$pki/$cert.key" --tls-ca "$pki/opca.crt" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" &
	pid[$name]=$!
	wait_log "$tmp/$name.err" "listening on" $# 10
}

# plain NAME PORT... : a plaintext listener that keeps every byte it is sent
plain() {
	local name=$1
	shift
	ip netns exec "$ns" python3 - "$tmp/$name" "$@" >"$tmp/$name.err" 2>&1 <<'PY' &
import select, socket, sys, time
out, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
ls = []
for p in ports:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", p)); s.listen(8); ls.append(s)
print("listening on", ports, flush=True)
n, conns = 0, {}
while True:
    r, _, _ = select.select(ls + list(conns), [], [], 0.1)
    for s in r:
        if s in ls:
            c, _ = s.accept(); n += 1
            conns[c] = [open("%s.%d.bin" % (out, n), "wb"), time.time()]
            print("connection", n, flush=True)
            continue
        b = s.recv(65536)
        conns[s][0].write(b); conns[s][0].flush()
        if not b:
            conns.pop(s)[0].close(); s.close()
    for c, (f, t) in list(conns.items()):
        if time.time() - t > 0.3:	# a LEMF that got no PDU it understood hangs up
            f.close(); c.close(); del conns[c]
PY
	pid[$name]=$!
	wait_log "$tmp/$name.err" "listening on" 1 10
}

# settle FILE...: until the LEMFs' files have not grown for 1.5 s (the appliance
# has caught up with the frames sent; the host may be busy), at most 60 s.
settle() {
	local last=-1 same=0 now
	for _ in $(seq 600); do
		# records only: keep-alives (TIME1 is 1 s here) come and go all the time
		now=$(cat "$@" 2>/dev/null | grep -v '"kind":"KEEPALIVE' | wc -c)
		if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; fi
		[ "$same" -ge 15 ] && return 0
		last=$now
		sleep 0.1
	done
	fail "the LEMFs' files kept growing for 60 s"
}

# has FILE LIID: waits (30 s at most) for a record of LIID in FILE
has() {
	for _ in $(seq 300); do
		grep -q "\"liid\":\"$2\"" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "no record of $2 in $(basename "$1")"
}

stop() {
	kill -TERM "${pid[$1]}" 2>/dev/null || true
	wait "${pid[$1]}" 2>/dev/null || true
	unset "pid[$1]"
}

# send A.pcap...: frames out of vinj (as live.sh), each file kept as sent-A.pcap for check.py
send() {
	nsx python3 - "$tmp" "$@" <<'PY'
import socket, struct, sys, time
d = sys.argv[1]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("vinj", 0))
def fragment(f):
    off, et = 14, struct.unpack("!H", f[12:14])[0]
    while et in (0x8100, 0x88A8) and len(f) >= off + 4:
        et, off = struct.unpack("!H", f[off + 2:off + 4])[0], off + 4
    if et == 0x0800 and len(f) >= off + 20:
        return struct.unpack("!H", f[off + 6:off + 8])[0] & 0x3FFF != 0
    return et == 0x86DD and len(f) >= off + 40 and f[off + 6] == 44
sent = 0
for name in sys.argv[2:]:
    data = open("%s/%s" % (d, name), "rb").read()
    out = open("%s/sent-%s" % (d, name), "wb")
    out.write(data[:24])
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        rec = data[off:off + 16 + caplen]
        frame = rec[16:]
        off += 16 + caplen
        if len(frame) < 14 or fragment(frame):
            continue
        s.send(frame)
        out.write(rec)
        sent += 1
        if sent % 16 == 0:
            time.sleep(0.004)	# ~4k frames/s: the appliance shares 2 vCPUs with the test
    out.close()
print("run.sh: sent %d frames" % sent)
PY
}

# liids AGENCY_PREFIX FILE...: fails if a PDU of another agency is in FILEs or a stream has a gap
check_own() {
	python3 - "$@" <<'PY'
import collections, json, sys
prefix, files = sys.argv[1], sys.argv[2:]
seqs, n, bad = collections.defaultdict(set), 0, 0
for f in files:
    for line in open(f):
        j = json.loads(line)
        if j["kind"] not in ("CC", "IRI"):
            continue
        n += 1
        if not j["liid"].startswith(prefix):
            bad += 1
            if bad < 5:
                print("run.sh: %s holds a PDU of LIID %s" % (f, j["liid"]))
        seqs[(j["liid"], j.get("cin"), j["kind"])].add(j["seq"])
for k, s in sorted(seqs.items()):
    if s != set(range(max(s) + 1)):
        bad += 1
        print("run.sh: %s: %s gaps: %d of 0..%d" % (prefix, k, len(s), max(s)))
print("run.sh: %s: %d records in %d streams, %s" % (prefix, n, len(seqs),
      "all its own, gapless" if bad == 0 else "BAD"))
sys.exit(1 if bad or n == 0 else 0)
PY
}

# No LIID may cross the agencies' side in clear (tcpdump of the namespace's loopback).
check_clear() {
	kill -TERM "$tcpdump_pid" 2>/dev/null || true
	wait "$tcpdump_pid" 2>/dev/null || true
	tcpdump_pid=
	python3 - "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
hits = [p for p in (b"NZP-", b"NZC-", b"NZB-") if p in data]
if len(data) < 10000 or hits:
    print("run.sh: tcpdump: %d bytes, LIIDs in clear: %s" % (len(data), hits)); sys.exit(1)
print("run.sh: tcpdump: %d bytes on the agencies' side, no LIID in clear" % len(data))
PY
}

start_tcpdump() {
	ip netns exec "$ns" tcpdump -i lo -w "$1" -U -s 0 tcp >/dev/null 2>&1 &
	tcpdump_pid=$!
	sleep 0.5
}

# --- configuration: gencap's two agencies (shared targets), TLS, live windows ---
python3 "$e2e/gencap.py" --out "$tmp" --packets 3000 \
	--ports 41002,41003,41012,41013 --no-truth >/dev/null
python3 - "$tmp/lawtap.conf" "$ns" "$pki" <<'PY'
import sys
path, ns, pki = sys.argv[1:]
s = open(path).read()
s = s.replace("2027-05-01T00:00:00Z", "2098-01-01T00:00:00Z")
s = s.replace('start = "2026-11-10T12:00:30Z"', 'start = "2097-01-01T00:00:00Z"')
s = s.replace("keepalive = 300; keepalive_timeout = 60;", "keepalive = 1; keepalive_timeout = 3;")
tls = ('tls = { cert = "%s/ours.crt"; key = "%s/ours.key"; ca = "%s/ca.crt"; '
       'name = "lemf-%%s.example"; min_version = "1.2"; };' % (pki, pki, pki))
s = s.replace('hi3 = "127.0.0.1:41003";', 'hi3 = "127.0.0.1:41003"; ' + tls % "a")
s = s.replace('hi3 = "127.0.0.1:41013";', 'hi3 = "127.0.0.1:41013"; ' + tls % "b")
# a deep kernel ring (8192 frames): the capture lcore shares 2 vCPUs with the test
s += '''
dpdk: {
  eal = ["-l", "0-1", "--no-huge", "-m", "512", "--no-pci", "--file-prefix=%s",
         "--log-level=lib.eal:warning"];
  mbufs_per_queue = 4096;
  ports = ( { device = "net_af_packet0,iface=vcap,framecnt=8192"; rx_queues = 1; } );
};
''' % ns
open(path, "w").write(s)
PY
conf=$tmp/lawtap.conf
"$lawtap" check-config -c "$conf" >/dev/null || fail "the TLS config was refused"

# A key file others may read is refused, naming the file.
cp "$pki/ours.key" "$pki/loose.key"
chmod 644 "$pki/loose.key"
sed "s|$pki/ours.key|$pki/loose.key|" "$conf" >"$tmp/loose.conf"
if "$lawtap" check-config -c "$tmp/loose.conf" >"$tmp/loose.out" 2>&1; then
	fail "a world-readable key file was accepted"
fi
grep -q "TLS key file $pki/loose.key: group or others may access it (mode 644)" \
	"$tmp/loose.out" || { cat "$tmp/loose.out"; fail "loose key: wrong message"; }
grep -q "PRIVATE" "$tmp/loose.out" && fail "the key's text is in the message"

# --- part 1: wrong peers on police's address, then the right one ----------------
start_tcpdump "$tmp/part1.pcap"
lemf customs lemf-b 41012 41013
ip netns exec "$ns" "$lawtap" run -c "$conf" >"$tmp/run.out" 2>&1 &	# nothing on police's address yet
run_pid=$!
wait_log "$tmp/customs.err" "TLSv1.3" 2 60
t0=$(python3 -c 'import time; print(time.time_ns() // 1000)')
send a.pcap
hs='TLS handshake failed'
roles=(
	"impostor-b|unable to get local issuer certificate"
	"wrongname-a|hostname mismatch"
	"expired-a|certificate has expired"
)
for r in "${roles[@]}"; do
	cert=${r%%|*} why=${r#*|}
	before=$(grep -Ec "police HI[23].*$hs.*$why" "$tmp/run.out" || true)
	lemf "wrong-$cert" "$cert" 41002 41003
	wait_log "$tmp/run.out" "police HI[23].*$hs.*$why" $((before + 2)) 20
	stop "wrong-$cert"
done
plain plaintext 41002 41003
wait_log "$tmp/run.out" "police HI[23].*$hs.*(closed the connection|reset by peer)" 2 20
stop plaintext

lemf police lemf-a 41002 41003
wait_log "$tmp/police.err" "TLSv1.3" 2 30
send b.pcap
t1=$(python3 -c 'import time; print(time.time_ns() // 1000)')
sleep 2.5			# keep-alives (TIME1 = 1 s) over TLS
settle "$tmp/police.jsonl" "$tmp/customs.jsonl"
kill -TERM "$run_pid"
set +e
wait "$run_pid"
run_rc=$?
set -e
run_pid=
stop police
stop customs
grep -E "$hs|TLSv1" "$tmp/run.out" | sed 's/^/  run: /' | sort -k4 | uniq -c -f3 | head -n 12
[ "$run_rc" = 0 ] || { tail -n 20 "$tmp/run.out"; fail "lawtap run exited $run_rc"; }
grep -q 'agency police HI2: closed.*keep-alives [1-9][0-9]* sent [1-9]' "$tmp/run.out" ||
	fail "no keep-alive sent and answered over TLS on police HI2"

# None of the wrong peers got a PDU; the plaintext one got only TLS ClientHellos.
for f in "$tmp"/wrong-*.jsonl; do
	[ ! -s "$f" ] || fail "$(basename "$f") received PDUs"
done
for f in "$tmp"/wrong-*.err; do
	grep -q "TLS handshake failed" "$f" || { cat "$f"; fail "$(basename "$f"): no failure seen"; }
done
python3 - "$tmp" <<'PY' || fail "the plaintext listener got something other than a ClientHello"
import glob, sys
files = glob.glob(sys.argv[1] + "/plaintext.*.bin")
assert files, "no connection"
for f in files:
    b = open(f, "rb").read()
    # one TLS handshake record (a ClientHello), nothing after it
    assert b[:3] in (b"\x16\x03\x01", b"\x16\x03\x03") and b[5] == 1, (f, b[:8])
    assert len(b) == 5 + int.from_bytes(b[3:5], "big"), (f, len(b))
print("run.sh: plaintext listener: %d connections, each one ClientHello only" % len(files))
PY
check_clear "$tmp/part1.pcap" || fail "a LIID crossed in clear"
# Our key's text is in no log (lawtap run's, the LEMFs', check-config's).
python3 - "$pki/ours.key" "$tmp" <<'PY' || fail "key text in a log"
import glob, sys
body = [l for l in open(sys.argv[1]).read().split("\n") if l and not l.startswith("-----")]
for f in glob.glob(sys.argv[2] + "/*.out") + glob.glob(sys.argv[2] + "/*.err"):
    t = open(f, errors="replace").read()
    if any(l[:16] in t for l in body):
        print("run.sh: %s quotes the key" % f)
        sys.exit(1)
PY
check_own NZP- "$tmp/police.jsonl" || fail "police's LEMF"
check_own NZC- "$tmp/customs.jsonl" || fail "customs' LEMF"
cat "$tmp/police.jsonl" "$tmp/customs.jsonl" >"$tmp/out.jsonl"
python3 "$e2e/check.py" -c "$conf" -j "$tmp/out.jsonl" --live "$t0:$t1" \
	"$tmp/sent-a.pcap" "$tmp/sent-b.pcap" || fail "check.py"
grep -o 'handshake [0-9.]* ms' "$tmp/run.out" | awk '{ s += $2; n++; if ($2 > m) m = $2 }
	END { if (n) printf "run.sh: %d handshakes, mean %.1f ms, max %.1f ms\n", n, s / n, m }'
echo "run.sh: part 1 passed (wrong CA, wrong name, expired, plaintext refused; all delivered)"

# --- part 2: three agencies, shared targets, churn, a restart, an impostor ---------
# border (agency C) shares 203.0.113.7 with police and customs, 198.51.100.20 with police.
python3 - "$conf" "$tmp" "$pki" <<'PY'
import re, sys
conf, tmp, pki = sys.argv[1:]
s = open(conf).read()
tls = ('tls = { cert = "%s/ours.crt"; key = "%s/ours.key"; ca = "%s/ca.crt"; '
       'name = "lemf-c.example"; min_version = "1.3"; };' % (pki, pki, pki))
def border(port2, port3):
    return ('  ,{ id = "border"; hi2 = "127.0.0.1:%d"; hi3 = "127.0.0.1:%d"; '
            'keepalive = 1; keepalive_timeout = 3; %s }\n);' % (port2, port3, tls))
i = s.index("agencies = (")
j = s.index("\n);", i)
def agencies(text, port2=41022, port3=41023):
    return text[:j] + "\n" + border(port2, port3) + text[j + 3:]
w = lambda liid, cin, content, target: (
    '  { liid = "%s"; agency = "%s"; cin = %d; content = "%s";\n'
    '    start = "2026-11-01T00:00:00Z"; end = "2098-01-01T00:00:00Z";\n'
    '    targets = [ "%s" ]; },\n' % (liid, {"NZB": "border", "NZC": "customs"}[liid[:3]],
                                      cin, content, target))
def warrants(text, add, drop=()):
    for liid in drop:
        text, n = re.subn(r'  \{ liid = "%s";.*?\},\n' % liid, "", text, flags=re.S)
        assert n == 1, liid
    return text.replace("warrants = (\n", "warrants = (\n" + "".join(add), 1)
b1 = w("NZB-0001", 1, "both", "203.0.113.7/32")
b2 = w("NZB-0002", 2, "cc", "198.51.100.20/32")
b3 = w("NZB-0003", 3, "both", "203.0.113.7/32")
c8 = w("NZC-0001", 8, "both", "203.0.113.7/32")
base = agencies(s)
open(tmp + "/p2-start.conf", "w").write(warrants(base, [b1, b2]))
open(tmp + "/p2-churn1.conf", "w").write(warrants(base, [b1, b2, b3], ["NZC-0001"]))
open(tmp + "/p2-churn2.conf", "w").write(warrants(base, [b1, b2, b3, c8], ["NZC-0001"]))
open(tmp + "/p2-moved.conf", "w").write(
    warrants(agencies(s, 41032, 41033), [b1, b2, b3, c8], ["NZC-0001"]))
PY
conf2=$tmp/p2.conf
cp "$tmp/p2-start.conf" "$conf2"
for c in start churn1 churn2 moved; do
	"$lawtap" check-config -c "$tmp/p2-$c.conf" >/dev/null || fail "p2-$c.conf refused"
done

# reload NAME: the warrants of p2-NAME.conf, by SIGHUP; waits for the outcome
nreload=0
reload() {
	cp "$tmp/p2-$1.conf" "$conf2"
	kill -HUP "$run_pid"
	nreload=$((nreload + 1))
	wait_log "$tmp/run.out" "reload applied|reload: .*the warrants stay as they were" \
		"$nreload" 20
}

start_tcpdump "$tmp/part2.pcap"
lemf police2 lemf-a 41002 41003
lemf customs2a lemf-b 41012 41013
lemf border2a lemf-c 41022 41023
ip netns exec "$ns" "$lawtap" run -c "$conf2" >"$tmp/run.out" 2>&1 &
run_pid=$!
for l in police2 customs2a border2a; do wait_log "$tmp/$l.err" "TLSv1.3" 2 60; done
send a.pcap
has "$tmp/customs2a.jsonl" NZC-0001	# the warrant the reload ends delivered something
has "$tmp/border2a.jsonl" NZB-0001

reload churn1			# NZC-0001 ends, NZB-0003 starts (the same target)
grep -q "reload applied: .* 1 added, 1 ended" "$tmp/run.out" || fail "churn1 not applied"

# An impostor on customs' address: customs' name, a rogue CA's certificate.
stop customs2a
before=$(grep -Ec "customs HI[23].*$hs.*unable to get local issuer" "$tmp/run.out" || true)
lemf impostor impostor-b 41012 41013
wait_log "$tmp/run.out" "customs HI[23].*$hs.*unable to get local issuer" $((before + 2)) 20
send b.pcap
# ... and police's genuine certificate (same CA) there instead: the name tells them apart.
stop impostor
before=$(grep -Ec "customs HI[23].*$hs.*hostname mismatch" "$tmp/run.out" || true)
lemf impostor2 lemf-a 41012 41013
wait_log "$tmp/run.out" "customs HI[23].*$hs.*hostname mismatch" $((before + 2)) 20

# border's receiver restarts (a new process); warrants change again meanwhile.
stop border2a
lemf border2b lemf-c 41022 41023
wait_log "$tmp/border2b.err" "TLSv1.3" 2 30
reload churn2			# NZC-0001 again, with a new CIN
grep -q "reload applied: .* 1 added, 0 ended" "$tmp/run.out" || fail "churn2 not applied"

# border moving to another port is refused by a reload (agencies change at a restart only)
lemf border2moved lemf-c 41032 41033
reload moved
grep -q "reload: the agencies changed: a restart is needed" "$tmp/run.out" ||
	fail "a reload moved an agency"
cp "$tmp/p2-churn2.conf" "$conf2"

sleep 2
stop impostor2
lemf customs2b lemf-b 41012 41013
wait_log "$tmp/customs2b.err" "TLSv1.3" 2 30
send a.pcap
sleep 1
settle "$tmp"/police2.jsonl "$tmp"/customs2*.jsonl "$tmp"/border2*.jsonl
kill -TERM "$run_pid"
set +e
wait "$run_pid"
run_rc=$?
set -e
run_pid=
for l in police2 customs2b border2b border2moved; do stop "$l"; done
[ "$run_rc" = 0 ] || { tail -n 20 "$tmp/run.out"; fail "lawtap run exited $run_rc"; }

for i in impostor impostor2; do
	[ ! -s "$tmp/$i.jsonl" ] || fail "$i received PDUs"
	grep -q "TLS handshake failed" "$tmp/$i.err" || fail "$i saw no failed handshake"
done
[ ! -s "$tmp/border2moved.jsonl" ] || fail "the refused move delivered to the new port"
check_clear "$tmp/part2.pcap" || fail "a LIID crossed in clear"
check_own NZP- "$tmp/police2.jsonl" || fail "police's LEMF"
check_own NZC- "$tmp/customs2a.jsonl" "$tmp/customs2b.jsonl" || fail "customs' LEMF"
check_own NZB- "$tmp/border2a.jsonl" "$tmp/border2b.jsonl" || fail "border's LEMF"
# the shared target reached all three, and the churned warrants delivered
python3 - "$tmp" <<'PY' || fail "records missing for a shared target or a churned warrant"
import collections, json, sys
d = sys.argv[1]
n = collections.Counter()
for f in ("police2", "customs2a", "customs2b", "border2a", "border2b"):
    for line in open("%s/%s.jsonl" % (d, f)):
        j = json.loads(line)
        if j["kind"] in ("CC", "IRI"):
            n[(j["liid"], j.get("cin"))] += 1
need = [("NZP-0001", 1), ("NZC-0001", 7), ("NZC-0001", 8), ("NZB-0001", 1), ("NZB-0002", 2),
        ("NZB-0003", 3), ("NZP-0002", 2)]
missing = [k for k in need if n[k] == 0]
print("run.sh: records per (LIID, CIN): %s" % ", ".join("%s/%s %d" % (k[0], k[1], n[k])
      for k in sorted(n)))
sys.exit(1 if missing else 0)
PY
echo "run.sh: part 2 passed (isolation: shared targets, churn, restart, impostor, refused move)"
echo "run.sh: passed"
