#include "costmeter.h"
#include "spendchart.h"

#include <QApplication>
#include <QHelpEvent>
#include <QImage>
#include <QLocale>
#include <QTest>
#include <QToolTip>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace {

const QDate kToday(2026, 11, 28); // a Saturday

// `values` ending today, oldest first.
QList<DailySpend> daysOf(const QList<double> &values)
{
    QList<DailySpend> days;
    for (qsizetype i = 0; i < values.size(); ++i)
        days.append({kToday.addDays(i - values.size() + 1), values.at(i)});
    return days;
}

// 30 days between $0 and $0.60, with a few days off.
QList<double> realisticMonth()
{
    QList<double> values;
    for (int i = 0; i < 30; ++i)
        values.append(i % 7 == 5 ? 0.0 : 0.05 + 0.55 * std::abs(std::sin(i * 1.7)));
    return values;
}

double largest(const QList<DailySpend> &days)
{
    double most = 0;
    for (const DailySpend &d : days)
        most = std::max(most, d.usd);
    return most;
}

QList<QSize> sizesToTry(const SpendChart &chart)
{
    return {chart.minimumSizeHint(), chart.sizeHint(), QSize(1200, 320), QSize(chart.minimumSizeHint().width(), 400)};
}

class PaintCounter final : public QObject
{
public:
    using QObject::QObject;
    int paints = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++paints;
        return QObject::eventFilter(watched, event);
    }
};

} // namespace

class TestSpendChart final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void roundTrip();
    void repaintsOnlyOnChange();
    void barAtMapsEveryBar();
    void toolTip();
    void niceTicks_data();
    void niceTicks();
    void axisCoversEveryDay_data();
    void axisCoversEveryDay();
    void layoutStaysInside_data();
    void layoutStaysInside();
    void rendersAnyData_data();
    void rendersAnyData();
    void budgetLineHeight();
    void barsFollowPalette();
    void accessibleText();
};

void TestSpendChart::initTestCase()
{
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedKingdom)); // "Sat 14 Nov"
}

void TestSpendChart::roundTrip()
{
    SpendChart chart;
    QVERIFY(chart.days().isEmpty());
    const QList<DailySpend> days = daysOf(realisticMonth());
    chart.setDays(days);
    QCOMPARE(chart.days(), days);
    chart.setDays({});
    QVERIFY(chart.days().isEmpty());
    chart.setDailyBudget(0.67);
    QCOMPARE(chart.dailyBudget(), 0.67);
    chart.setDailyBudget(-1); // no such thing as a negative budget: hidden
    QCOMPARE(chart.dailyBudget(), 0.0);
}

void TestSpendChart::repaintsOnlyOnChange()
{
    SpendChart chart;
    chart.setDays(daysOf(realisticMonth()));
    chart.resize(chart.sizeHint());
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    QCoreApplication::processEvents();

    PaintCounter counter;
    chart.installEventFilter(&counter);
    chart.setDays(daysOf(realisticMonth()));
    chart.setDailyBudget(0);
    QCoreApplication::processEvents();
    QCOMPARE(counter.paints, 0);

    chart.setDailyBudget(0.67);
    QTRY_VERIFY(counter.paints > 0);
}

void TestSpendChart::barAtMapsEveryBar()
{
    SpendChart chart;
    chart.setDays(daysOf(realisticMonth()));
    for (const QSize &size : sizesToTry(chart)) {
        chart.resize(size);
        const SpendChart::Layout layout = chart.layout();
        QCOMPARE(layout.bars.size(), 30);
        for (int i = 0; i < 30; ++i) {
            const QRectF bar = layout.bars.at(i);
            QVERIFY2(bar.width() >= 1, qPrintable(u"bar %1 at %2×%3"_s.arg(i).arg(size.width()).arg(size.height())));
            if (i > 0)
                QVERIFY(layout.bars.at(i - 1).right() <= bar.left()); // never overlapping
            QCOMPARE(chart.barAt(bar.center().toPoint()), i);
            // A day with little or no spend is as easy to point at: its whole column counts.
            QCOMPARE(chart.barAt(QPointF(bar.center().x(), layout.plot.top() + 1).toPoint()), i);
        }
        const int middle = int(layout.plot.center().y());
        QCOMPARE(chart.barAt(QPoint(int(layout.plot.left()) - 2, middle)), -1);
        QCOMPARE(chart.barAt(QPoint(1, middle)), -1);
        QCOMPARE(chart.barAt(QPoint(int(layout.plot.center().x()), int(layout.plot.bottom()) + 4)), -1);
        QCOMPARE(chart.barAt(QPoint(size.width() + 5, middle)), -1);
    }

    chart.setDays(daysOf(QList<double>(30, 0.0)));
    QCOMPARE(chart.barAt(chart.rect().center()), -1); // only the no-spend message shows
}

