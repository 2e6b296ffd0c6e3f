#include "logscommand.h"

#include "appcore.h"
#include "console.h"
#include "paths.h"
#include "signalwatcher.h"

#include <cstdio>

using namespace Qt::StringLiterals;

LogsCommand::LogsCommand(AppCore &core, QObject *parent)
    : CliCommand(parent)
    , m_core(core)
{
    m_follow.setInterval(250);
    connect(&m_follow, &QTimer::timeout, this, &LogsCommand::readMore);
}

void LogsCommand::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption followOption({u"f"_s, u"follow"_s},
                                          tr("Keep printing new output until the session ends."));
    parser.addOption(followOption);
    if (!parse(
            parser, arguments,
            {u"logs [--follow] ID"_s, tr("Prints what a session's app wrote to stdout and stderr."), 1, 1}))
        return;
    auto id = m_core.store().resolveSessionId(operands(parser).constFirst());
    if (!id) {
        Console::error(id.error());
        return finish(Failure);
    }
    m_sessionId = *id;
    m_log.setFileName(Paths::logPath(m_sessionId));
    if (!m_log.open(QIODevice::ReadOnly)) {
        if (!m_log.exists()) {
            Console::err(tr("Session %1 has no log yet: its app has not started.").arg(m_sessionId.left(8)));
            return finish(parser.isSet(followOption) ? Failure : Success);
        }
        Console::error(tr("Cannot read %1: %2.").arg(m_log.fileName(), m_log.errorString()));
        return finish(Failure);
    }
    readMore();
    if (!parser.isSet(followOption))
        return finish(Success);
    auto *watcher = new SignalWatcher(this);
    connect(watcher, &SignalWatcher::received, this, [this] { finish(Success); });
    m_follow.start();
}

void LogsCommand::readMore()
{
    const QByteArray chunk = m_log.readAll();
    if (!chunk.isEmpty()) {
        std::fwrite(chunk.constData(), 1, size_t(chunk.size()), stdout);
        std::fflush(stdout);
    }
    // Following: stop once the session has ended and its last words are out.
    if (m_follow.isActive() && ++m_idleTicks % 4 == 0) {
        auto session = m_core.store().session(m_sessionId);
        if (!session || SessionStates::isTerminal(session->state)) {
            m_follow.stop();
            const QByteArray rest = m_log.readAll();
            std::fwrite(rest.constData(), 1, size_t(rest.size()), stdout);
            std::fflush(stdout);
            finish(Success);
        }
    }
}
