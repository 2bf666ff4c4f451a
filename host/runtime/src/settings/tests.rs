use super::*;
use crate::wit::latest::FieldAlias;

fn spec(name: &str, ty: SettingType, default: Option<SettingValue>) -> SettingSpec {
    SettingSpec {
        name: name.into(),
        type_: ty,
        default,
        required: false,
        description: "d".into(),
    }
}

fn slot() -> CredentialSlot {
    CredentialSlot {
        consent: None,
        name: "bitbucket".into(),
        required: true,
        kinds: vec![
            CredentialKind::OauthClientCredentials,
            CredentialKind::OauthRefreshToken,
            CredentialKind::Basic,
            CredentialKind::BearerToken,
        ],
        fields: vec![],
        aliases: vec![
            FieldAlias {
                field: "username".into(),
                alias: "email".into(),
            },
            FieldAlias {
                field: "password".into(),
                alias: "api-token".into(),
            },
        ],
        description: "d".into(),
    }
}

fn given(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn values_parse_by_type_and_refuse_what_does_not_fit() {
    assert_eq!(
        parse_value(SettingType::Bool, "yes"),
        Ok(SettingValue::Bool(true))
    );
    assert_eq!(
        parse_value(SettingType::U32, "42"),
        Ok(SettingValue::U32(42))
    );
    assert_eq!(
        parse_value(SettingType::Duration, "7d"),
        Ok(SettingValue::Duration(604_800))
    );
    assert_eq!(
        parse_value(SettingType::StringList, "a, b,,c"),
        Ok(SettingValue::StringList(vec![
            "a".into(),
            "b".into(),
            "c".into()
        ]))
    );
    assert_eq!(
        parse_value(SettingType::Url, "https://x.test/api/"),
        Ok(SettingValue::Url("https://x.test/api".into()))
    );
    assert!(parse_value(SettingType::U32, "-1").is_err());
    assert!(parse_value(SettingType::Url, "ftp://x.test").is_err());
    let secret = parse_value(SettingType::Url, "https://u:hunter2@x.test").unwrap_err();
    assert!(!secret.contains("hunter2"), "{secret}");
    let torn = parse_value(SettingType::Url, "ftp://u:hunter2@x.test").unwrap_err();
    assert!(!torn.contains("hunter2"), "{torn}");
    assert!(parse_value(SettingType::Duration, "3 weeks").is_err());
}

#[test]
fn the_effective_config_fills_defaults_and_refuses_unknown_names() {
    let specs = [
        spec(
            "api-base-url",
            SettingType::Url,
            Some(SettingValue::Url("https://a.test".into())),
        ),
        spec("page-size", SettingType::U32, None),
    ];
    let c = effective(&specs, &[]).unwrap();
    assert_eq!(c.len(), 1);
    let c = effective(
        &specs,
        &[Setting {
            name: "page-size".into(),
            value: SettingValue::U32(5),
        }],
    )
    .unwrap();
    assert_eq!(c.len(), 2);
    let wrong = Setting {
        name: "page-size".into(),
        value: SettingValue::Bool(true),
    };
    assert!(effective(&specs, &[wrong]).is_err());
    let unknown = Setting {
        name: "nope".into(),
        value: SettingValue::U32(1),
    };
    assert!(
        effective(&specs, &[unknown])
            .unwrap_err()
            .contains("api-base-url")
    );
    let mut required = spec("instance", SettingType::Url, None);
    required.required = true;
    assert!(effective(&[required], &[]).is_err());
}

#[test]
fn variable_names_are_upper_snake_case() {
    assert_eq!(
        env_name("bitbucket", "api-base-url"),
        "BITBUCKET_API_BASE_URL"
    );
    assert_eq!(
        env_name("atlassian-admin", "org-id"),
        "ATLASSIAN_ADMIN_ORG_ID"
    );
}

#[test]
fn credentials_are_inferred_from_fields_and_aliases() {
    let s = slot();
    assert!(matches!(
        credential(&s, &given(&[("client_id", "i"), ("client_secret", "s")])),
        Ok(Credential::OauthClientCredentials(_))
    ));
    assert!(matches!(
        credential(
            &s,
            &given(&[
                ("client-id", "i"),
                ("client-secret", "s"),
                ("refresh-token", "r")
            ])
        ),
        Ok(Credential::OauthRefreshToken(_))
    ));
    assert_eq!(
        credential(&s, &given(&[("email", "a@x.test"), ("api_token", "t")])),
        Ok(Credential::Basic(BasicAuth {
            username: "a@x.test".into(),
            password: "t".into()
        }))
    );
    assert!(credential(&s, &given(&[("email", "a@x.test")])).is_err());
    assert!(
        credential(&s, &given(&[("colour", "blue")]))
            .unwrap_err()
            .contains("colour")
    );
    assert!(credential(&s, &given(&[("kind", "named-fields"), ("token", "t")])).is_err());
    assert!(matches!(
        credential(&s, &given(&[("kind", "access-token"), ("token", "t")])),
        Ok(Credential::BearerToken(_))
    ));
    // Within the OAuth grants, the most specific one is meant.
    let all = [
        ("client-id", "i"),
        ("client-secret", "s"),
        ("refresh-token", "r"),
        ("token", "t"),
    ];
    assert!(matches!(
        credential(&s, &given(&all[..3])),
        Ok(Credential::OauthRefreshToken(_))
    ));
    // Credentials of two families are refused, naming both and the way out.
    let both = credential(&s, &given(&all)).unwrap_err();
    assert!(
        both.contains("more than one credential (bearer-token, oauth-refresh-token)")
            && both.contains("kind"),
        "{both}"
    );
    let mut chosen = given(&all);
    chosen.insert("kind".into(), "oauth-refresh-token".into());
    assert!(matches!(
        credential(&s, &chosen),
        Ok(Credential::OauthRefreshToken(_))
    ));
}
