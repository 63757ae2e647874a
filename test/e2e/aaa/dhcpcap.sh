#!/usr/bin/env bash
# dhcpcap.sh - a real DHCPv4 capture for the subscriber-session end-to-end
# test: busybox udhcpd (4 s leases) serves three clients running busybox
# udhcpc, each in a network namespace of its own with a fixed MAC, joined by a
# bridge; tcpdump on the bridge writes OUTDIR/dhcp.pcap.  One client renews
# and releases, one renews and vanishes (its lease expires in the capture),
# one has no warrant.  Then OUTDIR/dhcp.conf, dhcp.names, dhcp-timeline.txt.
#
# usage: dhcpcap.sh OUTDIR [--ports POLICE_HI2,POLICE_HI3,CUSTOMS_HI2,CUSTOMS_HI3]
# Needs root (network namespaces); exits 77 (skipped) without it or without
# busybox, tcpdump or iproute2 (scripts/setup.sh installs them).
# The host's own interfaces are never touched.
set -euo pipefail

usage() { echo "usage: dhcpcap.sh OUTDIR [--ports P1,P2,P3,P4]" >&2; exit 2; }
[ $# -ge 1 ] || usage
out=$1
shift
ports=40222,40223,40232,40233
while [ $# -gt 0 ]; do
	case $1 in
	--ports) [ $# -ge 2 ] || usage; ports=$2; shift ;;
	*) usage ;;
	esac
	shift
done
[[ $ports =~ ^[0-9]+,[0-9]+,[0-9]+,[0-9]+$ ]] || usage
if [ "$(id -u)" != 0 ]; then
	echo "dhcpcap.sh: needs root (network namespaces); skipped"
	exit 77
fi
for c in ip busybox tcpdump python3; do
	command -v "$c" >/dev/null ||
		{ echo "dhcpcap.sh: $c missing (scripts/setup.sh installs it); skipped"; exit 77; }
done
mkdir -p -- "$out"
out=$(realpath "$out")

tag=lt-dhcp-$$
hub=$tag-hub srv=$tag-srv net=$tag-net
tmp=$(mktemp -d /tmp/lawtap-dhcpcap.XXXXXX)
dh_pid= td_pid= sv_pid=
cl_pid=()
made=()

cleanup() {
	local rc=$? p n
	for p in "${cl_pid[@]}" "$td_pid" "$sv_pid" "$dh_pid"; do
		[ -n "$p" ] || continue
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	for n in "${made[@]}"; do
		ip netns del "$n" 2>/dev/null || true
	done
	if [ "$rc" != 0 ] && [ -f "$tmp/udhcpd.log" ]; then
		echo "dhcpcap.sh: last lines of udhcpd:"
		tail -n 15 "$tmp/udhcpd.log" | sed 's/^/  udhcpd: /'
	fi
	rm -rf -- "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "dhcpcap.sh: FAIL: $*"; exit 1; }
nsx() { local n=$1; shift; ip netns exec "$n" "$@"; }
now() { date +%s.%06N; }
t_begin=$(now)
note() { echo "$(now) $*" >>"$out/dhcp-timeline.txt"; }
: >"$out/dhcp-timeline.txt"

# One L2 segment 10.77.0.0/24 through a bridge in $hub; the DHCP server is
# 10.77.0.1, "the internet" 10.77.0.80, the pool 10.77.0.100-150.
newns() {
	ip netns add "$1"
	made+=("$1")
	nsx "$1" ip link set lo up
}
newns "$hub"
nsx "$hub" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6;
	echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6'
nsx "$hub" ip link add br0 type bridge stp_state 0 forward_delay 0
nsx "$hub" ip link set br0 up
# attach NS [ADDR] [MAC]: a veth from NS's eth0 to a port of the bridge.
attach() {
	local ns=$1 addr=${2:-} mac=${3:-} port=p-${1##*-}
	newns "$ns"
	ip link add eth0 netns "$ns" type veth peer name "$port" netns "$hub"
	nsx "$hub" ip link set "$port" master br0
	nsx "$hub" ip link set "$port" up
	nsx "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/eth0/disable_ipv6'
	[ -z "$mac" ] || nsx "$ns" ip link set eth0 address "$mac"
	[ -z "$addr" ] || nsx "$ns" ip addr add "$addr/24" dev eth0
	nsx "$ns" ip link set eth0 up
}
attach "$srv" 10.77.0.1
attach "$net" 10.77.0.80
MACS=(02:00:00:00:aa:01 02:00:00:00:aa:02 02:00:00:00:aa:03)
IPS=(10.77.0.101 10.77.0.102 10.77.0.103)
cls=("$tag-c1" "$tag-c2" "$tag-c3")
for i in 0 1 2; do
	attach "${cls[$i]}" "" "${MACS[$i]}"
done

cat >"$tmp/udhcpd.conf" <<EOF
start 10.77.0.100
end 10.77.0.150
interface eth0
lease_file $tmp/udhcpd.leases
pidfile $tmp/udhcpd.pid
min_lease 1
option subnet 255.255.255.0
option lease 4
static_lease ${MACS[0]} ${IPS[0]}
static_lease ${MACS[1]} ${IPS[1]}
static_lease ${MACS[2]} ${IPS[2]}
EOF
touch "$tmp/udhcpd.leases"
ip netns exec "$srv" busybox udhcpd -f -a 50 "$tmp/udhcpd.conf" >"$tmp/udhcpd.log" 2>&1 &
dh_pid=$!

# udhcpc's script: the leased address on eth0, and a line in the client's log.
cat >"$tmp/udhcpc.script" <<'EOF'
#!/bin/sh
case $1 in
deconfig) ip -4 addr flush dev "$interface" ;;
bound|renew) ip addr replace "$ip/24" dev "$interface" ;;
esac
echo "$1 ${ip:-}" >>"$LEASELOG"
EOF
chmod +x "$tmp/udhcpc.script"

# The subscribers' data: `serve` in $net (UDP echo on 7, TCP on 80), `talk
# SRC...` from a client (one UDP exchange and one TCP connection each).
cat >"$tmp/traffic.py" <<'PY'
import select, socket, sys
NET = "10.77.0.80"
if sys.argv[1] == "serve":
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((NET, 7))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((NET, 80))
    t.listen(16)
    print("ready", flush=True)
    while True:
        r, _, _ = select.select([u, t], [], [])
        if u in r:
            d, peer = u.recvfrom(2048)
            u.sendto(d, peer)
        if t in r:
            c, _ = t.accept()
            c.settimeout(3)
            with c:
                while c.recv(4096):
                    pass
                c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
n = int(sys.argv[2])
for i, src in enumerate(sys.argv[3:]):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((src, 0))
    u.settimeout(1)
    msg = b"dhcpcap udp %d from %s" % (n + i, src.encode())
    u.sendto(msg, (NET, 7))
    if u.recv(2048) != msg:
        sys.exit("traffic: wrong echo")
    t = socket.create_connection((NET, 80), timeout=2, source_address=(src, 0))
    t.sendall(b"GET /%d HTTP/1.0\r\n\r\n" % (n + i))
    t.shutdown(socket.SHUT_WR)
    if not t.recv(4096).startswith(b"HTTP/1.0 200"):
        sys.exit("traffic: no answer over TCP")
    while t.recv(4096):
        pass
    t.close()
PY
ip netns exec "$net" python3 "$tmp/traffic.py" serve >"$tmp/serve.out" 2>&1 &
sv_pid=$!
for _ in $(seq 100); do
	grep -q '^ready' "$tmp/serve.out" && break
	kill -0 "$sv_pid" 2>/dev/null || { cat "$tmp/serve.out"; fail "the traffic responder exited"; }
	sleep 0.1
done
grep -q '^ready' "$tmp/serve.out" || fail "the traffic responder did not start"
seqno=0
# talk I WHAT: data from client I's leased address.
talk() {
	note "data: $2: ${IPS[$1]}"
	nsx "${cls[$1]}" python3 "$tmp/traffic.py" talk "$seqno" "${IPS[$1]}" || fail "data from $2"
	seqno=$((seqno + 1))
}
# waitlog I EVENT N: waits until client I's script has run for EVENT N times.
waitlog() {
	local i=$1 want=$2 k
	for _ in $(seq 100); do
		k=$(grep -c "^$want " "$tmp/lease$i.log" 2>/dev/null || true)
		[ "${k:-0}" -ge "$3" ] && return 0
		sleep 0.05
	done
	fail "client $((i + 1)): no '$want' number $3 from udhcpc"
}

ip netns exec "$hub" tcpdump -Z root --immediate-mode -B 65536 -U -n -i br0 -w "$tmp/dhcp.pcap" \
	>"$tmp/tcpdump.out" 2>&1 &
td_pid=$!
for _ in $(seq 100); do
	grep -q 'listening on' "$tmp/tcpdump.out" && break
	kill -0 "$td_pid" 2>/dev/null || { cat "$tmp/tcpdump.out"; fail "tcpdump exited"; }
	sleep 0.1
done
grep -q 'listening on' "$tmp/tcpdump.out" || fail "tcpdump does not capture"
sleep 0.2
note "capture starts"

# The clients: client 3 (no warrant) first, then 1 and 2.
for i in 2 0 1; do
	note "client $((i + 1)) (${MACS[$i]}) starts udhcpc"
	LEASELOG=$tmp/lease$i.log ip netns exec "${cls[$i]}" busybox udhcpc -f -i eth0 \
		-s "$tmp/udhcpc.script" -t 5 -T 1 -A 1 >"$tmp/udhcpc$i.log" 2>&1 &
	cl_pid[$i]=$!
	waitlog "$i" bound 1
	note "client $((i + 1)) bound"
	talk "$i" "client $((i + 1)) after its ACK"
done
# Renewals, asked for (udhcpc would wait for at least 15 s).
kill -USR1 "${cl_pid[0]}"
waitlog 0 renew 1
note "client 1 renewed"
talk 0 "client 1 after its renewal"
talk 2 "client 3"
kill -USR1 "${cl_pid[1]}"
waitlog 1 renew 1
note "client 2 renewed"
talk 1 "client 2 after its renewal"
# Client 2 vanishes without a RELEASE: its lease runs out 4 s after its
# last ACK; its address stays configured and keeps talking.
kill -KILL "${cl_pid[1]}"
wait "${cl_pid[1]}" 2>/dev/null || true
cl_pid[1]=
note "client 2's udhcpc killed (no RELEASE)"
talk 1 "client 2, lease still running"
# Client 1 releases.
kill -USR2 "${cl_pid[0]}"
waitlog 0 deconfig 2
note "client 1 released"
talk 2 "client 3"
sleep 4.2
note "client 2's lease has expired"
# Client 1's address once more (no lease: configured by hand), client 2's.
nsx "${cls[0]}" ip addr add "${IPS[0]}/24" dev eth0
talk 0 "client 1's old address after the release"
talk 1 "client 2 after its lease expired"
talk 2 "client 3"
sleep 0.2
note "capture ends"
kill "$td_pid"
wait "$td_pid" || true
td_pid=
grep -q '^0 packets dropped by kernel' "$tmp/tcpdump.out" ||
	{ cat "$tmp/tcpdump.out"; fail "tcpdump dropped packets"; }

python3 - "$tmp/dhcp.pcap" "$out" "$ports" <<'PY'
import struct, sys, time
path, out, ports = sys.argv[1:]
ports = [int(p) for p in ports.split(",")]
data = open(path, "rb").read()
magic, _, _, _, _, _, link = struct.unpack("<IHHiIII", data[:24])
if magic != 0xA1B2C3D4 or link != 1:
    sys.exit("dhcpcap.sh: %s is not a microsecond Ethernet pcap" % path)
off, n, first, last, types = 24, 0, None, None, {}
while off + 16 <= len(data):
    sec, usec, cap, _ = struct.unpack("<IIII", data[off:off + 16])
    f = data[off + 16:off + 16 + cap]
    off += 16 + cap
    n += 1
    t = sec + usec / 1e6
    first = t if first is None else first
    last = t
    if len(f) >= 42 and f[12:14] == b"\x08\x00" and f[23] == 17:
        ihl = (f[14] & 15) * 4
        sp, dp = struct.unpack("!HH", f[14 + ihl:18 + ihl])
        o = 22 + ihl + 240
        if {sp, dp} <= {67, 68} and f[o - 4:o] == b"\x63\x82\x53\x63":
            while o + 2 <= len(f) and f[o] != 255:
                if f[o] == 0:
                    o += 1
                    continue
                if f[o] == 53:
                    types[f[o + 2]] = types.get(f[o + 2], 0) + 1
                o += 2 + f[o + 1]
names = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 5: "ACK", 7: "RELEASE"}
want = {1: 3, 2: 3, 3: 5, 5: 5, 7: 1}
for c, k in want.items():
    if types.get(c, 0) < k:
        sys.exit("dhcpcap.sh: FAIL: the capture has %d DHCP%s, want %d or more"
                 % (types.get(c, 0), names[c], k))
