//! A bar chart of each statement's mean before and after, as inline SVG built here (no
//! JavaScript, no chart crate: the few rectangles and labels are simpler to compute than to
//! configure, and the page keeps its strict content security policy). The chart is an image
//! with a title and a description of every figure; the results table under it holds the same
//! figures as text.
use crate::handlers::figures::figure;
use flipside_core::evaluation::ComparedStatement;

const WIDTH: f64 = 640.0;
const LEFT: f64 = 24.0;
const RIGHT: f64 = 600.0;
const TOP: f64 = 40.0;
const ROW: f64 = 60.0;

/// One drawn bar, or a note where the figure is hidden.
pub struct Bar {
    pub class: &'static str,
    pub y: f64,
    pub width: f64,
    pub text: String,
    pub text_x: f64,
}

/// One statement's pair of bars with its label.
pub struct Group {
    pub label: String,
    pub label_y: f64,
    pub bars: Vec<Bar>,
}

/// A tick of the 1–5 scale.
pub struct Tick {
    pub x: f64,
    pub value: u8,
}

pub struct Chart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub height: f64,
    pub axis_y: f64,
    pub groups: Vec<Group>,
    pub ticks: Vec<Tick>,
    pub left: f64,
    pub width: f64,
}

fn x_of(mean: f64) -> f64 {
    LEFT + (mean - 1.0) / 4.0 * (RIGHT - LEFT)
}

/// The chart of one comparison's statements (first wave, second wave).
pub fn chart(id: String, title: String, waves: (&str, &str), rows: &[ComparedStatement]) -> Chart {
    let mut groups = Vec::new();
    let mut words = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let top = TOP + i as f64 * ROW;
        let mut bars = Vec::new();
        for (j, (class, cell)) in [("from", &r.mean_from), ("to", &r.mean_to)]
            .into_iter()
            .enumerate()
        {
            let y = top + 8.0 + j as f64 * 18.0;
            let (width, text) = match cell.shown() {
                Some(m) => (x_of(m) - LEFT, figure(cell)),
                // A dash, as in the tables: the page says once what a dash means.
                None => (0.0, figure(cell)),
            };
            bars.push(Bar {
                class,
                y,
                width,
                text_x: LEFT + width + 6.0,
                text,
            });
        }
        words.push(format!(
            "{}: {} {}, {} {}",
            r.aim,
            waves.0,
            figure(&r.mean_from),
            waves.1,
            figure(&r.mean_to)
        ));
        groups.push(Group {
            label: r.aim.clone(),
            label_y: top + 2.0,
            bars,
        });
    }
    let axis_y = TOP + rows.len() as f64 * ROW;
    Chart {
        id,
        title,
        description: format!(
            "Mean answer from 1 (strongly disagree) to 5 (strongly agree). {}.",
            words.join("; ")
        ),
        height: axis_y + 24.0,
        axis_y,
        groups,
        ticks: (1..=5)
            .map(|v| Tick {
                x: x_of(v as f64),
                value: v,
            })
            .collect(),
        left: LEFT,
        width: WIDTH,
    }
}
