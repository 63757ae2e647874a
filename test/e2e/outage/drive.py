#!/usr/bin/env python3
"""drive.py - the outage test: namespaces, lawtap run, two agencies' LEMFs, a paced stream, outages.

Topology (all made here, removed at exit):
  sender namespace  --veth-->  root namespace: `lawtap run` captures the
                               root end (DPDK net_af_packet) and delivers,
                               routed, to
  one namespace per agency (police, customs), behind its own veth pair,
  where `lawtap lemf` listens on its HI2 and HI3 ports.

While the sender sends the seeded stream (traffic.py), each agency suffers its
share of --outages outages of seeded random length, one kind at a time:
  kill  the LEMF is SIGKILLed and started again later (a new JSONL file);
  loss  100 % loss on the agency's link both ways (netem, or the blackhole
        qdisc where this kernel has no netem);
  rst   every connection to the agency reset (ss -K), again and again;
  stop  the LEMF stops reading (SIGSTOP ... SIGCONT).
About a third last longer than the memory queue takes to fill at the
stream's rate.  --kill-appliance M: lawtap run is SIGKILLed M times mid-stream
(the sender paused and settled first) and started again with the same
--state.  --quota: one long outage per agency against a small spool quota.
Afterwards: wait (up to 60 s) until `lawtap status --json` shows every HI
up with queued and queued_disk 0, SIGTERM, and outcheck.py with the resent
and overwritten counts of each agency's HI2/HI3 in that status (taken just
before each SIGKILL and the SIGTERM, summed over the runs: counters that
start at 0 with each run), or in the exit lines ("N resent", "N overwritten")
where larger.  Prints the figures.

usage: drive.py LAWTAP [--packets N] [--outages K] [--seed S] [--kill-appliance M]
                [--quota] [--rate PPS] [--keep]
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import traffic  # noqa: E402

QUEUE_MB = 1			# delivery.queue_mb: the smallest memory queue
SPOOL_QUOTA_MB = 64		# the spool's quota per connection outside --quota runs
SPOOL_QUOTA_SMALL_MB = 1	# and in them
SPOOL_MEMORY = 256 * 1024	# memory_bytes where the spool has its own memory limit
# The spool settings of issue 5, in the forms they may take; the first that
# check-config accepts is used (none: the memory queue only).  delivery: the
# whole delivery group's; agency: each agency's (--spool-conf replaces it).
SPOOL_DELIVERY = ' spool_mb = %(quota_mb)d; spool_dir = "%(dir)s";'
SPOOL_AGENCY = ('spool = { dir = "%(dir)s/%(agency)s"; quota = %(quota)d; '
                'memory_bytes = %(memory)d; };')
COUNTER_FIELDS = {"resent": "resent", "overwritten": "overwritten"}
QUEUE_FIELDS = ("queued", "queued_disk")


class Fail(Exception):
    pass


def log(msg):
    print("outage: %s" % msg, flush=True)


def sh(*args, check=True):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and r.returncode != 0:
        raise Fail("%s: %s" % (" ".join(args), r.stdout.strip()))
    return r


class Run:
    def __init__(self, a):
        self.a = a
        self.lawtap = os.path.realpath(a.lawtap)
        self.pid = os.getpid()
        self.tmp = tempfile.mkdtemp(prefix="lawtap-outage.")
        self.ns_snd = "lt-V-snd-%d" % self.pid
        self.ns = {ag: "lt-V-%s-%d" % (ag, self.pid) for ag in traffic.AGENCIES}
        self.cap_if = "ltV%dc" % self.pid
        self.ag_if = {ag: "ltV%d%d" % (self.pid, k) for k, ag in enumerate(traffic.AGENCIES)}
        self.prefix = "lt-V-%d" % self.pid
        self.ctl = os.path.join(self.tmp, "ctl.sock")
        self.state = os.path.join(self.tmp, "state")
        self.run_proc = None
        self.runs = 0
        self.lemf = {}
        self.lemf_files = {ag: [] for ag in traffic.AGENCIES}
        self.sender = None
        self.snapshots = []		# the last status of each lawtap run process
        self.hwm_kb = 0
        self.events = []
        self.windows = []		# the same with wall-clock times, for outcheck --events
        self.lock = threading.Lock()
        self.spool = None		# None, "delivery" or "agency"
        self.blackhole = False
        self.errors = []

    # --- set-up and tear-down -------------------------------------------------

    def net(self):
        probe = traffic.AGENCIES["police"][0]
        r = sh("ip", "route", "get", probe, check=False)
        if re.search(r"^%s dev" % re.escape(probe), r.stdout) and "dev lo" not in r.stdout:
            raise Fail("%s is already routed here (another run? set LAWTAP_OUTAGE_NET): %s" % (
                probe, r.stdout.strip()))
        sh("ip", "netns", "add", self.ns_snd)
        sh("ip", "link", "add", self.cap_if, "type", "veth", "peer", "name", "vinj",
           "netns", self.ns_snd)
        sh("ip", "link", "set", self.cap_if, "up")
        sh("ip", "netns", "exec", self.ns_snd, "ip", "link", "set", "vinj", "up")
        for ag, (addr, ours) in traffic.AGENCIES.items():
            ns, dev = self.ns[ag], self.ag_if[ag]
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", dev, "type", "veth", "peer", "name", "eth0", "netns", ns)
            sh("ip", "addr", "add", ours + "/30", "dev", dev)
            sh("ip", "link", "set", dev, "up")
            sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
            sh("ip", "netns", "exec", ns, "ip", "addr", "add", addr + "/30", "dev", "eth0")
            sh("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up")
            sh("ip", "netns", "exec", ns, "ip", "route", "add", "default", "via", ours)
        for dev in [self.cap_if] + list(self.ag_if.values()):
            sh("sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % dev, check=False)
        dev = self.ag_if["police"]
        if sh("tc", "qdisc", "add", "dev", dev, "root", "netem", "loss", "100%",
              check=False).returncode == 0:
            sh("tc", "qdisc", "del", "dev", dev, "root")
        else:
            self.blackhole = True
            log("no netem in this kernel: 100 % loss by the blackhole qdisc")

    def cleanup(self):
        if self.sender is not None:
            self.sender.kill()
        for p in [self.run_proc] + list(self.lemf.values()):
            if p is not None and p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGCONT)
                    p.kill()
                    p.wait(10)
                except (OSError, subprocess.TimeoutExpired):
                    pass
        for ns in [self.ns_snd] + list(self.ns.values()):
            sh("ip", "netns", "del", ns, check=False)
        for dev in [self.cap_if] + list(self.ag_if.values()):
            sh("ip", "link", "del", dev, check=False)
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)
        if self.a.keep:
            log("files kept in %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def spool_values(self):
        mb = SPOOL_QUOTA_SMALL_MB if self.a.quota else SPOOL_QUOTA_MB
        return {"dir": os.path.join(self.tmp, "spool"), "quota_mb": mb, "quota": mb << 20,
                "memory": SPOOL_MEMORY}

    def config(self):
        ags = []
        for ag, (addr, _) in traffic.AGENCIES.items():
            spool = ""
            if self.spool == "agency":
                spool = (self.a.spool_conf or SPOOL_AGENCY) % dict(self.spool_values(),
                                                                     agency=ag)
            ags.append('  { id = "%s"; hi2 = "%s:%d"; hi3 = "%s:%d"; keepalive = 1; '
                       'keepalive_timeout = 2;\n    %s }' % (
                           ag, addr, traffic.HI2_PORT, addr, traffic.HI3_PORT, spool))
        ws = []
        for liid, ag, cin, content, targets in traffic.WARRANTS:
            ws.append('  { liid = "%s"; agency = "%s"; cin = %d; content = "%s"; '
                      'targets = [ %s ]; }' % (liid, ag, cin, content,
                                               ", ".join('"%s"' % t for t in targets)))
        dspool = SPOOL_DELIVERY % self.spool_values() if self.spool == "delivery" else ""
        return """# written by test/e2e/outage/drive.py
