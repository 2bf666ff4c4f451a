//! Peak memory of the command line itself: `saas-host sync --format json`
//! (the release binary, built here first) against a fake in this
//! process, at 10k, 100k and 1M memberships of which at least half belong to
//! distinct people. Each sync runs under a wrapper process (this benchmark
//! again, `--rss-child`) whose only child it is, so `getrusage` of the
//! wrapper's children is that sync's peak and nothing else's. An earlier
//! build's binary (`BENCH_BASELINE_SAAS_HOST`) runs beside it on the same
//! fake, one after the other at each size, each with `--no-history` and
//! with the run kept in a fresh history (the default). `BENCH_RSS_FORMAT`
//! measures another output format (`ndjson`, `csv`, `scim`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use fake_bitbucket::{FakeBitbucket, FakeConfig};

/// The release `saas-host` beside this benchmark, built (or brought up to
/// date) first, so that the figures are this tree's.
fn saas_host() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .ok_or("no target folder")?
        .join("saas-host");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(cargo)
        .args(["build", "--release", "--quiet", "--package", "saas-host"])
        .status()
        .map_err(|e| e.to_string())?;
    if !built.success() {
        return Err("cargo build --release -p saas-host failed".into());
    }
    Ok(bin)
}

/// The resident set of process `pid` now, in KiB (Linux), if it runs.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// In the wrapper: runs the command, then prints its wall seconds, its peak
/// RSS in KiB, the listing's seconds from its closing line, and the
/// seconds from the listing's end (its info line) to the exit. With
/// `BENCH_RSS_STDERR=FILE` it appends the command's stderr to FILE, each
/// line with the second it came and the RSS then, and the second the peak
/// was sampled (every 10 ms): with `SAAS_HOST_LOG=info`, which phase holds
/// the peak.
pub fn rss_child(command: &[String]) {
    use std::io::BufRead;
    let start = Instant::now();
    let mut child = Command::new(&command[0])
        .args(&command[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command runs");
    let pid = child.id();
    let stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .map(|l| (start.elapsed().as_secs_f64(), rss_kib(pid), l))
            .collect::<Vec<_>>()
    });
    let mut peak = (0u64, 0f64);
    let status = loop {
        if let Some(status) = child.try_wait().expect("the command is waited for") {
            break status;
        }
        if let Some(kib) = rss_kib(pid).filter(|&k| k > peak.0) {
            peak = (kib, start.elapsed().as_secs_f64());
        }
        // Often enough that the exit is seen within 10 ms: the time after
        // the listing is a fraction of a second at 100,000 memberships.
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let wall = start.elapsed().as_secs_f64();
    let lines = reader.join().expect("stderr is read");
    // SAFETY: getrusage writes the struct it is given, zeroed here.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    if let Some(path) = std::env::var_os("BENCH_RSS_STDERR") {
        use std::io::Write;
        let mut text = String::new();
        for (at, kib, line) in &lines {
            let mib = kib.map_or(0.0, |k| k as f64 / 1024.0);
            text.push_str(&format!("[{at:7.2} s {mib:7.1} MiB] {line}\n"));
        }
        text.push_str(&format!(
            "[{:7.2} s {:7.1} MiB] sampled peak; exit at {wall:.2} s\n\n",
            peak.1,
            peak.0 as f64 / 1024.0
        ));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path);
        let _ = file.and_then(|mut f| f.write_all(text.as_bytes()));
    }
    // "synced …, 1.23 s" (or "… s (PARTIAL)"): the listing's own time.
    let listing = lines
        .iter()
        .find(|(_, _, l)| l.starts_with("synced "))
        .and_then(|(_, _, l)| l.rsplit(", ").next())
        .and_then(|t| t.split(' ').next())
        .and_then(|t| t.parse::<f64>().ok());
    // "… listed N users and M memberships; computing their statuses"
    // (logged at info): from that line to the exit is the time after the
    // listing, without the start-up and sign-in before it.
    let after = lines
        .iter()
        .find(|(_, _, l)| l.ends_with("computing their statuses"))
        .map_or(f64::NAN, |(at, _, _)| wall - at);
    match (status.success(), listing) {
        (true, Some(listing)) => {
            println!("{wall:.3} {} {listing:.3} {after:.3}", usage.ru_maxrss)
        }
        _ => println!(
            "failed: {}",
            lines.last().map_or("", |(_, _, l)| l.as_str())
        ),
    }
}

