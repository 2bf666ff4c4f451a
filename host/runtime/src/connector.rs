//! A loaded connector, whatever its contract version: its declarations in
//! the latest model, and every call of the contract, each on a fresh
//! instance in a fresh sandboxed store. Calls dispatch on the version; the
//! config and session passed in must be of the connector's own version.

use std::time::{Duration, Instant};

use wasmtime::{Engine, Store, Trap, UpdateDeadline};

use crate::cache::{self, Origin};
use crate::contract::ComponentSurface;
use crate::error::HostError;
use crate::imports::{CallState, Io};
use crate::runtime::{RuntimeOptions, TICK};
use crate::values::{Config, Page, Session};
use crate::wit::latest::{
    self, ConnectorError, ConnectorInfo, Listing, Policy, Setting, SlotCredential, StatusReport,
};
use crate::wit::v0_1_0::{declarations, results};
use crate::wit::{ContractVersion, v0_1_0};

/// What a call returns: a host failure, or the connector's own answer.
pub type Outcome<T> = Result<Result<T, ConnectorError>, HostError>;

/// A component pre-instantiated as its contract version.
pub(crate) enum Pre {
    /// A 0.1.0 component.
    V0_1_0(v0_1_0::SaasConnectorPre<CallState>),
    /// A 0.2.0 component.
    V0_2_0(latest::SaasConnectorPre<CallState>),
}

/// The version-specific part of a connector.
pub(crate) enum Flavor {
    /// A 0.1.0 component and what it declared, in its own terms.
    V0_1_0 {
        pre: v0_1_0::SaasConnectorPre<CallState>,
        declared: v0_1_0::ConnectorInfo,
    },
    /// A 0.2.0 component.
    V0_2_0 {
        pre: latest::SaasConnectorPre<CallState>,
    },
}

/// A loaded connector, ready to call. Cheap to call concurrently: each call
/// gets its own store and instance.
pub struct Connector {
    engine: Engine,
    options: RuntimeOptions,
    pub(crate) flavor: Flavor,
    surface: ComponentSurface,
    origin: Origin,
    size: usize,
    sha256: String,
    info: ConnectorInfo,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("info", &self.info)
            .field("size", &self.size)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

/// How many ticks before a limit the guest is first looked at.
const EARLY: u64 = 5;

fn ticks(d: Duration) -> u64 {
    (d.as_millis() / TICK.as_millis()).max(1) as u64
}

/// Runs `f` in a fresh sandboxed store: memory cap, CPU budget (time in
/// host calls not counted), and a trap turned into a host error.
fn sandboxed<R>(
    engine: &Engine,
    options: &RuntimeOptions,
    io: &Io,
    f: impl FnOnce(&mut Store<CallState>) -> wasmtime::Result<R>,
) -> Result<R, HostError> {
    let (budget, wall) = (options.cpu_budget, options.wall_limit);
    let start = Instant::now();
    let state = CallState::new(io.clone(), options.memory_limit, start + wall);
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.limits);
    // The ticker lags behind the clock: look a little early, and re-arm
    // until a limit is really reached.
    store.set_epoch_deadline(ticks(budget.min(wall)).saturating_sub(EARLY).max(1));
    store.epoch_deadline_callback(move |mut ctx| {
        let elapsed = start.elapsed();
        if elapsed >= wall {
            ctx.data_mut().out_of_time = true;
            return Err(Trap::Interrupt.into());
        }
        let guest = elapsed.saturating_sub(ctx.data().host_time);
        if guest >= budget {
            Err(Trap::Interrupt.into())
        } else {
            Ok(UpdateDeadline::Continue(ticks(
                (budget - guest).min(wall - elapsed),
            )))
        }
    });
    f(&mut store).map_err(|e| {
        if store.data().out_of_time {
            HostError::WallClockExceeded(wall)
        } else if e.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
            HostError::CpuBudgetExceeded(budget)
        } else if store.data().limits.hit {
            HostError::MemoryLimitExceeded(options.memory_limit)
        } else {
            HostError::Trap(io.redactor.redact(&format!("{e:#}")).into_owned())
        }
    })
}

