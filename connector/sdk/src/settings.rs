//! Declaring settings ([`SettingSpec`] builders) and reading them from the
//! effective config with their types checked. A value of the wrong type is
//! `invalid-config`, never a panic.

use crate::{ConnectorError, Result, Setting, SettingSpec, SettingType, SettingValue};

impl SettingSpec {
    /// An optional setting with no default.
    pub fn new(name: &str, ty: SettingType, description: &str) -> Self {
        SettingSpec {
            name: name.into(),
            type_: ty,
            default: None,
            required: false,
            description: description.into(),
        }
    }

    /// Sets the default.
    pub fn default(mut self, value: SettingValue) -> Self {
        self.default = Some(value);
        self
    }

    /// Marks it required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
}

/// The value of the setting `name`, when the config has it.
pub fn get<'a>(config: &'a [Setting], name: &str) -> Option<&'a SettingValue> {
    config.iter().find(|s| s.name == name).map(|s| &s.value)
}

fn wrong(name: &str, want: &str) -> ConnectorError {
    ConnectorError::InvalidConfig(format!("the setting {name} must be {want}"))
}

/// A `string` (or `url`) setting.
pub fn string(config: &[Setting], name: &str) -> Result<Option<String>> {
    match get(config, name) {
        None => Ok(None),
        Some(SettingValue::String(s) | SettingValue::Url(s)) => Ok(Some(s.clone())),
        Some(_) => Err(wrong(name, "a string")),
    }
}

/// A `url` setting (a `string` is accepted too; the connector parses it).
pub fn url(config: &[Setting], name: &str) -> Result<Option<String>> {
    string(config, name).map_err(|_| wrong(name, "a URL"))
}

/// A `u32` setting.
pub fn u32(config: &[Setting], name: &str) -> Result<Option<u32>> {
    match get(config, name) {
        None => Ok(None),
        Some(SettingValue::U32(n)) => Ok(Some(*n)),
        Some(_) => Err(wrong(name, "a whole number")),
    }
}

/// A `bool` setting.
pub fn bool(config: &[Setting], name: &str) -> Result<Option<bool>> {
    match get(config, name) {
        None => Ok(None),
        Some(SettingValue::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(wrong(name, "true or false")),
    }
}

/// A `duration` setting, in seconds.
pub fn duration(config: &[Setting], name: &str) -> Result<Option<u64>> {
    match get(config, name) {
        None => Ok(None),
        Some(SettingValue::Duration(s)) => Ok(Some(*s)),
        Some(_) => Err(wrong(name, "a duration")),
    }
}

/// A `string-list` setting; empty when absent.
pub fn strings(config: &[Setting], name: &str) -> Result<Vec<String>> {
    match get(config, name) {
        None => Ok(Vec::new()),
        Some(SettingValue::StringList(v)) => Ok(v.clone()),
        Some(_) => Err(wrong(name, "a list of strings")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Vec<Setting> {
        vec![
            Setting {
                name: "base".into(),
                value: SettingValue::Url("https://x.test".into()),
            },
            Setting {
                name: "size".into(),
                value: SettingValue::U32(7),
            },
        ]
    }

    #[test]
    fn typed_reads_return_values_defaults_and_typed_errors() {
        let c = config();
        assert_eq!(url(&c, "base").unwrap().as_deref(), Some("https://x.test"));
        assert_eq!(u32(&c, "size").unwrap(), Some(7));
        assert_eq!(u32(&c, "absent").unwrap(), None);
        assert!(strings(&c, "absent").unwrap().is_empty());
        let err = bool(&c, "size").unwrap_err();
        assert!(matches!(err, ConnectorError::InvalidConfig(ref m) if m.contains("size")));
    }
}
