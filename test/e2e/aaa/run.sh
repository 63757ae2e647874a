#!/usr/bin/env bash
# run.sh - end to end for subscriber sessions: the real FreeRADIUS capture of
# radcap.sh, the real DHCP capture of dhcpcap.sh (and genaaa.py's generated
# corner cases, when present), each
# replayed through `lawtap run --replay` into `lawtap lemf`, then checked by
# aaacheck.py, which works out from the capture and the config alone what
# each LIID must get.  A case without its checker fails: nothing passes
# unchecked.
#
# usage: run.sh LAWTAP [--keep DIR]
# --keep DIR: write everything into DIR (created) and leave it there.
# Needs root (network namespaces, DPDK); exits 77 (skipped) without it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: run.sh LAWTAP [--keep DIR]" >&2; exit 2; }
[ $# -ge 1 ] || usage
lawtap=$(realpath "$1")
shift
keep=
while [ $# -gt 0 ]; do
	case $1 in
	--keep) [ $# -ge 2 ] || usage; keep=$2; shift ;;
	*) usage ;;
	esac
	shift
done
if [ "$(id -u)" != 0 ]; then
	echo "run.sh: needs root (network namespaces, DPDK); skipped"
	exit 77
fi
[ -x "$lawtap" ] || { echo "run.sh: $lawtap is not an executable" >&2; exit 2; }

if [ -n "$keep" ]; then
	mkdir -p -- "$keep"
	tmp=$(realpath "$keep")
else
	tmp=$(mktemp -d /tmp/lawtap-aaa.XXXXXX)
fi
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
	if [ -n "$keep" ]; then
		echo "run.sh: files kept in $tmp"
	else
		rm -rf -- "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "run.sh: FAIL: $*"
	exit 1
}

