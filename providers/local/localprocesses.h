#pragma once

#include <QList>
#include <QString>

// Finds the processes of local sessions in /proc: bwrap names its session's run folder (runDir/<session
// id>/app) on its command line; an opted-out helper runs inside that folder.
namespace LocalProcesses {

struct Entry
{
    qint64 pid = 0;
    QString sessionId;
};

QList<Entry> find(const QString &runDir);
QList<qint64> pidsOfSession(const QString &runDir, const QString &sessionId);
// SIGKILLs every process of the session; true when none is left within `timeoutMs`.
bool killSession(const QString &runDir, const QString &sessionId, int timeoutMs = 3000);

} // namespace LocalProcesses
