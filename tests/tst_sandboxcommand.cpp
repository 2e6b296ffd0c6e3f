// The sandbox policy as command lines (reliability.md §1.7), checked option by option.
#include "local/sandboxcommand.h"

#include <QDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

SandboxSpec spec(Runtime runtime, const QString &start = {})
{
    SandboxSpec s;
    s.bwrapPath = u"/usr/bin/bwrap"_s;
    s.helperPath = u"/opt/spawnai/bin/spawnai-sandbox"_s;
    s.appDir = u"/home/u/.local/share/spawnai/run/S/app"_s;
    s.etcDir = u"/home/u/.local/share/spawnai/run/S/etc"_s;
    s.tmpDir = u"/home/u/.local/share/spawnai/run/S/tmp"_s;
    s.runtime = runtime;
    s.start = start;
    s.appPort = 8123;
    return s;
}

// The values that follow `option` each time it appears, `count` at a time.
QList<QStringList> occurrences(const QStringList &args, const QString &option, int count)
{
    QList<QStringList> found;
    const qsizetype end = args.indexOf(u"--"_s);
    for (qsizetype i = 0; i < end; ++i) {
        if (args.at(i) == option)
            found << args.mid(i + 1, count);
    }
    return found;
}

} // namespace

class TestSandboxCommand : public QObject
{
    Q_OBJECT

private slots:
    void isolationFlags_data()
    {
        QTest::addColumn<QString>("flag");
        for (const char *flag : {"--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                                 "--new-session", "--clearenv"})
            QTest::newRow(flag) << QString::fromLatin1(flag);
    }

    void isolationFlags()
    {
        QFETCH(QString, flag);
        const LaunchCommand command = SandboxCommand::sandboxed(spec(Runtime::Static));
        QVERIFY(command.arguments.mid(0, command.arguments.indexOf(u"--"_s)).contains(flag));
        QVERIFY(SandboxCommand::trial(u"/usr/bin/bwrap"_s).arguments.contains(flag) || flag == u"--clearenv");
    }

    void nothingOfTheHostIsWritableOrShared()
    {
        const LaunchCommand command = SandboxCommand::sandboxed(spec(Runtime::Python, u"python3 app.py"_s));
        QCOMPARE(command.program, u"/usr/bin/bwrap"_s);
        QVERIFY2(command.environment.isEmpty(), "bwrap itself must start with an empty environment");
        const QStringList options = command.arguments.mid(0, command.arguments.indexOf(u"--"_s));
        for (const char *forbidden :
             {"--bind", "--bind-try", "--dev-bind", "--share-net", "--as-pid-1", "--cap-add"})
            QVERIFY2(!options.contains(QString::fromLatin1(forbidden)), forbidden);
        const QStringList hostSources = [&] {
            QStringList sources;
            for (const QStringList &bind : occurrences(command.arguments, u"--ro-bind"_s, 2))
                sources << bind.constFirst();
            return sources;
        }();
        QVERIFY(!hostSources.contains(u"/"_s));
        QVERIFY(!hostSources.contains(u"/etc"_s));
        QVERIFY(!hostSources.contains(u"/home/u"_s));
        QVERIFY(!hostSources.contains(QDir::homePath()));
        QVERIFY(hostSources.contains(u"/usr"_s));
        QCOMPARE(occurrences(command.arguments, u"--ro-bind"_s, 2).constFirst(),
                 (QStringList{u"/usr"_s, u"/usr"_s}));
        QVERIFY(occurrences(command.arguments, u"--ro-bind"_s, 2)
                    .contains(QStringList{spec(Runtime::Python).appDir, u"/app"_s}));
        QCOMPARE(occurrences(command.arguments, u"--size"_s, 3).constFirst(),
                 (QStringList{u"67108864"_s, u"--tmpfs"_s, u"/tmp"_s}));
    }

    void environmentInsideTheSandbox()
    {
        const LaunchCommand command = SandboxCommand::sandboxed(spec(Runtime::Node, u"node server.js"_s));
        QStringList environment;
        for (const QStringList &pair : occurrences(command.arguments, u"--setenv"_s, 2))
            environment << pair.join(u'=');
        environment.sort();
        QCOMPARE(environment,
                 (QStringList{u"HOME=/tmp"_s, u"HOST=127.0.0.1"_s, u"LANG=C.UTF-8"_s, u"PATH=/usr/bin:/bin"_s,
                              u"PORT=8123"_s, u"PYTHONDONTWRITEBYTECODE=1"_s, u"PYTHONUNBUFFERED=1"_s}));
    }

    void whatRunsInside_data()
    {
        QTest::addColumn<int>("runtime");
        QTest::addColumn<QString>("start");
        QTest::addColumn<QStringList>("tail");
        QTest::newRow("static") << int(Runtime::Static) << QString()
                                << QStringList{u"/run/spawnai/helper"_s, u"static"_s, u"/app"_s};
        QTest::newRow("python") << int(Runtime::Python) << u"python3 app.py --debug"_s
                                << QStringList{u"/run/spawnai/helper"_s,
                                               u"relay"_s,
                                               u"8123"_s,
                                               u"--"_s,
                                               u"python3"_s,
                                               u"app.py"_s,
                                               u"--debug"_s};
        QTest::newRow("quoted start")
            << int(Runtime::Node) << u"node \"my server.js\""_s
            << QStringList{u"/run/spawnai/helper"_s, u"relay"_s, u"8123"_s, u"--"_s, u"node"_s,
                           u"my server.js"_s};
    }

    void whatRunsInside()
    {
        QFETCH(int, runtime);
        QFETCH(QString, start);
        QFETCH(QStringList, tail);
        const QStringList args = SandboxCommand::sandboxed(spec(Runtime(runtime), start)).arguments;
        QCOMPARE(args.mid(args.indexOf(u"--"_s) + 1), tail);
    }

    void optOutStillClearsTheEnvironment()
    {
        const LaunchCommand command =
            SandboxCommand::unsandboxed(spec(Runtime::Python, u"python3 app.py"_s), 40111);
        QCOMPARE(command.program, spec(Runtime::Python).helperPath);
        QCOMPARE(command.arguments,
                 (QStringList{u"relay"_s, u"40111"_s, u"--"_s, u"python3"_s, u"app.py"_s}));
        QVERIFY(command.environment.contains(u"PORT=40111"_s));
        QVERIFY(command.environment.contains(u"HOME="_s + spec(Runtime::Python).tmpDir));
        QCOMPARE(command.environment.size(), 8);
    }
};

QTEST_GUILESS_MAIN(TestSandboxCommand)
#include "tst_sandboxcommand.moc"
