#pragma once

#include "appbundle.h"
#include "generation.h"
#include "ledgerentry.h"
#include "pricingcatalogue.h"
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

// One code revision as the history shows it: what it is, where it came from, and what generating it cost.
struct RevisionInfo
{
    QString id;
    QString parentId; // empty for the first revision of an app
    QDateTime createdAt;
    QString title;   // from its manifest
    QString runtime; // "static" | "python" | "node"
    QString prompt;  // the prompt it was saved with, else the first generation's; empty for a hand edit
    int fileCount = 0;
    qint64 bytes = 0; // the files' sizes, the manifest not counted
    // Filled when a generation produced it: the sums over every generation that returned this exact
    // content (each was paid for), and the model of the first one. Otherwise 0, empty.
    double generationCostUsd = 0;
    TokenUsage usage;
    QString model;

    bool isGenerated() const { return !model.isEmpty(); }
};

// SQLite store in the app-data directory, shared by every SpawnAI process of the user (GUI and CLI).
// WAL, synchronous=FULL, user_version migrations in one transaction. Events, revisions and generations are
// append-only.
// One Store per thread; every write is one transaction, committed before the method returns.
class Store final
{
public:
    static constexpr int kSchemaVersion = 3;

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
    // Inserts several sessions in one transaction (one disk sync), each with its "created" event and an event
    // `kind` with `detail` (reconciliation showing what it found).
    Result<void> insertSessions(const QList<Session> &sessions, const QString &kind, const QString &detail);
    // Moves `session` to `to` (checked against the stored state with the state machine), writes its other
    // fields and appends a transition event, in one transaction. On success `session.state == to`.
    // Ending a session that ran (Ended, Failed with a start time) also writes its Runtime ledger line in the
    // same transaction, so no crash can separate a finished session from what it cost.
    Result<void> transition(Session &session, SessionState to, const QString &detail = {});
    // Writes the fields of a session without changing its state (url, resource id, expiry, ...).
    // stopRequested is only ever set (by requestStop), never cleared by an update or a transition, so a stale
    // copy cannot erase another process's request; transition() hands the stored flag back in `session`.
    Result<void> updateSession(const Session &session);
    Result<void> appendEvent(const QString &sessionId, const QString &kind, const QString &detail);
    // Writes `session` (its expiry and lifetime already moved by `seconds`), an event `eventKind` with
    // `detail` and an Extension ledger line of `seconds` and `quotedUsd`, in one transaction. Negative
    // figures take back an extension the provider refused.
    Result<void> recordExtension(const Session &session, qint64 seconds, double quotedUsd,
                                 const QString &eventKind, const QString &detail);
    Result<Session> session(const QString &id) const;
    Result<QList<Session>> sessions() const;                       // newest first
    Result<QList<Session>> sessions(const QStringList &ids) const; // those of `ids` that exist, any order
    Result<QList<Session>> activeSessions() const;                 // states that may hold a provider resource
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
    // The chain from `revisionId` back through its parents, newest first, at most `limit` long. An unknown
    // id is an error; a revision without parent ends the chain.
    Result<QList<RevisionInfo>> revisionHistory(const QString &revisionId, int limit = 200) const;

    // --- generations: every request to Claude, successful or not, append-only
    // Records `generation` and sets its id (and createdAt, to now, if unset). Its revision ids must be saved
    // revisions (save the files sent along and the files returned first), so the record can never point at
    // code that is not there; token counts and the cost must not be negative.
    Result<qint64> addGeneration(Generation &generation);
    // The generations that produced this revision (usually one; more when the same code came back again),
    // oldest first.
    Result<QList<Generation>> generationsFor(const QString &revisionId) const;
    // Newest first (by createdAt, then by insertion), failed ones included.
    Result<QList<Generation>> recentGenerations(int limit) const;

    // --- cost ledger: append-only. Generation lines are written by addGeneration, Runtime lines when a
    // session ends (transition), Extension lines by recordExtension; appendLedger is for anything else.
    Result<qint64> appendLedger(LedgerEntry &entry);
    // The lines that spent or committed money in [from, to): a Runtime line when its run overlaps it, any
    // other when it was recorded in it. Oldest first.
    Result<QList<LedgerEntry>> ledger(const QDateTime &from, const QDateTime &to) const;
    Result<QList<LedgerEntry>> ledgerFor(const QString &sessionId) const; // in the order recorded

    // --- prompt history
    Result<void> addPrompt(const QString &text, const QString &sessionId = {});
    Result<QList<PromptEntry>> prompts(int limit = 100) const;

private:
    struct Private;
    explicit Store(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};
