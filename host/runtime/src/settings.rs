//! Settings and credentials as a connector declares them: typed values from
//! text (variables, `--set`) or TOML, the effective config with defaults,
//! the names of variables, and a credential built from named fields. Knows
//! no vendor: everything comes from the connector's `info`.

use std::collections::BTreeMap;

use crate::wit::latest::{
    BasicAuth, Credential, CredentialField, CredentialKind, CredentialSlot, OauthClient, OauthCode,
    OauthRefresh, Setting, SettingSpec, SettingType, SettingValue,
};

/// Why a setting or a credential is unusable, in a sentence.
pub type Problem = String;

/// Whether `value` is of the type `ty`.
pub fn value_fits(ty: SettingType, value: &SettingValue) -> bool {
    value_type(value) == ty
}

/// The type a value is of.
pub fn value_type(value: &SettingValue) -> SettingType {
    match value {
        SettingValue::String(_) => SettingType::String,
        SettingValue::Bool(_) => SettingType::Bool,
        SettingValue::U32(_) => SettingType::U32,
        SettingValue::Duration(_) => SettingType::Duration,
        SettingValue::Url(_) => SettingType::Url,
        SettingValue::StringList(_) => SettingType::StringList,
    }
}

/// A setting type's name, as the WIT spells it.
pub fn type_name(ty: SettingType) -> &'static str {
    match ty {
        SettingType::String => "string",
        SettingType::Bool => "bool",
        SettingType::U32 => "u32",
        SettingType::Duration => "duration",
        SettingType::Url => "url",
        SettingType::StringList => "string-list",
    }
}

/// A setting's value as text people write (a duration in seconds, a list
/// comma-separated).
pub fn value_text(value: &SettingValue) -> String {
    match value {
        SettingValue::String(s) | SettingValue::Url(s) => s.clone(),
        SettingValue::Bool(b) => b.to_string(),
        SettingValue::U32(n) => n.to_string(),
        SettingValue::Duration(s) => format!("{s}s"),
        SettingValue::StringList(v) => v.join(","),
    }
}

/// A credential kind's name, as the WIT spells it.
pub fn kind_name(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::OauthClientCredentials => "oauth-client-credentials",
        CredentialKind::OauthRefreshToken => "oauth-refresh-token",
        CredentialKind::OauthAuthorizationCode => "oauth-authorization-code",
        CredentialKind::Basic => "basic",
        CredentialKind::BearerToken => "bearer-token",
        CredentialKind::NamedFields => "named-fields",
    }
}

/// Parses a duration: whole seconds, or a number with `s`, `m`, `h` or `d`.
fn duration(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: u64 = digits.parse().ok()?;
    let factor = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(factor)
}

/// Checks that a URL is absolute `http` or `https` with a host and no
/// credentials in it.
pub fn check_url(text: &str) -> Result<url::Url, Problem> {
    // A value with an `@` may hold a user and password: it is not echoed.
    let shown = if text.contains('@') {
        "the URL".to_string()
    } else {
        format!("{text:?}")
    };
    let url = url::Url::parse(text).map_err(|e| format!("{shown} is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("{shown} is not an http(s) URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Never echo it: the user or password in it may be a secret.
        return Err(format!(
            "a URL with the host {:?} carries a user or password; put credentials in a \
             credential slot",
            url.host_str().unwrap_or_default()
        ));
    }
    Ok(url)
}

/// A value of type `ty` from text: `true`/`false` (also `yes`, `no`, `1`,
/// `0`), a number, a duration (`90`, `90s`, `15m`, `2h`, `7d`), a URL, or a
/// comma-separated list.
pub fn parse_value(ty: SettingType, text: &str) -> Result<SettingValue, Problem> {
    let t = text.trim();
    Ok(match ty {
        SettingType::String => SettingValue::String(text.to_string()),
        SettingType::Bool => SettingValue::Bool(match t.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "on" => true,
            "false" | "no" | "0" | "off" => false,
            _ => return Err(format!("{t:?} is not true or false")),
        }),
        SettingType::U32 => SettingValue::U32(
            t.parse()
                .map_err(|_| format!("{t:?} is not a whole number"))?,
        ),
        SettingType::Duration => SettingValue::Duration(
            duration(t).ok_or_else(|| format!("{t:?} is not a duration such as 90s or 7d"))?,
        ),
        SettingType::Url => SettingValue::Url(check_url(t)?.as_str().trim_end_matches('/').into()),
        SettingType::StringList => SettingValue::StringList(
            t.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        ),
    })
}

