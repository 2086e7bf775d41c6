//! The sheet a chart draws on and its geometry: the plotters drawing area
//! and what drawing returns, the plot rectangle with its mapping from data
//! to pixels ([`Plot`]), the free part of a sheet ([`Body`]), and the
//! strokes every chart draws its series with. Every other module of the
//! charts builds on these.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::theme::Theme;
use super::time_axis::TimeAxis;

/// The drawing surface every chart draws on.
pub type Area<DB> = DrawingArea<DB, Shift>;
/// What drawing on a backend returns.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
/// Pixel rectangles `[left, top, right, bottom]` of the plots of a chart:
/// where its data went (the tests count colours there).
pub type PlotRects = Vec<[i32; 4]>;
/// What drawing a whole chart returns.
pub type Drawn<DB> = Result<PlotRects, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The plot rectangle in pixels and the data ranges it shows.
#[derive(Clone, Debug)]
pub struct Plot {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

impl Plot {
    /// `[left, top, right, bottom]` in whole pixels.
    pub fn rect(&self) -> [i32; 4] {
        [self.left, self.top, self.right, self.bottom].map(|v| v.round() as i32)
    }

    /// A non-finite value is put at the left edge.
    pub fn px_x(&self, x: f64) -> f64 {
        let x = if x.is_finite() { x } else { self.x.0 };
        self.left + (x - self.x.0) / (self.x.1 - self.x.0) * (self.right - self.left)
    }

    /// Values outside the y range are held at its edge.
    pub fn px_y(&self, y: f64) -> f64 {
        let y = if y.is_finite() { y } else { self.y.0 };
        // max and min rather than clamp: no panic on a broken range.
        let y = y.max(self.y.0.min(self.y.1)).min(self.y.0.max(self.y.1));
        self.bottom - (y - self.y.0) / (self.y.1 - self.y.0) * (self.bottom - self.top)
    }

    /// In whole pixels, at most a million from the origin: what lies
    /// beyond is off the image anyway, and text there would overflow.
    pub fn px(&self, x: f64, y: f64) -> (i32, i32) {
        let whole = |v: f64| v.clamp(-1e6, 1e6).round() as i32;
        (whole(self.px_x(x)), whole(self.px_y(y)))
    }

    /// A monthly series as a polyline.
    pub fn path(&self, time: &TimeAxis, ys: &[f64]) -> Vec<(i32, i32)> {
        ys.iter()
            .enumerate()
            .map(|(t, y)| self.px(time.x(t), *y))
            .collect()
    }

    /// The area between two monthly series, as a closed polygon.
    pub fn band(&self, time: &TimeAxis, lo: &[f64], hi: &[f64]) -> Vec<(i32, i32)> {
        let mut pts = self.path(time, hi);
        pts.extend(self.path(time, lo).into_iter().rev());
        pts
    }
}

/// The free part of a sheet, in pixels.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Body {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl From<&Plot> for Body {
    fn from(p: &Plot) -> Self {
        Body {
            left: p.left,
            top: p.top,
            right: p.right,
            bottom: p.bottom,
        }
    }
}

impl Body {
    pub fn width(&self) -> f64 {
        self.right - self.left
    }
    pub fn height(&self) -> f64 {
        self.bottom - self.top
    }
}

/// A series line of design width `w`.
pub fn line<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    pts: Vec<(i32, i32)>,
    colour: RGBColor,
    w: f64,
) -> DrawResult<DB> {
    if pts.len() == 1 {
        let (x, y) = pts[0];
        let r = theme.stroke(w);
        return area.draw(&Circle::new((x, y), r, colour.filled()));
    }
    area.draw(&PathElement::new(pts, colour.stroke_width(theme.stroke(w))))
}

/// A dashed series line of design width `w`.
pub fn dashed<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    pts: Vec<(i32, i32)>,
    colour: RGBColor,
    w: f64,
) -> DrawResult<DB> {
    area.draw(&DashedPathElement::new(
        pts,
        theme.ipx(12.0),
        theme.ipx(8.0),
        colour.stroke_width(theme.stroke(w)),
    ))
}

/// A filled polygon in an opaque colour.
pub fn fill<DB: DrawingBackend>(
    area: &Area<DB>,
    pts: Vec<(i32, i32)>,
    colour: RGBColor,
) -> DrawResult<DB> {
    area.draw(&Polygon::new(pts, colour.filled()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_range_puts_values_somewhere_without_panicking() {
        let mut plot = Plot {
            left: 0.0,
            top: 0.0,
            right: 100.0,
            bottom: 100.0,
            x: (0.0, 1.0),
            y: (0.0, 1.0),
        };
        assert_eq!(plot.px(0.5, 2.0), (50, 0));
        assert_eq!(plot.px(0.5, f64::NAN), (50, 100));
        plot.y = (f64::NAN, f64::NAN);
        let _ = plot.px(0.5, 0.5);
        plot.y = (1.0, 1.0);
        let _ = plot.px(0.5, f64::INFINITY);
    }
}
