// The main window driven as a user would: real widgets (offscreen), the real store, real Local sandboxes.
#include "appcore.h"
#include "apppane.h"
#include "local/localprocesses.h"
#include "mainwindow.h"
#include "paths.h"
#include "sessiontablemodel.h"
#include "settingsdialog.h"
#include "testsupport.h"

#include <QAbstractButton>
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QMessageBox>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TestSupport;

namespace {

// Runs `answer` on the next modal dialog (message box, settings) that opens within `timeoutMs`.
void whenModalOpens(std::function<void(QWidget *)> answer, int timeoutMs = 10'000)
{
    auto *poll = new QTimer(qApp);
    auto elapsed = std::make_shared<QElapsedTimer>();
    elapsed->start();
    QObject::connect(poll, &QTimer::timeout, qApp, [poll, elapsed, answer, timeoutMs] {
        if (QWidget *modal = QApplication::activeModalWidget()) {
            poll->deleteLater();
            answer(modal);
        } else if (elapsed->elapsed() > timeoutMs) {
            poll->deleteLater();
        }
    });
    poll->start(20);
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;
    std::unique_ptr<AppCore> m_core;
    std::unique_ptr<MainWindow> m_window;

    SessionTableModel *model() const { return m_window->sessionModel(); }
    QAction *action(const char *name) const
    {
        return m_window->findChild<QAction *>(QString::fromLatin1(name));
    }

    // The session in the table that satisfies `pred`, waiting for it.
    std::optional<Session> waitForSession(const std::function<bool(const Session &)> &pred,
                                          int timeoutMs = 15'000)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            for (int row = 0; row < model()->rowCount(); ++row) {
                if (pred(model()->sessionAt(row)))
                    return model()->sessionAt(row);
            }
            QTest::qWait(20);
        }
        return std::nullopt;
    }

