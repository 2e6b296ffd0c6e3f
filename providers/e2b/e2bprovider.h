#pragma once

#include "e2bapi.h"
#include "provider.h"

class QNetworkAccessManager;

// E2B sandboxes (e2b.md): a Firecracker microVM per session, an HTTPS URL per port, a server-side timeout
// that ends it at expiry even when SpawnAI is gone. Needs an API key (Settings → Keys).
class E2bProvider final : public Provider
{
    Q_OBJECT
public:
    static inline const QString kKey = QStringLiteral("e2b");

    E2bProvider(QNetworkAccessManager *network, E2bOptions options, QObject *parent = nullptr);

    const E2bOptions &options() const { return m_options; }
    void setOptions(const E2bOptions &options) { m_options = options; }
    void setApiKey(const QString &key);
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
    E2bOptions m_options;
};
