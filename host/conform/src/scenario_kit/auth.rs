//! Credentials: accepted, refused, missing, expired, refreshed.

use saas_runtime::egress::fingerprint;

use super::{Miss, Outcome, Subject};
use crate::kit::{self, Listed};

/// The scenario's valid credentials give a session with a secret in it.
pub fn valid(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let config = b.config()?;
    match s.c.authenticate(&b.io, &config, &b.valid) {
        Ok(Ok(session)) if session.secrets().iter().any(|x| !x.is_empty()) => Ok(format!(
            "a session with {} secrets after {} requests",
            session.secrets().len(),
            b.requests().len()
        )),
        Ok(Ok(_)) => Err(Miss::Fail("a session with no secret in it".into())),
        Ok(Err(e)) => Err(Miss::Fail(format!(
            "valid credentials were refused: {}",
            e.describe()
        ))),
        Err(e) => Err(Miss::Fail(format!("authenticate: {e}"))),
    }
}

/// Refused credentials give exactly `invalid-credentials`, either at
/// `authenticate` or at the first page.
pub fn invalid(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let config = b.config()?;
    let error = match s.c.authenticate(&b.io, &config, &b.invalid) {
        Ok(Err(e)) => e,
        Ok(Ok(session)) => match b.list(&config, &session) {
            Listed::Failed(e) => e,
            other => {
                return Err(Miss::Fail(format!(
                    "refused credentials gave a session, and its listing {}",
                    kit::describe(&other)
                )));
            }
        },
        Err(e) => return Err(Miss::Fail(format!("authenticate: {e}"))),
    };
    expect_kind(&error, "invalid-credentials")?;
    Ok(format!("refused credentials: {}", error.kind()))
}

/// No credential for a required slot gives `invalid-config` with no request.
pub fn missing(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let config = b.config()?;
    if !s.c.info().credential_slots.iter().any(|slot| slot.required) {
        return Err(Miss::Skip("the connector requires no credential".into()));
    }
    match s.c.authenticate(&b.io, &config, &[]) {
        Ok(Err(e)) => {
            expect_kind(&e, "invalid-config")?;
            no_requests(&b, "authenticate without credentials")?;
            Ok("no credentials: invalid-config, and no request".into())
        }
        Ok(Ok(_)) => Err(Miss::Fail("a session without credentials".into())),
        Err(e) => Err(Miss::Fail(format!("authenticate: {e}"))),
    }
}

/// A credential the upstream says has expired, with nothing to refresh it
/// by, gives `expired-credentials` (skipped when the connector trades its
/// credential for tokens: `token-refresh` covers that).
pub fn expired(s: &Subject<'_>) -> Outcome {
    if s.scenario
        .routes(crate::scenario::Role::Token)
        .next()
        .is_some()
    {
        return Err(Miss::Skip(
            "the scenario has a token route: see token-refresh".into(),
        ));
    }
    let auth = &s.scenario.file.auth;
    if auth.expired == auth.refused {
        return Err(Miss::Skip(
            "the API answers an expired credential as a refused one".into(),
        ));
    }
    let b = s.bench()?;
    let (config, session) = b.control()?;
    for fields in s.scenario.file.credentials.valid.values() {
        fields.values().for_each(|v| b.replay.expire(v));
    }
    match b.list(&config, &session) {
        Listed::Failed(e) => {
            expect_kind(&e, "expired-credentials")?;
            Ok("an expired credential: expired-credentials".into())
        }
        other => Err(Miss::Fail(format!(
            "with the credential expired, the listing {}",
            kit::describe(&other)
        ))),
    }
}

