#include "mainwindow.h"

#include "appcore.h"
#include "apppane.h"
#include "costmeter.h"
#include "costpanel.h"
#include "costview.h"
#include "deploybar.h"
#include "desktopintegration.h"
#include "duration.h"
#include "generationcontroller.h"
#include "generationflow.h"
#include "logpane.h"
#include "notificationscheduler.h"
#include "paths.h"
#include "promptpane.h"
#include "revisionspanel.h"
#include "secretstore.h"
#include "sessionfeed.h"
#include "sessionfilterproxy.h"
#include "sessionrowdelegate.h"
#include "sessiontablemodel.h"
#include "sessiontableview.h"
#include "settingsdialog.h"
#include "timeleftdelegate.h"

#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QFile>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QRadioButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

QString stageText(DeployStage stage, const QString &detail)
{
    switch (stage) {
    case DeployStage::Provisioning:
        return QCoreApplication::translate("MainWindow", "Provisioning: %1").arg(detail);
    case DeployStage::Uploading:
        return QCoreApplication::translate("MainWindow", "Uploading: %1").arg(detail);
    case DeployStage::Starting:
        return QCoreApplication::translate("MainWindow", "Starting: %1").arg(detail);
    case DeployStage::WaitingForUrl:
        return QCoreApplication::translate("MainWindow", "Waiting for %1 to answer").arg(detail);
    }
    return detail;
}

// What "Ask Claude to fix it" sends after a failed deploy: the failure and the end of the app's log.
QString deployFailureReport(const Session &session)
{
    QString report = u"SpawnAI could not run the app: %1"_s.arg(session.failureMessage);
    QFile log(Paths::logPath(session.id));
    if (log.open(QIODevice::ReadOnly)) {
        constexpr qint64 kTail = 4000;
        log.seek(std::max<qint64>(0, log.size() - kTail));
        const QString tail = QString::fromUtf8(log.readAll()).trimmed();
        if (!tail.isEmpty())
            report += u"\n\nThe end of what the app printed:\n"_s + tail;
    }
    return report;
}

bool isLive(const Session &session)
{
    return session.state == SessionState::Running || session.state == SessionState::Expiring;
}

} // namespace

