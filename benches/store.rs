//! Measures the store: the latency of one submission on the real disk (seal, write the period's
//! file anew with the record at a random place and the signed ledger, both synced and renamed into
//! place, the folder synced) with 500 responses already in the period's file, and open + decode
//! throughput over 1,000,000 responses against raw XChaCha20-Poly1305 open of the same bytes in
//! the same run.
//!
//! Run: `cargo bench --bench store [-- LATENCY_N READ_N]` (defaults 400 and 1000000; a
//! LATENCY_N of 0 skips the disk part). The latency store lives in a temporary folder under the
//! current directory (not /tmp, which may be a RAM disk); the throughput store lives in memory.
//! `ICARE_BENCH_FLAVOUR` names the build settings in the output (scripts/bench.sh sets it).

#[path = "common/row.rs"]
mod row;
use row::row;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Key, Tag, XChaCha20Poly1305, XNonce};
use icare::fsio::Fs;
use icare::fsio::mem::MemFs;
use icare::response::{Answer, Period, Response};
use icare::store::format::{self, MAGIC_RECORDS};
use icare::store::period_file::{PeriodFile, split_record};
use icare::store::{self, Durability, Store, StoreMeta};

/// Responses already in the period's file when the timed submissions start.
const ALREADY: usize = 500;

