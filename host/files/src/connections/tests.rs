use std::collections::BTreeMap;
use std::time::Duration;

use super::*;

fn store(dir: &Path) -> Store {
    Store::open(dir, Choice::File)
}

fn connection(slot: &str) -> Connection {
    Connection {
        connector: "bitbucket".into(),
        slot: slot.into(),
        principal: Some("Ada (ada)".into()),
        scopes: vec!["account".into()],
        connected_at: "2026-12-01T10:00:00Z".into(),
        renewed_at: "2026-12-01T10:00:00Z".into(),
        idle_days: Some(90),
        kept_in: Backend::File,
        fields: BTreeMap::new(),
    }
}

fn fields(token: &str) -> BTreeMap<String, String> {
    [("client-id", "id"), ("refresh-token", token)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_connection_round_trips_and_the_index_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir.path().join("deep/saas-host"));
    let lock = s.lock(Duration::ZERO).unwrap();
    s.put(&lock, connection("bitbucket"), fields("r1")).unwrap();
    let (c, f) = s.get("bitbucket", "bitbucket").unwrap().unwrap();
    assert_eq!(c.principal.as_deref(), Some("Ada (ada)"));
    assert!(c.fields.is_empty(), "get hands the secrets apart");
    assert_eq!(f, fields("r1"));
    assert_eq!(s.list().unwrap().len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&s.index_path()), 0o600);
        assert_eq!(mode(&dir.path().join("deep/saas-host")), 0o700);
        assert_eq!(mode(&dir.path().join("deep/saas-host").join(LOCK)), 0o600);
    }
}

#[test]
fn renew_replaces_fields_drops_stale_ones_and_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let lock = s.lock(Duration::ZERO).unwrap();
    let mut start = fields("r1");
    start.insert("code".into(), "spent".into());
    s.put(&lock, connection("bitbucket"), start).unwrap();
    s.put(&lock, connection("atlassian-admin"), fields("other"))
        .unwrap();
    let changed = s
        .renew(
            &lock,
            ("bitbucket", "bitbucket"),
            &[("refresh-token".into(), "r2".into())],
            &["code"],
            "2026-12-08T10:00:00Z",
        )
        .unwrap();
    assert_eq!(changed, Some(Backend::File));
    let (c, f) = s.get("bitbucket", "bitbucket").unwrap().unwrap();
    assert_eq!(f, fields("r2"));
    assert_eq!(c.renewed_at, "2026-12-08T10:00:00Z");
    assert_eq!(c.connected_at, "2026-12-01T10:00:00Z");
    assert_eq!(
        s.get("bitbucket", "atlassian-admin").unwrap().unwrap().1,
        fields("other")
    );
    assert_eq!(s.renew(&lock, ("x", "y"), &[], &[], "t").unwrap(), None);
}

#[test]
fn remove_forgets_only_that_connection() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let lock = s.lock(Duration::ZERO).unwrap();
    s.put(&lock, connection("a"), fields("1")).unwrap();
    s.put(&lock, connection("b"), fields("2")).unwrap();
    let gone = s.remove(&lock, "bitbucket", "a").unwrap().unwrap();
    assert!(gone.fields.is_empty());
    assert!(s.remove(&lock, "bitbucket", "a").unwrap().is_none());
    let left: Vec<String> = s.list().unwrap().into_iter().map(|c| c.slot).collect();
    assert_eq!(left, ["b"]);
    let text = std::fs::read_to_string(s.index_path()).unwrap();
    assert!(!text.contains("refresh-token = \"1\""));
}

#[test]
fn a_second_lock_waits_and_then_says_the_store_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let held = s.lock(Duration::ZERO).unwrap();
    let err = s.lock(Duration::from_millis(120)).unwrap_err();
    assert!(matches!(err, StoreError::Busy(..)), "{err}");
    drop(held);
    s.lock(Duration::ZERO).unwrap();
}

#[test]
fn a_damaged_or_future_index_is_refused_without_quoting_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    std::fs::write(
        s.index_path(),
        "version = 1\n[[connection]]\nsecret = \"hunter2\n",
    )
    .unwrap();
    let err = s.list().unwrap_err().to_string();
    assert!(err.contains("damaged"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    std::fs::write(s.index_path(), "version = 9\n").unwrap();
    let err = s.list().unwrap_err().to_string();
    assert!(err.contains("format 9"), "{err}");
}

#[test]
fn a_missing_index_is_an_empty_store() {
    let dir = tempfile::tempdir().unwrap();
    assert!(store(dir.path()).list().unwrap().is_empty());
    assert!(store(dir.path()).get("a", "b").unwrap().is_none());
}
