//! Measures the kiosk: render time of every screen at 120×40 and 250×70 (pure rendering into a
//! buffer), and, with the real binary in a pseudo-terminal, launch to first frame, CPU used while
//! idle and peak resident memory.
//!
//! Run: `cargo bench --bench kiosk [-- IDLE_SECONDS LAUNCHES]` (defaults 60 and 10).
//!
//! With `ICARE_BENCH_BIN=PATH` it measures only typing into the comment box and sending, with that
//! binary, labelled `ICARE_BENCH_FLAVOUR`: `scripts/bench.sh` runs it with the normal binary and
//! with one built without the zero-on-free allocator (`--cfg icare_plain_alloc`), to measure that
//! allocator's cost.
//!
//! The kiosk runs on a real encrypted store made with `icare init` (a cheap key derivation, which
//! only `init` and the manager's commands use), so the first frame includes opening the store.

#[path = "common/pty.rs"]
mod pty;
#[path = "common/row.rs"]
mod row;

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use icare::kiosk::model::{Key, Screen};
use icare::kiosk::view::render;
use icare::kiosk::{Config, Model, Msg, update};
use icare::tui::Theme;
use pty::Kiosk;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use row::{median_and_slowest, row};

fn main() -> anyhow::Result<()> {
    // `cargo bench` adds `--bench`; only the numbers are ours.
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let idle_secs: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(60);
    let launches: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10);
    if let Some(bin) = std::env::var_os("ICARE_BENCH_BIN") {
        let flavour = std::env::var("ICARE_BENCH_FLAVOUR").unwrap_or_default();
        return typing(Path::new(&bin), &flavour);
    }
    render_times()?;
    launch_times(launches)?;
    idle_and_memory(idle_secs)?;
    Ok(())
}

/// A model driven through the public `update` with made-up instants, as the event loop would.
struct Drive {
    m: Model,
    now: Instant,
}

impl Drive {
    fn new(toml: Option<&str>, needs_setup: bool) -> anyhow::Result<Drive> {
        let survey = match toml {
            Some(t) => icare::survey::from_str(t, "bench")?,
            None => icare::survey::embedded()?,
        };
        let now = Instant::now();
        let config = Config {
            idle_timeout: Duration::from_secs(60),
            needs_setup,
        };
        let mut m = Model::new(survey, config, now);
        update(
            &mut m,
            Msg::NewDay(NaiveDate::from_ymd_opt(2026, 11, 21).unwrap_or_default()),
        );
        Ok(Drive { m, now })
    }
    fn key(mut self, key: Key) -> Self {
        self.now += Duration::from_millis(100);
        update(&mut self.m, Msg::Key(key, self.now));
        self
    }
    fn keys(mut self, s: &str) -> Self {
        for c in s.chars() {
            self = self.key(Key::Char(c));
        }
        self
    }
    fn wait(mut self, secs: u64) -> Self {
        self.now += Duration::from_secs(secs);
        update(&mut self.m, Msg::Tick(self.now));
        self
    }
    fn send(mut self, msg: impl FnOnce(Instant) -> Msg) -> Self {
        let msg = msg(self.now);
        update(&mut self.m, msg);
        self
    }
    /// Answer "1" on every question until the comment screen.
    fn answer_all(mut self) -> Self {
        self = self.key(Key::Enter);
        for _ in 0..200 {
            if matches!(self.m.screen(), Screen::Comment) {
                break;
            }
            self = self.keys("1").wait(1);
        }
        self
    }
}

/// Every screen the kiosk shows, each in a typical state.
fn screens() -> anyhow::Result<Vec<(&'static str, Model)>> {
    let two_languages = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/icare-short.toml"),
    )?;
    let icare = || Drive::new(None, false);
    let tiny = || Drive::new(Some(&two_languages), false);
    let comment = || -> anyhow::Result<Drive> { Ok(icare()?.answer_all()) };
    Ok(vec![
        ("setup", Drive::new(None, true)?.m),
        ("welcome", icare()?.m),
        ("language", tiny()?.key(Key::Enter).m),
        ("question", icare()?.key(Key::Enter).key(Key::Enter).m),
        (
            "question_chosen",
            icare()?.key(Key::Enter).key(Key::Enter).keys("4").m,
        ),
        (
            "question_polish",
            tiny()?.key(Key::Enter).keys("2").wait(1).m,
        ),
        (
            "comment_typed",
            comment()?
                .keys("The nurse listened to me and did not rush.")
                .m,
        ),
        ("confirm", comment()?.key(Key::Enter).m),
        ("sending", comment()?.key(Key::Enter).key(Key::Enter).m),
        (
            "thanks",
            comment()?
                .key(Key::Enter)
                .key(Key::Enter)
                .send(|t| Msg::Submitted(Ok(()), t))
                .m,
        ),
        (
            "save_failed",
            comment()?
                .key(Key::Enter)
                .key(Key::Enter)
                .send(|t| Msg::Submitted(Err("disk full".into()), t))
                .m,
        ),
        (
            "still_there",
            icare()?
                .key(Key::Enter)
                .keys("1")
                .keys("1")
                .wait(60)
                .wait(3)
                .m,
        ),
        ("staff_pin", icare()?.key(Key::Staff).keys("12").m),
        (
            "staff_menu",
            icare()?
                .key(Key::Staff)
                .keys("1234")
                .key(Key::Enter)
                .send(|t| Msg::PinChecked(Ok(icare::keys::lockout::Verdict::Right), t))
                .m,
        ),
    ])
}

