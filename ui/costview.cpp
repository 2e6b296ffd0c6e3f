#include "costview.h"

#include "costmeter.h"
#include "costsummarymodel.h"
#include "costtracker.h"
#include "sessionfilterproxy.h"
#include "sessiontablemodel.h"
#include "spendchart.h"
#include "theme.h"
#include "timeleftdelegate.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

using Column = SessionTableModel::Column;

void setUpTable(QTableView *view)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 10);
    view->horizontalHeader()->setHighlightSections(false);
}

} // namespace

CostView::CostView(CostTracker &tracker, SessionTableModel *sessions, QWidget *parent)
    : QWidget(parent)
    , m_tracker(tracker)
    , m_sessions(sessions)
    , m_unended(new SessionFilterProxy(this))
    , m_summary(new CostSummaryModel(this))
    , m_budget(new QProgressBar(this))
    , m_sessionsView(new QTableView(this))
    , m_providersView(new QTableView(this))
    , m_chart(new SpendChart(this))
{
    auto *figures = new QGridLayout;
    m_running = addFigure(figures, 0, tr("Running now"), u"runningTotal"_s);
    m_today = addFigure(figures, 1, tr("Today"), u"todayTotal"_s);
    m_month = addFigure(figures, 2, tr("This month"), u"monthTotal"_s);
    m_budget->setObjectName(u"monthBudget"_s);
    m_budget->setRange(0, 1000);
    m_budget->setTextVisible(false);
    m_budget->setMaximumHeight(m_budget->fontMetrics().height() / 2 + 2);
    m_budgetText = new QLabel(this);
    m_budgetText->setObjectName(u"budgetText"_s);
    m_budgetText->setWordWrap(true);
    m_budgetText->setMinimumWidth(m_budgetText->fontMetrics().averageCharWidth() * 24);
    auto *budgetBox = new QVBoxLayout;
    budgetBox->addWidget(m_budgetText);
    budgetBox->addWidget(m_budget);
    figures->addLayout(budgetBox, 0, 3, 2, 1);
    figures->setColumnStretch(3, 1);
    figures->setHorizontalSpacing(24);

    // Unended sessions: what they cost so far, what their whole lifetime costs, what their code cost.
    m_unended->setSourceModel(sessions);
    m_unended->setFilter(SessionFilterProxy::Filter::Active);
    m_sessionsView->setObjectName(u"costSessions"_s);
    m_sessionsView->setModel(m_unended);
    setUpTable(m_sessionsView);
    m_sessionsView->setSortingEnabled(true);
    m_sessionsView->sortByColumn(int(Column::TimeLeft), Qt::AscendingOrder);
    m_sessionsView->setItemDelegateForColumn(int(Column::TimeLeft), new TimeLeftDelegate(m_sessionsView));
    for (const Column hidden : {Column::Status, Column::Url, Column::ExpiresAt})
        m_sessionsView->hideColumn(int(hidden));
    m_sessionsView->horizontalHeader()->setSectionResizeMode(int(Column::Name), QHeaderView::Stretch);
    m_sessionsView->horizontalHeader()->setMinimumSectionSize(
        m_sessionsView->fontMetrics().averageCharWidth() * 6);
    const int em = m_sessionsView->fontMetrics().averageCharWidth();
    m_sessionsView->setColumnWidth(int(Column::Provider), 10 * em);
    for (const Column money : {Column::TimeLeft, Column::Cost, Column::Quote})
        m_sessionsView->setColumnWidth(int(money), 11 * em);
    m_sessionsView->setColumnWidth(int(Column::Generation), 13 * em);

    m_providersView->setObjectName(u"costProviders"_s);
    m_providersView->setModel(m_summary);
    setUpTable(m_providersView);
    m_providersView->setSelectionMode(QAbstractItemView::NoSelection);
    // The figures as wide as they need; the provider's name takes what is left (elided, in full as a
    // tooltip).
    m_providersView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_providersView->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);

    m_explain = new QPushButton(tr("&How is this computed?"), this);
    m_explain->setToolTip(
        tr("The rate, its source and date, the seconds billed and the ledger of the selected "
           "session"));
    auto *compare = new QPushButton(tr("Compare &providers…"), this);
    compare->setToolTip(
        tr("What the app in the editor would cost on each provider, and how fast each starts"));
    auto *exportLedger = new QPushButton(tr("E&xport ledger…"), this);
    exportLedger->setToolTip(tr("Every cost SpawnAI recorded, with the rate used, as CSV"));
    connect(m_explain, &QPushButton::clicked, this, [this] {
        if (const QString id = selectedSessionId(); !id.isEmpty())
            emit explainRequested(id);
    });
    connect(compare, &QPushButton::clicked, this, &CostView::compareRequested);
    connect(exportLedger, &QPushButton::clicked, this, &CostView::exportRequested);
    connect(m_sessionsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &CostView::updateButtons);
    connect(m_sessionsView, &QTableView::doubleClicked, m_explain, &QPushButton::click);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_explain);
    buttons->addStretch(1);
    buttons->addWidget(compare);
    buttons->addWidget(exportLedger);

    // Sessions above; spend per provider and per day side by side below.
    auto *spend = new QSplitter(Qt::Horizontal, this);
    spend->addWidget(m_providersView);
    spend->addWidget(m_chart);
    spend->setStretchFactor(0, 3);
    spend->setStretchFactor(1, 2);
    spend->setSizes({3200, 2000}); // room for the table's five columns first
    spend->setChildrenCollapsible(false);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_sessionsView);
    split->addWidget(spend);
    split->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(figures);
    layout->addWidget(split, 1);
    layout->addLayout(buttons);
    updateButtons();
}

