// Crash safety of the store with a real SIGKILL (ref/reliability.md §8 item 12): tools/store_writer writes in
// a loop and acknowledges each write on stdout after it returned; we kill it at a random moment, reopen the
// database and check that every acknowledged write is there and that SQLite finds the file intact.
// SPAWNAI_CRASH_SEED=<n> replays a run; the seed is printed at the start.

#include "store.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <array>

using namespace Qt::StringLiterals;

namespace {

using S = SessionState;
// The path store_writer walks with every session.
constexpr std::array kPath = {S::Draft,    S::Generating, S::Ready,    S::Provisioning, S::Uploading,
                              S::Starting, S::Running,    S::Stopping, S::Ended};

int pathIndex(SessionState state)
{
    for (std::size_t i = 0; i < kPath.size(); ++i) {
        if (kPath[i] == state)
            return int(i);
    }
    return -1;
}

struct Acked
{
    SessionState state = S::Draft;
    int events = 0;
};

// What another program sees in the file: integrity_check, and the number of events per session.
struct RawCheck
{
    QString integrity;
    QHash<QString, int> eventCounts;
};

RawCheck rawCheck(const QString &path)
{
    const QString name = u"crash-check"_s;
    RawCheck check;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(u"PRAGMA integrity_check"_s)) {
                QStringList lines;
                while (q.next())
                    lines << q.value(0).toString();
                check.integrity = lines.join(u"; ");
            }
            if (q.exec(u"SELECT session_id, count(*) FROM events GROUP BY session_id"_s)) {
                while (q.next())
                    check.eventCounts.insert(q.value(0).toString(), q.value(1).toInt());
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return check;
}

} // namespace

class TestStoreCrash final : public QObject
{
    Q_OBJECT

private slots:
    void killNineDuringWrites();
};

