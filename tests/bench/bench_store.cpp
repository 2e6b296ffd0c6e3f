// Store benchmark (DESIGN.md target: 10,000 sessions, store load < 300 ms). Prints figures; not a test.
//   bench_store [--sessions N] [--runs N] [--dir FOLDER]
// The database is filled through the Store API on /dev/shm (a commit there costs no fsync, so 10,000 inserts
// take seconds, not minutes), then copied to FOLDER (default: the temp folder, on a real disk) and measured
// there.

#include "store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QUuid>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

struct Stats
{
    double median = 0, min = 0, max = 0;
};

Stats stats(QList<double> values)
{
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    const double median = n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2;
    return {median, values.first(), values.last()};
}

void print(const char *name, const Stats &s)
{
    std::printf("%s median=%.2f min=%.2f max=%.2f\n", name, s.median, s.min, s.max);
    std::fflush(stdout);
}

// A mix like a long-used installation: mostly ended sessions, a few running, every provider.
Session realisticSession(QRandomGenerator &random, int n, const QDateTime &now)
{
    static const QStringList providers = {u"local"_s,  u"local"_s, u"local"_s,       u"e2b"_s,
                                          u"e2b"_s,    u"fly"_s,   u"modal"_s,       u"runpod"_s,
                                          u"replit"_s, u"nhost"_s, u"digitalocean"_s};
    static const QStringList names = {u"pomodoro timer"_s,    u"habit tracker"_s, u"recipe scaler"_s,
                                      u"markdown preview"_s,  u"café menu ☕"_s,   u"unit converter"_s,
                                      u"日本語 flashcards"_s, u"kanban board"_s};
    Session s;
    s.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    s.name = names.at(n % names.size()) + u' ' + QString::number(n);
    s.provider = providers.at(random.bounded(int(providers.size())));
    s.size = s.provider == u"local" ? QString() : u"small"_s;
    s.ttlSeconds = 3600 * (1 + random.bounded(4));
    s.createdAt = now.addSecs(-qint64(random.bounded(90 * 24 * 3600)));
    s.owner = u"gui-1234-5678"_s;
    s.revisionId = QString::fromLatin1(QByteArray::number(random.generate64(), 16).repeated(4).left(64));
    s.ratePerSecond = s.provider == u"local" ? 0 : 0.000014 * (1 + random.bounded(8));

    const int roll = random.bounded(100);
    if (roll < 70) {
        s.state = SessionState::Ended;
    } else if (roll < 80) {
        s.state = SessionState::Failed;
        s.failure = FailureReason::AppNeverAnswered;
        s.failureMessage = u"The app did not answer on its port within 30 s; check that it reads PORT."_s;
    } else if (roll < 92) {
        s.state = SessionState::Running;
    } else if (roll < 96) {
        s.state = SessionState::Expiring;
    } else {
        s.state = roll % 2 ? SessionState::Draft : SessionState::Ready;
    }
    if (SessionStates::holdsResource(s.state) || SessionStates::isTerminal(s.state)) {
        s.startedAt = s.createdAt.addSecs(20);
        s.expiresAt = s.startedAt.addSecs(s.ttlSeconds);
        s.url = QUrl(u"https://%1.%2.spawnai.example/"_s.arg(s.id.left(8), s.provider));
        s.resourceId = s.provider + u'-' + s.id.left(12);
    }
    if (SessionStates::isTerminal(s.state))
        s.endedAt = s.expiresAt;
    return s;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Measures opening the store and loading every session."_s);
    parser.addHelpOption();
    parser.addOption({u"sessions"_s, u"Sessions in the database."_s, u"n"_s, u"10000"_s});
    parser.addOption({u"runs"_s, u"Runs per measurement."_s, u"n"_s, u"10"_s});
    parser.addOption({u"dir"_s, u"Folder for the measured database (default: temp)."_s, u"folder"_s});
    parser.process(app);
    const int count = std::max(1, parser.value(u"sessions"_s).toInt());
    const int runs = std::max(1, parser.value(u"runs"_s).toInt());

    const bool shm = QFileInfo(u"/dev/shm"_s).isWritable();
    QTemporaryDir fillDir(shm ? u"/dev/shm/bench_store-XXXXXX"_s
                              : QDir::tempPath() + u"/bench_store-XXXXXX"_s);
    QTemporaryDir measureDir((parser.isSet(u"dir"_s) ? parser.value(u"dir"_s) : QDir::tempPath()) +
                             u"/bench_store-XXXXXX"_s);
    if (!fillDir.isValid() || !measureDir.isValid()) {
        std::fprintf(stderr, "bench_store: cannot create a temporary folder\n");
        return 1;
    }
    const QString filled = fillDir.filePath(u"spawnai.db"_s);
    const QString path = measureDir.filePath(u"spawnai.db"_s);

    QRandomGenerator random(42);
    {
        auto opened = Store::open(filled);
        if (!opened) {
            std::fprintf(stderr, "bench_store: %s\n", qPrintable(opened.error()));
            return 1;
        }
        const auto store = std::move(opened).value();
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < count; ++i) {
            Session s = realisticSession(random, i, now);
            if (auto r = store->insertSession(s); !r) {
                std::fprintf(stderr, "bench_store: %s\n", qPrintable(r.error()));
                return 1;
            }
        }
        std::printf("store_insert_session_ms per_insert=%.3f total=%lld (%s, each insert one transaction)\n",
                    double(timer.elapsed()) / count, timer.elapsed(), shm ? "/dev/shm" : "temp folder");
    }
    if (!QFile::copy(filled, path)) {
        std::fprintf(stderr, "bench_store: cannot copy the database to %s\n", qPrintable(path));
        return 1;
    }
    std::printf("database %s, %lld KiB, %d sessions\n", qPrintable(path), QFileInfo(path).size() / 1024,
                count);

    QList<double> openMs;
    for (int r = 0; r < runs; ++r) {
        QElapsedTimer timer;
        timer.start();
        auto opened = Store::open(path);
        openMs << double(timer.nsecsElapsed()) / 1e6;
        if (!opened) {
            std::fprintf(stderr, "bench_store: %s\n", qPrintable(opened.error()));
            return 1;
        }
    }

    auto opened = Store::open(path);
    const auto store = std::move(opened).value();
    QList<double> loadMs, activeMs;
    for (int r = 0; r < runs; ++r) {
        QElapsedTimer timer;
        timer.start();
        const auto all = store->sessions();
        loadMs << double(timer.nsecsElapsed()) / 1e6;
        if (!all || all->size() != count) {
            std::fprintf(stderr, "bench_store: loaded %lld sessions: %s\n", all ? qint64(all->size()) : -1LL,
                         qPrintable(all.error()));
            return 1;
        }
        timer.restart();
        const auto active = store->activeSessions();
        activeMs << double(timer.nsecsElapsed()) / 1e6;
    }

    print("store_open_ms", stats(openMs));
    const QByteArray loadName = "store_load_" + QByteArray::number(count) + "_sessions_ms";
    print(loadName.constData(), stats(loadMs));
    print("store_load_active_sessions_ms", stats(activeMs));
    return 0;
}