QLabel *CostView::addFigure(QGridLayout *grid, int column, const QString &caption, const QString &name)
{
    auto *title = new QLabel(caption, this);
    title->setForegroundRole(QPalette::PlaceholderText);
    auto *value = new QLabel(this);
    value->setObjectName(name);
    QFont big = value->font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    big.setBold(true);
    value->setFont(big);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(title, 0, column);
    grid->addWidget(value, 1, column);
    return value;
}

void CostView::refresh(const QDateTime &now, const QList<Session> &unended,
                       const QHash<QString, QString> &names)
{
    double runningUsd = 0;
    for (const Session &session : unended)
        runningUsd += CostMeter::accruedAt(session, now);
    m_running->setText(formatUsd(runningUsd));
    m_running->setToolTip(tr("%n session(s) running or deploying: what they have cost so far, generating "
                             "their code included",
                             nullptr, int(unended.size())));
    m_today->setText(formatUsd(m_tracker.todayUsd()));
    const double month = m_tracker.monthUsd();
    m_month->setText(formatUsd(month));

    const double budget = m_tracker.monthlyBudgetUsd();
    m_budget->setVisible(budget > 0);
    if (budget > 0) {
        const double share = month / budget;
        m_budget->setValue(int(std::clamp(share, 0.0, 1.0) * 1000));
        m_budgetText->setText(tr("%1 of the %2 monthly budget (%3 %) · target per session %4")
                                  .arg(formatUsd(month), formatUsd(budget))
                                  .arg(std::floor(share * 100))
                                  .arg(formatUsd(m_tracker.sessionTargetUsd())));
        QPalette palette = m_budget->palette();
        const QPalette &own = this->palette();
        palette.setColor(QPalette::Highlight, share >= 1.0   ? Theme::errorColor(own)
                                              : share >= 0.8 ? Theme::warningColor(own)
                                                             : own.color(QPalette::Highlight));
        m_budget->setPalette(palette);
    } else {
        m_budgetText->setText(tr("No monthly budget set (Settings → Pricing) · target per session %1")
                                  .arg(formatUsd(m_tracker.sessionTargetUsd())));
    }

    m_summary->setRows(CostSummaryModel::figures(m_tracker.spend(), unended, now, m_tracker.today(), names));

    const QDate today = m_tracker.today();
    const QDate first = today.addDays(1 - CostTracker::kChartDays);
    const QList<double> daily = m_tracker.spend().daily(first, today);
    QList<DailySpend> days;
    days.reserve(daily.size());
    for (qsizetype i = 0; i < daily.size(); ++i)
        days.append({first.addDays(i), daily.at(i)});
    m_chart->setDays(days);
    m_chart->setDailyBudget(budget > 0 ? budget / today.daysInMonth() : 0);
}

QString CostView::selectedSessionId() const
{
    const QModelIndexList rows = m_sessionsView->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(SessionTableModel::SessionIdRole).toString();
}

void CostView::updateButtons()
{
    m_explain->setEnabled(!selectedSessionId().isEmpty());
}
