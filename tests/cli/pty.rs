//! A pseudo-terminal harness: runs the real binary in a pty and keeps an emulated screen (vt100) of what it drew.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

/// The `icare` binary running in a pseudo-terminal of a fixed size.
pub struct Pty {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    /// Set by the reader thread once the program's side of the terminal is closed.
    ended: Arc<std::sync::atomic::AtomicBool>,
    // Kept so the master side stays open while the child runs.
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Pty {
    /// Start `icare --data DATA ARGS...` with a clean `ICARE_*` environment plus `env`.
    pub fn spawn(data: &Path, args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_icare"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("ICARE_") {
                cmd.env_remove(&key);
            }
        }
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.arg("--data");
        cmd.arg(data);
        for a in args {
            cmd.arg(a);
        }
        let child = pair
            .slave
            .spawn_command(cmd)
            .expect("spawn icare in the pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (sink, raw_sink) = (Arc::clone(&screen), Arc::clone(&raw));
        let ended = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let ended_flag = Arc::clone(&ended);
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
                raw_sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
            ended_flag.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        Pty {
            child,
            writer,
            screen,
            raw,
            ended,
            _master: pair.master,
        }
    }

    /// Type bytes as if on the keyboard.
    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// The screen's text now.
    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Every byte the program has written to the terminal so far.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// Every byte the program wrote, once it has ended and its output is drained (the reader
    /// thread may still hold the last bytes when the process exit is seen).
    pub fn raw_at_end(&self, timeout: Duration) -> Vec<u8> {
        let start = Instant::now();
        while !self.ended.load(std::sync::atomic::Ordering::SeqCst) && start.elapsed() < timeout {
            thread::sleep(Duration::from_millis(10));
        }
        self.raw()
    }

    /// Wait until the screen shows `text`; panics with the screen if it does not within `timeout`.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let now = self.contents();
            if now.contains(text) {
                return now;
            }
            if start.elapsed() > timeout {
                panic!("the screen never showed {text:?}; it shows:\n{now}");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// The program's process id.
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("the child has a process id")
    }

    /// Whether the program is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Wait for the program to end and return its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<u32> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.exit_code());
            }
            thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
