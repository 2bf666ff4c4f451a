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

/// A `url` setting that must be an absolute `http` or `https` URL with a
/// host and no user or password, without its trailing `/`: what a base
/// URL is. Anything else is `invalid-config` naming the setting, before
/// any request (the host would deny it later, and less clearly).
pub fn base_url(config: &[Setting], name: &str) -> Result<Option<String>> {
    let Some(text) = url(config, name)? else {
        return Ok(None);
    };
    let text = text.trim();
    // Bytes rather than string patterns: every connector carries this.
    let rest = ["https://", "http://"].iter().find_map(|scheme| {
        let head = text.as_bytes().get(..scheme.len())?;
        head.eq_ignore_ascii_case(scheme.as_bytes())
            .then(|| &text.as_bytes()[scheme.len()..])
    });
    let Some(rest) = rest else {
        return Err(wrong(name, "an http or https URL"));
    };
    let authority = rest.iter().take_while(|b| !matches!(b, b'/' | b'?' | b'#'));
    let bad = |b: &u8| *b <= b' ' || *b == 0x7f || *b == b'\\';
    if matches!(authority.clone().next(), None | Some(b':'))
        || authority.clone().any(|b| *b == b'@')
        || text.as_bytes().iter().any(bad)
    {
        return Err(wrong(name, "an http or https URL with a host"));
    }
    Ok(Some(text.trim_end_matches('/').to_string()))
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

    fn base(text: &str) -> Result<Option<String>> {
        let c = vec![Setting {
            name: "base".into(),
            value: SettingValue::Url(text.into()),
        }];
        base_url(&c, "base")
    }

    #[test]
    fn base_urls_are_absolute_http_with_a_host_and_lose_their_trailing_slash() {
        assert_eq!(
            base("https://x.test/").unwrap().as_deref(),
            Some("https://x.test")
        );
        let port = base("http://127.0.0.1:7990/bb").unwrap();
        assert_eq!(port.as_deref(), Some("http://127.0.0.1:7990/bb"));
        assert_eq!(
            base("HTTPS://x.test").unwrap().as_deref(),
            Some("HTTPS://x.test")
        );
        assert_eq!(base_url(&config(), "absent").unwrap(), None);
        for bad in [
            "not a url",
            "ftp://files.example/",
            "https://",
            "https:///path",
            "http://:80/",
            "https://user:pw@x.test",
            "https://x .test",
            "https://x.test/a\tb",
        ] {
            let err = base(bad).unwrap_err();
            assert!(
                matches!(err, ConnectorError::InvalidConfig(ref m) if m.contains("base")),
                "{bad}"
            );
        }
    }
}
