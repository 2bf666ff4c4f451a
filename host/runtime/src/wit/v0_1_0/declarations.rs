//! A 0.1.0 component's declarations in the latest model, and the latest
//! inputs in its own: its `config` record's fields become settings, its
//! auth modes one credential slot named after the connector.

use super::saas::connector::types::{ApiToken, AppPassword, OauthClient, OauthCode, OauthRefresh};
use super::{AuthMode, Capability, Config, ConnectorInfo, Credentials};
use crate::wit::latest::{
    self, ConnectorError, Credential, CredentialKind, CredentialSlot, FieldAlias, RequestBudgets,
    Setting, SettingSpec, SettingType, SettingValue,
};

/// The fields of 0.1.0's `config` record, as settings: name, type, what.
/// Every one is optional; the component's own default applies when unset.
pub const SETTINGS: [(&str, SettingType, &str); 6] = [
    (
        "api-base-url",
        SettingType::Url,
        "Base URL of the upstream's REST API (the connector's own default when unset).",
    ),
    (
        "token-url",
        SettingType::Url,
        "The OAuth 2.0 token endpoint (the connector's own default when unset).",
    ),
    (
        "page-size",
        SettingType::U32,
        "Items per page requested from the upstream, 1 to 100 (default 100).",
    ),
    (
        "include-workspaces",
        SettingType::StringList,
        "When not empty, only these workspaces (by slug) are listed.",
    ),
    (
        "exclude-workspaces",
        SettingType::StringList,
        "Workspaces (by slug) never listed, applied after include-workspaces.",
    ),
    (
        "max-requests-per-step",
        SettingType::U32,
        "Most HTTP requests one listing step makes (default 100).",
    ),
];

/// Field names of 0.1.0's credential records, as aliases of the latest
/// kinds' fields (`email` and `token` of `api-token`, `app-password`, ...).
const ALIASES: [(&str, &str); 5] = [
    ("username", "email"),
    ("password", "api-token"),
    ("password", "app-password"),
    ("code", "auth-code"),
    ("token", "access-token"),
];

fn kind(mode: AuthMode) -> CredentialKind {
    match mode {
        AuthMode::OauthClientCredentials => CredentialKind::OauthClientCredentials,
        AuthMode::OauthRefreshToken => CredentialKind::OauthRefreshToken,
        AuthMode::OauthAuthorizationCode => CredentialKind::OauthAuthorizationCode,
        AuthMode::ApiToken | AuthMode::AppPassword => CredentialKind::Basic,
        AuthMode::AccessToken => CredentialKind::BearerToken,
    }
}

fn is_oauth(mode: &AuthMode) -> bool {
    matches!(
        mode,
        AuthMode::OauthClientCredentials
            | AuthMode::OauthRefreshToken
            | AuthMode::OauthAuthorizationCode
    )
}

