# netns.sh - sourced by the end-to-end tests that capture on a live port.
#
# e2e_start NAME "$@": reads LAWTAP [--keep], skips (77) without root, makes
# $tmp (/tmp/lawtap-NAME.*) and names the namespace $ns; on any exit kills
# $run_pid and $lemf_pid, deletes the namespace and its DPDK directory, and
# removes $tmp unless --keep.  Defines fail and nsx.
# e2e_veth: the namespace, its loopback (the agency) and a veth pair: frames
# written to vinj arrive on vcap, the appliance's capture port.

e2e_start() {
	e2e_name=$1
	shift
	[ $# -ge 1 ] || { echo "usage: $e2e_name.sh LAWTAP [--keep]" >&2; exit 2; }
	lawtap=$(realpath "$1")
	keep=0
	[ "${2:-}" = --keep ] && keep=1
	if [ "$(id -u)" != 0 ]; then
		echo "$e2e_name.sh: needs root (network namespace, DPDK); skipped"
		exit 77
	fi
	tmp=$(mktemp -d "/tmp/lawtap-$e2e_name.XXXXXX")
	ns=lt-$e2e_name-$$
	lemf_pid= run_pid=
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM
}

e2e_cleanup() {
	local rc=$?
	[ -n "$run_pid" ] && kill -KILL "$run_pid" 2>/dev/null || true
	[ -n "$lemf_pid" ] && kill -KILL "$lemf_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "/var/run/dpdk/$ns"
	if [ "$keep" = 1 ]; then echo "$e2e_name.sh: files kept in $tmp"; else rm -rf -- "$tmp"; fi
	exit "$rc"
}

fail() { echo "$e2e_name.sh: FAIL: $*"; exit 1; }
nsx() { ip netns exec "$ns" "$@"; }

e2e_veth() {
	ip netns add "$ns"
	nsx ip link set lo up
	nsx ip link add vcap type veth peer name vinj
	for i in vcap vinj; do
		nsx sh -c "echo 1 > /proc/sys/net/ipv6/conf/$i/disable_ipv6" 2>/dev/null || true
		nsx ip link set "$i" up
	done
}
