// Tests the spawnai-sandbox helper as a black box: started the way SpawnAI starts it (listening
// socket as fd 3, empty-ish environment) but without bubblewrap, and spoken to over 127.0.0.1.

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr auto kPython = "/usr/bin/python3"_L1;

// ---- Sockets ------------------------------------------------------------------------------------

class Fd final
{
public:
    Fd() = default;
    explicit Fd(int fd)
        : m_fd(fd)
    {}
    Fd(Fd &&other) noexcept
        : m_fd(std::exchange(other.m_fd, -1))
    {}
    Fd &operator=(Fd &&other) noexcept
    {
        std::swap(m_fd, other.m_fd);
        return *this;
    }
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }

private:
    int m_fd = -1;
};

sockaddr_in loopbackAddress(quint16 port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

quint16 localPort(int fd)
{
    sockaddr_in address{};
    socklen_t size = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &size);
    return ntohs(address.sin_port);
}

// What SpawnAI creates in the host namespace: a listener on 127.0.0.1 (here on a free port).
Fd listenOnLoopback()
{
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const sockaddr_in address = loopbackAddress(0);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0 ||
        ::listen(fd.get(), 128) != 0)
        return {};
    return fd;
}

// A port nobody listens on right now, for the app behind the relay.
quint16 freeLoopbackPort()
{
    const Fd probe = listenOnLoopback();
    return probe.valid() ? localPort(probe.get()) : 0;
}

Fd connectToPort(quint16 port)
{
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const timeval timeout{10, 0}; // a hung helper fails the test instead of hanging it
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    const sockaddr_in address = loopbackAddress(port);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
        return {};
    return fd;
}

bool sendBytes(int fd, QByteArrayView data)
{
    while (!data.isEmpty()) {
        const ssize_t sent = ::send(fd, data.data(), size_t(data.size()), MSG_NOSIGNAL);
        if (sent <= 0)
            return false;
        data = data.sliced(sent);
    }
    return true;
}

// Everything until the peer closes (or 10 s pass without data).
QByteArray readUntilClosed(int fd)
{
    QByteArray all;
    char chunk[64 * 1024];
    for (;;) {
        const ssize_t received = ::recv(fd, chunk, sizeof chunk, 0);
        if (received <= 0)
            return all;
        all.append(chunk, received);
    }
}

// ---- HTTP -----------------------------------------------------------------------------------------

struct HttpResponse
{
    int status = 0;                       // 0: no parsable response arrived
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;

    QByteArray header(const QByteArray &name) const { return headers.value(name); }
};

// Takes one response off the front of raw (framed by Content-Length); status 0 if incomplete.
HttpResponse takeResponse(QByteArray &raw, bool headRequest = false)
{
    HttpResponse response;
    const qsizetype headEnd = raw.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return response;
    const QList<QByteArray> lines = raw.left(headEnd).split('\n');
    const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
    if (statusLine.size() < 2 || statusLine.first() != "HTTP/1.1")
        return response;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        response.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
    }
    const qsizetype bodyLength = headRequest ? 0 : response.header("content-length").toLongLong();
    if (raw.size() < headEnd + 4 + bodyLength)
        return response;
    response.body = raw.mid(headEnd + 4, bodyLength);
    response.status = statusLine.at(1).toInt();
    raw.remove(0, headEnd + 4 + bodyLength);
    return response;
}

QByteArray requestFor(const QByteArray &target, const QByteArray &method = "GET",
                      const QByteArray &extraHeaders = {})
{
    return method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders +
           "Connection: close\r\n\r\n";
}

// Sends one raw request on a new connection and reads the single response that must follow.
HttpResponse exchange(quint16 port, const QByteArray &request, bool headRequest = false)
{
    const Fd client = connectToPort(port);
    if (!client.valid() || !sendBytes(client.get(), request))
        return {};
    QByteArray raw = readUntilClosed(client.get());
    HttpResponse response = takeResponse(raw, headRequest);
    if (!raw.isEmpty())
        response.status = -1; // trailing bytes: the framing is wrong
    return response;
}

HttpResponse get(quint16 port, const QByteArray &target)
{
    return exchange(port, requestFor(target));
}

// ---- The helper process ------------------------------------------------------------------------

QString helperPath()
{
    return QCoreApplication::applicationDirPath() + u"/spawnai-sandbox"_s;
}

