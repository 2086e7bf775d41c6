//! Turning a chart into a file. Every chart is drawn once, with plotters'
//! SVG backend, into a string; usvg parses that with the embedded DejaVu
//! font and sets its text as glyph outlines. An SVG file is that tree
//! written back, text and all as paths, so it looks the same on a machine
//! without the font; a PNG is the tree rasterised by resvg (anti-aliased
//! lines, edges and text). A chart that cannot be drawn or saved becomes an
//! I/O error naming the file, never a panic.
//!
//! plotters hands whole numbers to its backends, so the chart is drawn at
//! [`RES`] units a pixel (see [`Theme`]) and the SVG's view box scales the
//! units back to the requested size: points keep quarter-pixel positions.

use std::io;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use plotters::prelude::*;

use super::Format;
use super::canvas::{Area, Drawn, PlotRects};
use super::glyphs;
use super::theme::{FONT, Theme};
use crate::error::Error;

/// A chart that can draw itself on any plotters backend.
pub trait Chart {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB>;
}

/// Drawing units per output pixel.
pub const RES: u32 = 4;

/// The embedded DejaVu Sans (regular and bold) as usvg's only fonts.
fn fonts() -> Arc<resvg::usvg::fontdb::Database> {
    static DB: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(dejavu::sans::regular().to_vec());
        db.load_font_data(dejavu::sans::bold().to_vec());
        db.set_sans_serif_family(FONT);
        Arc::new(db)
    })
    .clone()
}

/// Parses SVG text with the embedded font as the only one.
pub fn parse(svg: &str) -> Result<resvg::usvg::Tree, String> {
    let opts = resvg::usvg::Options {
        font_family: FONT.to_string(),
        fontdb: fonts(),
        ..resvg::usvg::Options::default()
    };
    resvg::usvg::Tree::from_str(svg, &opts).map_err(|e| e.to_string())
}

/// `chart` drawn as SVG text of `w` × `h` pixels, in units of
/// `1 / RES` pixel, and the plot rectangles in pixels.
pub fn draw_svg<C: Chart>(chart: &C, (w, h): (u32, u32)) -> Result<(String, PlotRects), String> {
    let mut svg = String::new();
    let (uw, uh) = (w * RES, h * RES);
    let rects = {
        let area = SVGBackend::with_string(&mut svg, (uw, uh)).into_drawing_area();
        let rects = chart
            .draw(&area, &Theme::at(w, h, RES))
            .map_err(|e| e.to_string())?;
        area.present().map_err(|e| e.to_string())?;
        rects
    };
    // plotters sizes the sheet in units; the reader gets pixels.
    let units = format!("width=\"{uw}\" height=\"{uh}\"");
    let pixels = format!("width=\"{w}\" height=\"{h}\"");
    if !svg.contains(&units) {
        return Err("unexpected SVG header from plotters".into());
    }
    let svg = svg.replacen(&units, &pixels, 1);
    let r = RES as i32;
    let rects = rects
        .into_iter()
        .map(|[l, t, rr, b]| [l / r, t / r, (rr + r - 1) / r, (b + r - 1) / r])
        .collect();
    Ok((svg, rects))
}

/// A parsed chart rasterised: RGB rows of `w` × `h` pixels, white behind
/// anything transparent.
pub fn rasterise(tree: &resvg::usvg::Tree, (w, h): (u32, u32)) -> Result<Vec<u8>, String> {
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).ok_or("empty chart")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        tree,
        resvg::tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    // Opaque on white, so the premultiplied colours are the colours.
    let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
    for p in pixmap.data().chunks_exact(4) {
        rgb.extend_from_slice(&p[..3]);
    }
    Ok(rgb)
}

/// RGB rows of `w` × `h` pixels as PNG bytes.
pub fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let mut writer = enc.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(rgb).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// A parsed chart as PNG bytes.
pub fn png(tree: &resvg::usvg::Tree, size: (u32, u32)) -> Result<Vec<u8>, String> {
    encode_png(&rasterise(tree, size)?, size)
}

