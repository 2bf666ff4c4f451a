//! Sync output formats: table, JSON, NDJSON, CSV and SCIM 2.0 users.

use std::borrow::Cow;
use std::io::Write;

use anyhow::Result;
use saas_runtime::latest::{AccountState, User, UserStatus};
use saas_runtime::listing::Listing;
use saas_runtime::names::WitSpelled;
use saas_runtime::report::Report;
use serde_json::{Value, json};

use super::gaps::Gap;
use super::in_order::Renderers;
use super::json_document::{Entries, write_document, write_json, write_ndjson_users};
pub use saas_runtime::json_style::iso;
use saas_runtime::json_style::restyle;

/// Output format of `sync`, `demo` and `reclaim`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A human-readable table (the default on a terminal).
    Table,
    /// One JSON document (the default otherwise).
    Json,
    /// One JSON object per user, then a summary object.
    Ndjson,
    /// One CSV row per user.
    Csv,
    /// A SCIM 2.0 ListResponse of User resources (RFC 7643).
    Scim,
}

/// The SCIM extension schema that carries activity.
pub const SCIM_ACTIVITY_SCHEMA: &str =
    "urn:saas-connector:params:scim:schemas:extension:activity:2.0:User";

/// The schema the JSON and NDJSON outputs follow
/// (`schema/sync-output.v1.schema.json`); its major version changes only
/// when a field goes, is renamed or changes type.
pub const SYNC_SCHEMA: &str = "saas-host/sync-output/v1";

fn summary(listing: &Listing, report: &Report, unknown: &[Gap], error: Option<&str>) -> Value {
    json!({
        "complete": listing.complete,
        "error": error,
        "stats": listing.stats,
        "units": listing.units,
        "coverage": listing.coverage,
        "counts": report.counts,
        "seats": report.seats,
        "reconciliation": report.reconciliation,
        "mfa": report.mfa,
        "as_of": report.as_of,
        "unknown_because": unknown,
    })
}

/// SCIM's `userName` must be unique (RFC 7643 4.1.1): an email or the
/// upstream's account id, else the user's id; never a nickname or display
/// name, which several people may share.
fn scim_user_name(user: &User) -> String {
    user.email
        .clone()
        .or_else(|| user.account_id.clone())
        .unwrap_or_else(|| user.id.clone())
}

/// A CSV cell that a spreadsheet will not run: one starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return is a formula to Excel, LibreOffice
/// and Sheets (OWASP's "CSV injection"), so it gets a leading `'`, which
/// they show as text. Quoting, commas and line breaks are the CSV writer's.
fn cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

fn scim_user(user: &User, status: Option<&UserStatus>) -> Value {
    let active = matches!(
        user.status.state,
        AccountState::Active | AccountState::Unknown
    );
    let mut v = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", SCIM_ACTIVITY_SCHEMA],
        "id": user.id,
        "userName": scim_user_name(user),
        "active": active,
        // RFC 7643 4.1.2: a group's type is "direct" or "indirect"; a
        // billing unit's kind is no group type.
        "groups": user.memberships.iter().map(|m| json!({"value": m.unit.id, "display": m.unit.key, "type": "direct"})).collect::<Vec<_>>(),
        "meta": {"resourceType": "User"},
    });
    let o = v.as_object_mut().expect("an object");
    if let Some(a) = &user.account_id {
        o.insert("externalId".into(), json!(a));
    }
    if let Some(d) = &user.display_name {
        o.insert("displayName".into(), json!(d));
    }
    if let Some(e) = &user.email {
        o.insert("emails".into(), json!([{"value": e, "primary": true}]));
    }
    if let Some(c) = user.created_at {
        o["meta"]["created"] = json!(iso(c));
    }
    if let Some(s) = status {
        o.insert(
            SCIM_ACTIVITY_SCHEMA.into(),
            json!({
                "activity": s.activity.wit(),
                "reason": s.reason,
                "lastActive": s.last_active.map(iso),
                "lastActiveSource": s.last_active_source,
                "mfaEnabled": s.mfa_enabled,
            }),
        );
    }
    v
}

