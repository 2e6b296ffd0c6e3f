#include "timeleftdelegate.h"

#include "sessiontablemodel.h"

#include <QApplication>
#include <QPainter>
#include <QPalette>
#include <QStyle>
#include <QStyleOptionProgressBar>

#include <algorithm>
#include <cmath>

namespace {

// Mid-tone fills that keep their hue on a light or a dark base; the text on them is picked for contrast.
const QColor kAmber(0xe6, 0x95, 0x00);
const QColor kRed(0xd3, 0x2f, 0x2f);
constexpr int kSteps = 1000;

} // namespace

TimeLeftDelegate::TimeLeftDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{}

TimeLeftDelegate::Urgency TimeLeftDelegate::urgency(qint64 secondsLeft)
{
    if (secondsLeft < kImminentSeconds)
        return Urgency::Imminent;
    if (secondsLeft < kSoonSeconds)
        return Urgency::Soon;
    return Urgency::Normal;
}

QColor TimeLeftDelegate::fillColor(Urgency urgency, const QPalette &palette)
{
    switch (urgency) {
    case Urgency::Normal:
        return palette.color(QPalette::Active, QPalette::Highlight);
    case Urgency::Soon:
        return kAmber;
    case Urgency::Imminent:
        return kRed;
    }
    return palette.color(QPalette::Active, QPalette::Highlight);
}

QColor TimeLeftDelegate::textOnFillColor(Urgency urgency, const QPalette &palette)
{
    switch (urgency) {
    case Urgency::Normal:
        return palette.color(QPalette::Active, QPalette::HighlightedText);
    case Urgency::Soon:
        return Qt::black; // amber is light: dark text reads on it in either palette
    case Urgency::Imminent:
        return Qt::white;
    }
    return palette.color(QPalette::Active, QPalette::HighlightedText);
}

void TimeLeftDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    const QVariant fraction = index.data(SessionTableModel::LifetimeFractionRole);
    if (!fraction.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }

    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();

    // The cell's background and selection, without its text: the bar carries the countdown.
    QStyleOptionViewItem item = option;
    initStyleOption(&item, index);
    item.text.clear();
    style->drawControl(QStyle::CE_ItemViewItem, &item, painter, widget);

    const Urgency level = urgency(index.data(SessionTableModel::RawValueRole).toLongLong());
    QStyleOptionProgressBar bar;
    bar.state = (option.state & QStyle::State_Enabled) | QStyle::State_Horizontal;
    bar.direction = option.direction;
    bar.fontMetrics = option.fontMetrics;
    bar.palette = option.palette;
    const QColor fill = fillColor(level, option.palette);
    const QColor text = textOnFillColor(level, option.palette);
    for (const auto group : {QPalette::Active, QPalette::Inactive, QPalette::Disabled}) {
        bar.palette.setColor(group, QPalette::Highlight, fill);
        bar.palette.setColor(group, QPalette::HighlightedText, text);
    }
    const int margin = std::max(1, option.rect.height() / 8);
    bar.rect = option.rect.adjusted(margin, margin, -margin, -margin);
    bar.minimum = 0;
    bar.maximum = kSteps;
    bar.progress = int(std::lround(std::clamp(fraction.toDouble(), 0.0, 1.0) * kSteps));
    bar.text = index.data(Qt::DisplayRole).toString();
    bar.textVisible = true;
    bar.textAlignment = Qt::AlignCenter;
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
}
