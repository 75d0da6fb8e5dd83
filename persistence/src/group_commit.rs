//! SQLite writes of this process committed in groups, on one connection.
//!
//! Why: SQLite takes one writer at a time, so the length of a write
//! transaction is the write throughput. Two parts of that length do not
//! depend on the work: the commit (the WAL append, the lock hand-over, the
//! occasional checkpoint) and, on a pooled connection, reading back the pages
//! another connection's commit made stale (SQLite drops a connection's whole
//! page cache when someone else wrote). Here every grouped write runs on the
//! same connection, whose cache stays warm, and writers that arrive while
//! another is working join the transaction it is in instead of waiting for it
//! to commit: each runs its work inside its own SAVEPOINT — a refusal rolls
//! back only its own changes — and the last of the queue commits for all.
//!
//! Nobody is answered before that commit: a member whose work succeeded waits
//! for it, and if the commit fails every member fails (503, nothing kept), so
//! nothing acknowledged is lost. A member's work sees the uncommitted changes
//! of the members before it, exactly as if they had committed one by one in
//! that order. A group is bounded (`MAX_MEMBERS`, `MAX_OPEN`), so writers
//! outside it (other statements of this process, other processes) wait no
//! longer than before; it holds the process's writer gate for its lifetime.

use crate::connection::{sqlite_connection, SQLITE_BUSY_TIMEOUT, SQLITE_WRITERS};
use crate::writer_gate::Turn;
use crate::DbConnection;
use diesel::connection::SimpleConnection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use std::collections::VecDeque;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// At most this many writes share one commit.
const MAX_MEMBERS: usize = 32;
/// A group stops taking members this long after it began.
const MAX_OPEN: Duration = Duration::from_millis(20);
/// The WAL is copied back into the database after this many group commits:
/// small checkpoints, because each one slows the writer while it runs (at 8,
/// 16 and 64 the slowest commit gaps under load were 32, 44 and 81 ms).
const CHECKPOINT_EVERY: u64 = 8;
/// SQLite's own automatic checkpoint threshold (`wal_autocheckpoint`), in frames.
const WAL_FRAMES: i32 = 1000;

/// The grouped writer of one SQLite database.
pub struct GroupWriter {
    path: PathBuf,
    state: Mutex<State>,
    /// Signalled whenever the connection becomes free (to all: the one whose
    /// ticket is next goes).
    free: Condvar,
    commits: AtomicU64,
    /// The last background checkpoint found a WAL past `WAL_FRAMES`.
    behind: AtomicBool,
    /// Checkpoints run on a connection of their own (see [`GroupWriter::checkpoint`]).
    checkpoints: Mutex<Option<DbConnection>>,
}

#[derive(Default)]
struct State {
    /// The connection, while nobody works on it (`None` before the first
    /// write, and after one that left it unusable: the next opens another).
    conn: Option<DbConnection>,
    busy: bool,
    /// Tickets of the writers waiting for the connection, served in order
    /// (a writer that has just finished would otherwise take it again ahead
    /// of those the hand-over woke, and starve them). While there are some,
    /// a finished member leaves the transaction open for them.
    queue: VecDeque<u64>,
    next_ticket: u64,
    open: Option<Group>,
}

/// A transaction in progress and the members that joined it.
struct Group {
    members: usize,
    began: Instant,
    outcome: Arc<Outcome>,
    /// The process's writer turn, held from BEGIN to COMMIT or ROLLBACK.
    _turn: Turn<'static>,
}

/// How a group's transaction ended, for the members waiting on it. The wait
/// is a future: a member whose work is done frees its thread for the next
/// writer instead of sleeping on it (with a thread per waiting member, a
/// group could never grow past the blocking pool).
#[derive(Default)]
struct Outcome {
    state: Mutex<Ending>,
}

#[derive(Default)]
struct Ending {
    ended: Option<Result<(), String>>,
    waiting: Vec<Waker>,
}

impl Outcome {
    fn end(&self, result: Result<(), String>) {
        let wakers = {
            let mut state = lock(&self.state);
            state.ended = Some(result);
            std::mem::take(&mut state.waiting)
        };
        wakers.into_iter().for_each(Waker::wake);
    }
}

/// A write whose work is done, answered once its group has committed.
pub struct Committed<T> {
    value: T,
    commit: Commit,
}

impl<T> Committed<T> {
    /// The write's value once its group has committed; the group's failure otherwise.
    pub async fn committed(self) -> Result<T, DieselError> {
        self.commit.await?;
        Ok(self.value)
    }
}

/// The end of a member's group (`None`: this member committed it itself).
struct Commit(Option<Arc<Outcome>>);

