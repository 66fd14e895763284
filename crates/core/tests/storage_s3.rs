//! Storage against a real S3-compatible server: `s3s-fs`, started per test
//! on a free loopback port over a temporary directory (`s3_server`).

mod s3_server;

use std::collections::BTreeMap;

use s3_server::{free_port, S3Server, ACCESS_KEY, BUCKET, SECRET_KEY};
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::storage::{Storage, StorageSettings, CACHE_CONTROL};

/// Storage clients on the test server, configured the minimal way.
trait StorageOn {
    fn settings(&self, extra: &[(&str, &str)]) -> StorageSettings;
    fn storage(&self, extra: &[(&str, &str)]) -> Storage;
}

impl StorageOn for S3Server {
    fn settings(&self, extra: &[(&str, &str)]) -> StorageSettings {
        let endpoint = self.endpoint();
        let mut map: BTreeMap<String, String> = [
            ("bucket", BUCKET),
            ("access_key_id", ACCESS_KEY),
            ("endpoint", &endpoint),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        map.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        StorageSettings::from_settings(ProviderKind::S3, None, &map).expect("valid settings")
    }

    fn storage(&self, extra: &[(&str, &str)]) -> Storage {
        Storage::new(self.settings(extra), SECRET_KEY).expect("storage client")
    }
}

/// A few bytes that start like a PNG; the store does not care.
fn image_bytes(seed: u8) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend((0..4096u32).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    v
}

#[tokio::test]
async fn verify_succeeds_and_proves_write_access() {
    let server = S3Server::start();
    let storage = server.storage(&[("prefix", "checks")]);
    assert_eq!(
        storage.verify(false).await.unwrap(),
        "The connection was successful"
    );
    let msg = storage.verify(true).await.unwrap();
    assert!(msg.contains("write access confirmed"), "{msg}");
    let leftovers = std::fs::read_dir(server.dir.path().join(BUCKET).join("checks"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(leftovers, 0, "the write check must delete its object");
}

#[tokio::test]
async fn verify_a_missing_bucket_says_so_in_the_seed_wording() {
    let server = S3Server::start();
    let storage = server.storage(&[("bucket", "no-such-bucket")]);
    let err = storage.verify(false).await.unwrap_err();
    let msg = err.to_string();
    eprintln!("missing bucket: {msg}");
    assert!(
        msg.contains("The specified bucket does not exist."),
        "{msg}"
    );
    assert!(msg.contains("no-such-bucket"), "{msg}");
}

#[tokio::test]
async fn verify_with_wrong_keys_names_the_credentials_and_leaks_nothing() {
    let server = S3Server::start();
    let wrong_secret = "not-the-right-secret-42";
    let storage = Storage::new(server.settings(&[]), wrong_secret).unwrap();
    let err = storage.verify(false).await.unwrap_err();
    let msg = err.to_string();
    eprintln!("wrong secret: {msg}");
    assert_eq!(err.kind(), "bad_credentials", "{msg}");
    assert!(
        msg.contains("credentials") && msg.contains("secret access key"),
        "{msg}"
    );
    assert!(
        !msg.contains(wrong_secret) && !msg.contains(SECRET_KEY),
        "{msg}"
    );
    assert!(!format!("{storage:?}").contains(wrong_secret));

    // A wrong secret also fails an upload, with the S3 error code read from the body.
    let err = storage.upload(b"x", "image/png", "png").await.unwrap_err();
    assert_eq!(err.kind(), "bad_credentials", "{err}");

    let unknown_key =
        Storage::new(server.settings(&[("access_key_id", "nobody")]), SECRET_KEY).unwrap();
    let err = unknown_key.verify(false).await.unwrap_err();
    assert_eq!(err.kind(), "bad_credentials", "{err}");
}

#[tokio::test]
async fn verify_an_unreachable_endpoint_names_it() {
    let port = free_port(); // nothing listens there
    let map: BTreeMap<String, String> = [
        ("bucket", BUCKET.to_string()),
        ("access_key_id", ACCESS_KEY.to_string()),
        ("endpoint", format!("http://127.0.0.1:{port}")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let storage = Storage::new(
        StorageSettings::from_settings(ProviderKind::S3, None, &map).unwrap(),
        SECRET_KEY,
    )
    .unwrap();
    let err = storage.verify(false).await.unwrap_err();
    eprintln!("unreachable: {err}");
    assert_eq!(err.kind(), "unreachable", "{err}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[tokio::test]
async fn upload_stores_bytes_and_headers_and_a_second_upload_is_a_no_op() {
    let server = S3Server::start();
    let storage = server.storage(&[("prefix", "/help/images/")]);
    let bytes = image_bytes(7);
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))
    };

    let first = storage.upload(&bytes, "image/png", "PNG").await.unwrap();
    assert_eq!(first.key, format!("help/images/{sha}.png"));
    assert!(!first.already_existed);
    assert_eq!(first.bucket, BUCKET);
    assert_eq!(
        first.url,
        format!("{}/{BUCKET}/help/images/{sha}.png", server.endpoint())
    );
    assert_eq!(
        serde_json::to_value(&first.cloud).unwrap(),
        serde_json::json!({"upload": "s3", "fileObject": first.key, "bucket": BUCKET})
    );

    let stored = storage.get_object(&first.key).await.unwrap();
    assert_eq!(stored.bytes, bytes);
    assert_eq!(stored.content_type.as_deref(), Some("image/png"));
    assert_eq!(stored.cache_control.as_deref(), Some(CACHE_CONTROL));

    let on_disk = server.dir.path().join(BUCKET).join(&first.key);
    let written_at = std::fs::metadata(&on_disk).unwrap().modified().unwrap();
    let second = storage.upload(&bytes, "image/png", "png").await.unwrap();
    assert!(second.already_existed);
    assert_eq!(second.key, first.key);
    assert_eq!(
        std::fs::metadata(&on_disk).unwrap().modified().unwrap(),
        written_at,
        "nothing was re-sent"
    );

    let other = storage
        .upload(&image_bytes(8), "image/png", "png")
        .await
        .unwrap();
    assert_ne!(other.key, first.key);
    assert!(!other.already_existed);
}

#[tokio::test]
async fn reading_a_missing_object_is_not_found() {
    let server = S3Server::start();
    let err = server
        .storage(&[])
        .get_object("nope.png")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "not_found", "{err}");
}

#[test]
fn public_urls_with_and_without_a_base_url() {
    let mut map: BTreeMap<String, String> = [
        ("bucket", "shots"),
        ("region", "eu-west-1"),
        ("access_key_id", "AKIAEXAMPLE"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let aws = Storage::new(
        StorageSettings::from_settings(ProviderKind::S3, None, &map).unwrap(),
        "s",
    )
    .unwrap();
    let key = aws.key_for("ABC123", "png");
    assert_eq!(key, "abc123.png");
    assert_eq!(
        aws.public_url(&key),
        "https://shots.s3.eu-west-1.amazonaws.com/abc123.png"
    );

    map.insert(
        "public_base_url".into(),
        "https://cdn.example.com/img/".into(),
    );
    map.insert("prefix".into(), "kb".into());
    let cdn = Storage::new(
        StorageSettings::from_settings(ProviderKind::S3, None, &map).unwrap(),
        "s",
    )
    .unwrap();
    let key = cdn.key_for("abc123", ".png");
    assert_eq!(key, "kb/abc123.png");
    assert_eq!(
        cdn.public_url(&key),
        "https://cdn.example.com/img/kb/abc123.png"
    );
}

#[test]
fn r2_settings_use_the_account_endpoint_and_region_auto() {
    let map: BTreeMap<String, String> = [
        ("bucket", "shots"),
        ("accountId", "0123456789abcdef0123456789abcdef"),
        ("accessKeyId", "key"),
        ("region", "us-east-1"), // ignored: R2 is always auto
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let s = StorageSettings::from_settings(ProviderKind::R2, None, &map).unwrap();
    assert_eq!(s.resolved_region().unwrap(), "auto");
    assert_eq!(
        s.resolved_endpoint().unwrap().as_deref(),
        Some("https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com")
    );
    assert!(!s.force_path_style);
    let storage = Storage::new(s, "secret").unwrap();
    assert_eq!(storage.settings().cloud_object("k").upload, "r2");
}
