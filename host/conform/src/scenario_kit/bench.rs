//! The bench a scenario check runs on: a fresh replay upstream, an egress
//! whose fault layer sits behind the allowlist of the connector's own URL
//! settings, a recorder of log lines, and the scenario's settings and
//! credentials made for this connector.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use saas_runtime::egress::{Allowlist, Egress, Exchange, Fault, FaultLayer, Match, Rule};
use saas_runtime::imports::Io;
use saas_runtime::latest::{Setting, SlotCredential};
use saas_runtime::redact::Redactor;
use saas_runtime::settings::{credential, parse_value};
use saas_runtime::{Config, Connector, Session};

use super::Miss;
use crate::kit::{self, Listed, Recorder};
use crate::replay::{Replay, fill};
use crate::scenario::{Role, Route, Scenario, SlotFields};

/// One concrete listing: its path, and the query pair that tells it from
/// the route's other listings (`context=developers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL's path.
    pub path: String,
    /// The first query pair the route requires, when it requires one.
    pub query: Option<(String, String)>,
}

/// What the fault-free control leaves: a config, a session, and the URLs
/// of the listing pages it fetched, in order.
pub struct Control {
    /// The config.
    pub config: Config,
    /// A session.
    pub session: Session,
    /// The listing pages' URLs.
    pub pages: Vec<String>,
}

/// Instruments of one check; each check gets its own.
pub struct Bench<'a> {
    /// The connector.
    pub c: &'a Connector,
    /// The scenario.
    pub scenario: Arc<Scenario>,
    /// The upstream it speaks to.
    pub replay: Replay,
    /// The faults and the record of every attempt.
    pub faults: FaultLayer<Allowlist>,
    /// The egress behind which the fault layer sits.
    pub egress: Arc<Egress>,
    /// The I/O the connector gets.
    pub io: Io,
    /// Its log lines.
    pub recorder: Arc<Recorder>,
    /// The scenario's settings.
    pub settings: Vec<Setting>,
    /// The accepted credentials.
    pub valid: Vec<SlotCredential>,
    /// Refused ones.
    pub invalid: Vec<SlotCredential>,
    /// The listing route and concrete path the faults aim at, once the
    /// control chose them: the path with the most pages.
    target: std::sync::Mutex<Option<(Route, Target)>>,
    /// Learns the tokens this bench's upstream handed out, when dropped.
    teaches: Option<Arc<Redactor>>,
    /// The truth for this upstream, once asked for.
    truth: std::sync::OnceLock<Vec<Value>>,
}

/// `fields` made into this connector's slot credentials.
pub(super) fn credentials(
    c: &Connector,
    fields: &SlotFields,
) -> Result<Vec<SlotCredential>, String> {
    fields
        .iter()
        .map(|(slot, given)| {
            let declared = c
                .info()
                .credential_slots
                .iter()
                .find(|s| s.name == *slot)
                .ok_or(format!("the connector declares no credential slot {slot}"))?;
            Ok(SlotCredential {
                slot: slot.clone(),
                credential: credential(declared, given)?,
            })
        })
        .collect()
}

/// Settings given as text made into this connector's typed settings, with
/// the replay's `origin` in place of `{upstream}`.
fn settings(
    c: &Connector,
    texts: &BTreeMap<String, String>,
    origin: &str,
) -> Result<Vec<Setting>, Miss> {
    texts
        .iter()
        .map(|(name, text)| {
            let spec = c
                .info()
                .settings
                .iter()
                .find(|s| s.name == *name)
                .ok_or_else(|| Miss::Skip(format!("the connector declares no setting {name}")))?;
            let value = parse_value(spec.type_, &fill(text, origin))
                .map_err(|e| Miss::Skip(format!("setting {name}: {e}")))?;
            Ok(Setting {
                name: name.clone(),
                value,
            })
        })
        .collect()
}

