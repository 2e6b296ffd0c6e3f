#include "claudejob.h"

#include "http/loopback.h"
#include "http/retryafter.h"

#include "providerlogging.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace {

// An error body is a small JSON object; whatever a broken proxy sends beyond this is not read.
constexpr qsizetype kMaxErrorBodyBytes = 1024 * 1024;
// The most body handed on per event-loop pass: a stream arriving at full speed is worked through in slices,
// so the thread (the UI's) gets back to its other events every few milliseconds.
constexpr qint64 kSliceBytes = 16 * 1024;
// Waits beyond a year are nonsense; the bound keeps the arithmetic in range.
constexpr qint64 kMaxRetryAfterMs = 365LL * 24 * 3600 * 1000;

QString tr(const char *text, int n = -1)
{
    return QCoreApplication::translate("ClaudeJob", text, nullptr, n);
}

// "0.3 seconds", "45 seconds", "7 minutes", "2 hours": how long, for people.
QString durationText(qint64 ms)
{
    if (ms < 1000)
        return tr("%1 seconds").arg(QLocale().toString(double(ms) / 1000.0, 'f', 1));
    const auto roundUp = [ms](qint64 unit) { return int((ms + unit - 1) / unit); };
    // Singular spelled out: without a loaded English translation "%n second(s)" would show as is.
    if (ms < 90'000) {
        const int n = roundUp(1000);
        return n == 1 ? tr("%n second", n) : tr("%n seconds", n);
    }
    if (ms < 90LL * 60'000) {
        const int n = roundUp(60'000);
        return n == 1 ? tr("%n minute", n) : tr("%n minutes", n);
    }
    if (ms < 48LL * 3'600'000)
        return tr("%n hours", roundUp(3'600'000));
    return tr("%n days", roundUp(24LL * 3'600'000));
}

// The API's own words, short enough for a dialog.
QString apiWords(const QString &message)
{
    const QString simplified = message.simplified();
    return simplified.size() > 300 ? simplified.left(299) + u'…' : simplified;
}

ClaudeOutcome failed(ClaudeFailure failure, const QString &message)
{
    ClaudeOutcome outcome;
    outcome.failure = failure;
    outcome.message = message;
    return outcome;
}

bool isPrintableAscii(const QString &text)
{
    return std::all_of(text.cbegin(), text.cend(),
                       [](QChar c) { return c.unicode() > 0x20 && c.unicode() < 0x7f; });
}

} // namespace

ClaudeJob::ClaudeJob(QNetworkAccessManager *network, ClaudeConfig config, QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_config(std::move(config))
{
    // Precise: a timeout must not fire before its time, nor a retry before the wait the server asked for.
    m_watchdog.setSingleShot(true);
    m_watchdog.setTimerType(Qt::PreciseTimer);
    m_retryTimer.setSingleShot(true);
    m_retryTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_watchdog, &QTimer::timeout, this, &ClaudeJob::onWatchdog);
    connect(&m_retryTimer, &QTimer::timeout, this, &ClaudeJob::sendAttempt);
}

ClaudeJob::~ClaudeJob()
{
    dropReply();
}

void ClaudeJob::start()
{
    if (m_started)
        return;
    m_started = true;
    if (const QString problem = m_config.baseUrlProblem(); !problem.isEmpty()) {
        finish(failed(ClaudeFailure::Network, problem));
        return;
    }
    const QString key = m_config.apiKey.trimmed();
    if (key.isEmpty()) {
        finish(failed(ClaudeFailure::NoKey,
                      tr("No Anthropic API key is set. Open Settings → Keys to add one.")));
        return;
    }
    if (!isPrintableAscii(key)) {
        // A pasted line break or a stray character would break the header (or smuggle another one).
        finish(failed(ClaudeFailure::BadKey,
                      tr("The Anthropic API key contains characters no key has (a space or a line break?). "
                         "Open Settings → Keys to set it again.")));
        return;
    }
    beginRequest();
}

void ClaudeJob::cancel()
{
    if (m_finished)
        return;
    m_started = true;
    finish(failed(ClaudeFailure::Cancelled, tr("The request to Claude was cancelled.")));
}

void ClaudeJob::beginRequest()
{
    if (m_finished)
        return;
    m_retriesTaken = 0;
    sendAttempt();
}

