#!/bin/sh
# run_aaa.sh - lawtap's session-tracker benchmark: sessions and bytes per
# session, AAA messages/s on one core, then instructions per message under
# callgrind.  Not part of `meson test`.
#
# Usage (as root, from anywhere):
#   test/bench/run_aaa.sh [-s N] [-k K] [-S N] [-K K] [-t PCT] [-o OUTDIR] [-n] [-c]
#     -s N      subscribers of the timed runs (default 1000000)
#     -k K      messages per timed run, median of 5 (default 2000000)
#     -S N, -K K  the same for the callgrind runs (default 100000, 200000)
#     -t PCT    the target share run besides 0 % (default 1)
#     -o DIR    where outputs and callgrind files go (default build-benchaaa/bench-aaa-out)
#     -n        no callgrind (the timed table only, about 2 minutes)
#     -c        callgrind only (about 2 minutes)
#
# Every part runs for 0 % and PCT % targets, each with the RADIUS secret
# configured (every authenticator checked) and without.  Callgrind runs
# with
#   --toggle-collect=lt_rad_input --toggle-collect=lt_track_poll;
# bench_aaa dumps the counts after establishing the sessions (phase A, out.1)
# and the final file holds the steady state (phase B) alone.  The build is
# build-benchaaa with the project's defaults (-march=corei7 from DPDK's
# pkg-config), which valgrind runs.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
b=$root/build-benchaaa
subs=1000000
msgs=2000000
cgsubs=100000
cgmsgs=200000
share=1
out=
timing=1
cg=1
while getopts s:k:S:K:t:o:nc opt; do
	case $opt in
	s) subs=$OPTARG ;;
	k) msgs=$OPTARG ;;
	S) cgsubs=$OPTARG ;;
	K) cgmsgs=$OPTARG ;;
	t) share=$OPTARG ;;
	o) out=$OPTARG ;;
	n) cg=0 ;;
	c) timing=0 ;;
	*) sed -n '6,14p' "$0" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || out=$b/bench-aaa-out

if [ "$(id -u)" != 0 ]; then
	echo "run_aaa.sh: DPDK's EAL needs root" >&2
	exit 1
fi
[ -f "$b/build.ninja" ] || meson setup "$b" "$root" >/dev/null
ninja -C "$b" test/bench/bench_aaa >/dev/null
bin=$b/test/bench/bench_aaa
mkdir -p "$out"
out=$(cd "$out" && pwd)

# field NAME LINE: the word after NAME in LINE.
field() {
	echo "$2" | tr ' ' '\n' | sed -n "/^$1\$/{n;p;}" | head -n 1
}

# secret flag for a run: "" (configured) or --no-secret
secret_flag() {
	[ "$1" = yes ] || echo --no-secret
}

fail=0
if [ "$timing" = 1 ]; then
	echo "== timed ($subs subscribers, $msgs messages per run, median of 5;" \
	    "informational: the machine is shared)"
	for t in 0 "$share"; do
		for s in yes no; do
			f=$out/timed-$t-$s.txt
			echo "\$ $bin --subscribers $subs --messages $msgs --targets $t $(secret_flag $s)"
			# shellcheck disable=SC2046
			if ! "$bin" --subscribers "$subs" --messages "$msgs" --targets "$t" \
			    $(secret_flag $s) > "$f" 2> "$out/timed-$t-$s.log"; then
				echo "bench_aaa failed; see $f and $out/timed-$t-$s.log" >&2
				fail=1
			fi
		done
	done
	printf '%-7s %-6s %9s %7s %9s %9s %9s %9s %10s %10s %21s\n' targets secret \
	    sessions sizeof hash-B/s init-B/s libc-B/s RSS-B/s A-msg/s B-msg/s '[min - max]'
	for t in 0 "$share"; do
		for s in yes no; do
			a=$(grep '^result-A' "$out/timed-$t-$s.txt" || true)
			r=$(grep '^result-B' "$out/timed-$t-$s.txt" || true)
			if [ -z "$a" ] || [ -z "$r" ]; then
				continue
			fi
			printf '%-7s %-6s %9s %7s %9s %9s %9s %9s %10s %10s %10s-%10s\n' "$t%" "$s" \
			    "$(field sessions "$a")" "$(field sess_bytes "$a")" \
			    "$(field hash_bps "$a")" "$(field heap_bps "$a")" \
			    "$(field libc_bps "$a")" "$(field rss_bps "$a")" "$(field rate "$a")" \
			    "$(field median "$r")" "$(field min "$r")" "$(field max "$r")"
		done
	done
	echo "(sizeof: struct lt_sess; hash: the session rte_hash; init: all of lt_track_init's"
	echo " DPDK heap; the three per max_sessions slot; RSS: growth over init and phase A per"
	echo " session; full outputs in $out/timed-*.txt)"
