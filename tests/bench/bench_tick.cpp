// Countdown tick benchmark (DESIGN.md target: 10,000 sessions, a tick < 2 ms of CPU). Prints figures; not a
// test. Run it from a Release build.
//   bench_tick [--sessions N] [--ticks N]
// Each case builds a SessionTableModel with a SessionFilterProxy on it (no model tester, no view) and
// measures the process CPU time of tick(), which includes the proxy's reaction to the dataChanged signals.

#include "costsummarymodel.h"
#include "pricingcatalogue.h"
#include "sessionfilterproxy.h"
#include "sessiontablemodel.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QRandomGenerator>
#include <QUuid>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <numeric>

using namespace Qt::StringLiterals;

namespace {

double cpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

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

const QDateTime kNow = QDateTime(QDate(2026, 11, 28), QTime(12, 0), Qt::UTC);

// Ended sessions from the last months; live ones started within the last hours with 1-4 h lifetimes, so
// sorted by time left they are spread over the source rows.
Session makeSession(QRandomGenerator &random, int n, bool live)
{
    static const QStringList providers = {u"local"_s, u"e2b"_s, u"fly"_s, u"modal"_s, u"digitalocean"_s};
    Session s;
    s.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    s.name = u"app "_s + QString::number(n);
    s.provider = providers.at(random.bounded(int(providers.size())));
    s.ratePerSecond = s.provider == u"local" ? 0 : 0.000014 * (1 + random.bounded(8));
    s.ttlSeconds = 3600 * (1 + random.bounded(4));
    if (live) {
        s.state = SessionState::Running;
        s.startedAt = kNow.addSecs(-qint64(random.bounded(int(s.ttlSeconds) - 120)));
        s.expiresAt = s.startedAt.addSecs(s.ttlSeconds);
    } else {
        s.state = SessionState::Ended;
        s.startedAt = kNow.addSecs(-qint64(random.bounded(90 * 24 * 3600)) - s.ttlSeconds);
        s.expiresAt = s.startedAt.addSecs(s.ttlSeconds);
        s.endedAt = s.expiresAt;
    }
    s.createdAt = s.startedAt.addSecs(-20);
    s.url = QUrl(u"https://%1.%2.spawnai.example/"_s.arg(s.id.left(8), s.provider));
    return s;
}

struct Case
{
    const char *name;
    int live;
    SessionTableModel::Column sortColumn;
    Qt::SortOrder order = Qt::AscendingOrder;
    SessionFilterProxy::Filter filter = SessionFilterProxy::Filter::All;
    QString search;
};

void run(const Case &c, int sessions, int ticks, const PricingCatalogue &pricing)
{
    QRandomGenerator random(42);
    QList<Session> list;
    list.reserve(sessions);
    // Live rows at random positions: the worst case for runs of adjacent rows (in use they are the newest).
    QList<int> liveRows(sessions);
    std::iota(liveRows.begin(), liveRows.end(), 0);
    std::shuffle(liveRows.begin(), liveRows.end(), random);
    liveRows.resize(c.live);
    std::sort(liveRows.begin(), liveRows.end());
    for (int i = 0; i < sessions; ++i)
        list.append(makeSession(random, i, std::binary_search(liveRows.cbegin(), liveRows.cend(), i)));

    SessionTableModel model(pricing);
    SessionFilterProxy proxy;
    proxy.setSourceModel(&model);
    proxy.setFilter(c.filter);
    proxy.setSearchText(c.search);
    proxy.sort(int(c.sortColumn), c.order);
    model.tick(kNow);
    model.setSessions(list);

    int changes = 0;
    QObject::connect(&proxy, &QAbstractItemModel::dataChanged, &proxy, [&changes] { ++changes; });
    int layouts = 0;
    QObject::connect(&proxy, &QAbstractItemModel::layoutChanged, &proxy, [&layouts] { ++layouts; });

    for (int warmup = 1; warmup <= 3; ++warmup)
        model.tick(kNow.addSecs(warmup));
    changes = layouts = 0;
    QList<double> times;
    times.reserve(ticks);
    for (int t = 0; t < ticks; ++t) {
        const QDateTime now = kNow.addSecs(4 + t);
        const double before = cpuMs();
        model.tick(now);
        times.append(cpuMs() - before);
    }
    const Stats s = stats(times);
    std::printf("%s median=%.3f min=%.3f max=%.3f (proxy rows %d, proxy dataChanged/tick %.1f, "
                "re-sorts %d)\n",
                c.name, s.median, s.min, s.max, proxy.rowCount(), double(changes) / ticks, layouts);
    std::fflush(stdout);
}

// What the Costs tab adds to each tick (CostTracker::update without the store read, which happens only when a
// session changed): `lines` ledger lines of the last 30 days and `unended` running sessions split over days
// and providers, then the per-provider rows.
void runCosts(const char *name, int lines, int unended, int ticks)
{
    QRandomGenerator random(7);
    QList<LedgerEntry> ledger;
    ledger.reserve(lines);
    for (int i = 0; i < lines; ++i) {
        LedgerEntry line;
        const bool run = i % 2 == 0;
        line.kind = run ? LedgerEntry::Kind::Runtime : LedgerEntry::Kind::Generation;
        line.provider = run ? (i % 4 == 0 ? u"e2b"_s : u"fly"_s) : u"claude"_s;
        line.startedAt = kNow.addSecs(-qint64(random.bounded(30 * 86400)));
        line.seconds = run ? 3600 * (1 + random.bounded(4)) : 0;
        line.at = line.startedAt.addSecs(line.seconds);
        line.usd = 0.01 + random.bounded(0.3);
        ledger << line;
    }
    QList<Session> running;
    for (int i = 0; i < unended; ++i)
        running << makeSession(random, i, true);
    const QDate today = kNow.toLocalTime().date();
    const QDate first = std::min(today.addDays(-29), QDate(today.year(), today.month(), 1));
    // Once per ledger read (a session ended, a generation was recorded).
    QList<double> reads;
    SpendBreakdown fromLedger;
    for (int t = 0; t < ticks; ++t) {
        const double before = cpuMs();
        fromLedger = SpendBreakdown(first, today);
        for (const LedgerEntry &line : std::as_const(ledger))
            fromLedger.add(line);
        reads.append(cpuMs() - before);
    }
    // Every second.
    QList<double> times;
    for (int t = 0; t < ticks; ++t) {
        const QDateTime now = kNow.addSecs(t);
        const double before = cpuMs();
        SpendBreakdown spend = fromLedger;
        for (const Session &session : std::as_const(running))
            spend.addRunning(session, now);
        const auto rows = CostSummaryModel::figures(spend, running, now, today, {});
        const double month = spend.total(QDate(today.year(), today.month(), 1), today);
        times.append(cpuMs() - before);
        if (rows.isEmpty() || month < 0)
            std::printf("no rows\n");
    }
    const Stats r = stats(reads);
    std::printf("%s_ledger_read median=%.3f min=%.3f max=%.3f\n", name, r.median, r.min, r.max);
    const Stats s = stats(times);
    std::printf("%s_tick median=%.3f min=%.3f max=%.3f\n", name, s.median, s.min, s.max);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Measures the CPU time of the session table's 1 Hz tick."_s);
    parser.addHelpOption();
    parser.addOption({u"sessions"_s, u"Sessions in the table."_s, u"n"_s, u"10000"_s});
    parser.addOption({u"ticks"_s, u"Measured ticks per case."_s, u"n"_s, u"60"_s});
    parser.addOption({u"only"_s, u"Runs only the case of this name."_s, u"text"_s});
    parser.process(app);
    const int sessions = std::max(1, parser.value(u"sessions"_s).toInt());
    const int ticks = std::max(1, parser.value(u"ticks"_s).toInt());

    const PricingCatalogue pricing = PricingCatalogue::shipped();
    using C = SessionTableModel::Column;
    using F = SessionFilterProxy::Filter;
    const QByteArray n = QByteArray::number(sessions);
    const int few = std::min(100, sessions);
    const QByteArray fewText = QByteArray::number(few);
    const QList<std::pair<QByteArray, Case>> cases = {
        {"tick_cpu_ms_" + n + "_sessions_" + fewText + "_live",
         {nullptr, few, C::TimeLeft, Qt::AscendingOrder, F::All, {}}},
        {"tick_cpu_ms_" + n + "_sessions_" + fewText + "_live_sorted_by_cost_desc",
         {nullptr, few, C::Cost, Qt::DescendingOrder, F::All, {}}},
        {"tick_cpu_ms_" + n + "_sessions_" + n + "_live",
         {nullptr, sessions, C::TimeLeft, Qt::AscendingOrder, F::All, {}}},
        {"tick_cpu_ms_" + n + "_sessions_" + n + "_live_sorted_by_cost_desc",
         {nullptr, sessions, C::Cost, Qt::DescendingOrder, F::All, {}}},
        {"tick_cpu_ms_" + n + "_sessions_" + n + "_live_sorted_by_name",
         {nullptr, sessions, C::Name, Qt::AscendingOrder, F::All, {}}},
        {"tick_cpu_ms_" + n + "_sessions_" + n + "_live_active_search",
         {nullptr, sessions, C::TimeLeft, Qt::AscendingOrder, F::Active, u"app 1"_s}},
    };
    for (const auto &[name, c] : cases) {
        if (parser.isSet(u"only"_s) && name != parser.value(u"only"_s).toUtf8())
            continue;
        Case named = c;
        named.name = name.constData();
        run(named, sessions, ticks, pricing);
    }
    for (const int lines : {1000, 10000}) {
        const QByteArray name =
            "costs_cpu_ms_" + QByteArray::number(lines) + "_ledger_lines_" + fewText + "_running";
        if (!parser.isSet(u"only"_s) || name == parser.value(u"only"_s).toUtf8())
            runCosts(name.constData(), lines, few, ticks);
    }
    return 0;
}
