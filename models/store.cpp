#include "store.h"

#include "costmeter.h"
#include "ledgerrow.h"
#include "revisionid.h"
#include "sessionrow.h"
#include "storefile.h"
#include "storelogging.h"
#include "storeschema.h"
#include "storesqlite.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <utility>

#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStore, "spawnai.store")

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Store", text);
}

constexpr qsizetype kMinPrefix = 4;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// How a session is named in a message: its name, cut short (names are user text of any length), or its id.
QString displayName(const Session &session)
{
    constexpr qsizetype kMax = 60;
    if (session.name.isEmpty())
        return session.id;
    return session.name.size() > kMax ? session.name.left(kMax - 1) + u'…' : session.name;
}

// The stored state and stop request of one session, read before a write that depends on them.
const QString kSelectState = u"SELECT state, stop_requested FROM sessions WHERE id = ?"_s;
const QString kInsertEvent =
    u"INSERT INTO events (session_id, at, kind, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?, ?)"_s;

// How a generation is named in a message: the start of its prompt on one line.
QString promptExcerpt(const QString &prompt)
{
    constexpr qsizetype kMax = 60;
    const QString line = prompt.simplified();
    return line.size() > kMax ? line.left(kMax - 1) + u'…' : line;
}

// Every column of generations, in the order toGeneration() reads them.
const QString kGenerationColumns =
    u"id, created_at, prompt, model, parent_revision_id, revision_id, commentary, stop_reason, input_tokens, "
    "output_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost_usd, failure"_s;

Generation toGeneration(const QSqlQuery &q)
{
    Generation g;
    g.id = q.value(0).toLongLong();
    g.createdAt = StoreSqlite::timeFrom(q.value(1));
    g.prompt = q.value(2).toString();
    g.model = q.value(3).toString();
    g.parentRevisionId = q.value(4).toString();
    g.revisionId = q.value(5).toString();
    g.commentary = q.value(6).toString();
    g.stopReason = q.value(7).toString();
    g.usage.inputTokens = q.value(8).toLongLong();
    g.usage.outputTokens = q.value(9).toLongLong();
    g.usage.cacheWriteTokens = q.value(10).toLongLong();
    g.usage.cacheWrite1hTokens = q.value(11).toLongLong();
    g.usage.cacheReadTokens = q.value(12).toLongLong();
    g.costUsd = q.value(13).toDouble();
    g.failure = q.value(14).toString();
    return g;
}

// The Runtime ledger line of a session that has just ended: its billed seconds at the rate it stored.
LedgerEntry runtimeLine(const Session &ended, const QString &detail)
{
    LedgerEntry line;
    line.at = ended.endedAt.isValid() ? ended.endedAt : QDateTime::currentDateTimeUtc();
    line.kind = LedgerEntry::Kind::Runtime;
    line.sessionId = ended.id;
    line.provider = ended.provider;
    line.size = ended.size;
    line.startedAt = ended.startedAt;
    line.seconds = CostMeter::billableSeconds(ended, line.at);
    line.ratePerSecond = ended.ratePerSecond;
    line.usd = CostMeter::runtimeAt(ended, line.at);
    line.basis = ended.rateBasis;
    line.detail = detail;
    return line;
}

bool isAmount(double usd)
{
    return std::isfinite(usd);
}

QString activeStatesList()
{
    QStringList states;
    for (int i = 0; const auto state = SessionStates::fromInt(i); ++i) {
        if (SessionStates::isActive(*state))
            states << QString::number(i);
    }
    return states.join(u", ");
}

} // namespace

// ----------------------------------------------------------------------------------------------------

struct Store::Private
{
    explicit Private(const QString &dbPath)
        : path(dbPath)
        , connectionName(StoreSqlite::newConnectionName())
    {}
    ~Private()
    {
        statements.clear(); // every statement is finalised before the connection goes
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(connectionName);
    }
    Private(const Private &) = delete;
    Private &operator=(const Private &) = delete;

    // A statement being stepped. Resets it when it goes out of scope, so no read snapshot outlives a call
    // (a stale snapshot would make the next BEGIN IMMEDIATE fail with SQLITE_BUSY_SNAPSHOT).
    class Cursor
    {
    public:
        explicit Cursor(QSqlQuery *query = nullptr)
            : m_query(query)
        {}
        ~Cursor()
        {
            if (m_query)
                m_query->finish();
        }
        Cursor(Cursor &&other) noexcept
            : m_query(std::exchange(other.m_query, nullptr))
        {}
        Cursor &operator=(Cursor &&) = delete;
        Cursor(const Cursor &) = delete;

        explicit operator bool() const { return m_query != nullptr; }
        QSqlQuery *operator->() const { return m_query; }
        const QSqlQuery &operator*() const { return *m_query; }

    private:
        QSqlQuery *m_query;
    };

    Result<void> connect();
    Result<void> migrate();
    Result<QString> writeBackup(int fromVersion);

    // Runs `sql`, prepared on first use and cached, with `values` bound in order. On failure the cursor is
    // empty and lastError says why.
    Cursor run(const QString &sql, const QVariantList &values = {});
    // run(), then every row through `convert`; an error on any row fails the whole read.
    template<typename T, typename Convert>
    Result<QList<T>> readRows(const QString &sql, const QVariantList &values, const QString &what,
                              Convert convert, qsizetype reserve = 0);
    int userVersion();

    // One write transaction: BEGIN IMMEDIATE takes the write lock up front (waiting up to the busy timeout
    // for other processes), so a read inside `body` cannot be invalidated before the write that depends on
    // it.
    template<typename Body> Result<void> write(const QString &what, Body &&body);
    void rollback();

    Error writeError(const QString &what) const;
    Error readError(const QString &what) const;
    // Inside write(): appends to the lifecycle log. On false, lastError says why.
    bool appendEventLocked(const QString &sessionId, const QString &kind, int from, int to,
                           const QString &detail);

    struct Statement
    {
        QSqlQuery query;
        bool prepared = false;
    };