void ClaudeJob::sendAttempt()
{
    if (m_finished)
        return;
    ++m_attempts;
    m_status = 0;
    m_requestId.clear();
    m_errorBody.clear();
    attemptStarting();

    const Call what = call();
    const QNetworkRequest request = buildRequest(what);
    qCDebug(lcClaude).noquote() << what.method << what.path << "attempt" << m_attempts << "to"
                                << serverName();
    QNetworkReply *reply = nullptr;
    if (what.method == "GET")
        reply = m_network->get(request);
    else if (what.method == "POST")
        reply = m_network->post(request, what.body);
    else
        reply = m_network->sendCustomRequest(request, what.method, what.body);
    reply->setParent(this); // dies with the job, whatever happens to the manager's children
    m_reply = reply;
    m_phase = Phase::AwaitingHeaders;

    connect(reply, &QNetworkReply::metaDataChanged, this, &ClaudeJob::onMetaDataChanged);
    connect(reply, &QNetworkReply::readyRead, this, &ClaudeJob::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &ClaudeJob::onReplyFinished);
    connect(reply, &QNetworkReply::uploadProgress, this, [this](qint64 sent, qint64) {
        // A large request still going out is alive: the connect timeout counts from the last byte sent.
        if (m_phase == Phase::AwaitingHeaders && sent > 0)
            m_watchdog.start();
    });
    m_watchdog.start(m_config.connectTimeout);
}

QNetworkRequest ClaudeJob::buildRequest(const Call &what) const
{
    QUrl url = m_config.endpoint(what.path);
    if (!what.query.isEmpty())
        url.setQuery(what.query);
    QNetworkRequest request(url);
    Loopback::route(request);
    request.setRawHeader("x-api-key", m_config.apiKey.trimmed().toLatin1());
    request.setRawHeader("anthropic-version", ClaudeConfig::kApiVersion);
    request.setRawHeader("accept", what.accept);
    request.setRawHeader("user-agent", "SpawnAI/" SPAWNAI_VERSION);
    request.setRawHeader("x-stainless-retry-count", QByteArray::number(m_retriesTaken));
    if (!what.body.isEmpty())
        request.setRawHeader("content-type", "application/json");
    // The key goes only where the user pointed SpawnAI: a redirect to another origin ends the attempt.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    // Our own timers decide; this only overrides a shorter transfer timeout set on a shared manager.
    const auto backstop = std::max(m_config.connectTimeout, m_config.idleTimeout) + std::chrono::seconds(30);
    request.setTransferTimeout(int(std::min<qint64>(backstop.count(), std::numeric_limits<int>::max())));
    return request;
}

void ClaudeJob::onMetaDataChanged()
{
    takeHeaders();
}

// The final response's status and headers, once: true when the attempt is receiving a body.
bool ClaudeJob::takeHeaders()
{
    if (m_phase == Phase::Receiving)
        return true;
    if (m_phase != Phase::AwaitingHeaders || !m_reply)
        return false;
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status <= 0 || (status >= 300 && status < 400 && m_reply->isRunning()))
        return false; // nothing yet, or a redirect Qt is following (same origin only)
    m_status = status;
    m_requestId = QString::fromLatin1(m_reply->rawHeader("request-id"));
    m_phase = Phase::Receiving;
    m_watchdog.start(m_config.idleTimeout);
    qCDebug(lcClaude).noquote() << "HTTP" << status << "request-id" << m_requestId;
    if (status >= 200 && status < 300)
        responseStarted(*m_reply);
    return m_phase == Phase::Receiving;
}

void ClaudeJob::onReadyRead()
{
    if (!m_reply || !takeHeaders())
        return;
    m_watchdog.start(m_config.idleTimeout);
    consumeSlice();
}

bool ClaudeJob::consumeSlice()
{
    consume(m_reply->read(kSliceBytes));
    if (!m_reply || m_reply->bytesAvailable() == 0)
        return true;
    // readyRead is not emitted again for bytes already buffered: come back for them.
    if (!m_slicePending) {
        m_slicePending = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_slicePending = false;
                if (m_reply && consumeSlice() && m_reply && m_reply->isFinished())
                    onReplyFinished(); // it came while slices were left; it ends the attempt now
            },
            Qt::QueuedConnection);
    }
    return false;
}

void ClaudeJob::consume(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    if (m_status >= 200 && m_status < 300) {
        bodyReceived(bytes);
        return;
    }
    if (m_errorBody.size() < kMaxErrorBodyBytes)
        m_errorBody +=
            QByteArrayView(bytes).first(std::min(bytes.size(), kMaxErrorBodyBytes - m_errorBody.size()));
}

