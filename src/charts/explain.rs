//! `explain.png`: why a variable moved over a window of the deterministic
//! run. Two panels on one calendar: on top the variable's level and the
//! target it moves toward each month; below, each month's change split into
//! the terms of its signal — positive contributions stacked upwards,
//! negative ones downwards, the net change as a line. The largest terms
//! (by their total over the window) have their own colour; the rest are
//! merged.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::analysis::footer;
use super::axes::{self, Scale, Side, extent};
use super::canvas::{self, Area, DrawResult, Drawn, Plot};
use super::fan::axis_title;
use super::labels;
use super::legend::{LegendItem, Swatch};
use super::page::{self, Page};
use super::render::Chart;
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use super::time_axis::TimeAxis;
use crate::analysis::explain::Explanation;
use crate::model::{Model, YearMonth};

/// Terms drawn in their own colour; the rest are merged into one.
pub const TOP_TERMS: usize = 8;

/// Fill colours of the largest terms, largest first: the Okabe–Ito colours
/// (yellow is fine as a fill) and a dark grey. The merged rest is light grey.
pub const TERM_COLOURS: [RGBColor; TOP_TERMS] = [
    theme::BLUE,
    theme::VERMILLION,
    theme::GREEN,
    theme::ORANGE,
    theme::SKY_BLUE,
    theme::PURPLE,
    theme::YELLOW,
    RGBColor(105, 105, 105),
];
pub const OTHER_COLOUR: RGBColor = RGBColor(200, 200, 200);
/// The variable's level and its net monthly change.
pub const STATE: RGBColor = theme::BLACK;
/// The target, dashed: black like the level, so no term's colour means
/// two things.
pub const TARGET: RGBColor = theme::BLACK;

/// One stacked series: a term, or the merged rest.
#[derive(Clone, Debug, PartialEq)]
pub struct Stack {
    /// The term in words ([`labels::explain_term`]), or "N other terms".
    pub name: String,
    /// The term as explain.csv names it; empty for the merged rest.
    pub term: String,
    pub colour: RGBColor,
    /// Contribution to the change into each month of [`ExplainData::dates`].
    pub monthly: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExplainData {
    pub title: String,
    pub variable: String,
    pub y_title: String,
    /// The window, `from` to `to`.
    pub time: TimeAxis,
    /// The month each change lands in (`from + 1 ..= to`), as in explain.csv.
    pub dates: Vec<YearMonth>,
    /// Level at the start of each month, `from ..= to`.
    pub state: Vec<f64>,
    /// Target in each month `from .. to`.
    pub target: Vec<f64>,
    /// The largest terms, then the merged rest; terms that never contribute
    /// are left out.
    pub stacks: Vec<Stack>,
    /// Sum of all terms each month: the actual change.
    pub net: Vec<f64>,
    /// Terms that contribute in some month.
    pub active_terms: usize,
    pub footer: String,
}

impl ExplainData {
    /// `top`: terms to name, as in the printed table (at most
    /// [`TOP_TERMS`], the colours there are).
    pub fn new(model: &Model, e: &Explanation, top: usize) -> Self {
        let n = e.to - e.from;
        let active = e.active().len();
        let (named, rest) = e.split(top.clamp(1, TOP_TERMS));
        let mut stacks: Vec<Stack> = named
            .iter()
            .enumerate()
            .map(|(i, t)| Stack {
                name: labels::explain_term(model, e, t),
                term: t.name.clone(),
                colour: TERM_COLOURS.get(i).copied().unwrap_or(OTHER_COLOUR),
                monthly: t.monthly.clone(),
            })
            .collect();
        if !rest.is_empty() {
            stacks.push(Stack {
                name: format!("{} other terms", rest.len()),
                term: String::new(),
                colour: OTHER_COLOUR,
                monthly: (0..n)
                    .map(|k| rest.iter().map(|t| t.monthly[k]).sum())
                    .collect(),
            });
        }
        let net = (0..n)
            .map(|k| e.terms.iter().map(|t| t.monthly[k]).sum())
            .collect();
        ExplainData {
            title: model.title.clone(),
            variable: model.variables[e.variable.0].name.clone(),
            y_title: axis_title(model, e.variable),
            time: TimeAxis {
                start: model.date(e.from),
                end: model.date(e.to),
            },
            dates: (e.from + 1..=e.to).map(|t| model.date(t)).collect(),
            state: e.state.clone(),
            target: e.target.clone(),
            stacks,
            net,
            active_terms: active,
            footer: footer(
                model,
                &[format!(
                    "deterministic run · window {} … {}",
                    model.date(e.from),
                    model.date(e.to)
                )],
            ),
        }
    }

