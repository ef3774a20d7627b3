//! Reading a framed file as a stream, one frame in memory at a time, with exactly the rules of
//! [`format::scan`]: for batches and imported files too large to hold whole. It can also hash
//! every byte it reads, so that a second pass over a file can prove it read the same bytes.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

use super::format::{
    self, FILE_HEADER_LEN, FRAME_HEADER_LEN, FRAME_TRAILER_LEN, FileFormat, HeaderError,
    MAX_PAYLOAD, crc32c,
};

/// Why a stream could not be opened as a framed file.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Reading failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The header is wrong: another kind of file, a newer version, or damage.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// The file stops inside a header that was right so far: a file cut short.
    #[error("the file is cut short inside its header")]
    Torn,
}

/// What comes next in a framed file.
#[derive(Debug)]
pub enum Step<'a> {
    /// A frame whose two checks pass.
    Frame(FrameRef<'a>),
    /// A frame whose header checks but whose payload does not: reading goes on after it.
    BadPayload { offset: u64 },
    /// A frame header that fails its check: the rest of the file cannot be framed.
    BadFrameHeader { offset: u64 },
    /// An incomplete last frame (or a run of zero bytes to the end) from `offset`.
    Torn { offset: u64 },
    /// The end of the file, after a whole frame.
    End,
}

/// A frame read from a stream; its bytes stay valid until the next read.
#[derive(Debug)]
pub struct FrameRef<'a> {
    /// Offset of the frame header in the file.
    pub offset: u64,
    pub kind: u8,
    /// The frame's 9 header bytes, its payload and the payload's CRC-32C: together, the frame
    /// byte for byte as in the file.
    pub head: &'a [u8; FRAME_HEADER_LEN],
    pub payload: &'a [u8],
    pub trailer: &'a [u8; FRAME_TRAILER_LEN],
}

impl FrameRef<'_> {
    /// Offset of the payload in the file.
    pub fn start(&self) -> u64 {
        self.offset + FRAME_HEADER_LEN as u64
    }
    /// The whole frame's length in the file.
    pub fn len(&self) -> u64 {
        (FRAME_HEADER_LEN + self.payload.len() + FRAME_TRAILER_LEN) as u64
    }
    /// Never: a frame has at least its header and trailer.
    pub fn is_empty(&self) -> bool {
        false
    }
    /// Feed the frame's bytes, exactly as in the file, to `hasher`.
    pub fn hash_into(&self, hasher: &mut Sha256) {
        hasher.update(self.head);
        hasher.update(self.payload);
        hasher.update(self.trailer);
    }
}

/// A framed file read from any [`Read`], frame by frame.
pub struct FrameReader<R> {
    r: R,
    version: u16,
    offset: u64,
    head: [u8; FRAME_HEADER_LEN],
    buf: Vec<u8>,
    trailer: [u8; FRAME_TRAILER_LEN],
    /// SHA-256 of every byte read so far, when asked for.
    hasher: Option<Sha256>,
    finished: bool,
}

impl<R: Read> FrameReader<R> {
    /// Check the file header (`magic`, a version from 1 to `max_version`, reserved bytes zero)
    /// and get ready to read frames. With `hash`, every byte read is hashed ([`Self::sha256`]).
    pub fn open(
        mut r: R,
        magic: [u8; 8],
        max_version: u16,
        expected: &'static str,
        hash: bool,
    ) -> Result<Self, OpenError> {
        let mut header = [0u8; FILE_HEADER_LEN];
        let got = read_full(&mut r, &mut header)?;
        let mut hasher = hash.then(Sha256::new);
        if let Some(h) = &mut hasher {
            h.update(&header[..got]);
        }
        let bytes = &header[..got];
        if got < FILE_HEADER_LEN
            && (1..=max_version).any(|v| format::file_header_v(magic, v).starts_with(bytes))
        {
            return Err(OpenError::Torn);
        }
        if got < 8 || bytes[..8] != magic {
            return Err(HeaderError::WrongMagic { expected }.into());
        }
        if got < FILE_HEADER_LEN {
            return Err(HeaderError::Damaged.into());
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if version > max_version {
            return Err(HeaderError::NewerVersion(version).into());
        }
        if version == 0 || bytes[10..12] != [0, 0] {
            return Err(HeaderError::Damaged.into());
        }
        Ok(FrameReader {
            r,
            version,
            offset: FILE_HEADER_LEN as u64,
            head: [0; FRAME_HEADER_LEN],
            buf: Vec::new(),
            trailer: [0; FRAME_TRAILER_LEN],
            hasher,
            finished: false,
        })
    }

    /// [`FrameReader::open`] for a registered format: its magic, its newest version, its name.
    pub fn of(r: R, format: &FileFormat, hash: bool) -> Result<Self, OpenError> {
        Self::open(r, format.magic, format.version, format.name, hash)
    }

    /// The format version in the file header.
    pub fn version(&self) -> u16 {
        self.version
    }

    /// How many bytes have been read.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The SHA-256 of every byte read so far (of the whole file once [`Step::End`] was
    /// returned); `None` unless asked for at [`Self::open`].
    pub fn sha256(&self) -> Option<[u8; 32]> {
        self.hasher.as_ref().map(|h| h.clone().finalize().into())
    }

    /// Read `buf.len()` bytes or up to the end, hashing what was read.
    fn fill(&mut self, which: Buf, len: usize) -> io::Result<usize> {
        let buf: &mut [u8] = match which {
            Buf::Head => &mut self.head,
            Buf::Payload => {
                self.buf.resize(len, 0);
                &mut self.buf
            }
            Buf::Trailer => &mut self.trailer,
        };
        let got = read_full(&mut self.r, buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..got]);
        }
        self.offset += got as u64;
        Ok(got)
    }

    /// Whether every byte from here to the end of the file is zero (reading it all).
    fn zeros_to_end(&mut self, already: bool) -> io::Result<bool> {
        let mut all = already;
        let mut chunk = [0u8; 8192];
        loop {
            let n = match self.r.read(&mut chunk) {
                Ok(0) => return Ok(all),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if let Some(h) = &mut self.hasher {
                h.update(&chunk[..n]);
            }
            self.offset += n as u64;
            all &= chunk[..n].iter().all(|&b| b == 0);
        }
    }

    /// The next frame, or what stops framing. After [`Step::BadFrameHeader`], [`Step::Torn`] or
    /// [`Step::End`] every further call gives [`Step::End`].
    pub fn next_frame(&mut self) -> io::Result<Step<'_>> {
        if self.finished {
            return Ok(Step::End);
        }
        let at = self.offset;
        let got = self.fill(Buf::Head, FRAME_HEADER_LEN)?;
        if got == 0 {
            self.finished = true;
            return Ok(Step::End);
        }
        if got < FRAME_HEADER_LEN {
            self.finished = true;
            return Ok(Step::Torn { offset: at });
        }
        let h = self.head;
        let len = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
        let hcrc = u32::from_le_bytes([h[5], h[6], h[7], h[8]]);
        if crc32c(&h[..5]) != hcrc || len > MAX_PAYLOAD {
            self.finished = true;
            let zeros = self.zeros_to_end(h.iter().all(|&b| b == 0))?;
            return Ok(if zeros {
                Step::Torn { offset: at }
            } else {
                Step::BadFrameHeader { offset: at }
            });
        }
        let len = len as usize;
        if self.fill(Buf::Payload, len)? < len
            || self.fill(Buf::Trailer, FRAME_TRAILER_LEN)? < FRAME_TRAILER_LEN
        {
            self.finished = true;
            return Ok(Step::Torn { offset: at });
        }
        if crc32c(&self.buf) != u32::from_le_bytes(self.trailer) {
            return Ok(Step::BadPayload { offset: at });
        }
        Ok(Step::Frame(FrameRef {
            offset: at,
            kind: h[4],
            head: &self.head,
            payload: &self.buf,
            trailer: &self.trailer,
        }))
    }
}

