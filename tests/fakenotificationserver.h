#pragma once

#include <QJsonObject>
#include <QList>
#include <QProcess>

// The client side of tests/tools/fake_notifications: starts the fake org.freedesktop.Notifications server on
// the (private) session bus, sends it orders, and reads what it recorded.
class FakeNotificationServer
{
public:
    ~FakeNotificationServer();

    static bool onBus(); // whether org.freedesktop.Notifications is on the session bus

    // Call first in main(): never the user's own session bus, whose notification server and tray are real.
    // scripts/test-session.sh provides a private bus (SPAWNAI_TEST_SESSION); anywhere else the test runs
    // again under dbus-run-session. Without it, the bus address points nowhere and the D-Bus cases skip.
    static void requirePrivateSessionBus(int argc, char *argv[]);

    // Ready once its name is on the bus, as a client sees it.
    bool start(const QStringList &arguments = {});
    void stop();
    void command(const QByteArray &line); // "invoke <id> <key>", "close <id> <reason>"
    void pause();
    void resume();

    QList<QJsonObject> calls(const QString &method);
    QList<QJsonObject> notifies() { return calls(QStringLiteral("Notify")); }

private:
    QProcess m_process;
    QByteArray m_buffer;
    QList<QJsonObject> m_records;
};
