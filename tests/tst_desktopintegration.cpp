// The tray menu and the notifications: what a fake org.freedesktop.Notifications server (a separate process
// on a private session bus) receives from DesktopIntegration, and what its action buttons do back; the tray
// fallback when no server is there.
#include "desktopintegration.h"
#include "fakenotificationserver.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using Action = DesktopIntegration::Action;
using Route = DesktopIntegration::Route;

Q_DECLARE_METATYPE(DesktopIntegration::Notice)

namespace {

const QString kService = u"org.freedesktop.Notifications"_s;
const QDateTime kNow = QDateTime(QDate(2026, 11, 28), QTime(12, 0), Qt::UTC);

Session session(const QString &id, const QString &name, qint64 secondsLeft)
{
    Session s;
    s.id = id;
    s.name = name;
    s.provider = u"local"_s;
    s.state = SessionState::Running;
    s.ttlSeconds = 7200;
    s.startedAt = kNow.addSecs(secondsLeft - 7200);
    s.expiresAt = kNow.addSecs(secondsLeft);
    s.url = QUrl(u"http://127.0.0.1:8123/"_s);
    return s;
}

QStringList strings(const QJsonValue &array)
{
    QStringList list;
    for (const QJsonValue &value : array.toArray())
        list.append(value.toString());
    return list;
}

QStringList sessionEntries(const QMenu *menu)
{
    QStringList texts;
    for (const QAction *action : menu->actions()) {
        if (action->menu() && action->isVisible())
            texts.append(action->text());
    }
    return texts;
}

QAction *findAction(const QMenu *menu, const QString &text)
{
    for (QAction *action : menu->actions()) {
        if (action->text() == text)
            return action;
    }
    return nullptr;
}

} // namespace

class TestDesktopIntegration : public QObject
{
    Q_OBJECT

private:
    bool m_haveBus = false;

