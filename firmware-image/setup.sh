#!/bin/sh
# Host packages needed to build the appliance ISO and run test/image (Debian 12).
set -eu
if [ "$(id -u)" != 0 ]; then
	echo "setup.sh: run as root (it installs packages with apt-get)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
	mmdebstrap squashfs-tools xorriso grub-pc-bin grub-efi-amd64-bin \
	grub-common mtools dosfstools qemu-system-x86 qemu-utils ovmf \
	python3-pexpect
