//! Text on a chart: measuring, fitting, wrapping and drawing with one
//! anchor convention. Text is drawn as SVG `<text>` and turned into glyph
//! outlines of the embedded font by [`super::render`] for both formats;
//! layout decisions (how many key columns, where a label goes) measure the
//! same glyphs with [`super::glyphs`], so labels neither overlap nor run off
//! the sheet (a test checks that measured and rendered widths agree).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{Area, DrawResult};
use super::glyphs::{self, Weight};
use super::theme::{FONT, Theme};

/// Where the anchor point lies on the text, vertically.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum VAlign {
    /// The anchor is at the top of the capitals.
    Top,
    /// The anchor is at the middle of the capitals.
    Middle,
}

/// A text style: the em size in pixels, weight and colour.
#[derive(Copy, Clone, Debug)]
pub struct Font {
    pub size: f64,
    pub weight: Weight,
    pub colour: RGBColor,
}

/// plotters' SVG text sets `font-size` to its size over 1.24.
const SVG_SIZE: f64 = 1.24;
/// plotters' SVG text puts the baseline this many ems below a top anchor.
const SVG_TOP_TO_BASELINE: f64 = 0.76;

impl Font {
    pub fn new(size: f64, colour: RGBColor) -> Self {
        Font {
            size,
            weight: Weight::Normal,
            colour,
        }
    }

    pub fn bold(self) -> Self {
        Font {
            weight: Weight::Bold,
            ..self
        }
    }

    /// Height of one line of this text, including leading.
    pub fn line(&self) -> f64 {
        self.size * 1.35
    }

    /// Height of capitals above the baseline.
    pub fn cap(&self) -> f64 {
        self.size * glyphs::CAP_HEIGHT
    }

    fn svg_style(&self, h: HPos) -> TextStyle<'static> {
        let style = match self.weight {
            Weight::Normal => FontStyle::Normal,
            Weight::Bold => FontStyle::Bold,
        };
        FontDesc::new(FontFamily::Name(FONT), self.size * SVG_SIZE, style)
            .color(&self.colour)
            .pos(Pos::new(h, VPos::Top))
    }
}

/// Width of `s` in pixels.
pub(crate) fn width<DB: DrawingBackend>(_area: &Area<DB>, s: &str, f: Font) -> f64 {
    glyphs::width(s, f.weight, f.size)
}

/// `s`, cut with an ellipsis where needed to fit in `max_w` pixels.
pub(crate) fn fit<DB: DrawingBackend>(area: &Area<DB>, s: &str, f: Font, max_w: f64) -> String {
    if width(area, s, f) <= max_w {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cand: String = chars[..mid].iter().collect::<String>() + "…";
        if width(area, &cand, f) <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let kept: String = chars[..lo].iter().collect();
    format!("{}…", kept.trim_end())
}

/// A parameter label such as `weight: transit_dependence → trust` fitted to
/// `max_w` pixels. When it is too long, the words between the field kind
/// (`weight:`) and the arrow are shortened, longest first
/// (`weight: transit_d… → trust`), so the target and a product's second
/// factor stay readable and two labels that differ there stay apart; the
/// target is shortened only after them. A label without an arrow, or one
/// that does not fit even so, is cut at the end.
pub(crate) fn fit_label<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    f: Font,
    max_w: f64,
) -> String {
    /// Words are not cut below this many characters (plus the ellipsis).
    const MIN_KEEP: usize = 4;
    let fits = |t: &str| width(area, t, f) <= max_w;
    let Some(arrow) = s.rfind(" → ") else {
        return fit(area, s, f, max_w);
    };
    if fits(s) {
        return s.to_string();
    }
    let (head, tail) = s.split_at(arrow);
    let tail_chars: Vec<char> = tail[" → ".len()..].chars().collect();
    let mut tail_keep = tail_chars.len();
    let mut words: Vec<(Vec<char>, usize)> = head
        .split(' ')
        .map(|w| (w.chars().collect::<Vec<char>>(), w.chars().count()))
        .collect();
    loop {
        let shortened: Vec<String> = words
            .iter()
            .map(|(c, keep)| {
                let kept: String = c[..*keep].iter().collect();
                if *keep < c.len() { kept + "…" } else { kept }
            })
            .collect();
        let target: String = tail_chars[..tail_keep].iter().collect();
        let target = if tail_keep < tail_chars.len() {
            target + "…"
        } else {
            target
        };
        let candidate = shortened.join(" ") + " → " + &target;
        if fits(&candidate) {
            return candidate;
        }
        // The first word names the kind of field: kept whole. The target
        // is shortened only when the words before the arrow cannot be.
        let longest = words
            .iter_mut()
            .skip(1)
            .filter(|(_, keep)| *keep > MIN_KEEP)
            .max_by_key(|(_, keep)| *keep);
        match longest {
            Some((_, keep)) => *keep -= 1,
            None if tail_keep > MIN_KEEP => tail_keep -= 1,
            // As short as the words get: cut what is left at the end.
            None => return fit(area, &candidate, f, max_w),
        }
    }
}

