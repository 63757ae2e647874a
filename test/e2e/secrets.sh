#!/usr/bin/env bash
# secrets.sh - confidentiality: random canary identities (LIIDs, a case id, an
# IP target in 198.18.0.0/15, usernames, a MAC, and the officer passphrase)
# are planted in sealed warrants imported into the store; `lawtap run --state`
# captures traffic to the canary IP on a live port with every log level
# lawtap offers turned up.  While it runs, no lawtap process may show a canary
# in /proc/PID/cmdline or environ; killed with SIGSEGV, and again with SIGKILL,
# it may leave no core file; afterwards no canary, in text, hex or base64 (or
# binary, for the address and MAC), may be found in the state directory (the
# ciphertext store.bin among it), the logs, the daemon's DPDK runtime files,
# /dev/shm files made meanwhile, or any other file the test made.  The
# exception is each connection's queue file in /dev/shm/lawtap-*/ (tmpfs, kept
# in RAM so that queued records outlive a SIGKILL): it holds the records as
# the daemon's memory does, so it is only checked to be root's alone.
#
# Not searched: the warrant sources and sealed files (src/, they are the
# issuer's), and what the test LEMF received (lea/: the agency is entitled to
# its own LIID and its target's packets).
#
# usage: secrets.sh LAWTAP [--keep]
# Needs root (netns, DPDK, /proc of root processes); exits 77 (skipped) without it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/netns.sh"
e2e_start secrets "$@"
export LAWTAP_TEST_FAST_KDF=1

src=$tmp/src lea=$tmp/lea logs=$tmp/logs state=$tmp/state
mkdir -p "$src" "$lea" "$logs" "$tmp/cwd" "$tmp/cwd-control"
touch "$tmp/stamp"

# the canaries, random each run
python3 - "$src/canaries.json" <<'PY'
import json, os, random, sys
r = random.SystemRandom()
h = lambda n: os.urandom(n).hex()
c = {
    "liid1": "CY-" + h(8).upper(),
    "liid2": "CY-" + h(8).upper(),
    "case": "CASE-" + h(6),
    "ip": "198.%d.%d.%d" % (r.randint(18, 19), r.randint(0, 255), r.randint(1, 254)),
    "user1": "u%s@canary.example" % h(6),
    "user2": "v%s@canary.example" % h(6),
    "mac": ":".join(["02"] + ["%02x" % r.randint(0, 255) for _ in range(5)]),
    "pass": "pp-" + h(12),
}
json.dump(c, open(sys.argv[1], "w"))
PY
canary() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
	"$src/canaries.json" "$1"; }
cip=$(canary ip)
canary pass >"$src/pass"
officer() { "$lawtap" "$@" --state "$state" --passphrase-fd 3 3<"$src/pass"; }

