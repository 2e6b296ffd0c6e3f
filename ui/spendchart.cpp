#include "spendchart.h"

#include "costmeter.h"

#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace {

// Stored amounts come from arithmetic on prices; a NaN, infinite or negative day must not break the scale.
double amount(double usd)
{
    return std::isfinite(usd) && usd > 0 ? usd : 0;
}

// An opaque blend, so lines and bars look the same on any window colour and pixels can be compared.
QColor mix(const QColor &from, const QColor &to, double toAmount)
{
    const auto channel = [toAmount](double a, double b) { return a + (b - a) * toAmount; };
    return QColor::fromRgbF(float(channel(from.redF(), to.redF())), float(channel(from.greenF(), to.greenF())),
                            float(channel(from.blueF(), to.blueF())));
}

// As formatUsd() for whole cents ("$0.50"), whole dollars without cents ("$5"), and as many decimals as the
// step needs below that, so "$0.025" and "$0.05" stay distinct.
QString axisLabel(double usd, double step)
{
    int decimals = 2;
    if (step >= 1 && std::fmod(step, 1.0) == 0) {
        decimals = 0;
    } else {
        while (decimals < 6) {
            const double scaled = step * std::pow(10.0, decimals);
            if (std::abs(scaled - std::round(scaled)) < 1e-6)
                break;
            ++decimals;
        }
    }
    return u"$"_s + QString::number(usd, 'f', decimals);
}

} // namespace

double SpendChart::Layout::valueToY(double usd) const
{
    return top > 0 ? plot.bottom() - usd / top * plot.height() : plot.bottom();
}

SpendChart::SpendChart(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    updateAccessibleText();
}

void SpendChart::setDays(const QList<DailySpend> &days)
{
    if (days == m_days)
        return;
    m_days = days;
    updateAccessibleText();
    update();
}

void SpendChart::setDailyBudget(double usd)
{
    usd = amount(usd);
    if (usd == m_dailyBudget)
        return;
    m_dailyBudget = usd;
    updateAccessibleText();
    update();
}

bool SpendChart::hasSpend() const
{
    return std::any_of(m_days.cbegin(), m_days.cend(), [](const DailySpend &d) { return amount(d.usd) > 0; });
}

QList<double> SpendChart::niceTicks(double maxValue, int maxIntervals)
{
    maxValue = amount(maxValue) > 0 ? maxValue : 0.01;
    maxIntervals = std::max(1, maxIntervals);
    double magnitude = std::pow(10.0, std::floor(std::log10(maxValue / maxIntervals)));
    for (;;) {
        for (const double mantissa : {1.0, 2.0, 2.5, 5.0}) {
            const double step = mantissa * magnitude;
            // ceil() on a quotient with rounding noise (0.6 / 0.2 = 2.9999…) can be one off either way.
            int intervals = std::max(1, int(std::ceil(maxValue / step)));
            if (intervals > 1 && (intervals - 1) * step >= maxValue)
                --intervals;
            if (intervals * step < maxValue)
                ++intervals;
            if (intervals > maxIntervals)
                continue;
            QList<double> ticks;
            for (int i = 0; i <= intervals; ++i)
                ticks.append(i * step);
            return ticks;
        }
        magnitude *= 10; // ten times the rough step always fits
    }
}

