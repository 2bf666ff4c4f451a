//! The defects the Cirrus test connector (tests/cirrus) can build in, each
//! with the one conformance check it must fail and a piece of the evidence
//! that check must give (`tests/tests/scenarios.rs` holds them to it).

/// Each defect of the Cirrus connector, the one check it must fail, and a
/// piece of the evidence that check must give.
pub const PROOFS: [(&str, &str, &str); 57] = [
    (
        "phone-home",
        "declared-hosts",
        "outside the connector's URL settings",
    ),
    (
        "no-credential-check",
        "authenticate-missing",
        "expected invalid-config",
    ),
    ("log-token", "log-secrets", "log: a secret, plain"),
    ("token-in-cursor", "cursor-secrets", "cursor: a secret"),
    ("plain-cursor", "cursor-invalid", "cursor"),
    (
        "stale-token",
        "token-refresh",
        "the expired token was sent again",
    ),
    (
        "only-immediate-repeats",
        "paging-cycle",
        "page 3 links to page 1",
    ),
    ("trust-port", "foreign-port", "denied by the host"),
    (
        "trust-scheme",
        "foreign-scheme",
        "a next link to another scheme",
    ),
    (
        "ignore-total",
        "paging-missing-next",
        "no next while the total says more",
    ),
    (
        "drop-retry-after",
        "retry-after-hint",
        "Retry-After: 7 gave rate-limited",
    ),
    (
        "empty-body-is-end",
        "body-empty",
        "instead of malformed-response",
    ),
    (
        "forbidden-as-upstream",
        "error-403",
        "expected forbidden, got upstream",
    ),
    (
        "drop-failed-last-page",
        "batch-partial",
        "with page 3 failing, the listing ended as complete",
    ),
    (
        "token-5xx-as-refused",
        "token-5xx",
        "expected upstream, got invalid-credentials",
    ),
    (
        "build-next-url",
        "paging-next-only",
        "a URL of the connector's own",
    ),
    (
        "refuse-valid",
        "authenticate-valid",
        "valid credentials were refused",
    ),
    (
        "token-401-as-upstream",
        "authenticate-invalid",
        "expected invalid-credentials, got upstream",
    ),
    ("token-in-errors", "error-secrets", "error: a secret"),
    (
        "400-as-not-found",
        "error-400",
        "expected upstream, got not-found",
    ),
    (
        "401-as-forbidden",
        "error-401",
        "expected invalid-credentials, got forbidden",
    ),
    (
        "404-as-upstream",
        "error-404",
        "expected not-found, got upstream",
    ),
    (
        "410-as-upstream",
        "error-410",
        "expected not-found, got upstream",
    ),
    (
        "5xx-as-transport",
        "error-5xx",
        "expected upstream, got transport",
    ),
    (
        "timeout-as-upstream",
        "error-timeout",
        "expected transport, got upstream",
    ),
    (
        "reset-as-upstream",
        "error-reset",
        "expected transport, got upstream",
    ),
    (
        "too-large-as-transport",
        "error-too-large",
        "expected denied-by-host, got transport",
    ),
    (
        "no-hint-as-upstream",
        "rate-limit-storm",
        "expected rate-limited, got upstream",
    ),
    (
        "truncated-is-end",
        "body-truncated",
        "instead of malformed-response",
    ),
    ("html-is-end", "body-html", "instead of malformed-response"),
    (
        "non-utf8-is-end",
        "body-non-utf8",
        "instead of malformed-response",
    ),
    (
        "object-items",
        "items-type-swap",
        "with the items as an object, the listing finished",
    ),
    ("status-phones-home", "pure-calls", "compute-status sent"),
    (
        "status-input-order",
        "status-deterministic",
        "the reversed listing gave another report",
    ),
    (
        "status-future-inactive",
        "status-golden",
        "c-5 is inactive where the truth says active",
    ),
    (
        "status-ignores-complete",
        "status-partial",
        "a partial listing marks",
    ),
    (
        "status-uncovered-never-active",
        "status-unknown",
        "with no evidence and no coverage",
    ),
    (
        "status-counts-suspended-seats",
        "status-seats",
        "7 seats used by 6 people",
    ),
    ("status-fixed-as-of", "status-as-of", "ten years on"),
    (
        "bearer-refused",
        "auth-matrix",
        "cirrus as bearer-token was accepted upstream, but: invalid-config",
    ),
    (
        "empty-page-malformed",
        "paging-next-on-last",
        "a next link on the last page, past the end: the listing ended with malformed-response",
    ),
    (
        "denied-as-transport",
        "error-denied",
        "expected denied-by-host, got transport",
    ),
    (
        "session-bound-cursor",
        "cursor-resume",
        "a cursor of another session",
    ),
    ("repeat-is-end", "duplicates", "c-7 is missing"),
    (
        "status-small-sample",
        "status-additive",
        "the halves' statuses differ from the whole's",
    ),
    (
        "scope-as-forbidden",
        "error-403-scope",
        "expected insufficient-scope, got forbidden",
    ),
    (
        "unchecked-url",
        "config-validation",
        "base-url = \"ftp://files.example/\": expected invalid-config, got denied-by-host",
    ),
    (
        "uncounted-requests",
        "step-budget",
        "step 1: the egress saw 1 requests, the step reported 0",
    ),
    (
        "status-unmerged",
        "status-unmerged",
        "14 statuses for 7 users",
    ),
    (
        "cycle-only",
        "paging-repeat",
        "page 1 links to itself: the listing finished",
    ),
    ("trust-host", "foreign-host", "denied by the host"),
    ("trust-userinfo", "foreign-userinfo", "denied by the host"),
    (
        "drop-email",
        "fields-fidelity",
        "email: nothing where the truth has",
    ),
    (
        "membership-answer-empty",
        "groups-unsupported-all",
        "add-member did not answer with an error",
    ),
    (
        "groups-no-effect",
        "groups-full",
        "create-group: POST /v2/groups reached the upstream 0 times",
    ),
    (
        "retry-create",
        "groups-write-once",
        "POST /v2/groups answered 503 after it took effect, and was sent 2 times",
    ),
    (
        "read-only-as-forbidden",
        "groups-read-only",
        "update-group: expected read-only, got forbidden",
    ),
];
