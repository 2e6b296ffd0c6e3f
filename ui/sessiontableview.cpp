#include "sessiontableview.h"

#include <algorithm>


void SessionTableView::dataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                                   const QList<int> &roles)
{
    if (topLeft == bottomRight || !isVisible() || !topLeft.isValid() || !bottomRight.isValid()) {
        QTableView::dataChanged(topLeft, bottomRight, roles);
        return;
    }
    // The table has no editors, so all that is left to do for a range is repainting what shows of it.
    const int firstShown = std::max(0, rowAt(0));
    const int lastShown = rowAt(viewport()->height() - 1);
    const int top = std::max(topLeft.row(), firstShown);
    const int bottom = lastShown < 0 ? bottomRight.row() : std::min(bottomRight.row(), lastShown);
    if (top > bottom)
        return;
    const QRect first = visualRect(model()->index(top, topLeft.column(), topLeft.parent()));
    const QRect last = visualRect(model()->index(bottom, bottomRight.column(), bottomRight.parent()));
    viewport()->update(first.united(last));
}