void TestSpendChart::toolTip()
{
    SpendChart chart;
    QList<double> values = realisticMonth();
    values[15] = 0.42; // 14 Nov
    values[16] = 0.0042;
    chart.setDays(daysOf(values));
    QCOMPARE(chart.toolTipFor(15), u"Sat 14 Nov: $0.42"_s);
    QCOMPARE(chart.toolTipFor(16), u"Sun 15 Nov: $0.0042"_s);
    QCOMPARE(chart.toolTipFor(29), u"Sat 28 Nov: "_s + formatUsd(values.at(29)));
    QVERIFY(chart.toolTipFor(-1).isEmpty());
    QVERIFY(chart.toolTipFor(30).isEmpty());

    // The real thing: a tooltip event over the bar.
    chart.resize(chart.sizeHint());
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const QPoint centre = chart.layout().bars.at(15).center().toPoint();
    QHelpEvent help(QEvent::ToolTip, centre, chart.mapToGlobal(centre));
    QApplication::sendEvent(&chart, &help);
    QTRY_COMPARE(QToolTip::text(), u"Sat 14 Nov: $0.42"_s);
    QToolTip::hideText();
}

void TestSpendChart::niceTicks_data()
{
    QTest::addColumn<double>("maxValue");
    QTest::addColumn<int>("maxIntervals");
    QTest::addColumn<QList<double>>("ticks");

    QTest::newRow("60 cents") << 0.6 << 3 << QList<double>{0, 0.2, 0.4, 0.6};
    QTest::newRow("budget 67 cents") << 0.67 << 3 << QList<double>{0, 0.25, 0.5, 0.75};
    QTest::newRow("30 cents, noisy quotient") << 0.3 << 3 << QList<double>{0, 0.1, 0.2, 0.3};
    QTest::newRow("two ticks only") << 0.67 << 1 << QList<double>{0, 1};
    QTest::newRow("a dollar") << 1.0 << 3 << QList<double>{0, 0.5, 1};
    QTest::newRow("a hundredth of a cent") << 0.0001 << 3 << QList<double>{0, 0.00005, 0.0001};
    QTest::newRow("hundreds") << 420.0 << 3 << QList<double>{0, 200, 400, 600};
    QTest::newRow("nothing") << 0.0 << 3 << QList<double>{0, 0.005, 0.01};
}

void TestSpendChart::niceTicks()
{
    QFETCH(double, maxValue);
    QFETCH(int, maxIntervals);
    QFETCH(QList<double>, ticks);
    const QList<double> actual = SpendChart::niceTicks(maxValue, maxIntervals);
    QCOMPARE(actual.size(), ticks.size());
    for (qsizetype i = 0; i < ticks.size(); ++i)
        QVERIFY2(std::abs(actual.at(i) - ticks.at(i)) < 1e-12, qPrintable(QString::number(actual.at(i))));
}

void TestSpendChart::axisCoversEveryDay_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<double>("budget");

    QTest::newRow("month") << realisticMonth() << 0.0;
    QTest::newRow("month, budget above") << realisticMonth() << 0.67;
    QTest::newRow("month, budget below") << realisticMonth() << 0.1;
    QList<double> huge(30, 0.2);
    huge[10] = 200;
    QTest::newRow("one huge day") << huge << 0.67;
    QTest::newRow("tiny") << QList<double>(30, 0.0001) << 0.0;
    QTest::newRow("just above a tick") << QList<double>{0.1, 0.30000000001, 0.2} << 0.0;
}

