//! Project tasks, so that a fresh machine needs nothing installed by hand:
//!
//! - `cargo xtask setup`: installs the `wasm32-wasip2` target and, for the
//!   report's browser test, Debian's Chromium (see `browser.rs`).
//! - `cargo xtask demo [ARGS]`: a sync against the built-in fake Bitbucket.
//! - `cargo xtask test`: every test of the workspace.
//! - `cargo xtask ci`: formatting, lints (native and wasm) and every test.
//! - `cargo xtask fuzz [SECONDS]`: every fuzz target (see `fuzz.rs`).

mod browser;
mod fuzz;

use std::process::{Command, ExitCode};

const WASM_TARGET: &str = "wasm32-wasip2";

/// Runs `program` with `args`, echoing the command line first.
fn run(program: &str, args: &[&str]) -> Result<(), String> {
    let mut command = Command::new(program);
    command.args(args);
    run_command(&mut command)
}

/// Runs a prepared command (its environment set by the caller), echoing it.
fn run_command(command: &mut Command) -> Result<(), String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let args: Vec<String> = command
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    eprintln!("+ {program} {}", args.join(" "));
    let status = command
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

fn cargo(args: &[&str]) -> Result<(), String> {
    run(
        &std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
        args,
    )
}

/// Everything the tests need: the wasm target and Chromium.
fn setup() -> Result<(), String> {
    wasm_target()?;
    browser::ensure_chromium()
}

/// Installs the wasm target unless it is there already.
fn wasm_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup is needed to install {WASM_TARGET}: {e}"))?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == WASM_TARGET)
    {
        return Ok(());
    }
    run("rustup", &["target", "add", WASM_TARGET])
}

fn test() -> Result<(), String> {
    setup()?;
    cargo(&["test", "--workspace", "--no-fail-fast"])
}

fn ci() -> Result<(), String> {
    cargo(&["fmt", "--all", "--", "--check"])?;
    test()?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&[
        "clippy",
        "--package",
        "bitbucket-connector",
        "--package",
        "bitbucket-dc-connector",
        "--package",
        "saas-connector-sdk",
        "--package",
        "example-connector",
        "--package",
        "cirrus-connector",
        "--package",
        "host-probe",
        "--target",
        WASM_TARGET,
        "--",
        "-D",
        "warnings",
    ])
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup(),
        Some("demo") => wasm_target().and_then(|()| {
            let mut a = vec!["run", "--quiet", "--package", "saas-host", "--", "demo"];
            a.extend(&rest);
            cargo(&a)
        }),
        Some("test") => test(),
        Some("ci") => ci(),
        Some("fuzz") => match rest.first().map(|s| s.parse::<u64>()) {
            None => fuzz::fuzz(60),
            Some(Ok(seconds)) => fuzz::fuzz(seconds.max(1)),
            Some(Err(_)) => Err("usage: cargo xtask fuzz [SECONDS]".into()),
        },
        _ => Err("usage: cargo xtask <setup | demo [ARGS] | test | ci | fuzz [SECONDS]>".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
