#!/usr/bin/env bash
# The benchmark suite (BENCHMARKS.md): builds in release, makes the data, runs everything, prints the
# table and writes it, with the machine and the load, to bench-data/table.md.
#
#   scripts/bench.sh            10^4, 10^5 and 10^6 responses, 60 idle seconds (about 15 minutes)
#   scripts/bench.sh --quick    10^4 responses only, 10 idle seconds, default build settings only:
#                               to try the script
#   scripts/bench.sh --only-summaries   only the summaries (report, DuckDB, pandas)
#   scripts/bench.sh --default-build    no second and third build (software Poly1305,
#                               target-cpu=native): on a busy machine each costs a release build
#
# Everything it writes stays in bench-data/ (stores, CSV, logs) and .venv-bench/ (DuckDB, pandas and
# scipy, installed by the script itself); both are gitignored. The machine is shared and noisy, so
# every comparison is a ratio of two figures measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=0 only_summaries=0 default_build=0
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    --only-summaries) only_summaries=1 ;;
    --default-build) default_build=1 ;;
    *) echo "usage: scripts/bench.sh [--quick] [--only-summaries] [--default-build]" >&2; exit 2 ;;
  esac
done
if ((quick)); then
  sizes=(10000) latency_n=100 read_n=10000 idle=10 launches=3
else
  sizes=(10000 100000 1000000) latency_n=400 read_n=1000000 idle=60 launches=10
fi
work=$root/bench-data
mkdir -p "$work"
rows=$work/rows.tsv
: >"$rows"
log=$work/bench.log
: >"$log"
say() { echo "bench: $*" | tee -a "$log" >&2; }
row() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "${3:-}" "${4:-}" >>"$rows"; }

# --- The machine, the date, the load -------------------------------------------------------------
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "command: scripts/bench.sh $*"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src benches scripts Cargo.toml || echo ' + uncommitted changes')"
  echo "rustc: $(rustc -V)"
  echo "nproc: $(nproc)"
  lscpu | head -n 20 | grep -E 'Model name|^CPU\(s\)|Thread|Core|Socket|Hypervisor|L2|L3' || true
  free -h
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$work/machine.txt"
cat "$work/machine.txt" >&2

# --- Python for DuckDB and pandas ----------------------------------------------------------------
venv=$root/.venv-bench
if ! "$venv/bin/python3" -c "import duckdb, pandas, scipy" 2>/dev/null; then
  say "creating $venv with duckdb, pandas and scipy (once)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check duckdb pandas scipy
fi
py=$venv/bin/python3
"$py" -c "import duckdb, pandas, sys; print('python', sys.version.split()[0], 'duckdb', duckdb.__version__, 'pandas', pandas.__version__)" \
  | tee -a "$work/machine.txt" >&2

# --- Builds ---------------------------------------------------------------------------------------
# bench_exe TARGET_DIR BENCH...: build the bench programs and print "name path" per program.
bench_exe() {
  local dir=$1
  shift
  local args=()
  for b in "$@"; do args+=(--bench "$b"); done
  CARGO_TARGET_DIR=$dir cargo bench --locked --no-run --message-format=json "${args[@]}" 2>>"$log" \
    | jq -r 'select(.reason == "compiler-artifact" and .executable != null and .target.kind == ["bench"]) | "\(.target.name) \(.executable)"'
}
say "building in release (default settings)"
cargo build --release --locked 2>>"$log"
icare=$root/target/release/icare
# `icare report` also built with the portable software Poly1305 (see BENCHMARKS.md), in its own
# target folder.
icare_soft=
if ((!quick && !default_build)); then
  say "building icare with --cfg poly1305_force_soft"
  RUSTFLAGS='--cfg poly1305_force_soft' CARGO_TARGET_DIR=$root/target/bench-soft \
    cargo build --release --locked --bin icare 2>>"$log"
  icare_soft=$root/target/bench-soft/release/icare
fi
# `icare` without its zero-on-free allocator (BENCHMARKS.md, "zero on free"), only to measure what
# that allocator costs; its own target folder.
say "building icare with --cfg icare_plain_alloc"
RUSTFLAGS='--cfg icare_plain_alloc' CARGO_TARGET_DIR=$root/target/bench-plain-alloc \
  cargo build --release --locked --bin icare 2>>"$log"
