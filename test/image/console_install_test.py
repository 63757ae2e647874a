#!/usr/bin/python3
"""console_install_test.py - the live console's install and upgrade dialogue against a fake
install-disk: the arguments it is given, the passphrase on fd 3 only (never in argv), refusals
of bad answers, and no live items outside the live ISO.

usage: console_install_test.py LAWTAP
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

import pexpect

PASS = "console install test passphrase"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7lI1Ibc6Sd1Z3uM4Qd0b4i5Wx0H2GfR2Vq9bZXY0Sx t@h"
ISSUER = "ab" * 32

FAKE = r"""#!/bin/sh
# a fake install-disk: canned listings; install and upgrade record what they were given
log=%(dir)s/calls
case $1 in
disks) echo "vda 8589934592 -"; echo "sdb 500107862016 Samsung_SSD" ;;
nics) echo "ens3 52:54:00:00:00:01 virtio_net 0000:00:03.0 dpdk"
      echo "ens4 52:54:00:00:00:02 virtio_net 0000:00:04.0 dpdk"
      echo "eno1 52:54:00:00:00:03 e1000e 0000:00:05.0 af_packet" ;;
installed) echo "vda lawtap_1.0 a" ;;
install|upgrade|ports)
	printf '%%s\n' "$*" >>"$log"
	if [ "$1" = install ]; then
		IFS= read -r p <&3 || p=NONE
		IFS= read -r k <&3 || k=NONE
		printf 'fd3=%%s\nkey=%%s\n' "$p" "$k" >>"$log"
	fi
	echo "fake $1 done"; exit ${FAKE_RC:-0} ;;
