//! Text layout and rasterising for bitmap charts, straight from the
//! embedded DejaVu outlines. plotters' own bitmap text drops each glyph's
//! side bearing and rounds every advance, which spaces letters unevenly
//! ("to wards"); laying glyphs out here at fractional positions with
//! kerning gives evenly set, antialiased text. Widths for layout come from
//! here for both backends.

use std::sync::OnceLock;

use ab_glyph::{Font as _, FontRef, Glyph, GlyphId, PxScale, ScaleFont, point};

/// The weight of a face of the font.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Weight {
    Normal,
    Bold,
}

struct Faces {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

fn faces() -> Option<&'static Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Some(Faces {
                regular: FontRef::try_from_slice(dejavu::sans::regular()).ok()?,
                bold: FontRef::try_from_slice(dejavu::sans::bold()).ok()?,
            })
        })
        .as_ref()
}

/// True when the embedded font parses (checked once).
pub(crate) fn available() -> bool {
    faces().is_some()
}

fn face(w: Weight) -> Option<&'static FontRef<'static>> {
    let f = faces()?;
    Some(match w {
        Weight::Normal => &f.regular,
        Weight::Bold => &f.bold,
    })
}

/// Height of capitals as a share of the em (DejaVu Sans: 0.729).
pub(crate) const CAP_HEIGHT: f64 = 0.729;

/// The scale ab_glyph wants for text `em` pixels high.
fn scale(font: &FontRef<'_>, em: f64) -> PxScale {
    let upem = font.units_per_em().unwrap_or(2048.0);
    PxScale::from((em * f64::from(font.height_unscaled() / upem)) as f32)
}

/// A combining diacritical mark (U+0300–U+036F), e.g. the hat of R̂.
fn is_mark(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Where a combining mark goes over the base glyph set at `base_x`:
/// centred on the base's ink and, over a base taller than a lowercase
/// letter (a capital), raised by the difference. The font draws its marks
/// for lowercase bases and leaves the rest to mark positioning, which this
/// layout does not otherwise do, so without this the hat of R̂ cuts into
/// the R.
fn mark_position(
    font: &FontRef<'static>,
    scale: PxScale,
    (base, base_x): (GlyphId, f32),
    mark: GlyphId,
) -> ab_glyph::Point {
    let scaled = font.as_scaled(scale);
    let (sx, sy) = (scaled.h_scale_factor(), scaled.v_scale_factor());
    let (Some(b), Some(m)) = (font.outline(base), font.outline(mark)) else {
        return point(base_x, 0.0);
    };
    let (b, m) = (b.bounds, m.bounds);
    let x = base_x + ((b.min.x + b.max.x) - (m.min.x + m.max.x)) / 2.0 * sx;
    // Outline bounds are in font units, y up; which corner holds the top
    // is not promised, so take the larger.
    let top = |r: ab_glyph::Rect| r.min.y.max(r.max.y);
    let x_height = font
        .outline(font.glyph_id('x'))
        .map_or(top(b), |o| top(o.bounds));
    let lift = (top(b) - x_height).max(0.0) * sy;
    point(x, -lift)
}

/// Glyphs of `text` on a baseline at y = 0, starting at x = 0, and the
/// advance width of the whole line.
fn layout(font: &FontRef<'static>, text: &str, em: f64) -> (Vec<Glyph>, f64) {
    let scale = scale(font, em);
    let scaled = font.as_scaled(scale);
    let mut x = 0.0f32;
    let mut prev = None;
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if is_mark(c)
            && let Some((base, base_x)) = prev
        {
            let at = mark_position(font, scale, (base, base_x), id);
            out.push(id.with_scale_and_position(scale, at));
            continue;
        }
        if let Some((p, _)) = prev {
            x += scaled.kern(p, id);
        }
        out.push(id.with_scale_and_position(scale, point(x, 0.0)));
        prev = Some((id, x));
        x += scaled.h_advance(id);
    }
    (out, f64::from(x))
}

/// Advance width of `text` at `em` pixels, or an estimate without the font.
pub(crate) fn width(text: &str, weight: Weight, em: f64) -> f64 {
    match face(weight) {
        Some(f) => layout(f, text, em).1,
        None => text.chars().count() as f64 * em * 0.6,
    }
}

/// Calls `put(dx, dy, coverage)` for every pixel of `text` set at `em`
/// pixels, relative to the start of its baseline.
pub(crate) fn rasterize(text: &str, weight: Weight, em: f64, mut put: impl FnMut(i32, i32, f32)) {
    let Some(font) = face(weight) else {
        return;
    };
    let (glyphs, _) = layout(font, text, em);
    for g in glyphs {
        if let Some(og) = font.outline_glyph(g) {
            let b = og.px_bounds();
            let (x0, y0) = (b.min.x as i32, b.min.y as i32);
            og.draw(|x, y, c| {
                if c > 0.0 {
                    put(x0 + x as i32, y0 + y as i32, c.min(1.0));
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_grow_with_text_and_size() {
        assert!(available());
        let a = width("2020", Weight::Normal, 16.0);
        assert!(a > 30.0 && a < 50.0, "{a}");
        assert!(width("2020-12", Weight::Normal, 16.0) > a);
        assert!(width("2020", Weight::Bold, 16.0) >= a);
        assert!((width("2020", Weight::Normal, 32.0) - 2.0 * a).abs() < 1.0);
    }

    #[test]
    fn a_combining_hat_sits_above_a_capital() {
        let (mut r_top, mut r_pixels) = (i32::MAX, 0);
        rasterize("R", Weight::Normal, 100.0, |_, y, _| {
            r_top = r_top.min(y);
            r_pixels += 1;
        });
        let w = width("R", Weight::Normal, 100.0);
        assert_eq!(width("R\u{302}", Weight::Normal, 100.0), w);
        let (mut all, mut above) = (0, Vec::new());
        rasterize("R\u{302}", Weight::Normal, 100.0, |x, y, _| {
            all += 1;
            if y < r_top {
                above.push(x);
            }
        });
        // The hat's pixels (all but the R's) lie above the R, centred on it.
        let hat = all - r_pixels;
        assert!(
            hat > 50 && above.len() * 10 >= hat * 9,
            "{hat} {}",
            above.len()
        );
        let mid = above.iter().sum::<i32>() as f64 / above.len() as f64;
        assert!((mid - w / 2.0).abs() < 12.0, "{mid} {w}");
    }

    #[test]
    fn capitals_sit_above_the_baseline() {
        let mut ys = Vec::new();
        rasterize("H", Weight::Normal, 100.0, |_, y, _| ys.push(y));
        let top = *ys.iter().min().unwrap();
        let bottom = *ys.iter().max().unwrap();
        assert!((f64::from(-top) - CAP_HEIGHT * 100.0).abs() <= 2.0, "{top}");
        assert!(bottom <= 0, "{bottom}");
    }
}
