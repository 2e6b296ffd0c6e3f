// What the cost view computes: spend split over days and providers, the per-provider table (a real model
// under QAbstractItemModelTester), and the budget's decisions at exactly their thresholds.
#include "budget.h"
#include "costexplanation.h"
#include "costsummarymodel.h"
#include "providercomparisonmodel.h"
#include "spendbreakdown.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QDate kToday(2026, 11, 29);

QDateTime localAt(QDate day, int hour, int minute = 0)
{
    return QDateTime(day, QTime(hour, minute));
}

LedgerEntry runtimeLine(const QString &provider, const QDateTime &start, qint64 seconds, double usd)
{
    LedgerEntry line;
    line.kind = LedgerEntry::Kind::Runtime;
    line.provider = provider;
    line.startedAt = start.toUTC();
    line.seconds = seconds;
    line.at = start.addSecs(seconds).toUTC();
    line.usd = usd;
    return line;
}

LedgerEntry generationLine(const QDateTime &at, double usd)
{
    LedgerEntry line;
    line.kind = LedgerEntry::Kind::Generation;
    line.provider = u"claude"_s;
    line.at = at.toUTC();
    line.usd = usd;
    return line;
}

Session running(const QString &provider, const QDateTime &startedAt, double rate, double generation = 0)
{
    Session s;
    s.id = provider + QString::number(startedAt.toSecsSinceEpoch());
    s.provider = provider;
    s.state = SessionState::Running;
    s.startedAt = startedAt.toUTC();
    s.expiresAt = s.startedAt.addSecs(7200);
    s.ttlSeconds = 7200;
    s.ratePerSecond = rate;
    s.generationCostUsd = generation;
    return s;
}

bool near(double a, double b)
{
    return qAbs(a - b) < 1e-9;
}

} // namespace

class TestCostSummary : public QObject
{
    Q_OBJECT

private slots:
    void runSplitOverDays();
    void runAcrossTheMonthsEnd();
    void generationsAndExtensions();
    void runningSessionsCountSoFar();
    void rangeClamps();

    void summaryRows();
    void summaryModelUnderTester();
    void summaryModelEmitsOnlyChangedCells();

    void alertsFireExactlyAtThresholds_data();
    void alertsFireExactlyAtThresholds();
    void alertsOncePerMonthAndAcrossRestarts();
    void sessionTarget();
    void projectionCrossesBudget();
    void explanationShowsItsWork();
    void comparisonRows();
};

void TestCostSummary::runSplitOverDays()
{
    SpendBreakdown spend(kToday.addDays(-29), kToday);
    // 22:00 to 02:00: half on each day.
    spend.add(runtimeLine(u"e2b"_s, localAt(kToday.addDays(-1), 22), 4 * 3600, 0.40));
    QVERIFY(near(spend.onDay(kToday.addDays(-1)), 0.20));
    QVERIFY(near(spend.onDay(kToday), 0.20));
    QVERIFY(near(spend.total(kToday.addDays(-29), kToday), 0.40));
    QCOMPARE(spend.daily(kToday.addDays(-2), kToday).size(), 3);
    QVERIFY(near(spend.daily(kToday.addDays(-2), kToday).at(0), 0.0));
}

void TestCostSummary::runAcrossTheMonthsEnd()
{
    SpendBreakdown spend(QDate(2026, 10, 1), QDate(2026, 11, 30));
    // 31 October 23:30 to 1 November 00:30 at $0.0001/s: $0.18 in each month.
    spend.add(runtimeLine(u"fly"_s, localAt(QDate(2026, 10, 31), 23, 30), 3600, 0.36));
    QVERIFY(near(spend.total(QDate(2026, 10, 1), QDate(2026, 10, 31)), 0.18));
    QVERIFY(near(spend.total(u"fly"_s, QDate(2026, 11, 1), QDate(2026, 11, 30)), 0.18));
    QCOMPARE(spend.providers(), QStringList{u"fly"_s});
}

void TestCostSummary::generationsAndExtensions()
{
    SpendBreakdown spend(kToday.addDays(-29), kToday);
    spend.add(generationLine(localAt(kToday, 9), 0.12));
    LedgerEntry extension;
    extension.kind = LedgerEntry::Kind::Extension;
    extension.provider = u"e2b"_s;
    extension.at = localAt(kToday, 10).toUTC();
    extension.quotedUsd = 0.11;
    extension.seconds = 3600;
    spend.add(extension); // committed, not spent: its run's line counts it
    QVERIFY(near(spend.onDay(kToday), 0.12));
    QCOMPARE(spend.providers(), QStringList{u"claude"_s});
}

