//! Prefetching against a scripted loopback server: an answer fetched ahead
//! is taken once by the identical request, a request still in flight is
//! waited for rather than sent twice, an answer is taken as soon as it is
//! in (not when the rest of its group is), only GET and HEAD are taken, the
//! headers are part of the match, the policy still refuses, the table's
//! bounds hold, and prefetches and batches together keep the per-host cap.

use std::sync::atomic::AtomicU32;
use std::time::Instant;

use super::prefetch::{Claims, Key};
use super::test_server::{get, response, scripted};
use super::*;

/// A server whose every answer's body is the number of the request (1, 2…).
fn numbered(delay: Duration) -> (Url, Arc<test_server::Seen>) {
    let n = Arc::new(AtomicU32::new(0));
    scripted(delay, move || {
        let i = n.fetch_add(1, Ordering::SeqCst) + 1;
        response("200 OK", "", i.to_string().as_bytes())
    })
}

fn egress_for(url: &Url, limits: EgressLimits) -> Arc<Egress> {
    Arc::new(Egress::new(limits, Allowlist::of_urls([url]).unwrap()))
}

fn body(answer: Answer) -> String {
    String::from_utf8(answer.unwrap().into_body()).unwrap()
}

fn settle(seen: &test_server::Seen, hits: u32) {
    let start = Instant::now();
    while seen.hits.load(Ordering::SeqCst) < hits && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_prefetched_answer_is_taken_once_by_the_same_request() {
    let (url, seen) = numbered(Duration::ZERO);
    let egress = egress_for(&url, EgressLimits::default());
    egress.prefetch(vec![get(&url)]);
    settle(&seen, 1);
    assert_eq!(body(egress.send(&get(&url))), "1");
    assert_eq!(seen.hits.load(Ordering::SeqCst), 1);
    // Taken: the same request again goes out again.
    assert_eq!(body(egress.send(&get(&url))), "2");
    assert_eq!(egress.counts().requests, 2);
    assert_eq!(egress.counts().answered_ahead, 1);
}

#[test]
fn a_request_still_in_flight_is_waited_for_not_sent_twice() {
    let (url, seen) = numbered(Duration::from_millis(200));
    let egress = egress_for(&url, EgressLimits::default());
    let batch: Vec<_> = (0..4)
        .map(|i| get(&url.join(&format!("page/{i}")).unwrap()))
        .collect();
    egress.prefetch(batch.clone());
    let answers = egress.send_all(&batch);
    assert!(answers.iter().all(Result::is_ok));
    assert_eq!(seen.hits.load(Ordering::SeqCst), 4);
}

#[test]
fn an_answer_is_taken_before_the_rest_of_its_group_is_in() {
    use std::sync::atomic::AtomicBool;
    // The second request is held until the test lets it go.
    let (n, released, second_answered) = (
        Arc::new(AtomicU32::new(0)),
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let (release, answered) = (released.clone(), second_answered.clone());
    let (url, _) = scripted(Duration::ZERO, move || {
        let i = n.fetch_add(1, Ordering::SeqCst) + 1;
        if i == 2 {
            let start = Instant::now();
            while !release.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(5));
            }
            answered.store(true, Ordering::SeqCst);
        }
        response("200 OK", "", i.to_string().as_bytes())
    });
    let limits = EgressLimits {
        concurrency: 1,
        ..EgressLimits::default()
    };
    let egress = egress_for(&url, limits);
    let (first, second) = (
        get(&url.join("first").unwrap()),
        get(&url.join("second").unwrap()),
    );
    egress.prefetch(vec![first.clone(), second.clone()]);
    assert_eq!(body(egress.send(&first)), "1");
    assert!(
        !second_answered.load(Ordering::SeqCst),
        "the first answer waited for the second"
    );
    released.store(true, Ordering::SeqCst);
    assert_eq!(body(egress.send(&second)), "2");
    assert_eq!(egress.counts().answered_ahead, 2);
}

