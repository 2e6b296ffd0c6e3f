#include "sessionrowdelegate.h"

#include "sessiontablemodel.h"
#include "theme.h"

void SessionRowDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const auto state = SessionState(index.data(SessionTableModel::StateRole).toInt());
    if (!SessionStates::isTerminal(state))
        return;
    QColor text = option->palette.color(QPalette::Disabled, QPalette::Text);
    if (state == SessionState::Failed && index.column() == int(SessionTableModel::Column::Status))
        text = Theme::errorColor(option->palette);
    option->palette.setColor(QPalette::Text, text);
}
