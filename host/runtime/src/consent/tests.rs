use super::*;

fn flow(pkce: bool) -> ConsentFlow {
    ConsentFlow {
        authorize_setting: "authorize-url".into(),
        scopes: vec!["account".into(), "email".into()],
        parameters: vec![("prompt".into(), "consent".into())],
        pkce,
        refresh_idle_days: None,
        registration: String::new(),
        revocation: String::new(),
    }
}

fn query(r: &AuthorizationRequest) -> Vec<(String, String)> {
    r.url.query_pairs().into_owned().collect()
}

fn param<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

const PAGE: &str = "https://provider.example/oauth/authorize?tenant=a";
const BACK: &str = "http://127.0.0.1:8976/callback";

#[test]
fn the_request_carries_every_parameter_and_an_s256_challenge_of_its_verifier() {
    let r = AuthorizationRequest::new(&flow(true), PAGE, "client 1", BACK).unwrap();
    let q = query(&r);
    assert_eq!(param(&q, "tenant"), Some("a"), "the page's own query stays");
    assert_eq!(param(&q, "client_id"), Some("client 1"));
    assert_eq!(param(&q, "response_type"), Some("code"));
    assert_eq!(param(&q, "redirect_uri"), Some(BACK));
    assert_eq!(param(&q, "scope"), Some("account email"));
    assert_eq!(param(&q, "prompt"), Some("consent"));
    assert_eq!(param(&q, "state"), Some(r.state.as_str()));
    assert_eq!(param(&q, "code_challenge_method"), Some("S256"));
    let verifier = r.verifier.as_deref().unwrap();
    // RFC 7636: 43 to 128 characters of the unreserved set.
    assert!((43..=128).contains(&verifier.len()));
    assert!(
        verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    );
    assert_eq!(
        param(&q, "code_challenge"),
        Some(challenge(verifier).as_str())
    );
    assert!(
        !r.url.as_str().contains(verifier),
        "the verifier never leaves"
    );
}

#[test]
fn the_challenge_is_rfc_7636s_example() {
    // RFC 7636 appendix B.
    assert_eq!(
        challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

#[test]
fn without_pkce_or_scopes_nothing_of_them_is_sent_and_each_request_is_fresh() {
    let mut f = flow(false);
    f.scopes.clear();
    let a = AuthorizationRequest::new(&f, PAGE, "c", BACK).unwrap();
    let b = AuthorizationRequest::new(&f, PAGE, "c", BACK).unwrap();
    let q = query(&a);
    assert!(a.verifier.is_none());
    assert_eq!(param(&q, "code_challenge"), None);
    assert_eq!(param(&q, "scope"), None);
    assert_ne!(a.state, b.state);
}

#[test]
fn the_redirect_gives_its_code_only_with_the_requests_state() {
    let r = AuthorizationRequest::new(&flow(true), PAGE, "c", BACK).unwrap();
    let ok = format!("code=abc&state={}", r.state);
    assert_eq!(r.code_from(&ok).unwrap(), "abc");
    for forged in [
        "code=abc".to_string(),
        "code=abc&state=".to_string(),
        format!("code=abc&state={}x", r.state),
        format!("code=abc&state={}", &r.state[1..]),
    ] {
        assert_eq!(
            r.code_from(&forged),
            Err(ConsentError::StateMismatch),
            "{forged}"
        );
    }
    let denied = format!(
        "error=access_denied&error_description=No+thanks&state={}",
        r.state
    );
    assert_eq!(
        r.code_from(&denied).unwrap_err().to_string(),
        "the provider answered access_denied: No thanks"
    );
    let forged_error = "error=access_denied&state=nope";
    assert_eq!(r.code_from(forged_error), Err(ConsentError::StateMismatch));
    assert_eq!(
        r.code_from(&format!("state={}", r.state)),
        Err(ConsentError::NoCode)
    );
}

#[test]
fn the_credential_repeats_the_redirect_uri_and_carries_the_verifier() {
    let r = AuthorizationRequest::new(&flow(true), PAGE, "c", BACK).unwrap();
    let client = OauthClient {
        client_id: "c".into(),
        client_secret: "s".into(),
    };
    let Credential::OauthAuthorizationCode(c) = r.credential(client, "abc".into()) else {
        panic!("an authorization-code credential");
    };
    assert_eq!(c.redirect_uri.as_deref(), Some(BACK));
    assert_eq!(c.code_verifier, r.verifier);
    assert_eq!(c.code, "abc");
}

#[test]
fn a_page_that_is_not_http_is_refused() {
    for page in ["not a url", "file:///etc/passwd", "mailto:a@b.example"] {
        assert!(matches!(
            AuthorizationRequest::new(&flow(true), page, "c", BACK),
            Err(ConsentError::BadPage(_))
        ));
    }
}

#[test]
fn a_flow_must_sit_on_a_slot_that_takes_a_code_and_name_a_url_setting() {
    let slot = |kinds: Vec<CredentialKind>, page: &str| CredentialSlot {
        name: "acme".into(),
        required: true,
        kinds,
        fields: vec![],
        aliases: vec![],
        description: String::new(),
        consent: Some(ConsentFlow {
            authorize_setting: page.into(),
            ..flow(true)
        }),
    };
    let setting = |name: &str, type_| SettingSpec {
        name: name.into(),
        type_,
        default: None,
        required: false,
        description: String::new(),
    };
    let settings = [
        setting("authorize-url", SettingType::Url),
        setting("page-size", SettingType::U32),
    ];
    let code = vec![CredentialKind::OauthAuthorizationCode];
    assert!(declaration_problems(&[slot(code.clone(), "authorize-url")], &settings).is_empty());
    let wrong = [
        slot(vec![CredentialKind::BearerToken], "authorize-url"),
        slot(code.clone(), "page-size"),
        slot(code, "missing"),
    ];
    let problems = declaration_problems(&wrong, &settings);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].contains("takes no oauth-authorization-code"));
    assert!(problems[1].contains("\"page-size\", which is not a url setting"));
    let mut none = wrong[0].clone();
    none.consent = None;
    assert!(declaration_problems(&[none], &[]).is_empty());
}