    /// Lower and upper edge of each stack's bar, month by month: positive
    /// contributions stacked up from zero in stack order, negative ones down.
    pub fn bars(&self) -> Vec<Vec<(f64, f64)>> {
        let n = self.dates.len();
        let (mut up, mut down) = (vec![0.0; n], vec![0.0; n]);
        self.stacks
            .iter()
            .map(|s| {
                s.monthly
                    .iter()
                    .enumerate()
                    .map(|(k, c)| {
                        let edge = if *c >= 0.0 { &mut up[k] } else { &mut down[k] };
                        let from = *edge;
                        *edge += c;
                        (from.min(*edge), from.max(*edge))
                    })
                    .collect()
            })
            .collect()
    }

    fn legend(&self) -> Vec<LegendItem> {
        let line = |label: String, colour, width, dashed| LegendItem {
            label,
            swatch: Swatch::Line {
                colour,
                width,
                dashed,
            },
        };
        let mut items = vec![
            line(format!("{} (level)", self.variable), STATE, 3.0, false),
            line("target it moves toward".into(), TARGET, 2.0, true),
            line("net change in the month".into(), STATE, 1.5, false),
        ];
        items.extend(self.stacks.iter().map(|s| LegendItem {
            label: s.name.clone(),
            swatch: Swatch::Patch(s.colour),
        }));
        items
    }
}

/// A panel heading: bold name, muted note after it.
fn heading<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
    name: &str,
    note: &str,
) -> DrawResult<DB> {
    let bold = Font::new(theme.small(), theme::TEXT).bold();
    let muted = Font::new(theme.small(), theme::MUTED);
    let y = plot.top - bold.line();
    let name = text::fit(area, name, bold, plot.right - plot.left);
    text::draw(
        area,
        theme,
        &name,
        (plot.left, y),
        bold,
        HPos::Left,
        VAlign::Top,
    )?;
    let x = plot.left + text::width(area, &name, bold) + theme.px(12.0);
    let note = text::fit(area, note, muted, plot.right - x);
    text::draw(area, theme, &note, (x, y), muted, HPos::Left, VAlign::Top)
}

