#include "claudemessagesjob.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace {

// The HTTP status an error event's type stands for (anthropic.md §6.1), so a mid-stream error is described
// and retried like its HTTP twin.
int statusOfErrorType(const QString &type)
{
    static const QHash<QString, int> statuses = {
        {u"invalid_request_error"_s, 400}, {u"authentication_error"_s, 401},
        {u"billing_error"_s, 402},         {u"permission_error"_s, 403},
        {u"not_found_error"_s, 404},       {u"request_too_large"_s, 413},
        {u"rate_limit_error"_s, 429},      {u"api_error"_s, 500},
        {u"timeout_error"_s, 504},         {u"overloaded_error"_s, 529},
    };
    return statuses.value(type, 500);
}

} // namespace

ClaudeMessagesJob::ClaudeMessagesJob(QNetworkAccessManager *network, ClaudeConfig config, QJsonObject body,
                                     QObject *parent)
    : ClaudeJob(network, std::move(config), parent)
{
    body.insert(u"stream"_s, true);
    m_body = QJsonDocument(body).toJson(QJsonDocument::Compact);
}

ClaudeMessagesJob::~ClaudeMessagesJob() = default;

ClaudeJob::Call ClaudeMessagesJob::call() const
{
    return {.method = "POST",
            .path = u"/v1/messages"_s,
            .body = m_body,
            .accept = "text/event-stream, application/json"};
}

void ClaudeMessagesJob::attemptStarting()
{
    // Only reached while nothing was shown: the previous attempt's partial answer is dropped with it.
    m_stream = std::make_unique<ClaudeStream>(m_maxContentBytes);
    ClaudeStream::Callbacks callbacks;
    callbacks.textAppended = [this](int index, const QString &text) {
        if (isFinished())
            return; // cancelled from a slot while the rest of the chunk is applied
        m_contentShown = true;
        emit textAppended(index, text);
    };
    callbacks.thinkingAppended = [this](int index, const QString &thinking) {
        if (isFinished())
            return;
        m_contentShown = true;
        emit thinkingAppended(index, thinking);
    };
    callbacks.toolInputAppended = [this](int index, const QString &toolName, const QByteArray &fragment) {
        if (isFinished())
            return;
        m_contentShown = true;
        emit toolInputAppended(index, toolName, fragment);
    };
    m_stream->setCallbacks(std::move(callbacks));
}

void ClaudeMessagesJob::responseStarted(QNetworkReply &reply)
{
    const QByteArray contentType = reply.header(QNetworkRequest::ContentTypeHeader).toByteArray();
    if (contentType.trimmed().toLower().startsWith("text/event-stream"))
        return;
    failAttempt({.failure = ClaudeFailure::Protocol,
                 .message = tr("%1 answered with “%2” instead of an event stream. Check the API address in "
                               "Settings.")
                                .arg(serverName(), contentType.isEmpty()
                                                       ? tr("no content type")
                                                       : QString::fromLatin1(contentType.left(80)))});
}

void ClaudeMessagesJob::bodyReceived(QByteArrayView bytes)
{
    m_stream->feed(bytes);
    checkStream();
}

void ClaudeMessagesJob::checkStream()
{
    if (isFinished())
        return;
    switch (m_stream->state()) {
    case ClaudeStream::State::Waiting:
    case ClaudeStream::State::Streaming:
        return;
    case ClaudeStream::State::Complete:
        succeed(); // message_stop is the end; the HTTP body may linger, we do not wait for it
        return;
    case ClaudeStream::State::ErrorEvent: {
        const QString type = m_stream->errorType();
        const int status = statusOfErrorType(type);
        const QJsonObject error{{u"type"_s, type}, {u"message"_s, m_stream->errorMessage()}};
        const ClaudeOutcome described = describeHttpError(
            status, QJsonDocument(QJsonObject{{u"error"_s, error}}).toJson(QJsonDocument::Compact), -1);
        failAttempt({.failure = described.failure,
                     .message = m_contentShown ? tr("The answer stopped part-way. %1").arg(described.message)
                                               : described.message,
                     .errorType = type,
                     .retryable = isRetryableStatus(status)});
        return;
    }
    case ClaudeStream::State::ProtocolError:
        failAttempt({.failure = ClaudeFailure::Protocol,
                     .message = tr("Claude's answer could not be read: %1").arg(m_stream->errorMessage())});
        return;
    }
}

void ClaudeMessagesJob::bodyEnded(QNetworkReply::NetworkError error, const QString &errorString)
{
    // Only reached without message_stop: any complete answer finished in checkStream().
    if (m_contentShown) {
        const QString how =
            error == QNetworkReply::NoError
                ? tr("the connection ended before Claude finished")
                : tr("the connection to %1 broke before Claude finished (%2)").arg(serverName(), errorString);
        failAttempt({.failure = ClaudeFailure::Truncated,
                     .message = tr("The answer was cut off: %1. What arrived is kept; generate again for a "
                                   "complete answer.")
                                    .arg(how)});
        return;
    }
    const QString how = error == QNetworkReply::NoError
                            ? tr("the connection ended before Claude finished")
                            : tr("%1 (%2)").arg(transportFailure(error, errorString).message, errorString);
    failAttempt({.failure = ClaudeFailure::Network,
                 .message = tr("The answer from %1 broke off before it began: %2.").arg(serverName(), how),
                 .retryable = true});
}

void ClaudeMessagesJob::deliver(const ClaudeOutcome &outcome)
{
    ClaudeResult result;
    static_cast<ClaudeOutcome &>(result) = outcome;
    if (m_stream) {
        if (m_stream->state() != ClaudeStream::State::Complete)
            m_stream->endOfInput(); // tool inputs that never got their content_block_stop are marked cut off
        result.messageId = m_stream->messageId();
        result.model = m_stream->model();
        result.stopReason = m_stream->stopReason();
        result.stopSequence = m_stream->stopSequence();
        result.stopDetails = m_stream->stopDetails();
        result.usage = m_stream->usage();
        result.content = m_stream->blocks();
        if (result.requestId.isEmpty())
            result.requestId = m_stream->requestId();
    }
    emit finished(result);
}
