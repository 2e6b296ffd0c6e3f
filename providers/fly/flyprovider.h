#pragma once

#include "flyapi.h"
#include "provider.h"

class QNetworkAccessManager;

// Fly.io Machines (fly.md): one app and one machine per session at https://<app>.fly.dev, ending by itself
// at expiry (a `timeout` deadline inside the machine with auto_destroy). Needs an org token (Settings →
// Keys).
class FlyProvider final : public Provider
{
    Q_OBJECT
public:
    static inline const QString kKey = QStringLiteral("fly");
    static constexpr qint64 kMaxLifetimeSeconds = 24 * 3600; // SpawnAI's limit: sessions are ephemeral

    FlyProvider(QNetworkAccessManager *network, FlyOptions options, QObject *parent = nullptr);

    const FlyOptions &options() const { return m_options; }
    void setOptions(const FlyOptions &options) { m_options = options; }
    void setApiKey(const QString &token);
    bool hasKey() const { return !m_options.api.authValue.isEmpty(); }

    ProviderCapabilities capabilities() const override;
    QString setupProblem() const override;
    DeployJob *deploy(const DeployRequest &request) override;
    DeployJob *redeploy(const QString &resourceId, const DeployRequest &request) override;
    ProviderJob *destroy(const QString &resourceId, const QString &sessionId) override;
    ProviderJob *extend(const QString &resourceId, const QDateTime &newExpiresAt) override;
    ListJob *list(const QString &installId) override;

private:
    QNetworkAccessManager *m_network;
    FlyOptions m_options;
};
