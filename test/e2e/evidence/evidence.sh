#!/usr/bin/env bash
# evidence.sh - end to end: integrityCheck TRIs and capture-to-disk evidence.
#
# usage: evidence.sh LAWTAP [--packets N] [--seed N] [--keep]
#
# The replay of test/e2e/replay.sh with both agencies asking for integrity
# TRIs (police: a hash per 50 PDUs; customs: per 7 PDUs or 1 s) and two
# warrants with evidence = true.  Customs' HI3 goes through tee.py, which keeps
# the bytes.  Must hold:
#  - lawtap lemf --integrity-key: "integrity checks: N ok, 0 mismatch, 0
#    incomplete" with N the TRIs it received, and evcheck.py tri: each
#    stream's hashes cover its PDUs exactly once, signatures each hash once,
#    police's counts exactly those of its settings; check.py as in replay.sh;
#  - lawtap decode of the kept HI3 bytes: all ok; with one byte of a CC
#    record flipped: a mismatch and exit 1;
#  - lawtap evidence verify on each store: OK; the stores hold exactly the
#    warrants' CC packets (evcheck.py ev); a changed, a removed, a
#    reordered and an added file are each detected.
#  - subscriber sessions (genaaa.py dual): every session stream's TRIs verify.
# Needs root (DPDK); exits 77 (skipped) without it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
e2e=$(dirname "$here")
usage() { echo "usage: evidence.sh LAWTAP [--packets N] [--seed N] [--keep]" >&2; exit 2; }
[ $# -ge 1 ] || usage
lawtap=$(realpath "$1")
shift
packets=${E2E_PACKETS:-20000}
seed=${E2E_SEED:-20261122}
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--packets) [ $# -ge 2 ] || usage; packets=$2; shift ;;
	--seed) [ $# -ge 2 ] || usage; seed=$2; shift ;;
	--keep) keep=1 ;;
	*) usage ;;
	esac
	shift
done
if [ "$(id -u)" != 0 ]; then
	echo "evidence.sh: DPDK replay needs root; skipped"
	exit 77
fi
[ -x "$lawtap" ] || { echo "evidence.sh: $lawtap is not an executable" >&2; exit 2; }

tmp=$(mktemp -d /tmp/lawtap-ev.XXXXXX)
pids=()
dpdk_before=$(ls -d /var/run/dpdk/lawtap-* 2>/dev/null || true)

