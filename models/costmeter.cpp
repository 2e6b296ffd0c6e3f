#include "costmeter.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace {

const QString kLocal = u"local"_s;

QString tr(const char *text)
{
    return QCoreApplication::translate("CostMeter", text);
}

bool neverRan(SessionState state)
{
    switch (state) {
    case SessionState::Draft:
    case SessionState::Generating:
    case SessionState::Ready:
        return true;
    case SessionState::Provisioning:
    case SessionState::Uploading:
    case SessionState::Starting:
    case SessionState::Running:
    case SessionState::Expiring:
    case SessionState::Stopping:
    case SessionState::Ended:
    case SessionState::Failed:
        return false;
    }
    return true;
}

} // namespace

qint64 CostMeter::billableSeconds(const Session &session, const QDateTime &now)
{
    // startedAt is set when the session first answers as Running; a redeploy in place (Running → Uploading)
    // keeps it, and keeps billing.
    if (!session.startedAt.isValid() || neverRan(session.state))
        return 0;
    QDateTime end;
    if (SessionStates::isTerminal(session.state)) {
        if (session.endedAt.isValid())
            end = session.endedAt;
        else if (session.expiresAt.isValid())
            end = session.expiresAt;
        else
            end = session.startedAt; // nothing recorded to bill to
    } else {
        end = now;
    }
    // The provider ended it by then (its server-side lifetime), even when SpawnAI only noticed later (after a
    // crash or a restart): the figure is the same as if SpawnAI had run throughout.
    if (session.expiresAt.isValid() && session.expiresAt < end)
        end = session.expiresAt;
    return std::max<qint64>(0, session.startedAt.secsTo(end));
}

double CostMeter::charge(double ratePerSecond, qint64 seconds, const MinimumCharge &minimum)
{
    if (seconds <= 0)
        return 0;
    const double cost = ratePerSecond * double(seconds);
    return minimum.isNone() ? cost : std::max(cost, minimum.amount(ratePerSecond));
}

double CostMeter::runtimeAt(const Session &session, const QDateTime &now, const MinimumCharge &minimum)
{
    return session.provider == kLocal ? 0
                                      : charge(session.ratePerSecond, billableSeconds(session, now), minimum);
}

double CostMeter::accruedAt(const Session &session, const QDateTime &now, const MinimumCharge &minimum)
{
    return runtimeAt(session, now, minimum) + session.generationCostUsd;
}

double CostMeter::lifetimeQuote(const Session &session, const MinimumCharge &minimum)
{
    return session.provider == kLocal ? 0 : charge(session.ratePerSecond, session.ttlSeconds, minimum);
}

double CostMeter::extensionQuote(const Session &session, qint64 seconds)
{
    return session.provider == kLocal ? 0 : charge(session.ratePerSecond, seconds);
}

double CostMeter::stillToRun(const Session &session, const QDateTime &now)
{
    if (session.provider == kLocal || SessionStates::isTerminal(session.state))
        return 0;
    return session.ratePerSecond * double(session.secondsLeft(now));
}

double CostMeter::accrued(const Session &session, const QDateTime &now, const MinimumCharge &minimum)
{
    if (session.provider == kLocal)
        return session.generationCostUsd;
    qint64 seconds = billableSeconds(session, now);
    if (session.startedAt.isValid() && !SessionStates::isTerminal(session.state)) {
        const qint64 startedAtMs = session.startedAt.toMSecsSinceEpoch();
        auto mark = m_marks.find(session.id);
        if (mark == m_marks.end() || mark->startedAtMs != startedAtMs)
            mark = m_marks.insert(session.id, Mark{startedAtMs, seconds});
        mark->seconds = std::max(mark->seconds, seconds);
        seconds = mark->seconds;
    } else {
        // Ended: the stored times are the truth from now on.
        m_marks.remove(session.id);
    }
    return charge(session.ratePerSecond, seconds, minimum) + session.generationCostUsd;
}

