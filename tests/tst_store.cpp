#include "revisionid.h"
#include "store.h"
#include "storeschema.h"

#include <QAtomicInt>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

std::unique_ptr<Store> openStore(const QString &path)
{
    auto opened = Store::open(path);
    if (!opened) {
        qWarning().noquote() << opened.error();
        return nullptr;
    }
    return std::move(opened).value();
}

// The Store's own connection ("spawnai.store.<n>"; the newest on `path` belongs to the newest Store), to
// check its per-connection settings and to inject faults into it. Drop the handle before the Store goes.
QSqlDatabase storeConnection(const QString &path)
{
    QSqlDatabase found;
    int newest = -1;
    const QStringList names = QSqlDatabase::connectionNames();
    for (const QString &name : names) {
        if (!name.startsWith(u"spawnai.store."_s))
            continue;
        QSqlDatabase db = QSqlDatabase::database(name, false);
        const int n = name.mid(14).toInt();
        if (db.isOpen() && db.databaseName() == path && n > newest) {
            newest = n;
            found = db;
        }
    }
    return found;
}

QVariant scalar(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.exec(sql) || !q.next()) {
        qWarning() << sql << q.lastError().text();
        return {};
    }
    return q.value(0);
}

// A separate connection to the same file, as another program (or an attacker, or a bug) would use it.
class RawDb
{
public:
    explicit RawDb(const QString &path)
        : m_name(u"raw.%1"_s.arg(s_counter.fetchAndAddRelaxed(1)))
    {
        m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
        m_db.setDatabaseName(path);
        m_db.open();
    }
    ~RawDb()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;

    bool exec(const QString &sql, QString *error = nullptr)
    {
        QSqlQuery q(m_db);
        const bool ok = q.exec(sql);
        if (!ok && error)
            *error = q.lastError().databaseText();
        return ok;
    }
    QVariant scalar(const QString &sql) { return ::scalar(m_db, sql); }
    qint64 count(const QString &table) { return scalar(u"SELECT count(*) FROM "_s + table).toLongLong(); }
    QSqlDatabase &db() { return m_db; }

private:
    static inline QAtomicInt s_counter;
    QString m_name;
    QSqlDatabase m_db;
};

QByteArray fileHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result().toHex();
}

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

Session makeSession(const QString &name, SessionState state = SessionState::Draft, const QString &owner = {})
{
    Session s;
    s.id = newId();
    s.name = name;
    s.provider = u"local"_s;
    s.state = state;
    s.owner = owner;
    s.createdAt = QDateTime::currentDateTimeUtc();
    return s;
}

AppBundle makeBundle()
{
    AppBundle bundle;
    bundle.manifest.title = u"Pomodoro ⏱ café"_s;
    bundle.manifest.runtime = Runtime::Python;
    bundle.manifest.start = u"python3 app.py"_s;
    bundle.manifest.port = 8123;
    bundle.files.insert(u"app.py"_s, "import http.server\nprint('hi')\n");
    QByteArray png;
    for (int i = 0; i < 1024; ++i)
        png.append(char(i % 256)); // every byte value, NULs included
    bundle.files.insert(u"static/logo.png"_s, png);
    bundle.files.insert(u"empty.txt"_s, QByteArray());
    bundle.files.insert(u"docs/ünïcödé 日本.md"_s, QString(u"# Ünïcödé\n"_s).toUtf8());
    return bundle;
}

void compareSessions(const Session &actual, const Session &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.provider, expected.provider);
    QCOMPARE(actual.size, expected.size);
    QCOMPARE(actual.state, expected.state);
    QCOMPARE(actual.failure, expected.failure);
    QCOMPARE(actual.failureMessage, expected.failureMessage);
    QCOMPARE(actual.ttlSeconds, expected.ttlSeconds);
    const std::pair<QDateTime, QDateTime> times[] = {{actual.createdAt, expected.createdAt},
                                                     {actual.startedAt, expected.startedAt},
                                                     {actual.expiresAt, expected.expiresAt},
                                                     {actual.endedAt, expected.endedAt}};
    for (const auto &[a, e] : times) {
        QCOMPARE(a.isValid(), e.isValid());
        QCOMPARE(a, e); // the same instant; the store hands back UTC
        if (a.isValid())
            QCOMPARE(a.timeSpec(), Qt::UTC);
    }
    QCOMPARE(actual.url, expected.url);
    QCOMPARE(actual.resourceId, expected.resourceId);
    QCOMPARE(actual.revisionId, expected.revisionId);
    QCOMPARE(actual.ratePerSecond, expected.ratePerSecond);
    QCOMPARE(actual.unsandboxed, expected.unsandboxed);
    QCOMPARE(actual.owner, expected.owner);
    QCOMPARE(actual.generationCostUsd, expected.generationCostUsd);
    QCOMPARE(actual.rateBasis.how, expected.rateBasis.how);
    QCOMPARE(actual.rateBasis.source, expected.rateBasis.source);
    QCOMPARE(actual.rateBasis.asOf, expected.rateBasis.asOf);
    QCOMPARE(actual.stopRequested, expected.stopRequested);
}

void compareGenerations(const Generation &actual, const Generation &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.createdAt, expected.createdAt);
    QCOMPARE(actual.createdAt.timeSpec(), Qt::UTC);
    QCOMPARE(actual.prompt, expected.prompt);
    QCOMPARE(actual.model, expected.model);
    QCOMPARE(actual.parentRevisionId, expected.parentRevisionId);
    QCOMPARE(actual.revisionId, expected.revisionId);
    QCOMPARE(actual.commentary, expected.commentary);
    QCOMPARE(actual.stopReason, expected.stopReason);
    QCOMPARE(actual.usage.inputTokens, expected.usage.inputTokens);
    QCOMPARE(actual.usage.outputTokens, expected.usage.outputTokens);
    QCOMPARE(actual.usage.cacheWriteTokens, expected.usage.cacheWriteTokens);
    QCOMPARE(actual.usage.cacheWrite1hTokens, expected.usage.cacheWrite1hTokens);
    QCOMPARE(actual.usage.cacheReadTokens, expected.usage.cacheReadTokens);
    QCOMPARE(actual.costUsd, expected.costUsd);
    QCOMPARE(actual.failure, expected.failure);
}

Generation makeGeneration(const QString &prompt, const QString &revisionId, const QString &parentId = {})
{
    Generation g;
    g.prompt = prompt;
    g.model = u"claude-sonnet-5-5"_s;
    g.parentRevisionId = parentId;
    g.revisionId = revisionId;
    g.commentary = u"Here is your app."_s;
    g.stopReason = u"tool_use"_s;
    g.usage.inputTokens = 1200;
    g.usage.outputTokens = 5400;
    g.usage.cacheWriteTokens = 3000;
    g.usage.cacheWrite1hTokens = 0;
    g.usage.cacheReadTokens = 800;
    g.costUsd = 0.0654;
    return g;
}

// A revision exactly as schema v1 stored it, written with SQL only (no Store of this build involved).
QString insertV1Revision(RawDb &raw, const AppBundle &bundle, const QString &parentId, const QString &prompt,
                         qint64 createdAtMs)
{
    const QByteArray manifest = QJsonDocument(bundle.manifest.toJson()).toJson(QJsonDocument::Compact);
    QList<RevisionId::File> files;
    for (auto it = bundle.files.cbegin(); it != bundle.files.cend(); ++it)
        files.append({it.key().toUtf8(), RevisionId::sha256Hex(it.value())});
    const QString id = RevisionId::of(manifest, files);
    QSqlQuery q(raw.db());
    q.prepare(
        u"INSERT INTO revisions (id, parent_id, prompt, created_at, manifest) VALUES (?, ?, ?, ?, ?)"_s);
    q.addBindValue(id);
    q.addBindValue(parentId.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(parentId));
    q.addBindValue(prompt.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(prompt));
    q.addBindValue(createdAtMs);
    q.addBindValue(QString::fromUtf8(manifest));
    if (!q.exec())
        qWarning() << "revision:" << q.lastError().text();
    qsizetype i = 0;
    for (auto it = bundle.files.cbegin(); it != bundle.files.cend(); ++it, ++i) {
        const QByteArray content = it.value().isNull() ? QByteArray("", 0) : it.value();
        q.prepare(u"INSERT OR IGNORE INTO blobs (hash, size, content) VALUES (?, ?, ?)"_s);
        q.addBindValue(QString::fromLatin1(files.at(i).blobHash));
        q.addBindValue(qint64(content.size()));
        q.addBindValue(content);
        if (!q.exec())
            qWarning() << "blob:" << q.lastError().text();
        q.prepare(u"INSERT INTO revision_files (revision_id, path, blob_hash) VALUES (?, ?, ?)"_s);
        q.addBindValue(id);
        q.addBindValue(it.key());
        q.addBindValue(QString::fromLatin1(files.at(i).blobHash));
        if (!q.exec())
            qWarning() << "file:" << q.lastError().text();
    }
    return id;
}

// A database as SpawnAI 1 left it: the v1 step of the schema history only, in WAL mode. Returns its install
// id, or an empty string (with a warning) on failure.
QString createV1Database(RawDb &raw)
{
    if (raw.scalar(u"PRAGMA journal_mode = WAL"_s).toString() != u"wal" || !raw.db().transaction())
        return {};
    QSqlQuery q(raw.db());
    const StoreSchema::Step &v1 = StoreSchema::steps().front();
    if (v1.version != 1 || !v1.apply(q) || !q.exec(u"PRAGMA user_version = 1"_s)) {
        qWarning() << "v1 step:" << q.lastError().text();
        raw.db().rollback();
        return {};
    }
    if (!raw.db().commit())
        return {};
    return raw.scalar(u"SELECT value FROM meta WHERE key = 'install_id'"_s).toString();
}

// A session row with exactly the columns of schema v1.
bool insertV1Session(RawDb &raw, const Session &s)
{
    QSqlQuery q(raw.db());
    q.prepare(
        u"INSERT INTO sessions (id, name, provider, size, state, failure, failure_message, ttl_seconds, "
        "created_at, started_at, expires_at, ended_at, url, resource_id, revision_id, rate_per_second, "
        "unsandboxed, owner, stop_requested) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    auto text = [](const QString &t) {
        return t.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(t);
    };
    auto time = [](const QDateTime &t) {
        return t.isValid() ? QVariant(t.toMSecsSinceEpoch()) : QVariant(QMetaType::fromType<qint64>());
    };
    for (const QVariant &value :
         {QVariant(s.id), text(s.name), text(s.provider), text(s.size), QVariant(int(s.state)),
          QVariant(int(s.failure)), text(s.failureMessage), QVariant(s.ttlSeconds), time(s.createdAt),
          time(s.startedAt), time(s.expiresAt), time(s.endedAt), text(s.url.toString(QUrl::FullyEncoded)),
          text(s.resourceId), text(s.revisionId), QVariant(s.ratePerSecond), QVariant(int(s.unsandboxed)),
          text(s.owner), QVariant(int(s.stopRequested))})
        q.addBindValue(value);
    if (!q.exec()) {
        qWarning() << "session:" << q.lastError().text();
        return false;
    }
    return true;
}

} // namespace