    QString path;
    QString connectionName;
    QSqlDatabase db;
    QString installId;
    qsizetype lastSessionCount = 0;                    // sizes the next sessions() list up front
    std::unordered_map<QString, Statement> statements; // nodes never move: a Cursor points into them
    QSqlError lastError;
};

template<typename T, typename Convert>
Result<QList<T>> Store::Private::readRows(const QString &sql, const QVariantList &values, const QString &what,
                                          Convert convert, qsizetype reserve)
{
    Cursor q = run(sql, values);
    if (!q)
        return readError(what);
    QList<T> list;
    list.reserve(reserve);
    while (q->next())
        list.append(convert(*q));
    if (q->lastError().isValid()) {
        lastError = q->lastError();
        return readError(what);
    }
    return list;
}

Store::Private::Cursor Store::Private::run(const QString &sql, const QVariantList &values)
{
    auto it = statements.find(sql);
    if (it == statements.end()) {
        it = statements.emplace(sql, Statement{QSqlQuery(db), false}).first;
        it->second.query.setForwardOnly(true); // no client-side row cache
    }
    Statement &statement = it->second;
    QSqlQuery &query = statement.query;
    if (!statement.prepared) {
        if (!query.prepare(sql)) {
            lastError = query.lastError();
            qCWarning(lcStore) << "prepare failed:" << sql << lastError.text();
            return Cursor();
        }
        statement.prepared = true;
    }
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(int(i), values.at(i));
    if (!query.exec()) {
        lastError = query.lastError();
        statement.prepared = false; // Qt finalises the statement on some failures (bind, reset): prepare anew
        return Cursor();
    }
    return Cursor(&query);
}

int Store::Private::userVersion()
{
    Cursor q = run(u"PRAGMA user_version"_s);
    return q && q->next() ? q->value(0).toInt() : -1;
}

template<typename Body> Result<void> Store::Private::write(const QString &what, Body &&body)
{
    if (!run(u"BEGIN IMMEDIATE"_s))
        return writeError(what);
    Result<void> result = body();
    if (!result) {
        rollback();
        return result;
    }
    if (!run(u"COMMIT"_s)) {
        const Error error = writeError(what);
        rollback();
        return error;
    }
    return {};
}

void Store::Private::rollback()
{
    // SQLite may already have rolled back by itself (disk full, I/O error); then ROLLBACK just says so.
    if (!run(u"ROLLBACK"_s))
        qCDebug(lcStore) << "rollback:" << lastError.text();
}

Error Store::Private::writeError(const QString &what) const
{
    const QString file = QDir::toNativeSeparators(path);
    qCWarning(lcStore) << what << lastError.text() << lastError.nativeErrorCode();
    QString why;
    switch (StoreSqlite::primaryCode(lastError)) {
    case StoreSqlite::Full:
        why = tr("The disk holding %1 is full; free some space — nothing was lost, the change was not saved.")
                  .arg(file);
        break;
    case StoreSqlite::IoErr:
        why = tr("Writing %1 failed with a disk I/O error (%2); check the disk and its free space — "
                 "nothing was lost, the change was not saved.")
                  .arg(file, StoreSqlite::errorText(lastError));
        break;
    case StoreSqlite::ReadOnly:
    case StoreSqlite::CantOpen:
        why = tr("%1 is read-only (or its folder is); fix its permissions — "
                 "nothing was lost, the change was not saved.")
                  .arg(file);
        break;
    case StoreSqlite::Busy:
    case StoreSqlite::Locked:
        why = tr("Another SpawnAI process kept %1 locked for more than %2 seconds; try again — "
                 "the change was not saved.")
                  .arg(file)
                  .arg(StoreSqlite::kBusyTimeoutMs / 1000);
        break;
    case StoreSqlite::Corrupt:
    case StoreSqlite::NotADb:
        why = tr("%1 is damaged (SQLite: %2); the change was not saved. Restart SpawnAI to check the file.")
                  .arg(file, StoreSqlite::errorText(lastError));
        break;
    default:
        why = tr("SQLite said: %1.").arg(StoreSqlite::errorText(lastError));
        break;
    }
    return Error{what + u' ' + why};
}

Error Store::Private::readError(const QString &what) const
{
    const QString file = QDir::toNativeSeparators(path);
    qCWarning(lcStore) << what << lastError.text() << lastError.nativeErrorCode();
    QString why;
    switch (StoreSqlite::primaryCode(lastError)) {
    case StoreSqlite::Busy:
    case StoreSqlite::Locked:
        why = tr("Another SpawnAI process kept %1 locked for more than %2 seconds; try again.")
                  .arg(file)
                  .arg(StoreSqlite::kBusyTimeoutMs / 1000);
        break;
    case StoreSqlite::IoErr:
        why = tr("Reading %1 failed with a disk I/O error (%2); check the disk.")
                  .arg(file, StoreSqlite::errorText(lastError));
        break;
    case StoreSqlite::Corrupt:
    case StoreSqlite::NotADb:
        why = tr("%1 is damaged (SQLite: %2). Restart SpawnAI to check the file.")
                  .arg(file, StoreSqlite::errorText(lastError));
        break;
    default:
        why = tr("SQLite said: %1.").arg(StoreSqlite::errorText(lastError));
        break;
    }
    return Error{what + u' ' + why};
}

Result<void> Store::Private::connect()
{
    db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connectionName);
    db.setDatabaseName(path);
    db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(StoreSqlite::kBusyTimeoutMs));
    if (!db.open()) {
        lastError = db.lastError();
        return Error{tr("Cannot open or create %1: %2. Check that its folder exists and is writable.")
                         .arg(QDir::toNativeSeparators(path), StoreSqlite::errorText(lastError))};
    }
    const QString what = tr("Cannot set up %1.").arg(QDir::toNativeSeparators(path));
    // WAL: readers (`spawnai list`) never block the writer. The mode is stored in the file, the others are
    // per connection. FULL also makes commits survive power loss, not just a crash of SpawnAI.
    {
        Cursor q = run(u"PRAGMA journal_mode = WAL"_s);
        if (!q || !q->next())
            return writeError(what);
        const QString mode = q->value(0).toString();
        if (mode != u"wal")
            qCWarning(lcStore) << "journal_mode is" << mode
                               << "instead of wal (file system without shared memory?)";
    }
    if (!run(u"PRAGMA synchronous = FULL"_s) || !run(u"PRAGMA foreign_keys = ON"_s))
        return writeError(what);
    return {};
}

