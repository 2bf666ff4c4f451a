//! The conformance report as text and JUnit XML.

use super::{ConformReport, Verdict};

/// One line per check, then a total.
pub fn text(r: &ConformReport) -> String {
    let mut out = String::new();
    for c in &r.results {
        let v = match c.verdict {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Skipped => "SKIP",
        };
        out.push_str(&format!("{v}  {:<22} {}\n", c.name, c.evidence));
    }
    let count = |v| r.results.iter().filter(|c| c.verdict == v).count();
    out.push_str(&format!(
        "conformance: {} passed, {} failed, {} skipped ({} bytes, sha256 {})\n",
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Skipped),
        r.size,
        &r.sha256[..12.min(r.sha256.len())]
    ));
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML, one test case per check.
pub fn junit(r: &ConformReport) -> String {
    let failures = r
        .results
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .count();
    let skipped = r
        .results
        .iter()
        .filter(|c| c.verdict == Verdict::Skipped)
        .count();
    let seconds: f64 = r.results.iter().map(|c| c.millis as f64 / 1000.0).sum();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"saas-connector-conformance\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{seconds:.3}\">\n",
        r.results.len()
    );
    for c in &r.results {
        out.push_str(&format!(
            "  <testcase classname=\"conformance\" name=\"{}\" time=\"{:.3}\">",
            escape(c.name),
            c.millis as f64 / 1000.0
        ));
        match c.verdict {
            Verdict::Pass => {
                out.push_str(&format!("<system-out>{}</system-out>", escape(&c.evidence)))
            }
            Verdict::Fail => {
                out.push_str(&format!("<failure message=\"{}\"/>", escape(&c.evidence)))
            }
            Verdict::Skipped => {
                out.push_str(&format!("<skipped message=\"{}\"/>", escape(&c.evidence)))
            }
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("</testsuite>\n");
    out
}