MainWindow::MainWindow(AppCore &core, QWidget *parent)
    : QMainWindow(parent)
    , m_core(core)
    , m_secrets(new SecretStore(this))
    , m_feed(new SessionFeed(core.store(), core.controller(), this))
    , m_model(new SessionTableModel(core.pricing(), this))
    , m_proxy(new SessionFilterProxy(this))
    , m_appPane(new AppPane(Paths::dataDir() + u"/draft.json"_s, this))
    , m_promptPane(new PromptPane(this))
    , m_generation(new GenerationController(core.store(), core.pricing(), core.settings(), *m_secrets, this))
    , m_deployBar(new DeployBar(core.pricing(), this))
    , m_view(new SessionTableView(this))
    , m_search(new QLineEdit(this))
    , m_log(new LogPane(this))
    , m_revisions(new RevisionsPanel(core.store(), this))
    , m_bottomTabs(new QTabWidget(this))
    , m_status(new QLabel(this))
    , m_desktop(new DesktopIntegration(this))
    , m_scheduler(new NotificationScheduler(this))
{
    setWindowTitle(tr("SpawnAI"));
    setWindowIcon(QIcon(u":/spawnai/icons/spawnai.svg"_s));
    resize(1360, 820);

    m_costs = new CostPanel(m_core, m_model, m_deployBar, m_desktop, this);
    refreshProviders();
    m_deployBar->setDefaultLifetime(m_core.settings().defaultTtlSeconds());

    // The session table.
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilter(SessionFilterProxy::Filter::All);
    m_view->setModel(m_proxy);
    m_view->setItemDelegate(new SessionRowDelegate(m_view));
    m_view->setItemDelegateForColumn(int(SessionTableModel::Column::TimeLeft), new TimeLeftDelegate(m_view));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder); // newest first, as the store lists them
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 10);
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setSectionResizeMode(int(SessionTableModel::Column::Url),
                                                     QHeaderView::Stretch);
    const int em = m_view->fontMetrics().averageCharWidth();
    const QList<std::pair<SessionTableModel::Column, int>> widths = {
        {SessionTableModel::Column::Name, 22},   {SessionTableModel::Column::Provider, 10},
        {SessionTableModel::Column::Status, 22}, {SessionTableModel::Column::TimeLeft, 12},
        {SessionTableModel::Column::Cost, 10},   {SessionTableModel::Column::ExpiresAt, 12}};
    for (const auto &[column, chars] : widths)
        m_view->setColumnWidth(int(column), chars * em);

    m_search->setPlaceholderText(tr("Filter sessions (name, status, URL, id)"));
    m_search->setClearButtonEnabled(true);
    auto *activeOnly = new QRadioButton(tr("&Active"), this);
    auto *all = new QRadioButton(tr("A&ll"), this);
    all->setChecked(true);
    connect(activeOnly, &QRadioButton::toggled, this, [this](bool on) {
        m_proxy->setFilter(on ? SessionFilterProxy::Filter::Active : SessionFilterProxy::Filter::All);
    });
    connect(m_search, &QLineEdit::textChanged, m_proxy, &SessionFilterProxy::setSearchText);

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Sessions"), this));
    filterRow->addSpacing(8);
    filterRow->addWidget(activeOnly);
    filterRow->addWidget(all);
    filterRow->addWidget(m_search, 1);

    auto *sessionsBox = new QWidget(this);
    auto *sessionsLayout = new QVBoxLayout(sessionsBox);
    sessionsLayout->setContentsMargins(0, 0, 0, 0);
    sessionsLayout->addLayout(filterRow);
    sessionsLayout->addWidget(m_view);

    m_log->setPlaceholderText(tr("Select a session to see what its app prints."));

    m_bottomTabs->setObjectName(u"bottomTabs"_s);
    m_bottomTabs->setDocumentMode(true);
    m_bottomTabs->addTab(m_log, tr("&Log"));
    m_bottomTabs->addTab(m_revisions, tr("&Revisions"));

    m_sessionTabs = new QTabWidget(this);
    m_sessionTabs->setObjectName(u"sessionTabs"_s);
    m_sessionTabs->setDocumentMode(true);
    m_sessionTabs->addTab(sessionsBox, tr("&Sessions"));
    m_sessionTabs->addTab(m_costs->view(), tr("C&osts"));
    connect(m_sessionTabs, &QTabWidget::currentChanged, this, [this] { m_costs->tick(m_model->now()); });

    auto *right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_sessionTabs);
    right->addWidget(m_bottomTabs);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);

    auto *appBox = new QWidget(this);
    auto *appLayout = new QVBoxLayout(appBox);
    appLayout->setContentsMargins(0, 0, 0, 0);
    appLayout->addWidget(m_appPane, 1);
    appLayout->addWidget(m_deployBar);

    auto *left = new QSplitter(Qt::Vertical, this);
    left->addWidget(m_promptPane);
    left->addWidget(appBox);
    left->setStretchFactor(0, 0);
    left->setStretchFactor(1, 1);
    left->setChildrenCollapsible(false);

    auto *main = new QSplitter(Qt::Horizontal, this);
    main->addWidget(left);
    main->addWidget(right);
    main->setStretchFactor(0, 4);
    main->setStretchFactor(1, 5);
    main->setSizes({560, 760});
    main->setChildrenCollapsible(false);
    main->setContentsMargins(8, 6, 8, 0);
    setCentralWidget(main);
    statusBar()->addPermanentWidget(m_status);

    buildSessionActions();
    buildMenus();

    m_flow = new GenerationFlow(*m_generation, *m_promptPane, *m_appPane, m_core.store(), this);
    connect(m_flow, &GenerationFlow::deployRequested, this, &MainWindow::deployGenerated);
    connect(m_flow, &GenerationFlow::statusMessage, this,
            [this](const QString &text) { statusBar()->showMessage(text, 5000); });
    // Queued: the history (and its diff) is worked out after the new app is on screen, not in the same go.
    connect(m_flow, &GenerationFlow::revisionProduced, m_revisions, &RevisionsPanel::showHistory,
            Qt::QueuedConnection);
    // After the flow has counted the generation's cost (it connected first).
    connect(m_generation, &GenerationController::finished, this, [this] {
        m_costs->invalidate();
        m_deployBar->setGenerationCost(m_flow->unbilledCost());
    });
    connect(m_revisions, &RevisionsPanel::restoreRequested, this,
            [this](const QString &revisionId) { loadRevision(revisionId, u"revision:"_s + revisionId); });
    m_promptPane->setHasApp(!m_appPane->isEmpty());
    m_promptPane->setModels(m_core.pricing().models(), m_core.settings().claudeModel());
    connect(m_promptPane, &PromptPane::modelChosen, this, [this](const QString &id) {
        if (auto set = m_core.settings().setValue(u"anthropic.model"_s, id); !set)
            statusBar()->showMessage(set.error(), 5000);
        m_flow->updateEstimate();
    });
    m_promptPane->setFocus(); // a new window starts where an app starts: the prompt
    m_flow->updateEstimate();

    connect(m_deployBar, &DeployBar::deployRequested, this, &MainWindow::deploy);
    connect(m_appPane, &AppPane::statusMessage, this,
            [this](const QString &text) { statusBar()->showMessage(text, 5000); });
    connect(m_view, &QTableView::customContextMenuRequested, this, &MainWindow::showContextMenu);
    connect(m_view, &QTableView::doubleClicked, this, [this] {
        if (auto session = selectedSession(); session && isLive(*session))
            openUrl(session->id);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::onSelectionChanged);

    // Sessions: the feed brings every change, from this process and others.
    connect(m_feed, &SessionFeed::changed, this, &MainWindow::onSessionChanged);
    connect(m_feed, &SessionFeed::removed, m_model, &SessionTableModel::remove);
    SessionController &controller = m_core.controller();
    connect(&controller, &SessionController::deployProgress, this,
            [this](const QString &id, DeployStage stage, const QString &detail) {
                if (id == m_deployingId)
                    m_deployBar->showProgress(stageText(stage, detail));
                statusBar()->showMessage(stageText(stage, detail), 4000);
            });
    connect(&controller, &SessionController::storageFailed, this,
            [this](const QString &message) { QMessageBox::warning(this, tr("Could not save"), message); });
    connect(&controller, &SessionController::extendFailed, this,
            [this](const QString &, const QString &message) {
                QMessageBox::warning(this, tr("Could not extend"),
                                     tr("%1\n\nThe session still ends at its earlier time.").arg(message));
            });

    // Desktop integration and notifications.
    connect(m_desktop, &DesktopIntegration::showRequested, this, &MainWindow::bringToFront);
    connect(m_desktop, &DesktopIntegration::quitRequested, this, &MainWindow::requestQuit);
    connect(m_desktop, &DesktopIntegration::openRequested, this, &MainWindow::openUrl);
    connect(m_desktop, &DesktopIntegration::extendRequested, this, &MainWindow::extend);
    connect(m_desktop, &DesktopIntegration::stopRequested, this, &MainWindow::stop);
    connect(m_desktop, &DesktopIntegration::trayAvailabilityChanged, this,
            [](bool available) { QApplication::setQuitOnLastWindowClosed(!available); });
    connect(m_scheduler, &NotificationScheduler::live, this,
            [this](const Session &session) { m_desktop->notify(DesktopIntegration::liveNotice(session)); });
    connect(m_scheduler, &NotificationScheduler::leadReached, this,
            [this](const Session &session, qint64 lead) {
                m_desktop->notify(DesktopIntegration::leadNotice(session, lead));
            });
    connect(m_scheduler, &NotificationScheduler::ended, this, [this](const Session &session, bool expired) {
        const double cost = CostMeter::accruedAt(session, QDateTime::currentDateTimeUtc(),
                                                 m_core.pricing().minimumCharge(session.provider));
        m_desktop->notify(DesktopIntegration::endedNotice(session, cost, expired));
    });
    applySettings();

    m_ticker.setInterval(1s);
    m_ticker.setTimerType(Qt::CoarseTimer);
    connect(&m_ticker, &QTimer::timeout, this, &MainWindow::tick);
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::refreshProviders()
{
    // Providers the deploy bar offers, with their caps, prices and what they still need (a key).
    QList<ProviderCapabilities> providers;
    QHash<QString, QString> providerNames;
    QHash<QString, QString> problems;
    for (const QString &key : m_core.controller().providerKeys()) {
        const Provider *provider = m_core.controller().provider(key);
        const ProviderCapabilities caps = provider->capabilities();
        providers << caps;
        providerNames.insert(key, caps.displayName.section(u" ("_s, 0, 0)); // the table wants it short
        if (const QString problem = provider->setupProblem(); !problem.isEmpty())
            problems.insert(key, problem);
    }
    const QString chosen = m_deployBar->provider();
    m_deployBar->setProviders(providers, chosen.isEmpty() ? m_core.settings().defaultProvider() : chosen,
                              problems);
    m_model->setProviderNames(providerNames);
    m_costs->setProviderNames(providerNames);
}

void MainWindow::start()
{
    auto sessions = m_feed->start();
    if (!sessions)
        QMessageBox::warning(this, tr("Could not read the sessions"), sessions.error());
    else
        m_model->setSessions(*sessions);
    m_core.loadProviderKeys([this] {
        m_core.controller().recover();
        refreshProviders(); // a provider whose key just arrived can be chosen now
    });
    tick();
    m_ticker.start();
}

void MainWindow::buildSessionActions()
{
    m_deployAction = new QAction(tr("&Deploy"), this);
    m_deployAction->setShortcut(u"Ctrl+D"_s);
    connect(m_deployAction, &QAction::triggered, this, &MainWindow::deploy);

    m_openAction = new QAction(tr("&Open in Browser"), this);
    connect(m_openAction, &QAction::triggered, this, [this] {
        if (auto session = selectedSession())
            openUrl(session->id);
    });
    m_copyUrlAction = new QAction(tr("&Copy URL"), this);
    m_copyUrlAction->setShortcut(u"Ctrl+L"_s);
    connect(m_copyUrlAction, &QAction::triggered, this, &MainWindow::copyUrl);
    m_extendAction = new QAction(tr("&Extend by 30 min"), this);
    m_extendAction->setShortcut(u"Ctrl+E"_s);
    connect(m_extendAction, &QAction::triggered, this, [this] {
        if (auto session = selectedSession())
            extend(session->id, 30 * 60);
    });
    m_extendHourAction = new QAction(tr("Extend by &1 h"), this);
    connect(m_extendHourAction, &QAction::triggered, this, [this] {
        if (auto session = selectedSession())
            extend(session->id, 3600);
    });
    m_extendCustomAction = new QAction(tr("Extend &by…"), this);
    connect(m_extendCustomAction, &QAction::triggered, this, &MainWindow::extendCustom);
    m_stopAction = new QAction(tr("&Stop"), this);
    m_stopAction->setShortcut(QKeySequence::Delete);
    connect(m_stopAction, &QAction::triggered, this, [this] {
        if (auto session = selectedSession())
            stop(session->id);
    });
    m_redeployAction = new QAction(tr("&Redeploy"), this);
    connect(m_redeployAction, &QAction::triggered, this, &MainWindow::redeploy);
    m_showFilesAction = new QAction(tr("Show &Files"), this);
    connect(m_showFilesAction, &QAction::triggered, this, &MainWindow::showFiles);
    m_showLogAction = new QAction(tr("Show &Log"), this);
    connect(m_showLogAction, &QAction::triggered, this, [this] { m_log->setFocus(); });
    m_removeAction = new QAction(tr("Remove from &History"), this);
    connect(m_removeAction, &QAction::triggered, this, &MainWindow::removeFromHistory);
    m_explainCostAction = new QAction(tr("How Is This Cost &Computed?"), this);
    connect(m_explainCostAction, &QAction::triggered, this, [this] {
        if (auto session = selectedSession())
            m_costs->explain(session->id);
    });

    // Names for the tests and for accessibility tools.
    const QList<std::pair<QAction *, const char *>> named = {
        {m_deployAction, "deploy"},   {m_openAction, "open"},           {m_copyUrlAction, "copyUrl"},
        {m_extendAction, "extend30"}, {m_extendHourAction, "extend60"}, {m_extendCustomAction, "extendBy"},
        {m_stopAction, "stop"},       {m_redeployAction, "redeploy"},   {m_showFilesAction, "showFiles"},
        {m_showLogAction, "showLog"}, {m_removeAction, "remove"},       {m_explainCostAction, "explainCost"}};
    for (const auto &[action, name] : named)
        action->setObjectName(QString::fromLatin1(name));

    // The table's shortcuts work while it has focus; Ctrl+D, Ctrl+L and Ctrl+E from anywhere in the window.
    for (QAction *action : {m_deployAction, m_copyUrlAction, m_extendAction})
        action->setShortcutContext(Qt::WindowShortcut);
    m_stopAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(m_stopAction);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &Folder…"), QKeySequence::Open, m_appPane, &AppPane::chooseFolder);
    file->addAction(tr("Open &HTML File…"), m_appPane, &AppPane::chooseFile);
    QMenu *examples = file->addMenu(tr("&Examples"));
    for (const QString &name : AppPane::exampleNames())
        examples->addAction(name, this, [this, name] { m_appPane->chooseExample(name); });
    file->addSeparator();
    QAction *settings = file->addAction(tr("&Settings…"), this, &MainWindow::openSettings);
    settings->setObjectName(u"settings"_s);
    settings->setShortcut(u"Ctrl+,"_s);
    settings->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &MainWindow::requestQuit);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *session = menuBar()->addMenu(tr("&Session"));
    session->addAction(m_deployAction);
    session->addSeparator();
    session->addActions({m_openAction, m_copyUrlAction, m_extendAction, m_extendHourAction,
                         m_extendCustomAction, m_stopAction});
    session->addSeparator();
    session->addActions(
        {m_redeployAction, m_showFilesAction, m_showLogAction, m_explainCostAction, m_removeAction});

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About SpawnAI"), this, [this] {
        QMessageBox::about(this, tr("About SpawnAI"),
                           tr("<h3>SpawnAI %1</h3><p>Runs small web apps for a while, then destroys them: "
                              "on this computer in a bubblewrap sandbox, or in a cloud sandbox.</p>"
                              "<p>Data: %2</p>")
                               .arg(QStringLiteral(SPAWNAI_VERSION), Paths::dataDir().toHtmlEscaped()));
    });
}