icare_plain=$root/target/bench-plain-alloc/release/icare
declare -A exe
while read -r name path; do exe[$name]=$path; done < <(bench_exe "$root/target" store stats kiosk summary speech pin)
# measure OUT CMD...: run CMD under /usr/bin/time -v with stdout to OUT; sets $secs and $rss_mb.
measure() {
  local out=$1
  shift
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$out" 2>>"$log"
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/time.txt")
  rss_mb=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$work/time.txt")
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
atleast() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? "met" : "MISSED" }'; }

# --- Store ----------------------------------------------------------------------------------------
if ((!only_summaries)); then
(cd "$work" && ICARE_BENCH_FLAVOUR="default release build" "${exe[store]}" "$latency_n" "$read_n") \
  | tee -a "$log" | awk -F'\t' '$1 == "ROW"' | cut -f2- >>"$rows"
"${exe[stats]}" "$read_n" | tee -a "$log" | awk -F'\t' '$1 == "ROW"' | cut -f2- >>"$rows"
fi

# --- Summaries ------------------------------------------------------------------------------------
pass=$work/passphrase
printf 'benchmark passphrase, not a secret\n' >"$pass"
printf '246813\n' >"$work/pin"
has_report=0 has_batches=0
if "$icare" report --help >/dev/null 2>&1; then has_report=1; fi
if "$icare" export --help >/dev/null 2>&1 && "$icare" import --help >/dev/null 2>&1; then has_batches=1; fi
recipient=()
if ((has_batches)); then
  # A commissioner's aggregation store; every site store also encrypts to it, as in docs/batches.md.
  rm -rf "$work/agg"
  # The same cheap key derivation as the data stores below: import unlocks the identity, and the
  # default derivation's 512 MiB would hide the batch's own memory (its cost is its own row).
  "$icare" --data "$work/agg" init --aggregate --synthetic --site Commissioner \
    --passphrase-file "$pass" --kdf-work-factor 14 >>"$log" 2>&1
  agg_key=$("$icare" --data "$work/agg" keys 2>>"$log" | grep -o 'age1[a-z0-9]*' | head -n 1)
  recipient=(--recipient "$agg_key")
fi
# The one-off cost of unlocking the manager identity as `icare init` makes it (age's default scrypt
# work factor, calibrated to about a second on the machine that ran init).
rm -rf "$work/store-kdf"
"$icare" --data "$work/store-kdf" init --synthetic --site KDF --passphrase-file "$pass" \
  --exit-pin-file "$work/pin" >>"$log" 2>&1
