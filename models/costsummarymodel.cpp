#include "costsummarymodel.h"

#include "costmeter.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

constexpr int kColumns = int(CostSummaryModel::Column::Count);

} // namespace

QList<CostSummaryModel::Row> CostSummaryModel::figures(const SpendBreakdown &breakdown,
                                                       const QList<Session> &running, const QDateTime &now,
                                                       QDate today, const QHash<QString, QString> &names)
{
    QHash<QString, Row> byKey;
    const auto rowFor = [&](const QString &key) -> Row & {
        Row &row = byKey[key];
        row.key = key;
        row.name = names.value(key, key);
        return row;
    };
    const QDate monthStart(today.year(), today.month(), 1);
    for (const QString &key : breakdown.providers()) {
        Row &row = rowFor(key);
        row.todayUsd = breakdown.total(key, today, today);
        row.monthUsd = breakdown.total(key, monthStart, today);
    }
    for (const Session &session : running) {
        Row &row = rowFor(session.provider);
        ++row.running;
        row.runningUsd += CostMeter::accruedAt(session, now);
    }
    QList<Row> rows = byKey.values();
    std::sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
        if (a.monthUsd != b.monthUsd)
            return a.monthUsd > b.monthUsd;
        return a.name.localeAwareCompare(b.name) < 0;
    });
    return rows;
}

CostSummaryModel::CostSummaryModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int CostSummaryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CostSummaryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : kColumns;
}

QVariant CostSummaryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const auto column = Column(index.column());
    switch (role) {
    case ProviderKeyRole:
        return row.key;
    case Qt::ToolTipRole:
        return column == Column::Provider ? QVariant(row.name) : QVariant();
    case Qt::TextAlignmentRole:
        return headerData(index.column(), Qt::Horizontal, role);
    case Qt::DisplayRole:
    case RawValueRole: {
        const bool raw = role == RawValueRole;
        switch (column) {
        case Column::Provider:
            return row.name;
        case Column::Running:
            return raw           ? QVariant(row.running)
                   : row.running ? QVariant(QString::number(row.running))
                                 : QVariant();
        case Column::RunningCost:
            if (raw)
                return row.runningUsd;
            return row.running ? QVariant(formatUsd(row.runningUsd)) : QVariant();
        case Column::Today:
            return raw ? QVariant(row.todayUsd) : QVariant(formatUsd(row.todayUsd));
        case Column::Month:
            return raw ? QVariant(row.monthUsd) : QVariant(formatUsd(row.monthUsd));
        case Column::Count:
            break;
        }
        return {};
    }
    default:
        return {};
    }
}

QVariant CostSummaryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= kColumns)
        return QAbstractTableModel::headerData(section, orientation, role);
    const auto column = Column(section);
    if (role == Qt::TextAlignmentRole)
        return int((column == Column::Provider ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && column == Column::RunningCost)
        return tr("What the sessions running now have cost so far, generating their code included");
    if (role == Qt::ToolTipRole && column == Column::Month)
        return tr("This calendar month, running sessions included");
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case Column::Provider:
        return tr("Provider");
    case Column::Running:
        return tr("Running");
    case Column::RunningCost:
        return tr("So far");
    case Column::Today:
        return tr("Today");
    case Column::Month:
        return tr("Month");
    case Column::Count:
        break;
    }
    return {};
}

void CostSummaryModel::setRows(const QList<Row> &rows)
{
    const bool sameKeys =
        rows.size() == m_rows.size() &&
        std::equal(rows.cbegin(), rows.cend(), m_rows.cbegin(),
                   [](const Row &a, const Row &b) { return a.key == b.key && a.name == b.name; });
    if (!sameKeys) {
        beginResetModel();
        m_rows = rows;
        endResetModel();
        return;
    }
    for (int i = 0; i < rows.size(); ++i) {
        const Row old = std::exchange(m_rows[i], rows.at(i));
        const std::pair<Column, bool> changes[] = {
            {Column::Running, old.running != rows.at(i).running},
            {Column::RunningCost, old.runningUsd != rows.at(i).runningUsd},
            {Column::Today, old.todayUsd != rows.at(i).todayUsd},
            {Column::Month, old.monthUsd != rows.at(i).monthUsd}};
        for (const auto &[column, changed] : changes) {
            if (changed)
                emit dataChanged(index(i, int(column)), index(i, int(column)),
                                 {Qt::DisplayRole, RawValueRole});
        }
    }
}
