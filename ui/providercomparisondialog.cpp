#include "providercomparisondialog.h"

#include "duration.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

ProviderComparisonDialog::ProviderComparisonDialog(const QList<ProviderComparisonModel::Row> &rows,
                                                   qint64 lifetimeSeconds, QWidget *parent)
    : QDialog(parent)
    , m_model(new ProviderComparisonModel(this))
    , m_sorted(new QSortFilterProxyModel(this))
    , m_view(new QTableView(this))
{
    setWindowTitle(tr("Compare providers"));
    m_model->setRows(rows);
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(ProviderComparisonModel::RawValueRole);
    m_view->setModel(m_sorted);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(int(ProviderComparisonModel::Column::Cost), Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(int(ProviderComparisonModel::Column::Size),
                                                     QHeaderView::Stretch);

    auto *intro =
        new QLabel(tr("What this app would cost for %1 on each provider, at SpawnAI's rates (Settings → "
                      "Pricing). Start time: measured on this computer where you have deployed there, "
                      "else the provider's published figure.")
                       .arg(formatDuration(lifetimeSeconds)),
                   this);
    intro->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_use = buttons->addButton(tr("&Use for the next deploy"), QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_use, &QPushButton::clicked, this, [this] {
        const QModelIndexList selected = m_view->selectionModel()->selectedRows();
        if (selected.isEmpty())
            return;
        emit chosen(selected.first().data(ProviderComparisonModel::ProviderKeyRole).toString(),
                    selected.first().data(ProviderComparisonModel::SizeKeyRole).toString());
        accept();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ProviderComparisonDialog::updateUseButton);
    connect(m_view, &QTableView::doubleClicked, m_use, &QPushButton::click);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_view, 1);
    layout->addWidget(buttons);
    resize(820, 420);
    updateUseButton();
}

void ProviderComparisonDialog::updateUseButton()
{
    const QModelIndexList selected = m_view->selectionModel()->selectedRows();
    m_use->setEnabled(!selected.isEmpty() &&
                      selected.first().data(ProviderComparisonModel::DeployableRole).toBool());
}