fi

[ "$cg" = 1 ] || exit $fail
command -v valgrind >/dev/null || { echo "run_aaa.sh: valgrind is not installed" >&2; exit 1; }

# incl FILE FUNCTION: inclusive instructions of FUNCTION (its line naming the object).
incl() {
	awk -v f=":$2 [" 'index($0, f) { gsub(",", "", $1); print $1; exit }' "$1"
}

# per A B: A / B to one decimal (0 if A is empty)
per() {
	awk "BEGIN { printf \"%.1f\", ${1:-0} / $2 }"
}

echo "== callgrind ($cgsubs subscribers, $cgmsgs messages; out files in $out)"
for t in 0 "$share"; do
	for s in yes no; do
		o=$out/cg-$t-$s
		rm -f "$o.out" "$o.out".*
		echo "\$ valgrind --tool=callgrind --toggle-collect=lt_rad_input" \
		    "--toggle-collect=lt_track_poll --callgrind-out-file=$o.out $bin --callgrind" \
		    "--subscribers $cgsubs --messages $cgmsgs --targets $t $(secret_flag $s)"
		# in $out, so that callgrind names every source file by one path
		# shellcheck disable=SC2046
		(cd "$out" && valgrind --tool=callgrind --toggle-collect=lt_rad_input \
		    --toggle-collect=lt_track_poll --callgrind-out-file="$o.out" \
		    "$bin" --callgrind --subscribers "$cgsubs" --messages "$cgmsgs" --targets "$t" \
		    $(secret_flag $s) > "$o.txt" 2> "$o.log") &
	done
	wait
done

printf '%-7s %-6s %10s %12s %10s %10s %10s %12s %10s\n' targets secret A-Ir/msg \
    B-lt_rad_input parse auth/msg auth/check checked/msg poll/msg
for t in 0 "$share"; do
	for s in yes no; do
		o=$out/cg-$t-$s
		l=$(grep '^callgrind ' "$o.txt" || true)
		if [ -z "$l" ] || [ ! -f "$o.out.1" ]; then
			echo "targets $t secret $s: bench_aaa failed under valgrind; see $o.log" >&2
			fail=1
			continue
		fi
		am=$(field a-messages "$l")
		m=$(field messages "$l")
		ck=$(field auth-checked "$l")
		callgrind_annotate --inclusive=yes "$o.out" > "$o.inclusive.txt" 2>/dev/null
		callgrind_annotate "$o.out" > "$o.self.txt" 2>/dev/null
		ta=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$o.out.1" | head -n 1)
		ri=$(incl "$o.inclusive.txt" lt_rad_input)
		rp=$(incl "$o.inclusive.txt" radius_parse)
		vq=$(incl "$o.inclusive.txt" radius_verify_request)
		vr=$(incl "$o.inclusive.txt" radius_verify_response)
		tp=$(incl "$o.inclusive.txt" lt_track_poll)
		au=$(( ${vq:-0} + ${vr:-0} ))
		ac=0
		[ "$ck" = 0 ] || ac=$(per "$au" "$ck")
		printf '%-7s %-6s %10s %12s %10s %10s %10s %12s %10s\n' "$t%" "$s" \
		    "$(per "$ta" "$am")" "$(per "$ri" "$m")" "$(per "$rp" "$m")" \
		    "$(per "$au" "$m")" "$ac" "$(per "$ck" "$m")" "$(per "$tp" "$m")"
	done
done
echo "(instructions per message: A = establishing (Request, Accept, Start), both functions;"
echo " B = steady state: lt_rad_input inclusive, of which radius_parse and the authenticator"
echo " checks (radius_verify_request + _response) per message and per checked message;"
echo " poll = lt_track_poll per message, outside lt_rad_input;"
echo " profiles: $out/cg-*.inclusive.txt, *.self.txt)"
exit $fail
