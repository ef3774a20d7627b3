//! `icare kiosk --speech` and `--speech-out`: in a pseudo-terminal with the real espeak-ng, each
//! screen is read into a WAV file in the chosen language, longer text makes longer audio, typing
//! and pasting read nothing aloud, a pasted line break never sends, and with no working sound
//! device the kiosk says so once in the staff log and goes on.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::kiosk::{init_store, staff_quit, stored};
use crate::pty::Pty;

const WAIT: Duration = Duration::from_secs(30);
const RIGHT: &[u8] = b"\x1b[C";

/// The finished WAV files in `dir`, by name, in the order written.
fn wavs(dir: &Path) -> Vec<(String, u64)> {
    icare::speech::written(dir)
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::metadata(p).unwrap().len())
        })
        .collect()
}

/// Wait until a file whose name ends with `suffix` (`question-02-pl.wav`) has been written.
fn wait_wav(dir: &Path, suffix: &str) -> (String, u64) {
    let until = Instant::now() + WAIT;
    loop {
        if let Some(found) = wavs(dir).into_iter().find(|(n, _)| n.ends_with(suffix)) {
            return found;
        }
        assert!(Instant::now() < until, "no {suffix} in {:?}", wavs(dir));
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Audio length in seconds from a WAV file's size (16-bit mono, as espeak-ng writes it).
fn seconds(bytes: u64, rate: u64) -> f64 {
    (bytes.saturating_sub(44)) as f64 / (2 * rate) as f64
}

fn sample_rate(path: &PathBuf) -> u64 {
    let head = std::fs::read(path).unwrap();
    u64::from(u32::from_le_bytes(head[24..28].try_into().unwrap()))
}

#[test]
fn each_screen_is_read_into_a_file_in_the_chosen_language_and_typing_is_never_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = dir.path().join("speech");
    init_store(&data);
    let survey = icare::survey::embedded().unwrap();
    let speech_out = out.display().to_string();
    let mut pty = Pty::spawn(&data, &["kiosk", "--speech-out", &speech_out], &[], 60, 20);
    pty.wait_for("Press any key or tap to start", WAIT);
    wait_wav(&out, "-welcome-en.wav");
    pty.send(b"x");
    pty.wait_for("Wybierz", WAIT);
    wait_wav(&out, "-language-en.wav");
    pty.send(b"2");
    let total = survey.items.len() + 1;
    pty.wait_for(&format!("Pytanie 1 z {total}"), WAIT);
    pty.wait_for("0  Posłuchaj znowu", WAIT);
    // Every question, answered "Skip" (7), is read in Polish, one file each.
    for i in 1..=total {
        pty.wait_for(&format!("Pytanie {i} z {total}"), WAIT);
        wait_wav(&out, &format!("-question-{i:02}-pl.wav"));
        pty.send(b"7");
        pty.send(RIGHT);
    }
    pty.wait_for("Czy chcesz nam jeszcze", WAIT);
    wait_wav(&out, "-comment-pl.wav");
    let before = wavs(&out);
    // Typing and a pasted text with line breaks: nothing is read, nothing is sent.
    pty.send(b"Zyx");
    pty.send(b"\x1b[200~Qvw\r\nline two\n\x1b[201~");
    pty.wait_for("ZyxQvw line two", WAIT);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !pty.contents().contains("Gotowe do wysłania"),
        "a pasted line break sent the survey"
    );
    assert_eq!(wavs(&out), before, "typing or pasting was read aloud");
    pty.send(b"\r");
    pty.wait_for("Gotowe do wysłania?", WAIT);
    wait_wav(&out, "-confirm-pl.wav");
    pty.send(b"1");
    pty.wait_for("Dziękujemy", WAIT);
    wait_wav(&out, "-thanks-pl.wav");
    staff_quit(&mut pty);

    let responses = stored(&data);
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].language, "pl");
    assert_eq!(responses[0].comment.as_deref(), Some("ZyxQvw line two"));

    // Longer text, longer audio: question by question, the spoken text against the audio.
    let files = icare::speech::written(&out);
    let rate = sample_rate(&files[0]);
    let mut pairs: Vec<(usize, f64)> = Vec::new();
    for (i, item) in survey.items.iter().enumerate() {
        let (name, bytes) = wait_wav(&out, &format!("-question-{:02}-pl.wav", i + 1));
        assert!(bytes > 44 + 2 * rate, "{name} is under a second long");
        pairs.push((item.text.get("pl").chars().count(), seconds(bytes, rate)));
    }
    pairs.sort_by_key(|p| p.0);
    let (short, long) = (pairs[0], pairs[pairs.len() - 1]);
    assert!(
        long.1 > short.1 + 1.0,
        "the longest question ({} characters, {:.1} s) should last longer than the shortest \
         ({} characters, {:.1} s)",
        long.0,
        long.1,
        short.0,
        short.1
    );
    let welcome = wait_wav(&out, "-welcome-en.wav").1;
    let thanks = wait_wav(&out, "-thanks-pl.wav").1;
    assert!(
        welcome > 3 * thanks,
        "welcome {welcome} bytes, thanks {thanks}"
    );
    let log = std::fs::read_to_string(data.join("kiosk.log")).unwrap();
    assert!(log.contains("never with patients"), "{log}");
    assert!(!log.contains("no sound"), "{log}");
}