operator: { id = "OutageISP"; network_element = "lawtap-V"; country = "NZ"; };
delivery: { queue_mb = %d; reconnect_interval = 0.2; unreachable_timeout = 30;%s };
dpdk: {
  eal = [ "-l", "0-1", "--no-huge", "-m", "512", "--no-pci", "--file-prefix=%s",
          "--log-level=lib.eal:warning" ];
  mbufs_per_queue = 8192;
  ports = ( { device = "net_af_packet0,iface=%s"; rx_queues = 1; } );
};
agencies = (
%s
);
warrants = (
%s
);
""" % (QUEUE_MB, dspool, self.prefix, self.cap_if, ",\n".join(ags), ",\n".join(ws))

    def write_config(self):
        self.conf = os.path.join(self.tmp, "lawtap.conf")
        why = []
        for style in ([] if self.a.no_spool else ["agency"] if self.a.spool_conf
                      else ["delivery", "agency"]):
            self.spool = style
            with open(self.conf, "w") as fp:
                fp.write(self.config())
            r = sh(self.lawtap, "check-config", "-c", self.conf, check=False)
            if r.returncode == 0:
                break
            why += r.stdout.strip().splitlines()[-1:]
            self.spool = None
        if self.spool is None and why:
            log("no spool setting accepted by this lawtap (%s): the memory queue only" %
                "; ".join(w.split(": ", 1)[-1] for w in why))
        with open(self.conf, "w") as fp:
            fp.write(self.config())
        os.chmod(self.conf, 0o600)
        sh(self.lawtap, "check-config", "-c", self.conf)
        env = dict(os.environ, LAWTAP_TEST_FAST_KDF="1")	# Argon2id INTERACTIVE
        pw = os.path.join(self.tmp, "pass")
        with open(pw, "w") as fp:
            fp.write("outage test passphrase\n")
        r = subprocess.run(["sh", "-c", 'exec "$0" store init --state "$1" --passphrase-fd 3 '
                            '3<"$2"', self.lawtap, self.state, pw], env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise Fail("store init: %s" % r.stdout.strip())

    # --- processes ------------------------------------------------------------

    def start_lemf(self, ag):
        addr = traffic.AGENCIES[ag][0]
        n = len(self.lemf_files[ag])
        out = os.path.join(self.tmp, "%s-%d.jsonl" % (ag, n))
        base = os.path.join(self.tmp, "%s-%d" % (ag, n))
        p = subprocess.Popen(["ip", "netns", "exec", self.ns[ag], self.lawtap, "lemf",
                              "--listen", "%s:%d" % (addr, traffic.HI2_PORT),
                              "--listen", "%s:%d" % (addr, traffic.HI3_PORT), "--out", out],
                             stdout=open(base + ".lemf.out", "w"),
                             stderr=open(base + ".lemf.err", "w"), stdin=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(out):
                break
            time.sleep(0.05)
        time.sleep(0.1)
        self.lemf[ag] = p
        self.lemf_files[ag].append(out)

    def start_run(self):
        self.runs += 1
        self.runlog = os.path.join(self.tmp, "run-%d.log" % self.runs)
        self.run_proc = subprocess.Popen([self.lawtap, "run", "-c", self.conf, "--state",
                                          self.state, "--control", self.ctl],
                                         stdout=open(self.runlog, "w"),
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.run_proc.poll() is not None:
                raise Fail("lawtap run exited %d at start: %s" % (
                    self.run_proc.returncode, self.tail(self.runlog)))
            with open(self.runlog) as fp:
                if "capturing" in fp.read():
                    if self.status() is not None:
                        return
            time.sleep(0.1)
        raise Fail("lawtap run did not start capturing in 90 s")

    @staticmethod
    def tail(path, n=8):
        with open(path, errors="replace") as fp:
            return "".join(fp.readlines()[-n:])

    def status(self):
        r = subprocess.run([self.lawtap, "status", "--json", "--control", self.ctl],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                           timeout=10)
        if r.returncode != 0:
            return None
        try:
            return json.loads(r.stdout)
        except ValueError:
            return None

    def hwm(self):
        try:
            with open("/proc/%d/status" % self.run_proc.pid) as fp:
                m = re.search(r"VmHWM:\s+(\d+) kB", fp.read())
            self.hwm_kb = max(self.hwm_kb, int(m.group(1)))
        except (OSError, AttributeError):
            pass

    def stop_run(self, sig):
        """The last status and the exit log of this lawtap run process."""
        self.hwm()
        st = self.status()
        if st is None:
            self.errors.append("no status from lawtap run before %s" % sig.name)
        p = self.run_proc
        p.send_signal(sig)
        try:
            rc = p.wait(40)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
            self.errors.append("lawtap run still running 40 s after %s" % sig.name)
        with open(self.runlog, errors="replace") as fp:
            text = fp.read()
        self.snapshots.append((st, text if sig == signal.SIGTERM else ""))
        self.run_proc = None
        return rc, text

    # --- outages --------------------------------------------------------------

    def loss(self, ag, on):
        q = ["blackhole"] if self.blackhole else ["netem", "loss", "100%"]
        for pre, dev in ((["ip", "netns", "exec", self.ns[ag]], "eth0"),
                         ([], self.ag_if[ag])):
            if on:
                sh(*pre, "tc", "qdisc", "add", "dev", dev, "root", *q)
            else:
                sh(*pre, "tc", "qdisc", "del", "dev", dev, "root")

    def outage(self, ag, kind, length):
        t0 = time.monotonic()
        w0 = time.time()
        end = t0 + length
        if kind == "kill":
            self.lemf[ag].kill()
            self.lemf[ag].wait()
            time.sleep(max(0, end - time.monotonic()))
            self.start_lemf(ag)
        elif kind == "loss":
            self.loss(ag, True)
            time.sleep(max(0, end - time.monotonic()))
            self.loss(ag, False)
        elif kind == "stop":
            os.kill(self.lemf[ag].pid, signal.SIGSTOP)
            time.sleep(max(0, end - time.monotonic()))
            os.kill(self.lemf[ag].pid, signal.SIGCONT)
        else:
            addr = traffic.AGENCIES[ag][0]
            while True:
                sh("ip", "netns", "exec", self.ns[ag], "ss", "-K", "-t", "src", addr,
                   check=False)
                if time.monotonic() >= end:
                    break
                time.sleep(min(0.25, max(0, end - time.monotonic())))
        with self.lock:
            self.events.append((kind, ag, time.monotonic() - t0))
            self.windows.append({"agency": ag, "kind": kind, "start": w0, "end": time.time()})
        log("%s: %s outage, %.1f s" % (ag, kind, time.monotonic() - t0))

    def agency_thread(self, ag, plan, t_start):
        try:
            for at, kind, length in plan:
                delay = t_start + at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                self.outage(ag, kind, length)
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            self.errors.append("%s outages: %s" % (ag, e))

    def plan(self, span, fill_s, full_s):
        """Per agency [(start offset, kind, length)] within span seconds, seeded."""
        r = random.Random(self.a.seed * 7919 + 1)
        plans = {}
        ags = list(traffic.AGENCIES)
        for k, ag in enumerate(ags):
            n = self.a.outages // len(ags) + (k < self.a.outages % len(ags))
            kinds = [("kill", "loss", "rst", "stop")[(i + k) % 4] for i in range(n)]
            r.shuffle(kinds)
            if self.a.quota:
                lengths = [min(max(2.5 * full_s, 8), 0.7 * span / n)] * n
                kinds = ["loss"] * n
            else:
                lengths = [r.uniform(1.3, 2.5) * fill_s if r.random() < 0.3
                           else r.uniform(0.3, 2.5) for _ in range(n)]
            busy = sum(lengths) + 0.5 * n
            if busy > span:
                lengths = [x * (span - 0.5 * n) / sum(lengths) for x in lengths]
                busy = span
            weights = [r.random() + 0.2 for _ in range(n + 1)]
            spare = span - busy
            at, p = 0.0, []
            for i in range(n):
                at += 0.5 + spare * weights[i] / sum(weights)
                p.append((at, kinds[i], lengths[i]))
                at += lengths[i]
            plans[ag] = p
        return plans

    # --- the run --------------------------------------------------------------

    def fill_seconds(self, rate, quota=False):
        """Seconds of the stream that fill one agency's HI3 memory queue (and its spool's
        quota with quota=True)."""
        st = traffic.Stream(self.a.seed)
        per = {ag: 0 for ag in traffic.AGENCIES}
        n = 3000
        for _ in range(n):
            ip, s, d = st.next()
            for liid, _ in traffic.cc_of(s, d):
                per[traffic.agency_of(liid)] += len(ip) + 130
        bps = min(per.values()) / n * rate
        mem = SPOOL_MEMORY if self.spool == "agency" else QUEUE_MB << 20
        if quota:
            mem += self.spool_values()["quota"] if self.spool else 0
        return mem / bps

    def main(self):
        a = self.a
        t_begin = time.monotonic()
        self.net()
        self.write_config()
        for ag in traffic.AGENCIES:
            self.start_lemf(ag)
        self.start_run()
        rate = a.rate
        span = a.packets / rate
        fill = self.fill_seconds(rate)
        plans = self.plan(max(span - 1, 1), fill, self.fill_seconds(rate, True))
        log("%d packets at %g/s (%.0f s), %d outages, %d appliance kills, seed %d, "
            "memory queue full after %.1f s of outage%s" % (
                a.packets, rate, span, a.outages, a.kill_appliance, a.seed, fill,
                ", spool settings per %s" % self.spool if self.spool else ", no spool"))
        progress = os.path.join(self.tmp, "sent")
        self.sender = subprocess.Popen(["ip", "netns", "exec", self.ns_snd, sys.executable,
                                        os.path.join(here, "send.py"), "--iface", "vinj",
                                        "--seed", str(a.seed), "--packets", str(a.packets),
                                        "--rate", str(rate), "--progress", progress])
        t0 = time.monotonic()
        threads = [threading.Thread(target=self.agency_thread, args=(ag, plans[ag], t0),
                                    daemon=True) for ag in traffic.AGENCIES]
        for t in threads:
            t.start()
        kills = [span * (m + 1) / (a.kill_appliance + 1) for m in range(a.kill_appliance)]
        for at in kills:
            while time.monotonic() < t0 + at and self.sender.poll() is None:
                time.sleep(0.1)
                if self.run_proc.poll() is not None:
                    raise Fail("lawtap run exited %d mid-stream: %s" % (
                        self.run_proc.returncode, self.tail(self.runlog)))
            os.kill(self.sender.pid, signal.SIGSTOP)
            time.sleep(0.5)
            self.stop_run(signal.SIGKILL)
            k0, w0 = time.monotonic(), time.time()
            self.start_run()
            os.kill(self.sender.pid, signal.SIGCONT)
            with self.lock:
                self.events.append(("appliance-kill", "-", time.monotonic() - k0))
                self.windows.append({"agency": "-", "kind": "appliance-kill",
                                     "start": w0 - 0.5, "end": time.time()})
            log("lawtap run killed (SIGKILL) and capturing again %.1f s later" % (
                time.monotonic() - k0))
        while self.sender.poll() is None:
            time.sleep(0.2)
            if self.run_proc.poll() is not None:
                raise Fail("lawtap run exited %d mid-stream: %s" % (
                    self.run_proc.returncode, self.tail(self.runlog)))
        if self.sender.returncode != 0:
            raise Fail("the sender exited %d" % self.sender.returncode)
        t_sent = time.monotonic()
        for t in threads:
            t.join()
        log("sent %d packets in %.0f s; outages over %.0f s later" % (
            a.packets, t_sent - t0, time.monotonic() - t_sent))

        # drained: every connection up with nothing waiting, or 60 s
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            st = self.status()
            his = [g[h] for g in (st or {}).get("agencies", []) for h in ("hi2", "hi3")]
            if his and all(h.get("state") == "up" and
                           not any(h.get(f, 0) for f in QUEUE_FIELDS) for h in his):
                break
            time.sleep(0.5)
        else:
            self.errors.append("queues not drained 60 s after the stream")
        time.sleep(1.5)
        rc, text = self.stop_run(signal.SIGTERM)
        for line in text.splitlines():
            if re.search(r"agency \S+ HI[23]:|rx \d+ packets|not delivered", line):
                log("run: " + line.split("lawtap: ", 1)[-1])
        if rc != 0:
            self.errors.append("lawtap run exited %d after SIGTERM" % rc)
        for ag, p in self.lemf.items():
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                self.errors.append("%s's LEMF did not stop" % ag)
        self.lemf = {}
        return self.check(t_begin)

    def counters(self):
        """Per "ID:HIx": resent and overwritten summed over the lawtap run processes."""
        tot = {"resent": {}, "overwritten": {}, "lost": {}}
        for st, text in self.snapshots:
            for g in (st or {}).get("agencies", []):
                for hi in ("hi2", "hi3"):
                    key = "%s:%s" % (g["id"], hi.upper())
                    for name in tot:
                        field = COUNTER_FIELDS.get(name, name)
                        v = g[hi].get(field, 0)
                        m = re.search(r"agency %s %s:.*?(\d+) %s" % (
                            re.escape(g["id"]), hi.upper(), field), text)
                        if m:
                            v = max(v, int(m.group(1)))
                        tot[name][key] = tot[name].get(key, 0) + v
        return tot

    def check(self, t_begin):
        a = self.a
        tot = self.counters()
        args = [sys.executable, os.path.join(here, "outcheck.py"), "--seed", str(a.seed),
                "--packets", str(a.packets), "--restarts", str(a.kill_appliance)]
        for ag, files in self.lemf_files.items():
            args += ["--agency", "%s=%s" % (ag, ",".join(files))]
        for name in ("resent", "overwritten"):
            for key, v in sorted(tot[name].items()):
                args += ["--%s" % name, "%s=%d" % (key, v)]
        if a.quota:
            args.append("--quota")
        ev = os.path.join(self.tmp, "events.json")
        with open(ev, "w") as fp:
            json.dump(self.windows, fp)
        args += ["--events", ev]
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(r.stdout, end="", flush=True)
        kinds = {}
        for kind, _, _ in self.events:
            kinds[kind] = kinds.get(kind, 0) + 1
        m = re.search(r"records (\d+), unique \d+, lost (\d+) .*duplicates (\d+)", r.stdout)
        rec, lost, dups = m.groups() if m else ("?", "?", "?")
        log("figures: packets %d, records %s, outages %d (%s), appliance kills %d, lost %s, "
            "duplicates %s, resent %d, overwritten %d, reported lost (queue full) %d, "
            "max RSS of lawtap run %d MiB, duration %.0f s" % (
                a.packets, rec, sum(v for k, v in kinds.items() if k != "appliance-kill"),
                ", ".join("%s %d" % kv for kv in sorted(kinds.items())
                          if kv[0] != "appliance-kill"),
                kinds.get("appliance-kill", 0), lost, dups, sum(tot["resent"].values()),
                sum(tot["overwritten"].values()), sum(tot["lost"].values()),
                self.hwm_kb // 1024, time.monotonic() - t_begin))
        for e in self.errors:
            log("FAIL: " + e)
        if r.returncode != 0 or self.errors:
            log("FAIL")
            return 1
        log("passed")
        return 0


def main():
    ap = argparse.ArgumentParser(description="lawtap through agency outages and restarts")
    ap.add_argument("lawtap")
    ap.add_argument("--packets", type=int, default=30000)
    ap.add_argument("--outages", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kill-appliance", type=int, default=0, metavar="M")
    ap.add_argument("--quota", action="store_true")
    ap.add_argument("--rate", type=float, default=600, help="packets per second")
    ap.add_argument("--no-spool", action="store_true", help="leave the spool keys out")
    ap.add_argument("--spool-conf", help="each agency's spool setting, with %%(dir)s, "
                    "%%(agency)s, %%(quota)d (bytes), %%(quota_mb)d and %%(memory)d")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("outage: needs root (network namespaces, DPDK); skipped")
        return 77
    for tool in ("ip", "tc", "ss"):
        if shutil.which(tool) is None:
            print("outage: %s missing; skipped" % tool)
            return 77
    r = Run(a)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    try:
        return r.main()
    except Fail as e:
        log("FAIL: %s" % e)
        return 1
    finally:
        r.cleanup()


if __name__ == "__main__":
    sys.exit(main())