void TestCostSummary::runningSessionsCountSoFar()
{
    SpendBreakdown spend(kToday.addDays(-29), kToday);
    const QDateTime start = localAt(kToday, 8);
    Session e2b = running(u"e2b"_s, start, 0.0001, 0.05);
    spend.addRunning(e2b, start.addSecs(1000).toUTC());
    QVERIFY(near(spend.onDay(kToday), 0.1)); // runtime only: its generation has its own ledger line
    Session ended = e2b;
    ended.state = SessionState::Ended;
    spend.addRunning(ended, start.addSecs(2000).toUTC()); // its Runtime line counts it
    QVERIFY(near(spend.onDay(kToday), 0.1));
    spend.addRunning(running(u"local"_s, start, 0.5), start.addSecs(1000).toUTC()); // Local is free
    QVERIFY(near(spend.onDay(kToday), 0.1));
}

void TestCostSummary::rangeClamps()
{
    SpendBreakdown spend(kToday.addDays(-1), kToday);
    spend.add(generationLine(localAt(kToday.addDays(-5), 9), 1.0)); // before the range: not counted
    spend.add(runtimeLine(u"e2b"_s, localAt(kToday.addDays(-2), 12), 2 * 86400, 0.48));
    QVERIFY(near(spend.total(kToday.addDays(-10), kToday.addDays(10)), 0.36)); // 36 of its 48 hours
    QCOMPARE(SpendBreakdown().total(kToday, kToday), 0.0);
}

void TestCostSummary::summaryRows()
{
    SpendBreakdown spend(QDate(2026, 10, 31), kToday);
    spend.add(runtimeLine(u"e2b"_s, localAt(kToday.addDays(-3), 10), 7200, 0.2178));
    spend.add(runtimeLine(u"e2b"_s, localAt(kToday, 10), 3600, 0.1089));
    spend.add(runtimeLine(u"fly"_s, localAt(QDate(2026, 10, 31), 10), 3600, 5.0)); // last month
    spend.add(generationLine(localAt(kToday, 9), 0.30));
    const QDateTime now = localAt(kToday, 12).toUTC();
    const QList<Session> live = {running(u"e2b"_s, localAt(kToday, 11), 0.0001, 0.02),
                                 running(u"local"_s, localAt(kToday, 11), 0, 0.04)};
    const auto rows = CostSummaryModel::figures(spend, live, now, kToday,
                                                {{u"e2b"_s, u"E2B"_s}, {u"claude"_s, u"Claude"_s}});
    QCOMPARE(rows.size(), 4);
    QCOMPARE(rows.at(0).key, u"e2b"_s); // dearest month first
    QCOMPARE(rows.at(0).name, u"E2B"_s);
    QVERIFY(near(rows.at(0).monthUsd, 0.3267));
    QVERIFY(near(rows.at(0).todayUsd, 0.1089));
    QCOMPARE(rows.at(0).running, 1);
    QVERIFY(near(rows.at(0).runningUsd, 0.38)); // 3,600 s × $0.0001 + $0.02
    QCOMPARE(rows.at(1).key, u"claude"_s);
    QVERIFY(near(rows.at(1).monthUsd, 0.30));
    // Fly spent only last month; Local runs now for free: both rows show, at $0 this month.
    QCOMPARE(rows.at(2).key, u"fly"_s);
    QCOMPARE(rows.at(2).monthUsd, 0.0);
    QCOMPARE(rows.at(3).key, u"local"_s);
    QCOMPARE(rows.at(3).running, 1);
    QVERIFY(near(rows.at(3).runningUsd, 0.04));
}

void TestCostSummary::summaryModelUnderTester()
{
    CostSummaryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    CostSummaryModel::Row e2b{u"e2b"_s, u"E2B"_s, 2, 0.5, 0.25, 3.5};
    CostSummaryModel::Row claude{u"claude"_s, u"Claude"_s, 0, 0, 0.1, 1.2};
    model.setRows({e2b, claude});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(CostSummaryModel::Column::Count));
    const auto cell = [&](int row, CostSummaryModel::Column column, int role = Qt::DisplayRole) {
        return model.data(model.index(row, int(column)), role);
    };
    QCOMPARE(cell(0, CostSummaryModel::Column::Provider).toString(), u"E2B"_s);
    QCOMPARE(cell(0, CostSummaryModel::Column::Running).toString(), u"2"_s);
    QCOMPARE(cell(0, CostSummaryModel::Column::Month).toString(), u"$3.50"_s);
    QCOMPARE(cell(0, CostSummaryModel::Column::Month, CostSummaryModel::RawValueRole).toDouble(), 3.5);
    QVERIFY(!cell(1, CostSummaryModel::Column::Running).isValid()); // nothing running: blank, not "0"
    QVERIFY(!cell(1, CostSummaryModel::Column::RunningCost).isValid());
    QCOMPARE(cell(1, CostSummaryModel::Column::Provider, CostSummaryModel::ProviderKeyRole).toString(),
             u"claude"_s);
    model.setRows({claude});
    model.setRows({});
    model.setRows({e2b, claude});
    QCOMPARE(model.rowCount(), 2);
}

