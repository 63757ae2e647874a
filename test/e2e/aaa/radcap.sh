#!/usr/bin/env bash
# radcap.sh - a real RADIUS capture for the subscriber-session end-to-end test:
# FreeRADIUS (Debian's `freeradius`, config from freeradius/ next to this
# script) answers three NASes driven by radclient, and subscribers send data
# from their framed addresses, all in network namespaces of our own joined by
# a bridge; tcpdump on the bridge writes OUTDIR/aaa.pcap.  Then OUTDIR/aaa.conf
# (the warrants, with windows that open and close at seconds of this capture),
# OUTDIR/aaa.names (what lawtap must never print) and OUTDIR/aaa-timeline.txt
# (what happened when).
#
# usage: radcap.sh OUTDIR [--ports POLICE_HI2,POLICE_HI3,CUSTOMS_HI2,CUSTOMS_HI3]
# Needs root (network namespaces); exits 77 (skipped) without it or without
# freeradius, radclient, tcpdump or iproute2 (scripts/setup.sh installs them).
# The host's own interfaces are never touched.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: radcap.sh OUTDIR [--ports P1,P2,P3,P4]" >&2; exit 2; }
[ $# -ge 1 ] || usage
out=$1
shift
ports=40202,40203,40212,40213
while [ $# -gt 0 ]; do
	case $1 in
	--ports) [ $# -ge 2 ] || usage; ports=$2; shift ;;
	*) usage ;;
	esac
	shift
done
[[ $ports =~ ^[0-9]+,[0-9]+,[0-9]+,[0-9]+$ ]] || usage
if [ "$(id -u)" != 0 ]; then
	echo "radcap.sh: needs root (network namespaces); skipped"
	exit 77
fi
for c in ip freeradius radclient tcpdump python3; do
	command -v "$c" >/dev/null ||
		{ echo "radcap.sh: $c missing (scripts/setup.sh installs it); skipped"; exit 77; }
done
mkdir -p -- "$out"
out=$(realpath "$out")

tag=lt-aaa-$$
hub=$tag-hub srv=$tag-srv net=$tag-net
nases=("$tag-n1" "$tag-n2" "$tag-n3")
tmp=$(mktemp -d /tmp/lawtap-radcap.XXXXXX)
fr_pid= td_pid= sv_pid= cont_pid=
made=()

cleanup() {
	local rc=$? p n
	for p in "$cont_pid" "$td_pid" "$sv_pid" "$fr_pid"; do
		[ -n "$p" ] || continue
		kill -CONT "$p" 2>/dev/null || true
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	for n in "${made[@]}"; do
		ip netns del "$n" 2>/dev/null || true
	done
	if [ "$rc" != 0 ] && [ -f "$tmp/freeradius.log" ]; then
		echo "radcap.sh: last lines of freeradius -X:"
		tail -n 15 "$tmp/freeradius.log" | sed 's/^/  freeradius: /'
	fi
	rm -rf -- "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "radcap.sh: FAIL: $*"; exit 1; }
nsx() { local n=$1; shift; ip netns exec "$n" "$@"; }
now() { date +%s.%06N; }
t_begin=$(now)
note() { echo "$(now) $*" >>"$out/aaa-timeline.txt"; }
: >"$out/aaa-timeline.txt"

# The network: one L2 segment 10.77.0.0/24 through a bridge in $hub (tcpdump
# there sees every frame).  $srv runs FreeRADIUS on 10.77.0.1; $net is "the
# internet" (198.51.100.80, 2001:db8:80::80, on-link for the subscribers'
# space); each NAS namespace holds its subscribers' addresses, so their traffic
# leaves with the framed addresses as source.  No IPv6 on the bridge itself.
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
# attach NS IFNAME ADDR: a veth from NS's IFNAME to a port of the bridge.
attach() {
	local ns=$1 ifn=$2 addr=$3 port=p-${1##*-}
	newns "$ns"
	ip link add "$ifn" netns "$ns" type veth peer name "$port" netns "$hub"
	nsx "$hub" ip link set "$port" master br0
	nsx "$hub" ip link set "$port" up
	nsx "$ns" sh -c "echo 0 > /proc/sys/net/ipv6/conf/$ifn/router_solicitations" 2>/dev/null || true
	nsx "$ns" ip addr add "$addr/24" dev "$ifn"
	nsx "$ns" ip link set "$ifn" up
}
attach "$srv" eth0 10.77.0.1
attach "$net" eth0 10.77.0.80
nsx "$net" ip addr add 198.51.100.80/32 dev eth0
nsx "$net" ip addr add 2001:db8:80::80/128 dev eth0 nodad
nsx "$net" ip route add 100.64.0.0/10 dev eth0
nsx "$net" ip route add 2001:db8:1000::/36 dev eth0
for i in 0 1 2; do
	attach "${nases[$i]}" eth0 "10.77.0.1$((i + 1))"
	nsx "${nases[$i]}" ip route add 198.51.100.80/32 dev eth0
	nsx "${nases[$i]}" ip route add 2001:db8:80::80/128 dev eth0
done
n1=${nases[0]} n2=${nases[1]} n3=${nases[2]}
# sub NS ADDR...: subscriber addresses behind a NAS (present all along: the
# traffic before and after a session comes from them too).
sub() {
	local ns=$1 a
	shift
	for a in "$@"; do
		case $a in
		*:*) nsx "$ns" ip addr add "$a/128" dev eth0 nodad ;;
		*) nsx "$ns" ip addr add "$a/32" dev eth0 ;;
		esac
	done
}
A1=(100.64.1.10 2001:db8:1001:1::10 2001:db8:1101:100::1)	# alice on bng-north
A2=(100.64.1.11 2001:db8:1001:2::11)				# alice on bng-south
B0=100.64.2.20 B1=100.64.2.21					# bob, before and after his interim
C=(100.64.3.30 2001:db8:1003:1::30)				# carol (no warrant)
D=(2001:db8:1004:1::40 2001:db8:1104:100::1)			# dave, IPv6 only
E=100.64.5.50							# erin (no warrant)
S=(100.64.50.5 2001:db8:1050::5)				# a static customer
sub "$n1" "${A1[@]}" "$B0" "$B1" "${C[@]}"
sub "$n2" "${A2[@]}" "${S[@]}"
sub "$n3" "${D[@]}" "$E"

# FreeRADIUS with our config, in the foreground (-X) in $srv.
mkdir "$tmp/raddb"
for f in radiusd.conf clients.conf users dictionary; do
	sed "s|@DIR@|$tmp/raddb|g" "$here/freeradius/$f" >"$tmp/raddb/$f"
done
ip netns exec "$srv" freeradius -X -d "$tmp/raddb" -n radiusd >"$tmp/freeradius.log" 2>&1 &
fr_pid=$!
for _ in $(seq 100); do
	grep -q '^Ready to process requests' "$tmp/freeradius.log" && break
	kill -0 "$fr_pid" 2>/dev/null || fail "freeradius exited at start"
	sleep 0.1
done
grep -q '^Ready to process requests' "$tmp/freeradius.log" || fail "freeradius is not ready after 10 s"

# The subscribers' traffic: `serve` in $net (UDP echo on 7, TCP on 80; the
# kernel answers pings), `talk SRC...` from a NAS namespace (one UDP exchange,
# one TCP connection and one ping per source address), `ping DST...` from $net.
cat >"$tmp/traffic.py" <<'PY'
import os, select, socket, struct, sys, threading

NET4, NET6 = "198.51.100.80", "2001:db8:80::80"

def fam(a):
    return socket.AF_INET6 if ":" in a else socket.AF_INET

def serve():
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    u.bind(("::", 7))
    t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("::", 80))
    t.listen(16)
    print("ready", flush=True)

    def conn(c):
        with c:
            c.settimeout(3)
            data = b""
            while not data.endswith(b"\r\n\r\n"):
                d = c.recv(4096)
                if not d:
                    break
                data += d
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nhello, you!\n")
    while True:
        r, _, _ = select.select([u, t], [], [])
        if u in r:
            d, peer = u.recvfrom(2048)
            u.sendto(d, peer)
        if t in r:
            c, _ = t.accept()
            threading.Thread(target=conn, args=(c,), daemon=True).start()

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF

