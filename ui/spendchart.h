#pragma once

#include <QDate>
#include <QList>
#include <QRectF>
#include <QString>
#include <QWidget>

struct DailySpend
{
    QDate day;
    double usd = 0;

    friend bool operator==(const DailySpend &, const DailySpend &) = default;
};

// Spend per day as a bar chart, painted by hand: a money axis with 2–4 round ticks, a light grid, one bar a
// day in the palette's highlight (today's a little stronger), a date every week and the daily budget as a
// dashed line. Colours come from the palette, so it follows the light and dark themes.
class SpendChart final : public QWidget
{
    Q_OBJECT
public:
    struct Label
    {
        QRectF rect;
        QString text;
        Qt::Alignment alignment;
    };

    // Where everything goes at the current size, font and data. paintEvent() draws it; barAt() and the
    // tests read it, so neither repeats the geometry.
    struct Layout
    {
        QRectF plot;          // grid, bars and budget line; $0 is its bottom edge, `top` its top edge
        double top = 0;       // the highest tick, ≥ every day and the budget
        QList<double> ticks;  // 0 first, then evenly up to `top`
        QList<QRectF> bars;   // one per day, in whole pixels; empty for $0
        QList<Label> labels;  // the ticks' amounts and the dates, all outside `plot`
        double slot = 0;      // the width each day gets, bar and gap

        double valueToY(double usd) const;
    };

    explicit SpendChart(QWidget *parent = nullptr);

    // Days oldest first, consecutive. Repaints only when something changed.
    void setDays(const QList<DailySpend> &days);
    // The monthly budget spread over the days of a month (budget / days in month), drawn as a dashed
    // reference line when > 0; 0 hides it.
    void setDailyBudget(double usd);
    QList<DailySpend> days() const { return m_days; }
    double dailyBudget() const { return m_dailyBudget; }

    // The bar under a point (index into days()), -1 if none: anywhere in the day's column of the plot,
    // so a small bar is as easy to point at as a tall one.
    int barAt(const QPoint &pos) const;
    // "Sat 14 Nov: $0.42"; empty for an index out of range.
    QString toolTipFor(int index) const;
    Layout layout() const;
    // Round axis values: 1, 2, 2.5 or 5 × 10ⁿ per step, at most `maxIntervals` steps to reach `maxValue`.
    static QList<double> niceTicks(double maxValue, int maxIntervals);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    bool hasSpend() const;
    void updateAccessibleText();

    QList<DailySpend> m_days;
    double m_dailyBudget = 0;
};
