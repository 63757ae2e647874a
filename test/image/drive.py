#!/usr/bin/python3
"""drive.py - the appliance image end to end under qemu (TCG), driven over the serial console.

1. boots the ISO (BIOS) with an empty disk, installs from the console menu (disk, ports,
   officer SSH key, issuer key, agency, passphrase) and reboots;
2. boots the installed disk with a FAT image holding a sealed warrant, checks lawtap.service
   is running (console status), logs in as officer, imports the warrant, checks SSH is the
   console only (key-only, no root);
3. sends frames to the target into the capture NIC (qemu socket netdev) and waits for them
   at a `lawtap lemf` on the host (the guest reaches it at 10.0.2.2);
4. with --upgrade: boots the ISO again, upgrades, and boots the new slot (the old one stays
   in the boot menu).

usage: drive.py --lawtap HOST_LAWTAP --iso ISO --work DIR [--upgrade] [--uefi]
Exit 0 when every step passed; the serial logs are in DIR.
"""
import argparse
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time

import pexpect

BOOT_TIMEOUT = 900       # TCG under load: boots take 1-2 min, give them a lot more
STEP_TIMEOUT = 300
PASS = "image test officer passphrase"
TARGET = "198.51.100.7"
PEER = "203.0.113.9"
NFRAMES = 200
MGMT_MAC = "52:54:00:00:00:01"
CAP_MAC = "52:54:00:00:00:02"

t_start = time.monotonic()
timings = []


def say(msg):
    print("[%6.1f s] %s" % (time.monotonic() - t_start, msg), flush=True)


def fail(msg):
    say("FAIL: " + msg)
    sys.exit(1)


def timed(name, t0):
    dt = time.monotonic() - t0
    timings.append((name, dt))
    say("%s: %.1f s" % (name, dt))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Guest:
    def __init__(self, a, name, cdrom=None, extra_drive=None, uefi=False):
        self.a = a
        self.log = open(os.path.join(a.work, name + ".serial.log"), "w")
        cmd = ["qemu-system-x86_64", "-accel", "tcg,thread=multi", "-cpu", "max",
               "-smp", "2", "-m", "3072", "-display", "none", "-vga", "std",
               "-serial", "stdio", "-monitor", "none", "-no-reboot",
               "-drive", "file=%s,if=virtio,format=qcow2" % a.disk,
               "-netdev", "user,id=mgmt,hostfwd=tcp:127.0.0.1:%d-:22" % a.ssh_port,
               "-device", "virtio-net-pci,netdev=mgmt,mac=" + MGMT_MAC,
               "-netdev", "socket,id=cap,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d"
               % (a.cap_out, a.cap_in),
               "-device", "%s,netdev=cap,mac=%s" % ("e1000" if a.afpacket else "virtio-net-pci",
                                                    CAP_MAC)]
        if a.uefi or uefi:
            cmd += ["-bios", "/usr/share/ovmf/OVMF.fd"]
        if cdrom:
            cmd += ["-drive", "file=%s,media=cdrom,readonly=on" % cdrom, "-boot", "order=d"]
        else:
            cmd += ["-boot", "order=c"]
        if extra_drive:
            cmd += ["-drive", "file=%s,if=virtio,format=raw,readonly=on" % extra_drive]
        say("qemu: " + name)
        self.p = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", codec_errors="replace",
                               timeout=STEP_TIMEOUT, dimensions=(24, 80), echo=False)
        self.p.logfile_read = self.log

    def expect(self, pat, timeout=STEP_TIMEOUT, what=None):
        try:
            return self.p.expect(pat, timeout=timeout)
        except pexpect.TIMEOUT:
            fail("timed out waiting for %s (see %s)" % (what or pat, self.log.name))
        except pexpect.EOF:
            fail("qemu exited waiting for %s (see %s)" % (what or pat, self.log.name))

    def answer(self, prompt, text, timeout=STEP_TIMEOUT):
        self.expect(re.escape(prompt), timeout, prompt)
        self.p.sendline(text)

    def menu(self, choice, timeout=STEP_TIMEOUT):
        self.answer("Choice: ", choice, timeout)

    def enter_menu(self):
        """Back to the menu, paging through a long screen."""
        while self.expect([r"more\? \[Enter/q\]", "-- Enter: menu --"], STEP_TIMEOUT,
                          "the end of the screen") == 0:
            self.p.sendline("")
        self.p.sendline("")

    def wait_exit(self, timeout=STEP_TIMEOUT):
        try:
            self.p.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            fail("qemu did not stop (see %s)" % self.log.name)
        self.p.close()

    def kill(self):
        if self.p.isalive():
            self.p.terminate(force=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def host_keys(a):
    sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "officer@test",
        "-f", os.path.join(a.work, "officer")])
    sh([a.lawtap, "warrant", "keygen", "court"], cwd=a.work, stdout=subprocess.DEVNULL)
    with open(os.path.join(a.work, "officer.pub")) as f:
        a.officer_pub = f.read().strip()
    with open(os.path.join(a.work, "court.pk")) as f:
        a.court_pk = f.read().strip()


