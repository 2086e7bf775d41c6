//! Wider vectors where the processor has them. The hot loops (the monthly
//! step, folding a month into the statistics) are written over lanes so
//! that the compiler vectorises them; built for the x86-64 baseline they
//! use 2-wide SSE2. Each has a copy compiled for AVX2 and one for AVX-512,
//! and calls the widest that [`width`] says the processor supports.
//!
//! Results do not change: Rust never fuses a multiply and an add on its own
//! nor reorders floating-point operations, so each lane's arithmetic is the
//! same IEEE operations in the same order at any width
//! (unit tests run every copy the test machine supports and compare them
//! bit for bit, and the golden files pin the results on whichever copy the
//! machine takes).

/// The copies of the hot loops, narrowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) enum Width {
    /// As built: SSE2 on x86-64, whatever the target has elsewhere.
    Built,
    Avx2,
    /// AVX-512 F, BW, DQ and VL (with AVX2).
    Avx512,
}

/// The widest copy the processor runs (std detects the features once and
/// caches them). In tests, [`forced`] may narrow it.
#[inline]
pub(crate) fn width() -> Width {
    #[cfg(test)]
    if let Some(w) = FORCED.with(|f| f.get()) {
        return w;
    }
    detected()
}

#[inline]
fn detected() -> Width {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") && has!("avx512bw") && has!("avx512dq") && has!("avx512vl") {
            return Width::Avx512;
        }
        if has!("avx2") {
            return Width::Avx2;
        }
    }
    Width::Built
}

#[cfg(test)]
thread_local! {
    static FORCED: std::cell::Cell<Option<Width>> = const { std::cell::Cell::new(None) };
}

/// Every copy this processor runs, narrowest first (for tests that compare
/// them).
#[cfg(test)]
pub(crate) fn supported() -> Vec<Width> {
    [Width::Built, Width::Avx2, Width::Avx512]
        .into_iter()
        .filter(|&w| w <= detected())
        .collect()
}

/// Runs `f` with every dispatched call on this thread taking the copy for
/// `w` (which the processor must support).
#[cfg(test)]
pub(crate) fn forced<T>(w: Width, f: impl FnOnce() -> T) -> T {
    assert!(w <= detected(), "{w:?} is not supported here");
    let before = FORCED.with(|c| c.replace(Some(w)));
    let out = f();
    FORCED.with(|c| c.set(before));
    out
}

/// Defines a method that runs `$any` (an `#[inline(always)]` method with
/// the same parameters) compiled for the widest vectors the processor
/// has: `$avx` names the AVX2 copy, `$avx512` the AVX-512 one.
macro_rules! dispatch {
    ($(#[$doc:meta])* $vis:vis fn $name:ident(&mut self $(, $arg:ident: $ty:ty)* $(,)?)
        => $any:ident, $avx:ident, $avx512:ident) => {
        $(#[$doc])*
        $vis fn $name(&mut self $(, $arg: $ty)*) {
            match crate::simd::width() {
                // SAFETY: the processor supports AVX-512 F, BW, DQ, VL.
                #[cfg(target_arch = "x86_64")]
                crate::simd::Width::Avx512 => unsafe { self.$avx512($($arg),*) },
                // SAFETY: the processor supports AVX2.
                #[cfg(target_arch = "x86_64")]
                crate::simd::Width::Avx2 => unsafe { self.$avx($($arg),*) },
                _ => self.$any($($arg),*),
            }
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn $avx(&mut self $(, $arg: $ty)*) {
            self.$any($($arg),*)
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,avx512f,avx512bw,avx512dq,avx512vl")]
        fn $avx512(&mut self $(, $arg: $ty)*) {
            self.$any($($arg),*)
        }
    };
}
pub(crate) use dispatch;
