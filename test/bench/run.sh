#!/bin/sh
# run.sh - lawtap's data-path benchmark: Mpps and drops, then instructions per
# packet and per record under callgrind.  Not part of `meson test`.
#
# Usage (as root, from anywhere):
#   test/bench/run.sh [-T 1000,10000,100000] [-6 PCT] [-o OUTDIR] [-n] [-c]
#     -T LIST   target counts (default 1000,10000,100000)
#     -6 PCT    share of IPv6 subscribers and targets (default 10)
#     -o DIR    where callgrind out files and annotations go (default build-bench-v3/bench-out)
#     -n        no callgrind (timing table only, a few seconds)
#     -c        callgrind only
#
# Builds bench_dp in build-bench (project defaults) for the timed table and in
# build-bench-v3 with -march=x86-64-v3 for callgrind (valgrind cannot run
# AVX-512).  DPDK's pkg-config adds -march=corei7 after c_args, which would
# win; build-bench-v3 therefore reads a copy of libdpdk-libs.pc without the
# -march flag (in build-bench-v3/lawtap-pc), and this script checks the
# compile command.  Callgrind counts, per T:
#   nontarget: --toggle-collect=lt_worker_burst on the mix without targets,
#              instructions / packets;
#   records:   --toggle-collect=lt_deliver_cc on the 1 % mix,
#              instructions / encoded records.
# The two parts of one T run in parallel; T=100k takes about 3 minutes,
# most of it building the match tables under valgrind.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
b1=$root/build-bench
b3=$root/build-bench-v3
targets=1000,10000,100000
v6=10
out=
timing=1
cg=1
while getopts T:6:o:nc opt; do
	case $opt in
	T) targets=$OPTARG ;;
	6) v6=$OPTARG ;;
	o) out=$OPTARG ;;
	n) cg=0 ;;
	c) timing=0 ;;
	*) sed -n '2,13p' "$0" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || out=$b3/bench-out

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: DPDK's EAL needs root" >&2
	exit 1
fi

if [ "$timing" = 1 ]; then
	[ -f "$b1/build.ninja" ] || meson setup "$b1" "$root" >/dev/null
	ninja -C "$b1" test/bench/bench_dp >/dev/null
	echo "== timed (build-bench: $(grep -o -- '-march=[^ ]*' "$b1/compile_commands.json" |
	    sort -u | tr '\n' ' '))"
	echo "\$ $b1/test/bench/bench_dp --targets $targets --v6-percent $v6"
	"$b1/test/bench/bench_dp" --targets "$targets" --v6-percent "$v6" 2>&1 | grep -v '^TELEMETRY:'
fi

[ "$cg" = 1 ] || exit 0
command -v valgrind >/dev/null || { echo "run.sh: valgrind is not installed" >&2; exit 1; }

if [ ! -f "$b3/build.ninja" ]; then
	pcdir=$(pkg-config --variable=pcfiledir libdpdk-libs)
	mkdir -p "$b3/lawtap-pc"
	sed 's/ -march=[^ ]*//g' "$pcdir/libdpdk-libs.pc" > "$b3/lawtap-pc/libdpdk-libs.pc"
	meson setup "$b3" "$root" -Dc_args=-march=x86-64-v3 \
	    -Dpkg_config_path="$b3/lawtap-pc" >/dev/null
fi
ninja -C "$b3" test/bench/bench_dp >/dev/null
# The last -march on the data path's compile line must be x86-64-v3.
last=$(grep -o '"command": "[^"]*appliance/worker.c"' "$b3/compile_commands.json" |
    grep -o -- '-march=[^ ]*' | tail -n 1)
if [ "$last" != "-march=x86-64-v3" ]; then
	echo "run.sh: $b3 compiles with $last, not -march=x86-64-v3; remove $b3 and rerun" >&2
	exit 1
fi

mkdir -p "$out"
bin=$b3/test/bench/bench_dp

# Instructions collected in a callgrind out file.
collected() {
	sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$1" | head -n 1
}

# field NAME LINE: the number after the last NAME in bench_dp's callgrind-part line.
field() {
	echo "$2" | tr ' ' '\n' | sed -n "/^$1\$/{n;p;}" | tail -n 1
}

echo "== callgrind (build-bench-v3, $last; out files in $out)"
for t in $(echo "$targets" | tr ',' ' '); do
	for part in nontarget records; do
		fn=lt_worker_burst
		[ "$part" = records ] && fn=lt_deliver_cc
		echo "\$ valgrind --tool=callgrind --toggle-collect=$fn" \
		    "--callgrind-out-file=$out/$part-$t.out $bin --callgrind-part $part --targets $t --v6-percent $v6"
		valgrind --tool=callgrind --toggle-collect=$fn \
		    --callgrind-out-file="$out/$part-$t.out" \
		    "$bin" --callgrind-part $part --targets "$t" --v6-percent "$v6" \
		    > "$out/$part-$t.txt" 2> "$out/$part-$t.log" &
	done
	wait
done

printf '%-8s %10s %14s %12s   %8s %14s %12s\n' T packets Ir/lt_worker_burst Ir/packet \
    records Ir/lt_deliver_cc Ir/record
fail=0
for t in $(echo "$targets" | tr ',' ' '); do
	ln=$(grep '^callgrind-part nontarget' "$out/nontarget-$t.txt" || true)
	lr=$(grep '^callgrind-part records' "$out/records-$t.txt" || true)
	if [ -z "$ln" ] || [ -z "$lr" ]; then
		echo "T=$t: bench_dp failed under valgrind; see $out/*-$t.log" >&2
		fail=1
		continue
	fi
	pk=$(field packets "$ln")
	rc=$(field records "$lr")
	in=$(collected "$out/nontarget-$t.out")
	ir=$(collected "$out/records-$t.out")
	printf '%-8s %10s %14s %12s   %8s %14s %12s\n' "$t" "$pk" "$in" \
	    "$(awk "BEGIN { printf \"%.1f\", $in / $pk }")" "$rc" "$ir" \
	    "$(awk "BEGIN { printf \"%.1f\", $ir / $rc }")"
	for part in nontarget records; do
		callgrind_annotate --inclusive=yes "$out/$part-$t.out" \
		    > "$out/$part-$t.inclusive.txt" 2>/dev/null
		callgrind_annotate "$out/$part-$t.out" > "$out/$part-$t.self.txt" 2>/dev/null
	done
done
echo "(target: <= 300 each; profiles: $out/*.inclusive.txt, *.self.txt)"
exit $fail
