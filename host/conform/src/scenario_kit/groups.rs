//! Groups: every function the connector declares, called as the scenario
//! says, with its effect checked where it lands (the write request reached
//! the upstream exactly once); a create whose answer is lost to a 503 is
//! not sent twice; a refused write in a unit managed elsewhere is
//! `read-only`; every function not declared answers `unsupported` with no
//! request.

use saas_runtime::SignedIn;
use saas_runtime::egress::{Exchange, Fault, Match, Rule};
use saas_runtime::latest::{Capability, ConnectorError, GroupUpdate};
use saas_runtime::{HostError, Outcome as Called};
use serde_json::Value;

use super::auth::{expect_kind, no_requests};
use super::{Bench, Miss, Outcome, Subject};
use crate::replay::fill;
use crate::scenario::{Canned, GroupCall, GroupFunction, holds};

/// The capability a function needs.
fn capability(f: GroupFunction) -> Capability {
    match f {
        GroupFunction::ListGroups | GroupFunction::GetGroup | GroupFunction::ListMembers => {
            Capability::GroupRead
        }
        GroupFunction::CreateGroup | GroupFunction::UpdateGroup | GroupFunction::DeleteGroup => {
            Capability::GroupWrite
        }
        GroupFunction::AddMember | GroupFunction::RemoveMember => Capability::GroupMembershipWrite,
    }
}

/// The call with the replay's origin in place of `{upstream}` and
/// `{upstream-host}` in its arguments and expected result.
fn filled(c: &GroupCall, origin: &str) -> GroupCall {
    GroupCall {
        scope: fill(&c.scope, origin),
        group: fill(&c.group, origin),
        name: fill(&c.name, origin),
        user: fill(&c.user, origin),
        result: c.result.as_deref().map(|r| fill(r, origin)),
        ..c.clone()
    }
}

/// A call's result as JSON in the style of `sync`, or its error.
fn call(g: &SignedIn<'_>, c: &GroupCall) -> Result<Result<Value, ConnectorError>, HostError> {
    fn json<T: serde::Serialize>(r: Called<T>) -> Result<Result<Value, ConnectorError>, HostError> {
        r.map(|r| {
            r.map(|v| {
                let mut v = serde_json::to_value(v).unwrap_or_default();
                saas_runtime::json_style::restyle(&mut v);
                v
            })
        })
    }
    let update = GroupUpdate {
        name: c.update.name.clone(),
        permission: c.update.permission.clone(),
        auto_add: c.update.auto_add,
    };
    match c.function {
        GroupFunction::ListGroups => json(g.list_groups(&c.scope)),
        GroupFunction::GetGroup => json(g.get_group(&c.group)),
        GroupFunction::CreateGroup => json(g.create_group(&c.scope, &c.name)),
        GroupFunction::UpdateGroup => json(g.update_group(&c.group, &update)),
        GroupFunction::DeleteGroup => json(g.delete_group(&c.group)),
        GroupFunction::ListMembers => json(g.list_members(&c.group)),
        GroupFunction::AddMember => json(g.add_member(&c.group, &c.user)),
        GroupFunction::RemoveMember => json(g.remove_member(&c.group, &c.user)),
    }
}

/// How often `canned` reached the upstream among `sent`.
fn arrivals(canned: &Canned, sent: &[Exchange]) -> usize {
    sent.iter()
        .filter(|x| url::Url::parse(&x.url).is_ok_and(|u| canned.names(&x.method, &u)))
        .count()
}

/// Calls the scenario's call `i` with its requests answered by the replay
/// while it runs.
fn during(
    b: &Bench<'_>,
    g: &SignedIn<'_>,
    i: usize,
    c: &GroupCall,
) -> Result<Result<Value, ConnectorError>, HostError> {
    b.replay.calling(Some(i));
    let outcome = call(g, c);
    b.replay.calling(None);
    outcome
}