// spawnai-sandbox started as SpawnAI starts it, minus bubblewrap: a listening socket on
// 127.0.0.1 arrives as fd 3, and the environment is as bare as inside the sandbox.
class Helper final
{
public:
    enum class Socket { Pass, Withhold };

    // launcher, if given, is a program (plus arguments) that execs the helper from its trailing
    // arguments, to change what the helper inherits.
    explicit Helper(const QStringList &arguments, Socket socket = Socket::Pass,
                    const QStringList &launcher = {})
    {
        QProcessEnvironment environment;
        environment.insert(u"PATH"_s, u"/usr/bin:/bin"_s);
        environment.insert(u"HOME"_s, QDir::tempPath());
        m_process.setProcessEnvironment(environment);
        const QStringList command = launcher + QStringList{helperPath()} + arguments;
        m_process.setProgram(command.first());
        m_process.setArguments(command.mid(1));

        Fd listener = socket == Socket::Pass ? listenOnLoopback() : Fd();
        if (listener.valid()) {
            m_port = localPort(listener.get());
            const int fd = listener.get();
            m_process.setChildProcessModifier([fd] {
                // dup2() clears close-on-exec on the copy; fd 3 itself needs it cleared by hand.
                if (fd == 3)
                    ::fcntl(fd, F_SETFD, 0);
                else
                    ::dup2(fd, 3);
            });
        }
        m_process.start();
        m_process.waitForStarted();
        // `listener` closes here, as SpawnAI closes its copy after the start.
    }

    ~Helper()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate(); // the relay passes this on to the app
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    Helper(const Helper &) = delete;
    Helper &operator=(const Helper &) = delete;

    quint16 port() const { return m_port; }
    QProcess &process() { return m_process; }

    // Waits until the process wrote `text` to stdout.
    bool waitForOutput(const QByteArray &text, std::chrono::milliseconds timeout = 10s)
    {
        const QDeadlineTimer deadline(timeout);
        while (!m_output.contains(text)) {
            if (deadline.hasExpired() || !m_process.waitForReadyRead(int(deadline.remainingTime())))
                return false;
            m_output += m_process.readAllStandardOutput();
        }
        return true;
    }

    QByteArray output()
    {
        m_output += m_process.readAllStandardOutput();
        return m_output;
    }

    // Peak resident memory, from /proc: shows whether a file was streamed or loaded whole.
    qint64 peakResidentKiB() const
    {
        QFile status(u"/proc/%1/status"_s.arg(m_process.processId()));
        if (!status.open(QIODevice::ReadOnly))
            return -1;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmHWM:"))
                return line.mid(6).trimmed().split(' ').first().toLongLong();
        }
        return -1;
    }

private:
    QProcess m_process;
    QByteArray m_output;
    quint16 m_port = 0;
};

// The relay in front of a Python app started from `script` (which gets APP_PORT as argv[1]).
std::unique_ptr<Helper> startRelayWithPythonApp(quint16 appPort, const QString &script,
                                                const QStringList &scriptArgs = {})
{
    return std::make_unique<Helper>(QStringList{u"relay"_s, QString::number(appPort), u"--"_s, kPython,
                                                u"-c"_s, script, QString::number(appPort)} +
                                    scriptArgs);
}

// An HTTP app that only starts listening after argv[2] seconds, like a slow-starting framework.
constexpr auto kLateHttpApp = R"(
import http.server, sys, time
time.sleep(float(sys.argv[2]))
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = b"hello from app " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
)"_L1;

// Echoes each connection and passes on the client's half-close.
constexpr auto kEchoApp = R"(
import socket, sys, threading, time
time.sleep(float(sys.argv[2]))
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(64)
def echo(connection):
    while data := connection.recv(65536):
        connection.sendall(data)
    connection.shutdown(socket.SHUT_WR)
    connection.close()
while True:
    connection, _ = server.accept()
    threading.Thread(target=echo, args=(connection,), daemon=True).start()
)"_L1;

