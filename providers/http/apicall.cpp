#include "apicall.h"

#include "loopback.h"
#include "providerlogging.h"
#include "redactor.h"
#include "retryafter.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QRandomGenerator>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ApiCall", text);
}

QString seconds(qint64 ms)
{
    const qint64 s = (ms + 999) / 1000;
    return s < 120 ? tr("%1 s").arg(s) : tr("%1 min").arg((s + 59) / 60);
}

bool mentions(const QString &text, std::initializer_list<QLatin1StringView> words)
{
    return std::any_of(words.begin(), words.end(),
                       [&](QLatin1StringView w) { return text.contains(w, Qt::CaseInsensitive); });
}

} // namespace

ApiCall::ApiCall(QNetworkAccessManager *network, ApiEndpoint endpoint, ApiRequest request, QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_endpoint(std::move(endpoint))
    , m_request(std::move(request))
{
    m_retryTimer.setSingleShot(true);
    m_retryTimer.setTimerType(Qt::PreciseTimer); // a coarse timer may fire 5 % early: before Retry-After
    connect(&m_retryTimer, &QTimer::timeout, this, &ApiCall::sendAttempt);
}

ApiCall::~ApiCall()
{
    dropReply();
}

void ApiCall::start()
{
    if (const QString problem = m_endpoint.problem(); !problem.isEmpty()) {
        finish(ApiReply::failure(ApiError::Invalid, problem));
        return;
    }
    sendAttempt();
}

void ApiCall::cancel()
{
    if (m_finished)
        return;
    m_cancelled = true;
    m_retryTimer.stop();
    dropReply();
    finish(ApiReply::failure(ApiError::Cancelled, tr("Cancelled.")));
}

void ApiCall::finishNow()
{
    if (m_finished)
        return;
    m_finishingNow = true;
    ApiReply reply;
    if (m_reply)
        takeHead(*m_reply, reply);
    reply.body = m_body;
    reply.attempts = m_attempts;
    dropReply();
    finish(reply);
}

void ApiCall::sendAttempt()
{
    ++m_attempts;
    m_body.clear();
    QNetworkRequest request(m_request.url);
    Loopback::route(request);
    if (m_request.authenticated && !m_endpoint.authHeader.isEmpty())
        request.setRawHeader(m_endpoint.authHeader, m_endpoint.authValue);
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("User-Agent", "SpawnAI/" SPAWNAI_VERSION);
    if (!m_request.body.isEmpty() || m_request.method == "POST" || m_request.method == "PUT")
        request.setRawHeader("Content-Type", m_request.contentType);
    for (const auto &[name, value] : std::as_const(m_request.headers))
        request.setRawHeader(name, value);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setTransferTimeout(timeoutMs());

    qCDebug(lcHttp).noquote() << target() << "attempt" << m_attempts;
    m_reply = m_network->sendCustomRequest(request, m_request.method, m_request.body);
    connect(m_reply, &QNetworkReply::readyRead, this, &ApiCall::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &ApiCall::onReplyFinished);
}

void ApiCall::onReadyRead()
{
    if (!m_reply)
        return;
    const QByteArray bytes = m_reply->readAll();
    m_body += bytes;
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_request.streamed && status >= 200 && status < 300 && !bytes.isEmpty())
        emit bytesReceived(bytes); // may call finishNow()
}

void ApiCall::onReplyFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply || m_finished)
        return;
    if (reply->isOpen())
        m_body += reply->readAll();
    ApiReply result;
    result.attempts = m_attempts;
    takeHead(*reply, result);
    result.body = m_body;
    result.json = QJsonDocument::fromJson(m_body);
    const QNetworkReply::NetworkError error = reply->error();
    const QString errorString = reply->errorString();
    dropReply();

    qCInfo(lcHttp).noquote() << target() << "→" << (result.status ? QString::number(result.status) : u"-"_s)
                             << (error == QNetworkReply::NoError ? QString() : Redactor::redact(errorString));

    if (error == QNetworkReply::InsecureRedirectError || error == QNetworkReply::TooManyRedirectsError ||
        (result.status >= 300 && result.status < 400)) {
        result.error = ApiError::Redirected;
        result.message =
            tr("%1 redirected the request to another address; SpawnAI does not follow it, so the "
               "key is not sent anywhere else.")
                .arg(m_endpoint.service);
        finish(result);
        return;
    }
    if (result.status >= 200 && result.status < 300) {
        if (error != QNetworkReply::NoError) { // the body was cut off
            result.error = ApiError::Network;
            result.ambiguous = true;
            result.message =
                tr("The connection to %1 broke during the answer: %2").arg(m_endpoint.service, errorString);
            failAttempt(result, m_request.idempotent);
            return;
        }
        finish(result);
        return;
    }
    if (result.status == 0) {
        const bool timedOut =
            error == QNetworkReply::OperationCanceledError || error == QNetworkReply::TimeoutError;
        const bool neverArrived =
            error == QNetworkReply::ConnectionRefusedError || error == QNetworkReply::HostNotFoundError;
        result.error = timedOut ? ApiError::TimedOut : ApiError::Network;
        result.ambiguous = !neverArrived;
        result.message =
            timedOut
                ? tr("%1 did not answer for %2 (timed out).").arg(m_endpoint.service, seconds(timeoutMs()))
                : tr("Could not reach %1 at %2: %3. Check the network connection.")
                      .arg(m_endpoint.service, m_request.url.host(), Redactor::redact(errorString));
        failAttempt(result, neverArrived || m_request.idempotent);
        return;
    }

    result.retryAfterMs = RetryAfter::parseMs(result.header("retry-after-ms"), result.header("retry-after"),
                                              QDateTime::currentDateTimeUtc(), 24LL * 3600 * 1000);
    result.error = classify(result.status, result.body);
    result.ambiguous = result.status >= 500;
    const bool retryable =
        result.error == ApiError::RateLimited ||
        (m_request.idempotent && (result.status == 408 || result.status >= 500) && result.status != 501);
    failAttempt(result, retryable);
}