def ping(src, dst, ident, seq):
    f = fam(dst)
    if f == socket.AF_INET:
        s = socket.socket(f, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        typ, rtyp = 8, 0
    else:
        s = socket.socket(f, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        typ, rtyp = 128, 129	# the kernel fills in the ICMPv6 checksum
    s.bind((src, 0))
    body = b"lawtap radcap ping %s" % src.encode()
    hdr = struct.pack("!BBHHH", typ, 0, 0, ident, seq)
    ck = csum(hdr + body) if f == socket.AF_INET else 0
    s.sendto(struct.pack("!BBHHH", typ, 0, ck, ident, seq) + body, (dst, 0))
    s.settimeout(1)
    while True:
        d = s.recv(2048)
        if f == socket.AF_INET:
            d = d[(d[0] & 15) * 4:]
        if len(d) >= 8 and d[0] == rtyp and struct.unpack("!HH", d[4:8]) == (ident, seq):
            return

def talk(src, n):
    dst = NET6 if ":" in src else NET4
    u = socket.socket(fam(src), socket.SOCK_DGRAM)
    u.bind((src, 0))
    u.settimeout(1)
    msg = b"radcap udp %d from %s" % (n, src.encode())
    u.sendto(msg, (dst, 7))
    if u.recv(2048) != msg:
        sys.exit("traffic: wrong echo")
    u.close()
    t = socket.socket(fam(src), socket.SOCK_STREAM)
    t.bind((src, 0))
    t.settimeout(2)
    t.connect((dst, 80))
    t.sendall(b"GET /%d HTTP/1.0\r\nHost: radcap\r\n\r\n" % n)
    t.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        d = t.recv(4096)
        if not d:
            break
        got += d
    t.close()
    if not got.startswith(b"HTTP/1.0 200"):
        sys.exit("traffic: no answer over TCP")
    ping(src, dst, 0x7000 + n % 4096, n)

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "serve":
    serve()
elif cmd == "talk":
    n = int(args[0])
    for i, a in enumerate(args[1:]):
        talk(a, n + i)
elif cmd == "ping":
    n = int(args[0])
    for i, a in enumerate(args[1:]):
        ping(NET6 if ":" in a else NET4, a, 0x7800 + (n + i) % 4096, n + i)
PY
ip netns exec "$net" python3 "$tmp/traffic.py" serve >"$tmp/serve.out" 2>&1 &
sv_pid=$!
for _ in $(seq 100); do
	grep -q '^ready' "$tmp/serve.out" && break
	kill -0 "$sv_pid" 2>/dev/null || { cat "$tmp/serve.out"; fail "the traffic responder exited"; }
	sleep 0.1
done
grep -q '^ready' "$tmp/serve.out" || fail "the traffic responder did not start"

# talk NS WHAT ADDR...: data from subscriber addresses; `ping` from $net.
seqno=0
talk() {
	local ns=$1 what=$2
	shift 2
	note "data: $what: $*"
	nsx "$ns" python3 "$tmp/traffic.py" talk "$seqno" "$@" || fail "data from $what"
	seqno=$((seqno + $#))
}
ping_to() {
	local what=$1
	shift
	note "data: ping to $what: $*"
	nsx "$net" python3 "$tmp/traffic.py" ping "$seqno" "$@" || fail "ping to $what"
	seqno=$((seqno + $#))
}

# rad NS auth|acct PORT EXPECT WHAT ATTRS: one radclient request and the
# reply it must get.  radclient exits 1 on an Access-Reject: we judge by the
# reply it prints.
rad() {
	local ns=$1 kind=$2 port=$3 want=$4 what=$5 attrs=$6
	note "radius: $what"
	nsx "$ns" radclient -x -r 3 -t 1 -d "$tmp/raddb" "10.77.0.1:$port" "$kind" testing123 \
		<<<"$attrs" >"$tmp/radclient.out" 2>&1 || true
	cat "$tmp/radclient.out" >>"$tmp/radclient.log"
	grep -q "^Received $want " "$tmp/radclient.out" ||
		{ cat "$tmp/radclient.out"; fail "$what: no $want"; }
}
NORTH='NAS-IP-Address = 10.77.0.11, NAS-Identifier = "bng-north"'
SOUTH='NAS-IP-Address = 10.77.0.12, NAS-Identifier = "bng-south"'
EAST='NAS-Identifier = "bng-east"'	# no NAS-IP-Address: keyed by its identifier
PPP='Service-Type = Framed-User, Framed-Protocol = PPP'
# acct NS PORT WHAT ATTRS
acct() { rad "$1" acct "$2" Accounting-Response "$3" "$4"; }

# align: sleep into the next whole second (+0.15 s); prints that second.
align() {
	python3 -c 'import time; t = time.time(); time.sleep(int(t) + 1.15 - t); print(int(t) + 1)'
}

# Capture everything that crosses the bridge; tcpdump writes classic pcap.
ip netns exec "$hub" tcpdump -Z root --immediate-mode -B 65536 -U -n -i br0 -w "$tmp/aaa.pcap" \
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
talk "$n1" "alice@north, bob, carol before their sessions" "${A1[@]}" "$B0" "${C[0]}"
talk "$n2" "the static customer" "${S[@]}"

rad "$n1" auth 1812 Access-Accept "alice@north Access-Request (with Acct-Session-Id)" \
	"User-Name = \"alice@isp.example\", User-Password = \"alice-pw\", $NORTH,
	NAS-Port = 101, NAS-Port-Id = \"eth 0/1/1:101\", Calling-Station-Id = \"02-00-00-00-00-01\",
	Acct-Session-Id = \"N1-0001\", $PPP"
acct "$n1" 1813 "alice@north Start" \
	"User-Name = \"alice@isp.example\", Acct-Status-Type = Start, Acct-Session-Id = \"N1-0001\",
	$NORTH, NAS-Port = 101, NAS-Port-Id = \"eth 0/1/1:101\",
	Calling-Station-Id = \"02-00-00-00-00-01\", Framed-IP-Address = ${A1[0]},
	Framed-IPv6-Address = ${A1[1]}, Framed-IPv6-Prefix = 2001:db8:1001:1::/64,
	Delegated-IPv6-Prefix = 2001:db8:1101:100::/56, Acct-Delay-Time = 0, $PPP"
rad "$n1" auth 1812 Access-Accept "carol@north Access-Request (no Acct-Session-Id)" \
	"User-Name = \"carol@isp.example\", User-Password = \"carol-pw\", $NORTH, NAS-Port = 103,
	Calling-Station-Id = \"02-00-00-00-00-03\", $PPP"
acct "$n1" 1813 "carol@north Start (adopts the session)" \
	"User-Name = \"carol@isp.example\", Acct-Status-Type = Start, Acct-Session-Id = \"N1-0002\",
	$NORTH, NAS-Port = 103, Calling-Station-Id = \"02-00-00-00-00-03\", $PPP"
rad "$n1" auth 1812 Access-Accept "bob@north Access-Request (no Acct-Session-Id)" \
	"User-Name = \"bob@isp.example\", User-Password = \"bob-pw\", $NORTH, NAS-Port = 102,
	Calling-Station-Id = \"02-00-00-00-00-02\", $PPP"
acct "$n1" 1813 "bob@north Start" \
	"User-Name = \"bob@isp.example\", Acct-Status-Type = Start, Acct-Session-Id = \"N1-0003\",
	$NORTH, NAS-Port = 102, Calling-Station-Id = \"02-00-00-00-00-02\",
	Framed-IP-Address = $B0, $PPP"
talk "$n1" "alice@north, bob, carol in session" "${A1[@]}" "$B0" "${C[@]}"
ping_to "alice@north" "${A1[0]}" "${A1[2]}"

rad "$n3" auth 1812 Access-Reject "dave@east Access-Request, wrong password" \
	"User-Name = \"dave@isp.example\", User-Password = \"dave-pw?\", $EAST, NAS-Port = 301,
	Calling-Station-Id = \"02-00-00-00-00-04\", $PPP"
rad "$n3" auth 1812 Access-Accept "dave@east Access-Request (with Acct-Session-Id)" \
	"User-Name = \"dave@isp.example\", User-Password = \"dave-pw\", $EAST, NAS-Port = 301,
	Calling-Station-Id = \"02-00-00-00-00-04\", Acct-Session-Id = \"N3-0001\", $PPP"
acct "$n3" 1813 "dave@east Start" \
	"User-Name = \"dave@isp.example\", Acct-Status-Type = Start, Acct-Session-Id = \"N3-0001\",
	$EAST, NAS-Port = 301, Calling-Station-Id = \"02-00-00-00-00-04\",
	Framed-IPv6-Prefix = 2001:db8:1004:1::/64, Delegated-IPv6-Prefix = 2001:db8:1104:100::/56"
rad "$n3" auth 1812 Access-Accept "erin@east Access-Request" \
	"User-Name = \"erin@isp.example\", User-Password = \"erin-pw\", $EAST, NAS-Port = 302,
	Calling-Station-Id = \"02-00-00-00-00-05\", $PPP"
acct "$n3" 1813 "erin@east Start" \
	"User-Name = \"erin@isp.example\", Acct-Status-Type = Start, Acct-Session-Id = \"N3-0002\",
	$EAST, NAS-Port = 302, Calling-Station-Id = \"02-00-00-00-00-05\", Framed-IP-Address = $E"
rad "$n2" auth 1645 Access-Accept "alice@south Access-Request (second session, old ports)" \
	"User-Name = \"alice@isp.example\", User-Password = \"alice-pw\", $SOUTH, NAS-Port = 201,
	Calling-Station-Id = \"02-00-00-00-01-01\", Acct-Session-Id = \"N2-0001\", $PPP"
acct "$n2" 1646 "alice@south Start" \
	"User-Name = \"alice@isp.example\", Acct-Status-Type = Start, Acct-Session-Id = \"N2-0001\",
	$SOUTH, NAS-Port = 201, Calling-Station-Id = \"02-00-00-00-01-01\",
	Framed-IP-Address = ${A2[0]}, Framed-IPv6-Prefix = 2001:db8:1001:2::/64"
talk "$n3" "dave, erin in session" "${D[@]}" "$E"
talk "$n2" "alice@south in session, the static customer" "${A2[@]}" "${S[0]}"
talk "$n1" "alice@north" "${A1[0]}"

mid_start=$(align)
note "second $mid_start: NZP-0102 starts"
talk "$n1" "alice@north, bob" "${A1[0]}" "${A1[1]}" "$B0"
talk "$n2" "alice@south" "${A2[@]}"

# alice's interim is retransmitted: the server is stopped until radclient has
# sent it twice (same port, Identifier and authenticator), then answers both.
kill -STOP "$fr_pid"
note "freeradius stopped"
(sleep 1.5; kill -CONT "$fr_pid"; note "freeradius continues") &
cont_pid=$!
acct "$n1" 1813 "alice@north Interim-Update, retransmitted, counters, no addresses" \
	"User-Name = \"alice@isp.example\", Acct-Status-Type = Interim-Update,
	Acct-Session-Id = \"N1-0001\", $NORTH, NAS-Port = 101, NAS-Port-Id = \"eth 0/1/1:101\",
	Calling-Station-Id = \"02-00-00-00-00-01\", Acct-Input-Octets = 123456,
	Acct-Output-Octets = 654321, Acct-Input-Packets = 1000, Acct-Output-Packets = 2000,
	Acct-Session-Time = 2"
wait "$cont_pid"
cont_pid=
acct "$n1" 1813 "bob@north Interim-Update, new address" \
	"User-Name = \"bob@isp.example\", Acct-Status-Type = Interim-Update,
	Acct-Session-Id = \"N1-0003\", $NORTH, NAS-Port = 102,
	Calling-Station-Id = \"02-00-00-00-00-02\", Framed-IP-Address = $B1,
	Acct-Input-Octets = 4000, Acct-Output-Octets = 50000, Acct-Session-Time = 2"
talk "$n1" "bob before and after the change, alice@north, carol" "$B0" "$B1" "${A1[2]}" "${C[0]}"

acct "$n3" 1813 "bng-east Accounting-On (NAS rebooted: dave's and erin's sessions end)" \
	"Acct-Status-Type = Accounting-On, Acct-Session-Id = \"00000000\", $EAST,
	Acct-Delay-Time = 0"
talk "$n3" "dave, erin after the reboot" "${D[0]}" "$E"

mid_end=$(align)
note "second $mid_end: NZC-0102 ends"
talk "$n1" "bob" "$B1"
ping_to "bob" "$B1"

acct "$n1" 1813 "alice@north Stop (User-Request, Gigawords)" \
	"User-Name = \"alice@isp.example\", Acct-Status-Type = Stop, Acct-Session-Id = \"N1-0001\",
	$NORTH, NAS-Port = 101, NAS-Port-Id = \"eth 0/1/1:101\",
	Calling-Station-Id = \"02-00-00-00-00-01\", Acct-Input-Octets = 1000,
	Acct-Output-Octets = 2000, Acct-Input-Gigawords = 1, Acct-Output-Gigawords = 2,
	Acct-Session-Time = 5, Acct-Terminate-Cause = User-Request"
acct "$n1" 1813 "bob@north Stop (Lost-Carrier)" \
	"User-Name = \"bob@isp.example\", Acct-Status-Type = Stop, Acct-Session-Id = \"N1-0003\",
	$NORTH, NAS-Port = 102, Calling-Station-Id = \"02-00-00-00-00-02\",
	Acct-Input-Octets = 5000, Acct-Output-Octets = 70000, Acct-Session-Time = 4,
	Acct-Terminate-Cause = Lost-Carrier"
acct "$n1" 1813 "carol@north Stop (Idle-Timeout, no counters)" \
	"User-Name = \"carol@isp.example\", Acct-Status-Type = Stop, Acct-Session-Id = \"N1-0002\",
	$NORTH, NAS-Port = 103, Acct-Terminate-Cause = Idle-Timeout"
talk "$n1" "alice@north, bob, carol after their sessions" "${A1[@]}" "$B1" "${C[0]}"
talk "$n2" "alice@south still in session, the static customer" "${A2[@]}" "${S[@]}"
sleep 0.2
note "capture ends"

kill "$td_pid"
wait "$td_pid" || true
td_pid=
grep -q '^0 packets dropped by kernel' "$tmp/tcpdump.out" ||
	{ cat "$tmp/tcpdump.out"; fail "tcpdump dropped packets"; }

# The capture must hold every exchange (radclient saw the replies, but did
# the bridge see them?), then the config for its times.
python3 - "$tmp/aaa.pcap" "$out" "$ports" "$mid_start" "$mid_end" <<'PY'
import struct, sys, time
path, out, ports, mid_start, mid_end = sys.argv[1:]
ports = [int(p) for p in ports.split(",")]
mid_start, mid_end = int(mid_start), int(mid_end)
data = open(path, "rb").read()
magic, _, _, _, _, _, link = struct.unpack("<IHHiIII", data[:24])
if magic != 0xA1B2C3D4 or link != 1:
    sys.exit("radcap.sh: %s is not a microsecond Ethernet pcap" % path)
off, n, first, last, codes, reqs = 24, 0, None, None, {}, {}
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
        if {sp, dp} & {1812, 1813, 1645, 1646} and len(f) > 22 + ihl:
            c = f[22 + ihl]
            codes[c] = codes.get(c, 0) + 1
            if c == 4:	# a retransmission repeats source, Identifier, authenticator
                k = (f[26:30], sp, f[23 + ihl], f[26 + ihl:42 + ihl])
                reqs[k] = reqs.get(k, 0) + 1
want = {1: 7, 2: 6, 3: 1, 4: 13, 5: 12}
names = {1: "Access-Request", 2: "Access-Accept", 3: "Access-Reject",
         4: "Accounting-Request", 5: "Accounting-Response"}
for c, k in want.items():
    if codes.get(c, 0) < k:
        sys.exit("radcap.sh: FAIL: the capture has %d %s, want %d or more"
                 % (codes.get(c, 0), names[c], k))
if max(reqs.values()) < 2:
    sys.exit("radcap.sh: FAIL: the capture has no retransmitted Accounting-Request")
if not (first < mid_start < mid_end < last):
    sys.exit("radcap.sh: FAIL: the mid-session seconds are not inside the capture")
print("radcap.sh: %d frames over %.1f s; RADIUS %s" % (
    n, last - first, ", ".join("%s %d" % (names[c], codes.get(c, 0)) for c in sorted(names))))

def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

day = int(first) // 86400 * 86400
full = (iso(day - 86400), iso(day + 400 * 86400))
W = [
    ("alice by username (her two concurrent sessions, dual stack)",
     "NZP-0100", "police", 100, "both", full, 'usernames = [ "alice@isp.example" ];'),
    ("alice and bob by username: overlaps NZP-0100 and NZP-0101 (another agency)",
     "NZC-0100", "customs", 100, "both", full,
     'usernames = [ "alice@isp.example", "bob@isp.example" ];'),
    ("by Calling-Station-Id: bob (new address by interim), dave (a reject, then\n"
     "  # a session the NAS reboot ends); the AAA packets as CC too",
     "NZP-0101", "police", 101, "both", full,
     'calling_station_ids = [ "02-00-00-00-00-02", "02-00-00-00-00-04" ];\n'
     "    aaa_cc = true;"),
    ("alice, starting in the middle of both her sessions",
     "NZP-0102", "police", 102, "both", (iso(mid_start), full[1]),
     'usernames = [ "alice@isp.example" ];'),
    ("dave, IRI only (reject, session, NAS reboot)",
     "NZC-0101", "customs", 101, "iri", full, 'usernames = [ "dave@isp.example" ];'),
    ("bob, ending in the middle of his session",
     "NZC-0102", "customs", 102, "both", (full[0], iso(mid_end)),
     'usernames = [ "bob@isp.example" ];'),
    ("a static customer: prefixes, no RADIUS",
     "NZP-0103", "police", 103, "both", full,
     'targets = [ "100.64.50.4/30", "2001:db8:1050::/48" ];'),
]
lines = [
    "# lawtap configuration written by test/e2e/aaa/radcap.sh for aaa.pcap,",
    "# a capture of %.1f s from %s (FreeRADIUS, three NASes)." % (last - first, iso(first)),
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
    "  radius = (",
    '    { server = "10.77.0.1"; auth_ports = [ 1812, 1645 ]; acct_ports = [ 1813, 1646 ];',
    '      secret = "testing123"; access_type = "xDSL"; }',
    "  );",
    "  access_timeout = 10;",
    "};",
    "warrants = (",
]
ws = []
for why, liid, agency, cin, content, (s, e), what in W:
    ws.append('  # %s\n  { liid = "%s"; agency = "%s"; cin = %d; content = "%s";\n'
              '    start = "%s"; end = "%s";\n    %s }'
              % (why, liid, agency, cin, content, s, e, what))
lines.append(",\n".join(ws))
lines.append(");")
with open(out + "/aaa.conf", "w") as fp:
    fp.write("\n".join(lines) + "\n")
# What lawtap must never print: LIIDs, target identifiers and addresses.
names = [w[1] for w in W] + [
    "alice@isp.example", "bob@isp.example", "dave@isp.example",
    "02-00-00-00-00-02", "02-00-00-00-00-04",
    "100.64.1.10", "2001:db8:1001:1::10", "2001:db8:1001:1::", "2001:db8:1101:100::",
    "100.64.1.11", "2001:db8:1001:2::", "100.64.2.20", "100.64.2.21",
    "2001:db8:1004:1::", "2001:db8:1104:100::", "100.64.50.4", "100.64.50.5",
    "2001:db8:1050::"]
with open(out + "/aaa.names", "w") as fp:
    fp.write("\n".join(names) + "\n")
PY
cp "$tmp/aaa.pcap" "$out/aaa.pcap"
cp "$tmp/radclient.log" "$out/aaa-radclient.log"
echo "radcap.sh: wrote $out/aaa.pcap, aaa.conf, aaa.names, aaa-timeline.txt" \
	"in $(python3 -c "import time; print('%.1f' % (time.time() - $t_begin))") s"