measure "$work/kdf.txt" "$icare" --data "$work/store-kdf" verify --passphrase-file "$pass"
logn=$(grep -a -o -m1 -- '-> scrypt [^ ]* [0-9]*' "$work/store-kdf/keys/manager.age" | awk '{print $4}')
row "passphrase unlock (icare verify of an empty store; scrypt log2 N = $logn as init chose it)" "${secs} s, ${rss_mb} MB" "" ""
for n in "${sizes[@]}"; do
  d=$work/store-$n
  rm -rf "$d"
  say "store of $n synthetic responses"
  # A cheap passphrase key derivation (scrypt log2 N = 14, 16 MB) so that the figures below are
  # the data path; the default derivation's one-off cost per command is its own row.
  "$icare" --data "$d" init --synthetic --site "Benchmark $n" --passphrase-file "$pass" \
    --exit-pin-file "$work/pin" --kdf-work-factor 14 "${recipient[@]}" >>"$log" 2>&1
  measure "$work/simulate-$n.txt" "$icare" --data "$d" simulate --bulk --count "$n" --seed 1
  row "make data: simulate --bulk $n responses" "${secs} s" "" ""
  measure "$work/decrypt-$n.txt" "$icare" --data "$d" decrypt --format csv --out "$work/r-$n.csv" \
    --passphrase-file "$pass"
  csv_rows=$(($(wc -l <"$work/r-$n.csv") - 1))
  row "icare decrypt --format csv, $n responses ($csv_rows CSV rows, $(du -m "$work/r-$n.csv" | cut -f1) MB)" "${secs} s, ${rss_mb} MB" "" ""
  # What the comparisons are against: `icare report` when it exists, else the library stand-in.
  measure "$work/lib-$n.json" "${exe[summary]}" "$d" "$pass" 2
  lib_secs=$secs lib_rss=$rss_mb
  row "decrypt + summarise $n (library, benches/summary.rs, 2 threads)" "${secs} s, ${rss_mb} MB" "" ""
  ref=$work/lib-$n.json ours=$lib_secs what="benches/summary.rs"
  if ((has_report)); then
    measure "$work/report-$n.out" "$icare" --data "$d" report --format json --out "$work/report-$n.json" \
      --passphrase-file "$pass"
    row "icare report --format json, $n responses" "${secs} s, ${rss_mb} MB" "" ""
    ours=$secs what="icare report"
    measure "$work/report-plain-$n.out" "$icare_plain" --data "$d" report --format json \
      --out "$work/report-plain-$n.json" --passphrase-file "$pass"
    row "icare report --format json, $n responses, built without zero on free" "${secs} s, ${rss_mb} MB" "" ""
    row "zero on free: icare report wall time ÷ the same without it, $n" "$(ratio "$ours" "$secs")" "" ""
    if [[ -n $icare_soft ]]; then
      measure "$work/report-soft-$n.out" "$icare_soft" --data "$d" report --format json \
        --out "$work/report-soft-$n.json" --passphrase-file "$pass"
      row "icare report --format json, $n responses, built with --cfg poly1305_force_soft" "${secs} s, ${rss_mb} MB" "" ""
      soft_secs=$secs
    fi
    # The report rounds for display: it must agree with the exact library figures to that precision.
    if ! "$py" scripts/bench_summary.py compare --tol 0.5 "$work/lib-$n.json" "$work/report-$n.json" 2>>"$log"; then
      row "icare report agrees with benches/summary.rs, $n" "NO" "agree" "MISSED"
    fi
  fi
  measure "$work/duckdb-$n.json" "$py" scripts/bench_summary.py duckdb "$work/r-$n.csv" surveys/icare.toml
  duck=$(awk '/^ENGINE_SECONDS/ {s = $2} END {print s}' "$log")
  row "DuckDB summary of the plaintext CSV, $n: engine time (whole process, peak RSS)" "${duck} s (${secs} s, ${rss_mb} MB)" "" ""
  measure "$work/pandas-$n.json" "$py" scripts/bench_summary.py pandas "$work/r-$n.csv" surveys/icare.toml
  pandas=$(awk '/^ENGINE_SECONDS/ {s = $2} END {print s}' "$log")
  row "pandas summary of the plaintext CSV, $n: engine time (whole process, peak RSS)" "${pandas} s (${secs} s, ${rss_mb} MB)" "" ""
  if ! "$py" scripts/bench_summary.py compare "$ref" "$work/duckdb-$n.json" "$work/pandas-$n.json" 2>>"$log"; then
    say "the summaries DISAGREE for $n responses (see $log)"
    row "summaries agree ($what, DuckDB, pandas), $n" "NO" "agree" "MISSED"
  fi
  row "DuckDB engine time ÷ $what wall time, $n" "$(ratio "$duck" "$ours")" "≥ 2" "$(atleast "$(ratio "$duck" "$ours")" 2)"
  row "pandas engine time ÷ $what wall time, $n" "$(ratio "$pandas" "$ours")" "≥ 10" "$(atleast "$(ratio "$pandas" "$ours")" 10)"
  if ((has_report)) && [[ -n $icare_soft ]]; then
    w="icare report (poly1305_force_soft build)"
    row "DuckDB engine time ÷ $w wall time, $n" "$(ratio "$duck" "$soft_secs")" "≥ 2" "$(atleast "$(ratio "$duck" "$soft_secs")" 2)"
    row "pandas engine time ÷ $w wall time, $n" "$(ratio "$pandas" "$soft_secs")" "≥ 10" "$(atleast "$(ratio "$pandas" "$soft_secs")" 10)"
  fi
  rm -f "$work/r-$n.csv"
