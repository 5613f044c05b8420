//! Charts of mean scores per wave, as SVG drawn by `plotters` (its SVG backend needs no fonts:
//! text stays text, so the HTML page and the PDF both get vectors and real words).
//!
//! Only figures the rule shows are drawn; a hidden mean leaves a gap, and the chart's text
//! alternative lists every plotted value and says which are hidden.

use plotters::prelude::*;

use crate::figures::{Figure, Printed};
use crate::model::{AimResult, Wave};

/// One chart with its words.
#[derive(Debug, Clone)]
pub struct Chart {
    /// A short title ("Mean scores before and after: Mentors").
    pub title: String,
    /// The text alternative: every value the chart shows, in words.
    pub description: String,
    /// The SVG document.
    pub svg: String,
}

/// Series colours (Okabe–Ito, distinguishable with colour-blindness) and marker shapes, so the
/// series differ by more than colour.
const COLOURS: [RGBColor; 4] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
];

const WIDTH: u32 = 640;
const HEIGHT: u32 = 340;

/// Mean score per wave for each statement of an aim.
pub fn means_chart(aim: &AimResult) -> Chart {
    let mut waves: Vec<Wave> = Vec::new();
    for s in &aim.statements {
        for w in &s.waves {
            if !waves.contains(&w.wave) {
                waves.push(w.wave);
            }
        }
    }
    let title = format!("Mean scores by survey wave: {} — {}", aim.role, aim.aim);
    let description = describe(aim);
    let mut svg = String::new();
    // Drawing into a string cannot fail for want of space or files; an error here would be a
    // bug in the chart's geometry, so the chart is left empty rather than the report failing.
    let _ = draw(aim, &waves, &mut svg);
    let svg = accessible(&svg, &title, &description);
    Chart {
        title,
        description,
        svg,
    }
}

fn draw(
    aim: &AimResult,
    waves: &[Wave],
    out: &mut String,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(out, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let last = (waves.len().max(2) - 1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .margin_right(20)
        .x_label_area_size(34)
        .y_label_area_size(44)
        .build_cartesian_2d(-0.3..last + 0.3, 1.0..5.0)?;
    let labels: Vec<&str> = waves.iter().map(|w| w.label()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225))
        .x_labels(waves.len())
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).copied().unwrap_or("").to_owned()
            } else {
                String::new()
            }
        })
        .y_labels(5)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_desc("Mean score (1–5)")
        .label_style(("sans-serif", 13).into_font().color(&RGBColor(60, 60, 60)))
        .axis_desc_style(("sans-serif", 13))
        .draw()?;

    for (i, s) in aim.statements.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<(f64, f64)> = s
            .waves
            .iter()
            .filter_map(|w| {
                let x = waves.iter().position(|v| *v == w.wave)? as f64;
                Some((x, w.mean.value()?))
            })
            .collect();
        let style = ShapeStyle::from(&colour).stroke_width(2);
        chart
            .draw_series(LineSeries::new(points.clone(), style))?
            .label(s.short.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
            });
        match i % 3 {
            0 => {
                chart.draw_series(points.iter().map(|&p| Circle::new(p, 5, colour.filled())))?;
            }
            1 => {
                chart.draw_series(
                    points
                        .iter()
                        .map(|&p| TriangleMarker::new(p, 6, colour.filled())),
                )?;
            }
            _ => {
                chart.draw_series(
                    points
                        .iter()
                        .map(|&p| Cross::new(p, 5, colour.stroke_width(2))),
                )?;
            }
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .margin(6)
        .label_font(("sans-serif", 13))
        .background_style(WHITE)
        .border_style(RGBColor(200, 200, 200))
        .draw()?;
    root.present()?;
    Ok(())
}

/// The chart in words: each statement's shown means per wave, and which are hidden.
fn describe(aim: &AimResult) -> String {
    let mut parts = Vec::new();
    for s in &aim.statements {
        let values: Vec<String> = s
            .waves
            .iter()
            .map(|w| match w.mean.printed() {
                Printed::Shown(v) => format!("{} {v}", w.wave.label().to_lowercase()),
                Printed::Hidden(_) => {
                    format!("{} hidden (too few answers)", w.wave.label().to_lowercase())
                }
            })
            .collect();
        parts.push(format!("{}: {}", s.short, values.join(", ")));
    }
    format!(
        "Line chart of mean scores on a scale of 1 to 5, by survey wave, answered by {}. {}.",
        aim.role.to_lowercase(),
        parts.join("; ")
    )
}

/// Gives the SVG a role, a title and a description, so a screen reader announces it as one
/// image with its text alternative.
fn accessible(svg: &str, title: &str, description: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg.to_owned();
    };
    let Some(end) = svg[start..].find('>').map(|e| start + e) else {
        return svg.to_owned();
    };
    let open = &svg[start..end];
    format!(
        "{}{} role=\"img\" aria-label=\"{}\"><title>{}</title><desc>{}</desc>{}",
        &svg[..start],
        open,
        xml_escape(title),
        xml_escape(title),
        xml_escape(description),
        &svg[end + 1..]
    )
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReportData;

    #[test]
    fn a_chart_is_an_svg_with_a_title_and_a_description_of_its_values() {
        let report = ReportData::example();
        let chart = means_chart(&report.schemes[0].evaluation.aims[0]);
        assert!(chart.svg.contains("role=\"img\""));
        assert!(chart.svg.contains("<title>"));
        assert!(
            chart
                .description
                .contains("Belonging: before 3.08, after 3.70")
        );
        assert!(chart.svg.contains("Belonging"));
    }

    #[test]
    fn hidden_means_are_neither_drawn_nor_described() {
        let report = ReportData::example();
        let chart = means_chart(&report.schemes[0].evaluation.aims[1]);
        assert!(chart.description.contains("after hidden"));
        assert!(!chart.description.contains("4.50"));
        assert!(!chart.svg.contains("4.50"));
    }
}
