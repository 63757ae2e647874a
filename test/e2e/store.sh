#!/usr/bin/env bash
# store.sh - warrants from the encrypted store, end to end: a state directory
# made by `lawtap store init`, an issuer pinned, a sealed warrant W1 imported;
# `lawtap run --state` on a live port; W2 sealed, then imported by the officer
# at `lawtap console` (log in, import, status) while the daemon runs, which
# applies it at once.  W1 must get every packet to its target
# (before and after), W2 exactly the packets to its target after the reload,
# both gapless with one IRI-Begin each.  A damaged file imported while it runs
# changes nothing (store.bin byte-identical, the records go on as before).
# The audit log verifies, and a restart without the passphrase (machine key
# only) has both warrants in effect again and delivering; `warrant deactivate`
# of W1 then stops its records at once (IRI-End) while W2's go on.
#
# usage: store.sh LAWTAP [--keep]
# Needs root (netns, DPDK); exits 77 (skipped) without it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/netns.sh"
e2e_start store "$@"
export LAWTAP_TEST_FAST_KDF=1	# Argon2id INTERACTIVE: the test's passphrase, not a real one

state=$tmp/state
printf 'e2e store officer passphrase\n' >"$tmp/pass"
officer() { "$lawtap" "$@" --state "$state" --passphrase-fd 3 3<"$tmp/pass"; }

e2e_veth

# no warrants in the configuration: they all come from the store
cat >"$tmp/lawtap.conf" <<CONF
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
CONF
"$lawtap" check-config -c "$tmp/lawtap.conf" >/dev/null || fail "config refused"

# the officer's side: state, issuer, W1
officer store init >"$tmp/init.out" 2>&1 || { cat "$tmp/init.out"; fail "store init"; }
[ -s "$state/appliance.pub" ] || fail "store init made no appliance.pub"
(cd "$tmp" && "$lawtap" warrant keygen court >/dev/null) || fail "warrant keygen"
officer warrant issuer add court "$tmp/court.pk" >/dev/null || fail "issuer add"

warrant() {	# N HOST
	cat >"$tmp/w$1.json" <<W
{"liid": "NZP-S-$1", "case_id": "case-$1", "agency": "police", "cin": $1,
 "content": "both", "level": "full", "start": "2026-01-01T00:00:00Z",
 "targets": {"ip": ["198.51.100.$2/32"]},
 "authority": {"issued_by": "High Court", "authorized_by": "Judge", "presented_by": "Det",
               "intercept_type": "content"}, "carrier_contact": "LIO"}
W
	"$lawtap" warrant seal --key "$tmp/court.sk" --to "$state/appliance.pub" --serial "$1" \
		--valid-for 1d "$tmp/w$1.json" "$tmp/w$1.ltw" >/dev/null || fail "seal W$1"
}
import() {	# FILE
	officer warrant import -c "$tmp/lawtap.conf" "$1" >"$tmp/import.out" 2>&1
}
warrant 1 1
import "$tmp/w1.ltw" || { cat "$tmp/import.out"; fail "import W1"; }
grep -q '^warrant imported as W[0-9a-f]\{16\}$' "$tmp/import.out" ||
	fail "import W1 said: $(cat "$tmp/import.out")"
cp "$tmp/import.out" "$tmp/import-w1.out"

