#pragma once

#include "appbundle.h"
#include "result.h"
#include "session.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

struct SessionEvent
{
    qint64 seq = 0;
    QString sessionId;
    QDateTime at; // UTC
    QString kind; // "created", "transition", "extended", "stop-requested", "note", ...
    SessionState from = SessionState::Draft;
    SessionState to = SessionState::Draft;
    QString detail;
};

struct PromptEntry
{
    qint64 id = 0;
    QDateTime at;
    QString text;
    QString sessionId;
};

// SQLite store in the app-data directory, shared by every SpawnAI process of the user (GUI and CLI).
// WAL, synchronous=FULL, user_version migrations in one transaction. Events and revisions are append-only.
// One Store per thread; every write is one transaction, committed before the method returns.
class Store final
{
public:
    static constexpr int kSchemaVersion = 1;

    // Opens (creating or migrating) the database at `path`. A schema newer than this build is refused.
    static Result<std::unique_ptr<Store>> open(const QString &path);
    ~Store();
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    QString path() const;
    QString installId() const; // random, created with the database, tags every remote resource

    // --- sessions
    // Inserts a new session and its "created" event.
    Result<void> insertSession(const Session &session);
    // Moves `session` to `to` (checked against the stored state with the state machine), writes its other
    // fields and appends a transition event, in one transaction. On success `session.state == to`.
    Result<void> transition(Session &session, SessionState to, const QString &detail = {});
    // Writes the fields of a session without changing its state (url, resource id, expiry, ...).
    // stopRequested is only ever set (by requestStop), never cleared by an update or a transition, so a stale
    // copy cannot erase another process's request; transition() hands the stored flag back in `session`.
    Result<void> updateSession(const Session &session);
    Result<void> appendEvent(const QString &sessionId, const QString &kind, const QString &detail);
    Result<Session> session(const QString &id) const;
    Result<QList<Session>> sessions() const;       // newest first
    Result<QList<Session>> activeSessions() const; // states that may hold a provider resource
    // A full id from a unique prefix (as `spawnai stop 3f2a` takes it).
    Result<QString> resolveSessionId(const QString &idOrPrefix) const;
    Result<QList<SessionEvent>> events(const QString &sessionId) const;
    // What changed since event `afterSeq`, as any process wrote it: the sessions with newer events, and the
    // newest event's seq (pass it next time). A window polls this to follow sessions the CLI runs.
    struct Changes
    {
        qint64 lastSeq = 0;
        QStringList sessionIds;
    };
    Result<Changes> changesSince(qint64 afterSeq) const;
    Result<qint64> lastEventSeq() const; // where to start following changes

    // Another process asks the session's owner to stop it.
    Result<void> requestStop(const QString &sessionId);
    Result<QStringList> stopRequests(const QString &owner) const;
    // Removes an ended or failed session from history (events stay).
    Result<void> removeSession(const QString &sessionId);

    // --- code revisions: immutable, content-addressed (SHA-256), verified on load
    // Saving a bundle that is already stored returns its id and keeps the parent and prompt it was first
    // saved with.
    Result<QString> saveRevision(const AppBundle &bundle, const QString &parentId = {},
                                 const QString &prompt = {});
    Result<AppBundle> revision(const QString &revisionId) const;

    // --- prompt history
    Result<void> addPrompt(const QString &text, const QString &sessionId = {});
    Result<QList<PromptEntry>> prompts(int limit = 100) const;

private:
    struct Private;
    explicit Store(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};
