use serde_json::json;
use url::Url;

use super::*;

fn nimbus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/nimbus")
}

fn paging(style: PagingStyle, next_at: Option<&str>, last_at: Option<&str>) -> Paging {
    Paging {
        style,
        items_at: "/values".into(),
        page_size: 2,
        size_param: Some("pagelen".into()),
        max_page_size: Some(3),
        param: None,
        limit_param: None,
        first_page: None,
        next_at: next_at.map(String::from),
        last_at: last_at.map(String::from),
        total_at: Some("/size".into()),
        size_at: None,
        page_at: None,
    }
}

fn items() -> Vec<Value> {
    (0..5).map(|i| json!({ "n": i })).collect()
}

/// Follows a listing from its first page to the end, as a client would.
fn walk(p: &Paging) -> Vec<Vec<Value>> {
    let mut url = Url::parse("http://127.0.0.1:9/list?pagelen=2").unwrap();
    let mut pages = Vec::new();
    for _ in 0..10 {
        let request = p.request(&url).unwrap();
        let page = page_body(&json!({}), p, &items(), request, &url);
        assert_eq!(page["size"], 5);
        pages.push(page["values"].as_array().unwrap().clone());
        let next = &page[&p.next_at.clone().unwrap_or("/next".into())[1..]];
        let last = p.last_at.as_ref().is_some_and(|l| page[&l[1..]] == true);
        if next.is_null() || last {
            return pages;
        }
        let value = next.as_str().map_or(next.to_string(), String::from);
        url = match p.style {
            PagingStyle::NextUrl => Url::parse(&value).unwrap(),
            _ => {
                let mut u = Url::parse("http://127.0.0.1:9/list?pagelen=2").unwrap();
                u.query_pairs_mut().append_pair(p.param(), &value);
                u
            }
        };
    }
    panic!("the listing did not end");
}

#[test]
fn every_paging_style_yields_each_item_once_in_order() {
    for p in [
        paging(PagingStyle::NextUrl, Some("/next"), None),
        paging(PagingStyle::PageNumber, Some("/next"), None),
        paging(
            PagingStyle::StartLimit,
            Some("/nextPageStart"),
            Some("/isLastPage"),
        ),
        paging(PagingStyle::Cursor, Some("/next"), None),
    ] {
        let pages = walk(&p);
        assert_eq!(pages.len(), 3, "{:?}", p.style);
        assert_eq!(pages.concat(), items(), "{:?}", p.style);
    }
}

#[test]
fn a_page_length_is_capped_and_a_foreign_cursor_or_page_is_refused() {
    let p = paging(PagingStyle::Cursor, Some("/next"), None);
    let url = Url::parse("http://h/l?pagelen=50").unwrap();
    assert_eq!(
        p.request(&url).unwrap(),
        PageRequest {
            offset: 0,
            limit: 3
        }
    );
    assert!(
        p.request(&Url::parse("http://h/l?cursor=abc").unwrap())
            .is_err()
    );
    let p = paging(PagingStyle::PageNumber, Some("/next"), None);
    assert!(
        p.request(&Url::parse("http://h/l?page=0").unwrap())
            .is_err()
    );
    assert!(
        p.request(&Url::parse("http://h/l?page=x").unwrap())
            .is_err()
    );
}

#[test]
fn set_at_makes_the_objects_on_the_way() {
    let mut v = json!({"a": 1});
    set_at(&mut v, "/b/c", json!(2));
    set_at(&mut v, "/d~1e", json!(3));
    assert_eq!(v, json!({"a": 1, "b": {"c": 2}, "d/e": 3}));
}

#[test]
fn the_shipped_nimbus_scenario_loads_and_its_routes_capture_segments() {
    let s = Scenario::load(&nimbus()).unwrap();
    assert_eq!(s.file.connector, "nimbus");
    assert_eq!(s.truth.len(), 5);
    assert_eq!(s.truth_memberships(), 5);
    assert_eq!(s.items["members.jsonl"].len(), 5);
    let listing = s.routes(Role::Listing).next().unwrap();
    assert_eq!(listing.method(), "GET");
    let route = Route {
        path: "/2.0/workspaces/{ws}/members".into(),
        items: Some("members-{ws}.jsonl".into()),
        ..listing.clone()
    };
    let captured = route.captures("/2.0/workspaces/acme/members").unwrap();
    assert_eq!(route.items_file(&captured).unwrap(), "members-acme.jsonl");
    assert!(route.captures("/2.0/workspaces//members").is_none());
}

