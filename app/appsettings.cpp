#include "appsettings.h"

#include "duration.h"

#include <QCoreApplication>
#include <QLocale>
#include <QRegularExpression>
#include <QUrl>

#include <QStandardPaths>

#include <algorithm>
#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

const QString kAllowUnsandboxed = u"local.allow-unsandboxed"_s;
const QString kDefaultProvider = u"defaults.provider"_s;
const QString kDefaultTtl = u"defaults.ttl"_s;
const QString kLocalStartTimeout = u"local.start-timeout"_s;
const QString kOpenBrowser = u"defaults.open-browser"_s;
const QString kLeadTimes = u"notify.lead-times"_s;
const QString kTheme = u"appearance.theme"_s;
const QString kClaudeModel = u"anthropic.model"_s;
const QString kClaudeBaseUrl = u"anthropic.base-url"_s;
const QString kClaudeMaxTokens = u"anthropic.max-tokens"_s;
const QString kE2bPlan = u"e2b.plan"_s;
const QString kE2bBaseUrl = u"e2b.base-url"_s;
const QString kE2bDomain = u"e2b.domain"_s;
const QString kFlyOrg = u"fly.org"_s;
const QString kFlyRegion = u"fly.region"_s;
const QString kFlyBaseUrl = u"fly.base-url"_s;
const QString kFlyDomain = u"fly.domain"_s;
const QString kSessionTarget = u"budget.session-target"_s;
const QString kMonthlyBudget = u"budget.monthly"_s;
const QString kRatesGroup = u"rates"_s;
const QString kLocalProvider = u"local"_s; // always free: CostMeter never bills it
constexpr double kMaxBudgetUsd = 1'000'000;
constexpr int kMinMaxTokens = 1024;
constexpr int kMaxMaxTokens = 128000; // the largest output any current model allows (anthropic.md §7)

QString tr(const char *text)
{
    return QCoreApplication::translate("AppSettings", text);
}

// "local.allow-unsandboxed" → QSettings group/key "local/allow-unsandboxed"
QString settingsKey(const QString &name)
{
    QString key = name;
    return key.replace(u'.', u'/');
}

QString rateKey(const QString &provider, const QString &size)
{
    return kRatesGroup + u'/' + provider + u'/' + size;
}

// An amount of US dollars as `spawnai config` takes it: "0.50", "20". nullopt if it is not one.
std::optional<double> parseUsd(const QString &text)
{
    bool ok = false;
    const double usd = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(usd) || usd < 0 || usd > kMaxBudgetUsd)
        return std::nullopt;
    return usd;
}

} // namespace

AppSettings::AppSettings()
    : AppSettings(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
                  u"/spawnai/spawnai.conf"_s)
{}

AppSettings::AppSettings(const QString &fileName)
    : m_settings(std::make_unique<QSettings>(fileName, QSettings::IniFormat))
{}

