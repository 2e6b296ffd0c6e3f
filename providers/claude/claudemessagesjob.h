#pragma once

#include "claudejob.h"
#include "claudestream.h"

#include <QJsonObject>

#include <memory>

// One streamed Messages API call (POST /v1/messages with "stream": true): the answer arrives as signals while
// it streams and as a ClaudeResult at the end.
//
// Outcomes: message_stop → ok, whatever the stop reason (ClaudeResult::stopProblem() explains max_tokens,
// refusal, ...). An `error` event → the failure its error.type maps to (overloaded_error → Overloaded, ...).
// The connection dropping, or the body ending, before message_stop → Truncated. Malformed events, a 200 that
// is not text/event-stream, or an answer beyond the content cap → Protocol. Content that arrived is kept in
// every case.
//
// Retries follow ClaudeJob, and stop for good once any delta was emitted (contentShown()). Before that, an
// overloaded_error or api_error event, a dropped connection and a silent stream are retried like the 529,
// 500, connection error and timeout they stand for. The SDKs do not retry mid-stream failures at all, but
// they cannot know whether their caller showed anything; we do, and nothing was shown, so a second attempt
// costs the user nothing but the wait (the input tokens of the failed attempt may be billed either way).
class ClaudeMessagesJob final : public ClaudeJob
{
    Q_OBJECT
public:
    // body is a Messages request without "stream"; the job sets "stream": true.
    ClaudeMessagesJob(QNetworkAccessManager *network, ClaudeConfig config, QJsonObject body, QObject *parent);
    ~ClaudeMessagesJob() override;

    // Any delta was emitted (no retry after that).
    bool contentShown() const { return m_contentShown; }
    // Answers with more content than this (all deltas together) are refused as Protocol; call before start().
    void setMaxContentBytes(qsizetype bytes) { m_maxContentBytes = bytes; }

signals:
    void textAppended(int index, const QString &text);
    void thinkingAppended(int index, const QString &thinking);
    void toolInputAppended(int index, const QString &toolName, const QByteArray &fragment);
    void finished(const ClaudeResult &result);

protected:
    Call call() const override;
    void attemptStarting() override;
    void responseStarted(QNetworkReply &reply) override;
    void bodyReceived(QByteArrayView bytes) override;
    void bodyEnded(QNetworkReply::NetworkError error, const QString &errorString) override;
    bool contentDelivered() const override { return m_contentShown; }
    void deliver(const ClaudeOutcome &outcome) override;

private:
    void checkStream();

    QByteArray m_body; // serialized once, sent by every attempt
    qsizetype m_maxContentBytes = ClaudeStream::DefaultMaxContentBytes;
    std::unique_ptr<ClaudeStream> m_stream; // of the current attempt
    bool m_contentShown = false;
};
