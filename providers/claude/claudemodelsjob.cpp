#include "claudemodelsjob.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace {

// A page of 1000 models is a few hundred KB; this bounds what a broken server can make us buffer.
constexpr qsizetype kMaxPageBytes = 16 * 1024 * 1024;

} // namespace

ClaudeModelsJob::ClaudeModelsJob(QNetworkAccessManager *network, ClaudeConfig config, QObject *parent)
    : ClaudeJob(network, std::move(config), parent)
{}

ClaudeJob::Call ClaudeModelsJob::call() const
{
    Call what{.method = "GET", .path = u"/v1/models"_s};
    what.query.addQueryItem(u"limit"_s, QString::number(kPageLimit));
    if (!m_afterId.isEmpty())
        what.query.addQueryItem(u"after_id"_s, m_afterId);
    return what;
}

void ClaudeModelsJob::bodyReceived(QByteArrayView bytes)
{
    if (m_page.size() + bytes.size() > kMaxPageBytes) {
        protocolError(tr("a page of the model list is larger than 16 MB"));
        return;
    }
    m_page += bytes;
}

void ClaudeModelsJob::bodyEnded(QNetworkReply::NetworkError error, const QString &errorString)
{
    if (error != QNetworkReply::NoError) {
        failAttempt(
            transportFailure(error, errorString)); // cut off mid-page: a GET may simply be asked again
        return;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(m_page, &parseError);
    m_page.clear();
    const QJsonObject page = document.object();
    if (!document.isObject() || !page.value(u"data"_s).isArray()) {
        protocolError(parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                   : tr("the answer has no “data” list"));
        return;
    }
    ++m_pages;
    for (const QJsonValue &value : page.value(u"data"_s).toArray()) {
        const QJsonObject entry = value.toObject();
        ClaudeModelInfo model;
        model.id = entry.value(u"id"_s).toString();
        if (model.id.isEmpty() || m_seenIds.contains(model.id))
            continue;
        m_seenIds.insert(model.id);
        model.displayName = entry.value(u"display_name"_s).toString(model.id);
        model.createdAt = QDateTime::fromString(entry.value(u"created_at"_s).toString(), Qt::ISODate).toUTC();
        model.maxInputTokens = entry.value(u"max_input_tokens"_s).toInteger();
        model.maxTokens = entry.value(u"max_tokens"_s).toInteger();
        m_models.append(std::move(model));
    }
    if (!page.value(u"has_more"_s).toBool()) {
        succeed();
        return;
    }
    const QString lastId = page.value(u"last_id"_s).toString();
    if (lastId.isEmpty() || lastId == m_afterId) {
        protocolError(tr("the list says there is more but does not say where to continue"));
        return;
    }
    if (m_pages >= kMaxPages) {
        protocolError(tr("the list goes on for more than %1 pages").arg(kMaxPages));
        return;
    }
    m_afterId = lastId;
    beginRequest();
}

void ClaudeModelsJob::protocolError(const QString &detail)
{
    failAttempt({.failure = ClaudeFailure::Protocol,
                 .message = tr("The model list from %1 could not be read: %2.").arg(serverName(), detail)});
}

void ClaudeModelsJob::deliver(const ClaudeOutcome &outcome)
{
    ClaudeModelsResult result;
    static_cast<ClaudeOutcome &>(result) = outcome;
    result.models = m_models;
    emit finished(result);
}
