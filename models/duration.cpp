#include "duration.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <algorithm>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

// Nothing SpawnAI runs lives this long; it also keeps every sum far from overflowing.
constexpr qint64 kMaxSeconds = 366LL * 24 * 3600;
constexpr int kMaxWholeDigits = 9;
constexpr int kMaxDecimals = 6;

QString tr(const char *text)
{
    return QCoreApplication::translate("Duration", text);
}

QString accepted()
{
    return tr("Write a lifetime with units, such as 2h, 90m, 45s, 1h30m, 1.5h or 2h 15m.");
}

struct Unit
{
    qint64 seconds;
    int rank; // hours 0, minutes 1, seconds 2: parts must come in this order
};

std::optional<Unit> unitFor(const QString &name)
{
    static const QStringList hours = {u"h"_s, u"hr"_s, u"hrs"_s, u"hour"_s, u"hours"_s};
    static const QStringList minutes = {u"m"_s, u"min"_s, u"mins"_s, u"minute"_s, u"minutes"_s};
    static const QStringList seconds = {u"s"_s, u"sec"_s, u"secs"_s, u"second"_s, u"seconds"_s};
    const QString lower = name.toLower();
    if (hours.contains(lower))
        return Unit{3600, 0};
    if (minutes.contains(lower))
        return Unit{60, 1};
    if (seconds.contains(lower))
        return Unit{1, 2};
    return std::nullopt;
}

qint64 powerOfTen(qsizetype exponent)
{
    qint64 value = 1;
    for (qsizetype i = 0; i < exponent; ++i)
        value *= 10;
    return value;
}

} // namespace

Result<qint64> parseDuration(const QString &text)
{
    const QString input = text.trimmed();
    if (input.isEmpty())
        return Error{tr("No lifetime given. %1").arg(accepted())};
    if (input.startsWith(u'-'))
        return Error{tr("“%1” is negative; a lifetime must be longer than zero. %2").arg(input, accepted())};

    // One part: a number (digits, optionally with decimals) and a unit, spaces allowed around both.
    static const QRegularExpression part(u"\\s*([0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)\\s*([A-Za-z]*)"_s);
    qint64 total = 0;
    int lastRank = -1;
    qsizetype pos = 0;
    while (pos < input.size()) {
        const QRegularExpressionMatch match = part.match(input, pos, QRegularExpression::NormalMatch,
                                                         QRegularExpression::AnchorAtOffsetMatchOption);
        if (!match.hasMatch())
            return Error{tr("“%1” is not a lifetime: “%2” is not understood. %3")
                             .arg(input, input.mid(pos).trimmed(), accepted())};
        const QString number = match.captured(1);
        const QString unitText = match.captured(2);
        if (unitText.isEmpty()) {
            if (pos == 0 && match.capturedEnd() == input.size() && number.toDouble() == 0)
                return Error{
                    tr("“%1” is zero; a lifetime must be longer than zero. %2").arg(input, accepted())};
            if (pos == 0 && match.capturedEnd() == input.size())
                return Error{tr("“%1” has no unit: write %1m for minutes, %1s for seconds or %1h for hours.")
                                 .arg(input)};
            return Error{tr("“%1” has a number without a unit (%2). %3").arg(input, number, accepted())};
        }
        const std::optional<Unit> unit = unitFor(unitText);
        if (!unit)
            return Error{
                tr("“%1” is not a unit of time. Use h (hours), m (minutes) or s (seconds), as in 1h30m.")
                    .arg(unitText)};
        if (unit->rank <= lastRank)
            return Error{
                tr("“%1”: give hours, then minutes, then seconds, each at most once, as in 1h30m15s.")
                    .arg(input)};
        lastRank = unit->rank;

        // Exact integer arithmetic: whole × unit + fraction × unit / 10^decimals, which must be whole
        // seconds.
        const qsizetype dot = number.indexOf(u'.');
        const QString whole = dot < 0 ? number : number.left(dot);
        const QString decimals = dot < 0 ? QString() : number.mid(dot + 1);
        if (whole.size() > kMaxWholeDigits)
            return Error{tr("“%1” is too long: lifetimes go up to 366 days.").arg(input)};
        if (decimals.size() > kMaxDecimals)
            return Error{tr("“%1” has too many decimals; round it to whole seconds.").arg(input)};
        const qint64 scale = powerOfTen(decimals.size());
        const qint64 fraction = decimals.isEmpty() ? 0 : decimals.toLongLong() * unit->seconds;
        if (fraction % scale != 0)
            return Error{
                tr("“%1” is not a whole number of seconds; write it in whole seconds, such as 1m30s.")
                    .arg(input)};
        total += (whole.isEmpty() ? 0 : whole.toLongLong()) * unit->seconds + fraction / scale;
        if (total > kMaxSeconds)
            return Error{tr("“%1” is too long: lifetimes go up to 366 days.").arg(input)};
        pos = match.capturedEnd();
    }
    if (total == 0)
        return Error{tr("“%1” is zero; a lifetime must be longer than zero. %2").arg(input, accepted())};
    return total;
}

QString formatCountdown(qint64 seconds)
{
    const qint64 left = std::max<qint64>(0, seconds);
    const qint64 hours = left / 3600;
    const qint64 minutes = left / 60 % 60;
    const qint64 secs = left % 60;
    if (hours > 0)
        return u"%1:%2:%3"_s.arg(hours).arg(minutes, 2, 10, QChar(u'0')).arg(secs, 2, 10, QChar(u'0'));
    return u"%1:%2"_s.arg(minutes).arg(secs, 2, 10, QChar(u'0'));
}

QString formatDuration(qint64 seconds)
{
    const qint64 total = std::max<qint64>(0, seconds);
    const qint64 hours = total / 3600;
    const qint64 minutes = total / 60 % 60;
    const qint64 secs = total % 60;
    QStringList parts;
    if (hours > 0)
        parts << tr("%1 h").arg(hours);
    if (minutes > 0)
        parts << tr("%1 min").arg(minutes);
    if (secs > 0 || parts.isEmpty())
        parts << tr("%1 s").arg(secs);
    return parts.join(u' ');
}

Result<qint64> checkLifetime(qint64 seconds, qint64 maxSeconds, const QString &providerName)
{
    if (seconds <= 0)
        return Error{tr("A lifetime must be longer than zero. %1").arg(accepted())};
    if (maxSeconds > 0 && seconds > maxSeconds)
        return Error{tr("%1 can run at most %2; choose a shorter --ttl.")
                         .arg(providerName, formatDuration(maxSeconds))};
    return seconds;
}