impl Chart for ExplainData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let legend = self.legend();
        let shown = if self.stacks.len() < self.active_terms {
            format!(
                "the {} largest of {} terms (by their total over the window) in colour, the rest merged",
                self.stacks.len() - 1,
                self.active_terms
            )
        } else {
            "each term in its own colour".into()
        };
        let subtitle = format!(
            "Why {} moved from {} to {} in the deterministic run: each month's change split into \
             the terms of its signal, which add up to the net change; {shown}",
            self.variable, self.time.start, self.time.end,
        );
        let body = page::draw(
            area,
            theme,
            &Page {
                title: &self.title,
                subtitle: &subtitle,
                legend: &legend,
                notes: &[],
                footer: &self.footer,
            },
        )?;
        let tick_font = Font::new(theme.tick(), theme::TEXT);
        let label_font = Font::new(theme.label(), theme::TEXT);
        let head = Font::new(theme.small(), theme::TEXT).line();
        let gap = theme.px(16.0);
        let avail = body.height() - 2.0 * head - axes::x_label_room(theme, tick_font) - gap;
        let (top_h, bottom_h) = (avail * 0.4, avail * 0.6);
        let count = |h: f64| ((h / (tick_font.size * 2.6)) as usize).clamp(3, 8);

        let (lo, hi) = extent(self.state.iter().chain(&self.target).copied());
        let level = Scale::nice(lo, hi, count(top_h), false);
        let bars = self.bars();
        let edges = bars.iter().flatten().flat_map(|(a, b)| [*a, *b]);
        let (lo, hi) = extent(edges.chain(self.net.iter().copied()).chain([0.0]));
        let change = Scale::nice(lo, hi, count(bottom_h), false);

        let ylabel_w = level
            .widest(area, tick_font)
            .max(change.widest(area, tick_font));
        let left = body.left + label_font.line() + theme.px(12.0) + ylabel_w + theme.px(10.0);
        let right = body.right - theme.px(16.0);
        let top = Plot {
            left,
            top: body.top + head,
            right,
            bottom: body.top + head + top_h,
            x: self.time.range(),
            y: level.range,
        };
        let bottom = Plot {
            top: top.bottom + gap + head,
            bottom: top.bottom + gap + head + bottom_h,
            y: change.range,
            ..top.clone()
        };
        let xticks = self.time.ticks(right - left, theme.px(24.0), &|s| {
            text::width(area, s, tick_font)
        });
        let xs: Vec<f64> = xticks.iter().map(|t| top.px_x(t.x)).collect();
        for (plot, scale) in [(&top, &level), (&bottom, &change)] {
            axes::grid(area, theme, plot, &scale.values(), &xs)?;
            axes::axis_lines(area, theme, plot)?;
            axes::y_labels(area, theme, plot, &scale.ticks, tick_font, Side::Left)?;
        }
        axes::x_labels(
            area,
            theme,
            &bottom,
            &xticks,
            |t| bottom.px_x(t.x),
            tick_font,
        )?;
        heading(
            area,
            theme,
            &top,
            &self.y_title,
            "its level each month, and the target it moves toward",
        )?;
        heading(
            area,
            theme,
            &bottom,
            "change per month",
            "contributions of each term: positive stacked up, negative down",
        )?;
        axes::y_title(area, theme, body.left, &top, "level", label_font)?;
        axes::y_title(
            area,
            theme,
            body.left,
            &bottom,
            "change in the month",
            label_font,
        )?;

        // Bars span the month of their change, between two points of the level.
        let x = |k: usize| bottom.px_x(self.time.x(k));
        let n = self.dates.len();
        let slot = if n > 0 { x(1) - x(0) } else { 0.0 };
        let pad = if slot >= 6.0 {
            (slot * 0.12).max(1.0)
        } else {
            0.0
        };
        for (s, edges) in self.stacks.iter().zip(&bars) {
            for (k, (a, b)) in edges.iter().enumerate() {
                if a == b {
                    continue;
                }
                let (ya, yb) = (bottom.px_y(*a), bottom.px_y(*b));
                area.draw(&Rectangle::new(
                    [
                        ((x(k) + pad).round() as i32, yb.round() as i32),
                        ((x(k + 1) - pad).round() as i32, ya.round() as i32),
                    ],
                    s.colour.filled(),
                ))?;
            }
        }
        let zero = bottom.px_y(0.0) as i32;
        area.draw(&PathElement::new(
            vec![(left as i32, zero), (right as i32, zero)],
            theme::AXIS.stroke_width(theme.stroke(1.5)),
        ))?;
        let net: Vec<(i32, i32)> = self
            .net
            .iter()
            .enumerate()
            .map(|(k, v)| {
                (
                    ((x(k) + x(k + 1)) / 2.0).round() as i32,
                    bottom.px_y(*v).round() as i32,
                )
            })
            .collect();
        canvas::line(area, theme, net.clone(), STATE, 1.5)?;
        if slot >= 16.0 {
            for p in net {
                area.draw(&Circle::new(p, theme.stroke(3.5), STATE.filled()))?;
            }
        }

        let target: Vec<(i32, i32)> = self
            .target
            .iter()
            .enumerate()
            .flat_map(|(k, v)| {
                let y = top.px_y(*v).round() as i32;
                [(x(k).round() as i32, y), (x(k + 1).round() as i32, y)]
            })
            .collect();
        canvas::dashed(area, theme, target, TARGET, 2.0)?;
        canvas::line(area, theme, top.path(&self.time, &self.state), STATE, 3.0)?;
        Ok(vec![top.rect(), bottom.rect()])
    }
}
