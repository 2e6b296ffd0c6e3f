#include "costexplanation.h"

#include "costmeter.h"
#include "duration.h"

#include <QCoreApplication>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("CostExplanation", text);
}

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

// A per-second rate as written, never in exponent form: "$0.00003025".
QString perSecond(double usd)
{
    QString text = QString::number(usd, 'f', 10);
    while (text.endsWith(u'0') && !text.endsWith(u".0"))
        text.chop(1);
    return u"$"_s + text;
}

// A per-second rate in full: "$0.00003025/s ($0.1089/h)".
QString rateText(double usdPerSecond)
{
    return u"%1/s (%2/h)"_s.arg(perSecond(usdPerSecond), formatUsd(usdPerSecond * 3600));
}

QString row(const QString &label, const QString &value)
{
    return u"<tr><td style='padding-right:12px'><b>%1</b></td><td>%2</td></tr>"_s.arg(esc(label), value);
}

QString time(const QDateTime &at)
{
    return at.isValid() ? esc(QLocale().toString(at.toLocalTime(), QLocale::ShortFormat)) : u"—"_s;
}

} // namespace

namespace CostExplanation {

QString html(const Session &session, const QString &providerName, const QList<LedgerEntry> &ledger,
             const QDateTime &now)
{
    const bool local = session.provider == u"local";
    const qint64 seconds = CostMeter::billableSeconds(session, now);
    const double runtime = CostMeter::runtimeAt(session, now);
    QString out = u"<h3>%1</h3><table>"_s.arg(esc(session.name));
    out += row(tr("Provider"),
               esc(providerName) + (session.size.isEmpty() ? QString() : u" · "_s + esc(session.size)));
    if (local) {
        out += row(tr("Rate"), tr("free: it runs on this computer"));
    } else {
        out += row(tr("Rate"), esc(rateText(session.ratePerSecond)));
        if (!session.rateBasis.how.isEmpty())
            out += row(tr("Resources"), esc(session.rateBasis.how));
        if (!session.rateBasis.source.isEmpty())
            out += row(tr("Source"), esc(session.rateBasis.source));
        if (!session.rateBasis.asOf.isEmpty())
            out += row(tr("Rate as of"), esc(session.rateBasis.asOf));
        if (session.rateBasis.isEmpty())
            out += row(tr("Source"), tr("not recorded (a session from before SpawnAI kept it)"));
    }
    out += row(tr("Billed from"), time(session.startedAt) + tr(" (when it first answered)"));
    if (SessionStates::isTerminal(session.state))
        out += row(tr("Billed until"), time(session.startedAt.addSecs(seconds))); // the meter's own end
    else
        out +=
            row(tr("Billed until"), tr("now, at most until it expires at %1").arg(time(session.expiresAt)));
    const QString seconds_ = QLocale().toString(seconds);
    out += row(tr("Runtime"), local ? tr("%1 s × $0 = $0.00").arg(seconds_)
                                    : u"%1 s (%2) × %3/s = <b>%4</b>"_s.arg(
                                          seconds_, esc(formatDuration(seconds)),
                                          perSecond(session.ratePerSecond), esc(formatUsd(runtime))));
    out += row(tr("Generation"), esc(formatUsd(session.generationCostUsd)) +
                                     tr(" (Claude's tokens for the code it runs; see Revisions)"));
    out += row(tr("Total so far"), u"<b>%1</b>"_s.arg(esc(formatUsd(runtime + session.generationCostUsd))));
    if (!local && session.ttlSeconds > 0)
        out += row(tr("Whole lifetime"),
                   tr("%1 × %2 = %3")
                       .arg(esc(formatDuration(session.ttlSeconds)), esc(rateText(session.ratePerSecond)),
                            esc(formatUsd(CostMeter::lifetimeQuote(session)))));
    out += u"</table>"_s;

    out += u"<h4>%1</h4>"_s.arg(tr("Ledger"));
    if (ledger.isEmpty()) {
        out += u"<p>%1</p>"_s.arg(tr("No lines yet: a session's runtime is recorded when it ends, with the "
                                     "rate above; extensions are recorded when they are made."));
        return out;
    }
    out += u"<table><tr><th align=left>%1</th><th align=left>%2</th><th align=right>%3</th>"
           "<th align=right>%4</th><th align=left>%5</th></tr>"_s.arg(tr("When"), tr("What"), tr("Seconds"),
                                                                      tr("Amount"), tr("Detail"));
    for (const LedgerEntry &line : ledger) {
        const double amount = line.kind == LedgerEntry::Kind::Extension ? line.quotedUsd : line.usd;
        const QString what = line.kind == LedgerEntry::Kind::Extension ? tr("extension (quote)")
                                                                       : LedgerKinds::name(line.kind);
        out +=
            u"<tr><td>%1</td><td>%2</td><td align=right>%3</td><td align=right>%4</td><td>%5</td></tr>"_s.arg(
                time(line.at), esc(what), QLocale().toString(line.seconds), esc(formatUsd(amount)),
                esc(line.detail));
    }
    out += u"</table>"_s;
    return out;
}

} // namespace CostExplanation