    // Starts the fake and a DesktopIntegration that found it.
    bool setUpServer(FakeNotificationServer &fake, std::unique_ptr<DesktopIntegration> &desktop,
                     const QStringList &arguments = {})
    {
        if (!fake.start(arguments))
            return false;
        desktop = std::make_unique<DesktopIntegration>();
        return QTest::qWaitFor([&] { return desktop->route() == Route::NotificationServer; }, 10'000);
    }

private slots:
    void initTestCase()
    {
        m_haveBus = QDBusConnection::sessionBus().isConnected();
        if (m_haveBus)
            QVERIFY2(!FakeNotificationServer::onBus(), "a notification server already runs on the test bus");
    }

    void notices_data()
    {
        QTest::addColumn<DesktopIntegration::Notice>("notice");
        QTest::addColumn<QString>("title");
        QTest::addColumn<QString>("body"); // a regular expression
        QTest::addColumn<QList<Action>>("actions");
        QTest::addColumn<bool>("critical");

        Session s = session(u"s1"_s, u"pomodoro"_s, 600);
        QTest::newRow("live") << DesktopIntegration::liveNotice(s) << u"pomodoro is live"_s
                              << u"^Live at http://127.0.0.1:8123/$"_s
                              << QList<Action>{Action::Open, Action::Stop} << false;
        QTest::newRow("10 min left") << DesktopIntegration::leadNotice(s, 600) << u"pomodoro: 10 min left"_s
                                     << u"^Ends at .+\\. Extend it to keep it running\\.$"_s
                                     << QList<Action>{Action::Extend30, Action::Open, Action::Stop} << false;
        QTest::newRow("1 min left: critical")
            << DesktopIntegration::leadNotice(s, 60) << u"pomodoro: 1 min left"_s << u"^Ends at "_s
            << QList<Action>{Action::Extend30, Action::Open, Action::Stop} << true;
        QTest::newRow("expired") << DesktopIntegration::endedNotice(s, 0.17, true) << u"pomodoro expired"_s
                                 << u"^Expired — final cost \\$0\\.17$"_s << QList<Action>{} << true;
        QTest::newRow("stopped") << DesktopIntegration::endedNotice(s, 0.0042, false) << u"pomodoro stopped"_s
                                 << u"^Stopped — final cost \\$0\\.0042$"_s << QList<Action>{} << false;
        s.state = SessionState::Failed;
        s.failureMessage = u"The app stopped answering"_s;
        QTest::newRow("failed") << DesktopIntegration::endedNotice(s, 0, false) << u"pomodoro failed"_s
                                << u"^The app stopped answering — final cost \\$0\\.00$"_s << QList<Action>{}
                                << false;
        s.name.clear();
        QTest::newRow("no name: the id's start")
            << DesktopIntegration::liveNotice(s) << u"s1 is live"_s << u"^Live at "_s
            << QList<Action>{Action::Open, Action::Stop} << false;
    }

    void notices()
    {
        QFETCH(DesktopIntegration::Notice, notice);
        QFETCH(QString, title);
        QFETCH(QString, body);
        QFETCH(QList<Action>, actions);
        QFETCH(bool, critical);
        QCOMPARE(notice.sessionId, u"s1"_s);
        QCOMPARE(notice.title, title);
        QVERIFY2(QRegularExpression(body).match(notice.body).hasMatch(), qPrintable(notice.body));
        QCOMPARE(notice.actions, actions);
        QCOMPARE(notice.critical, critical);
    }

    void trayMenu()
    {
        DesktopIntegration desktop;
        QMenu *menu = desktop.trayMenu();
        QVERIFY(findAction(menu, u"No running sessions"_s)->isVisible());
        QSignalSpy show(&desktop, &DesktopIntegration::showRequested);
        QSignalSpy quit(&desktop, &DesktopIntegration::quitRequested);
        findAction(menu, u"Show SpawnAI"_s)->trigger();
        findAction(menu, u"Quit"_s)->trigger();
        QCOMPARE(show.size(), 1);
        QCOMPARE(quit.size(), 1);

        // Soonest expiry first; '&' is not a mnemonic.
        const QList<Session> live{session(u"a"_s, u"notes & todos"_s, 5025), session(u"b"_s, u"clock"_s, 59)};
        desktop.setLiveSessions(live, kNow);
        QCOMPARE(sessionEntries(menu),
                 (QStringList{u"clock — 0:59 left"_s, u"notes && todos — 1:23:45 left"_s}));
        QVERIFY(!findAction(menu, u"No running sessions"_s)->isVisible());
        const QList<QAction *> before = menu->actions();

        // A second later only the texts change: same menus, same actions.
        desktop.setLiveSessions(live, kNow.addSecs(1));
        QCOMPARE(sessionEntries(menu),
                 (QStringList{u"clock — 0:58 left"_s, u"notes && todos — 1:23:44 left"_s}));
        QCOMPARE(menu->actions(), before);

        // Each entry's submenu acts on its session.
        QSignalSpy open(&desktop, &DesktopIntegration::openRequested);
        QSignalSpy extend(&desktop, &DesktopIntegration::extendRequested);
        QSignalSpy stop(&desktop, &DesktopIntegration::stopRequested);
        QMenu *clock = menu->actions().at(0)->menu();
        findAction(clock, u"Open"_s)->trigger();
        findAction(clock, u"Extend 30 min"_s)->trigger();
        findAction(menu->actions().at(1)->menu(), u"Stop"_s)->trigger();
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.at(0).at(0).toString(), u"b"_s);
        QCOMPARE(extend.size(), 1);
        QCOMPARE(extend.at(0).at(0).toString(), u"b"_s);
        QCOMPARE(extend.at(0).at(1).toLongLong(), 1800);
        QCOMPARE(stop.size(), 1);
        QCOMPARE(stop.at(0).at(0).toString(), u"a"_s);

        // A session ends: the menu is rebuilt without it.
        desktop.setLiveSessions({live.at(0)}, kNow.addSecs(2));
        QCOMPARE(sessionEntries(menu), QStringList{u"notes && todos — 1:23:43 left"_s});
        desktop.setLiveSessions({}, kNow.addSecs(3));
        QCOMPARE(sessionEntries(menu), QStringList{});
        QVERIFY(findAction(menu, u"No running sessions"_s)->isVisible());
    }

    void trayMenuStaysShort()
    {
        DesktopIntegration desktop;
        QList<Session> live;
        for (int i = 0; i < 20; ++i)
            live.append(session(u"s%1"_s.arg(i), u"app %1"_s.arg(i), 3600 - i * 60));
        desktop.setLiveSessions(live, kNow);
        const QStringList entries = sessionEntries(desktop.trayMenu());
        QCOMPARE(entries.size(), 15);
        QCOMPARE(entries.first(), u"app 19 — 41:00 left"_s);
        QVERIFY(findAction(desktop.trayMenu(), u"5 more running — show SpawnAI"_s));
    }

