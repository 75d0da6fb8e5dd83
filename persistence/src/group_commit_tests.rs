//! The group writer's promises: one commit for writes that queue, a refusal
//! undoes only its own changes, a failed commit or a panic fails every member
//! of the group and loses nothing that was acknowledged.

use super::*;
use diesel::sql_types::BigInt;
use diesel::RunQueryDsl;
use std::sync::atomic::AtomicBool;
use std::task::Wake;
use std::thread;

struct Unpark(thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Waits for a future on this thread (the tests run without a runtime).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = Arc::new(Unpark(thread::current())).into();
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        thread::park_timeout(Duration::from_millis(50));
    }
}

/// A database with `parents(id)` and `rows(id, parent REFERENCES parents)`.
fn writer() -> (tempfile::TempDir, Arc<GroupWriter>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("group.db");
    let mut conn = sqlite_connection(&path).unwrap();
    conn.batch_execute(
        "CREATE TABLE parents (id INTEGER PRIMARY KEY); INSERT INTO parents VALUES (1); \
         CREATE TABLE rows (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parents(id));",
    )
    .unwrap();
    (dir, Arc::new(GroupWriter::new(path)))
}

fn insert(conn: &mut DbConnection, id: i64, parent: i64) -> Result<(), DieselError> {
    conn.batch_execute(&format!(
        "INSERT INTO rows (id, parent) VALUES ({id}, {parent})"
    ))
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Rows as another connection reads them: only what was committed.
fn committed_rows(writer: &GroupWriter) -> i64 {
    let mut conn = sqlite_connection(&writer.path).unwrap();
    diesel::sql_query("SELECT count(*) AS n FROM rows")
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n
}

fn commits(writer: &GroupWriter) -> u64 {
    writer.commits.load(Ordering::SeqCst)
}

/// Holds the connection inside `f` until another writer queues behind it.
fn until_someone_waits(writer: &GroupWriter) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while lock(&writer.state).queue.is_empty() {
        assert!(Instant::now() < deadline, "no second writer queued");
        thread::sleep(Duration::from_millis(1));
    }
}

type Written = Result<(), DieselError>;

/// One write through the group writer, answered once its group committed.
fn written<F>(writer: &GroupWriter, f: F) -> Written
where
    F: FnOnce(&mut DbConnection) -> Written,
{
    writer.write(f).and_then(|c| block_on(c.committed()))
}

/// After a group failed, the writer goes on: a new write commits alone.
fn the_writer_goes_on(writer: &GroupWriter) {
    written(writer, |c| insert(c, 3, 1)).unwrap();
    assert_eq!(committed_rows(writer), 1);
}

/// Runs `first` on a thread; once it holds the connection and `second`
/// queues, `first` finishes and `second` joins its group.
fn pair<A, B>(
    writer: &Arc<GroupWriter>,
    first: A,
    second: B,
) -> (thread::Result<Written>, thread::Result<Written>)
where
    A: FnOnce(&mut DbConnection) -> Result<(), DieselError> + Send + 'static,
    B: FnOnce(&mut DbConnection) -> Result<(), DieselError> + Send + 'static,
{
    let inside = Arc::new(AtomicBool::new(false));
    let a = {
        let (writer, inside) = (writer.clone(), inside.clone());
        thread::spawn(move || {
            let w = writer.clone();
            written(&writer, move |conn| {
                inside.store(true, Ordering::SeqCst);
                until_someone_waits(&w);
                first(conn)
            })
        })
    };
    while !inside.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(1));
    }
    let b = {
        let writer = writer.clone();
        thread::spawn(move || written(&writer, second))
    };
    (a.join(), b.join())
}

#[test]
fn queued_writes_share_one_commit() {
    let (_dir, writer) = writer();
    let (a, b) = pair(&writer, |c| insert(c, 1, 1), |c| insert(c, 2, 1));
    a.unwrap().unwrap();
    b.unwrap().unwrap();
    assert_eq!(commits(&writer), 1, "two writes, one commit");
    assert_eq!(committed_rows(&writer), 2);
}

#[test]
fn a_refused_write_rolls_back_alone() {
    let (_dir, writer) = writer();
    let (a, b) = pair(
        &writer,
        |c| insert(c, 1, 1),
        |c| {
            insert(c, 2, 1)?;
            insert(c, 1, 1) // the same key: refused, and its first row with it
        },
    );
    a.unwrap().unwrap();
    assert!(b.unwrap().is_err());
    assert_eq!(commits(&writer), 1);
    assert_eq!(committed_rows(&writer), 1, "only the first write's row");
}

#[test]
fn a_failed_commit_fails_every_member_and_keeps_nothing() {
    let (_dir, writer) = writer();
    // The second write's foreign key is checked only at COMMIT (deferred):
    // its savepoint is released, the group's commit fails.
    let (a, b) = pair(
        &writer,
        |c| insert(c, 1, 1),
        |c| {
            c.batch_execute("PRAGMA defer_foreign_keys = ON")?;
            insert(c, 2, 99)
        },
    );
    let a = a
        .unwrap()
        .expect_err("the first write's answer waits for the commit, which failed");
    assert!(matches!(
        crate::RepoError::from(a),
        crate::RepoError::Unavailable(_)
    ));
    assert!(b.unwrap().is_err());
    assert_eq!(committed_rows(&writer), 0);
    the_writer_goes_on(&writer);
}

#[test]
fn a_panicking_member_fails_its_group_and_the_writer_goes_on() {
    let (_dir, writer) = writer();
    let (a, b) = pair(
        &writer,
        |c| insert(c, 1, 1),
        |c| {
            insert(c, 2, 1)?;
            panic!("a bug in the second write")
        },
    );
    assert!(b.is_err(), "the second write panicked");
    assert!(
        a.unwrap().is_err(),
        "the first write waited for a commit that never came: it fails"
    );
    assert_eq!(committed_rows(&writer), 0);
    the_writer_goes_on(&writer);
}

#[test]
fn many_concurrent_writes_all_land() {
    let (_dir, writer) = writer();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let writer = writer.clone();
            thread::spawn(move || {
                for i in 0..50 {
                    let id = t * 1000 + i;
                    written(&writer, move |c| insert(c, id, 1)).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(committed_rows(&writer), 400);
}