impl Connector {
    /// Asks a pre-instantiated component its `info` (with no way out) and
    /// checks that the contract version it names is the one it exports.
    pub(crate) fn prepare(
        engine: Engine,
        options: RuntimeOptions,
        pre: Pre,
        surface: ComponentSurface,
        origin: Origin,
        wasm: &[u8],
    ) -> Result<Self, HostError> {
        let io = Io::deny_all();
        let (flavor, info, exported) = match pre {
            Pre::V0_2_0(pre) => {
                let info = sandboxed(&engine, &options, &io, |st| {
                    pre.instantiate(&mut *st)?
                        .saas_connector_connector()
                        .call_info(st)
                })?;
                (Flavor::V0_2_0 { pre }, info, ContractVersion::V0_2_0)
            }
            Pre::V0_1_0(pre) => {
                let declared = sandboxed(&engine, &options, &io, |st| {
                    pre.instantiate(&mut *st)?
                        .saas_connector_connector()
                        .call_info(st)
                })?;
                let info = declarations::info(&declared);
                (
                    Flavor::V0_1_0 { pre, declared },
                    info,
                    ContractVersion::V0_1_0,
                )
            }
        };
        if ContractVersion::of_component(&info.contract_version)? != exported {
            return Err(HostError::WorldMismatch(vec![format!(
                "its info names contract {} but it exports contract {exported}",
                info.contract_version
            )]));
        }
        Ok(Connector {
            engine,
            options,
            flavor,
            surface,
            origin,
            size: wasm.len(),
            sha256: cache::sha256_hex(wasm),
            info,
        })
    }

    /// What the connector declares, in the latest model (a 0.1.0 component's
    /// config fields as settings, its auth modes as one credential slot).
    pub fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// The contract version the component was built against, as it runs here.
    pub fn contract_version(&self) -> ContractVersion {
        match self.flavor {
            Flavor::V0_1_0 { .. } => ContractVersion::V0_1_0,
            Flavor::V0_2_0 { .. } => ContractVersion::V0_2_0,
        }
    }

    /// Imports and exports, from the component's type information.
    pub fn surface(&self) -> &ComponentSurface {
        &self.surface
    }

    /// Whether the compile cache served this load.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// Size of the `.wasm` in bytes.
    pub fn size(&self) -> usize {
        self.size
    }

    /// SHA-256 of the `.wasm`, hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The effective settings in the connector's own contract version.
    pub fn config(&self, settings: &[Setting]) -> Result<Config, HostError> {
        match self.flavor {
            Flavor::V0_1_0 { .. } => declarations::config(settings)
                .map(Config::V0_1_0)
                .map_err(HostError::Config),
            Flavor::V0_2_0 { .. } => Ok(Config::V0_2_0(settings.to_vec())),
        }
    }

    /// The URLs egress must allow for these settings: those of the `url`
    /// settings but a consent page (a browser opens it, the connector never
    /// fetches it); for a 0.1.0 component given none, its declared hosts.
    pub fn egress_urls(&self, settings: &[Setting]) -> Vec<url::Url> {
        let pages: Vec<&str> = self
            .info()
            .credential_slots
            .iter()
            .filter_map(|s| s.consent.as_ref())
            .map(|f| f.authorize_setting.as_str())
            .collect();
        let fetched: Vec<Setting> = settings
            .iter()
            .filter(|s| !pages.contains(&s.name.as_str()))
            .cloned()
            .collect();
        let given = crate::settings::url_hosts(&fetched);
        match &self.flavor {
            Flavor::V0_1_0 { declared, .. } if given.is_empty() => declared
                .hosts
                .iter()
                .filter_map(|h| url::Url::parse(&format!("https://{h}")).ok())
                .collect(),
            _ => given,
        }
    }

    fn foreign(&self) -> HostError {
        HostError::ForeignValue(self.contract_version())
    }

    /// Runs `f` against this connector's sandbox.
    pub(crate) fn call<R>(
        &self,
        io: &Io,
        f: impl FnOnce(&mut Store<CallState>) -> wasmtime::Result<R>,
    ) -> Result<R, HostError> {
        sandboxed(&self.engine, &self.options, io, f)
    }

    /// `authenticate`: credentials (one per slot given) into a session.
    pub fn authenticate(
        &self,
        io: &Io,
        config: &Config,
        credentials: &[SlotCredential],
    ) -> Outcome<Session> {
        match (&self.flavor, config) {
            (Flavor::V0_2_0 { pre }, Config::V0_2_0(c)) => self
                .call(io, |st| {
                    let b = pre.instantiate(&mut *st)?;
                    let r = b
                        .saas_connector_connector()
                        .call_authenticate(st, c, credentials)?;
                    Ok(r.map(Session::V0_2_0))
                })
                .map(|r| r.map(|s| io.keep_renewed(s))),
            (Flavor::V0_1_0 { pre, declared }, Config::V0_1_0(c)) => {
                let creds = match declarations::credentials(declared, credentials) {
                    Ok(creds) => creds,
                    Err(e) => return Ok(Err(e)),
                };
                self.call(io, |st| {
                    let b = pre.instantiate(&mut *st)?;
                    let r = b
                        .saas_connector_connector()
                        .call_authenticate(st, c, &creds)?;
                    Ok(r.map(Session::V0_1_0).map_err(Into::into))
                })
            }
            _ => Err(self.foreign()),
        }
    }

