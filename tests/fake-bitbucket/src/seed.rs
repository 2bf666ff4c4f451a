//! The generated data; what a sync must find in it is [`crate::truth`].
//! Users are derived from their index on demand, so a million memberships
//! cost a few tens of megabytes.

use serde_json::Value;

use crate::config::FakeConfig;
use crate::docs::{AccountDoc, AccountLinks, Href};

/// A member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Administrator.
    Owner,
    /// Collaborator (removed from the API in 2022; old data still has it).
    Collaborator,
    /// May create projects (added to the API later).
    CreateProject,
    /// A role the API may add some day: clients must keep it, not fail.
    Future,
    /// Member.
    Member,
}

impl Role {
    /// Bitbucket's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Collaborator => "collaborator",
            Role::CreateProject => "create-project",
            Role::Future => "triage-lead",
            Role::Member => "member",
        }
    }
}

/// One membership.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    /// Index of the user.
    pub user: u32,
    /// Role.
    pub role: Role,
    /// Join time.
    pub added_on: Option<i64>,
    /// Last access, as `/permissions` reports it (none once managed).
    pub last_accessed: Option<i64>,
    /// Last activity in this workspace as the Admin API reports it.
    pub admin_last_active: Option<i64>,
}

/// One workspace and its members.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Slug.
    pub slug: String,
    /// uuid with braces.
    pub uuid: String,
    /// Name.
    pub name: String,
    /// Whether access dates are reported (false after moving to admin.atlassian.com).
    pub tracks_access: bool,
    /// Created on.
    pub created_on: i64,
    /// Members in listing order.
    pub members: Vec<Member>,
}

/// Display names that break naive writers: CSV's separators and quotes,
/// line breaks, non-ASCII, and spreadsheet formulas.
pub const AWKWARD_NAMES: [&str; 8] = [
    "Smith, Jane",
    "O\"Brien \"Bob\"",
    "Line\nBreak",
    "Zoë Ångström 李雷",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+1-555-0100",
    "@SUM(A1:A9)",
    "-2+3",
];

/// The generated data.
#[derive(Debug, Clone)]
pub struct Dataset {
    seed: u64,
    /// The data's "now", Unix seconds: what ages are counted from.
    pub(crate) now: i64,
    awkward_names: bool,
    /// Workspaces in listing order.
    pub workspaces: Vec<Workspace>,
}

