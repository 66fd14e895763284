//! API keys of the REST server: shown once, only a hash stored, accepted
//! while live, refused once revoked, labels required.

mod common;

#[tokio::test]
async fn keys_are_shown_once_stored_as_a_hash_and_revocable() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let new = app.create_api_key("CI screenshots").await.unwrap();
    assert!(new.key.starts_with("skp_"));
    assert_eq!(new.key.len(), 4 + 64);
    assert!(!format!("{new:?}").contains(&new.key));
    let other = app.create_api_key("dashboard").await.unwrap();
    assert_ne!(new.key, other.key);

    let stored: Vec<String> = sqlx::query_scalar("SELECT key_hash FROM api_keys")
        .fetch_all(app.pool())
        .await
        .unwrap();
    assert!(stored
        .iter()
        .all(|h| h.len() == 64 && !h.contains(&new.key[4..])));

    assert_eq!(
        app.authenticate_api_key(&new.key).await.unwrap(),
        Some(new.info.id.clone())
    );
    assert_eq!(app.authenticate_api_key("skp_0000").await.unwrap(), None);
    assert_eq!(app.authenticate_api_key("").await.unwrap(), None);

    let list = app.list_api_keys().await.unwrap();
    assert_eq!(list.len(), 2);
    let listed = list.iter().find(|k| k.id == new.info.id).unwrap();
    assert_eq!(listed.label, "CI screenshots");
    assert!(listed.last_used_at.is_some(), "the use is recorded");
    assert!(!serde_json::to_string(&list).unwrap().contains(&new.key));

    let revoked = app.revoke_api_key(&new.info.id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(app.authenticate_api_key(&new.key).await.unwrap(), None);
    assert_eq!(
        app.authenticate_api_key(&other.key).await.unwrap(),
        Some(other.info.id.clone())
    );

    let err = app.revoke_api_key("nope").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "API key nope (list them with `shotkeeper api-key list`) was not found"
    );
    let err = app.create_api_key("  ").await.unwrap_err();
    assert!(err.to_string().contains("--label"), "{err}");
}
