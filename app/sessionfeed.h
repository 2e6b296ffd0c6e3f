#pragma once

#include "result.h"
#include "session.h"

#include <QObject>
#include <QTimer>

class SessionController;
class Store;

// Every change to any session, whichever SpawnAI process made it: this process's controller reports its own
// at once; the store's event log (polled once a second) brings those of other processes, such as a `spawnai
// deploy` in a terminal.
class SessionFeed final : public QObject
{
    Q_OBJECT
public:
    SessionFeed(Store &store, SessionController &controller, QObject *parent = nullptr);

    // All sessions, newest first, and the point from which changes are followed.
    Result<QList<Session>> start();
    void poll();

signals:
    void changed(const Session &session);
    void removed(const QString &sessionId);

private:
    Store &m_store;
    QTimer m_poll;
    qint64 m_lastSeq = 0;
};
