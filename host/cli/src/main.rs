//! `saas-host`: the reference host's command line.

mod cli;

use tracing_subscriber::EnvFilter;

fn main() {
    let cli = cli::parse();
    let default = match cli.verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_env("SAAS_HOST_LOG").unwrap_or_else(|_| EnvFilter::new(default)),
        )
        .with_target(false)
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
