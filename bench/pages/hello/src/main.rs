//! A plain axum "hello" page on the same runtime as flipside (multi-threaded tokio), so that
//! `bench.py` can state each page's throughput as a share of what the framework alone serves
//! on the same machine in the same run.
//!
//! `hello 127.0.0.1:PORT`; prints `hello is listening on ADDR` once it accepts connections.
#![forbid(unsafe_code)]

use axum::{Router, routing::get};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".into());
    let app = Router::new().route("/", get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("hello is listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await
}