# every lawtap process's cmdline and environ, appended to OUT (searched by the sweep)
sample_proc() {	# OUT
	local p exe
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		[ "$(basename -- "${exe% (deleted)}")" = lawtap ] || continue
		{ printf '== %s cmdline\n' "${p#/proc/}"; tr '\0' '\n' <"$p/cmdline"
		  printf '== %s environ\n' "${p#/proc/}"; tr '\0' '\n' <"$p/environ"
		} >>"$1" 2>/dev/null || true
	done
}
# An officer command that waits for its passphrase on a FIFO: /proc is read
# while it waits, with the warrant file already named on its command line.
officer_sampled() {	# OUT ARGS...
	local out=$1 pid
	shift
	rm -f "$tmp/pass.fifo"
	mkfifo -m 0600 "$tmp/pass.fifo"
	"$lawtap" "$@" --state "$state" --passphrase-fd 3 3<>"$tmp/pass.fifo" >"$out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		[ "$(basename -- "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = lawtap ] &&
			grep -q '^State:.*S (sleeping)' "/proc/$pid/status" && break
		sleep 0.02
	done
	sample_proc "$tmp/proc-officer.txt"
	grep -q "^== $pid environ" "$tmp/proc-officer.txt" ||
		fail "could not read /proc of lawtap $1"
	cat "$src/pass" >"$tmp/pass.fifo"
	wait "$pid"
}

e2e_veth

# lawtap run has no switch for its own debug lines (util/log.h has LT_LOG_DEBUG,
# nothing in `lawtap run` turns it on); DPDK's logging goes to debug here.
cat >"$tmp/lawtap.conf" <<CONF
operator: { id = "ExampleISP"; network_element = "lawtap-1"; country = "NZ"; };
delivery: { queue_mb = 16; reconnect_interval = 1; unreachable_timeout = 10; };
dpdk: {
  eal = ["-l", "0-1", "--no-huge", "-m", "512", "--no-pci", "--file-prefix=$ns",
         "--log-level=8", "--log-level=*:debug"];
  mbufs_per_queue = 4096;
  ports = ( { device = "net_af_packet0,iface=vcap"; rx_queues = 1; } );
};
agencies = (
  { id = "police"; hi2 = "127.0.0.1:41102"; hi3 = "127.0.0.1:41103";
    keepalive = 300; keepalive_timeout = 60; }
);
CONF
"$lawtap" check-config -c "$tmp/lawtap.conf" >"$logs/check-config.out" 2>&1 ||
	fail "config refused"

officer store init >"$logs/init.out" 2>&1 || { cat "$logs/init.out"; fail "store init"; }
(cd "$src" && "$lawtap" warrant keygen court >/dev/null) || fail "warrant keygen"
officer_sampled "$logs/issuer.out" warrant issuer add court "$src/court.pk" ||
	fail "issuer add"
python3 - "$src" <<'PY'
import json, sys
d = sys.argv[1]
c = json.load(open(d + "/canaries.json"))
auth = {"issued_by": "High Court", "authorized_by": "Judge", "presented_by": "Det",
        "intercept_type": "content"}
w1 = {"liid": c["liid1"], "case_id": c["case"], "agency": "police", "cin": 7,
      "content": "both", "level": "full", "start": "2026-01-01T00:00:00Z",
      "targets": {"ip": [c["ip"] + "/32"], "usernames": [c["user1"]], "macs": [c["mac"]]},
      "authority": auth, "carrier_contact": "LIO"}
w2 = {"liid": c["liid2"], "case_id": "other", "agency": "police", "cin": 8,
      "content": "iri", "level": "full", "start": "2026-01-01T00:00:00Z",
      "targets": {"usernames": [c["user2"]]}, "authority": auth, "carrier_contact": "LIO"}
json.dump(w1, open(d + "/w1.json", "w"))
json.dump(w2, open(d + "/w2.json", "w"))
# refusals, whose messages must not quote what they refuse: W1's LIID again,
# an agency this appliance does not serve, a malformed canary address
json.dump(dict(w1, case_id="dup"), open(d + "/w3.json", "w"))
json.dump(dict(w2, agency="spies"), open(d + "/w4.json", "w"))
json.dump(dict(w1, targets={"ip": [c["ip"] + "/33"], "usernames": [c["user1"] + "\n"]}),
          open(d + "/w5.json", "w"))
PY
seal_import() {	# N
	"$lawtap" warrant seal --key "$src/court.sk" --to "$state/appliance.pub" --serial "$1" \
		--valid-for 1d "$src/w$1.json" "$src/w$1.ltw" >/dev/null || fail "seal W$1"
	officer_sampled "$logs/import$1.out" warrant import -c "$tmp/lawtap.conf" "$src/w$1.ltw" ||
		{ cat "$logs/import$1.out"; fail "import W$1"; }
}
seal_import 1

send() {	# N: N UDP packets to the canary IP and N to 192.0.2.77
	nsx python3 - "$cip" "$1" <<'PY'
import socket, struct, sys, time
cip, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("vinj", 0))
def csum(b):
    t = sum(struct.unpack("!10H", b))
    t = (t >> 16) + (t & 0xFFFF)
    return ~(t + (t >> 16)) & 0xFFFF
for i in range(n):
    for dst in (cip, "192.0.2.77"):
        data = b"secrets packet %d" % i
        udp = struct.pack("!HHHH", 40000, 53, 8 + len(data), 0) + data
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                        socket.inet_aton("192.0.2.9"), socket.inet_aton(dst))
        ip = h[:10] + struct.pack("!H", csum(h)) + h[12:] + udp
        s.send(b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip)
    if i % 16 == 0:
        time.sleep(0.002)