/// `name` as the suffix of a variable: upper snake case.
pub fn env_name(prefix: &str, name: &str) -> String {
    format!("{prefix}_{name}")
        .replace(['-', '.'], "_")
        .to_ascii_uppercase()
}

/// The effective config: the given settings over the declared defaults.
/// Refuses unknown names, values of the wrong type and missing required
/// settings.
pub fn effective(specs: &[SettingSpec], given: &[Setting]) -> Result<Vec<Setting>, Problem> {
    for g in given {
        match specs.iter().find(|s| s.name == g.name) {
            None => {
                let known: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
                return Err(format!(
                    "the connector has no setting {:?} (it has: {})",
                    g.name,
                    known.join(", ")
                ));
            }
            Some(spec) if !value_fits(spec.type_, &g.value) => {
                return Err(format!(
                    "the setting {} must be a {}",
                    g.name,
                    type_name(spec.type_)
                ));
            }
            Some(_) => {}
        }
    }
    let mut config = Vec::new();
    for spec in specs {
        let value = given
            .iter()
            .rev()
            .find(|g| g.name == spec.name)
            .map(|g| g.value.clone())
            .or_else(|| spec.default.clone());
        match value {
            Some(value) => config.push(Setting {
                name: spec.name.clone(),
                value,
            }),
            None if spec.required => {
                return Err(format!(
                    "the setting {} is required: {}",
                    spec.name, spec.description
                ));
            }
            None => {}
        }
    }
    Ok(config)
}

/// The hosts (with ports) of every `url` setting in a config.
pub fn url_hosts(config: &[Setting]) -> Vec<url::Url> {
    config
        .iter()
        .filter_map(|s| match &s.value {
            SettingValue::Url(u) => url::Url::parse(u).ok(),
            _ => None,
        })
        .collect()
}

/// The fixed field names of each credential kind (the named-fields kind
/// takes the slot's own).
pub fn kind_fields(kind: CredentialKind) -> &'static [&'static str] {
    match kind {
        CredentialKind::OauthClientCredentials => &["client-id", "client-secret"],
        CredentialKind::OauthRefreshToken => &["client-id", "client-secret", "refresh-token"],
        CredentialKind::OauthAuthorizationCode => &[
            "client-id",
            "client-secret",
            "code",
            "redirect-uri",
            "code-verifier",
        ],
        CredentialKind::Basic => &["username", "password"],
        CredentialKind::BearerToken => &["token"],
        CredentialKind::NamedFields => &[],
    }
}

/// The kind names people write (`kind = "..."`), the WIT's kebab-case, plus
/// a few common words.
pub fn kind_named(name: &str) -> Option<CredentialKind> {
    Some(match name {
        "oauth-client-credentials" => CredentialKind::OauthClientCredentials,
        "oauth-refresh-token" => CredentialKind::OauthRefreshToken,
        "oauth-authorization-code" => CredentialKind::OauthAuthorizationCode,
        "basic" | "api-token" | "app-password" | "password" => CredentialKind::Basic,
        "bearer-token" | "access-token" | "token" => CredentialKind::BearerToken,
        "named-fields" | "fields" => CredentialKind::NamedFields,
        _ => return None,
    })
}

/// Every name a slot's field may be given under: the kinds' fields, the
/// named fields, `kind`, and the aliases, each with its canonical name.
pub fn field_names(slot: &CredentialSlot) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![("kind".into(), "kind".into())];
    for kind in &slot.kinds {
        for f in kind_fields(*kind) {
            out.push((f.to_string(), f.to_string()));
        }
    }
    out.extend(slot.fields.iter().map(|f| (f.name.clone(), f.name.clone())));
    out.extend(
        slot.aliases
            .iter()
            .map(|a| (a.alias.clone(), a.field.clone())),
    );
    out.sort();
    out.dedup();
    out
}