    /// `refresh`: a renewed session.
    pub fn refresh(&self, io: &Io, config: &Config, session: &Session) -> Outcome<Session> {
        match (&self.flavor, config, session) {
            (Flavor::V0_2_0 { pre }, Config::V0_2_0(c), Session::V0_2_0(s)) => self
                .call(io, |st| {
                    let b = pre.instantiate(&mut *st)?;
                    let r = b.saas_connector_connector().call_refresh(st, c, s)?;
                    Ok(r.map(Session::V0_2_0))
                })
                .map(|r| r.map(|s| io.keep_renewed(s))),
            (Flavor::V0_1_0 { pre, .. }, Config::V0_1_0(c), Session::V0_1_0(s)) => {
                self.call(io, |st| {
                    let b = pre.instantiate(&mut *st)?;
                    let r = b.saas_connector_connector().call_refresh(st, c, s)?;
                    Ok(r.map(Session::V0_1_0).map_err(Into::into))
                })
            }
            _ => Err(self.foreign()),
        }
    }

    /// `list-users`: one bounded step of the listing.
    pub fn list_users(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        cursor: Option<&str>,
    ) -> Outcome<Page> {
        match (&self.flavor, config, session) {
            (Flavor::V0_2_0 { pre }, Config::V0_2_0(c), Session::V0_2_0(s)) => self
                .call(io, |st| {
                    let b = pre.instantiate(&mut *st)?;
                    let r = b
                        .saas_connector_connector()
                        .call_list_users(st, c, s, cursor)?;
                    Ok(r.map(Page::from))
                })
                .map(|r| {
                    r.map(|mut page| {
                        page.session = page.session.map(|s| io.keep_renewed(s));
                        page
                    })
                }),
            (Flavor::V0_1_0 { pre, declared }, Config::V0_1_0(c), Session::V0_1_0(s)) => {
                self.call(io, |st| {
                    let b = pre.instantiate(&mut *st)?;
                    let r = b
                        .saas_connector_connector()
                        .call_list_users(st, c, s, cursor)?;
                    Ok(r.map(|p| results::page(p, &declared.name))
                        .map_err(Into::into))
                })
            }
            _ => Err(self.foreign()),
        }
    }

    /// `compute-status` on the users of `listing` at the positions in
    /// `range`, with every unit, all coverage and the listing's `complete`
    /// flag: a 0.2.0 component takes them from the roster itself, a 0.1.0
    /// one built in contract form.
    pub fn compute_status_of(
        &self,
        io: &Io,
        listing: &crate::listing::Listing,
        range: std::ops::Range<usize>,
        policy: Policy,
    ) -> Outcome<StatusReport> {
        match &self.flavor {
            Flavor::V0_2_0 { pre } => self.call(io, |st| {
                let instance = pre.instance_pre().instantiate(&mut *st)?;
                crate::status_wire::compute_status(&instance, st, listing, range, policy)
            }),
            Flavor::V0_1_0 { .. } => {
                let part = Listing {
                    users: listing.users.views_in(range).map(|u| u.to_user()).collect(),
                    units: listing.units.clone(),
                    coverage: listing.coverage.clone(),
                    complete: listing.complete,
                };
                self.compute_status(io, &part, policy)
            }
        }
    }

    /// `compute-status`: statuses and seat counts of a merged listing. Pure.
    pub fn compute_status(
        &self,
        io: &Io,
        listing: &Listing,
        policy: Policy,
    ) -> Outcome<StatusReport> {
        match &self.flavor {
            Flavor::V0_2_0 { pre } => self.call(io, |st| {
                let b = pre.instantiate(&mut *st)?;
                b.saas_connector_connector()
                    .call_compute_status(st, listing, policy)
            }),
            Flavor::V0_1_0 { pre, declared } => {
                let users = results::users_for_status(listing);
                let policy = v0_1_0::Policy {
                    as_of: policy.as_of,
                    inactive_after_days: policy.inactive_after_days,
                    purchased_seats: policy.purchased_seats,
                    listing_complete: listing.complete,
                };
                self.call(io, |st| {
                    let b = pre.instantiate(&mut *st)?;
                    let r = b
                        .saas_connector_connector()
                        .call_compute_status(st, &users, policy)?;
                    Ok(r.map(|r| results::report(r, listing, &declared.name))
                        .map_err(Into::into))
                })
            }
        }
    }
}
