#include "pricingparser.h"

#include <QCoreApplication>
#include <QDate>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <utility>

using namespace Qt::StringLiterals;

namespace PricingParser {

namespace {

constexpr int kSchema = 1;
constexpr double kSecondsPerHour = 3600;
constexpr double kSecondsPer30Days = 30 * 24 * 3600;

// The messages keep the translation context of PricingCatalogue, whose errors they are.
QString tr(const char *text)
{
    return QCoreApplication::translate("PricingCatalogue", text);
}

Error invalid(const QString &what)
{
    return Error{tr("pricing.json: %1").arg(what)};
}

// A price as the source writes it: no exponent, no trailing zeros ("0.0000045", "1.94", "8").
QString plain(double value)
{
    QString text = QString::number(value, 'f', 12);
    while (text.endsWith(u'0'))
        text.chop(1);
    if (text.endsWith(u'.'))
        text.chop(1);
    return text;
}

bool isDate(const QString &text)
{
    static const QRegularExpression shape(u"^\\d{4}-\\d{2}(-\\d{2})?$"_s);
    if (!shape.match(text).hasMatch())
        return false;
    return QDate::fromString(text.size() == 7 ? text + u"-01"_s : text, Qt::ISODate).isValid();
}

Result<QString> readString(const QJsonObject &object, const QString &field, const QString &where,
                           bool required)
{
    const QJsonValue value = object.value(field);
    if (value.isUndefined() && !required)
        return QString();
    if (!value.isString() || value.toString().trimmed().isEmpty())
        return invalid(tr("%1 needs “%2” (text)").arg(where, field));
    return value.toString();
}

Result<QString> readDate(const QJsonObject &object, const QString &field, const QString &where, bool required)
{
    Result<QString> text = readString(object, field, where, required);
    if (!text || text->isEmpty())
        return text;
    if (!isDate(*text))
        return invalid(tr("%1: “%2” is “%3”; write a date like 2026-08-21, or 2026-08 where the source gives "
                          "only the month")
                           .arg(where, field, *text));
    return text;
}

// A number that must be zero or more: a price or an amount of CPU or memory. nullopt when absent.
Result<std::optional<double>> readAmount(const QJsonObject &object, const QString &field,
                                         const QString &where)
{
    const QJsonValue value = object.value(field);
    if (value.isUndefined())
        return std::optional<double>();
    if (!value.isDouble())
        return invalid(tr("%1: “%2” must be a number").arg(where, field));
    const double amount = value.toDouble();
    if (amount < 0)
        return invalid(tr("%1: “%2” is negative (%3); prices and sizes must be zero or more")
                           .arg(where, field, plain(amount)));
    return std::optional<double>(amount);
}

struct ComponentRates
{
    std::optional<double> perVcpuSecond;
    std::optional<double> perCoreSecond;
    std::optional<double> perGibSecond;
    bool any() const { return perVcpuSecond || perCoreSecond || perGibSecond; }
};

Result<ComponentRates> parseComponentRates(const QJsonObject &providerObject, const QString &where)
{
    const QJsonValue value = providerObject.value(u"rates"_s);
    if (value.isUndefined())
        return ComponentRates();
    if (!value.isObject())
        return invalid(tr("%1: “rates” must be an object").arg(where));
    const QJsonObject object = value.toObject();
    const QString ratesWhere = tr("%1 rates").arg(where);
    ComponentRates rates;
    for (auto [field, slot] : {std::pair{u"per_vcpu_second"_s, &rates.perVcpuSecond},
                               std::pair{u"per_core_second"_s, &rates.perCoreSecond},
                               std::pair{u"per_gib_second"_s, &rates.perGibSecond}}) {
        Result<std::optional<double>> amount = readAmount(object, field, ratesWhere);
        if (!amount)
            return Error{amount.error()};
        *slot = *amount;
    }
    if (!rates.any())
        return invalid(tr("%1: “rates” needs per_vcpu_second, per_core_second or per_gib_second").arg(where));
    return rates;
}

// The size's rate from the provider's component rates: resources × rate, summed.
Result<Rate> componentRate(const ComponentRates &rates, const SizePricing &size, const QJsonObject &object,
                           const QString &where)
{
    struct Part
    {
        std::optional<double> rate;
        const char *field;
        double amount;
        const char *unit;
    };
    const Part parts[] = {{rates.perVcpuSecond, "vcpu", size.vcpu, "vCPU"},
                          {rates.perCoreSecond, "cores", size.cores, "core"},
                          {rates.perGibSecond, "memory_gib", size.memoryGib, "GiB"}};
    Rate rate;
    QStringList how;
    for (const Part &part : parts) {
        if (!part.rate)
            continue;
        const QString field = QString::fromLatin1(part.field);
        if (!object.contains(field) || part.amount <= 0)
            return invalid(tr("%1 needs “%2” above zero: the provider prices it per %3")
                               .arg(where, field, QString::fromLatin1(part.unit)));
        rate.perSecond += part.amount * *part.rate;
        how << tr("%1 %2 × %3/s")
                   .arg(plain(part.amount), QString::fromLatin1(part.unit), usdText(*part.rate));
    }
    rate.how = how.join(u" + "_s);
    return rate;
}

// The size's own price: exactly one of per_second, per_hour or per_30_days.
Result<Rate> flatRate(const QJsonObject &object, const QString &where)
{
    struct Form
    {
        QString field;
        double seconds;
    };
    const Form forms[] = {
        {u"per_second"_s, 1}, {u"per_hour"_s, kSecondsPerHour}, {u"per_30_days"_s, kSecondsPer30Days}};
    std::optional<Rate> found;
    for (const Form &form : forms) {
        Result<std::optional<double>> amount = readAmount(object, form.field, where);
        if (!amount)
            return Error{amount.error()};
        if (!*amount)
            continue;
        if (found)
            return invalid(
                tr("%1 has more than one price; give one of per_second, per_hour or per_30_days").arg(where));
        const double price = **amount;
        Rate rate;
        rate.perSecond = price / form.seconds;
        if (price == 0)
            rate.how = tr("free");
        else if (form.seconds == 1)
            rate.how = tr("%1/s").arg(usdText(price));
        else if (form.seconds == kSecondsPerHour)
            rate.how = tr("%1/h ÷ 3600 s").arg(usdText(price));
        else
            rate.how = tr("%1 per 30 days ÷ 2,592,000 s").arg(usdText(price));
        found = rate;
    }
    if (!found)
        return invalid(tr("%1 has no price; give one of per_second, per_hour or per_30_days").arg(where));
    return *found;
}

Result<SizePricing> parseSize(const ProviderPricing &provider, const ComponentRates &rates,
                              const QString &key, const QJsonValue &value)
{
    const QString where = tr("size “%1” of provider “%2”").arg(key, provider.key);
    if (!value.isObject())
        return invalid(tr("%1 must be an object").arg(where));
    const QJsonObject object = value.toObject();

    SizePricing size;
    size.key = key;
    Result<QString> label = readString(object, u"label"_s, where, true);
    if (!label)
        return Error{label.error()};
    size.label = *label;
    for (auto [field, slot] : {std::pair{u"vcpu"_s, &size.vcpu}, std::pair{u"cores"_s, &size.cores},
                               std::pair{u"memory_gib"_s, &size.memoryGib}}) {
        Result<std::optional<double>> amount = readAmount(object, field, where);
        if (!amount)
            return Error{amount.error()};
        *slot = amount->value_or(0);
    }

    const bool ownPrice = object.contains(u"per_second"_s) || object.contains(u"per_hour"_s) ||
                          object.contains(u"per_30_days"_s);
    if (rates.any() && ownPrice)
        return invalid(tr("%1 has its own price, but the provider prices sizes by its “rates”").arg(where));
    Result<Rate> rate = rates.any() ? componentRate(rates, size, object, where) : flatRate(object, where);
    if (!rate)
        return Error{rate.error()};
    size.rate = *rate;

    Result<QString> source = readString(object, u"source"_s, where, false);
    Result<QString> asOf = readDate(object, u"as_of"_s, where, false);
    if (!source)
        return Error{source.error()};
    if (!asOf)
        return Error{asOf.error()};
    size.rate.source = source->isEmpty() ? provider.source : *source;
    size.rate.asOf = asOf->isEmpty() ? provider.asOf : *asOf;
    size.rate.estimate = provider.estimate;
    size.rate.estimateReason = provider.estimateReason;
    return size;
}

Result<MinimumCharge> parseMinimumCharge(const QJsonObject &providerObject, const QString &where)
{
    const QJsonValue value = providerObject.value(u"minimum_charge"_s);
    if (value.isUndefined())
        return MinimumCharge();
    if (!value.isObject())
        return invalid(tr("%1: “minimum_charge” must be an object with “seconds” and/or “usd”").arg(where));
    const QJsonObject object = value.toObject();
    const QString chargeWhere = tr("%1 minimum_charge").arg(where);
    Result<std::optional<double>> seconds = readAmount(object, u"seconds"_s, chargeWhere);
    if (!seconds)
        return Error{seconds.error()};
    Result<std::optional<double>> usd = readAmount(object, u"usd"_s, chargeWhere);
    if (!usd)
        return Error{usd.error()};
    if (seconds->value_or(0) != std::floor(seconds->value_or(0)))
        return invalid(tr("%1: “seconds” must be a whole number").arg(chargeWhere));
    MinimumCharge minimum{qint64(seconds->value_or(0)), usd->value_or(0)};
    if (minimum.isNone())
        return invalid(tr("%1 needs “seconds” or “usd” above zero").arg(chargeWhere));
    return minimum;
}

// The optional published start time, into `provider`.
Result<void> parseStartTime(const QJsonObject &providerObject, const QString &where,
                            ProviderPricing &provider)
{
    const QJsonValue value = providerObject.value(u"start_time"_s);
    if (value.isUndefined())
        return {};
    if (!value.isObject())
        return invalid(
            tr("%1: “start_time” must be an object with “text”, “seconds” and “source”").arg(where));
    const QJsonObject object = value.toObject();
    const QString startWhere = tr("%1 start_time").arg(where);
    Result<QString> text = readString(object, u"text"_s, startWhere, true);
    if (!text)
        return Error{text.error()};
    Result<QString> source = readString(object, u"source"_s, startWhere, true);
    if (!source)
        return Error{source.error()};
    const QJsonValue seconds = object.value(u"seconds"_s);
    if (!seconds.isDouble() || !(seconds.toDouble() > 0))
        return invalid(
            tr("%1 needs “seconds” above zero: the figure's upper end, 0.15 for “~150 ms”").arg(startWhere));
    provider.startTimeText = *text;
    provider.startTimeSeconds = seconds.toDouble();
    provider.startTimeSource = *source;
    return {};
}

Result<ProviderPricing> parseProvider(const QString &key, const QJsonValue &value)
{
    const QString where = tr("provider “%1”").arg(key);
    if (!value.isObject())
        return invalid(tr("%1 must be an object").arg(where));
    const QJsonObject object = value.toObject();

    ProviderPricing provider;
    provider.key = key;
    for (auto [field, slot] :
         {std::pair{u"name"_s, &provider.name}, std::pair{u"billing"_s, &provider.billing},
          std::pair{u"source"_s, &provider.source}}) {
        Result<QString> text = readString(object, field, where, true);
        if (!text)
            return Error{text.error()};
        *slot = *text;
    }
    Result<QString> asOf = readDate(object, u"as_of"_s, where, true);
    if (!asOf)
        return Error{asOf.error()};
    provider.asOf = *asOf;

    Result<MinimumCharge> minimum = parseMinimumCharge(object, where);
    if (!minimum)
        return Error{minimum.error()};
    provider.minimum = *minimum;

    const QJsonValue estimate = object.value(u"estimate"_s);
    if (!estimate.isUndefined() && !estimate.isBool())
        return invalid(tr("%1: “estimate” must be true or false").arg(where));
    provider.estimate = estimate.toBool();
    Result<QString> estimateReason = readString(object, u"estimate_reason"_s, where, provider.estimate);
    if (!estimateReason)
        return Error{estimateReason.error()};
    provider.estimateReason = *estimateReason;
    Result<QString> unpriced = readString(object, u"unpriced_reason"_s, where, false);
    if (!unpriced)
        return Error{unpriced.error()};
    provider.unpricedReason = *unpriced;
    if (Result<void> started = parseStartTime(object, where, provider); !started)
        return Error{started.error()};

    const QJsonValue sizes = object.value(u"sizes"_s);
    if (!sizes.isObject())
        return invalid(tr("%1 has no “sizes” (an object of size key → price)").arg(where));
    const QJsonObject sizeObjects = sizes.toObject();
    const QJsonValue defaultSize = object.value(u"default_size"_s);
    if (!provider.unpricedReason.isEmpty()) {
        // Listed so the UI can say why it cannot quote, but nothing to price.
        if (!sizeObjects.isEmpty() || !defaultSize.isUndefined())
            return invalid(
                tr("%1 has an “unpriced_reason” but also sizes; remove one or the other").arg(where));
        return provider;
    }
    if (sizeObjects.isEmpty())
        return invalid(tr("%1 lists no sizes; add one, or an “unpriced_reason” saying why there is no price")
                           .arg(where));

    Result<ComponentRates> rates = parseComponentRates(object, where);
    if (!rates)
        return Error{rates.error()};
    for (auto it = sizeObjects.begin(); it != sizeObjects.end(); ++it) {
        Result<SizePricing> size = parseSize(provider, *rates, it.key(), it.value());
        if (!size)
            return Error{size.error()};
        provider.sizes.append(*size);
    }
    std::stable_sort(
        provider.sizes.begin(), provider.sizes.end(),
        [](const SizePricing &a, const SizePricing &b) { return a.rate.perSecond < b.rate.perSecond; });

    QStringList keys;
    for (const SizePricing &size : std::as_const(provider.sizes))
        keys << size.key;
    if (!defaultSize.isString())
        return invalid(tr("%1 needs “default_size”, one of: %2").arg(where, keys.join(u", "_s)));
    provider.defaultSize = defaultSize.toString();
    if (!keys.contains(provider.defaultSize))
        return invalid(tr("%1: default size “%2” is not one of its sizes (%3)")
                           .arg(where, provider.defaultSize, keys.join(u", "_s)));
    return provider;
}

Result<TokenTier> parseTier(const QJsonObject &object, const QString &where)
{
    TokenTier tier;
    const QJsonValue max = object.value(u"max_prompt_tokens"_s);
    if (!max.isUndefined()) {
        const double tokens = max.toDouble(-1);
        if (!max.isDouble() || tokens < 1 || tokens != std::floor(tokens) || tokens > 1e15)
            return invalid(tr("%1: “max_prompt_tokens” must be a whole number above zero").arg(where));
        tier.maxPromptTokens = qint64(tokens);
    }
    for (auto [field, slot] :
         {std::pair{u"input"_s, &tier.input}, std::pair{u"output"_s, &tier.output},
          std::pair{u"cache_write_5m"_s, &tier.cacheWrite5m},
          std::pair{u"cache_write_1h"_s, &tier.cacheWrite1h}, std::pair{u"cache_read"_s, &tier.cacheRead}}) {
        Result<std::optional<double>> price = readAmount(object, field, where);
        if (!price)
            return Error{price.error()};
        if (!*price)
            return invalid(tr("%1 needs “%2” (USD per million tokens)").arg(where, field));
        *slot = **price;
    }
    return tier;
}

Result<TokenPrices> parseModel(const QString &id, const QJsonValue &value, const QString &source,
                               const QString &asOf)
{
    const QString where = tr("model “%1”").arg(id);
    if (!value.isObject())
        return invalid(tr("%1 must be an object").arg(where));
    const QJsonObject object = value.toObject();

    TokenPrices prices;
    prices.model = id;
    Result<QString> name = readString(object, u"name"_s, where, true);
    Result<QString> ownSource = readString(object, u"source"_s, where, false);
    Result<QString> ownAsOf = readDate(object, u"as_of"_s, where, false);
    Result<QString> note = readString(object, u"note"_s, where, false);
    for (const auto *text : {&name, &ownSource, &ownAsOf, &note}) {
        if (!*text)
            return Error{text->error()};
    }
    prices.name = *name;
    prices.source = ownSource->isEmpty() ? source : *ownSource;
    prices.asOf = ownAsOf->isEmpty() ? asOf : *ownAsOf;
    prices.note = *note;

    if (!object.contains(u"tiers"_s)) {
        Result<TokenTier> tier = parseTier(object, where);
        if (!tier)
            return Error{tier.error()};
        if (tier->maxPromptTokens != 0)
            return invalid(tr("%1: “max_prompt_tokens” belongs in a tier of “tiers”").arg(where));
        prices.tiers.append(*tier);
        return prices;
    }
    const QJsonArray tiers = object.value(u"tiers"_s).toArray();
    if (tiers.isEmpty())
        return invalid(tr("%1: “tiers” must be a non-empty array").arg(where));
    for (qsizetype i = 0; i < tiers.size(); ++i) {
        const QString tierWhere = tr("%1 tier %2").arg(where).arg(i + 1);
        if (!tiers.at(i).isObject())
            return invalid(tr("%1 must be an object").arg(tierWhere));
        Result<TokenTier> tier = parseTier(tiers.at(i).toObject(), tierWhere);
        if (!tier)
            return Error{tier.error()};
        const bool last = i == tiers.size() - 1;
        if (last && tier->maxPromptTokens != 0)
            return invalid(
                tr("%1: the last tier must have no “max_prompt_tokens”, so every prompt has a price")
                    .arg(where));
        if (!last && tier->maxPromptTokens == 0)
            return invalid(
                tr("%1 needs “max_prompt_tokens”: only the last tier is unlimited").arg(tierWhere));
        if (!last && !prices.tiers.isEmpty() && tier->maxPromptTokens <= prices.tiers.last().maxPromptTokens)
            return invalid(tr("%1: “max_prompt_tokens” must grow from tier to tier").arg(tierWhere));
        prices.tiers.append(*tier);
    }
    return prices;
}

} // namespace

QString usdText(double value)
{
    QString text = plain(value);
    const qsizetype dot = text.indexOf(u'.');
    if (dot < 0)
        text += u".00"_s;
    else if (text.size() - dot - 1 < 2)
        text += u'0';
    return u"$"_s + text;
}

Result<Contents> parse(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return invalid(
            tr("not valid JSON (%1 at byte %2)").arg(parseError.errorString()).arg(parseError.offset));
    if (!document.isObject())
        return invalid(tr("the top level must be an object"));
    const QJsonObject root = document.object();

    Contents contents;
    const QJsonValue schema = root.value(u"schema"_s);
    if (!schema.isDouble() || schema.toDouble() != kSchema)
        return invalid(tr("“schema” is %1, but this SpawnAI reads schema %2")
                           .arg(schema.isDouble() ? plain(schema.toDouble()) : tr("missing"))
                           .arg(kSchema));
    contents.schema = kSchema;
    Result<QString> updated = readDate(root, u"updated"_s, tr("the file"), true);
    if (!updated)
        return Error{updated.error()};
    contents.updated = *updated;

    const QJsonObject providers = root.value(u"providers"_s).toObject();
    if (providers.isEmpty())
        return invalid(tr("“providers” is missing or empty"));
    for (auto it = providers.begin(); it != providers.end(); ++it) {
        Result<ProviderPricing> provider = parseProvider(it.key(), it.value());
        if (!provider)
            return Error{provider.error()};
        contents.providers.insert(it.key(), *provider);
    }

    const QJsonObject claude = root.value(u"claude"_s).toObject();
    const QString claudeWhere = tr("“claude”");
    Result<QString> source = readString(claude, u"source"_s, claudeWhere, true);
    if (!source)
        return Error{source.error()};
    Result<QString> asOf = readDate(claude, u"as_of"_s, claudeWhere, true);
    if (!asOf)
        return Error{asOf.error()};
    const QJsonObject models = claude.value(u"models"_s).toObject();
    if (models.isEmpty())
        return invalid(tr("“claude” lists no “models”"));
    for (auto it = models.begin(); it != models.end(); ++it) {
        Result<TokenPrices> prices = parseModel(it.key(), it.value(), *source, *asOf);
        if (!prices)
            return Error{prices.error()};
        contents.models.insert(it.key(), *prices);
    }
    return contents;
}

} // namespace PricingParser
