#include "deploycommand.h"

#include "appcore.h"
#include "bundlefolder.h"
#include "console.h"
#include "duration.h"
#include "signalwatcher.h"

#include <QProcess>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace {

QString stageText(DeployStage stage, const QString &detail)
{
    switch (stage) {
    case DeployStage::Provisioning:
        return detail;
    case DeployStage::Uploading:
        return detail;
    case DeployStage::Starting:
        return QCoreApplication::translate("DeployCommand", "Starting: %1").arg(detail);
    case DeployStage::WaitingForUrl:
        return QCoreApplication::translate("DeployCommand", "Waiting for %1 to answer").arg(detail);
    }
    return detail;
}

// xdg-open picks the user's browser; what it says when it finds none is noise in this terminal.
void openInBrowser(const QUrl &url)
{
    QProcess opener;
    opener.setProgram(u"xdg-open"_s);
    opener.setArguments({url.toString()});
    opener.setStandardOutputFile(QProcess::nullDevice());
    opener.setStandardErrorFile(QProcess::nullDevice());
    if (!opener.startDetached())
        Console::err(
            QCoreApplication::translate("DeployCommand", "Could not open a browser (xdg-open is missing)."));
}

} // namespace

DeployCommand::DeployCommand(AppCore &core, QObject *parent)
    : CliCommand(parent)
    , m_core(core)
{
    m_ticker.setInterval(1000);
    connect(&m_ticker, &QTimer::timeout, this, &DeployCommand::tick);
}

void DeployCommand::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption providerOption(
        u"provider"_s, tr("Where to run it (default: %1).").arg(m_core.settings().defaultProvider()),
        tr("PROVIDER"), m_core.settings().defaultProvider());
    const QCommandLineOption ttlOption(
        u"ttl"_s,
        tr("Lifetime, e.g. 30m, 2h, 1h30m (default: %1). It is destroyed then.")
            .arg(formatDuration(m_core.settings().defaultTtlSeconds())),
        tr("DURATION"));
    const QCommandLineOption nameOption(u"name"_s, tr("Name shown in lists (default: the app's title)."),
                                        tr("NAME"));
    const QCommandLineOption sizeOption(u"size"_s, tr("Machine size, where the provider has sizes."),
                                        tr("SIZE"));
    const QCommandLineOption portOption(
        u"port"_s, tr("Local: serve on this port of 127.0.0.1 (default: a free one)."), tr("PORT"));
    const QCommandLineOption openOption(u"open"_s, tr("Open the URL in the browser once it answers."));
    parser.addOptions({providerOption, ttlOption, nameOption, sizeOption, portOption, openOption});
    const Syntax syntax{
        u"deploy [options] PATH"_s,
        tr("Deploys the app in PATH (a folder, or a single .html file) and keeps it running until its\n"
           "lifetime ends or you press Ctrl-C; then it is destroyed. The URL is printed on stdout."),
        1, 1};
    if (!parse(parser, arguments, syntax))
        return;

    DeployOptions options;
    options.provider = parser.value(providerOption);
    options.name = parser.value(nameOption);
    options.size = parser.value(sizeOption);
    options.ttlSeconds = m_core.settings().defaultTtlSeconds();
    if (parser.isSet(ttlOption)) {
        auto ttl = parseDuration(parser.value(ttlOption));
        if (!ttl) {
            Console::error(u"--ttl: "_s + ttl.error());
            return finish(Usage);
        }
        options.ttlSeconds = *ttl;
    }
    if (parser.isSet(portOption)) {
        bool ok = false;
        const uint port = parser.value(portOption).toUInt(&ok);
        if (!ok || port == 0 || port > 65535) {
            Console::error(
                tr("--port: \"%1\" is not a port number (1-65535).").arg(parser.value(portOption)));
            return finish(Usage);
        }
        options.hostPort = quint16(port);
    }
    m_open = parser.isSet(openOption);
    options.generationCostUsd = m_generationCostUsd;

    const QString path = operands(parser).constFirst();
    auto bundle = BundleFolder::load(path);
    if (!bundle) {
        Console::error(bundle.error());
        return finish(Failure);
    }

    // Cloud providers need their keys from the keychain first (and so does reconciling what they run).
    m_core.loadProviderKeys([this, bundle = *bundle, options] { deploy(bundle, options); });
}