/// A parsed chart as a self-contained SVG: text as glyph outlines. The
/// words stay in the file as its `<desc>`, one label a line, for search
/// and screen readers; no renderer draws a `<desc>`.
pub fn svg(tree: &resvg::usvg::Tree) -> String {
    let opts = resvg::usvg::WriteOptions {
        preserve_text: false,
        // Hundredths of a unit, 1/400 pixel: coarser rounding moves glyph
        // edges enough to change anti-aliased pixels.
        coordinates_precision: 2,
        transforms_precision: 6,
        ..resvg::usvg::WriteOptions::default()
    };
    let out = tree.to_string(&opts);
    let mut labels = Vec::new();
    collect_text(tree.root(), &mut labels);
    let Some(open) = out.find('>').filter(|_| !labels.is_empty()) else {
        return out;
    };
    let desc = labels
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("\n");
    format!("{}\n<desc>{desc}</desc>{}", &out[..=open], &out[open + 1..])
}

/// The text of every label under `group`, in drawing order.
fn collect_text(group: &resvg::usvg::Group, out: &mut Vec<String>) {
    for node in group.children() {
        match node {
            resvg::usvg::Node::Group(g) => collect_text(g, out),
            resvg::usvg::Node::Text(t) => {
                out.push(t.chunks().iter().map(|c| c.text()).collect());
            }
            _ => {}
        }
    }
}

