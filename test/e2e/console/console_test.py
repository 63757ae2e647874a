#!/usr/bin/env python3
"""lawtap console through a pseudo-terminal of 80x24, both roles.

A state directory with one pinned issuer and two sealed warrants whose LIIDs,
case ids and targets are random canaries; one is imported beforehand with
`lawtap warrant import`.  The operator walks every item and must see no
canary; the officer logs in (a wrong passphrase first), imports the other,
lists, shows, deactivates, changes the passphrase and locks; the operator
again sees no canary.  Every screen fits 80x24.  Afterwards the audit log
verifies and holds the session's entries.  Needs root (the machine key);
exits 77 without.

usage: console_test.py LAWTAP
"""
import io
import json
import os
import re
import secrets
import subprocess
import sys
import socket
import tempfile
import threading
import time

try:
    import pexpect
except ImportError:
    print("console_test: python3-pexpect is not installed; skipped")
    sys.exit(77)

PASS1 = "correct horse battery staple"
PASS2 = "another officer passphrase 2"
CONFIG = """\
operator: { id = "op1"; network_element = "ne-1"; country = "NZ"; };
dpdk: {
  eal = ( "-l", "0", "--no-huge" );
  ports = ( { device = "0000:03:00.0"; rx_queues = 4; },
            { device = "net_pcap0,iface=lo"; } );
};
agencies = (
  { id = "police"; hi2 = "127.0.0.1:40002"; hi3 = "127.0.0.1:40003"; },
  { id = "customs"; hi2 = "[::1]:41002"; hi3 = "[::1]:41003"; }
);
"""

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def canary(prefix):
    return prefix + secrets.token_hex(6).upper()


def warrant(agency, liid, case, user, ip):
    return {
        "liid": liid, "case_id": case, "agency": agency, "cin": 7,
        "content": "both", "start": "2020-01-01T00:00:00Z",
        "end": "2099-01-01T00:00:00Z",
        "targets": {"ip": [ip], "usernames": [user]},
        "authority": {"issued_by": "High Court", "authorized_by": "Judge X",
                      "presented_by": "Det. Y", "intercept_type": "content"},
        "carrier_contact": "LI officer Z",
    }


def run(lawtap, args, stdin=None, ok=True):
    p = subprocess.run([lawtap] + args, input=stdin, capture_output=True,
                       text=True, timeout=120)
    if ok and p.returncode != 0:
        sys.exit("lawtap %s failed (%d): %s%s" % (" ".join(args),
                 p.returncode, p.stdout, p.stderr))
    return p


def hi(state, sent):
    return {"records_sent": sent, "bytes_sent": 100 * sent, "queued": 0, "lost": 0,
            "connects": 1, "losses": 0, "ka_sent": 2, "ka_answered": 2,
            "queued_disk": 0, "spooled": 0, "resent": 0, "overwritten": 0,
            "tls_failures": 0, "backlog_ms": 0, "state": state, "ka_rtt_ms": -1}


STATUS = {"ok": True, "uptime_s": 3723, "warrants_active": 1,
          "workers": [{"rx": 1000 + i, "bytes": 64000, "not_ip": 0, "malformed": 0,
                       "multiseg": 0, "matched": 10, "records": 10, "ring_full": 0,
                       "queue_full": 0, "undeliverable": 0, "too_many_warrants": 0}
                      for i in range(3)],
          "agencies": [{"id": "police", "hi2": hi("connected", 5),
                        "hi3": hi("connected", 7)},
                       {"id": "customs", "hi2": hi("connecting", 0),
                        "hi3": hi("connecting", 0)}]}