/// With every token expired after `authenticate`, the listing still equals
/// the truth: the connector gets a new token (handing back the session),
/// and never sends the old one after the new one came.
pub fn refresh(s: &Subject<'_>) -> Outcome {
    if s.scenario
        .routes(crate::scenario::Role::Token)
        .next()
        .is_none()
    {
        return Err(Miss::Skip("the scenario has no token route".into()));
    }
    let b = s.bench()?;
    let (config, session) = b.control()?;
    b.replay.expire_issued();
    let old: Vec<String> = b
        .replay
        .issued()
        .iter()
        .map(|t| fingerprint(format!("{}{t}", s.scenario.file.auth.prefix).as_bytes()))
        .collect();
    let listing = match b.list(&config, &session) {
        Listed::Done {
            listing, refreshes, ..
        } if refreshes > 0 => listing,
        Listed::Done { .. } => {
            return Err(Miss::Fail(
                "the listing renewed its token but handed back no session".into(),
            ));
        }
        other => {
            return Err(Miss::Fail(format!(
                "with the token expired, the listing {}",
                kit::describe(&other)
            )));
        }
    };
    super::truth::compare(&listing.users, b.truth())?;
    // From the new token's issue on, the old one must never be sent.
    let token_path = s
        .scenario
        .routes(crate::scenario::Role::Token)
        .map(|r| r.path.clone())
        .collect::<Vec<_>>();
    let sent = b.requests();
    let renewed = sent.iter().position(|x| {
        url::Url::parse(&x.url).is_ok_and(|u| token_path.iter().any(|p| p == u.path()))
    });
    if let Some(i) = renewed
        && let Some(stale) = sent[i..]
            .iter()
            .find(|x| x.authorization.as_ref().is_some_and(|a| old.contains(a)))
    {
        return Err(Miss::Fail(format!(
            "the expired token was sent again after the new one came: {}",
            stale.describe()
        )));
    }
    Ok("an expired token was renewed, the old one never sent again, the listing exact".into())
}

/// `error` is of the contract's `kind`, or the evidence of a failure says
/// what it was.
pub fn expect_kind(error: &saas_runtime::latest::ConnectorError, kind: &str) -> Result<(), String> {
    if error.kind() == kind {
        Ok(())
    } else {
        Err(format!("expected {kind}, got {}", error.describe()))
    }
}

/// No request left during what `what` names.
pub fn no_requests(b: &super::Bench<'_>, what: &str) -> Result<(), Miss> {
    match b.requests().first() {
        None => Ok(()),
        Some(x) => Err(Miss::Fail(format!("{what} sent {}", x.describe()))),
    }
}

/// A 503 at the token route is never reported as refused credentials: the
/// sign-in retries it or answers `upstream`.
pub fn token_5xx(s: &Subject<'_>) -> Outcome {
    let Some(route) = s.scenario.routes(crate::scenario::Role::Token).next() else {
        return Err(Miss::Skip("the scenario has no token route".into()));
    };
    let b = s.bench()?;
    let config = b.config()?;
    b.session(&config)?;
    b.faults.reset();
    b.faults.inject(saas_runtime::egress::Rule::always(
        saas_runtime::egress::Match {
            method: route.method().parse().ok(),
            path: Some(route.path.clone()),
            ..Default::default()
        },
        saas_runtime::egress::Fault::Status {
            status: 503,
            retry_after: None,
            body: br#"{"error": "temporarily_unavailable"}"#.to_vec(),
        },
    ));
    match s.c.authenticate(&b.io, &config, &b.valid) {
        Ok(Err(e)) => {
            expect_kind(&e, "upstream")?;
            Ok("a 503 at the token route: upstream, not refused credentials".into())
        }
        Ok(Ok(_)) => Err(Miss::Fail(
            "a sign-in succeeded though every token request answered 503".into(),
        )),
        Err(e) => Err(Miss::Fail(format!("authenticate: {e}"))),
    }
}

