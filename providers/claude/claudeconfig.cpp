#include "claudeconfig.h"

#include "http/loopback.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ClaudeConfig", text);
}

} // namespace

QString ClaudeConfig::baseUrlProblem() const
{
    const QString shown = baseUrl.toDisplayString(QUrl::RemoveUserInfo);
    if (!baseUrl.isValid() || baseUrl.isRelative() || baseUrl.host().isEmpty())
        return tr("The Anthropic API address “%1” is not a valid URL. Fix it in Settings.").arg(shown);
    if (!baseUrl.userInfo().isEmpty())
        return tr("The Anthropic API address must not contain a user name or password; the key is sent "
                  "separately. Fix it in Settings.");
    const QString scheme = baseUrl.scheme().toLower();
    if (scheme == "https"_L1)
        return {};
    if (scheme == "http"_L1) {
        if (Loopback::isLoopbackHost(baseUrl.host()))
            return {};
        return tr("SpawnAI sends the API key only over https:// (plain http:// is allowed for this computer "
                  "only), so it did not contact %1. Fix the address in Settings.")
            .arg(shown);
    }
    return tr("The Anthropic API address “%1” must start with https://. Fix it in Settings.").arg(shown);
}

QUrl ClaudeConfig::endpoint(const QString &path) const
{
    QUrl url = baseUrl;
    QString prefix = url.path();
    while (prefix.endsWith(u'/'))
        prefix.chop(1);
    url.setPath(prefix + (path.startsWith(u'/') ? path : u'/' + path));
    url.setQuery(QString());
    url.setFragment(QString());
    return url;
}
