//! Settings the connector must refuse before it sends anything: a required
//! one left out, a URL that is not one, a value of the wrong type.

use saas_runtime::latest::{Setting, SettingSpec, SettingType, SettingValue};

use super::auth::expect_kind;
use super::{Bench, Miss, Outcome, Subject};

/// A value of another type than `ty`.
fn wrong_type(ty: SettingType) -> SettingValue {
    match ty {
        SettingType::String => SettingValue::U32(7),
        SettingType::Bool => SettingValue::String("yes".into()),
        SettingType::U32 | SettingType::Duration => SettingValue::String("many".into()),
        SettingType::Url => SettingValue::Bool(true),
        SettingType::StringList => SettingValue::U32(3),
    }
}

/// The scenario's settings with `name` left out, or set to `value`.
fn with(settings: &[Setting], name: &str, value: Option<SettingValue>) -> Vec<Setting> {
    let mut out: Vec<Setting> = settings
        .iter()
        .filter(|s| s.name != name)
        .cloned()
        .collect();
    out.extend(value.map(|value| Setting {
        name: name.into(),
        value,
    }));
    out
}

/// The bad configurations a connector's declarations imply, each named.
fn cases(specs: &[SettingSpec], settings: &[Setting]) -> Vec<(String, Vec<Setting>)> {
    let mut out = Vec::new();
    for spec in specs {
        let name = &spec.name;
        if spec.required && spec.default.is_none() {
            out.push((format!("without {name}"), with(settings, name, None)));
        }
        if spec.type_ == SettingType::Url {
            for bad in ["not a url", "ftp://files.example/"] {
                let value = Some(SettingValue::Url(bad.into()));
                out.push((format!("{name} = {bad:?}"), with(settings, name, value)));
            }
        }
        let value = Some(wrong_type(spec.type_));
        out.push((
            format!("{name} of the wrong type"),
            with(settings, name, value),
        ));
    }
    out
}

/// What one bad configuration came to: `invalid-config` before any
/// request, or why not.
fn refused(b: &Bench<'_>, settings: &[Setting]) -> Result<(), String> {
    b.faults.reset();
    let Ok(config) = b.c.config(settings) else {
        // A 0.1.0 component's host checks the types itself.
        return Ok(());
    };
    let error = match b.c.authenticate(&b.io, &config, &b.valid) {
        Ok(Err(e)) => e,
        Ok(Ok(session)) => match b.c.list_users(&b.io, &config, &session, None) {
            Ok(Err(e)) => e,
            Ok(Ok(_)) => return Err("authenticate and the first step both succeeded".into()),
            Err(e) => return Err(format!("list-users: {e}")),
        },
        Err(e) => return Err(format!("authenticate: {e}")),
    };
    expect_kind(&error, "invalid-config")?;
    match b.requests().first() {
        Some(x) => Err(format!("invalid-config, but only after {}", x.describe())),
        None => Ok(()),
    }
}

/// Each required setting left out, each URL setting given something that
/// is no http(s) URL, and each setting given a value of another type gives
/// `invalid-config` from `authenticate` (or the first step), with no
/// request sent.
pub fn validation(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let specs = s.c.info().settings.clone();
    let cases = cases(&specs, &b.settings);
    if cases.is_empty() {
        return Err(Miss::Skip("the connector declares no setting".into()));
    }
    for (name, settings) in &cases {
        refused(&b, settings).map_err(|why| Miss::Fail(format!("{name}: {why}")))?;
    }
    Ok(format!(
        "{} bad configurations of {} settings: invalid-config, no request",
        cases.len(),
        specs.len()
    ))
}