Result<QString> Store::Private::writeBackup(int fromVersion)
{
    QString backup = path + u".bak-v%1"_s.arg(fromVersion);
    for (int n = 2; QFileInfo::exists(backup); ++n)
        backup = path + u".bak-v%1-%2"_s.arg(fromVersion).arg(n);
    // VACUUM INTO writes a consistent, compact copy; it cannot run inside a transaction, so it comes first.
    if (!run(u"VACUUM INTO ?"_s, {backup})) {
        QFile::remove(backup);
        return writeError(
            tr("Could not write the backup %1 before upgrading the database; nothing was changed.")
                .arg(QDir::toNativeSeparators(backup)));
    }
    QFile file(backup);
    if (file.open(QIODevice::ReadOnly))
        ::fsync(file.handle()); // the copy is only worth something if it is on disk before the upgrade
    qCInfo(lcStore) << "backup of schema" << fromVersion << "written to" << backup;
    return backup;
}

Result<void> Store::Private::migrate()
{
    int version = userVersion();
    if (version < 0)
        return readError(tr("Cannot read the schema version of %1.").arg(QDir::toNativeSeparators(path)));
    if (version > kSchemaVersion)
        return Error{StoreFile::newerMessage(path, version)};
    if (version == kSchemaVersion)
        return {};

    // A file with no schema objects (new, or left by a crash during the very first open) has nothing to keep.
    bool hasContent = false;
    {
        Cursor q = run(u"SELECT count(*) FROM sqlite_master"_s);
        if (!q || !q->next())
            return readError(tr("Cannot read %1.").arg(QDir::toNativeSeparators(path)));
        hasContent = q->value(0).toInt() > 0;
    }
    QString backup;
    if (hasContent) {
        const auto written = writeBackup(version);
        if (!written)
            return Error{written.error()};
        backup = *written;
    }

    const QString what = tr("Could not upgrade %1 from schema %2 to %3.")
                             .arg(QDir::toNativeSeparators(path))
                             .arg(version)
                             .arg(kSchemaVersion);
    return write(what, [&]() -> Result<void> {
        // Another process may have upgraded it between our first look and taking the write lock.
        const int locked = userVersion();
        if (locked < 0)
            return writeError(what);
        if (locked > kSchemaVersion)
            return Error{StoreFile::newerMessage(path, locked)};
        QSqlQuery query(db);
        for (const StoreSchema::Step &step : StoreSchema::steps()) {
            if (step.version <= locked)
                continue;
            if (!step.apply(query)) {
                lastError = query.lastError();
                Error error = writeError(what);
                if (!backup.isEmpty())
                    error.message +=
                        u' ' +
                        tr("A backup of the file as it was is at %1.").arg(QDir::toNativeSeparators(backup));
                return error;
            }
            qCInfo(lcStore) << "schema step" << step.version << "applied to" << path;
        }
        if (!query.exec(u"PRAGMA user_version = %1"_s.arg(kSchemaVersion))) {
            lastError = query.lastError();
            return writeError(what);
        }
        return {};
    });
}

bool Store::Private::appendEventLocked(const QString &sessionId, const QString &kind, int from, int to,
                                       const QString &detail)
{
    return bool(run(kInsertEvent, {sessionId, nowMs(), kind, from, to, StoreSqlite::textValue(detail)}));
}

// ----------------------------------------------------------------------------------------------------

Store::Store(std::unique_ptr<Private> dd)
    : d(std::move(dd))
{}

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const QString &path)
{
    if (path.isEmpty())
        return Error{tr("No database path given.")};
    const QFileInfo info(path);
    const QString absolute = info.absoluteFilePath();
    if (!QDir().mkpath(info.absolutePath()))
        return Error{tr("Cannot create the folder %1 for the database; check its permissions.")
                         .arg(QDir::toNativeSeparators(info.absolutePath()))};

    // A zero-length file is what SQLite itself creates; anything else is checked before we write a byte.
    const bool hadContent = info.exists() && info.size() > 0;
    if (hadContent) {
        const auto inspected = StoreFile::inspect(absolute);
        if (!inspected)
            return Error{inspected.error()};
    }

    auto d = std::make_unique<Private>(absolute);
    if (auto connected = d->connect(); !connected)
        return Error{connected.error()};
    if (auto migrated = d->migrate(); !migrated)
        return Error{migrated.error()};

    {
        Private::Cursor q = d->run(u"SELECT value FROM meta WHERE key = 'install_id'"_s);
        if (!q)
            return d->readError(tr("Cannot read %1.").arg(QDir::toNativeSeparators(absolute)));
        if (!q->next())
            return Error{StoreFile::damagedMessage(absolute, tr("the installation id is missing"))};
        d->installId = q->value(0).toString();
    }
    qCDebug(lcStore) << "opened" << absolute << "install" << d->installId;
    return std::unique_ptr<Store>(new Store(std::move(d)));
}

QString Store::path() const
{
    return d->path;
}

QString Store::installId() const
{
    return d->installId;
}

// --- sessions

Result<void> Store::insertSession(const Session &session)
{
    return insertSessions({session}, {}, {});
}

