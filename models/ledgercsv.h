#pragma once

#include "ledgerentry.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

// The cost ledger as CSV for spreadsheets and scripts (`spawnai cost --csv`): RFC 4180, UTF-8 without a BOM,
// CRLF line ends, a header row, one record per line in the order given. Times are ISO 8601 UTC
// ("2026-11-29T10:00:00Z", empty when unknown); amounts keep 12 significant digits, so a rate of
// $0.00003025/s stays exact.
namespace LedgerCsv {

// "id", "at", "kind", "session", ...: the header row, also the keys of `spawnai cost --json`'s lines.
const QStringList &columns();
QByteArray write(const QList<LedgerEntry> &lines);

} // namespace LedgerCsv