    void notifiesThroughServer()
    {
        if (!m_haveBus)
            QSKIP("no private session bus (dbus-run-session missing?)");
        FakeNotificationServer fake;
        std::unique_ptr<DesktopIntegration> desktop;
        QVERIFY(setUpServer(fake, desktop));

        const Session a = session(u"a"_s, u"pomodoro"_s, 600);
        desktop->notify(DesktopIntegration::liveNotice(a));
        QTRY_COMPARE(fake.notifies().size(), 1);
        const QJsonObject live = fake.notifies().at(0);
        QCOMPARE(live.value(u"app_name"_s).toString(), u"SpawnAI"_s);
        QCOMPARE(live.value(u"app_icon"_s).toString(), u"spawnai"_s);
        QCOMPARE(live.value(u"replaces_id"_s).toInteger(), 0);
        QCOMPARE(live.value(u"summary"_s).toString(), u"pomodoro is live"_s);
        QCOMPARE(live.value(u"body"_s).toString(), u"Live at http://127.0.0.1:8123/"_s);
        QCOMPARE(strings(live.value(u"actions"_s)),
                 (QStringList{u"open"_s, u"Open"_s, u"stop"_s, u"Stop"_s}));
        QCOMPARE(live.value(u"hints"_s).toObject().value(u"desktop-entry"_s).toString(), u"spawnai"_s);
        QCOMPARE(live.value(u"hints"_s).toObject().value(u"urgency"_s).toInt(), 1);
        QCOMPARE(live.value(u"expire_timeout"_s).toInt(), -1);

        // The same session's next notice replaces the first instead of piling up.
        desktop->notify(DesktopIntegration::leadNotice(a, 600));
        QTRY_COMPARE(fake.notifies().size(), 2);
        const QJsonObject lead = fake.notifies().at(1);
        QCOMPARE(lead.value(u"replaces_id"_s).toInteger(), live.value(u"id"_s).toInteger());
        QCOMPARE(lead.value(u"id"_s).toInteger(), live.value(u"id"_s).toInteger());
        QCOMPARE(lead.value(u"summary"_s).toString(), u"pomodoro: 10 min left"_s);
        QCOMPARE(strings(lead.value(u"actions"_s)),
                 (QStringList{u"extend"_s, u"Extend 30 min"_s, u"open"_s, u"Open"_s, u"stop"_s, u"Stop"_s}));

        // Another session has its own.
        const Session b = session(u"b"_s, u"clock"_s, 60);
        desktop->notify(DesktopIntegration::leadNotice(b, 60));
        QTRY_COMPARE(fake.notifies().size(), 3);
        const QJsonObject other = fake.notifies().at(2);
        QCOMPARE(other.value(u"replaces_id"_s).toInteger(), 0);
        QVERIFY(other.value(u"id"_s).toInteger() != live.value(u"id"_s).toInteger());
        QCOMPARE(other.value(u"hints"_s).toObject().value(u"urgency"_s).toInt(), 2); // the last minute

        // The user presses "Extend 30 min" on the first session's notice.
        QSignalSpy extend(desktop.get(), &DesktopIntegration::extendRequested);
        fake.command("invoke " + QByteArray::number(lead.value(u"id"_s).toInteger()) + " extend");
        QTRY_COMPARE(extend.size(), 1);
        QCOMPARE(extend.at(0).at(0).toString(), u"a"_s);
        QCOMPARE(extend.at(0).at(1).toLongLong(), 1800);

        // The server closed it after the action: the next notice is a new one.
        QTest::qWait(100); // NotificationClosed follows ActionInvoked
        desktop->notify(DesktopIntegration::endedNotice(a, 0.17, true));
        QTRY_COMPARE(fake.notifies().size(), 4);
        const QJsonObject expired = fake.notifies().at(3);
        QCOMPARE(expired.value(u"replaces_id"_s).toInteger(), 0);
        QCOMPARE(expired.value(u"body"_s).toString(), u"Expired — final cost $0.17"_s);
        QCOMPARE(strings(expired.value(u"actions"_s)), QStringList{});
        QCOMPARE(expired.value(u"hints"_s).toObject().value(u"urgency"_s).toInt(), 2);
    }