SpendChart::Layout SpendChart::layout() const
{
    Layout l;
    const QFontMetricsF fm(font());
    const double lineHeight = std::ceil(fm.height());
    const double gap = std::max(2.0, std::round(lineHeight / 4));
    const QRectF area = contentsRect();

    // Half a line above for the top tick's label, a line below for the dates.
    const double plotTop = area.top() + std::ceil(lineHeight / 2);
    const double plotBottom = std::max(plotTop + 1, area.bottom() - lineHeight - gap);
    // Ticks at least a line and a half apart, so their labels never touch.
    const int maxIntervals = std::clamp(int((plotBottom - plotTop) / (1.5 * lineHeight)), 1, 3);

    double highest = m_dailyBudget;
    for (const DailySpend &d : m_days)
        highest = std::max(highest, amount(d.usd));
    l.ticks = niceTicks(highest, maxIntervals);
    l.top = l.ticks.constLast();
    const double step = l.ticks.at(1) - l.ticks.at(0);

    QStringList tickTexts;
    double labelWidth = 0;
    for (const double tick : std::as_const(l.ticks)) {
        tickTexts.append(axisLabel(tick, step));
        labelWidth = std::max(labelWidth, fm.horizontalAdvance(tickTexts.constLast()));
    }
    labelWidth = std::ceil(labelWidth);
    // Room on the right for half of today's date, so it sits centred under its bar like the others.
    const QLocale locale;
    const auto dateText = [&locale](const DailySpend &d) { return locale.toString(d.day, u"d MMM"_s); };
    const double plotLeft = area.left() + labelWidth + gap;
    double rightMargin = 0;
    if (!m_days.isEmpty()) {
        const double roughSlot = (area.right() - plotLeft) / double(m_days.size());
        const double todayWidth = fm.horizontalAdvance(dateText(m_days.constLast()));
        rightMargin = std::max(0.0, std::ceil((todayWidth - roughSlot) / 2));
    }
    l.plot = QRectF(QPointF(plotLeft, plotTop), QPointF(area.right() - rightMargin, plotBottom));

    for (qsizetype i = 0; i < l.ticks.size(); ++i) {
        const double y = std::round(l.valueToY(l.ticks.at(i)));
        l.labels.append({QRectF(area.left(), y - lineHeight / 2, labelWidth, lineHeight), tickTexts.at(i),
                         Qt::AlignRight | Qt::AlignVCenter});
    }

    if (m_days.isEmpty() || l.plot.width() <= 0)
        return l;
    l.slot = l.plot.width() / double(m_days.size());
    // Whole pixels, so every bar has sharp edges and the gaps look even; no gap once bars get very thin.
    const double barGap = l.slot >= 3 ? std::max(1.0, std::round(l.slot / 4)) : 0;
    for (qsizetype i = 0; i < m_days.size(); ++i) {
        const double usd = amount(m_days.at(i).usd);
        const double left = std::round(l.plot.left() + i * l.slot + barGap / 2);
        const double right = std::max(left + 1, std::round(l.plot.left() + (i + 1) * l.slot - barGap / 2));
        double top = std::round(l.valueToY(usd));
        if (usd > 0)
            top = std::min(top, l.plot.bottom() - 1); // a tenth of a cent still shows
        l.bars.append(QRectF(QPointF(left, top), QPointF(right, l.plot.bottom())));
    }

    // A date every week, counted back from today; one that would touch its right-hand neighbour (a narrow
    // chart) or not fit is left out.
    QRectF previous;
    for (qsizetype i = m_days.size() - 1; i >= 0; i -= 7) {
        const QString text = dateText(m_days.at(i));
        const double width = std::ceil(fm.horizontalAdvance(text));
        const double centre = l.plot.left() + (double(i) + 0.5) * l.slot;
        const double x = std::clamp(centre - width / 2, l.plot.left(), std::max(l.plot.left(), area.right() - width));
        const QRectF rect(x, plotBottom + gap, width, lineHeight);
        if (rect.right() > area.right() || (!previous.isNull() && rect.right() + 2 * gap > previous.left()))
            continue;
        l.labels.append({rect, text, Qt::AlignCenter});
        previous = rect;
    }
    return l;
}

int SpendChart::barAt(const QPoint &pos) const
{
    if (!hasSpend())
        return -1; // the chart shows its no-spend message instead
    const Layout l = layout();
    if (l.slot <= 0 || !l.plot.contains(pos))
        return -1;
    const auto index = qsizetype((pos.x() - l.plot.left()) / l.slot);
    return index < m_days.size() ? int(index) : -1;
}

