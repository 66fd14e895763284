//! The S3 client behind [`Storage`]: AWS S3, Cloudflare R2, and other
//! S3-compatible stores, through the official `aws-sdk-s3`.
//!
//! The SDK's config is built by hand from the integration's settings and the
//! secret passed in: no environment variables, profiles or instance metadata
//! are read (that is why `aws-config` is not used), so one machine's AWS
//! setup can never leak into a user's integration.

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use sha2::{Digest, Sha256};

use super::{StorageSettings, Uploaded, CACHE_CONTROL};
use crate::error::{CoreError, Result};
use crate::model::ProviderKind;

/// The LaunchBrightly integration API's message for a successful verification.
const CONNECTION_OK: &str = "The connection was successful";
/// The LaunchBrightly integration API's message for a missing bucket.
const NO_SUCH_BUCKET: &str = "The specified bucket does not exist.";
const MAX_ATTEMPTS: u32 = 3;

/// A configured connection to one bucket.
pub struct Storage {
    settings: StorageSettings,
    client: aws_sdk_s3::Client,
}

/// Hand-written so that nothing about the client (and so the credentials)
/// can ever reach a log through `{:?}`.
impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// An object read back from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub cache_control: Option<String>,
}

/// The S3 operations, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    HeadBucket,
    HeadObject,
    PutObject,
    GetObject,
    DeleteObject,
}

impl Op {
    fn doing(self) -> &'static str {
        match self {
            Op::HeadBucket => "check the bucket",
            Op::HeadObject => "look for an existing object",
            Op::PutObject => "upload",
            Op::GetObject => "read an object",
            Op::DeleteObject => "delete an object",
        }
    }
}

fn sdk_config(settings: &StorageSettings, secret: &str) -> Result<aws_sdk_s3::Config> {
    let credentials = Credentials::new(
        settings.access_key_id.trim(),
        secret.trim(),
        None,
        None,
        "shotkeeper-integration",
    );
    // ring, not aws-lc: see crates/core/Cargo.toml.
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(10))
        .operation_attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(180))
        .build();
    let mut builder = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(settings.resolved_region()?))
        .credentials_provider(credentials)
        .http_client(http)
        .force_path_style(settings.force_path_style)
        // Flexible checksums are not implemented by every S3-compatible
        // store; the signed payload hash already protects the body.
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
    if let Some(endpoint) = settings.resolved_endpoint()? {
        builder = builder.endpoint_url(endpoint);
    }
    Ok(builder.build())
}

impl Storage {
    /// A client for the integration's bucket. Makes no request: see
    /// [`Storage::verify`]. R2 goes to `https://<account_id>.r2.cloudflarestorage.com`
    /// in region `auto`; S3 needs its region; a custom endpoint serves any
    /// S3-compatible store.
    pub fn new(settings: StorageSettings, secret_access_key: &str) -> Result<Self> {
        settings.validate()?;
        if secret_access_key.trim().is_empty() {
            return Err(CoreError::Invalid(format!(
                "the secret access key of the {} integration is empty: enter it again",
                settings.provider.display_name()
            )));
        }
        let client = aws_sdk_s3::Client::from_conf(sdk_config(&settings, secret_access_key)?);
        Ok(Storage { settings, client })
    }

    pub fn settings(&self) -> &StorageSettings {
        &self.settings
    }

    /// See [`StorageSettings::key_for`].
    pub fn key_for(&self, sha256: &str, ext: &str) -> String {
        self.settings.key_for(sha256, ext)
    }

    /// See [`StorageSettings::public_url`].
    pub fn public_url(&self, key: &str) -> String {
        self.settings.public_url(key)
    }

