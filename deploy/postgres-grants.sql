-- What the server's role (passnum_app) may do on a database owned by the
-- role that runs the migrations (passnum_owner). Run as passnum_owner
-- after each "passnum migrate":
--
--   psql "postgres://passnum_owner@db/passnum" -f postgres-grants.sql
--
-- The server reads and writes everything it needs, but can only add to
-- the audit trail, the money ledger and their seals: UPDATE, DELETE and
-- TRUNCATE there are refused to it. The migrations (which may rebuild a
-- table) run as the owner, and this file is run again after them.
GRANT USAGE ON SCHEMA public TO passnum_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO passnum_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO passnum_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, ledger_entries, seals, seal_digests, seal_keys FROM passnum_app;
