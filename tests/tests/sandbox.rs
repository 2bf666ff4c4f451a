//! The sandbox holds against connectors that misbehave: runaway CPU,
//! unbounded memory, a trap, a request outside the allowlist (the Cirrus
//! test connector's defects, against the replay of its scenario), and
//! against calls that wait too long.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use saas_conform::scenario_kit::Bench;
use saas_runtime::egress::Fault;

use e2e::{config, connector, demo_credentials, fake, io, settings};
use fake_bitbucket::{Faults, NextFault};
use saas_runtime::latest::{ConnectorError, SettingValue};
use saas_runtime::settings::set_setting;
use saas_runtime::{HostError, Runtime, RuntimeOptions};

fn strict_runtime() -> Runtime {
    runtime_with_wall_limit(Duration::from_secs(60))
}

fn runtime_with_wall_limit(wall_limit: Duration) -> Runtime {
    Runtime::new(RuntimeOptions {
        cache_dir: None,
        memory_limit: 64 * 1024 * 1024,
        cpu_budget: Duration::from_secs(1),
        wall_limit,
    })
    .unwrap()
}

#[test]
fn time_spent_waiting_on_http_does_not_count_against_the_cpu_budget() {
    let fake = fake(2, 30);
    fake.set_faults(Faults {
        latency: Duration::from_millis(400),
        ..Faults::default()
    });
    let rt = strict_runtime();
    let c = rt.load(e2e::BITBUCKET).unwrap();
    let (io, _) = io(&fake);
    let session = c
        .authenticate(&io, &config(&settings(&fake)), &demo_credentials())
        .unwrap()
        .unwrap();
    // Discovery then a batch: well over a second of waiting, little CPU.
    let page = c
        .list_users(&io, &config(&settings(&fake)), &session, None)
        .unwrap()
        .unwrap();
    assert!(page.next_cursor.is_none());
}

#[test]
fn a_call_that_waits_past_its_wall_clock_limit_is_stopped() {
    let fake = fake(2, 30);
    let (io, _) = io(&fake);
    let mut settings = settings(&fake);
    set_setting(&mut settings, "page-size", SettingValue::U32(10));
    let session = connector()
        .authenticate(&io, &config(&settings), &demo_credentials())
        .unwrap()
        .unwrap();
    fake.set_faults(Faults {
        latency: Duration::from_millis(300),
        ..Faults::default()
    });
    // Three rounds of requests, 300 ms each, little CPU: a 500 ms limit
    // ends the call, whether the guest is stopped or its last requests are
    // cut at the deadline.
    let rt = runtime_with_wall_limit(Duration::from_millis(500));
    let c = rt.load(e2e::BITBUCKET).unwrap();
    match c.list_users(&io, &c.config(&settings).unwrap(), &session, None) {
        Err(HostError::WallClockExceeded(_)) => {}
        Ok(Err(ConnectorError::Transport(_) | ConnectorError::DeniedByHost(_))) => {}
        other => panic!(
            "the call went on past its limit: {:?}",
            other.map(|r| r.map(|p| p.users.len()))
        ),
    }
    // The host goes on.
    fake.set_faults(Faults::default());
    assert!(
        connector()
            .list_users(&io, &config(&settings), &session, None)
            .unwrap()
            .is_ok()
    );
}

#[test]
fn the_real_connector_refuses_a_foreign_link_itself() {
    let fake = fake_bitbucket::FakeBitbucket::start(fake_bitbucket::FakeConfig {
        workspaces: 1,
        members: 150,
        page_counts: false,
        ..Default::default()
    })
    .unwrap();
    fake.set_faults(Faults {
        next: NextFault::Foreign(fake.foreign_base_url()),
        ..Faults::default()
    });
    let (io, _) = io(&fake);
    let cfg = config(&settings(&fake));
    let session = connector()
        .authenticate(&io, &cfg, &demo_credentials())
        .unwrap()
        .unwrap();
    let mut cursor = None;
    let err = loop {
        match connector()
            .list_users(&io, &cfg, &session, cursor.as_deref())
            .unwrap()
        {
            Ok(page) => cursor = Some(page.next_cursor.expect("an error before the end")),
            Err(e) => break e,
        }
    };
    assert!(
        matches!(err, ConnectorError::Pagination(_)),
        "{}",
        err.describe()
    );
    assert_eq!(io.egress.counts().denied, 0);
    assert!(fake.foreign_requests().is_empty());
}

