// The Costs tab with real widgets (offscreen) over a real store: the totals it shows for a known set of
// sessions and ledger lines, the per-provider table, the chart's days and the budget bar.
#include "costsummarymodel.h"
#include "costtracker.h"
#include "costview.h"
#include "deploybar.h"
#include "provider.h"
#include "sessiontablemodel.h"
#include "spendchart.h"
#include "store.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QLabel>
#include <QProgressBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;

class TestCostView : public QObject
{
    Q_OBJECT

private slots:
    void showsTotalsForKnownSessions();
    void deployBarFlagsAQuoteAboveTheTarget();
};

namespace {

Session ended(const QString &name, const QString &provider, const QDateTime &start, qint64 seconds,
              double rate)
{
    Session s;
    s.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    s.name = name;
    s.provider = provider;
    s.state = SessionState::Running;
    s.createdAt = start.addSecs(-5);
    s.startedAt = start;
    s.ttlSeconds = 7200;
    s.expiresAt = start.addSecs(7200);
    s.ratePerSecond = rate;
    s.endedAt = start.addSecs(seconds);
    return s;
}

QString text(const QWidget *root, const char *name)
{
    const auto *label = root->findChild<QLabel *>(QString::fromLatin1(name));
    return label ? label->text() : u"<missing>"_s;
}

} // namespace

