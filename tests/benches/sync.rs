//! `cargo bench -p e2e --bench sync`: how close a sync comes to its limits.
//!
//! Every figure is measured side by side in one run and reported as a ratio,
//! with the median and min–max of several runs. Sections: requests against
//! the minimum; latency-bound wall time against the bound and a peer
//! (atlassian-python-api); wasm against native throughput; host start-up;
//! memory and time at scale (in child processes, so each peak is its own);
//! rounds on the critical path (`rounds.rs`).

#[path = "sync/memory.rs"]
mod memory;
#[path = "sync/rounds.rs"]
mod rounds;

use std::process::Command;
use std::time::{Duration, Instant};

use e2e::{allowlist, demo_credentials, io_with, limits, settings};
use fake_bitbucket::{FakeBitbucket, FakeConfig, Faults};
use saas_connector_sdk::http::NativeHttp;
use saas_connector_sdk::log::NoLog;
use saas_runtime::egress::{Allowlist, EgressLimits};
use saas_runtime::latest::{Listing, Policy, SettingValue};
use saas_runtime::settings::set_setting;
use saas_runtime::sync::{self, SyncRequest};
use saas_runtime::{Runtime, RuntimeOptions};

fn fake(workspaces: usize, members: usize) -> FakeBitbucket {
    FakeBitbucket::start(FakeConfig {
        workspaces,
        members,
        ..FakeConfig::default()
    })
    .expect("the fake starts")
}

/// Median, min and max of some samples.
/// CPU time of the calling thread so far.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "CLOCK_THREAD_CPUTIME_ID is available on Linux");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

fn stats(mut xs: Vec<f64>) -> (f64, f64, f64) {
    xs.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    (xs[xs.len() / 2], xs[0], xs[xs.len() - 1])
}

fn fmt((med, min, max): (f64, f64, f64), unit: &str) -> String {
    format!("{med:.3} {unit} ({min:.3}–{max:.3})")
}

fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().next().map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<u64>()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0);
    format!("{cores} cores, {:.1} GiB", mem as f64 / 1024.0 / 1024.0)
}

fn wasm_sync(
    connector: &saas_runtime::Connector,
    fake: &FakeBitbucket,
    concurrency: usize,
) -> (Duration, u64, usize) {
    let mut l = limits();
    l.concurrency = concurrency;
    let (io, _) = io_with(l, allowlist(fake));
    fake.clear_requests();
    let start = Instant::now();
    let listing = sync::list_all(
        connector,
        &io,
        &SyncRequest::new(settings(fake), demo_credentials()),
        &mut |_| {},
    )
    .unwrap();
    let elapsed = start.elapsed();
    assert!(listing.complete, "{:?}", listing.stop);
    let memberships = listing.users.membership_count();
    (elapsed, fake.requests().len() as u64, memberships)
}

