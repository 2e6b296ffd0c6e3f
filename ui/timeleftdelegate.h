#pragma once

#include <QColor>
#include <QStyledItemDelegate>

class QPalette;

// The TimeLeft cell of a live session: a progress bar of the lifetime left with the countdown on it, in the
// palette's highlight, amber under 10 minutes and red under 1 minute. Other rows are plain text.
class TimeLeftDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    enum class Urgency { Normal, Soon, Imminent };
    Q_ENUM(Urgency)

    static constexpr qint64 kSoonSeconds = 10 * 60;
    static constexpr qint64 kImminentSeconds = 60;

    explicit TimeLeftDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;

    static Urgency urgency(qint64 secondsLeft);
    // The bar's fill and the colour of the text on it.
    static QColor fillColor(Urgency urgency, const QPalette &palette);
    static QColor textOnFillColor(Urgency urgency, const QPalette &palette);
};