/// `s` broken into at most `max_lines` lines of at most `max_w` pixels; the
/// last line is cut with an ellipsis if the text does not fit.
pub(crate) fn wrap<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    f: Font,
    max_w: f64,
    max_lines: usize,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut words = s.split_whitespace();
    while let Some(word) = words.next() {
        let cand = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if current.is_empty() || width(area, &cand, f) <= max_w {
            current = cand;
            continue;
        }
        if lines.len() + 1 >= max_lines.max(1) {
            let rest: Vec<&str> = std::iter::once(word).chain(words.by_ref()).collect();
            current = format!("{current} {}", rest.join(" "));
            break;
        }
        lines.push(std::mem::replace(&mut current, word.to_string()));
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines.into_iter().map(|l| fit(area, &l, f, max_w)).collect()
}

/// Draws `s` with its anchor at `(x, y)`: `h` places the anchor at the left,
/// centre or right of the text, `v` at the top or middle of the capitals.
pub(crate) fn draw<DB: DrawingBackend>(
    area: &Area<DB>,
    _theme: &Theme,
    s: &str,
    (x, y): (f64, f64),
    f: Font,
    h: HPos,
    v: VAlign,
) -> DrawResult<DB> {
    let baseline = match v {
        VAlign::Top => y + f.cap(),
        VAlign::Middle => y + f.cap() / 2.0,
    };
    let top = baseline - SVG_TOP_TO_BASELINE * f.size;
    let pos = (x.round() as i32, top.round() as i32);
    area.draw(&Text::new(s.to_string(), pos, f.svg_style(h)))
}

/// Draws `s` reading upwards, centred on `(x, y)`, with the tops of the
/// capitals towards the left at `x`: the title of a vertical axis.
pub(crate) fn draw_vertical<DB: DrawingBackend>(
    area: &Area<DB>,
    _theme: &Theme,
    s: &str,
    (x, y): (f64, f64),
    f: Font,
) -> DrawResult<DB> {
    let baseline = x + f.cap();
    let style = f
        .svg_style(HPos::Center)
        .transform(FontTransform::Rotate270);
    let left = baseline - SVG_TOP_TO_BASELINE * f.size;
    area.draw(&Text::new(
        s.to_string(),
        (left.round() as i32, y.round() as i32),
        style,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::IntoDrawingArea;

    #[test]
    fn a_long_label_keeps_its_target_and_labels_stay_apart() {
        let mut svg = String::new();
        let area =
            plotters::backend::SVGBackend::with_string(&mut svg, (400, 100)).into_drawing_area();
        let font = Font::new(15.0, plotters::style::BLACK).bold();
        let room = width(&area, "weight: russian_leverage → alignment", font);
        let labels = [
            "weight: transit_dependence → alignment",
            "weight: transit_dependence → trust",
            "weight: russian_leverage → alignment",
            "weight: russian_leverage * tension → alignment",
        ];
        let fitted: Vec<String> = labels
            .iter()
            .map(|l| fit_label(&area, l, font, room))
            .collect();
        for f in &fitted {
            assert!(width(&area, f, font) <= room, "{f} is wider than {room}");
            assert!(f.starts_with("weight"), "{f}");
        }
        assert!(fitted[1].ends_with("→ trust"), "{}", fitted[1]);
        assert!(fitted[0].ends_with("→ alignment"), "{}", fitted[0]);
        assert!(fitted[3].ends_with("→ alignment"), "{}", fitted[3]);
        assert!(fitted[3].contains("* tens"), "{}", fitted[3]);
        for (i, a) in fitted.iter().enumerate() {
            for b in &fitted[i + 1..] {
                assert_ne!(a, b, "two labels read the same");
            }
        }
        // Tighter: the target is shortened too, but only once the words
        // before the arrow are as short as they get.
        let tight = width(&area, "weight: russ… * tens… → align…", font);
        let t = fit_label(&area, labels[3], font, tight);
        assert!(t.starts_with("weight: russ… * tens… → ali"), "{t}");
        assert!(width(&area, &t, font) <= tight, "{t}");
        // A label that fits is unchanged; one without an arrow or that
        // cannot fit is cut at the end, with one ellipsis.
        assert_eq!(fit_label(&area, labels[1], font, 1000.0), labels[1]);
        let event = fit_label(
            &area,
            "jump on trust: Putin state visit to Baku",
            font,
            room,
        );
        assert!(
            event.starts_with("jump on trust: Putin") && event.ends_with('…'),
            "{event}"
        );
        assert_eq!(event.matches('…').count(), 1, "{event}");
        let tiny = fit_label(&area, labels[3], font, 150.0);
        assert!(tiny.starts_with("weight: russ…"), "{tiny}");
        assert!(
            tiny.ends_with('…') && width(&area, &tiny, font) <= 150.0,
            "{tiny}"
        );
    }
}
