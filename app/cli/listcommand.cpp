#include "listcommand.h"

#include "appcore.h"
#include "console.h"
#include "costmeter.h"
#include "duration.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(time.toString(Qt::ISODateWithMs)) : QJsonValue();
}

QString statusText(const Session &session)
{
    QString text = SessionStates::name(session.state);
    if (session.state == SessionState::Failed && session.failure != FailureReason::None)
        text += u" ("_s + FailureReasons::name(session.failure) + u')';
    if (session.unsandboxed)
        text += u" ⚠ UNSANDBOXED"_s;
    return text;
}

} // namespace

ListCommand::ListCommand(AppCore &core, QObject *parent)
    : CliCommand(parent)
    , m_core(core)
{}

void ListCommand::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption jsonOption(u"json"_s, tr("Print JSON (for scripts) instead of a table."));
    const QCommandLineOption activeOption(u"active"_s, tr("Only sessions that are deploying or running."));
    parser.addOptions({jsonOption, activeOption});
    if (!parse(parser, arguments,
               {u"list [--json] [--active]"_s,
                tr("Lists sessions, newest first, with time left and cost so far."), 0, 0}))
        return;
    m_json = parser.isSet(jsonOption);
    m_activeOnly = parser.isSet(activeOption);
    // What dead SpawnAI processes left is cleaned up first, so the list tells the truth.
    connect(&m_core.controller(), &SessionController::recoveryFinished, this, &ListCommand::print,
            Qt::SingleShotConnection);
    // A provider that does not answer must not keep the list from showing.
    QTimer::singleShot(kRecoveryWaitMs, this, [this] {
        Console::err(tr("(still cleaning up after an earlier SpawnAI; the list may change)"));
        print();
    });
    m_core.loadProviderKeys([this] { m_core.controller().recover(); });
}

void ListCommand::print()
{
    if (m_printed)
        return;
    m_printed = true;
    auto sessions = m_core.store().sessions();
    if (!sessions) {
        Console::error(sessions.error());
        return finish(Failure);
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<Session> shown;
    for (const Session &session : std::as_const(*sessions)) {
        if (!m_activeOnly || session.isActive())
            shown.append(session);
    }

    if (m_json) {
        QJsonArray array;
        for (const Session &s : std::as_const(shown)) {
            array.append(QJsonObject{
                {u"id"_s, s.id},
                {u"name"_s, s.name},
                {u"provider"_s, s.provider},
                {u"size"_s, s.size},
                {u"state"_s, SessionStates::name(s.state)},
                {u"failure"_s, s.failure == FailureReason::None
                                   ? QJsonValue()
                                   : QJsonValue(FailureReasons::name(s.failure))},
                {u"failure_message"_s,
                 s.failureMessage.isEmpty() ? QJsonValue() : QJsonValue(s.failureMessage)},
                {u"url"_s, s.url.isEmpty() ? QJsonValue() : QJsonValue(s.url.toString())},
                {u"created_at"_s, timeOrNull(s.createdAt)},
                {u"started_at"_s, timeOrNull(s.startedAt)},
                {u"expires_at"_s, timeOrNull(s.expiresAt)},
                {u"ended_at"_s, timeOrNull(s.endedAt)},
                {u"seconds_left"_s, s.isActive() ? s.secondsLeft(now) : 0},
                {u"ttl_seconds"_s, s.ttlSeconds},
                {u"cost_usd"_s, CostMeter::accruedAt(s, now, m_core.pricing().minimumCharge(s.provider))},
                {u"generation_cost_usd"_s, s.generationCostUsd},
                {u"rate_per_second_usd"_s, s.ratePerSecond},
                {u"unsandboxed"_s, s.unsandboxed},
                {u"revision"_s, s.revisionId},
            });
        }
        Console::out(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)).trimmed());
        return finish(Success);
    }

    if (shown.isEmpty()) {
        Console::err(m_activeOnly ? tr("No session is running.")
                                  : tr("No sessions yet. Deploy one with: spawnai deploy PATH"));
        return finish(Success);
    }
    const QStringList header = {tr("ID"),  tr("NAME"), tr("PROVIDER"), tr("STATUS"),
                                tr("URL"), tr("LEFT"), tr("COST")};
    QList<QStringList> rows{header};
    for (const Session &s : std::as_const(shown)) {
        rows.append({s.id.left(8), s.name.left(28), s.provider, statusText(s),
                     s.isActive() ? s.url.toString() : u"-"_s,
                     s.isActive() && s.expiresAt.isValid() ? formatCountdown(s.secondsLeft(now)) : u"-"_s,
                     formatUsd(CostMeter::accruedAt(s, now, m_core.pricing().minimumCharge(s.provider)))});
    }
    QList<qsizetype> widths(header.size(), 0);
    for (const QStringList &row : std::as_const(rows)) {
        for (qsizetype c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    }
    for (const QStringList &row : std::as_const(rows)) {
        QString line;
        for (qsizetype c = 0; c < row.size(); ++c)
            line += c + 1 < row.size() ? row[c].leftJustified(widths[c] + 2) : row[c];
        Console::out(line);
    }
    finish(Success);
}
