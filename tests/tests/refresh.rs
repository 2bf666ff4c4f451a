//! Token refresh through the host, on a long sync: tokens that expire again
//! and again are refreshed by the connector as often as they expire, and a
//! refresh that does not help is handed to the host, which refreshes through
//! the `refresh` export and runs the step again.

use e2e::{fake, io, seen, settings, sync_with};
use fake_bitbucket::{FakeBitbucket, Faults};
use saas_runtime::imports::Io;
use saas_runtime::latest::SettingValue;
use saas_runtime::settings::set_setting;
use saas_runtime::sync;

/// A sync of `fake` under `faults`, in steps of at most `budget` requests.
fn sync_under(fake: &FakeBitbucket, faults: Faults, budget: u32) -> sync::Listing {
    let (io, _) = io(fake);
    sync_through(&io, fake, faults, budget)
}

/// The same through `io`.
fn sync_through(io: &Io, fake: &FakeBitbucket, faults: Faults, budget: u32) -> sync::Listing {
    fake.set_faults(faults);
    let mut s = settings(fake);
    set_setting(&mut s, "max-requests-per-step", SettingValue::U32(budget));
    let listing = sync_with(io, s);
    assert!(listing.complete, "{:?}", listing.stop);
    assert_eq!(seen(&listing.users), fake.truth().users);
    listing
}

#[test]
fn an_expired_token_is_refreshed_mid_listing() {
    let fake = fake(3, 250);
    let faults = Faults {
        expire_tokens_after: Some(4),
        ..Faults::default()
    };
    assert_eq!(sync_under(&fake, faults, 3).stats.refreshes, 1);
}

#[test]
fn tokens_expiring_again_and_again_in_long_steps_never_end_the_sync() {
    let fake = fake(6, 250);
    // Steps of up to 12 requests; every 5th request finds every token
    // expired, so most steps see two expiries or more.
    let faults = Faults {
        expire_tokens_every: Some(5),
        ..Faults::default()
    };
    let listing = sync_under(&fake, faults, 12);
    let api_requests = fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/2.0/"))
        .count();
    let refreshes = fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/site/oauth2/access_token"))
        .count()
        - 1;
    // Many refreshes, and never more than one per expiry (one every 5
    // requests).
    assert!(
        refreshes >= 5 && refreshes <= api_requests / 5 + 1,
        "{refreshes} refreshes for {api_requests} requests"
    );
    assert_eq!(listing.stats.host_refreshes, 0, "the connector kept up");
}

#[test]
fn a_refresh_that_does_not_help_goes_to_the_host_which_refreshes_through_the_export() {
    let fake = fake(3, 250);
    // Tokens expire every 11 requests, and the next two tokens issued are
    // born expired: twice, the connector's refresh does not help, and its
    // step ends early handing back the rotated session; then it stops
    // refreshing and answers expired-credentials, and the host refreshes
    // through the export and runs the step again.
    let faults = Faults {
        expire_tokens_every: Some(11),
        born_expired: 2,
        ..Faults::default()
    };
    // The schedule counts requests at the fake: pages fetched ahead (in the
    // background, in any order) would move it, so this host fetches none.
    // Its period must not fall inside the step run again after the host's
    // refresh: that fresh token would expire before the step ends, and the
    // connector, its own tries spent in the cursor, could not refresh it
    // (at every 10 requests, since first pages go before details, it did).
    let mut limits = e2e::limits();
    limits.prefetch.entries = 0;
    let (io, _) = e2e::io_with(limits, e2e::allowlist(&fake));
    let listing = sync_through(&io, &fake, faults, 4);
    assert!(
        listing.stats.host_refreshes >= 1,
        "the host never refreshed: {:?}",
        listing.stats
    );
    assert!(listing.stats.refreshes > listing.stats.host_refreshes);
}
