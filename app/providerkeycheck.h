#pragma once

#include <QString>

#include <functional>

class AppSettings;
class QNetworkAccessManager;
class QObject;

// Whether a cloud provider accepts a key, asked with its cheapest authenticated call (E2B: list one sandbox;
// Fly.io: list the organisation's apps): what Settings → Keys → Test and `spawnai key test` run.
namespace ProviderKeyCheck {

bool supports(const QString &provider); // e2b, fly
// `done` is called once, later, while `context` lives, with a summary for people.
void start(QNetworkAccessManager &network, const AppSettings &settings, const QString &provider,
           const QString &key, QObject *context, std::function<void(bool accepted, const QString &summary)> done);

} // namespace ProviderKeyCheck
