//! The record on the charts of its series: every observation as a mark in
//! the series' own units ([`ObservedMark`], built from the model by
//! [`marks`]) and how the marks are drawn. A measurement is a point with an
//! error bar of ± one sd, an interval an open box from `lo` to `hi`, a band
//! a bracket between the band's edges; all in one dark ink with a white
//! halo, so they read over quantile bands and regime shading alike. An end
//! beyond the plot is cut at its edge with an arrowhead: the interval goes
//! on. A conditioned run also gets a thin line at its last observation,
//! after which the runs are a forecast.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::canvas::{Area, DrawResult, Plot};
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use super::time_axis::TimeAxis;
use crate::model::{Evidence, Model, Observation};

/// The colour of the record: a near-black ink, distinct from every series
/// and band colour (and from the black of the mean line), so the tests can
/// find it.
pub const INK: RGBColor = RGBColor(28, 24, 48);

/// What an observation says.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ObservedKind {
    /// A value with a Gaussian error: drawn as a point ± one sd.
    Measured,
    /// The value lay between two ends (either may be open).
    Interval,
    /// The regime variable was in a band: the band's edges.
    Band,
}

/// One observation as drawn on a chart of its series, in the series' units
/// (x = (y − offset) / scale of the observed quantity y).
#[derive(Clone, Debug, PartialEq)]
pub struct ObservedMark {
    /// Month index within the horizon.
    pub month: usize,
    pub kind: ObservedKind,
    /// The ends, `lo <= hi`: a measurement's value ∓ sd; an interval's ends
    /// (infinite where open); a band's edges within the variable's bounds.
    pub lo: f64,
    pub hi: f64,
    /// A measurement's value.
    pub point: Option<f64>,
    /// The observation's name, as messages call it.
    pub label: String,
}

/// The value of the series that gives the observed quantity `y`.
fn unobserve(o: &Observation, y: f64) -> f64 {
    (y - o.offset) / o.scale
}

/// Bounds of source `s` (variables, then drivers).
fn bounds(model: &Model, s: usize) -> (f64, f64) {
    match model.variables.get(s) {
        Some(v) => (v.min, v.max),
        None => model
            .drivers
            .get(s - model.n_vars())
            .map_or((f64::NEG_INFINITY, f64::INFINITY), |d| (d.min, d.max)),
    }
}

/// The observations of source `s` (a variable, or driver `s − n_vars`), in
/// month order.
pub fn marks(model: &Model, s: usize) -> Vec<ObservedMark> {
    let (min, max) = bounds(model, s);
    model
        .observations
        .iter()
        .filter(|o| o.series.0 == s)
        .map(|o| {
            let ends = |a: f64, b: f64| {
                let (a, b) = (unobserve(o, a), unobserve(o, b));
                (a.min(b), a.max(b))
            };
            let band = o.band.and_then(|k| model.regimes.as_ref()?.bands.get(k));
            let (kind, (lo, hi), point) = match (&o.evidence, band) {
                (Evidence::Interval { lo, hi, .. }, Some(b)) => (
                    ObservedKind::Band,
                    (b.lo.max(*lo).max(min), b.hi.min(*hi).min(max)),
                    None,
                ),
                (Evidence::Interval { lo, hi, .. }, None) => {
                    (ObservedKind::Interval, ends(*lo, *hi), None)
                }
                (Evidence::Measured { value, sd }, _) => (
                    ObservedKind::Measured,
                    ends(value - sd, value + sd),
                    Some(unobserve(o, *value)),
                ),
            };
            ObservedMark {
                month: o.month,
                kind,
                lo,
                hi,
                point,
                label: o.label.clone(),
            }
        })
        .collect()
}

/// The month of the last observation of any series: where a conditioned
/// run's forecast begins.
pub fn last_month(model: &Model) -> Option<usize> {
    model.observations.iter().map(|o| o.month).max()
}

/// Which kinds of marks a chart shows, for its legend.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Kinds {
    pub measured: bool,
    pub interval: bool,
    pub band: bool,
}

impl Kinds {
    pub fn of<'a>(marks: impl IntoIterator<Item = &'a ObservedMark>) -> Self {
        let mut k = Kinds::default();
        for m in marks {
            match m.kind {
                ObservedKind::Measured => k.measured = true,
                ObservedKind::Interval => k.interval = true,
                ObservedKind::Band => k.band = true,
            }
        }
        k
    }

    pub fn any(self) -> bool {
        self.measured || self.interval || self.band
    }

    fn list(self) -> Vec<ObservedKind> {
        [
            (self.measured, ObservedKind::Measured),
            (self.interval, ObservedKind::Interval),
            (self.band, ObservedKind::Band),
        ]
        .into_iter()
        .filter_map(|(on, k)| on.then_some(k))
        .collect()
    }

    /// The legend's label: "observed: point ± sd, interval, band", naming
    /// the kinds shown.
    pub fn label(self) -> String {
        let names: Vec<&str> = self
            .list()
            .into_iter()
            .map(|k| match k {
                ObservedKind::Measured => "point ± sd",
                ObservedKind::Interval => "interval",
                ObservedKind::Band => "band",
            })
            .collect();
        format!("observed: {}", names.join(", "))
    }
}

