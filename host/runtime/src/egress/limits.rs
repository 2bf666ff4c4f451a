//! How much may leave and how fast: the retry policy, the limits an
//! egress is built with, and the token bucket of an hourly budget.

use std::time::{Duration, Instant};

use super::PrefetchLimits;

/// Retries of 429 and 5xx answers.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff; doubles each retry, with full jitter.
    pub base_delay: Duration,
    /// Longest single wait (also caps `Retry-After`).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// How much may leave and how fast.
#[derive(Debug, Clone)]
pub struct EgressLimits {
    /// Largest response body accepted.
    pub max_response_bytes: u64,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Longest overall time of one attempt; also caps a guest's own timeout.
    pub request_timeout: Duration,
    /// Retries.
    pub retry: RetryPolicy,
    /// Most requests in flight at once to one upstream host, batches and
    /// prefetches together.
    pub concurrency: usize,
    /// Requests per hour, when limited.
    pub requests_per_hour: Option<u32>,
    /// What may be fetched ahead of time.
    pub prefetch: PrefetchLimits,
}

impl EgressLimits {
    /// Requests in flight at once to one host: the cap, and no more than
    /// the hourly budget lets through at once (a tenth of it; at least one).
    pub fn in_flight(&self) -> usize {
        let burst = self
            .requests_per_hour
            .filter(|&r| r > 0)
            .map_or(usize::MAX, |r| Bucket::new(r).capacity as usize);
        self.concurrency.min(burst).max(1)
    }
}

impl Default for EgressLimits {
    fn default() -> Self {
        EgressLimits {
            max_response_bytes: 16 * 1024 * 1024,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            concurrency: 16,
            requests_per_hour: None,
            prefetch: PrefetchLimits::default(),
        }
    }
}

/// A token bucket for the hourly budget of one upstream host.
#[derive(Debug)]
pub(super) struct Bucket {
    tokens: f64,
    capacity: f64,
    per_second: f64,
    last: Instant,
}

impl Bucket {
    pub(super) fn new(per_hour: u32) -> Self {
        let capacity = (f64::from(per_hour) / 10.0).max(1.0);
        Bucket {
            tokens: capacity,
            capacity,
            per_second: f64::from(per_hour) / 3600.0,
            last: Instant::now(),
        }
    }

    /// Takes a token; returns how long to wait first.
    pub(super) fn take(&mut self) -> Duration {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.per_second)
            .min(self.capacity);
        self.last = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.per_second)
        }
    }
}
