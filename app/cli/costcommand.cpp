#include "costcommand.h"

#include "appcore.h"
#include "console.h"
#include "costmeter.h"
#include "costsummarymodel.h"
#include "ledgercsv.h"
#include "spendbreakdown.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

// Sums of split runs pick up binary noise (0.30000000000000004); 12 significant digits, as in the CSV.
double amount(double usd)
{
    return QString::number(usd, 'g', 12).toDouble();
}

QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODate)) : QJsonValue();
}

// The same fields as a CSV record (LedgerCsv::columns()), typed: numbers as numbers, unknown times null.
QJsonObject lineObject(const LedgerEntry &line)
{
    return {
        {u"id"_s, line.id},
        {u"at"_s, timeOrNull(line.at)},
        {u"kind"_s, LedgerKinds::name(line.kind)},
        {u"session"_s, line.sessionId},
        {u"provider"_s, line.provider},
        {u"size"_s, line.size},
        {u"started_at"_s, timeOrNull(line.startedAt)},
        {u"seconds"_s, line.seconds},
        {u"rate_per_second"_s, amount(line.ratePerSecond)},
        {u"usd"_s, amount(line.usd)},
        {u"quoted_usd"_s, amount(line.quotedUsd)},
        {u"rate"_s, line.basis.how},
        {u"rate_source"_s, line.basis.source},
        {u"rate_as_of"_s, line.basis.asOf},
        {u"detail"_s, line.detail},
    };
}

// Columns padded to their widest cell; the first left-aligned, the others (figures) right-aligned.
void printTable(const QList<QStringList> &rows)
{
    QList<qsizetype> widths(rows.value(0).size(), 0);
    for (const QStringList &row : rows) {
        for (qsizetype c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    }
    for (const QStringList &row : rows) {
        QString line;
        for (qsizetype c = 0; c < row.size(); ++c)
            line += c == 0 ? row[c].leftJustified(widths[c]) : u"   "_s + row[c].rightJustified(widths[c]);
        Console::out(line);
    }
}

} // namespace

CostCommand::CostCommand(AppCore &core, QObject *parent)
    : CliCommand(parent)
    , m_core(core)
{}

std::optional<QDate> CostCommand::parseMonth(const QString &text)
{
    static const QRegularExpression form(u"^(\\d{4})-(\\d{2})$"_s);
    const QRegularExpressionMatch match = form.match(text.trimmed());
    if (!match.hasMatch())
        return std::nullopt;
    const QDate first(match.captured(1).toInt(), match.captured(2).toInt(), 1);
    if (!first.isValid())
        return std::nullopt;
    return first;
}