Result<void> Store::insertSessions(const QList<Session> &sessions, const QString &kind, const QString &detail)
{
    if (sessions.isEmpty())
        return {};
    for (const Session &session : sessions) {
        if (session.id.isEmpty())
            return Error{tr("Cannot save a session without an id.")};
    }
    const QString what = sessions.size() == 1
                             ? tr("Could not save the new session “%1”.").arg(displayName(sessions.first()))
                             : tr("Could not save %1 new sessions.").arg(sessions.size());
    return d->write(what, [&]() -> Result<void> {
        for (const Session &session : sessions) {
            {
                Private::Cursor exists = d->run(kSelectState, {session.id});
                if (!exists)
                    return d->writeError(what);
                if (exists->next())
                    return Error{what + u' ' +
                                 tr("A session with the id %1 already exists.").arg(session.id)};
            }
            QVariantList values = SessionRow::fields(session);
            values << int(session.state) << session.id;
            if (!d->run(SessionRow::kInsert, values))
                return d->writeError(what);
            if (!d->appendEventLocked(session.id, u"created"_s, int(session.state), int(session.state), {}))
                return d->writeError(what);
            if (!kind.isEmpty() &&
                !d->appendEventLocked(session.id, kind, int(session.state), int(session.state), detail))
                return d->writeError(what);
        }
        return {};
    });
}

Result<void> Store::transition(Session &session, SessionState to, const QString &detail)
{
    const QString what =
        tr("Could not move session “%1” to %2.").arg(displayName(session), SessionStates::label(to));
    bool storedStopRequested = false;
    auto result = d->write(what, [&]() -> Result<void> {
        SessionState from = session.state;
        {
            Private::Cursor q = d->run(kSelectState, {session.id});
            if (!q)
                return d->writeError(what);
            if (!q->next())
                return Error{what + u' ' +
                             tr("It is no longer in the database (removed by another SpawnAI?).")};
            const int stored = q->value(0).toInt();
            storedStopRequested = q->value(1).toInt() != 0;
            const auto known = SessionStates::fromInt(stored);
            if (!known)
                return Error{what + u' ' +
                             tr("Its stored state (%1) is unknown to this version.").arg(stored)};
            from = *known;
        }
        // The stored state decides, not our copy: another process may have moved the session meanwhile.
        if (!SessionStates::canTransition(from, to)) {
            QString why = tr("A session cannot go from %1 to %2.")
                              .arg(SessionStates::label(from), SessionStates::label(to));
            if (from != session.state)
                why += u' ' + tr("Another SpawnAI process moved it from %1 to %2 in the meantime.")
                                  .arg(SessionStates::label(session.state), SessionStates::label(from));
            return Error{what + u' ' + why};
        }
        QVariantList values = SessionRow::fields(session);
        values << int(to) << session.id;
        if (!d->run(SessionRow::kTransition, values))
            return d->writeError(what);
        if (!d->appendEventLocked(session.id, u"transition"_s, int(from), int(to), detail))
            return d->writeError(what);
        if (SessionStates::isTerminal(to) && session.startedAt.isValid()) {
            Session ended = session;
            ended.state = to;
            if (!d->run(LedgerRow::kInsert, LedgerRow::values(runtimeLine(ended, detail))))
                return d->writeError(what);
        }
        return {};
    });
    if (result) {
        session.state = to;
        session.stopRequested = session.stopRequested || storedStopRequested;
    }
    return result;
}

Result<void> Store::updateSession(const Session &session)
{
    const QString what = tr("Could not save session “%1”.").arg(displayName(session));
    return d->write(what, [&]() -> Result<void> {
        QVariantList values = SessionRow::fields(session);
        values << session.id;
        {
            Private::Cursor q = d->run(SessionRow::kUpdate, values);
            if (!q)
                return d->writeError(what);
            if (q->numRowsAffected() == 0)
                return Error{what + u' ' +
                             tr("It is no longer in the database (removed by another SpawnAI?).")};
        }
        return {};
    });
}

Result<void> Store::appendEvent(const QString &sessionId, const QString &kind, const QString &detail)
{
    if (kind.isEmpty())
        return Error{tr("Cannot record an event without a kind.")};
    const QString what = tr("Could not record “%1” for session %2.").arg(kind, sessionId);
    return d->write(what, [&]() -> Result<void> {
        int state = 0;
        {
            Private::Cursor q = d->run(kSelectState, {sessionId});
            if (!q)
                return d->writeError(what);
            if (!q->next())
                return Error{what + u' ' + tr("There is no such session.")};
            state = q->value(0).toInt();
        }
        if (!d->appendEventLocked(sessionId, kind, state, state, detail))
            return d->writeError(what);
        return {};
    });
}

Result<void> Store::recordExtension(const Session &session, qint64 seconds, double quotedUsd,
                                    const QString &eventKind, const QString &detail)
{
    const QString what = tr("Could not record the extension of session “%1”.").arg(displayName(session));
    if (!isAmount(quotedUsd))
        return Error{what + u' ' + tr("Its quote (%1) is not an amount of money.").arg(quotedUsd)};
    return d->write(what, [&]() -> Result<void> {
        QVariantList values = SessionRow::fields(session);
        values << session.id;
        {
            Private::Cursor q = d->run(SessionRow::kUpdate, values);
            if (!q)
                return d->writeError(what);
            if (q->numRowsAffected() == 0)
                return Error{what + u' ' +
                             tr("It is no longer in the database (removed by another SpawnAI?).")};
        }
        // Only a running session is extended: its state, as the caller holds it, goes with the event.
        if (!d->appendEventLocked(session.id, eventKind, int(session.state), int(session.state), detail))
            return d->writeError(what);
        LedgerEntry line;
        line.at = QDateTime::currentDateTimeUtc();
        line.kind = LedgerEntry::Kind::Extension;
        line.sessionId = session.id;
        line.provider = session.provider;
        line.size = session.size;
        line.seconds = seconds;
        line.ratePerSecond = session.ratePerSecond;
        line.quotedUsd = quotedUsd;
        line.basis = session.rateBasis;
        line.detail = detail;
        if (!d->run(LedgerRow::kInsert, LedgerRow::values(line)))
            return d->writeError(what);
        return {};
    });
}

Result<Session> Store::session(const QString &id) const
{
    const QString what = tr("Could not read session %1.").arg(id);
    Private::Cursor q = d->run(SessionRow::kSelect + u" WHERE id = ?"_s, {id});
    if (!q)
        return d->readError(what);
    if (!q->next())
        return Error{tr("There is no session %1.").arg(id)};
    return SessionRow::toSession(*q);
}