void MainWindow::deploy()
{
    if (m_appPane->isEmpty()) {
        QMessageBox::information(
            this, tr("Nothing to deploy"),
            tr("Describe an app and generate it, open a folder or an HTML file, or start "
               "from an example (File → Examples)."));
        return;
    }
    if (m_appPane->isStreaming()) {
        QMessageBox::information(
            this, tr("Not finished yet"),
            tr("Claude is still writing this app. Deploy it once the answer is complete."));
        return;
    }
    if (const QString incomplete = m_appPane->incompleteReason(); !incomplete.isEmpty()) {
        QMessageBox::warning(this, tr("Cannot deploy an incomplete answer"),
                             tr("%1\n\nAsk Claude to fix it, retry, or choose “Use as is” above the files if "
                                "you mean to finish them yourself.")
                                 .arg(incomplete));
        return;
    }
    DeployOptions options;
    options.provider = m_deployBar->provider();
    options.size = m_deployBar->size();
    options.ttlSeconds = m_deployBar->lifetimeSeconds();
    options.generationCostUsd = m_flow->unbilledCost();
    if (!m_costs->confirmSpending(m_deployBar->quoteUsd(), tr("This deploy")))
        return;
    auto id = m_core.controller().deploy(m_appPane->bundle(), options);
    if (!id) {
        // The code stays in the editor (and its cost with it); the message says what to change.
        QMessageBox::warning(this, tr("Cannot deploy"), id.error());
        return;
    }
    m_flow->costCharged();
    m_deployBar->setGenerationCost(0);
    m_deployingId = *id;
    m_appSessionId = *id;
    m_deployBar->setDeployEnabled(false);
    m_deployBar->showProgress(tr("Deploying…"));
}

