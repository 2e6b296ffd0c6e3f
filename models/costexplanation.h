#pragma once

#include "ledgerentry.h"
#include "session.h"

#include <QDateTime>
#include <QList>
#include <QString>

// "How is this computed?" for one session: the rate and where it comes from, the seconds billed and the
// sum, the generation cost, and the session's ledger lines. Rich text (HTML) for a QTextBrowser; every figure
// is worked out the same way the meter and the ledger do it, never typed in.
namespace CostExplanation {

QString html(const Session &session, const QString &providerName, const QList<LedgerEntry> &ledger,
             const QDateTime &now);

} // namespace CostExplanation
