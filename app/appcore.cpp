#include "appcore.h"

#include "local/localprovider.h"
#include "paths.h"

#include <QCoreApplication>
#include <QDir>

Result<std::unique_ptr<AppCore>> AppCore::open()
{
    if (!QDir().mkpath(Paths::dataDir()))
        return Error{QCoreApplication::translate("AppCore", "Cannot create SpawnAI's data folder %1.")
                         .arg(Paths::dataDir())};
    auto store = Store::open(Paths::databasePath());
    if (!store)
        return Error{store.error()};
    auto instance = InstanceLock::acquire(Paths::dataDir());
    if (!instance)
        return Error{instance.error()};
    return std::unique_ptr<AppCore>(new AppCore(std::move(*store), std::move(*instance)));
}

AppCore::AppCore(std::unique_ptr<Store> store, std::unique_ptr<InstanceLock> instance)
    : m_store(std::move(store))
    , m_instance(std::move(instance))
    , m_pricing(PricingCatalogue::shipped())
{
    m_controller = new SessionController(*m_store, *m_instance, m_pricing, this);
    m_local = new LocalProvider(LocalProviderOptions::fromEnvironment(Paths::runDir()));
    m_controller->addProvider(m_local);
    applySettings();
}

void AppCore::applySettings()
{
    LocalProviderOptions options = m_local->options();
    options.allowUnsandboxed = m_settings.allowUnsandboxed();
    options.startTimeoutMs = int(m_settings.localStartTimeoutSeconds() * 1000);
    m_local->setOptions(options);
}

AppCore::~AppCore()
{
    delete m_controller; // providers (and their sandboxes) go first, while the store is still open
}
