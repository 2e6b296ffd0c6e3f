#pragma once

#include "claude/claudeconfig.h"
#include "e2b/e2bapi.h"
#include "fly/flyapi.h"
#include "pricingcatalogue.h"
#include "result.h"

#include <QDate>
#include <QList>
#include <QSettings>
#include <QString>

#include <memory>

// User settings (XDG config, ini). Never holds secrets: keys live in the keychain.
class AppSettings final
{
public:
    struct Key
    {
        QString name; // as `spawnai config` takes it
        QString description;
        QString defaultValue;
    };

    AppSettings();                                 // $XDG_CONFIG_HOME/spawnai/spawnai.conf
    explicit AppSettings(const QString &fileName); // for tests

    // Run apps without bubblewrap when it is unavailable. Off by default; every such session carries a
    // warning.
    bool allowUnsandboxed() const;
    QString defaultProvider() const;
    qint64 defaultTtlSeconds() const;
    qint64 localStartTimeoutSeconds() const; // how long a local app may take to answer its first request
    bool openBrowserOnDeploy() const;
    // How long before expiry to notify, largest first ("10m,1m" → {600, 60}).
    QList<qint64> notificationLeadSeconds() const;
    enum class Theme { System, Light, Dark };
    Theme theme() const;

    // Claude: where to reach it (the key is not part of it: it comes from the keychain), which model, how
    // long an answer may be.
    ClaudeConfig claudeConfig() const;
    QString claudeModel() const;
    int claudeMaxTokens() const;

    // Cloud providers: where their APIs are (environment variables override settings) and plan limits.
    E2bOptions e2bOptions() const;
    FlyOptions flyOptions() const;

    // Budgets in USD: a quote above the session target is flagged before deploying; 0 = no monthly budget.
    double sessionTargetUsd() const;
    double monthlyBudgetUsd() const;
    // Which budget notices this month has had (BudgetAlerts::state()), so a restart does not repeat them.
    QString budgetAlertState() const;
    Result<void> setBudgetAlertState(const QString &state);

    // The user's own rates for provider sizes (Settings → Pricing), applied with
    // PricingCatalogue::withOverrides. Stored under "rates/<provider>/<size>" as "<usd per hour>@<date set>";
    // entries that do not read as a rate are skipped.
    QList<RateOverride> rateOverrides() const;
    // Refused unless the provider size is one of the shipped catalogue's and the rate is a finite amount from
    // 0 up to (not including) kMaxRateUsdPerHour.
    Result<void> setRateOverride(const QString &provider, const QString &size, double usdPerHour,
                                 QDate setOn = QDate::currentDate());
    void clearRateOverride(const QString &provider, const QString &size);
    void clearRateOverrides(); // back to the shipped rates
    static constexpr double kMaxRateUsdPerHour = 1000;

    static QList<Key> keys();
    QString value(const QString &key) const;
    Result<void> setValue(const QString &key, const QString &value);
    QString fileName() const;

private:
    std::unique_ptr<QSettings> m_settings;
};
