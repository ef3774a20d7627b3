#!/usr/bin/env bash
# Crash soak: the crash test of tests/cli/crash.rs with N kills (default 10000) on a release build.
# `icare simulate --ack-log` writes continuously and is killed with SIGKILL N times, at a random
# 0-120 ms after its start or (every other kill) 0-60 ms after its first acknowledgement; every 250 kills the store is reopened (recovery), verified with the
# passphrase and decrypted, and checked: every acknowledged response exactly once, no response
# twice, every torn tail in quarantine. The figures, and the seed of the kill schedule, are printed
# at the end; a failure prints its seed, and ICARE_CRASH_SEED=<seed> scripts/crash-soak.sh N runs
# the same schedule again. (A normal test run kills 30 times.)
#
#   scripts/crash-soak.sh 10000
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-10000}"
case "$kills" in
  ''|*[!0-9]*) echo "usage: scripts/crash-soak.sh [KILLS]" >&2; exit 2 ;;
esac
ICARE_CRASH_KILLS="$kills" exec cargo test --locked --release --test cli \
  crash::sigkill_at_random_moments_loses_no_acknowledged_response -- --exact --nocapture