void ClaudeJob::onReplyFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    takeHeaders();
    if (m_phase == Phase::Receiving && reply->bytesAvailable() > 0 && !consumeSlice())
        return; // the rest first, then this again (from consumeSlice)
    if (m_reply != reply)
        return; // the subclass finished or failed on the last bytes

    const QNetworkReply::NetworkError error = reply->error();
    const QString errorString = reply->errorString();
    const QByteArray shouldRetry = reply->rawHeader("x-should-retry").trimmed().toLower();
    const qint64 retryAfter = retryAfterMs(reply->rawHeader("retry-after-ms"),
                                           reply->rawHeader("retry-after"), QDateTime::currentDateTimeUtc());
    const QByteArray location = reply->rawHeader("location");
    const bool receiving = m_phase == Phase::Receiving;
    dropReply();

    if (error == QNetworkReply::InsecureRedirectError || error == QNetworkReply::TooManyRedirectsError) {
        const QUrl target = QUrl::fromEncoded(location);
        const QString where = target.host().isEmpty() ? tr("another address") : target.host();
        failAttempt(
            {.failure = ClaudeFailure::Network,
             .message = tr("%1 redirected the request to %2. SpawnAI does not follow it, so the API key "
                           "is not sent there. Check the API address in Settings.")
                            .arg(serverName(), where)});
        return;
    }
    if (!receiving) {
        failAttempt(transportFailure(error, errorString));
        return;
    }
    if (m_status >= 200 && m_status < 300) {
        bodyEnded(error, errorString);
        return;
    }
    if (m_status < 400) {
        failAttempt(
            {.failure = ClaudeFailure::Protocol,
             .message = tr("%1 answered with HTTP %2, which the Anthropic API does not send. Check the API "
                           "address in Settings.")
                            .arg(serverName())
                            .arg(m_status)});
        return;
    }

    const ClaudeOutcome described = describeHttpError(m_status, m_errorBody, retryAfter);
    if (m_requestId.isEmpty())
        m_requestId = described.requestId;
    bool retryable = isRetryableStatus(m_status);
    if (shouldRetry == "true")
        retryable = true;
    else if (shouldRetry == "false")
        retryable = false;
    if (described.failure == ClaudeFailure::SpendLimit)
        retryable = false; // nothing changes before the next billing month
    failAttempt({.failure = described.failure,
                 .message = described.message,
                 .errorType = described.errorType,
                 .retryable = retryable,
                 .retryAfterMs = retryAfter});
}

void ClaudeJob::onWatchdog()
{
    if (m_phase == Phase::AwaitingHeaders) {
        failAttempt({.failure = ClaudeFailure::Timeout,
                     .message = tr("%1 did not answer within %2.")
                                    .arg(serverName(), durationText(m_config.connectTimeout.count())),
                     .retryable = true});
    } else if (m_phase == Phase::Receiving) {
        failAttempt({.failure = ClaudeFailure::Timeout,
                     .message = tr("Claude stopped answering: nothing arrived from %1 for %2.")
                                    .arg(serverName(), durationText(m_config.idleTimeout.count())),
                     .retryable = true});
    }
}

void ClaudeJob::succeed()
{
    finish({});
}

void ClaudeJob::failAttempt(const AttemptFailure &failure)
{
    if (m_finished)
        return;
    dropReply();
    const auto outcome = [&] {
        ClaudeOutcome result = failed(failure.failure, failure.message);
        result.errorType = failure.errorType;
        result.retryAfterMs = int(std::min<qint64>(failure.retryAfterMs, std::numeric_limits<int>::max()));
        return result;
    };
    if (!failure.retryable || m_retriesTaken >= m_config.maxRetries || contentDelivered()) {
        finish(outcome());
        return;
    }
    qint64 delay = 0;
    if (failure.retryAfterMs > 0) {
        // Asked to wait longer than we are willing to sit silently: say so now instead.
        if (failure.retryAfterMs > m_config.maxRetryWait.count()) {
            finish(outcome());
            return;
        }
        delay = failure.retryAfterMs;
    } else {
        delay = backoffMs(m_retriesTaken, QRandomGenerator::global()->generateDouble());
    }
    ++m_retriesTaken;
    m_phase = Phase::WaitingToRetry;
    m_retryTimer.start(std::chrono::milliseconds(delay));
    qCInfo(lcClaude).noquote() << "retrying in" << delay << "ms after"
                               << ClaudeFailures::name(failure.failure) << "HTTP" << m_status << "request-id"
                               << m_requestId;
    emit retrying(m_attempts + 1, int(delay), failure.message);
}