fn native_sync(fake: &FakeBitbucket) -> (Duration, usize) {
    use bitbucket_connector::endpoints::{Config, Endpoints};
    use bitbucket_connector::session::{Credentials, OAuthClient};
    use bitbucket_connector::{auth, listing};
    // The SDK's native client: the same ureq, 16 requests of a batch at once.
    let http = NativeHttp::default();
    let cfg = Config {
        api_base_url: Some(fake.api_base_url()),
        token_url: Some(fake.token_url()),
        ..Config::default()
    };
    let creds = Credentials::OAuthClientCredentials(OAuthClient {
        client_id: "demo-client".into(),
        client_secret: "demo-client-secret".into(),
    });
    let start = Instant::now();
    let session = auth::authenticate(
        &http,
        &Endpoints::new(&cfg).unwrap(),
        &cfg,
        &creds,
        None,
        &NoLog,
        0,
    )
    .unwrap();
    let mut cursor = None;
    let mut memberships = 0;
    loop {
        let page =
            listing::list_users(&http, &NoLog, &cfg, &session, cursor.as_deref(), 0).unwrap();
        memberships += page
            .users
            .iter()
            .map(|u| u.memberships.len())
            .sum::<usize>();
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    (start.elapsed(), memberships)
}

fn requests(connector: &saas_runtime::Connector) {
    println!("\n## 1. Requests against the minimum\n");
    println!(
        "| workspaces × members | requests (sync) | minimum: discovery + details + ceil(M/100) per workspace | ratio | of which auth |"
    );
    println!("| --- | --- | --- | --- | --- |");
    for (w, m) in [(10, 1000), (50, 2000), (5, 250)] {
        let f = fake(w, m);
        let (_, n, _) = wasm_sync(connector, &f, 16);
        let min = 1 + w + w * m.div_ceil(100);
        // The sync also authenticates: the token request (the grant proves
        // the credentials; no check call).
        println!(
            "| {w} × {m} | {n} | {min} (+1 auth) | {:.3} | 1 |",
            (n as f64 - 1.0) / min as f64
        );
    }
}

fn latency(connector: &saas_runtime::Connector, runs: usize) {
    println!("\n## 2. Latency-bound: 50 workspaces × 2,000 members, 50 ms per request\n");
    let f = fake(50, 2000);
    f.set_faults(Faults {
        latency: Duration::from_millis(50),
        ..Faults::default()
    });
    let concurrency = 16;
    // The same sync without latency: the CPU part (fake and host share these cores).
    f.set_faults(Faults::default());
    let cpu = stats(
        (0..runs)
            .map(|_| wasm_sync(connector, &f, concurrency).0.as_secs_f64())
            .collect(),
    );
    f.set_faults(Faults {
        latency: Duration::from_millis(50),
        ..Faults::default()
    });
    let mut times = Vec::new();
    let mut reqs = 0;
    for _ in 0..runs {
        let (t, n, _) = wasm_sync(connector, &f, concurrency);
        times.push(t.as_secs_f64());
        reqs = n;
    }
    let ours = stats(times);
    let bound = reqs as f64 * 0.050 / concurrency as f64;
    println!(
        "- requests: {reqs}; concurrency {concurrency}; bound = requests × latency / concurrency = {bound:.3} s"
    );
    println!("- saas-host sync: {}", fmt(ours, "s"));
    println!("- ratio to the bound: {:.2}×", ours.0 / bound);
    println!(
        "- the same sync without latency (CPU of fake and host on these cores): {}",
        fmt(cpu, "s")
    );
    println!(
        "- ratio to bound + CPU time: {:.2}×",
        ours.0 / (bound + cpu.0)
    );
    match peer(&f, 100) {
        Ok((t, n)) => println!(
            "- peer (atlassian-python-api, {n} memberships): {t:.3} s, one run; saas-host is {:.1}× faster",
            t / ours.0
        ),
        Err(e) => println!("- peer: not run ({e})"),
    }
}

/// The peer's listing at `pagelen` items a page (10 is its default): seconds
/// and memberships.
fn peer(f: &FakeBitbucket, pagelen: u32) -> Result<(f64, u64), String> {
    if std::env::var_os("BENCH_NO_PEER").is_some() {
        return Err("BENCH_NO_PEER is set".into());
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let setup = Command::new("bash")
        .arg(format!("{root}/tests/peer/setup-peer.sh"))
        .output()
        .map_err(|e| e.to_string())?;
    if !setup.status.success() {
        return Err(format!(
            "set-up failed: {}",
            String::from_utf8_lossy(&setup.stderr).trim()
        ));
    }
    let python = String::from_utf8_lossy(&setup.stdout).trim().to_string();
    let slugs: Vec<String> = f.truth().per_workspace.keys().cloned().collect();
    let out = Command::new(python)
        .arg(format!("{root}/tests/peer/peer.py"))
        .args([
            f.api_base_url().as_str(),
            "admin@example.com",
            "demo-api-token",
        ])
        .args(&slugs)
        .env("PEER_PAGELEN", pagelen.to_string())
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let n: u64 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| String::from_utf8_lossy(&out.stderr).to_string())?;
    let t: f64 = parts.next().and_then(|s| s.parse().ok()).ok_or("no time")?;
    Ok((t, n))
}

fn cpu(connector: &saas_runtime::Connector, runs: usize) {
    println!("\n## 3. Throughput without latency: wasm against the same logic native\n");
    let f = fake(20, 2000);
    let (mut wasm, mut native) = (Vec::new(), Vec::new());
    let mut total = 0;
    for _ in 0..runs {
        let (t, _, n) = wasm_sync(connector, &f, 16);
        wasm.push(n as f64 / t.as_secs_f64());
        let (t, n) = native_sync(&f);
        native.push(n as f64 / t.as_secs_f64());
        total = n;
    }
    let (w, n) = (stats(wasm), stats(native));
    println!(
        "- {total} memberships over loopback, 16 requests at once: wasm through the host's egress, native through the SDK's client"
    );
    println!("- wasm: {} memberships/s", fmt(w, ""));
    println!("- native: {} memberships/s", fmt(n, ""));
    println!("- wasm / native: {:.2}", w.0 / n.0);
}

fn startup(runs: usize) {
    println!("\n## 4. Host start-up\n");
    let dir = tempfile_dir();
    let (mut compile, mut cached) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let rt = Runtime::new(RuntimeOptions {
            cache_dir: Some(dir.path().join(format!("run{i}"))),
            ..RuntimeOptions::default()
        })
        .unwrap();
        let t = Instant::now();
        rt.load(e2e::BITBUCKET).unwrap();
        compile.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        rt.load(e2e::BITBUCKET).unwrap();
        cached.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let rt = Runtime::new(RuntimeOptions {
        cache_dir: Some(dir.path().join("run0")),
        ..RuntimeOptions::default()
    })
    .unwrap();
    let c = rt.load(e2e::BITBUCKET).unwrap();
    let io = saas_runtime::imports::Io::deny_all();
    let policy = Policy {
        as_of: 0,
        inactive_after_days: 90,
        purchased_seats: None,
    };
    let empty = Listing {
        users: Vec::new(),
        units: Vec::new(),
        coverage: Vec::new(),
        complete: true,
    };
    let mut per_call = Vec::new();
    for _ in 0..runs {
        let n = 200;
        let t = Instant::now();
        for _ in 0..n {
            c.compute_status(&io, &empty, policy).unwrap().unwrap();
        }
        per_call.push(t.elapsed().as_secs_f64() * 1000.0 / n as f64);
    }
    let (c, k, p) = (stats(compile), stats(cached), stats(per_call));
    println!("- first load (compile + cache write): {}", fmt(c, "ms"));
    println!(
        "- load from the compile cache: {}; {:.0}× faster",
        fmt(k, "ms"),
        c.0 / k.0
    );
    println!(
        "- per call: fresh store + instantiation + an empty compute-status: {}",
        fmt(p, "ms")
    );
}

/// A folder of the benchmark's own, removed when dropped, so runs leave
/// no compile caches behind.
fn tempfile_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("saas-bench-")
        .tempdir()
        .expect("a temporary folder")
}

