// Notifications end to end: the real window deploys real Local sessions; a fake freedesktop notification
// server on a private session bus receives "Live at", "1 min left" and the expiry notice with the final cost,
// and its "Extend" button extends the session.
#include "appcore.h"
#include "apppane.h"
#include "fakenotificationserver.h"
#include "local/localprocesses.h"
#include "mainwindow.h"
#include "paths.h"
#include "sessiontablemodel.h"
#include "testsupport.h"

#include <QApplication>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestNotifications : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;
    FakeNotificationServer m_server;
    std::unique_ptr<AppCore> m_core;
    std::unique_ptr<MainWindow> m_window;

    // Deploys the pomodoro example for `ttlSeconds` through the controller, as the deploy bar does.
    QString deploy(qint64 ttlSeconds)
    {
        auto app = AppPane::example(u"pomodoro"_s);
        DeployOptions options;
        options.provider = u"local"_s;
        options.ttlSeconds = ttlSeconds;
        auto id = m_core->controller().deploy(*app, options);
        return id ? *id : QString();
    }

    QList<QJsonObject> noticesFor(const QString &title)
    {
        QList<QJsonObject> found;
        for (const QJsonObject &call : m_server.notifies()) {
            if (call.value(u"summary"_s).toString().contains(title))
                found << call;
        }
        return found;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("XDG_DATA_HOME", m_home.filePath(u"data"_s).toUtf8());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(u"config"_s).toUtf8());
        QVERIFY2(!FakeNotificationServer::onBus(), "a notification server already runs on the test bus");
        QVERIFY(m_server.start());
        AppSettings settings;
        QVERIFY(settings.setValue(u"defaults.open-browser"_s, u"false"_s).ok());
        QVERIFY(settings.setValue(u"notify.lead-times"_s, u"10m,1m"_s).ok());
        auto core = AppCore::open();
        QVERIFY2(core.ok(), qPrintable(core.error()));
        m_core = std::move(*core);
        m_window = std::make_unique<MainWindow>(*m_core);
        m_window->show();
        m_window->start();
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_core.reset();
        QTRY_VERIFY(LocalProcesses::find(Paths::runDir()).isEmpty());
    }

    void liveThenOneMinuteLeftThenExtend()
    {
        const QString id =
            deploy(62); // one minute and a little: "1 min left" comes two seconds after it is live
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!noticesFor(u"is live"_s).isEmpty(), 15'000);
        const QJsonObject live = noticesFor(u"is live"_s).constFirst();
        const auto session = m_core->controller().ownedSession(id);
        QVERIFY(session);
        QVERIFY2(live.value(u"body"_s).toString().contains(session->url.toString()),
                 qPrintable(live.value(u"body"_s).toString()));

        QTRY_VERIFY_WITH_TIMEOUT(!noticesFor(u"1 min left"_s).isEmpty(), 10'000);
        QVERIFY(noticesFor(u"10 min left"_s).isEmpty()); // longer than the whole lifetime: skipped
        const QJsonObject lead = noticesFor(u"1 min left"_s).constFirst();
        QVERIFY(lead.value(u"actions"_s).toArray().contains(u"extend"_s));

        const QDateTime before = m_core->controller().ownedSession(id)->expiresAt;
        m_server.command("invoke " + QByteArray::number(lead.value(u"id"_s).toInteger()) + " extend");
        QTRY_COMPARE(m_core->controller().ownedSession(id)->expiresAt, before.addSecs(30 * 60));
        QVERIFY(m_core->controller().stop(id).ok());
        QTRY_VERIFY(!m_core->controller().ownedSession(id));
    }

    void expiryNoticeTellsTheFinalCost()
    {
        const QString id = deploy(3);
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!noticesFor(u"expired"_s).isEmpty(), 15'000);
        const QJsonObject expired = noticesFor(u"expired"_s).constFirst();
        QVERIFY2(expired.value(u"body"_s).toString().contains(u"$0.00"_s),
                 qPrintable(expired.value(u"body"_s).toString()));
        QCOMPARE(expired.value(u"hints"_s).toObject().value(u"urgency"_s).toInt(), 2);
        QVERIFY(!m_core->controller().ownedSession(id));
    }
};

int main(int argc, char *argv[])
{
    FakeNotificationServer::requirePrivateSessionBus(argc, argv);
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    TestNotifications test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_notifications.moc"
