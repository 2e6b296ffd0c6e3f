#include "ledgercsv.h"

#include <algorithm>
#include <iterator>

using namespace Qt::StringLiterals;

namespace LedgerCsv {

namespace {

QString time(const QDateTime &at)
{
    return at.isValid() ? at.toUTC().toString(Qt::ISODate) : QString();
}

QString amount(double value)
{
    return QString::number(value, 'g', 12);
}

// Text that came from outside (a provider's size key, a rate's source, a detail) could start a formula: a
// spreadsheet opening the file runs "=HYPERLINK(…)" or "@SUM(…)" in a cell (CSV injection). A leading quote
// makes it text. Tab and CR start formulas too in some spreadsheets (OWASP lists them). Numbers SpawnAI
// writes itself are not guarded: they cannot hold a formula, and "'-0.1" would no longer be a number.
QString text(const QString &value)
{
    static constexpr QChar kFormulaStarts[] = {u'=', u'+', u'-', u'@', u'\t', u'\r'};
    if (!value.isEmpty() && std::find(std::begin(kFormulaStarts), std::end(kFormulaStarts), value.front()) !=
                                std::end(kFormulaStarts))
        return u'\'' + value;
    return value;
}

// RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
QString field(const QString &value)
{
    if (!value.contains(u',') && !value.contains(u'"') && !value.contains(u'\r') && !value.contains(u'\n'))
        return value;
    QString quoted = value;
    quoted.replace(u'"', u"\"\""_s);
    return u'"' + quoted + u'"';
}

void appendRecord(QByteArray &out, const QStringList &fields)
{
    QString record;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            record += u',';
        record += field(fields.at(i));
    }
    out += record.toUtf8();
    out += "\r\n";
}

} // namespace

const QStringList &columns()
{
    static const QStringList names = {
        u"id"_s,         u"at"_s,         u"kind"_s,        u"session"_s,         u"provider"_s,
        u"size"_s,       u"started_at"_s, u"seconds"_s,     u"rate_per_second"_s, u"usd"_s,
        u"quoted_usd"_s, u"rate"_s,       u"rate_source"_s, u"rate_as_of"_s,      u"detail"_s,
    };
    return names;
}

QByteArray write(const QList<LedgerEntry> &lines)
{
    QByteArray out;
    appendRecord(out, columns());
    for (const LedgerEntry &line : lines) {
        appendRecord(out, {
                              QString::number(line.id),
                              time(line.at),
                              LedgerKinds::name(line.kind),
                              text(line.sessionId),
                              text(line.provider),
                              text(line.size),
                              time(line.startedAt),
                              QString::number(line.seconds),
                              amount(line.ratePerSecond),
                              amount(line.usd),
                              amount(line.quotedUsd),
                              text(line.basis.how),
                              text(line.basis.source),
                              text(line.basis.asOf),
                              text(line.detail),
                          });
    }
    return out;
}

} // namespace LedgerCsv