    void actionKeys_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QString>("signal");
        QTest::newRow("open") << QByteArray("open") << u"open"_s;
        QTest::newRow("extend") << QByteArray("extend") << u"extend"_s;
        QTest::newRow("stop") << QByteArray("stop") << u"stop"_s;
        QTest::newRow("default: a click on the notice") << QByteArray("default") << u"show"_s;
        QTest::newRow("unknown key") << QByteArray("launch-missiles") << QString();
    }

    void actionKeys()
    {
        if (!m_haveBus)
            QSKIP("no private session bus (dbus-run-session missing?)");
        QFETCH(QByteArray, key);
        QFETCH(QString, signal);
        FakeNotificationServer fake;
        std::unique_ptr<DesktopIntegration> desktop;
        QVERIFY(setUpServer(fake, desktop));
        QSignalSpy open(desktop.get(), &DesktopIntegration::openRequested);
        QSignalSpy extend(desktop.get(), &DesktopIntegration::extendRequested);
        QSignalSpy stop(desktop.get(), &DesktopIntegration::stopRequested);
        QSignalSpy show(desktop.get(), &DesktopIntegration::showRequested);

        desktop->notify(DesktopIntegration::leadNotice(session(u"a"_s, u"pomodoro"_s, 60), 60));
        QTRY_COMPARE(fake.notifies().size(), 1);
        fake.command("invoke " + QByteArray::number(fake.notifies().at(0).value(u"id"_s).toInteger()) + ' ' +
                     key);
        // The closing signal comes after the action; once it is handled the action has been too.
        QTRY_COMPARE(open.size() + extend.size() + stop.size() + show.size(), signal.isEmpty() ? 0 : 1);
        QTest::qWait(100);
        QCOMPARE(open.size(), signal == u"open" ? 1 : 0);
        QCOMPARE(extend.size(), signal == u"extend" ? 1 : 0);
        QCOMPARE(stop.size(), signal == u"stop" ? 1 : 0);
        QCOMPARE(show.size(), signal == u"show" ? 1 : 0);
        for (const QSignalSpy *spy : {&open, &extend, &stop}) {
            if (!spy->isEmpty())
                QCOMPARE(spy->at(0).at(0).toString(), u"a"_s);
        }
    }

    void onlyOwnNotificationsFromTheServer()
    {
        if (!m_haveBus)
            QSKIP("no private session bus (dbus-run-session missing?)");
        FakeNotificationServer fake;
        std::unique_ptr<DesktopIntegration> desktop;
        QVERIFY(setUpServer(fake, desktop));
        QSignalSpy stop(desktop.get(), &DesktopIntegration::stopRequested);
        desktop->notify(DesktopIntegration::liveNotice(session(u"a"_s, u"pomodoro"_s, 600)));
        QTRY_COMPARE(fake.notifies().size(), 1);
        const auto id = uint(fake.notifies().at(0).value(u"id"_s).toInteger());

        // Some other program on the bus claims our notification's button was pressed.
        QDBusMessage forged =
            QDBusMessage::createSignal(u"/org/freedesktop/Notifications"_s, kService, u"ActionInvoked"_s);
        forged << id << u"stop"_s;
        QVERIFY(QDBusConnection::sessionBus().send(forged));
        // Another application's notification (an id that is not ours) from the real server.
        fake.command("invoke " + QByteArray::number(id + 1000) + " stop");
        QTest::qWait(300);
        QCOMPARE(stop.size(), 0);
        fake.command("invoke " + QByteArray::number(id) + " stop");
        QTRY_COMPARE(stop.size(), 1);
    }

    void actionsNeedTheCapability()
    {
        if (!m_haveBus)
            QSKIP("no private session bus (dbus-run-session missing?)");
        FakeNotificationServer fake;
        std::unique_ptr<DesktopIntegration> desktop;
        QVERIFY(setUpServer(fake, desktop, {u"--no-actions"_s}));
        desktop->notify(DesktopIntegration::leadNotice(session(u"a"_s, u"pomodoro"_s, 600), 600));
        QTRY_COMPARE(fake.notifies().size(), 1);
        QCOMPARE(strings(fake.notifies().at(0).value(u"actions"_s)), QStringList{});
        QCOMPARE(fake.notifies().at(0).value(u"summary"_s).toString(), u"pomodoro: 10 min left"_s);
    }

    void noticesBeforeTheAnswerWaitForIt()
    {
        if (!m_haveBus)
            QSKIP("no private session bus (dbus-run-session missing?)");
        FakeNotificationServer fake;
        QVERIFY(fake.start());
        DesktopIntegration desktop;
        QCOMPARE(desktop.route(), Route::Undecided); // nothing blocks: the capabilities are still coming
        desktop.notify(DesktopIntegration::liveNotice(session(u"a"_s, u"pomodoro"_s, 600)));
        QTRY_COMPARE(fake.notifies().size(), 1);
        QCOMPARE(strings(fake.notifies().at(0).value(u"actions"_s)).size(),
                 4); // sent knowing the capabilities
        QCOMPARE(fake.calls(u"GetCapabilities"_s).size(), 1);
    }

    void hungServerBlocksNothing()
    {
        if (!m_haveBus)
            QSKIP("no private session bus (dbus-run-session missing?)");
        FakeNotificationServer fake;
        QVERIFY(fake.start());
        fake.pause(); // owns the name, answers nothing: a hung server
        QElapsedTimer clock;
        clock.start();
        DesktopIntegration desktop;
        desktop.notify(DesktopIntegration::liveNotice(session(u"a"_s, u"pomodoro"_s, 600)));
        desktop.notify(DesktopIntegration::liveNotice(session(u"b"_s, u"clock"_s, 600)));
        QVERIFY2(clock.elapsed() < 1000, "the GUI thread waited for the notification server");
        QCOMPARE(desktop.route(), Route::Undecided);
        QTest::qWait(300);
        fake.resume(); // the calls were queued on the bus meanwhile
        QTRY_COMPARE(desktop.route(), Route::NotificationServer);
        QTRY_COMPARE(fake.notifies().size(), 2);
    }

    void burstForOneSession()
    {
        if (!m_haveBus)
            QSKIP("no private session bus (dbus-run-session missing?)");
        FakeNotificationServer fake;
        std::unique_ptr<DesktopIntegration> desktop;
        QVERIFY(setUpServer(fake, desktop));
        // Three notices before the first is answered: the first goes, the newest replaces it, the middle one
        // (already outdated) is dropped. None piles up.
        const Session a = session(u"a"_s, u"pomodoro"_s, 60);
        desktop->notify(DesktopIntegration::leadNotice(a, 600));
        desktop->notify(DesktopIntegration::leadNotice(a, 60));
        desktop->notify(DesktopIntegration::endedNotice(a, 0.5, true));
        QTRY_COMPARE(fake.notifies().size(), 2);
        QTest::qWait(200);
        const QList<QJsonObject> got = fake.notifies();
        QCOMPARE(got.size(), 2);
        QCOMPARE(got.at(0).value(u"summary"_s).toString(), u"pomodoro: 10 min left"_s);
        QCOMPARE(got.at(1).value(u"summary"_s).toString(), u"pomodoro expired"_s);
        QCOMPARE(got.at(1).value(u"replaces_id"_s).toInteger(), got.at(0).value(u"id"_s).toInteger());
    }

    void fallsBackWithoutServer()
    {
        if (m_haveBus) {
            const QStringList activatable =
                QDBusConnection::sessionBus().interface()->activatableServiceNames().value();
            if (activatable.contains(kService))
                QSKIP("a real notification server is D-Bus activatable here; it would be started");
        }
        QTest::failOnWarning(QRegularExpression(u".*"_s));
        DesktopIntegration desktop;
        QTRY_VERIFY(desktop.route() == Route::TrayMessage || desktop.route() == Route::None);
        QCOMPARE(desktop.route(), desktop.hasTray() ? Route::TrayMessage : Route::None);
        if (!desktop.hasTray()) // offscreen: nowhere to show it, which is said rather than failed
            QTest::ignoreMessage(QtInfoMsg, QRegularExpression(u"not shown: \"pomodoro is live\""_s));
        desktop.notify(DesktopIntegration::liveNotice(session(u"a"_s, u"pomodoro"_s, 600)));
    }

    void serverGoesAway()
    {
        if (!m_haveBus)
            QSKIP("no private session bus (dbus-run-session missing?)");
        FakeNotificationServer fake;
        std::unique_ptr<DesktopIntegration> desktop;
        QVERIFY(setUpServer(fake, desktop));
        desktop->notify(DesktopIntegration::liveNotice(session(u"a"_s, u"pomodoro"_s, 600)));
        QTRY_COMPARE(fake.notifies().size(), 1);
        fake.stop();
        QTRY_VERIFY(desktop->route() == Route::TrayMessage || desktop->route() == Route::None);

        // A server that comes back is used again, from a fresh start (the old ids died with the old one).
        FakeNotificationServer again;
        QVERIFY(again.start());
        QTRY_COMPARE(desktop->route(), Route::NotificationServer);
        desktop->notify(DesktopIntegration::leadNotice(session(u"a"_s, u"pomodoro"_s, 600), 600));
        QTRY_COMPARE(again.notifies().size(), 1);
        QCOMPARE(again.notifies().at(0).value(u"replaces_id"_s).toInteger(), 0);
    }
};

int main(int argc, char *argv[])
{
    FakeNotificationServer::requirePrivateSessionBus(argc, argv);
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    TestDesktopIntegration test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_desktopintegration.moc"
