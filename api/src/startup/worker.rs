//! The delivery worker inside every server process: a pass about once a
//! second (at once again while there is a backlog), so the first attempt
//! follows a change within the 5 s PRODUCT.md §8 promises. On shutdown it
//! stops claiming, lets in-flight sends finish (each is bounded by the
//! transport's 10 s) and, past the grace period, gives their claims back.

use crate::startup::state::AppState;
use actix_web::web;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use usecases::deliveries::Worker;

pub const TICK: Duration = Duration::from_secs(1);

/// Longer than one send may take, so an in-flight send normally finishes.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(12);

pub struct DeliveryLoop {
    stop: Arc<AtomicBool>,
    wake: Arc<Notify>,
    worker: Arc<Worker>,
    state: web::Data<AppState>,
    task: tokio::task::JoinHandle<()>,
}

pub fn spawn(state: web::Data<AppState>) -> DeliveryLoop {
    let stop = Arc::new(AtomicBool::new(false));
    let wake = Arc::new(Notify::new());
    let worker = Arc::new(Worker::new());
    let task = {
        let (stop, wake, worker, state) =
            (stop.clone(), wake.clone(), worker.clone(), state.clone());
        actix_web::rt::spawn(async move {
            let mut ticker = tokio::time::interval(TICK);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut busy = false;
            loop {
                if !busy {
                    tokio::select! {
                        _ = ticker.tick() => {}
                        _ = wake.notified() => {}
                    }
                }
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                busy = match worker.pass(&state.services, &stop).await {
                    Ok(report) => {
                        if report != Default::default() {
                            tracing::debug!(?report, "delivery pass");
                        }
                        report.dispatched > 0
                            || report.delivered + report.retrying + report.failed
                                >= usecases::deliveries::worker::CLAIM_BATCH as usize
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "delivery pass failed; retrying at the next tick");
                        false
                    }
                };
            }
        })
    };
    DeliveryLoop {
        stop,
        wake,
        worker,
        state,
        task,
    }
}

impl DeliveryLoop {
    /// Stops claiming, waits up to `grace` for in-flight sends, then gives
    /// back whatever this worker still holds.
    pub async fn shutdown(self, grace: Duration) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        let mut task = self.task;
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            task.abort();
            tracing::warn!("delivery sends still running at shutdown; their claims are released");
        }
        let owner = self.worker.owner().to_owned();
        let released = self
            .state
            .services
            .db
            .run(move |conn| Ok(persistence::repos::deliveries::release(conn, &owner)?))
            .await;
        if let Err(e) = released {
            tracing::warn!(error = %e, "could not release delivery claims; they expire with their lease");
        }
    }
}