fn render_times() -> anyhow::Result<()> {
    let screens = screens()?;
    for (w, h) in [(120u16, 40u16), (250, 70)] {
        let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
        let mut worst = ("", 0.0f64);
        let mut total = 0.0;
        for (name, m) in &screens {
            // Warm up, then time enough frames for a stable mean.
            for _ in 0..20 {
                buf.reset();
                render(m, &Theme::COLOR, buf.area, &mut buf);
            }
            let runs = 500;
            let start = Instant::now();
            for _ in 0..runs {
                buf.reset();
                render(m, &Theme::COLOR, buf.area, &mut buf);
            }
            let us = start.elapsed().as_secs_f64() * 1e6 / runs as f64;
            println!("render {w}×{h} {name:16} {us:>8.1} µs");
            total += us;
            if us > worst.1 {
                worst = (name, us);
            }
        }
        let mean = total / screens.len() as f64;
        let target = (w == 120).then_some(1000.0);
        row(
            &format!(
                "kiosk: render one frame at {w}×{h}, slowest of {} screens ({})",
                screens.len(),
                worst.0
            ),
            &format!("{:.0} µs", worst.1),
            if target.is_some() { "< 1 ms" } else { "" },
            target.map(|t| worst.1 < t),
        );
        row(
            &format!("kiosk: render one frame at {w}×{h}, mean over the screens"),
            &format!("{mean:.0} µs"),
            "",
            None,
        );
    }
    Ok(())
}

