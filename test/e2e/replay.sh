#!/usr/bin/env bash
# replay.sh - end to end: generated captures -> lawtap run -> lawtap lemf -> check.py.
#
# usage: replay.sh LAWTAP [--unreachable] [--packets N] [--seed N] [--keep]
#
# Default scenario: both agencies listen; everything the captures demand must
# arrive, exactly (check.py).  --unreachable: nobody listens for the agency
# "customs"; lawtap must exit non-zero naming it and a count of undelivered
# records, and police must still get all of its records.
# In both, lawtap's own output must not name a target (LIID or address).
# Needs root (DPDK); exits 77 (skipped) without it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: replay.sh LAWTAP [--unreachable] [--packets N] [--seed N] [--keep]" >&2; exit 2; }
[ $# -ge 1 ] || usage
lawtap=$(realpath "$1")
shift
scenario=deliver
packets=${E2E_PACKETS:-30000}
seed=${E2E_SEED:-20261110}
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--unreachable) scenario=unreachable ;;
	--packets) [ $# -ge 2 ] || usage; packets=$2; shift ;;
	--seed) [ $# -ge 2 ] || usage; seed=$2; shift ;;
	--keep) keep=1 ;;
	*) usage ;;
	esac
	shift
done
if [ "$(id -u)" != 0 ]; then
	echo "replay.sh: DPDK replay needs root; skipped"
	exit 77
fi
[ -x "$lawtap" ] || { echo "replay.sh: $lawtap is not an executable" >&2; exit 2; }

tmp=$(mktemp -d /tmp/lawtap-e2e.XXXXXX)
lemf_pid=
dpdk_before=$(ls -d /var/run/dpdk/lawtap-* 2>/dev/null || true)

