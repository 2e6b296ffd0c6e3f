#pragma once

#include "providercomparisonmodel.h"

#include <QDialog>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

// "Compare providers": what the app would cost for its lifetime on every provider size, cheapest first, with
// each provider's start time and whether SpawnAI can deploy there now. "Use" picks a row for the deploy bar.
class ProviderComparisonDialog final : public QDialog
{
    Q_OBJECT
public:
    ProviderComparisonDialog(const QList<ProviderComparisonModel::Row> &rows, qint64 lifetimeSeconds,
                             QWidget *parent = nullptr);

    ProviderComparisonModel *model() const { return m_model; }

signals:
    void chosen(const QString &provider, const QString &size);

private:
    void updateUseButton();

    ProviderComparisonModel *m_model = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QTableView *m_view = nullptr;
    QPushButton *m_use = nullptr;
};