class TestStore final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void sessionRoundTrip_data();
    void sessionRoundTrip();
    void updateSessionWritesFields();
    void insertSessionsIsOneTransaction();
    void durabilitySettings();

    void transition_data();
    void transition();
    void transitionChecksStoredState();
    void appendOnly_data();
    void appendOnly();

    void revisionRoundTrip();
    void revisionIsContentAddressed();
    void tamperedBlobIsDetected();
    void tamperedFileListIsDetected();

    void generationRoundTrip();
    void generationErrors();
    void revisionHistory();

    void createsNewDatabase_data();
    void createsNewDatabase();
    void reopenChangesNothing();
    void migratesV0WithOtherTables();
    void migratesV1WithData();
    void failedV2MigrationKeepsV1();
    void failedMigrationRollsBack();
    void refusesNewerSchema_data();
    void refusesNewerSchema();
    void refusesDamagedFile_data();
    void refusesDamagedFile();

    void diskFull();
    void readOnly();
    void twoStoresInterleave();
    void concurrentWriters();

    void resolveSessionId_data();
    void resolveSessionId();
    void stopRequests();
    void changesSince();
    void removeSession();
    void activeSessions();
    void prompts();

    void ledgerRecordsEveryCost();
    void ledgerPeriodsAndAppendOnly();
    void migrationBackfillsTheLedger();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void TestStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(u"spawnai.db"_s);
}

void TestStore::cleanup()
{
    m_dir.reset();
}

void TestStore::sessionRoundTrip_data()
{
    QTest::addColumn<Session>("session");

    Session minimal;
    minimal.id = newId();
    QTest::newRow("minimal: every optional field empty, every time null") << minimal;

    Session full;
    full.id = newId();
    full.name = u"Pomodoro ⏱ — café 日本語 🍅"_s;
    full.provider = u"e2b"_s;
    full.size = u"2cpu-1gb"_s;
    full.state = SessionState::Running;
    full.ttlSeconds = 7200;
    full.createdAt = QDateTime(QDate(2025, 3, 1), QTime(9, 59, 58, 123), Qt::UTC);
    full.startedAt = QDateTime(QDate(2025, 3, 1), QTime(10, 0, 1, 7), Qt::LocalTime);
    full.expiresAt = QDateTime(QDate(2025, 3, 1), QTime(12, 0, 1, 999), Qt::OffsetFromUTC, 5 * 3600 + 1800);
    full.url = QUrl(u"https://sbx-3f2a.e2b.app/päth?q=ä b&x=1#frag"_s);
    full.resourceId = u"sbx_3f2a9c"_s;
    full.revisionId = QString(64, u'a');
    full.ratePerSecond = 0.000123456789012345;
    full.unsandboxed = true;
    full.owner = u"gui-4242-abcdef"_s;
    full.generationCostUsd = 0.0654321;
    full.rateBasis = {u"2 vCPU × $0.000014/s + 0.5 GiB × $0.0000045/s"_s, u"https://e2b.dev/docs/pricing"_s,
                      u"2026-08"_s};
    full.stopRequested = true;
    QTest::newRow("full: unicode, offsets, url, rate") << full;

    Session failed = full;
    failed.id = newId();
    failed.state = SessionState::Failed;
    failed.failure = FailureReason::SandboxUnavailable;
    failed.failureMessage =
        u"bubblewrap could not create a user namespace — install bubblewrap or opt out in Settings."_s;
    failed.endedAt = QDateTime::fromMSecsSinceEpoch(1'740'000'000'001, Qt::UTC);
    failed.stopRequested = false;
    QTest::newRow("failed with a reason") << failed;

    Session epoch;
    epoch.id = newId();
    epoch.state = SessionState::Ended;
    epoch.failure = FailureReason::Cancelled;
    epoch.createdAt = QDateTime::fromMSecsSinceEpoch(0, Qt::UTC); // valid, not to be confused with "not set"
    epoch.expiresAt = QDateTime::fromMSecsSinceEpoch(-1, Qt::UTC);
    epoch.ttlSeconds = std::numeric_limits<qint64>::max();
    epoch.ratePerSecond = -0.5;
    QTest::newRow("epoch zero is a valid time") << epoch;
}

void TestStore::sessionRoundTrip()
{
    QFETCH(Session, session);
    auto store = openStore(m_path);
    QVERIFY(store);
    QVERIFY(!store->installId().isEmpty());
    const auto inserted = store->insertSession(session);
    QVERIFY2(inserted.ok(), qPrintable(inserted.error()));

    const auto loaded = store->session(session.id);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    compareSessions(*loaded, session);
    if (QTest::currentTestFailed())
        return;

    const auto all = store->sessions();
    QVERIFY(all.ok());
    QCOMPARE(all->size(), 1);
    compareSessions(all->first(), session);

    // A second insert of the same id is refused, and nothing changes.
    Session again = session;
    again.name = u"other"_s;
    const auto duplicate = store->insertSession(again);
    QVERIFY(!duplicate.ok());
    QVERIFY2(duplicate.error().contains(session.id), qPrintable(duplicate.error()));
    compareSessions(*store->session(session.id), session);

    // And it survives closing and reopening.
    store.reset();
    store = openStore(m_path);
    QVERIFY(store);
    compareSessions(*store->session(session.id), session);

    const auto events = store->events(session.id);
    QVERIFY(events.ok());
    QCOMPARE(events->size(), 1);
    QCOMPARE(events->first().kind, u"created"_s);
    QCOMPARE(events->first().to, session.state);
}

void TestStore::insertSessionsIsOneTransaction()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    QList<Session> found;
    for (int i = 0; i < 1200; ++i) // more than one IN (…) chunk
        found << makeSession(u"orphan %1"_s.arg(i), SessionState::Running);
    const auto inserted = store->insertSessions(found, u"orphan"_s, u"found on E2B"_s);
    QVERIFY2(inserted.ok(), qPrintable(inserted.error()));
    QCOMPARE(store->sessions()->size(), 1200);
    const auto events = store->events(found.last().id);
    QCOMPARE(events->size(), 2);
    QCOMPARE(events->last().kind, u"orphan"_s);
    QCOMPARE(events->last().detail, u"found on E2B"_s);

    QStringList ids{found.at(3).id, found.at(1100).id, u"no-such-session"_s};
    for (int i = 0; i < 600; ++i)
        ids << found.at(i).id;
    const auto some = store->sessions(ids);
    QVERIFY2(some.ok(), qPrintable(some.error()));
    QCOMPARE(some->size(), 601); // the first 600, the 1100th; the unknown id is left out
    compareSessions(*std::find_if(some->cbegin(), some->cend(),
                                  [&](const Session &x) { return x.id == found.at(1100).id; }),
                    found.at(1100));

    // All or nothing: one duplicate id rolls the whole batch back.
    QList<Session> again{makeSession(u"new"_s), found.first()};
    QVERIFY(!store->insertSessions(again, {}, {}).ok());
    QCOMPARE(store->sessions()->size(), 1200);
}

void TestStore::updateSessionWritesFields()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    Session s = makeSession(u"app"_s, SessionState::Running);
    QVERIFY(store->insertSession(s).ok());

    s.url = QUrl(u"http://127.0.0.1:8123/"_s);
    s.expiresAt = QDateTime::currentDateTimeUtc().addSecs(3600);
    s.ttlSeconds = 10800;
    s.resourceId = u"pid:1234"_s;
    s.generationCostUsd = 0.125;
    s.name.clear();                // clearing a field is written too
    s.state = SessionState::Draft; // not written: updateSession leaves the state alone
    const auto updated = store->updateSession(s);
    QVERIFY2(updated.ok(), qPrintable(updated.error()));

    Session expected = s;
    expected.state = SessionState::Running;
    compareSessions(*store->session(s.id), expected);
    QCOMPARE(store->events(s.id)->size(), 1); // field updates are not lifecycle events

    Session unknown = makeSession(u"ghost"_s);
    const auto missing = store->updateSession(unknown);
    QVERIFY(!missing.ok());
    QVERIFY2(missing.error().contains(u"no longer in the database"_s), qPrintable(missing.error()));
}

void TestStore::durabilitySettings()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    {
        const QSqlDatabase db = storeConnection(store->path());
        QVERIFY(db.isValid());
        QCOMPARE(scalar(db, u"PRAGMA journal_mode"_s).toString(), u"wal"_s);
        QCOMPARE(scalar(db, u"PRAGMA synchronous"_s).toInt(), 2); // FULL
        QCOMPARE(scalar(db, u"PRAGMA foreign_keys"_s).toInt(), 1);
        QCOMPARE(scalar(db, u"PRAGMA busy_timeout"_s).toInt(), 5000);
        QCOMPARE(scalar(db, u"PRAGMA user_version"_s).toInt(), Store::kSchemaVersion);
        QCOMPARE(scalar(db, u"PRAGMA application_id"_s).toInt(), 0x53504149);
    }
    // Every Store has its own connection.
    auto second = openStore(m_path);
    QVERIFY(second);
    int connections = 0;
    for (const QString &name : QSqlDatabase::connectionNames())
        connections += name.startsWith(u"spawnai.store."_s);
    QCOMPARE(connections, 2);
    second.reset();
    store.reset();
    for (const QString &name : QSqlDatabase::connectionNames())
        QVERIFY2(!name.startsWith(u"spawnai.store."_s), qPrintable(name));
}

void TestStore::transition_data()
{
    QTest::addColumn<SessionState>("from");
    QTest::addColumn<SessionState>("to");
    QTest::addColumn<bool>("allowed");
    using S = SessionState;
    QTest::newRow("draft → generating") << S::Draft << S::Generating << true;
    QTest::newRow("ready → provisioning") << S::Ready << S::Provisioning << true;
    QTest::newRow("starting → running") << S::Starting << S::Running << true;
    QTest::newRow("running → uploading (redeploy)") << S::Running << S::Uploading << true;
    QTest::newRow("expiring → running (extended)") << S::Expiring << S::Running << true;
    QTest::newRow("stopping → ended") << S::Stopping << S::Ended << true;
    QTest::newRow("running → failed") << S::Running << S::Failed << true;
    QTest::newRow("draft → running refused") << S::Draft << S::Running << false;
    QTest::newRow("running → ready refused") << S::Running << S::Ready << false;
    QTest::newRow("ended → failed refused") << S::Ended << S::Failed << false;
    QTest::newRow("failed → draft refused") << S::Failed << S::Draft << false;
    QTest::newRow("running → running refused") << S::Running << S::Running << false;
}