/// Runs the scenario's call `i` on a fresh record: the result (or error),
/// and what reached the upstream.
fn run(b: &Bench<'_>, g: &SignedIn<'_>, i: usize, c: &GroupCall) -> Result<Value, String> {
    b.faults.reset();
    let outcome = during(b, g, i, c);
    let name = c.function.name();
    let got = match outcome {
        Err(e) => return Err(format!("{name}: {e}")),
        Ok(Err(e)) => return Err(format!("{name}: {}", e.describe())),
        Ok(Ok(v)) => v,
    };
    let sent = b.requests();
    for effect in c.requests.iter().filter(|r| r.effect) {
        let n = arrivals(effect, &sent);
        if n != 1 {
            return Err(format!(
                "{name}: {} {} reached the upstream {n} times, not once",
                effect.method, effect.path
            ));
        }
    }
    if let Some(want) = &c.result {
        let want: Value = serde_json::from_str(want).unwrap_or(Value::Null);
        if !holds(&got, &want) {
            return Err(format!("{name} gave {got} where the scenario wants {want}"));
        }
    }
    Ok(got)
}

/// A bench signed in, for the group checks.
fn signed_in(b: &Bench<'_>) -> Result<(saas_runtime::Config, saas_runtime::Session), Miss> {
    let config = b.config()?;
    let session = b.session(&config)?;
    Ok((config, session))
}

/// Each call of `[groups]` but the read-only ones succeeds (or gives the
/// error it names), its result holds what the scenario says, and each of
/// its effects reached the upstream exactly once. Every declared function
/// has a call.
pub fn full(s: &Subject<'_>) -> Outcome {
    let info = s.c.info();
    let declared: Vec<GroupFunction> = GroupFunction::ALL
        .into_iter()
        .filter(|f| info.has(capability(*f)))
        .collect();
    if declared.is_empty() {
        return Err(Miss::Skip("no group capability is declared".into()));
    }
    let Some(groups) = &s.scenario.file.groups else {
        return Err(Miss::Skip("the scenario has no [groups]".into()));
    };
    let missing: Vec<&str> = declared
        .iter()
        .filter(|f| !groups.calls.iter().any(|c| c.function == **f))
        .map(|f| f.name())
        .collect();
    if !missing.is_empty() {
        return Err(Miss::Skip(format!(
            "[groups] has no call of {}",
            missing.join(", ")
        )));
    }
    let b = s.bench()?;
    let (config, session) = signed_in(&b)?;
    let g = s.c.signed_in(&b.io, &config, &session);
    let (mut ran, mut effects) = (0, 0);
    for (i, c) in groups.calls.iter().enumerate() {
        let c = &filled(c, b.replay.origin());
        match c.error.as_deref() {
            Some("read-only") => continue,
            Some(kind) => {
                ran += 1;
                let outcome = during(&b, &g, i, c);
                match outcome {
                    Ok(Err(e)) => {
                        expect_kind(&e, kind).map_err(|w| format!("{}: {w}", c.function.name()))?
                    }
                    Ok(Ok(v)) => {
                        return Err(Miss::Fail(format!(
                            "{} gave {v} where the scenario wants {kind}",
                            c.function.name()
                        )));
                    }
                    Err(e) => return Err(Miss::Fail(format!("{}: {e}", c.function.name()))),
                }
            }
            None => {
                ran += 1;
                run(&b, &g, i, c).map_err(Miss::Fail)?;
                effects += c.requests.iter().filter(|r| r.effect).count();
            }
        }
    }
    Ok(format!(
        "{ran} calls of {} functions, {effects} effects each upstream once",
        declared.len()
    ))
}

/// After a fault-free create, a create whose request reached the upstream
/// but whose answer was a 503 fails with `upstream`, and the request was
/// not sent again: at most one group made.
pub fn write_once(s: &Subject<'_>) -> Outcome {
    let Some((i, c, effect)) = s
        .scenario
        .file
        .groups
        .iter()
        .flat_map(|g| {
            g.calls
                .iter()
                .enumerate()
                .filter(|(_, c)| c.function == GroupFunction::CreateGroup && c.error.is_none())
        })
        .find_map(|(i, c)| Some((i, c, c.requests.iter().find(|r| r.effect)?)))
    else {
        return Err(Miss::Skip(
            "[groups] has no create-group call with an effect".into(),
        ));
    };
    if !s.c.info().has(Capability::GroupWrite) {
        return Err(Miss::Skip("group-write is not declared".into()));
    }
    let b = s.bench()?;
    let (config, session) = signed_in(&b)?;
    let g = s.c.signed_in(&b.io, &config, &session);
    let c = &filled(c, b.replay.origin());
    run(&b, &g, i, c)
        .map_err(|why| Miss::Skip(format!("the fault-free create: {why} (see groups-full)")))?;
    b.faults.reset();
    b.faults.inject(Rule::always(
        Match {
            method: effect.method.parse().ok(),
            path: Some(effect.path.clone()),
            ..Match::default()
        },
        Fault::Rewrite(std::sync::Arc::new(|r: &mut http::Response<Vec<u8>>| {
            *r.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
            *r.body_mut() = br#"{"error": "injected by the conformance kit"}"#.to_vec();
        })),
    ));
    let outcome = during(&b, &g, i, c);
    let n = arrivals(effect, &b.requests());
    if n > 1 {
        return Err(Miss::Fail(format!(
            "{} {} answered 503 after it took effect, and was sent {n} times",
            effect.method, effect.path
        )));
    }
    match outcome {
        Ok(Err(e)) => {
            expect_kind(&e, "upstream")?;
            Ok(format!(
                "a 503 after the create took effect: upstream, {} {} sent once",
                effect.method, effect.path
            ))
        }
        Ok(Ok(v)) => Err(Miss::Fail(format!(
            "a create answered 503 gave {v} as if it had succeeded"
        ))),
        Err(e) => Err(Miss::Fail(format!("create-group: {e}"))),
    }
}