cleanup() {
	local rc=$? d pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for d in /var/run/dpdk/lawtap-*; do
		[ -d "$d" ] || continue
		grep -qxF -- "$d" <<<"$dpdk_before" && continue
		pid=${d##*/lawtap-}
		[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && continue
		rm -rf -- "$d"
	done
	if [ "$keep" = 1 ]; then
		echo "evidence.sh: files kept in $tmp"
	else
		rm -rf -- "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "evidence.sh: FAIL: $*"
	exit 1
}

# lawtap run --replay CONF PCAPS... into lawtap lemf --integrity-key on the
# four ports of CONF (all but the tee's); sets run_rc and lemf_rc.
replay() {
	local conf=$1 pcaps=$2 out=$3 a
	local listen=()
	for a in $(grep -oE 'hi[23] = "[^"]+"' "$conf" | cut -d'"' -f2 | sed "s/:$tee_port\$/:$c_hi3/"); do
		listen+=(--listen "$a")
	done
	"$lawtap" lemf "${listen[@]}" --integrity-key "$(cat "$tmp/keys/integrity/evidence.pub")" \
		--out "$out.jsonl" --idle-exit 3 >"$out.lemf" 2>"$out.lemf.err" &
	lemf_pid=$!
	pids+=("$lemf_pid")
	for a in "${listen[@]}"; do
		[ "$a" = --listen ] && continue
		for _ in $(seq 100); do
			ss -ltnH "sport = :${a##*:}" | grep -q . && break
			sleep 0.1
		done
	done
	set +e
	timeout --kill-after=10 300 "$lawtap" run -c "$conf" --replay "$pcaps" >"$out.run" 2>&1
	run_rc=$?
	set -e
	for _ in $(seq 600); do
		kill -0 "$lemf_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$lemf_pid" 2>/dev/null && fail "lawtap lemf still running a minute after the replay"
	set +e
	wait "$lemf_pid"
	lemf_rc=$?
	set -e
	return 0
}

# Police HI2, HI3, customs HI2, HI3 (the LEMF's), and the tee's port in front of customs HI3.
ports=$(python3 -c '
import socket
s = [socket.socket() for _ in range(5)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(",".join(str(x.getsockname()[1]) for x in s))')
IFS=, read -r p_hi2 p_hi3 c_hi2 c_hi3 tee_port <<<"$ports"

python3 "$e2e/gencap.py" --out "$tmp" --packets "$packets" --seed "$seed" \
	--ports "$p_hi2,$p_hi3,$c_hi2,$tee_port" --unreachable-timeout 10 --no-truth
mkdir -m 700 "$tmp/keys"
mkdir "$tmp/keys/integrity" "$tmp/keys/evidence"
"$lawtap" evidence keygen "$tmp/keys/integrity" >/dev/null
"$lawtap" evidence keygen "$tmp/keys/evidence" >/dev/null
python3 "$here/evcheck.py" conf "$tmp/lawtap.conf" "$tmp/ev.conf" "$tmp/keys" "$tmp/ev"
"$lawtap" check-config -c "$tmp/ev.conf" >/dev/null || fail "check-config refuses the configuration"

python3 "$here/tee.py" "$tee_port" "$c_hi3" "$tmp/customs-hi3.der" &
pids+=($!)
for _ in $(seq 100); do
	ss -ltnH "sport = :$tee_port" | grep -q . && break
	sleep 0.1
done
replay "$tmp/ev.conf" "$tmp/a.pcap,$tmp/b.pcap" "$tmp/out"
echo "evidence.sh: lawtap run exited $run_rc"
grep -E 'integrity|evidence' "$tmp/out.run" | sed 's/^/  run: /'
[ "$run_rc" = 0 ] || { tail -n 30 "$tmp/out.run"; fail "lawtap run should exit 0"; }
sed 's/^/  lemf: /' "$tmp/out.lemf" | tail -n 4

# Nothing naming a target in lawtap's output or in the evidence directory's names.
python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import check
for w in check.load_config(sys.argv[2])["warrants"]:
    print(w.liid)
    for n in w.nets:
        print(n.network_address)' "$e2e" "$tmp/lawtap.conf" >"$tmp/names"
grep -n -F -f "$tmp/names" "$tmp/out.run" && fail "lawtap run's output names an intercept target"
find "$tmp/ev" | grep -F -f "$tmp/names" && fail "an evidence file name names a target"

# 1. Integrity: every TRI verified, as many as the settings make.
[ "$lemf_rc" = 0 ] || fail "the LEMF reports gaps, errors or failed checks (exit $lemf_rc)"
# check.py reads the LEMF's ports from the configuration: customs HI3 is behind the tee
sed "s/:$tee_port\"/:$c_hi3\"/" "$tmp/ev.conf" >"$tmp/check.conf"
python3 "$e2e/check.py" -c "$tmp/check.conf" -j "$tmp/out.jsonl" "$tmp/a.pcap" "$tmp/b.pcap" ||
	fail "check.py"
ntri=$(python3 "$here/evcheck.py" tri "$tmp/ev.conf" "$tmp/out.jsonl") || { echo "$ntri"; fail "TRIs"; }
want="integrity checks: $ntri ok, 0 mismatch, 0 incomplete"
grep -qxF "$want" "$tmp/out.lemf" || fail "the LEMF's summary lacks '$want'"
[ "$ntri" -gt 0 ] || fail "no TRIs"
echo "evidence.sh: $ntri integrityCheck TRIs, all ok"

# 2. A doctored record in the kept customs HI3 stream is caught.
[ -s "$tmp/customs-hi3.der" ] || fail "tee.py kept nothing"
"$lawtap" decode "$tmp/customs-hi3.der" >"$tmp/dec.jsonl" 2>"$tmp/dec.err" ||
	{ cat "$tmp/dec.err"; fail "lawtap decode of the kept stream"; }
grep -q ", 0 mismatch, 0 incomplete" "$tmp/dec.err" || fail "decode: $(cat "$tmp/dec.err")"
python3 "$here/evcheck.py" flip "$tmp/customs-hi3.der" "$tmp/flipped.der"
set +e
"$lawtap" decode "$tmp/flipped.der" >/dev/null 2>"$tmp/flip.err"
flip_rc=$?
set -e
[ "$flip_rc" = 1 ] || fail "decode of a doctored stream exited $flip_rc, not 1"
grep -qE "integrity checks: [0-9]+ ok, 1 mismatch, 0 incomplete" "$tmp/flip.err" ||
	fail "decode of a doctored stream: $(cat "$tmp/flip.err")"
echo "evidence.sh: a flipped byte is a mismatch"

# 3. Evidence: each store verifies and holds exactly its warrant's CC packets.
python3 "$here/evcheck.py" ev "$tmp/ev.conf" "$tmp/ev" "$tmp/keys/evidence/evidence.key" \
	"$tmp/a.pcap" "$tmp/b.pcap" || fail "evidence contents"
pub="$tmp/keys/evidence/evidence.pub"
for d in "$tmp"/ev/w-*; do
	"$lawtap" evidence verify "$d" --key "$pub" >"$tmp/verify.out" ||
		{ cat "$tmp/verify.out"; fail "evidence verify $d"; }
done

# ... and each kind of tampering is found.
store=$(ls -d "$tmp"/ev/w-* | head -1)
tamper() {
	local what=$1
	rm -rf "$tmp/t" && cp -a "$store" "$tmp/t"
	local files=("$tmp"/t/w-*.pcap)
	case $what in
	changed) printf '\x01' | dd of="${files[0]}" bs=1 seek=100 conv=notrunc status=none ;;
	removed) rm "${files[1]}" ;;
	reordered) mv "${files[0]}" "$tmp/t/x" && mv "${files[1]}" "${files[0]}" &&
		mv "$tmp/t/x" "${files[1]}" ;;
	added) cp "${files[0]}" "${files[0]%-*}-999999.pcap" ;;
	esac
	if "$lawtap" evidence verify "$tmp/t" --key "$pub" >"$tmp/verify.out" 2>&1; then
		cat "$tmp/verify.out"
		fail "evidence verify passes a store with a $what file"
	fi
	echo "evidence.sh: a $what file: $(grep -m1 -v '^key\|^files\|^seq\|^first\|^last' "$tmp/verify.out")"
}
for t in changed removed reordered added; do
	tamper "$t"
