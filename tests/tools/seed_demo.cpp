// Fills a SpawnAI data directory ($XDG_DATA_HOME/spawnai) with a realistic history for screenshots and manual
// checks: ended and failed sessions of the last days, and the pomodoro example open in the editor.
// Running sessions come from real deploys (scripts/screenshots.sh starts them with the CLI).
// --month adds a realistic month of cloud spending for the Costs tab: E2B and Fly.io sessions of the last 30
// days with their ledger lines, generations, and three cloud sessions running now, owned by this process,
// which then stays alive for --hold SECONDS (so a window started meanwhile leaves them alone).
#include "apppane.h"
#include "costmeter.h"
#include "instancelock.h"
#include "paths.h"
#include "pricingcatalogue.h"
#include "store.h"

#include <QApplication>
#include <QDir>
#include <QRandomGenerator>
#include <QThread>
#include <QUuid>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

struct Past
{
    const char *name;
    SessionState end;
    FailureReason failure;
    const char *message;
    int hoursAgo;
    int ranMinutes;
};

const char *const kNames[] = {"habit tracker", "pomodoro",      "kanban board", "expense splitter",
                              "quiz maker",    "recipe scaler", "world clock",  "markdown notes",
                              "poll app",      "reading list",  "gift planner", "standup timer"};

// A session on `provider` that ran `seconds` from `start`, recorded the way the controller does it (its
// Runtime line is written when it ends), plus the generation that wrote its code.
bool seedRun(Store &store, const PricingCatalogue &pricing, const QString &provider, const QString &size,
             const QString &name, const QDateTime &start, qint64 ttl, qint64 seconds, const QString &owner)
{
    const Rate rate = *pricing.rate(provider, size);
    LedgerEntry generation;
    generation.kind = LedgerEntry::Kind::Generation;
    generation.provider = u"claude"_s;
    generation.size = u"claude-fable-5-2"_s;
    generation.at = start.addSecs(-90);
    generation.usd = 0.02 + QRandomGenerator::global()->bounded(0.06);
    generation.basis = CostMeter::tokenBasis(pricing, generation.size, 3000);
    generation.detail = u"3,000 input, 6,000 output tokens"_s;
    if (!store.appendLedger(generation))
        return false;

    Session session;
    session.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    session.name = name;
    session.provider = provider;
    session.size = size;
    session.state = SessionState::Running;
    session.ttlSeconds = ttl;
    session.createdAt = start.addSecs(provider == u"e2b" ? -1 : -8);
    session.startedAt = start;
    session.expiresAt = start.addSecs(ttl);
    session.ratePerSecond = rate.perSecond;
    session.rateBasis = CostMeter::basisOf(rate);
    session.generationCostUsd = generation.usd;
    session.resourceId = u"demo-"_s + session.id.left(8);
    session.url = QUrl(u"https://%1.demo.example/"_s.arg(session.id.left(8)));
    session.owner = owner;
    if (!store.insertSession(session))
        return false;
    if (seconds < 0)
        return true; // still running
    session.endedAt = start.addSecs(seconds);
    return store.transition(session, SessionState::Stopping).ok() &&
           store.transition(session, SessionState::Ended, u"expired"_s).ok();
}

