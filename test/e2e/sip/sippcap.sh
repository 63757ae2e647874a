#!/usr/bin/env bash
# sippcap.sh OUTDIR - real SIPp calls captured: OUTDIR/sipp.pcap.
# In a network namespace of our own (lt-sipp-PID), three SIPp UAS answer on 10.199.0.2,
# .3 and .4 (echoing RTP); three SIPp UACs on 10.199.0.1 call bob@.2, carl@.3 and dan@.4
# at the same time, two calls each, each call with two seconds of G.711 RTP from Debian's
# sip-tester pcap (uac_rtp.xml); a ping runs alongside.  tcpdump on lo takes it all.
# Exits 77 without root or sipp, 1 if a call failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath "${1:?usage: sippcap.sh OUTDIR}")
[ "$(id -u)" = 0 ] || { echo "sippcap.sh: needs root; skipped"; exit 77; }
command -v sipp >/dev/null || { echo "sippcap.sh: no sipp (apt-get install sip-tester); skipped"; exit 77; }
[ -f /usr/share/sip-tester/g711a.pcap ] || { echo "sippcap.sh: no g711a.pcap; skipped"; exit 77; }
ns=lt-sipp-$$
pids=()
cleanup() {
	local rc=$? p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
nsx() { ip netns exec "$ns" "$@"; }

ip netns add "$ns"
nsx ip link set lo up
for a in 1 2 3 4; do nsx ip addr add 10.199.0.$a/32 dev lo; done
ip netns exec "$ns" tcpdump -i lo -w "$out/sipp.pcap" -U -s 0 'udp or icmp' 2>"$out/tcpdump.err" &
pids+=($!)
for _ in $(seq 50); do grep -q listening "$out/tcpdump.err" && break; sleep 0.1; done
cd "$out"
for a in 2 3 4; do
	ip netns exec "$ns" sipp -sn uas -i 10.199.0.$a -p 5060 -mi 10.199.0.$a -mp 6000 -rtp_echo \
		-nostdin -timeout 60s -trace_err -error_file "$out/uas$a.err" >"$out/uas$a.out" 2>&1 &
	pids+=($!)
done
sleep 0.5
ip netns exec "$ns" ping -c 20 -i 0.2 10.199.0.4 >/dev/null 2>&1 &
pids+=($!)
uacs=()
for x in "bob 2 5061 6000" "carl 3 5062 6100" "dan 4 5063 6200"; do
	set -- $x
	ip netns exec "$ns" sipp -sf "$here/uac_rtp.xml" -s "$1" -i 10.199.0.1 -p "$3" -mi 10.199.0.1 -mp "$4" \
		-m 2 -l 1 -nostdin -timeout 60s 10.199.0.$2:5060 >"$out/uac-$1.out" 2>&1 &
	uacs+=($!)
done
rc=0
for p in "${uacs[@]}"; do wait "$p" || rc=1; done
sleep 0.5
[ "$rc" = 0 ] || { echo "sippcap.sh: a SIPp caller failed"; tail -n 5 "$out"/uac-*.out; exit 1; }
echo "sippcap.sh: sipp.pcap: $(tcpdump -r "$out/sipp.pcap" 2>/dev/null | wc -l) packets"
