use super::*;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn users(n: usize) -> Vec<UserId> {
    (0..n).map(|_| UserId::new_random()).collect()
}

fn filed(who: &[UserId]) -> LicenseRequest {
    LicenseRequest::file(
        LicenseRequestId::new_random(),
        OrganizationId::new_random(),
        UserId::new_random(),
        ProductId::new_random(),
        &AssignmentBatch::parse(who.to_vec()).unwrap(),
        RequestMessage::parse_optional(Some("for the new team")).unwrap(),
        at("2026-03-01T10:00:00Z"),
    )
}

fn batch(who: &[UserId]) -> AssignmentBatch {
    AssignmentBatch::parse(who.to_vec()).unwrap()
}

#[test]
fn a_filed_request_is_pending_for_every_user() {
    let who = users(3);
    let request = filed(&who);
    assert_eq!(request.status(), LicenseRequestStatus::Pending);
    assert!(request.decision().is_none());
    assert!(request
        .users()
        .iter()
        .all(|u| u.outcome == UserOutcome::Pending));
    let listed: Vec<UserId> = request.users().iter().map(|u| u.user_id).collect();
    assert_eq!(listed, who);
}

#[test]
fn approving_everyone_approves_the_request() {
    let who = users(3);
    let mut request = filed(&who);
    let admin = UserId::new_random();
    let sub = SubscriptionId::new_random();
    let assign = request
        .approve(None, sub, admin, None, at("2026-03-02T00:00:00Z"))
        .unwrap();
    assert_eq!(assign, who);
    assert_eq!(request.status(), LicenseRequestStatus::Approved);
    let decision = request.decision().unwrap();
    assert_eq!(
        (decision.decided_by, decision.subscription_id),
        (admin, Some(sub))
    );
    // An explicit subset naming everyone is the same as no subset.
    let mut again = filed(&who);
    let reversed: Vec<UserId> = who.iter().rev().copied().collect();
    again
        .approve(
            Some(&batch(&reversed)),
            sub,
            admin,
            None,
            at("2026-03-02T00:00:00Z"),
        )
        .unwrap();
    assert_eq!(again.status(), LicenseRequestStatus::Approved);
}

#[test]
fn approving_a_subset_denies_the_rest() {
    let who = users(3);
    let mut request = filed(&who);
    let assign = request
        .approve(
            Some(&batch(&[who[2], who[0]])),
            SubscriptionId::new_random(),
            UserId::new_random(),
            None,
            at("2026-03-02T00:00:00Z"),
        )
        .unwrap();
    // In the requester's order, not the admin's.
    assert_eq!(assign, vec![who[0], who[2]]);
    assert_eq!(request.status(), LicenseRequestStatus::PartiallyApproved);
    let outcomes: Vec<UserOutcome> = request.users().iter().map(|u| u.outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            UserOutcome::Approved,
            UserOutcome::Denied,
            UserOutcome::Approved
        ]
    );
}

#[test]
fn approving_someone_not_requested_is_refused_and_changes_nothing() {
    let who = users(2);
    let mut request = filed(&who);
    let before = request.clone();
    let stranger = UserId::new_random();
    let err = request
        .approve(
            Some(&batch(&[who[0], stranger])),
            SubscriptionId::new_random(),
            UserId::new_random(),
            None,
            at("2026-03-02T00:00:00Z"),
        )
        .unwrap_err();
    assert_eq!(err, DecideError::NotRequested(vec![stranger]));
    assert_eq!(request, before);
}

