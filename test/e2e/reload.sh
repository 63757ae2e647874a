#!/usr/bin/env bash
# reload.sh - live apply: a running `lawtap run` on a live port is sent SIGHUP
# after its configuration dropped one warrant and added another; traffic
# before and after.  The dropped warrant's records must stop and the added
# one's start exactly at the reload, a warrant kept across it must lose
# nothing (gapless, every packet), a warrant by username added by the reload
# must find the subscriber's session already running (IRI-Begin, CC from the
# reload on), and the reload must apply within a second.
#
# usage: reload.sh LAWTAP [--keep]
# Needs root (netns, DPDK); exits 77 (skipped) without it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/netns.sh"
e2e_start reload "$@"

e2e_veth

# warrants: A (dropped by the reload), B (added by it), C (kept)
conf() {
	cat <<CONF
operator: { id = "ExampleISP"; network_element = "lawtap-1"; country = "NZ"; };
delivery: { queue_mb = 16; reconnect_interval = 1; unreachable_timeout = 10; };
dpdk: {
  eal = ["-l", "0-1", "--no-huge", "-m", "512", "--no-pci", "--file-prefix=$ns",
         "--log-level=lib.eal:warning"];
  mbufs_per_queue = 4096;
  ports = ( { device = "net_af_packet0,iface=vcap"; rx_queues = 1; } );
};
agencies = (
  { id = "police"; hi2 = "127.0.0.1:41102"; hi3 = "127.0.0.1:41103";
    keepalive = 300; keepalive_timeout = 60; }
);
aaa: { radius = ( { server = "10.99.0.1"; secret = "testing123"; } ); };
warrants = (
CONF
	local sep=""
	for w in "$@"; do
		n=$(printf '%d' "'$w")
		n=$(( n - 64 ))		# A 1, B 2, C 3, D 4
		printf '%s  { liid = "NZP-R-%s"; agency = "police"; cin = %d; content = "both";\n' \
			"$sep" "$w" "$n"
		if [ "$w" = D ]; then
			printf '    usernames = [ "dave@isp.example" ]; }'	# in session already
		else
			printf '    targets = [ "198.51.100.%d" ]; }' "$n"
		fi
		sep=$',\n'
	done
	printf '\n);\n'
}
conf A C >"$tmp/lawtap.conf"
"$lawtap" check-config -c "$tmp/lawtap.conf" >/dev/null || fail "config refused"

ip netns exec "$ns" "$lawtap" lemf --listen 127.0.0.1:41102 --listen 127.0.0.1:41103 --out "$tmp/out.jsonl" \
	--idle-exit 4 >"$tmp/lemf.out" 2>"$tmp/lemf.err" &
lemf_pid=$!
sleep 0.5
ip netns exec "$ns" "$lawtap" run -c "$tmp/lawtap.conf" --control "$tmp/ctl.sock" \
	>"$tmp/run.out" 2>&1 &
run_pid=$!
for _ in $(seq 300); do
	[ "$(grep -c 'connection [0-9]* from' "$tmp/lemf.err" || true)" -ge 2 ] && break
	kill -0 "$run_pid" 2>/dev/null || { cat "$tmp/run.out"; fail "lawtap run exited early"; }
	sleep 0.1
done

send() {	# PHASE: 300 UDP packets to each of .1, .2, .3, interleaved
	nsx python3 - "$tmp" "$1" <<'PY'
import hashlib, socket, struct, sys, time
d, phase = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("vinj", 0))
def csum(b):
    t = sum(struct.unpack("!10H", b))
    t = (t >> 16) + (t & 0xFFFF)
    return ~(t + (t >> 16)) & 0xFFFF
def ipv4(src, dst, sport, dport, data, ident=0):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ident, 0, 64, 17, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    ip = h[:10] + struct.pack("!H", csum(h)) + h[12:] + udp
    s.send(b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip)
    return ip
out = open("%s/sent-%s.txt" % (d, phase), "w")
if phase == "1":
    # dave logs in (no warrant names him yet): Access-Request, Access-Accept
    attr = lambda t, v: bytes([t, len(v) + 2]) + v
    a = attr(1, b"dave@isp.example") + attr(4, socket.inet_aton("10.99.0.7"))
    req = struct.pack("!BBH", 1, 7, 20 + len(a)) + b"R" * 16 + a
    ipv4("10.99.0.7", "10.99.0.1", 50000, 1812, req)
    a = attr(8, socket.inet_aton("100.64.9.9"))
    hdr = struct.pack("!BBH", 2, 7, 20 + len(a))
    acc = hdr + hashlib.md5(hdr + b"R" * 16 + a + b"testing123").digest() + a
    ipv4("10.99.0.1", "10.99.0.7", 1812, 50000, acc)
    time.sleep(0.05)
for i in range(300):
    for host in (1, 2, 3, 4):
        data = ("phase %s packet %d to .%d" % (phase, i, host)).encode()
        dst = "100.64.9.9" if host == 4 else "198.51.100.%d" % host
        ip = ipv4("192.0.2.9", dst, 40000, 53, data, i)
        out.write("%d %s\n" % (host, hashlib.sha256(ip).hexdigest()))
    if i % 16 == 0:
        time.sleep(0.002)
out.close()
PY
}

