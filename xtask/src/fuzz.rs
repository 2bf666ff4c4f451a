//! `cargo xtask fuzz [SECONDS]`: every fuzz target of `fuzz/` for SECONDS
//! each (60 by default), then its corpus minimised, and a table of
//! executions and findings.
//!
//! It needs nothing installed by hand: `cargo-fuzz` (from crates.io, at a
//! pinned version) goes to `target/tools`, and the sanitizer flags that
//! need a nightly compiler are allowed on the project's pinned stable one
//! with `RUSTC_BOOTSTRAP=1`, set for these builds only. The fuzz crates
//! build into `target/fuzz`, and none of them depends on wasmtime.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned `cargo-fuzz`.
const CARGO_FUZZ: &str = "0.13.2";

/// The targets, in `fuzz/fuzz_targets/`.
const TARGETS: [&str; 5] = [
    "cloud_responses",
    "dc_responses",
    "cursors",
    "checkpoint",
    "config_file",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// `cargo-fuzz`, installed into `target/tools` when missing.
fn cargo_fuzz(root: &Path) -> Result<PathBuf, String> {
    let tools = root.join("target/tools");
    let bin = tools.join("bin/cargo-fuzz");
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let tools = tools.to_string_lossy().into_owned();
        super::run(
            &cargo,
            &[
                "install",
                "cargo-fuzz",
                "--locked",
                "--version",
                CARGO_FUZZ,
                "--root",
                &tools,
            ],
        )?;
    }
    Ok(bin)
}

fn fuzz_command(root: &Path, bin: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin);
    c.current_dir(root)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", root.join("target/fuzz"))
        .args(args);
    c
}

/// The number after `stat::name:` in libFuzzer's final stats.
fn stat(log: &str, name: &str) -> u64 {
    log.lines()
        .find_map(|l| l.trim().strip_prefix(&format!("stat::{name}:")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// What one target's run found.
struct Outcome {
    target: &'static str,
    executions: u64,
    seconds: u64,
    corpus: usize,
    crashed: bool,
}

fn corpus_size(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

fn fuzz_one(
    root: &Path,
    bin: &Path,
    target: &'static str,
    seconds: u64,
) -> Result<Outcome, String> {
    let corpus = root.join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let corpus_arg = corpus.to_string_lossy().into_owned();
    let time = format!("-max_total_time={seconds}");
    eprintln!("+ cargo fuzz run {target} ({seconds} s)");
    let out = fuzz_command(
        root,
        bin,
        &[
            "run",
            "--fuzz-dir",
            "fuzz",
            target,
            &corpus_arg,
            "--",
            &time,
            "-print_final_stats=1",
            "-max_len=65536",
        ],
    )
    .output()
    .map_err(|e| format!("cannot run cargo-fuzz: {e}"))?;
    let log = String::from_utf8_lossy(&out.stderr);
    let crashed = !out.status.success();
    if crashed {
        eprintln!("{log}");
    }
    eprintln!("+ cargo fuzz cmin {target}");
    let minimised = fuzz_command(
        root,
        bin,
        &["cmin", "--fuzz-dir", "fuzz", target, &corpus_arg],
    )
    .output()
    .map_err(|e| format!("cannot run cargo-fuzz: {e}"))?;
    if !minimised.status.success() {
        return Err(format!(
            "cargo fuzz cmin {target} failed: {}",
            String::from_utf8_lossy(&minimised.stderr)
        ));
    }
    Ok(Outcome {
        target,
        executions: stat(&log, "number_of_executed_units"),
        seconds,
        corpus: corpus_size(&corpus),
        crashed,
    })
}

/// Runs every target for `seconds` each and prints what they found.
pub fn fuzz(seconds: u64) -> Result<(), String> {
    let root = root();
    let bin = cargo_fuzz(&root)?;
    let mut outcomes = Vec::new();
    for target in TARGETS {
        outcomes.push(fuzz_one(&root, &bin, target, seconds)?);
    }
    println!("| target | seconds | executions | per second | corpus | crashes |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for o in &outcomes {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            o.target,
            o.seconds,
            o.executions,
            o.executions / o.seconds.max(1),
            o.corpus,
            if o.crashed { "yes: see above" } else { "0" }
        );
    }
    let total: u64 = outcomes.iter().map(|o| o.executions).sum();
    println!("{total} executions in all");
    if outcomes.iter().any(|o| o.crashed) {
        return Err("a fuzz target crashed; its input is in fuzz/artifacts/".into());
    }
    Ok(())
}
