// The main window driven as a user would: real widgets (offscreen), the real store, real Local sandboxes.
#include "appcore.h"
#include "apppane.h"
#include "fakeanthropic.h"
#include "local/localprocesses.h"
#include "mainwindow.h"
#include "paths.h"
#include "promptpane.h"
#include "revisionlistmodel.h"
#include "secretstore.h"
#include "sessiontablemodel.h"
#include "settingsdialog.h"
#include "testsupport.h"

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QJsonArray>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
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
    FakeAnthropicServer m_claude;
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

        // Claude is the fake on loopback; the key is in the test session's keyring.
        QVERIFY(m_claude.listen());
        m_claude.setApiKey(u"sk-ant-api03-window-test"_s);
        QVERIFY(settings.setValue(u"anthropic.base-url"_s, m_claude.baseUrl().toString()).ok());
        SecretStore secrets(nullptr);
        bool stored = false;
        secrets.write(u"anthropic"_s, u"sk-ant-api03-window-test"_s, this,
                      [&stored](const SecretResult &result) { stored = result.ok(); });
        QTRY_VERIFY_WITH_TIMEOUT(stored, 20'000);
    }

    // The keyring is shared by the whole test session: leave it as found.
    void cleanupTestCase()
    {
        SecretStore secrets(nullptr);
        bool removed = false;
        secrets.remove(u"anthropic"_s, this, [&removed](const SecretResult &) { removed = true; });
        QTRY_VERIFY_WITH_TIMEOUT(removed, 20'000);
    }

    void init()
    {
        m_claude.clearRequests();
        openWindow();
    }

    // Types `prompt` into the prompt pane and presses Ctrl+Enter (Ctrl+Shift+Enter: generate and deploy).
    void generate(const QString &prompt, bool refine, bool deploy)
    {
        auto *pane = m_window->findChild<PromptPane *>();
        QVERIFY(pane);
        pane->setPrompt(prompt);
        if (auto *box = pane->findChild<QCheckBox *>(u"refine"_s); box && box->isVisible())
            box->setChecked(refine);
        QCOMPARE(pane->refines(), refine);
        auto *editor = pane->findChild<QPlainTextEdit *>(u"prompt"_s);
        editor->setFocus();
        QTest::keyClick(editor, Qt::Key_Return,
                        deploy ? Qt::ControlModifier | Qt::ShiftModifier : Qt::ControlModifier);
    }

    static QJsonObject appSaying(const QString &title, const QString &heading)
    {
        QJsonObject app = FakeStreams::sampleApp();
        app.insert(u"title"_s, title);
        app.insert(
            u"files"_s,
            QJsonArray{QJsonObject{
                {u"path"_s, u"index.html"_s},
                {u"content"_s, u"<!doctype html><title>%1</title><h1>%2</h1>\n"_s.arg(title, heading)}}});
        return app;
    }

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

    void promptToRunningAppThenRefineInPlace()
    {
        // Prompt → Claude (streamed in 16-byte chunks) → files in the editor → deployed on Local → served.
        FakeReply first;
        first.body =
            FakeStreams::toolAnswer(u"A greeting page."_s, appSaying(u"Greeter"_s, u"Hello from Claude"_s));
        first.chunkSize = 16;
        m_claude.enqueue(first);
        const int before = model()->rowCount();
        generate(u"a page that says hello"_s, false, true);
        const auto running = waitForSession([](const Session &s) { return live(s) && s.name == u"Greeter"; });
        QVERIFY2(running, "the generated app did not go live");
        QCOMPARE(model()->rowCount(), before + 1);
        const quint16 port = quint16(running->url.port());
        QVERIFY(httpGet(port).body.contains("<h1>Hello from Claude</h1>"));
        QCOMPARE(m_window->appPane()->bundle().files.value(u"index.html"_s),
                 QByteArray("<!doctype html><title>Greeter</title><h1>Hello from Claude</h1>\n"));
        QVERIFY(running->generationCostUsd > 0);
        const QString firstRevision = running->revisionId;

        // Refine: the editor's files go back to Claude; the answer replaces the running app in place.
        FakeReply second;
        second.body =
            FakeStreams::toolAnswer(u"Now dark."_s, appSaying(u"Greeter"_s, u"Hello, in the dark"_s));
        m_claude.enqueue(second);
        generate(u"make it dark"_s, true, true);
        const auto refined = waitForSession([&](const Session &s) {
            return s.id == running->id && live(s) && s.revisionId != firstRevision;
        });
        QVERIFY2(refined, "the refined app did not replace the running one");
        QCOMPARE(refined->url, running->url);             // same URL
        QCOMPARE(refined->expiresAt, running->expiresAt); // same lifetime
        QCOMPARE(model()->rowCount(), before + 1);        // no second session
        QTRY_VERIFY(httpGet(port).body.contains("<h1>Hello, in the dark</h1>"));
        QVERIFY(refined->generationCostUsd > running->generationCostUsd);
        const QByteArray sent = m_claude.requests().constLast().body;
        QVERIFY(sent.contains("Hello from Claude")); // the current files went along
        QVERIFY(sent.contains("make it dark"));

        // Revision 2 is in the history with revision 1 as its parent.
        auto history = m_core->store().revisionHistory(refined->revisionId);
        QVERIFY(history.ok());
        QVERIFY(history->size() >= 2);
        QCOMPARE(history->at(0).prompt, u"make it dark"_s);
        auto *revisions = m_window->findChild<RevisionListModel *>();
        QVERIFY(revisions);
        QVERIFY(revisions->rowCount() >= 2);

        QVERIFY(m_core->controller().stop(running->id).ok());
        QVERIFY(waitForSession(
            [&](const Session &s) { return s.id == running->id && s.state == SessionState::Ended; }));
    }

    void aCutOffAnswerIsKeptButNotDeployed()
    {
        m_window->appPane()->setBundle(bundle(Runtime::Static, {{u"index.html"_s, "<h1>mine</h1>\n"}}),
                                       u"test"_s);
        // Cut inside the second file: the first one is whole, the second half-written.
        QJsonObject cut = appSaying(u"Cut"_s, u"Cut"_s);
        QJsonArray files = cut.value(u"files"_s).toArray();
        files.append(QJsonObject{{u"path"_s, u"z.js"_s}, {u"content"_s, QString(4000, u'x')}});
        cut.insert(u"files"_s, files);
        FakeReply dropped;
        dropped.body = FakeStreams::toolAnswer(u"Writing."_s, cut);
        dropped.chunkSize = 256;
        dropped.dropAt = dropped.body.size() - 600;
        m_claude.enqueue(dropped);
        const int before = model()->rowCount();
        generate(u"something long"_s, false, true);
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->appPane()->incompleteReason().isEmpty(), 15'000);
        QVERIFY(m_window->appPane()->bundle().files.contains(u"index.html"_s)); // what arrived is shown

        // Neither Generate & Deploy nor Ctrl+D deploys it.
        QString said;
        whenModalOpens([&](QWidget *modal) {
            if (auto *box = qobject_cast<QMessageBox *>(modal)) {
                said = box->text();
                box->accept();
            }
        });
        QTest::keyClick(m_window.get(), Qt::Key_D, Qt::ControlModifier);
        QTRY_VERIFY(!said.isEmpty());
        QVERIFY2(said.contains(u"cut off"_s) && said.contains(u"Use as is"_s), qPrintable(said));
        QCOMPARE(model()->rowCount(), before);

        // "Back to previous version" brings back what was there.
        auto *back = m_window->findChild<QAbstractButton *>(u"previousVersionButton"_s);
        QVERIFY(back && back->isVisible());
        back->click();
        QCOMPARE(m_window->appPane()->bundle().files.value(u"index.html"_s), QByteArray("<h1>mine</h1>\n"));
        QVERIFY(m_window->appPane()->incompleteReason().isEmpty());
    }

    void theChosenModelWritesTheNextApp()
    {
        auto *models = m_window->findChild<QComboBox *>(u"model"_s);
        QVERIFY(models);
        QCOMPARE(models->currentText(), u"claude-sonnet-5-5"_s);
        QVERIFY(models->findText(u"claude-opus-5-5"_s) >= 0); // the priced models are offered
        models->setCurrentText(u"claude-opus-5-5"_s);
        emit models->textActivated(models->currentText()); // as a user's choice does
        QCOMPARE(m_core->settings().claudeModel(), u"claude-opus-5-5"_s);

        m_claude.enqueue({.body = FakeStreams::toolAnswer(u"Opus."_s, appSaying(u"Clock"_s, u"12:00"_s))});
        generate(u"a clock"_s, false, false);
        QTRY_COMPARE_WITH_TIMEOUT(m_claude.requests().size(), 1, 15'000);
        QCOMPARE(m_claude.requests().constFirst().json.value(u"model"_s).toString(), u"claude-opus-5-5"_s);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->appPane()->source().startsWith(u"revision:"_s), 15'000);
        QVERIFY(m_core->settings().setValue(u"anthropic.model"_s, u"claude-sonnet-5-5"_s).ok());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