/// Peak resident memory of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// In a child process: sync against `base`, print seconds and peak KiB.
fn scale_child(base: &str, token_url: &str) {
    let rt = Runtime::new(RuntimeOptions::default()).unwrap();
    let connector = rt.load(e2e::BITBUCKET).unwrap();
    let url = url::Url::parse(base).unwrap();
    let (io, _) = io_with(EgressLimits::default(), Allowlist::of_urls([&url]).unwrap());
    let mut cfg = Vec::new();
    set_setting(&mut cfg, "api-base-url", SettingValue::Url(base.into()));
    set_setting(&mut cfg, "token-url", SettingValue::Url(token_url.into()));
    let start = Instant::now();
    let listing = sync::list_all(
        &connector,
        &io,
        &SyncRequest::new(cfg, demo_credentials()),
        &mut |_| {},
    )
    .unwrap();
    assert!(listing.complete);
    let n: usize = listing.users.membership_count();
    println!(
        "{n} {:.3} {}",
        start.elapsed().as_secs_f64(),
        peak_rss_kib()
    );
}

fn scale() {
    println!("\n## 5. Scale: time and peak host memory (child process, fake in the parent)\n");
    println!(
        "| memberships | workspaces × members | time | peak host RSS | time per 10k | RSS per 10k |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let me = std::env::current_exe().unwrap();
    for (w, m) in [(10, 1000), (20, 5000), (100, 10_000)] {
        let f = FakeBitbucket::start(FakeConfig {
            workspaces: w,
            members: m,
            sharing: 0.3,
            ..FakeConfig::default()
        })
        .unwrap();
        let out = Command::new(&me)
            .args(["--scale-child", &f.api_base_url(), &f.token_url()])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Vec<f64> = text
            .split_whitespace()
            .filter_map(|s| s.parse().ok())
            .collect();
        if v.len() != 3 {
            println!(
                "| {} | {w} × {m} | failed: {} | | | |",
                w * m,
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
            continue;
        }
        let per = (v[0] / 10_000.0).max(1.0);
        println!(
            "| {} | {w} × {m} | {:.2} s | {:.1} MiB | {:.3} s | {:.2} MiB |",
            v[0],
            v[1],
            v[2] / 1024.0,
            v[1] / per,
            v[2] / 1024.0 / per
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--scale-child") {
        scale_child(&args[i + 1], &args[i + 2]);
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--rss-child") {
        memory::rss_child(&args[i + 1..]);
        return;
    }
    // `cargo bench -p e2e --bench sync -- latency scale` runs only those sections.
    let picked: Vec<&str> = args
        .iter()
        .skip(1)
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let only = |name: &str| picked.is_empty() || picked.contains(&name);
    println!(
        "# saas-host benchmarks\n\nmachine: {}; build: {}",
        machine(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let cache = tempfile_dir();
    let rt = Runtime::new(RuntimeOptions {
        cache_dir: Some(cache.path().to_path_buf()),
        ..RuntimeOptions::default()
    })
    .unwrap();
    let connector = rt.load(e2e::BITBUCKET).unwrap();
    println!("connector: {} bytes", connector.size());
    if only("requests") {
        requests(&connector);
    }
    if only("latency") {
        latency(&connector, 3);
    }
    if only("rounds") {
        // An earlier build beside this one, for before-and-after in one run.
        let baseline = std::env::var_os("BENCH_BASELINE_WASM").map(|p| {
            rt.load(&std::fs::read(p).expect("the baseline component"))
                .unwrap()
        });
        let mut components = vec![("this build", &connector)];
        if let Some(b) = &baseline {
            components.insert(0, ("baseline", b));
        }
        rounds::rounds(&components, 3);
    }
    if only("cpu") {
        cpu(&connector, 5);
    }
    if only("startup") {
        startup(5);
    }
    if only("scale") {
        scale();
    }
    if only("memory") {
        memory::memory();
    }
}
