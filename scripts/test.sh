#!/usr/bin/env bash
# test.sh - builds (scripts/setup.sh) and runs every test suite, in the plain
# build and in the sanitizer build.  The e2e suite needs root (DPDK); as
# another user those tests are skipped.  Exits non-zero if anything fails.
set -euo pipefail

cd "$(dirname "$0")/.."
build=${BUILD:-build}
build_asan=${BUILD_ASAN:-build-asan}
export BUILD=$build BUILD_ASAN=$build_asan

scripts/setup.sh

status=0
echo "== meson test -C $build"
meson test -C "$build" --print-errorlogs || status=1
echo "== meson test -C $build_asan"
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	meson test -C "$build_asan" --print-errorlogs || status=1

# Every parser of outside bytes, fuzzed briefly (libFuzzer needs clang).
build_fuzz=${BUILD_FUZZ:-build-fuzz}
echo "== meson test -C $build_fuzz --suite fuzz-smoke"
if command -v clang >/dev/null; then
	[ -f "$build_fuzz/build.ninja" ] || CC=clang meson setup "$build_fuzz" -Dfuzz=true
	meson test -C "$build_fuzz" --suite fuzz-smoke --print-errorlogs || status=1
else
	echo "test.sh: clang not installed, fuzz-smoke skipped"
	status=1
fi

if [ "$status" = 0 ]; then
	echo "test.sh: all tests passed"
else
	echo "test.sh: FAILED (see above)"
fi
exit "$status"