impl<'a> Bench<'a> {
    /// A bench with a fresh upstream and no faults.
    pub fn new(c: &'a Connector, scenario: &Arc<Scenario>) -> Result<Self, Miss> {
        Self::with_limits(c, scenario, kit::limits())
    }

    /// A bench whose egress has these limits.
    pub fn with_limits(
        c: &'a Connector,
        scenario: &Arc<Scenario>,
        limits: saas_runtime::egress::EgressLimits,
    ) -> Result<Self, Miss> {
        let replay = Replay::start(scenario.clone())
            .map_err(|e| Miss::Skip(format!("the replay upstream did not start: {e}")))?;
        let settings = settings(c, &scenario.file.settings, replay.origin())?;
        let allowlist = Allowlist::of_urls(&c.egress_urls(&settings)).map_err(Miss::Skip)?;
        let faults = FaultLayer::new(allowlist);
        let egress = Arc::new(Egress::new(limits, faults.clone()));
        let recorder = Arc::new(Recorder::default());
        let io = Io {
            egress: egress.clone(),
            redactor: Arc::new(Redactor::new()),
            events: recorder.clone(),
            credentials: Arc::new(saas_runtime::credentials::NotStored),
        };
        let valid = credentials(c, &scenario.file.credentials.valid).map_err(Miss::Skip)?;
        let invalid = credentials(c, &scenario.file.credentials.invalid).map_err(Miss::Skip)?;
        Ok(Bench {
            c,
            scenario: scenario.clone(),
            replay,
            faults,
            egress,
            io,
            recorder,
            settings,
            valid,
            invalid,
            target: std::sync::Mutex::default(),
            teaches: None,
            truth: std::sync::OnceLock::new(),
        })
    }

    /// This bench, teaching `redactor` its upstream's tokens when dropped.
    pub fn teaching(mut self, redactor: Arc<Redactor>) -> Self {
        self.teaches = Some(redactor);
        self
    }

    /// The connector's config of the scenario's settings.
    pub fn config(&self) -> Result<Config, Miss> {
        self.c
            .config(&self.settings)
            .map_err(|e| Miss::Skip(format!("the scenario's settings: {e}")))
    }

    /// The scenario's settings with `overrides` (text, as in the
    /// scenario) added or put in their place.
    pub fn settings_with(
        &self,
        overrides: &BTreeMap<String, String>,
    ) -> Result<Vec<Setting>, Miss> {
        let mut texts = self.scenario.file.settings.clone();
        texts.extend(overrides.clone());
        settings(self.c, &texts, self.replay.origin())
    }

    /// A session from the valid credentials; a failure skips the check
    /// (`authenticate-valid` is the one that fails for it). Its secrets
    /// are not given to the redactor: the kit sees what the connector sends.
    pub fn session(&self, config: &Config) -> Result<Session, Miss> {
        match self.c.authenticate(&self.io, config, &self.valid) {
            Ok(Ok(s)) => Ok(s),
            Ok(Err(e)) => Err(Miss::Skip(format!(
                "authenticate failed (see authenticate-valid): {}",
                e.describe()
            ))),
            Err(e) => Err(Miss::Skip(format!("authenticate: {e}"))),
        }
    }

    /// Lists from the start to the end (or the kit's step limit).
    pub fn list(&self, config: &Config, session: &Session) -> Listed {
        kit::list(self.c, &self.io, config, session, None)
    }

    /// The truth, with the upstream's origin in place of `{upstream}` and
    /// its host and port in place of `{upstream-host}` (filled once).
    pub fn truth(&self) -> &[Value] {
        self.truth.get_or_init(|| {
            let text = serde_json::to_string(&self.scenario.truth).unwrap_or_default();
            serde_json::from_str(&fill(&text, self.replay.origin())).unwrap_or_default()
        })
    }

