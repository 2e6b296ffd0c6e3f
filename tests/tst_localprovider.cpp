// The Local provider end to end: real bubblewrap sandboxes, real apps, real sockets on 127.0.0.1.
#include "bundlefolder.h"
#include "local/localprocesses.h"
#include "local/localprovider.h"
#include "local/localsandbox.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace TestSupport;

using Files = QMap<QString, QByteArray>;

namespace {

struct Deployed
{
    DeployResult result;
    QList<DeployStage> stages;
    QStringList resourceIds;
    QString sessionId;
};

} // namespace

class TestLocalProvider : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    LocalProvider *m_provider = nullptr;

    LocalProviderOptions options() const
    {
        LocalProviderOptions o = LocalProviderOptions::fromEnvironment(m_dir.filePath(u"run"_s));
        o.startTimeoutMs = 10'000;
        return o;
    }

    QString logPath(const QString &sessionId) const
    {
        return m_dir.filePath(u"logs/"_s + sessionId + u".log"_s);
    }

    Deployed deploy(LocalProvider *provider, const AppBundle &bundle, quint16 hostPort = 0,
                    int waitMs = 15'000)
    {
        Deployed deployed;
        deployed.sessionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        DeployRequest request;
        request.sessionId = deployed.sessionId;
        request.bundle = bundle;
        request.hostPort = hostPort;
        request.logPath = logPath(deployed.sessionId);
        request.expiresAt = QDateTime::currentDateTimeUtc().addSecs(3600);
        DeployJob *job = provider->deploy(request);
        connect(job, &DeployJob::stageChanged, this, [&](DeployStage stage) { deployed.stages << stage; });
        connect(job, &DeployJob::resourceCreated, this,
                [&](const QString &id) { deployed.resourceIds << id; });
        QSignalSpy finished(job, &DeployJob::finished);
        job->start();
        if (!finished.wait(waitMs))
            qWarning("deploy did not finish in time");
        if (!finished.isEmpty())
            deployed.result = finished.constFirst().constFirst().value<DeployResult>();
        return deployed;
    }

    bool destroy(LocalProvider *provider, const QString &sessionId)
    {
        ProviderJob *job = provider->destroy(QString(), sessionId);
        QSignalSpy finished(job, &ProviderJob::finished);
        job->start();
        return finished.wait(10'000) && finished.constFirst().constFirst().value<ProviderOutcome>().ok();
    }

    QString runDir() const { return m_dir.filePath(u"run"_s); }

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_provider = new LocalProvider(options(), this);
    }

    void cleanup()
    {
        delete m_provider;
        m_provider = nullptr;
        QVERIFY2(LocalProcesses::find(runDir()).isEmpty(), "a sandbox process was left behind");
    }

    void deploysEachRuntime_data()
    {
        QTest::addColumn<int>("runtime");
        QTest::addColumn<QString>("start");
        QTest::addColumn<Files>("files");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("expected");

        QTest::newRow("static") << int(Runtime::Static) << QString()
                                << QMap<QString, QByteArray>{{u"index.html"_s, "<h1>hello static</h1>"},
                                                             {u"css/site.css"_s, "h1 { color: teal }"}}
                                << QByteArray("/css/site.css") << QByteArray("color: teal");
        QTest::newRow("python") << int(Runtime::Python) << u"python3 app.py"_s
                                << QMap<QString, QByteArray>{{u"app.py"_s, R"(
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello python " + self.path).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
print("python app starting on", os.environ["HOST"], os.environ["PORT"], flush=True)
HTTPServer((os.environ["HOST"], int(os.environ["PORT"])), H).serve_forever()
)"}} << QByteArray("/x") << QByteArray("hello python /x");
        QTest::newRow("node") << int(Runtime::Node) << u"node server.js"_s
                              << QMap<QString, QByteArray>{{u"server.js"_s, R"(
const http = require('http');
const os = require('os');
http.createServer((req, res) => res.end('hello node ' + req.url + ' as ' + os.userInfo().username))
    .listen(Number(process.env.PORT), 'localhost', () => console.log('node app up'));
)"}} << QByteArray("/y") << QByteArray("hello node /y as ");
    }

    void deploysEachRuntime()
    {
        QFETCH(int, runtime);
        QFETCH(QString, start);
        QFETCH(Files, files);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, expected);

        const Deployed d = deploy(m_provider, bundle(Runtime(runtime), files, start));
        QVERIFY2(d.result.ok(), qPrintable(d.result.message));
        QCOMPARE(d.stages, (QList<DeployStage>{DeployStage::Provisioning, DeployStage::Uploading,
                                               DeployStage::Starting, DeployStage::WaitingForUrl}));
        QCOMPARE(d.resourceIds.size(), 1);
        QVERIFY(!d.result.unsandboxed);
        QCOMPARE(d.result.url.host(), u"127.0.0.1"_s);
        const quint16 port = quint16(d.result.url.port());

        const HttpAnswer answer = httpGet(port, path);
        QCOMPARE(answer.status, 200);
        QVERIFY2(answer.body.contains(expected), answer.body.constData());
        QVERIFY(!LocalProcesses::pidsOfSession(runDir(), d.sessionId).isEmpty());
        QVERIFY(QFileInfo::exists(logPath(d.sessionId)));

        QVERIFY(destroy(m_provider, d.sessionId));
        QVERIFY2(waitForPortClosed(port), "the port still answers after destroy");
        QVERIFY(LocalProcesses::pidsOfSession(runDir(), d.sessionId).isEmpty());
        QVERIFY(!QFileInfo::exists(runDir() + u'/' + d.sessionId));
        QVERIFY(destroy(m_provider, d.sessionId)); // idempotent
    }

    void bundledExamplesRun_data()
    {
        QTest::addColumn<QString>("example");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("pomodoro (static)") << u"pomodoro"_s << QByteArray("<title>Pomodoro</title>");
        QTest::newRow("notes (python)") << u"notes-python"_s << QByteArray("<h1>Notes</h1>");
        QTest::newRow("clock (node)") << u"clock-node"_s << QByteArray("Europe/Paris");
    }

    void bundledExamplesRun()
    {
        QFETCH(QString, example);
        QFETCH(QByteArray, expected);
        const QString path = QFINDTESTDATA(u"../resources/examples/"_s + example);
        auto app = BundleFolder::load(path);
        QVERIFY2(app.ok(), qPrintable(app.error()));
        const Deployed d = deploy(m_provider, *app);
        QVERIFY2(d.result.ok(), qPrintable(d.result.message));
        const HttpAnswer answer = httpGet(quint16(d.result.url.port()));
        QCOMPARE(answer.status, 200);
        QVERIFY2(answer.body.contains(expected), answer.body.left(300).constData());
        QVERIFY(destroy(m_provider, d.sessionId));
    }

    void redeployInPlaceKeepsTheUrl()
    {
        const Deployed first =
            deploy(m_provider, bundle(Runtime::Static, {{u"index.html"_s, "version one"}}));
        QVERIFY2(first.result.ok(), qPrintable(first.result.message));
        const quint16 port = quint16(first.result.url.port());
        QCOMPARE(httpGet(port).body, QByteArray("version one"));
        const QList<qint64> before = LocalProcesses::pidsOfSession(runDir(), first.sessionId);

        DeployRequest request;
        request.sessionId = first.sessionId;
        request.bundle = bundle(Runtime::Python, {{u"app.py"_s, R"(
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"version two")
HTTPServer((os.environ["HOST"], int(os.environ["PORT"])), H).serve_forever()
)"}},
                                u"python3 app.py"_s);
        request.logPath = logPath(first.sessionId);
        DeployJob *job = m_provider->redeploy(first.result.resourceId, request);
        QSignalSpy finished(job, &DeployJob::finished);
        job->start();
        QVERIFY(finished.wait(15'000));
        const DeployResult second = finished.constFirst().constFirst().value<DeployResult>();
        QVERIFY2(second.ok(), qPrintable(second.message));
        QCOMPARE(second.url, first.result.url); // same port, same URL
        QCOMPARE(httpGet(port).body, QByteArray("version two"));
        for (qint64 pid : before)
            QVERIFY2(!LocalProcesses::pidsOfSession(runDir(), first.sessionId).contains(pid),
                     "the old app still runs");

        QVERIFY(destroy(m_provider, first.sessionId));
        QVERIFY(waitForPortClosed(port));
    }

    void sandboxStartsWithAnEmptyEnvironment()
    {
        qputenv("SPAWNAI_TEST_SECRET", "sk-ant-should-never-leak");
        const Deployed d = deploy(m_provider, bundle(Runtime::Static, {{u"index.html"_s, "ok"}}));
        qunsetenv("SPAWNAI_TEST_SECRET");
        QVERIFY2(d.result.ok(), qPrintable(d.result.message));
        for (qint64 pid : LocalProcesses::pidsOfSession(runDir(), d.sessionId)) {
            QFile environment(u"/proc/%1/environ"_s.arg(pid));
            QVERIFY(environment.open(QIODevice::ReadOnly));
            const QByteArray contents = environment.readAll();
            QVERIFY2(!contents.contains("SPAWNAI_TEST_SECRET"), contents.constData());
            QFile cmdline(u"/proc/%1/cmdline"_s.arg(pid));
            QVERIFY(cmdline.open(QIODevice::ReadOnly));
            QVERIFY(!cmdline.readAll().contains("should-never-leak"));
        }
        QVERIFY(destroy(m_provider, d.sessionId));
    }

    void appCrashingAtStartShowsItsOutput()
    {
        const Deployed d =
            deploy(m_provider, bundle(Runtime::Python, {{u"app.py"_s, "print('loading config')\n1/0\n"}},
                                      u"python3 app.py"_s));
        QCOMPARE(d.result.failure, FailureReason::AppCrashed);
        QVERIFY2(d.result.message.contains(u"ZeroDivisionError"_s), qPrintable(d.result.message));
        QVERIFY(d.result.message.contains(u"loading config"_s));
        QVERIFY(d.result.message.contains(u"exited with code 1"_s));
        QVERIFY(d.result.message.contains(logPath(d.sessionId)));
        QVERIFY(!QFileInfo::exists(runDir() + u'/' + d.sessionId));
    }

    void appThatNeverAnswersTimesOutNamingTheLog()
    {
        LocalProviderOptions quick = options();
        quick.startTimeoutMs = 1500;
        LocalProvider provider(quick);
        const Deployed d = deploy(
            &provider, bundle(Runtime::Python,
                              {{u"app.py"_s, "import time\nprint('thinking', flush=True)\ntime.sleep(60)\n"}},
                              u"python3 app.py"_s));
        QCOMPARE(d.result.failure, FailureReason::AppNeverAnswered);
        QVERIFY2(d.result.message.contains(logPath(d.sessionId)), qPrintable(d.result.message));
        QVERIFY(d.result.message.contains(u"thinking"_s));
        QTRY_VERIFY(LocalProcesses::pidsOfSession(runDir(), d.sessionId).isEmpty());
    }

    void portInUseIsRefusedWithAClearMessage()
    {
        QTcpServer other;
        QVERIFY(other.listen(QHostAddress::LocalHost));
        const Deployed d =
            deploy(m_provider, bundle(Runtime::Static, {{u"index.html"_s, "x"}}), other.serverPort());
        QCOMPARE(d.result.failure, FailureReason::PortInUse);
        QVERIFY2(d.result.message.contains(QString::number(other.serverPort())),
                 qPrintable(d.result.message));
        QVERIFY(d.result.message.contains(u"already in use"_s));
        QVERIFY(d.resourceIds.isEmpty());
    }

    void chosenPortIsUsed()
    {
        auto free = ListeningSocket::pickFreePort();
        QVERIFY(free.ok());
        const Deployed d = deploy(m_provider, bundle(Runtime::Static, {{u"index.html"_s, "x"}}), *free);
        QVERIFY2(d.result.ok(), qPrintable(d.result.message));
        QCOMPARE(d.result.url.port(), int(*free));
        QVERIFY(destroy(m_provider, d.sessionId));
    }

    void missingBwrapRunsNothing()
    {
        LocalProviderOptions broken = options();
        broken.bwrapPath = m_dir.filePath(u"no/such/bwrap"_s);
        LocalProvider provider(broken);
        const Deployed d = deploy(&provider, bundle(Runtime::Static, {{u"index.html"_s, "x"}}));
        QCOMPARE(d.result.failure, FailureReason::SandboxUnavailable);
        QVERIFY2(d.result.message.contains(u"apt install bubblewrap"_s), qPrintable(d.result.message));
        QVERIFY(d.result.message.contains(u"local.allow-unsandboxed"_s));
        QVERIFY(d.resourceIds.isEmpty());
        QVERIFY(LocalProcesses::find(runDir()).isEmpty());
    }

    void refusedUserNamespacesAreExplained()
    {
        const QString fake = m_dir.filePath(u"bwrap-apparmor"_s);
        writeScript(fake,
                    "case \"$1\" in --version) echo 'bubblewrap 0.9.0';; *) echo 'bwrap: setting up uid map: "
                    "Permission denied' >&2; exit 1;; esac\n");
        LocalProviderOptions broken = options();
        broken.bwrapPath = fake;
        LocalProvider provider(broken);
        const Deployed d = deploy(&provider, bundle(Runtime::Static, {{u"index.html"_s, "x"}}));
        QCOMPARE(d.result.failure, FailureReason::SandboxUnavailable);
        QVERIFY2(d.result.message.contains(u"setting up uid map"_s), qPrintable(d.result.message));
        QVERIFY(d.result.message.contains(u"AppArmor"_s));
    }

    void explicitOptOutRunsUnsandboxedAndSaysSo()
    {
        LocalProviderOptions optOut = options();
        optOut.bwrapPath = m_dir.filePath(u"no/such/bwrap"_s);
        optOut.allowUnsandboxed = true;
        LocalProvider provider(optOut);
        const Deployed d = deploy(&provider, bundle(Runtime::Python, {{u"app.py"_s, R"(
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"unsandboxed ok")
HTTPServer((os.environ["HOST"], int(os.environ["PORT"])), H).serve_forever()
)"}},
                                                    u"python3 app.py"_s));
        QVERIFY2(d.result.ok(), qPrintable(d.result.message));
        QVERIFY(d.result.unsandboxed);
        const quint16 port = quint16(d.result.url.port());
        QCOMPARE(httpGet(port).body, QByteArray("unsandboxed ok"));
        QVERIFY(destroy(&provider, d.sessionId));
        QVERIFY(waitForPortClosed(port));
    }

    void appExitingWhileRunningIsReported()
    {
        QSignalSpy lost(m_provider, &Provider::resourceLost);
        const Deployed d = deploy(m_provider, bundle(Runtime::Python, {{u"app.py"_s, R"(
import os, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((os.environ["HOST"], int(os.environ["PORT"]))); s.listen()
c, _ = s.accept(); c.recv(1000); c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); c.close()
print("served one request, leaving", flush=True)
sys.exit(3)
)"}},
                                                     u"python3 app.py"_s));
        QVERIFY2(d.result.ok(), qPrintable(d.result.message));
        QVERIFY(lost.wait(10'000));
        QCOMPARE(lost.constFirst().at(0).toString(), d.sessionId);
        QCOMPARE(lost.constFirst().at(1).value<FailureReason>(), FailureReason::AppExited);
        const QString message = lost.constFirst().at(2).toString();
        QVERIFY2(message.contains(u"code 3"_s), qPrintable(message));
        QVERIFY(message.contains(u"served one request"_s));
        QVERIFY(waitForPortClosed(quint16(d.result.url.port())));
    }

    void cancelStopsAStartingApp()
    {
        DeployRequest request;
        request.sessionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        request.bundle =
            bundle(Runtime::Python, {{u"app.py"_s, "import time\ntime.sleep(60)\n"}}, u"python3 app.py"_s);
        request.logPath = logPath(request.sessionId);
        DeployJob *job = m_provider->deploy(request);
        QSignalSpy stages(job, &DeployJob::stageChanged);
        QSignalSpy finished(job, &DeployJob::finished);
        job->start();
        QTRY_VERIFY(!stages.isEmpty() &&
                    stages.constLast().constFirst().value<DeployStage>() == DeployStage::WaitingForUrl);
        QVERIFY(!LocalProcesses::pidsOfSession(runDir(), request.sessionId).isEmpty());
        job->cancel();
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.constFirst().constFirst().value<DeployResult>().failure, FailureReason::Cancelled);
        QTRY_VERIFY(LocalProcesses::pidsOfSession(runDir(), request.sessionId).isEmpty());
    }

    void listAndDestroyFindSandboxesOfOtherProviders()
    {
        // A second provider on the same run folder stands for a restarted SpawnAI cleaning up leftovers.
        const Deployed d = deploy(m_provider, bundle(Runtime::Static, {{u"index.html"_s, "x"}}));
        QVERIFY2(d.result.ok(), qPrintable(d.result.message));
        LocalProvider restarted(options());
        ListJob *list = restarted.list(QString());
        QSignalSpy listed(list, &ListJob::finished);
        list->start();
        QVERIFY(listed.wait());
        const auto resources = listed.constFirst().at(1).value<QList<RemoteResource>>();
        QCOMPARE(resources.size(), 1);
        QCOMPARE(resources.constFirst().sessionId, d.sessionId);

        QVERIFY(destroy(&restarted, d.sessionId));
        QVERIFY(waitForPortClosed(quint16(d.result.url.port())));
        QVERIFY(LocalProcesses::pidsOfSession(runDir(), d.sessionId).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLocalProvider)
#include "tst_localprovider.moc"
