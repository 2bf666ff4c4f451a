//! The engine that runs connectors: one engine with an epoch ticker, one
//! linker for every contract version, a compile cache, and `load`, which
//! reads a component's contract version and prepares it as that version.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker};

use crate::cache;
use crate::connector::{Connector, Pre};
use crate::contract::ComponentSurface;
use crate::error::HostError;
use crate::imports::CallState;
use crate::wit::{ContractVersion, PACKAGE, latest, v0_1_0};

/// How often the epoch ticks.
pub(crate) const TICK: Duration = Duration::from_millis(10);

/// Sandbox limits and caching.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Where compiled components are cached; none disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// Most linear memory one call may use.
    pub memory_limit: usize,
    /// Most guest CPU time one call may use (time in host calls not counted).
    pub cpu_budget: Duration,
    /// Most wall-clock time one call may take, waiting on HTTP included:
    /// no request starts after it, and the guest is stopped once it runs
    /// again.
    pub wall_limit: Duration,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            cache_dir: cache::default_dir(),
            memory_limit: 256 * 1024 * 1024,
            cpu_budget: Duration::from_secs(30),
            wall_limit: Duration::from_secs(900),
        }
    }
}

/// The engine that runs connectors of every contract version.
pub struct Runtime {
    engine: Engine,
    linker: Linker<CallState>,
    options: RuntimeOptions,
    stop: Arc<AtomicBool>,
}

fn setup(e: wasmtime::Error) -> HostError {
    HostError::Setup(format!("{e:#}"))
}

impl Runtime {
    /// Creates the engine, links WASI (empty) and every contract version's
    /// imports, and starts the epoch ticker.
    pub fn new(options: RuntimeOptions) -> Result<Self, HostError> {
        let mut config = wasmtime::Config::new();
        config.epoch_interruption(true);
        let engine = Engine::new(&config).map_err(setup)?;
        let mut linker = Linker::<CallState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(setup)?;
        latest::SaasConnector::add_to_linker::<CallState, HasSelf<CallState>>(&mut linker, |s| s)
            .map_err(setup)?;
        v0_1_0::SaasConnector::add_to_linker::<CallState, HasSelf<CallState>>(&mut linker, |s| s)
            .map_err(setup)?;
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
            linker,
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

    /// Loads a connector: compiles (or takes from the cache), reads the
    /// contract version from its `connector` export, pre-instantiates it as
    /// that version and asks its `info`.
    pub fn load(&self, wasm: &[u8]) -> Result<Connector, HostError> {
        if !wasm.starts_with(b"\0asm") {
            return Err(HostError::Load("not a WebAssembly file".into()));
        }
        let (component, origin) =
            cache::load(&self.engine, self.options.cache_dir.as_deref(), wasm)?;
        let surface = ComponentSurface::of(&self.engine, &component);
        let found = surface.contract_version().ok_or_else(|| {
            HostError::NotAConnector(format!("it exports no {PACKAGE}/connector interface"))
        })?;
        let version = ContractVersion::of_component(found)?;
        let world = |e: wasmtime::Error| HostError::WorldMismatch(vec![format!("{e:#}")]);
        let pre = self.linker.instantiate_pre(&component).map_err(world)?;
        let pre = match version {
            ContractVersion::V0_1_0 => {
                Pre::V0_1_0(v0_1_0::SaasConnectorPre::new(pre).map_err(world)?)
            }
            ContractVersion::V0_2_0 => {
                Pre::V0_2_0(latest::SaasConnectorPre::new(pre).map_err(world)?)
            }
        };
        Connector::prepare(
            self.engine.clone(),
            self.options.clone(),
            pre,
            surface,
            origin,
            wasm,
        )
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