QList<AppSettings::Key> AppSettings::keys()
{
    return {
        {kAllowUnsandboxed,
         tr("Run local apps WITHOUT a sandbox when bubblewrap cannot run (true/false). Generated code could "
            "then "
            "read your files and use your network. Not recommended."),
         u"false"_s},
        {kLocalStartTimeout,
         tr("How long a local app may take to answer its first request (for example 30s)."), u"30s"_s},
        {kDefaultProvider, tr("Provider used when none is given."), u"local"_s},
        {kOpenBrowser, tr("Open a session's URL in the browser once it answers (true/false)."), u"true"_s},
        {kLeadTimes, tr("When to warn before a session expires, as lifetimes separated by commas."),
         u"10m,1m"_s},
        {kTheme, tr("Window colours: system, light or dark."), u"system"_s},
        {kDefaultTtl, tr("Lifetime used when none is given (for example 2h, 90m)."), u"2h"_s},
        {kClaudeModel, tr("The Claude model that writes apps (an id from `spawnai generate --models`)."),
         QString::fromLatin1(ClaudeConfig::kDefaultModel)},
        {kClaudeBaseUrl,
         tr("Where the Messages API is: Anthropic's, or an Anthropic-compatible gateway (https; http only "
            "to this computer)."),
         QString::fromLatin1(ClaudeConfig::kDefaultBaseUrl)},
        {kClaudeMaxTokens,
         tr("The longest answer Claude may write, in tokens (%1–%2).").arg(kMinMaxTokens).arg(kMaxMaxTokens),
         u"32000"_s},
        {kE2bPlan, tr("Your E2B plan, which caps a sandbox's lifetime: hobby (1 h) or pro (24 h)."),
         u"hobby"_s},
        {kE2bBaseUrl, tr("E2B's API (https; http only to this computer). $SPAWNAI_E2B_URL overrides it."),
         u"https://api.e2b.app"_s},
        {kE2bDomain,
         tr("The domain E2B sandboxes answer on (<port>-<id>.<domain>). $SPAWNAI_E2B_DOMAIN overrides it."),
         u"e2b.app"_s},
        {kFlyOrg, tr("The Fly.io organisation SpawnAI creates apps in (its slug)."), u"personal"_s},
        {kFlyRegion, tr("The Fly.io region machines run in (iad, ams, fra, lhr, sjc, nrt, syd, …)."),
         u"iad"_s},
        {kFlyBaseUrl,
         tr("The Fly.io Machines API (https; http only to this computer). $SPAWNAI_FLY_URL overrides it."),
         u"https://api.machines.dev/v1"_s},
        {kFlyDomain,
         tr("The domain Fly.io apps answer on (<app>.<domain>). $SPAWNAI_FLY_DOMAIN overrides it."),
         u"fly.dev"_s},
        {kSessionTarget,
         tr("A session's quote (generation + lifetime × rate) above this many US dollars is flagged before "
            "deploying."),
         u"0.50"_s},
        {kMonthlyBudget, tr("What you mean to spend on sessions in a month, in US dollars; 0 for no budget."),
         u"20.00"_s},
    };
}

QString AppSettings::value(const QString &key) const
{
    for (const Key &known : keys()) {
        if (known.name == key)
            return m_settings->value(settingsKey(key), known.defaultValue).toString();
    }
    return {};
}

Result<void> AppSettings::setValue(const QString &key, const QString &value)
{
    const QList<Key> known = keys();
    const bool exists =
        std::any_of(known.cbegin(), known.cend(), [&](const Key &k) { return k.name == key; });
    if (!exists) {
        QStringList names;
        for (const Key &k : known)
            names << k.name;
        return Error{tr("Unknown setting \"%1\". Known settings: %2.").arg(key, names.join(u", "_s))};
    }
    if ((key == kAllowUnsandboxed || key == kOpenBrowser) && value != u"true" && value != u"false")
        return Error{tr("%1 takes true or false.").arg(key)};
    if (key == kTheme && value != u"system" && value != u"light" && value != u"dark")
        return Error{tr("%1 takes system, light or dark.").arg(key)};
    if (key == kLeadTimes) {
        for (const QString &part : value.split(u',', Qt::SkipEmptyParts)) {
            if (auto lead = parseDuration(part.trimmed()); !lead)
                return Error{tr("%1: %2").arg(key, lead.error())};
        }
    }
    if (key == kDefaultTtl || key == kLocalStartTimeout) {
        if (auto ttl = parseDuration(value); !ttl)
            return Error{ttl.error()};
    }
    if (key == kE2bPlan && value != u"hobby" && value != u"pro")
        return Error{tr("%1 takes hobby or pro.").arg(key)};
    if (key == kE2bBaseUrl || key == kE2bDomain || key == kFlyBaseUrl || key == kFlyDomain) {
        ApiEndpoint endpoint;
        endpoint.service = key.section(u'.', 0, 0) == u"fly" ? u"Fly.io"_s : u"E2B"_s;
        const bool isUrl = key == kE2bBaseUrl || key == kFlyBaseUrl;
        endpoint.baseUrl = QUrl(isUrl ? value : u"https://"_s + value, QUrl::StrictMode);
        if (const QString problem = endpoint.problem(); !problem.isEmpty())
            return Error{tr("%1: %2").arg(key, problem)};
    }
    static const QRegularExpression slug(u"^[a-z0-9-]+$"_s);
    if ((key == kFlyOrg || key == kFlyRegion) && !slug.match(value).hasMatch())
        return Error{tr("%1 takes lower-case letters, digits and dashes.").arg(key)};
    if (key == kClaudeModel && value.trimmed().isEmpty())
        return Error{tr("%1 needs a model id, for example %2.")
                         .arg(key, QString::fromLatin1(ClaudeConfig::kDefaultModel))};
    if (key == kClaudeBaseUrl) {
        ClaudeConfig config;
        config.baseUrl = QUrl(value, QUrl::StrictMode);
        if (const QString problem = config.baseUrlProblem(); !problem.isEmpty())
            return Error{tr("%1: %2").arg(key, problem)};
    }
    if (key == kClaudeMaxTokens) {
        bool ok = false;
        const int tokens = value.toInt(&ok);
        if (!ok || tokens < kMinMaxTokens || tokens > kMaxMaxTokens)
            return Error{tr("%1 takes a number of tokens from %2 to %3.")
                             .arg(key)
                             .arg(kMinMaxTokens)
                             .arg(kMaxMaxTokens)};
    }
    if ((key == kSessionTarget || key == kMonthlyBudget) && !parseUsd(value))
        return Error{tr("%1 takes an amount in US dollars from 0 to %2, such as 0.50 or 20.")
                         .arg(key, QString::number(kMaxBudgetUsd, 'f', 0))};
    if (key == kDefaultProvider && value.isEmpty())
        return Error{tr("%1 needs a provider name, for example local.").arg(key)};
    m_settings->setValue(settingsKey(key), value);
    m_settings->sync();
    if (m_settings->status() != QSettings::NoError)
        return Error{tr("Cannot write %1.").arg(m_settings->fileName())};
    return {};
}