/// Sizes of the marks in whole pixels, so thin strokes stay sharp and a
/// small box stays hollow.
#[derive(Copy, Clone, Debug)]
struct Geom {
    /// Width of an error bar's stem and of the caps.
    stem: i32,
    /// Width of a box's or bracket's outline.
    line: i32,
    /// Half the width of caps, arrowheads and brackets (beyond the middle
    /// pixel).
    half: i32,
    /// Half the width of an interval's box.
    box_half: i32,
    /// Length of an arrowhead.
    arrow: i32,
    /// Radius of a measurement's point.
    dot: i32,
    /// Width of the white halo.
    halo: i32,
}

impl Geom {
    /// Marks at `k` times their size on a fan chart, narrower where months
    /// are closer than `room` pixels apart, so neighbours do not merge.
    fn new(theme: &Theme, k: f64, room: f64) -> Self {
        // Minimums are in output pixels: a chart drawn at several units a
        // pixel (render.rs) scales them, so thin marks stay visible.
        let res = theme.res() as i32;
        let whole = |v: f64, min: i32| (v.round() as i32).max(min * res);
        let half = whole((theme.px(6.5) * k).min(room * 0.4), 2);
        let dense = (room / theme.px(24.0)).min(1.0);
        Geom {
            // At least 2 px: anti-aliased, a thinner outline turns grey.
            stem: whole(theme.px(2.5) * k, 2),
            line: whole(theme.px(2.5) * k * dense.max(0.6), 2),
            half,
            box_half: whole(f64::from(half) * 0.8, 3),
            arrow: whole(theme.px(10.0) * k, 4),
            dot: whole((theme.px(5.5) * k).min(room * 0.3), 2),
            halo: whole(theme.px(2.0) * k * dense.max(0.5), 1),
        }
    }
}

/// One mark in pixels: its column, the pixel rows of its ends (`top` above
/// `bottom`), which ends are cut at the plot's edge, and its point.
struct Shape {
    kind: ObservedKind,
    x: f64,
    top: f64,
    bottom: f64,
    cut_top: bool,
    cut_bottom: bool,
    point: Option<f64>,
}

/// A filled rectangle of the pixels `l..r` × `t..b` (ends excluded).
fn rect<DB: DrawingBackend>(
    area: &Area<DB>,
    (l, t, r, b): (i32, i32, i32, i32),
    c: RGBColor,
) -> DrawResult<DB> {
    if r <= l || b <= t {
        return Ok(());
    }
    area.draw(&Rectangle::new([(l, t), (r, b)], c.filled()))
}

/// An arrowhead with its tip at `(x, tip)` pointing up (`up`) or down, its
/// base `g.arrow` inward, grown by `grow` pixels on every side.
fn arrowhead<DB: DrawingBackend>(
    area: &Area<DB>,
    g: &Geom,
    (x, tip): (i32, i32),
    up: bool,
    grow: i32,
    c: RGBColor,
) -> DrawResult<DB> {
    let dir = if up { 1 } else { -1 };
    let base = tip + dir * (g.arrow + grow);
    let half = g.half + grow;
    let tip = tip - dir * grow;
    let pts = vec![(x - half, base), (x + half + 1, base), (x, tip)];
    area.draw(&Polygon::new(pts, c.filled()))
}

/// Draws one mark in two passes: the white halo (`grow` > 0) under the ink.
fn shape<DB: DrawingBackend>(area: &Area<DB>, g: &Geom, s: &Shape) -> DrawResult<DB> {
    let whole = |v: f64| v.clamp(-1e6, 1e6).round() as i32;
    let x = whole(s.x);
    let (top, bottom) = (whole(s.top), whole(s.bottom));
    // The body runs between the arrowheads' bases.
    let body_top = if s.cut_top { top + g.arrow } else { top };
    let body_bottom = if s.cut_bottom {
        bottom - g.arrow
    } else {
        bottom
    }
    .max(body_top);
    // Columns `x - k ..= x + k`, centred on the mark's pixel.
    let cols = |k: i32| (x - k, x + k + 1);
    for (grow, c) in [(g.halo, theme::WHITE), (0, INK)] {
        let (t, b) = (body_top, body_bottom + 1);
        match s.kind {
            ObservedKind::Measured => {
                let (l, r) = cols((g.stem - 1) / 2);
                rect(area, (l - grow, t - grow, r + grow, b + grow), c)?;
                let (cl, cr) = cols(g.half * 3 / 4);
                let h = g.stem / 2;
                if !s.cut_top {
                    let (ct, cb) = (top - h, top - h + g.stem);
                    rect(area, (cl - grow, ct - grow, cr + grow, cb + grow), c)?;
                }
                if !s.cut_bottom {
                    let (ct, cb) = (bottom - h, bottom - h + g.stem);
                    rect(area, (cl - grow, ct - grow, cr + grow, cb + grow), c)?;
                }
            }
            ObservedKind::Interval => {
                // An open box: the runs behind it stay visible. The halo
                // lines its outside only.
                let (l, r) = cols(g.box_half);
                let w = g.line;
                rect(area, (l - grow, t - grow, l + w, b + grow), c)?;
                rect(area, (r - w, t - grow, r + grow, b + grow), c)?;
                rect(area, (l - grow, t - grow, r + grow, t + w), c)?;
                rect(area, (l - grow, b - w, r + grow, b + grow), c)?;
            }
            ObservedKind::Band => {
                // A bracket "[": a spine on the left, ticks to the right.
                let (l, r) = cols(g.box_half);
                let w = g.line + 1;
                rect(area, (l - grow, t - grow, l + w + grow, b + grow), c)?;
                rect(area, (l - grow, t - grow, r + grow, t + w + grow), c)?;
                rect(area, (l - grow, b - w - grow, r + grow, b + grow), c)?;
            }
        }
        if s.cut_top {
            arrowhead(area, g, (x, top), true, grow, c)?;
        }
        if s.cut_bottom {
            arrowhead(area, g, (x, bottom + 1), false, grow, c)?;
        }
        if let Some(y) = s.point {
            let r = (g.dot + grow) as u32;
            area.draw(&Circle::new((x, whole(y)), r, c.filled()))?;
        }
    }
    Ok(())
}