void ApiCall::failAttempt(ApiReply reply, bool retryable)
{
    reply.message = reply.message.isEmpty() ? describe(reply) : reply.message;
    if (!retryable || m_attempts > m_endpoint.maxRetries || m_cancelled) {
        finish(reply);
        return;
    }
    int delay =
        backoffMs(m_attempts - 1, m_endpoint.retryBaseMs, QRandomGenerator::global()->generateDouble());
    if (reply.retryAfterMs >= 0) {
        if (reply.retryAfterMs > m_endpoint.maxRetryWaitMs) {
            finish(reply); // the message says when to come back
            return;
        }
        delay = int(reply.retryAfterMs);
    }
    qCInfo(lcHttp).noquote() << target() << "retrying in" << delay << "ms:" << ApiErrors::name(reply.error);
    m_retryTimer.start(delay);
}

void ApiCall::finish(ApiReply reply)
{
    if (m_finished)
        return;
    m_finished = true;
    reply.attempts = m_attempts;
    if (!reply.ok())
        qCWarning(lcHttp).noquote() << target() << "failed:" << ApiErrors::name(reply.error)
                                    << Redactor::redact(reply.message);
    QMetaObject::invokeMethod(
        this,
        [this, reply] {
            emit finished(reply);
            deleteLater();
        },
        Qt::QueuedConnection);
}

void ApiCall::dropReply()
{
    if (!m_reply)
        return;
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    disconnect(reply, nullptr, this, nullptr);
    reply->abort();
    reply->deleteLater();
}

ApiError ApiCall::classify(int status, const QByteArray &body)
{
    const QString text = errorText(body) + u' ' + QString::fromUtf8(body.left(2048));
    if (status == 429)
        return mentions(text, {"concurrent"_L1, "quota"_L1, "maximum number"_L1}) ? ApiError::Quota
                                                                                  : ApiError::RateLimited;
    if (status == 402 || ((status == 403 || status == 422) && mentions(text, {"limit"_L1, "quota"_L1})))
        return ApiError::Quota;
    if (status == 401 || status == 403)
        return ApiError::BadKey;
    if (status == 404)
        return ApiError::NotFound;
    if (mentions(text, {"capacity"_L1}) || status == 503)
        return ApiError::Capacity;
    if (status == 408)
        return ApiError::TimedOut;
    if (status == 409 || status == 422)
        return ApiError::Conflict;
    if (status >= 500)
        return ApiError::Server;
    return ApiError::Invalid;
}

QString ApiCall::errorText(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    for (const QString &key : {u"message"_s, u"error"_s}) {
        const QJsonValue value = object.value(key);
        if (value.isString() && !value.toString().isEmpty())
            return value.toString();
        if (value.isObject() && value.toObject().value(u"message"_s).isString())
            return value.toObject().value(u"message"_s).toString();
    }
    return {};
}

int ApiCall::backoffMs(int retriesTaken, int baseMs, double random)
{
    const int capped = std::min(baseMs * (1 << std::clamp(retriesTaken, 0, 10)), baseMs * 10);
    return int(capped * (0.5 + 0.5 * std::clamp(random, 0.0, 1.0)));
}

QString ApiCall::describe(const ApiReply &reply) const
{
    const QString service = m_endpoint.service;
    QString said = Redactor::redact(errorText(reply.body));
    if (said.isEmpty())
        said = tr("HTTP %1").arg(reply.status);
    switch (reply.error) {
    case ApiError::BadKey:
        return tr("%1 refused the API key (%2). Check it in Settings → Keys.").arg(service, said);
    case ApiError::Quota:
        return tr("%1 says a limit of your plan was reached: %2").arg(service, said);
    case ApiError::RateLimited:
        return reply.retryAfterMs >= 0
                   ? tr("%1 is limiting how fast SpawnAI may call it. Try again in %2.")
                         .arg(service, seconds(std::max<qint64>(reply.retryAfterMs, 1000)))
                   : tr("%1 is limiting how fast SpawnAI may call it. Try again in a minute.").arg(service);
    case ApiError::Capacity:
        return tr("%1 has no capacity for this right now (%2). Try again in a few minutes, or pick another "
                  "size "
                  "or region.")
            .arg(service, said);
    case ApiError::NotFound:
        return tr("%1 does not know it (%2).").arg(service, said);
    case ApiError::Conflict:
    case ApiError::Invalid:
        return tr("%1 refused the request: %2").arg(service, said);
    case ApiError::TimedOut:
        return tr("%1 did not answer in time (%2).").arg(service, said);
    case ApiError::Server:
        return tr("%1 had a server error (%2). Try again shortly.").arg(service, said);
    case ApiError::Malformed:
        return tr("%1 sent an answer SpawnAI cannot read.").arg(service);
    case ApiError::None:
    case ApiError::Network:
    case ApiError::Redirected:
    case ApiError::Cancelled:
        break;
    }
    return said;
}

void ApiCall::takeHead(const QNetworkReply &reply, ApiReply &into)
{
    into.status = reply.attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    for (const auto &[name, value] : reply.rawHeaderPairs())
        into.headers.insert(name.toLower(), value);
}

int ApiCall::timeoutMs() const
{
    return m_request.timeoutMs > 0 ? m_request.timeoutMs : m_endpoint.timeoutMs;
}

QString ApiCall::target() const
{
    return QString::fromLatin1(m_request.method) + u' ' +
           Redactor::redact(m_request.url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
}