void TestStoreCrash::killNineDuringWrites()
{
    const QString writer = QCoreApplication::applicationDirPath() + u"/store_writer"_s;
    QVERIFY2(QFileInfo(writer).isExecutable(),
             qPrintable(writer + u" is missing; build the store_writer target"_s));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"spawnai.db"_s);

    bool seeded = false;
    quint32 seed = qEnvironmentVariable("SPAWNAI_CRASH_SEED").toUInt(&seeded);
    if (!seeded)
        seed = QRandomGenerator::global()->generate();
    qInfo("seed %u (set SPAWNAI_CRASH_SEED to replay)", seed);
    QRandomGenerator random(seed);

    constexpr int kRounds = 25;
    QHash<QString, Acked> sessions;
    QStringList revisions;
    int promptsAcked = 0;
    int acks = 0;
    int roundsAheadOfAcks = 0;

    for (int round = 0; round < kRounds; ++round) {
        QProcess process;
        process.setProgram(writer);
        process.setArguments({path});
        process.start();
        QVERIFY2(process.waitForStarted(), qPrintable(process.errorString()));
        // From 10 ms (still starting up, maybe mid-migration in round 0) to well into the write loop.
        const int delayMs = int(random.bounded(10u, 400u));
        QTest::qWait(delayMs);
        QVERIFY2(process.state() == QProcess::Running,
                 qPrintable(u"store_writer stopped by itself: "_s +
                            QString::fromUtf8(process.readAllStandardError())));
        process.kill(); // SIGKILL on Unix: no destructor, no atexit, no flush
        QVERIFY(process.waitForFinished(10'000));
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);

        // Only complete lines are acknowledgements; a torn last line was never acknowledged.
        QByteArray output = process.readAllStandardOutput();
        output.truncate(output.lastIndexOf('\n') + 1);
        int roundAcks = 0;
        QStringList roundRevisions;
        for (const QByteArray &line : output.split('\n')) {
            const QList<QByteArray> f = line.split(' ');
            if (line.isEmpty() || line == "ready")
                continue;
            ++roundAcks;
            if (f.at(0) == "R") {
                roundRevisions << QString::fromLatin1(f.at(1));
            } else if (f.at(0) == "P") {
                ++promptsAcked;
            } else {
                QCOMPARE(f.size(), 4);
                Acked &acked = sessions[QString::fromLatin1(f.at(1))];
                acked.state = SessionStates::fromInt(f.at(2).toInt()).value();
                acked.events = f.at(3).toInt();
            }
        }
        acks += roundAcks;
        revisions += roundRevisions;

        // Restart: reopen and compare with what was acknowledged. A few queries per round, however many
        // writes.
        const RawCheck raw = rawCheck(path);
        QVERIFY2(raw.integrity == u"ok",
                 qPrintable(u"round %1: integrity_check: %2"_s.arg(round).arg(raw.integrity)));
        auto opened = Store::open(path);
        QVERIFY2(opened.ok(), qPrintable(u"round %1: %2"_s.arg(round).arg(opened.error())));
        const std::unique_ptr<Store> store = std::move(opened).value();
        const auto all = store->sessions();
        QVERIFY(all.ok());
        QHash<QString, SessionState> stored;
        for (const Session &s : *all)
            stored.insert(s.id, s.state);

        int ahead = int(stored.size() - sessions.size()); // inserted, not acknowledged
        for (auto it = sessions.cbegin(); it != sessions.cend(); ++it) {
            QVERIFY2(stored.contains(it.key()),
                     qPrintable(u"round %1: acknowledged session %2 lost"_s.arg(round).arg(it.key())));
            // At most one write can be committed without its acknowledgement: the one the kill interrupted.
            const int want = pathIndex(it->state);
            const int have = pathIndex(stored.value(it.key()));
            QVERIFY2(
                have == want || have == want + 1,
                qPrintable(u"round %1: session %2 acknowledged %3, stored %4"_s.arg(round).arg(
                    it.key(), SessionStates::name(it->state), SessionStates::name(stored.value(it.key())))));
            const int events = raw.eventCounts.value(it.key());
            QVERIFY2(events == it->events || events == it->events + 1,
                     qPrintable(u"round %1: session %2 acknowledged %3 events, stored %4"_s.arg(round)
                                    .arg(it.key())
                                    .arg(it->events)
                                    .arg(events)));
            ahead += (have - want) + (events - it->events);
        }
        // Revisions of this round, re-hashing every blob; older ones were verified in their round and are
        // verified again at the end.
        for (const QString &revision : std::as_const(roundRevisions)) {
            const auto bundle = store->revision(revision);
            QVERIFY2(bundle.ok(), qPrintable(u"round %1: %2"_s.arg(round).arg(bundle.error())));
        }
        const auto prompts = store->prompts(1'000'000);
        QVERIFY(prompts.ok());
        QVERIFY2(prompts->size() >= promptsAcked,
                 qPrintable(u"round %1: %2 prompts acknowledged, %3 stored"_s.arg(round)
                                .arg(promptsAcked)
                                .arg(prompts->size())));
        if (ahead > 0)
            ++roundsAheadOfAcks;
        qInfo("round %d: killed after %d ms, %d acknowledged writes", round + 1, delayMs, roundAcks);
    }
    {
        const auto reopened = Store::open(path);
        QVERIFY2(reopened.ok(), qPrintable(reopened.error()));
        for (const QString &revision : std::as_const(revisions)) {
            const auto bundle = (*reopened)->revision(revision);
            QVERIFY2(bundle.ok(), qPrintable(bundle.error()));
        }
    }
    qInfo(
        "%d kills, %d acknowledged writes, 0 lost, integrity ok every time; %d rounds had a write committed "
        "but not yet acknowledged",
        kRounds, acks, roundsAheadOfAcks);
    QVERIFY2(acks >= 100, "too few writes between kills to mean anything");
}

QTEST_GUILESS_MAIN(TestStoreCrash)
#include "tst_storecrash.moc"