# Four ports nobody uses right now: police HI2, HI3, customs HI2, HI3.
ports=$(python3 -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(",".join(str(x.getsockname()[1]) for x in s))')

# A real capture on a busy machine may lose a frame (the scripts check and
# fail); such a capture is taken again, up to three times, saying so.
capture() {
	local script=$1 try rc
	for try in 1 2 3; do
		set +e
		"$here/$script" "$tmp" --ports "$ports"
		rc=$?
		set -e
		[ "$rc" = 1 ] && [ "$try" -lt 3 ] && { echo "run.sh: $script failed, again"; continue; }
		return "$rc"
	done
}

set +e
capture radcap.sh
rc=$?
set -e
[ "$rc" = 77 ] && { echo "run.sh: radcap.sh skipped, so do I"; exit 77; }
[ "$rc" = 0 ] || fail "radcap.sh exited $rc"
cases=(aaa)
failed=() skipped=()
set +e
capture dhcpcap.sh
rc=$?
set -e
case $rc in
0) cases+=(dhcp) ;;
77) skipped+=("dhcp (dhcpcap.sh skipped)") ;;
*) failed+=("dhcp (dhcpcap.sh exited $rc)") ;;
esac
if [ -f "$here/genaaa.py" ]; then
	python3 "$here/genaaa.py" "$tmp" || failed+=("genaaa.py (exited $?)")
	for c in "$tmp"/gen-*.conf; do
		[ -f "$c" ] || continue
		c=${c##*/}
		c=${c%.conf}
		[ -f "$tmp/$c.pcap" ] || { failed+=("$c (no $c.pcap)"); continue; }
		# genaaa.py's fixed agency ports -> this run's free ones (runs may overlap)
		IFS=, read -r p1 p2 p3 p4 <<<"$ports"
		sed -i -e "s/127\.0\.0\.1:40102\b/127.0.0.1:$p1/" -e "s/127\.0\.0\.1:40103\b/127.0.0.1:$p2/" \
			-e "s/127\.0\.0\.1:40112\b/127.0.0.1:$p3/" -e "s/127\.0\.0\.1:40113\b/127.0.0.1:$p4/" \
			"$tmp/$c.conf"
		cases+=("$c")
	done
else
	echo "run.sh: no genaaa.py yet: the real capture only"
fi

# one CASE: $tmp/CASE.pcap through lawtap into lawtap lemf, then aaacheck.py.
# Returns non-zero on any failure, having said why.
one() {
	local c=$1 conf=$tmp/$1.conf pcap=$tmp/$1.pcap status=0 run_rc lemf_rc a p start end
	local listen=() lports=()
	echo "run.sh: case $c"
	# The agencies' HI2/HI3 addresses, from the config (genaaa.py's own ports).
	for a in $(python3 -c '
import re, sys
for m in re.finditer(r"\bhi[23]\s*=\s*\"([^\"]+)\"", open(sys.argv[1]).read()):
    print(m.group(1))' "$conf"); do
		listen+=(--listen "$a")
		lports+=("${a##*:}")
	done
	[ ${#listen[@]} -gt 0 ] || { echo "run.sh: $c: no agency in $conf"; return 1; }
	"$lawtap" lemf "${listen[@]}" --out "$tmp/$c.jsonl" --idle-exit 3 \
		>"$tmp/$c.lemf.out" 2>"$tmp/$c.lemf.err" &
	lemf_pid=$!
	for p in "${lports[@]}"; do
		for _ in $(seq 100); do
			ss -ltnH "sport = :$p" | grep -q . && break
			kill -0 "$lemf_pid" 2>/dev/null ||
				{ cat "$tmp/$c.lemf.err"; echo "run.sh: $c: lawtap lemf exited early"; return 1; }
			sleep 0.1
		done
		ss -ltnH "sport = :$p" | grep -q . ||
			{ echo "run.sh: $c: lawtap lemf does not listen on port $p"; return 1; }
	done

	set +e
	start=$(date +%s.%N)
	# a case in two files (CASE.pcap, CASE.2.pcap) is replayed by two workers
	local files=$pcap checkargs=(--pcap "$pcap")
	if [ -f "$tmp/$c.2.pcap" ]; then
		files="$pcap,$tmp/$c.2.pcap"
		checkargs+=(--pcap "$tmp/$c.2.pcap")
	fi
	timeout --kill-after=10 300 "$lawtap" run -c "$conf" --replay "$files" \
		>"$tmp/$c.run.out" 2>&1
	run_rc=$?
	end=$(date +%s.%N)
	set -e
	echo "run.sh: $c: lawtap run exited $run_rc after" \
		"$(python3 -c "print('%.1f' % ($end - $start))") s"
	sed 's/^/  run: /' "$tmp/$c.run.out" | tail -n 40

	# The LEMF leaves 3 s after the last byte; give it a generous minute.
	for _ in $(seq 600); do
		kill -0 "$lemf_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$lemf_pid" 2>/dev/null; then
		echo "run.sh: $c: lawtap lemf still running a minute after the replay (--idle-exit 3)"
		return 1
	fi
	set +e
	wait "$lemf_pid"
	lemf_rc=$?
	set -e
	lemf_pid=
	echo "run.sh: $c: lawtap lemf exited $lemf_rc"
	sed 's/^/  lemf: /' "$tmp/$c.lemf.out"
	sed 's/^/  lemf: /' "$tmp/$c.lemf.err" | tail -n 20

	# Nothing naming a target in lawtap's own output: the config's LIIDs,
	# identifiers and prefixes, and the addresses radcap.sh handed out.
	python3 - "$conf" <<'PY' >"$tmp/$c.leaknames"
import ipaddress, re, sys
s = re.sub(r"(#|//)[^\n]*", "", open(sys.argv[1]).read())
for key in ("liid", "usernames", "calling_station_ids", "macs", "circuit_ids", "targets"):
    for m in re.finditer(r"\b%s\s*=\s*(\[[^\]]*\]|\"[^\"]*\")" % key, s):
        for v in re.findall(r"\"([^\"]*)\"", m.group(1)):
            if key == "targets":
                v = str(ipaddress.ip_network(v, strict=False).network_address)
            if v:
                print(v)
PY
	if [ -f "$tmp/$c.names" ]; then
		cat "$tmp/$c.names" >>"$tmp/$c.leaknames"
	fi
	if grep -n -F -f "$tmp/$c.leaknames" "$tmp/$c.run.out" >"$tmp/$c.leak"; then
		sed 's/^/  leak: /' "$tmp/$c.leak" | head -5
		echo "run.sh: $c: lawtap run's output names an intercept target"
		status=1
	fi

	[ "$run_rc" = 0 ] || { echo "run.sh: $c: lawtap run should exit 0"; status=1; }
	[ "$lemf_rc" = 0 ] || { echo "run.sh: $c: the LEMF reports gaps or errors"; status=1; }
	if [ -f "$here/aaacheck.py" ]; then
		python3 "$here/aaacheck.py" --conf "$conf" "${checkargs[@]}" --jsonl "$tmp/$c.jsonl" ||
			status=1
	else
		echo "run.sh: $c: aaacheck.py is missing: nothing checks what the LEMF got"
		status=1
	fi
	return "$status"
}

for c in "${cases[@]}"; do
	if one "$c"; then
		echo "run.sh: case $c passed"
	else
		failed+=("$c")
		if [ -n "$lemf_pid" ]; then
			kill "$lemf_pid" 2>/dev/null || true
			wait "$lemf_pid" 2>/dev/null || true
			lemf_pid=
		fi
	fi
done
[ ${#skipped[@]} -eq 0 ] || echo "run.sh: skipped: ${skipped[*]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "run.sh: failed: ${failed[*]} (of ${#cases[@]} cases)"
	fail "subscriber sessions (files: use --keep DIR to keep them)"
fi
echo "run.sh: all ${#cases[@]} cases passed"