ClaudeJob::AttemptFailure ClaudeJob::transportFailure(QNetworkReply::NetworkError error,
                                                      const QString &errorString) const
{
    const QString server = serverName();
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        return {.message = tr("Could not connect to %1: the connection was refused. Check the API address in "
                              "Settings.")
                               .arg(server),
                .retryable = true};
    case QNetworkReply::HostNotFoundError:
        return {.message =
                    tr("Could not find the server %1. Check the internet connection and the API address "
                       "in Settings.")
                        .arg(server),
                .retryable = true};
    case QNetworkReply::RemoteHostClosedError:
        return {.message = tr("%1 closed the connection before answering.").arg(server), .retryable = true};
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError: // the manager's transfer timeout
        return {.failure = ClaudeFailure::Timeout,
                .message = tr("The connection to %1 timed out.").arg(server),
                .retryable = true};
    case QNetworkReply::SslHandshakeFailedError:
        // A certificate problem does not go away by asking again.
        return {.message = tr("Could not talk to %1 securely: %2").arg(server, errorString)};
    case QNetworkReply::UnknownProxyError:
    case QNetworkReply::ProtocolUnknownError:
    case QNetworkReply::ProtocolInvalidOperationError:
        return {.message = tr("Could not talk to %1: %2").arg(server, errorString)};
    default:
        return {.message = tr("Could not reach %1: %2").arg(server, errorString), .retryable = true};
    }
}

QString ClaudeJob::serverName() const
{
    const QUrl &url = m_config.baseUrl;
    return url.port() > 0 ? u"%1:%2"_s.arg(url.host()).arg(url.port()) : url.host();
}

void ClaudeJob::dropReply()
{
    m_watchdog.stop();
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    if (!reply)
        return;
    disconnect(reply, nullptr, this, nullptr);
    reply->abort();
    reply->deleteLater();
}

void ClaudeJob::finish(const ClaudeOutcome &outcome)
{
    if (m_finished)
        return;
    m_finished = true;
    m_phase = Phase::Finished;
    dropReply();
    m_retryTimer.stop();

    ClaudeOutcome final = outcome;
    final.attempts = m_attempts;
    final.httpStatus = m_status;
    if (final.requestId.isEmpty())
        final.requestId = m_requestId;
    if (final.ok())
        qCDebug(lcClaude).noquote() << "done after" << final.attempts << "attempt(s), request-id"
                                    << final.requestId;
    else
        qCInfo(lcClaude).noquote() << "failed:" << ClaudeFailures::name(final.failure) << "HTTP"
                                   << final.httpStatus << "after" << final.attempts
                                   << "attempt(s), request-id" << final.requestId;
    // Always from the event loop: a caller connects after start() and never sees finished re-enter it.
    QMetaObject::invokeMethod(
        this,
        [this, final] {
            deliver(final);
            deleteLater();
        },
        Qt::QueuedConnection);
}

qint64 ClaudeJob::retryAfterMs(QByteArrayView retryAfterMsHeader, QByteArrayView retryAfterHeader,
                               const QDateTime &now)
{
    return RetryAfter::parseMs(retryAfterMsHeader, retryAfterHeader, now, kMaxRetryAfterMs);
}

int ClaudeJob::backoffMs(int retriesTaken, double random)
{
    const double base = std::min(0.5 * std::pow(2.0, std::clamp(retriesTaken, 0, 10)), 8.0);
    const double jitter = 1.0 - 0.25 * std::clamp(random, 0.0, 1.0);
    return int(std::lround(base * jitter * 1000.0));
}

bool ClaudeJob::isRetryableStatus(int status)
{
    return status == 408 || status == 409 || status == 429 || status >= 500;
}