done

# 4. Subscriber sessions (genaaa.py's dual case): the intercepts' own streams,
# IRIs queued by the session lcore and hashed by the owner, flushed when an
# intercept retires or at the end.
python3 "$e2e/aaa/genaaa.py" "$tmp" dual >/dev/null
sed -i -e "s/127\.0\.0\.1:40102\b/127.0.0.1:$p_hi2/" -e "s/127\.0\.0\.1:40103\b/127.0.0.1:$p_hi3/" \
	-e "s/127\.0\.0\.1:40112\b/127.0.0.1:$c_hi2/" -e "s/127\.0\.0\.1:40113\b/127.0.0.1:$c_hi3/" \
	"$tmp/gen-dual.conf"
python3 "$here/evcheck.py" conf "$tmp/gen-dual.conf" "$tmp/aaa.conf" "$tmp/keys" -
replay "$tmp/aaa.conf" "$tmp/gen-dual.pcap" "$tmp/aaa"
[ "$run_rc" = 0 ] || { tail -n 30 "$tmp/aaa.run"; fail "lawtap run (sessions) should exit 0"; }
[ "$lemf_rc" = 0 ] || { cat "$tmp/aaa.lemf"; fail "the LEMF fails the sessions' records or checks"; }
ntri=$(python3 "$here/evcheck.py" tri "$tmp/aaa.conf" "$tmp/aaa.jsonl") || { echo "$ntri"; fail "sessions' TRIs"; }
want="integrity checks: $ntri ok, 0 mismatch, 0 incomplete"
grep -qxF "$want" "$tmp/aaa.lemf" || fail "the LEMF's summary (sessions) lacks '$want'"
nsess=$(python3 -c '
import json, sys
print(len({(r["liid"], r["cin"]) for r in map(json.loads, open(sys.argv[1]))
           if r.get("kind") == "TRI" and r["cin"] >= 101}))' "$tmp/aaa.jsonl")
[ "$nsess" -gt 0 ] || fail "no TRIs on a session's own CIN"
echo "evidence.sh: sessions: $ntri TRIs on $nsess session streams' (LIID, CIN), all ok"
echo "evidence.sh: passed"
