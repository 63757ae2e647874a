#!/usr/bin/env bash
# live.sh - end to end on a live port: frames sent over a veth pair in a
# network namespace of our own, captured by `lawtap run -c` through DPDK's
# net_af_packet (the same code a NIC feeds), delivered to `lawtap lemf`,
# checked by check.py --live.  Also: keep-alives on an idle connection are
# sent and answered, and SIGTERM delivers everything queued before exiting 0.
#
# usage: live.sh LAWTAP [--packets N] [--keep]
# Needs root (netns, DPDK); exits 77 (skipped) without it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/netns.sh"	# e2e_veth; this script keeps its own arguments, fail and cleanup
[ $# -ge 1 ] || { echo "usage: live.sh LAWTAP [--packets N] [--keep]" >&2; exit 2; }
lawtap=$(realpath "$1")
shift
packets=3000
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--packets) packets=$2; shift ;;
	--keep) keep=1 ;;
	*) echo "live.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
if [ "$(id -u)" != 0 ]; then
	echo "live.sh: needs root (network namespace, DPDK); skipped"
	exit 77
fi
command -v ip >/dev/null || { echo "live.sh: iproute2 missing; skipped"; exit 77; }

ns=lt-live-$$
tmp=$(mktemp -d /tmp/lawtap-live.XXXXXX)
lemf_pid= run_pid=
cleanup() {
	local rc=$?
	[ -n "$run_pid" ] && kill -KILL "$run_pid" 2>/dev/null
	[ -n "$lemf_pid" ] && kill "$lemf_pid" 2>/dev/null
	wait 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "/var/run/dpdk/$ns"
	if [ "$keep" = 1 ]; then echo "live.sh: files kept in $tmp"; else rm -rf -- "$tmp"; fi
	exit "$rc"
}
trap cleanup EXIT
fail() { echo "live.sh: FAIL: $*"; exit 1; }
nsx() { ip netns exec "$ns" "$@"; }

# A namespace with its own loopback (the agency) and a veth pair: frames
# written to vinj arrive on vcap, the appliance's capture port.
e2e_veth

python3 "$here/gencap.py" --out "$tmp" --packets "$packets" \
	--ports 41002,41003,41012,41013 --no-truth >/dev/null
# Live clock: windows judged at the time of the run, so move the generator's
# windows to ones that are open now (or closed, or not yet open).
python3 - "$tmp/lawtap.conf" "$ns" <<'PY'
import re, sys
path, ns = sys.argv[1], sys.argv[2]
s = open(path).read()
s = s.replace("2027-05-01T00:00:00Z", "2098-01-01T00:00:00Z")       # open for decades
s = s.replace('start = "2026-11-10T12:00:30Z"', 'start = "2097-01-01T00:00:00Z"')  # not yet
s = s.replace('keepalive = 300; keepalive_timeout = 60;', 'keepalive = 1; keepalive_timeout = 5;', 1)
s += '''
dpdk: {
  eal = ["-l", "0-1", "--no-huge", "-m", "512", "--no-pci", "--file-prefix=%s",
         "--log-level=lib.eal:warning"];
  mbufs_per_queue = 4096;
  ports = ( { device = "net_af_packet0,iface=vcap"; rx_queues = 1; } );
};
''' % ns
open(path, "w").write(s)
PY
"$lawtap" check-config -c "$tmp/lawtap.conf" || fail "generated live config refused"

ip netns exec "$ns" "$lawtap" lemf --listen 127.0.0.1:41002 --listen 127.0.0.1:41003 \
	--listen 127.0.0.1:41012 --listen 127.0.0.1:41013 --out "$tmp/out.jsonl" \
	--idle-exit 4 >"$tmp/lemf.out" 2>"$tmp/lemf.err" &
lemf_pid=$!
sleep 0.5
ip netns exec "$ns" "$lawtap" run -c "$tmp/lawtap.conf" >"$tmp/run.out" 2>&1 &
run_pid=$!

# Up: four connections reach the LEMF.
for _ in $(seq 300); do
	[ "$(grep -c 'connection [0-9]* from' "$tmp/lemf.err" || true)" -ge 4 ] && break
	kill -0 "$run_pid" 2>/dev/null || { cat "$tmp/run.out"; fail "lawtap run exited early"; }
	sleep 0.1
done
[ "$(grep -c 'connection [0-9]* from' "$tmp/lemf.err" || true)" -ge 4 ] ||
	{ cat "$tmp/run.out"; fail "lawtap did not connect to the agencies"; }
sleep 2.5	# idle: police's keep-alive (TIME1 = 1 s) goes out and is answered

t0=$(python3 -c 'import time; print(time.time_ns() // 1000)')
nsx python3 - "$tmp" <<'PY'
# Sends a.pcap then b.pcap out of vinj, and writes what it sent to sent-*.pcap
# for check.py.  IP fragments are left out: DPDK's net_af_packet joins its
# socket with PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles them before
# the appliance sees them (a NIC port hands over fragments as they are; the
# replay test covers those).
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
for name in ("a", "b"):
    data = open("%s/%s.pcap" % (d, name), "rb").read()
    out = open("%s/sent-%s.pcap" % (d, name), "wb")
    out.write(data[:24])
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        rec = data[off:off + 16 + caplen]
        frame = rec[16:]
        off += 16 + caplen
        if len(frame) < 14 or fragment(frame):
            continue	# the kernel refuses frames shorter than a header
        s.send(frame)
        out.write(rec)
        sent += 1
        if sent % 32 == 0:
            time.sleep(0.004)	# ~8k frames/s: the 2-vCPU host keeps up
    out.close()
print("live.sh: sent %d frames (IP fragments left out)" % sent)
PY
t1=$(python3 -c 'import time; print(time.time_ns() // 1000)')
sleep 1
kill -TERM "$run_pid"
set +e
wait "$run_pid"
run_rc=$?
set -e
run_pid=
sed 's/^/  run: /' "$tmp/run.out" | grep -v 'connecting\|-> up' | tail -n 14
[ "$run_rc" = 0 ] || fail "lawtap run exited $run_rc after SIGTERM"
grep -q 'agency police HI2: closed.*keep-alives [1-9][0-9]* sent [1-9]' "$tmp/run.out" ||
	fail "no keep-alive sent and answered on police HI2"
grep -q 'rx [0-9]* packets.*dropped: ring full 0, queue full 0, undeliverable 0' "$tmp/run.out" ||
	fail "drops reported"

for _ in $(seq 300); do kill -0 "$lemf_pid" 2>/dev/null || break; sleep 0.1; done
set +e
wait "$lemf_pid"
lemf_rc=$?
set -e
lemf_pid=
sed 's/^/  lemf: /' "$tmp/lemf.out"
[ "$lemf_rc" = 0 ] || fail "lawtap lemf exited $lemf_rc"
python3 "$here/check.py" -c "$tmp/lawtap.conf" -j "$tmp/out.jsonl" --live "$t0:$t1" \
	"$tmp/sent-a.pcap" "$tmp/sent-b.pcap" || fail "check.py"
echo "live.sh: passed"
