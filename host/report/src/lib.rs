//! `saas-report`: what an operator looks at. [`Overview`] is the answer
//! (seats, idle people, cost, evidence), computed from a stored run; the
//! terminal summary prints it and [`html`] renders it as one
//! self-contained page with SVG charts beside tables: no script, no
//! stylesheet or font from elsewhere, and a content security policy that
//! forbids fetching anything, so it opens offline.

pub mod charts;
pub mod html;
pub mod overview;
pub mod when;

pub use html::{ReportError, render};
pub use overview::{AGE_BUCKETS, Cost, Overview, UnitView, UserView, percent};

#[cfg(test)]
mod tests;