bool seedMonth(Store &store, const QString &owner)
{
    const PricingCatalogue pricing = PricingCatalogue::shipped();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto *random = QRandomGenerator::global();
    int n = 0;
    for (int day = 29; day >= 1; --day) {
        const int runs = int(random->bounded(3)); // 0 to 2 sessions a day
        for (int i = 0; i < runs; ++i, ++n) {
            const bool e2b = random->bounded(3) != 0;
            const QString size =
                e2b ? (random->bounded(4) == 0 ? u"2cpu-2gib"_s : u"base"_s) : u"shared-cpu-1x-1gb"_s;
            const qint64 ttl = e2b ? 3600 : 7200 * (1 + random->bounded(3));
            const qint64 ran = random->bounded(3) == 0 ? ttl * (20 + random->bounded(70)) / 100 : ttl;
            const QDateTime start = now.addDays(-day).addSecs(-random->bounded(6 * 3600));
            if (!seedRun(store, pricing, e2b ? u"e2b"_s : u"fly"_s, size,
                         QString::fromUtf8(kNames[n % std::size(kNames)]), start, ttl, ran, owner))
                return false;
        }
    }
    // Running now, owned by this process: one just started, one half way, one near its end.
    return seedRun(store, pricing, u"e2b"_s, u"base"_s, u"trip planner"_s, now.addSecs(-300), 3600, -1,
                   owner) &&
           seedRun(store, pricing, u"fly"_s, u"shared-cpu-1x-1gb"_s, u"book club"_s, now.addSecs(-3 * 3600),
                   4 * 3600, -1, owner) &&
           seedRun(store, pricing, u"e2b"_s, u"2cpu-2gib"_s, u"chess clock"_s, now.addSecs(-3300), 3600, -1,
                   owner);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv); // the editor's draft is written by the editor itself
    QDir().mkpath(Paths::dataDir());
    auto store = Store::open(Paths::databasePath());
    if (!store) {
        std::fprintf(stderr, "%s\n", qPrintable(store.error()));
        return 1;
    }
    const QList<Past> history = {
        {"habit tracker", SessionState::Ended, FailureReason::None, nullptr, 3, 120},
        {"recipe scaler", SessionState::Failed, FailureReason::AppCrashed,
         "The app stopped before it answered: the app exited with code 1. Its last output:\n"
         "ModuleNotFoundError: No module named 'flask'",
         5, 0},
        {"markdown preview", SessionState::Ended, FailureReason::None, nullptr, 26, 45},
        {"team standup timer", SessionState::Ended, FailureReason::None, nullptr, 30, 240},
        {"bmi calculator", SessionState::Failed, FailureReason::PortInUse,
         "Port 8080 on 127.0.0.1 is already in use by another program.", 50, 0},
        {"color palette picker", SessionState::Ended, FailureReason::None, nullptr, 74, 30},
    };
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const Past &past : history) {
        Session session;
        session.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        session.name = QString::fromUtf8(past.name);
        session.provider = u"local"_s;
        session.state = SessionState::Ready;
        session.ttlSeconds = past.ranMinutes > 0 ? past.ranMinutes * 60 : 7200;
        session.createdAt = now.addSecs(-past.hoursAgo * 3600);
        if (!(*store)->insertSession(session))
            return 1;
        for (SessionState step :
             {SessionState::Provisioning, SessionState::Uploading, SessionState::Starting})
            (void)(*store)->transition(session, step);
        if (past.end == SessionState::Ended) {
            session.startedAt = session.createdAt.addSecs(1);
            session.expiresAt = session.startedAt.addSecs(session.ttlSeconds);
            session.url = QUrl(u"http://127.0.0.1:%1/"_s.arg(41000 + past.hoursAgo));
            (void)(*store)->transition(session, SessionState::Running);
            (void)(*store)->transition(session, SessionState::Stopping, u"expired"_s);
            session.endedAt = session.expiresAt;
        } else {
            session.failure = past.failure;
            session.failureMessage = QString::fromUtf8(past.message);
            session.endedAt = session.createdAt.addSecs(2);
        }
        (void)(*store)->transition(session, past.end);
    }

    const QStringList args = app.arguments();
    if (args.contains(u"--month"_s)) {
        auto lock = InstanceLock::acquire(Paths::dataDir());
        if (!lock || !seedMonth(**store, (*lock)->id())) {
            std::fprintf(stderr, "could not seed the month\n");
            return 1;
        }
        const int hold = args.indexOf(u"--hold"_s);
        const int seconds = hold > 0 && hold + 1 < args.size() ? args.at(hold + 1).toInt() : 0;
        std::printf("seeded\n");
        std::fflush(stdout);
        QThread::sleep(seconds); // the sessions' owner stays alive meanwhile
    }

    AppPane pane(Paths::dataDir() + u"/draft.json"_s);
    if (!pane.openExample(u"pomodoro"_s))
        return 1;
    return 0; // the pane writes its draft as it goes away
}
