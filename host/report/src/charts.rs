//! The report's charts, drawn by plotters as SVG text: no bitmap, no font
//! file, nothing fetched. Each chart has a table beside it in the page
//! with the same numbers, so colour is never the only way to read them.

use plotters::chart::{ChartContext, SeriesLabelPosition};
use plotters::coord::CoordTranslate;
use plotters::coord::Shift;
use plotters::prelude::*;
use saas_history::RunInfo;

use crate::overview::Overview;

/// Seats in use by active (or unknown) people.
const IN_USE: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
/// Seats held by idle people: darker and warmer, apart in lightness too.
const IDLE: RGBColor = RGBColor(0xd9, 0x7a, 0x00);
const SIZE: (u32, u32) = (720, 320);

/// A chart could not be drawn (plotters' words).
#[derive(Debug, thiserror::Error)]
#[error("drawing a chart: {0}")]
pub struct ChartError(String);

fn err(e: impl std::fmt::Display) -> ChartError {
    ChartError(e.to_string())
}

/// The series' legend, top right, in the headroom the charts leave there.
fn legend<'a, 'b: 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, CT>,
) -> Result<(), ChartError> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(err)
}

/// Draws into a fresh SVG document of the standard size.
fn svg(
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// Bars over labelled categories: `stacks[i]` are the heights stacked at
/// category `i`, each series with its colour and legend.
fn bars(
    title: &str,
    y_desc: &str,
    labels: &[String],
    series: &[(&str, RGBColor, Vec<u32>)],
) -> Result<String, ChartError> {
    let n = labels.len().max(1);
    let top = (0..n)
        .map(|i| {
            series
                .iter()
                .map(|s| s.2.get(i).copied().unwrap_or(0))
                .sum::<u32>()
        })
        .max()
        .unwrap_or(0)
        .max(1);
    // Room above the bars for the legend, when there is one.
    let headroom = if series.len() > 1 { top / 3 } else { top / 10 };
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0u32..(top + headroom + 1))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc(y_desc)
            .draw()
            .map_err(err)?;
        let mut base = vec![0u32; n];
        for (name, colour, values) in series {
            let rects: Vec<_> = values
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let (x, y0) = (i as f64, base[i]);
                    base[i] += v;
                    Rectangle::new([(x - 0.35, y0), (x + 0.35, y0 + v)], colour.filled())
                })
                .collect();
            let c = *colour;
            chart
                .draw_series(rects)
                .map_err(err)?
                .label(*name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], c.filled()));
        }
        if series.len() > 1 {
            legend(&mut chart)?;
        }
        Ok(())
    })
}

/// Seats per unit: in use by active people, and idle.
pub fn seats(o: &Overview) -> Result<String, ChartError> {
    let labels: Vec<String> = o.units.iter().map(|u| u.key.clone()).collect();
    bars(
        "Seats per unit",
        "seats",
        &labels,
        &[
            (
                "in use",
                IN_USE,
                o.units
                    .iter()
                    .map(|u| u.used - u.idle.min(u.used))
                    .collect(),
            ),
            ("idle", IDLE, o.units.iter().map(|u| u.idle).collect()),
        ],
    )
}

/// People per verdict.
pub fn activity(o: &Overview) -> Result<String, ChartError> {
    let labels = ["active", "inactive", "never active", "unknown"].map(String::from);
    bars(
        "People by activity",
        "people",
        &labels,
        &[("people", IN_USE, o.activity.to_vec())],
    )
}

/// People per age of their last activity.
pub fn ages(o: &Overview) -> Result<String, ChartError> {
    let labels: Vec<String> = o.ages.iter().map(|(l, _)| l.clone()).collect();
    bars(
        "Time since last activity",
        "people",
        &labels,
        &[("people", IN_USE, o.ages.iter().map(|(_, n)| *n).collect())],
    )
}

/// Seats used and idle over the complete runs of the history; none with
/// fewer than two runs.
pub fn trend(runs: &[RunInfo]) -> Result<Option<String>, ChartError> {
    let runs: Vec<&RunInfo> = runs.iter().filter(|r| r.complete).collect();
    if runs.len() < 2 {
        return Ok(None);
    }
    let top = runs.iter().map(|r| r.seats_used).max().unwrap_or(1).max(1);
    let n = runs.len();
    let headroom = top / 3;
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption("Seats over time (complete runs)", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..(n as f64 - 1.0).max(1.0), 0u32..(top + headroom + 1))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(n.min(12))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 {
                    runs.get(i as usize)
                        .map(|r| format!("run {}", r.id))
                        .unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc("seats")
            .draw()
            .map_err(err)?;
        for (name, colour, pick) in [
            (
                "used",
                IN_USE,
                (|r: &RunInfo| r.seats_used) as fn(&RunInfo) -> u32,
            ),
            ("idle", IDLE, |r: &RunInfo| r.seats_idle),
        ] {
            let points: Vec<(f64, u32)> = runs
                .iter()
                .enumerate()
                .map(|(i, r)| (i as f64, pick(r)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), colour.stroke_width(3)))
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 14, y)], colour.stroke_width(3))
                });
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 4, colour.filled())),
                )
                .map_err(err)?;
        }
        legend(&mut chart)?;
        Ok(())
    })
    .map(Some)
}
