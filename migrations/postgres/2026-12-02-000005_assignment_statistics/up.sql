-- A point read of one assignment by (subscription_id, user_id) — the
-- unassign's DELETE, the take-over's holders — must use the primary key.
-- With statistics taken while a subscription held few assignments
-- (autovacuum analyses a table about once a minute), the planner rated the
-- paging index (subscription_id, assigned_at, user_id) as cheap as the key
-- and walked every assignment of a subscription that had just grown: 0.25 ms
-- against 0.04 ms with 2,000 assignments, and growing (bench/README.md
-- "Fourth round"). Telling ANALYZE that a subscription has about 20
-- assignments (distinct subscriptions: 5 % of the rows) keeps the estimate
-- per subscription above one row, so the key, fully matched, wins; the
-- paging index still serves the ordered pages. ANALYZE here applies it at once.
ALTER TABLE license_assignments ALTER COLUMN subscription_id SET (n_distinct = -0.05);
ANALYZE license_assignments;
