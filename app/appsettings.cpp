#include "appsettings.h"

#include "duration.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <QStandardPaths>

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
        {kE2bPlan,
         tr("Your E2B plan, which caps a sandbox's lifetime: hobby (1 h) or pro (24 h)."), u"hobby"_s},
        {kE2bBaseUrl, tr("E2B's API (https; http only to this computer). $SPAWNAI_E2B_URL overrides it."),
         u"https://api.e2b.app"_s},
        {kE2bDomain,
         tr("The domain E2B sandboxes answer on (<port>-<id>.<domain>). $SPAWNAI_E2B_DOMAIN overrides it."),
         u"e2b.app"_s},
        {kFlyOrg, tr("The Fly.io organisation SpawnAI creates apps in (its slug)."), u"personal"_s},
        {kFlyRegion, tr("The Fly.io region machines run in (iad, ams, fra, lhr, sjc, nrt, syd, …)."), u"iad"_s},
        {kFlyBaseUrl,
         tr("The Fly.io Machines API (https; http only to this computer). $SPAWNAI_FLY_URL overrides it."),
         u"https://api.machines.dev/v1"_s},
        {kFlyDomain, tr("The domain Fly.io apps answer on (<app>.<domain>). $SPAWNAI_FLY_DOMAIN overrides it."),
         u"fly.dev"_s},
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