QString SpendChart::toolTipFor(int index) const
{
    if (index < 0 || index >= m_days.size())
        return {};
    const DailySpend &d = m_days.at(index);
    //: A bar's tooltip: the day ("Sat 14 Nov") and what was spent on it ("$0.42").
    return tr("%1: %2").arg(QLocale().toString(d.day, u"ddd d MMM"_s), formatUsd(amount(d.usd)));
}

void SpendChart::updateAccessibleText()
{
    const auto n = int(m_days.size());
    setAccessibleName(tr("Spend per day, last %n days", nullptr, n));
    QStringList sentences;
    if (!hasSpend()) {
        sentences.append(tr("No spend."));
    } else {
        double total = 0;
        qsizetype highest = 0;
        for (qsizetype i = 0; i < m_days.size(); ++i) {
            total += amount(m_days.at(i).usd);
            if (amount(m_days.at(i).usd) > amount(m_days.at(highest).usd))
                highest = i;
        }
        const DailySpend &top = m_days.at(highest);
        sentences.append(tr("Total %1, highest %2 on %3.")
                             .arg(formatUsd(total), formatUsd(top.usd),
                                  QLocale().toString(top.day, u"dddd d MMMM"_s)));
    }
    if (m_dailyBudget > 0)
        sentences.append(tr("Daily budget %1.").arg(formatUsd(m_dailyBudget)));
    setAccessibleDescription(sentences.join(u' '));
}

QSize SpendChart::sizeHint() const
{
    const int lineHeight = fontMetrics().height();
    return QSize(22 * lineHeight, 17 * lineHeight / 2); // about 360×140 at a 10-point font
}

QSize SpendChart::minimumSizeHint() const
{
    // Room for 2 ticks, 30 bars of 3 pixels and a date every week or two.
    const int lineHeight = fontMetrics().height();
    return QSize(11 * lineHeight, 5 * lineHeight);
}

void SpendChart::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QPalette &pal = palette();
    if (!hasSpend()) {
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(contentsRect(), Qt::AlignCenter | Qt::TextWordWrap,
                         tr("No spend in the last %n days", nullptr, int(m_days.size())));
        return;
    }

    const Layout l = layout();
    const QColor window = pal.color(QPalette::Window);
    const QColor ink = pal.color(QPalette::WindowText);
    const QColor highlight = pal.color(QPalette::Highlight);
    const double right = l.plot.right() - 1; // aliased lines include their last pixel

    for (const double tick : l.ticks) {
        painter.setPen(mix(window, ink, tick > 0 ? 0.12 : 0.35)); // the $0 line is the axis
        const double y = std::round(l.valueToY(tick));
        painter.drawLine(QPointF(l.plot.left(), y), QPointF(right, y));
    }

    // Today is still adding up: its bar a little stronger than the closed days'.
    const QColor pastBar = mix(window, highlight, 0.7);
    for (qsizetype i = 0; i < l.bars.size(); ++i)
        painter.fillRect(l.bars.at(i), i == l.bars.size() - 1 ? highlight : pastBar);

    if (m_dailyBudget > 0) {
        QPen pen(mix(window, ink, 0.6), 1);
        pen.setDashPattern({4, 3});
        painter.setPen(pen);
        const double y = std::round(l.valueToY(m_dailyBudget));
        painter.drawLine(QPointF(l.plot.left(), y), QPointF(right, y));
    }

    painter.setPen(pal.color(QPalette::PlaceholderText));
    for (const Label &label : l.labels)
        painter.drawText(label.rect, int(label.alignment), label.text);
}

bool SpendChart::event(QEvent *event)
{
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);
    const auto *help = static_cast<QHelpEvent *>(event);
    const int index = barAt(help->pos());
    if (index < 0) {
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    // The tip goes when the mouse leaves this day's column, so the next day's shows.
    const Layout l = layout();
    const QRectF column(l.plot.left() + index * l.slot, l.plot.top(), l.slot, l.plot.height());
    QToolTip::showText(help->globalPos(), toolTipFor(index), this, column.toAlignedRect());
    return true;
}