Result<QList<Session>> Store::sessions() const
{
    static const QString sql = SessionRow::kSelect + SessionRow::kNewestFirst;
    auto list = d->readRows<Session>(sql, {}, tr("Could not read the sessions."), &SessionRow::toSession,
                                     d->lastSessionCount + 16);
    if (list)
        d->lastSessionCount = list->size();
    return list;
}

Result<QList<Session>> Store::sessions(const QStringList &ids) const
{
    constexpr qsizetype kChunk = 500; // well under SQLite's limit on bound parameters
    QList<Session> found;
    for (qsizetype at = 0; at < ids.size(); at += kChunk) {
        const QStringList chunk = ids.mid(at, kChunk);
        QStringList marks(chunk.size(), u"?"_s);
        const QString sql = SessionRow::kSelect + u" WHERE id IN ("_s + marks.join(u',') + u")"_s;
        auto rows =
            d->readRows<Session>(sql, QVariantList(chunk.cbegin(), chunk.cend()),
                                 tr("Could not read the sessions."), &SessionRow::toSession, chunk.size());
        if (!rows)
            return rows;
        found += *rows;
    }
    return found;
}

Result<QList<Session>> Store::activeSessions() const
{
    static const QString sql =
        SessionRow::kSelect + u" WHERE state IN ("_s + activeStatesList() + u")"_s + SessionRow::kNewestFirst;
    return d->readRows<Session>(sql, {}, tr("Could not read the active sessions."), &SessionRow::toSession);
}

Result<QString> Store::resolveSessionId(const QString &idOrPrefix) const
{
    const QString wanted = idOrPrefix.trimmed();
    if (wanted.isEmpty())
        return Error{tr("No session id given.")};
    const QString what = tr("Could not look up session “%1”.").arg(wanted);
    {
        Private::Cursor q = d->run(u"SELECT id FROM sessions WHERE id = ?"_s, {wanted});
        if (!q)
            return d->readError(what);
        if (q->next())
            return q->value(0).toString();
    }
    if (wanted.size() < kMinPrefix)
        return Error{tr("“%1” is too short to pick a session; give at least %2 characters of its id "
                        "(see `spawnai list`).")
                         .arg(wanted)
                         .arg(kMinPrefix)};
    QString pattern = wanted;
    pattern.replace(u'\\', u"\\\\"_s).replace(u'%', u"\\%"_s).replace(u'_', u"\\_"_s);
    pattern += u'%';
    constexpr int kShown = 5;
    // LIKE is ASCII case-insensitive, so "3F2A" finds "3f2a…".
    Private::Cursor q = d->run(u"SELECT id FROM sessions WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?"_s,
                               {pattern, kShown + 1});
    if (!q)
        return d->readError(what);
    QStringList matches;
    while (q->next())
        matches << q->value(0).toString();
    if (matches.isEmpty())
        return Error{tr("No session matches “%1” (see `spawnai list`).").arg(wanted)};
    if (matches.size() == 1)
        return matches.first();
    QString listed = matches.mid(0, kShown).join(u", ");
    if (matches.size() > kShown)
        listed += u", …"_s;
    return Error{tr("“%1” is ambiguous: it matches %2. Type more of the id.").arg(wanted, listed)};
}

Result<QList<SessionEvent>> Store::events(const QString &sessionId) const
{
    const QString what = tr("Could not read the events of session %1.").arg(sessionId);
    Private::Cursor q = d->run(u"SELECT seq, session_id, at, kind, from_state, to_state, detail FROM events "
                               "WHERE session_id = ? ORDER BY seq"_s,
                               {sessionId});
    if (!q)
        return d->readError(what);
    QList<SessionEvent> list;
    while (q->next()) {
        SessionEvent e;
        e.seq = q->value(0).toLongLong();
        e.sessionId = q->value(1).toString();
        e.at = StoreSqlite::timeFrom(q->value(2));
        e.kind = q->value(3).toString();
        e.from = SessionStates::fromInt(q->value(4).toInt()).value_or(SessionState::Draft);
        e.to = SessionStates::fromInt(q->value(5).toInt()).value_or(SessionState::Draft);
        e.detail = q->value(6).toString();
        list.append(std::move(e));
    }
    if (q->lastError().isValid()) {
        d->lastError = q->lastError();
        return d->readError(what);
    }
    return list;
}

Result<qint64> Store::lastEventSeq() const
{
    Private::Cursor q = d->run(u"SELECT coalesce(max(seq), 0) FROM events"_s, {});
    if (!q || !q->next())
        return d->readError(tr("Could not read the event log."));
    return q->value(0).toLongLong();
}

Result<Store::Changes> Store::changesSince(qint64 afterSeq) const
{
    const QString what = tr("Could not read what changed in the sessions.");
    // A range of the rowid, grouped here: SQLite would otherwise walk the whole session_id index every poll.
    Private::Cursor q =
        d->run(u"SELECT seq, session_id FROM events WHERE seq > ? ORDER BY seq"_s, {afterSeq});
    if (!q)
        return d->readError(what);
    Changes changes;
    changes.lastSeq = afterSeq;
    QHash<QString, qint64> latest; // each session once, ordered by its latest change
    while (q->next()) {
        changes.lastSeq = q->value(0).toLongLong();
        latest.insert(q->value(1).toString(), changes.lastSeq);
    }
    changes.sessionIds = latest.keys();
    std::sort(changes.sessionIds.begin(), changes.sessionIds.end(),
              [&](const QString &a, const QString &b) { return latest.value(a) < latest.value(b); });
    if (q->lastError().isValid()) {
        d->lastError = q->lastError();
        return d->readError(what);
    }
    return changes;
}

