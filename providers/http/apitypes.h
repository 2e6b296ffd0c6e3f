#pragma once

#include "failurereason.h"

#include <QByteArray>
#include <QHash>
#include <QJsonDocument>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <utility>

// Where a provider's API is and how to authenticate to it.
struct ApiEndpoint
{
    QString service;                // "E2B", "Fly.io": how messages name the provider
    QUrl baseUrl;                   // paths are appended to its path
    QByteArray authHeader;          // e.g. "X-API-Key", "Authorization"
    QByteArray authValue;           // the secret (with its scheme); never logged
    int timeoutMs = 30'000;         // no byte moves for this long: the call fails as timed out
    int maxRetries = 3;             // further attempts of a call that may be repeated
    int retryBaseMs = 200;          // backoff: base·2^n, at most 10×base, with jitter
    qint64 maxRetryWaitMs = 30'000; // a longer Retry-After fails at once, saying when to come back

    // Why nothing may be sent there (empty when fine): not a URL, credentials in it, plain http:// to
    // another computer.
    QString problem() const;
    QUrl url(const QString &path, const QUrlQuery &query = {}) const;
};

enum class ApiError {
    None,
    BadKey,      // 401, 403: the key is wrong, expired or lacks rights
    Quota,       // a plan limit: concurrency, number of apps, spend
    RateLimited, // 429
    Capacity,    // the provider has no room now (503, "insufficient capacity")
    NotFound,    // 404
    Conflict,    // 409, 422: exists already, or in the wrong state
    Invalid,     // 400 and other 4xx: the request was refused as it was
    Network,     // no answer: refused, reset, name not found, TLS
    TimedOut,    // nothing moved for the timeout
    Server,      // 5xx
    Malformed,   // a 2xx whose body is not what the API documents
    Redirected,  // to another origin: not followed, so the key stays home
    Cancelled,
};

struct ApiReply;

namespace ApiErrors {
QString name(ApiError error); // stable, for logs and tests
FailureReason failureReason(ApiError error);
// "E2B, killing sandbox x: <what went wrong>" as a typed failure (empty when the reply is ok).
std::pair<FailureReason, QString> describe(const ApiReply &reply, const QString &service,
                                           const QString &what);
} // namespace ApiErrors

struct ApiRequest
{
    QByteArray method = "GET";
    QUrl url{}; // absolute; ApiEndpoint::url() for API paths
    QByteArray body{};
    QByteArray contentType = "application/json"; // sent when there is a body
    QList<std::pair<QByteArray, QByteArray>> headers{};
    // Safe to send again after a failure that may have reached the server (GET, DELETE, a PUT-like POST).
    // Others (creates) are repeated only when the server certainly did not act: refused connection, 429.
    bool idempotent = false;
    bool authenticated = true; // sends the endpoint's auth header
    bool streamed = false;     // hands 2xx body bytes on as they arrive (ApiCall::bytesReceived)
    int timeoutMs = 0;         // 0: the endpoint's; longer for calls the server holds open (long polls)
};

struct ApiReply
{
    ApiError error = ApiError::None;
    QString message; // for people; says what to do
    int status = 0;  // 0: no HTTP answer
    QByteArray body;
    QJsonDocument json;                    // the body, when it is JSON
    QHash<QByteArray, QByteArray> headers; // names lower-cased
    qint64 retryAfterMs = -1;
    int attempts = 0;
    // The request may have been carried out although no success was read (no answer, a 5xx, a broken body):
    // a create must be looked for before it is sent again.
    bool ambiguous = false;

    static ApiReply failure(ApiError error, const QString &message)
    {
        ApiReply reply;
        reply.error = error;
        reply.message = message;
        return reply;
    }
    bool ok() const { return error == ApiError::None; }
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
};
Q_DECLARE_METATYPE(ApiReply)