void TestSpendChart::axisCoversEveryDay()
{
    QFETCH(QList<double>, values);
    QFETCH(double, budget);
    SpendChart chart;
    chart.setDays(daysOf(values));
    chart.setDailyBudget(budget);
    for (const QSize &size : sizesToTry(chart)) {
        chart.resize(size);
        const SpendChart::Layout layout = chart.layout();
        QVERIFY(layout.ticks.size() >= 2 && layout.ticks.size() <= 4);
        QCOMPARE(layout.ticks.constFirst(), 0.0);
        QCOMPARE(layout.top, layout.ticks.constLast());
        QVERIFY2(layout.top >= largest(chart.days()), qPrintable(QString::number(layout.top)));
        QVERIFY(layout.top >= budget);
        QCOMPARE(layout.valueToY(0), layout.plot.bottom());
        QCOMPARE(layout.valueToY(layout.top), layout.plot.top());
        for (const QRectF &bar : layout.bars) // contains() is false for the empty bar of a $0 day
            QVERIFY(bar.left() >= layout.plot.left() && bar.right() <= layout.plot.right() &&
                    bar.top() >= layout.plot.top() && bar.bottom() <= layout.plot.bottom());
    }
}

void TestSpendChart::layoutStaysInside_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<double>("budget");

    QTest::newRow("month") << realisticMonth() << 0.67;
    QList<double> huge(30, 1.5);
    huge[29] = 1500;
    QTest::newRow("wide amounts") << huge << 0.0;
    QTest::newRow("tiny") << QList<double>(30, 0.0001) << 0.0;
    QTest::newRow("a week") << QList<double>{0.1, 0.2, 0.3, 0.1, 0.0, 0.5, 0.2} << 0.0;
}

void TestSpendChart::layoutStaysInside()
{
    QFETCH(QList<double>, values);
    QFETCH(double, budget);
    SpendChart chart;
    chart.setDays(daysOf(values));
    chart.setDailyBudget(budget);
    for (const QSize &size : sizesToTry(chart)) {
        chart.resize(size);
        const SpendChart::Layout layout = chart.layout();
        const QString where = u"%1×%2"_s.arg(size.width()).arg(size.height());
        QVERIFY2(QRectF(chart.rect()).contains(layout.plot), qPrintable(where));
        int dates = 0;
        for (qsizetype i = 0; i < layout.labels.size(); ++i) {
            const SpendChart::Label &label = layout.labels.at(i);
            const QString what = where + u" "_s + label.text;
            QVERIFY2(QRectF(chart.rect()).contains(label.rect), qPrintable(what));
            QVERIFY2(!label.rect.intersects(layout.plot), qPrintable(what)); // so no bar covers it
            for (qsizetype j = 0; j < i; ++j)
                QVERIFY2(!label.rect.intersects(layout.labels.at(j).rect), qPrintable(what));
            if (label.text.contains(u' '))
                ++dates;
        }
        QVERIFY2(dates >= 1, qPrintable(where));
    }
}

void TestSpendChart::rendersAnyData_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<double>("budget");

    QTest::newRow("all zero") << QList<double>(30, 0.0) << 0.67;
    QTest::newRow("no days") << QList<double>{} << 0.0;
    QList<double> huge(30, 0.3);
    huge[3] = 300;
    QTest::newRow("one huge day") << huge << 0.67;
    QTest::newRow("tiny") << QList<double>(30, 0.0001) << 0.0;
    QTest::newRow("one day") << QList<double>{0.25} << 0.0;
    QTest::newRow("not a number") << QList<double>{0.1, std::nan(""), HUGE_VAL, -3.0, 0.2} << 0.67;
}