Result<void> Store::requestStop(const QString &sessionId)
{
    const QString what = tr("Could not ask session %1 to stop.").arg(sessionId);
    return d->write(what, [&]() -> Result<void> {
        int state = 0;
        bool alreadyRequested = false;
        {
            Private::Cursor q = d->run(kSelectState, {sessionId});
            if (!q)
                return d->writeError(what);
            if (!q->next())
                return Error{what + u' ' + tr("There is no such session.")};
            state = q->value(0).toInt();
            alreadyRequested = q->value(1).toInt() != 0;
        }
        const auto known = SessionStates::fromInt(state);
        if (known && SessionStates::isTerminal(*known))
            return Error{what + u' ' + tr("It has already %1.").arg(SessionStates::label(*known).toLower())};
        if (alreadyRequested)
            return {}; // asking twice is the same request
        if (!d->run(u"UPDATE sessions SET stop_requested = 1 WHERE id = ?"_s, {sessionId}))
            return d->writeError(what);
        if (!d->appendEventLocked(sessionId, u"stop-requested"_s, state, state, {}))
            return d->writeError(what);
        return {};
    });
}

Result<QStringList> Store::stopRequests(const QString &owner) const
{
    const QString what = tr("Could not read the stop requests.");
    static const QString sql =
        u"SELECT id FROM sessions WHERE owner = ? AND stop_requested = 1 AND state NOT IN (%1, %2) "
        "ORDER BY created_at, rowid"_s.arg(int(SessionState::Ended))
            .arg(int(SessionState::Failed));
    Private::Cursor q = d->run(sql, {owner});
    if (!q)
        return d->readError(what);
    QStringList ids;
    while (q->next())
        ids << q->value(0).toString();
    return ids;
}

Result<void> Store::removeSession(const QString &sessionId)
{
    const QString what = tr("Could not remove session %1.").arg(sessionId);
    return d->write(what, [&]() -> Result<void> {
        int state = 0;
        {
            Private::Cursor q = d->run(kSelectState, {sessionId});
            if (!q)
                return d->writeError(what);
            if (!q->next())
                return Error{what + u' ' + tr("There is no such session.")};
            state = q->value(0).toInt();
        }
        const auto known = SessionStates::fromInt(state);
        if (!known || !SessionStates::isTerminal(*known))
            return Error{what + u' ' +
                         tr("It is still %1; stop it first.")
                             .arg(known ? SessionStates::label(*known).toLower() : QString::number(state))};
        if (!d->run(u"DELETE FROM sessions WHERE id = ?"_s, {sessionId}))
            return d->writeError(what);
        if (!d->appendEventLocked(sessionId, u"removed"_s, state, state, {}))
            return d->writeError(what);
        return {};
    });
}

// --- code revisions

Result<QString> Store::saveRevision(const AppBundle &bundle, const QString &parentId, const QString &prompt)
{
    const QByteArray manifest = QJsonDocument(bundle.manifest.toJson()).toJson(QJsonDocument::Compact);
    QList<RevisionId::File> files;
    files.reserve(bundle.files.size());
    for (auto it = bundle.files.cbegin(); it != bundle.files.cend(); ++it)
        files.append({it.key().toUtf8(), RevisionId::sha256Hex(it.value())});
    const QString id = RevisionId::of(manifest, files);

    const QString what = tr("Could not save the code revision “%1”.").arg(bundle.manifest.title);
    auto result = d->write(what, [&]() -> Result<void> {
        {
            Private::Cursor q = d->run(u"SELECT 1 FROM revisions WHERE id = ?"_s, {id});
            if (!q)
                return d->writeError(what);
            if (q->next())
                return {}; // content-addressed: the same bundle is already stored, parent and prompt included
        }
        if (!parentId.isEmpty()) {
            Private::Cursor q = d->run(u"SELECT 1 FROM revisions WHERE id = ?"_s, {parentId});
            if (!q)
                return d->writeError(what);
            if (!q->next())
                return Error{what + u' ' +
                             tr("Its parent revision %1 is not in the database.").arg(parentId)};
        }
        if (!d->run(u"INSERT INTO revisions (id, parent_id, prompt, created_at, manifest) "
                    "VALUES (?, ?, ?, ?, ?)"_s,
                    {id, StoreSqlite::textValue(parentId), StoreSqlite::textValue(prompt), nowMs(),
                     QString::fromUtf8(manifest)}))
            return d->writeError(what);
        qsizetype i = 0;
        for (auto it = bundle.files.cbegin(); it != bundle.files.cend(); ++it, ++i) {
            const QByteArray &hash = files.at(i).blobHash;
            // A null QByteArray would be bound as NULL; an empty file is an empty blob.
            const QByteArray content = it.value().isNull() ? QByteArray("", 0) : it.value();
            if (!d->run(u"INSERT OR IGNORE INTO blobs (hash, size, content) VALUES (?, ?, ?)"_s,
                        {QString::fromLatin1(hash), qint64(content.size()), content}) ||
                !d->run(u"INSERT INTO revision_files (revision_id, path, blob_hash) VALUES (?, ?, ?)"_s,
                        {id, it.key(), QString::fromLatin1(hash)}))
                return d->writeError(what);
        }
        return {};
    });
    if (!result)
        return Error{result.error()};
    return id;
}

