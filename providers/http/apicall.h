#pragma once

#include "apitypes.h"

#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QNetworkAccessManager;

// One call to a provider's API: one logical request made of one or more HTTP attempts.
//
// - Headers: the endpoint's auth header, Accept: application/json and a SpawnAI/<version> User-Agent (never
//   Qt's "Mozilla/5.0", which makes E2B's proxy answer with HTML pages).
// - A redirect to another origin is not followed, so the key goes nowhere else; plain http:// only to this
//   computer (ApiEndpoint::problem()).
// - No byte for the endpoint's timeout ends the attempt as "timed out" (not "cancelled").
// - Retries (reliability.md §3.3): an idempotent request after a dropped connection, a timeout, 408, 429 and
//   5xx; any request after a refused connection or a 429 (the server did not act), up to maxRetries, waiting
//   for Retry-After when the server says (longer than maxRetryWaitMs fails at once, saying when to come
//   back), else base·2^n with jitter. A create that may have been carried out is never repeated here: the
//   reply says ambiguous and the caller looks for it first.
// - finished is emitted exactly once, from the event loop, then the call deletes itself. The key and bodies
//   are never logged.
class ApiCall final : public QObject
{
    Q_OBJECT
public:
    ApiCall(QNetworkAccessManager *network, ApiEndpoint endpoint, ApiRequest request, QObject *parent);
    ~ApiCall() override;

    void start();
    void cancel(); // finishes with Cancelled unless already finished
    // A streamed call that has read what it needs: stop reading and finish successfully with the body so far.
    void finishNow();

    // The pieces of the policy, public so they can be tested on their own.
    static ApiError classify(int status, const QByteArray &body);
    static QString errorText(const QByteArray &body); // the API's own message from a JSON error body
    static int backoffMs(int retriesTaken, int baseMs, double random);

signals:
    void bytesReceived(const QByteArray &bytes); // streamed calls only, 2xx bodies
    void finished(const ApiReply &reply);

private:
    void sendAttempt();
    void onReadyRead();
    void onReplyFinished();
    void failAttempt(ApiReply reply, bool retryable);
    void finish(ApiReply reply);
    void dropReply();
    QString describe(const ApiReply &reply) const;
    QString target() const;
    int timeoutMs() const;
    static void takeHead(const QNetworkReply &reply,
                         ApiReply &into); // status and headers (lower-cased names) // "POST /sandboxes" with
                                          // the host, for logs

    QNetworkAccessManager *m_network;
    ApiEndpoint m_endpoint;
    ApiRequest m_request;
    QPointer<QNetworkReply> m_reply;
    QTimer m_retryTimer;
    QByteArray m_body;
    int m_attempts = 0;
    bool m_finished = false;
    bool m_cancelled = false;
    bool m_finishingNow = false;
};