void TestStore::transition()
{
    QFETCH(SessionState, from);
    QFETCH(SessionState, to);
    QFETCH(bool, allowed);
    auto store = openStore(m_path);
    QVERIFY(store);
    Session s = makeSession(u"app"_s, from);
    QVERIFY(store->insertSession(s).ok());

    s.resourceId = u"res-1"_s; // written with the transition when it is allowed
    if (to == SessionState::Failed) {
        s.failure = FailureReason::AppExited;
        s.failureMessage = u"The app exited with code 1."_s;
    }
    const auto moved = store->transition(s, to, u"because"_s);
    QCOMPARE(moved.ok(), allowed);
    const auto stored = store->session(s.id);
    QVERIFY(stored.ok());
    const auto events = store->events(s.id);
    QVERIFY(events.ok());
    if (allowed) {
        QCOMPARE(s.state, to);
        QCOMPARE(stored->state, to);
        QCOMPARE(stored->resourceId, u"res-1"_s);
        QCOMPARE(stored->failure, s.failure);
        QCOMPARE(events->size(), 2); // created + exactly one for the transition
        const SessionEvent &e = events->last();
        QCOMPARE(e.kind, u"transition"_s);
        QCOMPARE(e.from, from);
        QCOMPARE(e.to, to);
        QCOMPARE(e.detail, u"because"_s);
        QCOMPARE(e.sessionId, s.id);
        QVERIFY(qAbs(e.at.msecsTo(QDateTime::currentDateTimeUtc())) < 10'000);
        QVERIFY(e.seq > events->first().seq);
    } else {
        QCOMPARE(s.state, from);
        QCOMPARE(stored->state, from);
        QVERIFY(stored->resourceId.isEmpty()); // nothing of a refused transition is written
        QCOMPARE(events->size(), 1);
        QVERIFY2(moved.error().contains(SessionStates::label(from)) &&
                     moved.error().contains(SessionStates::label(to)),
                 qPrintable(moved.error()));
    }
}

void TestStore::transitionChecksStoredState()
{
    auto gui = openStore(m_path);
    auto cli = openStore(m_path);
    QVERIFY(gui && cli);
    Session s = makeSession(u"shared"_s, SessionState::Ready);
    QVERIFY(gui->insertSession(s).ok());
    Session stale = s; // the GUI's copy, about to go stale

    Session other = *cli->session(s.id);
    QVERIFY(cli->transition(other, SessionState::Provisioning).ok());
    QVERIFY(cli->transition(other, SessionState::Uploading).ok());

    // Ready → Generating is fine from the GUI's point of view, but the session is Uploading now.
    const auto refused = gui->transition(stale, SessionState::Generating);
    QVERIFY(!refused.ok());
    qInfo().noquote() << refused.error();
    QVERIFY2(refused.error().contains(u"Another SpawnAI process"_s), qPrintable(refused.error()));
    QCOMPARE(stale.state, SessionState::Ready);
    QCOMPARE(gui->session(s.id)->state, SessionState::Uploading);

    // Uploading → Stopping is allowed from the stored state; the event records where it really came from.
    QVERIFY(gui->transition(stale, SessionState::Stopping).ok());
    const auto events = cli->events(s.id);
    QVERIFY(events.ok());
    QCOMPARE(events->size(), 4);
    QCOMPARE(events->last().from, SessionState::Uploading);
    QCOMPARE(events->last().to, SessionState::Stopping);
}

void TestStore::appendOnly_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QString>("table");
    QTest::newRow("update event") << u"UPDATE events SET detail = 'rewritten'"_s << u"events"_s;
    QTest::newRow("delete event") << u"DELETE FROM events"_s << u"events"_s;
    QTest::newRow("update revision") << u"UPDATE revisions SET prompt = 'x'"_s << u"revisions"_s;
    QTest::newRow("delete revision") << u"DELETE FROM revisions"_s << u"revisions"_s;
    QTest::newRow("update revision file") << u"UPDATE revision_files SET path = 'x'"_s << u"revision_files"_s;
    QTest::newRow("delete revision file") << u"DELETE FROM revision_files"_s << u"revision_files"_s;
    QTest::newRow("update blob") << u"UPDATE blobs SET content = x'00'"_s << u"blobs"_s;
    QTest::newRow("delete blob") << u"DELETE FROM blobs"_s << u"blobs"_s;
    QTest::newRow("update generation") << u"UPDATE generations SET cost_usd = 0"_s << u"generations"_s;
    QTest::newRow("delete generation") << u"DELETE FROM generations"_s << u"generations"_s;
}

void TestStore::appendOnly()
{
    QFETCH(QString, sql);
    QFETCH(QString, table);
    auto store = openStore(m_path);
    QVERIFY(store);
    Session s = makeSession(u"app"_s);
    QVERIFY(store->insertSession(s).ok());
    QVERIFY(store->transition(s, SessionState::Generating).ok());
    const auto revision = store->saveRevision(makeBundle());
    QVERIFY(revision.ok());
    Generation generation = makeGeneration(u"a timer"_s, *revision);
    QVERIFY(store->addGeneration(generation).ok());

    RawDb raw(m_path);
    const qint64 before = raw.count(table);
    QVERIFY(before > 0);
    QString error;
    QVERIFY(!raw.exec(sql, &error));
    QVERIFY2(error.contains(u"append-only"_s) || error.contains(u"immutable"_s), qPrintable(error));
    QCOMPARE(raw.count(table), before);
}

void TestStore::revisionRoundTrip()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    const AppBundle bundle = makeBundle();
    const auto saved = store->saveRevision(bundle, {}, u"a pomodoro timer"_s);
    QVERIFY2(saved.ok(), qPrintable(saved.error()));
    QCOMPARE(saved->size(), 64);

    store.reset();
    store = openStore(m_path);
    QVERIFY(store);
    const auto loaded = store->revision(*saved);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    QCOMPARE(loaded->manifest.title, bundle.manifest.title);
    QCOMPARE(loaded->manifest.runtime, bundle.manifest.runtime);
    QCOMPARE(loaded->manifest.start, bundle.manifest.start);
    QCOMPARE(loaded->manifest.port, bundle.manifest.port);
    QCOMPARE(loaded->files, bundle.files);
    QCOMPARE(loaded->files.value(u"static/logo.png"_s).size(), 1024);
    QCOMPARE(loaded->files.value(u"static/logo.png"_s).at(0), '\0');

    const auto unknown = store->revision(QString(64, u'0'));
    QVERIFY(!unknown.ok());
    QVERIFY2(unknown.error().contains(QString(64, u'0')), qPrintable(unknown.error()));
}

void TestStore::revisionIsContentAddressed()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    const AppBundle bundle = makeBundle();
    const auto first = store->saveRevision(bundle, {}, u"first prompt"_s);
    QVERIFY(first.ok());
    // The same content gives the same id, whatever parent or prompt comes with it, and adds no rows.
    const auto again = store->saveRevision(bundle, {}, u"another prompt"_s);
    QVERIFY(again.ok());
    QCOMPARE(*again, *first);
    {
        RawDb raw(m_path);
        QCOMPARE(raw.count(u"revisions"_s), 1);
        QCOMPARE(raw.count(u"revision_files"_s), 4);
        QCOMPARE(raw.count(u"blobs"_s), 4);
    }

    // One changed file: a new id, one new blob (the others are shared), and the parent link.
    AppBundle edited = bundle;
    edited.files.insert(u"app.py"_s, "print('edited')\n");
    const auto child = store->saveRevision(edited, *first, u"make it blue"_s);
    QVERIFY2(child.ok(), qPrintable(child.error()));
    QVERIFY(*child != *first);
    {
        RawDb raw(m_path);
        QCOMPARE(raw.count(u"revisions"_s), 2);
        QCOMPARE(raw.count(u"revision_files"_s), 8);
        QCOMPARE(raw.count(u"blobs"_s), 5);
        QCOMPARE(raw.scalar(u"SELECT parent_id FROM revisions WHERE id = '%1'"_s.arg(*child)).toString(),
                 *first);
    }

    // A manifest change alone is a different revision too; so is a renamed file.
    AppBundle retitled = bundle;
    retitled.manifest.port = 9000;
    QVERIFY(*store->saveRevision(retitled) != *first);
    AppBundle renamed = bundle;
    renamed.files.insert(u"main.py"_s, renamed.files.take(u"app.py"_s));
    QVERIFY(*store->saveRevision(renamed) != *first);

    AppBundle unsaved = bundle;
    unsaved.files.insert(u"new.txt"_s, "new");
    const auto orphan = store->saveRevision(unsaved, QString(64, u'f'));
    QVERIFY(!orphan.ok());
    QVERIFY2(orphan.error().contains(u"parent"_s), qPrintable(orphan.error()));
}

void TestStore::tamperedBlobIsDetected()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    const auto id = store->saveRevision(makeBundle());
    QVERIFY(id.ok());
    {
        RawDb raw(m_path);
        QVERIFY(raw.exec(u"DROP TRIGGER blobs_no_update"_s));
        const QString hash = QString::fromLatin1(
            QCryptographicHash::hash("import http.server\nprint('hi')\n", QCryptographicHash::Sha256)
                .toHex());
        QVERIFY(raw.exec(u"UPDATE blobs SET content = CAST('import os; os.system(\"rm -rf ~\")' AS BLOB) "
                         "WHERE hash = '%1'"_s.arg(hash)));
        QCOMPARE(raw.scalar(u"SELECT changes()"_s).toInt(), 1);
    }
    const auto loaded = store->revision(*id);
    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().contains(*id) && loaded.error().contains(u"app.py"_s),
             qPrintable(loaded.error()));
}

void TestStore::tamperedFileListIsDetected()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    const auto id = store->saveRevision(makeBundle());
    QVERIFY(id.ok());
    {
        RawDb raw(m_path);
        QVERIFY(raw.exec(u"DROP TRIGGER revision_files_no_update"_s));
        QVERIFY(raw.exec(u"UPDATE revision_files SET path = 'server.py' WHERE path = 'app.py'"_s));
    }
    // Every blob still matches its hash, but the file list no longer matches the revision id.
    const auto loaded = store->revision(*id);
    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().contains(*id), qPrintable(loaded.error()));
}