fn launch_times(launches: usize) -> anyhow::Result<()> {
    let mut times = Vec::new();
    for _ in 0..launches.max(1) {
        let k = Kiosk::spawn(&[], 120, 40)?;
        times.push(k.first_frame(Duration::from_secs(10))?);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = ms(times[times.len() / 2]);
    let max = ms(times[times.len() - 1]);
    println!(
        "launch to first frame, {} launches: {:?}",
        times.len(),
        times
    );
    let what = format!(
        "kiosk: launch to first frame at 120×40, {} launches",
        times.len()
    );
    median_and_slowest(&what, median, max, Some(100.0));
    Ok(())
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    let utime: u64 = f.get(11).unwrap_or(&"0").parse()?;
    let stime: u64 = f.get(12).unwrap_or(&"0").parse()?;
    Ok(utime + stime)
}

fn status_kb(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .ok_or_else(|| anyhow::anyhow!("no {field} in /proc/{pid}/status"))?;
    Ok(line.split_whitespace().nth(1).unwrap_or("0").parse()?)
}

fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

fn idle_and_memory(idle_secs: u64) -> anyhow::Result<()> {
    let hz = clock_ticks_per_second();
    // Kiosk A waits on the welcome screen (where it spends most of its life). Kiosk B has a
    // question open with a 30-second idle timeout, so the same window also covers "Are you still
    // there?", its 15-second countdown and the wipe back to the welcome screen.
    let mut a = Kiosk::spawn(&[], 120, 40)?;
    let mut b = Kiosk::spawn(&["--idle-timeout", "30"], 120, 40)?;
    a.first_frame(Duration::from_secs(10))?;
    b.first_frame(Duration::from_secs(10))?;
    b.send("x")?;
    b.expect("Choose your language", Duration::from_secs(10))?;
    b.send("1")?;
    b.expect("Question 1 of", Duration::from_secs(10))?;
    thread::sleep(Duration::from_millis(500));
    let (pa, pb) = (a.pid()?, b.pid()?);
    let (a0, b0) = (cpu_ticks(pa)?, cpu_ticks(pb)?);
    let t0 = Instant::now();
    thread::sleep(Duration::from_secs(idle_secs));
    let (a1, b1) = (cpu_ticks(pa)?, cpu_ticks(pb)?);
    let secs = t0.elapsed().as_secs_f64();
    let pct = |d: u64| d as f64 / hz / secs * 100.0;
    let (ca, cb) = (pct(a1 - a0), pct(b1 - b0));
    println!(
        "idle {secs:.1} s: welcome {} ticks ({ca:.3}%), question + still-there {} ticks ({cb:.3}%), {hz} ticks/s",
        a1 - a0,
        b1 - b0
    );
    let res = format!("(tick = {:.0} ms)", 1e3 / hz);
    row(
        &format!("kiosk: CPU over {idle_secs} idle s on the welcome screen {res}"),
        &format!("{ca:.3} %"),
        "< 0.1 %",
        Some(ca < 0.1),
    );
    row(
        &format!(
            "kiosk: CPU over {idle_secs} idle s from a question through \"still there?\" and the wipe"
        ),
        &format!("{cb:.3} %"),
        "< 0.1 %",
        Some(cb < 0.1),
    );
    // Then a whole questionnaire on kiosk A: every question, a comment, send, thank you.
    a.send("x")?;
    a.expect("Choose your language", Duration::from_secs(10))?;
    a.send("1")?;
    a.expect("Question 1 of", Duration::from_secs(10))?;
    for _ in 0..a_steps()? {
        a.send("4\x1b[C")?;
    }
    a.expect("Please don't write names", Duration::from_secs(20))?;
    a.send("kind staff\r")?;
    // At 120×40 titles are drawn in big block letters; the body text is plain.
    a.expect(
        "Your answers are sent without your name",
        Duration::from_secs(10),
    )?;
    a.send("\r")?;
    a.expect(
        "Your answers help us make care here better",
        Duration::from_secs(10),
    )?;
    let hwm = status_kb(pa, "VmHWM:")? as f64 / 1024.0;
    let hwm_b = status_kb(pb, "VmHWM:")? as f64 / 1024.0;
    println!("peak RSS: after a full questionnaire {hwm:.1} MB; idle kiosk {hwm_b:.1} MB");
    row(
        "kiosk: peak resident memory (VmHWM) after idling and a whole questionnaire",
        &format!("{hwm:.1} MB"),
        "< 30 MB",
        Some(hwm < 30.0),
    );
    Ok(())
}

/// Keystroke to frame while typing a comment, and Enter to the thank-you screen (seal, save,
/// sync), with `bin`: the medians of 3 questionnaires.
fn typing(bin: &Path, flavour: &str) -> anyhow::Result<()> {
    let max = icare::survey::embedded()?
        .comment
        .map_or(0, |c| c.max_chars as usize);
    let text = "The nurse listened to me and did not rush. ".repeat(3);
    let mut keys = Vec::new();
    let mut sends = Vec::new();
    for _ in 0..3 {
        let mut k = Kiosk::spawn_bin(bin, &[], &[], 120, 40)?;
        k.first_frame(Duration::from_secs(10))?;
        k.send("x")?;
        k.expect("Question 1 of", Duration::from_secs(10))?;
        for _ in 0..a_steps()? {
            k.send("4\x1b[C")?;
        }
        k.expect("Please don't write names", Duration::from_secs(20))?;
        for (i, c) in text.chars().enumerate() {
            let shown = format!("You can write {} more letters.", max - i - 1);
            let t = Instant::now();
            k.send(&c.to_string())?;
            // Polled finely: the wait itself must not be what is measured.
            while !k.shows(&shown) {
                anyhow::ensure!(t.elapsed() < Duration::from_secs(10), "no frame for {c:?}");
                thread::sleep(Duration::from_micros(200));
            }
            keys.push(t.elapsed());
        }
        k.send("\r")?;
        k.expect(
            "Your answers are sent without your name",
            Duration::from_secs(10),
        )?;
        let t = Instant::now();
        k.send("\r")?;
        k.expect(
            "Your answers help us make care here better",
            Duration::from_secs(10),
        )?;
        sends.push(t.elapsed());
    }
    keys.sort();
    sends.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (key, send) = (ms(keys[keys.len() / 2]), ms(sends[sends.len() / 2]));
    println!("typing with {flavour}: key to frame {key:.2} ms, send to thank-you {send:.1} ms");
    row(
        &format!(
            "kiosk: key to frame while typing a comment, median of {}, {flavour}",
            keys.len()
        ),
        &format!("{key:.2} ms"),
        "",
        None,
    );
    row(
        &format!("kiosk: Enter to the thank-you screen (seal, save, sync), median of 3, {flavour}"),
        &format!("{send:.1} ms"),
        "",
        None,
    );
    Ok(())
}

/// Questions of the built-in survey (items plus the headline).
fn a_steps() -> anyhow::Result<usize> {
    let s = icare::survey::embedded()?;
    Ok(s.items.len() + usize::from(s.headline.is_some()))
}
