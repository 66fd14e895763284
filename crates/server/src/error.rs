//! The one mapping from core's error (and HTTP-level refusals) to the error
//! object of LaunchBrightly's API: `{message, statusCode, error {message,
//! type}}`, as its "Check an Import Progress" 404 example shows.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use shotkeeper_core::CoreError;

/// `error.type` values. RESOURCE_NOT_FOUND and RUNTIME_ERROR are
/// LaunchBrightly's own; the others follow the same convention.
pub mod kind {
    pub const NOT_FOUND: &str = "RESOURCE_NOT_FOUND";
    pub const RUNTIME: &str = "RUNTIME_ERROR";
    pub const VALIDATION: &str = "VALIDATION_ERROR";
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
    pub const TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    pub const METHOD: &str = "METHOD_NOT_ALLOWED";
    pub const ROUTE: &str = "ROUTE_NOT_FOUND";
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// The error body.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub message: String,
    pub status_code: u16,
    pub error: ErrorDetail,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::with_detail(status, kind, message.clone(), message)
    }

    pub fn with_detail(
        status: StatusCode,
        kind: &str,
        message: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                message: message.into(),
                status_code: status.as_u16(),
                error: ErrorDetail {
                    message: detail.into(),
                    kind: kind.to_owned(),
                },
            },
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, kind::VALIDATION, message)
    }

    /// LaunchBrightly's 404 for an unknown import job, word for word.
    pub fn no_import(id: &str) -> Self {
        ApiError::with_detail(
            StatusCode::NOT_FOUND,
            kind::NOT_FOUND,
            format!("The record {id} does not exist or is invalid."),
            format!("The ImportRequest id could not be found: {id}"),
        )
    }

    /// The same sentence for any other record (integration, revision...).
    pub fn no_record(id: &str, detail: String) -> Self {
        ApiError::with_detail(
            StatusCode::NOT_FOUND,
            kind::NOT_FOUND,
            format!("The record {id} does not exist or is invalid."),
            detail,
        )
    }

    /// Maps core's error for a request about record `id` (when there is one).
    pub fn from_core(e: CoreError, id: Option<&str>) -> Self {
        let message = e.to_string();
        match e {
            CoreError::NotFound { .. } => match id {
                Some(id) => ApiError::no_record(id, message),
                None => ApiError::new(StatusCode::NOT_FOUND, kind::NOT_FOUND, message),
            },
            CoreError::Invalid(_) => ApiError::validation(message),
            CoreError::Unreachable { .. }
            | CoreError::Garbage { .. }
            | CoreError::WrongBaseUrl { .. } => {
                ApiError::new(StatusCode::BAD_GATEWAY, kind::RUNTIME, message)
            }
            CoreError::Timeout { .. } => {
                ApiError::new(StatusCode::GATEWAY_TIMEOUT, kind::RUNTIME, message)
            }
            CoreError::RateLimited { .. } => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, kind::RUNTIME, message)
            }
            _ => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, kind::RUNTIME, message),
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        ApiError::from_core(e, None)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::warn!(status = self.status.as_u16(), "{}", self.body.error.message);
        }
        (self.status, Json(self.body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
