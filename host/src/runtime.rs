//! Loading and running connector components: one engine with an epoch
//! ticker, a compile cache, an `InstancePre` per connector, and a fresh
//! sandboxed store per call.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Engine, Store, Trap, UpdateDeadline};

use crate::bindings::{
    Config, ConnectorError, ConnectorInfo, Group, GroupMember, GroupUpdate, Listing, Policy,
    SaasConnector, SaasConnectorPre, SeatRelease, Session, SlotCredential, StatusReport, UserPage,
};
use crate::cache::{self, Origin};
use crate::contract::{self, ComponentSurface};
use crate::egress::{Egress, EgressPolicy};
use crate::error::HostError;
use crate::imports::{CallState, Io, TracingEvents};
use crate::redact::Redactor;

/// How often the epoch ticks.
const TICK: Duration = Duration::from_millis(10);

/// What a call returns: a host failure, or the connector's own answer.
pub type Outcome<T> = Result<Result<T, ConnectorError>, HostError>;

/// Sandbox limits and caching.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Where compiled components are cached; none disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// Most linear memory one call may use.
    pub memory_limit: usize,
    /// Most guest CPU time one call may use (time in host calls not counted).
    pub cpu_budget: Duration,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            cache_dir: cache::default_dir(),
            memory_limit: 256 * 1024 * 1024,
            cpu_budget: Duration::from_secs(30),
        }
    }
}

/// The engine that runs connectors.
pub struct Runtime {
    engine: Engine,
    options: RuntimeOptions,
    stop: Arc<AtomicBool>,
}

