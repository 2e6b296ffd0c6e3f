// One SpawnAI window per user: a second launch (a real second process) brings the first forward and leaves;
// a socket left by a killed instance does not lock the next one out.
#include "singleinstance.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <cstring>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

// The child process: `--second <scope>` exits 0 when claim() said "another instance runs", 1 when it became
// the first; `--hold <scope>` claims, says "claimed" and waits to be killed (or says "refused" and leaves).
int childMain(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QString mode = QString::fromLocal8Bit(argv[1]);
    SingleInstance instance(QString::fromLocal8Bit(argv[2]));
    const bool first = instance.claim();
    if (mode == u"--second")
        return first ? 1 : 0;
    std::puts(first ? "claimed" : "refused");
    std::fflush(stdout);
    return first ? QCoreApplication::exec() : 0;
}

QProcess *startChild(const QString &mode, const QString &scope, QObject *parent)
{
    auto *child = new QProcess(parent);
    child->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child->start(QCoreApplication::applicationFilePath(), {mode, scope});
    return child;
}

} // namespace

class TestSingleInstance : public QObject
{
    Q_OBJECT

private slots:
    void secondLaunchActivatesTheFirst()
    {
        QTemporaryDir scope;
        SingleInstance first(scope.path());
        QSignalSpy activated(&first, &SingleInstance::activationRequested);
        QVERIFY(first.claim());
        QVERIFY(first.claim()); // claiming again changes nothing
        QVERIFY(QFileInfo::exists(first.serverName()));

        QProcess *second = startChild(u"--second"_s, scope.path(), this);
        // The first answers from its event loop while the second waits for that answer.
        QTRY_COMPARE_WITH_TIMEOUT(second->state(), QProcess::NotRunning, 10'000);
        QCOMPARE(second->exitStatus(), QProcess::NormalExit);
        QCOMPARE(second->exitCode(), 0); // told to leave
        QCOMPARE(activated.size(), 1);

        // And again: each launch is one request.
        QProcess *third = startChild(u"--second"_s, scope.path(), this);
        QTRY_COMPARE_WITH_TIMEOUT(third->state(), QProcess::NotRunning, 10'000);
        QCOMPARE(third->exitCode(), 0);
        QCOMPARE(activated.size(), 2);
    }

    void staleSocketFromKilledInstance()
    {
        QTemporaryDir scope;
        QProcess *holder = startChild(u"--hold"_s, scope.path(), this);
        QVERIFY(holder->waitForReadyRead(10'000));
        QCOMPARE(holder->readLine().trimmed(), "claimed");
        const QString socket = SingleInstance(scope.path()).serverName();
        QVERIFY(QFileInfo::exists(socket));

        holder->kill(); // SIGKILL: no chance to remove its socket
        QVERIFY(holder->waitForFinished());
        QVERIFY2(QFileInfo::exists(socket), "the test needs the crash to leave the socket file behind");

        SingleInstance next(scope.path());
        QSignalSpy activated(&next, &SingleInstance::activationRequested);
        QVERIFY(next.claim());
        // It really listens now: a later launch reaches it.
        QProcess *later = startChild(u"--second"_s, scope.path(), this);
        QTRY_COMPARE_WITH_TIMEOUT(later->state(), QProcess::NotRunning, 10'000);
        QCOMPARE(later->exitCode(), 0);
        QCOMPARE(activated.size(), 1);
    }

    void simultaneousLaunchesElectOne()
    {
        QTemporaryDir scope;
        QList<QProcess *> launches;
        for (int i = 0; i < 4; ++i)
            launches.append(startChild(u"--hold"_s, scope.path(), this));
        int claimed = 0;
        int refused = 0;
        for (QProcess *launch : std::as_const(launches)) {
            QVERIFY(launch->waitForReadyRead(10'000));
            const QByteArray said = launch->readLine().trimmed();
            claimed += said == "claimed";
            refused += said == "refused";
        }
        QCOMPARE(claimed, 1);
        QCOMPARE(refused, 3);
        for (QProcess *launch : std::as_const(launches)) {
            launch->kill();
            launch->waitForFinished();
        }
    }

    void cleanExitRemovesTheSocket()
    {
        QTemporaryDir scope;
        QString socket;
        {
            SingleInstance first(scope.path());
            QVERIFY(first.claim());
            socket = first.serverName();
            QVERIFY(QFileInfo::exists(socket));
        }
        QVERIFY(!QFileInfo::exists(socket));
        SingleInstance again(scope.path());
        QVERIFY(again.claim());
    }

    void scopesAndUsersDoNotMeet()
    {
        QTemporaryDir one;
        QTemporaryDir two;
        SingleInstance a(one.path());
        SingleInstance b(two.path());
        QVERIFY(a.serverName() != b.serverName());
        QVERIFY(a.claim());
        QVERIFY(b.claim()); // another data directory is another world

        QVERIFY(QFileInfo(a.serverName()).fileName().contains(u"-%1-"_s.arg(::getuid())));
        const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!runtime.isEmpty() && QFileInfo(runtime).isDir())
            QCOMPARE(QFileInfo(a.serverName()).absolutePath(), QDir(runtime).absolutePath());
        // Only the user may connect (in $XDG_RUNTIME_DIR the directory says so too).
        QCOMPARE(QFileInfo(a.serverName()).permissions() & (QFile::ReadOther | QFile::WriteOther),
                 QFile::Permissions());
    }

    void strangersAreIgnored()
    {
        QTemporaryDir scope;
        SingleInstance first(scope.path());
        QSignalSpy activated(&first, &SingleInstance::activationRequested);
        QVERIFY(first.claim());
        QLocalSocket stranger;
        stranger.connectToServer(first.serverName());
        QVERIFY(stranger.waitForConnected(2000));
        stranger.write("please run rm -rf\n");
        QTRY_COMPARE(stranger.state(), QLocalSocket::UnconnectedState); // hung up on
        QCOMPARE(activated.size(), 0);
    }
};

int main(int argc, char *argv[])
{
    if (argc == 3 && (std::strcmp(argv[1], "--second") == 0 || std::strcmp(argv[1], "--hold") == 0))
        return childMain(argc, argv);
    QCoreApplication app(argc, argv);
    TestSingleInstance test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_singleinstance.moc"
