//! Measuring text in the embedded DejaVu font, for layout: advance widths
//! with the font's kerning, as the shaper of [`super::render`] sets the
//! same text (a test there checks that the two agree).

use std::sync::OnceLock;

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont};

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

/// Height of capitals as a share of the em (DejaVu Sans: 0.729).
pub(crate) const CAP_HEIGHT: f64 = 0.729;

/// A combining diacritical mark (U+0300–U+036F), e.g. the hat of R̂: set
/// over the letter before it, it takes no room of its own.
fn is_mark(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Advance width of `text` at `em` pixels, or an estimate without the font.
pub(crate) fn width(text: &str, weight: Weight, em: f64) -> f64 {
    let Some(f) = faces() else {
        return text.chars().count() as f64 * em * 0.6;
    };
    let font = match weight {
        Weight::Normal => &f.regular,
        Weight::Bold => &f.bold,
    };
    // ab_glyph's scale is the font's height (ascent - descent), not its em.
    let upem = font.units_per_em().unwrap_or(2048.0);
    let scale = PxScale::from((em * f64::from(font.height_unscaled() / upem)) as f32);
    let scaled = font.as_scaled(scale);
    let (mut x, mut prev) = (0.0f32, None);
    for c in text.chars().filter(|&c| !is_mark(c)) {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        x += scaled.h_advance(id);
        prev = Some(id);
    }
    f64::from(x)
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
        assert_eq!(
            width("R\u{302}", Weight::Normal, 100.0),
            width("R", Weight::Normal, 100.0)
        );
    }
}
