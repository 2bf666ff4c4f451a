//! Checks of credentials, secrets, egress and the groups capability.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fake_bitbucket::Client;

use super::Outcome;
use super::kit::{self, Listed};
use saas_runtime::Connector;
use saas_runtime::latest::{
    BasicAuth, Capability, ConnectorError, Credential, CredentialKind, GroupUpdate, OauthClient,
    OauthCode, OauthRefresh, SettingValue,
};
use saas_runtime::redact::MASK;
use saas_runtime::settings::set_setting;

/// Valid credentials give a session.
pub fn authenticate_valid(c: &Connector) -> Outcome {
    let fake = kit::fake(1, 2)?;
    let (io, _) = kit::io(&fake);
    let s = kit::session(c, &io, &kit::config(c, &kit::settings(&fake))?)?;
    if s.secrets().iter().all(|x| x.is_empty()) {
        return Err("an empty session".into());
    }
    Ok(format!(
        "a session with {} secrets and {} scopes",
        s.secrets().len(),
        s.scopes().len()
    ))
}

/// Each kind of bad credential gives exactly one typed error.
pub fn authenticate_invalid(c: &Connector) -> Outcome {
    let fake = kit::fake(1, 2)?;
    let (io, _) = kit::io(&fake);
    let cfg = kit::config(c, &kit::settings(&fake))?;
    let client = |secret: &str| OauthClient {
        client_id: "demo-client".into(),
        client_secret: secret.into(),
    };
    let cases = [
        (
            CredentialKind::OauthClientCredentials,
            Credential::OauthClientCredentials(client("wrong-secret")),
        ),
        (
            CredentialKind::OauthRefreshToken,
            Credential::OauthRefreshToken(OauthRefresh {
                client: client("demo-client-secret"),
                refresh_token: "revoked-refresh-token".into(),
            }),
        ),
        (
            CredentialKind::OauthAuthorizationCode,
            Credential::OauthAuthorizationCode(OauthCode {
                client: client("demo-client-secret"),
                code: "bogus-code".into(),
                redirect_uri: None,
                code_verifier: None,
            }),
        ),
        (
            CredentialKind::Basic,
            Credential::Basic(BasicAuth {
                username: "admin@example.com".into(),
                password: "wrong-api-token".into(),
            }),
        ),
        (
            CredentialKind::BearerToken,
            Credential::BearerToken("wrong-access-token".into()),
        ),
        (
            CredentialKind::Basic,
            Credential::Basic(BasicAuth {
                username: "demo-admin".into(),
                password: "wrong-app-password".into(),
            }),
        ),
    ];
    let Some(slot) = c.info().credential_slots.first() else {
        return Err("the connector declares no credential slot".into());
    };
    let mut tried = 0;
    for (mode, creds) in cases {
        if !slot.kinds.contains(&mode) {
            continue;
        }
        tried += 1;
        match c.authenticate(&io, &cfg, &kit::slot(creds)) {
            Ok(Err(ConnectorError::InvalidCredentials(_))) => {}
            Ok(Err(e)) => {
                return Err(format!(
                    "bad {mode:?} credentials gave {}, not invalid-credentials",
                    e.kind()
                ));
            }
            Ok(Ok(_)) => return Err(format!("bad {mode:?} credentials gave a session")),
            Err(e) => return Err(format!("bad {mode:?} credentials: {e}")),
        }
    }
    Ok(format!(
        "{tried} kinds of bad credentials: one invalid-credentials error each"
    ))
}

/// A canary secret never shows in logs, errors, outputs, or requests
/// other than to the token endpoint.
pub fn secrets(c: &Connector) -> Outcome {
    let canary = format!("canary-{:016x}", fastrand::u64(..));
    let fake = kit::fake_with(2, 30, |f| {
        f.accounts.clients.push(Client {
            id: "canary-client".into(),
            secret: canary.clone(),
            callback: None,
            scopes: vec![
                "read:workspace:bitbucket".into(),
                "read:user:bitbucket".into(),
            ],
        })
    })?;
    let (io, recorder) = kit::io(&fake);
    let cfg = kit::config(c, &kit::settings(&fake))?;
    let creds = kit::slot(Credential::OauthClientCredentials(OauthClient {
        client_id: "canary-client".into(),
        client_secret: canary.clone(),
    }));
    let wrong = kit::slot(Credential::OauthClientCredentials(OauthClient {
        client_id: "canary-client".into(),
        client_secret: format!("{canary}-wrong"),
    }));
    let mut outputs = Vec::new();
    if let Ok(Err(e)) = c.authenticate(&io, &cfg, &wrong) {
        outputs.push(e.describe());
    }
    let session = match c.authenticate(&io, &cfg, &creds) {
        Ok(Ok(s)) => s,
        other => {
            return Err(format!(
                "the canary client could not authenticate: {other:?}"
            ));
        }
    };
    match kit::list(c, &io, &cfg, &session, None) {
        Listed::Done { listing, .. } => {
            outputs.push(serde_json::to_string(&listing.users).unwrap_or_default())
        }
        other => outputs.push(kit::describe(&other)),
    }
    let token = session
        .secrets()
        .first()
        .map(|t| t.to_string())
        .unwrap_or_default();
    let basic = STANDARD.encode(format!("canary-client:{canary}"));
    let lines = recorder
        .lines
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    if let Some(l) = lines.iter().find(|l| l.contains(MASK)) {
        return Err(format!(
            "the connector logged a secret (masked by the host): {l}"
        ));
    }
    for text in lines.iter().chain(outputs.iter()) {
        if text.contains(&canary) || text.contains(&token) || text.contains(&basic) {
            return Err("a secret appears in a log line, an error or an output".into());
        }
    }
    for r in fake.requests() {
        let auth = r.authorization.unwrap_or_default();
        let to_token = r.path.starts_with("/site/oauth2/");
        if !to_token && (auth.contains(&basic) || r.path.contains(&canary)) {
            return Err(format!("the client secret went to {}", r.path));
        }
        if to_token && auth.contains(&token) {
            return Err("the access token went to the token endpoint".into());
        }
    }
    if !fake.foreign_requests().is_empty() {
        return Err("a request reached a foreign host".into());
    }
    Ok(format!(
        "{} log lines, {} outputs, {} requests: the canary stayed with the token endpoint",
        lines.len(),
        outputs.len(),
        fake.requests().len()
    ))
}

