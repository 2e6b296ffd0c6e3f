#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

class QLocalServer;
class QLocalSocket;

// One SpawnAI window per user and data directory: the first GUI listens on a local socket, a second launch
// finds it there, asks it to come forward and leaves. The socket lives in $XDG_RUNTIME_DIR (private to the
// user) and its name carries the uid and a hash of the data directory, so two users, or two test runs with
// their own XDG_DATA_HOME, never meet.
class SingleInstance final : public QObject
{
    Q_OBJECT
public:
    explicit SingleInstance(QObject *parent = nullptr); // scoped to Paths::dataDir()
    // scope: any string naming the instance's world (a data directory); tests pass their own.
    explicit SingleInstance(const QString &scope, QObject *parent = nullptr);
    ~SingleInstance() override;

    // True: this is the first instance and now listens (or the socket could not be set up at all, which is
    // logged: SpawnAI then runs rather than refusing to start). False: another instance answered and was
    // asked to come forward; this one should exit. Blocks for at most a couple of seconds, before any
    // window exists. A socket file left by a crashed instance is removed and taken over.
    bool claim();

    QString serverName() const { return m_name; } // the socket's full path

signals:
    // In the first instance: another launch asked for the window.
    void activationRequested();

private:
    bool activateRunning() const; // true when a running instance acknowledged the request
    bool listen();
    void onNewConnection();
    void onReadyRead(QLocalSocket *socket);

    QString m_name;
    QPointer<QLocalServer> m_server;
};
