//! Reading runs back: the list of runs, and one run whole.

use rusqlite::{OptionalExtension, Row, params};

use crate::error::HistoryError;
use crate::model::{Activity, RunInfo, Snapshot, UnitRow, UserRow};
use crate::store::History;

const RUN_COLUMNS: &str = "id, source, connector, connector_version, operator, started_at,
    finished_at, as_of, inactive_days, complete, error, seats_used, seats_purchased, seats_idle,
    people, memberships, active, inactive, never_active, unknown, requests, steps, elapsed_ms";

fn run_info(row: &Row<'_>) -> rusqlite::Result<RunInfo> {
    Ok(RunInfo {
        id: row.get(0)?,
        source: row.get(1)?,
        connector: row.get(2)?,
        connector_version: row.get(3)?,
        operator: row.get(4)?,
        started_at: row.get(5)?,
        finished_at: row.get(6)?,
        as_of: row.get(7)?,
        inactive_days: row.get(8)?,
        complete: row.get(9)?,
        error: row.get(10)?,
        seats_used: row.get(11)?,
        seats_purchased: row.get(12)?,
        seats_idle: row.get(13)?,
        people: row.get(14)?,
        memberships: row.get(15)?,
        active: row.get(16)?,
        inactive: row.get(17)?,
        never_active: row.get(18)?,
        unknown: row.get(19)?,
        requests: row.get::<_, i64>(20)? as u64,
        steps: row.get(21)?,
        elapsed_ms: row.get::<_, i64>(22)? as u64,
    })
}

impl History {
    /// Every stored run, oldest first; only those of `source` when given.
    pub fn runs(&self, source: Option<&str>) -> Result<Vec<RunInfo>, HistoryError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE ?1 IS NULL OR source = ?1 ORDER BY id"
        ))?;
        let runs = stmt
            .query_map([source], run_info)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(runs)
    }

    /// One run's totals.
    pub fn run(&self, id: i64) -> Result<RunInfo, HistoryError> {
        self.conn
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"),
                [id],
                run_info,
            )
            .optional()?
            .ok_or(HistoryError::NoSuchRun(id))
    }

    /// The latest run (of `source`, when given), complete or not.
    pub fn latest(&self, source: Option<&str>) -> Result<Option<RunInfo>, HistoryError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {RUN_COLUMNS} FROM runs WHERE ?1 IS NULL OR source = ?1
                     ORDER BY id DESC LIMIT 1"
                ),
                [source],
                run_info,
            )
            .optional()?)
    }

    /// The latest complete run of `source` stored before run `before`.
    pub fn previous_complete(
        &self,
        source: &str,
        before: i64,
    ) -> Result<Option<RunInfo>, HistoryError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {RUN_COLUMNS} FROM runs WHERE source = ?1 AND id < ?2 AND complete
                     ORDER BY id DESC LIMIT 1"
                ),
                params![source, before],
                run_info,
            )
            .optional()?)
    }

    /// One run whole: its units, users with memberships and evidence, and
    /// coverage.
    pub fn load(&self, id: i64) -> Result<Snapshot, HistoryError> {
        let run = self.run(id)?;
        let mut stmt = self.conn.prepare(
            "SELECT unit_id, kind, key, name, used, purchased, reported_used, non_billable, idle,
                admins, covered_by FROM units WHERE run_id = ?1 ORDER BY key",
        )?;
        let units = stmt
            .query_map([id], |r| {
                let covered: String = r.get(10)?;
                Ok(UnitRow {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    key: r.get(2)?,
                    name: r.get(3)?,
                    used: r.get(4)?,
                    purchased: r.get(5)?,
                    reported_used: r.get(6)?,
                    non_billable: r.get(7)?,
                    idle: r.get(8)?,
                    admins: r.get(9)?,
                    covered_by: serde_json::from_str(&covered).unwrap_or_default(),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT user_id, account_id, username, display_name, email, account_state,
                upstream_status, mfa_enabled, created_at, activity, reason, last_active,
                last_active_source, memberships FROM users WHERE run_id = ?1 ORDER BY user_id",
        )?;
        let mut rows = stmt.query([id])?;
        let mut users = Vec::new();
        while let Some(r) = rows.next()? {
            let user_id: String = r.get(0)?;
            let memberships = serde_json::from_str(&r.get::<_, String>(13)?).map_err(|e| {
                HistoryError::Value(format!("the memberships of {user_id} in run {id}: {e}"))
            })?;
            users.push(UserRow {
                account_id: r.get(1)?,
                username: r.get(2)?,
                display_name: r.get(3)?,
                email: r.get(4)?,
                account_state: r.get(5)?,
                upstream_status: r.get(6)?,
                mfa_enabled: r.get(7)?,
                created_at: r.get(8)?,
                activity: Activity::parse(&r.get::<_, String>(9)?),
                reason: r.get(10)?,
                last_active: r.get(11)?,
                last_active_source: r.get(12)?,
                memberships,
                id: user_id,
            });
        }
        let mut stmt = self
            .conn
            .prepare("SELECT source, unit_id FROM coverage WHERE run_id = ?1 ORDER BY rowid")?;
        let coverage = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Snapshot {
            run,
            units,
            users,
            coverage,
        })
    }
}
