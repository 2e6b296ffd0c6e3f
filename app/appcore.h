#pragma once

#include "appsettings.h"
#include "instancelock.h"
#include "pricingcatalogue.h"
#include "result.h"
#include "sessioncontroller.h"
#include "store.h"

#include <QObject>

#include <functional>
#include <memory>

class E2bProvider;
class FlyProvider;
class LocalProvider;
class QNetworkAccessManager;
class SecretStore;

// The composition root shared by the CLI and the GUI: the store, this process's instance lock, pricing,
// settings, the providers and the session controller.
class AppCore final : public QObject
{
    Q_OBJECT
public:
    // Opens the store in the data directory and wires the providers. Fails with a message the user can act
    // on.
    static Result<std::unique_ptr<AppCore>> open();
    ~AppCore() override;

    Store &store() { return *m_store; }
    SessionController &controller() { return *m_controller; }
    const PricingCatalogue &pricing() const { return m_pricing; }
    AppSettings &settings() { return m_settings; }
    // Hands changed settings to the providers (the sandbox opt-out, the start timeout, API addresses) and
    // reloads the pricing.
    void applySettings();
    // The shipped prices with the user's own rates from the settings. Assigns pricing() in place: the session
    // controller, the table model and the deploy bar hold references to it. Sessions keep the rate they were
    // deployed at.
    void reloadPricing();
    // Reads the cloud providers' keys from the keychain and hands them over; `done` runs when every read
    // answered. A provider without a key stays unusable (Provider::setupProblem() says why).
    void loadProviderKeys(std::function<void()> done);
    // One provider's key changed (Settings, `spawnai key`); empty: removed.
    void setProviderKey(const QString &provider, const QString &key);

private:
    AppCore(std::unique_ptr<Store> store, std::unique_ptr<InstanceLock> instance);

    std::unique_ptr<Store> m_store;
    std::unique_ptr<InstanceLock> m_instance;
    PricingCatalogue m_pricing;
    AppSettings m_settings;
    SessionController *m_controller = nullptr;
    LocalProvider *m_local = nullptr;
    E2bProvider *m_e2b = nullptr;
    FlyProvider *m_fly = nullptr;
    QNetworkAccessManager *m_network = nullptr;
    SecretStore *m_secrets = nullptr;
};
