#include "apitypes.h"

#include "loopback.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

QString ApiEndpoint::problem() const
{
    const QString shown = baseUrl.toDisplayString(QUrl::RemoveUserInfo);
    if (!baseUrl.isValid() || baseUrl.isRelative() || baseUrl.host().isEmpty())
        return QCoreApplication::translate("ApiEndpoint", "The %1 API address “%2” is not a valid URL.")
            .arg(service, shown);
    if (!baseUrl.userInfo().isEmpty())
        return QCoreApplication::translate("ApiEndpoint",
                                           "The %1 API address must not contain a user name or password.")
            .arg(service);
    const QString scheme = baseUrl.scheme().toLower();
    if (scheme == "https"_L1 || (scheme == "http"_L1 && Loopback::isLoopbackHost(baseUrl.host())))
        return {};
    return QCoreApplication::translate(
               "ApiEndpoint", "SpawnAI sends the %1 key only over https:// (plain http:// only to this "
                              "computer), so it did not contact %2.")
        .arg(service, shown);
}

QUrl ApiEndpoint::url(const QString &path, const QUrlQuery &query) const
{
    QUrl result = baseUrl;
    QString basePath = result.path();
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    result.setPath(basePath + path);
    if (!query.isEmpty())
        result.setQuery(query);
    return result;
}

namespace ApiErrors {

QString name(ApiError error)
{
    switch (error) {
    case ApiError::None:
        return u"none"_s;
    case ApiError::BadKey:
        return u"bad-key"_s;
    case ApiError::Quota:
        return u"quota"_s;
    case ApiError::RateLimited:
        return u"rate-limited"_s;
    case ApiError::Capacity:
        return u"capacity"_s;
    case ApiError::NotFound:
        return u"not-found"_s;
    case ApiError::Conflict:
        return u"conflict"_s;
    case ApiError::Invalid:
        return u"invalid"_s;
    case ApiError::Network:
        return u"network"_s;
    case ApiError::TimedOut:
        return u"timed-out"_s;
    case ApiError::Server:
        return u"server"_s;
    case ApiError::Malformed:
        return u"malformed"_s;
    case ApiError::Redirected:
        return u"redirected"_s;
    case ApiError::Cancelled:
        return u"cancelled"_s;
    }
    return {};
}

FailureReason failureReason(ApiError error)
{
    switch (error) {
    case ApiError::None:
        return FailureReason::None;
    case ApiError::BadKey:
        return FailureReason::BadKey;
    case ApiError::Quota:
    case ApiError::RateLimited:
        return FailureReason::ProviderLimit;
    case ApiError::Capacity:
    case ApiError::Network:
    case ApiError::TimedOut:
    case ApiError::Server:
        return FailureReason::ProviderUnavailable;
    case ApiError::Cancelled:
        return FailureReason::Cancelled;
    case ApiError::NotFound:
    case ApiError::Conflict:
    case ApiError::Invalid:
    case ApiError::Malformed:
    case ApiError::Redirected:
        break;
    }
    return FailureReason::ProviderError;
}

std::pair<FailureReason, QString> describe(const ApiReply &reply, const QString &service, const QString &what)
{
    if (reply.ok())
        return {FailureReason::None, {}};
    return {failureReason(reply.error),
            QCoreApplication::translate("ApiErrors", "%1, %2: %3").arg(service, what, reply.message)};
}

} // namespace ApiErrors
