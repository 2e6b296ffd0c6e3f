#pragma once

#include <QStyledItemDelegate>

// The session table's plain cells: ended sessions recede (dimmed text) and a failed one's status reads as an
// error, so what runs now stands out.
class SessionRowDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};
