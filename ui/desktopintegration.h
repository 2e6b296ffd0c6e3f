#pragma once

#include "session.h"

#include <QDateTime>
#include <QDBusConnection>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <memory>

class QAction;
class QDBusMessage;
class QMenu;
class QSystemTrayIcon;

// The tray icon and the notifications: one object owns the QSystemTrayIcon and decides how to tell the user
// something. Notices go to the freedesktop notification server over D-Bus when the session bus has one
// (with action buttons where the server supports them), otherwise to QSystemTrayIcon::showMessage. Nothing
// here waits on D-Bus: the server is probed, called and listened to asynchronously.
class DesktopIntegration final : public QObject
{
    Q_OBJECT
public:
    enum class Action { Open, Extend30, Stop };
    Q_ENUM(Action)

    struct Notice
    {
        QString sessionId; // empty: not about a session (no actions, nothing replaced)
        QString title;
        QString body; // plain text
        QList<Action> actions;
        bool critical = false; // urgency 2: the server keeps it until the user dismisses it
    };

    // Where notices go right now.
    enum class Route {
        Undecided,          // still asking the session bus; notices wait (briefly) for the answer
        NotificationServer, // org.freedesktop.Notifications
        TrayMessage,        // QSystemTrayIcon::showMessage: no actions, a click shows the window
        None,               // neither: notices are only logged
    };
    Q_ENUM(Route)

    static constexpr qint64 kExtendSeconds = 30 * 60; // what "Extend 30 min" asks for

    explicit DesktopIntegration(QObject *parent = nullptr);
    ~DesktopIntegration() override;

    // Whether the desktop shows tray icons: closing the window may then leave SpawnAI in the tray. Checked
    // again a few times shortly after start, since the tray may come up after us at login;
    // trayAvailabilityChanged() tells when that happens.
    bool hasTray() const { return m_hasTray; }
    Route route() const;

    // The tray menu's session entries ("name — 1:23:45 left" with Open / Extend 30 min / Stop), soonest
    // expiry first. Meant to be called every second: when the same sessions are shown, only the texts are
    // updated; the menu is rebuilt only when sessions come or go.
    void setLiveSessions(const QList<Session> &sessions, const QDateTime &now);
    QMenu *trayMenu() const { return m_menu.get(); } // the window's tests look inside

    // Shows a notice. A new notice for a session replaces that session's previous one on the server.
    void notify(const Notice &notice);

    // The standard notices.
    static Notice liveNotice(const Session &session);                     // "Live at URL": Open, Stop
    static Notice leadNotice(const Session &session, qint64 leadSeconds); // "10 min left": Extend, Open, Stop
    static Notice endedNotice(const Session &session, double finalCost, bool expired); // final cost

signals:
    void showRequested();
    void quitRequested();
    void openRequested(const QString &sessionId);
    void extendRequested(const QString &sessionId, qint64 seconds);
    void stopRequested(const QString &sessionId);
    void trayAvailabilityChanged(bool available);

private slots:
    // QDBusConnection::connect() still takes SLOT() names; the message tells who sent the signal.
    void onActionInvoked(uint id, const QString &key, const QDBusMessage &message);
    void onNotificationClosed(uint id, uint reason, const QDBusMessage &message);

private:
    enum class Server { Unknown, Present, Absent };
    struct MenuEntry
    {
        QString sessionId;
        QString name;
        QPointer<QMenu> menu;
    };

    void checkTray();
    void buildMenu();
    void rebuildSessionEntries(const QList<const Session *> &shown);
    void setUpNotificationServer();
    void probeServer();
    void onServerGone();
    void setServer(Server server);
    void sendToServer(const Notice &notice);
    void showTrayMessage(const Notice &notice);
    void forgetNotification(uint id);
    void dispatch(const QString &sessionId, const QString &key);

    QPointer<QSystemTrayIcon> m_tray;
    std::unique_ptr<QMenu> m_menu; // a QMenu cannot have a QObject parent; the tray only points at it
    QAction *m_noSessions = nullptr;
    QAction *m_moreSessions = nullptr;
    QList<MenuEntry> m_entries;
    int m_tooltipCount = -1;
    bool m_hasTray = false;
    int m_trayChecks = 0;
    QTimer m_trayCheckTimer;

    QDBusConnection m_bus;
    Server m_server = Server::Unknown;
    quint64 m_probe = 0;                     // the answer of an older probe is ignored
    QString m_serverOwner;                   // unique bus name of the server: signals from others are ignored
    QStringList m_capabilities;              // GetCapabilities
    QList<Notice> m_waitingForProbe;         // notices sent while the bus was still being asked
    QHash<QString, uint> m_lastNotification; // session → id of its notice on the server
    QHash<uint, QString> m_sessionOfNotification; // and back, for ActionInvoked
    QSet<QString> m_inFlight;                     // sessions with a Notify call not answered yet
    QHash<QString, Notice> m_nextNotice;          // their newest notice, sent when the call is answered
};
