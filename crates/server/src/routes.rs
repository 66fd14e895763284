//! The endpoints. Each handler only translates: HTTP in, one call into
//! core's `App`, JSON out in the shapes of LaunchBrightly's import/sync API
//! and Integration API (field names as in their examples).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shotkeeper_core::app::JobListItem;
use shotkeeper_core::audit::AuditReport;
use shotkeeper_core::credentials::{CredentialsForm, IntegrationCredentialsView, UPDATED};
use shotkeeper_core::model::{
    Dimension, JobView, Platform, ProviderKind, RetrievedArticle, VerifyResult,
};
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::update::revisions::{Revision, RollbackOutcome};
use shotkeeper_core::update::screenshots::ApiScreenshot;
use shotkeeper_core::update::UpdateResult;
use shotkeeper_core::{App, CoreError};

use crate::body::{ApiJson, OptionalJson};
use crate::error::{ApiError, ApiResult, ErrorBody};

// --- integrations (LaunchBrightly's Integration API) --------------------------

/// The provider names, for the 422 that names them.
fn provider_names() -> String {
    ProviderKind::ALL
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn provider_of(raw: &str) -> ApiResult<ProviderKind> {
    raw.parse::<ProviderKind>().map_err(|_| {
        ApiError::validation(format!(
            "provider: unknown provider '{raw}': use one of {}",
            provider_names()
        ))
    })
}

fn platform_of(raw: Option<&str>) -> ApiResult<Option<Platform>> {
    match raw {
        None => Ok(None),
        Some("cloud") => Ok(Some(Platform::Cloud)),
        Some("helpcenter") => Ok(Some(Platform::Helpcenter)),
        Some(other) => Err(ApiError::validation(format!(
            "platform: unknown platform '{other}': use cloud or helpcenter"
        ))),
    }
}

fn form(
    provider: &str,
    platform: Option<&str>,
    credentials: Map<String, Value>,
) -> ApiResult<CredentialsForm> {
    Ok(CredentialsForm {
        provider: provider_of(provider)?,
        platform: platform_of(platform)?,
        credentials,
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIntegration {
    label: String,
    provider: String,
    #[serde(default)]
    platform: Option<String>,
    #[schema(value_type = Object)]
    credentials: Map<String, Value>,
}

#[utoipa::path(post, path = "/integration", tag = "integrations", request_body = CreateIntegration, responses((status = 200, description = "The integration, its secret masked", body = IntegrationCredentialsView), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn create_integration(
    State(app): State<App>,
    ApiJson(body): ApiJson<CreateIntegration>,
) -> ApiResult<Json<IntegrationCredentialsView>> {
    let form = form(&body.provider, body.platform.as_deref(), body.credentials)?;
    Ok(Json(
        app.create_integration_from_credentials(&body.label, form)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIntegrationBody {
    id: String,
    #[serde(default)]
    label: Option<String>,
    provider: String,
    #[serde(default)]
    platform: Option<String>,
    #[schema(value_type = Object)]
    credentials: Map<String, Value>,
}

/// LaunchBrightly's answer to an update.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Updated {
    id: String,
    created_at: String,
    updated_at: String,
    message: String,
}

#[utoipa::path(put, path = "/integration", tag = "integrations", request_body = UpdateIntegrationBody, responses((status = 200, description = "LaunchBrightly's update answer", body = Updated), (status = 404, description = "No such record", body = ErrorBody), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn update_integration(
    State(app): State<App>,
    ApiJson(body): ApiJson<UpdateIntegrationBody>,
) -> ApiResult<Json<Updated>> {
    let form = form(&body.provider, body.platform.as_deref(), body.credentials)?;
    let view = app
        .update_integration_from_credentials(&body.id, body.label, form)
        .await
        .map_err(|e| ApiError::from_core(e, Some(&body.id)))?;
    Ok(Json(Updated {
        id: view.id,
        created_at: view.created_at,
        updated_at: view.updated_at,
        message: UPDATED.into(),
    }))
}

#[utoipa::path(get, path = "/integration/{id}", tag = "integrations", params(("id" = String, Path, description = "The record's id")), responses((status = 200, description = "The integration, secret fields masked", body = IntegrationCredentialsView), (status = 404, description = "No such record", body = ErrorBody), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn get_integration(
    State(app): State<App>,
    Path(id): Path<String>,
) -> ApiResult<Json<IntegrationCredentialsView>> {
    app.integration_credentials(&id)
        .await
        .map(Json)
        .map_err(|e| ApiError::from_core(e, Some(&id)))
}

#[utoipa::path(get, path = "/integration", tag = "integrations", responses((status = 200, description = "Every integration, secrets masked", body = Vec<IntegrationCredentialsView>), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn list_integrations(
    State(app): State<App>,
) -> ApiResult<Json<Vec<IntegrationCredentialsView>>> {
    let mut out = Vec::new();
    for i in app.list_integrations().await? {
        out.push(app.integration_credentials(&i.integration.id).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(delete, path = "/integration/{id}", tag = "integrations", params(("id" = String, Path, description = "The record's id")), responses((status = 200, description = "Deleted", body = Deleted), (status = 404, description = "No such record", body = ErrorBody), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn delete_integration(
    State(app): State<App>,
    Path(id): Path<String>,
) -> ApiResult<Json<Deleted>> {
    app.delete_integration(&id)
        .await
        .map_err(|e| ApiError::from_core(e, Some(&id)))?;
    Ok(Json(Deleted {
        id,
        message: "The Integration has been successfully deleted.".into(),
    }))
}

/// The answer to a deletion.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Deleted {
    id: String,
    message: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyBody {
    #[serde(default)]
    integration_id: Option<String>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    credentials: Option<Map<String, Value>>,
}

#[utoipa::path(post, path = "/integration/verify", tag = "integrations", request_body = VerifyBody, responses((status = 200, description = "{isConnectionSuccessful, message}", body = VerifyResult), (status = 404, description = "No such record", body = ErrorBody), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn verify_integration(
    State(app): State<App>,
    ApiJson(body): ApiJson<VerifyBody>,
) -> ApiResult<Json<VerifyResult>> {
    if let Some(id) = &body.integration_id {
        return app
            .verify_integration_seed(id)
            .await
            .map(Json)
            .map_err(|e| ApiError::from_core(e, Some(id)));
    }
    let (Some(provider), Some(credentials)) = (body.provider, body.credentials) else {
        return Err(ApiError::validation(
            "integrationId: send an integrationId, or provider, platform and credentials to verify credentials without storing them",
        ));
    };
    let form = form(&provider, body.platform.as_deref(), credentials)?;
    Ok(Json(app.verify_credentials(form).await?))
}

// --- import (LaunchBrightly's import/sync API) ---------------------------------

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartImport {
    integration_id: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct JobStarted {
    id: String,
    status: &'static str,
}

#[utoipa::path(post, path = "/helpcenter/import", tag = "import", request_body = StartImport, responses((status = 200, description = "The job, started in the background", body = JobStarted), (status = 404, description = "No such record", body = ErrorBody), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn start_import(
    State(app): State<App>,
    ApiJson(body): ApiJson<StartImport>,
) -> ApiResult<Json<JobStarted>> {
    let id = app
        .start_background_import(&body.integration_id)
        .await
        .map_err(|e| ApiError::from_core(e, Some(&body.integration_id)))?;
    Ok(Json(JobStarted {
        id,
        status: "running",
    }))
}

#[derive(Deserialize)]
pub struct DimensionQuery {
    dimension: Option<String>,
}

fn job_error(e: CoreError, id: &str) -> ApiError {
    match e {
        CoreError::NotFound { .. } => ApiError::no_import(id),
        other => ApiError::from_core(other, Some(id)),
    }
}

#[utoipa::path(get, path = "/helpcenter/import/{id}", tag = "import", params(("id" = String, Path, description = "The record's id"), ("dimension" = Option<String>, Query, description = "images (default) or articles")), responses((status = 200, description = "The job in LaunchBrightly's shape, live while it runs", body = JobView), (status = 404, description = "No such record", body = ErrorBody), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn get_import(
    State(app): State<App>,
    Path(id): Path<String>,
    Query(q): Query<DimensionQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let dimension = match q.dimension.as_deref() {
        None | Some("") => Dimension::Images,
        Some(d) => d.parse::<Dimension>().map_err(|_| {
            ApiError::validation(format!(
                "dimension: unknown dimension '{d}': use images or articles"
            ))
        })?,
    };
    // Core keeps the answer serialised (and gzipped) until the job
    // changes: sent as is, gzipped to clients that accept it.
    let answer = app
        .job_view_json(&id, dimension)
        .await
        .map_err(|e| job_error(e, &id))?;
    let json = [(header::CONTENT_TYPE, "application/json")];
    let vary = [(header::VARY, "accept-encoding")];
    Ok(if accepts_gzip(&headers) {
        (
            json,
            vary,
            [(header::CONTENT_ENCODING, "gzip")],
            answer.gzip,
        )
            .into_response()
    } else {
        (json, vary, answer.json).into_response()
    })
}

/// Whether the client's Accept-Encoding lists gzip (and does not refuse it
/// with q=0).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    page: Option<usize>,
    page_size: Option<usize>,
}

/// One page of jobs.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobPage {
    items: Vec<JobListItem>,
    page: usize,
    page_size: usize,
    total: usize,
}

#[utoipa::path(get, path = "/helpcenter/import", tag = "import", params(("page" = Option<usize>, Query, description = "From 1"), ("pageSize" = Option<usize>, Query, description = "1 to 500, default 50")), responses((status = 200, description = "Jobs, newest first: items, page, pageSize, total", body = JobPage), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn list_imports(
    State(app): State<App>,
    Query(q): Query<Page>,
) -> ApiResult<Json<JobPage>> {
    let page = q.page.unwrap_or(1);
    let size = q.page_size.unwrap_or(50);
    if page == 0 {
        return Err(ApiError::validation("page: pages start at 1"));
    }
    if !(1..=500).contains(&size) {
        return Err(ApiError::validation("pageSize: use 1 to 500"));
    }
    let jobs = app.list_jobs().await?;
    let total = jobs.len();
    let items: Vec<_> = jobs
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .collect();
    Ok(Json(JobPage {
        items,
        page,
        page_size: size,
        total,
    }))
}

#[utoipa::path(post, path = "/helpcenter/import/{id}/cancel", tag = "import", params(("id" = String, Path, description = "The record's id")), responses((status = 200, description = "Cancelling", body = JobStarted), (status = 404, description = "No such record", body = ErrorBody), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn cancel_import(
    State(app): State<App>,
    Path(id): Path<String>,
) -> ApiResult<Json<JobStarted>> {
    app.cancel_import(&id)
        .await
        .map_err(|e| job_error(e, &id))?;
    Ok(Json(JobStarted {
        id,
        status: "cancelling",
    }))
}

#[utoipa::path(post, path = "/helpcenter/import/{id}/resume", tag = "import", params(("id" = String, Path, description = "The record's id")), responses((status = 200, description = "Resumed in the background", body = JobStarted), (status = 404, description = "No such record", body = ErrorBody), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn resume_import(
    State(app): State<App>,
    Path(id): Path<String>,
) -> ApiResult<Json<JobStarted>> {
    app.resume_import(&id)
        .await
        .map_err(|e| job_error(e, &id))?;
    Ok(Json(JobStarted {
        id,
        status: "running",
    }))
}

