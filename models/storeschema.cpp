#include "storeschema.h"

#include <QUuid>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace StoreSchema {

namespace {

bool execAll(QSqlQuery &query, std::span<const QString> statements)
{
    for (const QString &sql : statements) {
        if (!query.exec(sql))
            return false;
    }
    return true;
}

// Times are INTEGER milliseconds since the epoch (UTC), NULL when not set. Optional text is NULL when empty.
// Enumerations (state, failure) are stored as their integer values, which are append-only in the code.
const QString kV1[] = {
    u"CREATE TABLE meta ("
    "  key   TEXT PRIMARY KEY NOT NULL,"
    "  value TEXT NOT NULL)"_s,

    u"CREATE TABLE sessions ("
    "  id              TEXT PRIMARY KEY NOT NULL,"
    "  name            TEXT,"
    "  provider        TEXT,"
    "  size            TEXT,"
    "  state           INTEGER NOT NULL,"
    "  failure         INTEGER NOT NULL DEFAULT 0,"
    "  failure_message TEXT,"
    "  ttl_seconds     INTEGER NOT NULL DEFAULT 0,"
    "  created_at      INTEGER,"
    "  started_at      INTEGER,"
    "  expires_at      INTEGER,"
    "  ended_at        INTEGER,"
    "  url             TEXT,"
    "  resource_id     TEXT,"
    "  revision_id     TEXT,"
    "  rate_per_second REAL NOT NULL DEFAULT 0,"
    "  unsandboxed     INTEGER NOT NULL DEFAULT 0,"
    "  owner           TEXT,"
    "  stop_requested  INTEGER NOT NULL DEFAULT 0)"_s,
    u"CREATE INDEX sessions_state ON sessions(state)"_s,
    u"CREATE INDEX sessions_owner ON sessions(owner)"_s,
    u"CREATE INDEX sessions_created ON sessions(created_at)"_s,

    // The lifecycle log. No foreign key: events outlive a removed session.
    u"CREATE TABLE events ("
    "  seq        INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  session_id TEXT NOT NULL,"
    "  at         INTEGER NOT NULL,"
    "  kind       TEXT NOT NULL,"
    "  from_state INTEGER,"
    "  to_state   INTEGER,"
    "  detail     TEXT)"_s,
    u"CREATE INDEX events_session ON events(session_id, seq)"_s,
    u"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"_s,
    u"CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"_s,

    // Code history: content-addressed and immutable. A blob's key is the SHA-256 of its content (lower-case
    // hex); a revision's id is the SHA-256 of its manifest and file list (see Store::saveRevision).
    u"CREATE TABLE blobs ("
    "  hash    TEXT PRIMARY KEY NOT NULL,"
    "  size    INTEGER NOT NULL,"
    "  content BLOB NOT NULL)"_s,
    u"CREATE TABLE revisions ("
    "  id         TEXT PRIMARY KEY NOT NULL,"
    "  parent_id  TEXT REFERENCES revisions(id),"
    "  prompt     TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  manifest   TEXT NOT NULL)"_s,
    u"CREATE TABLE revision_files ("
    "  revision_id TEXT NOT NULL REFERENCES revisions(id),"
    "  path        TEXT NOT NULL,"
    "  blob_hash   TEXT NOT NULL REFERENCES blobs(hash),"
    "  PRIMARY KEY (revision_id, path)) WITHOUT ROWID"_s,
    u"CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs"
    "  BEGIN SELECT RAISE(ABORT, 'code blobs are immutable'); END"_s,
    u"CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs"
    "  BEGIN SELECT RAISE(ABORT, 'code blobs are immutable'); END"_s,
    u"CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions"
    "  BEGIN SELECT RAISE(ABORT, 'code revisions are immutable'); END"_s,
    u"CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions"
    "  BEGIN SELECT RAISE(ABORT, 'code revisions are immutable'); END"_s,
    u"CREATE TRIGGER revision_files_no_update BEFORE UPDATE ON revision_files"
    "  BEGIN SELECT RAISE(ABORT, 'code revisions are immutable'); END"_s,
    u"CREATE TRIGGER revision_files_no_delete BEFORE DELETE ON revision_files"
    "  BEGIN SELECT RAISE(ABORT, 'code revisions are immutable'); END"_s,

    u"CREATE TABLE prompts ("
    "  id         INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  at         INTEGER NOT NULL,"
    "  text       TEXT NOT NULL,"
    "  session_id TEXT)"_s,

    u"PRAGMA application_id = %1"_s.arg(kApplicationId),
};

// v0 → v1: the first schema. Plain CREATE TABLE (not IF NOT EXISTS): a v0 file that already has a table of
// the same name is not ours, and the whole migration rolls back rather than half-adopting it.
bool toV1(QSqlQuery &query)
{
    if (!execAll(query, kV1))
        return false;
    if (!query.prepare(u"INSERT INTO meta (key, value) VALUES ('install_id', ?)"_s))
        return false;
    query.addBindValue(QUuid::createUuid().toString(QUuid::WithoutBraces));
    return query.exec();
}

// v1 → v2: what each request to Claude cost and produced, and the generation cost a session carries.
// generations is append-only like events: a record of money spent is never rewritten. Its revision ids
// reference revisions, which are never deleted, so the references cannot dangle.
const QString kV2[] = {
    u"CREATE TABLE generations ("
    "  id                    INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  created_at            INTEGER NOT NULL,"
    "  prompt                TEXT NOT NULL,"
    "  model                 TEXT,"
    "  parent_revision_id    TEXT REFERENCES revisions(id),"
    "  revision_id           TEXT REFERENCES revisions(id),"
    "  commentary            TEXT,"
    "  stop_reason           TEXT,"
    "  input_tokens          INTEGER NOT NULL DEFAULT 0,"
    "  output_tokens         INTEGER NOT NULL DEFAULT 0,"
    "  cache_write_5m_tokens INTEGER NOT NULL DEFAULT 0,"
    "  cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,"
    "  cache_read_tokens     INTEGER NOT NULL DEFAULT 0,"
    "  cost_usd              REAL NOT NULL DEFAULT 0,"
    "  failure               TEXT)"_s,
    u"CREATE INDEX generations_revision ON generations(revision_id)"_s,
    u"CREATE INDEX generations_created ON generations(created_at)"_s,
    u"CREATE TRIGGER generations_no_update BEFORE UPDATE ON generations"
    "  BEGIN SELECT RAISE(ABORT, 'generations are append-only'); END"_s,
    u"CREATE TRIGGER generations_no_delete BEFORE DELETE ON generations"
    "  BEGIN SELECT RAISE(ABORT, 'generations are append-only'); END"_s,

    // Existing sessions ran code nobody paid Claude for (or that v1 did not record): 0.
    u"ALTER TABLE sessions ADD COLUMN generation_cost_usd REAL NOT NULL DEFAULT 0"_s,
};

bool toV2(QSqlQuery &query)
{
    return execAll(query, kV2);
}

// v2 → v3: the cost ledger, and where each session's rate came from. Every cost event is a ledger line with
// the rate it used, so history stays right when pricing.json or the user's rates change. Append-only like
// events. What v2 already knew is carried over: every generation, and the run of every ended or failed
// session (billed from its start to its end, capped at its expiry; Local runs cost nothing), at the rate the
// session stored.
const QString kV3[] = {
    u"ALTER TABLE sessions ADD COLUMN rate_how TEXT"_s,
    u"ALTER TABLE sessions ADD COLUMN rate_source TEXT"_s,
    u"ALTER TABLE sessions ADD COLUMN rate_as_of TEXT"_s,

    u"CREATE TABLE ledger ("
    "  id              INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  at              INTEGER NOT NULL,"
    "  kind            TEXT NOT NULL,"
    "  session_id      TEXT,"
    "  generation_id   INTEGER,"
    "  provider        TEXT NOT NULL,"
    "  size            TEXT,"
    "  started_at      INTEGER,"
    "  seconds         INTEGER NOT NULL DEFAULT 0,"
    "  rate_per_second REAL NOT NULL DEFAULT 0,"
    "  usd             REAL NOT NULL DEFAULT 0,"
    "  quoted_usd      REAL NOT NULL DEFAULT 0,"
    "  rate_how        TEXT,"
    "  rate_source     TEXT,"
    "  rate_as_of      TEXT,"
    "  detail          TEXT)"_s,
    u"CREATE INDEX ledger_at ON ledger(at)"_s,
    u"CREATE INDEX ledger_session ON ledger(session_id)"_s,
    u"CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger"
    "  BEGIN SELECT RAISE(ABORT, 'the cost ledger is append-only'); END"_s,
    u"CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger"
    "  BEGIN SELECT RAISE(ABORT, 'the cost ledger is append-only'); END"_s,

    u"INSERT INTO ledger (at, kind, generation_id, provider, size, usd, detail)"
    "  SELECT created_at, 'generation', id, 'claude', model, cost_usd,"
    "         input_tokens || ' input, ' || output_tokens || ' output tokens (from schema 2)'"
    "  FROM generations ORDER BY id"_s,
    // States 9 and 10 are Ended and Failed.
    u"INSERT INTO ledger (at, kind, session_id, provider, size, started_at, seconds, rate_per_second, usd, "
    u"detail)"
    "  SELECT coalesce(ended_at, expires_at, started_at), 'runtime', id, coalesce(provider, ''), size, "
    "started_at,"
    "         secs, rate_per_second, CASE WHEN provider = 'local' THEN 0 ELSE secs * rate_per_second END,"
    "         'from schema 2'"
    "  FROM (SELECT *, max(0, (min(coalesce(ended_at, expires_at, started_at),"
    "                             coalesce(expires_at, ended_at, started_at)) - started_at) / 1000) AS secs"
    "        FROM sessions WHERE state IN (9, 10) AND started_at IS NOT NULL)"
    "  ORDER BY coalesce(ended_at, expires_at, started_at)"_s,
};

bool toV3(QSqlQuery &query)
{
    return execAll(query, kV3);
}

constexpr Step kSteps[] = {
    {1, &toV1},
    {2, &toV2},
    {3, &toV3},
};

} // namespace

std::span<const Step> steps()
{
    return kSteps;
}

} // namespace StoreSchema
