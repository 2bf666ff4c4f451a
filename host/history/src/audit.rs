//! The audit trail: each mutating command (a group change, a reclaim, a
//! seat release, an undo) is an operation, with one action per change it
//! made upstream and the action that would reverse it.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

use crate::error::HistoryError;
use crate::store::History;

/// A change about to be recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewAction {
    /// What it did, in a sentence.
    pub description: String,
    /// The call that made it, in the host's own terms (the caller's format).
    pub forward: Value,
    /// The call that reverses it; none when nothing can (a deleted group's
    /// id, a revoked grant the connector cannot restore).
    pub inverse: Option<Value>,
    /// What the upstream answered.
    pub outcome: String,
    /// Whether the upstream took it.
    pub succeeded: bool,
}

/// A recorded change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// Its place in the operation, from 1.
    pub seq: i64,
    /// The change as it was recorded.
    #[serde(flatten)]
    pub change: NewAction,
}

/// One mutating command and its changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// Its number.
    pub id: i64,
    /// What it acted on (as [`crate::RunInfo::source`]).
    pub source: String,
    /// The connector's name.
    pub connector: String,
    /// The local account that ran it.
    pub operator: String,
    /// The command, as the user would type it (no secret: commands take
    /// none).
    pub command: String,
    /// Unix seconds.
    pub at: i64,
    /// The operation this one undid, when it is an undo.
    pub undoes: Option<i64>,
    /// Its changes, in order.
    pub actions: Vec<Action>,
}

impl History {
    /// Records an operation and its actions in one transaction; returns
    /// its number. `actions[i].seq` becomes `i + 1`.
    pub fn record_operation(&mut self, op: &Operation) -> Result<i64, HistoryError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO operations (source, connector, operator, command, at, undoes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                op.source,
                op.connector,
                op.operator,
                op.command,
                op.at,
                op.undoes
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut stmt = tx.prepare(
                "INSERT INTO actions (operation_id, seq, description, forward, inverse, outcome,
                    succeeded) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (i, a) in op.actions.iter().enumerate() {
                let c = &a.change;
                stmt.execute(params![
                    id,
                    i as i64 + 1,
                    c.description,
                    c.forward.to_string(),
                    c.inverse.as_ref().map(Value::to_string),
                    c.outcome,
                    c.succeeded
                ])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    /// Every operation, oldest first, with its actions.
    pub fn operations(&self) -> Result<Vec<Operation>, HistoryError> {
        let ids: Vec<i64> = self
            .conn
            .prepare("SELECT id FROM operations ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.into_iter().map(|id| self.operation(id)).collect()
    }

    /// One operation with its actions.
    pub fn operation(&self, id: i64) -> Result<Operation, HistoryError> {
        let mut op = self
            .conn
            .query_row(
                "SELECT id, source, connector, operator, command, at, undoes FROM operations
                 WHERE id = ?1",
                [id],
                |r| {
                    Ok(Operation {
                        id: r.get(0)?,
                        source: r.get(1)?,
                        connector: r.get(2)?,
                        operator: r.get(3)?,
                        command: r.get(4)?,
                        at: r.get(5)?,
                        undoes: r.get(6)?,
                        actions: Vec::new(),
                    })
                },
            )
            .optional()?
            .ok_or(HistoryError::NoSuchOperation(id))?;
        let json = |s: String| {
            serde_json::from_str::<Value>(&s).map_err(|e| HistoryError::Value(e.to_string()))
        };
        let mut stmt = self.conn.prepare(
            "SELECT seq, description, forward, inverse, outcome, succeeded FROM actions
             WHERE operation_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, bool>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        for (seq, description, forward, inverse, outcome, succeeded) in rows {
            op.actions.push(Action {
                seq,
                change: NewAction {
                    description,
                    forward: json(forward)?,
                    inverse: inverse.map(json).transpose()?,
                    outcome,
                    succeeded,
                },
            });
        }
        Ok(op)
    }

    /// The operation that undid `id`, if any.
    pub fn undone_by(&self, id: i64) -> Result<Option<i64>, HistoryError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM operations WHERE undoes = ?1 ORDER BY id LIMIT 1",
                [id],
                |r| r.get(0),
            )
            .optional()?)
    }
}
