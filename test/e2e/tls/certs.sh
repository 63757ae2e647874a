# certs.sh - sourced by run.sh: tls_certs DIR makes the test PKI there (EC P-256, none committed).
#   ca.crt            the agencies' CA;  lemf-{a,b,c}.{crt,key}  their servers' certificates
#   opca.crt          the operator's CA; ours.{crt,key}          the appliance's client certificate
#   rogue-ca.crt      a CA nobody trusts; impostor-b.{crt,key}   "lemf-b.example" from it
#   expired-a.{crt,key}  lemf-a.example from the right CA, expired in 2020
#   wrongname-a.{crt,key} the right CA, but for "lemf-x.example"
# Keys are mode 0600.

tls_ec() { echo "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"; }

# tls_ca DIR NAME "CN"
tls_ca() {
	# shellcheck disable=SC2046
	openssl req -x509 $(tls_ec) -keyout "$1/$2.key" -out "$1/$2.crt" -days 3 \
		-subj "/CN=$3" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# tls_leaf DIR NAME CA DNSNAME [serverAuth|clientAuth]
tls_leaf() {
	# shellcheck disable=SC2046
	openssl req $(tls_ec) -keyout "$1/$2.key" -out "$1/$2.csr" -subj "/CN=$4" \
		-addext "subjectAltName=DNS:$4" -addext "extendedKeyUsage=${5:-serverAuth}" \
		2>/dev/null
	openssl x509 -req -in "$1/$2.csr" -CA "$1/$3.crt" -CAkey "$1/$3.key" \
		-CAcreateserial -days 2 -copy_extensions copy -out "$1/$2.crt" 2>/dev/null
}

tls_certs() {
	local d=$1
	tls_ca "$d" ca "Agency test CA"
	tls_ca "$d" opca "Operator test CA"
	tls_ca "$d" rogue-ca "Rogue CA"
	for x in a b c; do tls_leaf "$d" "lemf-$x" ca "lemf-$x.example"; done
	tls_leaf "$d" ours opca "lawtap.operator.example" clientAuth
	tls_leaf "$d" impostor-b rogue-ca "lemf-b.example"
	tls_leaf "$d" wrongname-a ca "lemf-x.example"
	# expired: openssl ca can set the dates
	openssl req $(tls_ec) -keyout "$d/expired-a.key" -out "$d/expired-a.csr" \
		-subj "/CN=lemf-a.example" -addext "subjectAltName=DNS:lemf-a.example" 2>/dev/null
	mkdir -p "$d/cadb"
	: >"$d/cadb/index.txt"
	echo 1000 >"$d/cadb/serial"
	cat >"$d/cadb/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
database = $d/cadb/index.txt
new_certs_dir = $d/cadb
serial = $d/cadb/serial
default_md = sha256
policy = p
copy_extensions = copy
[p]
commonName = supplied
CNF
	openssl ca -batch -config "$d/cadb/ca.cnf" -cert "$d/ca.crt" -keyfile "$d/ca.key" \
		-in "$d/expired-a.csr" -out "$d/expired-a.crt" -notext \
		-startdate 20200101000000Z -enddate 20200201000000Z 2>/dev/null
	chmod 600 "$d"/*.key
	for f in ca opca rogue-ca lemf-a lemf-b lemf-c ours impostor-b wrongname-a expired-a; do
		[ -s "$d/$f.crt" ] || { echo "certs.sh: could not make $f.crt"; return 1; }
	done
}