/// The kind of credential that the fields make, when `kind` is not given.
/// The OAuth grants are one family, the most specific (refresh token, code)
/// before the bare client; a ready token, a user and secret, and named
/// fields are the others. Fields that make credentials of two families are
/// refused: picking one silently would sign in some other way than meant.
fn guess_kind(
    slot: &CredentialSlot,
    complete: impl Fn(CredentialKind) -> bool,
) -> Result<CredentialKind, Problem> {
    let families: [&[CredentialKind]; 4] = [
        &[CredentialKind::BearerToken],
        &[CredentialKind::Basic],
        &[
            CredentialKind::OauthRefreshToken,
            CredentialKind::OauthAuthorizationCode,
            CredentialKind::OauthClientCredentials,
        ],
        &[CredentialKind::NamedFields],
    ];
    let made: Vec<CredentialKind> = families
        .iter()
        .filter_map(|family| {
            family
                .iter()
                .copied()
                .find(|k| slot.kinds.contains(k) && complete(*k))
        })
        .collect();
    match made.as_slice() {
        [kind] => Ok(*kind),
        [] => Err(format!(
            "the fields given for the slot {} make no credential",
            slot.name
        )),
        several => Err(format!(
            "the fields given for the slot {} make more than one credential ({}): say which \
             with the field kind (kind = \"...\" in the config file, or the variable {})",
            slot.name,
            several
                .iter()
                .map(|k| kind_name(*k))
                .collect::<Vec<_>>()
                .join(", "),
            env_name(&slot.name, "auth-kind")
        )),
    }
}

/// Builds the credential of `slot` from named fields (canonical names or
/// aliases, with `_` or `-`). The kind is `kind` when given, else the first
/// of the slot's kinds whose required fields are all present.
pub fn credential(
    slot: &CredentialSlot,
    given: &BTreeMap<String, String>,
) -> Result<Credential, Problem> {
    let names = field_names(slot);
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in given {
        let name = name.replace('_', "-");
        let Some((_, canonical)) = names.iter().find(|(n, _)| *n == name) else {
            return Err(format!("the slot {} has no field {name:?}", slot.name));
        };
        fields.insert(canonical.clone(), value.clone());
    }
    let has = |f: &str| fields.contains_key(f);
    let complete = |k: CredentialKind| match k {
        CredentialKind::OauthClientCredentials => has("client-id") && has("client-secret"),
        CredentialKind::OauthRefreshToken => has("refresh-token"),
        CredentialKind::OauthAuthorizationCode => has("code"),
        CredentialKind::Basic => has("password"),
        CredentialKind::BearerToken => has("token"),
        CredentialKind::NamedFields => slot.fields.iter().any(|f| has(&f.name)),
    };
    let kind = match fields.get("kind") {
        Some(k) => kind_named(k).ok_or_else(|| format!("unknown credential kind {k:?}"))?,
        None => guess_kind(slot, complete)?,
    };
    if !slot.kinds.contains(&kind) {
        return Err(format!(
            "the slot {} does not take {} credentials",
            slot.name,
            kind_name(kind)
        ));
    }
    let need = |f: &str| {
        fields.get(f).cloned().ok_or_else(|| {
            format!(
                "the slot {} needs the field {f} for {}",
                slot.name,
                kind_name(kind)
            )
        })
    };
    let client = || -> Result<OauthClient, Problem> {
        Ok(OauthClient {
            client_id: need("client-id")?,
            client_secret: need("client-secret")?,
        })
    };
    Ok(match kind {
        CredentialKind::OauthClientCredentials => Credential::OauthClientCredentials(client()?),
        CredentialKind::OauthRefreshToken => Credential::OauthRefreshToken(OauthRefresh {
            client: client()?,
            refresh_token: need("refresh-token")?,
        }),
        CredentialKind::OauthAuthorizationCode => Credential::OauthAuthorizationCode(OauthCode {
            client: client()?,
            code: need("code")?,
            redirect_uri: fields.get("redirect-uri").cloned(),
            code_verifier: fields.get("code-verifier").cloned(),
        }),
        CredentialKind::Basic => Credential::Basic(BasicAuth {
            username: need("username")?,
            password: need("password")?,
        }),
        CredentialKind::BearerToken => Credential::BearerToken(need("token")?),
        CredentialKind::NamedFields => {
            let mut out = Vec::new();
            for spec in &slot.fields {
                match fields.get(&spec.name) {
                    Some(v) => out.push(CredentialField {
                        name: spec.name.clone(),
                        value: v.clone(),
                    }),
                    None if spec.required => {
                        return Err(format!(
                            "the slot {} needs the field {}: {}",
                            slot.name, spec.name, spec.description
                        ));
                    }
                    None => {}
                }
            }
            Credential::NamedFields(out)
        }
    })
}

#[cfg(test)]
mod tests;

/// Sets the setting `name` to `value`, replacing any earlier value.
pub fn set_setting(config: &mut Vec<Setting>, name: &str, value: SettingValue) {
    config.retain(|s| s.name != name);
    config.push(Setting {
        name: name.into(),
        value,
    });
}

/// The value of the setting `name`, if set.
pub fn setting<'a>(config: &'a [Setting], name: &str) -> Option<&'a SettingValue> {
    config.iter().find(|s| s.name == name).map(|s| &s.value)
}
