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
    super::truth::compare(&listing.users, &b.truth())?;
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

/// `error` is of the contract's `kind`, or the evidence says what it was.
pub fn expect_kind(error: &saas_runtime::latest::ConnectorError, kind: &str) -> Result<(), Miss> {
    if error.kind() == kind {
        Ok(())
    } else {
        Err(Miss::Fail(format!(
            "expected {kind}, got {}",
            error.describe()
        )))
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
