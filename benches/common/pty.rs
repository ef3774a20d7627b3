//! The real `icare` binary in a pseudo-terminal, for the benchmark programs: spawned on a fresh
//! store, with the instant its screen first showed the welcome, and keys sent as bytes. Each
//! benchmark program uses only part of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// The real binary in a pseudo-terminal, with the instant its screen first showed a text.
pub struct Kiosk {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    seen: Arc<Mutex<(vt100::Parser, Option<Instant>)>>,
    started: Instant,
    _master: Box<dyn MasterPty + Send>,
    _data: tempfile::TempDir,
}

pub const WELCOME: &str = "Press any key or tap to start";

impl Kiosk {
    pub fn spawn(extra: &[&str], cols: u16, rows: u16) -> anyhow::Result<Kiosk> {
        Kiosk::spawn_with(extra, &[], cols, rows)
    }

    /// [`Kiosk::spawn`] with extra environment variables.
    pub fn spawn_with(
        extra: &[&str],
        env: &[(&str, &std::ffi::OsStr)],
        cols: u16,
        rows: u16,
    ) -> anyhow::Result<Kiosk> {
        Kiosk::spawn_bin(
            Path::new(env!("CARGO_BIN_EXE_icare")),
            extra,
            env,
            cols,
            rows,
        )
    }

    /// [`Kiosk::spawn_with`] with another `icare` binary.
    pub fn spawn_bin(
        bin: &Path,
        extra: &[&str],
        env: &[(&str, &std::ffi::OsStr)],
        cols: u16,
        rows: u16,
    ) -> anyhow::Result<Kiosk> {
        let data = tempfile::tempdir()?;
        let made = std::process::Command::new(bin)
            .arg("--data")
            .arg(data.path())
            .args(["init", "--site", "Bench", "--kdf-work-factor", "10"])
            .env("ICARE_PASSPHRASE", "benchmark passphrase")
            .env("ICARE_EXIT_PIN", "246813")
            .output()?;
        anyhow::ensure!(made.status.success(), "icare init failed: {made:?}");
        let pair = native_pty_system().openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })?;
        let mut cmd = CommandBuilder::new(bin);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.arg("--data");
        cmd.arg(data.path());
        cmd.arg("kiosk");
        cmd.args(extra);
        let seen = Arc::new(Mutex::new((vt100::Parser::new(rows, cols, 0), None)));
        let sink = Arc::clone(&seen);
        let mut reader = pair.master.try_clone_reader()?;
        let writer = pair.master.take_writer()?;
        let started = Instant::now();
        let child = pair.slave.spawn_command(cmd)?;
        drop(pair.slave);
        thread::spawn(move || {
            let mut buf = [0u8; 16384];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let Ok(mut s) = sink.lock() else { break };
                s.0.process(&buf[..n]);
                if s.1.is_none() && s.0.screen().contents().contains(WELCOME) {
                    s.1 = Some(Instant::now());
                }
            }
        });
        Ok(Kiosk {
            child,
            writer,
            seen,
            started,
            _master: pair.master,
            _data: data,
        })
    }

    pub fn first_frame(&self, timeout: Duration) -> anyhow::Result<Duration> {
        let until = Instant::now() + timeout;
        while Instant::now() < until {
            if let Some(t) = self.seen.lock().map_err(|_| anyhow::anyhow!("reader"))?.1 {
                return Ok(t - self.started);
            }
            thread::sleep(Duration::from_millis(2));
        }
        anyhow::bail!("the kiosk showed no welcome screen within {timeout:?}")
    }

    pub fn wait_for(&self, text: &str, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        while Instant::now() < until {
            if self.shows(text) {
                return true;
            }
            thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// Whether the screen shows a text now, without waiting.
    pub fn shows(&self, text: &str) -> bool {
        self.seen
            .lock()
            .is_ok_and(|s| s.0.screen().contents().contains(text))
    }

    pub fn screen(&self) -> String {
        self.seen
            .lock()
            .map(|s| s.0.screen().contents())
            .unwrap_or_default()
    }

    /// Wait for a text, or fail with what the screen shows.
    pub fn expect(&self, text: &str, timeout: Duration) -> anyhow::Result<()> {
        if self.wait_for(text, timeout) {
            return Ok(());
        }
        anyhow::bail!(
            "the kiosk never showed {text:?}; it shows:\n{}",
            self.screen()
        )
    }

    pub fn send(&mut self, bytes: &str) -> anyhow::Result<()> {
        self.writer.write_all(bytes.as_bytes())?;
        Ok(self.writer.flush()?)
    }

    pub fn pid(&self) -> anyhow::Result<u32> {
        self.child
            .process_id()
            .ok_or_else(|| anyhow::anyhow!("no pid"))
    }
}

impl Drop for Kiosk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
