//! One SQLite writer at a time in this process.
//!
//! SQLite has one write lock per database. Writers that collide on
//! `BEGIN IMMEDIATE` wait in SQLite's busy handler, which sleeps in steps
//! (1, 2, 5 … 100 ms) and polls: under 64 concurrent writers the tail was
//! ~0.7 s (bench/README.md, finding 2). Queued here instead, each writer is
//! woken the moment the one before it commits or rolls back.
//!
//! Process-wide rather than per database: a server opens one SQLite file
//! (test binaries open many, and their writes are short). The wait is bounded:
//! past `patience` a writer goes on to SQLite's own locking, exactly as before
//! this gate existed, so a writer outside the process (another command on the
//! same file, a test holding the lock) can slow the others but never deadlock
//! them.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

pub(crate) struct WriterGate {
    taken: Mutex<bool>,
    freed: Condvar,
}

/// The turn of the writer holding the gate; dropping it lets the next one in.
pub(crate) struct Turn<'a>(Option<&'a WriterGate>);

impl WriterGate {
    pub(crate) const fn new() -> Self {
        Self {
            taken: Mutex::new(false),
            freed: Condvar::new(),
        }
    }

    fn flag(&self) -> MutexGuard<'_, bool> {
        // The flag is consistent whatever a panicking holder was doing.
        self.taken.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for the gate at most `patience`; a turn that did not get it
    /// (`held() == false`) proceeds all the same.
    pub(crate) fn enter(&self, patience: Duration) -> Turn<'_> {
        let deadline = Instant::now() + patience;
        let mut taken = self.flag();
        while *taken {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Turn(None);
            }
            taken = self
                .freed
                .wait_timeout(taken, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *taken = true;
        Turn(Some(self))
    }
}

#[cfg(test)]
impl Turn<'_> {
    fn held(&self) -> bool {
        self.0.is_some()
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if let Some(gate) = self.0 {
            *gate.flag() = false;
            gate.freed.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn one_writer_at_a_time_and_each_is_woken_in_turn() {
        static GATE: WriterGate = WriterGate::new();
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (inside, most) = (inside.clone(), most.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let turn = GATE.enter(Duration::from_secs(30));
                        assert!(turn.held());
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_writer_stuck_in_its_turn_does_not_block_the_next_for_ever() {
        let gate = WriterGate::new();
        let stuck = gate.enter(Duration::ZERO);
        assert!(stuck.held());
        let next = gate.enter(Duration::from_millis(20));
        assert!(
            !next.held(),
            "past its patience a writer goes on without the gate"
        );
        drop(next);
        drop(stuck);
        assert!(
            gate.enter(Duration::ZERO).held(),
            "free again once the turn ends"
        );
    }
}
