//! Storing a run: one transaction, so that a process killed while storing
//! leaves the database as it was.

use std::borrow::Borrow;

use rusqlite::params;
use rusqlite::types::{ToSqlOutput, ValueRef};

use crate::error::HistoryError;
use crate::model::{Snapshot, UserRow};
use crate::store::History;

impl History {
    /// Stores a run whole and returns its number.
    pub fn record(&mut self, snap: &Snapshot) -> Result<i64, HistoryError> {
        self.record_users(snap, &snap.users)
    }

    /// Stores a run with `users` in place of the snapshot's own (an
    /// [`Snapshot::outline`] and [`crate::user_rows`]: one row at a time,
    /// never every user at once), and returns its number.
    pub fn record_users<U: Borrow<UserRow>>(
        &mut self,
        snap: &Snapshot,
        users: impl IntoIterator<Item = U>,
    ) -> Result<i64, HistoryError> {
        let tx = self.conn.transaction()?;
        let r = &snap.run;
        tx.execute(
            "INSERT INTO runs (source, connector, connector_version, operator, started_at,
                finished_at, as_of, inactive_days, complete, error, seats_used, seats_purchased,
                seats_idle, people, memberships, active, inactive, never_active, unknown,
                requests, steps, elapsed_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                ?17, ?18, ?19, ?20, ?21, ?22)",
            params![
                r.source,
                r.connector,
                r.connector_version,
                r.operator,
                r.started_at,
                r.finished_at,
                r.as_of,
                r.inactive_days,
                r.complete,
                r.error,
                r.seats_used,
                r.seats_purchased,
                r.seats_idle,
                r.people,
                r.memberships,
                r.active,
                r.inactive,
                r.never_active,
                r.unknown,
                r.requests as i64,
                r.steps,
                r.elapsed_ms as i64,
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut unit = tx.prepare(
                "INSERT INTO units (run_id, unit_id, kind, key, name, used, purchased,
                    reported_used, non_billable, idle, admins, covered_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for u in &snap.units {
                let covered = serde_json::to_string(&u.covered_by).expect("strings serialise");
                unit.execute(params![
                    id,
                    u.id,
                    u.kind,
                    u.key,
                    u.name,
                    u.used,
                    u.purchased,
                    u.reported_used,
                    u.non_billable,
                    u.idle,
                    u.admins,
                    covered
                ])?;
            }
            let mut user = tx.prepare(
                "INSERT INTO users (run_id, user_id, account_id, username, display_name, email,
                    account_state, upstream_status, mfa_enabled, created_at, activity, reason,
                    last_active, last_active_source, memberships)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            // One buffer for every user's memberships, bound as the text it
            // is (serde_json writes UTF-8).
            let mut memberships = Vec::new();
            for u in users {
                let u = u.borrow();
                memberships.clear();
                serde_json::to_writer(&mut memberships, &u.memberships)
                    .expect("memberships serialise");
                user.execute(params![
                    id,
                    u.id,
                    u.account_id,
                    u.username,
                    u.display_name,
                    u.email,
                    u.account_state,
                    u.upstream_status,
                    u.mfa_enabled,
                    u.created_at,
                    u.activity.as_str(),
                    u.reason,
                    u.last_active,
                    u.last_active_source,
                    ToSqlOutput::Borrowed(ValueRef::Text(&memberships))
                ])?;
            }
            let mut coverage =
                tx.prepare("INSERT INTO coverage (run_id, source, unit_id) VALUES (?1, ?2, ?3)")?;
            for (source, unit_id) in &snap.coverage {
                coverage.execute(params![id, source, unit_id])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }
}
