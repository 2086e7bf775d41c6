//! Wider vectors where the processor has them. The hot loops (the monthly
//! step, folding a month into the statistics) are written over lanes so
//! that the compiler vectorises them; built for the x86-64 baseline they
//! use 2-wide SSE2. Each has a copy compiled for AVX2, which it calls when
//! [`avx2`] says the processor supports it.
//!
//! Results do not change: Rust never fuses a multiply and an add on its own
//! nor reorders floating-point operations, so each lane's arithmetic is the
//! same IEEE operations in the same order at any width
//! (unit tests compare both paths bit for bit, and the golden files pin the
//! results on whichever path the test machine takes).

/// Whether the processor supports AVX2 (detected once, then cached). Other
/// architectures run the loops as built.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

/// Defines a method that runs `$any` (an `#[inline(always)]` method with
/// the same parameters) compiled for AVX2 where the processor has it, and
/// as built otherwise; `$avx` names the AVX2 copy.
macro_rules! dispatch {
    ($(#[$doc:meta])* $vis:vis fn $name:ident(&mut self $(, $arg:ident: $ty:ty)* $(,)?)
        => $any:ident, $avx:ident) => {
        $(#[$doc])*
        $vis fn $name(&mut self $(, $arg: $ty)*) {
            #[cfg(target_arch = "x86_64")]
            if crate::simd::avx2() {
                // SAFETY: the processor supports AVX2.
                return unsafe { self.$avx($($arg),*) };
            }
            self.$any($($arg),*)
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn $avx(&mut self $(, $arg: $ty)*) {
            self.$any($($arg),*)
        }
    };
}
pub(crate) use dispatch;
