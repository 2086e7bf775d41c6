//! A sheet of small multiples: one panel per series on its own bounds, all
//! on one calendar axis labelled once under each column. The dashboard and
//! the drivers chart are such sheets.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::axes;
use super::canvas::{self, Area, DrawResult, Drawn, Plot};
use super::fan::{QuantileBand, band_colours, percent};
use super::frame::Shade;
use super::legend::{self, LegendItem, Swatch};
use super::observed::{self, Kinds, ObservedMark};
use super::page;
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use super::time_axis::{Tick, TimeAxis};

/// One small multiple.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    pub name: String,
    /// Shown after the name: the meaning of the ends, or "driver".
    pub note: Option<String>,
    pub bounds: (f64, f64),
    pub median: Vec<f64>,
    /// Widest first; empty for a single run or a driver without offset.
    pub bands: Vec<QuantileBand>,
    pub colour: RGBColor,
    /// Regime bands behind the regime variable.
    pub shades: Vec<Shade>,
    /// The observations of the series, drawn as small marks.
    pub observations: Vec<ObservedMark>,
}

/// Everything on a sheet of panels.
pub struct Sheet<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub legend: &'a [LegendItem],
    pub time: TimeAxis,
    pub panels: &'a [Panel],
    pub footer: &'a str,
}

/// Columns of the grid for `n` panels in `w`×`h` pixels: panels about
/// twice as wide as high.
pub fn columns(n: usize, w: f64, h: f64) -> usize {
    let n = n.max(1) as f64;
    ((n * w / h / 2.0).sqrt().round()).clamp(1.0, n) as usize
}

pub fn draw<DB: DrawingBackend>(area: &Area<DB>, theme: &Theme, s: &Sheet<'_>) -> Drawn<DB> {
    area.fill(&theme::WHITE)?;
    let w = f64::from(theme.width);
    let m = f64::from(theme.margin());
    let small = Font::new(theme.small(), theme::TEXT);
    let name_font = Font::new(theme.small(), theme::TEXT).bold();
    let tick_font = Font::new(theme.tiny(), theme::TEXT);

    let mut y = page::header(area, theme, s.title, s.subtitle.unwrap_or(""), 1)?;
    y += theme.px(4.0);
    let legend = legend::legend_layout(area, theme, s.legend, w - 2.0 * m, small);
    legend::draw_legend(area, theme, s.legend, &legend, (m, y), small)?;
    y += legend.height + theme.px(8.0);
    let mut grid_bottom = page::footer(area, theme, s.footer)? - theme.px(6.0);

    let n = s.panels.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    let cols = columns(n, w - 2.0 * m, grid_bottom - y);
    let rows = n.div_ceil(cols);
    let cell_w = (w - 2.0 * m) / cols as f64;
    // Room inside a cell: name on top, y labels left, x labels below.
    let ylabel_w = s
        .panels
        .iter()
        .flat_map(y_labels)
        .map(|(_, label)| text::width(area, &label, tick_font))
        .fold(0.0, f64::max);
    let (x0, x1) = s.time.range();
    let inner_w = cell_w - ylabel_w - theme.px(30.0);
    let xticks = s.time.ticks(inner_w, theme.px(16.0), &|t| {
        text::width(area, t, tick_font)
    });
    let x_label_room = tick_font.line() + theme.px(18.0);
    // A note that does not fit beside its panel's name goes on a line of
    // its own under it (on every panel, so the plots keep one height); one
    // that does not fit there either is shortened, and written in full in
    // a key above the footer.
    let note_font = Font::new(tick_font.size, theme::MUTED);
    let header_w = cell_w - ylabel_w - theme.px(30.0);
    let two_lines = s.panels.iter().any(|p| {
        p.note.as_ref().is_some_and(|note| {
            text::width(area, &p.name, name_font)
                + theme.px(12.0)
                + text::width(area, note, note_font)
                > header_w
        })
    });
    let note_lines = usize::from(two_lines);
    let cut: Vec<String> = s
        .panels
        .iter()
        .filter_map(|p| {
            let note = p.note.as_ref()?;
            (text::width(area, note, note_font) > header_w).then(|| format!("{}: {note}", p.name))
        })
        .collect();
    if !cut.is_empty() {
        let key_font = Font::new(theme.small(), theme::MUTED);
        let key = format!("In full: {}", cut.join(" · "));
        let lines = text::wrap(area, &key, key_font, w - 2.0 * m, 3);
        grid_bottom -= lines.len() as f64 * key_font.line() + theme.px(6.0);
        for (k, line) in lines.iter().enumerate() {
            let at = (m, grid_bottom + theme.px(6.0) + k as f64 * key_font.line());
            text::draw(area, theme, line, at, key_font, HPos::Left, VAlign::Top)?;
        }
    }
    let cell_h = (grid_bottom - y) / rows as f64;
    let header_h = name_font.line() + note_lines as f64 * note_font.line();
    let mut rects = Vec::with_capacity(n);
    for (i, p) in s.panels.iter().enumerate() {
        let (col, row) = (i % cols, i / cols);
        let cx = m + col as f64 * cell_w;
        let cy = y + row as f64 * cell_h;
        // X labels under the lowest panel of each column only; every plot
        // keeps room for them, so all plots have one height and rows line up.
        let labelled = i + cols >= n;
        let plot = Plot {
            left: cx + ylabel_w + theme.px(10.0),
            top: cy + header_h + theme.px(8.0),
            right: cx + cell_w - theme.px(20.0),
            bottom: cy + cell_h - x_label_room,
            x: (x0, x1),
            y: axes::non_empty(p.bounds.0, p.bounds.1),
        };
        draw_panel(
            area,
            theme,
            p,
            &plot,
            &s.time,
            &xticks,
            (labelled, note_lines),
            (name_font, tick_font),
        )?;
        rects.push(plot.rect());
    }
    Ok(rects)
}