void TestStore::generationRoundTrip()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    const auto first = store->saveRevision(makeBundle(), {}, u"a pomodoro timer"_s);
    QVERIFY(first.ok());
    AppBundle edited = makeBundle();
    edited.files.insert(u"app.py"_s, "print('blue')\n");
    const auto second = store->saveRevision(edited, *first, u"make it blue"_s);
    QVERIFY(second.ok());

    Generation created = makeGeneration(u"a pomodoro timer ⏱ — café"_s, *first);
    // A time given is kept to the millisecond, and handed back in UTC.
    created.createdAt = QDateTime(QDate(2025, 3, 1), QTime(10, 0, 0, 123), Qt::OffsetFromUTC, 3600);
    const auto firstId = store->addGeneration(created);
    QVERIFY2(firstId.ok(), qPrintable(firstId.error()));
    QVERIFY(*firstId > 0);
    QCOMPARE(created.id, *firstId);
    QCOMPARE(created.createdAt.timeSpec(), Qt::UTC);
    QCOMPARE(created.createdAt, QDateTime(QDate(2025, 3, 1), QTime(9, 0, 0, 123), Qt::UTC));

    Generation refined = makeGeneration(u"make it blue"_s, *second, *first);
    refined.usage.cacheWrite1hTokens = 2048;
    refined.costUsd = 0.0123456789;
    QVERIFY(store->addGeneration(refined).ok());
    QVERIFY(refined.id > created.id);
    // No time given: now.
    QVERIFY(qAbs(refined.createdAt.msecsTo(QDateTime::currentDateTimeUtc())) < 10'000);

    // Cut off: no app came back, but the commentary and the money spent are kept.
    Generation failed;
    failed.prompt = u"add a ticking sound"_s;
    failed.model = u"claude-opus-5-5"_s;
    failed.parentRevisionId = *second;
    failed.commentary = u"I'll add a ticking sound. First, the audio context:"_s;
    failed.stopReason = u"max_tokens"_s;
    failed.usage.inputTokens = 4000;
    failed.usage.outputTokens = 32000;
    failed.costUsd = 0.656;
    failed.failure = u"The answer was cut off at the output limit; nothing was deployed."_s;
    failed.createdAt = refined.createdAt.addMSecs(1);
    QVERIFY(store->addGeneration(failed).ok());

    store.reset();
    store = openStore(m_path);
    QVERIFY(store);
    const auto ofFirst = store->generationsFor(*first);
    QVERIFY2(ofFirst.ok(), qPrintable(ofFirst.error()));
    QCOMPARE(ofFirst->size(), 1);
    compareGenerations(ofFirst->first(), created);
    const auto ofSecond = store->generationsFor(*second);
    QVERIFY(ofSecond.ok());
    QCOMPARE(ofSecond->size(), 1);
    compareGenerations(ofSecond->first(), refined);
    QVERIFY(store->generationsFor(QString(64, u'0'))->isEmpty());

    const auto recent = store->recentGenerations(2);
    QVERIFY2(recent.ok(), qPrintable(recent.error()));
    QCOMPARE(recent->size(), 2);
    compareGenerations(recent->at(0), failed);
    compareGenerations(recent->at(1), refined);
    QCOMPARE(store->recentGenerations(10)->size(), 3);
    compareGenerations(store->recentGenerations(10)->last(), created);
    QVERIFY(store->recentGenerations(0)->isEmpty());
}

void TestStore::generationErrors()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    const auto saved = store->saveRevision(makeBundle());
    QVERIFY(saved.ok());
    const QString unknown = QString(64, u'e');

    auto refused = [&](Generation g, const QString &expected) {
        const auto added = store->addGeneration(g);
        if (added.ok())
            return QString(u"accepted"_s);
        if (g.id != 0 || g.createdAt.isValid())
            return QString(u"changed the generation"_s);
        return added.error().contains(expected) ? QString() : added.error();
    };
    QCOMPARE(refused(makeGeneration(u"p"_s, unknown), u"The revision it produced (%1) is not"_s.arg(unknown)),
             QString());
    QCOMPARE(refused(makeGeneration(u"p"_s, *saved, unknown),
                     u"The revision it refined (%1) is not"_s.arg(unknown)),
             QString());
    Generation negative = makeGeneration(u"p"_s, *saved);
    negative.usage.cacheReadTokens = -1;
    QCOMPARE(refused(negative, u"negative"_s), QString());
    Generation nan = makeGeneration(u"p"_s, *saved);
    nan.costUsd = std::nan("");
    QCOMPARE(refused(nan, u"not an amount"_s), QString());
    Generation owes = makeGeneration(u"p"_s, *saved);
    owes.costUsd = -0.01;
    QCOMPARE(refused(owes, u"not an amount"_s), QString());
    {
        RawDb raw(m_path);
        QCOMPARE(raw.count(u"generations"_s), 0);
    }

    // Adding the same record twice would count its money twice.
    Generation once = makeGeneration(u"once"_s, *saved);
    QVERIFY(store->addGeneration(once).ok());
    const auto twice = store->addGeneration(once);
    QVERIFY(!twice.ok());
    QVERIFY2(twice.error().contains(u"already recorded"_s), qPrintable(twice.error()));
    RawDb raw(m_path);
    QCOMPARE(raw.count(u"generations"_s), 1);
}

void TestStore::revisionHistory()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    auto bytesOf = [](const AppBundle &bundle) {
        qint64 bytes = 0;
        for (const QByteArray &content : bundle.files)
            bytes += content.size();
        return bytes;
    };

    // A: generated. B: edited by hand. C: generated twice with the same result. D: a branch off A.
    const AppBundle a = makeBundle();
    const QString idA = *store->saveRevision(a, {}, u"a pomodoro timer"_s);
    Generation genA = makeGeneration(u"a pomodoro timer"_s, idA);
    genA.model = u"claude-opus-5-5"_s;
    QVERIFY(store->addGeneration(genA).ok());

    AppBundle b = a;
    b.files.insert(u"app.py"_s, "print('by hand')\n");
    const QString idB = *store->saveRevision(b, idA);

    AppBundle c = b;
    c.manifest.title = u"Pomodoro with stats"_s;
    c.manifest.runtime = Runtime::Node;
    c.manifest.start = u"node server.js"_s;
    c.files.insert(u"server.js"_s, QByteArray(3000, 'x'));
    const QString idC = *store->saveRevision(c, idB, u"add a stats page"_s);
    Generation genC1 = makeGeneration(u"add a stats page"_s, idC, idB);
    Generation genC2 = makeGeneration(u"add a stats page, again"_s, idC, idB);
    genC2.model = u"claude-haiku-5-5"_s;
    genC2.usage = {100, 200, 300, 400, 500};
    genC2.costUsd = 0.01;
    Generation failedAfterC = makeGeneration(u"break it"_s, {}, idC);
    failedAfterC.failure = u"refused"_s;
    QVERIFY(store->addGeneration(genC1).ok());
    QVERIFY(store->addGeneration(genC2).ok());
    QVERIFY(store->addGeneration(failedAfterC).ok());

    AppBundle d = a;
    d.files.insert(u"branch.txt"_s, "elsewhere");
    const QString idD = *store->saveRevision(d, idA, u"a branch"_s);

    const auto history = store->revisionHistory(idC);
    QVERIFY2(history.ok(), qPrintable(history.error()));
    QStringList ids;
    for (const RevisionInfo &info : *history)
        ids << info.id;
    QCOMPARE(ids, QStringList({idC, idB, idA}));

    const RevisionInfo &newest = history->at(0);
    QCOMPARE(newest.parentId, idB);
    QCOMPARE(newest.title, u"Pomodoro with stats"_s);
    QCOMPARE(newest.runtime, u"node"_s);
    QCOMPARE(newest.prompt, u"add a stats page"_s);
    QCOMPARE(newest.fileCount, 5);
    QCOMPARE(newest.bytes, bytesOf(c));
    QVERIFY(newest.isGenerated());
    QCOMPARE(newest.model, genC1.model); // the first generation that produced it
    QVERIFY(qAbs(newest.generationCostUsd - (genC1.costUsd + genC2.costUsd)) < 1e-12); // both were paid for
    QCOMPARE(newest.usage.inputTokens, genC1.usage.inputTokens + 100);
    QCOMPARE(newest.usage.outputTokens, genC1.usage.outputTokens + 200);
    QCOMPARE(newest.usage.cacheWriteTokens, genC1.usage.cacheWriteTokens + 300);
    QCOMPARE(newest.usage.cacheWrite1hTokens, genC1.usage.cacheWrite1hTokens + 400);
    QCOMPARE(newest.usage.cacheReadTokens, genC1.usage.cacheReadTokens + 500);
    QVERIFY(newest.createdAt.isValid());
    QCOMPARE(newest.createdAt.timeSpec(), Qt::UTC);

    const RevisionInfo &byHand = history->at(1);
    QCOMPARE(byHand.parentId, idA);
    QVERIFY(byHand.prompt.isEmpty());
    QVERIFY(!byHand.isGenerated());
    QCOMPARE(byHand.generationCostUsd, 0.0);
    QCOMPARE(byHand.usage.promptTokens() + byHand.usage.outputTokens, 0);
    QCOMPARE(byHand.fileCount, 4);
    QCOMPARE(byHand.bytes, bytesOf(b));

    const RevisionInfo &oldest = history->at(2);
    QVERIFY(oldest.parentId.isEmpty());
    QCOMPARE(oldest.title, a.manifest.title);
    QCOMPARE(oldest.runtime, u"python"_s);
    QCOMPARE(oldest.prompt, u"a pomodoro timer"_s);
    QCOMPARE(oldest.model, u"claude-opus-5-5"_s);
    QCOMPARE(oldest.generationCostUsd, genA.costUsd);
    QCOMPARE(oldest.usage.outputTokens, genA.usage.outputTokens);
    QVERIFY(oldest.createdAt <= newest.createdAt);

    // A limit cuts the chain; another branch has its own chain.
    const auto two = store->revisionHistory(idC, 2);
    QVERIFY(two.ok());
    QCOMPARE(two->size(), 2);
    QCOMPARE(two->last().id, idB);
    const auto branch = store->revisionHistory(idD);
    QVERIFY(branch.ok());
    QCOMPARE(branch->size(), 2);
    QCOMPARE(branch->first().prompt, u"a branch"_s);
    QCOMPARE(branch->last().id, idA);
    QVERIFY(store->revisionHistory(idC, 0)->isEmpty());

    // Saved without a prompt, then produced by a generation: the generation's prompt names it.
    AppBundle e = a;
    e.files.insert(u"e.txt"_s, "e");
    const QString idE = *store->saveRevision(e, idA);
    Generation genE = makeGeneration(u"add e"_s, idE, idA);
    QVERIFY(store->addGeneration(genE).ok());
    QCOMPARE(store->revisionHistory(idE)->first().prompt, u"add e"_s);

    const auto unknown = store->revisionHistory(QString(64, u'0'));
    QVERIFY(!unknown.ok());
    QVERIFY2(unknown.error().contains(QString(64, u'0')), qPrintable(unknown.error()));
}

