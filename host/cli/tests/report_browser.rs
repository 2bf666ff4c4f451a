//! The HTML report in a real browser: Debian's Chromium, headless, driven
//! over the DevTools protocol, opens the file `saas-host report` wrote after
//! two demo syncs. The charts and tables must be laid out and drawn (read
//! from the page and from a screenshot, kept as `target/tmp/report.png`),
//! and the page may ask for nothing: a control page proves that the
//! browser's network events do see a page's fetches.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::Value;

mod browser;
mod common;

use browser::Browser;

/// The colours of in-use and idle seats in the charts (`saas-report`).
const IN_USE: [u8; 3] = [0x1f, 0x5f, 0xa8];
const IDLE: [u8; 3] = [0xd9, 0x7a, 0x00];

/// The window (the screenshot takes the whole page, as wide).
const WINDOW: (u32, u32) = (1280, 1000);

/// What the page shows, measured by the browser's layout: per element
/// kind, how many there are and how many have a size on screen.
const LAYOUT: &str = r#"(() => {
  const drawn = (sel) => [...document.querySelectorAll(sel)]
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 50 && r.height > 50; })
    .length;
  return {
    svg: document.querySelectorAll("svg").length, svg_drawn: drawn("svg"),
    table: document.querySelectorAll("table").length, table_drawn: drawn("table"),
    rows: document.querySelectorAll("tbody tr").length,
    headings: [...document.querySelectorAll("h2")].map(h => h.textContent),
    text: document.body.innerText,
  };
})()"#;

/// Runs `saas-host` with a clean environment; it must succeed.
fn host(args: &[&str]) {
    let out = common::bare(args).output().unwrap();
    assert!(
        out.status.success(),
        "saas-host {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// How many pixels of a PNG have each colour, and its size.
fn pixels(png_bytes: &[u8]) -> (HashMap<[u8; 3], usize>, (u32, u32)) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buf).unwrap();
    let step = frame.color_type.samples();
    assert!(step >= 3, "a colour screenshot: {:?}", frame.color_type);
    let mut counts = HashMap::new();
    for px in buf[..frame.buffer_size()].chunks_exact(step) {
        *counts.entry([px[0], px[1], px[2]]).or_insert(0) += 1;
    }
    (counts, (frame.width, frame.height))
}

#[test]
fn the_report_renders_offline_in_chromium_with_its_charts_and_tables() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let db = db.to_str().unwrap();
    common::two_demos(db);
    let report = dir.path().join("report.html");
    host(&["report", "--db", db, "-o", report.to_str().unwrap()]);
    let page_url = format!("file://{}", report.display());

    let mut browser = Browser::start(WINDOW.0, WINDOW.1);
    // The control: a page that fetches is seen fetching.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        "<!doctype html><title>c</title><img src=\"http://example.invalid/pixel.png\">",
    )
    .unwrap();
    browser.open(&control);
    let control_seen = std::mem::take(&mut browser.requests);
    assert!(
        control_seen.iter().any(|u| u.contains("example.invalid")),
        "the control page's fetch is seen: {control_seen:?}"
    );

    browser.open(&report);
    let layout: Value = browser.evaluate(LAYOUT);
    let png = browser.screenshot(f64::INFINITY);
    let first_screens = browser.screenshot(2400.0);
    let fetched: Vec<&String> = browser
        .requests
        .iter()
        .filter(|u| **u != page_url)
        .collect();
    assert!(fetched.is_empty(), "the report asked for {fetched:?}");

    // Four charts (seats, activity, ages, trend), each beside its table,
    // plus the idle people and the reconciliation, all on screen.
    assert_eq!(
        (layout["svg"].as_u64(), layout["svg_drawn"].as_u64()),
        (Some(4), Some(4)),
        "{layout}"
    );
    let tables = layout["table"].as_u64().unwrap();
    assert!(tables >= 6 && layout["table_drawn"] == tables, "{layout}");
    assert!(layout["rows"].as_u64().unwrap() > 40, "{layout}");
    let headings = layout["headings"].to_string();
    for heading in [
        "The answer",
        "Seat utilisation per unit",
        "Activity distribution",
        "Time since last activity",
        "Idle people",
        "Reconciliation",
        "Trend",
    ] {
        assert!(headings.contains(heading), "{heading} in {headings}");
    }
    let text = layout["text"].as_str().unwrap();
    assert!(text.contains("workspace-001"), "the units are named");

    let kept = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let shot = kept.join("report.png");
    std::fs::write(&shot, &png).unwrap();
    // The top of the page, as the README shows it (docs/report.png).
    std::fs::write(kept.join("report-top.png"), &first_screens).unwrap();
    let (colours, size) = pixels(&png);
    assert!(
        size.0 == WINDOW.0 && size.1 > 1500,
        "the whole page: {size:?}"
    );
    assert!(
        colours.len() > 50,
        "text and charts, not a blank page: {} colours",
        colours.len()
    );
    for (name, rgb) in [("in use", IN_USE), ("idle", IDLE)] {
        let n = colours.get(&rgb).copied().unwrap_or(0);
        assert!(n > 2_000, "the {name} bars are drawn: {n} pixels");
    }
    eprintln!(
        "screenshots: {} and report-top.png beside it",
        shot.display()
    );
}