/// Each `[groups]` call that names `read-only` gives `read-only` with a
/// hint.
pub fn read_only(s: &Subject<'_>) -> Outcome {
    let calls: Vec<(usize, &GroupCall)> = s
        .scenario
        .file
        .groups
        .iter()
        .flat_map(|g| g.calls.iter().enumerate())
        .filter(|(_, c)| c.error.as_deref() == Some("read-only"))
        .collect();
    if calls.is_empty() {
        return Err(Miss::Skip("[groups] has no read-only call".into()));
    }
    let b = s.bench()?;
    let (config, session) = signed_in(&b)?;
    let g = s.c.signed_in(&b.io, &config, &session);
    for (i, c) in &calls {
        let c = &filled(c, b.replay.origin());
        let outcome = during(&b, &g, *i, c);
        let name = c.function.name();
        match outcome {
            Ok(Err(ConnectorError::ReadOnly(r))) if !r.hint.trim().is_empty() => {}
            Ok(Err(ConnectorError::ReadOnly(_))) => {
                return Err(Miss::Fail(format!("{name}: read-only without a hint")));
            }
            Ok(Err(e)) => {
                return Err(Miss::Fail(format!(
                    "{name}: expected read-only, got {}",
                    e.describe()
                )));
            }
            Ok(Ok(v)) => {
                return Err(Miss::Fail(format!(
                    "{name} gave {v} where the upstream refused the write"
                )));
            }
            Err(e) => return Err(Miss::Fail(format!("{name}: {e}"))),
        }
    }
    Ok(format!(
        "{} refused writes: read-only, with a hint",
        calls.len()
    ))
}

/// Each group function whose capability is not declared (all eight when
/// none is) answers `unsupported`, with no request.
pub fn unsupported_all(s: &Subject<'_>) -> Outcome {
    let info = s.c.info();
    let undeclared: Vec<GroupFunction> = GroupFunction::ALL
        .into_iter()
        .filter(|f| !info.has(capability(*f)))
        .collect();
    if undeclared.is_empty() {
        return Err(Miss::Skip("every group function is declared".into()));
    }
    let b = s.bench()?;
    let (config, session) = signed_in(&b)?;
    b.faults.reset();
    let g = s.c.signed_in(&b.io, &config, &session);
    for f in &undeclared {
        let kit = GroupCall {
            function: *f,
            scope: "kit".into(),
            group: "kit".into(),
            name: "kit".into(),
            user: "kit".into(),
            update: crate::scenario::UpdateArgs {
                name: Some("kit".into()),
                ..Default::default()
            },
            result: None,
            error: None,
            requests: Vec::new(),
        };
        match call(&g, &kit) {
            Ok(Err(e)) => {
                expect_kind(&e, "unsupported").map_err(|w| format!("{}: {w}", f.name()))?
            }
            Ok(Ok(_)) => {
                return Err(Miss::Fail(format!(
                    "{} did not answer with an error",
                    f.name()
                )));
            }
            Err(e) => return Err(Miss::Fail(format!("{}: {e}", f.name()))),
        }
    }
    no_requests(&b, "the undeclared group functions")?;
    Ok(format!(
        "{} undeclared group functions: unsupported, no request",
        undeclared.len()
    ))
}