send 1
sleep 0.5
# a broken file first: refused with its reason, the warrants stay as they were
echo 'warrants = ( { liid = "X"; } ' >"$tmp/lawtap.conf"
kill -HUP "$run_pid"
for _ in $(seq 100); do
	grep -q 'reload: .*the warrants stay as they were' "$tmp/run.out" && break
	sleep 0.01
done
grep -q 'reload: .*syntax error.*the warrants stay as they were' "$tmp/run.out" ||
	{ cat "$tmp/run.out"; fail "a broken configuration was not refused by the reload"; }
# status over the control socket: the traffic so far, no LIID or target in it
"$lawtap" status --control "$tmp/ctl.sock" --json >"$tmp/status.json" ||
	fail "lawtap status"
python3 - "$tmp/status.json" <<'PY' || fail "status reply"
import json, sys
s = open(sys.argv[1]).read()
j = json.loads(s)
assert j["ok"] is True, j
assert sum(w["rx"] for w in j["workers"]) >= 900, j["workers"]
assert [a["id"] for a in j["agencies"]] == ["police"], j["agencies"]
for canary in ("NZP-R-", "198.51.100."):
    assert canary not in s, canary
PY
"$lawtap" status --control "$tmp/ctl.sock" | head -n 4 | sed 's/^/  status: /'
conf B C D >"$tmp/lawtap.conf"
t0=$(date +%s%N)
# this time through the control socket (the broken file went by SIGHUP)
python3 - "$tmp/ctl.sock" <<'PY' || fail "reload request"
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"cmd": "reload"}\n')
r = json.loads(s.makefile().readline())
assert r.get("ok") is True, r
PY
for _ in $(seq 100); do
	grep -q 'reload applied' "$tmp/run.out" && break
	sleep 0.01
done
t1=$(date +%s%N)
grep -q 'reload applied' "$tmp/run.out" || { cat "$tmp/run.out"; fail "the reload was not applied"; }
ms=$(( (t1 - t0) / 1000000 ))
echo "reload.sh: reload request to 'reload applied' in $ms ms"
[ "$ms" -lt 1000 ] || fail "the reload took $ms ms (more than a second)"
sleep 1.1	# a new warrant by username finds running sessions within a second
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
for _ in $(seq 300); do kill -0 "$lemf_pid" 2>/dev/null || break; sleep 0.1; done
set +e
wait "$lemf_pid"
lemf_rc=$?
set -e
lemf_pid=
sed 's/^/  lemf: /' "$tmp/lemf.out"
[ "$lemf_rc" = 0 ] || fail "lawtap lemf exited $lemf_rc (gaps?)"

python3 - "$tmp" <<'PY' || fail "records"
import json, sys
d = sys.argv[1]
sent = {}
for phase in ("1", "2"):
    for line in open("%s/sent-%s.txt" % (d, phase)):
        host, sha = line.split()
        sent.setdefault((phase, int(host)), []).append(sha)
cc, iri = {}, {}
for line in open("%s/out.jsonl" % d):
    r = json.loads(line)
    if r["kind"] == "CC":
        cc.setdefault(r["liid"], []).append((r["seq"], r["payload_sha256"]))
    elif r["kind"] == "IRI":
        iri.setdefault(r["liid"], []).append((r["seq"], r["iri_type"], r.get("event")))
want = {"NZP-R-A": sent[("1", 1)], "NZP-R-B": sent[("2", 2)],
        "NZP-R-C": sent[("1", 3)] + sent[("2", 3)], "NZP-R-D": sent[("2", 4)]}
bad = 0
for liid, shas in want.items():
    got = sorted(cc.get(liid, []))
    if [s for s, _ in got] != list(range(len(got))):
        print("reload.sh: %s: CC sequence numbers not gapless" % liid); bad += 1
    if [h for _, h in got] != shas:
        print("reload.sh: %s: %d CC records, want %d (the packets to its target %s)" % (
            liid, len(got), len(shas), "before the reload" if liid.endswith("A") else
            "after the reload" if liid.endswith("B") else "before and after")); bad += 1
wiri = {"NZP-R-A": [("begin", "startOfInterceptionWithSessionActive"),
                    ("end", "endOfInterceptionWithSessionActive")],
        "NZP-R-B": [("begin", "startOfInterceptionWithSessionActive")],
        "NZP-R-C": [("begin", "startOfInterceptionWithSessionActive")],
        "NZP-R-D": [("begin", "startOfInterceptionWithSessionActive")]}
for liid, w in wiri.items():
    got = [(t, e) for _, t, e in sorted(iri.get(liid, []))]
    if got != w:
        print("reload.sh: %s: IRIs %s, want %s" % (liid, got, w)); bad += 1
for liid in cc:
    if liid not in want:
        print("reload.sh: records for %s" % liid); bad += 1
if bad:
    sys.exit(1)
print("reload.sh: A: %d CC (before), B: %d CC (after), C: %d CC (all), D (by username, "
      "session already running): %d CC (after), IRIs as expected" % (
    len(want["NZP-R-A"]), len(want["NZP-R-B"]), len(want["NZP-R-C"]), len(want["NZP-R-D"])))
PY
echo "reload.sh: passed"
