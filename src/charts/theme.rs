//! The look shared by every chart: the embedded font, the Okabe–Ito palette, the
//! neutral regime palette
//! and the text and line sizes. Charts ask the theme for colours by role
//! (a series index, a regime band), so one band or one scenario keeps its
//! colour on every sheet.

use plotters::style::RGBColor;

/// Family name of the embedded DejaVu font: the drawn SVG names it, and
/// [`super::render`] resolves it to the font data compiled into the binary.
pub const FONT: &str = "DejaVu Sans";

// Okabe & Ito (2008), "Color Universal Design": distinguishable under the
// common forms of colour blindness.
pub const BLACK: RGBColor = RGBColor(0, 0, 0);
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);

/// Neutral colours of text, grid and markers.
pub const TEXT: RGBColor = RGBColor(34, 34, 34);
pub const MUTED: RGBColor = RGBColor(96, 96, 96);
pub const GRID: RGBColor = RGBColor(222, 222, 222);
pub const AXIS: RGBColor = RGBColor(120, 120, 120);
pub const WHITE: RGBColor = RGBColor(255, 255, 255);

/// Line colours of series drawn together (drivers, variables of a
/// trajectory, scenarios of a comparison), in order. Yellow is left out: a
/// thin yellow line on white is hard to see.
const SERIES: [RGBColor; 8] = [
    BLUE,
    VERMILLION,
    GREEN,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    BLACK,
    RGBColor(140, 140, 140),
];

