// The `spawnai` binary as users run it: real processes, real sandboxes, its own data directory.
#include "ledgercsv.h"
#include "local/localprocesses.h"
#include "store.h"
#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace TestSupport;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

const QByteArray kPythonApp = R"(
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"cli python app")
print("cli app says hello", flush=True)
HTTPServer((os.environ["HOST"], int(os.environ["PORT"])), H).serve_forever()
)";

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QProcess m_claude; // fake_anthropic: the Messages API on loopback

    QString binary() const { return QCoreApplication::applicationDirPath() + u"/spawnai"_s; }
    QString runDir() const { return m_dir.filePath(u"data/spawnai/run"_s); }

    QProcessEnvironment environment(const QMap<QString, QString> &extra = {}) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"data"_s));
        env.insert(u"XDG_CONFIG_HOME"_s, m_dir.filePath(u"config"_s));
        for (auto it = extra.cbegin(); it != extra.cend(); ++it)
            env.insert(it.key(), it.value());
        return env;
    }

    Run run(const QStringList &args, const QByteArray &input = {}, const QMap<QString, QString> &env = {},
            int timeoutMs = 30'000)
    {
        QProcess process;
        process.setProcessEnvironment(environment(env));
        process.start(binary(), args);
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished();
            return {-1, QString::fromUtf8(process.readAllStandardOutput()), u"timed out"_s};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                QString::fromUtf8(process.readAllStandardOutput()),
                QString::fromUtf8(process.readAllStandardError())};
    }

    // Starts `spawnai deploy` and waits for the URL on its stdout.
    QUrl startDeploy(QProcess &process, const QString &path, const QStringList &extra = {},
                     const QMap<QString, QString> &env = {})
    {
        process.setProcessEnvironment(environment(env));
        process.start(binary(), QStringList{u"deploy"_s, path} + extra);
        if (!process.waitForStarted())
            return {};
        QElapsedTimer clock;
        clock.start();
        while (!process.canReadLine() && clock.elapsed() < 20'000 && process.state() == QProcess::Running)
            process.waitForReadyRead(200);
        if (!process.canReadLine()) {
            qWarning().noquote() << "deploy printed no URL:" << process.readAllStandardError();
            return {};
        }
        return QUrl(QString::fromUtf8(process.readLine()).trimmed());
    }

    QJsonObject listed(const QString &idPrefix = {})
    {
        const Run list = run({u"list"_s, u"--json"_s});
        const QJsonArray sessions = QJsonDocument::fromJson(list.out.toUtf8()).array();
        for (const QJsonValue &value : sessions) {
            if (value[u"id"_s].toString().startsWith(idPrefix))
                return value.toObject();
        }
        return {};
    }

    QString app(const QString &name, const QMap<QString, QByteArray> &files)
    {
        const QString dir = m_dir.filePath(u"apps/"_s + name);
        QDir().mkpath(dir);
        return writeFiles(dir, files);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QFileInfo(binary()).isExecutable());
        // Claude: the fake (any non-empty key accepted) answers every prompt with a small static app.
        const QString portFile = m_dir.filePath(u"claude.port"_s);
        m_claude.start(QCoreApplication::applicationDirPath() + u"/fake_anthropic"_s,
                       {u"--port-file"_s, portFile});
        QVERIFY(m_claude.waitForStarted());
        QTRY_VERIFY(QFileInfo(portFile).size() > 0);
        QFile port(portFile);
        QVERIFY(port.open(QIODevice::ReadOnly));
        const QString url = u"http://127.0.0.1:"_s + QString::fromLatin1(port.readAll().trimmed());
        QCOMPARE(run({u"config"_s, u"anthropic.base-url"_s, url}).exitCode, 0);
    }

    void cleanupTestCase()
    {
        m_claude.kill();
        m_claude.waitForFinished();
    }

    void cleanup() { QTRY_VERIFY2(LocalProcesses::find(runDir()).isEmpty(), "a sandbox was left behind"); }

    void helpAnswers()
    {
        const Run help = run({u"--help"_s});
        QCOMPARE(help.exitCode, 0);
        for (const QString &word :
             {u"deploy PATH"_s, u"list"_s, u"stop ID"_s, u"logs ID"_s, u"key set|test|rm"_s, u"--ttl"_s})
            QVERIFY2(help.out.contains(word), qPrintable(word));
        const Run deployHelp = run({u"deploy"_s, u"--help"_s});
        QCOMPARE(deployHelp.exitCode, 0);
        QVERIFY(deployHelp.out.contains(u"Usage: spawnai deploy [options] PATH"_s));
        QVERIFY(deployHelp.out.contains(u"--ttl <DURATION>"_s));
        const Run unknown = run({u"frobnicate"_s});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains(u"unknown command"_s));
        QVERIFY(run({u"--version"_s}).out.startsWith(u"spawnai "_s));
    }

    void badInputGetsAClearError_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");

        const QString empty = m_dir.filePath(u"apps/empty"_s);
        QDir().mkpath(empty);
        const QString noEntry = app(u"no-entry"_s, {{u"README.md"_s, "# notes"}, {u"style.css"_s, "body{}"}});
        const QString hugeDir = app(u"huge"_s, {{u"index.html"_s, "hi"}});
        QFile huge(hugeDir + u"/video.mp4"_s);
        QVERIFY(huge.open(QIODevice::WriteOnly) &&
                huge.resize(200ll * 1024 * 1024)); // sparse: no real 200 MB
        huge.close();
        const QString latin1 = app(u"latin1"_s, {{u"index.html"_s, "caf\xe9 cr\xe8me"}});
        const QString linked = app(u"linked"_s, {{u"index.html"_s, "hi"}});
        QFile::link(u"/etc/passwd"_s, linked + u"/passwords.txt"_s);
        const QString ok = app(u"ok"_s, {{u"index.html"_s, "ok"}});
        const QString notHtml = app(u"single"_s, {{u"notes.txt"_s, "hi"}}) + u"/notes.txt"_s;

        QTest::newRow("missing path")
            << QStringList{u"deploy"_s, m_dir.filePath(u"nope"_s)} << 1 << u"does not exist"_s;
        QTest::newRow("empty folder") << QStringList{u"deploy"_s, empty} << 1 << u"is empty"_s;
        QTest::newRow("no entry point") << QStringList{u"deploy"_s, noEntry} << 1 << u"No entry point"_s;
        QTest::newRow("200 MB file") << QStringList{u"deploy"_s, hugeDir} << 1 << u"video.mp4 is 200.0 MB"_s;
        QTest::newRow("not UTF-8") << QStringList{u"deploy"_s, latin1} << 1 << u"not valid UTF-8"_s;
        QTest::newRow("link outside") << QStringList{u"deploy"_s, linked} << 1 << u"outside the app folder"_s;
        QTest::newRow("single non-html file")
            << QStringList{u"deploy"_s, notHtml} << 1 << u"not an .html page"_s;
        QTest::newRow("ttl zero") << QStringList{u"deploy"_s, ok, u"--ttl"_s, u"0m"_s} << 2
                                  << u"longer than zero"_s;
        QTest::newRow("ttl negative") << QStringList{u"deploy"_s, ok, u"--ttl=-5m"_s} << 2 << u"--ttl"_s;
        QTest::newRow("ttl without unit")
            << QStringList{u"deploy"_s, ok, u"--ttl"_s, u"90"_s} << 2 << u"no unit"_s;
        QTest::newRow("ttl above the cap")
            << QStringList{u"deploy"_s, ok, u"--ttl"_s, u"25h"_s} << 1 << u"at most 24 h"_s;
        QTest::newRow("unknown provider")
            << QStringList{u"deploy"_s, ok, u"--provider"_s, u"mars"_s} << 1 << u"Unknown provider"_s;
        QTest::newRow("bad port") << QStringList{u"deploy"_s, ok, u"--port"_s, u"99999"_s} << 2
                                  << u"not a port number"_s;
        QTest::newRow("key on argv") << QStringList{u"key"_s, u"set"_s, u"e2b"_s, u"sk-123"_s} << 2
                                     << u"stdin"_s;
        QTest::newRow("unknown key provider")
            << QStringList{u"key"_s, u"test"_s, u"acme"_s} << 2 << u"unknown provider"_s;
        QTest::newRow("stop unknown id") << QStringList{u"stop"_s, u"ffffffff"_s} << 1 << u"ffffffff"_s;
        QTest::newRow("unknown setting")
            << QStringList{u"config"_s, u"colour"_s, u"red"_s} << 1 << u"Unknown setting"_s;
    }

    void badInputGetsAClearError()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Run result = run(args);
        QVERIFY2(result.err.contains(message), qPrintable(result.err));
        QVERIFY2(result.err.startsWith(u"spawnai: "_s) || result.err.contains(u"\nspawnai: "_s),
                 qPrintable(result.err));
        QCOMPARE(result.exitCode, exitCode);
        QVERIFY(result.out.isEmpty());
    }

    void portInUseIsRefused()
    {
        QTcpServer other;
        QVERIFY(other.listen(QHostAddress::LocalHost));
        const Run result = run({u"deploy"_s, app(u"port"_s, {{u"index.html"_s, "x"}}), u"--port"_s,
                                QString::number(other.serverPort())});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(u"Port %1 on 127.0.0.1 is already in use"_s.arg(other.serverPort())),
                 qPrintable(result.err));
        QCOMPARE(listed()[u"failure"_s].toString(), u"port-in-use"_s);
    }

    void crashingAppShowsItsStderr()
    {
        const Run result =
            run({u"deploy"_s, app(u"crash"_s, {{u"app.py"_s, "import nonexistent_module_xyz\n"}})});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(u"ModuleNotFoundError: No module named 'nonexistent_module_xyz'"_s),
                 qPrintable(result.err));
    }

    void silentAppTimesOutNamingTheLog()
    {
        QCOMPARE(run({u"config"_s, u"local.start-timeout"_s, u"2s"_s}).exitCode, 0);
        const Run result =
            run({u"deploy"_s, app(u"silent"_s, {{u"app.py"_s, "import time\ntime.sleep(600)\n"}})});
        QCOMPARE(run({u"config"_s, u"local.start-timeout"_s, u"30s"_s}).exitCode, 0);
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(u"did not answer"_s), qPrintable(result.err));
        QVERIFY(result.err.contains(m_dir.filePath(u"data/spawnai/logs/"_s)));
    }

    void missingBubblewrapRunsNothingUnlessAllowed()
    {
        const QMap<QString, QString> noBwrap{{u"SPAWNAI_BWRAP"_s, m_dir.filePath(u"no/bwrap"_s)}};
        const QString path = app(u"python-unsandboxed"_s, {{u"app.py"_s, kPythonApp}});
        const Run refused = run({u"deploy"_s, path}, {}, noBwrap);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(u"apt install bubblewrap"_s), qPrintable(refused.err));

        QCOMPARE(run({u"config"_s, u"local.allow-unsandboxed"_s, u"maybe"_s}).exitCode, 1);
        const Run optIn = run({u"config"_s, u"local.allow-unsandboxed"_s, u"true"_s});
        QCOMPARE(optIn.exitCode, 0);
        QVERIFY(optIn.err.contains(u"WARNING"_s));
        QProcess deploy;
        const QUrl url = startDeploy(deploy, path, {}, noBwrap);
        QVERIFY(url.isValid());
        QCOMPARE(httpGet(quint16(url.port())).body, QByteArray("cli python app"));
        QString said;
        QTRY_VERIFY(
            (said += QString::fromUtf8(deploy.readAllStandardError())).contains(u"WITHOUT a sandbox"_s));
        const Run list = run({u"list"_s});
        QVERIFY2(list.out.contains(u"UNSANDBOXED"_s), qPrintable(list.out));
        QVERIFY(listed()[u"unsandboxed"_s].toBool());
        ::kill(pid_t(deploy.processId()), SIGINT);
        QVERIFY(deploy.waitForFinished(10'000));
        QCOMPARE(deploy.exitCode(), 0);
        QVERIFY(waitForPortClosed(quint16(url.port())));
        QCOMPARE(run({u"config"_s, u"local.allow-unsandboxed"_s, u"false"_s}).exitCode, 0);
    }

    void deployListLogsStop()
    {
        QProcess deploy;
        const QUrl url = startDeploy(deploy, app(u"python"_s, {{u"app.py"_s, kPythonApp}}),
                                     {u"--ttl"_s, u"10m"_s, u"--name"_s, u"my notes"_s});
        QVERIFY(url.isValid());
        QCOMPARE(url.host(), u"127.0.0.1"_s);
        QCOMPARE(httpGet(quint16(url.port())).body, QByteArray("cli python app"));

        QJsonObject session = listed();
        QCOMPARE(session[u"name"_s].toString(), u"my notes"_s);
        QCOMPARE(session[u"url"_s].toString(), url.toString());
        QVERIFY(session[u"state"_s].toString() == u"expiring"_s ||
                session[u"state"_s].toString() == u"running"_s);
        QVERIFY(session[u"seconds_left"_s].toInt() > 590);
        const QString prefix = session[u"id"_s].toString().left(6);

        const Run logs = run({u"logs"_s, prefix});
        QCOMPARE(logs.exitCode, 0);
        QVERIFY2(logs.out.contains(u"cli app says hello"_s), qPrintable(logs.out));

        const Run stop = run({u"stop"_s, prefix});
        QVERIFY2(stop.exitCode == 0, qPrintable(stop.err));
        QVERIFY(deploy.waitForFinished(10'000));
        QCOMPARE(deploy.exitCode(), 0);
        QVERIFY(QString::fromUtf8(deploy.readAllStandardError()).contains(u"Stopped after"_s));
        QVERIFY(waitForPortClosed(quint16(url.port())));
        QCOMPARE(listed(prefix)[u"state"_s].toString(), u"ended"_s);
        QVERIFY(run({u"stop"_s, prefix}).err.contains(u"already ended"_s));
    }

    void ctrlCStopsAndDestroys()
    {
        QProcess deploy;
        const QUrl url = startDeploy(deploy, app(u"ctrlc"_s, {{u"index.html"_s, "ctrl-c"}}));
        QVERIFY(url.isValid());
        ::kill(pid_t(deploy.processId()), SIGINT);
        QVERIFY(deploy.waitForFinished(10'000));
        QCOMPARE(deploy.exitStatus(), QProcess::NormalExit);
        QCOMPARE(deploy.exitCode(), 0);
        QVERIFY(waitForPortClosed(quint16(url.port())));
        QCOMPARE(listed()[u"state"_s].toString(), u"ended"_s);
    }

    void expiryDestroysAndExits()
    {
        QProcess deploy;
        const QUrl url =
            startDeploy(deploy, app(u"short"_s, {{u"index.html"_s, "short"}}), {u"--ttl"_s, u"2s"_s});
        QVERIFY(url.isValid());
        QVERIFY(deploy.waitForFinished(10'000));
        QCOMPARE(deploy.exitCode(), 0);
        QVERIFY(QString::fromUtf8(deploy.readAllStandardError()).contains(u"Expired after 2 s"_s));
        QVERIFY(waitForPortClosed(quint16(url.port())));
    }

    void killMinus9LeavesNoSandbox()
    {
        QProcess deploy;
        const QUrl url = startDeploy(deploy, app(u"killed"_s, {{u"app.py"_s, kPythonApp}}));
        QVERIFY(url.isValid());
        const QString id = listed()[u"id"_s].toString();
        QVERIFY(!LocalProcesses::pidsOfSession(runDir(), id).isEmpty());

        QElapsedTimer clock;
        clock.start();
        ::kill(pid_t(deploy.processId()), SIGKILL);
        QVERIFY(deploy.waitForFinished(5000));
        QVERIFY(waitForPortClosed(quint16(url.port()), 1000));
        QTRY_VERIFY_WITH_TIMEOUT(LocalProcesses::pidsOfSession(runDir(), id).isEmpty(), 1000);
        qInfo() << "sandbox gone" << clock.elapsed() << "ms after kill -9";

        // The next SpawnAI to start records what happened.
        const QJsonObject after = listed(id);
        QCOMPARE(after[u"state"_s].toString(), u"ended"_s);
    }

    void crashAtAnyPointOfADeployIsRecovered_data()
    {
        QTest::addColumn<QString>("point");
        QTest::addColumn<QString>("expectedState");
        QTest::addColumn<QStringList>("extra");
        QTest::newRow("after the intent is recorded") << u"after-intent"_s << u"failed"_s << QStringList();
        QTest::newRow("before the sandbox is recorded")
            << u"before-resource-recorded"_s << u"failed"_s << QStringList();
        QTest::newRow("after the sandbox is recorded")
            << u"after-resource-recorded"_s << u"failed"_s << QStringList();
        QTest::newRow("before Running is recorded") << u"before-running"_s << u"failed"_s << QStringList();
        QTest::newRow("during the destroy at expiry")
            << u"during-destroy"_s << u"ended"_s << QStringList{u"--ttl"_s, u"1s"_s};
    }

    void crashAtAnyPointOfADeployIsRecovered()
    {
        QFETCH(QString, point);
        QFETCH(QString, expectedState);
        QFETCH(QStringList, extra);
        const Run crashed =
            run(QStringList{u"deploy"_s, app(u"crash-"_s + point, {{u"app.py"_s, kPythonApp}})} + extra, {},
                {{u"SPAWNAI_CRASH_AT"_s, point}});
        QCOMPARE(crashed.exitCode, 137);
        // The next spawnai finds the session, finishes its story and destroys anything left: bwrap's
        // --die-with-parent has a window right after launch in which a sandbox can outlive its parent.
        const QJsonObject session = listed();
        QCOMPARE(session[u"state"_s].toString(), expectedState);
        if (expectedState == u"failed")
            QCOMPARE(session[u"failure"_s].toString(), u"interrupted"_s);
        QTRY_VERIFY_WITH_TIMEOUT(LocalProcesses::find(runDir()).isEmpty(), 2000);
        const QJsonArray active =
            QJsonDocument::fromJson(run({u"list"_s, u"--json"_s, u"--active"_s}).out.toUtf8()).array();
        QVERIFY(active.isEmpty());
    }

    void generateWritesTheAppThenDeploysIt()
    {
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            QSKIP("needs the private D-Bus session with gnome-keyring that scripts/test-session.sh starts");
        QCOMPARE(run({u"key"_s, u"set"_s, u"anthropic"_s}, "sk-ant-api03-cli-generate\n").exitCode, 0);

        // generate --out: the folder is printed on stdout, the app is in it, the tokens on stderr.
        const QString out = m_dir.filePath(u"generated/pomodoro"_s);
        const Run generated = run({u"generate"_s, u"a pomodoro timer"_s, u"--out"_s, out});
        QVERIFY2(generated.exitCode == 0, qPrintable(generated.err));
        QCOMPARE(generated.out.trimmed(), QDir::toNativeSeparators(out));
        QVERIFY(generated.err.contains(u"Tokens:"_s));
        QFile index(out + u"/index.html"_s);
        QVERIFY(index.open(QIODevice::ReadOnly));
        QVERIFY(index.readAll().contains("<title>Pomodoro</title>"));
        QVERIFY(QFileInfo::exists(out + u"/spawnai.json"_s));

        // A non-empty --out is refused before anything is asked; so are deploy options without --deploy.
        QCOMPARE(run({u"generate"_s, u"again"_s, u"--out"_s, out}).exitCode, 2);
        QCOMPARE(run({u"generate"_s, u"again"_s, u"--ttl"_s, u"1h"_s}).exitCode, 2);

        // generate --deploy: the URL on stdout once it answers, served until Ctrl-C.
        QProcess deploy;
        deploy.setProcessEnvironment(environment());
        deploy.start(binary(), {u"generate"_s, u"a pomodoro timer"_s, u"--deploy"_s, u"--ttl"_s, u"30m"_s});
        QVERIFY(deploy.waitForStarted());
        QElapsedTimer clock;
        clock.start();
        while (!deploy.canReadLine() && clock.elapsed() < 30'000 && deploy.state() == QProcess::Running)
            deploy.waitForReadyRead(200);
        const QUrl url(QString::fromUtf8(deploy.readLine()).trimmed());
        QVERIFY2(url.isValid() && url.port() > 0, qPrintable(deploy.readAllStandardError()));
        QVERIFY(httpGet(quint16(url.port())).body.contains("<title>Pomodoro</title>"));
        const QJsonObject session = listed();
        QCOMPARE(session[u"state"_s].toString(), u"running"_s);
        // Claude's tokens are the cost of this Local session.
        QVERIFY(session[u"generation_cost_usd"_s].toDouble() > 0);
        QCOMPARE(session[u"cost_usd"_s].toDouble(), session[u"generation_cost_usd"_s].toDouble());
        ::kill(pid_t(deploy.processId()), SIGINT);
        QVERIFY(deploy.waitForFinished(10'000));
        QCOMPARE(deploy.exitCode(), 0);
        QVERIFY(waitForPortClosed(quint16(url.port())));

        // Without a key nothing is sent and the message says where to set one.
        QCOMPARE(run({u"key"_s, u"rm"_s, u"anthropic"_s}).exitCode, 0);
        const Run noKey = run({u"generate"_s, u"a pomodoro timer"_s});
        QCOMPARE(noKey.exitCode, 1);
        QVERIFY2(noKey.err.contains(u"spawnai key set anthropic"_s), qPrintable(noKey.err));
    }

    // A past month from a seeded store: per provider, the budget, the ledger as JSON and CSV, bad --month.
    void costShowsAMonth()
    {
        // October 2026 (UTC): a generation, two E2B runs (one into November), a Fly.io run, a free Local run.
        const QDateTime oct(QDate(2026, 10, 1), QTime(0, 0), Qt::UTC);
        QString acrossId;
        {
            auto store = Store::open(m_dir.filePath(u"data/spawnai/spawnai.db"_s));
            QVERIFY2(store, qPrintable(store.error()));
            const auto revision =
                (*store)->saveRevision(bundle(Runtime::Static, {{u"index.html"_s, "cost"}}));
            QVERIFY2(revision, qPrintable(revision.error()));
            Generation generation;
            generation.createdAt = oct.addDays(4).addSecs(9 * 3600); // 5 October 09:00
            generation.prompt = u"a cost test"_s;
            generation.model = u"claude-sonnet-5-5"_s;
            generation.revisionId = *revision;
            generation.usage.inputTokens = 1200;
            generation.usage.outputTokens = 5400;
            generation.costUsd = 0.0654;
            QVERIFY((*store)->addGeneration(generation));

            const auto ran = [&](const QString &provider, const QDateTime &start, qint64 seconds,
                                 double rate) -> QString {
                Session s;
                s.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
                s.name = u"cost "_s + provider;
                s.provider = provider;
                s.state = SessionState::Running;
                s.createdAt = start.addSecs(-30);
                s.startedAt = start;
                s.ttlSeconds = 2 * seconds;
                s.expiresAt = start.addSecs(2 * seconds);
                s.ratePerSecond = rate;
                if (!(*store)->insertSession(s))
                    return {};
                s.endedAt = start.addSecs(seconds);
                if (!(*store)->transition(s, SessionState::Stopping) ||
                    !(*store)->transition(s, SessionState::Ended, u"stopped"_s))
                    return {};
                return s.id;
            };
            // $0.03025, $0.36 and nothing (Local is free whatever rate was stored).
            QVERIFY(!ran(u"e2b"_s, oct.addDays(9).addSecs(12 * 3600), 1000, 0.00003025).isEmpty());
            QVERIFY(!ran(u"fly"_s, oct.addDays(19).addSecs(8 * 3600), 3600, 0.0001).isEmpty());
            QVERIFY(!ran(u"local"_s, oct.addDays(11).addSecs(10 * 3600), 600, 0.5).isEmpty());
            // 31 October 23:00 to 1 November 01:00 UTC: $0.72, half of it in October.
            acrossId = ran(u"e2b"_s, oct.addMonths(1).addSecs(-3600), 7200, 0.0001);
            QVERIFY(!acrossId.isEmpty());
        }
        QCOMPARE(run({u"config"_s, u"budget.monthly"_s, u"2.00"_s}).exitCode, 0);
        const auto restoreBudget = qScopeGuard([this] {
            run({u"config"_s, u"budget.monthly"_s, u"20.00"_s});
        });
        const QMap<QString, QString> utc{{u"TZ"_s, u"UTC"_s}};
        const double e2b = 0.03025 + 0.36, fly = 0.36, claude = 0.0654, total = e2b + fly + claude;

        const Run json = run({u"cost"_s, u"--month"_s, u"2026-10"_s, u"--json"_s}, {}, utc);
        QVERIFY2(json.exitCode == 0, qPrintable(json.err));
        QJsonParseError error;
        const QJsonObject month = QJsonDocument::fromJson(json.out.toUtf8(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(json.out));
        QCOMPARE(month[u"month"_s].toString(), u"2026-10"_s);
        QCOMPARE(month[u"currency"_s].toString(), u"USD"_s);
        QVERIFY(qAbs(month[u"total"_s].toDouble() - total) < 1e-9);
        QCOMPARE(month[u"budget"_s].toDouble(), 2.0);
        QVERIFY(!month.contains(u"today"_s)); // a past month
        const QJsonArray providers = month[u"providers"_s].toArray();
        QCOMPARE(providers.size(), 3);                            // Local cost nothing
        QCOMPARE(providers.at(0)[u"key"_s].toString(), u"e2b"_s); // dearest first
        QCOMPARE(providers.at(0)[u"name"_s].toString(), u"E2B"_s);
        QVERIFY(qAbs(providers.at(0)[u"total"_s].toDouble() - e2b) < 1e-9);
        QCOMPARE(providers.at(0)[u"running"_s].toInt(), 0);
        QCOMPARE(providers.at(1)[u"name"_s].toString(), u"Fly.io"_s);
        QVERIFY(qAbs(providers.at(1)[u"total"_s].toDouble() - fly) < 1e-9);
        QCOMPARE(providers.at(2)[u"key"_s].toString(), u"claude"_s);
        QCOMPARE(providers.at(2)[u"name"_s].toString(), u"Claude (generation)"_s);
        QVERIFY(qAbs(providers.at(2)[u"total"_s].toDouble() - claude) < 1e-9);
        const QJsonArray days = month[u"days"_s].toArray();
        QCOMPARE(days.size(), 31);
        QCOMPARE(days.first()[u"date"_s].toString(), u"2026-10-01"_s);
        QCOMPARE(days.at(4)[u"usd"_s].toDouble(), claude);
        QVERIFY(qAbs(days.last()[u"usd"_s].toDouble() - 0.36) < 1e-9); // the October hour of the last run
        double daySum = 0;
        for (const QJsonValue &day : days)
            daySum += day[u"usd"_s].toDouble();
        QVERIFY(qAbs(daySum - total) < 1e-9);
        // Every line touching the month, the whole run into November included, with the CSV's fields.
        const QJsonArray lines = month[u"lines"_s].toArray();
        QCOMPARE(lines.size(), 5);
        QStringList keys = lines.first().toObject().keys();
        QStringList columns = LedgerCsv::columns();
        keys.sort();
        columns.sort();
        QCOMPARE(keys, columns);
        QCOMPARE(lines.first()[u"kind"_s].toString(), u"generation"_s);
        QCOMPARE(lines.first()[u"at"_s].toString(), u"2026-10-05T09:00:00Z"_s);
        QCOMPARE(lines.last()[u"session"_s].toString(), acrossId);
        QVERIFY(qAbs(lines.last()[u"usd"_s].toDouble() - 0.72) < 1e-9);

        const Run csv = run({u"cost"_s, u"--month"_s, u"2026-10"_s, u"--csv"_s}, {}, utc);
        QVERIFY2(csv.exitCode == 0, qPrintable(csv.err));
        QVERIFY(csv.out.startsWith(QString::fromUtf8(LedgerCsv::write({}))));
        QVERIFY(csv.out.endsWith(u"\r\n"_s));
        QCOMPARE(csv.out.count(u"\r\n"_s), 1 + 5);
        QVERIFY(csv.out.contains(u",runtime,"_s + acrossId + u",e2b,"_s));

        const Run plain = run({u"cost"_s, u"--month"_s, u"2026-10"_s}, {}, utc);
        QVERIFY2(plain.exitCode == 0, qPrintable(plain.err));
        QVERIFY2(plain.out.startsWith(u"Spending in October 2026\n"_s), qPrintable(plain.out));
        for (const QString &text : {u"E2B"_s, u"Fly.io"_s, u"Claude (generation)"_s, u"$0.39"_s, u"$0.36"_s,
                                    u"$0.07"_s, u"Budget: $0.82 of $2.00 (41 %)"_s}) // 0.81565
            QVERIFY2(plain.out.contains(text), qPrintable(text + u" not in:\n"_s + plain.out));
        QVERIFY2(plain.out.contains(QRegularExpression(u"\\nTotal +\\$0.82\\n"_s)), qPrintable(plain.out));
        QVERIFY(!plain.out.contains(u"Local"_s));
        QVERIFY(!plain.out.contains(u"Today"_s));

        // The month is local: in Auckland (UTC+13) October ends at 11:00 UTC on 31 October, before the last
        // run started.
        const Run auckland =
            run({u"cost"_s, u"--month"_s, u"2026-10"_s, u"--json"_s}, {}, {{u"TZ"_s, u"Pacific/Auckland"_s}});
        QCOMPARE(auckland.exitCode, 0);
        const QJsonObject nz = QJsonDocument::fromJson(auckland.out.toUtf8()).object();
        QVERIFY2(qAbs(nz[u"total"_s].toDouble() - (total - 0.36)) < 1e-9, qPrintable(auckland.out));
        QCOMPARE(nz[u"lines"_s].toArray().size(), 4);

        // A month with nothing: said so; the JSON and CSV are still whole.
        const Run empty = run({u"cost"_s, u"--month"_s, u"2026-09"_s}, {}, utc);
        QCOMPARE(empty.exitCode, 0);
        QVERIFY2(empty.out.startsWith(u"Nothing was spent in September 2026.\n"_s), qPrintable(empty.out));
        const Run emptyJson = run({u"cost"_s, u"--month=2026-09"_s, u"--json"_s}, {}, utc);
        const QJsonObject september = QJsonDocument::fromJson(emptyJson.out.toUtf8()).object();
        QCOMPARE(september[u"total"_s].toDouble(-1), 0.0);
        QVERIFY(september[u"providers"_s].toArray().isEmpty());
        QVERIFY(september[u"lines"_s].toArray().isEmpty());
        QCOMPARE(september[u"days"_s].toArray().size(), 30);
        const Run emptyCsv = run({u"cost"_s, u"--month"_s, u"2026-09"_s, u"--csv"_s}, {}, utc);
        QCOMPARE(emptyCsv.out, QString::fromUtf8(LedgerCsv::write({})));

        // This month works too, and says what today cost.
        const Run now = run({u"cost"_s, u"--json"_s});
        QVERIFY2(now.exitCode == 0, qPrintable(now.err));
        const QJsonObject thisMonth = QJsonDocument::fromJson(now.out.toUtf8()).object();
        QCOMPARE(thisMonth[u"month"_s].toString(), QDate::currentDate().toString(u"yyyy-MM"_s));
        QVERIFY(thisMonth.contains(u"today"_s));

        // Listed in the help; bad usage: exit code 2 and what was expected.
        QVERIFY(run({u"--help"_s}).out.contains(u"cost [--month YYYY-MM] [--json|--csv]"_s));
        const Run help = run({u"cost"_s, u"--help"_s});
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.contains(u"--month <YYYY-MM>"_s), qPrintable(help.out));
        for (const QString &bad : {u"2026-13"_s, u"nov"_s, u"2026-1"_s, u"2026-00"_s}) {
            const Run refused = run({u"cost"_s, u"--month"_s, bad});
            QCOMPARE(refused.exitCode, 2);
            QVERIFY2(refused.err.contains(u"YYYY-MM"_s) && refused.err.contains(bad),
                     qPrintable(refused.err));
            QVERIFY(refused.out.isEmpty());
        }
        const Run both = run({u"cost"_s, u"--json"_s, u"--csv"_s});
        QCOMPARE(both.exitCode, 2);
        QVERIFY2(both.err.contains(u"--json and --csv"_s), qPrintable(both.err));
        QVERIFY(both.out.isEmpty());
    }

    void keysComeFromStdinOnly()
    {
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            QSKIP("needs the private D-Bus session with gnome-keyring that scripts/test-session.sh starts");
        const QByteArray secret = "sk-ant-cli-test-" + QByteArray::number(QCoreApplication::applicationPid());
        const Run set = run({u"key"_s, u"set"_s, u"anthropic"_s}, secret + '\n');
        QVERIFY2(set.exitCode == 0, qPrintable(set.err));
        const Run test = run({u"key"_s, u"test"_s, u"anthropic"_s});
        QCOMPARE(test.exitCode, 0);
        QVERIFY(test.out.contains(u"stored"_s));
        QVERIFY2(test.out.contains(u"Anthropic accepted the key"_s), qPrintable(test.out + test.err));
        QVERIFY(!test.out.contains(QString::fromUtf8(secret)) &&
                !test.err.contains(QString::fromUtf8(secret)));
        QCOMPARE(run({u"key"_s, u"rm"_s, u"anthropic"_s}).exitCode, 0);
        const Run gone = run({u"key"_s, u"test"_s, u"anthropic"_s});
        QCOMPARE(gone.exitCode, 1);
        QVERIFY(gone.err.contains(u"no anthropic key"_s));
        // Nothing of it on disk outside the keyring.
        QDirIterator files(m_dir.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            QFile file(files.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(!file.readAll().contains(secret), qPrintable(file.fileName()));
        }
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
