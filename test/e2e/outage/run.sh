#!/bin/sh
# run.sh - the outage test (issue 5): see drive.py.  Exits 77 (skipped)
# without root.
# usage: run.sh LAWTAP [--packets N] [--outages K] [--seed S] [--kill-appliance M]
#               [--quota] [--rate PPS] [--keep]
exec python3 "$(dirname "$0")/drive.py" "$@"