#[test]
fn the_shipped_bitbucket_scenario_holds_every_optional_part_of_the_format() {
    let dir = nimbus().join("../bitbucket");
    let s = Scenario::load(&dir).unwrap();
    let kinds: Vec<Vec<&str>> = s
        .file
        .credentials
        .also
        .iter()
        .map(|o| o.fields.keys().map(String::as_str).collect())
        .collect();
    assert_eq!(
        kinds,
        [
            vec!["password", "username"],
            vec!["client-id", "client-secret", "refresh-token"],
            vec!["token"]
        ]
    );
    assert_eq!(s.file.credentials.accepted().count(), 4);
    assert_eq!(s.file.credentials.all().count(), 5);
    let scope = s.file.auth.lacks_scope.as_ref().unwrap();
    assert_eq!((scope.status, scope.required.len()), (403, 1));
    assert_eq!(s.file.filters.len(), 3);
    assert_eq!(s.file.filters[1].units, ["workspace-001", "workspace-002"]);
    assert_eq!(s.file.kit.step_budget, Some(3));
    assert_eq!(s.statuses.len(), s.truth.len());
}

#[test]
fn a_broken_scenario_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("truth")).unwrap();
    std::fs::write(
        dir.path().join("truth/users.jsonl"),
        "{\"id\": \"a\"}\n{oops\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("scenario.toml"),
        "connector = \"x\"\n[credentials.valid.s]\ntoken = \"t\"\n[credentials.invalid.s]\n\
         token = \"u\"\n[[routes]]\nrole = \"document\"\npath = \"/\"\n",
    )
    .unwrap();
    let e = Scenario::load(dir.path()).unwrap_err().to_string();
    assert_eq!(
        e,
        "truth/users.jsonl line 2: key must be a string at line 1 column 2"
    );
    std::fs::write(dir.path().join("truth/users.jsonl"), "{\"id\": \"a\"}\n").unwrap();
    let e = Scenario::load(dir.path()).unwrap_err().to_string();
    assert_eq!(e, "no route has the role \"listing\"");
    std::fs::write(
        dir.path().join("scenario.toml"),
        "connector = \"x\"\n[credentials.valid.s]\ntoken = \"t\"\n[credentials.invalid.s]\n\
         token = \"u\"\n[[credentials.also]]\nslot = \"other\"\ntoken = \"v\"\n\
         [[routes]]\nrole = \"listing\"\npath = \"/\"\nitems = \"i.jsonl\"\n\
         paging = { style = \"next-url\", items-at = \"/v\", next-at = \"/n\", page-size = 1 }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("i.jsonl"), "{}\n").unwrap();
    let e = Scenario::load(dir.path()).unwrap_err().to_string();
    assert!(e.starts_with("[[credentials.also]] for other"), "{e}");
}

#[test]
fn holds_compares_field_by_field_and_lists_in_order() {
    let got = json!([{"id": "a", "n": 1, "x": null}, {"id": "b"}, {"id": "c"}]);
    assert!(holds(&got, &json!([{"id": "a"}, {"id": "c"}])));
    assert!(!holds(&got, &json!([{"id": "c"}, {"id": "a"}])));
    assert!(!holds(&got, &json!([{"id": "a", "n": 2}])));
    assert!(holds(&got[0], &json!({"x": null})));
    assert!(!holds(&got[0], &json!({"y": null})));
}

#[test]
fn a_canned_request_fits_by_method_path_query_form_and_json() {
    let canned: Canned = toml::from_str(
        "method = \"POST\"\npath = \"/g/\"\nquery = { a = \"1\" }\nform = { name = \"Kit Team\" }\n\
         answer = { status = 200 }\n",
    )
    .unwrap();
    let url = Url::parse("http://h/g/?a=1&b=2").unwrap();
    assert!(canned.fits("post", &url, b"name=Kit+Team&x=y"));
    assert!(!canned.fits("PUT", &url, b"name=Kit+Team"));
    assert!(!canned.fits("POST", &url, b"name=Other"));
    assert!(!canned.fits(
        "POST",
        &Url::parse("http://h/g/?a=2").unwrap(),
        b"name=Kit+Team"
    ));
    assert!(!canned.fits(
        "POST",
        &Url::parse("http://h/g?a=1").unwrap(),
        b"name=Kit+Team"
    ));
    let json: Canned = toml::from_str(
        "method = \"POST\"\npath = \"/u\"\njson = '{\"user\": \"u1\", \"groups\": [\"g\"]}'\n\
         answer = { status = 204 }\n",
    )
    .unwrap();
    let url = Url::parse("http://h/u").unwrap();
    assert!(json.fits(
        "POST",
        &url,
        br#"{"user": "u1", "groups": ["g"], "more": 1}"#
    ));
    assert!(!json.fits("POST", &url, br#"{"user": "u2", "groups": ["g"]}"#));
    assert!(!json.fits("POST", &url, b"not json"));
}
