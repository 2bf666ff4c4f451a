//! The sync's JSON documents and NDJSON users, rendered on every core
//! ([`super::in_order`]). A document is written byte for byte as
//! `serde_json::to_writer_pretty` writes it (`{"schema", "summary",
//! "users"}`, or SCIM's list): the same formatter, driven by hand around
//! the users so that each range of users can be rendered apart at the
//! depth it takes in the document.

use std::io::{self, Write};
use std::ops::Range;

use serde::Serialize;
use serde_json::Value;
use serde_json::ser::{Formatter, PrettyFormatter, Serializer};

use saas_runtime::report::Report;
use saas_runtime::roster::Roster;

use super::in_order::{Renderers, write_rendered};
use super::styled_user::StyledUser;

/// Users rendered to one buffer: a few hundred KB of JSON, so that handing
/// a buffer over is noise beside rendering it.
const USERS_PER_BUFFER: usize = 1_000;

/// The users at `range` of `users` with their verdicts in `report`.
fn styled<'a>(
    users: &'a Roster,
    report: &'a Report,
    range: Range<usize>,
    record_type: Option<&'static str>,
) -> impl Iterator<Item = StyledUser<'a>> + 'a {
    let mut verdicts = report.users.cursor();
    users.views_in(range).map(move |user| StyledUser {
        user,
        status: verdicts.view(user.id()),
        record_type,
    })
}

/// Serialises `value` with `f` where `f` stands in the document.
fn value<T: Serialize + ?Sized>(
    out: &mut (impl Write + ?Sized),
    f: &PrettyFormatter<'static>,
    value: &T,
) -> io::Result<()> {
    Ok(value.serialize(&mut Serializer::with_formatter(out, f.clone()))?)
}

/// A key of the document's object and the `: ` after it, as serde_json's
/// `SerializeMap::serialize_key` and `serialize_value` write them.
fn key(
    out: &mut (impl Write + ?Sized),
    f: &mut PrettyFormatter<'static>,
    key: &str,
    first: bool,
) -> io::Result<()> {
    f.begin_object_key(out, first)?;
    serde_json::to_writer(&mut *out, key)?;
    f.end_object_key(out)?;
    f.begin_object_value(out)
}

/// One `"key": value` entry of the document's object.
fn entry<T: Serialize + ?Sized>(
    out: &mut (impl Write + ?Sized),
    f: &mut PrettyFormatter<'static>,
    name: &str,
    first: bool,
    v: &T,
) -> io::Result<()> {
    key(out, f, name, first)?;
    value(out, f, v)?;
    f.end_object_value(out)
}

/// The entries of a document's object around its one long array.
pub struct Entries<'a> {
    /// Written before the array, in this order.
    pub before: &'a [(&'a str, &'a Value)],
    /// The array's key.
    pub array: &'a str,
    /// Written after the array, in this order.
    pub after: &'a [(&'a str, &'a Value)],
}

/// Writes a JSON object pretty-printed, ending in a line break, byte for
/// byte as `to_writer_pretty` writes the same entries in the same order:
/// the array's `len` items are made by `items` a range of positions at a
/// time and rendered on `renderers` threads.
pub fn write_document<T, I>(
    out: &mut dyn Write,
    renderers: Renderers,
    entries: &Entries<'_>,
    len: usize,
    items: impl Fn(Range<usize>) -> I + Sync,
) -> io::Result<()>
where
    T: Serialize,
    I: Iterator<Item = T>,
{
    let mut out = io::BufWriter::new(out);
    let mut f = PrettyFormatter::new();
    f.begin_object(&mut out)?;
    for (i, (name, v)) in entries.before.iter().enumerate() {
        entry(&mut out, &mut f, name, i == 0, v)?;
    }
    key(&mut out, &mut f, entries.array, entries.before.is_empty())?;
    f.begin_array(&mut out)?;
    // Every item stands at the depth of the array's values.
    let at_items = f.clone();
    let render = |range: Range<usize>, buffer: &mut Vec<u8>| {
        let first = range.start == 0;
        let mut f = at_items.clone();
        for (i, item) in items(range).enumerate() {
            f.begin_array_value(buffer, first && i == 0)?;
            value(buffer, &f, &item)?;
            f.end_array_value(buffer)?;
        }
        Ok(())
    };
    write_rendered(len, USERS_PER_BUFFER, renderers, render, &mut out)?;
    if len > 0 {
        f.end_array_value(&mut out)?;
    }
    f.end_array(&mut out)?;
    f.end_object_value(&mut out)?;
    for (name, v) in entries.after {
        entry(&mut out, &mut f, name, false, v)?;
    }
    f.end_object(&mut out)?;
    writeln!(out)?;
    out.flush()
}

/// Writes the JSON document of `schema`, `summary` and the `users` with
/// their verdicts, pretty-printed and ending in a line break, on
/// `renderers` threads.
pub fn write_json(
    out: &mut dyn Write,
    renderers: Renderers,
    schema: &str,
    summary: &Value,
    users: &Roster,
    report: &Report,
) -> io::Result<()> {
    let schema = Value::from(schema);
    let entries = Entries {
        before: &[("schema", &schema), ("summary", summary)],
        array: "users",
        after: &[],
    };
    write_document(out, renderers, &entries, users.len(), |range| {
        styled(users, report, range, None)
    })
}

/// Writes one compact JSON line per user, typed `user`, with its verdict,
/// on `renderers` threads.
pub fn write_ndjson_users(
    out: &mut dyn Write,
    renderers: Renderers,
    users: &Roster,
    report: &Report,
) -> io::Result<()> {
    let render = |range: Range<usize>, buffer: &mut Vec<u8>| {
        for user in styled(users, report, range, Some("user")) {
            serde_json::to_writer(&mut *buffer, &user)?;
            buffer.push(b'\n');
        }
        Ok(())
    };
    write_rendered(users.len(), USERS_PER_BUFFER, renderers, render, out)
}

#[cfg(test)]
mod tests;
