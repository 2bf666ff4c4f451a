use std::sync::atomic::Ordering;
use std::time::Duration;

use super::super::test_server::{get, quick_retries, response, scripted};
use super::super::{Allowlist, Egress, EgressError};
use super::*;

fn page(url: &Url, n: u32) -> http::Request<Vec<u8>> {
    let mut url = url.join("api/members").unwrap();
    url.query_pairs_mut().append_pair("page", &n.to_string());
    get(&url)
}

#[test]
fn a_rule_faults_only_the_attempts_it_picks_and_the_rest_reach_the_upstream() {
    let (url, hits) = scripted(Duration::ZERO, || response("200 OK", "", b"{}"));
    let layer = FaultLayer::new(Allowlist::of_urls([&url]).unwrap());
    layer.inject(Rule {
        matches: Match {
            path: Some("/api/{list}".into()),
            query: Some(("page".into(), "2".into())),
            ..Match::default()
        },
        skip: 0,
        times: 1,
        fault: Fault::Status {
            status: 503,
            retry_after: Some(0),
            body: b"busy".to_vec(),
        },
    });
    let egress = Egress::new(quick_retries(), layer.clone());
    assert_eq!(egress.send(&page(&url, 1)).unwrap().status(), 200);
    // The 503 is retried by the egress, and the retry reaches the upstream.
    assert_eq!(egress.send(&page(&url, 2)).unwrap().status(), 200);
    assert_eq!(hits.hits.load(Ordering::SeqCst), 2);
    let seen: Vec<String> = layer.exchanges().iter().map(Exchange::describe).collect();
    assert_eq!(
        seen,
        [
            "GET /api/members?page=1 → 200",
            "GET /api/members?page=2 → 503 (injected)",
            "GET /api/members?page=2 → 200"
        ]
    );
}

#[test]
fn a_denial_stays_a_denial_and_is_never_recorded_as_an_attempt() {
    let (url, hits) = scripted(Duration::ZERO, || response("200 OK", "", b"{}"));
    let layer = FaultLayer::new(Allowlist::of_urls([&url]).unwrap());
    layer.inject(Rule::always(Match::default(), Fault::Reset));
    let egress = Egress::new(quick_retries(), layer.clone());
    let foreign = get(&Url::parse("http://127.0.0.2:9/x").unwrap());
    assert!(matches!(egress.send(&foreign), Err(EgressError::Denied(_))));
    assert!(layer.exchanges().is_empty());
    assert!(matches!(
        egress.send(&page(&url, 1)),
        Err(EgressError::Transport(_))
    ));
    assert_eq!(hits.hits.load(Ordering::SeqCst), 0);
}

#[test]
fn an_injected_denial_is_a_denial_that_never_reaches_the_upstream_nor_is_retried() {
    let (url, hits) = scripted(Duration::ZERO, || response("200 OK", "", b"{}"));
    let layer = FaultLayer::new(Allowlist::of_urls([&url]).unwrap());
    layer.inject(Rule::always(
        Match::default(),
        Fault::Denied("policy".into()),
    ));
    let egress = Egress::new(quick_retries(), layer.clone());
    match egress.send(&page(&url, 1)) {
        Err(EgressError::Denied(reason)) => assert_eq!(reason, "policy"),
        other => panic!("{other:?}"),
    }
    assert_eq!(hits.hits.load(Ordering::SeqCst), 0);
    assert_eq!(layer.exchanges().len(), 1);
}

#[test]
fn a_rewrite_changes_the_upstreams_answer_and_credentials_are_kept_only_as_fingerprints() {
    let (url, _) = scripted(Duration::ZERO, || response("200 OK", "", b"{\"a\":1}"));
    let layer = FaultLayer::new(Allowlist::of_urls([&url]).unwrap());
    layer.inject(Rule {
        skip: 1,
        times: 1,
        ..Rule::always(
            Match {
                header: Some((http::header::AUTHORIZATION, "Bearer old".into())),
                ..Match::default()
            },
            Fault::Rewrite(Arc::new(|r| *r.body_mut() = b"<html>".to_vec())),
        )
    });
    let egress = Egress::new(quick_retries(), layer.clone());
    let mut request = page(&url, 1);
    request.headers_mut().insert(
        http::header::AUTHORIZATION,
        http::HeaderValue::from_static("Bearer old"),
    );
    let bodies: Vec<Vec<u8>> = (0..3)
        .map(|_| egress.send(&request).unwrap().into_body())
        .collect();
    assert_eq!(
        bodies,
        [
            b"{\"a\":1}".to_vec(),
            b"<html>".to_vec(),
            b"{\"a\":1}".to_vec()
        ]
    );
    let seen = layer.exchanges();
    assert_eq!(seen[1].authorization, Some(fingerprint(b"Bearer old")));
    assert!(!format!("{seen:?}").contains("Bearer old"));
}

#[test]
fn path_templates_match_one_segment_per_brace() {
    assert!(path_matches("/a/{x}/b", "/a/1/b"));
    assert!(!path_matches("/a/{x}/b", "/a//b"));
    assert!(!path_matches("/a/{x}", "/a/1/b"));
    assert!(path_matches("/a", "/a"));
}