void TestCostSummary::summaryModelEmitsOnlyChangedCells()
{
    CostSummaryModel model;
    CostSummaryModel::Row e2b{u"e2b"_s, u"E2B"_s, 1, 0.5, 0.25, 3.5};
    model.setRows({e2b});
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setRows({e2b});
    QCOMPARE(changed.size(), 0);
    e2b.runningUsd = 0.51; // a tick
    model.setRows({e2b});
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex().column(), int(CostSummaryModel::Column::RunningCost));
    QCOMPARE(reset.size(), 0);
}

void TestCostSummary::alertsFireExactlyAtThresholds_data()
{
    QTest::addColumn<double>("spend");
    QTest::addColumn<int>("expected");
    // A $20.00 budget: 80 % is $16.00.
    QTest::newRow("below 80 %") << 15.99 << 0;
    QTest::newRow("a hundredth of a cent below 80 %") << 15.9999 << 0;
    QTest::newRow("exactly 80 %") << 16.00 << 80;
    QTest::newRow("80 % as the sum of many seconds") << 0.1 * 160 << 80;
    QTest::newRow("just below 100 %") << 19.999 << 80;
    QTest::newRow("exactly 100 %") << 20.00 << 100;
    QTest::newRow("over") << 25.0 << 100;
}

void TestCostSummary::alertsFireExactlyAtThresholds()
{
    QFETCH(double, spend);
    QFETCH(int, expected);
    BudgetAlerts alerts;
    QCOMPARE(alerts.check(spend, 20.0, kToday), expected);
    QCOMPARE(alerts.check(spend, 20.0, kToday), 0); // said once
}

void TestCostSummary::alertsOncePerMonthAndAcrossRestarts()
{
    BudgetAlerts alerts;
    QCOMPARE(alerts.check(10.0, 20.0, kToday), 0);
    QCOMPARE(alerts.check(16.5, 20.0, kToday), 80);
    QCOMPARE(alerts.check(17.0, 20.0, kToday), 0);
    QCOMPARE(alerts.state(), u"2026-11:80"_s);

    BudgetAlerts restarted;
    restarted.restore(alerts.state());
    QCOMPARE(restarted.check(17.0, 20.0, kToday), 0); // not again after a restart
    QCOMPARE(restarted.check(20.0, 20.0, kToday), 100);
    QCOMPARE(restarted.check(0.5, 20.0, QDate(2026, 12, 1)), 0); // a new month starts from none
    QCOMPARE(restarted.check(16.0, 20.0, QDate(2026, 12, 3)), 80);
    QCOMPARE(restarted.check(30.0, 0, QDate(2026, 12, 3)), 0); // no budget, no notices

    BudgetAlerts garbage;
    garbage.restore(u"not a state"_s);
    QCOMPARE(garbage.state(), QString());
    // Both thresholds at once (a big deploy, a restart late in the month): one notice, the higher.
    QCOMPARE(garbage.check(21.0, 20.0, kToday), 100);
}

void TestCostSummary::sessionTarget()
{
    QVERIFY(!Budget::exceedsTarget(0.50, 0.50));
    QVERIFY(!Budget::exceedsTarget(0.4999, 0.50));
    QVERIFY(Budget::exceedsTarget(0.5001, 0.50));
    QVERIFY(!Budget::exceedsTarget(99.0, 0)); // no target set
}

void TestCostSummary::projectionCrossesBudget()
{
    Budget::Projection p{.spentUsd = 15.0, .committedUsd = 4.0, .quoteUsd = 1.0, .budgetUsd = 20.0};
    QVERIFY(near(p.totalUsd(), 20.0));
    QVERIFY(!p.crossesBudget()); // exactly at the budget is within it
    p.quoteUsd = 1.01;
    QVERIFY(p.crossesBudget());
    p.budgetUsd = 0;
    QVERIFY(!p.crossesBudget());
}

