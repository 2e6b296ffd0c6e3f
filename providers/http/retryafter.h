#pragma once

#include <QByteArrayView>
#include <QDateTime>

namespace RetryAfter {

// How long the server asked to wait: retry-after-ms (milliseconds, may be fractional), else Retry-After
// (seconds, or an HTTP-date relative to `now`), capped at capMs; -1 when neither is present and valid.
qint64 parseMs(QByteArrayView retryAfterMsHeader, QByteArrayView retryAfterHeader, const QDateTime &now,
               qint64 capMs);

} // namespace RetryAfter
