#include "costpanel.h"

#include "appcore.h"
#include "appsettings.h"
#include "costexplanation.h"
#include "costmeter.h"
#include "costtracker.h"
#include "costview.h"
#include "deploybar.h"
#include "desktopintegration.h"
#include "ledgercsv.h"
#include "providercomparisondialog.h"
#include "sessioncontroller.h"
#include "sessiontablemodel.h"
#include "store.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QMessageBox>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTextBrowser>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

CostPanel::CostPanel(AppCore &core, SessionTableModel *sessions, DeployBar *deployBar,
                     DesktopIntegration *desktop, QWidget *window)
    : QObject(window)
    , m_core(core)
    , m_sessions(sessions)
    , m_deployBar(deployBar)
    , m_desktop(desktop)
    , m_window(window)
    , m_tracker(new CostTracker(core.store(), this))
    , m_view(new CostView(*m_tracker, sessions, window))
{
    m_view->setObjectName(u"costView"_s);
    connect(m_view, &CostView::explainRequested, this, &CostPanel::explain);
    connect(m_view, &CostView::compareRequested, this, &CostPanel::compareProviders);
    connect(m_view, &CostView::exportRequested, this, &CostPanel::exportLedger);
    connect(m_deployBar, &DeployBar::compareRequested, this, &CostPanel::compareProviders);
    connect(m_tracker, &CostTracker::budgetReached, this, [this](int percent, double month, double budget) {
        DesktopIntegration::Notice notice;
        notice.title =
            percent >= 100 ? tr("Monthly budget reached") : tr("%1 % of the monthly budget").arg(percent);
        notice.body = tr("SpawnAI sessions and generations cost %1 this month, of your %2 budget.")
                          .arg(formatUsd(month), formatUsd(budget));
        notice.critical = percent >= 100;
        m_desktop->notify(notice);
        (void)m_core.settings().setBudgetAlertState(m_tracker->alertState());
    });
}

void CostPanel::applySettings()
{
    const AppSettings &settings = m_core.settings();
    m_tracker->setBudget(settings.monthlyBudgetUsd(), settings.sessionTargetUsd());
    m_tracker->restoreAlertState(settings.budgetAlertState());
    m_deployBar->setSessionTarget(settings.sessionTargetUsd());
    invalidate();
}

void CostPanel::setProviderNames(const QHash<QString, QString> &names)
{
    m_names = names;
    m_names.insert(u"claude"_s, tr("Claude tokens"));
}

void CostPanel::invalidate()
{
    m_tracker->invalidate();
}

void CostPanel::tick(const QDateTime &now)
{
    const QList<Session> unended = m_sessions->tickingSessions();
    if (auto updated = m_tracker->update(unended, now); !updated) {
        if (updated.error() != m_readError)
            qWarning().noquote() << updated.error();
        m_readError = updated.error();
    }
    if (m_view->isVisible())
        m_view->refresh(now, unended, m_names);
}

bool CostPanel::confirmSpending(double quoteUsd, const QString &what)
{
    const Budget::Projection projection = m_tracker->projection(quoteUsd);
    if (!projection.crossesBudget())
        return true;
    const auto answer = QMessageBox::question(
        m_window, tr("Over the monthly budget"),
        tr("%1 would take this month to about %2, over your %3 monthly budget.\n\n"
           "Spent so far: %4\nRunning sessions, if they run to their expiry: %5 more\nThis: up to %6\n\n"
           "Go ahead anyway?")
            .arg(what, formatUsd(projection.totalUsd()), formatUsd(projection.budgetUsd),
                 formatUsd(projection.spentUsd), formatUsd(projection.committedUsd), formatUsd(quoteUsd)),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    return answer == QMessageBox::Yes;
}

void CostPanel::explain(const QString &sessionId)
{
    const auto session = m_sessions->session(sessionId);
    if (!session)
        return;
    const auto ledger = m_core.store().ledgerFor(sessionId);
    auto *dialog = new QDialog(m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("How is this computed? — %1").arg(session->name));
    auto *text = new QTextBrowser(dialog);
    text->setObjectName(u"costExplanation"_s);
    text->setOpenExternalLinks(true);
    text->setHtml(CostExplanation::html(*session, m_sessions->providerName(session->provider),
                                        ledger ? *ledger : QList<LedgerEntry>(),
                                        QDateTime::currentDateTimeUtc()) +
                  (ledger ? QString() : u"<p>"_s + ledger.error().toHtmlEscaped() + u"</p>"_s));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(text);
    layout->addWidget(buttons);
    dialog->resize(680, 520);
    dialog->show();
}

void CostPanel::compareProviders()
{
    ProviderComparisonModel::Availability availability;
    SessionController &controller = m_core.controller();
    for (const QString &key : controller.providerKeys())
        availability.insert(controller.provider(key)->capabilities().pricingKey,
                            controller.provider(key)->setupProblem().isEmpty() ? QString()
                                                                               : tr("Needs a key"));
    // Measured start: from the deploy being recorded to the first answer, over the last sessions that ran.
    ProviderComparisonModel::StartTimes measured;
    for (int row = 0; row < m_sessions->rowCount(); ++row) {
        const Session &session = m_sessions->sessionAt(row);
        if (!session.startedAt.isValid() || !session.createdAt.isValid() ||
            session.name.startsWith(u"Unknown "))
            continue;
        QList<double> &times = measured[session.provider];
        if (times.size() < 50)
            times << session.createdAt.msecsTo(session.startedAt) / 1000.0;
    }
    const qint64 lifetime = m_deployBar->lifetimeSeconds();
    auto *dialog = new ProviderComparisonDialog(
        ProviderComparisonModel::rows(m_core.pricing(), lifetime, availability, measured), lifetime,
        m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ProviderComparisonDialog::chosen, m_deployBar, &DeployBar::choose);
    dialog->show();
}

void CostPanel::exportLedger()
{
    const QString suggested = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) +
                              u"/spawnai-ledger-%1.csv"_s.arg(QDate::currentDate().toString(Qt::ISODate));
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export the cost ledger"), suggested,
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    const auto lines = m_core.store().ledger(QDateTime::fromMSecsSinceEpoch(0, Qt::UTC),
                                             QDateTime::currentDateTimeUtc().addYears(100));
    if (!lines) {
        QMessageBox::warning(m_window, tr("Could not export"), lines.error());
        return;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(LedgerCsv::write(*lines)) < 0 || !file.commit()) {
        QMessageBox::warning(m_window, tr("Could not export"),
                             tr("Could not write %1: %2").arg(path, file.errorString()));
        return;
    }
    QMessageBox::information(m_window, tr("Ledger exported"),
                             tr("%n line(s) written to %1.", nullptr, int(lines->size())).arg(path));
}
