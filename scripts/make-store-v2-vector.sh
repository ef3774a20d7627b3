#!/usr/bin/env bash
# Makes the format-2 test vector tests/testdata/store-v2/ (and its expected plaintext) with the real
# binary: a synthetic store, 40 responses from two processes (so some periods hold two groups), a
# records file per period, the signed ledger. TEST-ONLY KEYS: never use them for real data.
#
#   scripts/make-store-v2-vector.sh      # run from anywhere; replaces tests/testdata/store-v2*
#
# The vector is a snapshot: making it again gives other keys, nonces and order, so the tests
# compare against the checked-in files, not against a new run. Git keeps no permissions: the tests
# copy the vector and make its secret files 0600, as `icare init` does.
set -euo pipefail
cd "$(dirname "$0")/.."
t=tests/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'test-only passphrase 2\n' >"$t/store-v2.passphrase"
printf '135791\n' >"$tmp/pin"
cp surveys/icare.toml "$t/store-v2.survey.toml"
cargo build --quiet --locked
icare=target/debug/icare
rm -rf "$t/store-v2"
"$icare" --data "$t/store-v2" init --synthetic --site "Test vector practice" --kdf-work-factor 10 \
  --passphrase-file "$t/store-v2.passphrase" --exit-pin-file "$tmp/pin"
"$icare" --data "$t/store-v2" simulate --count 20 --seed 2 --survey "$t/store-v2.survey.toml"
"$icare" --data "$t/store-v2" simulate --count 20 --seed 3 --survey "$t/store-v2.survey.toml"
rm -f "$t/store-v2/lock"
"$icare" --data "$t/store-v2" verify --passphrase-file "$t/store-v2.passphrase"
# The plaintext in stored order, through the library with the manager's identity (`icare decrypt`
# is for analysts: it refuses the manager's key and shuffles).
ICARE_VECTOR_OUT="$PWD/$t/store-v2.expected.jsonl" cargo test --quiet --locked --test cli -- \
  --ignored --exact vectors::write_the_v2_vectors_expected_plaintext
echo "made $t/store-v2 ($(ls "$t/store-v2/records" | wc -l) files in records/)"