/// Draws `marks` into `plot`: full size on a fan chart, `small` in a panel.
pub(crate) fn draw<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
    time: &TimeAxis,
    marks: &[ObservedMark],
    small: bool,
) -> DrawResult<DB> {
    if marks.is_empty() {
        return Ok(());
    }
    let (x0, x1) = plot.x;
    let month_px = (plot.right - plot.left) / ((x1 - x0) * 12.0).max(1.0);
    let g = Geom::new(theme, if small { 0.65 } else { 1.0 }, month_px);
    let (ymin, ymax) = (plot.y.0.min(plot.y.1), plot.y.0.max(plot.y.1));
    for m in marks {
        let point = m
            .point
            .filter(|p| (ymin..=ymax).contains(p))
            .map(|p| plot.px_y(p));
        shape(
            area,
            &g,
            &Shape {
                kind: m.kind,
                x: plot.px_x(time.x(m.month)),
                // Held inside the range here: the plot puts a non-finite
                // value at the bottom.
                top: plot.px_y(m.hi.clamp(ymin, ymax)),
                bottom: plot.px_y(m.lo.clamp(ymin, ymax)),
                cut_top: m.hi > ymax,
                cut_bottom: m.lo < ymin,
                point,
            },
        )?;
    }
    Ok(())
}

/// The legend swatch of `kinds`: a small mark of each kind shown, side by
/// side in `w` pixels around the row's middle `mid`, `h` pixels high.
pub(crate) fn swatch<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    kinds: Kinds,
    (x, mid): (f64, f64),
    (w, h): (f64, f64),
) -> DrawResult<DB> {
    let list = kinds.list();
    let n = list.len().max(1) as f64;
    let g = Geom::new(theme, 0.8, w / n);
    for (i, kind) in list.into_iter().enumerate() {
        let cx = x + w * (i as f64 + 0.5) / n;
        shape(
            area,
            &g,
            &Shape {
                kind,
                x: cx,
                top: mid - h / 2.0,
                bottom: mid + h / 2.0,
                cut_top: false,
                cut_bottom: false,
                point: (kind == ObservedKind::Measured).then_some(mid),
            },
        )?;
    }
    Ok(())
}

/// The label of the line at the last observation.
pub const LAST_LABEL: &str = "last observation";

/// A thin line at `month`, the last observation of a conditioned run,
/// labelled inside the plot at its top (`top`) or bottom, on the side of
/// the line where the label fits (after it when it can: the forecast side).
pub(crate) fn draw_last<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
    time: &TimeAxis,
    month: usize,
    top: bool,
) -> DrawResult<DB> {
    let x = plot.px_x(time.x(month)).round();
    let xi = x as i32;
    area.draw(&PathElement::new(
        vec![(xi, plot.top as i32), (xi, plot.bottom as i32)],
        INK.stroke_width(theme.stroke(1.0)),
    ))?;
    let font = Font::new(theme.small(), INK);
    let w = text::width(area, LAST_LABEL, font);
    let pad = theme.px(5.0);
    let gap = theme.px(6.0);
    let after = x + gap + w + 2.0 * pad <= plot.right;
    let (l, anchor, h) = if after {
        (x + gap, x + gap + pad, HPos::Left)
    } else {
        (x - gap - w - 2.0 * pad, x - gap - pad, HPos::Right)
    };
    let box_h = font.cap() + 2.0 * pad;
    let t = if top {
        plot.top + theme.px(6.0)
    } else {
        plot.bottom - theme.px(6.0) - box_h
    };
    let px = |v: f64| v.round() as i32;
    let label_box = (px(l), px(t), px(l + w + 2.0 * pad), px(t + box_h));
    rect(area, label_box, theme::WHITE)?;
    text::draw(
        area,
        theme,
        LAST_LABEL,
        (anchor, t + pad),
        font,
        h,
        VAlign::Top,
    )
}
