#include "loopback.h"

#include <QHostAddress>
#include <QNetworkRequest>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Loopback {

namespace {

bool isLocalhostName(const QString &host)
{
    return host.compare("localhost"_L1, Qt::CaseInsensitive) == 0 ||
           host.endsWith(".localhost"_L1, Qt::CaseInsensitive);
}

} // namespace

bool isLoopbackHost(const QString &host)
{
    if (isLocalhostName(host))
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

void route(QNetworkRequest &request)
{
    QUrl url = request.url();
    const QString host = url.host();
    if (!host.endsWith(".localhost"_L1, Qt::CaseInsensitive))
        return;
    QByteArray hostHeader = host.toLatin1();
    if (url.port() > 0)
        hostHeader += ':' + QByteArray::number(url.port());
    request.setRawHeader("Host", hostHeader);
    url.setHost(u"127.0.0.1"_s);
    request.setUrl(url);
}

} // namespace Loopback
