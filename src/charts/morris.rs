//! `morris.png` (`geosim sensitivity --method morris`): each parameter as a
//! point at its μ* (mean absolute elementary effect: how much it matters)
//! and σ (spread of its effects: non-linearity or interaction). The largest
//! by μ* are numbered, the numbers placed where they touch neither a point
//! nor each other, and named in a key beside the plot; the line σ = μ*
//! separates steady effects (below) from effects that depend on where the
//! other parameters are (above).

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::analysis::About;
use super::axes::{self, Span, extent};
use super::canvas::{self, Area, DrawResult, Drawn};
use super::labels;
use super::legend::{LegendItem, Swatch};
use super::page;
use super::render::Chart;
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use crate::analysis::morris::MorrisRow;
use crate::analysis::params::ParamRange;

/// Points numbered and named in the key.
pub const LABELLED: usize = 12;
pub const POINT: RGBColor = theme::BLUE;
pub const OTHER: RGBColor = RGBColor(170, 170, 170);
/// The σ = μ* line.
pub const REFERENCE: RGBColor = theme::MUTED;

#[derive(Clone, Debug, PartialEq)]
pub struct MorrisPoint {
    /// The parameter's path, as in morris.csv.
    pub parameter: String,
    /// Its name in words ([`labels::short_labels`]), shown on the chart.
    pub label: String,
    pub mu_star: f64,
    pub sigma: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MorrisData {
    pub about: About,
    /// Every parameter, largest μ* first; the first [`LABELLED`] are numbered.
    pub points: Vec<MorrisPoint>,
}

impl MorrisData {
    pub fn new(about: About, params: &[ParamRange], rows: &[MorrisRow]) -> Self {
        let paths: Vec<String> = rows.iter().map(|r| params[r.input].path.clone()).collect();
        let names = labels::short_labels(&paths);
        let mut points: Vec<MorrisPoint> = rows
            .iter()
            .zip(names)
            .map(|(r, label)| MorrisPoint {
                parameter: params[r.input].path.clone(),
                label,
                mu_star: r.mu_star,
                sigma: r.sigma,
            })
            .collect();
        points.sort_by(|a, b| b.mu_star.total_cmp(&a.mu_star));
        MorrisData { about, points }
    }

    pub fn labelled(&self) -> &[MorrisPoint] {
        &self.points[..self.points.len().min(LABELLED)]
    }
}

/// A pixel box `[left, top, right, bottom]`.
type Boxed = [f64; 4];

fn overlaps(a: &Boxed, b: &Boxed) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// Places a `w`×`h` label near each point of `at` (in order), each where
/// it overlaps no point (`r` pixels around each centre), no label placed
/// before and stays inside `bounds`: on rings of growing distance, trying
/// right, left, above, below and the diagonals. Returns each box and
/// whether it sits away from its point (and so wants a leader line).
pub fn place_labels(
    at: &[(f64, f64)],
    sizes: &[(f64, f64)],
    r: f64,
    bounds: Boxed,
) -> Vec<(Boxed, bool)> {
    let dots: Vec<Boxed> = at
        .iter()
        .map(|(x, y)| [x - r, y - r, x + r, y + r])
        .collect();
    let dirs: [(f64, f64); 8] = [
        (1.0, 0.0),
        (-1.0, 0.0),
        (0.0, -1.0),
        (0.0, 1.0),
        (1.0, -1.0),
        (-1.0, -1.0),
        (1.0, 1.0),
        (-1.0, 1.0),
    ];
    let mut placed: Vec<(Boxed, bool)> = Vec::with_capacity(at.len());
    for (&(x, y), &(w, h)) in at.iter().zip(sizes) {
        let fits = |b: &Boxed| {
            b[0] >= bounds[0]
                && b[1] >= bounds[1]
                && b[2] <= bounds[2]
                && b[3] <= bounds[3]
                && !dots.iter().any(|d| overlaps(b, d))
                && !placed.iter().any(|(p, _)| overlaps(b, p))
        };
        let candidates = (0..12).flat_map(|ring| {
            let dist = r + 2.0 + ring as f64 * h;
            dirs.iter().map(move |(dx, dy)| {
                let cx = x + dx * (dist + w / 2.0);
                let cy = y + dy * (dist + h / 2.0);
                (
                    [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0],
                    ring > 0,
                )
            })
        });
        let mut first = None;
        let mut chosen = None;
        for (b, far) in candidates {
            first.get_or_insert((b, far));
            if fits(&b) {
                chosen = Some((b, far));
                break;
            }
        }
        placed.push(chosen.or(first).unwrap_or(([x, y, x + w, y + h], false)));
    }
    placed
}

impl Chart for MorrisData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let a = &self.about;
        let named = self.labelled();
        let mut legend = vec![
            LegendItem {
                label: format!("the {} largest μ*, numbered as in the key", named.len()),
                swatch: Swatch::Patch(POINT),
            },
            LegendItem {
                label:
                    "σ = μ*: above it, the effect depends on the other parameters or is non-linear"
                        .into(),
                swatch: Swatch::Line {
                    colour: REFERENCE,
                    width: 2.0,
                    dashed: true,
                },
            },
        ];
        if self.points.len() > named.len() {
            legend.insert(
                1,
                LegendItem {
                    label: "other parameters".into(),
                    swatch: Swatch::Patch(OTHER),
                },
            );
        }
        let subtitle = format!(
            "Morris screening of {} ({}), {} parameters: the further right, the more a parameter \
             moves the metric across its range; the higher, the more that effect varies",
            a.metric_label,
            a.mode,
            self.points.len()
        );
        let body = page::draw(area, theme, &a.page(&subtitle, &legend))?;
        if self.points.is_empty() {
            page::note(area, theme, &body, "no parameter was varied")?;
            return Ok(Vec::new());
        }
        let key_font = Font::new(theme.small(), theme::TEXT);
        let num_w = text::width(area, &named.len().to_string(), key_font.bold());
        let key_w = named
            .iter()
            .map(|p| text::width(area, &p.label, key_font))
            .fold(0.0, f64::max)
            .min(body.width() * 0.42);
        let key_left = body.right - key_w - num_w - theme.px(10.0);

