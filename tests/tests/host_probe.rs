//! The host probe (`saas-host conform-host`): the reference host keeps every
//! rule, and a host that breaks one is caught by the rule aimed at it.

use std::sync::Arc;

use saas_conform::probe;
use saas_conform::{ConformReport, Verdict};
use saas_runtime::egress::{Allowlist, Egress, EgressError, EgressHooks, EgressLimits, Transport};
use url::Url;

use e2e::{HOST_PROBE, runtime};

fn failed(report: &ConformReport) -> Vec<&'static str> {
    report
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::Fail)
        .map(|r| r.name)
        .collect()
}

fn reference(origin: &Url, limits: EgressLimits) -> Arc<Egress> {
    Arc::new(Egress::new(limits, Allowlist::of_urls([origin]).unwrap()))
}

#[test]
fn the_reference_host_keeps_every_rule_the_probe_checks() {
    let report = probe::run(runtime(), HOST_PROBE, |o| {
        reference(o, EgressLimits::default())
    })
    .unwrap();
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(report.results.len(), probe::RULES.len() + 3);
}

/// A host whose destination policy lets everything out.
struct AllowAll;

impl EgressHooks for AllowAll {
    fn check_destination(&self, _: &Url) -> Result<(), String> {
        Ok(())
    }
}

#[test]
fn a_host_that_lets_every_destination_out_fails_denied_outside() {
    let report = probe::run(runtime(), HOST_PROBE, |_| {
        Arc::new(Egress::new(EgressLimits::default(), AllowAll))
    })
    .unwrap();
    assert_eq!(failed(&report), ["denied-outside"], "{}", report.to_text());
}

/// A host that follows redirects.
struct Follows(Allowlist);

impl EgressHooks for Follows {
    fn check_destination(&self, url: &Url) -> Result<(), String> {
        self.0.check_destination(url)
    }

    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        transport: &Transport,
    ) -> Result<http::Response<Vec<u8>>, EgressError> {
        let first = transport.send(request.clone())?;
        let Some(location) = first
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
        else {
            return Ok(first);
        };
        let url = Url::parse(&request.uri().to_string())
            .and_then(|u| u.join(location))
            .map_err(|e| EgressError::InvalidRequest(e.to_string()))?;
        transport.send(http::Request::get(url.as_str()).body(Vec::new()).unwrap())
    }
}

#[test]
fn a_host_that_follows_redirects_fails_both_redirect_rules() {
    let report = probe::run(runtime(), HOST_PROBE, |o| {
        Arc::new(Egress::new(
            EgressLimits::default(),
            Follows(Allowlist::of_urls([o]).unwrap()),
        ))
    })
    .unwrap();
    assert_eq!(
        failed(&report),
        ["no-redirects", "redirect-not-fetched"],
        "{}",
        report.to_text()
    );
}

#[test]
fn a_host_without_a_body_cap_fails_body_cap() {
    let limits = EgressLimits {
        max_response_bytes: 256 << 20,
        ..EgressLimits::default()
    };
    let report = probe::run(runtime(), HOST_PROBE, |o| reference(o, limits)).unwrap();
    assert_eq!(failed(&report), ["body-cap"], "{}", report.to_text());
}
