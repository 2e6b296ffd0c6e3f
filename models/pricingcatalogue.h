#pragma once

#include "result.h"

#include <QByteArray>
#include <QDate>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

// Money is USD in a double. Per-second rates are derived once, at load, from the figures the sources quote
// (hourly, per 30 days, per vCPU-second …); costs are rate × whole seconds or tokens × price with no
// intermediate rounding, so sums and ledgers stay consistent. Only display rounds (formatUsd in costmeter.h):
// to cents from $0.01 up, to 4 decimals below a cent.

// What a provider bills at the least once anything runs: the higher of `seconds` at the rate, or `usd`.
struct MinimumCharge
{
    qint64 seconds = 0;
    double usd = 0;

    bool isNone() const { return seconds <= 0 && usd <= 0; }
    double amount(double ratePerSecond) const;
};

// A provider size's price, with where it comes from.
struct Rate
{
    double perSecond = 0;  // USD
    QString how;           // "2 vCPU × $0.000014/s + 0.5 GiB × $0.0000045/s", for people
    QString source;        // URL or document reference
    QString asOf;          // "2026-08-21" or "2026-08"
    bool estimate = false; // not a published figure
    QString estimateReason;
    bool userSet = false; // the user's own (negotiated) rate from Settings → Pricing, not the published one
};

struct SizePricing
{
    QString key;      // "base", "s-1vcpu-1gb", ...: what providers and --size take
    QString label;    // for people
    double vcpu = 0;  // 0 where it does not apply (Local)
    double cores = 0; // physical cores, where the provider bills those (Modal: 1 core = 2 vCPU)
    double memoryGib = 0;
    Rate rate;
};

struct ProviderPricing
{
    QString key;
    QString name;
    QString billing; // how the provider bills, one line
    QString source;
    QString asOf;
    MinimumCharge minimum;
    bool estimate = false;
    QString estimateReason;
    QString unpricedReason;   // set when there is nothing to quote; then sizes is empty
    QList<SizePricing> sizes; // cheapest first, then by key
    QString defaultSize;
    // How long the provider takes to start a sandbox, as published (not measured by SpawnAI): "~150 ms".
    // Empty text and seconds -1 where nothing is published.
    QString startTimeText;
    double startTimeSeconds = -1; // the figure's upper end, for comparing providers
    QString startTimeSource;
};

// A user's own price for one provider size (Settings → Pricing; AppSettings keeps them).
struct RateOverride
{
    QString provider;
    QString size;
    double usdPerHour = 0;
    QDate setOn;

    bool operator==(const RateOverride &) const = default;
};

// Claude prices in USD per million tokens, for prompts up to maxPromptTokens (0: no limit).
struct TokenTier
{
    qint64 maxPromptTokens = 0;
    double input = 0;
    double output = 0;
    double cacheWrite5m = 0;
    double cacheWrite1h = 0;
    double cacheRead = 0;
};

struct TokenPrices
{
    QString model; // API model id
    QString name;
    QList<TokenTier> tiers; // ascending; the last one has no limit
    QString source;
    QString asOf;
    QString note;

    // The tier a prompt of this many tokens (input + cache writes + cache reads) is priced at.
    const TokenTier &tierFor(qint64 promptTokens) const;
};

// Token counts of one generation, as the Messages API's `usage` reports them.
struct TokenUsage
{
    qint64 inputTokens = 0; // uncached input
    qint64 outputTokens = 0;
    qint64 cacheWriteTokens = 0;   // written to the 5-minute cache (the default TTL)
    qint64 cacheWrite1hTokens = 0; // written to the 1-hour cache
    qint64 cacheReadTokens = 0;

    qint64 promptTokens() const
    {
        return inputTokens + cacheWriteTokens + cacheWrite1hTokens + cacheReadTokens;
    }
};

// The dated, sourced prices of resources/pricing.json. The file:
//   { "schema": 1, "updated": "YYYY-MM-DD",
//     "providers": { key: {
//         "name", "billing", "source", "as_of",                         (required)
//         "minimum_charge": { "seconds", "usd" },                       (optional)
//         "rates": { "per_vcpu_second" | "per_core_second" | "per_gib_second" },  (optional component rates)
//         "estimate": true, "estimate_reason",                          (figures that are not published)
//         "unpriced_reason",                                            (nothing to quote: "sizes" is {})
//         "sizes": { key: { "label", "vcpu", "cores", "memory_gib",
//                           one of "per_second" | "per_hour" | "per_30_days" unless the provider has "rates",
//                           optional "source", "as_of" overriding the provider's } },
//         "default_size",
//         "start_time": { "text", "seconds", "source" } } },            (optional: how long a start takes as
//                                                                         published, "~150 ms", and its
//                                                                         upper end in seconds, above zero)
//     "claude": { "source", "as_of", "models": { id: { "name", optional "source", "as_of", "note",
//         "input", "output", "cache_write_5m", "cache_write_1h", "cache_read"  (USD per million tokens)
//         or "tiers": [ { "max_prompt_tokens", the same five prices }, ..., { no limit } ] } } } }
// Dates are "YYYY-MM-DD" or "YYYY-MM" (where a source gives only the month). Unknown keys are ignored.
class PricingCatalogue
{
public:
    static Result<PricingCatalogue> load(const QByteArray &json);
    // The copy compiled in as :/spawnai/pricing.json (parsed once). Empty if it is broken; tst_pricing guards
    // it.
    static PricingCatalogue shipped();

    int schema() const { return m_schema; }
    QString updated() const { return m_updated; }

    QStringList providers() const; // keys, sorted
    const ProviderPricing *provider(const QString &key) const;
    QList<SizePricing> sizes(const QString &provider) const;
    QString defaultSize(const QString &provider) const;
    // An empty size means the provider's default size.
    std::optional<Rate> rate(const QString &provider, const QString &size) const;
    MinimumCharge minimumCharge(const QString &provider) const;

    // A copy in which each override's size is priced at the user's rate (Rate::userSet; the source says so
    // and asOf is the day it was set). Overrides of a provider or size this catalogue does not know, or with
    // a rate that is not a finite amount of zero or more, change nothing: they are logged and, if `ignored`
    // is given, listed there. The published rates stay in shipped().
    PricingCatalogue withOverrides(const QList<RateOverride> &overrides,
                                   QList<RateOverride> *ignored = nullptr) const;
    // Whether the size (empty: the provider's default) is priced at the user's own rate.
    bool isOverridden(const QString &provider, const QString &size) const;

    QStringList models() const;
    std::optional<TokenPrices> tokenPrices(const QString &model) const;
    // USD; 0 for a model the catalogue does not know (check tokenPrices() first where that matters).
    double generationCost(const QString &model, const TokenUsage &usage) const;

private:
    int m_schema = 0;
    QString m_updated;
    QMap<QString, ProviderPricing> m_providers;
    QMap<QString, TokenPrices> m_models;
};
