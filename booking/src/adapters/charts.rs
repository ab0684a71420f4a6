//! The dashboard's charts as server-rendered SVG, drawn by the `plotters` crate: one line per
//! service over the weeks of the period, for one figure. Pure: rows in, SVG text out.

use crate::domain::dashboard::WeekRow;
use crate::domain::ids::ServiceId;
use crate::error::{Error, Result};
use plotters::prelude::*;
use serde::Deserialize;

/// A figure the dashboard can chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Calls,
    AverageRating,
    WaitP50,
    WaitP90,
    NoShowRate,
    MissedCalls,
    ComplaintsOpen,
}

impl Metric {
    pub fn parse(raw: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(raw.to_string())).ok()
    }

    /// The chart's title, in Dutch like the admin pages.
    pub fn title(self) -> &'static str {
        match self {
            Metric::Calls => "Gesprekken per week",
            Metric::AverageRating => "Gemiddeld cijfer per week",
            Metric::WaitP50 => "Wachttijd (mediaan, minuten)",
            Metric::WaitP90 => "Wachttijd (90e percentiel, minuten)",
            Metric::NoShowRate => "Niet verschenen (%)",
            Metric::MissedCalls => "Gemiste oproepen per week",
            Metric::ComplaintsOpen => "Open klachten",
        }
    }

    /// The row's value, in the unit of the title; None where the week has no such figure.
    pub fn value(self, r: &WeekRow) -> Option<f64> {
        match self {
            Metric::Calls => Some(f64::from(r.calls)),
            Metric::AverageRating => r.average_rating,
            Metric::WaitP50 => r.wait_p50_seconds.map(|s| s as f64 / 60.0),
            Metric::WaitP90 => r.wait_p90_seconds.map(|s| s as f64 / 60.0),
            Metric::NoShowRate => r.no_show_rate.map(|x| x * 100.0),
            Metric::MissedCalls => Some(f64::from(r.missed_calls)),
            Metric::ComplaintsOpen => Some(f64::from(r.complaints_open)),
        }
    }
}

const COLOURS: [RGBColor; 6] = [
    RGBColor(0x15, 0x42, 0x73),
    RGBColor(0xb3, 0x3a, 0x00),
    RGBColor(0x1e, 0x7b, 0x34),
    RGBColor(0x8b, 0x4a, 0x6a),
    RGBColor(0x55, 0x55, 0x55),
    RGBColor(0x00, 0x6d, 0x8f),
];

/// A line chart of `metric` over `weeks` (ISO week labels in order), one series per service.
pub fn line_chart(
    metric: Metric,
    weeks: &[String],
    rows: &[WeekRow],
    services: &[(ServiceId, String)],
) -> Result<String> {
    let draw = |e: String| Error::Internal(format!("chart: {e}"));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw(e.to_string()))?;
        let max = rows
            .iter()
            .filter_map(|r| metric.value(r))
            .fold(0.0_f64, f64::max);
        let top = if max > 0.0 { max * 1.1 } else { 1.0 };
        let last = weeks.len().saturating_sub(1).max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(metric.title(), ("sans-serif", 20))
            .margin(12)
            // Room for half of the last week's label, which is centred on the right edge.
            .margin_right(36)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0..last, 0.0..top)
            .map_err(|e| draw(e.to_string()))?;
        chart
            .configure_mesh()
            .x_labels(weeks.len().min(12))
            .x_label_formatter(&|i| weeks.get(*i).cloned().unwrap_or_default())
            .draw()
            .map_err(|e| draw(e.to_string()))?;
        let mut drawn = false;
        for (n, (service, name)) in services.iter().enumerate() {
            let colour = COLOURS[n % COLOURS.len()];
            let points: Vec<(usize, f64)> = weeks
                .iter()
                .enumerate()
                .filter_map(|(i, week)| {
                    rows.iter()
                        .find(|r| r.service_id == *service && &r.week == week)
                        .and_then(|r| metric.value(r))
                        .map(|v| (i, v))
                })
                .collect();
            if points.is_empty() {
                continue;
            }
            drawn = true;
            // A dot on every week with a figure, so a single week shows too.
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&(x, y)| Circle::new((x, y), 4, colour.filled())),
                )
                .map_err(|e| draw(e.to_string()))?;
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))
                .map_err(|e| draw(e.to_string()))?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour));
        }
        // Without any line the legend would be an empty box.
        if drawn {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .map_err(|e| draw(e.to_string()))?;
        }
        root.present().map_err(|e| draw(e.to_string()))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(service: ServiceId, week: &str, calls: u32) -> WeekRow {
        WeekRow {
            service_id: service,
            week: week.into(),
            week_start: String::new(),
            calls,
            ratings: 0,
            average_rating: None,
            rating_distribution: [0; 10],
            wait_p50_seconds: None,
            wait_p90_seconds: None,
            appointments_due: 0,
            no_shows: 0,
            no_show_rate: None,
            missed_calls: 0,
            callbacks: 0,
            callbacks_on_time: 0,
            complaints_open: 0,
        }
    }

    #[test]
    fn a_chart_is_svg_with_a_line_and_legend_per_service() {
        let (a, b) = (ServiceId::new(), ServiceId::new());
        let weeks = vec!["2026-W11".to_string(), "2026-W12".into(), "2026-W13".into()];
        let rows = vec![
            row(a, "2026-W11", 3),
            row(a, "2026-W12", 5),
            row(b, "2026-W13", 2),
        ];
        let svg = line_chart(
            Metric::Calls,
            &weeks,
            &rows,
            &[(a, "Paspoort".into()), (b, "Verhuizing".into())],
        )
        .unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("Gesprekken per week"));
        assert!(svg.contains("Paspoort") && svg.contains("Verhuizing"));
        assert!(svg.contains("2026-W12"));
        // The first service's line through its two weeks: W11 at the left edge, W12 in the
        // middle, and higher (smaller y) for 5 calls than for 3.
        let line = svg
            .lines()
            .find(|l| {
                l.contains("<polyline") && l.contains(r##"stroke="#154273" stroke-width="2""##)
            })
            .expect("the first service's line");
        assert!(line.contains(r#"points="60,163 371,63 ""#), "{line}");
        // No waiting times in these rows: no line, and no empty legend box either.
        let empty = line_chart(Metric::WaitP50, &weeks, &rows, &[(a, "Paspoort".into())]).unwrap();
        assert!(empty.contains("Wachttijd (mediaan, minuten)"));
        assert!(!empty.contains("Paspoort"), "{empty}");
        // The legend's box is drawn with the background at 0.8 opacity.
        assert!(svg.contains(r#"opacity="0.8""#));
        assert!(!empty.contains(r#"opacity="0.8""#), "{empty}");
        assert_eq!(Metric::parse("wait_p90"), Some(Metric::WaitP90));
        assert_eq!(Metric::parse("nope"), None);
    }
}
