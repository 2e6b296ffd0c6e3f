#pragma once

#include "claudeconfig.h"
#include "clauderesult.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrlQuery>

class QNetworkAccessManager;
class QNetworkRequest;

// The part every call to the Anthropic API shares: one logical request made of one or more HTTP attempts.
//
// - Headers: x-api-key, anthropic-version (ClaudeConfig::kApiVersion), content-type, accept, a
//   SpawnAI/<version> User-Agent and x-stainless-retry-count, as the official SDKs send them (anthropic.md
//   §2, §6.3).
// - Nothing is sent without a key or to a base URL ClaudeConfig::baseUrlProblem() refuses; a redirect to
//   another origin is not followed, so the key never goes anywhere else.
// - Timeouts: no response headers within config.connectTimeout (upload progress counts as life), then no byte
//   for config.idleTimeout (a stream's pings count).
// - Retries as the SDKs do (§6.3): 408, 409, 429, ≥ 500 (529 included), connection errors and timeouts, up to
//   config.maxRetries more attempts; x-should-retry true/false overrides the status; a spend-limit 429 is
//   never retried. The wait is retry-after-ms / retry-after (seconds or an HTTP-date) when the server says,
//   up to config.maxRetryWait (asked for longer, the job fails at once with retryAfterMs set, so people are
//   told when to come back instead of waiting on a silent window); else min(0.5·2^n, 8) s with 0–25 % jitter.
//   Nothing is retried once a subclass handed content to its caller (contentDelivered()).
// - finished is emitted exactly once, always from the event loop (never inside start() or cancel()), then the
//   job deletes itself. The key and request bodies are never logged.
//
// Subclasses say what to send (call()) and read 2xx bodies; error statuses, transport errors, timeouts and
// the retry decision are handled here.
class ClaudeJob : public QObject
{
    Q_OBJECT
public:
    ~ClaudeJob() override;

    void start();
    // Stops the current attempt or retry wait; the job finishes with Cancelled unless it already finished.
    void cancel();

    const ClaudeConfig &config() const { return m_config; }
    int attempts() const { return m_attempts; }
    bool isFinished() const { return m_finished; }

    // The pieces of the retry policy, public so they can be tested on their own.
    // How long the server asked to wait: retry-after-ms (milliseconds, may be fractional), else retry-after
    // (seconds, or an HTTP-date relative to `now`); -1 when neither is present and valid.
    static qint64 retryAfterMs(QByteArrayView retryAfterMsHeader, QByteArrayView retryAfterHeader,
                               const QDateTime &now);
    // The SDKs' backoff: min(0.5·2^retriesTaken, 8) s × (1 − 0.25·random), random in [0, 1).
    static int backoffMs(int retriesTaken, double random);
    // 408, 409, 429 and ≥ 500: worth another attempt unless x-should-retry says otherwise.
    static bool isRetryableStatus(int status);
    // An HTTP error status and its JSON error body as a typed failure with a message for people. `retryAfter`
    // (ms, -1 unknown) lets a 429 say when to try again.
    static ClaudeOutcome describeHttpError(int status, const QByteArray &body, qint64 retryAfter);

signals:
    // Attempt number `attempt` (2 for the first retry) starts in delayMs; reason is the failure, for people.
    void retrying(int attempt, int delayMs, const QString &reason);

protected:
    ClaudeJob(QNetworkAccessManager *network, ClaudeConfig config, QObject *parent);

    // What one attempt of the current request sends.
    struct Call
    {
        QByteArray method = "GET";
        QString path{}; // under the base URL, e.g. "/v1/messages"
        QUrlQuery query{};
        QByteArray body{}; // sent with content-type application/json when not empty
        QByteArray accept = "application/json";
    };

    // Why an attempt failed, and whether another attempt could do better.
    struct AttemptFailure
    {
        ClaudeFailure failure = ClaudeFailure::Network;
        QString message{};   // for people
        QString errorType{}; // the API's error.type, when it sent one
        bool retryable = false;
        qint64 retryAfterMs = -1;
    };

    virtual Call call() const = 0;
    // A new attempt starts: forget what the previous one received.
    virtual void attemptStarting() {}
    // A 2xx status and its headers arrived (the body follows).
    virtual void responseStarted(QNetworkReply &reply) { Q_UNUSED(reply) }
    // Bytes of a 2xx body. May call succeed(), failAttempt() or beginRequest().
    virtual void bodyReceived(QByteArrayView bytes) = 0;
    // The 2xx body ended: complete (NoError) or cut off by `error`. Must call succeed(), failAttempt() or
    // beginRequest().
    virtual void bodyEnded(QNetworkReply::NetworkError error, const QString &errorString) = 0;
    // Content was handed to the caller: from now on no attempt is repeated.
    virtual bool contentDelivered() const { return false; }
    // Emit the subclass's finished signal with its result built on `outcome`.
    virtual void deliver(const ClaudeOutcome &outcome) = 0;

    // Starts a new logical request (the next page): the retry budget starts again.
    void beginRequest();
    void succeed();
    void failAttempt(const AttemptFailure &failure);
    // A transport error (no usable HTTP answer) named for people, with the host.
    AttemptFailure transportFailure(QNetworkReply::NetworkError error, const QString &errorString) const;
    // "api.anthropic.com" or "127.0.0.1:8123": how messages name the server.
    QString serverName() const;

private:
    enum class Phase { Idle, AwaitingHeaders, Receiving, WaitingToRetry, Finished };

    void sendAttempt();
    QNetworkRequest buildRequest(const Call &call) const;
    void onMetaDataChanged();
    void onReadyRead();
    void onReplyFinished();
    void onWatchdog();
    bool takeHeaders();
    void consume(const QByteArray &bytes);
    // Hands on at most one slice of the buffered body; false when more is left (it continues later).
    bool consumeSlice();
    void httpFailure();
    void dropReply();
    void finish(const ClaudeOutcome &outcome);

    QNetworkAccessManager *m_network;
    ClaudeConfig m_config;
    QPointer<QNetworkReply> m_reply;
    QTimer m_watchdog; // connect timeout, then idle timeout
    QTimer m_retryTimer;
    Phase m_phase = Phase::Idle;
    bool m_started = false;
    bool m_finished = false;
    bool m_slicePending = false; // a consumeSlice() continuation is queued
    int m_attempts = 0;
    int m_retriesTaken = 0; // of the current logical request
    int m_status = 0;       // of the current attempt
    QString m_requestId;
    QByteArray m_errorBody;
};