double CostMeter::generationEstimate(const PricingCatalogue &catalogue, const QString &model,
                                     qint64 promptTokens, qint64 expectedOutputTokens)
{
    if (promptTokens < 0 || expectedOutputTokens < 0)
        return 0;
    TokenUsage usage;
    usage.inputTokens = promptTokens;
    usage.outputTokens = expectedOutputTokens;
    return catalogue.generationCost(model, usage);
}

qint64 CostMeter::estimatedTokens(qint64 characters)
{
    return characters <= 0 ? 0 : (characters + kCharactersPerToken - 1) / kCharactersPerToken;
}

RateBasis CostMeter::basisOf(const Rate &rate)
{
    return {rate.how, rate.source, rate.asOf};
}

RateBasis CostMeter::tokenBasis(const PricingCatalogue &catalogue, const QString &model, qint64 promptTokens)
{
    const std::optional<TokenPrices> prices = catalogue.tokenPrices(model);
    if (!prices)
        return {};
    const TokenTier &tier = prices->tierFor(promptTokens);
    const auto perMillion = [](double usd) -> QString {
        return u"$"_s + QString::number(usd, 'f', 2) + u"/M"_s;
    };
    return {tr("%1: %2 input, %3 output, %4 cache write, %5 cache read (per million tokens)")
                .arg(prices->name, perMillion(tier.input), perMillion(tier.output),
                     perMillion(tier.cacheWrite5m), perMillion(tier.cacheRead)),
            prices->source, prices->asOf};
}

void CostMeter::forget(const QString &sessionId)
{
    m_marks.remove(sessionId);
}

Result<Quote> CostMeter::quote(const PricingCatalogue &catalogue, const QString &provider,
                               const QString &size, qint64 lifetimeSeconds)
{
    if (lifetimeSeconds <= 0)
        return Error{tr("A lifetime must be longer than zero to be quoted.")};
    Quote quote;
    quote.provider = provider;
    quote.seconds = lifetimeSeconds;

    const ProviderPricing *pricing = catalogue.provider(provider);
    if (provider == kLocal) {
        quote.size = pricing ? (size.isEmpty() ? pricing->defaultSize : size) : size;
        quote.rate.how = tr("free");
        return quote;
    }
    if (!pricing)
        return Error{tr("There are no prices for the provider “%1”.").arg(provider)};
    if (!pricing->unpricedReason.isEmpty())
        return Error{tr("%1 cannot be quoted: %2").arg(pricing->name, pricing->unpricedReason)};

    quote.size = size.isEmpty() ? pricing->defaultSize : size;
    const std::optional<Rate> rate = catalogue.rate(provider, quote.size);
    if (!rate) {
        QStringList keys;
        for (const SizePricing &known : pricing->sizes)
            keys << known.key;
        return Error{tr("“%1” is not a size of %2; choose one of: %3")
                         .arg(quote.size, pricing->name, keys.join(u", "_s))};
    }
    quote.rate = *rate;
    quote.usd = charge(rate->perSecond, lifetimeSeconds, pricing->minimum);
    quote.minimumApplied = quote.usd > rate->perSecond * double(lifetimeSeconds);
    return quote;
}

QString formatUsd(double usd)
{
    if (!std::isfinite(usd))
        return u"—"_s;
    const double amount = std::abs(usd);
    const QString sign = usd < 0 ? u"-"_s : QString();
    if (amount == 0)
        return u"$0.00"_s;
    // Decide on the value as it would print with 4 decimals, so $0.00996 shows as $0.01, not $0.0100.
    const double toFourDecimals = std::round(amount * 10'000) / 10'000;
    if (toFourDecimals >= 0.01)
        return sign + u"$"_s + QString::number(amount, 'f', 2);
    if (toFourDecimals == 0)
        return usd < 0 ? u">-$0.0001"_s : u"<$0.0001"_s;
    return sign + u"$"_s + QString::number(amount, 'f', 4);
}
