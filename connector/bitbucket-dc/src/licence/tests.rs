use super::*;

fn user(id: u32, active: bool) -> DetailedUser {
    DetailedUser {
        id,
        name: format!("u{id}"),
        display_name: None,
        email_address: None,
        active,
        kind: None,
        directory_name: Some("Acme LDAP".into()),
        last_authentication_timestamp: None,
        mutable_groups: true,
    }
}

fn grants() -> Grants {
    Grants {
        visible: true,
        groups: vec![
            GroupGrant {
                name: "bitbucket-users".into(),
                permission: Some(Permission::LicensedUser),
                members: vec![1, 2, 5],
            },
            GroupGrant {
                name: "bb-admins".into(),
                permission: Some(Permission::Admin),
                members: vec![2],
            },
        ],
        direct: vec![(3, Permission::ProjectCreate)],
        licensed: Some(vec![1, 2, 3, 4, 5]),
    }
}

#[test]
fn the_highest_path_decides_and_every_path_is_named() {
    let g = grants();
    let index = Index::new(&g);
    let two = index.seat(&user(2, true));
    assert_eq!(two.permission, Some(Permission::Admin));
    assert!(two.billable);
    assert!(two.reason.contains("bitbucket-users") && two.reason.contains("bb-admins"));
    let three = index.seat(&user(3, true));
    assert_eq!(three.permission, Some(Permission::ProjectCreate));
    assert!(three.reason.contains("granted directly"));
}

#[test]
fn deactivated_and_unpermitted_users_hold_no_seat() {
    let g = grants();
    let index = Index::new(&g);
    let five = index.seat(&user(5, false));
    assert!(!five.billable);
    assert!(five.reason.contains("deactivated in Acme LDAP"));
    let nine = index.seat(&user(9, true));
    assert!(!nine.billable && nine.permission.is_none());
}

#[test]
fn bitbucket_s_own_list_fills_what_the_grants_do_not_show() {
    let g = grants();
    let index = Index::new(&g);
    let four = index.seat(&user(4, true));
    assert!(four.billable && four.reason.contains("no grant"));
    let hidden = Grants {
        visible: false,
        licensed: Some(vec![7]),
        ..Grants::default()
    };
    let index = Index::new(&hidden);
    assert!(index.seat(&user(7, true)).billable);
    assert!(!index.seat(&user(8, true)).billable);
}