/// Colour of the `i`-th of several series.
pub fn series(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

/// Stops of the default regime palette, dark to light: viridis (van der
/// Walt & Smith, matplotlib), a sequential scale that stays ordered for
/// readers with any common colour-vision deficiency and in greyscale. Its
/// hues carry no "bad" or "good" (no red-to-green): bands differ by
/// lightness, from the lowest band (darkest) to the highest (lightest).
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

/// Default colour of band `i` of `n` regime bands, lowest band first: `n`
/// evenly spaced points of [`VIRIDIS`], so the same band gets the same
/// colour on every chart and colours follow the bands' order, not a
/// judgement of them.
pub fn regime(i: usize, n: usize) -> RGBColor {
    let t = if n <= 1 {
        0.5
    } else {
        (i.min(n - 1)) as f64 / (n - 1) as f64
    };
    viridis(t)
}

/// The sequential colour of `t` in [0, 1] (clamped; 0 for NaN),
/// interpolated linearly between the [`VIRIDIS`] stops: regime bands and
/// the sweep heatmap share it.
pub fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let k = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - k as f64;
    let (a, b) = (VIRIDIS[k], VIRIDIS[k + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Colour of band `i` of `bands`: the author's `color` when the scenario
/// gives one, else the default palette.
pub fn band_colour(bands: &[crate::model::Band], i: usize) -> RGBColor {
    match bands.get(i).and_then(|b| b.colour) {
        Some([r, g, b]) => RGBColor(r, g, b),
        None => regime(i, bands.len()),
    }
}

/// `c` mixed with white: `amount` 1 is `c`, 0 is white. Bands use opaque
/// mixes rather than transparency, so a band has one exact colour (which
/// the tests count) and is always lighter than its line.
pub fn tint(c: RGBColor, amount: f64) -> RGBColor {
    let mix = |v: u8| (255.0 - (255.0 - f64::from(v)) * amount).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// Strength of the outer (widest) quantile band.
pub const OUTER_BAND: f64 = 0.22;
/// Strength of the inner quantile band.
pub const INNER_BAND: f64 = 0.45;
/// Strength of the regime shading behind a fan chart.
pub const REGIME_SHADE: f64 = 0.13;

/// Sizes, designed at 1600×900 and scaled with the canvas so a chart
/// keeps its proportions at any `--size`. Text sizes are em sizes (the CSS
/// font size); at the default size the smallest text is 15 px, readable
/// when the chart is pasted at half size.
///
/// A chart is drawn in *units* of `1 / res` of an output pixel: plotters
/// hands whole numbers to its backends, so drawing at `res` units a pixel
/// keeps points at sub-pixel positions and a slowly rising line smooth.
/// `width`, `height` and every size below are in units.
#[derive(Clone, Debug)]
pub struct Theme {
    pub width: u32,
    pub height: u32,
    scale: f64,
    res: u32,
}

impl Theme {
    /// A sheet of `width` × `height` output pixels, one unit a pixel.
    pub fn new(width: u32, height: u32) -> Self {
        Theme::at(width, height, 1)
    }

    /// A sheet of `width` × `height` output pixels drawn at `res` units a
    /// pixel: the same layout as [`Theme::new`], scaled by `res`.
    pub fn at(width: u32, height: u32, res: u32) -> Self {
        let res = res.max(1);
        let scale = (f64::from(width) / 1600.0)
            .min(f64::from(height) / 900.0)
            .max(0.6);
        Theme {
            width: width * res,
            height: height * res,
            scale: scale * f64::from(res),
            res,
        }
    }

    /// A design size (at 1600×900) in pixels at this canvas size.
    pub fn px(&self, design: f64) -> f64 {
        design * self.scale
    }

    pub fn ipx(&self, design: f64) -> i32 {
        self.px(design).round() as i32
    }

    /// Stroke width in whole units, at least one output pixel.
    /// Drawing units per output pixel.
    pub fn res(&self) -> u32 {
        self.res
    }

    pub fn stroke(&self, design: f64) -> u32 {
        self.px(design).round().max(f64::from(self.res)) as u32
    }

    pub fn title(&self) -> f64 {
        self.px(28.0)
    }
    pub fn subtitle(&self) -> f64 {
        self.px(18.0)
    }
    pub fn label(&self) -> f64 {
        self.px(18.0)
    }
    pub fn tick(&self) -> f64 {
        self.px(17.0)
    }
    pub fn small(&self) -> f64 {
        self.px(16.0)
    }
    /// The smallest text: ticks and names of the dashboard's panels.
    pub fn tiny(&self) -> f64 {
        self.px(15.0)
    }
    pub fn margin(&self) -> i32 {
        self.ipx(24.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tints_are_lighter() {
        let t = tint(BLUE, OUTER_BAND);
        assert!(t.0 > BLUE.0 && t.1 > BLUE.1 && t.2 > BLUE.2);
        assert_eq!(tint(BLUE, 1.0), BLUE);
        assert_eq!(tint(BLUE, 0.0), WHITE);
    }

    /// Relative luminance (sRGB weights on the 8-bit values).
    fn lightness(c: RGBColor) -> f64 {
        0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2)
    }

    #[test]
    fn default_regime_colours_are_sequential_not_red_to_green() {
        for n in 2..=8 {
            let cs: Vec<RGBColor> = (0..n).map(|i| regime(i, n)).collect();
            for w in cs.windows(2) {
                assert!(lightness(w[1]) > lightness(w[0]), "n={n}: {cs:?}");
            }
            // No band is a saturated red (the old lowest band, vermillion).
            assert!(cs.iter().all(|c| !(c.0 > 180 && c.1 < 120 && c.2 < 80)));
        }
        assert_eq!(regime(0, 5), RGBColor(68, 1, 84));
        assert_eq!(regime(4, 5), RGBColor(253, 231, 37));
    }

    #[test]
    fn an_authors_band_colour_wins() {
        let band = |colour| crate::model::Band {
            name: "b".into(),
            lo: 0.0,
            hi: 1.0,
            colour,
        };
        let bands = [band(None), band(Some([1, 2, 3]))];
        assert_eq!(band_colour(&bands, 0), regime(0, 2));
        assert_eq!(band_colour(&bands, 1), RGBColor(1, 2, 3));
    }

    #[test]
    fn regime_colours_are_distinct_within_a_set() {
        for n in 2..=8 {
            let cs: Vec<RGBColor> = (0..n).map(|i| regime(i, n)).collect();
            for a in 0..n {
                for b in a + 1..n {
                    assert_ne!(cs[a], cs[b], "n={n}: bands {a} and {b}");
                }
            }
        }
    }
}