start_lemf() {	# OUT
	ip netns exec "$ns" "$lawtap" lemf --listen 127.0.0.1:41102 --listen 127.0.0.1:41103 \
		--out "$tmp/$1.jsonl" --idle-exit 4 >"$tmp/$1.lemf.out" 2>"$tmp/$1.lemf.err" &
	lemf_pid=$!
	sleep 0.5
}
start_run() {	# LOG LEMFOUT
	ip netns exec "$ns" "$lawtap" run -c "$tmp/lawtap.conf" --state "$state" \
		--control "$tmp/ctl.sock" >"$tmp/$1" 2>&1 </dev/null &
	run_pid=$!
	for _ in $(seq 300); do
		[ "$(grep -c 'connection [0-9]* from' "$tmp/$2.lemf.err" || true)" -ge 2 ] && break
		kill -0 "$run_pid" 2>/dev/null || { cat "$tmp/$1"; fail "lawtap run exited early"; }
		sleep 0.1
	done
}
stop_both() {	# LOG LEMFOUT [continued: numbers go on from a run before, checked apart]
	local rc
	kill -TERM "$run_pid"
	set +e
	wait "$run_pid"
	rc=$?
	set -e
	run_pid=
	grep -v 'connecting\|-> up' "$tmp/$1" | sed 's/^/  run: /' | tail -n 6
	[ "$rc" = 0 ] || fail "lawtap run exited $rc"
	for _ in $(seq 300); do kill -0 "$lemf_pid" 2>/dev/null || break; sleep 0.1; done
	set +e
	wait "$lemf_pid"
	rc=$?
	set -e
	lemf_pid=
	sed 's/^/  lemf: /' "$tmp/$2.lemf.out"
	[ "$rc" = 0 ] || [ "${3:-}" = continued ] || fail "lawtap lemf exited $rc (gaps?)"
}
reload() {	# the daemon reads the store again
	local before
	before=$(grep -c 'reload applied' "$tmp/run.out" || true)
	python3 - "$tmp/ctl.sock" <<'PY' || fail "reload request"
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"cmd": "reload"}\n')
r = json.loads(s.makefile().readline())
assert r.get("ok") is True, r
PY
	for _ in $(seq 100); do
		[ "$(grep -c 'reload applied' "$tmp/run.out" || true)" -gt "$before" ] && return 0
		sleep 0.01
	done
	cat "$tmp/run.out"
	fail "the reload was not applied within a second"
}
active() {	# the daemon's count of warrants in effect
	"$lawtap" status --control "$tmp/ctl.sock" --json >"$tmp/status.json" ||
		fail "lawtap status"
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["warrants_active"])' \
		"$tmp/status.json"
}

send() {	# PHASE: 300 UDP packets to each of .1 and .2, interleaved
	nsx python3 - "$tmp" "$1" <<'PY'
import hashlib, socket, struct, sys, time
d, phase = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("vinj", 0))
def csum(b):
    t = sum(struct.unpack("!10H", b))
    t = (t >> 16) + (t & 0xFFFF)
    return ~(t + (t >> 16)) & 0xFFFF
out = open("%s/sent-%s.txt" % (d, phase), "w")
for i in range(300):
    for host in (1, 2):
        data = ("store phase %s packet %d to .%d" % (phase, i, host)).encode()
        udp = struct.pack("!HHHH", 40000, 53, 8 + len(data), 0) + data
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                        socket.inet_aton("192.0.2.9"), socket.inet_aton("198.51.100.%d" % host))
        ip = h[:10] + struct.pack("!H", csum(h)) + h[12:] + udp
        s.send(b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip)
        out.write("%d %s\n" % (host, hashlib.sha256(ip).hexdigest()))
    if i % 16 == 0:
        time.sleep(0.002)
out.close()
PY
}

# phase 1: W1 only, from the store at start
start_lemf out1
start_run run.out out1
grep -q "$state: 1 warrants from the store" "$tmp/run.out" ||
	{ cat "$tmp/run.out"; fail "the daemon did not load W1 from the store"; }
[ "$(active)" = 1 ] || fail "status: $(active) warrants active at start, want 1"
send 1
sleep 0.5

# phase 2: W2 imported while the daemon runs, applied by a reload request
# ... by the officer at the console: log in, import, look at the status, leave
warrant 2 2
before=$(grep -c 'reload applied' "$tmp/run.out" || true)
printf '6\n%s\n\n7\n%s\n\n1\n\n9\n' "$(cat "$tmp/pass")" "$tmp/w2.ltw" |
	"$lawtap" console --state "$state" --control "$tmp/ctl.sock" --config "$tmp/lawtap.conf" \
	>"$tmp/console.out" 2>&1 || { cat "$tmp/console.out"; fail "console session"; }
