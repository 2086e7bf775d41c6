//! The monthly noise: one standard normal per lane and noisy variable,
//! drawn for 16 lanes at once where the processor has AVX-512 (8 with
//! AVX2), and bit for bit the draws of `rand_distr::StandardNormal` from
//! each lane's own generator.
//!
//! `StandardNormal` is Marsaglia and Tsang's ziggurat with 256 layers: a
//! word's low 8 bits pick layer `i`, its top 52 bits make `u` in [−1, 1),
//! and `x = u · X[i]` is the draw whenever `|x| < X[i + 1]` — about 98.5 % of
//! draws. That test needs nothing but the word and two table entries, so
//! it vectorises: the lanes' generators step together (xoshiro256++ as
//! 64-bit vector operations), the two entries come by a gather, and a
//! comparison marks the lanes that passed. A lane that did not pass draws
//! again with `StandardNormal` itself from the state before that word, so
//! the tail and wedge cases are rand_distr's own code and each lane's
//! stream is consumed exactly as a single run consumes it.
//!
//! The table `X` is rand_distr's private constant. It is read off the
//! public sampler instead ([`Layers::probe`]): a scripted generator offers
//! the word of layer `i` with `u = −2^−k`, for which the draw is
//! `−X[i] · 2^−k` exactly. The table is then checked against the sampler
//! on a spread of words per layer; if a later rand_distr draws differently,
//! the check fails and every draw takes the scalar path (the results do not
//! change, only the speed). An entry that could not be read is NaN, which
//! fails every comparison and so also sends its lanes to the scalar path.

// Off x86-64 nothing but the tests uses the table: there is no wide path.
#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]

use std::convert::Infallible;
use std::sync::OnceLock;

use rand::TryRng;

use super::rng::{LaneRngs, RunRng};
use crate::model::param::standard_normal;

/// Layers of the ziggurat, and entries in the table (one more: the last
/// layer's upper edge).
const LAYERS: usize = 256;

/// The exponent bits of [2, 4): `u` is the word's top 52 bits read as a
/// number in [2, 4), minus 3.
const TWO_TO_FOUR: u64 = 0x4000_0000_0000_0000;

/// The ziggurat's layer edges, as `StandardNormal` uses them.
pub(crate) struct Layers {
    x: [f64; LAYERS + 1],
}

/// The draw of a word on the fast path: `Some(x)` when the word's layer
/// test passes (the draw is `x`, the generator has moved one word), `None`
/// when `StandardNormal` must decide.
#[inline(always)]
fn fast(word: u64, x: &[f64; LAYERS + 1]) -> Option<f64> {
    let i = (word & 0xff) as usize;
    let u = f64::from_bits((word >> 12) | TWO_TO_FOUR) - 3.0;
    let v = u * x[i];
    (v.abs() < x[i + 1]).then_some(v)
}

/// A generator that gives a fixed list of words, then words that any
/// ziggurat draw accepts at once (layer 1, u = 0), and counts them.
struct Scripted {
    words: [u64; 2],
    used: usize,
}

impl Scripted {
    const ZERO: u64 = (1 << 63) | 1;

    fn draw(words: [u64; 2]) -> (f64, usize) {
        let mut g = Scripted { words, used: 0 };
        let v = standard_normal(&mut g);
        (v, g.used)
    }
}

impl TryRng for Scripted {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let w = self.words.get(self.used).copied().unwrap_or(Self::ZERO);
        self.used += 1;
        Ok(w)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let w = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        Ok(())
    }
}