void TestCostView::showsTotalsForKnownSessions()
{
    QTemporaryDir dir;
    auto opened = Store::open(dir.filePath(u"spawnai.db"_s));
    QVERIFY2(opened.ok(), qPrintable(opened.error()));
    Store &store = **opened;

    // Every figure is a function of `now`, never of the wall clock: noon today, whatever the time of the run.
    const QDate today = QDate::currentDate();
    const QDateTime now = QDateTime(today, QTime(12, 0)).toUTC();
    const QDateTime todayStart = today.startOfDay().toUTC();
    // Ended today: E2B 3,600 s at $0.0001/s = $0.36; Fly 1,800 s at $0.00002/s = $0.036.
    QList<Session> sessions;
    for (Session s : {ended(u"e2b app"_s, u"e2b"_s, todayStart.addSecs(60), 3600, 0.0001),
                      ended(u"fly app"_s, u"fly"_s, todayStart.addSecs(120), 1800, 0.00002)}) {
        QVERIFY(store.insertSession(s));
        QVERIFY(store.transition(s, SessionState::Stopping));
        QVERIFY(store.transition(s, SessionState::Ended));
        sessions << s;
    }
    // A generation today: $0.12.
    LedgerEntry generation;
    generation.kind = LedgerEntry::Kind::Generation;
    generation.provider = u"claude"_s;
    generation.at = now;
    generation.usd = 0.12;
    QVERIFY(store.appendLedger(generation));
    // Running now for 1,000 s at $0.0001/s ($0.10) with $0.05 of generation: $0.15 so far.
    Session running;
    running.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    running.name = u"running app"_s;
    running.provider = u"e2b"_s;
    running.state = SessionState::Running;
    running.startedAt = now.addSecs(-1000);
    running.createdAt = running.startedAt;
    running.expiresAt = running.startedAt.addSecs(7200);
    running.ttlSeconds = 7200;
    running.ratePerSecond = 0.0001;
    running.generationCostUsd = 0.05;
    QVERIFY(store.insertSession(running));
    sessions << running;

    SessionTableModel model(PricingCatalogue::shipped());
    model.setSessions(store.sessions().value());
    model.tick(now);
    CostTracker tracker(store);
    tracker.setBudget(1.00, 0.50);
    const QList<Session> unended = model.tickingSessions();
    QVERIFY(tracker.update(unended, now));
    CostView view(tracker, &model);
    QAbstractItemModelTester tester(view.summaryModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.resize(1100, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.refresh(now, unended,
                 {{u"e2b"_s, u"E2B"_s}, {u"fly"_s, u"Fly.io"_s}, {u"claude"_s, u"Claude (generation)"_s}});

    // Today and this month: $0.36 + $0.036 + $0.12 + $0.10 (the run so far) = $0.616.
    QCOMPARE(text(&view, "runningTotal"), u"$0.15"_s);
    QCOMPARE(text(&view, "todayTotal"), u"$0.62"_s);
    QCOMPARE(text(&view, "monthTotal"), u"$0.62"_s);
    QVERIFY2(text(&view, "budgetText").startsWith(u"$0.62 of the $1.00 monthly budget (61 %)"_s),
             qPrintable(text(&view, "budgetText")));
    const auto *bar = view.findChild<QProgressBar *>(u"monthBudget"_s);
    QVERIFY(bar && bar->isVisible());
    QCOMPARE(bar->value(), 616);

    // Per provider: E2B $0.46 this month (0.36 + 0.10 running), Claude $0.12, Fly $0.036.
    const CostSummaryModel *summary = view.summaryModel();
    QCOMPARE(summary->rowCount(), 3);
    const auto cell = [&](int row, CostSummaryModel::Column column) {
        return summary->index(row, int(column)).data().toString();
    };
    QCOMPARE(cell(0, CostSummaryModel::Column::Provider), u"E2B"_s);
    QCOMPARE(cell(0, CostSummaryModel::Column::Month), u"$0.46"_s);
    QCOMPARE(cell(0, CostSummaryModel::Column::Running), u"1"_s);
    QCOMPARE(cell(0, CostSummaryModel::Column::RunningCost), u"$0.15"_s);
    QCOMPARE(cell(1, CostSummaryModel::Column::Provider), u"Claude (generation)"_s);
    QCOMPARE(cell(1, CostSummaryModel::Column::Today), u"$0.12"_s);
    QCOMPARE(cell(2, CostSummaryModel::Column::Month), u"$0.04"_s);

    // The running session's row: countdown, cost so far, the whole session's quote ($0.72 + $0.05),
    // generation.
    const QTableView *sessionsView = view.sessionsView();
    QCOMPARE(sessionsView->model()->rowCount(), 1);
    const auto shown = [&](SessionTableModel::Column column) {
        return sessionsView->model()->index(0, int(column)).data().toString();
    };
    QCOMPARE(shown(SessionTableModel::Column::Name), u"running app"_s);
    QCOMPARE(shown(SessionTableModel::Column::Cost), u"$0.15"_s);
    QCOMPARE(shown(SessionTableModel::Column::Quote), u"$0.77"_s);
    QCOMPARE(shown(SessionTableModel::Column::Generation), u"$0.05"_s);
    QVERIFY(sessionsView->isColumnHidden(int(SessionTableModel::Column::Url)));

    // The chart: 30 days, today's bar the last, the daily budget $1 / days in month.
    const QList<DailySpend> days = view.chart()->days();
    QCOMPARE(days.size(), 30);
    QCOMPARE(days.last().day, now.toLocalTime().date());
    QVERIFY(qAbs(days.last().usd - 0.616) < 1e-9);
    QVERIFY(qAbs(view.chart()->dailyBudget() - 1.0 / now.toLocalTime().date().daysInMonth()) < 1e-12);
}

void TestCostView::deployBarFlagsAQuoteAboveTheTarget()
{
    const PricingCatalogue pricing = PricingCatalogue::shipped();
    DeployBar bar(pricing);
    ProviderCapabilities e2b;
    e2b.key = e2b.pricingKey = u"e2b"_s;
    e2b.displayName = u"E2B (Pro plan)"_s;
    e2b.maxLifetimeSeconds = 24 * 3600;
    e2b.canExtend = true;
    e2b.sizes = {u"base"_s, u"2cpu-2gib"_s};
    e2b.defaultSize = u"base"_s;
    bar.setProviders({e2b}, u"e2b"_s);
    bar.setDefaultLifetime(2 * 3600);
    // base for 2 h: 7,200 s × $0.00003025 = $0.2178.
    QVERIFY(qAbs(bar.quoteUsd() - 0.2178) < 1e-12);
    bar.setSessionTarget(0.50);
    QCOMPARE(bar.quoteText(), u"Quote: $0.22 for 2 h"_s);
    bar.setSessionTarget(0.2178); // exactly at the target: fine
    QVERIFY(!bar.quoteText().contains(u"target"_s));
    bar.setSessionTarget(0.20);
    QCOMPARE(bar.quoteText(), u"⚠ Quote: $0.22 for 2 h, above your $0.20 per-session target"_s);
    bar.choose(u"e2b"_s, u"2cpu-2gib"_s); // 7,200 s × $0.000037 = $0.2664
    QCOMPARE(bar.size(), u"2cpu-2gib"_s);
    QVERIFY(qAbs(bar.quoteUsd() - 0.2664) < 1e-12);
    bar.setSessionTarget(0);
    QCOMPARE(bar.quoteText(), u"Quote: $0.27 for 2 h"_s);
    // What generating the app cost counts against the target too: the session costs both.
    bar.setSessionTarget(0.30);
    QCOMPARE(bar.quoteText(), u"Quote: $0.27 for 2 h"_s);
    bar.setGenerationCost(0.06);
    QCOMPARE(bar.quoteText(),
             u"⚠ Quote: $0.27 for 2 h + $0.06 generation, above your $0.30 per-session target"_s);
    bar.setGenerationCost(0);
    QCOMPARE(bar.quoteText(), u"Quote: $0.27 for 2 h"_s);
}

QTEST_MAIN(TestCostView)
#include "tst_costview.moc"