bool AppSettings::allowUnsandboxed() const
{
    return value(kAllowUnsandboxed) == u"true";
}

QString AppSettings::defaultProvider() const
{
    return value(kDefaultProvider);
}

qint64 AppSettings::defaultTtlSeconds() const
{
    const auto ttl = parseDuration(value(kDefaultTtl));
    return ttl ? *ttl : 2 * 3600;
}

qint64 AppSettings::localStartTimeoutSeconds() const
{
    const auto timeout = parseDuration(value(kLocalStartTimeout));
    return timeout ? *timeout : 30;
}

bool AppSettings::openBrowserOnDeploy() const
{
    return value(kOpenBrowser) == u"true";
}

QList<qint64> AppSettings::notificationLeadSeconds() const
{
    QList<qint64> leads;
    for (const QString &part : value(kLeadTimes).split(u',', Qt::SkipEmptyParts)) {
        if (auto lead = parseDuration(part.trimmed()))
            leads.append(*lead);
    }
    std::sort(leads.begin(), leads.end(), std::greater<>());
    leads.erase(std::unique(leads.begin(), leads.end()), leads.end());
    return leads;
}

AppSettings::Theme AppSettings::theme() const
{
    const QString theme = value(kTheme);
    return theme == u"light" ? Theme::Light : theme == u"dark" ? Theme::Dark : Theme::System;
}

ClaudeConfig AppSettings::claudeConfig() const
{
    ClaudeConfig config;
    config.baseUrl = QUrl(value(kClaudeBaseUrl));
    return config;
}

QString AppSettings::claudeModel() const
{
    return value(kClaudeModel).trimmed();
}

int AppSettings::claudeMaxTokens() const
{
    return std::clamp(value(kClaudeMaxTokens).toInt(), kMinMaxTokens, kMaxMaxTokens);
}

double AppSettings::sessionTargetUsd() const
{
    return parseUsd(value(kSessionTarget)).value_or(0.50);
}

double AppSettings::monthlyBudgetUsd() const
{
    return parseUsd(value(kMonthlyBudget)).value_or(20.00);
}

QString AppSettings::budgetAlertState() const
{
    return m_settings->value(u"state/budget-alerts"_s).toString();
}

Result<void> AppSettings::setBudgetAlertState(const QString &state)
{
    m_settings->setValue(u"state/budget-alerts"_s, state);
    m_settings->sync();
    if (m_settings->status() != QSettings::NoError)
        return Error{tr("Could not save the settings to %1.").arg(fileName())};
    return {};
}