impl Layers {
    /// The table read off `StandardNormal` and checked against it, or
    /// `None` if it does not reproduce the sampler (read once).
    pub(crate) fn get() -> Option<&'static Layers> {
        static TABLE: OnceLock<Option<Layers>> = OnceLock::new();
        TABLE
            .get_or_init(|| {
                let layers = Layers::probe();
                layers.agrees().then_some(layers)
            })
            .as_ref()
    }

    /// Reads `X[i]` for every layer: the word of layer `i` whose `u` is
    /// −2^−k draws `−X[i] · 2^−k` (exact: a power of two) once `k` is
    /// large enough for the fast test to pass; the second word, all ones,
    /// passes the wedge test of the top layer, whose fast test never
    /// passes. The last edge is 0 as in rand_distr, and in any case a
    /// smaller edge only sends more lanes to the scalar path.
    fn probe() -> Layers {
        let mut x = [f64::NAN; LAYERS + 1];
        x[LAYERS] = 0.0;
        for (i, xi) in x.iter_mut().enumerate().take(LAYERS) {
            for k in 1..=40i32 {
                // 2 · (1 + m / 2^52) − 3 = −2^−k.
                let m = (1u64 << 51) - (1u64 << (51 - k));
                let (v, used) = Scripted::draw([(m << 12) | i as u64, u64::MAX]);
                if used <= 2 && v < 0.0 {
                    *xi = -v * 2f64.powi(k);
                    break;
                }
            }
        }
        Layers { x }
    }

    /// Whether every word the fast path accepts draws what `StandardNormal`
    /// draws from it, in one word: tried on words spread over each layer
    /// (both signs, the ends of the range of `u`, and values between).
    fn agrees(&self) -> bool {
        let mantissas = (0..64u64)
            .map(|k| k.wrapping_mul(0x0003_F1A2_B3C4_D5E7) & ((1 << 52) - 1))
            .chain([0, 1, (1 << 51) - 1, 1 << 51, (1 << 52) - 1]);
        mantissas.into_iter().all(|m| {
            (0..LAYERS as u64).all(|i| {
                let word = (m << 12) | ((i * 0x101) & 0xfff);
                match fast(word, &self.x) {
                    None => true,
                    Some(v) => {
                        let (drawn, used) = Scripted::draw([word, u64::MAX]);
                        (drawn.to_bits(), used) == (v.to_bits(), 1)
                    }
                }
            })
        })
    }
}