class FakeDaemon(threading.Thread):
    """The control socket of a daemon: status answered from STATUS, reloads counted."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.bind(path)
        self.s.listen(4)
        self.requests = []

    def run(self):
        while True:
            c, _ = self.s.accept()
            with c:
                buf = b""
                while not buf.endswith(b"\n"):
                    d = c.recv(4096)
                    if not d:
                        break
                    buf += d
                req = json.loads(buf)
                self.requests.append(req["cmd"])
                reply = STATUS if req["cmd"] == "status" else {"ok": True,
                                                               "reload": "started"}
                c.sendall(json.dumps(reply).encode() + b"\n")


class Console:
    """One console session; every answer the console gives is one screen."""

    def __init__(self, lawtap, state, control, config, log, extra=()):
        self.log = log
        self.c = pexpect.spawn(lawtap, ["console", "--state", state,
                                        "--control", control,
                                        "--config", config] + list(extra),
                               dimensions=(24, 80), timeout=30,
                               encoding="utf-8", codec_errors="replace")
        self.c.logfile_read = log
        self.pages = 0
        self.typed = None
        self.expect("Choice: ")

    def screen(self, text):
        lines = text.replace("\r", "").split("\n")
        check(len(lines) <= 24, "a screen of %d lines: %r" % (len(lines), text))
        for l in lines:
            if l == self.typed:
                continue    # the terminal's echo of what the test typed
            check(len(l) <= 80, "a line of %d columns: %r" % (len(l), l))

    def expect(self, pattern):
        self.c.expect(pattern)
        self.screen(self.c.before + self.c.after)
        return self.c.before

    def send(self, line, pattern="Choice: "):
        self.c.sendline(line)
        return self.expect(pattern)

    def item(self, n, pattern="-- Enter: menu --"):
        """A menu item, its answer (paged: Enter at every "more?"), then back at the menu."""
        out = self.collect(str(n), pattern)
        if pattern == "-- Enter: menu --":
            self.send("")
        return out

    def collect(self, line, pattern="-- Enter: menu --"):
        """Sends line and reads the answer up to pattern, Enter at every "more?"."""
        more = r"more\? \[Enter/q\] "
        self.c.sendline(line)
        out = ""
        while True:
            i = self.c.expect([pattern, more])
            self.screen(self.c.before + self.c.after)
            out += self.c.before
            if i == 0:
                break
            self.pages += 1
            self.c.sendline("")
        return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    lawtap = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        print("console_test: needs root (machine.key is root's); skipped")
        sys.exit(77)
    os.environ["LAWTAP_TEST_FAST_KDF"] = "1"
    os.environ["LAWTAP_CONSOLE_DRYRUN"] = "1"
    tmp = tempfile.mkdtemp(prefix="lawtap-console-")
    state, conf = os.path.join(tmp, "state"), os.path.join(tmp, "lawtap.conf")
    control = os.path.join(tmp, "control.sock")    # no daemon answers there
    with open(conf, "w") as f:
        f.write(CONFIG)

    w = [warrant("police", canary("CNRY-L1-"), canary("case1-"),
                 canary("user1-"), "198.51.100.%d" % secrets.randbelow(250)),
         warrant("customs", canary("CNRY-L2-"), canary("case2-"),
                 canary("user2-"), "203.0.113.%d" % secrets.randbelow(250))]
    # enough targets that showing it takes more than one screen
    w[1]["targets"]["usernames"] += [canary("user2-%d-" % i) for i in range(30)]
    canaries = []
    for x in w:
        canaries += [x["liid"], x["case_id"], x["targets"]["usernames"][0],
                     x["targets"]["ip"][0]]

    run(lawtap, ["store", "init", "--state", state, "--passphrase-fd", "0"],
        PASS1 + "\n")
    issuer = os.path.join(tmp, "court")
    run(lawtap, ["warrant", "keygen", issuer])
    run(lawtap, ["warrant", "issuer", "add", "--state", state,
                 "--passphrase-fd", "0", "court", issuer + ".pk"], PASS1 + "\n")
    files = []
    for i, x in enumerate(w):
        src, out = os.path.join(tmp, "w%d.json" % i), os.path.join(tmp, "w%d.ltw" % i)
        with open(src, "w") as f:
            json.dump(x, f)
        run(lawtap, ["warrant", "seal", "--key", issuer + ".sk", "--to",
                     os.path.join(state, "appliance.pub"), "--serial", str(i + 1),
                     src, out])
        files.append(out)
    run(lawtap, ["warrant", "import", "--state", state, "-c", conf,
                 "--passphrase-fd", "0", files[1]], PASS1 + "\n")

    log = io.StringIO()
    k = Console(lawtap, state, control, conf, log)

    # the operator: every item
    out = k.item(1)
    check("daemon not running" in out, "status without a daemon says so")
    out = k.item(2)
    check("police" in out and "127.0.0.1:40002" in out and "[::1]:41003" in out,
          "agencies with their addresses")
    out = k.item(3)
    check("0000:03:00.0" in out and "rx queues 4" in out, "ports and rx queues")
    out = k.item(4)
    check("Audit log: verified" in out and "import" in out, "audit verified, entries shown")
    out = k.item(5)
    check("1 in the store, 1 active" in out, "the warrant count")
    out = k.item(7)
    check("no item 7" in out, "an officer item refused to the operator")
    out = k.send("x")
    check("type the number" in out, "a non-number refused")
    k.typed = "5" * 3000
    k.c.sendline(k.typed)
    out = k.expect("Choice: ")
    check("type the number" in out, "an over-long line refused")
    operator1 = log.getvalue()

    # the officer: a wrong passphrase, then the right one
    k.send("6", "Officer passphrase: ")
    out = k.send("wrong passphrase entirely", "Officer passphrase: ")
    check("login refused" in out, "a wrong passphrase refused")
    out = k.send(PASS1, "-- Enter: menu --")
    check("Logged in as LI officer" in out, "the right passphrase logs in")
    check(PASS1 not in log.getvalue(), "the passphrase was not echoed")
    k.send("")
    # another lawtap commits while the officer is logged in: the console's next change
    # must build on that generation, not on the one it saw at login
    run(lawtap, ["warrant", "keygen", issuer + "2"])
    run(lawtap, ["warrant", "issuer", "add", "--state", state, "--passphrase-fd", "0",
                 "court2", issuer + "2.pk"], PASS1 + "\n")

    out = k.send("7", "path, Enter: back\\): ")
    out = k.send(files[0], "-- Enter: menu --")
    m = re.search(r"warrant imported as (W[0-9a-f]{16})", out)
    check(m is not None, "import at the console: %r" % out)
    check("daemon not running" in out, "the reload says the daemon is not running")
    wid = m.group(1) if m else "W0000000000000000"
    k.send("")
    out = k.send("7", "path, Enter: back\\): ")
    out = k.send(files[0], "-- Enter: menu --")
    check("refused" in out and "replayed" in out, "the same file again is a replay: %r" % out)
    k.send("")

    out = listing = k.item(5)
    check(w[0]["liid"] in out and w[1]["liid"] in out and wid in out,
          "the officer's list shows the LIIDs")
    check("customs" in out, "the list shows agencies")

    k.send("6", "Enter: back\\): ")
    out = k.send(wid, "-- Enter: menu --")
    check(w[0]["case_id"] in out and w[0]["targets"]["usernames"][0] in out and
          "High Court" in out, "show has every field")
    k.send("")

    m = re.search(r"(W[0-9a-f]{16}) +CNRY-L2-", listing)
    check(m is not None, "the list shows the imported warrant's id")
    k.send("6", "Enter: back\\): ")
    out = k.collect(m.group(1) if m else "W0000000000000000")
    check(k.pages >= 1 and w[1]["targets"]["usernames"][-1] in out,
          "a long warrant shown over several screens")
    k.send("")

    k.send("8", "Enter: back\\): ")
    k.send(wid, "Type yes: ")
    out = k.send("yes", "-- Enter: menu --")
    check("deactivated" in out, "deactivate")
    k.send("")
    out = k.item(5)
    check(re.search(wid + r" .* deactivated", out) is not None, "the list shows it deactivated")

    # Ctrl-C at a prompt: back to the menu
    k.send("6", "Enter: back\\): ")
    k.c.sendintr()
    k.expect("Choice: ")

    k.send("10", "Current passphrase: ")
    k.send(PASS1, "New passphrase: ")
    k.send(PASS2, "again: ")
    out = k.send(PASS2, "-- Enter: menu --")
    check("passphrase changed" in out, "passphrase change")
    k.send("")

    out = k.send("12", "Type yes: ")
    out = k.send("yes", "-- Enter: menu --")
    check("dry run: would run systemctl reboot" in out, "reboot, dry run")
    k.send("")
    k.send("13", "Type yes: ")
    out = k.send("no", "-- Enter: menu --")
    check("nothing done" in out, "shutdown not confirmed")
    k.send("")

    out = k.item(11)
    check("operator menu" in out, "lock")
    out = k.c.before
    mark = len(log.getvalue())

    # the operator again
    for n in (1, 2, 3, 4, 5):
        out = k.item(n)
        if n == 5:
            check("2 in the store, 1 active" in out, "the count after the officer")
    k.send("6", "Officer passphrase: ")
    out = k.send(PASS1, "Officer passphrase: ")
    check("login refused" in out, "the old passphrase no longer works")
    k.c.sendintr()
    k.expect("Choice: ")
    operator2 = log.getvalue()[mark:]
    k.c.sendintr()
    k.c.expect(pexpect.EOF)
    k.c.close()
    check(k.c.exitstatus == 0, "Ctrl-C at the menu exits 0 (%r)" % k.c.exitstatus)

    for c in canaries:
        check(c not in operator1, "canary %d absent from the operator's first session"
              % canaries.index(c))
        check(c not in operator2, "canary %d absent after the officer locked"
              % canaries.index(c))

    # three wrong passphrases: audited, then a pause; EOF then exits 0
    k = Console(lawtap, state, control, conf, io.StringIO())
    k.send("6", "Officer passphrase: ")
    k.send("wrong one", "Officer passphrase: ")
    k.send("wrong two", "Officer passphrase: ")
    t0 = time.monotonic()
    out = k.send("wrong three", "Enter: menu --")
    check(time.monotonic() - t0 >= 4.5, "a pause after three failures")
    check("3 failures" in out, "the pause is announced")
    k.c.sendeof()
    k.c.expect(pexpect.EOF)
    k.c.close()
    check(k.c.exitstatus == 0, "EOF exits 0 (%r)" % k.c.exitstatus)

    # a daemon that answers: its status and agency states; the officer's change reloads it
    fake = FakeDaemon(os.path.join(tmp, "daemon.sock"))
    fake.start()
    log = io.StringIO()
    k = Console(lawtap, state, fake.s.getsockname(), conf, log)
    out = k.item(1)
    check("up 01:02:03" in out and "Drops by stage" in out and
          re.search(r"total +3003 +192000", out) is not None and
          re.search(r"HI3 +connected +7 +700", out) is not None,
          "status from the daemon, paged: %r" % out)
    check("daemon not running" not in out, "the daemon answers")
    out = k.item(2)
    check(re.search(r"HI2 127\.0\.0\.1:40002 +connected", out) is not None and
          re.search(r"HI3 \[::1\]:41003 +connecting", out) is not None,
          "agency connection states from the daemon: %r" % out)
    k.send("6", "Officer passphrase: ")
    k.send(PASS2, "-- Enter: menu --")
    k.send("")
    m = re.search(r"(W[0-9a-f]{16}) +CNRY-L2-", listing)
    k.send("8", "Enter: back\\): ")
    k.send(m.group(1) if m else "W0000000000000000", "Type yes: ")
    out = k.send("yes", "-- Enter: menu --")
    check("the daemon is applying it now" in out, "a deactivation reloads the daemon")
    check(fake.requests.count("reload") == 1, "one reload request: %r" % fake.requests)
    k.send("")
    k.c.sendline("9")
    k.c.expect(pexpect.EOF)
    k.c.close()
    check(k.c.exitstatus == 0, "9 exits 0")
    for c in canaries:
        check(c not in log.getvalue(), "canary %d absent with a daemon" % canaries.index(c))

    # an officer who leaves the console alone is locked out
    k = Console(lawtap, state, control, conf, io.StringIO(), ["--idle-lock", "2"])
    k.send("6", "Officer passphrase: ")
    k.send(PASS2, "-- Enter: menu --")
    k.send("", "LI officer")
    k.expect("Choice: ")
    t0 = time.monotonic()
    out = k.expect("Choice: ")
    check(time.monotonic() - t0 >= 1.5 and "Locked: no input for 2 seconds" in out and
          "console: operator" in out, "the idle lock: %r" % out)
    out = k.item(7)
    check("no item 7" in out, "the operator's menu after the idle lock")
    k.c.sendline("9")
    k.c.expect(pexpect.EOF)
    k.c.close()

    # the audit log
    p = run(lawtap, ["audit", "verify", "--state", state], ok=False)
    check(p.returncode == 0, "audit verify after the sessions: %s" % p.stdout)
    show = run(lawtap, ["audit", "show", "--state", state]).stdout
    events = [l.split()[3] for l in show.splitlines() if len(l.split()) > 3]
    for e in ("login-failed", "login", "import", "import-rejected", "warrant-list",
              "warrant-show", "deactivate", "key-change", "reboot", "lock"):
        check(e in events, "audit has a %s entry" % e)
    check(events.count("lock") == 3 and '"how":"idle"' in show, "every officer session's end audited (%d)"
          % events.count("lock"))
    check(events.count("login-failed") == 5, "every failed login audited (%d)"
          % events.count("login-failed"))
    for c in canaries:
        check(c not in show, "canary %d absent from the audit log" % canaries.index(c))
    # the new passphrase is the officer's now
    p = run(lawtap, ["warrant", "list", "--state", state, "--passphrase-fd", "0"],
            PASS2 + "\n")
    check(re.search(wid + r" .* deactivated", p.stdout) is not None and
          re.search(r" +CNRY-L2-.* deactivated", p.stdout) is not None,
          "the store holds both deactivations")

    if failures:
        print("console_test: %d failures; transcript kept in %s" % (len(failures), tmp))
        with open(os.path.join(tmp, "transcript.txt"), "w") as f:
            f.write(log.getvalue())
        sys.exit(1)
    subprocess.run(["rm", "-rf", tmp])
    print("console_test: all checks passed")


if __name__ == "__main__":
    main()
