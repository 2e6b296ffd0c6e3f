// A hostile generated app tries to get out of the Local sandbox. Every attempt must fail, and the test says
// which.
#include "local/localprocesses.h"
#include "local/localprovider.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace TestSupport;

class TestSandboxEscape : public QObject
{
    Q_OBJECT

private slots:
    void hostileAppIsContained()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QByteArray secret = "sk-ant-" + QUuid::createUuid().toByteArray(QUuid::Id128);
        qputenv("ANTHROPIC_API_KEY", secret); // what a careless launcher would leak into the sandbox

        // A canary in the real home directory of the user running SpawnAI.
        const QString canaryPath =
            QDir::homePath() + u"/.spawnai-escape-canary-"_s + QUuid::createUuid().toString(QUuid::Id128);
        QFile canary(canaryPath);
        QVERIFY(canary.open(QIODevice::WriteOnly));
        canary.write("top secret canary");
        canary.close();
        auto removeCanary = qScopeGuard([&] { QFile::remove(canaryPath); });

        QTcpServer hostListener; // something the app must not reach on the host's loopback
        QVERIFY(hostListener.listen(QHostAddress::LocalHost));

        QFile source(QFINDTESTDATA("data/hostile_app.py"));
        QVERIFY(source.open(QIODevice::ReadOnly));
        QByteArray code = source.readAll();
        code.replace("__CANARY__", canaryPath.toUtf8());
        code.replace("__HOST_PORT__", QByteArray::number(hostListener.serverPort()));
        code.replace("__SECRET__", secret);

        LocalProviderOptions options = LocalProviderOptions::fromEnvironment(dir.filePath(u"run"_s));
        LocalProvider provider(options);
        DeployRequest request;
        request.sessionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        request.bundle = bundle(Runtime::Python, {{u"app.py"_s, code}}, u"python3 app.py"_s);
        request.logPath = dir.filePath(u"app.log"_s);
        DeployJob *job = provider.deploy(request);
        QSignalSpy finished(job, &DeployJob::finished);
        job->start();
        QVERIFY(finished.wait(15'000));
        const DeployResult result = finished.constFirst().constFirst().value<DeployResult>();
        QVERIFY2(result.ok(), qPrintable(result.message));
        QVERIFY(!result.unsandboxed);

        const HttpAnswer answer = httpGet(quint16(result.url.port()), "/", 20'000);
        QCOMPARE(answer.status, 200);
        const QJsonObject attempts = QJsonDocument::fromJson(answer.body).object();
        QVERIFY2(!attempts.isEmpty(), answer.body.constData());
        for (auto it = attempts.constBegin(); it != attempts.constEnd(); ++it) {
            const QString outcome = it.value().toString();
            qInfo().noquote() << it.key() << "→" << outcome;
            QVERIFY2(outcome.startsWith(u"blocked: "_s),
                     qPrintable(it.key() + u" was not blocked: "_s + outcome));
        }
        QCOMPARE(attempts.size(), 14);
        QVERIFY(!answer.body.contains("top secret canary"));
        QVERIFY(!answer.body.contains(secret));
        QCOMPARE(hostListener.hasPendingConnections(), false);
        QVERIFY(!QFile::exists(options.runDir + u'/' + request.sessionId + u"/app/pwned.txt"_s));
        qunsetenv("ANTHROPIC_API_KEY");
    }
};

QTEST_GUILESS_MAIN(TestSandboxEscape)
#include "tst_sandboxescape.moc"