/// What a 0.1.0 component declares, in the latest model.
pub fn info(raw: &ConnectorInfo) -> latest::ConnectorInfo {
    let mut kinds: Vec<CredentialKind> = Vec::new();
    for k in raw.auth_modes.iter().map(|m| kind(*m)) {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    // In the latest contract's order. 0.1.0's `refresh` renews the OAuth
    // modes' tokens; its `groups` is every group function.
    let declares = |c: Capability| raw.capabilities.contains(&c);
    let mut capabilities = Vec::new();
    if raw.auth_modes.iter().any(is_oauth) {
        capabilities.push(latest::Capability::Refresh);
    }
    if declares(Capability::ResumableListing) {
        capabilities.push(latest::Capability::ResumableListing);
    }
    if declares(Capability::Groups) {
        capabilities.extend([
            latest::Capability::GroupRead,
            latest::Capability::GroupWrite,
            latest::Capability::GroupMembershipWrite,
        ]);
    }
    latest::ConnectorInfo {
        name: raw.name.clone(),
        version: raw.version.clone(),
        contract_version: raw.contract_version.clone(),
        description: format!(
            "{} {}, built against saas:connector@{}; its default hosts: {}.",
            raw.name,
            raw.version,
            raw.contract_version,
            raw.hosts.join(", ")
        ),
        settings: SETTINGS
            .iter()
            .map(|(name, ty, what)| SettingSpec {
                name: name.to_string(),
                type_: *ty,
                default: None,
                required: false,
                description: what.to_string(),
            })
            .collect(),
        credential_slots: vec![CredentialSlot {
            consent: None,
            name: raw.name.clone(),
            required: true,
            kinds,
            fields: Vec::new(),
            aliases: ALIASES
                .iter()
                .map(|(field, alias)| FieldAlias {
                    field: field.to_string(),
                    alias: alias.to_string(),
                })
                .collect(),
            description: "The credentials of the connector's auth modes (contract 0.1.0): an \
                          OAuth client, a refresh token or a code; an email and API token or a \
                          username and app password (as basic); an access token (as bearer)."
                .into(),
        }],
        capabilities,
        budgets: RequestBudgets {
            requests_per_hour: None,
            max_concurrency: None,
        },
    }
}

/// The 0.1.0 `config` record of the latest settings (names as [`SETTINGS`]).
pub fn config(settings: &[Setting]) -> Result<Config, String> {
    let mut c = Config {
        api_base_url: None,
        token_url: None,
        page_size: None,
        include_workspaces: Vec::new(),
        exclude_workspaces: Vec::new(),
        max_requests_per_step: None,
    };
    for s in settings {
        match (s.name.as_str(), &s.value) {
            ("api-base-url", SettingValue::Url(u)) => c.api_base_url = Some(u.clone()),
            ("token-url", SettingValue::Url(u)) => c.token_url = Some(u.clone()),
            ("page-size", SettingValue::U32(n)) => c.page_size = Some(*n),
            ("include-workspaces", SettingValue::StringList(l)) => c.include_workspaces = l.clone(),
            ("exclude-workspaces", SettingValue::StringList(l)) => c.exclude_workspaces = l.clone(),
            ("max-requests-per-step", SettingValue::U32(n)) => c.max_requests_per_step = Some(*n),
            (name, _) => {
                return Err(format!(
                    "a contract 0.1.0 connector has no setting {name:?} of that type"
                ));
            }
        }
    }
    Ok(c)
}

/// The 0.1.0 credentials of the connector's one slot. A basic credential is
/// an API token when its user is an email address (or app passwords are
/// not accepted), else an app password.
pub fn credentials(
    raw: &ConnectorInfo,
    given: &[latest::SlotCredential],
) -> Result<Credentials, ConnectorError> {
    let refuse = |m: String| Err(ConnectorError::InvalidConfig(m));
    let Some(given) = given.iter().find(|g| g.slot == raw.name) else {
        return refuse(format!("no credentials for the slot {}", raw.name));
    };
    let client = |c: &latest::OauthClient| OauthClient {
        client_id: c.client_id.clone(),
        client_secret: c.client_secret.clone(),
    };
    let accepts = |m: AuthMode| raw.auth_modes.contains(&m);
    let (mode, credentials) = match &given.credential {
        Credential::OauthClientCredentials(c) => (
            AuthMode::OauthClientCredentials,
            Credentials::OauthClientCredentials(client(c)),
        ),
        Credential::OauthRefreshToken(r) => (
            AuthMode::OauthRefreshToken,
            Credentials::OauthRefreshToken(OauthRefresh {
                client: client(&r.client),
                refresh_token: r.refresh_token.clone(),
            }),
        ),
        Credential::OauthAuthorizationCode(c) => (
            AuthMode::OauthAuthorizationCode,
            Credentials::OauthAuthorizationCode(OauthCode {
                client: client(&c.client),
                code: c.code.clone(),
                redirect_uri: c.redirect_uri.clone(),
            }),
        ),
        Credential::Basic(b)
            if accepts(AuthMode::ApiToken)
                && (b.username.contains('@') || !accepts(AuthMode::AppPassword)) =>
        {
            (
                AuthMode::ApiToken,
                Credentials::ApiToken(ApiToken {
                    email: b.username.clone(),
                    token: b.password.clone(),
                }),
            )
        }
        Credential::Basic(b) => (
            AuthMode::AppPassword,
            Credentials::AppPassword(AppPassword {
                username: b.username.clone(),
                password: b.password.clone(),
            }),
        ),
        Credential::BearerToken(t) => (AuthMode::AccessToken, Credentials::AccessToken(t.clone())),
        Credential::NamedFields(_) => {
            return refuse("a contract 0.1.0 connector takes no named-fields credential".into());
        }
    };
    if !accepts(mode) {
        return refuse(format!(
            "the connector {} does not accept {mode:?} credentials",
            raw.name
        ));
    }
    Ok(credentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings table is the 0.1.0 `config` record, field for field.
    #[test]
    fn the_settings_are_the_fields_of_the_frozen_config_record() {
        let mut resolve = wit_parser::Resolve::new();
        let pkg = resolve
            .push_str("v0.1.0.wit", super::super::WIT_SOURCE)
            .unwrap();
        let types = resolve.packages[pkg].interfaces["types"];
        let config = resolve.interfaces[types].types["config"];
        let wit_parser::TypeDefKind::Record(record) = &resolve.types[config].kind else {
            panic!("config is a record");
        };
        let fields: Vec<&str> = record.fields.iter().map(|f| f.name.as_str()).collect();
        let names: Vec<&str> = SETTINGS.iter().map(|(n, _, _)| *n).collect();
        assert_eq!(fields.len(), names.len());
        for f in fields {
            assert!(names.contains(&f), "{f} is not a setting");
        }
    }
}
