//! The runs' random generators. Each run draws from its own xoshiro256++
//! stream ([`RunRng`]: the algorithm and output of
//! `rand::rngs::Xoshiro256PlusPlus`), so a run's result does not depend on
//! which block, lane or thread computed it.
//!
//! A block keeps its lanes' generators as four rows of state words
//! ([`LaneRngs`]), so that one draw of every lane is a single loop the
//! compiler vectorises: the first uniform of an incident process, which
//! for nearly every lane and month is the only one (no incident), is drawn
//! for all lanes at once ([`LaneRngs::first_uniforms`]); lanes then go on
//! one at a time from where their own stream stands. The streams, and so
//! the results, are unchanged.

use std::convert::Infallible;

use rand::TryRng;

/// xoshiro256++ (Blackman and Vigna), word for word the output of
/// `rand::rngs::Xoshiro256PlusPlus` seeded with the same bytes; kept here
/// because the engine reads and writes the state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRng {
    s: [u64; 4],
}

impl RunRng {
    /// The generator whose state is the 32 bytes `seed`, read as four
    /// little-endian words; an all-zero seed, which xoshiro cannot use,
    /// gets the state `rand` gives it (that of `seed_from_u64(0)`).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let mut s = [0u64; 4];
        for (w, chunk) in s.iter_mut().zip(seed.chunks_exact(8)) {
            *w = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        }
        if s == [0; 4] {
            for (i, w) in s.iter_mut().enumerate() {
                *w = super::splitmix64((i as u64).wrapping_mul(super::GOLDEN_GAMMA));
            }
        }
        RunRng { s }
    }
}

impl RunRng {
    /// The generator whose state is `s` (a state read off with
    /// [`RunRng::state`]).
    pub(crate) fn from_state(s: [u64; 4]) -> Self {
        RunRng { s }
    }

    pub(crate) fn state(&self) -> &[u64; 4] {
        &self.s
    }
}

/// One step of xoshiro256++: the output word, and the state moved on.
#[inline(always)]
fn advance(s: &mut [u64; 4]) -> u64 {
    let out = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
    let t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3].rotate_left(45);
    out
}

/// The uniform in [0, 1) that `rng.random::<f64>()` makes of a word: its
/// top 53 bits, scaled.
#[inline(always)]
fn unit_f64(word: u64) -> f64 {
    const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
    (word >> 11) as f64 * SCALE
}

