//! `saas-host`: the reference host's command line.

mod allocator;
mod cli;

use tracing::Level;
use tracing_subscriber::filter::{EnvFilter, FilterExt, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

/// The HTTP and TLS crates under egress. At debug and trace they log the raw
/// traffic (hex dumps with `Authorization` headers, issued tokens in
/// bodies), which no verbosity and no `SAAS_HOST_LOG` may show: only their
/// warnings and errors come through.
const WIRE_CRATES: [&str; 5] = ["ureq", "ureq_proto", "rustls", "webpki", "rustls_pki_types"];

fn is_wire(target: &str) -> bool {
    let krate = target.split("::").next().unwrap_or(target);
    WIRE_CRATES.contains(&krate)
}

fn main() {
    allocator::tune();
    let cli = cli::parse();
    let default = match cli.verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let chosen =
        EnvFilter::try_from_env("SAAS_HOST_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let no_wire = filter_fn(|m| !is_wire(m.target()) || *m.level() <= Level::WARN);
    tracing_subscriber::registry()
        .with(
            fmt::layer()
                .with_writer(std::io::stderr)
                .with_target(false)
                .with_filter(chosen.and(no_wire)),
        )
        .init();
    let code = match cli::run(cli) {
        Ok(exit) => exit as i32,
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            failure.exit as i32
        }
    };
    std::process::exit(code);
}
