//! Thin, reference-counted, immutable byte strings: the text of string key values
//! ([`SharedStr`]) and the bytes of binary ones ([`SharedBytes`]).
//!
//! Why not `Arc<str>`: that is a fat pointer (16 bytes), which makes every [`KeyValue`] 24 bytes
//! and every stored item pay for it (DESIGN.md, "Performance": at most 48 bytes per stored item
//! beyond its key bytes). These types are one pointer wide, so a `KeyValue` is 16 bytes. Like
//! `Arc<str>`, cloning shares the bytes (an atomic increment, no allocation), so a workload can
//! build each of its string values once and clone it per request.
//!
//! Invariants: one allocation holds a `Header` (reference count, length) followed by the
//! bytes; the bytes never change after construction; the allocation is freed by the last clone
//! dropped. A [`SharedStr`]'s bytes are valid UTF-8. This is the crate's only `unsafe` code, kept
//! to the few lines that lay out, read and free that allocation.
//!
//! [`KeyValue`]: super::KeyValue

use std::alloc::{self, Layout};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{self, AtomicUsize};
use std::sync::Arc;

/// The start of every allocation, followed by `len` bytes.
struct Header {
    count: AtomicUsize,
    len: usize,
}

/// The thin pointer both public types wrap.
struct Thin {
    ptr: NonNull<Header>,
    /// Owns a `Header` (and the bytes after it), for drop check and auto traits.
    _owns: PhantomData<Header>,
}

// SAFETY: the bytes are immutable and the count is atomic, as in `Arc<[u8]>`.
unsafe impl Send for Thin {}
// SAFETY: as above: shared references only read immutable bytes or touch the atomic count.
unsafe impl Sync for Thin {}

impl Thin {
    fn layout(len: usize) -> Layout {
        let bytes = Layout::array::<u8>(len).expect("a key value's length fits in memory");
        let (layout, offset) =
            Layout::new::<Header>().extend(bytes).expect("a key value's size fits in memory");
        debug_assert_eq!(offset, std::mem::size_of::<Header>());
        layout.pad_to_align()
    }

    fn new(bytes: &[u8]) -> Thin {
        let layout = Thin::layout(bytes.len());
        // SAFETY: `layout` has a non-zero size (it holds a `Header`).
        let raw = unsafe { alloc::alloc(layout) }.cast::<Header>();
        let Some(ptr) = NonNull::new(raw) else { alloc::handle_alloc_error(layout) };
        // SAFETY: `raw` is a fresh allocation of `layout`: a `Header` at its start, aligned, then
        // room for `bytes.len()` bytes, which cannot overlap `bytes`.
        unsafe {
            raw.write(Header { count: AtomicUsize::new(1), len: bytes.len() });
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), Thin::bytes_start(raw), bytes.len());
        }
        Thin { ptr, _owns: PhantomData }
    }

    /// Where the bytes begin: right after the header.
    fn bytes_start(header: *mut Header) -> *mut u8 {
        header.cast::<u8>().wrapping_add(std::mem::size_of::<Header>())
    }

    fn header(&self) -> &Header {
        // SAFETY: the header lives as long as any clone, and is only read or atomically updated.
        unsafe { self.ptr.as_ref() }
    }

    fn as_bytes(&self) -> &[u8] {
        let len = self.header().len;
        // SAFETY: `len` initialized bytes follow the header in the same allocation, never
        // written again, and alive while `self` is.
        unsafe { std::slice::from_raw_parts(Thin::bytes_start(self.ptr.as_ptr()), len) }
    }
}

impl Clone for Thin {
    fn clone(&self) -> Thin {
        // Relaxed, as in `Arc::clone`: a new reference is made from an existing one.
        let before = self.header().count.fetch_add(1, atomic::Ordering::Relaxed);
        if before > isize::MAX as usize {
            // As `Arc` does: a count this high means clones were leaked; wrapping would free
            // the bytes while still in use.
            std::process::abort();
        }
        Thin { ptr: self.ptr, _owns: PhantomData }
    }
}

impl Drop for Thin {
    fn drop(&mut self) {
        // Release, then Acquire before freeing, as in `Arc::drop`.
        if self.header().count.fetch_sub(1, atomic::Ordering::Release) != 1 {
            return;
        }
        atomic::fence(atomic::Ordering::Acquire);
        let layout = Thin::layout(self.header().len);
        // SAFETY: this was the last reference, so nothing reads the allocation any more, and it
        // was allocated with this same layout.
        unsafe { alloc::dealloc(self.ptr.as_ptr().cast::<u8>(), layout) }
    }
}

impl Thin {
    fn ptr_eq(a: &Thin, b: &Thin) -> bool {
        a.ptr == b.ptr
    }

    fn bytes_eq(a: &Thin, b: &Thin) -> bool {
        Thin::ptr_eq(a, b) || a.as_bytes() == b.as_bytes()
    }
}

/// Shared, immutable text, one pointer wide: the value of a string key (see the module docs).
/// Dereferences to `str`; build it with `.into()` from a `&str` or a `String`.
#[derive(Clone)]
pub struct SharedStr(Thin);

