//! Resuming is lossless: for random data, page sizes and step budgets, a
//! listing cut after any step and resumed from that step's cursor (with
//! the session as it stood then) sees exactly what the uninterrupted
//! listing sees, against the fake Bitbucket on loopback.

mod common;

use bitbucket_connector::endpoints::Config;
use bitbucket_connector::session::Session;
use common::listing::{Seen, add, config, session, steps};
use fake_bitbucket::{FakeBitbucket, FakeConfig};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_listing_resumed_after_any_cut_sees_what_the_uninterrupted_one_sees(
        workspaces in 1..4usize,
        members in 0..230usize,
        page_counts in any::<bool>(),
        page_size in prop_oneof![Just(None), (7..=100u32).prop_map(Some)],
        budget in 1..9u32,
        cut in any::<prop::sample::Index>(),
    ) {
        let fake = FakeBitbucket::start(FakeConfig {
            workspaces,
            members,
            page_counts,
            ..FakeConfig::default()
        })
        .unwrap();
        let cfg = Config {
            page_size,
            max_requests_per_step: Some(budget),
            ..config(&fake)
        };
        let signed_in = session(&cfg);
        let whole = steps(&cfg, &signed_in, None).unwrap();
        let mut uninterrupted = Seen::new();
        whole.iter().for_each(|p| add(&mut uninterrupted, &p.users));
        prop_assert_eq!(&uninterrupted, &fake.truth().users);

        // Cut after step k: what steps 0..=k saw, then a resumption.
        let k = cut.index(whole.len());
        let mut resumed = Seen::new();
        whole[..=k].iter().for_each(|p| add(&mut resumed, &p.users));
        if let Some(cursor) = whole[k].next_cursor.clone() {
            let session_then = whole[..=k]
                .iter()
                .rev()
                .find_map(|p| p.session.as_ref())
                .map_or(signed_in.clone(), |s| Session::from_contract(s).unwrap());
            for page in steps(&cfg, &session_then, Some(cursor)).unwrap() {
                add(&mut resumed, &page.users);
            }
        }
        prop_assert_eq!(resumed, uninterrupted);
    }
}
