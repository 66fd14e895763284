//! Helpers shared by the black-box simulator tests.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;
use shotkeeper_sim::{start, Sim, SimOptions, SimProvider};

/// A client with a timeout, so that no test can hang on the simulator.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// Starts a simulator with `opts` adjusted by `f`.
pub async fn sim_with(provider: SimProvider, f: impl FnOnce(&mut SimOptions)) -> Sim {
    let mut opts = SimOptions::new(provider);
    f(&mut opts);
    start(opts).await.expect("simulator starts")
}

/// Status and JSON body of a response; panics if the body is not JSON.
pub async fn json_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, v)
}

pub fn header(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}
