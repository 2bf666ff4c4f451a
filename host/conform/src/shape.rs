//! What the checks of a component's shape share: the problems of `info`.

use saas_runtime::Connector;
use saas_runtime::latest::{CredentialKind, SettingValue};

/// What is wrong with a connector's `info`: an empty or non-kebab name, a
/// version that is not semver, settings and slots badly declared.
pub fn info_problems(c: &Connector) -> Vec<String> {
    let i = c.info();
    let mut problems = Vec::new();
    if i.name.trim().is_empty() {
        problems.push("an empty name".to_string());
    }
    if semver::Version::parse(&i.version).is_err() {
        problems.push(format!("version {:?} is not semver", i.version));
    }
    let kebab = |n: &str| {
        !n.is_empty()
            && n.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            && !n.starts_with('-')
            && !n.ends_with('-')
    };
    if !kebab(&i.name) {
        problems.push(format!("name {:?} is not kebab-case", i.name));
    }
    for s in &i.settings {
        if !kebab(&s.name) {
            problems.push(format!("setting {:?} is not kebab-case", s.name));
        }
        if let Some(d) = &s.default
            && !saas_runtime::settings::value_fits(s.type_, d)
        {
            problems.push(format!(
                "setting {}: the default is not a {:?}",
                s.name, s.type_
            ));
        }
        if let Some(SettingValue::Url(u)) = &s.default
            && !url::Url::parse(u)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        {
            problems.push(format!(
                "setting {}: default {u:?} is not an http(s) URL",
                s.name
            ));
        }
    }
    if i.credential_slots.is_empty() {
        problems.push("no credential slot".into());
    }
    for slot in &i.credential_slots {
        if !kebab(&slot.name) {
            problems.push(format!("slot {:?} is not kebab-case", slot.name));
        }
        if slot.kinds.is_empty() {
            problems.push(format!("slot {} accepts no kind", slot.name));
        }
        if slot.kinds.contains(&CredentialKind::NamedFields) && slot.fields.is_empty() {
            problems.push(format!(
                "slot {} takes named fields but declares none",
                slot.name
            ));
        }
    }
    problems.extend(saas_runtime::consent::declaration_problems(
        &i.credential_slots,
        &i.settings,
    ));
    problems
}
