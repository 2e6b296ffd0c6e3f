#pragma once

#include "pricingcatalogue.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

// What one app would cost for one lifetime on every provider size SpawnAI knows prices for, next to how fast
// each provider starts (the published figure, and the median SpawnAI measured here from deploy to first
// answer) and whether SpawnAI can deploy there now. Sort it with RawValueRole.
class ProviderComparisonModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class Column { Provider, Size, Cost, StartTime, Status, Count };
    Q_ENUM(Column)
    enum Role {
        RawValueRole = Qt::UserRole + 1, // text as QString, cost and start time as double (seconds)
        ProviderKeyRole,
        SizeKeyRole,
        DeployableRole, // bool: SpawnAI can deploy there now
    };
    Q_ENUM(Role)

    struct Row
    {
        QString provider; // key
        QString providerName;
        QString size; // key
        QString sizeLabel;
        double usd = 0;
        bool estimate = false;    // the rate is not a published figure
        QString startText;        // published, e.g. "~150 ms"
        double startSeconds = -1; // what sorting uses: measured if known, else published; -1 unknown
        double measuredSeconds = -1;
        int measuredCount = 0;
        QString status; // "Ready", "Needs a key", "Not supported yet"
        bool deployable = false;
    };

    // Where SpawnAI can deploy: provider key → what it still needs ("" when ready). Keys left out are
    // providers SpawnAI has prices for but no adapter yet.
    using Availability = QHash<QString, QString>;
    // Measured seconds from deploy to first answer, per provider key (any order; the median is taken).
    using StartTimes = QHash<QString, QList<double>>;

    static QList<Row> rows(const PricingCatalogue &catalogue, qint64 lifetimeSeconds,
                           const Availability &availability, const StartTimes &measured);

    explicit ProviderComparisonModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setRows(const QList<Row> &rows);
    const Row &rowAt(int row) const { return m_rows.at(row); }

private:
    QList<Row> m_rows;
};
