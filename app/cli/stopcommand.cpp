#include "stopcommand.h"

#include "appcore.h"
#include "console.h"

using namespace Qt::StringLiterals;

StopCommand::StopCommand(AppCore &core, QObject *parent)
    : CliCommand(parent)
    , m_core(core)
{
    m_poll.setInterval(100);
    connect(&m_poll, &QTimer::timeout, this, &StopCommand::poll);
}

void StopCommand::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    if (!parse(
            parser, arguments,
            {u"stop ID"_s,
             tr("Stops a session and destroys what it runs. ID may be a unique prefix (see spawnai list)."),
             1, 1}))
        return;
    auto id = m_core.store().resolveSessionId(operands(parser).constFirst());
    if (!id) {
        Console::error(id.error());
        return finish(Failure);
    }
    m_sessionId = *id;
    // Stopping a cloud session here (its owner died) calls the provider: its key comes first.
    m_core.loadProviderKeys([this] {
        if (auto stopped = m_core.controller().stop(m_sessionId); !stopped) {
            Console::error(stopped.error());
            return finish(Failure);
        }
        m_deadline.setRemainingTime(kWaitMs);
        m_poll.start();
    });
}

void StopCommand::poll()
{
    auto session = m_core.store().session(m_sessionId);
    if (!session) {
        Console::error(session.error());
        return finish(Failure);
    }
    if (SessionStates::isTerminal(session->state)) {
        m_poll.stop();
        Console::err(tr("Stopped %1 (%2).").arg(session->name, m_sessionId.left(8)));
        return finish(Success);
    }
    if (m_deadline.hasExpired()) {
        m_poll.stop();
        Console::error(tr("%1 is still %2: the SpawnAI process running it did not answer. "
                          "It will be cleaned up when that process ends or SpawnAI starts again.")
                           .arg(session->name, SessionStates::name(session->state)));
        finish(Failure);
    }
}