        let (_, mx) = extent(self.points.iter().map(|p| p.mu_star).chain([0.0]));
        let (_, my) = extent(self.points.iter().map(|p| p.sigma).chain([0.0]));
        let right = key_left - theme.px(36.0);
        let (plot, xs, ys) = axes::value_plot(
            area,
            theme,
            &body,
            right,
            (
                Span {
                    lo: 0.0,
                    hi: mx,
                    widen: true,
                    percent: a.percent,
                },
                Span {
                    lo: 0.0,
                    hi: my,
                    widen: true,
                    percent: a.percent,
                },
            ),
        );
        let top = plot.top;
        let x_title = format!(
            "μ*: mean absolute effect on {} of moving a parameter across its range",
            a.metric_label
        );
        let y_title = "σ: standard deviation of those effects";
        axes::xy(
            area,
            theme,
            &plot,
            (&xs, &ys),
            (&x_title, y_title),
            body.left,
        )?;

        // σ = μ* from the origin to where it leaves the plot (meaningless
        // when nothing has an effect).
        let end = xs.range.1.min(ys.range.1);
        if mx > 0.0 {
            let ends = vec![plot.px(0.0, 0.0), plot.px(end, end)];
            canvas::dashed(area, theme, ends, REFERENCE, 2.0)?;
        }

        let r = theme.px(7.0);
        for p in &self.points[named.len()..] {
            let at = plot.px(p.mu_star, p.sigma);
            area.draw(&Circle::new(at, theme.stroke(4.5), OTHER.filled()))?;
        }
        let centres: Vec<(f64, f64)> = named
            .iter()
            .map(|p| (plot.px_x(p.mu_star), plot.px_y(p.sigma)))
            .collect();
        let num_font = Font::new(theme.small(), theme::TEXT).bold();
        let pad = theme.px(3.0);
        let sizes: Vec<(f64, f64)> = (1..=named.len())
            .map(|i| {
                (
                    text::width(area, &i.to_string(), num_font) + 2.0 * pad,
                    num_font.cap() + 2.0 * pad,
                )
            })
            .collect();
        let bounds = [plot.left, plot.top, plot.right, plot.bottom];
        let boxes = place_labels(&centres, &sizes, r + pad, bounds);
        for (c, (b, far)) in centres.iter().zip(&boxes) {
            if *far {
                let mid = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
                canvas::line(
                    area,
                    theme,
                    vec![(c.0 as i32, c.1 as i32), (mid.0 as i32, mid.1 as i32)],
                    theme::MUTED,
                    1.0,
                )?;
            }
        }
        for c in &centres {
            let at = (c.0.round() as i32, c.1.round() as i32);
            area.draw(&Circle::new(at, r.round() as u32, POINT.filled()))?;
            area.draw(&Circle::new(
                at,
                r.round() as u32,
                theme::WHITE.stroke_width(theme.stroke(1.5)),
            ))?;
        }
        for (i, (b, _)) in boxes.iter().enumerate() {
            let mid = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
            text::draw(
                area,
                theme,
                &(i + 1).to_string(),
                mid,
                num_font,
                HPos::Center,
                VAlign::Middle,
            )?;
        }
        if mx == 0.0 {
            page::note(
                area,
                theme,
                &canvas::Body::from(&plot),
                "no parameter moves the metric",
            )?;
        }
        draw_key(area, theme, named, (key_left, top), num_w, key_w, key_font)?;
        Ok(vec![plot.rect()])
    }
}

/// The numbered names of the labelled points, in a column.
fn draw_key<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    named: &[MorrisPoint],
    (x, y): (f64, f64),
    num_w: f64,
    key_w: f64,
    font: Font,
) -> DrawResult<DB> {
    let head = font.bold();
    text::draw(
        area,
        theme,
        "parameters by μ*",
        (x, y),
        head,
        HPos::Left,
        VAlign::Top,
    )?;
    for (i, p) in named.iter().enumerate() {
        let row = y + (i as f64 + 1.4) * font.line();
        text::draw(
            area,
            theme,
            &(i + 1).to_string(),
            (x + num_w, row),
            head,
            HPos::Right,
            VAlign::Top,
        )?;
        let name = text::fit(area, &p.label, font, key_w);
        text::draw(
            area,
            theme,
            &name,
            (x + num_w + theme.px(10.0), row),
            font,
            HPos::Left,
            VAlign::Top,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_avoid_points_and_each_other() {
        // Three points almost on top of each other, one alone.
        let at = [
            (100.0, 100.0),
            (104.0, 100.0),
            (100.0, 104.0),
            (300.0, 300.0),
        ];
        let sizes = [(12.0, 14.0); 4];
        let boxes = place_labels(&at, &sizes, 8.0, [0.0, 0.0, 400.0, 400.0]);
        for (i, (a, _)) in boxes.iter().enumerate() {
            for (x, y) in at {
                let dot = [x - 8.0, y - 8.0, x + 8.0, y + 8.0];
                assert!(!overlaps(a, &dot), "label {i} covers a point");
            }
            for (b, _) in &boxes[i + 1..] {
                assert!(!overlaps(a, b), "labels overlap");
            }
        }
        assert!(!boxes[3].1, "a lone point keeps its label next to it");
    }
}
