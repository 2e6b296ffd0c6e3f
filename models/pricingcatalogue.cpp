#include "pricingcatalogue.h"

#include "pricingparser.h"

#include <QCoreApplication>
#include <QFile>
#include <QLoggingCategory>

#include <algorithm>
#include <cmath>
#include <utility>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcPricing, "spawnai.models.pricing")

namespace {

constexpr double kTokensPerPrice = 1'000'000; // Claude prices are per million tokens
constexpr double kSecondsPerHour = 3600;

} // namespace

double MinimumCharge::amount(double ratePerSecond) const
{
    return std::max(double(seconds) * ratePerSecond, usd);
}

const TokenTier &TokenPrices::tierFor(qint64 promptTokens) const
{
    Q_ASSERT(!tiers.isEmpty());
    for (const TokenTier &tier : tiers) {
        if (tier.maxPromptTokens == 0 || promptTokens <= tier.maxPromptTokens)
            return tier;
    }
    return tiers.last();
}

Result<PricingCatalogue> PricingCatalogue::load(const QByteArray &json)
{
    Result<PricingParser::Contents> parsed = PricingParser::parse(json);
    if (!parsed)
        return Error{parsed.error()};
    PricingCatalogue catalogue;
    catalogue.m_schema = parsed->schema;
    catalogue.m_updated = std::move(parsed->updated);
    catalogue.m_providers = std::move(parsed->providers);
    catalogue.m_models = std::move(parsed->models);
    return catalogue;
}

PricingCatalogue PricingCatalogue::shipped()
{
    static const PricingCatalogue catalogue = [] {
        QFile file(u":/spawnai/pricing.json"_s);
        if (!file.open(QIODevice::ReadOnly)) {
            qCCritical(lcPricing) << "The shipped pricing.json is missing:" << file.errorString();
            return PricingCatalogue();
        }
        Result<PricingCatalogue> loaded = load(file.readAll());
        if (!loaded) {
            qCCritical(lcPricing) << "The shipped pricing.json is broken:" << loaded.error();
            return PricingCatalogue();
        }
        return std::move(loaded).value();
    }();
    return catalogue;
}

QStringList PricingCatalogue::providers() const
{
    return m_providers.keys();
}

const ProviderPricing *PricingCatalogue::provider(const QString &key) const
{
    const auto it = m_providers.constFind(key);
    return it == m_providers.cend() ? nullptr : &it.value();
}

QList<SizePricing> PricingCatalogue::sizes(const QString &providerKey) const
{
    const ProviderPricing *pricing = provider(providerKey);
    return pricing ? pricing->sizes : QList<SizePricing>();
}

QString PricingCatalogue::defaultSize(const QString &providerKey) const
{
    const ProviderPricing *pricing = provider(providerKey);
    return pricing ? pricing->defaultSize : QString();
}

std::optional<Rate> PricingCatalogue::rate(const QString &providerKey, const QString &size) const
{
    const ProviderPricing *pricing = provider(providerKey);
    if (!pricing)
        return std::nullopt;
    const QString key = size.isEmpty() ? pricing->defaultSize : size;
    for (const SizePricing &candidate : pricing->sizes) {
        if (candidate.key == key)
            return candidate.rate;
    }
    return std::nullopt;
}

MinimumCharge PricingCatalogue::minimumCharge(const QString &providerKey) const
{
    const ProviderPricing *pricing = provider(providerKey);
    return pricing ? pricing->minimum : MinimumCharge();
}

PricingCatalogue PricingCatalogue::withOverrides(const QList<RateOverride> &overrides,
                                                 QList<RateOverride> *ignored) const
{
    PricingCatalogue copy = *this;
    for (const RateOverride &override : overrides) {
        SizePricing *found = nullptr;
        if (auto it = copy.m_providers.find(override.provider); it != copy.m_providers.end()) {
            for (SizePricing &size : it->sizes) {
                if (size.key == override.size)
                    found = &size;
            }
        }
        const bool validRate = std::isfinite(override.usdPerHour) && override.usdPerHour >= 0;
        if (!found || !validRate) {
            qCWarning(lcPricing).noquote()
                << "Ignoring your rate for" << override.provider << override.size << "-"
                << (found ? u"it is not an amount of zero or more"_s : u"no such provider size"_s);
            if (ignored)
                ignored->append(override);
            continue;
        }
        Rate rate;
        rate.perSecond = override.usdPerHour / kSecondsPerHour;
        rate.how = QCoreApplication::translate("PricingCatalogue", "%1/h (your rate) ÷ 3600 s")
                       .arg(PricingParser::usdText(override.usdPerHour));
        rate.source = QCoreApplication::translate("PricingCatalogue", "Your rate (Settings → Pricing)");
        rate.asOf = override.setOn.toString(Qt::ISODate);
        rate.userSet = true;
        found->rate = rate;
    }
    // Sizes stay cheapest first, then by key, as the parser orders them.
    for (ProviderPricing &provider : copy.m_providers) {
        std::sort(provider.sizes.begin(), provider.sizes.end(),
                  [](const SizePricing &a, const SizePricing &b) {
                      return std::pair(a.rate.perSecond, a.key) < std::pair(b.rate.perSecond, b.key);
                  });
    }
    return copy;
}

bool PricingCatalogue::isOverridden(const QString &providerKey, const QString &size) const
{
    const std::optional<Rate> found = rate(providerKey, size);
    return found && found->userSet;
}

QStringList PricingCatalogue::models() const
{
    return m_models.keys();
}

std::optional<TokenPrices> PricingCatalogue::tokenPrices(const QString &model) const
{
    const auto it = m_models.constFind(model);
    if (it == m_models.cend())
        return std::nullopt;
    return it.value();
}

double PricingCatalogue::generationCost(const QString &model, const TokenUsage &usage) const
{
    const auto it = m_models.constFind(model);
    if (it == m_models.cend()) {
        qCWarning(lcPricing) << "No token prices for model" << model << "- counting its generation as $0";
        return 0;
    }
    const TokenTier &tier = it->tierFor(usage.promptTokens());
    const double microUsd =
        double(usage.inputTokens) * tier.input + double(usage.outputTokens) * tier.output +
        double(usage.cacheWriteTokens) * tier.cacheWrite5m +
        double(usage.cacheWrite1hTokens) * tier.cacheWrite1h + double(usage.cacheReadTokens) * tier.cacheRead;
    return microUsd / kTokensPerPrice;
}
