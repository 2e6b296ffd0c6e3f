#include "appcore.h"

#include "e2b/e2bprovider.h"
#include "fly/flyprovider.h"
#include "local/localprovider.h"
#include "paths.h"
#include "secretstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QNetworkAccessManager>

#include <memory>

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
{
    reloadPricing(); // in the body: m_settings is constructed after m_pricing
    m_controller = new SessionController(*m_store, *m_instance, m_pricing, this);
    m_local = new LocalProvider(LocalProviderOptions::fromEnvironment(Paths::runDir()));
    m_controller->addProvider(m_local);
    m_network = new QNetworkAccessManager(this);
    m_e2b = new E2bProvider(m_network, m_settings.e2bOptions());
    m_controller->addProvider(m_e2b);
    m_fly = new FlyProvider(m_network, m_settings.flyOptions());
    m_controller->addProvider(m_fly);
    applySettings();
}

void AppCore::reloadPricing()
{
    m_pricing = PricingCatalogue::shipped().withOverrides(m_settings.rateOverrides());
}

void AppCore::applySettings()
{
    reloadPricing();

    LocalProviderOptions options = m_local->options();
    options.allowUnsandboxed = m_settings.allowUnsandboxed();
    options.startTimeoutMs = int(m_settings.localStartTimeoutSeconds() * 1000);
    m_local->setOptions(options);

    E2bOptions e2b = m_settings.e2bOptions();
    e2b.api.authValue = m_e2b->options().api.authValue;
    m_e2b->setOptions(e2b);

    FlyOptions fly = m_settings.flyOptions();
    fly.api.authValue = m_fly->options().api.authValue;
    m_fly->setOptions(fly);
}

void AppCore::setProviderKey(const QString &provider, const QString &key)
{
    if (provider == E2bProvider::kKey)
        m_e2b->setApiKey(key);
    else if (provider == FlyProvider::kKey)
        m_fly->setApiKey(key);
}

void AppCore::loadProviderKeys(std::function<void()> done)
{
    if (!m_secrets)
        m_secrets = new SecretStore(this);
    const QStringList cloud{E2bProvider::kKey, FlyProvider::kKey};
    auto pending = std::make_shared<int>(int(cloud.size()));
    for (const QString &provider : cloud) {
        m_secrets->read(provider, this, [this, provider, pending, done](const SecretResult &result) {
            if (result.ok())
                setProviderKey(provider, result.secret);
            else if (result.status == SecretStatus::NotFound)
                setProviderKey(provider, {}); // removed
            if (--*pending == 0 && done)
                done();
        });
    }
}

AppCore::~AppCore()
{
    delete m_controller; // providers (and their sandboxes) go first, while the store is still open
}