ClaudeOutcome ClaudeJob::describeHttpError(int status, const QByteArray &body, qint64 retryAfter)
{
    const QJsonObject document = QJsonDocument::fromJson(body).object();
    const QJsonObject error = document.value(u"error"_s).toObject();
    const QString type = error.value(u"type"_s).toString();
    const QString apiMessage = apiWords(error.value(u"message"_s).toString());
    const QString errorCode = error.value(u"details"_s).toObject().value(u"error_code"_s).toString();

    ClaudeOutcome outcome;
    outcome.httpStatus = status;
    outcome.errorType = type;
    outcome.requestId = document.value(u"request_id"_s).toString();
    outcome.retryAfterMs = int(std::min<qint64>(retryAfter, std::numeric_limits<int>::max()));
    const auto set = [&outcome](ClaudeFailure failure, const QString &message) {
        outcome.failure = failure;
        outcome.message = message;
    };
    // Appends what the API said, when it said something.
    const auto saying = [&apiMessage](const QString &text) {
        return apiMessage.isEmpty() ? text : text + u' ' + tr("Anthropic said: “%1”").arg(apiMessage);
    };

    if (status == 529 || type == "overloaded_error"_L1) {
        set(ClaudeFailure::Overloaded,
            tr("Anthropic's API is overloaded right now (this is not your rate limit). "
               "Try again in a few minutes."));
    } else if (status == 401) {
        set(ClaudeFailure::BadKey,
            tr("Anthropic rejected the API key. Open Settings → Keys to set a valid one."));
    } else if (status == 402) {
        set(ClaudeFailure::Billing,
            saying(tr("Anthropic reports a billing problem with this account. Check the plan "
                      "and payment details in the Anthropic Console.")));
    } else if (status == 403) {
        set(ClaudeFailure::Forbidden,
            saying(tr("This API key is not allowed to do that. Check the key's workspace "
                      "and model access in the Anthropic Console.")));
    } else if (status == 404) {
        set(ClaudeFailure::BadRequest,
            saying(tr("Anthropic does not know this model or address. Check the model "
                      "and the API address in Settings.")));
    } else if (status == 408) {
        set(ClaudeFailure::Timeout, tr("Anthropic timed out waiting for the request. Try again."));
    } else if (status == 409) {
        set(ClaudeFailure::Server,
            tr("Anthropic reported a conflict with another request. Try again in a moment."));
    } else if (status == 413) {
        set(ClaudeFailure::TooLarge, tr("The request is larger than Anthropic accepts (32 MB). Make the app "
                                        "smaller and try again."));
    } else if (status == 429 && errorCode == "enforced_spend_limit_reached"_L1) {
        set(ClaudeFailure::SpendLimit,
            tr("Your Anthropic organization reached its monthly spend limit, so trying "
               "again will not help. Raise the limit in the Anthropic Console or wait "
               "for the next month."));
    } else if (status == 429) {
        set(ClaudeFailure::RateLimited,
            retryAfter >= 0 ? tr("Anthropic's rate limit for this key was reached. Try again in %1.")
                                  .arg(durationText(std::max<qint64>(retryAfter, 1000)))
                            : tr("Anthropic's rate limit for this key was reached. Try again in a minute."));
    } else if (status == 400 && apiMessage.contains("prompt is too long"_L1, Qt::CaseInsensitive)) {
        // "prompt is too long: 250000 tokens > 200000 maximum"
        static const QRegularExpression counts(uR"((\d+)\s*tokens\s*>\s*(\d+))"_s);
        const QRegularExpressionMatch match = counts.match(apiMessage);
        set(ClaudeFailure::BadRequest,
            match.hasMatch() ? tr("The prompt and the app (%1 tokens) are larger than the model's context "
                                  "window (%2 tokens). "
                                  "Shorten the prompt, make the app smaller or choose a model with a larger "
                                  "context window.")
                                   .arg(match.captured(1), match.captured(2))
                             : tr("The prompt and the app are larger than the model's context window. "
                                  "Shorten the prompt, make "
                                  "the app smaller or choose a model with a larger context window."));
    } else if (status >= 400 && status < 500) {
        set(ClaudeFailure::BadRequest, apiMessage.isEmpty()
                                           ? tr("Anthropic refused the request (HTTP %1).").arg(status)
                                           : tr("Anthropic refused the request: %1").arg(apiMessage));
    } else if (status == 504) {
        set(ClaudeFailure::Server, tr("Anthropic's gateway timed out. Try again in a moment."));
    } else if (status == 500) {
        set(ClaudeFailure::Server, tr("Anthropic had an internal error. Try again in a moment."));
    } else {
        set(ClaudeFailure::Server,
            tr("Anthropic's server answered with an error (HTTP %1). Try again in a moment.").arg(status));
    }
    return outcome;
}