/// Shared, immutable bytes, one pointer wide: the value of a binary key (see the module docs).
/// Dereferences to `[u8]`; build it with `.into()` from a `&[u8]` or a `Vec<u8>`.
#[derive(Clone)]
pub struct SharedBytes(Thin);

impl SharedStr {
    /// Whether `a` and `b` share one allocation (clones of one value).
    pub fn ptr_eq(a: &SharedStr, b: &SharedStr) -> bool {
        Thin::ptr_eq(&a.0, &b.0)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // SAFETY: every constructor copies the bytes of a `str` (the type's invariant).
        unsafe { std::str::from_utf8_unchecked(self.0.as_bytes()) }
    }
}

impl SharedBytes {
    /// Whether `a` and `b` share one allocation (clones of one value).
    pub fn ptr_eq(a: &SharedBytes, b: &SharedBytes) -> bool {
        Thin::ptr_eq(&a.0, &b.0)
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Deref for SharedBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> SharedStr {
        SharedStr(Thin::new(text.as_bytes()))
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> SharedStr {
        SharedStr::from(text.as_str())
    }
}

impl From<Box<str>> for SharedStr {
    fn from(text: Box<str>) -> SharedStr {
        SharedStr::from(&*text)
    }
}

impl From<Arc<str>> for SharedStr {
    fn from(text: Arc<str>) -> SharedStr {
        SharedStr::from(&*text)
    }
}

impl From<&[u8]> for SharedBytes {
    fn from(bytes: &[u8]) -> SharedBytes {
        SharedBytes(Thin::new(bytes))
    }
}

impl From<Vec<u8>> for SharedBytes {
    fn from(bytes: Vec<u8>) -> SharedBytes {
        SharedBytes::from(bytes.as_slice())
    }
}

impl From<Box<[u8]>> for SharedBytes {
    fn from(bytes: Box<[u8]>) -> SharedBytes {
        SharedBytes::from(&*bytes)
    }
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &SharedStr) -> bool {
        Thin::bytes_eq(&self.0, &other.0)
    }
}

impl Eq for SharedStr {}

impl PartialEq for SharedBytes {
    fn eq(&self, other: &SharedBytes) -> bool {
        Thin::bytes_eq(&self.0, &other.0)
    }
}

impl Eq for SharedBytes {}

impl PartialOrd for SharedStr {
    fn partial_cmp(&self, other: &SharedStr) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedStr {
    /// Bytewise, as `str` orders.
    fn cmp(&self, other: &SharedStr) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for SharedBytes {
    fn partial_cmp(&self, other: &SharedBytes) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedBytes {
    fn cmp(&self, other: &SharedBytes) -> Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl Hash for SharedStr {
    /// As `str` hashes (and so as `Arc<str>` did).
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Hash for SharedBytes {
    /// As `[u8]` hashes (and so as `Box<[u8]>` did).
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        self
    }
}

impl Borrow<[u8]> for SharedBytes {
    fn borrow(&self) -> &[u8] {
        self
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        self
    }
}

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for SharedBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pointer_wide_and_an_option_costs_nothing() {
        assert_eq!(std::mem::size_of::<SharedStr>(), 8);
        assert_eq!(std::mem::size_of::<Option<SharedBytes>>(), 8);
    }

    #[test]
    fn clones_share_and_the_last_one_frees() {
        let a = SharedStr::from("2024-06-01#3");
        let b = a.clone();
        assert!(SharedStr::ptr_eq(&a, &b));
        assert_eq!(a.0.header().count.load(atomic::Ordering::Relaxed), 2);
        drop(a);
        assert_eq!(b.0.header().count.load(atomic::Ordering::Relaxed), 1);
        assert_eq!(&*b, "2024-06-01#3");
    }

    #[test]
    fn equal_and_ordered_by_content() {
        let (a, b) = (SharedStr::from("abc"), SharedStr::from(String::from("abc")));
        assert!(!SharedStr::ptr_eq(&a, &b));
        assert_eq!(a, b);
        assert!(SharedStr::from("Z") < SharedStr::from("a"), "bytewise");
        assert_eq!(SharedStr::from("").len(), 0);
        assert_eq!(format!("{a} {a:?}"), "abc \"abc\"");
        let (x, y) = (SharedBytes::from(vec![1u8, 2]), SharedBytes::from(&[1u8, 3][..]));
        assert!(x < y);
        assert_eq!(x.clone(), x);
        assert_eq!(&*x, &[1, 2]);
        assert_eq!(SharedBytes::from(Vec::new()).len(), 0);
    }

    #[test]
    fn shared_across_threads() {
        let text = SharedStr::from("shared");
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let t = text.clone();
                std::thread::spawn(move || (0..1_000).map(|_| t.clone().len()).sum::<usize>())
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().expect("no panic"), 6_000);
        }
        assert_eq!(text.0.header().count.load(atomic::Ordering::Relaxed), 1);
    }
}
