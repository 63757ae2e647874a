#!/bin/sh
# customize.sh - mmdebstrap hook: lawtap, its configuration and the appliance's units into ROOT.
# usage: customize.sh ROOT OVERLAY LAWTAP VERSION
set -eu
root=$1 overlay=$2 lawtap=$3 version=$4

cp -a "$overlay/." "$root/"
install -m 0755 "$lawtap" "$root/usr/bin/lawtap"
echo "$version" >"$root/usr/lib/lawtap/image-version"
echo lawtap >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tlawtap\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
	>"$root/etc/hosts"
chmod 0440 "$root/etc/sudoers.d/lawtap"
chmod 0600 "$root/etc/lawtap/lawtap.conf"
chmod 0755 "$root"/usr/lib/lawtap/*

# every box makes its own host keys at install (kept on the data partition)
rm -f "$root"/etc/ssh/ssh_host_*
# the officer's SSH login: key only, the console only (sshd_config.d/lawtap.conf)
chroot "$root" useradd --system --no-create-home --home-dir /nonexistent \
	--shell /bin/sh --comment "LI officer (lawtap console)" officer
chroot "$root" usermod -p '*' officer
chroot "$root" passwd -l root >/dev/null
chroot "$root" systemctl enable lawtap.service lawtap-data.service lawtap-hw.service \
	lawtap-live.service systemd-networkd.service >/dev/null 2>&1
chroot "$root" systemctl disable systemd-networkd-wait-online.service >/dev/null 2>&1 || true
chroot "$root" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
	fstrim.timer systemd-networkd-wait-online.service >/dev/null 2>&1 || true

# no sound, graphics, radio, camera or bluetooth drivers on an appliance
kver=$(ls "$root/lib/modules" | head -n 1)
for d in sound drivers/gpu drivers/media drivers/net/wireless drivers/bluetooth \
    drivers/staging drivers/iio drivers/input/joystick drivers/isdn net/wireless \
    net/bluetooth net/mac80211; do
	rm -rf "$root/lib/modules/$kver/kernel/$d"
done
chroot "$root" depmod "$kver"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