    /// Check the bucket is there and the keys may use it (HeadBucket). With
    /// `write_check`, also write and delete a small object to prove write
    /// access. Returns the LaunchBrightly integration API's success message.
    pub async fn verify(&self, write_check: bool) -> Result<String> {
        let bucket = &self.settings.bucket;
        let head = self.client.head_bucket().bucket(bucket).send().await;
        head.map_err(|e| self.error(Op::HeadBucket, e))?;
        if !write_check {
            return Ok(CONNECTION_OK.to_string());
        }
        let key = self.key_for(
            &format!("shotkeeper-write-check-{}", uuid::Uuid::new_v4()),
            "txt",
        );
        self.put(&key, b"shotkeeper write check".to_vec(), "text/plain")
            .await?;
        let delete = self
            .client
            .delete_object()
            .bucket(bucket)
            .key(&key)
            .send()
            .await;
        delete.map_err(|e| self.error(Op::DeleteObject, e))?;
        Ok(format!(
            "{CONNECTION_OK}; write access confirmed (a test object was written and deleted)"
        ))
    }

    /// Store an image under its content key with `Content-Type` and a
    /// year-long immutable `Cache-Control`. When an object of the same size
    /// is already at that key, nothing is sent (`already_existed`).
    pub async fn upload(&self, bytes: &[u8], content_type: &str, ext: &str) -> Result<Uploaded> {
        let sha = hex::encode(Sha256::digest(bytes));
        let key = self.key_for(&sha, ext);
        let already_existed = self.existing_size(&key).await? == Some(bytes.len() as i64);
        if !already_existed {
            let content_type = match content_type.trim() {
                "" => "application/octet-stream",
                t => t,
            };
            self.put(&key, bytes.to_vec(), content_type).await?;
        }
        Ok(Uploaded {
            url: self.public_url(&key),
            bucket: self.settings.bucket.clone(),
            cloud: self.settings.cloud_object(&key),
            key,
            already_existed,
        })
    }

    /// Stores `bytes` at exactly `key` (a name of the caller's, not a content
    /// key), unless an object of the same size is already there. Returns
    /// whether anything was sent. The team's shared files are named by
    /// their content's SHA-256, so a same-sized object is the same file.
    pub async fn put_at(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<bool> {
        if self.existing_size(key).await? == Some(bytes.len() as i64) {
            return Ok(false);
        }
        self.put(key, bytes, content_type).await?;
        Ok(true)
    }

    /// Read an object back (checks, rollbacks, tests).
    pub async fn get_object(&self, key: &str) -> Result<StoredObject> {
        let bucket = &self.settings.bucket;
        let out = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await;
        let out =
            out.map_err(
                |e| match e.as_service_error().is_some_and(|s| s.is_no_such_key()) {
                    true => CoreError::NotFound {
                        what: format!("object {key} in bucket {bucket}"),
                    },
                    false => self.error(Op::GetObject, e),
                },
            )?;
        let content_type = out.content_type().map(str::to_string);
        let cache_control = out.cache_control().map(str::to_string);
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| self.unreachable(format!("the download of {key} broke off: {e}")))?;
        Ok(StoredObject {
            bytes: body.into_bytes().to_vec(),
            content_type,
            cache_control,
        })
    }

    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<()> {
        let put = self
            .client
            .put_object()
            .bucket(&self.settings.bucket)
            .key(key)
            .content_type(content_type)
            .cache_control(CACHE_CONTROL)
            .body(ByteStream::from(bytes))
            .send()
            .await;
        put.map_err(|e| self.error(Op::PutObject, e))?;
        Ok(())
    }

    /// The size of the object at `key`, or `None` when there is none. A 403
    /// also counts as none: without `s3:ListBucket` S3 answers 403 for a
    /// missing key, and upload-only policies are common; the upload that
    /// follows reports any real permission problem.
    async fn existing_size(&self, key: &str) -> Result<Option<i64>> {
        let head = self
            .client
            .head_object()
            .bucket(&self.settings.bucket)
            .key(key)
            .send()
            .await;
        match head {
            Ok(out) => Ok(Some(out.content_length().unwrap_or(-1))),
            Err(e) if matches!(status_of(&e), Some(403 | 404)) => Ok(None),
            Err(e) => Err(self.error(Op::HeadObject, e)),
        }
    }

    /// "Amazon S3", "Cloudflare R2", or "S3-compatible storage" for a custom endpoint.
    fn provider_label(&self) -> String {
        match (self.settings.provider, &self.settings.endpoint) {
            (ProviderKind::S3, Some(_)) => "S3-compatible storage".to_string(),
            (kind, _) => kind.display_name().to_string(),
        }
    }