PY
}
# A sanitizer build catches SIGSEGV itself and exits 1: let the signal kill it,
# as it kills the plain build, so that the no-core-file check means the same.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"
start_run() {	# LOG: from its own empty working directory, where a core file would land
	(cd "$tmp/cwd" && exec ip netns exec "$ns" "$lawtap" run -c "$tmp/lawtap.conf" \
		--state "$state" --control "$tmp/ctl.sock" --debug >"$logs/$1" 2>&1 </dev/null) &
	run_pid=$!
	for _ in $(seq 300); do
		[ "$(grep -c -- '-> up' "$logs/$1" || true)" -ge 2 ] && break
		kill -0 "$run_pid" 2>/dev/null || { cat "$logs/$1"; fail "lawtap run exited early"; }
		sleep 0.1
	done
	[ "$(basename -- "$(readlink "/proc/$run_pid/exe")")" = lawtap ] ||
		fail "pid $run_pid is not lawtap"
}
reload() {
	python3 - "$tmp/ctl.sock" <<'PY' || fail "reload request"
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"cmd": "reload"}\n')
r = json.loads(s.makefile().readline())
assert r.get("ok") is True, r
PY
	for _ in $(seq 100); do grep -q 'reload applied' "$logs/run1.log" && return 0; sleep 0.01; done
	fail "the reload was not applied"
}
# where a core file of a process killed now could appear
core_places() {
	local pat
	pat=$(cat /proc/sys/kernel/core_pattern)
	echo "$tmp"
	echo "$state"
	for d in /var/crash /var/lib/systemd/coredump /var/lib/apport/coredump; do
		[ -d "$d" ] && echo "$d"
	done
	case $pat in
	/*) dirname -- "${pat%% *}" ;;
	esac
	return 0
}
no_core() {	# WHAT
	local found
	found=$(core_places | sort -u | while read -r d; do
		find "$d" -xdev -type f -newer "$tmp/stamp" \( -name 'core*' -o -name '*.crash' \) \
			! -path "$tmp/cwd-control/*" 2>/dev/null
	done)
	[ -z "$found" ] || fail "$1 left a core file: $found"
}

ip netns exec "$ns" "$lawtap" lemf --listen 127.0.0.1:41102 --listen 127.0.0.1:41103 \
	--out "$lea/out.jsonl" --idle-exit 30 >"$lea/lemf.out" 2>"$lea/lemf.err" &
lemf_pid=$!
sleep 0.5
start_run run1.log
send 200
# W2 while it runs, applied live
seal_import 2
reload
for n in 3 4; do
	"$lawtap" warrant seal --key "$src/court.sk" --to "$state/appliance.pub" --serial "$n" \
		--valid-for 1d "$src/w$n.json" "$src/w$n.ltw" >/dev/null || fail "seal W$n"
	set +e
	officer_sampled "$logs/import$n.out" warrant import -c "$tmp/lawtap.conf" "$src/w$n.ltw"
	rc=$?
	set -e
	[ "$rc" = 1 ] && grep -q '^lawtap: warrant import refused: ' "$logs/import$n.out" ||
		fail "W$n: import exited $rc: $(cat "$logs/import$n.out")"
done
set +e
"$lawtap" warrant seal --key "$src/court.sk" --to "$state/appliance.pub" --serial 5 \
	--valid-for 1d "$src/w5.json" "$src/w5.ltw" >"$logs/seal5.out" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] && [ ! -e "$src/w5.ltw" ] || fail "W5: seal exited $rc: $(cat "$logs/seal5.out")"
send 200
sleep 0.5
"$lawtap" status --control "$tmp/ctl.sock" >"$logs/status.txt" 2>&1 || fail "status"
"$lawtap" status --control "$tmp/ctl.sock" --json >"$logs/status.json" 2>&1 ||
	fail "status --json"
"$lawtap" status --control "$tmp/ctl.sock" --prometheus >"$logs/status.prom" 2>&1 ||
	fail "status --prometheus"
"$lawtap" warrant list --operator --state "$state" >"$logs/list-operator.out" 2>&1 ||
	fail "warrant list --operator"
sample_proc "$tmp/proc-daemon.txt"
grep -q "^== $run_pid cmdline" "$tmp/proc-daemon.txt" || fail "could not read the daemon's /proc"
grep -q "^== $lemf_pid environ" "$tmp/proc-daemon.txt" || fail "could not read the LEMF's /proc"

# the canary warrant was in effect: the agency got its target's packets
python3 - "$lea/out.jsonl" "$src/canaries.json" <<'PY' || fail "the canary warrant did not deliver"
import json, sys
c = json.load(open(sys.argv[2]))
n = sum(1 for l in open(sys.argv[1]) if json.loads(l).get("kind") == "CC"
        and json.loads(l).get("liid") == c["liid1"])
print("secrets.sh: %d CC records for the canary warrant" % n)
sys.exit(0 if n == 400 else 1)
PY

# a control: the same kill on an ordinary process here does leave a core file
core_check=unverified
( cd "$tmp/cwd-control" && ulimit -c unlimited && exec sleep 60 ) &
ctl_pid=$!
sleep 0.2
kill -SEGV "$ctl_pid"
wait "$ctl_pid" 2>/dev/null || true
sleep 0.5
if [ -n "$(find "$tmp/cwd-control" -name 'core*' -type f)" ]; then
	core_check=verified
	rm -f "$tmp/cwd-control"/core*
else
	echo "secrets.sh: note: a control process killed by SIGSEGV left no core file in its" \
		"directory (core_pattern '$(cat /proc/sys/kernel/core_pattern)'): the core check" \
		"below cannot be shown to work on this machine"
fi

kill -SEGV "$run_pid"
set +e
{ wait "$run_pid"; } 2>/dev/null
rc=$?
set -e
run_pid=
[ "$rc" = $((128 + 11)) ] || fail "lawtap run after SIGSEGV exited $rc, want 139"
sleep 1
no_core "lawtap run killed by SIGSEGV"

# again, and SIGKILL this time; the stale socket and DPDK files stay behind
start_run run2.log
send 50
sleep 0.3
sample_proc "$tmp/proc-daemon.txt"
kill -KILL "$run_pid"
wait "$run_pid" 2>/dev/null || true
run_pid=
sleep 0.5
no_core "lawtap run killed by SIGKILL"
kill "$lemf_pid" 2>/dev/null || true
wait "$lemf_pid" 2>/dev/null || true
lemf_pid=

# the sweep
python3 - "$tmp" "/var/run/dpdk/$ns" <<'PY' || fail "a canary was found (above)"
import base64, json, os, socket, sys
tmp, dpdk = sys.argv[1], sys.argv[2]
c = json.load(open(tmp + "/src/canaries.json"))

def b64_forms(b):
    # each of the three alignments, only the characters b alone decides
    out = set()
    for k in range(3):
        for enc in (base64.b64encode, base64.urlsafe_b64encode):
            e = enc(b"\0" * k + b)
            lo, hi = -(-8 * k // 6), 8 * (k + len(b)) // 6
            out.add(e[lo:hi])
    return out

forms = {}
for name, v in c.items():
    b = v.encode()
    f = {"text": [b, b.lower(), b.upper()], "hex": [b.hex().encode()],
         "base64": sorted(b64_forms(b)), "utf-16": [v.encode("utf-16-le")]}
    if name == "ip":
        f["binary"] = [socket.inet_aton(v)]
        f["hex"].append(socket.inet_aton(v).hex().encode())
    if name == "mac":
        raw = bytes.fromhex(v.replace(":", ""))
        f["binary"] = [raw]
        f["text"] += [v.replace(":", "-").encode(), v.replace(":", "").encode()]
        f["hex"] = [raw.hex().encode()]
    forms[name] = f

def hits(data, packets_allowed=False):
    low, out = data.lower(), set()
    for name, f in forms.items():
        for kind, vals in f.items():
            if kind == "binary" and packets_allowed:
                continue
            for v in vals:
                if (v.lower() in low) if kind == "hex" else (v in data):
                    out.add((name, kind))
                    break
    return out

# the search itself: it must find what the warrant sources plainly hold, and
# the other forms in a planted blob
w1 = hits(open(tmp + "/src/w1.json", "rb").read())
blob = (b"x" + base64.b64encode(b"ab" + c["liid1"].encode() + b"cd") +
        c["user1"].encode().hex().upper().encode() + socket.inet_aton(c["ip"]) +
        c["pass"].encode("utf-16-le") + bytes.fromhex(c["mac"].replace(":", "")))
planted = hits(blob)
need_w1 = {(n, "text") for n in ("liid1", "case", "ip", "user1", "mac")}
need_blob = {("liid1", "base64"), ("user1", "hex"), ("ip", "binary"), ("pass", "utf-16"),
             ("mac", "binary")}
if not need_w1 <= w1 or not need_blob <= planted:
    print("secrets.sh: the canary search misses %s" % sorted((need_w1 - w1) |
          (need_blob - planted)))
    sys.exit(1)

skip = {os.path.join(tmp, "src"), os.path.join(tmp, "lea")}
roots = [tmp, dpdk, "/dev/shm"]
made = os.path.getmtime(tmp + "/stamp")
files, found = 0, []
for root in roots:
    for d, dirs, names in os.walk(root):
        dirs[:] = [x for x in dirs if os.path.join(d, x) not in skip]
        for n in names:
            p = os.path.join(d, n)
            if not os.path.isfile(p) or os.path.islink(p):
                continue
            if root == "/dev/shm" and os.path.getmtime(p) < made:
                continue	# not this run's
            if root == "/dev/shm" and p.endswith(".q") and \
                    os.path.basename(d).startswith("lawtap-"):
                # a connection's queue kept in RAM (tmpfs) across a SIGKILL: the
                # records themselves, like the daemon's own memory; root only
                if os.stat(p).st_mode & 0o077 or os.stat(d).st_mode & 0o077:
                    print("secrets.sh: %s or its directory is open to others" % p)
                    found.append((p, "mode", "permissions"))
                continue
            data = open(p, "rb").read()
            files += 1
            # binary forms only where no packet bytes belong (dpdk: mbuf memory)
            found += [(p, n, k) for n, k in hits(data, root == dpdk)]
for p, name, kind in sorted(set(found)):
    print("secrets.sh: LEAK: canary %s (%s) in %s" % (name, kind, p))
print("secrets.sh: %d files searched for %d canaries in %d forms" % (
    files, len(forms), sum(len(v) for f in forms.values() for v in f.values())))
sys.exit(1 if found else 0)
PY
[ -s "$state/store.bin" ] || fail "no store.bin to search"
echo "secrets.sh: /proc cmdline and environ clean; no core file after SIGSEGV or SIGKILL" \
	"(core check $core_check)"
echo "secrets.sh: passed"