void TestSpendChart::rendersAnyData()
{
    QFETCH(QList<double>, values);
    QFETCH(double, budget);
    SpendChart chart;
    chart.setDays(daysOf(values));
    chart.setDailyBudget(budget);
    for (const QSize &size : {chart.minimumSizeHint(), chart.sizeHint(), QSize(20, 10)}) {
        chart.resize(size);
        const QImage image = chart.grab().toImage();
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), size);
        if (size == QSize(20, 10))
            continue; // below the minimum: it only must not crash
        // Something was drawn: bars, labels or the no-spend message.
        const QRgb first = image.pixel(0, 0);
        bool varied = false;
        for (int y = 0; y < image.height() && !varied; ++y)
            for (int x = 0; x < image.width() && !varied; ++x)
                varied = image.pixel(x, y) != first;
        QVERIFY(varied);
    }
}

void TestSpendChart::budgetLineHeight()
{
    SpendChart chart;
    chart.setDays(daysOf(realisticMonth()));
    chart.resize(chart.sizeHint());
    const QImage without = chart.grab().toImage();
    const double topWithout = chart.layout().top;
    chart.setDailyBudget(0.3);
    const QImage with = chart.grab().toImage();
    const SpendChart::Layout layout = chart.layout();
    QCOMPARE(layout.top, topWithout); // the budget is below the highest day: same scale
    const int expectedY = int(std::round(layout.valueToY(0.3)));
    QVERIFY(expectedY > layout.plot.top() && expectedY < layout.plot.bottom());

    int changed = 0;
    for (int y = 0; y < with.height(); ++y) {
        for (int x = 0; x < with.width(); ++x) {
            if (with.pixel(x, y) == without.pixel(x, y))
                continue;
            QCOMPARE(y, expectedY);
            QVERIFY(x >= layout.plot.left() && x < layout.plot.right());
            ++changed;
        }
    }
    // Dashed across the plot, over bars and gaps alike.
    QVERIFY2(changed > layout.plot.width() / 3, qPrintable(QString::number(changed)));

    // A budget above every day raises the scale so the line still shows.
    chart.setDailyBudget(2.0);
    QVERIFY(chart.layout().top >= 2.0);
}

void TestSpendChart::barsFollowPalette()
{
    for (const QColor highlight : {QColor(0x2a72b5), QColor(0x8e44ad)}) {
        SpendChart chart;
        QPalette palette = chart.palette();
        palette.setColor(QPalette::Window, highlight == QColor(0x2a72b5) ? QColor(0xefefef) : QColor(0x2b2d30));
        palette.setColor(QPalette::Highlight, highlight);
        chart.setPalette(palette);
        chart.setDays(daysOf(QList<double>(30, 0.5)));
        chart.resize(chart.sizeHint());
        const QImage image = chart.grab().toImage();
        const SpendChart::Layout layout = chart.layout();
        const QColor today = image.pixelColor(layout.bars.at(29).center().toPoint());
        const QColor yesterday = image.pixelColor(layout.bars.at(28).center().toPoint());
        QCOMPARE(today, highlight);
        QVERIFY(yesterday != today);
        QVERIFY(std::abs(yesterday.hue() - highlight.hue()) <= 3); // the same colour, a little weaker
    }
}

void TestSpendChart::accessibleText()
{
    SpendChart chart;
    QList<double> values(30, 0.1);
    values[15] = 0.42;
    chart.setDays(daysOf(values));
    QCOMPARE(chart.accessibleName(), u"Spend per day, last 30 days"_s);
    const QString description = chart.accessibleDescription();
    QVERIFY2(description.contains(formatUsd(29 * 0.1 + 0.42)), qPrintable(description));
    QVERIFY2(description.contains(u"$0.42"_s), qPrintable(description));
    QVERIFY2(description.contains(u"14 November"_s), qPrintable(description));

    chart.setDailyBudget(0.67);
    QVERIFY(chart.accessibleDescription().contains(u"$0.67"_s));
    chart.setDays(daysOf(QList<double>(30, 0.0)));
    QVERIFY(chart.accessibleDescription().startsWith(u"No spend"_s));
}

QTEST_MAIN(TestSpendChart)
#include "tst_spendchart.moc"
