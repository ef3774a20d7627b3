//! Nothing of a patient's words stays in the kiosk's memory: the real binary in a pseudo-terminal,
//! read as an attacker with root would read it (`/proc/PID/maps` and `/proc/PID/mem`), after the
//! thank-you screen and after the idle wipe of an abandoned questionnaire, with and without the
//! screens read aloud.
//!
//! Each comment starts with a pasted marker (bracketed paste, through the kiosk's own input
//! decoder), then is typed one key at a time, as a person would, and holds a phone number so that
//! the scrubbed form differs from the typed one. Every scan of a live comment must find it first (so a
//! scan that reads the wrong memory, or none, fails), and every scan after a wipe must find no
//! 8-character piece of it: not as UTF-8, nor spread out at a fixed stride (UTF-16, UTF-32
//! `Vec<char>`, a grid of screen cells). The kiosk must also have switched core dumps off and,
//! as root may, locked its memory out of swap.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::time::Duration;

use rand::Rng;

use crate::kiosk::init_store;
use crate::pty::Pty;

const WAIT: Duration = Duration::from_secs(30);
const RIGHT: &[u8] = b"\x1b[C";
/// Shortest piece of a comment searched for, in characters.
const PIECE: usize = 8;
/// Widest spacing between the characters of a spread-out copy, in bytes (a ratatui cell is
/// smaller than this).
const MAX_STRIDE: usize = 64;
const MAX_CHARS: usize = 200;

/// Random capitals nobody else would write.
fn random_letters(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(rng.gen_range(b'A'..=b'Z')))
        .collect()
}

/// A comment nobody else would write: a pasted marker of random capitals, then typed random
/// capitals and a phone number the scrubber removes. The pasted part, the typed part, the whole
/// comment and its scrubbed form.
fn unique_comment() -> (String, String, String, String) {
    let pasted = format!("{} ", random_letters(16));
    let typed = format!(
        "{} ring 07700 9{:05}",
        random_letters(20),
        rand::thread_rng().gen_range(0..100_000)
    );
    let whole = format!("{pasted}{typed}");
    let scrubbed = icare::scrub::scrub_comment(&whole);
    assert!(scrubbed.ends_with(icare::scrub::MARKER), "{scrubbed}");
    (pasted, typed, whole, scrubbed)
}