void CostCommand::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption monthOption(
        u"month"_s, tr("The calendar month to show, as YYYY-MM (default: this month)."), u"YYYY-MM"_s);
    const QCommandLineOption jsonOption(u"json"_s, tr("Print JSON (for scripts) instead of a table."));
    const QCommandLineOption csvOption(u"csv"_s,
                                       tr("Print the month's cost ledger as CSV (for spreadsheets), one line "
                                          "per generation, run and extension."));
    parser.addOptions({monthOption, jsonOption, csvOption});
    if (!parse(parser, arguments,
               {u"cost [--month YYYY-MM] [--json|--csv]"_s,
                tr("Shows what a calendar month cost, per provider, and how it stands against the monthly "
                   "budget. This month's figures include what sessions still running have cost so far."),
                0, 0}))
        return;
    const QString seeHelp = tr("Run \"spawnai cost --help\" for usage.");
    const bool json = parser.isSet(jsonOption);
    const bool csv = parser.isSet(csvOption);
    if (json && csv) {
        Console::error(tr("--json and --csv cannot be used together: choose one."));
        Console::err(seeHelp);
        return finish(Usage);
    }

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDate today = now.toLocalTime().date();
    const QDate thisMonth(today.year(), today.month(), 1);
    QDate first = thisMonth;
    if (parser.isSet(monthOption)) {
        const auto month = parseMonth(parser.value(monthOption));
        if (!month) {
            Console::error(tr("--month takes a month as YYYY-MM, such as %1; \"%2\" is not one.")
                               .arg(thisMonth.toString(u"yyyy-MM"_s), parser.value(monthOption)));
            Console::err(seeHelp);
            return finish(Usage);
        }
        first = *month;
    }
    const QDate last = first.addMonths(1).addDays(-1);
    const bool current = first == thisMonth;

    // Unended sessions first, then the ledger: a session that ends in between then has its Runtime line in
    // what was read and is dropped from the running ones, instead of being counted in neither.
    QList<Session> running;
    if (current && !csv) {
        auto active = m_core.store().activeSessions();
        if (!active) {
            Console::error(active.error());
            return finish(Failure);
        }
        running = std::move(*active);
    }
    // The local month, as UTC instants (a month can start at 22:00 or 01:00 UTC, and DST moves it).
    const auto lines =
        m_core.store().ledger(first.startOfDay().toUTC(), first.addMonths(1).startOfDay().toUTC());
    if (!lines) {
        Console::error(lines.error());
        return finish(Failure);
    }

    if (csv) {
        const QByteArray bytes = LedgerCsv::write(*lines);
        std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
        std::fflush(stdout);
        return finish(Success);
    }

    QSet<QString> endedMeanwhile;
    for (const LedgerEntry &line : *lines) {
        if (line.kind == LedgerEntry::Kind::Runtime)
            endedMeanwhile.insert(line.sessionId);
    }
    running.removeIf([&](const Session &s) { return endedMeanwhile.contains(s.id); });

    SpendBreakdown spend(first, last);
    for (const LedgerEntry &line : *lines)
        spend.add(line);
    for (const Session &session : std::as_const(running))
        spend.addRunning(session, now);

    QHash<QString, QString> names;
    const PricingCatalogue &pricing = m_core.pricing();
    for (const QString &key : pricing.providers())
        names.insert(key, pricing.provider(key)->name);
    names.insert(u"claude"_s, tr("Claude (generation)"));
    // For a past month "today" is its last day, so the rows' month figures cover all of it.
    const QList<CostSummaryModel::Row> rows =
        CostSummaryModel::figures(spend, running, now, current ? today : last, names);
    const double total = spend.total(first, last);
    const double todayUsd = spend.onDay(today);
    const double budget = m_core.settings().monthlyBudgetUsd();

    if (json) {
        QJsonObject object{
            {u"month"_s, first.toString(u"yyyy-MM"_s)},
            {u"currency"_s, u"USD"_s},
            {u"total"_s, amount(total)},
            {u"budget"_s, budget > 0 ? QJsonValue(budget) : QJsonValue()},
        };
        if (current)
            object.insert(u"today"_s, amount(todayUsd));
        QJsonArray providers;
        for (const CostSummaryModel::Row &row : rows) {
            providers.append(QJsonObject{{u"key"_s, row.key},
                                         {u"name"_s, row.name},
                                         {u"running"_s, row.running},
                                         {u"total"_s, amount(row.monthUsd)}});
        }
        object.insert(u"providers"_s, providers);
        QJsonArray days;
        const QList<double> daily = spend.daily(first, last);
        for (qsizetype i = 0; i < daily.size(); ++i) {
            days.append(QJsonObject{{u"date"_s, first.addDays(i).toString(Qt::ISODate)},
                                    {u"usd"_s, amount(daily.at(i))}});
        }
        object.insert(u"days"_s, days);
        QJsonArray lineArray;
        for (const LedgerEntry &line : *lines)
            lineArray.append(lineObject(line));
        object.insert(u"lines"_s, lineArray);
        Console::out(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)).trimmed());
        return finish(Success);
    }

    const QString monthName = QLocale().toString(first, u"MMMM yyyy"_s);
    if (rows.isEmpty()) {
        Console::out(tr("Nothing was spent in %1.").arg(monthName));
    } else {
        Console::out(tr("Spending in %1").arg(monthName));
        Console::out(QString());
        // Only this month has sessions running; in a past month the column would be all zeros.
        QList<QStringList> table;
        table.append(current ? QStringList{tr("PROVIDER"), tr("RUNNING"), tr("MONTH")}
                             : QStringList{tr("PROVIDER"), tr("MONTH")});
        int runningCount = 0;
        for (const CostSummaryModel::Row &row : rows) {
            runningCount += row.running;
            // Generating is not something that runs on: no count for Claude.
            const QString count = row.key == u"claude" ? u"-"_s : QString::number(row.running);
            table.append(current ? QStringList{row.name, count, formatUsd(row.monthUsd)}
                                 : QStringList{row.name, formatUsd(row.monthUsd)});
        }
        table.append(current ? QStringList{tr("Total"), QString::number(runningCount), formatUsd(total)}
                             : QStringList{tr("Total"), formatUsd(total)});
        printTable(table);
    }
    if (current || budget > 0)
        Console::out(QString());
    if (current)
        Console::out(tr("Today: %1").arg(formatUsd(todayUsd)));
    if (budget > 0) {
        Console::out(
            tr("Budget: %1 of %2 (%3 %)")
                .arg(formatUsd(total), formatUsd(budget), QString::number(qRound(100 * total / budget))));
    }
    finish(Success);
}
