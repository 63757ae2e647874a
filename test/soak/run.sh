#!/bin/sh
# run.sh - the soak (issue 5): the outage harness of test/e2e/outage at 10^7
# packets and 200 outages, with lawtap run killed and restarted 5 times.
# Not in any meson suite: about 40 minutes at the default rate, and the LEMF
# output (about 4 GB) goes to /tmp.  Prints what happened to each outage, the
# checker's table per (LIID, CIN, IRI|CC), and a last line of figures:
# records, outages, lost, duplicates, max RSS of lawtap run (VmHWM), duration.
# Needs root; exits 77 (skipped) without it.
#
# usage: run.sh LAWTAP [--packets N] [--outages K] [--rate PPS] [--seed S]
#               [--kill-appliance M] [--keep]
# (options after LAWTAP override the defaults; drive.py --help lists them all)
[ $# -ge 1 ] || { echo "usage: run.sh LAWTAP [options of drive.py]" >&2; exit 2; }
lawtap=$1
shift
exec python3 "$(dirname "$0")/../e2e/outage/drive.py" "$lawtap" --packets 10000000 \
	--outages 200 --rate 5000 --kill-appliance 5 --seed 10 "$@"