esac
"""


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def console(lawtap, env):
    return pexpect.spawn(lawtap, ["console", "--state", env["T"] + "/state", "--control",
                                  env["T"] + "/ctl.sock", "--config", env["T"] + "/none.conf"],
                         env=env, encoding="utf-8", timeout=20, dimensions=(24, 80))


def expect(c, pat, what):
    try:
        return c.expect(pat)
    except (pexpect.TIMEOUT, pexpect.EOF):
        fail("waiting for %s; the console showed:\n%s" % (what, c.before))


def ask(c, prompt, text):
    try:
        c.expect_exact(prompt)
    except (pexpect.TIMEOUT, pexpect.EOF):
        fail("no prompt %r; the console showed:\n%s" % (prompt, c.before))
    c.sendline(text)


def back_to_menu(c):
    ask(c, "-- Enter: menu --", "")


def install_dialogue(c, disk="2", mgmt="1", addr="192.0.2.5/24,192.0.2.1", cap="2 3",
                     key=KEY, issuer=("court", ISSUER), hi2="192.0.2.10:41102", hi3="",
                     pw=(PASS, PASS), yes="yes"):
    """Walks the dialogue; stops (returns) at the first answer the console should refuse."""
    ask(c, "Choice: ", "20")
    ask(c, "Install onto disk (number, Enter: back): ", disk)
    if disk not in ("1", "2"):
        return
    ask(c, "Management port (number): ", mgmt)
    if mgmt not in ("1", "2", "3"):
        return
    ask(c, "Management address (dhcp, or ADDRESS/PREFIX[,GATEWAY]): ", addr)
    if addr in ("eth0; rm -rf /", ""):
        return
    ask(c, "Capture ports (numbers with spaces between, Enter: none): ", cap)
    if cap in ("1", "9"):
        return
    ask(c, "First officer's SSH public key (one line): ", key)
    if not key.startswith("ssh-"):
        return
    ask(c, "Warrant issuer name (Enter: add one later): ", issuer[0])
    if issuer[0]:
        ask(c, "Issuer public key (64 hex digits, its .pk file): ", issuer[1])
        if len(issuer[1]) != 64:
            return
    ask(c, "Agency HI2 address HOST:PORT (Enter: none yet): ", hi2)
    if hi2:
        ask(c, "Agency HI3 address HOST:PORT (Enter: as HI2): ", hi3)
    ask(c, "Officer passphrase: ", pw[0])
    if len(pw[0]) < 12:
        return
    ask(c, "Again: ", pw[1])
    if pw[0] != pw[1]:
        return
    ask(c, "and install lawtap on it? Type yes: ", yes)


def main():
    lawtap = os.path.abspath(sys.argv[1])
    t = tempfile.mkdtemp(prefix="lt-console-install-")
    try:
        run(lawtap, t)
    finally:
        shutil.rmtree(t, ignore_errors=True)
    print("PASS")


def calls(t):
    try:
        with open(t + "/calls") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def run(lawtap, t):
    fake = t + "/install-disk"
    with open(fake, "w") as f:
        f.write(FAKE % {"dir": t})
    os.chmod(fake, stat.S_IRWXU)
    env = dict(os.environ, T=t, LAWTAP_INSTALL_DISK=fake, LAWTAP_LIVE_FLAG=t + "/live",
               LAWTAP_CONSOLE_DRYRUN="1", TERM="vt100")
    env.pop("NOTIFY_SOCKET", None)

    # not live: no live items, and item 20 is not one
    c = console(lawtap, env)
    expect(c, "Choice: ", "the menu")
    if "Live ISO" in c.before or "Install lawtap" in c.before:
        fail("live items shown without the live flag")
    c.sendline("20")
    expect(c, "no item 20 in this menu", "the refusal of item 20")
    back_to_menu(c)
    ask(c, "Choice: ", "9")
    c.expect(pexpect.EOF)

    open(t + "/live", "w").close()
    c = console(lawtap, env)
    expect(c, "Live ISO:", "the live items")
    for bad, kw, said in (
            ("disk 3", {"disk": "3"}, "type a number from 1 to 2"),
            ("disk word", {"disk": "vda"}, "type a number from 1 to 2"),
            ("address", {"addr": "eth0; rm -rf /"}, "not an address"),
            ("capture = management", {"cap": "1"}, "not a port number other than"),
            ("capture 9", {"cap": "9"}, "not a port number other than"),
            ("ssh key", {"key": "hello"}, "not an OpenSSH public key"),
            ("issuer key", {"issuer": ("court", "zz")}, "not 64 lower-case hex digits"),
            ("short passphrase", {"pw": ("short", "short")}, "at least"),
            ("passphrases differ", {"pw": (PASS, PASS + "x")}, "the two passphrases differ"),
            ("no yes", {"yes": "no"}, "nothing done")):
        install_dialogue(c, **kw)
        expect(c, said, "the refusal (%s)" % bad)
        back_to_menu(c)
        if calls(t):
            fail("install-disk was run after a refused answer (%s)" % bad)

    # the real thing: everything in argv but the passphrase, which arrives on fd 3
    install_dialogue(c)
    expect(c, "fake install done", "the installer's output")
    expect(c, "Install done", "the console's verdict")
    ask(c, "reboot now? Type yes: ", "yes")
    expect(c, "dry run: would run systemctl reboot", "the reboot (dry run)")
    back_to_menu(c)
    got = calls(t).splitlines()
    want = ["install --disk /dev/sdb --mgmt ens3=192.0.2.5/24,192.0.2.1 --capture ens4,eno1 "
            "--issuer court=" + ISSUER + " --agency 192.0.2.10:41102,192.0.2.10:41102",
            "fd3=" + PASS, "key=" + KEY]
    if got != want:
        fail("install-disk got %r, wanted %r" % (got, want))
    if PASS in got[0]:
        fail("the passphrase is in the installer's arguments")

    # a failing installer is reported as such
    os.unlink(t + "/calls")
    c.close()
    env["FAKE_RC"] = "3"
    c = console(lawtap, env)
    install_dialogue(c, issuer=("", ""), hi2="")
    expect(c, r"Install FAILED \(exit 3\)", "the failure")
    back_to_menu(c)
    got = calls(t).splitlines()
    if got != ["install --disk /dev/sdb --mgmt ens3=192.0.2.5/24,192.0.2.1 --capture ens4,eno1",
               "fd3=" + PASS, "key=" + KEY]:
        fail("install-disk (no issuer, no agency) got %r" % got)
    del env["FAKE_RC"]
    os.unlink(t + "/calls")

    # upgrade: the installed system listed, then upgraded
    ask(c, "Choice: ", "21")
    expect(c, r" 1 vda\s+lawtap_1.0 \(slot a\)", "the installed system")
    ask(c, "Upgrade which (number, Enter: back): ", "1")
    ask(c, "(the data stays)? Type yes: ", "yes")
    expect(c, "Upgrade FAILED", "the upgrade's failure (FAKE_RC=3 still set in this console)")
    back_to_menu(c)
    ask(c, "Choice: ", "9")
    c.expect(pexpect.EOF)
    c = console(lawtap, env)
    ask(c, "Choice: ", "21")
    ask(c, "Upgrade which (number, Enter: back): ", "1")
    ask(c, "(the data stays)? Type yes: ", "yes")
    expect(c, "Upgrade done", "the upgrade")
    ask(c, "reboot now? Type yes: ", "no")
    expect(c, "nothing done", "the reboot declined")
    back_to_menu(c)
    if calls(t).splitlines() != ["upgrade --disk /dev/vda", "upgrade --disk /dev/vda"]:
        fail("upgrade calls: %r" % calls(t))
    ask(c, "Choice: ", "9")
    c.expect(pexpect.EOF)
    ports(lawtap, t, env)


def ports(lawtap, t, env):
    """Installed (not live): the officer's port item, and only the officer's."""
    os.unlink(t + "/live")
    os.unlink(t + "/calls")
    with open(t + "/pass", "w") as f:
        f.write(PASS + "\n")
    env = dict(env, LAWTAP_TEST_FAST_KDF="1", LAWTAP_APPLIANCE_ENV=t + "/appliance.env")
    with open(t + "/pass") as f:
        r = subprocess.run([lawtap, "store", "init", "--state", t + "/state",
                            "--passphrase-fd", "0"], stdin=f, env=env, capture_output=True)
    if r.returncode != 0:
        fail("store init: %r" % r.stderr)
    c = console(lawtap, env)
    expect(c, "Choice: ", "the operator menu")
    if "Management and capture ports" in c.before:
        fail("the port item without the installer's settings file")
    c.sendline("6")
    ask(c, "Officer passphrase: ", PASS)
    expect(c, "Logged in as LI officer.", "the login")
    back_to_menu(c)
    expect(c, "Choice: ", "the officer menu")
    if "Management and capture ports" in c.before:
        fail("the port item on a system that was not installed by the ISO")
    c.sendline("24")
    expect(c, "no item 24 in this menu", "the refusal of item 24")
    back_to_menu(c)
    ask(c, "Choice: ", "9")
    c.expect(pexpect.EOF)

    open(t + "/appliance.env", "w").close()
    c = console(lawtap, env)
    expect(c, "Choice: ", "the operator menu")
    if "Management and capture ports" in c.before or "Live ISO" in c.before:
        fail("the operator sees the port item (or live items)")
    c.sendline("24")
    expect(c, "no item 24 in this menu", "the operator's refusal of item 24")
    back_to_menu(c)
    ask(c, "Choice: ", "6")
    ask(c, "Officer passphrase: ", PASS)
    back_to_menu(c)
    expect(c, " 24 Management and capture ports", "the officer's port item")
    ask(c, "Choice: ", "24")
    ask(c, "Management port (number): ", "3")
    ask(c, "Management address (dhcp, or ADDRESS/PREFIX[,GATEWAY]): ", "dhcp")
    ask(c, "Capture ports (numbers with spaces between, Enter: none): ", "1,2")
    ask(c, "Save these ports (in effect at the next boot)? Type yes: ", "yes")
    expect(c, "fake ports done", "the installer's output")
    ask(c, "reboot now? Type yes: ", "no")
    back_to_menu(c)
    ask(c, "Choice: ", "9")
    c.expect(pexpect.EOF)
    if calls(t).splitlines() != ["ports --mgmt eno1=dhcp --capture ens3,ens4"]:
        fail("ports calls: %r" % calls(t))
    r = subprocess.run([lawtap, "audit", "verify", "--state", t + "/state"], env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("audit verify: %s %s" % (r.stdout, r.stderr))
    r = subprocess.run([lawtap, "audit", "show", "--state", t + "/state"], env=env,
                       capture_output=True, text=True)
    if not any("ports" in l and "eno1=dhcp" in l and "ens3,ens4" in l
               for l in r.stdout.splitlines()):
        fail("no audited ports change in:\n" + r.stdout)


if __name__ == "__main__":
    main()
