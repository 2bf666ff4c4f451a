//! The `saas-host` command line: one module per subcommand, data on
//! stdout, diagnostics and progress on stderr.

mod audit;
mod bundled;
mod callback;
mod conform_cmd;
mod conform_host_cmd;
mod connect_cmd;
mod connections_cmd;
mod credential_file;
mod demo;
mod demo_dc;
mod gaps;
mod groups_cmd;
mod history_args;
mod history_cmd;
mod in_order;
mod inspect;
mod json_document;
mod kept;
mod output;
mod progress;
mod reclaim;
mod settings;
mod slot_credentials;
mod stored;
mod styled_user;
mod summary;
mod sync_cmd;
mod undo_cmd;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// Exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Success = 0,
    /// Something failed.
    Failure = 1,
    /// The command line or settings are wrong.
    Usage = 2,
    /// The credentials were refused.
    Auth = 3,
    /// The listing stopped early: the output is partial.
    Partial = 4,
}

/// A failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub exit: Exit,
    /// What went wrong.
    pub error: anyhow::Error,
}

impl Failure {
    /// A failure with an exit code.
    pub fn new(exit: Exit, error: anyhow::Error) -> Self {
        Failure { exit, error }
    }

    /// A usage failure.
    pub fn usage(error: anyhow::Error) -> Self {
        Self::new(Exit::Usage, error)
    }

    /// A general failure.
    pub fn other(error: anyhow::Error) -> Self {
        Self::new(Exit::Failure, error)
    }
}

const EXIT_CODES: &str = "Exit codes: 0 success, 1 failure (a sign-in that got no answer \
about the credentials among them: worth retrying), 2 usage or settings error, 3 the \
credentials were refused, 4 partial result (the listing stopped early).

Settings and credentials are what the connector declares (`saas-host inspect` lists them, \
with their variables). Credentials never come from arguments: put them in a TOML file \
(--config) under [credentials.<slot>], or in <SLOT>_<FIELD> variables (for the bundled \
Bitbucket connector: BITBUCKET_CLIENT_ID and BITBUCKET_CLIENT_SECRET, BITBUCKET_REFRESH_TOKEN, \
BITBUCKET_AUTH_CODE, BITBUCKET_EMAIL and BITBUCKET_API_TOKEN, BITBUCKET_ACCESS_TOKEN, \
BITBUCKET_USERNAME and BITBUCKET_APP_PASSWORD), or come from `saas-host connect`, which \
keeps them between runs (the OS keyring, or a 0600 file in the config folder; \
SAAS_HOST_CREDENTIAL_STORE=file|keyring|auto). Settings go under [settings], in \
<CONNECTOR>_<SETTING> variables (BITBUCKET_API_BASE_URL, BITBUCKET_TOKEN_URL: a proxy, a \
test server) or in --set NAME=VALUE.";

/// Runs SaaS connectors: who uses Bitbucket, which seats are paid for and which are idle.
#[derive(Debug, Parser)]
#[command(name = "saas-host", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// More log output on stderr (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lists every user, computes statuses and licence counts, prints them.
    Sync(sync_cmd::SyncArgs),
    /// Manages groups (mutations act only with --yes).
    Groups(groups_cmd::GroupsArgs),
    /// Plans (and with --yes, carries out) licence reclamation from idle users.
    Reclaim(reclaim::ReclaimArgs),
    /// Shows a connector's contract version, hosts, auth modes, imports and exports.
    Inspect(inspect::InspectArgs),
    /// Runs a sync against a built-in fake Bitbucket: no credentials needed.
    Demo(demo::DemoArgs),
    /// Checks that a connector component honours the contract (exit 1 when a check fails).
    Conform(conform_cmd::ConformArgs),
    /// Checks that a host honours its side of the contract, with the host probe (exit 1 when a rule fails)
    ConformHost(conform_host_cmd::ConformHostArgs),
    /// Grants access in the browser (OAuth consent) and keeps the tokens for later runs.
    Connect(connect_cmd::ConnectArgs),
    /// Lists what `connect` stored (no secret is shown).
    Connections,
    /// Forgets a stored connection and its tokens.
    Disconnect(connections_cmd::DisconnectArgs),
    /// Lists the syncs kept in the history (or, with --operations, the audit trail).
    History(history_cmd::HistoryCmdArgs),
    /// Shows who joined, left, became idle or came back between two runs, and the seats.
    Diff(history_cmd::DiffArgs),
    /// Writes the HTML report of a run (by default the latest): one file that opens offline.
    Report(history_cmd::ReportArgs),
    /// Plans the inverse of a recorded operation (a group change, a reclaim), and with --yes carries it out.
    Undo(undo_cmd::UndoArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Exit, Failure> {
    match &cli.command {
        Command::Sync(a) => sync_cmd::run(a),
        Command::Groups(a) => groups_cmd::run(a),
        Command::Reclaim(a) => reclaim::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Conform(a) => conform_cmd::run(a),
        Command::ConformHost(a) => conform_host_cmd::run(a),
        Command::Connect(a) => connect_cmd::run(a),
        Command::Connections => connections_cmd::list(),
        Command::Disconnect(a) => connections_cmd::disconnect(a),
        Command::History(a) => history_cmd::history(a),
        Command::Diff(a) => history_cmd::diff(a),
        Command::Report(a) => history_cmd::report(a),
        Command::Undo(a) => undo_cmd::run(a),
    }
}

/// The subcommands that run a connector, whose help lists its declarations.
const RUNS_A_CONNECTOR: [&str; 5] = ["sync", "groups", "reclaim", "demo", "connect"];

/// The connector's declarations for `--help`: the one `--connector` names,
/// else the bundled one. None when it does not load (the help still shows).
fn declared_help(args: &[String]) -> Option<String> {
    let path = args
        .iter()
        .position(|a| a == "--connector")
        .and_then(|i| args.get(i + 1))
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--connector=").map(|_| a))
        })
        .map(|a| std::path::PathBuf::from(a.trim_start_matches("--connector=")));
    let runtime = saas_runtime::Runtime::new(saas_runtime::RuntimeOptions::default()).ok()?;
    let connector = bundled::load(&runtime, path.as_deref()).ok()?;
    Some(format!(
        "{EXIT_CODES}\n\nThe connector {} declares:\n{}",
        connector.info().name,
        inspect::declarations(connector.info())
    ))
}

/// Parses the command line; `--help` of a command that runs a connector
/// lists that connector's settings and credential slots.
pub fn parse() -> Cli {
    let args: Vec<String> = std::env::args().collect();
    let wants_help = args.iter().any(|a| a == "--help" || a == "-h");
    let mut command = Cli::command();
    if wants_help && let Some(text) = declared_help(&args) {
        for name in RUNS_A_CONNECTOR {
            command = command.mut_subcommand(name, |c| c.after_help(text.clone()));
        }
    }
    let matches = command.get_matches_from(args);
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}