done
if ((!has_report)); then
  row "icare report over 10^4, 10^5, 10^6" "not measured yet: \`icare report\` is not in this build" "" ""
fi

# --- Batches --------------------------------------------------------------------------------------
if ((only_summaries)); then
  :
elif ((has_batches)); then
  n=${sizes[-1]}
  d=$work/store-$n
  say "batches: export and import of $n responses"
  rm -f "$work/batch-$n.icb"
  measure "$work/export-$n.txt" "$icare" --data "$d" export --out "$work/batch-$n.icb"
  row "icare export, $n responses ($(du -m "$work/batch-$n.icb" | cut -f1) MB batch)" "${secs} s, ${rss_mb} MB" "" ""
  measure "$work/import-$n.txt" "$icare" --data "$work/agg" import --trust-new-site \
    --passphrase-file "$pass" "$work/batch-$n.icb"
  row "icare import (checks everything, opens every epoch key, then adds), $n responses" "${secs} s, ${rss_mb} MB" "" ""
  measure "$work/import-again-$n.txt" "$icare" --data "$work/agg" import --passphrase-file "$pass" \
    "$work/batch-$n.icb"
  row "icare import of the same batch again (every record already there), $n responses" "${secs} s, ${rss_mb} MB" "" ""
  rm -f "$work/batch-$n.icb"
else
  row "batches: export and import of 10^6 responses" "not measured yet: \`icare export\`/\`import\` are not in this build" "" ""
fi

# --- Kiosk ----------------------------------------------------------------------------------------
if ((!only_summaries)); then
say "kiosk: render times, $launches launches, $idle idle seconds"
"${exe[kiosk]}" "$idle" "$launches" | tee -a "$log" | awk -F'\t' '$1 == "ROW"' | cut -f2- >>"$rows"
say "kiosk: key press to the next question's audio (read aloud)"
"${exe[speech]}" "$launches" | tee -a "$log" | awk -F'\t' '$1 == "ROW"' | cut -f2- >>"$rows"
say "kiosk: typing and sending, with and without the zero-on-free allocator"
for flavour in "zero on free:$icare" "without zero on free:$icare_plain"; do
  ICARE_BENCH_BIN=${flavour#*:} ICARE_BENCH_FLAVOUR=${flavour%%:*} "${exe[kiosk]}" \
    | tee -a "$log" | awk -F'\t' '$1 == "ROW"' | cut -f2- >>"$rows"
done
say "exit PIN: the cost of a guess"
"${exe[pin]}" 9 | tee -a "$log" | awk -F'\t' '$1 == "ROW"' | cut -f2- >>"$rows"
fi

# --- The store read path under the two other settings of the AEAD backends ----------------------
if ((!quick && !only_summaries && !default_build)); then
# The store benchmark again under the two other settings of the AEAD backends (bench builds only;
# their own target folders, so the project's own builds are not disturbed).
say "building the store benchmark with --cfg poly1305_force_soft"
while read -r name path; do exe[soft_$name]=$path; done \
  < <(RUSTFLAGS='--cfg poly1305_force_soft' bench_exe "$root/target/bench-soft" store)
say "building the store benchmark with -C target-cpu=native"
while read -r name path; do exe[native_$name]=$path; done \
  < <(RUSTFLAGS='-C target-cpu=native' bench_exe "$root/target/bench-native" store)

(cd "$work" && ICARE_BENCH_FLAVOUR="--cfg poly1305_force_soft" "${exe[soft_store]}" 0 "$read_n") \
  | tee -a "$log" | awk -F'\t' '$1 == "ROW"' | cut -f2- >>"$rows"
(cd "$work" && ICARE_BENCH_FLAVOUR="-C target-cpu=native" "${exe[native_store]}" 0 "$read_n") \
  | tee -a "$log" | awk -F'\t' '$1 == "ROW"' | cut -f2- >>"$rows"
fi

# --- The table ------------------------------------------------------------------------------------
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/machine.txt"
{
  echo '```'
  cat "$work/machine.txt"
  echo '```'
  echo
  echo '| measure | value | target | verdict |'
  echo '|---|---|---|---|'
  awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$rows"
} >"$work/table.md"
cat "$work/table.md"
say "table written to $work/table.md; full output in $log"