void TestCostSummary::explanationShowsItsWork()
{
    QLocale::setDefault(QLocale::c());
    const QDateTime start(QDate(2026, 11, 20), QTime(10, 0), Qt::UTC);
    Session session = running(u"e2b"_s, start, 0.00003025, 0.0654);
    session.name = u"pomodoro <b>"_s;
    session.size = u"base"_s;
    session.state = SessionState::Ended;
    session.endedAt = start.addSecs(1000);
    session.rateBasis = {u"2 vCPU × $0.000014/s + 0.5 GiB × $0.0000045/s"_s, u"https://e2b.dev/pricing"_s,
                         u"2026-08"_s};
    LedgerEntry line = runtimeLine(u"e2b"_s, start, 1000, 0.03025);
    line.detail = u"stopped"_s;
    const QString html = CostExplanation::html(session, u"E2B"_s, {line}, start.addDays(3));
    for (const QString &expected :
         {u"pomodoro &lt;b&gt;"_s, u"$0.00003025/s ($0.11/h)"_s, session.rateBasis.how,
          session.rateBasis.source, u"2026-08"_s, u"1000 s (16 min 40 s) × $0.00003025/s = <b>$0.03</b>"_s,
          u"$0.07"_s, u"<b>$0.10</b>"_s /* total: 0.03025 + 0.0654 */, u"stopped"_s}) {
        QVERIFY2(html.contains(expected), qPrintable(expected + u"\n\n"_s + html));
    }
    session.provider = u"local"_s;
    QVERIFY(CostExplanation::html(session, u"Local"_s, {}, start).contains(u"free"_s));
}

void TestCostSummary::comparisonRows()
{
    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    const auto rows =
        ProviderComparisonModel::rows(catalogue, 7200, {{u"local"_s, {}}, {u"e2b"_s, u"Needs a key"_s}},
                                      {{u"local"_s, {0.09, 0.05, 0.07}}});
    const auto find = [&](const QString &provider, const QString &size) {
        return *std::find_if(rows.cbegin(), rows.cend(),
                             [&](const auto &row) { return row.provider == provider && row.size == size; });
    };
    int sizes = 0;
    for (const QString &key : catalogue.providers())
        sizes += int(catalogue.sizes(key).size());
    QCOMPARE(rows.size(), sizes); // every priced size of every provider
    const auto e2b = find(u"e2b"_s, u"base"_s);
    QVERIFY(near(e2b.usd, 0.2178)); // 7,200 s × $0.00003025
    QCOMPARE(e2b.status, u"Needs a key"_s);
    QVERIFY(!e2b.deployable);
    QCOMPARE(e2b.startText, u"~150 ms"_s);
    QCOMPARE(e2b.startSeconds, 0.15);
    const auto fly = find(u"fly"_s, u"shared-cpu-1x-256mb"_s);
    QVERIFY(near(fly.usd, 1.94 / 360)); // $1.94 per 30 days for 2 h
    QCOMPARE(fly.status, u"Not supported yet"_s);
    const auto local = find(u"local"_s, u"sandbox"_s);
    QVERIFY(local.deployable);
    QCOMPARE(local.measuredSeconds, 0.07); // the median of three
    QCOMPARE(local.startSeconds, 0.07);
    QVERIFY(find(u"runpod"_s, u"cpu3c-2-4"_s).estimate);

    ProviderComparisonModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows(rows);
    const int localRow = int(
        std::find_if(rows.cbegin(), rows.cend(), [](const auto &row) { return row.provider == u"local"; }) -
        rows.cbegin());
    const auto cell = [&](int row, ProviderComparisonModel::Column column, int role = Qt::DisplayRole) {
        return model.index(row, int(column)).data(role);
    };
    QCOMPARE(cell(localRow, ProviderComparisonModel::Column::Cost).toString(), u"Free"_s);
    QCOMPARE(cell(localRow, ProviderComparisonModel::Column::StartTime).toString(), u"70 ms here · < 1 s"_s);
    QCOMPARE(cell(localRow, ProviderComparisonModel::Column::Cost, ProviderComparisonModel::RawValueRole)
                 .toDouble(),
             0.0);
    QVERIFY(cell(localRow, ProviderComparisonModel::Column::Status, ProviderComparisonModel::DeployableRole)
                .toBool());
    model.setRows({});
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestCostSummary)
#include "tst_costsummary.moc"
