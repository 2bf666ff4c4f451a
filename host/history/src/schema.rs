//! The database's schema, as migrations: a database made by an older
//! saas-host is brought up to date when it is opened, never rebuilt.

use rusqlite::Connection;
use rusqlite_migration::{Error, M, MigrationDefinitionError, Migrations};

/// Every migration, oldest first. Append; never edit a released one.
const STEPS: &[&str] = &[
    // 1: runs with their users, memberships, evidence, units and coverage;
    // operations (one mutating command) and their actions.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        connector TEXT NOT NULL,
        connector_version TEXT NOT NULL,
        operator TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        as_of INTEGER NOT NULL,
        inactive_days INTEGER NOT NULL,
        complete INTEGER NOT NULL,
        error TEXT,
        seats_used INTEGER NOT NULL,
        seats_purchased INTEGER,
        seats_idle INTEGER NOT NULL,
        people INTEGER NOT NULL,
        memberships INTEGER NOT NULL,
        active INTEGER NOT NULL,
        inactive INTEGER NOT NULL,
        never_active INTEGER NOT NULL,
        unknown INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        steps INTEGER NOT NULL,
        elapsed_ms INTEGER NOT NULL
    );
    CREATE INDEX runs_by_source ON runs (source, id);
    CREATE TABLE units (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        unit_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        name TEXT,
        used INTEGER NOT NULL,
        purchased INTEGER,
        reported_used INTEGER,
        non_billable INTEGER NOT NULL,
        idle INTEGER NOT NULL,
        admins INTEGER NOT NULL,
        covered_by TEXT NOT NULL,
        PRIMARY KEY (run_id, unit_id)
    );
    CREATE TABLE users (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        account_id TEXT,
        username TEXT,
        display_name TEXT,
        email TEXT,
        account_state TEXT NOT NULL,
        upstream_status TEXT,
        mfa_enabled INTEGER,
        created_at INTEGER,
        activity TEXT NOT NULL,
        reason TEXT NOT NULL,
        last_active INTEGER,
        last_active_source TEXT,
        PRIMARY KEY (run_id, user_id)
    );
    CREATE TABLE memberships (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        role TEXT,
        level TEXT,
        billable INTEGER NOT NULL,
        billable_reason TEXT NOT NULL,
        added_at INTEGER,
        evidence_gap TEXT,
        PRIMARY KEY (run_id, user_id, unit_id)
    );
    CREATE TABLE evidence (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX evidence_by_user ON evidence (run_id, user_id);
    CREATE TABLE coverage (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        unit_id TEXT NOT NULL
    );
    CREATE TABLE operations (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        connector TEXT NOT NULL,
        operator TEXT NOT NULL,
        command TEXT NOT NULL,
        at INTEGER NOT NULL,
        undoes INTEGER REFERENCES operations (id) ON DELETE SET NULL
    );
    CREATE TABLE actions (
        operation_id INTEGER NOT NULL REFERENCES operations (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        description TEXT NOT NULL,
        forward TEXT NOT NULL,
        inverse TEXT,
        outcome TEXT NOT NULL,
        succeeded INTEGER NOT NULL,
        PRIMARY KEY (operation_id, seq)
    );",
    // 2: a user's memberships, with their evidence, as one JSON array in
    // the user's row: a third of the rows to write at a million
    // memberships. Stored runs are carried over (memberships by unit id,
    // evidence in the order stored, as they were read back) in the form
    // `MembershipRow` is written in: json_patch drops the keys without a
    // value, and an empty evidence list.
    "ALTER TABLE users ADD COLUMN memberships TEXT NOT NULL DEFAULT '[]';
    UPDATE users SET memberships = (
        SELECT json_group_array(json_patch('{}', json_object(
            'unit_id', m.unit_id,
            'role', m.role,
            'level', m.level,
            'billable', json(CASE WHEN m.billable THEN 'true' ELSE 'false' END),
            'billable_reason', m.billable_reason,
            'added_at', m.added_at,
            'evidence_gap', m.evidence_gap,
            'evidence', json((
                SELECT CASE WHEN count(*) > 0 THEN json_group_array(
                    json_object('source', e.source, 'kind', e.kind, 'at', e.at) ORDER BY e.rowid
                ) END
                FROM evidence e
                WHERE e.run_id = m.run_id AND e.user_id = m.user_id AND e.unit_id = m.unit_id
            ))
        )) ORDER BY m.unit_id)
        FROM memberships m
        WHERE m.run_id = users.run_id AND m.user_id = users.user_id
    );
    DROP TABLE evidence;
    DROP TABLE memberships;",
];

/// The migrations, for [`crate::History::open`].
pub fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

/// Why `conn`'s schema could not be brought up to date, in an operator's
/// words: a file from a newer saas-host says so, with both versions.
pub fn describe(e: &Error, conn: &Connection) -> String {
    match e {
        Error::MigrationDefinition(MigrationDefinitionError::DatabaseTooFarAhead) => {
            let found: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap_or(-1);
            format!(
                "a newer saas-host wrote it (schema {found}; this one knows up to {}): open it \
                 with that version, or pass --db for a new file",
                STEPS.len()
            )
        }
        e => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;
    use rusqlite_migration::SchemaVersion;

    use crate::{EvidenceRow, History, MembershipRow};

    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }

    /// A run as the first schema stored it: memberships out of unit order,
    /// evidence out of time order, a membership without evidence and a
    /// user without memberships.
    const RUN_OF_SCHEMA_1: &str = "
        INSERT INTO runs VALUES (1, 'toy@example', 'toy', '1.0.0', 'tester', 100, 110, 110, 90,
            1, NULL, 2, 10, 1, 3, 3, 1, 1, 1, 0, 7, 2, 500);
        INSERT INTO users VALUES (1, 'a', 'acct-a', 'a', 'User A', 'a@example.com', 'active',
            NULL, 1, 50, 'active', 'seen on the web', 105, 'web-log');
        INSERT INTO users VALUES (1, 'b', NULL, 'b', NULL, NULL, 'suspended', 'off', NULL, NULL,
            'never-active', 'never seen', NULL, NULL);
        INSERT INTO users VALUES (1, 'c', NULL, 'c', NULL, NULL, 'active', NULL, NULL, NULL,
            'inactive', 'not seen for 90 days', 10, 'login');
        INSERT INTO memberships VALUES (1, 'a', 'unit-2', 'admin', 'admin', 1, 'admins hold a seat',
            20, NULL);
        INSERT INTO memberships VALUES (1, 'a', 'unit-1', NULL, NULL, 0, 'guests hold none', NULL,
            'no source covers it');
        INSERT INTO memberships VALUES (1, 'c', 'unit-1', 'member', 'member', 1, 'members do',
            NULL, NULL);
        INSERT INTO evidence VALUES (1, 'a', 'unit-2', 'web-log', 'web', 105);
        INSERT INTO evidence VALUES (1, 'a', 'unit-2', 'git-log', 'git', 90);
        INSERT INTO evidence VALUES (1, 'c', 'unit-1', 'login', 'login', 10);";

    fn evidence(source: &str, kind: &str, at: i64) -> EvidenceRow {
        EvidenceRow {
            source: source.into(),
            kind: kind.into(),
            at,
        }
    }

    #[test]
    fn a_run_stored_by_the_first_schema_reads_back_the_same_after_migrating() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite");
        let mut conn = Connection::open(&path).unwrap();
        super::migrations().to_version(&mut conn, 1).unwrap();
        conn.execute_batch(RUN_OF_SCHEMA_1).unwrap();
        drop(conn);

        let h = History::open(&path).unwrap();
        let version = super::migrations()
            .current_version(&Connection::open(&path).unwrap())
            .unwrap();
        assert_eq!(version, SchemaVersion::Inside(2.try_into().unwrap()));
        let run = h.load(1).unwrap();
        let users: Vec<(&str, &[MembershipRow])> = run
            .users
            .iter()
            .map(|u| (u.id.as_str(), u.memberships.as_slice()))
            .collect();
        let a = [
            MembershipRow {
                unit_id: "unit-1".into(),
                role: None,
                level: None,
                billable: false,
                billable_reason: "guests hold none".into(),
                added_at: None,
                evidence_gap: Some("no source covers it".into()),
                evidence: Vec::new(),
            },
            MembershipRow {
                unit_id: "unit-2".into(),
                role: Some("admin".into()),
                level: Some("admin".into()),
                billable: true,
                billable_reason: "admins hold a seat".into(),
                added_at: Some(20),
                evidence_gap: None,
                evidence: vec![
                    evidence("web-log", "web", 105),
                    evidence("git-log", "git", 90),
                ],
            },
        ];
        let c = [MembershipRow {
            unit_id: "unit-1".into(),
            role: Some("member".into()),
            level: Some("member".into()),
            billable: true,
            billable_reason: "members do".into(),
            added_at: None,
            evidence_gap: None,
            evidence: vec![evidence("login", "login", 10)],
        }];
        assert_eq!(users, [("a", &a[..]), ("b", &[][..]), ("c", &c[..])]);
        // Carried over in the form this version writes.
        let stored: String = Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT memberships FROM users WHERE user_id = 'a'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, serde_json::to_string(&a).unwrap());
        assert_eq!(run.users[1].upstream_status.as_deref(), Some("off"));
        assert_eq!(run.run.memberships, 3);
    }
}