#[test]
fn only_identical_get_and_head_requests_are_served_ahead() {
    let (url, seen) = numbered(Duration::ZERO);
    let egress = egress_for(&url, EgressLimits::default());
    let post = http::Request::post(url.as_str())
        .body(b"x".to_vec())
        .unwrap();
    let with_token = |t: &str| {
        http::Request::get(url.as_str())
            .header("authorization", t)
            .body(Vec::new())
            .unwrap()
    };
    egress.prefetch(vec![post.clone(), with_token("Bearer old")]);
    settle(&seen, 1);
    std::thread::sleep(Duration::from_millis(50));
    // The POST was not sent ahead; the GET was, but another token is
    // another request.
    assert_eq!(seen.hits.load(Ordering::SeqCst), 1);
    assert_eq!(body(egress.send(&with_token("Bearer new"))), "2");
    assert_eq!(body(egress.send(&post)), "3");
    assert_eq!(body(egress.send(&with_token("Bearer old"))), "1");
}

#[test]
fn the_policy_refuses_a_prefetch_as_it_refuses_a_send() {
    let (url, seen) = numbered(Duration::ZERO);
    let (other, other_seen) = numbered(Duration::ZERO);
    let egress = egress_for(&url, EgressLimits::default());
    egress.prefetch(vec![get(&other)]);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(other_seen.hits.load(Ordering::SeqCst), 0);
    assert!(matches!(
        egress.send(&get(&other)),
        Err(EgressError::Denied(_))
    ));
    assert_eq!(seen.hits.load(Ordering::SeqCst), 0);
}

#[test]
fn the_table_holds_no_more_entries_or_bytes_than_its_bounds() {
    let (url, seen) = numbered(Duration::ZERO);
    let limits = EgressLimits {
        prefetch: PrefetchLimits {
            entries: 2,
            bytes: 1,
            keep: Duration::from_secs(60),
        },
        ..EgressLimits::default()
    };
    let egress = egress_for(&url, limits);
    let pages: Vec<_> = (0..4)
        .map(|i| get(&url.join(&format!("page/{i}")).unwrap()))
        .collect();
    egress.prefetch(pages.clone());
    settle(&seen, 2);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(seen.hits.load(Ordering::SeqCst), 2, "two entries at most");
    // One-byte bodies fit the one byte once: the other answer was dropped
    // and its request goes out again.
    let answers = egress.send_all(&pages);
    assert!(answers.iter().all(Result::is_ok));
    assert_eq!(seen.hits.load(Ordering::SeqCst), 5);
}

#[test]
fn prefetches_and_batches_together_keep_the_per_host_cap() {
    let (url, seen) = numbered(Duration::from_millis(100));
    let limits = EgressLimits {
        concurrency: 3,
        ..EgressLimits::default()
    };
    let egress = egress_for(&url, limits);
    let ahead: Vec<_> = (0..6)
        .map(|i| get(&url.join(&format!("ahead/{i}")).unwrap()))
        .collect();
    let now: Vec<_> = (0..6)
        .map(|i| get(&url.join(&format!("now/{i}")).unwrap()))
        .collect();
    egress.prefetch(ahead.clone());
    assert!(egress.send_all(&now).iter().all(Result::is_ok));
    assert!(egress.send_all(&ahead).iter().all(Result::is_ok));
    assert_eq!(seen.hits.load(Ordering::SeqCst), 12);
    assert_eq!(seen.most_in_flight.load(Ordering::SeqCst), 3);
}

#[test]
fn a_claim_left_unfiled_is_released_and_its_request_sent_by_the_caller() {
    let (url, seen) = numbered(Duration::ZERO);
    let egress = egress_for(&url, EgressLimits::default());
    // A worker that claimed the request and stopped before filing it (a
    // panic, or no thread to run on).
    let claimed = egress.prefetched.claim(vec![Key::of(&get(&url))]);
    assert_eq!(claimed.len(), 1);
    let waiter = {
        let egress = Arc::clone(&egress);
        std::thread::spawn(move || body(egress.send(&get(&url))))
    };
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(
        seen.hits.load(Ordering::SeqCst),
        0,
        "the caller waits for the claim"
    );
    drop(Claims::new(Arc::clone(&egress), claimed));
    assert_eq!(waiter.join().unwrap(), "1");
    assert_eq!(seen.hits.load(Ordering::SeqCst), 1);
    assert_eq!(egress.counts().answered_ahead, 0);
}