#[derive(Clone, Copy)]
enum Buf {
    Head,
    Payload,
    Trailer,
}

/// Read until `buf` is full or the stream ends; how many bytes were read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::format::{Damage, MAGIC_RECORDS, Scan, file_header, frame, scan};

    /// What the stream reader finds, in the shape of [`scan`]'s answer.
    fn stream_scan(bytes: &[u8]) -> Result<Scan, String> {
        let mut r = match FrameReader::of(bytes, &format::RECORDS, true) {
            Ok(r) => r,
            Err(OpenError::Torn) => {
                return Ok(Scan {
                    torn_at: Some(0),
                    ..Scan::default()
                });
            }
            Err(e) => return Err(e.to_string()),
        };
        let mut s = Scan {
            version: r.version(),
            ..Scan::default()
        };
        loop {
            match r.next_frame().unwrap() {
                Step::Frame(f) => s.frames.push(format::Frame {
                    offset: f.offset as usize,
                    kind: f.kind,
                    start: f.start() as usize,
                    end: f.start() as usize + f.payload.len(),
                }),
                Step::BadPayload { offset } => s.damage.push(Damage::BadPayload {
                    offset: offset as usize,
                }),
                Step::BadFrameHeader { offset } => {
                    s.damage.push(Damage::BadFrameHeader {
                        offset: offset as usize,
                    });
                    break;
                }
                Step::Torn { offset } => {
                    s.torn_at = Some(offset as usize);
                    break;
                }
                Step::End => break,
            }
        }
        assert_eq!(r.offset(), bytes.len() as u64, "every byte read");
        assert_eq!(r.sha256(), Some(Sha256::digest(bytes).into()));
        Ok(s)
    }

    fn sample() -> Vec<u8> {
        let mut file = file_header(MAGIC_RECORDS).to_vec();
        file.extend(frame(2, b"one"));
        file.extend(frame(2, &[7u8; 300]));
        file.extend(frame(4, b""));
        file
    }

    #[test]
    fn the_stream_frames_a_file_as_scan_does_at_every_cut_and_damage() {
        let good = sample();
        for cut in 0..=good.len() {
            let bytes = &good[..cut];
            let want = scan(bytes, MAGIC_RECORDS, "records").map_err(|e| e.to_string());
            assert_eq!(stream_scan(bytes), want, "cut at {cut}");
        }
        for at in 0..good.len() {
            for x in [1u8, 0x80, 0xff] {
                let mut bytes = good.clone();
                bytes[at] ^= x;
                let want = scan(&bytes, MAGIC_RECORDS, "records").map_err(|e| e.to_string());
                assert_eq!(stream_scan(&bytes), want, "byte {at} ^ {x}");
            }
        }
        let mut zeros = good.clone();
        zeros.extend([0u8; 30]);
        assert_eq!(
            stream_scan(&zeros),
            scan(&zeros, MAGIC_RECORDS, "records").map_err(|e| e.to_string())
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn arbitrary_bytes_frame_as_scan_frames_them(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            header in 0..=FILE_HEADER_LEN,
        ) {
            let mut bytes = file_header(MAGIC_RECORDS)[..header].to_vec();
            bytes.extend(body);
            let want = scan(&bytes, MAGIC_RECORDS, "records").map_err(|e| e.to_string());
            proptest::prop_assert_eq!(stream_scan(&bytes), want);
        }
    }
}
