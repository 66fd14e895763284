//! Request bodies: read within the size limit, parsed as JSON, then typed.
//! Each step has its own answer in the API's error shape: 413 over the
//! limit, 400 for JSON that does not parse, 422 naming the field (by its
//! path, e.g. `credentials.bucket`) for a wrong type or a missing field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{kind, ApiError};

/// Largest request body accepted (screenshot lists are URLs, not files).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// A JSON body typed as `T`.
pub struct ApiJson<T>(pub T);

/// An optional JSON body (GET with `integrationId` in the body, as
/// LaunchBrightly's "Retrieve an article" sends it): `None` when empty.
pub struct OptionalJson<T>(pub Option<T>);

async fn bytes_of<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                kind::TOO_LARGE,
                format!(
                    "the request body is larger than {} KiB: send fewer screenshots per request",
                    BODY_LIMIT / 1024
                ),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                kind::BAD_REQUEST,
                format!("the request body could not be read: {rejection}"),
            )
        }
    })
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            kind::BAD_REQUEST,
            format!("the request body is not valid JSON ({e}): send a JSON object"),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::validation(
            "the request body must be a JSON object",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path == "." || path.is_empty() {
            ApiError::validation(inner)
        } else {
            ApiError::validation(format!("{path}: {inner}"))
        }
    })
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = bytes_of(req, state).await?;
        parse(&bytes).map(ApiJson)
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = bytes_of(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        parse(&bytes).map(|v| OptionalJson(Some(v)))
    }
}