impl Future for Commit {
    type Output = Result<(), DieselError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(group) = &self.0 else {
            return Poll::Ready(Ok(()));
        };
        let mut state = lock(&group.state);
        match state.ended.clone() {
            None => {
                state.waiting.push(cx.waker().clone());
                Poll::Pending
            }
            Some(ended) => Poll::Ready(ended.map_err(unavailable)),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every field is consistent whatever a panicking holder was doing:
    // the holder never panics between two of its updates.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A write that could not take part: the connection stayed busy past the
/// busy timeout, or the group it joined did not commit.
fn unavailable(why: String) -> DieselError {
    DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, Box::new(why))
}

impl GroupWriter {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            state: Mutex::default(),
            free: Condvar::new(),
            commits: AtomicU64::new(0),
            behind: AtomicBool::new(false),
            checkpoints: Mutex::default(),
        }
    }

    /// The writing connection: SQLite's automatic checkpoint is off on it,
    /// because it runs inside the commit that crosses the threshold — copying
    /// the WAL into the database and two fsyncs while every queued writer
    /// waits (6 % of the assign's CPU, and its slowest answers).
    fn open(&self) -> Result<DbConnection, DieselError> {
        let mut conn = sqlite_connection(&self.path)?;
        conn.batch_execute("PRAGMA wal_autocheckpoint = 0")?;
        Ok(conn)
    }

    /// Every `CHECKPOINT_EVERY` commits, the WAL is copied back into the
    /// database on another connection: a PASSIVE checkpoint takes no write
    /// lock, so the writer goes on meanwhile. One at a time; a checkpoint
    /// already running is enough. A failed one is retried at the next turn
    /// (and the pooled connections keep SQLite's own automatic checkpoint).
    ///
    /// Under steady writes that is not enough: SQLite starts the WAL again
    /// from its beginning only when a write begins with every frame copied,
    /// and by the time this checkpoint ends the writer has appended more —
    /// the WAL reached 16,600 frames (119 MB in 8 s) between rare restarts.
    /// So once it is past SQLite's own threshold, the writer also copies the
    /// few frames appended since, in its turn (see [`GroupWriter::catch_up`]).
    fn checkpoint(&self) {
        let Ok(mut slot) = self.checkpoints.try_lock() else {
            return;
        };
        let conn = match slot.take() {
            Some(conn) => Ok(conn),
            None => sqlite_connection(&self.path),
        };
        match conn.and_then(|mut conn| passive_checkpoint(&mut conn).map(|frames| (conn, frames))) {
            Ok((conn, frames)) => {
                tracing::debug!(
                    log = frames.log,
                    checkpointed = frames.checkpointed,
                    "checkpoint"
                );
                *slot = Some(conn);
                if frames.log > WAL_FRAMES {
                    self.behind.store(true, Ordering::Relaxed);
                }
            }
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; retried later"),
        }
    }

    /// The rest of a checkpoint, on the writer's connection after a commit,
    /// before the next group begins: the frames left are the few appended
    /// since the background checkpoint, and with all of them copied the next
    /// write starts the WAL again from its beginning (measured: the file
    /// stayed at 14–17 MB under the load that grew it to 119 MB).
    fn catch_up(&self, conn: &mut DbConnection) {
        if self.behind.swap(false, Ordering::Relaxed) {
            if let Err(e) = passive_checkpoint(conn) {
                tracing::warn!(error = %e, "WAL checkpoint failed; retried later");
            }
        }
    }

    /// Runs `f` in a write transaction shared with the writes queued behind
    /// it, on the calling thread; `f`'s own error at once, or its value once
    /// that transaction has committed (await the [`Committed`]).
    pub fn write<T, E, F>(&self, f: F) -> Result<Committed<T>, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<DieselError>,
    {
        let (mut conn, group) = self.join()?;
        let abandon = Abandon {
            writer: self,
            outcome: Some(group.outcome.clone()),
        };
        let (result, intact) = in_savepoint(&mut conn, f);
        abandon.disarm();
        self.finish(conn, group, result, intact)
    }

    /// Waits for the connection, then joins the open group or begins one.
    fn join(&self) -> Result<(DbConnection, Group), DieselError> {
        let deadline = Instant::now() + SQLITE_BUSY_TIMEOUT;
        let mut state = lock(&self.state);
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.queue.push_back(ticket);
        while state.busy || state.queue.front() != Some(&ticket) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                state.queue.retain(|t| *t != ticket);
                drop(state);
                self.free.notify_all();
                return Err(unavailable(
                    "database is locked: the writer stayed busy".into(),
                ));
            }
            state = self
                .free
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        state.queue.pop_front();
        state.busy = true;
        let (conn, open) = (state.conn.take(), state.open.take());
        drop(state);
        let mut conn = match conn {
            Some(conn) => conn,
            None => match self.open() {
                Ok(conn) => conn,
                Err(e) => {
                    self.give_back(None);
                    return Err(e);
                }
            },
        };
        let group = match open {
            Some(mut group) => {
                group.members += 1;
                group
            }
            None => {
                let turn = SQLITE_WRITERS.enter(SQLITE_BUSY_TIMEOUT);
                let begun = sqlite(&mut conn).and_then(|c| {
                    AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
                });
                if let Err(e) = begun {
                    self.give_back(Some(conn));
                    return Err(e);
                }
                Group {
                    members: 1,
                    began: Instant::now(),
                    outcome: Arc::default(),
                    _turn: turn,
                }
            }
        };
        Ok((conn, group))
    }

    /// Hands the open transaction to the next writer queued, or ends it.
    fn finish<T, E: From<DieselError>>(
        &self,
        conn: DbConnection,
        group: Group,
        result: Result<T, E>,
        intact: bool,
    ) -> Result<Committed<T>, E> {
        let mut state = lock(&self.state);
        let room = group.members < MAX_MEMBERS && group.began.elapsed() < MAX_OPEN;
        if intact && room && !state.queue.is_empty() {
            // Someone is queued: they join, and the last one commits.
            let outcome = group.outcome.clone();
            state.open = Some(group);
            state.conn = Some(conn);
            state.busy = false;
            drop(state);
            self.free.notify_all();
            return Ok(Committed {
                value: result?,
                commit: Commit(Some(outcome)),
            });
        }
        drop(state);
        let (mut conn, ended) = end(conn, &group, intact);
        group.outcome.end(ended.clone());
        if let Some(conn) = conn.as_mut() {
            self.catch_up(conn);
        }
        drop(group);
        self.give_back(conn);
        if ended.is_ok()
            && self
                .commits
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(CHECKPOINT_EVERY)
        {
            self.checkpoint();
        }
        let value = result?;
        ended.map_err(unavailable)?;
        Ok(Committed {
            value,
            commit: Commit(None),
        })
    }

    /// The connection is free again (`None`: it was dropped, open another).
    fn give_back(&self, conn: Option<DbConnection>) {
        let mut state = lock(&self.state);
        state.conn = conn;
        state.busy = false;
        drop(state);
        self.free.notify_all();
    }
}