/// The Cirrus test connector with `defect` built in, loaded in `rt`, on a
/// bench against the replay of its scenario.
fn cirrus_bench<'a>(c: &'a saas_runtime::Connector, defect: &str) -> Bench<'a> {
    let mut scenario = e2e::scenario("cirrus");
    scenario
        .file
        .settings
        .insert("defect".into(), defect.into());
    Bench::new(c, &Arc::new(scenario)).expect("a bench")
}

#[test]
fn a_runaway_guest_is_stopped_and_the_host_goes_on() {
    let rt = strict_runtime();
    let cirrus = rt.load(&e2e::cirrus()).unwrap();
    let b = cirrus_bench(&cirrus, "runaway");
    let config = b.config().unwrap();
    let session = b.session(&config).unwrap();
    let err = cirrus
        .list_users(&b.io, &config, &session, None)
        .unwrap_err();
    assert!(matches!(err, HostError::CpuBudgetExceeded(_)), "{err}");
    // The same host still serves calls.
    let clean = cirrus_bench(&cirrus, "none");
    let config = clean.config().unwrap();
    let session = clean.session(&config).unwrap();
    assert!(
        cirrus
            .list_users(&clean.io, &config, &session, None)
            .unwrap()
            .is_ok()
    );
}

#[test]
fn a_guest_that_allocates_without_end_is_stopped() {
    let rt = strict_runtime();
    let cirrus = rt.load(&e2e::cirrus()).unwrap();
    let b = cirrus_bench(&cirrus, "memory-hog");
    let config = b.config().unwrap();
    let session = b.session(&config).unwrap();
    let err = cirrus
        .list_users(&b.io, &config, &session, None)
        .unwrap_err();
    assert!(matches!(err, HostError::MemoryLimitExceeded(_)), "{err}");
}

#[test]
fn a_trap_in_the_guest_is_an_error_not_a_crash() {
    let cirrus = e2e::runtime().load(&e2e::cirrus()).unwrap();
    let b = cirrus_bench(&cirrus, "trap-on-malformed");
    let config = b.config().unwrap();
    let session = b.session(&config).unwrap();
    b.fault_page(
        0,
        u32::MAX,
        Fault::Rewrite(Arc::new(|r| *r.body_mut() = b"<html>busy</html>".to_vec())),
    );
    let err = cirrus
        .list_users(&b.io, &config, &session, None)
        .unwrap_err();
    assert!(matches!(err, HostError::Trap(_)), "{err}");
}

#[test]
fn a_request_outside_the_allowlist_is_denied_and_never_leaves() {
    // A listener on another loopback address counts what reaches it.
    let foreign = TcpListener::bind("127.0.0.2:0").unwrap();
    let foreign_url = format!("http://{}/v2/members?page=2", foreign.local_addr().unwrap());
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = reached.clone();
    foreign.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        for _ in 0..200 {
            if foreign.accept().is_ok() {
                counter.fetch_add(1, Ordering::SeqCst);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    });
    let cirrus = e2e::runtime().load(&e2e::cirrus()).unwrap();
    let b = cirrus_bench(&cirrus, "follow-anywhere");
    let config = b.config().unwrap();
    let session = b.session(&config).unwrap();
    b.fault_page(
        0,
        1,
        Fault::Rewrite(Arc::new(move |r| {
            let mut page: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
            page["links"]["next"] = serde_json::Value::from(foreign_url.as_str());
            *r.body_mut() = page.to_string().into_bytes();
        })),
    );
    let mut cursor = None;
    let err = loop {
        match cirrus
            .list_users(&b.io, &config, &session, cursor.as_deref())
            .unwrap()
        {
            Ok(page) => match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => panic!("the listing ended without touching the foreign host"),
            },
            Err(e) => break e,
        }
    };
    assert!(
        matches!(err, ConnectorError::DeniedByHost(_)),
        "{}",
        err.describe()
    );
    assert!(b.egress.counts().denied >= 1);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "a request reached the foreign host"
    );
}