def install(a):
    t0 = time.monotonic()
    g = Guest(a, "1-iso-install", cdrom=a.iso)
    g.expect("lawtap console: operator", BOOT_TIMEOUT, "the live console menu")
    g.expect("Install lawtap onto a disk", STEP_TIMEOUT, "the live install item")
    timed("ISO boot to the console menu", t0)
    t0 = time.monotonic()
    g.menu("20")
    g.expect(r" 1 (vd[a-z])\s", STEP_TIMEOUT, "the disk list")
    g.answer("Install onto disk (number, Enter: back): ", "1")
    g.expect("Network ports")
    ports = {}
    for _ in range(2):
        g.expect(r"\s(\d+) (\S+)\s+([0-9a-f:]{17}) (\S+)\s+(\S+)\s+(\S+)\r")
        ports[g.p.match.group(3)] = (g.p.match.group(1), g.p.match.group(2),
                                     g.p.match.group(6))
    if MGMT_MAC not in ports or CAP_MAC not in ports:
        fail("the port list lacks the test's NICs: %r" % ports)
    say("ports: %r" % ports)
    want = "af_packet" if a.afpacket else "dpdk"
    if ports[CAP_MAC][2] != want:
        fail("the capture NIC is offered as %s, not %s" % (ports[CAP_MAC][2], want))
    g.answer("Management port (number): ", ports[MGMT_MAC][0])
    g.answer("Management address (dhcp, or ADDRESS/PREFIX[,GATEWAY]): ", "dhcp")
    g.answer("Capture ports (numbers with spaces between, Enter: none): ", ports[CAP_MAC][0])
    g.answer("First officer's SSH public key (one line): ", a.officer_pub)
    g.answer("Warrant issuer name (Enter: add one later): ", "court")
    g.answer("Issuer public key (64 hex digits, its .pk file): ", a.court_pk)
    g.answer("Agency HI2 address HOST:PORT (Enter: none yet): ", "10.0.2.2:%d" % a.hi2)
    g.answer("Agency HI3 address HOST:PORT (Enter: as HI2): ", "10.0.2.2:%d" % a.hi3)
    g.answer("Officer passphrase: ", PASS)
    g.answer("Again: ", PASS)
    g.answer("and install lawtap on it? Type yes: ", "yes")
    g.expect(r"Appliance public key \(warrants are sealed to it\):\r*\n(\{[^\r\n]*\})",
             STEP_TIMEOUT * 2, "the installer's appliance public key")
    pub = json.loads(g.p.match.group(1))
    with open(os.path.join(a.work, "appliance.pub"), "w") as f:
        json.dump(pub, f)
    g.expect("Install done", STEP_TIMEOUT, "the end of the install")
    timed("install to disk (console dialogue and install-disk)", t0)
    g.answer("reboot now? Type yes: ", "yes")
    g.wait_exit()


