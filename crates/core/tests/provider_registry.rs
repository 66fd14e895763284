//! The provider registry: specs, settings validation, building clients.

use std::collections::BTreeMap;

use shotkeeper_core::model::{Integration, Platform, ProviderKind, SecretSource};
use shotkeeper_core::providers::registry::{
    self, build, help_center_specs, spec, validate_settings,
};
use shotkeeper_core::CoreError;

fn integration(
    kind: ProviderKind,
    base_url: Option<&str>,
    settings: &[(&str, &str)],
) -> Integration {
    Integration {
        id: "i1".into(),
        label: "Docs".into(),
        platform: kind.platform(),
        provider: kind,
        base_url: base_url.map(str::to_string),
        settings: settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        secret_source: SecretSource::Keychain,
        created_at: String::new(),
        updated_at: String::new(),
    }
}

/// The setting core names in a per-field error, and the message.
fn setting(e: CoreError) -> (String, String) {
    let text = e.to_string();
    match e {
        CoreError::InvalidSetting { key, .. } => (key, text),
        other => panic!("expected InvalidSetting, got {other:?}"),
    }
}

fn invalid(e: CoreError) -> String {
    match e {
        CoreError::Invalid(m) => m,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn implemented_help_centers_build_from_documented_defaults() {
    let cases = [
        (ProviderKind::Helpjuice, vec![("account", "acme")]),
        (ProviderKind::Helpcenterio, vec![]),
        (ProviderKind::Helpcenter, vec![("center_id", "c_123")]),
        (
            ProviderKind::Zendesk,
            vec![("subdomain", "acme"), ("email", "agent@acme.test")],
        ),
        (ProviderKind::Intercom, vec![("region", "eu")]),
        (ProviderKind::Helpscout, vec![]),
        (
            ProviderKind::Knowledgeowl,
            vec![("project_id", "5f1e2d3c4b5a69788796a5b4")],
        ),
        (ProviderKind::Freshdesk, vec![("domain", "acme")]),
        (
            ProviderKind::Freshdesk,
            vec![("domain", "acme.freshdesk.com")],
        ),
    ];
    for (kind, settings) in cases {
        let hc = build(&integration(kind, None, &settings), "s3cr3t").unwrap();
        assert_eq!(hc.kind(), kind);
        assert_eq!(hc.supports_upload(), spec(kind).has_image_upload);
    }
    let kinds: Vec<_> = help_center_specs().iter().map(|s| s.kind).collect();
    assert!(
        kinds.starts_with(&[
            ProviderKind::Helpjuice,
            ProviderKind::Helpcenterio,
            ProviderKind::Helpcenter
        ]),
        "{kinds:?}"
    );
    assert!(kinds.contains(&ProviderKind::Zendesk), "{kinds:?}");
    assert!(kinds.contains(&ProviderKind::Intercom), "{kinds:?}");
    assert!(kinds.contains(&ProviderKind::Helpscout), "{kinds:?}");
    assert!(kinds.contains(&ProviderKind::Knowledgeowl), "{kinds:?}");
    assert!(kinds.contains(&ProviderKind::Freshdesk), "{kinds:?}");
    // Every help center is implemented now.
    let help_centers = ProviderKind::ALL
        .into_iter()
        .filter(|k| k.platform() == Platform::Helpcenter)
        .count();
    assert_eq!(kinds.len(), help_centers, "{kinds:?}");
}

#[test]
fn freshdesk_needs_its_domain_as_name_or_address() {
    let kind = ProviderKind::Freshdesk;
    let (key, _) = setting(build(&integration(kind, None, &[]), "k").err().unwrap());
    assert_eq!(key, "domain");
    let (key, msg) = setting(
        build(
            &integration(kind, None, &[("domain", "support.acme.com")]),
            "k",
        )
        .err()
        .unwrap(),
    );
    assert_eq!(key, "domain");
    assert!(
        msg.contains("'support.acme.com'") && msg.contains("yourcompany.freshdesk.com"),
        "{msg}"
    );
    let spec = spec(kind);
    assert_eq!(spec.requests_per_minute, 200);
    assert!(!spec.has_image_upload);
}

#[test]
fn cloud_storage_is_not_a_help_center() {
    let msg = invalid(
        build(&integration(ProviderKind::S3, None, &[]), "k")
            .err()
            .unwrap(),
    );
    assert!(msg.contains("cloud storage"), "{msg}");
}

#[test]
fn missing_settings_and_secrets_are_named_never_shown() {
    let (key, msg) = setting(
        build(&integration(ProviderKind::Helpcenter, None, &[]), "k")
            .err()
            .unwrap(),
    );
    assert_eq!(key, "center_id");
    assert!(
        msg.contains("(center_id)") && msg.contains("required"),
        "{msg}"
    );
    let (key, _) = setting(
        build(&integration(ProviderKind::Helpjuice, None, &[]), "k")
            .err()
            .unwrap(),
    );
    assert_eq!(key, "account");
    let msg = invalid(
        build(&integration(ProviderKind::Helpcenterio, None, &[]), "  ")
            .err()
            .unwrap(),
    );
    assert!(msg.contains("API key") && msg.contains("empty"), "{msg}");
    let e = build(
        &integration(ProviderKind::Helpcenterio, None, &[]),
        "bad\nkey",
    )
    .err()
    .unwrap();
    assert!(!e.to_string().contains("bad\nkey"));
}

#[test]
fn base_url_override_and_rate_setting_are_validated() {
    let with = |s: &[(&str, &str)]| -> BTreeMap<String, String> {
        s.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert!(validate_settings(
        ProviderKind::Helpjuice,
        Some("http://127.0.0.1:1/api/v3/"),
        &with(&[])
    )
    .is_ok());
    let msg = invalid(
        validate_settings(ProviderKind::Helpjuice, Some("file:///tmp"), &with(&[])).unwrap_err(),
    );
    assert!(msg.contains("base URL"), "{msg}");
    let (key, msg) = setting(
        validate_settings(
            ProviderKind::Helpcenterio,
            None,
            &with(&[(registry::RATE_SETTING, "lots")]),
        )
        .unwrap_err(),
    );
    assert_eq!(key, "requests_per_minute");
    assert!(msg.contains("'lots'"), "{msg}");
}

#[test]
fn storage_specs_name_their_fields() {
    let keys = |k| spec(k).fields.iter().map(|f| f.key).collect::<Vec<_>>();
    assert_eq!(
        keys(ProviderKind::S3),
        [
            "bucket",
            "region",
            "endpoint",
            "public_base_url",
            "prefix",
            "access_key_id"
        ]
    );
    assert_eq!(
        keys(ProviderKind::R2),
        [
            "account_id",
            "bucket",
            "public_base_url",
            "prefix",
            "access_key_id"
        ]
    );
    for k in [ProviderKind::S3, ProviderKind::R2] {
        assert_eq!(spec(k).secret_label.to_lowercase(), "secret access key");
        assert_eq!(spec(k).kind.platform(), Platform::Cloud);
    }
}