fn main() -> anyhow::Result<()> {
    // `cargo bench` adds `--bench`; only the numbers are ours.
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let flavour = std::env::var("ICARE_BENCH_FLAVOUR").unwrap_or_else(|_| "this build".into());
    let latency_n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(400);
    let read_n: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let survey = icare::survey::embedded()?;
    let period = Period::Week {
        year: 2026,
        week: 47,
    };
    let response = |i: usize| Response {
        survey_id: survey.id.clone(),
        survey_hash: survey.hash,
        language: "en".into(),
        period,
        answers: (0..survey.items.len())
            .map(|k| Answer::Value(1 + ((i + k) % 5) as i32))
            .collect(),
        headline: Answer::Value(1 + (i % 5) as i32),
        comment: i
            .is_multiple_of(10)
            .then(|| "A short synthetic comment for the benchmark.".into()),
    };

    // 1. Latency on the real disk.
    let identity = age::x25519::Identity::generate();
    if latency_n > 0 {
        let tmp = tempfile::tempdir_in(".")?;
        let fs = icare::fsio::RealFs;
        let dir = tmp.path();
        write_meta(&fs, dir, &identity)?;
        let mut store = Store::open(dir)?;
        // The file already holds ALREADY responses, written in one go (untimed).
        store.set_durability(Durability::Batched(ALREADY as u32))?;
        for i in 0..ALREADY {
            store.submit(&survey, &response(i))?;
        }
        store.set_durability(Durability::EveryResponse)?;
        let mut times = Vec::with_capacity(latency_n);
        for i in 0..latency_n {
            let r = response(i);
            let t = Instant::now();
            store.submit(&survey, &r)?;
            times.push(t.elapsed());
        }
        times.sort();
        let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
        println!(
            "submit (seal + write the period's file anew + ledger + 2 fdatasync + 3 folder fsync), {latency_n} responses into a file of {ALREADY}..{} on {}: median {:?}, p99 {:?}, max {:?}",
            ALREADY + latency_n,
            std::env::current_dir()?.display(),
            pct(0.5),
            pct(0.99),
            times[times.len() - 1]
        );
        let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
        let what = format!(
            "store: submit = seal + rewrite the period's file and ledger, synced and renamed, {latency_n} responses with {ALREADY} already in the file"
        );
        row(&format!("{what}, median"), &ms(pct(0.5)), "", None);
        let p99 = pct(0.99);
        row(
            &format!("{what}, p99"),
            &ms(p99),
            "< 50 ms",
            Some(p99 < Duration::from_millis(50)),
        );
        drop(store);
    }

    // 2. Throughput in memory (written in batches: a synthetic store).
    let mem = MemFs::new();
    let dir = Path::new("/bench");
    write_meta(&mem, dir, &identity)?;
    let mut store = Store::open_with(Arc::new(mem.clone()), dir)?;
    store.set_durability(Durability::Batched(10_000))?;
    for i in 0..read_n {
        let mut r = response(i);
        // 100 periods, as a long-lived store has, one after the other.
        let p = i * 100 / read_n;
        r.period = Period::Week {
            year: 2026 + (p / 50) as i32,
            week: 1 + (p % 50) as u8,
        };
        store.submit(&survey, &r)?;
    }
    store.flush()?;
    drop(store);
    let meta = StoreMeta::load(&mem, dir)?;
    let files: Vec<(std::path::PathBuf, Vec<u8>)> = mem
        .snapshot()
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "icr"))
        .collect();
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mut groups = 0;

    let mut best_store = Duration::MAX;
    let mut best_raw = Duration::MAX;
    for _round in 0..3 {
        let t = Instant::now();
        let mut n = 0usize;
        let mut answered = 0i64;
        for r in store::read_responses_with(Arc::new(mem.clone()), dir, &identity)? {
            let r = r?;
            n += 1;
            answered += r.answers.len() as i64;
        }
        let el = t.elapsed();
        assert_eq!(n, read_n);
        std::hint::black_box(answered);
        best_store = best_store.min(el);

        // Raw baseline: the same record bytes, framing found and group keys unwrapped before
        // the clock starts; timed: only XChaCha20-Poly1305 open of each record into a reused
        // buffer.
        let mut ciphers = Vec::new();
        let mut records = Vec::new();
        for (path, file) in &files {
            let scan = format::scan(file, MAGIC_RECORDS, "records")?;
            let parsed = PeriodFile::parse(path, file, &scan, &meta)?;
            let mut index = std::collections::HashMap::new();
            for (info, f, age_at) in &parsed.groups {
                let secret = icare::crypto::unwrap(&identity, &file[f.start + age_at..f.end])?;
                index.insert(info.epoch_id, ciphers.len());
                ciphers.push((
                    XChaCha20Poly1305::new(Key::from_slice(&secret[..32])),
                    info.binding(),
                ));
            }
            for f in &parsed.records {
                let (id, sealed) = split_record(&file[f.start..f.end]).expect("record");
                let start = f.end - sealed.len();
                records.push((file, index[&id], start, f.end));
            }
        }
        groups = ciphers.len();
        let t = Instant::now();
        let mut n = 0usize;
        let mut buf = Vec::with_capacity(1024);
        for &(file, c, start, end) in &records {
            let (cipher, ad) = &ciphers[c];
            let rec = &file[start..end];
            let (nonce, rest) = rec.split_at(24);
            let (body, tag) = rest.split_at(rest.len() - 16);
            buf.clear();
            buf.extend_from_slice(body);
            cipher
                .decrypt_in_place_detached(
                    XNonce::from_slice(nonce),
                    ad,
                    &mut buf,
                    Tag::from_slice(tag),
                )
                .map_err(|_| anyhow::anyhow!("raw open failed"))?;
            n += 1;
        }
        let el = t.elapsed();
        assert_eq!(n, read_n);
        best_raw = best_raw.min(el);
    }
    let rate = |d: Duration| read_n as f64 / d.as_secs_f64();
    let ratio = best_raw.as_secs_f64() / best_store.as_secs_f64();
    row(
        &format!("store: open + decode {read_n} responses, {flavour}"),
        &format!("{:.0} k/s", rate(best_store) / 1e3),
        "",
        None,
    );
    row(
        &format!("store: raw XChaCha20-Poly1305 open, same bytes, {flavour}"),
        &format!("{:.0} k/s", rate(best_raw) / 1e3),
        "",
        None,
    );
    row(
        &format!("store: open + decode ÷ raw AEAD open, {flavour}"),
        &format!("{ratio:.2}"),
        "≥ 0.75",
        Some(ratio >= 0.75),
    );
    println!(
        "{read_n} responses, {} files, {groups} groups, {:.1} MB: store read (ledger check + scan + unwrap + open + postcard decode) {:.0}/s ({:?}); raw XChaCha20-Poly1305 open {:.0}/s ({:?}); ratio {:.2} (best of 3)",
        files.len(),
        bytes as f64 / 1e6,
        rate(best_store),
        best_store,
        rate(best_raw),
        best_raw,
        ratio
    );
    Ok(())
}

/// A store description without scrypt or Argon2 work (the benchmark does not need the manager's
/// key file); the first writer makes the signing key and the ledger.
fn write_meta(fs: &dyn Fs, dir: &Path, identity: &age::x25519::Identity) -> anyhow::Result<()> {
    for d in [store::RECORDS_DIR, store::QUARANTINE_DIR] {
        fs.create_dir_all(&dir.join(d))?;
    }
    let meta = StoreMeta {
        store_id: rand::random(),
        site: "Benchmark".into(),
        synthetic: true,
        period: icare::response::PeriodKind::Week,
        recipients: vec![identity.to_public()],
        signing_key: None,
    };
    icare::fsio::write_atomic(fs, &StoreMeta::path(dir), &meta.to_bytes())?;
    Ok(())
}