/// The y ticks of a panel: its bounds and their midpoint.
fn y_labels(p: &Panel) -> [(f64, String); 3] {
    let (lo, hi) = axes::non_empty(p.bounds.0, p.bounds.1);
    let mid = (lo + hi) / 2.0;
    let step = (hi - lo) / 2.0;
    let values = [lo, mid, hi];
    let mut labels = axes::value_labels(&values, step, false).into_iter();
    values.map(|v| (v, labels.next().unwrap_or_default()))
}

#[allow(clippy::too_many_arguments)]
fn draw_panel<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    p: &Panel,
    plot: &Plot,
    time: &TimeAxis,
    xticks: &[Tick],
    (labelled, note_lines): (bool, usize),
    (name_font, tick_font): (Font, Font),
) -> DrawResult<DB> {
    let (l, t, r, b) = (plot.left, plot.top, plot.right, plot.bottom);
    let note_font = Font::new(tick_font.size, theme::MUTED);
    let note_h = note_lines as f64 * note_font.line();
    let title_y = t - name_font.line() - note_h - theme.px(2.0);
    let name = text::fit(area, &p.name, name_font, r - l);
    text::draw(
        area,
        theme,
        &name,
        (l, title_y),
        name_font,
        HPos::Left,
        VAlign::Top,
    )?;
    if let Some(note) = &p.note {
        let f = note_font;
        if note_lines > 0 {
            let note = text::fit(area, note, f, r - l);
            let at = (l, title_y + name_font.line());
            text::draw(area, theme, &note, at, f, HPos::Left, VAlign::Top)?;
        } else {
            let x = l + text::width(area, &name, name_font) + theme.px(12.0);
            let y = title_y + name_font.cap() - f.cap();
            let note = text::fit(area, note, f, r - x);
            text::draw(area, theme, &note, (x, y), f, HPos::Left, VAlign::Top)?;
        }
    }
    for s in &p.shades {
        let (a, c) = (plot.px_y(s.hi), plot.px_y(s.lo));
        if c - a >= 1.0 {
            area.draw(&Rectangle::new(
                [(l as i32, a as i32), (r as i32, c as i32)],
                theme::tint(s.colour, theme::REGIME_SHADE).filled(),
            ))?;
        }
    }
    let grid = theme::GRID.stroke_width(theme.stroke(1.0));
    let labels = y_labels(p);
    for (v, _) in &labels {
        let py = plot.px_y(*v) as i32;
        area.draw(&PathElement::new(
            vec![(l as i32, py), (r as i32, py)],
            grid,
        ))?;
    }
    for tk in xticks {
        let px = plot.px_x(tk.x) as i32;
        area.draw(&PathElement::new(
            vec![(px, t as i32), (px, b as i32)],
            grid,
        ))?;
    }
    let axis = theme::AXIS.stroke_width(theme.stroke(1.2));
    area.draw(&PathElement::new(
        vec![
            (l as i32, t as i32),
            (l as i32, b as i32),
            (r as i32, b as i32),
        ],
        axis,
    ))?;
    let colours = band_colours(p.colour, p.bands.len());
    for (band, c) in p.bands.iter().zip(colours) {
        canvas::fill(area, plot.band(time, &band.lo, &band.hi), c)?;
    }
    canvas::line(area, theme, plot.path(time, &p.median), p.colour, 3.0)?;
    observed::draw(area, theme, plot, time, &p.observations, true)?;
    for (v, label) in &labels {
        text::draw(
            area,
            theme,
            label,
            (l - theme.px(8.0), plot.px_y(*v)),
            tick_font,
            HPos::Right,
            VAlign::Middle,
        )?;
    }
    if labelled {
        for tk in xticks {
            let px = plot.px_x(tk.x);
            text::draw(
                area,
                theme,
                &tk.label,
                (px, b + theme.px(8.0)),
                tick_font,
                HPos::Center,
                VAlign::Top,
            )?;
        }
    }
    Ok(())
}