    // Read straight from the database file, as another process would.
    static qint64 revisionCount()
    {
        qint64 count = -1;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"revision-count"_s);
            db.setDatabaseName(Paths::databasePath());
            if (db.open()) {
                QSqlQuery query(u"SELECT count(*) FROM revisions"_s, db);
                if (query.next())
                    count = query.value(0).toLongLong();
            }
        }
        QSqlDatabase::removeDatabase(u"revision-count"_s);
        return count;
    }

    static bool live(const Session &s)
    {
        return s.state == SessionState::Running || s.state == SessionState::Expiring;
    }

    void select(const QString &sessionId)
    {
        QTableView *view = m_window->sessionView();
        for (int row = 0; row < view->model()->rowCount(); ++row) {
            if (view->model()->index(row, 0).data(SessionTableModel::SessionIdRole).toString() == sessionId) {
                view->selectRow(row);
                view->setFocus();
                return;
            }
        }
        QFAIL("session not in the table");
    }

    void openWindow()
    {
        auto core = AppCore::open();
        QVERIFY2(core.ok(), qPrintable(core.error()));
        m_core = std::move(*core);
        m_window = std::make_unique<MainWindow>(*m_core);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        m_window->start();
    }

    void closeWindow()
    {
        m_window.reset();
        m_core.reset();
    }

    Session deployExample(const QString &example)
    {
        if (!m_window->appPane()->openExample(example))
            return {};
        const int before = model()->rowCount();
        QTest::keyClick(m_window.get(), Qt::Key_D, Qt::ControlModifier);
        const auto running = waitForSession([](const Session &s) { return live(s) && s.url.isValid(); });
        if (!running || model()->rowCount() != before + 1)
            return {};
        return *running;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("XDG_DATA_HOME", m_home.filePath(u"data"_s).toUtf8());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(u"config"_s).toUtf8());
        AppSettings settings;
        QVERIFY(settings.setValue(u"defaults.open-browser"_s, u"false"_s).ok());
    }

    void init() { openWindow(); }

    void cleanup()
    {
        closeWindow();
        QTRY_VERIFY2(LocalProcesses::find(Paths::runDir()).isEmpty(), "a sandbox was left behind");
    }

    void deployThroughTheWindowThenExtendCopyAndStop()
    {
        const Session running = deployExample(u"pomodoro"_s);
        QVERIFY2(running.url.isValid(), "the example did not start");
        const quint16 port = quint16(running.url.port());
        const HttpAnswer page = httpGet(port);
        QCOMPARE(page.status, 200);
        QVERIFY(page.body.contains("<title>Pomodoro</title>"));
        // The deploy bar now offers the URL as a link.
        const QList<QLabel *> labels = m_window->findChildren<QLabel *>();
        QVERIFY(std::any_of(labels.cbegin(), labels.cend(), [&](const QLabel *label) {
            return label->text().contains(u"Live at <a href=\"%1\">"_s.arg(running.url.toString()));
        }));
        select(running.id);

        QTest::keyClick(m_window.get(), Qt::Key_L, Qt::ControlModifier);
        QCOMPARE(QGuiApplication::clipboard()->text(), running.url.toString());

        QTest::keyClick(m_window.get(), Qt::Key_E, Qt::ControlModifier);
        QTRY_COMPARE(model()->session(running.id)->expiresAt, running.expiresAt.addSecs(30 * 60));

        QTest::keyClick(m_window->sessionView(), Qt::Key_Delete);
        QVERIFY(waitForSession(
            [&](const Session &s) { return s.id == running.id && s.state == SessionState::Ended; }));
        QVERIFY(waitForPortClosed(port));
    }

    void countdownTicksOnlyItsOwnCells()
    {
        const Session running = deployExample(u"pomodoro"_s);
        QVERIFY(running.url.isValid());
        const int row = model()->rowOf(running.id);
        const QModelIndex timeLeft = model()->index(row, int(SessionTableModel::Column::TimeLeft));
        const QString before = timeLeft.data().toString();
        QSignalSpy changed(model(), &QAbstractItemModel::dataChanged);
        QTest::qWait(2200); // two ticks
        QVERIFY(!changed.isEmpty());
        for (const QList<QVariant> &emission : std::as_const(changed)) {
            const auto topLeft = emission.at(0).toModelIndex();
            const auto bottomRight = emission.at(1).toModelIndex();
            // The countdown, and the cost where it can change (Local is free: its cost is not re-emitted).
            QCOMPARE(topLeft.column(), int(SessionTableModel::Column::TimeLeft));
            QCOMPARE(bottomRight.column(), int(SessionTableModel::Column::TimeLeft));
        }
        QVERIFY2(timeLeft.data().toString() != before, qPrintable(before));
        QVERIFY(m_core->controller().stop(running.id).ok());
        QVERIFY(waitForSession(
            [&](const Session &s) { return s.id == running.id && s.state == SessionState::Ended; }));
    }

    void failedDeployKeepsTheCodeAndSaysWhy()
    {
        AppBundle broken =
            bundle(Runtime::Python, {{u"app.py"_s, "raise SystemExit('config.toml is missing')\n"}},
                   u"python3 app.py"_s);
        m_window->appPane()->setBundle(broken, u"test"_s);
        QString said;
        whenModalOpens([&](QWidget *modal) {
            if (auto *box = qobject_cast<QMessageBox *>(modal)) {
                said = box->text();
                box->accept();
            }
        });
        QTest::keyClick(m_window.get(), Qt::Key_D, Qt::ControlModifier);
        const auto failed = waitForSession([](const Session &s) { return s.state == SessionState::Failed; });
        QVERIFY(failed);
        QCOMPARE(failed->failure, FailureReason::AppCrashed);
        QTRY_VERIFY(said.contains(u"config.toml is missing"_s));
        QVERIFY(said.contains(u"still in the editor"_s));
        QCOMPARE(m_window->appPane()->bundle().files, broken.files);
    }

    void sessionsStartedFromTheCliAppearAndLeave()
    {
        QProcess cli;
        cli.start(QCoreApplication::applicationDirPath() + u"/spawnai"_s,
                  {u"deploy"_s, QFINDTESTDATA("../resources/examples/pomodoro"), u"--name"_s,
                   u"from the terminal"_s});
        QVERIFY(cli.waitForStarted());
        const auto seen =
            waitForSession([](const Session &s) { return s.name == u"from the terminal" && live(s); });
        QVERIFY2(seen, "the window did not show the terminal's session");
        QVERIFY(!m_core->controller().ownedSession(seen->id)); // shown, but run by the other process
        select(seen->id);
        QVERIFY(!action("extend30")->isEnabled()); // only its own process can extend it
        // Stopping it from the window asks the terminal's process, which ends it.
        QVERIFY(action("stop")->isEnabled());
        action("stop")->trigger();
        QVERIFY(cli.waitForFinished(10'000));
        QCOMPARE(cli.exitCode(), 0);
        QVERIFY(waitForSession(
            [&](const Session &s) { return s.id == seen->id && s.state == SessionState::Ended; }));
    }

    void endedSessionsCanBeRemovedFromHistory()
    {
        const Session running = deployExample(u"pomodoro"_s);
        QVERIFY(running.url.isValid());
        select(running.id);
        QVERIFY(!action("remove")->isEnabled()); // not while it runs
        action("stop")->trigger();
        QVERIFY(waitForSession(
            [&](const Session &s) { return s.id == running.id && s.state == SessionState::Ended; }));
        select(running.id);
        QTRY_VERIFY(action("remove")->isEnabled());
        whenModalOpens(
            [](QWidget *modal) { qobject_cast<QMessageBox *>(modal)->button(QMessageBox::Yes)->click(); });
        action("remove")->trigger();
        QCOMPARE(model()->rowOf(running.id), -1);
        QVERIFY(!m_core->store().session(running.id).ok());
    }

    void showFilesKeepsTheEditorsWorkAsARevision()
    {
        const Session running = deployExample(u"pomodoro"_s);
        QVERIFY(running.url.isValid());
        QVERIFY(m_core->controller().stop(running.id).ok());
        QVERIFY(waitForSession(
            [&](const Session &s) { return s.id == running.id && s.state == SessionState::Ended; }));
        const AppBundle unsaved = bundle(Runtime::Static, {{u"index.html"_s, "<h1>work in progress</h1>"}});
        m_window->appPane()->setBundle(unsaved, u"test"_s);
        const qint64 revisionsBefore = revisionCount();
        select(running.id);
        action("showFiles")->trigger();
        QVERIFY(m_window->appPane()->bundle().files.contains(u"app.js"_s)); // the pomodoro again
        // ... and the work in progress became a revision of its own: not lost.
        QCOMPARE(revisionCount(), revisionsBefore + 1);
        const auto kept = m_core->store().revision(*m_core->store().saveRevision(unsaved));
        QCOMPARE(kept->files, unsaved.files);
        QCOMPARE(revisionCount(), revisionsBefore + 1); // saving it again added nothing: it was there
    }

    void editsSurviveARestart()
    {
        m_window->appPane()->setBundle(bundle(Runtime::Static, {{u"index.html"_s, "<p>draft one</p>"}}),
                                       u"test"_s);
        closeWindow(); // as if SpawnAI went away
        openWindow();
        QCOMPARE(m_window->appPane()->bundle().files.value(u"index.html"_s), QByteArray("<p>draft one</p>"));
    }

    void settingsOpenWithCtrlComma()
    {
        bool opened = false;
        whenModalOpens([&](QWidget *modal) {
            opened = qobject_cast<SettingsDialog *>(modal) != nullptr;
            modal->close();
        });
        QTest::keyClick(m_window.get(), Qt::Key_Comma, Qt::ControlModifier);
        QTRY_VERIFY(opened);
    }

    void secondLaunchBringsTheFirstForward()
    {
        QTemporaryDir home;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"XDG_DATA_HOME"_s, home.filePath(u"data"_s));
        env.insert(u"XDG_CONFIG_HOME"_s, home.filePath(u"config"_s));
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        const QString spawnai = QCoreApplication::applicationDirPath() + u"/spawnai"_s;
        QProcess first;
        first.setProcessEnvironment(env);
        first.start(spawnai, {});
        QByteArray firstSaid;
        QVERIFY(QTest::qWaitFor(
            [&] {
                firstSaid += first.readAllStandardError();
                return firstSaid.contains("recovery finished");
            },
            15'000));

        QProcess second;
        second.setProcessEnvironment(env);
        second.start(spawnai, {});
        QVERIFY(second.waitForFinished(10'000));
        QCOMPARE(second.exitCode(), 0);
        QVERIFY2(second.readAllStandardError().contains("asked it to come forward"),
                 "the second launch did not defer");
        QVERIFY(QTest::qWaitFor(
            [&] {
                firstSaid += first.readAllStandardError();
                return firstSaid.contains("asked this SpawnAI to come forward");
            },
            5000));
        QCOMPARE(first.state(), QProcess::Running);
        first.terminate();
        QVERIFY(first.waitForFinished(10'000));
    }

    void quittingWithRunningSessionsAsksFirst()
    {
        const Session running = deployExample(u"pomodoro"_s);
        QVERIFY(running.url.isValid());
        QString question;
        whenModalOpens([&](QWidget *modal) {
            auto *box = qobject_cast<QMessageBox *>(modal);
            question = box->text();
            box->button(QMessageBox::Cancel)->click();
        });
        m_window->requestQuit();
        QVERIFY2(question.contains(u"1 session"_s), qPrintable(question));
        QVERIFY(live(*model()->session(running.id))); // cancelled: still running

        whenModalOpens([](QWidget *modal) {
            auto *box = qobject_cast<QMessageBox *>(modal);
            for (QAbstractButton *button : box->buttons()) {
                if (button->text().contains(u"Stop"_s))
                    button->click();
            }
        });
        QSignalSpy quit(qApp, &QCoreApplication::aboutToQuit);
        m_window->requestQuit();
        QVERIFY(waitForSession(
            [&](const Session &s) { return s.id == running.id && s.state == SessionState::Ended; }));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