/// A request outside the allowlist is denied and the connector gets a typed error.
pub fn egress(c: &Connector) -> Outcome {
    let fake = kit::fake(1, 5)?;
    let (io, _) = kit::io(&fake);
    let session = kit::session(c, &io, &kit::config(c, &kit::settings(&fake))?)?;
    let mut settings = kit::settings(&fake);
    set_setting(
        &mut settings,
        "api-base-url",
        SettingValue::Url(fake.foreign_base_url()),
    );
    let cfg = kit::config(c, &settings)?;
    let result = c.list_users(&io, &cfg, &session, None);
    if !fake.foreign_requests().is_empty() {
        return Err("a request reached a host outside the allowlist".into());
    }
    match result {
        Ok(Err(ConnectorError::DeniedByHost(_))) if io.egress.counts().denied > 0 => Ok(
            "a request outside the allowlist was denied; the connector answered denied-by-host"
                .into(),
        ),
        Ok(Err(e)) => Err(format!("the denial came back as {}", e.kind())),
        Ok(Ok(_)) => Err("a listing against a denied host gave a page".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// The groups round trip, or `unsupported` everywhere when not declared.
pub fn groups(c: &Connector) -> Outcome {
    let fake = kit::fake(1, 6)?;
    let (io, _) = kit::io(&fake);
    let cfg = kit::config(c, &kit::settings(&fake))?;
    let s = kit::session(c, &io, &cfg)?;
    if !c.info().has(Capability::GroupWrite) {
        return match c.signed_in(&io, &cfg, &s).list_groups("workspace-000") {
            Ok(Err(ConnectorError::Unsupported(_))) => {
                Ok("not declared; answers unsupported".into())
            }
            other => Err(format!(
                "groups not declared, but list-groups gave {other:?}"
            )),
        };
    }
    let fail = |what: &str, e: String| format!("{what}: {e}");
    let settle = |what: &str, r: saas_runtime::Outcome<()>| match r {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(fail(what, e.describe())),
        Err(e) => Err(fail(what, e.to_string())),
    };
    let g = match c
        .signed_in(&io, &cfg, &s)
        .create_group("workspace-000", "Conformance Check")
    {
        Ok(Ok(g)) => g,
        other => return Err(format!("create: {other:?}")),
    };
    let r = g.id.clone();
    let slug = r.rsplit('/').next().unwrap_or_default().to_string();
    let update = GroupUpdate {
        name: Some("Conformance Checked".into()),
        permission: None,
        auto_add: Some(true),
    };
    match c.signed_in(&io, &cfg, &s).update_group(&r, &update) {
        Ok(Ok(g)) if g.name == "Conformance Checked" && g.auto_add == Some(true) => {}
        other => return Err(format!("update: {other:?}")),
    }
    let member = fake
        .truth()
        .users
        .keys()
        .next()
        .cloned()
        .ok_or("no users")?;
    settle(
        "add-member",
        c.signed_in(&io, &cfg, &s).add_member(&r, &member),
    )?;
    if fake.group_members("workspace-000", &slug) != Some(vec![member.clone()]) {
        return Err("add-member did not reach the group".into());
    }
    settle(
        "remove-member",
        c.signed_in(&io, &cfg, &s).remove_member(&r, &member),
    )?;
    settle("delete", c.signed_in(&io, &cfg, &s).delete_group(&r))?;
    if fake.group_members("workspace-000", &slug).is_some() {
        return Err("delete did not remove the group".into());
    }
    Ok("create, update, add-member, remove-member and delete reached the fake".into())
}