void TestStore::createsNewDatabase_data()
{
    QTest::addColumn<QString>("before");
    QTest::newRow("no file, no folder") << u"nothing"_s;
    QTest::newRow("zero-length file (v0)") << u"empty"_s;
    QTest::newRow("header only (v0, a first open that crashed)") << u"header"_s;
}

void TestStore::createsNewDatabase()
{
    QFETCH(QString, before);
    const QString path = m_dir->filePath(u"deep/er/spawnai.db"_s);
    if (before != u"nothing") {
        QVERIFY(QDir().mkpath(QFileInfo(path).path()));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    if (before == u"header") {
        RawDb raw(path);
        QCOMPARE(raw.scalar(u"PRAGMA journal_mode = WAL"_s).toString(), u"wal"_s);
        QVERIFY(QFileInfo(path).size() > 0);
    }
    auto store = openStore(path);
    QVERIFY(store);
    QCOMPARE(store->path(), path);
    QVERIFY(!QUuid::fromString(store->installId()).isNull());
    store.reset();

    RawDb raw(path);
    QCOMPARE(raw.scalar(u"PRAGMA user_version"_s).toInt(), Store::kSchemaVersion);
    for (const QString &table : {u"meta"_s, u"sessions"_s, u"events"_s, u"blobs"_s, u"revisions"_s,
                                 u"revision_files"_s, u"prompts"_s, u"generations"_s})
        QCOMPARE(raw.scalar(u"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%1'"_s.arg(
                                table))
                     .toInt(),
                 1);
    QCOMPARE(raw.count(u"meta"_s), 1);
    // Nothing was there to back up.
    QVERIFY(QDir(QFileInfo(path).path()).entryList({u"*.bak-v*"_s}).isEmpty());
}

void TestStore::reopenChangesNothing()
{
    QString installId;
    {
        auto store = openStore(m_path);
        QVERIFY(store);
        installId = store->installId();
        QVERIFY(store->insertSession(makeSession(u"kept"_s)).ok());
    }
    QVERIFY(!QFile::exists(m_path + u"-wal"_s)); // the last connection checkpointed and removed the log
    const QByteArray before = fileHash(m_path);
    {
        auto store = openStore(m_path);
        QVERIFY(store);
        QCOMPARE(store->installId(), installId);
        QCOMPARE(store->sessions()->size(), 1);
    }
    QCOMPARE(fileHash(m_path), before);
    QVERIFY(QDir(m_dir->path()).entryList({u"*.bak-v*"_s}).isEmpty());
}

void TestStore::migratesV0WithOtherTables()
{
    {
        RawDb raw(m_path);
        QVERIFY(raw.exec(u"CREATE TABLE notes (text TEXT)"_s));
        QVERIFY(raw.exec(u"INSERT INTO notes VALUES ('keep me')"_s));
    }
    auto store = openStore(m_path);
    QVERIFY(store);
    QVERIFY(store->insertSession(makeSession(u"new"_s)).ok());
    store.reset();

    const QString backup = m_path + u".bak-v0"_s;
    QVERIFY(QFile::exists(backup));
    {
        RawDb old(backup);
        QCOMPARE(old.scalar(u"PRAGMA user_version"_s).toInt(), 0);
        QCOMPARE(old.scalar(u"SELECT text FROM notes"_s).toString(), u"keep me"_s);
        QCOMPARE(old.scalar(u"SELECT count(*) FROM sqlite_master WHERE name = 'sessions'"_s).toInt(), 0);
    }
    RawDb raw(m_path);
    QCOMPARE(raw.scalar(u"PRAGMA user_version"_s).toInt(), Store::kSchemaVersion);
    QCOMPARE(raw.scalar(u"SELECT text FROM notes"_s).toString(), u"keep me"_s);
    QCOMPARE(raw.count(u"sessions"_s), 1);
}

void TestStore::migratesV1WithData()
{
    const AppBundle bundleA = makeBundle();
    AppBundle bundleB = bundleA;
    bundleB.files.insert(u"app.py"_s, "print('v1 refined')\n");

    Session running;
    running.id = u"3f2a9c1e-1111-4000-8000-000000000001"_s;
    running.name = u"Pomodoro ⏱ café"_s;
    running.provider = u"e2b"_s;
    running.size = u"base"_s;
    running.state = SessionState::Running;
    running.ttlSeconds = 7200;
    running.createdAt = QDateTime::fromMSecsSinceEpoch(1'764'300'000'123, Qt::UTC);
    running.startedAt = running.createdAt.addSecs(5);
    running.expiresAt = running.startedAt.addSecs(7200);
    running.url = QUrl(u"https://sbx-3f2a.e2b.app/"_s);
    running.resourceId = u"sbx_3f2a"_s;
    running.ratePerSecond = 0.00003025;
    running.owner = u"gui-4242-abcdef"_s;
    running.stopRequested = true;
    Session ended;
    ended.id = u"3f2a9c1e-2222-4000-8000-000000000002"_s;
    ended.provider = u"local"_s;
    ended.state = SessionState::Failed;
    ended.failure = FailureReason::AppCrashed;
    ended.failureMessage = u"The app exited with status 1 before answering."_s;
    ended.createdAt = running.createdAt.addSecs(-3600);
    ended.endedAt = ended.createdAt.addSecs(12);
    ended.unsandboxed = true;

    QString installId;
    QString idA;
    QString idB;
    {
        RawDb raw(m_path);
        installId = createV1Database(raw);
        QVERIFY(!installId.isEmpty());
        idA = insertV1Revision(raw, bundleA, {}, u"a pomodoro timer"_s, 1'764'299'000'000);
        idB = insertV1Revision(raw, bundleB, idA, u"make it blue"_s, 1'764'299'500'000);
        running.revisionId = idB;
        QVERIFY(insertV1Session(raw, running));
        QVERIFY(insertV1Session(raw, ended));
        for (
            const QString &sql :
            {u"INSERT INTO events (session_id, at, kind, from_state, to_state, detail) VALUES "
             "('%1', 1764300000123, 'created', 0, 0, NULL)"_s.arg(running.id),
             u"INSERT INTO events (session_id, at, kind, from_state, to_state, detail) VALUES "
             "('%1', 1764300005000, 'transition', 5, 6, 'live at https://sbx-3f2a.e2b.app/')"_s.arg(
                 running.id),
             u"INSERT INTO events (session_id, at, kind, from_state, to_state, detail) VALUES "
             "('%1', 1764296400000, 'created', 0, 0, NULL)"_s.arg(ended.id),
             u"INSERT INTO prompts (at, text, session_id) VALUES (1764299000000, 'a pomodoro timer', NULL)"_s,
             u"INSERT INTO prompts (at, text, session_id) VALUES (1764299500000, 'make it blue', '%1')"_s.arg(
                 running.id)}) {
            QString error;
            QVERIFY2(raw.exec(sql, &error), qPrintable(error));
        }
        QCOMPARE(raw.scalar(u"PRAGMA user_version"_s).toInt(), 1);
    }
    QVERIFY(!QFile::exists(m_path + u".bak-v1"_s));

    auto store = openStore(m_path);
    QVERIFY(store);
    QCOMPARE(store->installId(), installId);

    // Everything v1 had is there, read through this build's code.
    compareSessions(*store->session(running.id), running);
    compareSessions(*store->session(ended.id), ended);
    QCOMPARE(store->sessions()->size(), 2);
    QCOMPARE(store->session(running.id)->generationCostUsd, 0.0);
    const auto events = store->events(running.id);
    QVERIFY(events.ok());
    QCOMPARE(events->size(), 2);
    QCOMPARE(events->at(1).kind, u"transition"_s);
    QCOMPARE(events->at(1).detail, u"live at https://sbx-3f2a.e2b.app/"_s);
    QCOMPARE(*store->lastEventSeq(), 3);
    for (const auto &[id, bundle] : {std::pair{idA, bundleA}, std::pair{idB, bundleB}}) {
        const auto loaded = store->revision(id);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->files, bundle.files);
        QCOMPARE(loaded->manifest.title, bundle.manifest.title);
    }
    const auto history = store->revisionHistory(idB);
    QVERIFY2(history.ok(), qPrintable(history.error()));
    QCOMPARE(history->size(), 2);
    QCOMPARE(history->at(0).prompt, u"make it blue"_s);
    QCOMPARE(history->at(0).createdAt, QDateTime::fromMSecsSinceEpoch(1'764'299'500'000, Qt::UTC));
    QCOMPARE(history->at(1).id, idA);
    QVERIFY(!history->at(1).isGenerated());
    const auto prompts = store->prompts();
    QCOMPARE(prompts->size(), 2);
    QCOMPARE(prompts->first().sessionId, running.id);

    // And v2 works on the old data.
    Generation generation = makeGeneration(u"make it blue"_s, idB, idA);
    QVERIFY(store->addGeneration(generation).ok());
    QCOMPARE(store->generationsFor(idB)->size(), 1);
    Session costed = *store->session(running.id);
    costed.generationCostUsd = generation.costUsd;
    QVERIFY(store->updateSession(costed).ok());
    compareSessions(*store->session(running.id), costed);
    QVERIFY(store->insertSession(makeSession(u"after the upgrade"_s)).ok());
    store.reset();

    // The backup is the v1 file as it was.
    const QString backup = m_path + u".bak-v1"_s;
    QVERIFY(QFile::exists(backup));
    {
        RawDb old(backup);
        QCOMPARE(old.scalar(u"PRAGMA user_version"_s).toInt(), 1);
        QCOMPARE(old.count(u"sessions"_s), 2);
        QCOMPARE(old.count(u"events"_s), 3);
        QCOMPARE(old.count(u"revisions"_s), 2);
        QCOMPARE(old.scalar(u"SELECT count(*) FROM sqlite_master WHERE name = 'generations'"_s).toInt(), 0);
        QCOMPARE(old.scalar(u"SELECT count(*) FROM pragma_table_info('sessions') "
                            "WHERE name = 'generation_cost_usd'"_s)
                     .toInt(),
                 0);
    }
    {
        RawDb raw(m_path);
        QCOMPARE(raw.scalar(u"PRAGMA user_version"_s).toInt(), Store::kSchemaVersion);
        QCOMPARE(raw.scalar(u"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                            "'generations'"_s)
                     .toInt(),
                 2);
        QCOMPARE(raw.scalar(u"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                            "'generations'"_s)
                     .toInt(),
                 2);
    }
    // Reopening migrates nothing more.
    QVERIFY(openStore(m_path));
    QCOMPARE(QDir(m_dir->path()).entryList({u"*.bak-v*"_s}), QStringList{u"spawnai.db.bak-v1"_s});
}

void TestStore::failedV2MigrationKeepsV1()
{
    {
        RawDb raw(m_path);
        QVERIFY(!createV1Database(raw).isEmpty());
        QVERIFY(insertV1Session(raw, makeSession(u"kept"_s)));
        // Something else added the column v2 adds: the last statement of the v2 step fails.
        QVERIFY(raw.exec(u"ALTER TABLE sessions ADD COLUMN generation_cost_usd TEXT"_s));
    }
    const auto opened = Store::open(m_path);
    QVERIFY(!opened.ok());
    qInfo().noquote() << opened.error();
    QVERIFY2(opened.error().contains(u"schema 1 to %1"_s.arg(Store::kSchemaVersion)), qPrintable(opened.error()));
    QVERIFY2(opened.error().contains(u".bak-v1"_s), qPrintable(opened.error()));

    // One transaction: the generations table created before the failure is gone too.
    RawDb raw(m_path);
    QCOMPARE(raw.scalar(u"PRAGMA user_version"_s).toInt(), 1);
    QCOMPARE(raw.scalar(u"SELECT count(*) FROM sqlite_master WHERE name LIKE 'generations%'"_s).toInt(), 0);
    QCOMPARE(raw.count(u"sessions"_s), 1);
    QVERIFY(QFile::exists(m_path + u".bak-v1"_s));
}

void TestStore::failedMigrationRollsBack()
{
    {
        RawDb raw(m_path);
        QVERIFY(raw.exec(u"CREATE TABLE sessions (something_else TEXT)"_s)); // not our table
    }
    const auto opened = Store::open(m_path);
    QVERIFY(!opened.ok());
    qInfo().noquote() << opened.error();
    QVERIFY2(opened.error().contains(u"schema 0 to %1"_s.arg(Store::kSchemaVersion)),
             qPrintable(opened.error()));
    QVERIFY2(opened.error().contains(u".bak-v0"_s), qPrintable(opened.error()));

    // One transaction: not a single table of v1 was left behind, and the version is unchanged.
    RawDb raw(m_path);
    QCOMPARE(raw.scalar(u"PRAGMA user_version"_s).toInt(), 0);
    QCOMPARE(raw.scalar(u"SELECT count(*) FROM sqlite_master"_s).toInt(), 1);
}

void TestStore::refusesNewerSchema_data()
{
    QTest::addColumn<bool>("wal");
    QTest::newRow("rollback journal") << false;
    QTest::newRow("wal, as a newer SpawnAI leaves it") << true;
}

void TestStore::refusesNewerSchema()
{
    QFETCH(bool, wal);
    if (wal)
        QVERIFY(openStore(m_path));
    {
        RawDb raw(m_path);
        QVERIFY(raw.exec(u"CREATE TABLE sessions_v99 (x)"_s));
        QVERIFY(raw.exec(u"PRAGMA user_version = 99"_s));
        QCOMPARE(raw.scalar(u"PRAGMA journal_mode"_s).toString(), wal ? u"wal"_s : u"delete"_s);
    }
    const QByteArray before = fileHash(m_path);
    const QStringList filesBefore = QDir(m_dir->path()).entryList(QDir::Files);

    const auto opened = Store::open(m_path);
    QVERIFY(!opened.ok());
    qInfo().noquote() << opened.error();
    QVERIFY2(opened.error().contains(u"newer SpawnAI (schema 99)"_s), qPrintable(opened.error()));
    QVERIFY2(opened.error().contains(u"up to %1"_s.arg(Store::kSchemaVersion)), qPrintable(opened.error()));
    QCOMPARE(fileHash(m_path), before);
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files), filesBefore);
    QVERIFY(QSqlDatabase::connectionNames().filter(u"spawnai.store."_s).isEmpty());
}

