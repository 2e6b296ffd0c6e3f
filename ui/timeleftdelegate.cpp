#include "timeleftdelegate.h"

#include "sessiontablemodel.h"

#include <QApplication>
#include <QPainter>
#include <QPalette>
#include <QStyle>

#include <algorithm>
#include <cmath>

namespace {

// Mid-tone fills that keep their hue on a light or a dark base; the text on them is picked for contrast.
const QColor kAmber(0xe6, 0x95, 0x00);
const QColor kRed(0xd3, 0x2f, 0x2f);

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

    // Painted by hand rather than as a style progress bar: the countdown repaints every live row every
    // second, and a styled bar (gradients, rounded paths, text shaped twice) costs several times as much.
    const Urgency level = urgency(index.data(SessionTableModel::RawValueRole).toLongLong());
    const int margin = std::max(1, option.rect.height() / 8);
    const QRect track = option.rect.adjusted(margin, margin, -margin, -margin);
    const double done = std::clamp(fraction.toDouble(), 0.0, 1.0);
    QRect chunk = track;
    chunk.setWidth(int(std::lround(done * track.width())));
    if (option.direction == Qt::RightToLeft)
        chunk.moveRight(track.right());

    painter->save();
    painter->setPen(option.palette.color(QPalette::Mid));
    painter->setBrush(option.palette.color(QPalette::Base));
    painter->drawRect(track.adjusted(0, 0, -1, -1));
    painter->fillRect(chunk, fillColor(level, option.palette));
    const QString text = index.data(Qt::DisplayRole).toString();
    // The countdown reads on the fill and on the empty track alike: drawn twice, clipped to each.
    painter->setFont(option.font);
    painter->setClipRect(chunk);
    painter->setPen(textOnFillColor(level, option.palette));
    painter->drawText(track, Qt::AlignCenter, text);
    painter->setClipRegion(QRegion(track).subtracted(chunk));
    painter->setPen(option.palette.color(QPalette::Text));
    painter->drawText(track, Qt::AlignCenter, text);
    painter->restore();
}
