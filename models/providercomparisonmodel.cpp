#include "providercomparisonmodel.h"

#include "costmeter.h"
#include "duration.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

constexpr int kColumns = int(ProviderComparisonModel::Column::Count);

double median(QList<double> values)
{
    if (values.isEmpty())
        return -1;
    std::sort(values.begin(), values.end());
    const qsizetype mid = values.size() / 2;
    return values.size() % 2 ? values.at(mid) : (values.at(mid - 1) + values.at(mid)) / 2;
}

QString seconds(double s)
{
    if (s < 1)
        return QString::number(qRound(s * 1000)) + u" ms"_s;
    if (s < 10)
        return QString::number(s, 'f', 1) + u" s"_s;
    return formatDuration(qRound64(s));
}

} // namespace

QList<ProviderComparisonModel::Row> ProviderComparisonModel::rows(const PricingCatalogue &catalogue,
                                                                  qint64 lifetimeSeconds,
                                                                  const Availability &availability,
                                                                  const StartTimes &measured)
{
    QList<Row> rows;
    for (const QString &key : catalogue.providers()) {
        const ProviderPricing *provider = catalogue.provider(key);
        for (const SizePricing &size : provider->sizes) {
            const auto quote = CostMeter::quote(catalogue, key, size.key, lifetimeSeconds);
            if (!quote)
                continue;
            Row row;
            row.provider = key;
            row.providerName = provider->name;
            row.size = size.key;
            row.sizeLabel = size.label;
            row.usd = quote->usd;
            row.estimate = quote->rate.estimate || provider->estimate;
            row.startText = provider->startTimeText;
            row.measuredSeconds = median(measured.value(key));
            row.measuredCount = int(measured.value(key).size());
            row.startSeconds = row.measuredSeconds >= 0 ? row.measuredSeconds : provider->startTimeSeconds;
            const auto available = availability.constFind(key);
            row.deployable = available != availability.cend() && available->isEmpty();
            row.status = available == availability.cend() ? tr("Not supported yet")
                         : available->isEmpty()           ? tr("Ready")
                                                          : *available;
            rows << row;
        }
    }
    return rows;
}

ProviderComparisonModel::ProviderComparisonModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int ProviderComparisonModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ProviderComparisonModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : kColumns;
}

QVariant ProviderComparisonModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const auto column = Column(index.column());
    switch (role) {
    case ProviderKeyRole:
        return row.provider;
    case SizeKeyRole:
        return row.size;
    case DeployableRole:
        return row.deployable;
    case Qt::TextAlignmentRole:
        return headerData(index.column(), Qt::Horizontal, role);
    case RawValueRole:
        switch (column) {
        case Column::Provider:
            return row.providerName;
        case Column::Size:
            return row.sizeLabel;
        case Column::Cost:
            return row.usd;
        case Column::StartTime:
            return row.startSeconds >= 0 ? QVariant(row.startSeconds) : QVariant();
        case Column::Status:
            return row.status;
        case Column::Count:
            break;
        }
        return {};
    case Qt::DisplayRole:
        switch (column) {
        case Column::Provider:
            return row.providerName;
        case Column::Size:
            return row.sizeLabel;
        case Column::Cost:
            return row.usd == 0 && row.provider == u"local"
                       ? tr("Free")
                       : QString(formatUsd(row.usd) + (row.estimate ? u" *"_s : QString()));
        case Column::StartTime:
            if (row.measuredSeconds >= 0)
                return QString(tr("%1 here").arg(seconds(row.measuredSeconds)) +
                               (row.startText.isEmpty() ? QString() : u" · "_s + row.startText));
            return row.startText.isEmpty() ? QVariant() : QVariant(row.startText);
        case Column::Status:
            return row.status;
        case Column::Count:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == Column::Cost && row.estimate)
            return tr("* An estimate: the provider does not publish this rate (see pricing.json).");
        if (column == Column::StartTime && row.measuredSeconds >= 0)
            return tr("Median of %n deploy(s) from this computer, from deploy to the first answer", nullptr,
                      row.measuredCount);
        if (column == Column::StartTime && !row.startText.isEmpty())
            return tr("Published figure");
        return {};
    default:
        return {};
    }
}

QVariant ProviderComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= kColumns)
        return QAbstractTableModel::headerData(section, orientation, role);
    const auto column = Column(section);
    if (role == Qt::TextAlignmentRole)
        return int((column == Column::Cost ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case Column::Provider:
        return tr("Provider");
    case Column::Size:
        return tr("Size");
    case Column::Cost:
        return tr("Cost for the lifetime");
    case Column::StartTime:
        return tr("Start time");
    case Column::Status:
        return tr("Status");
    case Column::Count:
        break;
    }
    return {};
}

void ProviderComparisonModel::setRows(const QList<Row> &rows)
{
    beginResetModel();
    m_rows = rows;
    endResetModel();
}