void MainWindow::onSessionChanged(const Session &session)
{
    m_model->upsert(session);
    m_costs->invalidate(); // it may have ended (a Runtime line) or been extended
    m_scheduler->sessionChanged(session);
    if (session.id == m_deployingId) {
        if (isLive(session) || SessionStates::isTerminal(session.state)) {
            m_deployingId.clear();
            m_deployBar->setDeployEnabled(true);
            if (isLive(session))
                m_deployBar->showLive(session.url);
            else
                m_deployBar->showProgress(QString());
        }
        if (isLive(session)) {
            const int row = m_proxy->mapFromSource(m_model->index(m_model->rowOf(session.id), 0)).row();
            if (row >= 0)
                m_view->selectRow(row);
            statusBar()->showMessage(tr("%1 is live at %2").arg(session.name, session.url.toString()), 8000);
            if (m_core.settings().openBrowserOnDeploy())
                QDesktopServices::openUrl(session.url);
        } else if (session.state == SessionState::Failed) {
            // Claude may be able to fix what broke: the failure and the end of the app's log go back to it.
            m_flow->offerFix(tr("The deploy failed: %1").arg(session.failureMessage),
                             deployFailureReport(session));
            QMessageBox::warning(
                this, tr("Deploy failed"),
                tr("%1\n\nThe code is still in the editor: fix it, or ask Claude to fix it, and "
                   "deploy again.")
                    .arg(session.failureMessage));
        }
    }
    updateActions();
}