Result<AppBundle> Store::revision(const QString &revisionId) const
{
    const QString what = tr("Could not read code revision %1.").arg(revisionId);
    QByteArray manifest;
    {
        Private::Cursor q = d->run(u"SELECT manifest FROM revisions WHERE id = ?"_s, {revisionId});
        if (!q)
            return d->readError(what);
        if (!q->next())
            return Error{tr("There is no code revision %1.").arg(revisionId)};
        manifest = q->value(0).toString().toUtf8();
    }

    auto damaged = [&](const QString &why) {
        qCWarning(lcStore) << "revision" << revisionId << "damaged:" << why;
        return Error{
            tr("Code revision %1 is damaged: %2. Restore it from an exported copy or a database backup.")
                .arg(revisionId, why)};
    };

    AppBundle bundle;
    QList<RevisionId::File> files;
    {
        Private::Cursor q = d->run(u"SELECT f.path, f.blob_hash, b.content FROM revision_files f "
                                   "LEFT JOIN blobs b ON b.hash = f.blob_hash WHERE f.revision_id = ?"_s,
                                   {revisionId});
        if (!q)
            return d->readError(what);
        while (q->next()) {
            const QString path = q->value(0).toString();
            const QByteArray hash = q->value(1).toString().toLatin1();
            const QVariant content = q->value(2);
            if (content.isNull()) // SQL NULL from the LEFT JOIN; an empty file is a non-null empty blob
                return damaged(tr("the content of %1 is missing").arg(path));
            QByteArray bytes = content.toByteArray();
            if (RevisionId::sha256Hex(bytes) != hash)
                return damaged(tr("the content of %1 does not match its hash").arg(path));
            files.append({path.toUtf8(), hash});
            bundle.files.insert(path, std::move(bytes));
        }
        if (q->lastError().isValid()) {
            d->lastError = q->lastError();
            return d->readError(what);
        }
    }
    if (RevisionId::of(manifest, files) != revisionId)
        return damaged(tr("its manifest or file list does not match its id"));
    auto parsed = AppManifest::fromJson(manifest);
    if (!parsed)
        return damaged(parsed.error());
    bundle.manifest = std::move(parsed).value();
    return bundle;
}

Result<QList<RevisionInfo>> Store::revisionHistory(const QString &revisionId, int limit) const
{
    if (limit <= 0)
        return QList<RevisionInfo>();
    const QString what = tr("Could not read the history of code revision %1.").arg(revisionId);
    // The chain is walked in SQL, one step per parent; `limit` also bounds a cycle only tampering could make
    // (ids are content hashes and a parent must exist before its child). Generations are summed per revision:
    // each one that returned this exact code was paid for.
    static const QString sql =
        u"WITH RECURSIVE chain(id, depth) AS ("
        "  SELECT id, 0 FROM revisions WHERE id = ?"
        "  UNION ALL"
        "  SELECT r.parent_id, chain.depth + 1 FROM chain JOIN revisions r ON r.id = chain.id"
        "  WHERE r.parent_id IS NOT NULL AND chain.depth + 1 < ?),"
        " produced AS ("
        "  SELECT revision_id, min(id) AS first_id, sum(cost_usd) AS cost,"
        "   sum(input_tokens) AS input, sum(output_tokens) AS output,"
        "   sum(cache_write_5m_tokens) AS write_5m, sum(cache_write_1h_tokens) AS write_1h,"
        "   sum(cache_read_tokens) AS cache_read"
        "  FROM generations WHERE revision_id IN (SELECT id FROM chain) GROUP BY revision_id)"
        " SELECT r.id, r.parent_id, r.created_at, r.manifest, r.prompt,"
        "  (SELECT count(*) FROM revision_files f WHERE f.revision_id = r.id),"
        "  (SELECT coalesce(sum(b.size), 0) FROM revision_files f"
        "   JOIN blobs b ON b.hash = f.blob_hash WHERE f.revision_id = r.id),"
        "  p.cost, p.input, p.output, p.write_5m, p.write_1h, p.cache_read, g.model, g.prompt"
        " FROM chain JOIN revisions r ON r.id = chain.id"
        " LEFT JOIN produced p ON p.revision_id = r.id"
        " LEFT JOIN generations g ON g.id = p.first_id"
        " ORDER BY chain.depth"_s;
    Private::Cursor q = d->run(sql, {revisionId, limit});
    if (!q)
        return d->readError(what);
    QList<RevisionInfo> list;
    while (q->next()) {
        RevisionInfo info;
        info.id = q->value(0).toString();
        info.parentId = q->value(1).toString();
        info.createdAt = StoreSqlite::timeFrom(q->value(2));
        // Read leniently: the history lists what it can; revision() verifies the manifest before code is
        // used.
        const QJsonObject manifest = QJsonDocument::fromJson(q->value(3).toString().toUtf8()).object();
        info.title = manifest.value(u"title"_s).toString();
        info.runtime = manifest.value(u"runtime"_s).toString();
        info.prompt = q->value(4).toString();
        info.fileCount = q->value(5).toInt();
        info.bytes = q->value(6).toLongLong();
        info.generationCostUsd = q->value(7).toDouble();
        info.usage.inputTokens = q->value(8).toLongLong();
        info.usage.outputTokens = q->value(9).toLongLong();
        info.usage.cacheWriteTokens = q->value(10).toLongLong();
        info.usage.cacheWrite1hTokens = q->value(11).toLongLong();
        info.usage.cacheReadTokens = q->value(12).toLongLong();
        info.model = q->value(13).toString();
        if (info.prompt.isEmpty())
            info.prompt = q->value(14).toString();
        list.append(std::move(info));
    }
    if (q->lastError().isValid()) {
        d->lastError = q->lastError();
        return d->readError(what);
    }
    if (list.isEmpty())
        return Error{tr("There is no code revision %1.").arg(revisionId)};
    return list;
}

// --- generations