#[utoipa::path(get, path = "/helpcenter/import/{id}/audit", tag = "import", params(("id" = String, Path, description = "The record's id")), responses((status = 200, description = "The audit of the import's images", body = AuditReport), (status = 404, description = "No such record", body = ErrorBody), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn import_audit(
    State(app): State<App>,
    Path(id): Path<String>,
) -> ApiResult<Json<AuditReport>> {
    app.audit_job(&id)
        .await
        .map(Json)
        .map_err(|e| job_error(e, &id))
}

// --- articles ----------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationQuery {
    integration_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IntegrationBody {
    integration_id: String,
}

/// A help center's failure reading an article: LaunchBrightly's 5xx with
/// `type: RUNTIME_ERROR`, whatever core's reason.
fn article_error(e: CoreError, integration_id: &str) -> ApiError {
    match e {
        CoreError::NotFound { ref what } if what.starts_with("integration") => {
            ApiError::from_core(e, Some(integration_id))
        }
        CoreError::Invalid(_) => ApiError::from_core(e, None),
        CoreError::Http { status, .. } if status == 404 => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            crate::error::kind::RUNTIME,
            format!("Request failed with status code {status}: {e}"),
        ),
        other => {
            let mapped = ApiError::from_core(other, None);
            if mapped.status.is_server_error() {
                mapped
            } else {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    crate::error::kind::RUNTIME,
                    mapped.body.error.message,
                )
            }
        }
    }
}

