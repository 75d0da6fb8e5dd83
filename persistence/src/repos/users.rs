use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::on_backend;
use crate::rows::{NewUser, ProfileRefresh, UserRow};
use crate::schema::users;
use crate::typed::{parse_all, texts};
use diesel::prelude::*;
use domain::{OrganizationId, UserId};

pub fn find(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: UserId,
) -> Result<Option<UserRow>, RepoError> {
    Ok(on_backend!(conn, |c| users::table
        .filter(users::organization_id.eq(org.to_string()))
        .filter(users::id.eq(id.to_string()))
        .select(UserRow::as_select())
        .get_result(c)
        .optional())?)
}

pub fn find_by_subject(
    conn: &mut DbConnection,
    org: OrganizationId,
    subject: &str,
) -> Result<Option<UserRow>, RepoError> {
    Ok(users::table
        .filter(users::organization_id.eq(org.to_string()))
        .filter(users::subject.eq(subject))
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// A member an admin added ahead of their first sign-in, matched by e-mail.
pub fn find_unclaimed_by_email(
    conn: &mut DbConnection,
    org: OrganizationId,
    email_key: &str,
) -> Result<Option<UserRow>, RepoError> {
    Ok(users::table
        .filter(users::organization_id.eq(org.to_string()))
        .filter(users::email_key.eq(email_key))
        .filter(users::subject.is_null())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn email_taken(
    conn: &mut DbConnection,
    org: OrganizationId,
    email_key: &str,
) -> Result<bool, RepoError> {
    let n: i64 = users::table
        .filter(users::organization_id.eq(org.to_string()))
        .filter(users::email_key.eq(email_key))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn id_taken(conn: &mut DbConnection, id: UserId) -> Result<bool, RepoError> {
    let n: i64 = users::table
        .filter(users::id.eq(id.to_string()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn insert(conn: &mut DbConnection, user: &NewUser) -> Result<(), RepoError> {
    diesel::insert_into(users::table)
        .values(user.clone())
        .execute(conn)?;
    Ok(())
}

/// Locks a member's row until the transaction ends (a no-op update):
/// serialises what must be decided one purchase at a time per purchaser (the
/// monthly spend cap) on PostgreSQL; SQLite's write transaction already is.
pub fn lock(conn: &mut DbConnection, id: UserId) -> Result<(), RepoError> {
    diesel::update(users::table.filter(users::id.eq(id.to_string())))
        .set(users::id.eq(users::id))
        .execute(conn)?;
    Ok(())
}

/// Links a pre-added member to the token subject they signed in with.
/// False when someone else linked it first (a concurrent first sign-in).
pub fn claim(conn: &mut DbConnection, id: UserId, subject: &str) -> Result<bool, RepoError> {
    let n = diesel::update(
        users::table
            .filter(users::id.eq(id.to_string()))
            .filter(users::subject.is_null()),
    )
    .set(users::subject.eq(subject))
    .execute(conn)?;
    Ok(n == 1)
}

/// Whether another member of the organisation holds this e-mail key.
pub fn email_taken_by_other(
    conn: &mut DbConnection,
    org: OrganizationId,
    email_key: &str,
    id: UserId,
) -> Result<bool, RepoError> {
    let n: i64 = users::table
        .filter(users::organization_id.eq(org.to_string()))
        .filter(users::email_key.eq(email_key))
        .filter(users::id.ne(id.to_string()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Applies a newer token's name and e-mail, unless a token at least as new
/// got there first. False when nothing was written.
pub fn refresh_profile(
    conn: &mut DbConnection,
    id: UserId,
    refresh: &ProfileRefresh,
) -> Result<bool, RepoError> {
    let n = diesel::update(
        users::table.filter(users::id.eq(id.to_string())).filter(
            users::profile_iat
                .is_null()
                .or(users::profile_iat.lt(refresh.profile_iat)),
        ),
    )
    .set(refresh)
    .execute(conn)?;
    Ok(n == 1)
}

/// Keyset position in the directory order (display name key, id).
pub struct DirectoryKey {
    pub name_key: String,
    pub id: String,
}

/// Directory page: members whose name or e-mail starts with `prefix`, in name order.
pub fn search(
    conn: &mut DbConnection,
    org: OrganizationId,
    prefix: Option<&str>,
    after: Option<&DirectoryKey>,
    limit: i64,
) -> Result<Vec<(UserRow, String)>, RepoError> {
    let mut query = users::table
        .filter(users::organization_id.eq(org.to_string()))
        .select((UserRow::as_select(), users::display_name_key))
        .into_boxed();
    if let Some(prefix) = prefix {
        let pattern = format!("{}%", escape_like(prefix));
        query = query.filter(
            users::display_name_key
                .like(pattern.clone())
                .escape('\\')
                .or(users::email_key.like(pattern).escape('\\')),
        );
    }
    let after = after.map(|key| (key.name_key.clone(), key.id.clone()));
    let query = keyset::page!(
        query,
        ascending (users::display_name_key, users::id),
        after: after,
        limit: limit
    );
    Ok(query.load(conn)?)
}

/// `%` and `_` in a search prefix are literal characters, not wildcards.
fn escape_like(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Which of `ids` are members of the organisation.
pub fn members_among(
    conn: &mut DbConnection,
    org: OrganizationId,
    ids: &[UserId],
) -> Result<Vec<UserId>, RepoError> {
    parse_all(
        users::table
            .filter(users::organization_id.eq(org.to_string()))
            .filter(users::id.eq_any(texts(ids)))
            .select(users::id)
            .load(conn)?,
    )
}

pub fn find_many(
    conn: &mut DbConnection,
    org: OrganizationId,
    ids: &[UserId],
) -> Result<Vec<UserRow>, RepoError> {
    Ok(users::table
        .filter(users::organization_id.eq(org.to_string()))
        .filter(users::id.eq_any(texts(ids)))
        .select(UserRow::as_select())
        .load(conn)?)
}

/// Records what the member's latest token says about their admin role.
pub fn set_admin(conn: &mut DbConnection, id: UserId, is_admin: bool) -> Result<(), RepoError> {
    diesel::update(users::table.filter(users::id.eq(id.to_string())))
        .set(users::is_admin.eq(is_admin))
        .execute(conn)?;
    Ok(())
}

/// The organisation's admins, as their latest tokens said: who notifications
/// "to admins" go to.
pub fn admin_ids(conn: &mut DbConnection, org: OrganizationId) -> Result<Vec<UserId>, RepoError> {
    let ids: Vec<String> = users::table
        .filter(users::organization_id.eq(org.to_string()))
        .filter(users::is_admin.eq(true))
        .order_by(users::id.asc())
        .select(users::id)
        .load(conn)?;
    parse_all(ids)
}