/// What the terminal's table shows: the overview of the stored run, and
/// whether to list everyone.
pub struct TableView<'a> {
    /// The answer.
    pub overview: &'a saas_report::Overview,
    /// `--all`.
    pub all: bool,
}

/// How a sync result is written.
pub struct Writing<'a> {
    /// The format.
    pub format: Format,
    /// What the table shows; only [`Format::Table`] needs it.
    pub table: Option<TableView<'a>>,
    /// The threads that render the JSON, NDJSON and SCIM users.
    pub renderers: Renderers,
}

/// Writes a sync result; `unknown` is [`super::gaps::unknown`] of the
/// listing and the report.
pub fn write(
    out: &mut dyn Write,
    how: Writing<'_>,
    listing: &Listing,
    report: &Report,
    unknown: &[Gap],
    error: Option<&str>,
) -> Result<()> {
    let Writing {
        format,
        table,
        renderers,
    } = how;
    match format {
        Format::Json => {
            let mut summary = summary(listing, report, unknown, error);
            restyle(&mut summary);
            write_json(
                out,
                renderers,
                SYNC_SCHEMA,
                &summary,
                &listing.users,
                report,
            )?;
        }
        Format::Ndjson => {
            let mut out = std::io::BufWriter::new(out);
            write_ndjson_users(&mut out, renderers, &listing.users, report)?;
            let mut s = summary(listing, report, unknown, error);
            s["type"] = json!("summary");
            s["schema"] = json!(SYNC_SCHEMA);
            restyle(&mut s);
            writeln!(out, "{s}")?;
            out.flush()?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "id",
                "account_id",
                "username",
                "display_name",
                "email",
                "account_status",
                "mfa_enabled",
                "activity",
                "reason",
                "last_active",
                "last_active_source",
                "units",
            ])?;
            let mut verdicts = report.users.cursor();
            for u in &listing.users {
                let s = verdicts.find(&u.id);
                let s = s.as_ref();
                let units: Vec<&str> = u.memberships.iter().map(|m| m.unit.key.as_str()).collect();
                let row = [
                    u.id.as_str(),
                    u.account_id.as_deref().unwrap_or(""),
                    u.username.as_deref().unwrap_or(""),
                    u.display_name.as_deref().unwrap_or(""),
                    u.email.as_deref().unwrap_or(""),
                    u.status.upstream.as_deref().unwrap_or(""),
                    &u.mfa_enabled.map(|b| b.to_string()).unwrap_or_default(),
                    s.map(|s| s.activity.wit()).unwrap_or(""),
                    s.map(|s| s.reason.as_str()).unwrap_or(""),
                    &s.and_then(|s| s.last_active).map(iso).unwrap_or_default(),
                    s.and_then(|s| s.last_active_source.as_deref())
                        .unwrap_or(""),
                    &units.join(";"),
                ];
                w.write_record(row.map(cell).iter().map(|c| c.as_bytes()))?;
            }
            w.flush()?;
        }
        Format::Scim => {
            let n = json!(listing.users.len());
            let schemas = json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
            let start = json!(1);
            // serde_json's order for an object's keys (sorted), as the
            // whole document was written before it was streamed.
            let entries = Entries {
                before: &[],
                array: "Resources",
                after: &[
                    ("itemsPerPage", &n),
                    ("schemas", &schemas),
                    ("startIndex", &start),
                    ("totalResults", &n),
                ],
            };
            write_document(out, renderers, &entries, listing.users.len(), |range| {
                let mut verdicts = report.users.cursor();
                range.filter_map(|i| listing.users.get(i)).map(move |u| {
                    let status = verdicts.find(&u.id);
                    scim_user(&u, status.as_ref())
                })
            })?;
        }
        Format::Table => {
            let table =
                table.ok_or_else(|| anyhow::anyhow!("the table needs the run's overview"))?;
            super::summary::write(out, table.overview, table.all)?;
        }
    }
    Ok(())
}
