#pragma once

#include <QTableView>

// The session table. Repaints only the changed cells that are on screen: Qt 6.4's item views repaint the
// whole viewport for any dataChanged spanning more than one cell, and the countdown changes two columns of
// every live row each second.
class SessionTableView final : public QTableView
{
    Q_OBJECT
public:
    using QTableView::QTableView;

protected:
    void dataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                     const QList<int> &roles = QList<int>()) override;
};
