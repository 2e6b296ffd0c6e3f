#pragma once

#include "pricingcatalogue.h"
#include "result.h"

#include <QByteArray>
#include <QMap>
#include <QString>

// Reads and checks resources/pricing.json (its format is described at PricingCatalogue) for
// PricingCatalogue::load.
namespace PricingParser {

// What a valid pricing.json holds, with every per-second rate derived.
struct Contents
{
    int schema = 0;
    QString updated;
    QMap<QString, ProviderPricing> providers;
    QMap<QString, TokenPrices> models;
};

// On error, what is wrong and where, for people: "pricing.json: provider “e2b” needs “source” (text)".
Result<Contents> parse(const QByteArray &json);

// A price for people as a source writes it, with cents at least and no rounding: "$5.70", "$0.000014".
QString usdText(double value);

} // namespace PricingParser