grep -q 'warrant imported as W[0-9a-f]\{16\}' "$tmp/console.out" ||
	{ cat "$tmp/console.out"; fail "the console did not import W2"; }
for _ in $(seq 100); do
	[ "$(grep -c 'reload applied' "$tmp/run.out" || true)" -gt "$before" ] && break
	sleep 0.01
done
[ "$(grep -c 'reload applied' "$tmp/run.out" || true)" -gt "$before" ] ||
	fail "the console's import was not applied by the daemon"
[ "$(active)" = 2 ] || fail "status: $(active) warrants active after the reload, want 2"
send 2
sleep 0.5

# a damaged file while it runs: refused, store.bin byte-identical, nothing changes
cp "$state/store.bin" "$tmp/store.before"
warrant 3 3
python3 - "$tmp/w3.ltw" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x01
open(p, "wb").write(bytes(b))
PY
set +e
import "$tmp/w3.ltw"
rc=$?
set -e
[ "$rc" = 1 ] || fail "a damaged warrant file: import exited $rc, want 1"
grep -q '^lawtap: warrant import refused: ' "$tmp/import.out" ||
	fail "a damaged warrant file: $(cat "$tmp/import.out")"
cmp -s "$state/store.bin" "$tmp/store.before" || fail "a refused import changed store.bin"
reload
[ "$(active)" = 2 ] || fail "status: $(active) warrants active after a refused import, want 2"
send 3
sleep 0.5
stop_both run.out out1

python3 - "$tmp" <<'PY' || fail "records"
import json, sys
d = sys.argv[1]
sent = {}
for phase in ("1", "2", "3"):
    for line in open("%s/sent-%s.txt" % (d, phase)):
        host, sha = line.split()
        sent.setdefault((phase, int(host)), []).append(sha)
cc, iri = {}, {}
for line in open("%s/out1.jsonl" % d):
    r = json.loads(line)
    if r["kind"] == "CC":
        cc.setdefault(r["liid"], []).append((r["seq"], r["payload_sha256"]))
    elif r["kind"] == "IRI":
        iri.setdefault(r["liid"], []).append((r["seq"], r["iri_type"], r.get("event")))
want = {"NZP-S-1": sent[("1", 1)] + sent[("2", 1)] + sent[("3", 1)],
        "NZP-S-2": sent[("2", 2)] + sent[("3", 2)]}
bad = 0
for liid, shas in want.items():
    got = sorted(cc.get(liid, []))
    if [s for s, _ in got] != list(range(len(got))):
        print("store.sh: %s: CC sequence numbers not gapless" % liid); bad += 1
    if [h for _, h in got] != shas:
        print("store.sh: %s: %d CC records, want %d (the packets to its target %s)" % (
            liid, len(got), len(shas), "in all three phases" if liid.endswith("1")
            else "after its reload")); bad += 1
for liid in want:
    got = [(t, e) for _, t, e in sorted(iri.get(liid, []))]
    if got != [("begin", "startOfInterceptionWithSessionActive")]:
        print("store.sh: %s: IRIs %s, want one begin" % (liid, got)); bad += 1
for liid in set(cc) | set(iri):
    if liid not in want:
        print("store.sh: records for %s" % liid); bad += 1
if bad:
    sys.exit(1)
print("store.sh: W1: %d CC (before and after), W2: %d CC (after its import), one IRI-Begin "
      "each" % (len(want["NZP-S-1"]), len(want["NZP-S-2"])))
PY

"$lawtap" audit verify --state "$state" >"$tmp/verify.out" 2>&1 ||
	{ cat "$tmp/verify.out"; fail "lawtap audit verify"; }
sed 's/^/  audit: /' "$tmp/verify.out"
python3 - "$state/audit.log" <<'PY' || fail "audit log events"
import json, sys
ev = [(e["event"], e["detail"].get("reason")) for e in map(json.loads, open(sys.argv[1]))
      if e["event"] != "checkpoint"]
want = [("issuer-add", None), ("commit", None), ("import", None), ("commit", None),
        ("login", None), ("import", None), ("commit", None), ("lock", None),
        ("import-rejected", "cannot-open")]