/// The output format measured: `BENCH_RSS_FORMAT`, else `json`.
fn format() -> String {
    std::env::var("BENCH_RSS_FORMAT").unwrap_or_else(|_| "json".into())
}

/// One sync of `bin` against `f` under the wrapper, kept in a history
/// under `home` when `history`: wall seconds, peak KiB, listing seconds and
/// seconds after the listing, or what went wrong.
fn one(bin: &Path, f: &FakeBitbucket, home: &Path, history: bool) -> Result<[f64; 4], String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    // A profiler to run the sync under (`BENCH_RSS_WRAPPER="heaptrack -o
    // /tmp/ht"`): its figures are then the profiler's too.
    let wrapper = std::env::var("BENCH_RSS_WRAPPER").unwrap_or_default();
    let out = Command::new(me)
        .arg("--rss-child")
        .args(wrapper.split_whitespace())
        .arg(bin)
        .args(["sync", "--format", &format(), "--no-progress"])
        .args((!history).then_some("--no-history"))
        // A fake on loopback: no hourly budget to respect.
        .args(["--requests-per-hour", "0"])
        .args(["--set", &format!("api-base-url={}", f.api_base_url())])
        .args(["--set", &format!("token-url={}", f.token_url())])
        .env("BITBUCKET_CLIENT_ID", "demo-client")
        .env("BITBUCKET_CLIENT_SECRET", "demo-client-secret")
        // The line that ends the listing is logged at info.
        .env("SAAS_HOST_LOG", "info")
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<f64> = text
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    v.try_into().map_err(|_| text.trim().to_string())
}

/// The section.
pub fn memory() {
    println!(
        "\n## 5b. Peak RSS of `saas-host sync --format {}` (release, fake in the bench process), with `--no-history` and with the run kept in the history (the default)\n",
        format()
    );
    let bin = match saas_host() {
        Ok(b) => b,
        Err(e) => return println!("not run: {e}"),
    };
    let mut binaries = vec![("this build", bin)];
    if let Some(base) = std::env::var_os("BENCH_BASELINE_SAAS_HOST") {
        binaries.insert(0, ("baseline", PathBuf::from(base)));
    }
    println!(
        "| memberships | workspaces × members | distinct people | binary | whole process | listing | outside the listing (warm start-up, statuses, output) | after the listing (statuses, output, exit) | peak RSS |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let home = temporary_home();
    // The first size warms the compile cache; it is not shown.
    // `BENCH_RSS_MEMBERSHIPS=100000,1000000` runs only these sizes.
    let only = std::env::var("BENCH_RSS_MEMBERSHIPS").unwrap_or_default();
    let sizes = [(2, 100), (10, 1000), (20, 5000), (100, 10_000)];
    for (w, m) in sizes.into_iter().filter(|&(w, m)| {
        w * m < 10_000 || only.is_empty() || only.split(',').any(|n| n == (w * m).to_string())
    }) {
        let f = FakeBitbucket::start(FakeConfig {
            workspaces: w,
            members: m,
            sharing: 0.3,
            ..FakeConfig::default()
        })
        .expect("the fake starts");
        let people = f.truth().unique_users;
        for ((name, bin), history) in binaries.iter().flat_map(|b| [(b, false), (b, true)]) {
            let result = one(bin, &f, &home, history);
            let _ = std::fs::remove_dir_all(home.join("data"));
            if w * m < 10_000 {
                continue;
            }
            let kept = if history { ", history kept" } else { "" };
            let row = format!("| {} | {w} × {m} | {people} | {name}{kept} |", w * m);
            match result {
                Ok([wall, kib, listing, after]) => println!(
                    "{row} {wall:.2} s | {listing:.2} s | {:.2} s ({:.0}% of the listing) | {after:.2} s ({:.0}%) | {:.1} MiB |",
                    wall - listing,
                    (wall - listing) / listing * 100.0,
                    after / listing * 100.0,
                    kib / 1024.0
                ),
                Err(e) => println!("{row} {e} | | | | |"),
            }
        }
    }
    let _ = std::fs::remove_dir_all(home);
}

fn temporary_home() -> PathBuf {
    let d = std::env::temp_dir().join(format!("saas-bench-home-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("a temporary home");
    d
}