impl LaneRngs {
    /// Lanes `0..lanes` each draw a standard normal for every row offset
    /// in `rows`, in that order, into `out[row + lane]`: what a loop over
    /// lanes calling `StandardNormal` on each lane's generator gives, bit
    /// for bit, and with the generators left where it leaves them.
    pub(crate) fn standard_normals(&mut self, lanes: usize, rows: &[usize], out: &mut [f64]) {
        assert!(lanes <= self.capacity());
        assert!(rows.iter().all(|&row| row + lanes <= out.len()));
        let done = self.wide_normals(lanes, rows, out);
        for r in done..lanes {
            let mut rng = self.get(r);
            for &row in rows {
                out[row + r] = standard_normal(&mut rng);
            }
            self.set(r, &rng);
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
impl LaneRngs {
    /// No wide path on this architecture: no lane is drawn here.
    fn wide_normals(&mut self, _lanes: usize, _rows: &[usize], _out: &mut [f64]) -> usize {
        0
    }
}

/// The lanes of one vector whose fast test failed (bit `k` of `passed`
/// clear) draw with `StandardNormal` from their generator's state before
/// that word (`before`, word rows × lanes), into `out[k]`; `after` is
/// updated to where their generators then stand. Rare: about one vector of
/// 8 lanes in nine (1.5 % of draws fail the test).
#[cold]
#[inline(never)]
fn redraw<const K: usize>(
    passed: u32,
    before: &[[u64; K]; 4],
    after: &mut [[u64; K]; 4],
    out: &mut [f64],
) {
    for k in (0..K).filter(|k| passed >> k & 1 == 0) {
        let mut rng = RunRng::from_state(std::array::from_fn(|w| before[w][k]));
        out[k] = standard_normal(&mut rng);
        for (w, &word) in rng.state().iter().enumerate() {
            after[w][k] = word;
        }
    }
}

#[cfg(target_arch = "x86_64")]
impl LaneRngs {
    /// Draws as [`LaneRngs::standard_normals`] for the first lanes, a
    /// multiple of the wide path's step (16 lanes with AVX-512, 8 with
    /// AVX2), where the processor has those vectors and the table
    /// reproduces the sampler; returns how many lanes it drew for. The
    /// caller has checked `lanes` and `rows` against the capacity and
    /// `out`.
    fn wide_normals(&mut self, lanes: usize, rows: &[usize], out: &mut [f64]) -> usize {
        use crate::simd::Width;
        let width = crate::simd::width();
        if width == Width::Built {
            return 0;
        }
        let Some(layers) = Layers::get() else {
            return 0;
        };
        let step = if width == Width::Avx512 { 16 } else { 8 };
        let done = lanes - lanes % step;
        // SAFETY: the processor has the vectors of `width`; the caller
        // checked lanes and rows against the rows of words and `out`, and
        // `done` is a multiple of the kernel's step.
        unsafe {
            if width == Width::Avx512 {
                self.standard_normals_avx512(done, rows, out, &layers.x);
            } else {
                self.standard_normals_avx2(done, rows, out, &layers.x);
            }
        }
        done
    }

    /// [`LaneRngs::standard_normals`] for lanes `0..lanes`, 16 at a time:
    /// two vectors of 8, whose draws interleave (a vector's generator step
    /// waits on the one before it).
    ///
    /// # Safety
    /// The processor must have AVX-512F; `lanes` must be a multiple of 16
    /// and not exceed the capacity, nor `row + lanes` the length of `out`
    /// for any row.
    #[target_feature(enable = "avx512f")]
    unsafe fn standard_normals_avx512(
        &mut self,
        lanes: usize,
        rows: &[usize],
        out: &mut [f64],
        x: &[f64; LAYERS + 1],
    ) {
        use std::arch::x86_64::*;
        const N: usize = 2;
        let capacity = self.capacity();
        let words = self.words_mut().as_mut_ptr();
        let out = out.as_mut_ptr();
        let low_byte = _mm512_set1_epi64(0xff);
        let exponent = _mm512_set1_epi64(TWO_TO_FOUR as i64);
        let three = _mm512_set1_pd(3.0);
        for c in (0..lanes).step_by(8 * N) {
            // SAFETY (all pointer use below): lane c + 8n + k < lanes <=
            // capacity, word row w < 4; out[row + c + 8n + k] with
            // row + lanes <= out.len(); table indices at most 256.
            let at = |w: usize, n: usize| unsafe { words.add(w * capacity + c + 8 * n) };
            let mut s = [[_mm512_setzero_si512(); 4]; N];
            for (n, state) in s.iter_mut().enumerate() {
                for (w, v) in state.iter_mut().enumerate() {
                    *v = unsafe { _mm512_loadu_si512(at(w, n).cast()) };
                }
            }
            for &row in rows {
                let before = s;
                let mut passed = [0u8; N];
                for (n, [s0, s1, s2, s3]) in s.iter_mut().enumerate() {
                    // xoshiro256++, as `rng::advance`.
                    let word =
                        _mm512_add_epi64(_mm512_rol_epi64::<23>(_mm512_add_epi64(*s0, *s3)), *s0);
                    let t = _mm512_slli_epi64::<17>(*s1);
                    *s2 = _mm512_xor_si512(*s2, *s0);
                    *s3 = _mm512_xor_si512(*s3, *s1);
                    *s1 = _mm512_xor_si512(*s1, *s2);
                    *s0 = _mm512_xor_si512(*s0, *s3);
                    *s2 = _mm512_xor_si512(*s2, t);
                    *s3 = _mm512_rol_epi64::<45>(*s3);
                    // `fast`, eight lanes at a time.
                    let i = _mm512_and_si512(word, low_byte);
                    let top = _mm512_or_si512(_mm512_srli_epi64::<12>(word), exponent);
                    let u = _mm512_sub_pd(_mm512_castsi512_pd(top), three);
                    let (xi, edge) = unsafe {
                        (
                            _mm512_i64gather_pd::<8>(i, x.as_ptr()),
                            _mm512_i64gather_pd::<8>(i, x.as_ptr().add(1)),
                        )
                    };
                    let v = _mm512_mul_pd(u, xi);
                    passed[n] = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(_mm512_abs_pd(v), edge);
                    unsafe { _mm512_storeu_pd(out.add(row + c + 8 * n), v) };
                }
                for n in (0..N).filter(|&n| passed[n] != 0xff) {
                    let (mut old, mut new) = ([[0u64; 8]; 4], [[0u64; 8]; 4]);
                    for w in 0..4 {
                        unsafe {
                            _mm512_storeu_si512(old[w].as_mut_ptr().cast(), before[n][w]);
                            _mm512_storeu_si512(new[w].as_mut_ptr().cast(), s[n][w]);
                        }
                    }
                    let drawn =
                        unsafe { std::slice::from_raw_parts_mut(out.add(row + c + 8 * n), 8) };
                    redraw(u32::from(passed[n]), &old, &mut new, drawn);
                    for w in 0..4 {
                        s[n][w] = unsafe { _mm512_loadu_si512(new[w].as_ptr().cast()) };
                    }
                }
            }
            for (n, state) in s.iter().enumerate() {
                for (w, &v) in state.iter().enumerate() {
                    unsafe { _mm512_storeu_si512(at(w, n).cast(), v) };
                }
            }
        }
    }

    /// [`LaneRngs::standard_normals`] for lanes `0..lanes`, 8 at a time:
    /// two vectors of 4, as the AVX-512 path (AVX2 has no 64-bit rotate,
    /// so the generator's rotations are two shifts and an or).
    ///
    /// # Safety
    /// The processor must have AVX2; `lanes` must be a multiple of 8 and
    /// not exceed the capacity, nor `row + lanes` the length of `out` for
    /// any row.
    #[target_feature(enable = "avx2")]
    unsafe fn standard_normals_avx2(
        &mut self,
        lanes: usize,
        rows: &[usize],
        out: &mut [f64],
        x: &[f64; LAYERS + 1],
    ) {
        use std::arch::x86_64::*;
        const N: usize = 2;
        macro_rules! rotate_left {
            ($v:expr, $l:literal, $r:literal) => {{
                let v = $v;
                _mm256_or_si256(_mm256_slli_epi64::<$l>(v), _mm256_srli_epi64::<$r>(v))
            }};
        }
        let capacity = self.capacity();
        let words = self.words_mut().as_mut_ptr();
        let out = out.as_mut_ptr();
        let low_byte = _mm256_set1_epi64x(0xff);
        let exponent = _mm256_set1_epi64x(TWO_TO_FOUR as i64);
        let three = _mm256_set1_pd(3.0);
        let sign = _mm256_set1_pd(-0.0);
        for c in (0..lanes).step_by(4 * N) {
            // SAFETY (all pointer use below): lane c + 4n + k < lanes <=
            // capacity, word row w < 4; out[row + c + 4n + k] with
            // row + lanes <= out.len(); table indices at most 256.
            let at = |w: usize, n: usize| unsafe { words.add(w * capacity + c + 4 * n) };
            let mut s = [[_mm256_setzero_si256(); 4]; N];
            for (n, state) in s.iter_mut().enumerate() {
                for (w, v) in state.iter_mut().enumerate() {
                    *v = unsafe { _mm256_loadu_si256(at(w, n).cast()) };
                }
            }
            for &row in rows {
                let before = s;
                let mut passed = [0i32; N];
                for (n, [s0, s1, s2, s3]) in s.iter_mut().enumerate() {
                    let word =
                        _mm256_add_epi64(rotate_left!(_mm256_add_epi64(*s0, *s3), 23, 41), *s0);
                    let t = _mm256_slli_epi64::<17>(*s1);
                    *s2 = _mm256_xor_si256(*s2, *s0);
                    *s3 = _mm256_xor_si256(*s3, *s1);
                    *s1 = _mm256_xor_si256(*s1, *s2);
                    *s0 = _mm256_xor_si256(*s0, *s3);
                    *s2 = _mm256_xor_si256(*s2, t);
                    *s3 = rotate_left!(*s3, 45, 19);
                    let i = _mm256_and_si256(word, low_byte);
                    let top = _mm256_or_si256(_mm256_srli_epi64::<12>(word), exponent);
                    let u = _mm256_sub_pd(_mm256_castsi256_pd(top), three);
                    let (xi, edge) = unsafe {
                        (
                            _mm256_i64gather_pd::<8>(x.as_ptr(), i),
                            _mm256_i64gather_pd::<8>(x.as_ptr().add(1), i),
                        )
                    };
                    let v = _mm256_mul_pd(u, xi);
                    let size = _mm256_andnot_pd(sign, v);
                    passed[n] = _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(size, edge));
                    unsafe { _mm256_storeu_pd(out.add(row + c + 4 * n), v) };
                }
                for n in (0..N).filter(|&n| passed[n] != 0xf) {
                    let (mut old, mut new) = ([[0u64; 4]; 4], [[0u64; 4]; 4]);
                    for w in 0..4 {
                        unsafe {
                            _mm256_storeu_si256(old[w].as_mut_ptr().cast(), before[n][w]);
                            _mm256_storeu_si256(new[w].as_mut_ptr().cast(), s[n][w]);
                        }
                    }
                    let drawn =
                        unsafe { std::slice::from_raw_parts_mut(out.add(row + c + 4 * n), 4) };
                    redraw(passed[n] as u32, &old, &mut new, drawn);
                    for w in 0..4 {
                        s[n][w] = unsafe { _mm256_loadu_si256(new[w].as_ptr().cast()) };
                    }
                }
            }
            for (n, state) in s.iter().enumerate() {
                for (w, &v) in state.iter().enumerate() {
                    unsafe { _mm256_storeu_si256(at(w, n).cast(), v) };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::Rng;

    use super::*;

    fn lane_seed(k: u64) -> [u8; 32] {
        let mut g = crate::engine::run_rng(99, k);
        let mut bytes = [0u8; 32];
        g.try_fill_bytes(&mut bytes).expect("infallible");
        bytes
    }

    #[test]
    fn the_table_is_read_and_reproduces_the_sampler() {
        let layers = Layers::probe();
        assert!(layers.x[..LAYERS].iter().all(|x| x.is_finite()));
        assert!(layers.x.windows(2).all(|w| w[0] > w[1]), "edges descend");
        assert!(layers.agrees());
        assert!(Layers::get().is_some());
        // The check has teeth: one entry a unit in the last place off.
        let mut wrong = Layers::probe();
        wrong.x[37] = f64::from_bits(wrong.x[37].to_bits() + 1);
        assert!(!wrong.agrees());
    }

    /// Every copy this processor runs: AVX-512 (16 lanes a step), AVX2
    /// (8), and the scalar loop.
    #[test]
    fn lanes_draw_as_single_generators_bit_for_bit() {
        use crate::simd::{Width, forced, supported};
        // 100 lanes: six or twelve wide steps and a scalar remainder of 4;
        // three rows out of order.
        let (capacity, lanes) = (103, 100);
        let rows = [2 * lanes, 0, 4 * lanes];
        let layers = Layers::get().expect("the table reproduces the sampler");
        for width in supported() {
            let mut rngs = LaneRngs::new(capacity);
            let mut single: Vec<RunRng> = (0..lanes as u64)
                .map(|k| RunRng::from_seed(lane_seed(k)))
                .collect();
            for (r, g) in single.iter().enumerate() {
                rngs.set(r, g);
            }
            let mut out = vec![0.0; 5 * lanes];
            let mut slow = 0;
            for round in 0..2000 {
                forced(width, || rngs.standard_normals(lanes, &rows, &mut out));
                for (r, g) in single.iter_mut().enumerate() {
                    for &row in &rows {
                        let mut peek = g.clone();
                        slow += usize::from(fast(peek.next_u64(), &layers.x).is_none());
                        let want = standard_normal(g);
                        let got = out[row + r];
                        assert_eq!(
                            got.to_bits(),
                            want.to_bits(),
                            "{width:?}, round {round}, lane {r}"
                        );
                    }
                    assert_eq!(&rngs.get(r), g, "{width:?}, round {round}, lane {r}");
                }
            }
            // The wide copies drew the first 96 lanes (so the comparison
            // above tested them); as built, none.
            let wide = forced(width, || rngs.wide_normals(lanes, &rows, &mut out));
            assert_eq!(
                wide,
                if width == Width::Built { 0 } else { 96 },
                "{width:?}"
            );
            // About 1.5 % of 600,000 draws failed the fast test: the scalar
            // path decided those, tail and wedge cases included.
            assert!(slow > 5_000, "{width:?}: {slow}");
        }
    }
}
