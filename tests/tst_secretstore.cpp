// SecretStore against the real gnome-keyring. The in-process tests need scripts/test-session.sh (a private
// bus with an unlocked, throw-away keyring) and skip without it, so they never touch a developer's own
// keyring. The unavailable and locked scenarios build their own private buses and run this binary again as
// a child ("--scenario"), because libsecret keeps one session-bus connection per process.
#include "secretstore.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include <functional>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

// Everything logged in this process, to prove no secret reaches a log.
QStringList g_log;
QtMessageHandler g_previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    g_log.append(QString::fromUtf8(context.category ? context.category : "") + u' ' + message);
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

QString randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(raw.data()), bytes / 4);
    return QString::fromLatin1(raw.toHex());
}

QString testSecret()
{
    return u"sk-ant-TEST-"_s + randomHex(16) + u"-ключ-🔑"_s;
}

// Whether `text` shows the secret or any 8-character piece of it (a truncated secret is still a leak). The
// first 12 characters are the public "sk-ant-TEST-" style prefix.
bool leaks(const QString &text, const QString &secret)
{
    if (text.contains(secret))
        return true;
    for (qsizetype at = 12; at + 8 <= secret.size(); at += 8) {
        if (text.contains(QStringView(secret).mid(at, 8)))
            return true;
    }
    return false;
}

bool leaks(const QByteArray &output, const QString &secret)
{
    return leaks(QString::fromUtf8(output), secret);
}

// Files under `root` holding the secret in any encoding SpawnAI or QtKeychain could plausibly write.
QStringList filesContaining(const QString &root, const QString &secret)
{
    const QByteArray utf8 = secret.toUtf8();
    const QByteArray utf16(reinterpret_cast<const char *>(secret.utf16()), secret.size() * 2);
    const QByteArray base64 = utf8.toBase64();
    QStringList hits;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System | QDir::NoSymLinks,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray content = file.read(64 * 1024 * 1024);
        if (content.contains(utf8) || content.contains(utf16) || content.contains(base64))
            hits.append(file.fileName());
    }
    return hits;
}

// Every process whose command line or environment (where readable) holds the secret.
QStringList processesExposing(const QString &secret)
{
    const QByteArray needle = secret.toUtf8();
    QStringList hits;
    const QStringList pids = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pid : pids) {
        bool numeric = false;
        pid.toInt(&numeric);
        if (!numeric)
            continue;
        for (const QString &what : {u"cmdline"_s, u"environ"_s}) {
            QFile file(u"/proc/"_s + pid + u'/' + what);
            if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle))
                hits.append(pid + u'/' + what);
        }
    }
    return hits;
}

struct Awaited
{
    int calls = 0;
    bool synchronous = false; // the callback ran inside the call that started the operation
    SecretResult result;
};

