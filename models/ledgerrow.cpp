#include "ledgerrow.h"

#include "storesqlite.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace LedgerRow {

namespace {

const QString kColumns = u"at, kind, session_id, generation_id, provider, size, started_at, seconds, "
                         "rate_per_second, usd, quoted_usd, rate_how, rate_source, rate_as_of, detail"_s;

} // namespace

const QString kSelect = u"SELECT id, "_s + kColumns + u" FROM ledger"_s;
const QString kInsert =
    u"INSERT INTO ledger ("_s + kColumns + u") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s;

QVariantList values(const LedgerEntry &e)
{
    using StoreSqlite::textValue;
    using StoreSqlite::timeValue;
    return {timeValue(e.at),
            LedgerKinds::name(e.kind),
            textValue(e.sessionId),
            e.generationId > 0 ? QVariant(e.generationId) : QVariant(),
            e.provider.isNull() ? u""_s : e.provider,
            textValue(e.size),
            timeValue(e.startedAt),
            e.seconds,
            e.ratePerSecond,
            e.usd,
            e.quotedUsd,
            textValue(e.basis.how),
            textValue(e.basis.source),
            textValue(e.basis.asOf),
            textValue(e.detail)};
}

LedgerEntry toEntry(const QSqlQuery &q)
{
    using StoreSqlite::timeFrom;
    LedgerEntry e;
    e.id = q.value(0).toLongLong();
    e.at = timeFrom(q.value(1));
    // Kinds are append-only in the code; an unknown one is a newer schema, refused at open.
    e.kind = LedgerKinds::fromName(q.value(2).toString()).value_or(LedgerEntry::Kind::Generation);
    e.sessionId = q.value(3).toString();
    e.generationId = q.value(4).toLongLong();
    e.provider = q.value(5).toString();
    e.size = q.value(6).toString();
    e.startedAt = timeFrom(q.value(7));
    e.seconds = q.value(8).toLongLong();
    e.ratePerSecond = q.value(9).toDouble();
    e.usd = q.value(10).toDouble();
    e.quotedUsd = q.value(11).toDouble();
    e.basis = {q.value(12).toString(), q.value(13).toString(), q.value(14).toString()};
    e.detail = q.value(15).toString();
    return e;
}

} // namespace LedgerRow
