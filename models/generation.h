#pragma once

#include "pricingcatalogue.h"
#include "ratebasis.h"

#include <QDateTime>
#include <QString>

// One request to Claude and what came of it, as stored: the prompt, the model, the tokens and their price,
// and the revision it produced (empty when it failed: the failure says why, and the commentary is kept).
struct Generation
{
    qint64 id = 0;       // assigned by the store
    QDateTime createdAt; // UTC
    QString prompt;
    QString model;
    QString parentRevisionId; // the files sent along for a refine; empty for a first generation
    QString revisionId;       // the app it returned; empty if none
    QString commentary;       // the text Claude wrote besides the app
    QString stopReason;       // "tool_use", "end_turn", "max_tokens", "refusal", ...
    TokenUsage usage;
    double costUsd = 0; // priced when it ended, with the prices of that day
    RateBasis pricing;  // those prices, for the cost ledger (not stored with the generation itself)
    QString failure;    // what went wrong, for people; empty on success
};