void MainWindow::tick()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    m_model->tick(now);
    QList<Session> live;
    for (const Session &session : m_core.controller().ownedSessions()) {
        if (isLive(session))
            live << session;
    }
    m_desktop->setLiveSessions(live, now);
    m_scheduler->tick(live, now);
    m_costs->tick(now);
    updateStatusBar(now);
}

void MainWindow::updateStatusBar(const QDateTime &now)
{
    const int live = m_model->liveCount();
    const QString cost = formatUsd(m_model->liveCost(now));
    m_status->setText(live == 0 ? tr("No session running · %1 in history").arg(m_model->rowCount())
                                : tr("%1 running · %2 in history · running cost %3")
                                      .arg(live)
                                      .arg(m_model->rowCount())
                                      .arg(cost));
}

std::optional<Session> MainWindow::selectedSession() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return std::nullopt;
    return m_model->session(rows.constFirst().data(SessionTableModel::SessionIdRole).toString());
}

void MainWindow::updateActions()
{
    const auto session = selectedSession();
    const bool live = session && isLive(*session);
    const bool owned = session && m_core.controller().ownedSession(session->id).has_value();
    m_openAction->setEnabled(live);
    m_copyUrlAction->setEnabled(live);
    for (QAction *action : {m_extendAction, m_extendHourAction, m_extendCustomAction})
        action->setEnabled(live && owned);
    // Quotes before extending: what the added time costs at the session's rate.
    const auto withQuote = [&](const QString &label, qint64 seconds) {
        const double quote = session && live ? CostMeter::extensionQuote(*session, seconds) : 0;
        return quote > 0 ? tr("%1 (+%2)").arg(label, formatUsd(quote)) : label;
    };
    m_extendAction->setText(withQuote(tr("&Extend by 30 min"), 30 * 60));
    m_extendHourAction->setText(withQuote(tr("Extend by &1 h"), 3600));
    m_explainCostAction->setEnabled(session.has_value());
    m_stopAction->setEnabled(session && session->isActive());
    m_redeployAction->setEnabled(session && !session->revisionId.isEmpty());
    m_showFilesAction->setEnabled(session && !session->revisionId.isEmpty());
    m_showLogAction->setEnabled(session.has_value());
    m_removeAction->setEnabled(session && SessionStates::isTerminal(session->state));
}

