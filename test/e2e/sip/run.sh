#!/usr/bin/env bash
# run.sh - VoIP intercepts end to end: gensip.py's generated calls (UDP, TCP split across
# segments, IP fragments, two targets in one call, media moved by a re-INVITE, a call that
# never ends) and sippcap.sh's real SIPp calls with RTP (with sipp2expect.py's model of
# them), each replayed through `lawtap run --replay` into `lawtap lemf`, then checked by
# sipcheck.py against what each LIID must get.
#
# usage: run.sh LAWTAP [--keep DIR]
# Needs root (DPDK); exits 77 (skipped) without it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: run.sh LAWTAP [--keep DIR]" >&2; exit 2; }
lawtap=$(realpath "$1")
keep=
[ "${2:-}" = --keep ] && keep=${3:?--keep needs a directory}
if [ "$(id -u)" != 0 ]; then
	echo "run.sh: needs root (DPDK); skipped"
	exit 77
fi
if [ -n "$keep" ]; then
	mkdir -p -- "$keep"
	tmp=$(realpath "$keep")
else
	tmp=$(mktemp -d /tmp/lawtap-sip.XXXXXX)
fi
lemf_pid=
cleanup() {
	local rc=$?
	if [ -n "$lemf_pid" ] && kill -0 "$lemf_pid" 2>/dev/null; then
		kill "$lemf_pid" 2>/dev/null || true
		wait "$lemf_pid" 2>/dev/null || true
	fi
	[ -n "$keep" ] && echo "run.sh: files kept in $tmp" || rm -rf -- "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CASE: $tmp/CASE.conf and CASE.pcap through lawtap into lawtap lemf, then sipcheck.py
# against CASE.expect.json.  The config's fixed agency ports become four free ones.
one() {
	local c=$1 rc p p1 p2 p3 p4
	echo "run.sh: case $c"
	read -r p1 p2 p3 p4 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
	sed -i -e "s/:40202\"/:$p1\"/" -e "s/:40203\"/:$p2\"/" -e "s/:40212\"/:$p3\"/" \
		-e "s/:40213\"/:$p4\"/" "$tmp/$c.conf"
	"$lawtap" lemf --listen 127.0.0.1:$p1 --listen 127.0.0.1:$p2 --listen 127.0.0.1:$p3 \
		--listen 127.0.0.1:$p4 --out "$tmp/$c.jsonl" --idle-exit 3 \
		>"$tmp/$c.lemf.out" 2>"$tmp/$c.lemf.err" &
	lemf_pid=$!
	for p in $p1 $p2 $p3 $p4; do
		for _ in $(seq 100); do
			ss -ltnH "sport = :$p" | grep -q . && break
			sleep 0.1
		done
	done
	set +e
	timeout --kill-after=10 300 "$lawtap" run -c "$tmp/$c.conf" --replay "$tmp/$c.pcap" \
		>"$tmp/$c.run.out" 2>&1
	rc=$?
	set -e
	echo "run.sh: $c: lawtap run exited $rc"
	sed 's/^/  run: /' "$tmp/$c.run.out" | grep -v "agency .*->" | tail -n 12
	for _ in $(seq 600); do
		kill -0 "$lemf_pid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$lemf_pid" || true
	lemf_pid=
	sed 's/^/  lemf: /' "$tmp/$c.lemf.out" | tail -n 12
	[ "$rc" = 0 ] || { echo "run.sh: FAIL: $c: lawtap run exited $rc"; return 1; }
	# nothing naming a target in lawtap's own output
	for s in W-BOB W-CAROL W-DAVE W-ERIN W-CARL bob@ carol@ dave@ carl@ 64215550100; do
		if grep -q -- "$s" "$tmp/$c.run.out"; then
			echo "run.sh: FAIL: $c: lawtap's output names $s"
			return 1
		fi
	done
	python3 "$here/sipcheck.py" "$tmp/$c.expect.json" "$tmp/$c.jsonl"
}

python3 "$here/gensip.py" "$tmp"
failed=()
one gen-sip || failed+=(gen-sip)
# real SIPp calls, when sipp is installed
set +e
"$here/sippcap.sh" "$tmp"
rc=$?
set -e
case $rc in
0)	if python3 "$here/sipp2expect.py" "$tmp/sipp.pcap" "$tmp"; then
		one sipp || failed+=(sipp)
	else
		failed+=("sipp (sipp2expect.py)")
	fi ;;
77)	echo "run.sh: sippcap.sh skipped: the SIPp case is not run" ;;
*)	failed+=("sipp (sippcap.sh exited $rc)") ;;
esac
[ ${#failed[@]} = 0 ] || { echo "run.sh: FAIL: ${failed[*]}"; exit 1; }
echo "run.sh: ok"