if ev != want:
    print("store.sh: audit events %s, want %s" % (ev, want))
    sys.exit(1)
PY

# unattended restart: no passphrase anywhere, both warrants back
start_lemf out2
start_run run2.out out2
grep -q "$state: 2 warrants from the store" "$tmp/run2.out" ||
	{ cat "$tmp/run2.out"; fail "the restarted daemon did not load both warrants"; }
[ "$(active)" = 2 ] || fail "status: $(active) warrants active after the restart, want 2"
send 4
sleep 0.5
# the officer revokes W1 while it runs: `warrant deactivate` asks the daemon to apply it
w1=$(grep -o 'W[0-9a-f]\{16\}' "$tmp/import-w1.out")
officer warrant deactivate --control "$tmp/ctl.sock" "$w1" >"$tmp/deact.out" 2>&1 ||
	{ cat "$tmp/deact.out"; fail "deactivate W1"; }
grep -q 'the running daemon applies it now' "$tmp/deact.out" ||
	fail "deactivate did not reach the daemon: $(cat "$tmp/deact.out")"
for _ in $(seq 100); do
	[ "$(grep -c 'reload applied' "$tmp/run2.out" || true)" -ge 1 ] && break
	sleep 0.01
done
[ "$(active)" = 1 ] || fail "status: $(active) warrants active after deactivating W1, want 1"
send 5
sleep 0.5
stop_both run2.out out2 continued
python3 - "$tmp" <<'PY' || fail "records after the restart"
import json, sys
d = sys.argv[1]
sent = {}
for phase in ("4", "5"):
    for line in open("%s/sent-%s.txt" % (d, phase)):
        host, sha = line.split()
        sent.setdefault((phase, int(host)), []).append(sha)
iri = {}
for line in open("%s/out2.jsonl" % d):
    r = json.loads(line)
    if r["kind"] == "IRI":
        iri.setdefault(r["liid"], []).append((r["seq"], r["iri_type"]))
cc = {}
for line in open("%s/out2.jsonl" % d):
    r = json.loads(line)
    if r["kind"] == "CC":
        cc.setdefault(r["liid"], []).append((r["seq"], r["payload_sha256"]))
ok = True
# sequence numbers go on from the first run's (seq.bin, stopped in order): no gap, no repeat
last = {}
for line in open("%s/out1.jsonl" % d):
    r = json.loads(line)
    if r["kind"] in ("IRI", "CC"):
        k = (r["liid"], r["kind"])
        last[k] = max(last.get(k, -1), r["seq"])
# W1 until its deactivation (phase 4 only), W2 throughout
for liid, shas in (("NZP-S-1", sent[("4", 1)]), ("NZP-S-2", sent[("4", 2)] + sent[("5", 2)])):
    got = sorted(cc.pop(liid, []))
    if [h for _, h in got] != shas:
        print("store.sh: after the restart %s has %d CC records, want %d" % (
            liid, len(got), len(shas))); ok = False
    first = last.get((liid, "CC"), -1) + 1
    if [s for s, _ in got] != list(range(first, first + len(got))):
        print("store.sh: after the restart %s's CC numbers do not go on from %d" % (
            liid, first)); ok = False
# W1 had its IRI-Begin in the first run: only the End now, numbered after it
w1 = sorted(iri.get("NZP-S-1", []))
if w1 != [(last.get(("NZP-S-1", "IRI"), -1) + 1, "end")]:
    print("store.sh: W1's IRIs after the restart %s, want one end after the first run's" % w1)
    ok = False
if iri.get("NZP-S-2"):
    print("store.sh: W2's IRI-Begin again after the restart: %s" % iri["NZP-S-2"])
    ok = False
if cc:
    print("store.sh: after the restart, records for %s" % sorted(cc)); ok = False
sys.exit(0 if ok else 1)
PY
echo "store.sh: after an unattended restart both warrants deliver again, their sequence numbers going on; W1 deactivated by the officer stops at once"
echo "store.sh: passed"
