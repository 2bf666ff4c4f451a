//! Groups: a connector that declares no group capability answers every
//! group function with `unsupported`, and sends nothing.

use saas_runtime::latest::{Capability, GroupUpdate};

use super::auth::{expect_kind, no_requests};
use super::{Miss, Outcome, Subject};

/// Without `group-read` or `group-write`, each group function answers
/// `unsupported` with no request.
pub fn unsupported_all(s: &Subject<'_>) -> Outcome {
    let info = s.c.info();
    if info.has(Capability::GroupRead) || info.has(Capability::GroupWrite) {
        return Err(Miss::Skip(
            "groups are declared: the scenario format has no group routes yet".into(),
        ));
    }
    let b = s.bench()?;
    let config = b.config()?;
    let session = b.session(&config)?;
    b.faults.reset();
    let g = s.c.signed_in(&b.io, &config, &session);
    let update = GroupUpdate {
        name: Some("kit".into()),
        permission: None,
        auto_add: None,
    };
    let answers: [(&str, Option<saas_runtime::latest::ConnectorError>); 8] = [
        (
            "list-groups",
            g.list_groups("kit").ok().and_then(Result::err),
        ),
        ("get-group", g.get_group("kit").ok().and_then(Result::err)),
        (
            "create-group",
            g.create_group("kit", "kit").ok().and_then(Result::err),
        ),
        (
            "update-group",
            g.update_group("kit", &update).ok().and_then(Result::err),
        ),
        (
            "delete-group",
            g.delete_group("kit").ok().and_then(Result::err),
        ),
        (
            "list-members",
            g.list_members("kit").ok().and_then(Result::err),
        ),
        (
            "add-member",
            g.add_member("kit", "kit").ok().and_then(Result::err),
        ),
        (
            "remove-member",
            g.remove_member("kit", "kit").ok().and_then(Result::err),
        ),
    ];
    for (function, error) in answers {
        let Some(e) = error else {
            return Err(Miss::Fail(format!(
                "{function} did not answer with an error"
            )));
        };
        expect_kind(&e, "unsupported").map_err(|m| match m {
            Miss::Fail(w) => Miss::Fail(format!("{function}: {w}")),
            skip => skip,
        })?;
    }
    no_requests(&b, "the group functions")?;
    Ok("all 8 group functions: unsupported, no request".into())
}
