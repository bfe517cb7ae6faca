#!/usr/bin/env bash
# A release onto a full disk, at every stage of it: run by cli_test inside a private mount
# namespace (unshare), where a small tmpfs holds the store and a filler file leaves only so
# much room. For each share of what the release needs (per mille, the arguments after OUT),
# one line on OUT:
#   trial PERMILLE EXIT STDERR_LINES FSCK_EXIT RELEASES RETRY_EXIT RELEASES_AFTER | FIRST_STDERR_LINE
# Usage: full_disk.sh GAZETTE CONTRACT W0 W1 MOUNTPOINT OUT PERMILLE...
set -u
G=$1 CONTRACT=$2 W0=$3 W1=$4 M=$5 OUT=$6
shift 6
mount -t tmpfs -o size=96m tmpfs "$M" || exit 3
g() { "$G" --data "$M/store" "$@"; }
g init >/dev/null && g dataset create naptan-stops --contract "$CONTRACT" >/dev/null || exit 4
c0=$(g stage naptan-stops "$W0" 2>/dev/null) && c1=$(g stage naptan-stops "$W1" 2>/dev/null) || exit 4
g release naptan-stops "$c0" --owner alice --published-at 2026-01-01T00:00:00Z >/dev/null || exit 4
release=(release naptan-stops "$c1" --owner alice --published-at 2026-01-08T00:00:00Z)
used() { df --output=used -B1 "$M" | tail -1; }
avail() { df --output=avail -B1 "$M" | tail -1; }
releases() { "$G" --data "$1" fsck naptan-stops 2>/dev/null | sed -n 's/.*: \([0-9]*\) releases,.*/\1/p'; }

# What the release needs, measured on a copy: the files it adds and the database's growth.
cp -a "$M/store" "$M/probe"
before=$(used)
"$G" --data "$M/probe" "${release[@]}" >/dev/null || exit 4
need=$(( $(used) - before ))
rm -rf "$M/probe"
echo "need $need" >"$OUT"

err="$(dirname "$OUT")/release.err"  # off the full disk
for permille in "$@"; do
  cp -a "$M/store" "$M/trial"
  room=$(( need * permille / 1000 ))
  fill=$(( $(avail) - room ))
  [ "$fill" -gt 0 ] && fallocate -l "$fill" "$M/filler"
  "$G" --data "$M/trial" "${release[@]}" >/dev/null 2>"$err"
  rc=$?
  lines=$(wc -l <"$err")
  rm -f "$M/filler"
  "$G" --data "$M/trial" fsck naptan-stops >/dev/null 2>&1  # read-only: it repairs nothing
  fsck=$?
  n=$(releases "$M/trial")
  "$G" --data "$M/trial" "${release[@]}" >/dev/null 2>&1
  retry=$?
  echo "trial $permille $rc $lines $fsck $n $retry $(releases "$M/trial") | $(head -1 "$err")" >>"$OUT"
  rm -rf "$M/trial"
done
