#!/usr/bin/env bash
# fuzz.sh - a longer libFuzzer soak than the fuzz-smoke suite: runs each
# harness of test/fuzz for SECONDS (default 300), one after the other, in
# build-fuzz (clang, -Dfuzz=true; configured here if missing).
#
#   scripts/fuzz.sh [SECONDS] [NAME...]     NAME: frame pdu stream config der
#
# New inputs go to build-fuzz/test/fuzz/work/NAME (kept between runs), the
# committed seeds are only read, crashes are written to
# build-fuzz/test/fuzz/artifacts/NAME/.  Exits 1 if any harness failed.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
secs=${1:-300}
[ $# -gt 0 ] && shift
case $secs in
''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [frame|pdu|stream|config|der ...]" >&2
	exit 2 ;;
esac
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(frame pdu stream config der)

build=$root/build-fuzz
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzz=true
elif ! meson introspect --buildoptions "$build" | python3 -c \
    'import json, sys; sys.exit(not any(o["name"] == "fuzz" and o["value"] for o in json.load(sys.stdin)))'; then
	meson configure "$build" -Dfuzz=true
fi
targets=()
for n in "${names[@]}"; do
	[ -f "test/fuzz/fuzz_$n.c" ] || { echo "fuzz.sh: no harness fuzz_$n" >&2; exit 2; }
	targets+=("test/fuzz/fuzz_$n")
done
ninja -C "$build" "${targets[@]}"

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1
export LSAN_OPTIONS=suppressions=$root/test/fuzz/lsan.supp

failed=0
summary=()
for n in "${names[@]}"; do
	work=$build/test/fuzz/work/$n
	art=$build/test/fuzz/artifacts/$n
	log=$build/test/fuzz/soak-$n.log
	mkdir -p "$work" "$art"
	seeds=("$root/test/fuzz/corpus/$n")
	[ -d "$root/test/fuzz/crashers/$n" ] && seeds+=("$root/test/fuzz/crashers/$n")
	echo "== fuzz_$n for ${secs}s (log: $log)"
	rc=0
	"$build/test/fuzz/fuzz_$n" -max_total_time="$secs" -rss_limit_mb=2048 \
	    -timeout=10 -print_final_stats=1 -artifact_prefix="$art/" \
	    "$work" "${seeds[@]}" >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	corp=$(find "$work" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		summary+=("fuzz_$n: ok, ${units:-?} runs, ${execs:-?} exec/s, work corpus $corp")
	else
		failed=1
		summary+=("fuzz_$n: FAILED (exit $rc), see $log and $art/")
		grep -E 'ERROR|invariant failed|SUMMARY|Test unit written' "$log" | head -5 || true
	fi
done
echo
printf '%s\n' "${summary[@]}"
exit $failed
