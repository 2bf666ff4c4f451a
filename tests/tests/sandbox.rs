//! The sandbox holds against connectors that misbehave: runaway CPU,
//! unbounded memory, a trap, a request outside the allowlist.

use std::time::Duration;

use e2e::{config, connector, defect, demo_credentials, fake, io, settings};
use fake_bitbucket::{BodyFault, Faults, NextFault};
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
fn a_runaway_guest_is_stopped_and_the_host_goes_on() {
    let fake = fake(1, 3);
    let rt = strict_runtime();
    let runaway = rt.load(&defect("runaway")).unwrap();
    let (io, _) = io(&fake);
    let session = connector()
        .authenticate(&io, &config(&settings(&fake)), &demo_credentials())
        .unwrap()
        .unwrap();
    let err = runaway
        .list_users(&io, &config(&settings(&fake)), &session, None)
        .unwrap_err();
    assert!(matches!(err, HostError::CpuBudgetExceeded(_)), "{err}");
    // The same host still serves calls.
    assert!(
        connector()
            .list_users(&io, &config(&settings(&fake)), &session, None)
            .unwrap()
            .is_ok()
    );
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
fn a_guest_that_allocates_without_end_is_stopped() {
    let fake = fake(1, 3);
    let rt = strict_runtime();
    let hog = rt.load(&defect("memory-hog")).unwrap();
    let (io, _) = io(&fake);
    let session = connector()
        .authenticate(&io, &config(&settings(&fake)), &demo_credentials())
        .unwrap()
        .unwrap();
    let err = hog
        .list_users(&io, &config(&settings(&fake)), &session, None)
        .unwrap_err();
    assert!(matches!(err, HostError::MemoryLimitExceeded(_)), "{err}");
}

#[test]
fn a_trap_in_the_guest_is_an_error_not_a_crash() {
    let fake = fake(1, 3);
    fake.set_faults(Faults {
        body: BodyFault::Html,
        ..Faults::default()
    });
    let trapping = e2e::runtime().load(&defect("trap-on-malformed")).unwrap();
    let (io, _) = io(&fake);
    let session = connector()
        .authenticate(&io, &config(&settings(&fake)), &demo_credentials())
        .unwrap()
        .unwrap();
    let err = trapping
        .list_users(&io, &config(&settings(&fake)), &session, None)
        .unwrap_err();
    assert!(matches!(err, HostError::Trap(_)), "{err}");
}

#[test]
fn a_request_outside_the_allowlist_is_denied_and_never_leaves() {
    // Without counts the connector follows `next`; this one follows it anywhere.
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
    let follower = e2e::runtime().load(&defect("follow-foreign")).unwrap();
    let cfg = config(&settings(&fake));
    let (io, _) = e2e::io(&fake);
    let session = connector()
        .authenticate(&io, &cfg, &demo_credentials())
        .unwrap()
        .unwrap();
    let mut cursor = None;
    let err = loop {
        match follower
            .list_users(&io, &cfg, &session, cursor.as_deref())
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
    assert!(io.egress.counts().denied >= 1);
    assert!(
        fake.foreign_requests().is_empty(),
        "a request reached the foreign host"
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