// Sends payload while reading the echo (both directions at once, so nothing deadlocks), then
// half-closes and reads until the far side closes. Returns everything that came back.
QByteArray echoThrough(quint16 port, const QByteArray &payload)
{
    const Fd client = connectToPort(port);
    if (!client.valid())
        return {};
    ::fcntl(client.get(), F_SETFL, ::fcntl(client.get(), F_GETFL) | O_NONBLOCK);
    QByteArray received;
    qsizetype sent = 0;
    const QDeadlineTimer deadline(30s);
    while (!deadline.hasExpired()) {
        const bool sending = sent < payload.size();
        pollfd entry{client.get(), short(POLLIN | (sending ? POLLOUT : 0)), 0};
        if (::poll(&entry, 1, 100) <= 0)
            continue;
        if (sending && (entry.revents & POLLOUT)) {
            const ssize_t count =
                ::send(client.get(), payload.constData() + sent,
                       size_t(qMin<qsizetype>(payload.size() - sent, 64 * 1024)), MSG_NOSIGNAL);
            if (count > 0 && (sent += count) == payload.size())
                ::shutdown(client.get(), SHUT_WR);
        }
        if (entry.revents & (POLLIN | POLLHUP | POLLERR)) {
            char chunk[64 * 1024];
            const ssize_t count = ::recv(client.get(), chunk, sizeof chunk, 0);
            if (count == 0 || (count < 0 && errno != EAGAIN))
                return received;
            if (count > 0)
                received.append(chunk, count);
        }
    }
    return received;
}

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    std::vector<quint32> words(size_t(size + 3) / 4);
    QRandomGenerator(seed).fillRange(words.data(), qsizetype(words.size()));
    return QByteArray(reinterpret_cast<const char *>(words.data()), size);
}

bool writeFile(const QString &path, const QByteArray &contents)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size();
}

} // namespace

class TestSandboxHelper final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    // static mode
    void servesIndex();
    void servesNestedFilesAndDirectories();
    void decodesPercentEscapes();
    void contentTypes_data();
    void contentTypes();
    void headSendsNoBody();
    void missingFileIs404();
    void otherMethodsAre405_data();
    void otherMethodsAre405();
    void malformedRequestIs400();
    void traversalIsRefused_data();
    void traversalIsRefused();
    void symlinksAreNotFollowed_data();
    void symlinksAreNotFollowed();
    void streamsLargeFile();
    void keepAliveServesPipelinedRequests();
    void servesConcurrentConnections();
    void slowClientDoesNotBlockOthers();
    void oversizedHeadIs431();
    void missingRootFails();

    // relay mode
    void relayWaitsForLateApp();
    void relayEchoesLargePayloadBothWays();
    void relayHandlesConcurrentConnections();
    void relayPropagatesExitStatus_data();
    void relayPropagatesExitStatus();
    void relayExitsEvenIfSigchldIsIgnored();
    void relayReportsExecFailure();
    void relayForwardsSigterm();
    void relayGivesChildACleanProcess();

    // command line
    void badUsageExits2_data();
    void badUsageExits2();
    void helpPrintsUsage();

private:
    QTemporaryDir m_dir;
    QString m_root;
    QByteArray m_secret; // lives outside ROOT; must never be served
    QByteArray m_bigFile;
    std::unique_ptr<Helper> m_static;
};

void TestSandboxHelper::initTestCase()
{
    QVERIFY2(QFileInfo(helperPath()).isExecutable(), qPrintable(helperPath()));
    QVERIFY(QFileInfo(kPython).isExecutable());
    QVERIFY(m_dir.isValid());

    m_root = m_dir.filePath(u"site"_s);
    m_secret = "TOP-SECRET-" + QByteArray::number(QRandomGenerator::global()->generate64());
    m_bigFile = randomBytes(20 * 1024 * 1024, 42);
    const QList<std::pair<QString, QByteArray>> files{
        {u"index.html"_s, "<!DOCTYPE html><title>home</title>INDEX-MARKER\n"},
        {u"sub/index.html"_s, "SUB-INDEX"},
        {u"sub/page.html"_s, "NESTED-PAGE"},
        {u"sub/deeper/data.json"_s, R"({"deep": true})"},
        {u"space name.txt"_s, "SPACE-NAME"},
        {u"big.bin"_s, m_bigFile},
        {u".env"_s, "API_KEY=hidden"},
        {u".well-known/security.txt"_s, "Contact: nobody"},
        {u"odd/index.html/page.html"_s, "INDEX-IS-A-DIRECTORY"},
    };
    for (const auto &[path, contents] : files)
        QVERIFY(writeFile(m_root + u'/' + path, contents));
    for (const char *name :
         {"style.css",  "app.js",     "module.mjs", "data.json",   "image.svg",   "image.png",
          "photo.jpg",  "photo.jpeg", "anim.gif",   "image.webp",  "favicon.ico", "font.woff",
          "font.woff2", "font.ttf",   "notes.txt",  "module.wasm", "sound.mp3",   "movie.mp4",
          "doc.pdf",    "blob.xyz",   "README",     "SHOUT.HTML"})
        QVERIFY(writeFile(m_root + u"/types/"_s + QLatin1StringView(name), "x"));

    QVERIFY(writeFile(m_dir.filePath(u"outside/secret.txt"_s), m_secret));
    QVERIFY(QFile::link(m_dir.filePath(u"outside/secret.txt"_s), m_root + u"/leak.txt"_s)); // absolute
    QVERIFY(QFile::link(u"../outside"_s, m_root + u"/leakdir"_s)); // relative, directory
    QVERIFY(QFile::link(u"index.html"_s, m_root + u"/inner-link.html"_s));

    m_static = std::make_unique<Helper>(QStringList{u"static"_s, m_root});
    QCOMPARE(m_static->process().state(), QProcess::Running);
}

