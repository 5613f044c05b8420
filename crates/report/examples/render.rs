//! Writes the example report as HTML and PDF and prints how long each took:
//! `cargo run --release -p flipside-report --example render -- OUT_DIR`.

use std::time::Instant;

use flipside_report::{ReportData, html};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    let report = ReportData::example();
    let start = Instant::now();
    let page = html::render(&report).expect("the HTML renders");
    println!("html: {:?}", start.elapsed());
    std::fs::write(format!("{dir}/report.html"), page).expect("the HTML is written");
    #[cfg(feature = "pdf")]
    {
        for run in 1..=3 {
            let start = Instant::now();
            let pdf = flipside_report::pdf::render(&report).expect("the PDF renders");
            println!("pdf (run {run}): {:?}", start.elapsed());
            std::fs::write(format!("{dir}/report.pdf"), pdf).expect("the PDF is written");
        }
    }
}