/// A 64-bit mix of the seed and some numbers (splitmix64).
pub fn mix(seed: u64, a: u64, b: u64) -> u64 {
    let mut z = seed
        .wrapping_add(a.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(b.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn uuid(seed: u64, kind: u64, i: u64) -> String {
    let a = mix(seed, kind, i);
    let b = mix(seed, kind + 1, i);
    format!(
        "{{{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}}}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// The same fleet `days` later: about one member in eight was active
/// since; everyone else's dates are `days` older; about one in twenty-five
/// left (never a workspace's first owner), and as many newcomers joined,
/// people the fleet did not have before.
fn aged(workspaces: Vec<Workspace>, seed: u64, now: i64, days: u32, pool: u64) -> Vec<Workspace> {
    let shift = i64::from(days) * 86_400;
    let older = |t: Option<i64>| t.map(|t| t - shift);
    workspaces
        .into_iter()
        .enumerate()
        .map(|(wi, mut w)| {
            let wi = wi as u64;
            let before = w.members.len();
            let mut members: Vec<Member> = Vec::with_capacity(before);
            for (i, m) in w.members.iter().enumerate() {
                let r = mix(seed, 13, wi * 1_000_003 + i as u64);
                if i > 0 && r % 25 == 1 {
                    continue;
                }
                let fresh = (r % 8 == 3).then(|| now - ((r >> 8) % shift as u64) as i64);
                members.push(Member {
                    added_on: older(m.added_on),
                    last_accessed: if w.tracks_access {
                        fresh.or(older(m.last_accessed))
                    } else {
                        None
                    },
                    admin_last_active: fresh.or(older(m.admin_last_active)),
                    ..*m
                });
            }
            for j in 0..(before - members.len()) as u64 {
                let r = mix(seed, 14, wi * 1_000_003 + j);
                let joined = now - ((r >> 8) % shift as u64) as i64;
                let active = (!r.is_multiple_of(3)).then_some(joined + ((now - joined) / 2));
                members.push(Member {
                    user: (pool + wi * 1_000 + j) as u32,
                    role: Role::Member,
                    added_on: w.tracks_access.then_some(joined),
                    last_accessed: active.filter(|_| w.tracks_access),
                    admin_last_active: active,
                });
            }
            w.members = members;
            w
        })
        .collect()
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// RFC 3339 text of a Unix time.
pub fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

impl Dataset {
    /// Generates the data of a config.
    pub fn generate(config: &FakeConfig) -> Self {
        let (w, m, seed) = (config.workspaces as u64, config.members as u64, config.seed);
        let sharing = config.sharing.clamp(0.0, 1.0);
        // The pool is smaller than all memberships by the sharing fraction.
        let pool = if w <= 1 {
            m
        } else {
            (((w * m) as f64) * (1.0 - sharing)).ceil().max(m as f64) as u64
        }
        .max(1);
        let year: u64 = 365 * 86_400;
        let year_s = year as i64;
        let workspaces = (0..w)
            .map(|wi| {
                let every = config.managed_every;
                let tracks_access = every == 0 || wi % every != every - 1;
                let offset = mix(seed, 10, wi) % pool;
                let mut stride = (mix(seed, 11, wi) % pool).max(1);
                while gcd(stride, pool) != 1 {
                    stride += 1;
                }
                let members = (0..m)
                    .map(|i| {
                        let user = ((offset + i * stride) % pool) as u32;
                        let r = mix(seed, 12, wi * 1_000_003 + i);
                        let role = if i == 0 {
                            Role::Owner
                        } else if r.is_multiple_of(20) {
                            Role::Collaborator
                        } else if r % 20 == 10 {
                            Role::CreateProject
                        } else if r % 89 == 3 {
                            Role::Future
                        } else if r % 97 == 1 {
                            Role::Owner
                        } else {
                            Role::Member
                        };
                        let never = (r >> 8).is_multiple_of(12);
                        let last = config.now - ((r >> 16) % year) as i64;
                        Member {
                            user,
                            role,
                            added_on: tracks_access
                                .then_some(config.now - year_s - ((r >> 24) % year) as i64),
                            last_accessed: (tracks_access && !never).then_some(last),
                            admin_last_active: (!never).then_some(last),
                        }
                    })
                    .collect();
                Workspace {
                    slug: format!("workspace-{wi:03}"),
                    uuid: uuid(seed, 1, wi),
                    name: format!("Workspace {wi}"),
                    tracks_access,
                    created_on: config.now - 3 * year_s + (wi as i64) * 86_400,
                    members,
                }
            })
            .collect();
        let workspaces = if config.aged_days > 0 {
            aged(workspaces, seed, config.now, config.aged_days, pool)
        } else {
            workspaces
        };
        Dataset {
            awkward_names: config.awkward_names,
            seed,
            now: config.now,
            workspaces,
        }
    }

    /// The organization's view of user `i`.
    pub fn admin_user(&self, i: u32) -> AdminUser {
        let r = mix(self.seed, 20, u64::from(i));
        AdminUser {
            in_directory: !r.is_multiple_of(13),
            status: if r % 19 == 1 { "suspended" } else { "active" },
            added_to_org: if r % 17 == 1 {
                self.now - 3_600
            } else {
                self.now - 500 * 86_400
            },
            email: format!("user{i}@example.com"),
            // Recent use of another product, which must not count for Bitbucket.
            other_products: if r.is_multiple_of(4) {
                vec![(
                    format!(
                        "ari:cloud:confluence::site/{:08x}",
                        mix(self.seed, 21, 0) >> 32
                    ),
                    self.now - 86_400,
                )]
            } else {
                Vec::new()
            },
        }
    }

    /// The organization resource id of a workspace.
    pub fn resource_id(w: &Workspace) -> String {
        format!(
            "ari:cloud:bitbucket::workspace/{}",
            w.uuid.trim_matches(|c| c == '{' || c == '}')
        )
    }

    /// Finds a workspace by slug.
    pub fn workspace(&self, slug: &str) -> Option<&Workspace> {
        self.workspaces.iter().find(|w| w.slug == slug)
    }

    /// The uuid of user `i`.
    pub fn user_uuid(&self, i: u32) -> String {
        uuid(self.seed, 2, u64::from(i))
    }

    /// The Atlassian account id of user `i`.
    pub fn account_id(&self, i: u32) -> String {
        let i = u64::from(i);
        format!(
            "557058:{:032x}",
            u128::from(mix(self.seed, 4, i)) << 64 | u128::from(mix(self.seed, 3, i))
        )
    }

    /// The display name of user `i`: `User {i}`, or with
    /// [`FakeConfig::awkward_names`] one of [`AWKWARD_NAMES`] for every
    /// third user.
    pub fn display_name(&self, i: u32) -> String {
        match AWKWARD_NAMES.get((i / 3) as usize % AWKWARD_NAMES.len()) {
            Some(name) if self.awkward_names && i.is_multiple_of(3) => format!("{name} {i}"),
            _ => format!("User {i}"),
        }
    }

    /// The JSON of user `i`, with the quirks of real accounts: some without
    /// optional fields, some with the legacy `username`, a few not active.
    pub fn user_json(&self, i: u32) -> Value {
        serde_json::to_value(self.account(i)).expect("an account serializes")
    }

    /// User `i` as [`Self::user_json`] shows it, as a typed document.
    pub fn account(&self, i: u32) -> AccountDoc {
        let r = mix(self.seed, 3, u64::from(i));
        let nickname = format!("user{i}");
        let legacy = r.is_multiple_of(11);
        AccountDoc {
            kind: "user",
            uuid: self.user_uuid(i),
            account_id: self.account_id(i),
            username: legacy.then(|| format!("legacy_{nickname}")),
            nickname,
            display_name: self.display_name(i),
            links: AccountLinks {
                avatar: Href {
                    href: format!("https://avatar-management.example/{i}.png"),
                },
            },
            has_2fa_enabled: (!r.is_multiple_of(7)).then_some(!r.is_multiple_of(3)),
            created_on: (!r.is_multiple_of(5))
                .then(|| rfc3339(self.now - 4 * 365 * 86_400 + (r % 1000) as i64 * 86_400)),
            account_status: match r % 50 {
                0 => Some("inactive"),
                1 => Some("closed"),
                2..=5 => None,
                _ => Some("active"),
            },
            website: legacy.then(|| format!("https://example.org/~{i}")),
        }
    }
}

/// The organization's view of one user.
#[derive(Debug, Clone)]
pub struct AdminUser {
    /// Whether the user is in the org's directory (else: an external
    /// collaborator, unknown to the Admin API).
    pub in_directory: bool,
    /// `status`: `active` or `suspended`.
    pub status: &'static str,
    /// `addedToOrg`, Unix seconds.
    pub added_to_org: i64,
    /// The email the Admin API shows.
    pub email: String,
    /// Activity in other Atlassian products: (resource id, Unix seconds).
    pub other_products: Vec<(String, i64)>,
}