void TestSandboxHelper::cleanupTestCase()
{
    m_static.reset();
}

void TestSandboxHelper::servesIndex()
{
    const HttpResponse response = get(m_static->port(), "/");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.body, "<!DOCTYPE html><title>home</title>INDEX-MARKER\n");
    QCOMPARE(response.header("content-type"), "text/html; charset=utf-8");
    QCOMPARE(response.header("content-length"), QByteArray::number(response.body.size()));
    QCOMPARE(response.header("cache-control"), "no-cache");
    QCOMPARE(get(m_static->port(), "/index.html").body, response.body);
    QCOMPARE(get(m_static->port(), "/?utm=1#top").body, response.body);
}

void TestSandboxHelper::servesNestedFilesAndDirectories()
{
    QCOMPARE(get(m_static->port(), "/sub/page.html").body, "NESTED-PAGE");
    QCOMPARE(get(m_static->port(), "/sub//deeper/data.json").body, R"({"deep": true})");

    const HttpResponse directory = get(m_static->port(), "/sub/");
    QCOMPARE(directory.status, 200);
    QCOMPARE(directory.body, "SUB-INDEX");

    // Without the slash the page's relative links would resolve against "/", so redirect.
    const HttpResponse redirect = get(m_static->port(), "/sub?tab=2");
    QCOMPARE(redirect.status, 302);
    QCOMPARE(redirect.header("location"), "/sub/?tab=2");

    QCOMPARE(get(m_static->port(), "/sub/deeper/").status, 404); // no index.html, no listing
    QCOMPARE(get(m_static->port(), "/sub/page.html/").status, 404);
    QCOMPARE(get(m_static->port(), "/odd/").status, 404); // index.html is a directory: no redirect loop
    QCOMPARE(get(m_static->port(), "/.well-known/security.txt").body, "Contact: nobody");
}

void TestSandboxHelper::decodesPercentEscapes()
{
    QCOMPARE(get(m_static->port(), "/space%20name.txt").body, "SPACE-NAME");
    QCOMPARE(get(m_static->port(), "/%73ub/p%61ge.html").body, "NESTED-PAGE");
}

void TestSandboxHelper::contentTypes_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QByteArray>("contentType");
    const QList<std::pair<const char *, const char *>> expected{
        {"style.css", "text/css; charset=utf-8"},
        {"app.js", "text/javascript; charset=utf-8"},
        {"module.mjs", "text/javascript; charset=utf-8"},
        {"data.json", "application/json"},
        {"image.svg", "image/svg+xml"},
        {"image.png", "image/png"},
        {"photo.jpg", "image/jpeg"},
        {"photo.jpeg", "image/jpeg"},
        {"anim.gif", "image/gif"},
        {"image.webp", "image/webp"},
        {"favicon.ico", "image/x-icon"},
        {"font.woff", "font/woff"},
        {"font.woff2", "font/woff2"},
        {"font.ttf", "font/ttf"},
        {"notes.txt", "text/plain; charset=utf-8"},
        {"module.wasm", "application/wasm"},
        {"sound.mp3", "audio/mpeg"},
        {"movie.mp4", "video/mp4"},
        {"doc.pdf", "application/pdf"},
        {"blob.xyz", "application/octet-stream"},
        {"README", "application/octet-stream"},
        {"SHOUT.HTML", "text/html; charset=utf-8"},
    };
    for (const auto &[file, contentType] : expected)
        QTest::newRow(file) << QByteArray(file) << QByteArray(contentType);
}

