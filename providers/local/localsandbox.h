#pragma once

#include "listeningsocket.h"
#include "result.h"
#include "sandboxcommand.h"

#include <QObject>
#include <QProcess>
#include <QString>

// One launched local app: the bwrap (or opted-out helper) process, its log and its port.
class LocalSandbox final : public QObject
{
    Q_OBJECT
public:
    LocalSandbox(const QString &sessionId, const QString &logPath, QObject *parent = nullptr);
    ~LocalSandbox() override;

    // Starts `command` with `socket` as fd 3, stdout+stderr appended to the log, an empty environment plus
    // the command's own, rlimits, its own session and death with SpawnAI. SpawnAI keeps its copy of the
    // socket while the sandbox runs and closes it when the sandbox ends, so the port closes with the app.
    Result<void> start(const LaunchCommand &command, ListeningSocket socket, const QString &workingDir);
    void kill();
    // Hands the listening socket to a successor (a redeploy in place): the port stays open across the switch,
    // requests wait in the backlog until the new app accepts them.
    ListeningSocket takeSocket();

    QString sessionId() const { return m_sessionId; }
    QString logPath() const { return m_logPath; }
    qint64 pid() const;
    bool isRunning() const;
    bool wasKilled() const { return m_killed; } // SpawnAI stopped it, as opposed to the app exiting
    // The last lines the app wrote, for error messages.
    QString logTail(int maxLines = 15) const;

    static QString describeExit(int exitCode, QProcess::ExitStatus status);

signals:
    void exited(int exitCode, QProcess::ExitStatus status);

private:
    void appendToLog(const QString &line) const;

    QString m_sessionId;
    QString m_logPath;
    QProcess *m_process = nullptr;
    ListeningSocket m_socket;
    bool m_killed = false;
};
