#include "sessionrow.h"

#include "storelogging.h"
#include "storesqlite.h"

#include <QSqlQuery>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace SessionRow {

namespace {

// clang-format off
enum Column {
    ColName, ColProvider, ColSize, ColFailure, ColFailureMessage, ColTtl, ColCreated, ColStarted, ColExpires,
    ColEnded, ColUrl, ColResource, ColRevision, ColRate, ColUnsandboxed, ColOwner, ColGenerationCost,
    ColRateHow, ColRateSource, ColRateAsOf, ColStopRequested, ColState, ColId, ColumnCount
};

// The column names, in Column order.
constexpr const char *kColumns[ColumnCount] = {
    "name", "provider", "size", "failure", "failure_message", "ttl_seconds", "created_at", "started_at",
    "expires_at", "ended_at", "url", "resource_id", "revision_id", "rate_per_second", "unsandboxed", "owner",
    "generation_cost_usd", "rate_how", "rate_source", "rate_as_of", "stop_requested", "state", "id"};
// clang-format on

QString joinedColumns(int count, const char *format)
{
    QStringList parts;
    for (int i = 0; i < count; ++i)
        parts << QString::fromLatin1(format).arg(QLatin1StringView(kColumns[i]));
    return parts.join(u", ");
}

// Fields up to ColStopRequested, then (transition only) state, then id.
const QString kUpdateFields =
    joinedColumns(ColStopRequested, "%1 = ?") + u", stop_requested = max(stop_requested, ?)"_s;

} // namespace

const QString kSelect = u"SELECT "_s + joinedColumns(ColumnCount, "%1") + u" FROM sessions"_s;
const QString kNewestFirst = u" ORDER BY created_at DESC, rowid DESC"_s;
const QString kInsert = u"INSERT INTO sessions ("_s + joinedColumns(ColumnCount, "%1") + u") VALUES ("_s +
                        QStringList(ColumnCount, u"?"_s).join(u", ") + u")"_s;
const QString kUpdate = u"UPDATE sessions SET "_s + kUpdateFields + u" WHERE id = ?"_s;
const QString kTransition = u"UPDATE sessions SET "_s + kUpdateFields + u", state = ? WHERE id = ?"_s;

// In Column order up to and including ColStopRequested.
QVariantList fields(const Session &s)
{
    using StoreSqlite::textValue;
    using StoreSqlite::timeValue;
    return {textValue(s.name),
            textValue(s.provider),
            textValue(s.size),
            int(s.failure),
            textValue(s.failureMessage),
            s.ttlSeconds,
            timeValue(s.createdAt),
            timeValue(s.startedAt),
            timeValue(s.expiresAt),
            timeValue(s.endedAt),
            textValue(s.url.toString(QUrl::FullyEncoded)),
            textValue(s.resourceId),
            textValue(s.revisionId),
            s.ratePerSecond,
            int(s.unsandboxed),
            textValue(s.owner),
            s.generationCostUsd,
            textValue(s.rateBasis.how),
            textValue(s.rateBasis.source),
            textValue(s.rateBasis.asOf),
            int(s.stopRequested)};
}

Session toSession(const QSqlQuery &q)
{
    using StoreSqlite::timeFrom;
    Session s;
    s.id = q.value(ColId).toString();
    s.name = q.value(ColName).toString();
    s.provider = q.value(ColProvider).toString();
    s.size = q.value(ColSize).toString();
    const int state = q.value(ColState).toInt();
    if (const auto known = SessionStates::fromInt(state)) {
        s.state = *known;
    } else {
        // Only a damaged row gets here: a schema that adds states is a newer schema, refused at open.
        qCWarning(lcStore, "session %ls has unknown state %d; shown as failed", qUtf16Printable(s.id), state);
        s.state = SessionState::Failed;
    }
    s.failure = FailureReasons::fromInt(q.value(ColFailure).toInt()).value_or(FailureReason::StorageError);
    s.failureMessage = q.value(ColFailureMessage).toString();
    s.ttlSeconds = q.value(ColTtl).toLongLong();
    s.createdAt = timeFrom(q.value(ColCreated));
    s.startedAt = timeFrom(q.value(ColStarted));
    s.expiresAt = timeFrom(q.value(ColExpires));
    s.endedAt = timeFrom(q.value(ColEnded));
    const QVariant url = q.value(ColUrl);
    if (!url.isNull())
        s.url = QUrl(url.toString(), QUrl::StrictMode);
    s.resourceId = q.value(ColResource).toString();
    s.revisionId = q.value(ColRevision).toString();
    s.ratePerSecond = q.value(ColRate).toDouble();
    s.unsandboxed = q.value(ColUnsandboxed).toInt() != 0;
    s.owner = q.value(ColOwner).toString();
    s.generationCostUsd = q.value(ColGenerationCost).toDouble();
    s.rateBasis = {q.value(ColRateHow).toString(), q.value(ColRateSource).toString(),
                   q.value(ColRateAsOf).toString()};
    s.stopRequested = q.value(ColStopRequested).toInt() != 0;
    return s;
}

} // namespace SessionRow
