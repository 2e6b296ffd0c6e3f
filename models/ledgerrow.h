#pragma once

#include "ledgerentry.h"

#include <QString>
#include <QVariantList>

class QSqlQuery;

// A LedgerEntry as a row of the ledger table: one column list, written and read by position.
namespace LedgerRow {

// SELECT of every column FROM ledger; read each row with toEntry().
extern const QString kSelect;
// Binds values().
extern const QString kInsert;

// Every column but the id, in kInsert's order.
QVariantList values(const LedgerEntry &entry);
LedgerEntry toEntry(const QSqlQuery &query);

} // namespace LedgerRow
