//! The users rendered apart write, byte for byte, what serde_json writes of
//! the whole document or of each line, for no users, one buffer's worth
//! and several buffers, with and without verdicts.

use serde_json::json;

use super::*;
use saas_runtime::latest::{
    AccountState, AccountStatus, Activity, ActivityCounts, MfaCoverage, Reconciliation,
    SeatSummary, StatusReport, User, UserStatus,
};

fn user(n: usize) -> User {
    User {
        id: format!("{{user-{n:05}}}"),
        account_id: n.is_multiple_of(2).then(|| format!("acc-{n}")),
        email: n.is_multiple_of(3).then(|| format!("u{n}@example.com")),
        display_name: Some(format!("Üser \"{n}\"\n")),
        username: None,
        status: AccountStatus {
            upstream: None,
            state: AccountState::Active,
        },
        mfa_enabled: None,
        created_at: Some(1_600_000_000 + n as i64),
        memberships: vec![],
    }
}

/// A report with a verdict on every third user.
fn report(users: usize) -> Report {
    let verdicts = (0..users).step_by(3).map(|n| UserStatus {
        user_id: format!("{{user-{n:05}}}"),
        display_name: None,
        email: None,
        activity: Activity::Inactive,
        reason: format!("idle since {n}"),
        last_active: Some(1_650_000_000),
        last_active_source: None,
        units: vec![],
        mfa_enabled: None,
    });
    Report::from(StatusReport {
        as_of: 1_700_000_000,
        users: verdicts.collect(),
        counts: ActivityCounts {
            active: 0,
            inactive: 0,
            never_active: 0,
            unknown: 0,
        },
        seats: SeatSummary {
            purchased: None,
            used: 0,
            unused: None,
            used_exceeds_purchased: false,
            unique_users: 0,
            per_unit: vec![],
        },
        reconciliation: Reconciliation {
            membership_sum: 0,
            unique_users: 0,
            multi_unit_users: 0,
            extra_memberships: 0,
        },
        mfa: MfaCoverage {
            enabled: 0,
            disabled: 0,
            unknown: 0,
        },
    })
}

/// Checks that `written` is `whole` as `to_writer_pretty` writes it, with
/// the line break after it.
fn assert_written_whole(written: Vec<u8>, whole: &impl Serialize, what: &str) {
    let mut want = serde_json::to_vec_pretty(whole).unwrap();
    want.push(b'\n');
    let (written, want) = (String::from_utf8(written), String::from_utf8(want));
    assert_eq!(written.unwrap(), want.unwrap(), "{what}");
}

/// The document as serde_json writes it whole.
#[derive(Serialize)]
struct Whole<'a> {
    schema: &'static str,
    summary: Value,
    users: Vec<StyledUser<'a>>,
}

const SIZES: [usize; 5] = [0, 1, USERS_PER_BUFFER, USERS_PER_BUFFER + 1, 2_345];

#[test]
fn the_json_document_is_what_serde_json_writes_whole() {
    let summary = json!({"complete": true, "counts": {"active": 1}, "unknown_because": []});
    for len in SIZES {
        let users = Roster::from((0..len).map(user).collect::<Vec<_>>());
        let report = report(len);
        let mut written = Vec::new();
        write_json(
            &mut written,
            Renderers::beside(0),
            "schema/v1",
            &summary,
            &users,
            &report,
        )
        .unwrap();
        let whole = Whole {
            schema: "schema/v1",
            summary: summary.clone(),
            users: styled(&users, &report, 0..len, None).collect(),
        };
        assert_written_whole(written, &whole, &format!("{len} users"));
    }
}

#[test]
fn each_ndjson_line_is_its_user_alone() {
    for len in SIZES {
        let users = Roster::from((0..len).map(user).collect::<Vec<_>>());
        let report = report(len);
        let mut written = Vec::new();
        write_ndjson_users(&mut written, Renderers::beside(0), &users, &report).unwrap();
        let want: String = styled(&users, &report, 0..len, Some("user"))
            .map(|u| serde_json::to_string(&u).unwrap() + "\n")
            .collect();
        assert_eq!(String::from_utf8(written).unwrap(), want, "{len} users");
        let verdicts = want.lines().filter(|l| l.contains("\"verdict\"")).count();
        assert_eq!(verdicts, len.div_ceil(3), "{len} users");
    }
}

#[test]
fn a_document_with_entries_after_its_array_is_what_serde_json_writes_whole() {
    for len in SIZES {
        let item = |i: usize| json!({"id": i, "name": format!("Üser \"{i}\"\n"), "groups": [i]});
        let (n, schemas) = (json!(len), json!(["urn:example"]));
        let entries = Entries {
            before: &[],
            array: "Resources",
            after: &[("itemsPerPage", &n), ("schemas", &schemas)],
        };
        let mut written = Vec::new();
        write_document(&mut written, Renderers::beside(0), &entries, len, |r| {
            r.map(item)
        })
        .unwrap();
        let whole = json!({
            "Resources": (0..len).map(item).collect::<Vec<_>>(),
            "itemsPerPage": len,
            "schemas": schemas,
        });
        assert_written_whole(written, &whole, &format!("{len} items"));
    }
}
