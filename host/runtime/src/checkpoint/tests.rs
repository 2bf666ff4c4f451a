use std::io::Write as _;

use super::*;
use crate::wit::latest::SettingValue;

fn header() -> Header {
    Header {
        format: FORMAT.into(),
        connector: "toy".into(),
        contract: "0.2.0".into(),
        component_sha256: "ab".repeat(32),
        settings_sha256: settings_sha256(&[]),
    }
}

fn entry(cursor: Option<&str>) -> Entry {
    Entry {
        cursor: cursor.map(String::from),
        users: Vec::new(),
        units: Vec::new(),
        coverage: vec![Coverage {
            source: "s".into(),
            unit_id: "u".into(),
        }],
    }
}

fn written(entries: &[Entry]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/cp.ndjson");
    let mut cp = Checkpoint::create(&path, &header()).unwrap();
    for e in entries {
        cp.append(e.clone()).unwrap();
    }
    (dir, path)
}

fn refusal(path: &Path, expected: &Header) -> String {
    match Checkpoint::resume(path, expected) {
        Err(HostError::Checkpoint { reason, .. }) => reason,
        Err(e) => panic!("another error: {e}"),
        Ok(_) => panic!("resumed"),
    }
}

#[test]
fn a_checkpoint_resumes_its_pages_and_drops_only_a_torn_last_line() {
    let (_dir, path) = written(&[entry(Some("c1")), entry(None)]);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(b"{\"cursor\": \"tor")
        .unwrap();
    let (mut cp, entries) = Checkpoint::resume(&path, &header()).unwrap();
    assert_eq!(entries, [entry(Some("c1")), entry(None)]);
    cp.append(entry(Some("c3"))).unwrap();
    let (_, entries) = Checkpoint::resume(&path, &header()).unwrap();
    assert_eq!(entries.len(), 3, "the torn line was cut before the append");
}

#[test]
fn a_corrupt_line_in_the_middle_refuses_the_checkpoint_and_names_the_line() {
    let (_dir, path) = written(&[entry(Some("c1")), entry(Some("c2")), entry(None)]);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[2] = "{\"cursor\": 12}";
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let reason = refusal(&path, &header());
    assert!(reason.contains("line 3 is corrupt"), "{reason}");
    // Nothing was cut: the good lines after it are still there.
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 4);
}

#[test]
fn an_empty_file_and_other_headers_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    assert!(refusal(&empty, &header()).contains("empty"));

    let (_d, path) = written(&[entry(None)]);
    let mut other = header();
    other.settings_sha256 = "00".repeat(32);
    assert!(refusal(&path, &other).contains("other settings"));
    other = header();
    other.component_sha256 = "cd".repeat(32);
    assert!(refusal(&path, &other).contains("another component"));

    for (line, who) in [
        (
            r#"{"format":"saas-host-checkpoint/1","fingerprint":"x"}"#,
            "saas-host 0.1",
        ),
        (
            r#"{"format":"saas-host-checkpoint/2","fingerprint":"x"}"#,
            "contract 0.2.0 draft",
        ),
        (r#"{"format":"saas-host-checkpoint/9"}"#, "does not read"),
        (r#"[1, 2]"#, "not a saas-host checkpoint"),
    ] {
        let old = dir.path().join("old");
        std::fs::write(&old, format!("{line}\n{{\"cursor\":null}}\n")).unwrap();
        let reason = refusal(&old, &header());
        assert!(
            reason.contains(who) && reason.contains("without --resume"),
            "{reason}"
        );
    }
}

#[test]
fn the_settings_hash_ignores_order_but_not_values() {
    let s = |name: &str, v: u32| Setting {
        name: name.into(),
        value: SettingValue::U32(v),
    };
    assert_eq!(
        settings_sha256(&[s("a", 1), s("b", 2)]),
        settings_sha256(&[s("b", 2), s("a", 1)])
    );
    assert_ne!(settings_sha256(&[s("a", 1)]), settings_sha256(&[s("a", 2)]));
}

#[test]
fn a_new_checkpoint_replaces_the_old_one_only_with_its_first_page() {
    let (dir, path) = written(&[entry(Some("old")), entry(None)]);
    let before = std::fs::read(&path).unwrap();
    // A run that fails before its first page leaves the old checkpoint,
    // and nothing beside it.
    drop(Checkpoint::create(&path, &header()).unwrap());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
        1
    );
    // Its first page puts the new one in place.
    let mut cp = Checkpoint::create(&path, &header()).unwrap();
    cp.append(entry(Some("new"))).unwrap();
    let (_, entries) = Checkpoint::resume(&path, &header()).unwrap();
    assert_eq!(entries, [entry(Some("new"))]);
    assert_eq!(
        std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
        1
    );
    drop(dir);
}