cleanup() {
	local rc=$? d pid
	if [ -n "$lemf_pid" ] && kill -0 "$lemf_pid" 2>/dev/null; then
		kill "$lemf_pid" 2>/dev/null || true
		wait "$lemf_pid" 2>/dev/null || true
	fi
	# DPDK runtime dirs this run left behind (lawtap uses --file-prefix
	# lawtap-<pid>); those of processes still alive are someone else's.
	for d in /var/run/dpdk/lawtap-*; do
		[ -d "$d" ] || continue
		grep -qxF -- "$d" <<<"$dpdk_before" && continue
		pid=${d##*/lawtap-}
		[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && continue
		rm -rf -- "$d"
	done
	if [ "$keep" = 1 ]; then
		echo "replay.sh: files kept in $tmp"
	else
		rm -rf -- "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "replay.sh: FAIL: $*"
	exit 1
}

# Four ports nobody uses right now: police HI2, HI3, customs HI2, HI3.
ports=$(python3 -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(",".join(str(x.getsockname()[1]) for x in s))')
IFS=, read -r p_hi2 p_hi3 c_hi2 c_hi3 <<<"$ports"

timeout_s=10
[ "$scenario" = unreachable ] && timeout_s=3
python3 "$here/gencap.py" --out "$tmp" --packets "$packets" --seed "$seed" --ports "$ports" \
	--unreachable-timeout "$timeout_s" --no-truth

listen=(--listen "127.0.0.1:$p_hi2" --listen "127.0.0.1:$p_hi3")
lports=("$p_hi2" "$p_hi3")
if [ "$scenario" = deliver ]; then
	listen+=(--listen "127.0.0.1:$c_hi2" --listen "127.0.0.1:$c_hi3")
	lports+=("$c_hi2" "$c_hi3")
fi
"$lawtap" lemf "${listen[@]}" --out "$tmp/out.jsonl" --idle-exit 3 \
	>"$tmp/lemf.out" 2>"$tmp/lemf.err" &
lemf_pid=$!

for p in "${lports[@]}"; do
	for _ in $(seq 100); do
		ss -ltnH "sport = :$p" | grep -q . && break
		kill -0 "$lemf_pid" 2>/dev/null || { cat "$tmp/lemf.err"; fail "lawtap lemf exited early"; }
		sleep 0.1
	done
	ss -ltnH "sport = :$p" | grep -q . || fail "lawtap lemf does not listen on port $p"
done

echo "replay.sh: lawtap run ($scenario), $(du -ch "$tmp"/*.pcap | tail -1 | cut -f1) of captures"
set +e
start=$(date +%s.%N)
timeout --kill-after=10 300 "$lawtap" run -c "$tmp/lawtap.conf" \
	--replay "$tmp/a.pcap,$tmp/b.pcap" >"$tmp/run.out" 2>&1
run_rc=$?
end=$(date +%s.%N)
set -e
echo "replay.sh: lawtap run exited $run_rc after $(python3 -c "print('%.1f' % ($end - $start))") s"
sed 's/^/  run: /' "$tmp/run.out" | tail -n 40

# The LEMF leaves 3 s after the last byte; give it a generous minute.
for _ in $(seq 600); do
	kill -0 "$lemf_pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$lemf_pid" 2>/dev/null; then
	fail "lawtap lemf still running a minute after the replay (--idle-exit 3)"
fi
set +e
wait "$lemf_pid"
lemf_rc=$?
set -e
lemf_pid=
echo "replay.sh: lawtap lemf exited $lemf_rc"
sed 's/^/  lemf: /' "$tmp/lemf.out"
sed 's/^/  lemf: /' "$tmp/lemf.err" | tail -n 20

# Nothing naming a target in lawtap's own output.
python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import check, gencap
cfg = check.load_config(sys.argv[2])
for w in cfg["warrants"]:
    print(w.liid)
    for n in w.nets:
        print(n.network_address)
for hosts in gencap.TARGET_HOSTS.values():
    for h in hosts:
        print(h)' "$here" "$tmp/lawtap.conf" >"$tmp/names"
if grep -n -F -f "$tmp/names" "$tmp/run.out" >"$tmp/leak"; then
	sed 's/^/  leak: /' "$tmp/leak" | head -5
	fail "lawtap run's output names an intercept target"
fi

status=0
if [ "$scenario" = deliver ]; then
	[ "$run_rc" = 0 ] || { echo "replay.sh: lawtap run should exit 0"; status=1; }
	[ "$lemf_rc" = 0 ] || { echo "replay.sh: the LEMF reports gaps or errors"; status=1; }
	python3 "$here/check.py" -c "$tmp/lawtap.conf" -j "$tmp/out.jsonl" \
		"$tmp/a.pcap" "$tmp/b.pcap" || status=1
else
	case $run_rc in
	0 | 124 | 137)
		echo "replay.sh: lawtap run should give up on customs and exit non-zero," \
			"not $run_rc"
		status=1
		;;
	esac
	# Everything customs should have had: its IRI and CC, counted by check.py.
	lost=$(python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import check
cfg = check.load_config(sys.argv[2])
pk, _, first, last = check.load_captures(sys.argv[3:])
cc, iri = check.expected(cfg, pk, first, last)
print(sum(len(cc.get(w.liid, {})) + len(iri.get(w.liid, []))
          for w in cfg["warrants"] if w.agency == "customs"))' \
		"$here" "$tmp/lawtap.conf" "$tmp/a.pcap" "$tmp/b.pcap")
	if ! grep -E 'customs' "$tmp/run.out" | grep -qE "(^|[^0-9.:])$lost([^0-9.:]|\$)"; then
		echo "replay.sh: no line of lawtap's output names agency customs and" \
			"its $lost undelivered records"
		status=1
	fi
	[ "$lemf_rc" = 0 ] || { echo "replay.sh: the LEMF reports gaps or errors"; status=1; }
	python3 "$here/check.py" -c "$tmp/lawtap.conf" -j "$tmp/out.jsonl" \
		--ignore-agency customs "$tmp/a.pcap" "$tmp/b.pcap" || status=1
fi
[ "$status" = 0 ] || fail "scenario $scenario (files: use --keep to keep them)"
echo "replay.sh: scenario $scenario passed"