void MainWindow::onSelectionChanged()
{
    updateActions();
    const auto session = selectedSession();
    if (!session) {
        m_bottomTabs->setTabText(0, tr("&Log"));
        m_log->stop();
        m_log->clear();
        return;
    }
    m_bottomTabs->setTabText(0, tr("&Log of %1").arg(session->name));
    if (!session->revisionId.isEmpty())
        m_revisions->showHistory(session->revisionId);
    m_log->follow(Paths::logPath(session->id), tr("%1 has not printed anything.").arg(session->name));
}

void MainWindow::showContextMenu(const QPoint &pos)
{
    if (!m_view->indexAt(pos).isValid())
        return;
    QMenu menu(this);
    menu.addActions({m_openAction, m_copyUrlAction});
    QMenu *extendMenu = menu.addMenu(tr("E&xtend"));
    extendMenu->addActions({m_extendAction, m_extendHourAction, m_extendCustomAction});
    extendMenu->setEnabled(m_extendAction->isEnabled());
    menu.addAction(m_stopAction);
    menu.addSeparator();
    menu.addActions({m_redeployAction, m_showFilesAction, m_showLogAction});
    menu.addSeparator();
    menu.addAction(m_explainCostAction);
    menu.addAction(m_removeAction);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

void MainWindow::openUrl(const QString &sessionId)
{
    if (auto session = m_model->session(sessionId); session && isLive(*session))
        QDesktopServices::openUrl(session->url);
}

void MainWindow::copyUrl()
{
    if (auto session = selectedSession(); session && isLive(*session)) {
        QGuiApplication::clipboard()->setText(session->url.toString());
        statusBar()->showMessage(tr("Copied %1").arg(session->url.toString()), 3000);
    }
}

void MainWindow::extend(const QString &sessionId, qint64 seconds)
{
    if (const auto session = m_model->session(sessionId);
        session &&
        !m_costs->confirmSpending(CostMeter::extensionQuote(*session, seconds),
                                  tr("Extending “%1” by %2").arg(session->name, formatDuration(seconds))))
        return;
    if (auto extended = m_core.controller().extend(sessionId, seconds); !extended)
        QMessageBox::warning(this, tr("Cannot extend"), extended.error());
    else
        statusBar()->showMessage(tr("Extended by %1").arg(formatDuration(seconds)), 4000);
}

void MainWindow::extendCustom()
{
    const auto session = selectedSession();
    if (!session)
        return;
    bool ok = false;
    // The price comes with the question: what an hour more costs at the session's rate.
    const double hourly = CostMeter::extensionQuote(*session, 3600);
    const QString label = hourly > 0
                              ? tr("Extend by (for example 45m, 2h; %1 per hour):").arg(formatUsd(hourly))
                              : tr("Extend by (for example 45m, 2h):");
    const QString text = QInputDialog::getText(this, tr("Extend %1").arg(session->name), label,
                                               QLineEdit::Normal, u"30m"_s, &ok);
    if (!ok)
        return;
    auto seconds = parseDuration(text);
    if (!seconds) {
        QMessageBox::warning(this, tr("Cannot extend"), seconds.error());
        return;
    }
    extend(session->id, *seconds);
}

void MainWindow::stop(const QString &sessionId)
{
    if (auto stopped = m_core.controller().stop(sessionId); !stopped)
        QMessageBox::warning(this, tr("Cannot stop"), stopped.error());
}

void MainWindow::redeploy()
{
    const auto session = selectedSession();
    if (!session)
        return;
    auto bundle = m_core.store().revision(session->revisionId);
    if (!bundle) {
        QMessageBox::warning(this, tr("Cannot redeploy"), bundle.error());
        return;
    }
    DeployOptions options;
    options.provider = session->provider;
    options.size = session->size;
    options.name = session->name;
    options.ttlSeconds = m_deployBar->lifetimeSeconds();
    auto id = m_core.controller().deploy(*bundle, options);
    if (!id)
        QMessageBox::warning(this, tr("Cannot redeploy"), id.error());
}

void MainWindow::deployGenerated()
{
    const auto session = m_core.controller().ownedSession(m_appSessionId);
    if (!m_flow->lastWasRefine() || !session || !isLive(*session)) {
        deploy();
        return;
    }
    // The refined app replaces the running one: same URL, the lifetime runs on.
    if (auto updated = m_core.controller().redeploy(session->id, m_appPane->bundle(), m_flow->unbilledCost());
        !updated) {
        QMessageBox::warning(this, tr("Cannot update %1").arg(session->name), updated.error());
        return;
    }
    m_flow->costCharged();
    m_deployBar->setGenerationCost(0);
    m_deployingId = session->id;
    m_deployBar->setDeployEnabled(false);
    m_deployBar->showProgress(tr("Updating %1 in place…").arg(session->name));
}

void MainWindow::showFiles()
{
    const auto session = selectedSession();
    if (!session)
        return;
    loadRevision(session->revisionId, u"session:"_s + session->id);
    m_appSessionId = session->id;
    statusBar()->showMessage(tr("Showing the files %1 ran").arg(session->name), 5000);
}

void MainWindow::loadRevision(const QString &revisionId, const QString &source)
{
    if (m_generation->isRunning()) {
        QMessageBox::information(
            this, tr("Claude is writing"),
            tr("Claude is still writing an app into the editor. Stop it or let it finish "
               "first."));
        return;
    }
    auto bundle = m_core.store().revision(revisionId);
    if (!bundle) {
        QMessageBox::warning(this, tr("Cannot show the files"), bundle.error());
        return;
    }
    // What is in the editor now is kept as a revision first: nothing the user wrote is lost.
    if (!m_appPane->isEmpty() && !m_appPane->isStreaming()) {
        if (auto saved = m_core.store().saveRevision(m_appPane->bundle()); !saved) {
            QMessageBox::warning(this, tr("Cannot show the files"), saved.error());
            return;
        }
    }
    m_appPane->setBundle(*bundle, source);
    m_revisions->showHistory(revisionId);
}

void MainWindow::removeFromHistory()
{
    const auto session = selectedSession();
    if (!session || !SessionStates::isTerminal(session->state))
        return;
    if (QMessageBox::question(
            this, tr("Remove %1?").arg(session->name),
            tr("Remove this session from the history? Its code revisions stay available.")) !=
        QMessageBox::Yes)
        return;
    if (auto removed = m_core.store().removeSession(session->id); !removed) {
        QMessageBox::warning(this, tr("Cannot remove"), removed.error());
        return;
    }
    m_model->remove(session->id);
}

void MainWindow::openSettings()
{
    SettingsDialog dialog(m_core.settings(), *m_secrets, this);
    SettingsDialog::ProviderChoices choices;
    for (const QString &key : m_core.controller().providerKeys())
        choices.append({key, m_core.controller().provider(key)->capabilities().displayName});
    dialog.setProviderChoices(choices);
    connect(&dialog, &SettingsDialog::settingsChanged, this, &MainWindow::applySettings);
    dialog.exec();
    // Keys may have been set, replaced or removed.
    m_core.loadProviderKeys([this] { refreshProviders(); });
}

void MainWindow::applySettings()
{
    m_core.applySettings();
    m_costs->applySettings();
    refreshProviders(); // lifetime caps follow the plan (e2b.plan)
    m_scheduler->setLeadTimes(m_core.settings().notificationLeadSeconds());
    m_deployBar->setDefaultLifetime(m_core.settings().defaultTtlSeconds());
    // Keep running in the tray when there is one; otherwise closing the window quits.
    QApplication::setQuitOnLastWindowClosed(!m_desktop->hasTray());
    emit settingsApplied();
}

void MainWindow::bringToFront()
{
    show();
    setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    raise();
    activateWindow();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_quitting) {
        event->accept();
        return;
    }
    const bool running = !m_core.controller().ownedSessions().isEmpty();
    if (running && m_desktop->hasTray()) {
        // The tray keeps the sessions (and their countdowns and notifications) going.
        hide();
        if (!m_trayHintShown) {
            m_trayHintShown = true;
            m_desktop->notify({QString(),
                               tr("SpawnAI is still running"),
                               tr("Your sessions keep running; SpawnAI is in the tray."),
                               {}});
        }
        event->ignore();
        return;
    }
    event->ignore();
    requestQuit();
}

