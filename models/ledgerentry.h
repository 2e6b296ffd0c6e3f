#pragma once

#include "ratebasis.h"

#include <QDateTime>
#include <QString>

#include <optional>

// One line of the cost ledger: money spent (a generation, a session's runtime) or committed (an extension),
// with the rate it was worked out at. The ledger is append-only: a correction is a new line.
struct LedgerEntry
{
    enum class Kind {
        Generation, // a request to Claude: usd is what its tokens cost
        Runtime,    // a session's billed run, written when it ends: seconds from startedAt at ratePerSecond
        Extension,  // time added to a running session: seconds added and quotedUsd, spent only as it runs
                    // (its Runtime line counts it); a refused extension is a line with negative figures
    };

    qint64 id = 0; // assigned by the store
    QDateTime at;  // UTC: when it was recorded (a Runtime line: when the session ended)
    Kind kind = Kind::Generation;
    QString sessionId; // empty for a generation
    qint64 generationId = 0;
    QString provider;    // provider key; "claude" for a generation
    QString size;        // provider size key; the model id for a generation
    QDateTime startedAt; // Runtime: the first billed second
    qint64 seconds = 0;  // Runtime: billed seconds; Extension: seconds added
    double ratePerSecond = 0;
    double usd = 0;       // spent: counts towards totals and budgets
    double quotedUsd = 0; // Extension: what the added time costs if it all runs
    RateBasis basis;
    QString detail; // for people: tokens of a generation, why a line was written

    // Runtime: the end of the billed run.
    QDateTime endedAt() const { return startedAt.addSecs(seconds); }
};

namespace LedgerKinds {
QString name(LedgerEntry::Kind kind); // "generation", "runtime", "extension": as stored and exported
std::optional<LedgerEntry::Kind> fromName(const QString &name);
} // namespace LedgerKinds