impl TryRng for RunRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        // The high half, as rand's generator gives it.
        Ok((advance(&mut self.s) >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(advance(&mut self.s))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let word = advance(&mut self.s).to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

/// The generators of a block's lanes as rows of state words: word `w` of
/// lane `r` at `w * capacity + r`.
pub struct LaneRngs {
    capacity: usize,
    words: Vec<u64>,
}

impl LaneRngs {
    pub fn new(capacity: usize) -> Self {
        LaneRngs {
            capacity,
            words: vec![0; 4 * capacity],
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// The rows of state words (word `w` of lane `r` at `w * capacity + r`).
    pub(crate) fn words_mut(&mut self) -> &mut [u64] {
        &mut self.words
    }

    /// Lane `lane`'s generator: a copy, to be given back with
    /// [`LaneRngs::set`] once drawn from.
    #[inline]
    pub fn get(&self, lane: usize) -> RunRng {
        let c = self.capacity;
        RunRng {
            s: std::array::from_fn(|w| self.words[w * c + lane]),
        }
    }

    #[inline]
    pub fn set(&mut self, lane: usize, rng: &RunRng) {
        let c = self.capacity;
        for (w, &x) in rng.s.iter().enumerate() {
            self.words[w * c + lane] = x;
        }
    }

    crate::simd::dispatch! {
        /// Each lane `r < draw.len()` with `draw[r] > 0` draws a uniform
        /// into `first[r]`, as `random::<f64>()` would; the other lanes'
        /// generators do not move (with wider vectors where the processor
        /// has them: the same numbers).
        pub fn first_uniforms(&mut self, draw: &[f64], first: &mut [f64])
            => first_uniforms_any, first_uniforms_avx2, first_uniforms_avx512
    }

    /// [`LaneRngs::first_uniforms`] for whatever vector width it is
    /// compiled with: [`advance`] over rows of lanes, kept or not by a
    /// select, so that the loop has no branch.
    #[inline(always)]
    fn first_uniforms_any(&mut self, draw: &[f64], first: &mut [f64]) {
        let (lanes, c) = (draw.len(), self.capacity);
        let (s0, rest) = self.words.split_at_mut(c);
        let (s1, rest) = rest.split_at_mut(c);
        let (s2, s3) = rest.split_at_mut(c);
        let states = s0[..lanes]
            .iter_mut()
            .zip(&mut s1[..lanes])
            .zip(&mut s2[..lanes])
            .zip(&mut s3[..lanes]);
        for ((p, &d), (((a, b), c), e)) in first.iter_mut().zip(draw).zip(states) {
            let mut s = [*a, *b, *c, *e];
            *p = unit_f64(advance(&mut s));
            let keep = d > 0.0;
            *a = if keep { s[0] } else { *a };
            *b = if keep { s[1] } else { *b };
            *c = if keep { s[2] } else { *c };
            *e = if keep { s[3] } else { *e };
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{Rng, RngExt, SeedableRng};

    use super::*;

    fn seed(k: u64) -> [u8; 32] {
        let mut bytes = [0u8; 32];
        for (i, chunk) in bytes.chunks_exact_mut(8).enumerate() {
            let w = super::super::splitmix64(k.wrapping_mul(31).wrapping_add(i as u64));
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn the_stream_is_rands_xoshiro256plusplus() {
        for k in 0..50 {
            let (mut ours, mut theirs) = (
                RunRng::from_seed(seed(k)),
                Xoshiro256PlusPlus::from_seed(seed(k)),
            );
            for _ in 0..200 {
                assert_eq!(ours.next_u64(), theirs.next_u64());
                assert_eq!(ours.next_u32(), theirs.next_u32());
            }
            let (mut a, mut b) = ([0u8; 21], [0u8; 21]);
            ours.fill_bytes(&mut a);
            theirs.fill_bytes(&mut b);
            assert_eq!(a, b);
            assert_eq!(ours.random::<f64>(), theirs.random::<f64>());
        }
        // The all-zero seed, which rand replaces.
        let (mut ours, mut theirs) = (
            RunRng::from_seed([0; 32]),
            Xoshiro256PlusPlus::from_seed([0; 32]),
        );
        for _ in 0..10 {
            assert_eq!(ours.next_u64(), theirs.next_u64());
        }
    }

    /// Every copy this processor runs (as built, AVX2, AVX-512).
    #[test]
    fn first_uniforms_draw_as_single_generators_and_skip_the_others() {
        // 37 lanes: whole vectors and a remainder at every width.
        let (capacity, lanes) = (41, 37);
        for width in crate::simd::supported() {
            let mut rngs = LaneRngs::new(capacity);
            let mut single: Vec<RunRng> = (0..lanes as u64)
                .map(|k| RunRng::from_seed(seed(k)))
                .collect();
            for (r, g) in single.iter().enumerate() {
                rngs.set(r, g);
            }
            let mut first = vec![0.0; lanes];
            for round in 0..20 {
                // Lanes drawing or not change from round to round; a bound
                // of zero or NaN does not draw.
                let draw: Vec<f64> = (0..lanes)
                    .map(|r| match (r + round) % 4 {
                        0 => 0.0,
                        1 => f64::NAN,
                        _ => 0.5,
                    })
                    .collect();
                crate::simd::forced(width, || rngs.first_uniforms(&draw, &mut first));
                for (r, g) in single.iter_mut().enumerate() {
                    if draw[r] > 0.0 {
                        let want = g.random::<f64>();
                        assert_eq!(first[r], want, "{width:?}, round {round}, lane {r}");
                    }
                    assert_eq!(&rngs.get(r), g);
                }
            }
        }
    }
}