Result<qint64> Store::addGeneration(Generation &generation)
{
    const QString what = tr("Could not record the generation “%1”.").arg(promptExcerpt(generation.prompt));
    if (generation.id != 0)
        return Error{what + u' ' + tr("It is already recorded (generation %1).").arg(generation.id)};
    const TokenUsage &usage = generation.usage;
    if (usage.inputTokens < 0 || usage.outputTokens < 0 || usage.cacheWriteTokens < 0 ||
        usage.cacheWrite1hTokens < 0 || usage.cacheReadTokens < 0)
        return Error{what + u' ' + tr("Its token counts are negative.")};
    if (!std::isfinite(generation.costUsd) || generation.costUsd < 0)
        return Error{what + u' ' + tr("Its cost (%1) is not an amount of money.").arg(generation.costUsd)};
    const QDateTime createdAt =
        generation.createdAt.isValid() ? generation.createdAt.toUTC() : QDateTime::currentDateTimeUtc();

    qint64 id = 0;
    auto result = d->write(what, [&]() -> Result<void> {
        // The foreign keys would refuse these too, but only with SQLite's words.
        const std::pair<QString, QString> references[] = {
            {generation.parentRevisionId, tr("The revision it refined (%1) is not in the database.")},
            {generation.revisionId, tr("The revision it produced (%1) is not in the database.")}};
        for (const auto &[revisionId, missing] : references) {
            if (revisionId.isEmpty())
                continue;
            Private::Cursor q = d->run(u"SELECT 1 FROM revisions WHERE id = ?"_s, {revisionId});
            if (!q)
                return d->writeError(what);
            if (!q->next())
                return Error{what + u' ' + missing.arg(revisionId)};
        }
        using StoreSqlite::textValue;
        {
            Private::Cursor q =
                d->run(u"INSERT INTO generations (created_at, prompt, model, parent_revision_id, "
                       "revision_id, commentary, stop_reason, input_tokens, output_tokens, "
                       "cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost_usd, "
                       "failure) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                       {StoreSqlite::timeValue(createdAt),
                        generation.prompt.isNull() ? u""_s : generation.prompt, textValue(generation.model),
                        textValue(generation.parentRevisionId), textValue(generation.revisionId),
                        textValue(generation.commentary), textValue(generation.stopReason), usage.inputTokens,
                        usage.outputTokens, usage.cacheWriteTokens, usage.cacheWrite1hTokens,
                        usage.cacheReadTokens, generation.costUsd, textValue(generation.failure)});
            if (!q)
                return d->writeError(what);
            id = q->lastInsertId().toLongLong();
        }
        if (generation.costUsd > 0 || usage.promptTokens() + usage.outputTokens > 0) {
            LedgerEntry line;
            line.at = createdAt;
            line.kind = LedgerEntry::Kind::Generation;
            line.generationId = id;
            line.provider = u"claude"_s;
            line.size = generation.model;
            line.usd = generation.costUsd;
            line.basis = generation.pricing;
            line.detail = tr("%1 input, %2 output tokens").arg(usage.promptTokens()).arg(usage.outputTokens);
            if (!d->run(LedgerRow::kInsert, LedgerRow::values(line)))
                return d->writeError(what);
        }
        return {};
    });
    if (!result)
        return Error{result.error()};
    generation.id = id;
    generation.createdAt = createdAt;
    return id;
}

Result<QList<Generation>> Store::generationsFor(const QString &revisionId) const
{
    const QString what = tr("Could not read the generations of code revision %1.").arg(revisionId);
    static const QString sql =
        u"SELECT "_s + kGenerationColumns + u" FROM generations WHERE revision_id = ? ORDER BY id"_s;
    return d->readRows<Generation>(sql, {revisionId}, what, &toGeneration);
}

Result<QList<Generation>> Store::recentGenerations(int limit) const
{
    const QString what = tr("Could not read the recent generations.");
    static const QString sql =
        u"SELECT "_s + kGenerationColumns + u" FROM generations ORDER BY created_at DESC, id DESC LIMIT ?"_s;
    return d->readRows<Generation>(sql, {std::max(0, limit)}, what, &toGeneration);
}

// --- cost ledger

Result<qint64> Store::appendLedger(LedgerEntry &entry)
{
    const QString what = tr("Could not record a cost of %1.").arg(formatUsd(entry.usd));
    if (entry.id != 0)
        return Error{what + u' ' + tr("It is already recorded (line %1).").arg(entry.id)};
    if (!isAmount(entry.usd) || !isAmount(entry.quotedUsd) || !isAmount(entry.ratePerSecond))
        return Error{what + u' ' + tr("It is not an amount of money.")};
    if (!entry.at.isValid())
        entry.at = QDateTime::currentDateTimeUtc();
    qint64 id = 0;
    auto result = d->write(what, [&]() -> Result<void> {
        Private::Cursor q = d->run(LedgerRow::kInsert, LedgerRow::values(entry));
        if (!q)
            return d->writeError(what);
        id = q->lastInsertId().toLongLong();
        return {};
    });
    if (!result)
        return Error{result.error()};
    entry.id = id;
    return id;
}

Result<QList<LedgerEntry>> Store::ledger(const QDateTime &from, const QDateTime &to) const
{
    // A Runtime line is recorded when its run ends, so it is never recorded before the run overlaps `from`.
    return d->readRows<LedgerEntry>(
        LedgerRow::kSelect + u" WHERE at >= ? AND (CASE kind WHEN 'runtime' THEN started_at < ? "
                             "ELSE at < ? END) ORDER BY at, id"_s,
        {StoreSqlite::timeValue(from), StoreSqlite::timeValue(to), StoreSqlite::timeValue(to)},
        tr("Could not read the cost ledger."), &LedgerRow::toEntry);
}

Result<QList<LedgerEntry>> Store::ledgerFor(const QString &sessionId) const
{
    return d->readRows<LedgerEntry>(LedgerRow::kSelect + u" WHERE session_id = ? ORDER BY id"_s, {sessionId},
                                    tr("Could not read the cost ledger of session %1.").arg(sessionId),
                                    &LedgerRow::toEntry);
}

// --- prompt history

Result<void> Store::addPrompt(const QString &text, const QString &sessionId)
{
    if (text.trimmed().isEmpty())
        return {}; // nothing typed, nothing to keep
    const QString what = tr("Could not save the prompt in the history.");
    return d->write(what, [&]() -> Result<void> {
        if (!d->run(u"INSERT INTO prompts (at, text, session_id) VALUES (?, ?, ?)"_s,
                    {nowMs(), text, StoreSqlite::textValue(sessionId)}))
            return d->writeError(what);
        return {};
    });
}

Result<QList<PromptEntry>> Store::prompts(int limit) const
{
    const QString what = tr("Could not read the prompt history.");
    Private::Cursor q = d->run(u"SELECT id, at, text, session_id FROM prompts ORDER BY id DESC LIMIT ?"_s,
                               {std::max(0, limit)});
    if (!q)
        return d->readError(what);
    QList<PromptEntry> list;
    while (q->next())
        list.append({q->value(0).toLongLong(), StoreSqlite::timeFrom(q->value(1)), q->value(2).toString(),
                     q->value(3).toString()});
    return list;
}
