#!/usr/bin/env bash
# run.sh - the appliance ISO end to end: build it (firmware-image/build.sh), boot it in qemu
# (TCG), install onto a qcow2 disk from the serial console, boot the installed system, import a
# sealed warrant at the console, replay frames into the capture NIC and see them at a host
# `lawtap lemf`; with --upgrade also boot the ISO again and upgrade (slot b, rollback entry).
#
# usage: run.sh --lawtap HOST_LAWTAP [--iso ISO] [--work DIR] [--upgrade] [--uefi] [--afpacket]
#               [--keep]
#   --iso   use this ISO instead of building one
#   --work  where logs, disks and the ISO go (default: a temporary directory)
# Needs root, the packages of firmware-image/setup.sh and LAWTAP_IMAGE_TEST=1 (it takes ten
# minutes or more); exits 77 (skipped) otherwise.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
lawtap= iso= work= keep=0
drive_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--lawtap) lawtap=$2; shift 2 ;;
	--iso) iso=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--upgrade|--uefi|--afpacket) drive_args+=("$1"); shift ;;
	--keep) keep=1; shift ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ "${LAWTAP_IMAGE_TEST:-}" != 1 ]; then
	echo "run.sh: skipped (set LAWTAP_IMAGE_TEST=1 to build and boot the ISO, ~10 min)"
	exit 77
fi
[ "$(id -u)" = 0 ] || { echo "run.sh: skipped: needs root (mmdebstrap)"; exit 77; }
for t in qemu-system-x86_64 qemu-img mmdebstrap mcopy mkfs.vfat; do
	command -v $t >/dev/null || { echo "run.sh: $t missing: run firmware-image/setup.sh"; exit 1; }
done
/usr/bin/python3 -c 'import pexpect' 2>/dev/null || { echo "run.sh: python3-pexpect missing"; exit 1; }
[ -x "$lawtap" ] || { echo "run.sh: --lawtap HOST_LAWTAP needed" >&2; exit 2; }
if [ -z "$work" ]; then
	work=$(mktemp -d /var/tmp/lawtap-image-test.XXXXXX)
	[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
t0=$(date +%s)
if [ -z "$iso" ]; then
	"$repo/firmware-image/build.sh" --out "$work/iso" --lawtap "$lawtap"
	iso=$work/iso/lawtap.iso
fi
t1=$(date +%s)
echo "ISO: $iso, $(( $(stat -c %s "$iso") / 1048576 )) MiB, build $((t1 - t0)) s"
rc=0
/usr/bin/python3 "$here/drive.py" --lawtap "$lawtap" --iso "$iso" --work "$work" \
	"${drive_args[@]}" || rc=$?
echo "run.sh: total $(( $(date +%s) - t0 )) s; logs in $work$([ "$keep" = 1 ] || echo ' (removed: --keep keeps them)')"
exit $rc