void TestSandboxHelper::contentTypes()
{
    QFETCH(QByteArray, file);
    QFETCH(QByteArray, contentType);
    const HttpResponse response = get(m_static->port(), "/types/" + file);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-type"), contentType);
    QCOMPARE(response.header("x-content-type-options"), "nosniff");
}

void TestSandboxHelper::headSendsNoBody()
{
    // exchange() fails the framing if any body bytes follow the head.
    const HttpResponse response = exchange(m_static->port(), requestFor("/sub/page.html", "HEAD"), true);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-length"), "11");
    QCOMPARE(response.header("content-type"), "text/html; charset=utf-8");
    QVERIFY(response.body.isEmpty());

    const HttpResponse missing = exchange(m_static->port(), requestFor("/missing", "HEAD"), true);
    QCOMPARE(missing.status, 404);
}

void TestSandboxHelper::missingFileIs404()
{
    const HttpResponse response = get(m_static->port(), "/no-such-page.html");
    QCOMPARE(response.status, 404);
    QCOMPARE(response.header("content-type"), "text/html; charset=utf-8");
    QVERIFY(response.body.contains("<h1>404 Not Found</h1>"));
    QCOMPARE(get(m_static->port(), "/.env").status, 404); // dot files are not part of the site
}

void TestSandboxHelper::otherMethodsAre405_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("POST with body") << QByteArray(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
    QTest::newRow("PUT") << requestFor("/index.html", "PUT");
    QTest::newRow("DELETE") << requestFor("/index.html", "DELETE");
    QTest::newRow("OPTIONS") << requestFor("/", "OPTIONS");
}

void TestSandboxHelper::otherMethodsAre405()
{
    QFETCH(QByteArray, request);
    const HttpResponse response = exchange(m_static->port(), request);
    QCOMPARE(response.status, 405);
    QCOMPARE(response.header("allow"), "GET, HEAD");
}

void TestSandboxHelper::malformedRequestIs400()
{
    QCOMPARE(exchange(m_static->port(), "GARBAGE\r\n\r\n").status, 400);
    QCOMPARE(exchange(m_static->port(), "GET / HTTP/2.0\r\n\r\n").status, 400);
    QCOMPARE(exchange(m_static->port(), "GET / HTTP/1.1\r\nBad Header\r\n\r\n").status, 400);
}

void TestSandboxHelper::traversalIsRefused_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::newRow("raw dot-dot") << QByteArray("/../../etc/passwd") << 400;
    QTest::newRow("raw dot-dot to sibling") << QByteArray("/sub/../../outside/secret.txt") << 400;
    QTest::newRow("encoded dot-dot") << QByteArray("/%2e%2e/%2e%2e/etc/passwd") << 400;
    QTest::newRow("encoded dot-dot upper") << QByteArray("/%2E%2E/outside/secret.txt") << 400;
    QTest::newRow("encoded dot-dot and slash") << QByteArray("/%2e%2e%2f%2e%2e%2fetc%2fpasswd") << 400;
    QTest::newRow("encoded slash") << QByteArray("/..%2f..%2foutside%2fsecret.txt") << 400;
    QTest::newRow("encoded slash inside root") << QByteArray("/sub%2fpage.html") << 400;
    QTest::newRow("NUL") << QByteArray("/index.html%00.png") << 400;
    QTest::newRow("dot") << QByteArray("/./index.html") << 400;
    QTest::newRow("bad escape") << QByteArray("/%zz") << 400;
    QTest::newRow("truncated escape") << QByteArray("/index.html%2") << 400;
    QTest::newRow("relative target") << QByteArray("etc/passwd") << 400;
    QTest::newRow("absolute-form") << QByteArray("http://127.0.0.1/etc/passwd") << 400;
    QTest::newRow("double slash") << QByteArray("//outside/secret.txt") << 404; // stays inside ROOT
    QTest::newRow("absolute path") << QByteArray("/etc/passwd") << 404;
}

void TestSandboxHelper::traversalIsRefused()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    const HttpResponse response = get(m_static->port(), target);
    QCOMPARE(response.status, status);
    QVERIFY(!response.body.contains(m_secret));
    QVERIFY(!response.body.contains("root:"));
}

