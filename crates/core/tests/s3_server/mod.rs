//! A real S3-compatible server for the tests that store images: `s3s-fs`,
//! started on a free loopback port over a temporary directory with one
//! bucket, and killed when dropped.
//!
//! The server is a prerequisite, not optional: without it these tests fail
//! and say how to install it (CI installs it the same way).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACCESS_KEY: &str = "shotkeeper-test-access";
pub const SECRET_KEY: &str = "shotkeeper-test-secret-0123456789";
pub const BUCKET: &str = "shots";
pub const INSTALL: &str = "cargo install s3s-fs@0.14.1 --features binary --locked";

/// `S3S_FS_BIN`, else `s3s-fs` on PATH, else in cargo's bin directory.
pub fn s3s_fs_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("S3S_FS_BIN").map(PathBuf::from) {
        assert!(
            bin.is_file(),
            "S3S_FS_BIN={} is not a file: install s3s-fs with `{INSTALL}`",
            bin.display()
        );
        return bin;
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    on_path
        .chain(cargo_home.map(|c| c.join("bin")))
        .map(|dir| dir.join("s3s-fs"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "s3s-fs is not installed, and these tests need this real S3-compatible server. \
                 Install it with `{INSTALL}` (or point S3S_FS_BIN at the binary)"
            )
        })
}

/// A running `s3s-fs` with one bucket; killed when dropped.
pub struct S3Server {
    child: Child,
    pub port: u16,
    /// The served directory: the bucket is the folder `BUCKET` in it.
    pub dir: tempfile::TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

impl S3Server {
    pub fn start() -> Self {
        let bin = s3s_fs_binary();
        // A port picked here can be taken before the server binds it: retry.
        for _ in 0..3 {
            if let Some(server) = Self::try_start(&bin) {
                return server;
            }
        }
        panic!("s3s-fs ({}) did not start on any of 3 ports", bin.display());
    }

    fn try_start(bin: &PathBuf) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join(BUCKET)).expect("bucket dir");
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log file");
        let port = free_port();
        let child = Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "could not run {}: {e}; reinstall with `{INSTALL}`",
                    bin.display()
                )
            });
        let mut server = S3Server { child, port, dir };
        server.wait_ready().then_some(server)
    }

    /// Up to 10 s for the port to accept connections; false if the process died.
    fn wait_ready(&mut self) -> bool {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                let log =
                    std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
                eprintln!("s3s-fs exited early: {log}");
                return false;
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "s3s-fs did not accept connections on port {} within 10 s",
            self.port
        );
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The bucket's path-style URL: where uploaded objects are served.
    pub fn public_base_url(&self) -> String {
        format!("{}/{BUCKET}", self.endpoint())
    }

    /// Adds an S3 integration on this server to `app` (keys under
    /// `prefix`; the secret read from a fresh environment variable) and
    /// returns its id.
    pub async fn connect(&self, app: &shotkeeper_core::App, prefix: &str) -> String {
        use shotkeeper_core::integrations::{NewIntegration, SecretInput};
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let var = format!(
            "SHOTKEEPER_TEST_S3_SECRET_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        std::env::set_var(&var, SECRET_KEY);
        app.add_integration(NewIntegration {
            label: "s3s-fs".into(),
            provider: shotkeeper_core::model::ProviderKind::S3,
            base_url: None,
            settings: self.integration_settings(prefix),
            secret: SecretInput::Env { name: var },
        })
        .await
        .expect("add the S3 integration")
        .integration
        .id
    }

    /// The settings of an S3 integration on this server: path style, a
    /// region, the bucket's URL as public base URL, keys under `prefix`.
    pub fn integration_settings(&self, prefix: &str) -> BTreeMap<String, String> {
        [
            ("bucket", BUCKET.to_string()),
            ("access_key_id", ACCESS_KEY.to_string()),
            ("endpoint", self.endpoint()),
            ("region", "us-east-1".to_string()),
            ("path_style", "true".to_string()),
            ("public_base_url", self.public_base_url()),
            ("prefix", prefix.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}