/// `s` with the characters XML gives a meaning escaped.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Draws `chart` into `path` at `size` pixels; returns where its plots are,
/// in pixels.
pub fn render<C: Chart>(
    chart: &C,
    path: &Path,
    format: Format,
    size: (u32, u32),
) -> Result<PlotRects, Error> {
    let fail = |msg: String| Error::io("draw chart", path, io::Error::other(msg));
    if !glyphs::available() {
        return Err(fail("the built-in DejaVu font could not be loaded".into()));
    }
    let (source, rects) = draw_svg(chart, size).map_err(fail)?;
    let tree = parse(&source).map_err(fail)?;
    let bytes = match format {
        Format::Png => png(&tree, size).map_err(fail)?,
        Format::Svg => svg(&tree).into_bytes(),
    };
    std::fs::write(path, bytes).map_err(|e| Error::io("write chart", path, e))?;
    Ok(rects)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::canvas;
    use crate::charts::glyphs::Weight;
    use crate::charts::text::{self, Font, VAlign};
    use crate::charts::theme;
    use plotters::style::text_anchor::HPos;

    /// Where the ink of `s` starts when set with its `anchor` at x = 400.
    fn ink_left(s: &str, weight: &str, size: f64, anchor: &str, x: f64) -> f64 {
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"200\">\
             <text x=\"{x}\" y=\"150\" font-family=\"{FONT}\" font-size=\"{size}\" \
             font-weight=\"{weight}\" text-anchor=\"{anchor}\">{s}</text></svg>"
        );
        let tree = parse(&svg).unwrap();
        assert!(tree.root().has_children(), "{s}: nothing set");
        f64::from(tree.root().abs_bounding_box().left())
    }

    #[test]
    fn measured_widths_match_the_set_text() {
        // Set at its end, the text must start where the measured width
        // says it does: the layout's widths are those of the drawn text.
        for s in [
            "AVAWAY To Ty",
            "tension — regimes of tension",
            "alignment in Dec 2030 (−0.25)",
            "R\u{302} 1.01",
            "2020-01",
        ] {
            for (weight, w) in [("normal", Weight::Normal), ("bold", Weight::Bold)] {
                let size = 40.0;
                let measured = glyphs::width(s, w, size);
                let start = ink_left(s, weight, size, "start", 700.0 - measured);
                let end = ink_left(s, weight, size, "end", 700.0);
                assert!(
                    (start - end).abs() < 0.05,
                    "{s} ({weight}): measured {measured:.2}, off by {:.2}",
                    end - start
                );
            }
        }
    }

    /// A sheet with a line, a band and some text, as the charts draw them.
    struct Sample;
    impl Chart for Sample {
        fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
            area.fill(&theme::WHITE)?;
            let f = Font::new(theme.title(), theme::TEXT);
            text::draw(
                area,
                theme,
                "Tension 2020–2030",
                (theme.px(40.0), theme.px(40.0)),
                f,
                HPos::Left,
                VAlign::Top,
            )?;
            let (w, h) = (f64::from(theme.width), f64::from(theme.height));
            let pts: Vec<(i32, i32)> = (0..=100)
                .map(|i| {
                    let t = f64::from(i) / 100.0;
                    ((w * (0.1 + 0.8 * t)) as i32, (h * (0.8 - 0.1 * t)) as i32)
                })
                .collect();
            canvas::line(area, theme, pts, theme::BLUE, 3.0)?;
            Ok(vec![[0, 0, theme.width as i32, theme.height as i32]])
        }
    }

    fn pixels(png: &[u8]) -> Vec<u8> {
        let mut r = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        buf.truncate(info.buffer_size());
        buf
    }

    /// Dark pixels in the title's corner of an 800 × 450 sheet.
    fn title_ink(rgb: &[u8]) -> usize {
        (0..60)
            .flat_map(|y| (0..400).map(move |x| (y * 800 + x) * 3))
            .filter(|&i| rgb[i..i + 3].iter().all(|&c| c < 128))
            .count()
    }

    #[test]
    fn svg_files_need_no_font_and_look_like_the_png() {
        let size = (800, 450);
        let (source, rects) = draw_svg(&Sample, size).unwrap();
        assert_eq!(rects, vec![[0, 0, 800, 450]]);
        assert!(source.contains("<text"));
        let tree = parse(&source).unwrap();
        let png_rgb = pixels(&png(&tree, size).unwrap());
        assert!(title_ink(&png_rgb) > 200, "no title in the PNG");

        // The written SVG has no text left and renders the same with no
        // font at all.
        let written = svg(&tree);
        assert!(!written.contains("<text"), "text left in the SVG");
        assert!(written.contains("<desc>Tension 2020–2030</desc>"));
        let bare = resvg::usvg::Options::default();
        assert!(bare.fontdb.is_empty());
        let again = resvg::usvg::Tree::from_str(&written, &bare).unwrap();
        assert_eq!(
            (again.size().width(), again.size().height()),
            (800.0, 450.0)
        );
        let svg_rgb = pixels(&png(&again, size).unwrap());
        assert!(title_ink(&svg_rgb) > 200, "no title in the SVG");
        let off = png_rgb
            .iter()
            .zip(&svg_rgb)
            .filter(|(a, b)| a.abs_diff(**b) > 8)
            .count();
        assert!(off < 50, "{off} channels differ between SVG and PNG");
    }

    #[test]
    fn lines_are_anti_aliased_at_sub_pixel_positions() {
        let (source, _) = draw_svg(&Sample, (800, 450)).unwrap();
        let rgb = pixels(&png(&parse(&source).unwrap(), (800, 450)).unwrap());
        // A line rising 45 px over 640: its centre moves by 1/14 px a
        // column. Points rounded to whole pixels and drawn without
        // anti-aliasing give one or two column patterns over these 20
        // columns (1.4 px of rise); quarter-pixel points blended give many.
        let column = |x: usize| -> Vec<u8> { (250..400).map(|y| rgb[(y * 800 + x) * 3]).collect() };
        let blends: std::collections::HashSet<Vec<u8>> = (300..320).map(column).collect();
        assert!(blends.len() > 6, "{} distinct columns", blends.len());
        let rgb = &rgb;
        let partial = (250..400)
            .flat_map(|y| (100..700).map(move |x| rgb[(y * 800 + x) * 3]))
            .filter(|&r| r > 10 && r < 245)
            .count();
        assert!(partial > 600, "{partial} blended pixels");
    }
}