def seal(a):
    w = {"liid": a.liid, "case_id": "image-case-1", "agency": "lea1", "cin": 7,
         "content": "both", "level": "full", "start": "2026-01-01T00:00:00Z",
         "targets": {"ip": [TARGET + "/32"]},
         "authority": {"issued_by": "High Court", "authorized_by": "Judge",
                       "presented_by": "Det", "intercept_type": "content"},
         "carrier_contact": "LIO"}
    wj = os.path.join(a.work, "w1.json")
    with open(wj, "w") as f:
        json.dump(w, f)
    ltw = os.path.join(a.work, "w1.ltw")
    if os.path.exists(ltw):
        os.unlink(ltw)      # seal never overwrites
    sh([a.lawtap, "warrant", "seal", "--key", os.path.join(a.work, "court.sk"), "--to",
        os.path.join(a.work, "appliance.pub"), "--serial", str(a.nwarrants), "--valid-for", "1d", wj, ltw],
       stdout=subprocess.DEVNULL)
    img = os.path.join(a.work, "import.img")
    if os.path.exists(img):
        os.unlink(img)
    sh(["mkfs.vfat", "-C", "-n", "LTIMPORT", img, "4096"], stdout=subprocess.DEVNULL)
    sh(["mcopy", "-i", img, ltw, "::/w1.ltw"])
    return img


def frames():
    """Ethernet/IPv4/UDP frames between the target and a peer, both directions."""
    out = []
    dst = bytes.fromhex(CAP_MAC.replace(":", ""))
    src = bytes.fromhex("020000000099")
    for i in range(NFRAMES):
        a, b = (TARGET, PEER) if i % 2 == 0 else (PEER, TARGET)
        payload = b"lawtap image test frame %06d " % i + bytes(40)
        udp = struct.pack("!HHHH", 40000 + (i % 2), 5000, 8 + len(payload), 0) + payload
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0,
                          socket.inet_aton(a), socket.inet_aton(b))
        s = sum(struct.unpack("!10H", hdr))
        s = (s & 0xffff) + (s >> 16)
        s = (s & 0xffff) + (s >> 16)
        hdr = hdr[:10] + struct.pack("!H", ~s & 0xffff) + hdr[12:]
        out.append(dst + src + b"\x08\x00" + hdr + udp)
    return out


def count_cc(path, liid):
    n, seqs = 0, []
    if not os.path.exists(path):
        return 0, []
    with open(path) as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if r.get("kind") == "CC" and r.get("liid") == liid:
                n += 1
                seqs.append(r.get("seq"))
    return n, seqs


