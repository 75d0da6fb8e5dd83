//! Two servers on one database, each running its own delivery worker (the
//! loop `selfserve serve` spawns): 200 events all delivered, none sent twice
//! at the same time.

use super::*;
use std::collections::HashMap;
use tests::receiver::Receiver;

#[actix_web::test]
async fn two_replicas_deliver_every_event_and_never_the_same_one_concurrently() {
    let first = TestApp::spawn_with(&[PRIVATE_OK], Clock::System).await;
    let second = first.replica(&[PRIVATE_OK], Clock::System).await;
    let receiver = Receiver::start().await;
    // Each request takes a little while, so that overlaps would show.
    receiver.hold(std::time::Duration::from_millis(5));
    let org = Uuid::new_v4();
    let admin = first.signed_in(org, true).await;
    endpoint(&first, &admin, &receiver.url, &["*"]).await;
    let events: Vec<EventId> = (0..200)
        .map(|n| insert_event(&first, org, EventType::LicensesAssigned, json!({"n": n})))
        .collect();

    let workers = [
        api::startup::worker::spawn(first.state.clone()),
        api::startup::worker::spawn(second.state.clone()),
    ];
    // Waits for the receiver, not for a time: the bound only stops a hung run.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while receiver.received().len() < events.len() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for worker in workers {
        worker.shutdown(api::startup::worker::SHUTDOWN_GRACE).await;
    }

    let mut seen: HashMap<String, usize> = HashMap::new();
    for request in receiver.received() {
        *seen
            .entry(request.header("Selfserve-Event-Id").to_owned())
            .or_default() += 1;
    }
    for event in &events {
        assert!(
            seen.contains_key(&event.to_string()),
            "event {event} never delivered"
        );
    }
    assert_eq!(seen.len(), events.len());
    assert_eq!(
        receiver.overlaps(),
        0,
        "an event was sent twice at the same time"
    );
    let twice = seen.values().filter(|n| **n > 1).count();
    // At least once is the promise; with live leases nothing should repeat.
    assert_eq!(twice, 0, "{twice} events delivered more than once");
    drop(second);
}
