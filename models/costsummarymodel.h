#pragma once

#include "spendbreakdown.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

// Spend per provider: how many sessions run there now and what they have cost so far, what was spent there
// today and this month. One row per provider with anything to show, dearest month first; Claude's tokens are
// the row "claude". Rows are values worked out by figures(); setRows() emits dataChanged only for cells that
// changed, so a view that refreshes every second repaints only the ticking figures.
class CostSummaryModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class Column { Provider, Running, RunningCost, Today, Month, Count };
    Q_ENUM(Column)
    enum Role {
        RawValueRole = Qt::UserRole + 1, // provider name as QString, count as int, money as double
        ProviderKeyRole,
    };
    Q_ENUM(Role)

    struct Row
    {
        QString key;
        QString name;
        int running = 0;
        double runningUsd = 0; // the running sessions' cost so far, their generation included
        double todayUsd = 0;
        double monthUsd = 0;

        bool operator==(const Row &) const = default;
    };

    // The rows for `breakdown` (covering `today` and its month) and the sessions running at `now`.
    static QList<Row> figures(const SpendBreakdown &breakdown, const QList<Session> &running,
                              const QDateTime &now, QDate today, const QHash<QString, QString> &names);

    explicit CostSummaryModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setRows(const QList<Row> &rows);
    const QList<Row> &rows() const { return m_rows; }

private:
    QList<Row> m_rows;
};
