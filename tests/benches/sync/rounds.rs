//! Rounds on the critical path: a sync at 50 ms per request, its requests
//! counted in waves at the fake, against the fewest waves any client needs
//! (one token round, one discovery round, then every details and member
//! page as many at a time as are in flight), side by side with an earlier
//! component (`BENCH_BASELINE_WASM`) and the peer. A second bound, the
//! reachable minimum, adds what no client can skip: a workspace's numbered
//! pages are known only once its first page is read, so the round after
//! discovery carries at most the first pages and the details.

use std::time::Duration;

use fake_bitbucket::{FakeBitbucket, Faults, LoggedRequest};

use super::{fake, fmt, peer, stats, thread_cpu, wasm_sync};

/// Requests in flight at once, a row each: the figure earlier runs used,
/// and `saas-host`'s default now.
const IN_FLIGHT: [usize; 2] = [16, 32];

/// Latency of every request at the fake.
const LATENCY: Duration = Duration::from_millis(50);

/// Waves of requests: a request that arrives at least half a latency after
/// the first of the current wave starts the next one. A request that waits
/// for another's answer arrives a whole latency later, so each wave is one
/// round trip on the critical path.
pub fn waves(log: &[LoggedRequest]) -> usize {
    let mut arrivals: Vec<_> = log.iter().map(|r| r.arrived).collect();
    arrivals.sort();
    let mut waves = 0;
    let mut start = None;
    for t in arrivals {
        if start.is_none_or(|s| t.duration_since(s) >= LATENCY / 2) {
            waves += 1;
            start = Some(t);
        }
    }
    waves
}

/// The fewest rounds when a workspace's numbered pages are known only once
/// its first page is read: the token, discovery, a round of first pages and
/// details (`workspaces` of each at most), then the rest of the `requests`
/// (details and every member page) as many at a time as are in flight.
pub fn reachable_minimum(workspaces: usize, requests: usize, in_flight: usize) -> usize {
    let first_round = in_flight.min(2 * workspaces);
    3 + requests.saturating_sub(first_round).div_ceil(in_flight)
}

/// One sync: seconds, requests, rounds, and the CPU seconds of the thread
/// that calls the guest and merges (the fake and the requests in flight
/// run on other threads).
fn measured(
    c: &saas_runtime::Connector,
    f: &FakeBitbucket,
    in_flight: usize,
) -> (f64, u64, usize, f64) {
    let cpu = thread_cpu();
    let (t, n, _) = wasm_sync(c, f, in_flight);
    let cpu = (thread_cpu() - cpu).as_secs_f64();
    (t.as_secs_f64(), n, waves(&f.requests()), cpu)
}

fn latency(f: &FakeBitbucket, on: bool) {
    f.set_faults(Faults {
        latency: if on { LATENCY } else { Duration::ZERO },
        ..Faults::default()
    });
}

/// The section: each size, each number in flight, each component, `runs`
/// runs alternating.
pub fn rounds(components: &[(&str, &saas_runtime::Connector)], runs: usize) {
    println!("\n## 2b. Rounds: 50 ms per request\n");
    println!(
        "| workspaces × members | component | in flight | requests | rounds | minimum rounds | reachable minimum | wall time | critical path | wall / critical path | wall / reachable path | no-latency time | listing thread CPU |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (w, m) in [(10, 500), (50, 2000)] {
        let f = fake(w, m);
        let pages = w + w * m.div_ceil(100);
        for in_flight in IN_FLIGHT {
            let minimum = 2 + pages.div_ceil(in_flight);
            let critical = minimum as f64 * LATENCY.as_secs_f64();
            let reachable = reachable_minimum(w, pages, in_flight);
            let reachable_path = reachable as f64 * LATENCY.as_secs_f64();
            let mut rows = vec![(Vec::new(), Vec::new(), Vec::new(), 0, 0); components.len()];
            for _ in 0..runs {
                for (row, (_, c)) in rows.iter_mut().zip(components) {
                    latency(&f, false);
                    let (t, _, _, cpu) = measured(c, &f, in_flight);
                    row.1.push(t);
                    row.2.push(cpu);
                    latency(&f, true);
                    let (t, n, r, _) = measured(c, &f, in_flight);
                    row.0.push(t);
                    (row.3, row.4) = (n, r);
                }
            }
            for ((name, _), (times, bare, cpu, n, r)) in components.iter().zip(rows) {
                let ours = stats(times);
                println!(
                    "| {w} × {m} | {name} | {in_flight} | {n} | {r} | {minimum} | {reachable} | {} | {critical:.3} s | {:.2}× | {:.2}× | {} | {} |",
                    fmt(ours, "s"),
                    ours.0 / critical,
                    ours.0 / reachable_path,
                    fmt(stats(bare), "s"),
                    fmt(stats(cpu), "s"),
                );
            }
        }
        latency(&f, true);
        let pagelens: &[u32] = if w * m <= 10_000 { &[100, 10] } else { &[100] };
        for &pagelen in pagelens {
            match peer(&f, pagelen) {
                Ok((t, n)) => println!(
                    "| {w} × {m} | peer, pagelen {pagelen} ({n} memberships, one run) | 1 | | | | | {t:.3} s | | | | | |"
                ),
                Err(e) => println!(
                    "| {w} × {m} | peer, pagelen {pagelen}: not run ({e}) | | | | | | | | | | | |"
                ),
            }
        }
    }
}
