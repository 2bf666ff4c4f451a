//! The database's schema, as migrations: a database made by an older
//! saas-host is brought up to date when it is opened, never rebuilt.

use rusqlite_migration::{M, Migrations};

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
];

/// The migrations, for [`crate::History::open`].
pub fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
