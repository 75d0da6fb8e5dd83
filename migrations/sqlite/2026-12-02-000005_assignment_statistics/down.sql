-- PostgreSQL only (a planner statistics setting); SQLite's planner prefers a
-- fully matched unique key by itself. Kept so both backends list the same
-- migrations.
SELECT 1;