#[test]
fn deciding_twice_is_refused_whatever_the_first_decision() {
    let who = users(2);
    let now = at("2026-03-02T00:00:00Z");
    let (admin, sub) = (UserId::new_random(), SubscriptionId::new_random());

    let mut denied = filed(&who);
    denied.deny(admin, None, now).unwrap();
    assert_eq!(denied.status(), LicenseRequestStatus::Denied);
    assert!(denied
        .users()
        .iter()
        .all(|u| u.outcome == UserOutcome::Denied));
    let snapshot = denied.clone();
    assert_eq!(
        denied.approve(None, sub, admin, None, now),
        Err(DecideError::AlreadyDecided {
            status: LicenseRequestStatus::Denied
        })
    );
    assert_eq!(denied, snapshot);

    let mut partial = filed(&who);
    partial
        .approve(Some(&batch(&who[..1])), sub, admin, None, now)
        .unwrap();
    assert_eq!(
        partial.deny(admin, None, now),
        Err(DecideError::AlreadyDecided {
            status: LicenseRequestStatus::PartiallyApproved
        })
    );
    let mut approved = filed(&who);
    approved.approve(None, sub, admin, None, now).unwrap();
    assert!(approved.approve(None, sub, admin, None, now).is_err());
}

#[test]
fn one_and_twenty_users_can_be_requested() {
    assert_eq!(filed(&users(1)).users().len(), 1);
    assert_eq!(filed(&users(20)).users().len(), 20);
    // 0 and 21 cannot even be expressed: the batch refuses them.
    assert!(AssignmentBatch::parse(users(21)).is_err());
}

fn parts(request: &LicenseRequest) -> LicenseRequestParts {
    LicenseRequestParts {
        id: request.id(),
        organization_id: request.organization_id(),
        requester_id: request.requester_id(),
        product_id: request.product_id(),
        users: request.users().to_vec(),
        message: request.message().cloned(),
        status: request.status(),
        created_at: request.created_at(),
        decision: request.decision().cloned(),
    }
}

#[test]
fn restore_round_trips_every_state() {
    let who = users(2);
    let now = at("2026-03-02T00:00:00Z");
    let (admin, sub) = (UserId::new_random(), SubscriptionId::new_random());
    let pending = filed(&who);
    let mut approved = filed(&who);
    approved.approve(None, sub, admin, None, now).unwrap();
    let mut partial = filed(&who);
    partial
        .approve(Some(&batch(&who[1..])), sub, admin, None, now)
        .unwrap();
    let mut denied = filed(&who);
    denied.deny(admin, None, now).unwrap();
    for request in [pending, approved, partial, denied] {
        assert_eq!(LicenseRequest::restore(parts(&request)), Ok(request));
    }
}

#[test]
fn restore_refuses_rows_whose_status_and_outcomes_disagree() {
    let who = users(2);
    let mut approved = filed(&who);
    approved
        .approve(
            None,
            SubscriptionId::new_random(),
            UserId::new_random(),
            None,
            at("2026-03-02T00:00:00Z"),
        )
        .unwrap();
    let mut lying = parts(&approved);
    lying.status = LicenseRequestStatus::PartiallyApproved;
    assert_eq!(
        LicenseRequest::restore(lying),
        Err(RestoreError::Inconsistent {
            status: LicenseRequestStatus::PartiallyApproved
        })
    );
    let mut undecided = parts(&approved);
    undecided.decision = None;
    assert!(LicenseRequest::restore(undecided).is_err());
    let mut nobody = parts(&filed(&who));
    nobody.users.clear();
    assert_eq!(LicenseRequest::restore(nobody), Err(RestoreError::Users));
}

#[test]
fn names_round_trip() {
    for status in LicenseRequestStatus::ALL {
        assert_eq!(status.as_str().parse::<LicenseRequestStatus>(), Ok(status));
    }
    for outcome in UserOutcome::ALL {
        assert_eq!(outcome.as_str().parse::<UserOutcome>(), Ok(outcome));
    }
    assert!("partially-approved"
        .parse::<LicenseRequestStatus>()
        .is_err());
}

#[test]
fn requests_are_purged_after_twelve_calendar_months() {
    assert_eq!(
        purge_cutoff(at("2026-03-15T08:30:00Z")),
        at("2025-03-15T08:30:00Z")
    );
    // From a leap day, the cutoff is clamped to the end of February.
    assert_eq!(
        purge_cutoff(at("2028-02-29T00:00:00Z")),
        at("2027-02-28T00:00:00Z")
    );
}
