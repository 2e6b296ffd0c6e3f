#include "desktopintegration.h"

#include "costmeter.h"
#include "duration.h"

#include <QApplication>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>
#include <QFile>
#include <QIcon>
#include <QImageReader>
#include <QLocale>
#include <QLoggingCategory>
#include <QMenu>
#include <QStyle>
#include <QSystemTrayIcon>

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
Q_LOGGING_CATEGORY(lcDesktop, "spawnai.ui.desktop")

// The freedesktop Desktop Notifications specification, version 1.2.
const QString kService = u"org.freedesktop.Notifications"_s;
const QString kPath = u"/org/freedesktop/Notifications"_s;
const QString kInterface = u"org.freedesktop.Notifications"_s;

constexpr int kNotifyTimeoutMs = 5000;
// Asking may start (D-Bus activate) the server, which can take a while on a busy login.
constexpr int kProbeTimeoutMs = 10'000;
constexpr int kTrayMessageMs = 10'000;
// After the first check: a panel that starts after us at login gets ten seconds to show up.
constexpr int kTrayRechecks = 5;
constexpr auto kTrayCheckInterval = 2s;
constexpr qsizetype kMaxMenuSessions = 15; // more do not fit a menu; the window lists them all
constexpr qsizetype kMaxWaitingNotices = 16;

QString actionKey(DesktopIntegration::Action action)
{
    switch (action) {
    case DesktopIntegration::Action::Open:
        return u"open"_s;
    case DesktopIntegration::Action::Extend30:
        return u"extend"_s;
    case DesktopIntegration::Action::Stop:
        return u"stop"_s;
    }
    return {};
}

QString actionLabel(DesktopIntegration::Action action)
{
    switch (action) {
    case DesktopIntegration::Action::Open:
        return DesktopIntegration::tr("Open");
    case DesktopIntegration::Action::Extend30:
        return DesktopIntegration::tr("Extend 30 min");
    case DesktopIntegration::Action::Stop:
        return DesktopIntegration::tr("Stop");
    }
    return {};
}

QString displayName(const Session &session)
{
    return session.name.isEmpty() ? session.id.left(8) : session.name;
}

// A menu reads '&' as a mnemonic marker.
QString menuText(QString text)
{
    return text.replace(u'&', u"&&"_s);
}

QString entryText(const Session &session, const QDateTime &now)
{
    return DesktopIntegration::tr("%1 — %2 left")
        .arg(menuText(displayName(session)), formatCountdown(session.secondsLeft(now)));
}

QIcon trayIcon()
{
    const QString resource = u":/spawnai/icons/spawnai.svg"_s;
    if (QFile::exists(resource) && QImageReader::supportedImageFormats().contains("svg"))
        return QIcon(resource);
    // The SVG is not built in, or nothing can draw it: a themed icon beats an empty tray slot.
    qCDebug(lcDesktop) << "no" << resource << "- using a theme icon";
    QIcon icon = QIcon::fromTheme(u"spawnai"_s, QIcon::fromTheme(u"applications-internet"_s));
    if (icon.isNull())
        icon = QApplication::style()->standardIcon(QStyle::SP_ComputerIcon);
    return icon;
}
} // namespace

DesktopIntegration::DesktopIntegration(QObject *parent)
    : QObject(parent)
    , m_menu(std::make_unique<QMenu>())
    , m_bus(QDBusConnection::sessionBus())
{
    buildMenu();
    m_tray = new QSystemTrayIcon(trayIcon(), this);
    m_tray->setToolTip(tr("SpawnAI"));
    m_tray->setContextMenu(m_menu.get());
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            emit showRequested();
    });
    // A tray message carries no session and no buttons: a click can only bring the window.
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, &DesktopIntegration::showRequested);

    checkTray();
    m_trayCheckTimer.setInterval(kTrayCheckInterval);
    connect(&m_trayCheckTimer, &QTimer::timeout, this, [this] {
        checkTray();
        if (m_hasTray || ++m_trayChecks >= kTrayRechecks)
            m_trayCheckTimer.stop();
    });
    if (!m_hasTray)
        m_trayCheckTimer.start();

    setUpNotificationServer();
}

DesktopIntegration::~DesktopIntegration()
{
    delete m_tray; // before the menu it shows
}

DesktopIntegration::Route DesktopIntegration::route() const
{
    switch (m_server) {
    case Server::Unknown:
        return Route::Undecided;
    case Server::Present:
        return Route::NotificationServer;
    case Server::Absent:
        break;
    }
    return m_hasTray ? Route::TrayMessage : Route::None;
}

void DesktopIntegration::checkTray()
{
    const bool available = QSystemTrayIcon::isSystemTrayAvailable();
    if (available == m_hasTray)
        return;
    m_hasTray = available;
    qCInfo(lcDesktop) << "system tray" << (available ? "available" : "gone");
    if (m_tray)
        m_tray->setVisible(available);
    emit trayAvailabilityChanged(available);
}