    fn target(&self) -> Option<(Route, Target)> {
        self.target
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The listing route the faults aim at: the control's choice, else the
    /// first listing route.
    pub fn listing_route(&self) -> Route {
        self.target().map_or_else(
            || {
                self.scenario
                    .routes(Role::Listing)
                    .next()
                    .expect("a validated scenario has a listing route")
                    .clone()
            },
            |(route, _)| route,
        )
    }

    /// Attempts at the aimed-at listing path (one concrete path of a
    /// templated route, so that the nth attempt is the nth page of one
    /// listing even when listings go out side by side).
    pub fn listing_match(&self) -> Match {
        let route = self.listing_route();
        match self.target() {
            Some((_, t)) => Match {
                method: route.method().parse().ok(),
                path: Some(t.path),
                query: t.query,
                ..Match::default()
            },
            None => Match {
                method: route.method().parse().ok(),
                path: Some(route.path.clone()),
                ..Match::default()
            },
        }
    }

    /// Faults the `nth` attempt (from 0) at a listing page, `times` times.
    pub fn fault_page(&self, nth: u32, times: u32, fault: Fault) {
        self.faults.inject(Rule {
            matches: self.listing_match(),
            skip: nth,
            times,
            fault,
        });
    }

    /// The attempts so far, one line each.
    pub fn requests(&self) -> Vec<Exchange> {
        self.faults.exchanges()
    }

    /// The fault-free control: a whole listing equal to the truth, then a
    /// clean record. A control that fails skips the check: the listing
    /// checks say why.
    pub fn control(&self) -> Result<(Config, Session), Miss> {
        self.control_pages().map(|c| (c.config, c.session))
    }

    /// The control, with what it saw of the listing's pages.
    pub fn control_pages(&self) -> Result<Control, Miss> {
        let config = self.config()?;
        let session = self.session(&config)?;
        // The listing's pages only: a sign-in that proves a token with a
        // page of the same listing is no page of it.
        self.faults.reset();
        match self.list(&config, &session) {
            Listed::Done { listing, .. } => {
                super::truth::compare(&listing.users, self.truth()).map_err(|why| {
                    Miss::Skip(format!("the fault-free control missed the truth: {why}"))
                })?;
            }
            other => {
                return Err(Miss::Skip(format!(
                    "the fault-free control {}",
                    kit::describe(&other)
                )));
            }
        }
        // The concrete listing (path, and the query the route requires)
        // with the most pages, first seen first.
        let mut listings: Vec<(Route, Target, Vec<String>)> = Vec::new();
        for x in self.requests() {
            let Ok(url) = url::Url::parse(&x.url) else {
                continue;
            };
            let Some(route) = self
                .scenario
                .routes(Role::Listing)
                .find(|r| r.method() == x.method && r.matches(&url).is_some())
            else {
                continue;
            };
            let target = Target {
                path: url.path().to_string(),
                query: route.query_of(&url).into_iter().next(),
            };
            match listings.iter_mut().find(|(_, t, _)| *t == target) {
                Some((_, _, pages)) => pages.push(x.url.clone()),
                None => listings.push((route.clone(), target, vec![x.url.clone()])),
            }
        }
        let most = listings.iter().map(|(_, _, p)| p.len()).max().unwrap_or(0);
        let aim = self.scenario.file.kit.aim.as_deref();
        let (route, target, pages) = listings
            .into_iter()
            .find(|(_, t, p)| aim.map_or(p.len() == most, |a| a == t.path))
            .ok_or_else(|| {
                Miss::Skip("the control fetched no page of the aimed-at listing".into())
            })?;
        *self.target.lock().unwrap_or_else(|p| p.into_inner()) = Some((route, target));
        self.faults.reset();
        Ok(Control {
            config,
            session,
            pages,
        })
    }
}

impl Drop for Bench<'_> {
    fn drop(&mut self) {
        if let Some(redactor) = &self.teaches {
            self.replay.issued().iter().for_each(|t| redactor.add(t));
        }
    }
}