    fn unreachable(&self, detail: String) -> CoreError {
        CoreError::Unreachable {
            host: self.settings.endpoint_for_messages(),
            detail,
        }
    }

    /// Translate an SDK failure into a message that says what to do. The
    /// SDK's error texts carry no credentials (only the access key id could
    /// appear in a signing error, and service messages are not echoed for
    /// credential failures).
    fn error<E>(&self, op: Op, err: SdkError<E, HttpResponse>) -> CoreError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let endpoint = self.settings.endpoint_for_messages();
        match &err {
            SdkError::TimeoutError(_) => CoreError::Timeout {
                provider: self.provider_label(),
                endpoint,
                attempts: MAX_ATTEMPTS,
            },
            SdkError::DispatchFailure(f) if f.is_timeout() => CoreError::Timeout {
                provider: self.provider_label(),
                endpoint,
                attempts: MAX_ATTEMPTS,
            },
            SdkError::DispatchFailure(_) => self.unreachable(format!(
                "the storage endpoint did not answer ({})",
                root_cause(&err)
            )),
            SdkError::ResponseError(_) => CoreError::Garbage {
                provider: self.provider_label(),
                endpoint,
                detail: format!("unreadable answer to '{}'", op.doing()),
            },
            SdkError::ServiceError(_) => self.service_error(op, &err),
            _ => CoreError::Storage(format!(
                "could not {}: {}",
                op.doing(),
                DisplayErrorContext(&err)
            )),
        }
    }

    fn service_error<E>(&self, op: Op, err: &SdkError<E, HttpResponse>) -> CoreError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let (bucket, endpoint) = (&self.settings.bucket, self.settings.endpoint_for_messages());
        let status = status_of(err).unwrap_or(0);
        let code = err.code().unwrap_or_default();
        let region_header = err
            .raw_response()
            .and_then(|r| r.headers().get("x-amz-bucket-region"))
            .map(str::to_string);
        if code == "NoSuchBucket" || (status == 404 && op == Op::HeadBucket) {
            return CoreError::Storage(format!(
                "{NO_SUCH_BUCKET} Bucket '{bucket}' was not found at {endpoint}: check the bucket name (and region), or create the bucket"
            ));
        }
        if status == 301 || code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" {
            let region = region_header.unwrap_or_else(|| "another region".into());
            return CoreError::Storage(format!(
                "bucket '{bucket}' is in {region}, not in the configured region: set region to {region} in the integration's settings"
            ));
        }
        if code == "AccessDenied" && op != Op::HeadBucket {
            return CoreError::Forbidden {
                provider: self.provider_label(),
                endpoint,
                detail: format!(
                    "the keys were accepted but may not {} in bucket '{bucket}' (AccessDenied): give them read and write access to the bucket",
                    op.doing()
                ),
            };
        }
        if matches!(status, 401 | 403) {
            return CoreError::BadCredentials {
                provider: self.provider_label(),
                endpoint: format!("{endpoint}, bucket '{bucket}' ({})", credential_hint(code)),
                status,
            };
        }
        if status == 429 || code == "SlowDown" {
            return CoreError::RateLimited {
                provider: self.provider_label(),
                endpoint,
                attempts: MAX_ATTEMPTS,
            };
        }
        let message = err.message().unwrap_or("no message");
        CoreError::Http {
            provider: self.provider_label(),
            endpoint,
            status,
            detail: format!("could not {} ({code}: {message})", op.doing()),
        }
    }
}

/// The innermost cause ("Connection refused (os error 111)", "failed to
/// lookup address information"): the layers above it only repeat it.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

fn status_of<E>(err: &SdkError<E, HttpResponse>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

/// What a 401/403 most likely means, from the S3 error code when there is
/// one (a HEAD answer has no body, hence no code).
fn credential_hint(code: &str) -> &'static str {
    match code {
        "InvalidAccessKeyId" => "the access key id is unknown",
        "SignatureDoesNotMatch" => "the secret access key does not match the access key id",
        "AccessDenied" => "the keys may not use this bucket",
        _ => "the access key id or secret access key is wrong, or the keys may not use this bucket",
    }
}