void TestStore::refusesDamagedFile_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("text file") << u"text"_s << u"not a SpawnAI database"_s;
    QTest::newRow("overwritten pages") << u"garbage"_s << u"damaged"_s;
    QTest::newRow("truncated") << u"truncated"_s << u"damaged"_s;
    QTest::newRow("damaged, a backup exists") << u"garbage+backup"_s << u"Restore the backup %1"_s;
    QTest::newRow("another program's database") << u"foreign"_s << u"another program"_s;
}

void TestStore::refusesDamagedFile()
{
    QFETCH(QString, kind);
    QFETCH(QString, expected);
    if (kind == u"text") {
        QFile file(m_path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        for (int i = 0; i < 200; ++i)
            file.write("these are my notes, not a database\n");
    } else if (kind == u"foreign") {
        RawDb raw(m_path);
        QVERIFY(raw.exec(u"PRAGMA application_id = 1234"_s));
        QVERIFY(raw.exec(u"CREATE TABLE places (url TEXT)"_s));
    } else {
        {
            auto store = openStore(m_path);
            QVERIFY(store);
            for (int i = 0; i < 40; ++i)
                QVERIFY(store->insertSession(makeSession(QString(500, QChar(u'a' + i % 26)))).ok());
        }
        QFile file(m_path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        const qint64 size = file.size();
        QVERIFY(size > 8 * 4096);
        if (kind.endsWith(u"+backup")) {
            QVERIFY(QFile::copy(m_path, m_path + u".bak-v0"_s));
            expected = expected.arg(QDir::toNativeSeparators(m_path + u".bak-v0"_s));
        }
        if (kind.startsWith(u"garbage")) {
            // Pages 3 and 4: the b-tree page headers and cell pointers of the sessions table.
            QVERIFY(file.seek(2 * 4096));
            file.write(QByteArray(2 * 4096, '\xa5'));
        } else {
            QVERIFY(file.resize(size / 2));
        }
    }
    const QByteArray before = fileHash(m_path);
    const QStringList filesBefore = QDir(m_dir->path()).entryList(QDir::Files);

    const auto opened = Store::open(m_path);
    QVERIFY(!opened.ok());
    qInfo().noquote() << opened.error();
    QVERIFY2(opened.error().contains(expected), qPrintable(opened.error()));
    QVERIFY2(opened.error().contains(QDir::toNativeSeparators(m_path)), qPrintable(opened.error()));
    QCOMPARE(fileHash(m_path), before); // never repaired, never recreated empty
    // No backup, no new database. Checking a WAL-mode file read-only may leave SQLite's empty companions.
    QStringList filesAfter = QDir(m_dir->path()).entryList(QDir::Files);
    filesAfter.removeOne(u"spawnai.db-wal"_s);
    filesAfter.removeOne(u"spawnai.db-shm"_s);
    QCOMPARE(filesAfter, filesBefore);
    QCOMPARE(QFileInfo(m_path + u"-wal"_s).size(), 0);
}

void TestStore::diskFull()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    Session kept = makeSession(u"kept"_s);
    QVERIFY(store->insertSession(kept).ok());
    const auto revision = store->saveRevision(makeBundle());
    QVERIFY(revision.ok());
    {
        // The file may not grow by a single page any more: what a full disk looks like to SQLite.
        QSqlDatabase db = storeConnection(store->path());
        const int pages = scalar(db, u"PRAGMA page_count"_s).toInt();
        QCOMPARE(scalar(db, u"PRAGMA max_page_count = %1"_s.arg(pages)).toInt(), pages);
    }

    Session big = makeSession(QString(200'000, u'x'));
    const auto inserted = store->insertSession(big);
    QVERIFY(!inserted.ok());
    qInfo().noquote() << inserted.error();
    QVERIFY2(inserted.error().contains(u"is full"_s) && inserted.error().contains(u"nothing was lost"_s) &&
                 inserted.error().contains(m_path),
             qPrintable(inserted.error()));
    QVERIFY2(inserted.error().size() < 400, "a long session name is cut short in messages");

    AppBundle bigBundle = makeBundle();
    bigBundle.files.insert(u"big.bin"_s, QByteArray(300'000, 'z'));
    const auto saved = store->saveRevision(bigBundle);
    QVERIFY(!saved.ok());
    QVERIFY2(saved.error().contains(u"is full"_s), qPrintable(saved.error()));

    // Everything written before is intact and readable; the failed writes left nothing behind.
    const auto all = store->sessions();
    QVERIFY(all.ok());
    QCOMPARE(all->size(), 1);
    QCOMPARE(all->first().id, kept.id);
    QVERIFY(store->revision(*revision).ok());
    QVERIFY(!store->session(big.id).ok());

    // Space again: the same Store carries on.
    {
        QSqlDatabase db = storeConnection(store->path());
        scalar(db, u"PRAGMA max_page_count = 1073741823"_s);
    }
    QVERIFY(store->insertSession(big).ok());
    QVERIFY(store->saveRevision(bigBundle).ok());
    RawDb raw(m_path);
    QCOMPARE(raw.scalar(u"PRAGMA integrity_check"_s).toString(), u"ok"_s);
}

void TestStore::readOnly()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    Session s = makeSession(u"app"_s);
    QVERIFY(store->insertSession(s).ok());
    {
        QSqlDatabase db = storeConnection(store->path());
        QSqlQuery(db).exec(u"PRAGMA query_only = 1"_s); // what a read-only file looks like to the writer
    }
    const auto moved = store->transition(s, SessionState::Generating);
    QVERIFY(!moved.ok());
    qInfo().noquote() << moved.error();
    QVERIFY2(moved.error().contains(u"read-only"_s), qPrintable(moved.error()));
    QCOMPARE(s.state, SessionState::Draft);
    QVERIFY(store->sessions().ok()); // reading still works
    {
        QSqlDatabase db = storeConnection(store->path());
        QSqlQuery(db).exec(u"PRAGMA query_only = 0"_s);
    }
    QVERIFY(store->transition(s, SessionState::Generating).ok());
}

void TestStore::twoStoresInterleave()
{
    auto a = openStore(m_path);
    auto b = openStore(m_path);
    QVERIFY(a && b);
    QCOMPARE(a->installId(), b->installId());

    QStringList ids;
    for (int i = 0; i < 10; ++i) {
        Store &writer = i % 2 ? *a : *b;
        Session s = makeSession(u"s%1"_s.arg(i), SessionState::Draft, u"owner-a"_s);
        QVERIFY(writer.insertSession(s).ok());
        ids << s.id;
        Store &other = i % 2 ? *b : *a;
        Session seen = *other.session(s.id); // visible to the other at once
        QVERIFY(other.transition(seen, SessionState::Generating).ok());
        QVERIFY(writer.appendEvent(s.id, u"note"_s, u"from %1"_s.arg(i % 2 ? u"a"_s : u"b"_s)).ok());
    }
    QCOMPARE(a->sessions()->size(), 10);
    QCOMPARE(b->sessions()->size(), 10);
    // Newest first.
    QCOMPARE(a->sessions()->first().id, ids.last());

    qint64 lastSeq = 0;
    for (const QString &id : std::as_const(ids)) {
        const auto events = b->events(id);
        QVERIFY(events.ok());
        QCOMPARE(events->size(), 3);
        QVERIFY(events->first().seq > lastSeq);
        lastSeq = events->last().seq;
        QCOMPARE(a->session(id)->state, SessionState::Generating);
    }

    // A stop request from one process reaches the owner, and the owner's stale copy does not erase it.
    Session owned = *a->session(ids.first());
    QVERIFY(b->requestStop(owned.id).ok());
    QCOMPARE(*a->stopRequests(u"owner-a"_s), QStringList{owned.id});
    owned.url = QUrl(u"http://127.0.0.1:9000/"_s);
    QVERIFY(a->updateSession(owned).ok());
    QCOMPARE(*a->stopRequests(u"owner-a"_s), QStringList{owned.id});
    QVERIFY(a->transition(owned, SessionState::Ready).ok());
    QVERIFY(owned.stopRequested);
}

void TestStore::concurrentWriters()
{
    // Two threads with a Store each: as two processes, they contend for the write lock.
    QVERIFY(openStore(m_path)); // create the schema first
    constexpr int kPerWriter = 40;
    QAtomicInt failures;
    QMutex mutex;
    QString firstError;
    auto writer = [&](const QString &owner) {
        auto store = openStore(m_path);
        if (!store) {
            failures.ref();
            return;
        }
        for (int i = 0; i < kPerWriter; ++i) {
            Session s = makeSession(u"%1-%2"_s.arg(owner).arg(i), SessionState::Draft, owner);
            Result<void> r = store->insertSession(s);
            if (r)
                r = store->transition(s, SessionState::Ready);
            if (!r) {
                failures.ref();
                QMutexLocker lock(&mutex);
                if (firstError.isEmpty())
                    firstError = r.error();
            }
        }
    };
    std::unique_ptr<QThread> t1(QThread::create(writer, u"one"_s));
    std::unique_ptr<QThread> t2(QThread::create(writer, u"two"_s));
    t1->start();
    t2->start();
    QVERIFY(t1->wait(60'000));
    QVERIFY(t2->wait(60'000));
    QVERIFY2(failures.loadRelaxed() == 0, qPrintable(firstError));

    auto store = openStore(m_path);
    QVERIFY(store);
    const auto all = store->sessions();
    QCOMPARE(all->size(), 2 * kPerWriter);
    for (const Session &s : *all) {
        QCOMPARE(s.state, SessionState::Ready);
        QCOMPARE(store->events(s.id)->size(), 2);
    }
}

void TestStore::resolveSessionId_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expectedId"); // empty: an error is expected
    QTest::addColumn<QString>("expectedError");
    const QString a1 = u"3f2a0000-0000-4000-8000-000000000001"_s;
    const QString a2 = u"3f2a1111-0000-4000-8000-000000000002"_s;
    const QString b = u"3f2b0000-0000-4000-8000-000000000003"_s;
    QTest::newRow("full id") << a1 << a1 << QString();
    QTest::newRow("full id, spaces around") << u"  "_s + b + u" "_s << b << QString();
    QTest::newRow("unique prefix") << u"3f2b"_s << b << QString();
    QTest::newRow("upper case prefix") << u"3F2B00"_s << b << QString();
    QTest::newRow("longer unique prefix") << u"3f2a1"_s << a2 << QString();
    QTest::newRow("ambiguous") << u"3f2a"_s << QString() << u"ambiguous: it matches %1, %2"_s.arg(a1, a2);
    QTest::newRow("no match") << u"ffff"_s << QString() << u"No session matches “ffff”"_s;
    QTest::newRow("too short") << u"3f2"_s << QString() << u"at least 4 characters"_s;
    QTest::newRow("empty") << u""_s << QString() << u"No session id given"_s;
    QTest::newRow("LIKE wildcards are literal") << u"3f2_"_s << QString() << u"No session matches"_s;
    QTest::newRow("percent is literal") << u"%%%%"_s << QString() << u"No session matches"_s;
}

void TestStore::resolveSessionId()
{
    QFETCH(QString, input);
    QFETCH(QString, expectedId);
    QFETCH(QString, expectedError);
    auto store = openStore(m_path);
    QVERIFY(store);
    for (const QString &id :
         {u"3f2a0000-0000-4000-8000-000000000001"_s, u"3f2a1111-0000-4000-8000-000000000002"_s,
          u"3f2b0000-0000-4000-8000-000000000003"_s}) {
        Session s = makeSession(u"s"_s);
        s.id = id;
        QVERIFY(store->insertSession(s).ok());
    }
    const auto resolved = store->resolveSessionId(input);
    if (expectedId.isEmpty()) {
        QVERIFY(!resolved.ok());
        QVERIFY2(resolved.error().contains(expectedError), qPrintable(resolved.error()));
    } else {
        QVERIFY2(resolved.ok(), qPrintable(resolved.error()));
        QCOMPARE(*resolved, expectedId);
    }
}

void TestStore::stopRequests()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    const Session mine = makeSession(u"mine"_s, SessionState::Running, u"me"_s);
    const Session idle = makeSession(u"idle"_s, SessionState::Running, u"me"_s);
    const Session theirs = makeSession(u"theirs"_s, SessionState::Running, u"other"_s);
    const Session ended = makeSession(u"ended"_s, SessionState::Ended, u"me"_s);
    for (const Session &s : {mine, idle, theirs, ended})
        QVERIFY(store->insertSession(s).ok());
    QVERIFY(store->stopRequests(u"me"_s)->isEmpty());

    QVERIFY(store->requestStop(mine.id).ok());
    QVERIFY(store->requestStop(mine.id).ok()); // the same request again
    QVERIFY(store->requestStop(theirs.id).ok());
    QCOMPARE(*store->stopRequests(u"me"_s), QStringList{mine.id});
    QCOMPARE(*store->stopRequests(u"other"_s), QStringList{theirs.id});
    QVERIFY(store->session(mine.id)->stopRequested);
    QVERIFY(!store->session(idle.id)->stopRequested);
    const auto events = store->events(mine.id);
    QCOMPARE(events->size(), 2);
    QCOMPARE(events->last().kind, u"stop-requested"_s);

    const auto late = store->requestStop(ended.id);
    QVERIFY(!late.ok());
    QVERIFY2(late.error().contains(u"already"_s), qPrintable(late.error()));
    QVERIFY(!store->requestStop(newId()).ok());

    // Once it has ended, the request is no longer pending.
    Session done = *store->session(mine.id);
    QVERIFY(store->transition(done, SessionState::Stopping).ok());
    QVERIFY(store->transition(done, SessionState::Ended).ok());
    QVERIFY(store->stopRequests(u"me"_s)->isEmpty());
}

void TestStore::changesSince()
{
    auto writer = openStore(m_path); // another process
    auto watcher = openStore(m_path);
    QVERIFY(writer && watcher);
    auto none = watcher->changesSince(0);
    QVERIFY(none.ok());
    QVERIFY(none->sessionIds.isEmpty());
    QCOMPARE(*watcher->lastEventSeq(), 0);

    Session first = makeSession(u"first"_s);
    Session second = makeSession(u"second"_s);
    QVERIFY(writer->insertSession(first).ok());
    QVERIFY(writer->insertSession(second).ok());
    auto changes = watcher->changesSince(none->lastSeq);
    QVERIFY(changes.ok());
    QCOMPARE(changes->sessionIds, (QStringList{first.id, second.id}));
    QVERIFY(changes->lastSeq > none->lastSeq);

    // Only what happened after the last look, oldest change first, each session once.
    QVERIFY(writer->transition(second, SessionState::Generating).ok());
    QVERIFY(writer->appendEvent(first.id, u"note"_s, u"x"_s).ok());
    QVERIFY(writer->transition(second, SessionState::Ready).ok());
    auto later = watcher->changesSince(changes->lastSeq);
    QVERIFY(later.ok());
    QCOMPARE(later->sessionIds, (QStringList{first.id, second.id}));
    QCOMPARE(*watcher->lastEventSeq(), later->lastSeq);
    auto quiet = watcher->changesSince(later->lastSeq);
    QVERIFY(quiet.ok());
    QVERIFY(quiet->sessionIds.isEmpty());
    QCOMPARE(quiet->lastSeq, later->lastSeq);
}

void TestStore::removeSession()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    Session s = makeSession(u"app"_s, SessionState::Running);
    QVERIFY(store->insertSession(s).ok());
    const auto refused = store->removeSession(s.id);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().contains(u"stop it first"_s), qPrintable(refused.error()));

    QVERIFY(store->transition(s, SessionState::Failed).ok());
    QVERIFY(store->removeSession(s.id).ok());
    QVERIFY(!store->session(s.id).ok());
    QVERIFY(store->sessions()->isEmpty());
    const auto events = store->events(s.id); // the history stays
    QCOMPARE(events->size(), 3);
    QCOMPARE(events->last().kind, u"removed"_s);
    QVERIFY(!store->removeSession(s.id).ok());
}

void TestStore::activeSessions()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    QStringList expected;
    for (int i = 0; const auto state = SessionStates::fromInt(i); ++i) {
        Session s = makeSession(SessionStates::name(*state), *state);
        QVERIFY(store->insertSession(s).ok());
        if (SessionStates::isActive(*state))
            expected.prepend(s.id); // newest first
    }
    const auto active = store->activeSessions();
    QVERIFY(active.ok());
    QStringList ids;
    for (const Session &s : *active)
        ids << s.id;
    QCOMPARE(ids, expected);
}

void TestStore::prompts()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    const QString sessionId = newId();
    QVERIFY(store->addPrompt(u"a pomodoro timer"_s).ok());
    QVERIFY(store->addPrompt(u"   "_s).ok()); // nothing typed, nothing kept
    QVERIFY(store->addPrompt(u"make it dark 🌙"_s, sessionId).ok());
    QVERIFY(store->addPrompt(u"add a ticking sound"_s, sessionId).ok());

    const auto two = store->prompts(2);
    QVERIFY(two.ok());
    QCOMPARE(two->size(), 2);
    QCOMPARE(two->at(0).text, u"add a ticking sound"_s);
    QCOMPARE(two->at(1).text, u"make it dark 🌙"_s);
    QCOMPARE(two->at(1).sessionId, sessionId);
    QVERIFY(two->at(0).id > two->at(1).id);
    QVERIFY(qAbs(two->at(0).at.msecsTo(QDateTime::currentDateTimeUtc())) < 10'000);

    const auto all = store->prompts();
    QCOMPARE(all->size(), 3);
    QVERIFY(all->last().sessionId.isEmpty());
    QVERIFY(store->prompts(0)->isEmpty());
}

// Running → Stopping → Ended with the given times, as the controller does it.
Result<void> runAndEnd(Store &store, Session &session, SessionState end = SessionState::Ended)
{
    if (auto r = store.transition(session, SessionState::Stopping); !r)
        return r;
    return store.transition(session, end, u"stopped"_s);
}

void TestStore::ledgerRecordsEveryCost()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    const QDateTime t0(QDate(2026, 11, 10), QTime(9, 0), Qt::UTC);

    // A generation: its tokens at the prices of the day, with where they come from.
    const QString revision = store->saveRevision(makeBundle()).value();
    Generation generation = makeGeneration(u"a pomodoro timer"_s, revision);
    generation.createdAt = t0;
    generation.pricing = {u"Claude Sonnet: $3.00/M input, $15.00/M output"_s, u"anthropic pricing"_s,
                          u"2026-11"_s};
    QVERIFY(store->addGeneration(generation));

    // A session that ran 1,000 s at its stored rate and was stopped.
    Session e2b = makeSession(u"on e2b"_s, SessionState::Running);
    e2b.provider = u"e2b"_s;
    e2b.size = u"base"_s;
    e2b.startedAt = t0.addSecs(60);
    e2b.expiresAt = e2b.startedAt.addSecs(7200);
    e2b.ttlSeconds = 7200;
    e2b.ratePerSecond = 0.00003025;
    e2b.rateBasis = {u"2 vCPU × $0.000014/s + 0.5 GiB × $0.0000045/s"_s, u"e2b.dev"_s, u"2026-08"_s};
    QVERIFY(store->insertSession(e2b));
    // Extended by an hour, then the provider refused and it was taken back.
    e2b.expiresAt = e2b.expiresAt.addSecs(3600);
    e2b.ttlSeconds += 3600;
    QVERIFY(store->recordExtension(e2b, 3600, 3600 * e2b.ratePerSecond, u"extended"_s, u"+1 h"_s));
    e2b.expiresAt = e2b.expiresAt.addSecs(-3600);
    e2b.ttlSeconds -= 3600;
    QVERIFY(store->recordExtension(e2b, -3600, -3600 * e2b.ratePerSecond, u"extend-failed"_s, u"refused"_s));
    QCOMPARE(store->session(e2b.id)->expiresAt, e2b.expiresAt);
    e2b.endedAt = e2b.startedAt.addSecs(1000);
    QVERIFY(runAndEnd(*store, e2b));

    // Local: seconds recorded, nothing billed. A session that failed before it ran: no line at all.
    Session local = makeSession(u"local"_s, SessionState::Running);
    local.startedAt = t0;
    local.expiresAt = t0.addSecs(600);
    local.ratePerSecond = 0.5; // whatever was stored, Local is free
    QVERIFY(store->insertSession(local));
    local.endedAt = t0.addSecs(300);
    QVERIFY(runAndEnd(*store, local));
    Session neverRan = makeSession(u"never ran"_s, SessionState::Provisioning);
    neverRan.provider = u"e2b"_s;
    neverRan.ratePerSecond = 0.00003025;
    QVERIFY(store->insertSession(neverRan));
    QVERIFY(store->transition(neverRan, SessionState::Failed, u"no capacity"_s));

    // The generation and two runs; the extension lines are dated when they were recorded (now).
    const QList<LedgerEntry> lines = store->ledger(t0.addDays(-1), t0.addDays(1)).value();
    QCOMPARE(lines.size(), 3);
    const LedgerEntry &gen = lines.at(0);
    QCOMPARE(gen.kind, LedgerEntry::Kind::Generation);
    QCOMPARE(gen.at, t0);
    QCOMPARE(gen.provider, u"claude"_s);
    QCOMPARE(gen.generationId, generation.id);
    QCOMPARE(gen.usd, generation.costUsd);
    QCOMPARE(gen.basis.how, generation.pricing.how);
    QVERIFY2(gen.detail.contains(u"output tokens"_s), qPrintable(gen.detail));

    const QList<LedgerEntry> ofE2b = store->ledgerFor(e2b.id).value();
    QCOMPARE(ofE2b.size(), 3);
    QCOMPARE(ofE2b.at(0).kind, LedgerEntry::Kind::Extension);
    QCOMPARE(ofE2b.at(0).seconds, 3600);
    QCOMPARE(ofE2b.at(0).usd, 0.0); // committed, not spent
    QVERIFY(qAbs(ofE2b.at(0).quotedUsd - 0.1089) < 1e-12);
    QCOMPARE(ofE2b.at(1).seconds, -3600);
    const LedgerEntry &run = ofE2b.at(2);
    QCOMPARE(run.kind, LedgerEntry::Kind::Runtime);
    QCOMPARE(run.startedAt, e2b.startedAt);
    QCOMPARE(run.endedAt(), e2b.endedAt);
    QCOMPARE(run.seconds, 1000);
    QCOMPARE(run.ratePerSecond, 0.00003025);
    QVERIFY(qAbs(run.usd - 0.03025) < 1e-12); // 1,000 s × $0.00003025
    QCOMPARE(run.basis.how, e2b.rateBasis.how);
    QCOMPARE(run.basis.asOf, u"2026-08"_s);

    const QList<LedgerEntry> ofLocal = store->ledgerFor(local.id).value();
    QCOMPARE(ofLocal.size(), 1);
    QCOMPARE(ofLocal.first().seconds, 300);
    QCOMPARE(ofLocal.first().usd, 0.0);
    QVERIFY(store->ledgerFor(neverRan.id)->isEmpty());

    // A rate change afterwards does not touch what was recorded.
    store.reset();
    store = openStore(m_path);
    QVERIFY(qAbs(store->ledgerFor(e2b.id)->last().usd - 0.03025) < 1e-12);
}

void TestStore::ledgerPeriodsAndAppendOnly()
{
    auto store = openStore(m_path);
    QVERIFY(store);
    const QDateTime monthStart(QDate(2026, 11, 1), QTime(0, 0), Qt::UTC);
    // A run from 31 October 23:00 to 1 November 01:00 belongs to both months.
    Session across = makeSession(u"across"_s, SessionState::Running);
    across.provider = u"e2b"_s;
    across.ratePerSecond = 0.0001;
    across.startedAt = monthStart.addSecs(-3600);
    across.expiresAt = monthStart.addSecs(7200);
    QVERIFY(store->insertSession(across));
    across.endedAt = monthStart.addSecs(3600);
    QVERIFY(runAndEnd(*store, across));
    LedgerEntry october;
    october.kind = LedgerEntry::Kind::Generation;
    october.provider = u"claude"_s;
    october.at = monthStart.addSecs(-1);
    october.usd = 0.25;
    QVERIFY(store->appendLedger(october));
    QVERIFY(october.id > 0);

    const QList<LedgerEntry> november = store->ledger(monthStart, monthStart.addMonths(1)).value();
    QCOMPARE(november.size(), 1);
    QCOMPARE(november.first().sessionId, across.id);
    const QList<LedgerEntry> octoberLines = store->ledger(monthStart.addMonths(-1), monthStart).value();
    QCOMPARE(octoberLines.size(), 2); // the run (it started in October) and the generation
    QVERIFY(store->ledger(monthStart.addSecs(3601), monthStart.addDays(1))->isEmpty());

    LedgerEntry broken;
    broken.usd = qQNaN();
    QVERIFY(!store->appendLedger(broken));

    RawDb raw(m_path);
    QString error;
    QVERIFY(!raw.exec(u"UPDATE ledger SET usd = 0"_s, &error));
    QVERIFY2(error.contains(u"append-only"_s), qPrintable(error));
    QVERIFY(!raw.exec(u"DELETE FROM ledger"_s, &error));
    QCOMPARE(raw.count(u"ledger"_s), 2);
}

void TestStore::migrationBackfillsTheLedger()
{
    const QDateTime t0(QDate(2026, 10, 5), QTime(12, 0), Qt::UTC);
    Session stopped = makeSession(u"stopped early"_s, SessionState::Ended);
    stopped.provider = u"fly"_s;
    stopped.ratePerSecond = 0.000002;
    stopped.startedAt = t0;
    stopped.expiresAt = t0.addSecs(7200);
    stopped.endedAt = t0.addSecs(1800);
    Session late = stopped; // noticed its end only after a restart: billed to its expiry
    late.id = newId();
    late.endedAt = t0.addSecs(9000);
    Session local = stopped;
    local.id = newId();
    local.provider = u"local"_s;
    Session failedEarly = stopped;
    failedEarly.id = newId();
    failedEarly.state = SessionState::Failed;
    failedEarly.startedAt = QDateTime();
    Session running = stopped;
    running.id = newId();
    running.state = SessionState::Running;
    running.endedAt = QDateTime();
    {
        RawDb raw(m_path);
        QVERIFY(!createV1Database(raw).isEmpty());
        for (const Session &s : {stopped, late, local, failedEarly, running})
            QVERIFY(insertV1Session(raw, s));
    }
    auto store = openStore(m_path);
    QVERIFY(store);
    QCOMPARE(store->ledgerFor(stopped.id)->size(), 1);
    const LedgerEntry line = store->ledgerFor(stopped.id)->first();
    QCOMPARE(line.kind, LedgerEntry::Kind::Runtime);
    QCOMPARE(line.seconds, 1800);
    QCOMPARE(line.at, stopped.endedAt);
    QVERIFY(qAbs(line.usd - 0.0036) < 1e-12);
    QCOMPARE(store->ledgerFor(late.id)->first().seconds, 7200);
    QCOMPARE(store->ledgerFor(local.id)->first().usd, 0.0);
    QCOMPARE(store->ledgerFor(local.id)->first().seconds, 1800);
    QVERIFY(store->ledgerFor(failedEarly.id)->isEmpty());
    QVERIFY(store->ledgerFor(running.id)->isEmpty()); // its line comes when it ends
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