void TestSandboxHelper::symlinksAreNotFollowed_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::newRow("file link out of ROOT") << QByteArray("/leak.txt");
    QTest::newRow("directory link out of ROOT") << QByteArray("/leakdir/secret.txt");
    // Strict by design: no symlink is followed, not even one that stays inside ROOT.
    QTest::newRow("link inside ROOT") << QByteArray("/inner-link.html");
}

void TestSandboxHelper::symlinksAreNotFollowed()
{
    QFETCH(QByteArray, target);
    const HttpResponse response = get(m_static->port(), target);
    QCOMPARE(response.status, 404);
    QVERIFY(!response.body.contains(m_secret));
}

void TestSandboxHelper::streamsLargeFile()
{
    const HttpResponse response = get(m_static->port(), "/big.bin");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-type"), "application/octet-stream");
    QCOMPARE(response.header("content-length"), QByteArray::number(m_bigFile.size()));
    QVERIFY(response.body == m_bigFile); // QCOMPARE would print 20 MB on failure
    // Streamed, not loaded: the helper never held anything near the file's size.
    const qint64 peakKiB = m_static->peakResidentKiB();
    QVERIFY2(peakKiB > 0 && peakKiB < 12 * 1024, qPrintable(u"peak RSS %1 KiB"_s.arg(peakKiB)));
}

void TestSandboxHelper::keepAliveServesPipelinedRequests()
{
    const Fd client = connectToPort(m_static->port());
    QVERIFY(client.valid());
    QVERIFY(sendBytes(client.get(),
                      "GET /sub/page.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                      "HEAD /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                      "GET /space%20name.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
    QByteArray raw = readUntilClosed(client.get());
    const HttpResponse first = takeResponse(raw);
    const HttpResponse second = takeResponse(raw, true);
    const HttpResponse third = takeResponse(raw);
    QCOMPARE(first.status, 200);
    QCOMPARE(first.body, "NESTED-PAGE");
    QCOMPARE(first.header("connection"), "keep-alive");
    QCOMPARE(second.status, 200);
    QCOMPARE(third.body, "SPACE-NAME");
    QCOMPARE(third.header("connection"), "close");
    QVERIFY(raw.isEmpty());
}

void TestSandboxHelper::servesConcurrentConnections()
{
    // Open 20 connections with half-sent requests, then finish them last-first: a server that
    // handled one connection at a time would still be waiting on the first.
    constexpr int kClients = 20;
    std::vector<Fd> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(connectToPort(m_static->port()));
        QVERIFY(clients.back().valid());
        QVERIFY(sendBytes(clients.back().get(), "GET /sub/page.html HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    }
    for (int i = kClients - 1; i >= 0; --i) {
        QVERIFY(sendBytes(clients[i].get(), "Connection: close\r\n\r\n"));
        QByteArray raw = readUntilClosed(clients[i].get());
        const HttpResponse response = takeResponse(raw);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, "NESTED-PAGE");
    }
}

void TestSandboxHelper::slowClientDoesNotBlockOthers()
{
    const Fd slow = connectToPort(m_static->port());
    QVERIFY(sendBytes(slow.get(), "GET /sub/page.html HTTP/1.1\r\nHo"));

    QElapsedTimer timer;
    timer.start();
    QCOMPARE(get(m_static->port(), "/").status, 200);
    QVERIFY2(timer.elapsed() < 2000, qPrintable(u"took %1 ms"_s.arg(timer.elapsed())));

    // The slow client is still served once it finishes, a byte at a time.
    for (const char c : QByteArray("st: 127.0.0.1\r\nConnection: close\r\n\r\n")) {
        QVERIFY(sendBytes(slow.get(), QByteArrayView(&c, 1)));
        QTest::qWait(5);
    }
    QByteArray raw = readUntilClosed(slow.get());
    QCOMPARE(takeResponse(raw).body, "NESTED-PAGE");
}

void TestSandboxHelper::oversizedHeadIs431()
{
    const QByteArray big(20 * 1024, 'a');
    QCOMPARE(exchange(m_static->port(), requestFor("/", "GET", "X-Big: " + big + "\r\n")).status, 431);
    // A head that never ends is cut off at the limit, not after the timeout.
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(exchange(m_static->port(), "GET / HTTP/1.1\r\nX-Endless: " + big).status, 431);
    QVERIFY(timer.elapsed() < 5000);
    // Just under the limit is fine.
    const QByteArray large(15 * 1024, 'b');
    QCOMPARE(exchange(m_static->port(), requestFor("/", "GET", "X-Large: " + large + "\r\n")).status, 200);
}

void TestSandboxHelper::missingRootFails()
{
    Helper helper({u"static"_s, m_dir.filePath(u"no-such-dir"_s)});
    QVERIFY(helper.process().waitForFinished(5000));
    QCOMPARE(helper.process().exitCode(), 1);
    QVERIFY(helper.process().readAllStandardError().startsWith("spawnai-sandbox: cannot serve"));
}

void TestSandboxHelper::relayWaitsForLateApp()
{
    const quint16 appPort = freeLoopbackPort();
    const auto relay = startRelayWithPythonApp(appPort, kLateHttpApp, {u"0.5"_s});
    QElapsedTimer timer;
    timer.start();
    // Sent at once: the app is not listening yet, and the relay must hold the request.
    const HttpResponse response = get(relay->port(), "/hello");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.body, "hello from app /hello");
    QVERIFY2(timer.elapsed() >= 400, "the app was up before the request; the test proves nothing");
}

void TestSandboxHelper::relayEchoesLargePayloadBothWays()
{
    const quint16 appPort = freeLoopbackPort();
    const auto relay = startRelayWithPythonApp(appPort, kEchoApp, {u"0.2"_s});
    const QByteArray payload = randomBytes(1024 * 1024, 7);
    const QByteArray echoed = echoThrough(relay->port(), payload);
    QCOMPARE(echoed.size(), payload.size());
    QVERIFY(echoed == payload);
}

void TestSandboxHelper::relayHandlesConcurrentConnections()
{
    const quint16 appPort = freeLoopbackPort();
    const auto relay = startRelayWithPythonApp(appPort, kEchoApp, {u"0"_s});
    constexpr int kClients = 20;
    std::vector<Fd> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(connectToPort(relay->port()));
        QVERIFY(clients.back().valid());
        QVERIFY(sendBytes(clients.back().get(), QByteArray("message " + QByteArray::number(i))));
    }
    // Answered last-first, all connections must be open at once.
    for (int i = kClients - 1; i >= 0; --i) {
        ::shutdown(clients[i].get(), SHUT_WR);
        QCOMPARE(readUntilClosed(clients[i].get()), "message " + QByteArray::number(i));
    }
}

void TestSandboxHelper::relayPropagatesExitStatus_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("exit 0") << u"exit 0"_s << 0;
    QTest::newRow("exit 7") << u"exit 7"_s << 7;
    QTest::newRow("SIGKILL") << u"kill -KILL $$"_s << 128 + 9;
    QTest::newRow("SIGTERM") << u"kill -TERM $$"_s << 128 + 15;
}

