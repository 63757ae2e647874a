#!/bin/sh
# build.sh - the lawtap appliance ISO: Debian 12 (mmdebstrap), live-boot, one hybrid BIOS+UEFI image.
#
# usage: build.sh [--out DIR] [--cache DIR] [--lawtap BINARY] [--version STRING]
#   --out      where lawtap.iso goes (default: build-iso in the repository)
#   --cache    downloaded .debs, kept between builds (default: build-iso-cache in the repository)
#   --lawtap   the lawtap binary to ship (default: build-img/lawtap, built if absent)
#   --version  the image version shown at the console and by upgrade
#              (default: git describe and the UTC build time)
# Needs root and the packages of setup.sh.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$repo/build-iso
cache=
lawtap=
version=
mirror=${LAWTAP_MIRROR:-http://deb.debian.org/debian}
security=${LAWTAP_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

die() { echo "build.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
	case $1 in
	--out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
	--cache) [ $# -ge 2 ] || die "--cache needs a directory"; cache=$2; shift 2 ;;
	--lawtap) [ $# -ge 2 ] || die "--lawtap needs a file"; lawtap=$2; shift 2 ;;
	--version) [ $# -ge 2 ] || die "--version needs a string"; version=$2; shift 2 ;;
	*) die "unknown argument $1 (see the comment at the top of $0)" ;;
	esac
done
[ "$(id -u)" = 0 ] || die "run as root (mmdebstrap builds the root file system as root)"
for t in mmdebstrap mksquashfs grub-mkrescue xorriso mformat; do
	command -v $t >/dev/null || die "$t not found: run firmware-image/setup.sh first"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -n "$cache" ] || cache=$repo/build-iso-cache
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
t0=$(date +%s)

if [ -z "$lawtap" ]; then
	lawtap=$repo/build-img/lawtap
	if [ ! -x "$lawtap" ]; then
		echo "== building lawtap in $repo/build-img"
		[ -d "$repo/build-img" ] || meson setup "$repo/build-img" "$repo" -Dtests=false >/dev/null
		ninja -C "$repo/build-img" lawtap >/dev/null || die "lawtap does not build"
	fi
fi
[ -x "$lawtap" ] || die "$lawtap: not an executable"
if [ -z "$version" ]; then
	version="$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown) $(date -u +%Y%m%dT%H%M%SZ)"
fi

# lawtap's runtime libraries, the DPDK drivers for server NICs, virtio and af_packet
dpdk="librte-eal23 librte-ethdev23 librte-mbuf23 librte-mempool23 librte-ring23 librte-lpm23
librte-hash23 librte-ip-frag23 librte-rcu23 librte-net23 librte-mempool-ring23 librte-bus-pci23
librte-bus-vdev23 librte-net-af-packet23 librte-net-virtio23 librte-net-i40e23 librte-net-ice23
librte-net-ixgbe23 librte-net-mlx5-23"
pkgs="systemd systemd-sysv dbus udev kmod linux-image-amd64 live-boot live-boot-initramfs-tools
openssh-server chrony sudo iproute2 gdisk dosfstools e2fsprogs grub-pc-bin grub-efi-amd64-bin
grub2-common libconfig9 libsodium23 libjansson4 libssl3 $dpdk"
pkgs=$(echo $pkgs | tr ' ' ',')

work=$out/work
rm -rf "$work"
mkdir -p "$work/iso/live" "$work/iso/boot/grub"
root=$work/root

echo "== root file system (mmdebstrap, .debs cached in $cache)"
mmdebstrap --mode=root --variant=minbase --include="$pkgs" \
	--aptopt='APT::Install-Recommends "false"' \
	--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
	--skip=download/empty --skip=essential/unlink \
	--setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
	--setup-hook="sync-in '$cache' /var/cache/apt/archives/" \
	--customize-hook="sync-out /var/cache/apt/archives '$cache'" \
	--customize-hook="'$here/customize.sh' \"\$1\" '$here/rootfs' '$lawtap' '$version'" \
	bookworm "$root" \
	"deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
	"deb $security bookworm-security main"

echo "== kernel, initrd and squashfs"
cp "$root"/boot/vmlinuz-* "$work/iso/live/vmlinuz"
cp "$root"/boot/initrd.img-* "$work/iso/live/initrd.img"
rm -f "$root"/boot/vmlinuz-* "$root"/boot/initrd.img-*
echo "$version" >"$work/iso/live/version"
mksquashfs "$root" "$work/iso/live/filesystem.squashfs" -comp zstd -Xcompression-level 6 \
	-noappend -quiet >/dev/null
cp "$here/grub-live.cfg" "$work/iso/boot/grub/grub.cfg"

echo "== hybrid ISO (BIOS and UEFI)"
grub-mkrescue -o "$out/lawtap.iso.tmp" "$work/iso" -- -volid LAWTAP >/dev/null 2>"$work/mkrescue.log" ||
	{ cat "$work/mkrescue.log" >&2; die "grub-mkrescue failed"; }
mv "$out/lawtap.iso.tmp" "$out/lawtap.iso"
rm -rf "$work"
t1=$(date +%s)
size=$(stat -c %s "$out/lawtap.iso")
echo "lawtap.iso: $out/lawtap.iso, $((size / 1048576)) MiB, version $version, built in $((t1 - t0)) s"