void DeployCommand::deploy(const AppBundle &bundle, const DeployOptions &options)
{
    SessionController &controller = m_core.controller();
    connect(&controller, &SessionController::deployProgress, this,
            [this](const QString &id, DeployStage stage, const QString &detail) {
                if (id == m_sessionId)
                    Console::err(u"  ▸ "_s + stageText(stage, detail));
            });
    connect(&controller, &SessionController::sessionChanged, this, &DeployCommand::onSessionChanged);
    connect(&controller, &SessionController::storageFailed, this,
            [](const QString &message) { Console::error(message); });
    auto *watcher = new SignalWatcher(this);
    connect(watcher, &SignalWatcher::received, this, &DeployCommand::onSignal);
    controller.recover(); // clean up after SpawnAI processes that died, alongside

    m_clock.start();
    const QString providerName = controller.provider(options.provider)
                                     ? controller.provider(options.provider)->capabilities().displayName
                                     : options.provider;
    const qsizetype fileCount = bundle.files.size();
    Console::err(tr("Deploying \"%1\" (%2, %3) to %4 for %5")
                     .arg(options.name.isEmpty() ? bundle.manifest.title : options.name,
                          Runtimes::name(bundle.manifest.runtime),
                          fileCount == 1 ? tr("1 file") : tr("%1 files").arg(fileCount), providerName,
                          formatDuration(options.ttlSeconds)));
    auto id = controller.deploy(bundle, options);
    if (!id) {
        Console::error(id.error());
        finish(Failure);
        return;
    }
    m_sessionId = *id;
}

void DeployCommand::onSessionChanged(const Session &session)
{
    if (session.id != m_sessionId)
        return;
    switch (session.state) {
    case SessionState::Running:
    case SessionState::Expiring:
        if (!m_announced) {
            m_announced = true;
            Console::out(session.url.toString());
            Console::err(
                tr("Live at %1 (answered in %2 ms).").arg(session.url.toString()).arg(m_clock.elapsed()));
            if (session.unsandboxed)
                Console::err(tr(
                    "WARNING: this app runs WITHOUT a sandbox (local.allow-unsandboxed is on): it can read "
                    "your files and use your network."));
            Console::err(tr("It will be destroyed at %1 (in %2). Press Ctrl-C to stop it sooner.")
                             .arg(session.expiresAt.toLocalTime().toString(u"HH:mm"_s),
                                  formatDuration(session.ttlSeconds)));
            Console::err(tr("Session %1; logs: spawnai logs %2").arg(session.id, session.id.left(8)));
            if (m_open)
                openInBrowser(session.url);
            m_ticker.start();
            tick();
        }
        break;
    case SessionState::Stopping:
        m_ticker.stop();
        Console::err(tr("Stopping…"));
        break;
    case SessionState::Ended:
        m_ticker.stop();
        printSummary(session);
        finish(Success);
        break;
    case SessionState::Failed:
        m_ticker.stop();
        Console::error(session.failureMessage.isEmpty() ? FailureReasons::label(session.failure)
                                                        : session.failureMessage);
        finish(Failure);
        break;
    case SessionState::Draft:
    case SessionState::Generating:
    case SessionState::Ready:
    case SessionState::Provisioning:
    case SessionState::Uploading:
    case SessionState::Starting:
        break;
    }
}

void DeployCommand::onSignal()
{
    if (++m_interrupts > 1 || m_sessionId.isEmpty()) {
        Console::err(tr("Interrupted again: leaving now. A local app stops with SpawnAI; a cloud one ends at "
                        "its expiry, or "
                        "the next SpawnAI to start cleans it up."));
        QCoreApplication::exit(130);
        return;
    }
    if (auto stopped = m_core.controller().stop(m_sessionId); !stopped) {
        Console::error(stopped.error());
        finish(Failure);
    }
}

void DeployCommand::tick()
{
    const auto session = m_core.controller().ownedSession(m_sessionId);
    if (!session)
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 left = session->secondsLeft(now);
    const QString cost = formatUsd(m_meter.accrued(*session, now));
    if (Console::stderrIsTerminal()) {
        Console::status(tr("⏱ %1 left · %2 · %3").arg(formatCountdown(left), cost, session->url.toString()));
        return;
    }
    // Not a terminal (a log, a pipe): a line at the moments that matter only.
    const qint64 notice = left <= 60 ? 60 : left <= 600 ? 600 : -1;
    if (notice > 0 && notice != m_lastNotice) {
        m_lastNotice = notice;
        Console::err(tr("%1 left (%2 so far).").arg(formatDuration(left), cost));
    }
}

void DeployCommand::printSummary(const Session &session)
{
    const qint64 ran = session.startedAt.isValid() ? session.startedAt.secsTo(session.endedAt) : 0;
    const QString cost = formatUsd(m_meter.accrued(session, QDateTime::currentDateTimeUtc()));
    const bool expired =
        session.endedAt.isValid() && session.expiresAt.isValid() && session.endedAt >= session.expiresAt;
    Console::err(
        (expired ? tr("Expired after %1 and destroyed. Cost: %2.") : tr("Stopped after %1. Cost: %2."))
            .arg(formatDuration(std::max<qint64>(0, ran)), cost));
}