// ---- tray menu

void DesktopIntegration::buildMenu()
{
    m_noSessions = m_menu->addAction(tr("No running sessions"));
    m_noSessions->setEnabled(false);
    m_moreSessions = m_menu->addAction(QString());
    m_moreSessions->setVisible(false);
    connect(m_moreSessions, &QAction::triggered, this, &DesktopIntegration::showRequested);
    m_menu->addSeparator();
    connect(m_menu->addAction(tr("Show SpawnAI")), &QAction::triggered, this,
            &DesktopIntegration::showRequested);
    connect(m_menu->addAction(tr("Quit")), &QAction::triggered, this, &DesktopIntegration::quitRequested);
}

void DesktopIntegration::setLiveSessions(const QList<Session> &sessions, const QDateTime &now)
{
    // Soonest expiry first; the list index breaks ties so the order (and the menu) stays put between ticks.
    // Only the entries that are shown get sorted: cheap at 1 Hz even with many sessions.
    std::vector<std::pair<qint64, qsizetype>> order;
    order.reserve(std::size_t(sessions.size()));
    for (qsizetype i = 0; i < sessions.size(); ++i) {
        const QDateTime &expiry = sessions.at(i).expiresAt;
        order.emplace_back(expiry.isValid() ? expiry.toMSecsSinceEpoch() : std::numeric_limits<qint64>::max(),
                           i);
    }
    const auto shownCount = std::min<qsizetype>(sessions.size(), kMaxMenuSessions);
    std::partial_sort(order.begin(), order.begin() + shownCount, order.end());
    QList<const Session *> shown;
    shown.reserve(shownCount);
    for (qsizetype i = 0; i < shownCount; ++i)
        shown.append(&sessions.at(order[std::size_t(i)].second));

    bool same = shown.size() == m_entries.size();
    for (qsizetype i = 0; same && i < shown.size(); ++i) {
        const MenuEntry &entry = m_entries.at(i);
        same = entry.menu && entry.sessionId == shown.at(i)->id && entry.name == shown.at(i)->name;
    }
    if (!same)
        rebuildSessionEntries(shown);
    for (qsizetype i = 0; i < shown.size(); ++i) {
        QAction *action = m_entries.at(i).menu->menuAction();
        const QString text = entryText(*shown.at(i), now);
        if (action->text() != text) // every change goes out to the tray host (D-Bus): only real ones
            action->setText(text);
    }

    m_noSessions->setVisible(sessions.isEmpty());
    const auto hidden = int(sessions.size() - shownCount);
    m_moreSessions->setVisible(hidden > 0);
    if (hidden > 0)
        m_moreSessions->setText(tr("%n more running — show SpawnAI", "", hidden));
    if (m_tray && m_tooltipCount != sessions.size()) {
        m_tooltipCount = int(sessions.size());
        m_tray->setToolTip(sessions.isEmpty() ? tr("SpawnAI")
                                              : tr("SpawnAI — %n session(s) running", "", m_tooltipCount));
    }
}

void DesktopIntegration::rebuildSessionEntries(const QList<const Session *> &shown)
{
    for (const MenuEntry &entry : std::as_const(m_entries))
        delete entry.menu; // takes its menu action out of the tray menu
    m_entries.clear();
    for (const Session *session : shown) {
        auto *menu = new QMenu(m_menu.get());
        const QString id = session->id;
        connect(menu->addAction(tr("Open")), &QAction::triggered, this,
                [this, id] { emit openRequested(id); });
        connect(menu->addAction(tr("Extend 30 min")), &QAction::triggered, this,
                [this, id] { emit extendRequested(id, kExtendSeconds); });
        connect(menu->addAction(tr("Stop")), &QAction::triggered, this,
                [this, id] { emit stopRequested(id); });
        m_menu->insertMenu(m_noSessions, menu);
        m_entries.append({session->id, session->name, menu});
    }
}

// ---- notices

DesktopIntegration::Notice DesktopIntegration::liveNotice(const Session &session)
{
    return {session.id,
            tr("%1 is live").arg(displayName(session)),
            tr("Live at %1").arg(session.url.toDisplayString()),
            {Action::Open, Action::Stop}};
}

DesktopIntegration::Notice DesktopIntegration::leadNotice(const Session &session, qint64 leadSeconds)
{
    // The end time, not a countdown: a notice is read later than it is sent.
    const QString body =
        session.expiresAt.isValid()
            ? tr("Ends at %1. Extend it to keep it running.")
                  .arg(QLocale().toString(session.expiresAt.toLocalTime().time(), QLocale::ShortFormat))
            : tr("Extend it to keep it running.");
    Notice notice{session.id,
                  tr("%1: %2 left").arg(displayName(session), formatDuration(leadSeconds)),
                  body,
                  {Action::Extend30, Action::Open, Action::Stop}};
    notice.critical = leadSeconds <= 60; // the last chance to extend should not time out unseen
    return notice;
}

