#!/usr/bin/env bash
# setup.sh - installs what lawtap needs on Debian 12 and builds it, twice:
#   build/       optimised with debug info (meson's debugoptimized)
#   build-asan/  with AddressSanitizer and UndefinedBehaviorSanitizer
# Safe to run again: installs nothing that is there, reconfigures in place.
# Run as root if packages are missing.  BUILD and BUILD_ASAN name other
# build directories (default build and build-asan).
set -euo pipefail

cd "$(dirname "$0")/.."
build=${BUILD:-build}
build_asan=${BUILD_ASAN:-build-asan}

pkgs=(meson ninja-build pkg-config gcc dpdk-dev libdpdk-dev libconfig-dev libssl-dev
	libsodium-dev libjansson-dev libcmocka-dev libpcap-dev python3 clang
	libclang-rt-14-dev valgrind iproute2
	freeradius freeradius-utils tcpdump busybox python3-pexpect sip-tester)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup.sh: installing ${missing[*]}"
	if [ "$(id -u)" != 0 ]; then
		echo "setup.sh: packages are missing and I am not root; run: sudo $0" >&2
		exit 1
	fi
	if ! command -v apt-get >/dev/null; then
		echo "setup.sh: no apt-get here; install by hand: ${missing[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends "${missing[@]}"
fi

# configure DIR OPTIONS...: sets up DIR, or brings its options up to date.
configure() {
	local dir=$1
	shift
	if [ -f "$dir/meson-private/coredata.dat" ]; then
		meson configure "$dir" "$@"
	else
		meson setup "$dir" "$@"
	fi
}

configure "$build" -Dbuildtype=debugoptimized -Db_sanitize=none -Db_lundef=true
ninja -C "$build"
configure "$build_asan" -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
ninja -C "$build_asan"
echo "setup.sh: built $build/lawtap and $build_asan/lawtap"
