//! Time to render the example report (shaped like the seeds' 26-pair cycle) as HTML and as
//! PDF. Run with `cargo bench -p flipside-report`; the target is under 2 s for the PDF.

use criterion::{Criterion, criterion_group, criterion_main};
use flipside_report::{ReportData, html};

fn render(c: &mut Criterion) {
    let report = ReportData::example();
    c.bench_function("html", |b| b.iter(|| html::render(&report).unwrap()));
    #[cfg(feature = "pdf")]
    {
        let mut group = c.benchmark_group("pdf");
        group.sample_size(10);
        group.bench_function("pdf", |b| {
            b.iter(|| flipside_report::pdf::render(&report).unwrap())
        });
        group.finish();
    }
}

criterion_group!(benches, render);
criterion_main!(benches);
