#pragma once

#include "pricingcatalogue.h"
#include "ratebasis.h"
#include "result.h"
#include "session.h"

#include <QDateTime>
#include <QHash>
#include <QString>

// What a lifetime on a provider size would cost, before anything runs.
struct Quote
{
    QString provider;
    QString size; // resolved: the provider's default when none was asked for
    qint64 seconds = 0;
    double usd = 0;
    Rate rate;
    bool minimumApplied = false; // the provider's minimum charge is more than seconds × rate
};

// Money a session costs: what the provider bills for running it, plus what generating its code cost
// (Session::generationCostUsd, Claude's tokens, fixed once the generation ended).
// The running part comes from the stored start, rate and end (times are the stored UTC ones, so the figure
// survives restarts). Billing starts when the session became Running (startedAt) and stops at endedAt; it is
// capped at expiresAt, because every provider SpawnAI drives ends the resource by then. Running
// on Local always costs $0, whatever rate was stored; its generation cost still counts.
class CostMeter
{
public:
    // The assumptions of generationEstimate's callers, in one place: Claude's tokenizer averages roughly four
    // characters of English or code per token, and a typical generated app (a few files of HTML, CSS and
    // JavaScript or a small server) comes back in about 6,000 output tokens.
    static constexpr qint64 kCharactersPerToken = 4;
    static constexpr qint64 kTypicalAppOutputTokens = 6000;

    // Seconds billed up to `now`: 0 before Running and never negative. An ended (or failed) session's
    // seconds are fixed by its stored times and do not depend on `now`.
    static qint64 billableSeconds(const Session &session, const QDateTime &now);
    // seconds × rate, raised to the minimum charge once anything has run. The provider's part only.
    static double charge(double ratePerSecond, qint64 seconds, const MinimumCharge &minimum = {});
    // What the provider bills for the session's run up to `now`: charge() for its billable seconds; 0 on
    // Local.
    static double runtimeAt(const Session &session, const QDateTime &now, const MinimumCharge &minimum = {});
    // The session's whole cost at `now`: runtimeAt() + generationCostUsd.
    static double accruedAt(const Session &session, const QDateTime &now, const MinimumCharge &minimum = {});
    // What its whole lifetime (ttlSeconds, extensions included) costs at its stored rate; 0 on Local.
    static double lifetimeQuote(const Session &session, const MinimumCharge &minimum = {});
    // What `seconds` more of it cost at its stored rate (an extension's quote); 0 on Local.
    static double extensionQuote(const Session &session, qint64 seconds);
    // What it will still cost if it runs until it expires: its seconds left at its rate; 0 once ended.
    static double stillToRun(const Session &session, const QDateTime &now);
    // An empty size means the provider's default.
    static Result<Quote> quote(const PricingCatalogue &catalogue, const QString &provider,
                               const QString &size, qint64 lifetimeSeconds);

    // The quote shown before generating, in USD: `promptTokens` as uncached input (everything sent: system
    // prompt, the user's prompt and, for a refine, the files sent along; see estimatedTokens) and
    // `expectedOutputTokens` of answer, at the model's prices for a prompt of that size. An estimate: no
    // prompt-cache discount is assumed, and the real answer may be longer or shorter; the generation's
    // reported usage replaces it when the stream ends. 0 for a model the catalogue has no prices for, or for
    // negative counts.
    static double generationEstimate(const PricingCatalogue &catalogue, const QString &model,
                                     qint64 promptTokens,
                                     qint64 expectedOutputTokens = kTypicalAppOutputTokens);
    // Tokens for `characters` of text at ~kCharactersPerToken, rounded up: what a prompt or file will weigh.
    static qint64 estimatedTokens(qint64 characters);

    // Where a provider rate and a model's token prices (at a prompt of `promptTokens`) come from, to be
    // stored with what they priced. Empty for a model the catalogue does not know.
    static RateBasis basisOf(const Rate &rate);
    static RateBasis tokenBasis(const PricingCatalogue &catalogue, const QString &model, qint64 promptTokens);

    // accruedAt, but never less than this meter reported before for the same run of the same session:
    // a wall clock stepped backwards (NTP, the user) must not make a live cost go down. The generation cost
    // is added as stored (it never goes down either).
    double accrued(const Session &session, const QDateTime &now, const MinimumCharge &minimum = {});
    void forget(const QString &sessionId);

private:
    struct Mark
    {
        qint64 startedAtMs = 0; // which run the mark belongs to
        qint64 seconds = 0;     // the most seconds reported for it
    };
    QHash<QString, Mark> m_marks;
};

// "$0.17" from a cent up, "$0.0042" below a cent, "<$0.0001" for less than that, "$0.00" for nothing.
QString formatUsd(double usd);
