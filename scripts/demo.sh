#!/usr/bin/env bash
# demo.sh - replays the bundled example through lawtap into a local LEMF and
# shows what the agencies received.  Run as root (DPDK): sudo scripts/demo.sh
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
if [ "$(id -u)" != 0 ]; then
	echo "demo.sh: run me as root (DPDK needs it): sudo scripts/demo.sh" >&2
	exit 1
fi
# LAWTAP=/path/to/lawtap runs another build instead of build/lawtap.
if [ -n "${LAWTAP:-}" ]; then
	lawtap=$(realpath "$LAWTAP")
else
	if [ ! -x build/lawtap ]; then
		echo "== building lawtap (scripts/setup.sh)"
		scripts/setup.sh
	fi
	ninja -C build lawtap >/dev/null
	lawtap=$root/build/lawtap
fi

tmp=$(mktemp -d /tmp/lawtap-demo.XXXXXX)
lemf_pid=
# lawtap run --replay removes its own DPDK runtime directory when it exits.
cleanup() {
	local rc=$?
	if [ -n "$lemf_pid" ] && kill -0 "$lemf_pid" 2>/dev/null; then
		kill "$lemf_pid" 2>/dev/null || true
		wait "$lemf_pid" 2>/dev/null || true
	fi
	rm -rf -- "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The example's agencies listen on fixed ports; move them to free ones.
read -r p1 p2 p3 p4 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
sed -e "s/:40002\"/:$p1\"/; s/:40003\"/:$p2\"/; s/:40012\"/:$p3\"/; s/:40013\"/:$p4\"/" \
	examples/example.conf >"$tmp/example.conf"

echo "== the LEMF: police on 127.0.0.1:$p1 (HI2) and :$p2 (HI3)," \
	"customs on :$p3 (HI2) and :$p4 (HI3)"
"$lawtap" lemf --listen "127.0.0.1:$p1" --listen "127.0.0.1:$p2" \
	--listen "127.0.0.1:$p3" --listen "127.0.0.1:$p4" \
	--out "$tmp/received.jsonl" --idle-exit 3 >"$tmp/lemf.out" 2>"$tmp/lemf.err" &
lemf_pid=$!
for p in "$p1" "$p2" "$p3" "$p4"; do
	for _ in $(seq 100); do
		ss -ltnH "sport = :$p" | grep -q . && break
		sleep 0.1
	done
done

echo "== lawtap run -c example.conf --replay example-a.pcap,example-b.pcap"
set +e
timeout --kill-after=10 120 "$lawtap" run -c "$tmp/example.conf" \
	--replay examples/example-a.pcap,examples/example-b.pcap
run_rc=$?
set -e
echo "== lawtap run exited $run_rc; waiting for the LEMF to go idle (3 s)"
set +e
wait "$lemf_pid"
lemf_rc=$?
set -e
lemf_pid=

echo
echo "== what the agencies received (LEMF summary, exit $lemf_rc)"
cat "$tmp/lemf.out"
[ "$lemf_rc" = 0 ] || cat "$tmp/lemf.err"
echo
echo "== a few records as the LEMF decoded them: per LIID its first IRI and first two CC"
python3 - "$tmp/received.jsonl" <<'PYEOF'
import json, sys
picked = {}
with open(sys.argv[1]) as fp:
    for line in fp:
        r = json.loads(line)
        k = r.get("kind")
        if k in ("IRI", "CC"):
            n = picked.setdefault(r.get("liid"), {"IRI": [], "CC": []})[k]
            if len(n) < (1 if k == "IRI" else 2):
                n.append(r)
for liid in sorted(picked):
    print("-- %s" % liid)
    for r in picked[liid]["IRI"] + picked[liid]["CC"]:
        print(json.dumps(r, indent=2, sort_keys=True))
PYEOF
echo
echo "== does that match the captures? (test/e2e/check.py, independent of lawtap)"
set +e
python3 test/e2e/check.py -c "$tmp/example.conf" -j "$tmp/received.jsonl" \
	examples/example-a.pcap examples/example-b.pcap
check_rc=$?
set -e
[ "$run_rc" = 0 ] && [ "$lemf_rc" = 0 ] && [ "$check_rc" = 0 ]