QList<RateOverride> AppSettings::rateOverrides() const
{
    QList<RateOverride> overrides;
    for (const QString &key : m_settings->allKeys()) {
        const QStringList parts = key.split(u'/');
        if (parts.size() != 3 || parts.first() != kRatesGroup)
            continue;
        // "0.05@2026-11-29"; a hand-written "0.05" has no date.
        const QString stored = m_settings->value(key).toString();
        bool ok = false;
        const double usd = stored.section(u'@', 0, 0).trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(usd) || usd < 0)
            continue;
        overrides.append({parts.at(1), parts.at(2), usd,
                          QDate::fromString(stored.section(u'@', 1, 1).trimmed(), Qt::ISODate)});
    }
    return overrides;
}

Result<void> AppSettings::setRateOverride(const QString &provider, const QString &size, double usdPerHour,
                                          QDate setOn)
{
    const PricingCatalogue &catalogue = PricingCatalogue::shipped();
    const ProviderPricing *pricing = catalogue.provider(provider);
    if (!pricing)
        return Error{tr("SpawnAI has no prices for a provider “%1”.").arg(provider)};
    if (provider == kLocalProvider)
        return Error{tr("Sessions on this computer are free; they have no rate to set.")};
    if (pricing->sizes.isEmpty())
        return Error{tr("%1 has no sizes to set a rate for.").arg(pricing->name)};
    const bool knownSize = std::any_of(pricing->sizes.cbegin(), pricing->sizes.cend(),
                                       [&](const SizePricing &known) { return known.key == size; });
    if (!knownSize) {
        QStringList keys;
        for (const SizePricing &known : pricing->sizes)
            keys << known.key;
        return Error{
            tr("“%1” is not a size of %2; choose one of: %3.").arg(size, pricing->name, keys.join(u", "_s))};
    }
    if (!std::isfinite(usdPerHour))
        return Error{tr("A rate must be a number of US dollars per hour.")};
    if (usdPerHour < 0)
        return Error{tr("A rate cannot be negative.")};
    if (usdPerHour >= kMaxRateUsdPerHour)
        return Error{tr("A rate must be below $%1 per hour.").arg(kMaxRateUsdPerHour)};

    const QString stored =
        QString::number(usdPerHour, 'g', QLocale::FloatingPointShortest) + u'@' + setOn.toString(Qt::ISODate);
    m_settings->setValue(rateKey(provider, size), stored);
    m_settings->sync();
    if (m_settings->status() != QSettings::NoError)
        return Error{tr("Cannot write %1.").arg(m_settings->fileName())};
    return {};
}

void AppSettings::clearRateOverride(const QString &provider, const QString &size)
{
    m_settings->remove(rateKey(provider, size));
    m_settings->sync();
}

void AppSettings::clearRateOverrides()
{
    m_settings->remove(kRatesGroup);
    m_settings->sync();
}

QString AppSettings::fileName() const
{
    return m_settings->fileName();
}

E2bOptions AppSettings::e2bOptions() const
{
    E2bOptions options = E2bOptions::fromEnvironment();
    if (qEnvironmentVariableIsEmpty("SPAWNAI_E2B_URL"))
        options.api.baseUrl = QUrl(value(kE2bBaseUrl));
    if (qEnvironmentVariableIsEmpty("SPAWNAI_E2B_DOMAIN"))
        options.domain = value(kE2bDomain);
    options.plan = value(kE2bPlan) == u"pro" ? E2bPlan::Pro : E2bPlan::Hobby;
    return options;
}

FlyOptions AppSettings::flyOptions() const
{
    FlyOptions options = FlyOptions::fromEnvironment();
    if (qEnvironmentVariableIsEmpty("SPAWNAI_FLY_URL"))
        options.api.baseUrl = QUrl(value(kFlyBaseUrl));
    if (qEnvironmentVariableIsEmpty("SPAWNAI_FLY_DOMAIN"))
        options.domain = value(kFlyDomain);
    options.org = value(kFlyOrg);
    options.region = value(kFlyRegion);
    return options;
}