/// Every 8-character piece of the typed comment and of its scrubbed form that holds part of what
/// the patient typed (pieces that lie wholly inside the "[removed]" marker say nothing).
fn pieces(typed: &str, scrubbed: &str) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let own = scrubbed.len() - icare::scrub::MARKER.len();
    for (text, starts) in [(typed, typed.len()), (scrubbed, own)] {
        let b = text.as_bytes();
        for i in 0..b.len().saturating_sub(PIECE - 1).min(starts) {
            let p = b[i..i + PIECE].to_vec();
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// One writable mapping of the process, as read through `/proc/PID/mem`.
struct Region {
    name: String,
    start: u64,
    bytes: Vec<u8>,
}

/// Every writable mapping of `pid` (heap, stacks, anonymous memory, `.data`, `.bss`). Panics when
/// the memory cannot be read: a scan that reads nothing must never pass.
fn writable_memory(pid: u32) -> Vec<Region> {
    let how = "reading another process's memory needs root (CAP_SYS_PTRACE), more so once the \
               kiosk has made itself undumpable; run the tests as root as CI does";
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps"))
        .unwrap_or_else(|e| panic!("cannot read /proc/{pid}/maps ({e}): {how}"));
    let mem = File::open(format!("/proc/{pid}/mem"))
        .unwrap_or_else(|e| panic!("cannot open /proc/{pid}/mem ({e}): {how}"));
    let mut out = Vec::new();
    for line in maps.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (Some(range), Some(perms)) = (f.first(), f.get(1)) else {
            continue;
        };
        if !perms.starts_with("rw") {
            continue;
        }
        let name = f.get(5).copied().unwrap_or("[anonymous]").to_string();
        let (a, b) = range.split_once('-').expect("a range in /proc/PID/maps");
        let start = u64::from_str_radix(a, 16).unwrap();
        let end = u64::from_str_radix(b, 16).unwrap();
        let mut bytes = vec![0u8; (end - start) as usize];
        match mem.read_exact_at(&mut bytes, start) {
            Ok(()) => out.push(Region { name, start, bytes }),
            Err(e) => panic!("cannot read {name} at {start:#x} of /proc/{pid}/mem ({e}): {how}"),
        }
    }
    assert!(
        out.iter()
            .any(|r| r.name == "[heap]" || r.name == "[anonymous]"),
        "no heap among the writable mappings of {pid}:\n{maps}"
    );
    out
}

/// Where any piece occurs in `regions`, as UTF-8 or spread out at a fixed stride.
fn traces(regions: &[Region], pieces: &[Vec<u8>]) -> Vec<String> {
    let mut by_first: Vec<Vec<&[u8]>> = vec![Vec::new(); 256];
    for p in pieces {
        by_first[usize::from(p[0])].push(p);
    }
    let mut found = Vec::new();
    for r in regions {
        let m = &r.bytes;
        for (i, &byte) in m.iter().enumerate() {
            for p in &by_first[usize::from(byte)] {
                for stride in 1..=MAX_STRIDE {
                    if i + (PIECE - 1) * stride >= m.len() {
                        break;
                    }
                    if (1..PIECE).all(|k| m[i + k * stride] == p[k]) {
                        found.push(format!(
                            "{:?} at {:#x} in {} (stride {stride})",
                            String::from_utf8_lossy(p),
                            r.start + i as u64,
                            r.name
                        ));
                    }
                }
            }
        }
    }
    found
}

/// Paste `pasted` into the empty comment box, then type `typed` one key at a time, each key seen
/// on screen before the next.
fn paste_and_type(pty: &mut Pty, pasted: &str, typed: &str) {
    pty.send(format!("\x1b[200~{pasted}\x1b[201~").as_bytes());
    let mut written = pasted.chars().count();
    pty.wait_for(
        &format!("You can write {} more letters.", MAX_CHARS - written),
        WAIT,
    );
    for c in typed.chars() {
        pty.send(c.to_string().as_bytes());
        written += 1;
        pty.wait_for(
            &format!("You can write {} more letters.", MAX_CHARS - written),
            WAIT,
        );
    }
}

/// From the welcome screen to the comment box, with the one question answered.
fn to_the_comment_box(pty: &mut Pty) {
    pty.wait_for("Press any key or tap to start", WAIT);
    pty.send(b"x");
    pty.wait_for("Question 1 of 1", WAIT);
    pty.send(b"2");
    pty.send(RIGHT);
    pty.wait_for("Anything else?", WAIT);
}

fn assert_found(pid: u32, pieces: &[Vec<u8>], when: &str) {
    let found = traces(&writable_memory(pid), pieces);
    assert!(
        !found.is_empty(),
        "{when}: the comment being typed was not found in the kiosk's memory, so the scan does \
         not read what it should"
    );
}

fn assert_gone(pid: u32, pieces: &[Vec<u8>], when: &str) {
    let found = traces(&writable_memory(pid), pieces);
    assert!(
        found.is_empty(),
        "{when}: {} pieces of a patient's comment are still in the kiosk's memory:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// No core file (`RLIMIT_CORE` 0) and, as root may, every page locked out of swap.
fn assert_hardened(pid: u32, data: &std::path::Path) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    assert_eq!(
        core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(),
        ["0", "0"],
        "{core}"
    );
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib = |field: &str| -> u64 {
        let line = status.lines().find(|l| l.starts_with(field)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    let log = std::fs::read_to_string(data.join("kiosk.log")).unwrap_or_default();
    assert!(!log.contains("not locked"), "{log}");
    assert!(!log.contains("core dumps"), "{log}");
    assert!(
        kib("VmLck:") >= kib("VmRSS:") / 2,
        "the kiosk's memory is not locked:\n{status}"
    );
}

/// A questionnaire sent and one abandoned, each with a pasted and typed comment, in a kiosk
/// started with `extra` arguments: no trace of either comment after thanks and after the wipe.
fn no_trace_after_thanks_or_the_idle_wipe(extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    init_store(&data);
    let survey = crate::util::repo("tests/testdata/memory-survey.toml");
    let survey = survey.to_str().unwrap();
    let mut args = vec!["kiosk", "--survey", survey, "--idle-timeout", "5"];
    args.extend(extra);
    let mut pty = Pty::spawn(&data, &args, &[("NO_COLOR", "1")], 80, 24);
    let pid = pty.pid();
    to_the_comment_box(&mut pty);
    assert_hardened(pid, &data);

    // A sent questionnaire.
    let (pasted, typed, whole, scrubbed) = unique_comment();
    let sent = pieces(&whole, &scrubbed);
    paste_and_type(&mut pty, &pasted, &typed);
    assert_found(pid, &sent, "while the comment is on screen");
    let pasted_pieces: Vec<Vec<u8>> = pasted
        .as_bytes()
        .windows(PIECE)
        .map(<[u8]>::to_vec)
        .collect();
    assert_found(pid, &pasted_pieces, "while the pasted part is on screen");
    pty.send(b"\r");
    pty.wait_for("Ready to send?", WAIT);
    pty.send(b"\r");
    pty.wait_for("Thank you", WAIT);
    assert_gone(pid, &sent, "on the thank-you screen");

    // An abandoned one, wiped when nobody answers "Are you still there?".
    pty.send(b"x");
    let (pasted, typed, whole, scrubbed) = unique_comment();
    let abandoned = pieces(&whole, &scrubbed);
    to_the_comment_box(&mut pty);
    paste_and_type(&mut pty, &pasted, &typed);
    assert_found(pid, &abandoned, "while the second comment is on screen");
    pty.wait_for("Are you still there?", WAIT);
    pty.wait_for("Press any key or tap to start", WAIT);
    let both: Vec<Vec<u8>> = sent.into_iter().chain(abandoned).collect();
    assert_gone(pid, &both, "after the idle wipe");
    assert!(pty.is_running());
}

#[test]
fn no_trace_of_a_comment_stays_in_memory_after_thanks_or_after_the_idle_wipe() {
    no_trace_after_thanks_or_the_idle_wipe(&[]);
}

/// With the screens read aloud (into WAV files, by the real espeak-ng): what is said is only ever
/// the survey's and the kiosk's words, and the speech thread keeps no comment either.
#[test]
fn no_trace_of_a_comment_stays_in_memory_with_the_screens_read_aloud() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().display().to_string();
    no_trace_after_thanks_or_the_idle_wipe(&["--speech-out", &out]);
}