def installed(a, img):
    out = os.path.join(a.work, "lemf.jsonl")
    lemf_log = open(os.path.join(a.work, "lemf.log"), "w")
    lemf = subprocess.Popen([a.lawtap, "lemf", "--listen", "127.0.0.1:%d" % a.hi2,
                             "--listen", "127.0.0.1:%d" % a.hi3, "--out", out],
                            stdout=lemf_log, stderr=subprocess.STDOUT)
    # whatever the guest transmits on the capture NIC arrives here: it must stay silent
    listen = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listen.bind(("127.0.0.1", a.cap_out))
    listen.setblocking(False)
    t0 = time.monotonic()
    g = Guest(a, "2-installed", extra_drive=img)
    try:
        g.expect("lawtap console: operator", BOOT_TIMEOUT, "the installed console menu")
        timed("installed disk boot to the console menu", t0)
        t0 = time.monotonic()
        # lawtap.service up: the status screen answers (Type=notify, so it is READY)
        for attempt in range(60):
            g.menu("1")
            i = g.expect(["daemon not running", r"lcores|workers|agenc|uptime|Uptime"])
            g.enter_menu()
            if i == 1:
                break
            time.sleep(5)
        else:
            fail("lawtap.service never answered at the console")
        timed("lawtap.service running (status answers)", t0)
        t_up = time.monotonic()
        if "Live ISO:" in g.p.before:
            fail("the installed system shows the live ISO items")
        t0 = time.monotonic()
        g.menu("6")
        g.answer("Officer passphrase: ", PASS)
        g.expect("Logged in as LI officer.", STEP_TIMEOUT, "the officer login")
        g.enter_menu()
        g.menu("7")
        g.answer("Sealed warrant file (path, Enter: back): ", "/media/import/w1.ltw")
        g.expect(r"warrant imported as W[0-9a-f]{16}", STEP_TIMEOUT, "the import")
        g.enter_menu()
        timed("officer login and warrant import", t0)
        ssh_checks(a)
        t0 = time.monotonic()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        fr = frames()
        deadline = time.monotonic() + STEP_TIMEOUT
        n = 0
        sent = 0
        while time.monotonic() < deadline:
            # a first burst, then the rest paced (the guest is slow under TCG)
            for f in fr[sent:sent + 20]:
                sock.sendto(f, ("127.0.0.1", a.cap_in))
                time.sleep(0.01)
            sent = min(sent + 20, len(fr))
            time.sleep(1)
            n, seqs = count_cc(out, a.liid)
            if sent == len(fr) and n >= NFRAMES:
                break
        timed("replay of %d frames until the LEMF had %d CC records" % (NFRAMES, n), t0)
        if n != NFRAMES:
            fail("the LEMF received %d of %d CC records (see %s)" % (n, NFRAMES, out))
        by_dir = {}
        with open(out) as f:
            for line in f:
                r = json.loads(line)
                if r.get("liid") == a.liid:
                    by_dir.setdefault(r["kind"], []).append(r.get("seq"))
        cc = by_dir.get("CC", [])
        if sorted(cc) != list(range(len(cc))):
            fail("CC sequence numbers have gaps or duplicates: %r" % cc[:20])
        say("LEMF: %d CC records, seq 0..%d gapless, %d IRI" % (len(cc), len(cc) - 1,
                                                                len(by_dir.get("IRI", []))))
        # still the same process: the watchdog (WatchdogSec=60s) was fed all along
        time.sleep(max(0, 100 - (time.monotonic() - t_up)))
        g.menu("1")
        g.expect(r"lawtap: up (\d+):(\d\d):(\d\d)", STEP_TIMEOUT, "the daemon's uptime")
        h, m, s = (int(x) for x in g.p.match.groups())
        g.enter_menu()
        if h * 3600 + m * 60 + s < 90:
            fail("lawtap.service restarted (up %d:%02d:%02d, watchdog?)" % (h, m, s))
        say("lawtap.service up %d:%02d:%02d, never restarted" % (h, m, s))
        sent = 0
        while True:
            try:
                listen.recv(65536)
                sent += 1
            except BlockingIOError:
                break
        if sent:
            fail("the appliance sent %d frames out of its capture port" % sent)
        say("capture port silent: no frame sent by the appliance")
        g.menu("13")
        g.answer("systemctl poweroff now? Type yes: ", "yes")
        g.wait_exit()
    finally:
        g.kill()
        lemf.terminate()
        lemf.wait()


def ssh_checks(a):
    t0 = time.monotonic()
    key = os.path.join(a.work, "officer")
    base = ["ssh", "-F", "/dev/null", "-p", str(a.ssh_port), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "ConnectTimeout=60", "-o", "LogLevel=ERROR"]
    s = pexpect.spawn(base[0], base[1:] + ["-tt", "-i", key, "officer@127.0.0.1"],
                      encoding="utf-8", timeout=STEP_TIMEOUT)
    s.logfile_read = open(os.path.join(a.work, "ssh.log"), "w")
    try:
        s.expect("lawtap console: operator")
        s.expect_exact("Choice: ")
        s.sendline("9")
        s.expect(pexpect.EOF)
    except (pexpect.TIMEOUT, pexpect.EOF):
        fail("the officer's SSH login did not give the console (see ssh.log)")
    # a command is not run: ForceCommand gives the console, whose input then ends
    r = subprocess.run(base + ["-i", key, "officer@127.0.0.1", "id"], input=b"",
                       capture_output=True, timeout=STEP_TIMEOUT)
    if b"uid=" in r.stdout:
        fail("ssh ran a command instead of the console")
    r = subprocess.run(base + ["-i", key, "root@127.0.0.1", "true"], capture_output=True,
                       timeout=STEP_TIMEOUT)
    if r.returncode != 255:
        fail("ssh as root with the officer's key was let in")
    # what the server offers: public keys only (no password, no keyboard-interactive)
    r = subprocess.run(base + ["-v", "-o", "PreferredAuthentications=none",
                               "officer@127.0.0.1", "true"],
                       capture_output=True, timeout=STEP_TIMEOUT)
    offered = re.findall(rb"Authentications that can continue: (\S+)", r.stderr)
    if r.returncode != 255 or offered[-1:] != [b"publickey"]:
        fail("sshd offers %r, not public keys alone" % offered)
    timed("SSH: officer key gives the console, root and passwords refused", t0)


