#include "singleinstance.h"

#include "paths.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLockFile>
#include <QLoggingCategory>
#include <QTimer>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
Q_LOGGING_CATEGORY(lcInstance, "spawnai.app.instance")

constexpr QByteArrayView kActivate = "activate\n";
constexpr QByteArrayView kAcknowledge = "ok\n";
constexpr int kConnectTimeoutMs = 1000;
constexpr int kAcknowledgeTimeoutMs = 2000;
constexpr int kLockTimeoutMs = 3000;
constexpr qint64 kMaxLine = 256;
// sockaddr_un::sun_path holds 108 bytes; a longer path cannot be listened on.
constexpr qsizetype kMaxSocketPath = 100;

QString socketPath(const QString &scope)
{
    // A hash keeps the name short and free of the scope's characters; the uid keeps users apart even in a
    // shared temporary directory.
    const QString hash = QString::fromLatin1(
        QCryptographicHash::hash(scope.toUtf8(), QCryptographicHash::Sha256).toHex().left(16));
    const QString name = u"spawnai-%1-%2.sock"_s.arg(::getuid()).arg(hash);
    // XDG_RUNTIME_DIR is private to the user (0700). QStandardPaths::RuntimeLocation would do too, but it
    // warns and creates a directory when the variable is unset; here the temporary directory is enough.
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty() && QFileInfo(runtime).isDir()) {
        const QString path = QDir(runtime).filePath(name);
        if (path.size() <= kMaxSocketPath)
            return path;
    }
    return QDir(QDir::tempPath()).filePath(name);
}
} // namespace

SingleInstance::SingleInstance(QObject *parent)
    : SingleInstance(Paths::dataDir(), parent)
{}

SingleInstance::SingleInstance(const QString &scope, QObject *parent)
    : QObject(parent)
    , m_name(socketPath(scope))
{}

SingleInstance::~SingleInstance() = default; // the server, a child, removes its socket file as it closes

bool SingleInstance::claim()
{
    if (m_server)
        return true;
    // Two launches racing each other could both find nobody listening, and the second would then take the
    // name over from the first. The lock orders them; QLockFile itself recovers from a holder that died.
    QLockFile lock(m_name + u".lock"_s);
    if (!lock.tryLock(kLockTimeoutMs))
        qCWarning(lcInstance) << "could not lock" << lock.error() << "- checking for another instance anyway";

    if (activateRunning())
        return false;
    if (listen())
        return true;
    if (activateRunning()) // listen failed: perhaps one started meanwhile (only possible without the lock)
        return false;
    qCWarning(lcInstance) << "cannot listen on" << m_name << "- running without single-instance checks";
    return true;
}

bool SingleInstance::activateRunning() const
{
    QLocalSocket socket;
    socket.connectToServer(m_name);
    if (!socket.waitForConnected(kConnectTimeoutMs))
        return false; // nobody there, or only a socket file left by a crash
    socket.write(kActivate.data(), kActivate.size());
    // Wait for the answer, so the request has arrived before this process exits.
    if (socket.waitForBytesWritten(kAcknowledgeTimeoutMs) && socket.waitForReadyRead(kAcknowledgeTimeoutMs) &&
        socket.readLine(kMaxLine) == kAcknowledge) {
        qCInfo(lcInstance) << "another SpawnAI runs: asked it to come forward";
    } else {
        // It accepted the connection, so it is alive, only busy: still not our turn to run.
        qCWarning(lcInstance) << "another SpawnAI runs but did not answer:" << socket.errorString();
    }
    return true;
}

bool SingleInstance::listen()
{
    // Nobody answered on the name (activateRunning failed), so a file there is a crashed instance's socket.
    // Qt would replace it anyway: with an access option it binds in a private directory and renames the
    // socket over the name, live owner or not. That is why claim() looks first, under the lock.
    if (QFileInfo::exists(m_name)) {
        qCInfo(lcInstance) << "removing a stale socket" << m_name;
        QLocalServer::removeServer(m_name);
    }
    auto *server = new QLocalServer(this);
    server->setSocketOptions(QLocalServer::UserAccessOption); // user-only, even in /tmp
    const bool listening = server->listen(m_name);
    if (!listening) {
        qCWarning(lcInstance) << "listen on" << m_name << "failed:" << server->errorString();
        delete server;
        return false;
    }
    connect(server, &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
    m_server = server;
    return true;
}

void SingleInstance::onNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        // A client that connects and says nothing must not be kept forever.
        QTimer::singleShot(5s, socket, &QObject::deleteLater);
    }
}

void SingleInstance::onReadyRead(QLocalSocket *socket)
{
    if (!socket->canReadLine()) {
        if (socket->bytesAvailable() > kMaxLine)
            socket->abort();
        return;
    }
    const QByteArray line = socket->readLine(kMaxLine);
    if (line == kActivate) {
        socket->write(kAcknowledge.data(), kAcknowledge.size());
        socket->flush();
        qCInfo(lcInstance) << "another launch asked this SpawnAI to come forward";
        emit activationRequested();
    } else {
        qCWarning(lcInstance) << "ignoring an unknown request on" << m_name;
    }
    socket->disconnectFromServer();
}