fn integration_from(query: Option<String>, body: Option<IntegrationBody>) -> ApiResult<String> {
    query
        .or(body.map(|b| b.integration_id))
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            ApiError::validation(
                "integrationId: required, in the JSON body or as ?integrationId= in the URL",
            )
        })
}

#[utoipa::path(get, path = "/helpcenter/article/{external_article_id}", tag = "articles", params(("external_article_id" = String, Path, description = "The help center's article id; ID@locale for a translation"), ("integrationId" = Option<String>, Query, description = "Or integrationId in the JSON body")), responses((status = 200, description = "The article, read live, its images analysed", body = RetrievedArticle), (status = 404, description = "No such record", body = ErrorBody), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn get_article(
    State(app): State<App>,
    Path(external_id): Path<String>,
    Query(q): Query<IntegrationQuery>,
    OptionalJson(body): OptionalJson<IntegrationBody>,
) -> ApiResult<Json<RetrievedArticle>> {
    let integration_id = integration_from(q.integration_id, body)?;
    app.retrieve_article(&integration_id, &ArticleRef::parse(&external_id))
        .await
        .map(Json)
        .map_err(|e| article_error(e, &integration_id))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateArticle {
    integration_id: String,
    screenshots: Vec<ApiScreenshotBody>,
    /// An S3/R2 integration to upload to instead of the help center.
    #[serde(default)]
    storage_integration_id: Option<String>,
    #[serde(default)]
    dry_run: bool,
    /// LaunchBrightly's text lists a `content` field; the article's
    /// content is read live instead, so it is accepted and not used.
    #[serde(default)]
    #[allow(dead_code)]
    #[schema(value_type = Option<Object>)]
    content: Option<Value>,
}

/// One screenshot as LaunchBrightly's example sends it; `url` is required.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiScreenshotBody {
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    #[serde(default)]
    hash: String,
    #[serde(default)]
    name: String,
    url: String,
}

