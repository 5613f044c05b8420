//! Reads agreement cases as JSON on stdin and prints flipside's figures for each, for the
//! scikit-learn reference check in `tests/reference/kappa/`.
//!
//! Input: `[{"text_len": N, "segments": [[start, end], …], "a": [[start, end], …],
//! "b": [[start, end], …]}, …]` over an ASCII text of N characters, every span coded with one
//! code. Output: one JSON object per case with `segment` and `character` figures
//! (`percentage`, `kappa`, null when undefined).

use std::io::Read;

use flipside_core::qualitative::agreement::{self, CodedTwice, Level};
use flipside_core::qualitative::excerpt::{Excerpt, Span};
use flipside_core::qualitative::transcript::Segment;
use serde_json::{Value, json};

fn spans(v: &Value) -> Vec<(usize, usize)> {
    v.as_array()
        .expect("a list of spans")
        .iter()
        .map(|p| {
            (
                p[0].as_u64().expect("start") as usize,
                p[1].as_u64().expect("end") as usize,
            )
        })
        .collect()
}

fn main() {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .expect("read stdin");
    let cases: Vec<Value> = serde_json::from_str(&input).expect("a JSON list of cases");
    let mut out = Vec::new();
    for case in cases {
        let text = "x".repeat(case["text_len"].as_u64().expect("text_len") as usize);
        let segments: Vec<Segment> = spans(&case["segments"])
            .into_iter()
            .enumerate()
            .map(|(i, (start, end))| Segment {
                number: i as u32 + 1,
                speaker: None,
                start,
                end,
            })
            .collect();
        let excerpts = |key: &str, coder: i64| -> Vec<Excerpt> {
            spans(&case[key])
                .into_iter()
                .enumerate()
                .map(|(i, (start, end))| Excerpt {
                    id: i as i64,
                    chat: 1,
                    coder,
                    span: Span { start, end },
                    codes: vec![1],
                    memo: None,
                })
                .collect()
        };
        let (a, b) = (excerpts("a", 1), excerpts("b", 2));
        let chats = [CodedTwice {
            chat: 1,
            text: &text,
            segments: &segments,
            a: &a,
            b: &b,
        }];
        let figures = |level| {
            let r = &agreement::compare(level, &[1], &chats)[0];
            json!({"percentage": r.percentage, "kappa": r.kappa})
        };
        out.push(json!({
            "segment": figures(Level::Segment),
            "character": figures(Level::Character),
        }));
    }
    println!("{}", Value::Array(out));
}
