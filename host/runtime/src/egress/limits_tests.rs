//! The egress limits, each against a scripted loopback server: the
//! concurrency bound, the hourly bucket, the response cap, no redirects,
//! no credentials in URLs, and no retry of a POST's 5xx.

use super::test_server::{get, quick_retries, response, scripted};
use super::*;

#[test]
fn a_batch_never_has_more_requests_in_flight_than_the_concurrency() {
    let (url, seen) = scripted(Duration::from_millis(150), || response("200 OK", "", b"ok"));
    let limits = EgressLimits {
        concurrency: 3,
        ..EgressLimits::default()
    };
    let egress = Egress::new(limits, Allowlist::of_urls([&url]).unwrap());
    let batch: Vec<_> = (0..9).map(|_| get(&url)).collect();
    let results = egress.send_all(&batch);
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().is_ok_and(|r| r.body() == b"ok"))
    );
    assert_eq!(seen.hits.load(Ordering::SeqCst), 9);
    assert_eq!(seen.most_in_flight.load(Ordering::SeqCst), 3);
}

#[test]
fn requests_in_flight_follow_the_cap_and_the_hourly_budget() {
    let limits = |concurrency, requests_per_hour| EgressLimits {
        concurrency,
        requests_per_hour,
        ..EgressLimits::default()
    };
    // No budget: the cap alone.
    assert_eq!(limits(32, None).in_flight(), 32);
    // A budget whose tenth is larger does not lower the cap...
    assert_eq!(limits(32, Some(900)).in_flight(), 32);
    // ...a small one does: no more at once than it lets through at once.
    assert_eq!(limits(32, Some(120)).in_flight(), 12);
    assert_eq!(limits(32, Some(5)).in_flight(), 1);
    assert_eq!(limits(0, None).in_flight(), 1);
}

#[test]
fn the_hourly_bucket_lets_a_tenth_through_at_once_then_paces_the_rest() {
    let mut bucket = Bucket::new(3600);
    // A tenth of the hourly budget at once...
    for _ in 0..360 {
        assert_eq!(bucket.take(), Duration::ZERO);
    }
    // ...then one a second: the next waits about a second, the one after
    // about two.
    let first = bucket.take();
    let second = bucket.take();
    assert!(first > Duration::ZERO && first <= Duration::from_secs(1));
    assert!(second > first + Duration::from_millis(500) && second <= Duration::from_secs(2));
    // A budget under ten an hour still allows one request at once.
    assert_eq!(Bucket::new(5).take(), Duration::ZERO);
}

#[test]
fn a_body_over_the_cap_is_too_large_and_one_at_the_cap_passes() {
    let (url, _) = scripted(Duration::ZERO, || {
        response("200 OK", "", &vec![b'x'; 16 * 1024 * 1024 + 1])
    });
    let egress = Egress::new(EgressLimits::default(), Allowlist::of_urls([&url]).unwrap());
    assert!(matches!(
        egress.send(&get(&url)),
        Err(EgressError::TooLarge(_))
    ));
    let (exact, _) = scripted(Duration::ZERO, || {
        response("200 OK", "", &vec![b'x'; 16 * 1024 * 1024])
    });
    let egress = Egress::new(
        EgressLimits::default(),
        Allowlist::of_urls([&exact]).unwrap(),
    );
    assert_eq!(
        egress.send(&get(&exact)).unwrap().body().len(),
        16 * 1024 * 1024
    );
}

#[test]
fn a_redirect_is_handed_back_not_followed() {
    let (target, target_seen) = scripted(Duration::ZERO, || response("200 OK", "", b"moved"));
    let (url, _) = scripted(Duration::ZERO, || {
        response(
            "302 Found",
            "location: http://127.0.0.1:9/elsewhere\r\n",
            b"",
        )
    });
    let egress = Egress::new(
        EgressLimits::default(),
        Allowlist::of_urls([&url, &target]).unwrap(),
    );
    let answer = egress.send(&get(&url)).unwrap();
    assert_eq!(answer.status(), 302);
    assert_eq!(answer.headers()["location"], "http://127.0.0.1:9/elsewhere");
    assert_eq!(target_seen.hits.load(Ordering::SeqCst), 0);
}

#[test]
fn credentials_in_a_url_are_denied_before_anything_is_sent() {
    let (url, seen) = scripted(Duration::ZERO, || response("200 OK", "", b"ok"));
    let egress = Egress::new(EgressLimits::default(), Allowlist::of_urls([&url]).unwrap());
    for userinfo in ["user:pw@", "user@", ":pw@"] {
        let with = url
            .as_str()
            .replace("http://", &format!("http://{userinfo}"));
        let request = http::Request::get(with).body(Vec::new()).unwrap();
        assert!(
            matches!(egress.send(&request), Err(EgressError::Denied(_))),
            "{userinfo}"
        );
    }
    assert_eq!(seen.hits.load(Ordering::SeqCst), 0);
}

#[test]
fn a_5xx_is_retried_for_a_get_but_never_for_a_post() {
    let (url, seen) = scripted(Duration::ZERO, || {
        response("503 Service Unavailable", "", b"")
    });
    let egress = Egress::new(quick_retries(), Allowlist::of_urls([&url]).unwrap());
    assert_eq!(egress.send(&get(&url)).unwrap().status(), 503);
    assert_eq!(
        seen.hits.load(Ordering::SeqCst),
        3,
        "a GET is retried twice"
    );
    let post = http::Request::post(url.as_str())
        .body(b"{}".to_vec())
        .unwrap();
    assert_eq!(egress.send(&post).unwrap().status(), 503);
    assert_eq!(seen.hits.load(Ordering::SeqCst), 4, "a POST is sent once");
    assert_eq!(egress.counts().retries, 2);
}