// Starts an operation and waits (in the test only) for its single callback.
Awaited await(const std::function<void(const QObject *, SecretStore::Callback)> &start)
{
    Awaited awaited;
    QObject context;
    bool inCall = true;
    start(&context, [&](const SecretResult &result) {
        ++awaited.calls;
        awaited.synchronous = awaited.synchronous || inCall;
        awaited.result = result;
    });
    inCall = false;
    if (!QTest::qWaitFor([&] { return awaited.calls > 0; }, 60'000))
        qWarning("no result within 60 s"); // shows as status "callbacks=0"
    QCoreApplication::processEvents();     // a duplicate callback would show up here
    return awaited;
}

QString status(const Awaited &awaited)
{
    return awaited.calls == 1 ? SecretStore::statusName(awaited.result.status)
                              : u"callbacks=%1"_s.arg(awaited.calls);
}

// A private session bus that can activate nothing: its only service directory is empty.
class PrivateBus final
{
public:
    bool start()
    {
        if (!m_dir.isValid())
            return false;
        const QString services = m_dir.filePath(u"services"_s);
        QDir().mkpath(services);
        QFile config(m_dir.filePath(u"bus.conf"_s));
        if (!config.open(QIODevice::WriteOnly))
            return false;
        config.write(
            u"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
            "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
            "<busconfig><type>session</type><listen>unix:dir=%1</listen><auth>EXTERNAL</auth>"
            "<servicedir>%2</servicedir><policy context=\"default\"><allow send_destination=\"*\" "
            "eavesdrop=\"true\"/><allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n"_s
                .arg(m_dir.path(), services)
                .toUtf8());
        config.close();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(u"DISPLAY"_s);
        env.remove(u"WAYLAND_DISPLAY"_s);
        m_daemon.setProcessEnvironment(env);
        m_daemon.setProcessChannelMode(QProcess::SeparateChannels);
        m_daemon.start(u"dbus-daemon"_s,
                       {u"--config-file="_s + config.fileName(), u"--nofork"_s, u"--print-address=1"_s});
        if (!m_daemon.waitForStarted(10'000))
            return false;
        if (!QTest::qWaitFor([&] { return m_daemon.canReadLine(); }, 10'000))
            return false;
        m_address = QString::fromUtf8(m_daemon.readLine()).trimmed();
        return !m_address.isEmpty();
    }

    ~PrivateBus()
    {
        QDBusConnection::disconnectFromBus(connectionName());
        m_daemon.terminate();
        m_daemon.waitForFinished(5'000);
    }

    QString address() const { return m_address; }
    QString connectionName() const { return u"tst-private-bus-"_s + m_dir.path(); }
    QDBusConnection connection() const { return QDBusConnection::connectToBus(m_address, connectionName()); }
    bool hasSecretService() const
    {
        const QDBusConnection bus = connection();
        return bus.isConnected() &&
               bus.interface()->isServiceRegistered(u"org.freedesktop.secrets"_s).value();
    }

private:
    QTemporaryDir m_dir;
    QProcess m_daemon;
    QString m_address;
};

// gnome-keyring-daemon on a private bus, with its own fresh data home (so no login keyring exists yet).
class Keyring final
{
public:
    void start(const QString &busAddress, bool unlock)
    {
        QDir().mkpath(m_dir.filePath(u"data"_s));
        QDir().mkpath(m_dir.filePath(u"runtime"_s));
        QFile::setPermissions(m_dir.filePath(u"runtime"_s),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &name : {u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s, u"GNOME_KEYRING_CONTROL"_s})
            env.remove(name);
        env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, busAddress);
        env.insert(u"HOME"_s, m_dir.path());
        env.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"data"_s));
        env.insert(u"XDG_RUNTIME_DIR"_s, m_dir.filePath(u"runtime"_s)); // never finds the session's daemon
        m_daemon.setProcessEnvironment(env);
        m_daemon.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QStringList args{u"--foreground"_s, u"--components=secrets"_s};
        if (unlock)
            args.append(u"--unlock"_s); // the password comes on stdin, never on the command line
        m_daemon.start(u"gnome-keyring-daemon"_s, args);
        m_daemon.waitForStarted(10'000);
        if (unlock)
            m_daemon.write("keyring-test-password");
        m_daemon.closeWriteChannel();
    }

    ~Keyring()
    {
        m_daemon.terminate();
        m_daemon.waitForFinished(5'000);
    }

private:
    QTemporaryDir m_dir;
    QProcess m_daemon;
};

enum class BusSetup { PrivateBus, NothingListens, NoBusAtAll };

struct ChildRun
{
    QMap<QString, QString> status;  // op → status name
    QMap<QString, QString> message; // op → translated message
    QMap<QString, bool> match;      // read → returned the secret written
    QByteArray stdOut;
    QByteArray stdErr;
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QStringList exposingProcesses; // sampled while the child held the secret
    QStringList filesWithSecret;   // in the child's home and XDG directories
};

// Runs this binary with "--scenario ops" in a throw-away home; the secret goes in on stdin only.
// `onStderr` sees the child's log as it comes (the late-start test reacts to the retry).
ChildRun runChild(const QString &ops, const std::optional<QString> &busAddress, const QString &secret,
                  int retryMs, const std::function<void(const QByteArray &)> &onStderr = {})
{
    ChildRun run;
    QTemporaryDir home;
    for (const QString &dir : {u"config"_s, u"data"_s, u"cache"_s, u"runtime"_s})
        QDir().mkpath(home.filePath(dir));
    QFile::setPermissions(home.filePath(u"runtime"_s),
                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // No display (no prompts, no D-Bus autolaunch) and no desktop hint (QtKeychain would prefer KWallet).
    for (const QString &name : {u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s, u"XDG_CURRENT_DESKTOP"_s,
                                u"DESKTOP_SESSION"_s, u"KDE_FULL_SESSION"_s, u"KDE_SESSION_VERSION"_s,
                                u"GNOME_DESKTOP_SESSION_ID"_s, u"DBUS_SESSION_BUS_ADDRESS"_s})
        env.remove(name);
    if (busAddress)
        env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, *busAddress);
    env.insert(u"HOME"_s, home.path());
    env.insert(u"XDG_CONFIG_HOME"_s, home.filePath(u"config"_s));
    env.insert(u"XDG_DATA_HOME"_s, home.filePath(u"data"_s));
    env.insert(u"XDG_CACHE_HOME"_s, home.filePath(u"cache"_s));
    env.insert(u"XDG_RUNTIME_DIR"_s, home.filePath(u"runtime"_s));
    // The most talkative log must be clean too, and it must reach stderr (not journald) to be checked.
    env.insert(u"QT_LOGGING_RULES"_s, u"spawnai.secrets.debug=true"_s);
    env.insert(u"QT_FORCE_STDERR_LOGGING"_s, u"1"_s);

    QProcess child;
    child.setProcessEnvironment(env);
    child.start(QCoreApplication::applicationFilePath(),
                {u"--scenario"_s, ops, u"--retry-ms"_s, QString::number(retryMs)});
    if (!child.waitForStarted(10'000))
        return run;
    child.write(secret.toUtf8() + '\n');

    bool done = QTest::qWaitFor(
        [&] {
            run.stdOut += child.readAllStandardOutput();
            const QByteArray err = child.readAllStandardError();
            run.stdErr += err;
            if (!err.isEmpty() && onStderr)
                onStderr(run.stdErr);
            return run.stdOut.contains("done\n") || child.state() == QProcess::NotRunning;
        },
        90'000);
    if (done)
        run.exposingProcesses = processesExposing(secret); // the child still runs and holds the secret
    child.closeWriteChannel();                             // lets the child exit
    if (!child.waitForFinished(10'000))
        child.kill();
    run.stdOut += child.readAllStandardOutput();
    run.stdErr += child.readAllStandardError();
    run.exitCode = child.exitCode();
    run.exitStatus = child.exitStatus();
    run.filesWithSecret = filesContaining(home.path(), secret);

    for (const QByteArray &line : run.stdOut.split('\n')) {
        const QList<QByteArray> fields = line.split('\t');
        if (fields.size() < 4)
            continue;
        const QString op = QString::fromUtf8(fields.at(0));
        run.status.insert(op, QString::fromUtf8(fields.at(1)));
        run.match.insert(op, fields.at(2) == "1");
        run.message.insert(op, QString::fromUtf8(fields.at(3)));
    }
    return run;
}

// The child side: runs the comma-separated operations in order and prints "op\tstatus\tmatch\tmessage" lines.
int runScenario(QCoreApplication &app)
{
    const QStringList args = app.arguments();
    const QStringList ops = args.value(args.indexOf(u"--scenario"_s) + 1).split(u',');
    const int retryMs = args.value(args.indexOf(u"--retry-ms"_s) + 1).toInt();

    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return 2;
    QString secret = QString::fromUtf8(in.readLine());
    secret.chop(1);

    SecretStore store(&app);
    store.setRetryDelay(std::chrono::milliseconds(retryMs));
    QTextStream out(stdout);

    std::function<void(qsizetype)> next = [&](qsizetype index) {
        if (index == ops.size()) {
            out << "done\n";
            out.flush();
            app.quit();
            return;
        }
        const QString op = ops.at(index);
        auto report = [&, op, index](const SecretResult &result) {
            const bool match = !result.secret.isEmpty() && result.secret == secret;
            out << op << '\t' << SecretStore::statusName(result.status) << '\t' << (match ? 1 : 0) << '\t'
                << result.message << '\n';
            out.flush();
            next(index + 1);
        };
        if (op == u"avail")
            store.checkAvailability(&app, report);
        else if (op == u"write")
            store.write(u"anthropic"_s, secret, &app, report);
        else if (op == u"read")
            store.read(u"anthropic"_s, &app, report);
        else if (op == u"read-other")
            store.read(u"e2b"_s, &app, report);
        else if (op == u"remove")
            store.remove(u"anthropic"_s, &app, report);
    };
    QMetaObject::invokeMethod(
        &app, [&] { next(0); }, Qt::QueuedConnection);
    const int rc = QCoreApplication::exec();
    in.readAll(); // hold the secret until the parent has looked at /proc
    return rc;
}

} // namespace

#define REQUIRE_TEST_SESSION()                                                                               \
    do {                                                                                                     \
        if (qEnvironmentVariableIsEmpty("SPAWNAI_TEST_SESSION"))                                             \
            QSKIP("needs scripts/test-session.sh (a throw-away keyring); never touches your own keyring");   \
    } while (false)

class TestSecretStore final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void providerNames();
    void invalidProviderRejected();
    void roundTrip_data();
    void roundTrip();
    void providersAreIndependent();
    void callbackSkippedWhenContextGone();

    void unavailable_data();
    void unavailable();
    void lateStartRetried();
    void lockedWithoutKeyring();
    void lockedWithExistingKey();

private:
    QStringList m_secrets; // every secret a test used: none may show in the log
};

void TestSecretStore::initTestCase()
{
    QLoggingCategory::setFilterRules(u"spawnai.secrets.debug=true"_s);
    g_previousHandler = qInstallMessageHandler(captureMessage);
}

void TestSecretStore::cleanup()
{
    for (const QString &secret : std::as_const(m_secrets)) {
        for (const QString &line : std::as_const(g_log))
            QVERIFY2(!leaks(line, secret), "a secret reached the log");
    }
    m_secrets.clear();
}

void TestSecretStore::providerNames()
{
    const QStringList expected{u"anthropic"_s,    u"e2b"_s,   u"fly"_s,    u"runpod"_s,
                               u"digitalocean"_s, u"modal"_s, u"replit"_s, u"nhost"_s};
    QCOMPARE(SecretStore::providers(), expected);
    for (const QString &provider : expected)
        QVERIFY(SecretStore::isValidProvider(provider));
    for (const QString &bad : {u""_s, u"Anthropic"_s, u"openai"_s, u"canary"_s, u"../anthropic"_s,
                               u"anthropic/default"_s, u"anthropic "_s})
        QVERIFY2(!SecretStore::isValidProvider(bad), qPrintable(bad));
}

void TestSecretStore::invalidProviderRejected()
{
    SecretStore store(this);
    const QString secret = testSecret();
    m_secrets.append(secret);

    // A key typed where the provider belongs must not be echoed back.
    const Awaited read = await([&](const QObject *c, auto done) { store.read(secret, c, done); });
    QCOMPARE(status(read), u"failed"_s);
    QVERIFY(!read.synchronous);
    QVERIFY(!leaks(read.result.message, secret));
    QVERIFY(read.result.message.contains(u"anthropic"_s)); // lists the valid names

    const Awaited write =
        await([&](const QObject *c, auto done) { store.write(u"openai"_s, secret, c, done); });
    QCOMPARE(status(write), u"failed"_s);
    QVERIFY(!write.synchronous);
    QVERIFY(!leaks(write.result.message, secret));

    const Awaited remove = await([&](const QObject *c, auto done) { store.remove(u"Anthropic"_s, c, done); });
    QCOMPARE(status(remove), u"failed"_s);
}

void TestSecretStore::roundTrip_data()
{
    QTest::addColumn<QString>("secret");
    QTest::addColumn<QString>("replacement");
    QTest::newRow("ascii") << testSecret().left(30) << u"sk-ant-TEST-second-"_s + randomHex(8);
    QTest::newRow("unicode") << testSecret() << u"Ключ 🔑 鍵 ™ "_s + randomHex(8);
    QString big;
    while (big.size() < 4096)
        big += u"sk-ant-TEST-" + randomHex(16) + u"-Ωμέγα-ключ-"; // no surrogate pair for left() to split
    QTest::newRow("4 KB") << big.left(4096) << big.right(4000) + randomHex(8);
}

void TestSecretStore::roundTrip()
{
    REQUIRE_TEST_SESSION();
    QFETCH(QString, secret);
    QFETCH(QString, replacement);
    m_secrets << secret << replacement;
    SecretStore store(this);
    const QString provider = u"anthropic"_s;

    const Awaited available = await([&](const QObject *c, auto done) { store.checkAvailability(c, done); });
    QCOMPARE(status(available), u"ok"_s);
    QVERIFY(available.result.message.isEmpty());

    QCOMPARE(status(await([&](const QObject *c, auto done) { store.write(provider, secret, c, done); })),
             u"ok"_s);
    Awaited read = await([&](const QObject *c, auto done) { store.read(provider, c, done); });
    QCOMPARE(status(read), u"ok"_s);
    QVERIFY(!read.synchronous);
    QVERIFY(read.result.secret == secret); // not QCOMPARE: a failure must not print the secret
    QCOMPARE(read.result.provider, provider);

    QCOMPARE(status(await([&](const QObject *c, auto done) { store.write(provider, replacement, c, done); })),
             u"ok"_s);
    read = await([&](const QObject *c, auto done) { store.read(provider, c, done); });
    QCOMPARE(status(read), u"ok"_s);
    QVERIFY(read.result.secret == replacement);

    QCOMPARE(status(await([&](const QObject *c, auto done) { store.remove(provider, c, done); })), u"ok"_s);
    read = await([&](const QObject *c, auto done) { store.read(provider, c, done); });
    QCOMPARE(status(read), u"not-found"_s);
    QVERIFY(read.result.secret.isEmpty());
    QVERIFY(!read.result.message.isEmpty());
    // Removing what is not there is not an error.
    QCOMPARE(status(await([&](const QObject *c, auto done) { store.remove(provider, c, done); })), u"ok"_s);

    // A fresh store has no proof the keyring works: its "not found" goes through the canary, and still holds.
    SecretStore fresh(this);
    const qsizetype logged = g_log.size();
    QCOMPARE(status(await([&](const QObject *c, auto done) { fresh.read(provider, c, done); })),
             u"not-found"_s);
    QVERIFY(g_log.mid(logged).join(u'\n').contains(u"canary -> ok"_s));

    // Nothing on disk outside the keyring (the session keeps the keyring's own files elsewhere).
    for (const auto location : {QStandardPaths::GenericConfigLocation, QStandardPaths::GenericDataLocation,
                                QStandardPaths::GenericCacheLocation}) {
        const QString dir = QStandardPaths::writableLocation(location);
        QVERIFY2(filesContaining(dir, secret).isEmpty(), qPrintable(dir));
        QVERIFY2(filesContaining(dir, replacement).isEmpty(), qPrintable(dir));
    }
    QCOMPARE(processesExposing(secret), QStringList());
}

void TestSecretStore::providersAreIndependent()
{
    REQUIRE_TEST_SESSION();
    SecretStore store(this);
    QMap<QString, QString> secrets;
    for (const QString &provider : SecretStore::providers()) {
        secrets.insert(provider, testSecret());
        m_secrets.append(secrets.value(provider));
        QCOMPARE(status(await([&](const QObject *c, auto done) {
                     store.write(provider, secrets[provider], c, done);
                 })),
                 u"ok"_s);
    }
    for (const QString &provider : SecretStore::providers()) {
        const Awaited read = await([&](const QObject *c, auto done) { store.read(provider, c, done); });
        QCOMPARE(status(read), u"ok"_s);
        QVERIFY2(read.result.secret == secrets.value(provider), qPrintable(provider));
    }
    QCOMPARE(status(await([&](const QObject *c, auto done) { store.remove(u"fly"_s, c, done); })), u"ok"_s);
    QCOMPARE(status(await([&](const QObject *c, auto done) { store.read(u"fly"_s, c, done); })),
             u"not-found"_s);
    for (const QString &provider : SecretStore::providers()) {
        if (provider == u"fly")
            continue;
        const Awaited read = await([&](const QObject *c, auto done) { store.read(provider, c, done); });
        QCOMPARE(status(read), u"ok"_s);
        QVERIFY2(read.result.secret == secrets.value(provider), qPrintable(provider));
        QCOMPARE(status(await([&](const QObject *c, auto done) { store.remove(provider, c, done); })),
                 u"ok"_s);
    }
}

void TestSecretStore::callbackSkippedWhenContextGone()
{
    REQUIRE_TEST_SESSION();
    SecretStore store(this);
    int calls = 0;
    auto *context = new QObject;
    store.read(u"anthropic"_s, context, [&](const SecretResult &) { ++calls; });
    store.checkAvailability(context, [&](const SecretResult &) { ++calls; });
    delete context;
    // QtKeychain runs jobs one after another: once this later one is answered, the earlier ones were too.
    QCOMPARE(status(await([&](const QObject *c, auto done) { store.read(u"e2b"_s, c, done); })),
             u"not-found"_s);
    QTest::qWait(50);
    QCOMPARE(calls, 0);
}

void TestSecretStore::unavailable_data()
{
    QTest::addColumn<BusSetup>("setup");
    QTest::newRow("bus without a secret service") << BusSetup::PrivateBus;
    QTest::newRow("nothing listens at the address") << BusSetup::NothingListens;
    QTest::newRow("no session bus at all") << BusSetup::NoBusAtAll;
}

void TestSecretStore::unavailable()
{
    QFETCH(BusSetup, setup);
    PrivateBus bus;
    QTemporaryDir nowhere;
    std::optional<QString> address;
    switch (setup) {
    case BusSetup::PrivateBus:
        QVERIFY(bus.start());
        QVERIFY(!bus.hasSecretService());
        address = bus.address();
        break;
    case BusSetup::NothingListens:
        address = u"unix:path="_s + nowhere.filePath(u"no-bus-here"_s);
        break;
    case BusSetup::NoBusAtAll:
        break;
    }
    const QString secret = testSecret();
    m_secrets.append(secret);

    const ChildRun run = runChild(u"avail,write,read,read-other,remove"_s, address, secret, 100);
    QCOMPARE(run.exitStatus, QProcess::NormalExit);
    QCOMPARE(run.exitCode, 0);
    for (const QString &op : {u"avail"_s, u"write"_s, u"read"_s, u"read-other"_s, u"remove"_s}) {
        QCOMPARE(run.status.value(op), u"unavailable"_s);
        QVERIFY2(run.message.value(op).contains(u"gnome-keyring"_s), qPrintable(run.message.value(op)));
    }
    QCOMPARE(run.filesWithSecret, QStringList());
    QCOMPARE(run.exposingProcesses, QStringList());
    QVERIFY(!leaks(run.stdOut, secret));
    QVERIFY(!leaks(run.stdErr, secret));
}

void TestSecretStore::lateStartRetried()
{
    PrivateBus bus;
    QVERIFY(bus.start());
    Keyring keyring;
    bool started = false;
    const QString secret = testSecret();
    m_secrets.append(secret);

    // The keyring comes up only once the child has failed once and announced its retry.
    const ChildRun run =
        runChild(u"avail,write,read,remove"_s, bus.address(), secret, 3000, [&](const QByteArray &stdErr) {
            if (!started && stdErr.contains("retrying in")) {
                started = true;
                keyring.start(bus.address(), true);
            }
        });
    QVERIFY(started);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.status.value(u"avail"_s), u"ok"_s);
    QCOMPARE(run.status.value(u"write"_s), u"ok"_s);
    QCOMPARE(run.status.value(u"read"_s), u"ok"_s);
    QVERIFY(run.match.value(u"read"_s));
    QCOMPARE(run.status.value(u"remove"_s), u"ok"_s);
    QCOMPARE(run.exposingProcesses, QStringList());
    QVERIFY(!leaks(run.stdOut, secret));
    QVERIFY(!leaks(run.stdErr, secret));
}

void TestSecretStore::lockedWithoutKeyring()
{
    // gnome-keyring answers, but without --unlock and with a fresh data home there is no login keyring, and
    // no prompter can create one. Observed: writes fail with OtherError "Object does not exist at path
    // …/collection/login", reads answer EntryNotFound, deletes answer NoError.
    PrivateBus bus;
    QVERIFY(bus.start());
    Keyring keyring;
    keyring.start(bus.address(), false);
    QVERIFY(QTest::qWaitFor([&] { return bus.hasSecretService(); }, 10'000));
    const QString secret = testSecret();
    m_secrets.append(secret);

    const ChildRun run = runChild(u"read,read-other,remove,avail,write"_s, bus.address(), secret, 100);
    QCOMPARE(run.exitCode, 0);
    for (const QString &op : {u"read"_s, u"read-other"_s, u"remove"_s, u"avail"_s, u"write"_s}) {
        QCOMPARE(run.status.value(op), u"locked"_s); // above all: a read is not "not-found"
        QVERIFY2(run.message.value(op).contains(u"locked"_s), qPrintable(run.message.value(op)));
    }
    QCOMPARE(run.filesWithSecret, QStringList());
    QCOMPARE(run.exposingProcesses, QStringList());
    QVERIFY(!leaks(run.stdErr, secret));
}

void TestSecretStore::lockedWithExistingKey()
{
    // The desktop case: the key is stored, then the login keyring gets locked. Observed: reading the stored
    // key answers EntryNotFound (the unlock prompt cannot be shown), writing answers AccessDenied.
    PrivateBus bus;
    QVERIFY(bus.start());
    Keyring keyring;
    keyring.start(bus.address(), true);
    QVERIFY(QTest::qWaitFor([&] { return bus.hasSecretService(); }, 10'000));
    const QString secret = testSecret();
    m_secrets.append(secret);

    const ChildRun seeded = runChild(u"write,read"_s, bus.address(), secret, 100);
    QCOMPARE(seeded.status.value(u"write"_s), u"ok"_s);
    QVERIFY(seeded.match.value(u"read"_s));

    QDBusMessage lock =
        QDBusMessage::createMethodCall(u"org.freedesktop.secrets"_s, u"/org/freedesktop/secrets"_s,
                                       u"org.freedesktop.Secret.Service"_s, u"Lock"_s);
    lock << QVariant::fromValue(
        QList<QDBusObjectPath>{QDBusObjectPath(u"/org/freedesktop/secrets/collection/login"_s)});
    const QDBusMessage locked = bus.connection().call(lock, QDBus::Block, 10'000);
    QCOMPARE(locked.type(), QDBusMessage::ReplyMessage);

    const ChildRun run = runChild(u"read,remove,avail,write"_s, bus.address(), secret, 100);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.status.value(u"read"_s), u"locked"_s);
    QVERIFY(!run.match.value(u"read"_s));
    for (const QString &op : {u"remove"_s, u"avail"_s, u"write"_s})
        QCOMPARE(run.status.value(op), u"locked"_s);
    QVERIFY(run.message.value(u"read"_s).contains(u"Unlock"_s));
    QCOMPARE(run.filesWithSecret, QStringList());
    QCOMPARE(seeded.filesWithSecret, QStringList());
    QCOMPARE(run.exposingProcesses, QStringList());
    QCOMPARE(seeded.exposingProcesses, QStringList());
    QVERIFY(!leaks(seeded.stdErr, secret) && !leaks(run.stdErr, secret));
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (app.arguments().contains(u"--scenario"_s))
        return runScenario(app);
    TestSecretStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_secretstore.moc"