DesktopIntegration::Notice DesktopIntegration::endedNotice(const Session &session, double finalCost,
                                                           bool expired)
{
    const QString cost = formatUsd(finalCost);
    Notice notice{session.id, {}, {}, {}};
    if (expired) {
        notice.title = tr("%1 expired").arg(displayName(session));
        notice.body = tr("Expired — final cost %1").arg(cost);
        notice.critical = true;
    } else if (session.state == SessionState::Failed) {
        notice.title = tr("%1 failed").arg(displayName(session));
        notice.body = session.failureMessage.isEmpty()
                          ? tr("Failed — final cost %1").arg(cost)
                          : tr("%1 — final cost %2").arg(session.failureMessage, cost);
    } else {
        notice.title = tr("%1 stopped").arg(displayName(session));
        notice.body = tr("Stopped — final cost %1").arg(cost);
    }
    return notice;
}

void DesktopIntegration::notify(const Notice &notice)
{
    switch (route()) {
    case Route::Undecided:
        if (m_waitingForProbe.size() >= kMaxWaitingNotices)
            m_waitingForProbe.removeFirst();
        m_waitingForProbe.append(notice);
        return;
    case Route::NotificationServer:
        sendToServer(notice);
        return;
    case Route::TrayMessage:
    case Route::None:
        showTrayMessage(notice);
        return;
    }
}

void DesktopIntegration::showTrayMessage(const Notice &notice)
{
    if (!m_tray || !m_hasTray) {
        qCInfo(lcDesktop) << "no notification server and no tray; not shown:" << notice.title;
        return;
    }
    m_tray->showMessage(notice.title, notice.body,
                        notice.critical ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information,
                        kTrayMessageMs);
}

// ---- the notification server (org.freedesktop.Notifications)

void DesktopIntegration::setUpNotificationServer()
{
    if (!m_bus.isConnected()) {
        qCInfo(lcDesktop) << "no session bus:" << m_bus.lastError().message();
        setServer(Server::Absent);
        return;
    }
    // A server that starts after us (or restarts) is asked again what it can do.
    auto *watcher = new QDBusServiceWatcher(kService, m_bus, QDBusServiceWatcher::WatchForOwnerChange, this);
    connect(watcher, &QDBusServiceWatcher::serviceOwnerChanged, this,
            [this](const QString &, const QString &, const QString &newOwner) {
                if (newOwner.isEmpty())
                    onServerGone();
                else if (newOwner != m_serverOwner)
                    probeServer();
            });
    // Any sender: naming the service here would make QtDBus look its owner up with a blocking call. The
    // slots check the sender against the server's unique name instead.
    m_bus.connect(QString(), kPath, kInterface, u"ActionInvoked"_s, this,
                  SLOT(onActionInvoked(uint, QString, QDBusMessage)));
    m_bus.connect(QString(), kPath, kInterface, u"NotificationClosed"_s, this,
                  SLOT(onNotificationClosed(uint, uint, QDBusMessage)));
    probeServer();
}

void DesktopIntegration::probeServer()
{
    const quint64 probe = ++m_probe;
    setServer(Server::Unknown);
    const QDBusMessage call =
        QDBusMessage::createMethodCall(kService, kPath, kInterface, u"GetCapabilities"_s);
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, kProbeTimeoutMs), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, probe] {
        watcher->deleteLater();
        if (probe != m_probe)
            return;
        const QDBusPendingReply<QStringList> reply = *watcher;
        if (reply.isError()) {
            qCInfo(lcDesktop) << "no notification server:" << reply.error().name();
            m_serverOwner.clear();
            m_capabilities.clear();
            setServer(Server::Absent);
            return;
        }
        m_capabilities = reply.value();
        m_serverOwner = reply.reply().service();
        qCInfo(lcDesktop) << "notification server" << m_serverOwner << "can" << m_capabilities;
        setServer(Server::Present);
    });
}

void DesktopIntegration::onServerGone()
{
    // Its notifications went with it.
    m_serverOwner.clear();
    m_lastNotification.clear();
    m_sessionOfNotification.clear();
    // A D-Bus activatable server starts again on the next Notify; without one, the tray takes over. Asking
    // GetCapabilities here would restart an activatable server at once, and a crashing one in a loop.
    const quint64 probe = ++m_probe;
    setServer(Server::Unknown);
    const QDBusMessage call =
        QDBusMessage::createMethodCall(u"org.freedesktop.DBus"_s, u"/org/freedesktop/DBus"_s,
                                       u"org.freedesktop.DBus"_s, u"ListActivatableNames"_s);
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, kNotifyTimeoutMs), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, probe] {
        watcher->deleteLater();
        if (probe != m_probe)
            return;
        const QDBusPendingReply<QStringList> reply = *watcher;
        const bool activatable = !reply.isError() && reply.value().contains(kService);
        qCInfo(lcDesktop) << "notification server left the bus;" << (activatable ? "activatable" : "gone");
        setServer(activatable ? Server::Present : Server::Absent);
    });
}

