#include "fakenotificationserver.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QJsonDocument>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <vector>

FakeNotificationServer::~FakeNotificationServer()
{
    stop();
}

bool FakeNotificationServer::onBus()
{
    return QDBusConnection::sessionBus()
        .interface()
        ->isServiceRegistered(QStringLiteral("org.freedesktop.Notifications"))
        .value();
}

void FakeNotificationServer::requirePrivateSessionBus(int argc, char *argv[])
{
    if (!qEnvironmentVariableIsEmpty("SPAWNAI_TEST_SESSION") ||
        !qEnvironmentVariableIsEmpty("SPAWNAI_PRIVATE_BUS"))
        return;
    qputenv("SPAWNAI_PRIVATE_BUS", "1");
    std::vector<char *> args{const_cast<char *>("dbus-run-session"), const_cast<char *>("--")};
    args.insert(args.end(), argv, argv + argc);
    args.push_back(nullptr);
    ::execvp("dbus-run-session", args.data());
    std::fprintf(stderr, "cannot run dbus-run-session (%s): the D-Bus tests skip\n", std::strerror(errno));
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/spawnai-no-bus");
}

bool FakeNotificationServer::start(const QStringList &arguments)
{
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start(QCoreApplication::applicationDirPath() + QStringLiteral("/fake_notifications"),
                    arguments);
    if (!m_process.waitForStarted())
        return false;
    return QTest::qWaitFor([this] { return onBus() || m_process.state() == QProcess::NotRunning; }, 10'000) &&
           onBus();
}

void FakeNotificationServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.kill();
    m_process.waitForFinished();
    // Its name goes with its connection; the next test must not find it still there.
    if (!QTest::qWaitFor([] { return !onBus(); }, 5000))
        qWarning("the fake notification server's name outlived it");
}

void FakeNotificationServer::command(const QByteArray &line)
{
    m_process.write(line + '\n');
}

void FakeNotificationServer::pause()
{
    ::kill(pid_t(m_process.processId()), SIGSTOP);
}

void FakeNotificationServer::resume()
{
    ::kill(pid_t(m_process.processId()), SIGCONT);
}

QList<QJsonObject> FakeNotificationServer::calls(const QString &method)
{
    m_buffer += m_process.readAllStandardOutput();
    qsizetype newline;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        const QJsonDocument record = QJsonDocument::fromJson(m_buffer.left(newline));
        if (record.isObject())
            m_records.append(record.object());
        m_buffer.remove(0, newline + 1);
    }
    QList<QJsonObject> matching;
    for (const QJsonObject &record : std::as_const(m_records)) {
        if (record.value(QStringLiteral("method")).toString() == method)
            matching.append(record);
    }
    return matching;
}
