//! Measures the exit PIN's key derivation: the time one guess costs (one Argon2id hash at the cost
//! `icare` uses now, and at the cost it used before), and what trying every 4-digit and every
//! 6-digit PIN then costs an offline attacker per CPU core.
//!
//! Run: `cargo bench --bench pin [-- ROUNDS]` (default 5; the median is reported).

#[path = "common/row.rs"]
mod row;

use std::time::Instant;

use argon2::{Algorithm, Argon2, Params, Version};
use row::row;

fn main() -> anyhow::Result<()> {
    let rounds: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(5);
    let now = icare::keys::exit_pin_params();
    let before = Params::new(19 * 1024, 2, 1, None).map_err(anyhow::Error::msg)?;
    for (name, params) in [("now", now), ("before (argon2 crate default)", before)] {
        let what = format!(
            "exit PIN: one guess, Argon2id m = {} MiB, t = {}, p = {}, {name}",
            params.m_cost() / 1024,
            params.t_cost(),
            params.p_cost()
        );
        let kdf = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut out = [0u8; 32];
        let mut times = Vec::new();
        for i in 0..rounds.max(1) + 1 {
            let start = Instant::now();
            kdf.hash_password_into(
                format!("{:06}", i).as_bytes(),
                b"sixteen byte salt",
                &mut out,
            )
            .map_err(anyhow::Error::msg)?;
            // The first round warms the allocator and the caches.
            if i > 0 {
                times.push(start.elapsed().as_secs_f64());
            }
        }
        times.sort_by(f64::total_cmp);
        let guess = times[times.len() / 2];
        println!("{what}: {:.1} ms (of {times:?})", guess * 1e3);
        row(&what, &format!("{:.0} ms", guess * 1e3), "", None);
        let hours = |n: f64| n * guess / 3600.0;
        row(
            &format!("exit PIN: every 4-digit PIN offline, one core, {name}"),
            &format!("{:.1} h", hours(1e4)),
            "",
            None,
        );
        row(
            &format!("exit PIN: every 6-digit PIN offline, one core, {name}"),
            &format!("{:.0} h ({:.1} days)", hours(1e6), hours(1e6) / 24.0),
            "",
            None,
        );
    }
    Ok(())
}