def uefi_disk(a):
    """The installed disk under UEFI firmware (OVMF): grub's removable path, to the console."""
    t0 = time.monotonic()
    g = Guest(a, "2b-installed-uefi", uefi=True)
    try:
        g.expect("lawtap console: operator", BOOT_TIMEOUT, "the console menu under UEFI")
        g.menu("5")
        g.expect(r"Warrants: %d in the store, %d active" % (a.nwarrants, a.nwarrants),
                 STEP_TIMEOUT, "the warrant count")
        g.enter_menu()
        timed("installed disk boot under UEFI to the console menu", t0)
    finally:
        g.kill()


def upgrade(a):
    t0 = time.monotonic()
    g = Guest(a, "3-iso-upgrade", cdrom=a.iso2)
    g.expect("Upgrade an installed lawtap", BOOT_TIMEOUT, "the live console menu")
    g.menu("21")
    g.expect(r" 1 (vd[a-z])\s+(\S+) \(slot a\)", STEP_TIMEOUT, "the installed system")
    g.answer("Upgrade which (number, Enter: back): ", "1")
    g.answer("(the data stays)? Type yes: ", "yes")
    g.expect("Upgrade done", STEP_TIMEOUT * 2, "the end of the upgrade")
    g.answer("reboot now? Type yes: ", "yes")
    g.wait_exit()
    timed("ISO boot and upgrade", t0)
    t0 = time.monotonic()
    g = Guest(a, "4-upgraded")
    try:
        g.expect(r"\(previous, slot a\)", BOOT_TIMEOUT, "the rollback entry in the boot menu")
        g.expect("lawtap console: operator", BOOT_TIMEOUT, "the upgraded console menu")
        g.menu("5")
        g.expect(r"Warrants: %d in the store" % a.nwarrants, STEP_TIMEOUT,
                 "the warrant kept by the upgrade")
        g.enter_menu()
        timed("upgraded slot b boots with the store kept", t0)
    finally:
        g.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lawtap", required=True)
    ap.add_argument("--iso", required=True)
    ap.add_argument("--iso2", help="a second (newer) ISO for the upgrade step")
    ap.add_argument("--work", required=True)
    ap.add_argument("--upgrade", action="store_true")
    ap.add_argument("--afpacket", action="store_true", help="an e1000 capture NIC, which "
                    "lawtap captures with net_af_packet (default: virtio bound to DPDK)")
    ap.add_argument("--reuse-disk", action="store_true", help="skip the install: WORK holds "
                    "disk.qcow2, appliance.pub and the keys of an earlier run (--keep)")
    ap.add_argument("--uefi", action="store_true", help="every boot under UEFI (default: "
                    "BIOS, and the installed disk once more under UEFI)")
    a = ap.parse_args()
    a.lawtap = os.path.abspath(a.lawtap)
    a.iso2 = a.iso2 or a.iso
    os.makedirs(a.work, exist_ok=True)
    a.disk = os.path.join(a.work, "disk.qcow2")
    ports = os.path.join(a.work, "ports.json")
    a.liid, a.nwarrants = "IMG-TEST-1", 1
    if a.reuse_disk:
        with open(ports) as f:
            a.ssh_port, a.hi2, a.hi3, a.cap_out, a.cap_in = json.load(f)
        a.liid, a.nwarrants = "IMG-TEST-2", 2     # the store has the first run's warrant
    else:
        for f in ("officer", "officer.pub", "court.sk", "court.pk"):
            if os.path.exists(os.path.join(a.work, f)):
                os.unlink(os.path.join(a.work, f))
        sh(["qemu-img", "create", "-q", "-f", "qcow2", a.disk, "8G"])
        a.ssh_port, a.hi2, a.hi3, a.cap_out, a.cap_in = (free_port() for _ in range(5))
        with open(ports, "w") as f:
            json.dump([a.ssh_port, a.hi2, a.hi3, a.cap_out, a.cap_in], f)
        host_keys(a)
        install(a)
    img = seal(a)
    installed(a, img)
    if not a.uefi:
        uefi_disk(a)
    if a.upgrade:
        upgrade(a)
    say("PASS")
    for name, dt in timings:
        print("  %-66s %6.1f s" % (name, dt))


if __name__ == "__main__":
    main()
