//! The kiosk's own ends of the terminal: input read and decoded here ([`TermInput`]) and output
//! buffered here ([`WipedOutput`]), each wiping what a patient typed as soon as it has been used.
//!
//! crossterm still switches raw mode, the alternate screen and the mouse on and off, and ratatui
//! still draws; only the two buffers that hold the patient's words are the kiosk's own. Why each
//! is needed is in `docs/security.md` ("Memory"), proven by `tests/cli/memory.rs`.

pub mod decode;

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::Event;
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use zeroize::Zeroize;

use decode::Decoder;

/// How long an Esc waits for the rest of a key's sequence before it counts as the Esc key.
/// Terminals send a sequence in one write, so its bytes arrive together.
const ESC_WAIT: Duration = Duration::from_millis(30);

/// Keyboard, mouse and resize events from the terminal on standard input.
#[derive(Debug)]
pub struct TermInput {
    tty: File,
    /// Readable when the terminal was resized (SIGWINCH).
    resized: UnixStream,
    buf: [u8; 256],
    decoder: Decoder,
}

impl TermInput {
    /// Read the terminal on standard input; notice resizes.
    pub fn open() -> io::Result<TermInput> {
        let tty = File::from(io::stdin().as_fd().try_clone_to_owned()?);
        let (resized, wake) = UnixStream::pair()?;
        resized.set_nonblocking(true)?;
        wake.set_nonblocking(true)?;
        signal_hook::low_level::pipe::register(signal_hook::consts::SIGWINCH, wake)?;
        Ok(TermInput {
            tty,
            resized,
            buf: [0; 256],
            decoder: Decoder::default(),
        })
    }

    /// Wait at most `timeout` for input and return the events it makes: none when the time ran
    /// out. The bytes read are wiped as soon as they are decoded.
    pub fn wait(&mut self, timeout: Duration) -> io::Result<Vec<Event>> {
        let mut out = Vec::new();
        let until = Instant::now() + timeout;
        loop {
            let now = Instant::now();
            let mut wait = until.saturating_duration_since(now);
            if self.decoder.escape_pending() {
                wait = wait.min(ESC_WAIT);
            }
            let (tty, resized) = self.ready(wait)?;
            if resized {
                let mut drain = [0u8; 32];
                while matches!(self.resized.read(&mut drain), Ok(n) if n > 0) {}
                let (w, h) = ratatui::crossterm::terminal::size()?;
                out.push(Event::Resize(w, h));
            }
            if tty {
                let n = self.tty.read(&mut self.buf)?;
                if n == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the terminal closed its input",
                    ));
                }
                self.decoder.feed(&self.buf[..n], &mut out);
                self.buf[..n].zeroize();
            } else if !resized && self.decoder.escape_pending() {
                self.decoder.timeout(&mut out);
            }
            if !out.is_empty() || Instant::now() >= until {
                return Ok(out);
            }
        }
    }

    /// Whether the terminal and the resize pipe are readable, after waiting at most `wait`.
    fn ready(&self, wait: Duration) -> io::Result<(bool, bool)> {
        let mut fds = [
            PollFd::new(&self.tty, PollFlags::IN),
            PollFd::new(&self.resized, PollFlags::IN),
        ];
        let timeout = Timespec {
            tv_sec: wait.as_secs().try_into().unwrap_or(i64::MAX),
            tv_nsec: wait.subsec_nanos().into(),
        };
        match poll(&mut fds, Some(&timeout)) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => return Ok((false, false)),
            Err(e) => return Err(e.into()),
        }
        let ready = |fd: &PollFd| {
            fd.revents()
                .intersects(PollFlags::IN | PollFlags::HUP | PollFlags::ERR)
        };
        Ok((ready(&fds[0]), ready(&fds[1])))
    }
}

/// Whether `e` means the terminal has gone (hung up, closed): end of input, or EIO as Linux
/// returns after a hangup.
pub fn is_hangup(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::UnexpectedEof
        || e.raw_os_error() == Some(rustix::io::Errno::IO.raw_os_error())
}

/// The terminal's output, buffered for one frame at a time and wiped after every flush.
///
/// ratatui writes a frame as many small pieces; standard output's own buffer would keep the last
/// kilobyte of them (a typed comment among them) until it is overwritten. This buffer is written
/// straight to the terminal and zeroed at each flush, which ratatui does after every frame.
pub struct WipedOutput {
    out: File,
    buf: Vec<u8>,
}

/// Bytes buffered before a write to the terminal (a full 250×70 frame with colours is ~150 KB).
const OUTPUT_BUFFER: usize = 64 * 1024;

impl WipedOutput {
    /// Standard output, unbuffered by Rust's own `Stdout`.
    pub fn stdout() -> io::Result<WipedOutput> {
        Ok(WipedOutput {
            out: File::from(io::stdout().as_fd().try_clone_to_owned()?),
            buf: Vec::with_capacity(OUTPUT_BUFFER),
        })
    }

    fn write_out(&mut self) -> io::Result<()> {
        let written = self.out.write_all(&self.buf);
        self.buf.as_mut_slice().zeroize();
        self.buf.clear();
        written
    }
}

impl Write for WipedOutput {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() + data.len() > OUTPUT_BUFFER {
            self.write_out()?;
        }
        if data.len() >= OUTPUT_BUFFER {
            self.out.write_all(data)?;
        } else {
            self.buf.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_out()?;
        self.out.flush()
    }
}

impl Drop for WipedOutput {
    fn drop(&mut self) {
        let _ = self.flush();
        self.buf.zeroize();
    }
}

impl std::fmt::Debug for WipedOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WipedOutput({} bytes buffered)", self.buf.len())
    }
}
