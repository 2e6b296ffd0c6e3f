#pragma once

#include <QString>

// Where a price came from, kept with every session and ledger entry that used it, so a cost can be explained
// (and stays right) after pricing.json or the user's own rates change.
struct RateBasis
{
    QString how;    // "2 vCPU × $0.000014/s + 0.5 GiB × $0.0000045/s", for people
    QString source; // URL or document reference
    QString asOf;   // "2026-08-21" or "2026-08"

    bool isEmpty() const { return how.isEmpty() && source.isEmpty() && asOf.isEmpty(); }
};
