#include "sessionfeed.h"

#include "sessioncontroller.h"
#include "store.h"

using namespace std::chrono_literals;

SessionFeed::SessionFeed(Store &store, SessionController &controller, QObject *parent)
    : QObject(parent)
    , m_store(store)
{
    connect(&controller, &SessionController::sessionChanged, this, &SessionFeed::changed);
    m_poll.setInterval(1s);
    connect(&m_poll, &QTimer::timeout, this, &SessionFeed::poll);
}

Result<QList<Session>> SessionFeed::start()
{
    // The seq first: a change made while the list loads is then seen twice rather than missed.
    auto last = m_store.lastEventSeq();
    if (!last)
        return Error{last.error()};
    m_lastSeq = *last;
    auto sessions = m_store.sessions();
    if (sessions)
        m_poll.start();
    return sessions;
}

void SessionFeed::poll()
{
    auto changes = m_store.changesSince(m_lastSeq);
    if (!changes)
        return; // the store said why in its log; the next poll tries again
    m_lastSeq = changes->lastSeq;
    for (const QString &id : std::as_const(changes->sessionIds)) {
        auto session = m_store.session(id);
        if (session)
            emit changed(*session);
        else
            emit removed(id);
    }
}
