//! `shotkeeper serve --tls-cert --tls-key` serves HTTPS: a client that
//! trusts the certificate (made here, self-signed for 127.0.0.1) reaches
//! /healthz and an API endpoint with its key; a plain-HTTP client does
//! not. A non-loopback `--listen` without TLS or `--insecure-listen` is
//! refused before anything listens, saying why and what to do. Only
//! 127.0.0.1 is ever bound.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const SECRET_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn shotkeeper(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shotkeeper"));
    c.arg("--data-dir")
        .arg(dir)
        .env("SHOTKEEPER_SECRET_KEY", SECRET_KEY)
        .stdin(Stdio::null());
    c
}

/// Runs a command that must end by itself, within 60 s.
fn run_bounded(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "the command did not end in 60 s; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn serve_speaks_https_with_the_given_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let cert_file = dir.path().join("cert.pem");
    let key_file = dir.path().join("key.pem");
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, signing_key.serialize_pem()).unwrap();

    let created = run_bounded({
        let mut c = shotkeeper(dir.path());
        c.args(["api-key", "create", "--label", "tls test"]);
        c
    });
    assert!(created.status.success(), "{created:?}");
    let api_key = String::from_utf8(created.stdout).unwrap().trim().to_owned();

    let port = free_port();
    let child = shotkeeper(dir.path())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--tls-cert")
        .arg(&cert_file)
        .arg("--tls-key")
        .arg(&key_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _served = Served(child);

    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.pem().as_bytes()).unwrap())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let base = format!("https://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let health = loop {
        match trusting.get(format!("{base}/healthz")).send().await {
            Ok(r) => break r,
            Err(e) => {
                assert!(
                    Instant::now() < deadline,
                    "serve did not answer https /healthz in 30 s: {e}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    assert_eq!(health.status(), reqwest::StatusCode::OK);
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"status": "ok"})
    );

    // The API itself, with the key, over the same connection security.
    let jobs = trusting
        .get(format!("{base}/helpcenter/import"))
        .header("x-api-key", &api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(jobs.status(), reqwest::StatusCode::OK);
    assert_eq!(jobs.json::<serde_json::Value>().await.unwrap()["total"], 0);

    // A client that does not trust the certificate is turned away by its
    // own TLS check, and plain HTTP gets no answer from the TLS port.
    let untrusting = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    assert!(untrusting
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_err());
    let plain = untrusting
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await;
    assert!(
        plain.map(|r| !r.status().is_success()).unwrap_or(true),
        "plain HTTP must not be served on the TLS port"
    );
}

#[test]
fn a_non_loopback_address_without_tls_is_refused_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_bounded({
        let mut c = shotkeeper(dir.path());
        // Refused before binding: nothing listens on 0.0.0.0.
        c.args(["serve", "--listen", "0.0.0.0:0"]);
        c
    });
    assert!(!out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("0.0.0.0:0 is reachable from other machines"),
        "{stderr}"
    );
    assert!(
        stderr.contains("plain HTTP would send API keys and integration secrets"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--tls-cert FILE --tls-key FILE") && stderr.contains("--insecure-listen"),
        "{stderr}"
    );
}

#[test]
fn an_unreadable_certificate_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-cert.pem");
    let out = run_bounded({
        let mut c = shotkeeper(dir.path());
        c.args(["serve", "--listen", "127.0.0.1:0"])
            .arg("--tls-cert")
            .arg(&missing)
            .arg("--tls-key")
            .arg(&missing);
        c
    });
    assert!(!out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no-such-cert.pem") && stderr.contains("PEM certificate chain"),
        "{stderr}"
    );
}