void DesktopIntegration::setServer(Server server)
{
    m_server = server;
    if (server == Server::Unknown)
        return;
    const QList<Notice> waiting = std::exchange(m_waitingForProbe, {});
    for (const Notice &notice : waiting)
        notify(notice);
}

void DesktopIntegration::sendToServer(const Notice &notice)
{
    const QString &sessionId = notice.sessionId;
    if (!sessionId.isEmpty() && m_inFlight.contains(sessionId)) {
        // Its id is not known yet, and the new notice must replace that one: send it when the answer is in.
        // A newer notice for the same session supersedes one still waiting.
        m_nextNotice.insert(sessionId, notice);
        return;
    }
    const uint replaces = sessionId.isEmpty() ? 0 : m_lastNotification.value(sessionId, 0);
    QStringList actions; // pairs: key, label
    if (m_capabilities.contains(u"actions"_s)) {
        for (Action action : notice.actions)
            actions << actionKey(action) << actionLabel(action);
    }
    const QVariantMap hints{
        {u"desktop-entry"_s, u"spawnai"_s},
        {u"urgency"_s, QVariant::fromValue(uchar(notice.critical ? 2 : 1))}, // the spec wants a byte
    };
    // A server with body-markup reads the body as markup: a '&' in a URL or name would break it.
    const QString body =
        m_capabilities.contains(u"body-markup"_s) ? notice.body.toHtmlEscaped() : notice.body;

    QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kInterface, u"Notify"_s);
    call << u"SpawnAI"_s << replaces << u"spawnai"_s << notice.title << body << actions << hints
         << qint32(-1); // the server's default timeout
    if (!sessionId.isEmpty())
        m_inFlight.insert(sessionId);
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, kNotifyTimeoutMs), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, notice, replaces] {
        watcher->deleteLater();
        const QString &id = notice.sessionId;
        m_inFlight.remove(id);
        const QDBusPendingReply<uint> reply = *watcher;
        if (reply.isError()) {
            qCWarning(lcDesktop) << "Notify failed:" << reply.error().name() << reply.error().message();
            if (replaces != 0)
                forgetNotification(replaces);
            showTrayMessage(notice);
            probeServer(); // gone, hung or replaced: find out before the next notice
        } else {
            const uint notification = reply.value();
            m_serverOwner = reply.reply().service(); // it may have been started by this very call
            if (replaces != 0 && replaces != notification)
                forgetNotification(replaces);
            if (!id.isEmpty()) {
                m_lastNotification.insert(id, notification);
                m_sessionOfNotification.insert(notification, id);
            }
        }
        if (!id.isEmpty()) {
            if (auto next = m_nextNotice.find(id); next != m_nextNotice.end()) {
                const Notice waiting = *next;
                m_nextNotice.erase(next);
                notify(waiting);
            }
        }
    });
}

void DesktopIntegration::forgetNotification(uint id)
{
    const QString sessionId = m_sessionOfNotification.take(id);
    if (!sessionId.isEmpty() && m_lastNotification.value(sessionId) == id)
        m_lastNotification.remove(sessionId);
}

void DesktopIntegration::onActionInvoked(uint id, const QString &key, const QDBusMessage &message)
{
    // The signal goes to everyone: ids are the server's, and other programs' notifications have their own.
    if (m_serverOwner.isEmpty() || message.service() != m_serverOwner)
        return;
    const QString sessionId = m_sessionOfNotification.value(id);
    if (!sessionId.isEmpty())
        dispatch(sessionId, key);
}

void DesktopIntegration::onNotificationClosed(uint id, uint reason, const QDBusMessage &message)
{
    if (m_serverOwner.isEmpty() || message.service() != m_serverOwner)
        return;
    qCDebug(lcDesktop) << "notification" << id << "closed, reason" << reason;
    // A closed notification cannot be replaced: the session's next notice is a new one.
    forgetNotification(id);
}

void DesktopIntegration::dispatch(const QString &sessionId, const QString &key)
{
    qCDebug(lcDesktop) << "action" << key << "for" << sessionId;
    if (key == u"open")
        emit openRequested(sessionId);
    else if (key == u"extend")
        emit extendRequested(sessionId, kExtendSeconds);
    else if (key == u"stop")
        emit stopRequested(sessionId);
    else if (key == u"default") // a click on the notice itself, where the server reports one
        emit showRequested();
}