impl Runtime {
    /// Creates the engine and starts its epoch ticker.
    pub fn new(options: RuntimeOptions) -> Result<Self, HostError> {
        let mut config = wasmtime::Config::new();
        config.epoch_interruption(true);
        let engine = Engine::new(&config).map_err(|e| HostError::Setup(format!("{e:#}")))?;
        let stop = Arc::new(AtomicBool::new(false));
        let (ticker, flag) = (engine.clone(), stop.clone());
        std::thread::Builder::new()
            .name("epoch-ticker".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    ticker.increment_epoch();
                }
            })
            .map_err(|e| HostError::Setup(e.to_string()))?;
        Ok(Runtime {
            engine,
            options,
            stop,
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Loads a connector from a file.
    pub fn load_file(&self, path: &Path) -> Result<Connector, HostError> {
        let wasm = std::fs::read(path).map_err(|source| HostError::Io {
            context: format!("reading {}", path.display()),
            source,
        })?;
        self.load(&wasm)
    }

    /// Loads a connector: compiles (or takes from the cache), checks the
    /// contract version, links the sandbox and pre-instantiates.
    pub fn load(&self, wasm: &[u8]) -> Result<Connector, HostError> {
        if !wasm.starts_with(b"\0asm") {
            return Err(HostError::Load("not a WebAssembly file".into()));
        }
        let (component, origin) =
            cache::load(&self.engine, self.options.cache_dir.as_deref(), wasm)?;
        let surface = ComponentSurface::of(&self.engine, &component);
        let found = surface.contract_version().ok_or_else(|| {
            HostError::NotAConnector(format!(
                "it exports no {}/connector interface",
                contract::PACKAGE
            ))
        })?;
        if !contract::is_compatible(found) {
            return Err(HostError::ContractMismatch {
                found: found.to_string(),
                supported: crate::bindings::CONTRACT_VERSION.to_string(),
            });
        }
        let setup = |e: wasmtime::Error| HostError::Setup(format!("{e:#}"));
        let mut linker = Linker::<CallState>::new(&self.engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(setup)?;
        SaasConnector::add_to_linker::<CallState, HasSelf<CallState>>(&mut linker, |s| s)
            .map_err(setup)?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(|e| HostError::WorldMismatch(vec![format!("{e:#}")]))?;
        let pre = SaasConnectorPre::new(pre)
            .map_err(|e| HostError::WorldMismatch(vec![format!("{e:#}")]))?;
        let mut connector = Connector {
            engine: self.engine.clone(),
            pre,
            options: self.options.clone(),
            surface,
            origin,
            size: wasm.len(),
            sha256: cache::sha256_hex(wasm),
            info: None,
        };
        let info = connector.call(&Io::deny_all(), |b, s| {
            b.saas_connector_connector().call_info(s)
        })?;
        if !contract::is_compatible(&info.contract_version) {
            return Err(HostError::ContractMismatch {
                found: info.contract_version,
                supported: crate::bindings::CONTRACT_VERSION.to_string(),
            });
        }
        connector.info = Some(info);
        Ok(connector)
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Io {
    /// An `Io` that denies every request and logs to `tracing`.
    pub fn deny_all() -> Self {
        Io {
            egress: Arc::new(Egress::new(EgressPolicy::default())),
            redactor: Arc::new(Redactor::new()),
            events: Arc::new(TracingEvents),
        }
    }
}

/// A loaded connector, ready to call. Cheap to call concurrently: each call
/// gets its own store and instance.
pub struct Connector {
    engine: Engine,
    pre: SaasConnectorPre<CallState>,
    options: RuntimeOptions,
    surface: ComponentSurface,
    origin: Origin,
    size: usize,
    sha256: String,
    info: Option<ConnectorInfo>,
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

fn ticks(d: Duration) -> u64 {
    (d.as_millis() / TICK.as_millis()).max(1) as u64
}

impl Connector {
    /// What the connector says about itself.
    pub fn info(&self) -> &ConnectorInfo {
        self.info.as_ref().expect("set at load")
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

    /// Runs `f` against a fresh instance in a fresh sandboxed store.
    fn call<R>(
        &self,
        io: &Io,
        f: impl FnOnce(&SaasConnector, &mut Store<CallState>) -> wasmtime::Result<R>,
    ) -> Result<R, HostError> {
        let mut store = Store::new(
            &self.engine,
            CallState::new(io.clone(), self.options.memory_limit),
        );
        store.limiter(|s| &mut s.limits);
        let budget = self.options.cpu_budget;
        let start = Instant::now();
        store.set_epoch_deadline(ticks(budget));
        store.epoch_deadline_callback(move |ctx| {
            let guest = start.elapsed().saturating_sub(ctx.data().host_time);
            if guest >= budget {
                Err(Trap::Interrupt.into())
            } else {
                Ok(UpdateDeadline::Continue(ticks(budget - guest)))
            }
        });
        let result = self
            .pre
            .instantiate(&mut store)
            .and_then(|bindings| f(&bindings, &mut store));
        result.map_err(|e| {
            if e.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
                HostError::CpuBudgetExceeded(budget)
            } else if store.data().limits.hit {
                HostError::MemoryLimitExceeded(self.options.memory_limit)
            } else {
                HostError::Trap(io.redactor.redact(&format!("{e:#}")).into_owned())
            }
        })
    }

    /// `authenticate`.
    pub fn authenticate(
        &self,
        io: &Io,
        config: &Config,
        credentials: &[SlotCredential],
    ) -> Outcome<Session> {
        self.call(io, |b, s| {
            b.saas_connector_connector()
                .call_authenticate(s, config, credentials)
        })
    }

    /// `refresh`.
    pub fn refresh(&self, io: &Io, config: &Config, session: &Session) -> Outcome<Session> {
        self.call(io, |b, s| {
            b.saas_connector_connector()
                .call_refresh(s, config, session)
        })
    }

    /// `list-users`.
    pub fn list_users(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        cursor: Option<&str>,
    ) -> Outcome<UserPage> {
        self.call(io, |b, s| {
            b.saas_connector_connector()
                .call_list_users(s, config, session, cursor)
        })
    }

    /// `compute-status`.
    pub fn compute_status(
        &self,
        io: &Io,
        listing: &Listing,
        policy: Policy,
    ) -> Outcome<StatusReport> {
        self.call(io, |b, s| {
            b.saas_connector_connector()
                .call_compute_status(s, listing, policy)
        })
    }

    /// `groups.list-groups`.
    pub fn list_groups(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        scope: &str,
    ) -> Outcome<Vec<Group>> {
        self.call(io, |b, s| {
            b.saas_connector_groups()
                .call_list_groups(s, config, session, scope)
        })
    }

    /// `groups.find-groups`.
    pub fn get_group(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
    ) -> Outcome<Group> {
        self.call(io, |b, s| {
            b.saas_connector_groups()
                .call_get_group(s, config, session, group)
        })
    }

    pub fn create_group(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        scope: &str,
        name: &str,
    ) -> Outcome<Group> {
        self.call(io, |b, s| {
            b.saas_connector_groups()
                .call_create_group(s, config, session, scope, name)
        })
    }

    /// `groups.update-group`.
    pub fn update_group(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
        update: &GroupUpdate,
    ) -> Outcome<Group> {
        self.call(io, |b, s| {
            b.saas_connector_groups()
                .call_update_group(s, config, session, group, update)
        })
    }

    /// `groups.delete-group`.
    pub fn delete_group(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
    ) -> Outcome<()> {
        self.call(io, |b, s| {
            b.saas_connector_groups()
                .call_delete_group(s, config, session, group)
        })
    }

    /// `groups.list-members`.
    pub fn list_members(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
    ) -> Outcome<Vec<GroupMember>> {
        self.call(io, |b, s| {
            b.saas_connector_groups()
                .call_list_members(s, config, session, group)
        })
    }

    /// `groups.add-member`.
    pub fn add_member(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
        member: &str,
    ) -> Outcome<()> {
        self.call(io, |b, s| {
            b.saas_connector_groups()
                .call_add_member(s, config, session, group, member)
        })
    }

    /// `groups.remove-member`.
    pub fn remove_member(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
        member: &str,
    ) -> Outcome<()> {
        self.call(io, |b, s| {
            b.saas_connector_groups()
                .call_remove_member(s, config, session, group, member)
        })
    }

    /// Plans (and with `apply` carries out) what frees the seats of `users`
    /// in `unit` (capability `release-seats`).
    pub fn release_seats(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        users: &[String],
        unit: &str,
        apply: bool,
    ) -> Outcome<Vec<SeatRelease>> {
        self.call(io, |b, s| {
            b.saas_connector_seats()
                .call_release_seats(s, config, session, users, unit, apply)
        })
    }
}