/// How one set of credentials fared: the contract error of `authenticate`
/// or of the first step, or `None` when both succeeded.
fn first_error(
    b: &super::Bench<'_>,
    config: &saas_runtime::Config,
    given: &[saas_runtime::latest::SlotCredential],
) -> Result<Option<saas_runtime::latest::ConnectorError>, Miss> {
    let signed_in =
        b.c.authenticate(&b.io, config, given)
            .map_err(|e| Miss::Fail(format!("authenticate: {e}")))?;
    match signed_in {
        Err(e) => Ok(Some(e)),
        Ok(session) => match b.c.list_users(&b.io, config, &session, None) {
            Ok(Ok(_)) => Ok(None),
            Ok(Err(e)) => Ok(Some(e)),
            Err(e) => Err(Miss::Fail(format!("list-users: {e}"))),
        },
    }
}

/// The valid credentials with `slot`'s replaced by `fields` (or left out).
fn swapped(
    b: &super::Bench<'_>,
    slot: &str,
    fields: Option<&std::collections::BTreeMap<String, String>>,
) -> Result<Vec<saas_runtime::latest::SlotCredential>, Miss> {
    let mut given: Vec<_> = b.valid.iter().filter(|c| c.slot != slot).cloned().collect();
    if let Some(fields) = fields {
        let one = std::iter::once((slot.to_string(), fields.clone())).collect();
        given.extend(super::bench::credentials(b.c, &one).map_err(Miss::Skip)?);
    }
    Ok(given)
}

/// Every other accepted credential (`[[credentials.also]]`, one of each
/// other kind) signs in and lists a first page beside the other slots'
/// valid ones; with several slots, each refused one gives
/// `invalid-credentials` alone among valid ones; every optional slot may be
/// left out.
pub fn matrix(s: &Subject<'_>) -> Outcome {
    let credentials = &s.scenario.file.credentials;
    let optional: Vec<String> =
        s.c.info()
            .credential_slots
            .iter()
            .filter(|slot| !slot.required && credentials.valid.contains_key(&slot.name))
            .map(|slot| slot.name.clone())
            .collect();
    if credentials.also.is_empty() && credentials.valid.len() < 2 && optional.is_empty() {
        return Err(Miss::Skip(
            "one credential of one slot: see authenticate-valid and authenticate-invalid".into(),
        ));
    }
    let b = s.bench()?;
    let config = b.config()?;
    // The scenario's own valid and refused sets are authenticate-valid's
    // and authenticate-invalid's: the matrix takes what they do not.
    let mut done = Vec::new();
    for (slot, fields) in credentials.also.iter().map(|o| (&o.slot, &o.fields)) {
        let given = swapped(&b, slot, Some(fields))?;
        let kind = given.iter().find(|c| c.slot == *slot).map_or("?", |c| {
            saas_runtime::settings::kind_name(c.credential.kind())
        });
        if let Some(e) = first_error(&b, &config, &given)? {
            return Err(Miss::Fail(format!(
                "{slot} as {kind} was accepted upstream, but: {}",
                e.describe()
            )));
        }
        done.push(format!("{slot} as {kind}"));
    }
    let several = credentials.valid.len() > 1;
    for (slot, fields) in credentials.invalid.iter().filter(|_| several) {
        let given = swapped(&b, slot, Some(fields))?;
        match first_error(&b, &config, &given)? {
            Some(e) if e.kind() == "invalid-credentials" => done.push(format!("{slot} refused")),
            Some(e) => {
                return Err(Miss::Fail(format!(
                    "{slot} refused upstream: expected invalid-credentials, got {}",
                    e.describe()
                )));
            }
            None => {
                return Err(Miss::Fail(format!(
                    "{slot} refused upstream, yet the sign-in and first step succeeded"
                )));
            }
        }
    }
    for slot in optional {
        let given = swapped(&b, &slot, None)?;
        if let Some(e) = first_error(&b, &config, &given)? {
            return Err(Miss::Fail(format!(
                "without the optional {slot}: {}",
                e.describe()
            )));
        }
        done.push(format!("without {slot}"));
    }
    Ok(done.join(", "))
}
