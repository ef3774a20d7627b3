//! The `icare` binary's global allocator: the system allocator, except that every block is wiped
//! to zeros before it goes back (the old block of a reallocation too).
//!
//! Why: a patient's comment passes through many short-lived buffers (the screen's text, the
//! scrubber's working copies, the serialised record before it is sealed). Freeing a buffer does
//! not clear it, so without this the text stays readable in the kiosk's freed heap until the
//! memory happens to be reused: the end-to-end test `tests/cli/memory.rs` found 87 pieces of a
//! comment there after the thank-you screen. With it the test finds none. Its cost is measured
//! in BENCHMARKS.md ("zero on free").
//!
//! This is the only `unsafe` code of the project; the library keeps `#![forbid(unsafe_code)]`.
//! It is compiled into the binary only (not the library), and left out of a build made with
//! `--cfg icare_plain_alloc`, which exists only so that the benchmark can compare the two.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};

/// The system allocator, wiping every block before freeing it.
pub struct ZeroOnFree;

/// Overwrite `len` bytes at `ptr` with zeros in a way the compiler may not remove.
///
/// A plain `memset` just before `free` is a dead store that optimisers delete; the empty `asm!`
/// that takes the pointer may (as far as the compiler knows) read the memory, so the zeros must
/// be written first. This is the technique of BoringSSL's `OPENSSL_cleanse`, and it keeps the
/// speed of `memset`. Targets without `asm!` use the `zeroize` crate's volatile writes.
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes.
#[inline]
unsafe fn wipe(ptr: *mut u8, len: usize) {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    // SAFETY: the caller guarantees `ptr..ptr + len` is writable. The `asm!` block is empty: it
    // reads no register but `ptr`, touches no stack and changes no flags.
    unsafe {
        ptr.write_bytes(0, len);
        std::arch::asm!("/* {0} */", in(reg) ptr, options(nostack, preserves_flags));
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    // SAFETY: the caller guarantees `ptr..ptr + len` is writable.
    unsafe {
        zeroize::Zeroize::zeroize(std::slice::from_raw_parts_mut(ptr, len));
    }
}

// SAFETY: every method hands the request to `System` unchanged; `dealloc` and `realloc` only add
// writes of zeros to a block the caller still owns (its `layout.size()` bytes) before it is freed.
unsafe impl GlobalAlloc for ZeroOnFree {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's obligations for `alloc` are passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` is a live block of `layout.size()` bytes from this allocator.
        unsafe {
            wipe(ptr, layout.size());
            System.dealloc(ptr, layout);
        }
    }

    /// Always a new block, the contents copied and the old block wiped and freed: the system's
    /// `realloc` may move the data itself and free the old block without wiping it.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size`, rounded up to `layout.align()`, does not
        // overflow `isize`, which is what `from_size_align_unchecked` needs; `ptr` is a live block
        // of `layout.size()` bytes, the new block holds `new_size`, and they cannot overlap.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = System.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}
