use super::*;

fn header() -> Header {
    Header {
        format: FORMAT.into(),
        connector: "toy".into(),
        contract: "0.2.0".into(),
        component_sha256: "ab".repeat(32),
        settings_sha256: crate::sha256_hex(b""),
    }
}

fn page(cursor: Option<&str>) -> Page {
    Page {
        cursor: cursor.map(String::from),
        users: Vec::new(),
        units: Vec::new(),
        coverage: Vec::new(),
    }
}

fn file(pages: &[Page]) -> Vec<u8> {
    let mut bytes = format!("{}\n", header().line()).into_bytes();
    for p in pages {
        bytes.extend(p.line());
    }
    bytes
}

#[test]
fn pages_read_back_and_only_a_torn_last_line_is_left_out() {
    let mut bytes = file(&[page(Some("c1")), page(None)]);
    let whole = bytes.len();
    bytes.extend_from_slice(b"{\"cursor\":\"c3\",\"us");
    let read = read(&bytes, &header()).unwrap();
    assert_eq!(read.pages, vec![page(Some("c1")), page(None)]);
    assert_eq!(read.whole, whole);
}

#[test]
fn a_corrupt_middle_line_refuses_the_file_and_names_the_line() {
    let mut bytes = file(&[page(Some("c1"))]);
    bytes.extend_from_slice(b"not json\n");
    bytes.extend(page(None).line());
    let reason = read(&bytes, &header()).unwrap_err();
    assert!(reason.starts_with("line 3 is corrupt"), "{reason}");
}

#[test]
fn a_header_of_another_component_is_refused_even_with_multibyte_text() {
    let other = Header {
        // Byte 12 falls inside a character: a byte slice would panic.
        component_sha256: format!("a{}", "€".repeat(10)),
        ..header()
    };
    let bytes = format!("{}\n", other.line()).into_bytes();
    let reason = read(&bytes, &header()).unwrap_err();
    assert!(reason.contains("another component"), "{reason}");
    assert!(read(b"", &header()).unwrap_err().contains("empty"));
    assert!(read(b"\n", &header()).unwrap_err().contains("empty"));
}