/// What `PRAGMA wal_checkpoint` answers: frames in the WAL, frames copied.
#[derive(diesel::QueryableByName)]
struct Frames {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    log: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    checkpointed: i32,
}

fn passive_checkpoint(conn: &mut DbConnection) -> Result<Frames, DieselError> {
    use diesel::RunQueryDsl;
    diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result::<Frames>(sqlite(conn)?)
}

/// The writer's connections are SQLite ones (`sqlite_connection`); the
/// SQLite-only statements reach them through this.
fn sqlite(conn: &mut DbConnection) -> Result<&mut SqliteConnection, DieselError> {
    match conn {
        DbConnection::Sqlite(c) => Ok(c),
        DbConnection::Pg(_) => Err(unavailable("not a SQLite connection".into())),
    }
}

/// Runs `f` inside a SAVEPOINT of the open transaction. `intact` is false
/// when the transaction itself is gone (SQLite rolls a whole transaction
/// back on some errors, e.g. a full disk): then no member may commit.
fn in_savepoint<T, E, F>(conn: &mut DbConnection, f: F) -> (Result<T, E>, bool)
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<DieselError>,
{
    type Manager = <DbConnection as Connection>::TransactionManager;
    if let Err(e) = Manager::begin_transaction(conn) {
        return (Err(e.into()), false);
    }
    match f(conn) {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => (Ok(value), true),
            Err(e) => {
                let intact = Manager::rollback_transaction(conn).is_ok();
                (Err(e.into()), intact)
            }
        },
        Err(error) => {
            let intact = Manager::rollback_transaction(conn).is_ok();
            (Err(error), intact)
        }
    }
}

/// Commits the group's transaction (or rolls back one that cannot commit).
/// The connection comes back only after a commit: after a failure it is
/// closed (closing rolls back whatever is left) and the next write opens
/// another, rather than trusting a connection in an unknown state.
fn end(
    mut conn: DbConnection,
    group: &Group,
    intact: bool,
) -> (Option<DbConnection>, Result<(), String>) {
    type Manager = <DbConnection as Connection>::TransactionManager;
    let ended = if intact {
        Manager::commit_transaction(&mut conn).map_err(|e| {
            format!(
                "the commit of a group of {} writes failed: {e}",
                group.members
            )
        })
    } else {
        Err("the transaction of this write's group was rolled back".to_owned())
    };
    match ended {
        Ok(()) => {
            tracing::trace!(members = group.members, "group committed");
            (Some(conn), Ok(()))
        }
        Err(why) => {
            let _ = Manager::rollback_transaction(&mut conn);
            (None, Err(why))
        }
    }
}

/// Armed while a member's work runs: if the work panics, the connection and
/// the group are dropped as the stack unwinds (closing the connection rolls
/// the transaction back), every member waiting on the group fails, and the
/// next writer opens a new connection.
struct Abandon<'w> {
    writer: &'w GroupWriter,
    outcome: Option<Arc<Outcome>>,
}

impl Abandon<'_> {
    fn disarm(mut self) {
        self.outcome = None;
    }
}

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if let Some(outcome) = self.outcome.take() {
            outcome.end(Err("a write of this group failed unexpectedly".to_owned()));
            self.writer.give_back(None);
        }
    }
}

#[cfg(test)]
#[path = "group_commit_tests.rs"]
mod tests;