void TestSandboxHelper::relayPropagatesExitStatus()
{
    QFETCH(QString, script);
    QFETCH(int, exitCode);
    Helper relay({u"relay"_s, u"8000"_s, u"--"_s, u"sh"_s, u"-c"_s, script});
    QVERIFY(relay.process().waitForFinished(10000));
    QCOMPARE(relay.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(relay.process().exitCode(), exitCode);
}

void TestSandboxHelper::relayExitsEvenIfSigchldIsIgnored()
{
    // SIG_IGN survives exec; left alone it would make the kernel reap the app behind our back.
    const auto ignoreSigchld = R"(
import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])
)"_L1;
    Helper relay({u"relay"_s, u"8000"_s, u"--"_s, u"sh"_s, u"-c"_s, u"sleep 0.2; exit 5"_s},
                 Helper::Socket::Pass, {kPython, u"-c"_s, ignoreSigchld});
    QVERIFY(relay.process().waitForFinished(10000));
    QCOMPARE(relay.process().exitCode(), 5);
}

void TestSandboxHelper::relayReportsExecFailure()
{
    Helper relay({u"relay"_s, u"8000"_s, u"--"_s, u"pyhton3-no-such-program"_s, u"app.py"_s});
    QVERIFY(relay.process().waitForFinished(10000));
    QCOMPARE(relay.process().exitCode(), 127);
    QCOMPARE(relay.process().readAllStandardError(),
             "spawnai-sandbox: cannot run \"pyhton3-no-such-program\": No such file or directory\n");
}