print("dhcpcap.sh: %d frames over %.1f s; DHCP %s" % (
    n, last - first, ", ".join("%s %d" % (names[c], types.get(c, 0)) for c in sorted(names))))

def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

day = int(first) // 86400 * 86400
s, e = iso(day - 86400), iso(day + 400 * 86400)
lines = [
    "# lawtap configuration written by test/e2e/aaa/dhcpcap.sh for dhcp.pcap,",
    "# a capture of %.1f s from %s (busybox udhcpd, three clients)." % (last - first, iso(first)),
    "# The format is documented in conf/lawtap.conf.",
    'operator: { id = "ExampleISP"; network_element = "lawtap-1"; country = "NZ"; };',
    "delivery: { queue_mb = 16; reconnect_interval = 1; unreachable_timeout = 10; };",
    "agencies = (",
    '  { id = "police"; hi2 = "127.0.0.1:%d"; hi3 = "127.0.0.1:%d";\n'
    "    keepalive = 300; keepalive_timeout = 60; pspdu_version = 40; },"
    % (ports[0], ports[1]),
    '  { id = "customs"; hi2 = "127.0.0.1:%d"; hi3 = "127.0.0.1:%d";\n'
    "    keepalive = 300; keepalive_timeout = 60; pspdu_version = 40; }"
    % (ports[2], ports[3]),
    ");",
    "aaa: {",
    '  dhcp = ( { server = "10.77.0.1"; access_type = "fTTx"; } );',
    "  access_timeout = 10;",
    "};",
    "warrants = (",
    "  # client 1 (ACK, renewal, RELEASE)",
    '  { liid = "NZP-0200"; agency = "police"; cin = 200; content = "both";',
    '    start = "%s"; end = "%s";' % (s, e),
    '    macs = [ "02:00:00:00:aa:01" ]; },',
    "  # clients 1 and 2 (the lease that expires), IRI only",
    '  { liid = "NZC-0200"; agency = "customs"; cin = 200; content = "iri";',
    '    start = "%s"; end = "%s";' % (s, e),
    '    macs = [ "02:00:00:00:aa:01", "02:00:00:00:aa:02" ]; },',
    "  # client 2, CC only",
    '  { liid = "NZC-0201"; agency = "customs"; cin = 201; content = "cc";',
    '    start = "%s"; end = "%s";' % (s, e),
    '    macs = [ "02:00:00:00:aa:02" ]; }',
    ");",
]
with open(out + "/dhcp.conf", "w") as fp:
    fp.write("\n".join(lines) + "\n")
with open(out + "/dhcp.names", "w") as fp:
    fp.write("NZP-0200\nNZC-0200\nNZC-0201\n02:00:00:00:aa:01\n02:00:00:00:aa:02\n"
             "10.77.0.101\n10.77.0.102\n")
PY
cp "$tmp/dhcp.pcap" "$out/dhcp.pcap"
echo "dhcpcap.sh: wrote $out/dhcp.pcap, dhcp.conf, dhcp.names, dhcp-timeline.txt" \
	"in $(python3 -c "import time; print('%.1f' % (time.time() - $t_begin))") s"
