#pragma once

#include "appsettings.h"
#include "instancelock.h"
#include "pricingcatalogue.h"
#include "result.h"
#include "sessioncontroller.h"
#include "store.h"

#include <QObject>

#include <memory>

class LocalProvider;

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
    // Hands changed settings to the providers (the sandbox opt-out, the start timeout).
    void applySettings();

private:
    AppCore(std::unique_ptr<Store> store, std::unique_ptr<InstanceLock> instance);

    std::unique_ptr<Store> m_store;
    std::unique_ptr<InstanceLock> m_instance;
    PricingCatalogue m_pricing;
    AppSettings m_settings;
    SessionController *m_controller = nullptr;
    LocalProvider *m_local = nullptr;
};