void MainWindow::requestQuit()
{
    const QList<Session> running = m_core.controller().ownedSessions();
    if (running.isEmpty()) {
        m_quitting = true;
        QApplication::quit();
        return;
    }
    const bool anyOutlives = std::any_of(running.cbegin(), running.cend(), [this](const Session &s) {
        Provider *provider = m_core.controller().provider(s.provider);
        return provider && provider->capabilities().outlivesSpawnAI;
    });
    QMessageBox box(QMessageBox::Question, tr("Quit SpawnAI?"),
                    tr("%n session(s) are running.", nullptr, int(running.size())), QMessageBox::NoButton,
                    this);
    box.setInformativeText(anyOutlives
                               ? tr("Stop them now, or leave cloud sessions running until their own "
                                    "expiry (they keep costing until then). Local apps stop with SpawnAI.")
                               : tr("Local apps stop when SpawnAI quits."));
    QPushButton *stopAll = box.addButton(tr("Stop Them and Quit"), QMessageBox::AcceptRole);
    QPushButton *leave =
        anyOutlives ? box.addButton(tr("Quit, Leave Cloud Sessions"), QMessageBox::DestructiveRole) : nullptr;
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(stopAll);
    box.exec();
    if (box.clickedButton() == stopAll) {
        stopAllAndQuit();
    } else if (leave && box.clickedButton() == leave) {
        m_quitting = true;
        QApplication::quit();
    }
}

void MainWindow::stopAllAndQuit()
{
    m_quitting = true;
    auto *progress = new QProgressDialog(tr("Stopping sessions…"), QString(), 0, 0, this);
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(300);
    for (const Session &session : m_core.controller().ownedSessions())
        (void)m_core.controller().stop(session.id);
    auto *poll = new QTimer(this);
    QElapsedTimer clock;
    clock.start();
    connect(poll, &QTimer::timeout, this, [this, clock] {
        // Destroys are idempotent and resent at the next start, so a provider that hangs cannot keep us here.
        if (m_core.controller().ownedSessions().isEmpty() || clock.elapsed() > 15'000)
            QApplication::quit();
    });
    poll->start(50);
}