#[utoipa::path(put, path = "/helpcenter/article/{external_article_id}", tag = "articles", params(("external_article_id" = String, Path, description = "The help center's article id; ID@locale for a translation")), request_body = UpdateArticle, responses((status = 200, description = "summary and per-screenshot outcome", body = UpdateResult), (status = 404, description = "No such record", body = ErrorBody), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn put_article(
    State(app): State<App>,
    Path(external_id): Path<String>,
    ApiJson(body): ApiJson<UpdateArticle>,
) -> ApiResult<Json<UpdateResult>> {
    let shots = body
        .screenshots
        .into_iter()
        .map(|s| ApiScreenshot {
            metadata: s.metadata,
            hash: s.hash,
            name: s.name,
            url: s.url,
        })
        .collect();
    app.update_article_from_urls(
        &body.integration_id,
        &ArticleRef::parse(&external_id),
        shots,
        body.storage_integration_id,
        body.dry_run,
    )
    .await
    .map(Json)
    .map_err(|e| match e {
        // An article never imported, or an unknown integration: 404.
        CoreError::NotFound { .. } => ApiError::from_core(e, None),
        other => article_error(other, &body.integration_id),
    })
}

#[utoipa::path(get, path = "/helpcenter/article/{external_article_id}/revisions", tag = "articles", params(("external_article_id" = String, Path, description = "The help center's article id; ID@locale for a translation"), ("integrationId" = Option<String>, Query, description = "Only revisions made through this integration")), responses((status = 200, description = "Revisions, newest first", body = Revisions), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn article_revisions(
    State(app): State<App>,
    Path(external_id): Path<String>,
    Query(q): Query<IntegrationQuery>,
) -> ApiResult<Json<Revisions>> {
    let revisions = app
        .revisions(
            q.integration_id.as_deref(),
            &ArticleRef::parse(&external_id),
        )
        .await?;
    Ok(Json(Revisions { revisions }))
}

/// An article's revisions, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Revisions {
    revisions: Vec<Revision>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DryRunQuery {
    #[serde(default)]
    dry_run: bool,
}

#[utoipa::path(post, path = "/helpcenter/revision/{id}/rollback", tag = "articles", params(("id" = String, Path, description = "The record's id"), ("dryRun" = Option<bool>, Query, description = "Say what would change, change nothing")), responses((status = 200, description = "What the rollback did", body = RollbackOutcome), (status = 404, description = "No such record", body = ErrorBody), (status = 401, description = "No or no live x-api-key", body = ErrorBody), (status = 422, description = "Validation error naming the field", body = ErrorBody), (status = 500, description = "Unhandled error", body = ErrorBody)))]
pub async fn rollback(
    State(app): State<App>,
    Path(id): Path<String>,
    Query(q): Query<DryRunQuery>,
) -> ApiResult<Json<RollbackOutcome>> {
    app.rollback(&id, q.dry_run)
        .await
        .map(Json)
        .map_err(|e| ApiError::from_core(e, Some(&id)))
}