/// Legend of a sheet of panels: a median line in `colour`, then one patch per
/// band of the panel with the most bands (widest first).
pub fn median_and_bands_legend(
    panels: &[Panel],
    median_label: &str,
    colour: RGBColor,
) -> Vec<LegendItem> {
    let mut items = vec![LegendItem {
        label: median_label.into(),
        swatch: Swatch::Line {
            colour,
            width: 3.0,
            dashed: false,
        },
    }];
    if let Some(p) = panels.iter().max_by_key(|p| p.bands.len())
        && !p.bands.is_empty()
    {
        let colours = band_colours(colour, p.bands.len());
        for (b, c) in p.bands.iter().zip(colours).rev() {
            items.push(LegendItem {
                label: format!("{} of runs", percent(b.coverage)),
                swatch: Swatch::Patch(c),
            });
        }
    }
    items
}

/// The legend item of the observations on a sheet's panels, if any.
pub fn observed_legend(panels: &[Panel]) -> Option<LegendItem> {
    let kinds = Kinds::of(panels.iter().flat_map(|p| &p.observations));
    kinds.any().then(|| LegendItem {
        label: kinds.label(),
        swatch: Swatch::Observed(kinds),
    })
}

/// The regime bands shaded behind variable `i`'s panel (none unless it is
/// the regime variable), cut to the variable's bounds.
pub(crate) fn regime_shades(model: &crate::model::Model, i: usize) -> Vec<super::frame::Shade> {
    let v = &model.variables[i];
    match &model.regimes {
        Some(r) if r.variable.0 == i => r
            .bands
            .iter()
            .enumerate()
            .map(|(k, b)| super::frame::Shade {
                name: b.name.clone(),
                lo: b.lo.max(v.min),
                hi: b.hi.min(v.max),
                colour: super::theme::band_colour(&r.bands, k),
            })
            .collect(),
        _ => Vec::new(),
    }
}