#[test]
fn with_no_working_sound_device_the_kiosk_logs_one_line_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    init_store(&data);
    // No ALSA configuration and no PulseAudio server: espeak-ng cannot open any sound device.
    let env = [
        ("ALSA_CONFIG_PATH", "/nonexistent/alsa.conf"),
        ("PULSE_SERVER", "unix:/nonexistent/pulse"),
    ];
    let mut pty = Pty::spawn(&data, &["kiosk", "--speech"], &env, 80, 24);
    pty.wait_for("Press any key or tap to start", WAIT);
    pty.send(b"x");
    pty.wait_for("Choose your language", WAIT);
    pty.send(b"1");
    pty.wait_for("Question 1 of", WAIT);
    pty.send(b"0");
    pty.send(b"4");
    pty.send(RIGHT);
    pty.wait_for("Question 2 of", WAIT);
    let log_file = data.join("kiosk.log");
    let until = Instant::now() + WAIT;
    while !std::fs::read_to_string(&log_file)
        .unwrap_or_default()
        .contains("speech: no sound")
    {
        assert!(Instant::now() < until, "no speech line in the staff log");
        std::thread::sleep(Duration::from_millis(50));
    }
    staff_quit(&mut pty);
    let log = std::fs::read_to_string(&log_file).unwrap();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("speech:")).collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert!(lines[0].contains("check the headphones"), "{log}");
}

/// Whether process `pid` has ended (gone, or a zombie nobody has reaped yet).
fn ended(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.is_empty() || status.contains("State:\tZ")
}

#[test]
fn systemctl_stop_also_stops_the_voice_in_the_middle_of_a_sentence() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    init_store(&data);
    // An engine that is still speaking 30 seconds later, and says which process it is. It ignores
    // hang-ups, as when the kiosk was started from a shell: then no hang-up reaches the engine
    // when the kiosk ends (here the kiosk leads the terminal's session, whose end would send one).
    let pids = dir.path().join("pids");
    let engine = dir.path().join("slow-espeak-ng");
    let script = format!(
        "#!/bin/sh\necho $$ >> '{}'\ntrap '' HUP\nexec sleep 30\n",
        pids.display()
    );
    std::fs::write(&engine, script).unwrap();
    std::fs::set_permissions(&engine, std::fs::Permissions::from_mode(0o755)).unwrap();
    let engine = engine.display().to_string();
    let mut pty = Pty::spawn(
        &data,
        &["kiosk", "--speech"],
        &[("ICARE_ESPEAK", &engine)],
        80,
        24,
    );
    pty.wait_for("Press any key or tap to start", WAIT);
    let until = Instant::now() + WAIT;
    let pid: u32 = loop {
        let first = std::fs::read_to_string(&pids).unwrap_or_default();
        if let Some(pid) = first.lines().next().and_then(|l| l.trim().parse().ok()) {
            break pid;
        }
        assert!(Instant::now() < until, "the welcome was never said");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!ended(pid), "the voice should still be speaking");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pty.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(pty.wait_exit(WAIT), Some(128 + 15));
    let until = Instant::now() + Duration::from_secs(2);
    while !ended(pid) {
        assert!(
            Instant::now() < until,
            "espeak-ng ({pid}) goes on speaking after the kiosk stopped"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let log = std::fs::read_to_string(data.join("kiosk.log")).unwrap();
    assert!(log.contains("kiosk stopped by signal 15"), "{log}");
    assert!(!log.contains("speech:"), "{log}");
}
