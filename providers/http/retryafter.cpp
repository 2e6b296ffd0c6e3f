#include "retryafter.h"

#include <QString>

#include <algorithm>
#include <cmath>

namespace RetryAfter {

qint64 parseMs(QByteArrayView retryAfterMsHeader, QByteArrayView retryAfterHeader, const QDateTime &now,
               qint64 capMs)
{
    const auto clamp = [capMs](double ms) { return qint64(std::ceil(std::min(ms, double(capMs)))); };
    bool ok = false;
    const QByteArray ms = retryAfterMsHeader.toByteArray().trimmed();
    if (!ms.isEmpty()) {
        const double value = ms.toDouble(&ok);
        if (ok && std::isfinite(value) && value >= 0)
            return clamp(value);
    }
    QByteArray text = retryAfterHeader.toByteArray().trimmed();
    if (text.isEmpty())
        return -1;
    const double seconds = text.toDouble(&ok);
    if (ok)
        return std::isfinite(seconds) && seconds >= 0 ? clamp(seconds * 1000.0) : -1;
    // An HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"): Qt's RFC 2822 parser wants a numeric zone.
    if (text.endsWith(" GMT") || text.endsWith(" UTC"))
        text = text.chopped(4) + " +0000";
    const QDateTime when = QDateTime::fromString(QString::fromLatin1(text), Qt::RFC2822Date);
    if (!when.isValid())
        return -1;
    return clamp(double(std::max<qint64>(0, now.msecsTo(when))));
}

} // namespace RetryAfter
