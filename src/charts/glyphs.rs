//! Text layout and rasterising for bitmap charts, straight from the
//! embedded DejaVu outlines. plotters' own bitmap text drops each glyph's
//! side bearing and rounds every advance, which spaces letters unevenly
//! ("to wards"); laying glyphs out here at fractional positions with
//! kerning gives evenly set, antialiased text. Widths for layout come from
//! here for both backends.

use std::sync::OnceLock;

use ab_glyph::{Font as _, FontRef, Glyph, PxScale, ScaleFont, point};

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
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        out.push(id.with_scale_and_position(scale, point(x, 0.0)));
        x += scaled.h_advance(id);
        prev = Some(id);
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
    fn capitals_sit_above_the_baseline() {
        let mut ys = Vec::new();
        rasterize("H", Weight::Normal, 100.0, |_, y, _| ys.push(y));
        let top = *ys.iter().min().unwrap();
        let bottom = *ys.iter().max().unwrap();
        assert!((f64::from(-top) - CAP_HEIGHT * 100.0).abs() <= 2.0, "{top}");
        assert!(bottom <= 0, "{bottom}");
    }
}
