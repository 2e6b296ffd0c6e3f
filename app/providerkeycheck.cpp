#include "providerkeycheck.h"

#include "appsettings.h"
#include "http/apicall.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace ProviderKeyCheck {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ProviderKeyCheck", text);
}

} // namespace

bool supports(const QString &provider)
{
    return provider == "e2b"_L1 || provider == "fly"_L1;
}

void start(QNetworkAccessManager &network, const AppSettings &settings, const QString &provider,
           const QString &key, QObject *context, std::function<void(bool, const QString &)> done)
{
    ApiEndpoint endpoint;
    ApiRequest request;
    if (provider == "e2b"_L1) {
        endpoint = settings.e2bOptions().api;
        endpoint.authValue = key.trimmed().toLatin1();
        request = E2bApi::checkKey(endpoint);
    } else {
        const FlyOptions fly = settings.flyOptions();
        endpoint = fly.api;
        endpoint.authValue = FlyApi::authorization(key);
        request = FlyApi::listApps(fly);
    }
    endpoint.maxRetries = 1;
    auto *call = new ApiCall(&network, endpoint, request, nullptr);
    const QString service = endpoint.service;
    const QString org = settings.flyOptions().org;
    QObject::connect(call, &ApiCall::finished, context,
                     [done, service, org, provider](const ApiReply &reply) {
                         if (!reply.ok()) {
                             done(false, reply.message);
                             return;
                         }
                         if (provider == "fly"_L1)
                             done(true, tr("Fly.io accepted the token: organisation “%1” has %2 app(s).")
                                            .arg(org)
                                            .arg(reply.json.object().value(u"total_apps"_s).toInt()));
                         else
                             done(true, tr("%1 accepted the key.").arg(service));
                     });
    call->start();
}

} // namespace ProviderKeyCheck