void TestSandboxHelper::relayForwardsSigterm()
{
    const auto script = R"(
import os, signal, sys, time
def on_term(*args):
    os.write(1, b"child got SIGTERM\n")  # print() here could re-enter the flush of "ready"
    sys.exit(3)
signal.signal(signal.SIGTERM, on_term)
print("ready", flush=True)
# Short sleeps: Python runs a handler between bytecodes, so a signal landing just before a long sleep
# starts would wait for its end.
for _ in range(300):
    time.sleep(0.1)
)"_L1;
    Helper relay({u"relay"_s, u"8000"_s, u"--"_s, kPython, u"-c"_s, script});
    QVERIFY(relay.waitForOutput("ready"));
    relay.process().terminate();
    QVERIFY(relay.process().waitForFinished(5000));
    QCOMPARE(relay.process().exitCode(), 3); // only the child's handler exits with 3
    QVERIFY(relay.output().contains("child got SIGTERM"));
}

void TestSandboxHelper::relayGivesChildACleanProcess()
{
    // fd 3 must not leak into the app (it would keep the port open after we exit).
    const auto fdScript = R"(
import os
try:
    os.fstat(3)
    print("fd 3 open")
except OSError:
    print("fd 3 closed")
)"_L1;
    Helper fdCheck({u"relay"_s, u"8000"_s, u"--"_s, kPython, u"-c"_s, fdScript});
    QVERIFY(fdCheck.process().waitForFinished(10000));
    QCOMPARE(fdCheck.output().trimmed(), "fd 3 closed");

    // The helper blocks and ignores signals for itself; the app must start with neither.
    Helper signalCheck({u"relay"_s, u"8000"_s, u"--"_s, u"cat"_s, u"/proc/self/status"_s});
    QVERIFY(signalCheck.process().waitForFinished(10000));
    const QByteArray status = signalCheck.output();
    QVERIFY2(status.contains("\nSigBlk:\t0000000000000000\n"), status.constData());
    QVERIFY2(status.contains("\nSigIgn:\t0000000000000000\n"), status.constData());
}

void TestSandboxHelper::badUsageExits2_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("passSocket");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("no arguments") << QStringList{} << true << QByteArray("missing mode");
    QTest::newRow("unknown mode") << QStringList{u"serve"_s} << true << QByteArray("unknown mode \"serve\"");
    QTest::newRow("static without root")
        << QStringList{u"static"_s} << true << QByteArray("static mode takes");
    QTest::newRow("relay without --")
        << QStringList{u"relay"_s, u"8000"_s, u"sh"_s} << true << QByteArray("relay mode takes");
    QTest::newRow("relay without command")
        << QStringList{u"relay"_s, u"8000"_s, u"--"_s} << true << QByteArray("relay mode takes");
    QTest::newRow("relay bad port") << QStringList{u"relay"_s, u"80x"_s, u"--"_s, u"sh"_s} << true
                                    << QByteArray("invalid APP_PORT \"80x\"");
    QTest::newRow("relay port 0") << QStringList{u"relay"_s, u"0"_s, u"--"_s, u"sh"_s} << true
                                  << QByteArray("invalid APP_PORT");
    QTest::newRow("no fd 3") << QStringList{u"static"_s, u"/tmp"_s} << false
                             << QByteArray("fd 3 is not a listening socket");
}

void TestSandboxHelper::badUsageExits2()
{
    QFETCH(QStringList, arguments);
    QFETCH(bool, passSocket);
    QFETCH(QByteArray, message);
    Helper helper(arguments, passSocket ? Helper::Socket::Pass : Helper::Socket::Withhold);
    QVERIFY(helper.process().waitForFinished(5000));
    QCOMPARE(helper.process().exitCode(), 2);
    const QByteArray error = helper.process().readAllStandardError();
    QVERIFY2(error.startsWith(QByteArray("spawnai-sandbox: " + message)), error.constData());
}

void TestSandboxHelper::helpPrintsUsage()
{
    Helper helper({u"--help"_s}, Helper::Socket::Withhold);
    QVERIFY(helper.process().waitForFinished(5000));
    QCOMPARE(helper.process().exitCode(), 0);
    const QByteArray usage = helper.process().readAllStandardOutput();
    QVERIFY(usage.startsWith("Usage: spawnai-sandbox static ROOT\n"));
    QVERIFY(usage.contains("relay APP_PORT -- CMD [ARGS...]"));
}

QTEST_GUILESS_MAIN(TestSandboxHelper)
#include "tst_sandboxhelper.moc"
