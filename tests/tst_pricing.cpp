#include "costmeter.h"
#include "pricingcatalogue.h"

#include <QDate>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <iterator>

using namespace Qt::StringLiterals;

namespace {

// Equal to ~10 significant digits: the hand-computed figures below are written to at least that many.
bool nearlyEqual(double actual, double expected)
{
    return std::abs(actual - expected) <= 1e-9 * std::max(std::abs(expected), 1e-12);
}

QString show(double actual, double expected)
{
    return u"actual %1, expected %2"_s.arg(actual, 0, 'g', 15).arg(expected, 0, 'g', 15);
}

// Every provider size with its rate worked out by hand from ref/ (see each comment), and its 2-hour quote.
struct SizeRow
{
    const char *provider;
    const char *size;
    double vcpu;
    double memoryGib;
    double perSecond;
    double twoHours;
    const char *how;
};

const SizeRow kSizes[] = {
    {"local", "sandbox", 0, 0, 0, 0, "free"},
    // E2B: $0.000014 per vCPU-s + $0.0000045 per GiB-s. 2 × 0.000014 + 0.5 × 0.0000045 = 0.00003025.
    {"e2b", "base", 2, 0.5, 0.00003025, 0.2178, "2 vCPU × $0.000014/s + 0.5 GiB × $0.0000045/s"},
    // 2 × 0.000014 + 2 × 0.0000045 = 0.000037; × 7200 = 0.2664.
    {"e2b", "2cpu-2gib", 2, 2, 0.000037, 0.2664, "2 vCPU × $0.000014/s + 2 GiB × $0.0000045/s"},
    // 0.000014 + 2 × 0.0000045 = 0.000023; × 7200 = 0.1656. (The DESIGN research's ~$0.065 was wrong.)
    {"e2b", "1cpu-2gib", 1, 2, 0.000023, 0.1656, "1 vCPU × $0.000014/s + 2 GiB × $0.0000045/s"},
    // Fly: $1.94 per 30 days / 2,592,000 s = 7.484567901e-7/s; × 7200 = 1.94 / 360 = 0.005388888889.
    {"fly", "shared-cpu-1x-256mb", 1, 0.25, 7.484567901e-7, 0.005388888889,
     "$1.94 per 30 days ÷ 2,592,000 s"},
    // $5.70 / 2,592,000 = 2.199074074e-6/s; 2 h = 5.70 / 360 = 0.01583333333.
    {"fly", "shared-cpu-1x-1gb", 1, 1, 2.199074074e-6, 0.01583333333, "$5.70 per 30 days ÷ 2,592,000 s"},
    // DigitalOcean: $0.00595/h / 3600 = 1.652777778e-6/s; 2 h = 0.0119.
    {"digitalocean", "s-1vcpu-512mb-10gb", 1, 0.5, 1.652777778e-6, 0.0119, "$0.00595/h ÷ 3600 s"},
    // $0.00893/h / 3600 = 2.480555556e-6/s; 2 h = 0.01786.
    {"digitalocean", "s-1vcpu-1gb", 1, 1, 2.480555556e-6, 0.01786, "$0.00893/h ÷ 3600 s"},
    // RunPod (estimate): 2 vCPU × $0.04/h = $0.08/h = 2.222222222e-5/s; 2 h = 0.16.
    {"runpod", "cpu3c-2-4", 2, 4, 2.222222222e-5, 0.16, "$0.08/h ÷ 3600 s"},
    // Modal: $0.00003942 per core-s + $0.0000067 per GiB-s.
    // 0.125 × 0.00003942 + 0.125 × 0.0000067 = 0.0000049275 + 0.0000008375 = 0.000005765; × 7200 = 0.041508.
    {"modal", "0.125-core-128mib", 0.25, 0.125, 0.000005765, 0.041508,
     "0.125 core × $0.00003942/s + 0.125 GiB × $0.0000067/s"},
    // 0.25 × 0.00003942 + 0.5 × 0.0000067 = 0.000009855 + 0.00000335 = 0.000013205; × 7200 = 0.095076.
    {"modal", "0.25-core-512mib", 0.5, 0.5, 0.000013205, 0.095076,
     "0.25 core × $0.00003942/s + 0.5 GiB × $0.0000067/s"},
    // 0.00003942 + 2 × 0.0000067 = 0.00005282; × 7200 = 0.380304.
    {"modal", "1-core-2gib", 2, 2, 0.00005282, 0.380304, "1 core × $0.00003942/s + 2 GiB × $0.0000067/s"},
};

// Claude prices per million tokens as ref/anthropic.md §7 lists them (first tier where tiered).
struct ModelRow
{
    const char *model;
    double input, output, cacheWrite5m, cacheWrite1h, cacheRead;
};

const ModelRow kModels[] = {
    {"claude-fable-5-2", 8, 40, 10, 16, 0.20},
    {"claude-mythos-5-2", 8, 40, 10, 16, 0.20},
    {"claude-opus-5-5", 4, 20, 5, 8, 0.20},
    {"claude-sonnet-5-5", 2, 10, 2.50, 4, 0.20},
    {"claude-haiku-5-5", 0.10, 0.50, 0.125, 0.20, 0.01},
    {"claude-fable-5-1", 10, 50, 12.50, 20, 0.25},
    {"claude-opus-5", 5, 25, 6.25, 10, 0.50},
    {"claude-sonnet-5", 2, 10, 2.50, 4, 0.20},
    {"claude-opus-4-8", 5, 25, 6.25, 10, 0.50},
    {"claude-opus-4-7", 5, 25, 6.25, 10, 0.50},
    {"claude-opus-4-6", 5, 25, 6.25, 10, 0.50},
    {"claude-opus-4-5", 5, 25, 6.25, 10, 0.50},
    {"claude-sonnet-4-6", 3, 15, 3.75, 6, 0.30},
    {"claude-sonnet-4-5", 3, 15, 3.75, 6, 0.30},
    {"claude-haiku-4-5", 1, 5, 1.25, 2, 0.10},
};

// The published start times (DESIGN.md's provider comparison, Local: bench_localdeploy's targets), and a word
// of the source each must cite.
struct StartTimeRow
{
    const char *provider;
    const char *text;
    double seconds;
    const char *cites;
};

const StartTimeRow kStartTimes[] = {
    {"local", "< 1 s", 1, "bench_localdeploy"}, // DESIGN.md targets: static < 100 ms, Python < 250 ms
    {"e2b", "~150 ms", 0.15, "ref/e2b.md"},     // DESIGN.md: ~150 ms sandbox start
    {"fly", "< 10 s", 10, "ref/fly.md"},        // DESIGN.md: Fly.io Machines <10 s
    {"modal", "< 30 s", 30, "ref/modal.md"},    // DESIGN.md: Modal <30 s
    {"runpod", "< 15 s", 15, "ref/runpod.md"},  // DESIGN.md: RunPod <15 s
    {"digitalocean", "60–90 s", 90, "ref/digitalocean.md"}, // DESIGN.md: DigitalOcean Droplets 60–90 s
};

// A small valid catalogue; the invalid rows each break one thing in it.
const QString kMinimal = uR"({"schema": 1, "updated": "2026-11-28",
 "providers": {"p": {"name": "P", "billing": "per second", "source": "test", "as_of": "2026-11-28",
   "sizes": {"small": {"label": "Small", "per_second": 0.001}}, "default_size": "small"}},
 "claude": {"source": "test", "as_of": "2026-11",
   "models": {"m": {"name": "M", "input": 1, "output": 2, "cache_write_5m": 1.25, "cache_write_1h": 2, "cache_read": 0.1}}}})"_s;

} // namespace

class TestPricing : public QObject
{
    Q_OBJECT

private slots:
    void shippedLoads();
    void everyEntryIsSourcedAndDated();
    void sizeRates_data();
    void sizeRates();
    void everySizeHasARow();
    void sizesAreOrderedCheapestFirst();
    void defaultSizes();
    void unpricedProviders_data();
    void unpricedProviders();
    void runPodIsAnEstimate();
    void digitalOceanMinimumCharge_data();
    void digitalOceanMinimumCharge();
    void minimumIsTheHigherOfSecondsAndUsd();
    void tokenPrices_data();
    void tokenPrices();
    void everyModelHasARow();
    void haikuTiers();
    void generationCost_data();
    void generationCost();
    void minimalCatalogueLoads();
    void invalidCatalogues_data();
    void invalidCatalogues();
    void overrideReplacesOneRate();
    void overridesLeaveOtherSizesAlone();
    void overridesKeepSizesCheapestFirst();
    void unknownOverridesAreIgnored();
    void startTimes_data();
    void startTimes();
    void everyStartTimeHasARow();
    void startTimeIsOptional();
};

void TestPricing::shippedLoads()
{
    QFile file(u":/spawnai/pricing.json"_s);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
    const Result<PricingCatalogue> loaded = PricingCatalogue::load(file.readAll());
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));

    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    QCOMPARE(catalogue.schema(), 1);
    QCOMPARE(catalogue.updated(), u"2026-11-28"_s);
    QCOMPARE(catalogue.providers(), (QStringList{u"digitalocean"_s, u"e2b"_s, u"fly"_s, u"local"_s,
                                                 u"modal"_s, u"nhost"_s, u"replit"_s, u"runpod"_s}));
    QCOMPARE(catalogue.provider(u"e2b"_s)->name, u"E2B"_s);
    QCOMPARE(catalogue.provider(u"fly"_s)->name, u"Fly.io"_s);
    QVERIFY(!catalogue.provider(u"e2b"_s)->billing.isEmpty());
    QVERIFY(!catalogue.provider(u"heroku"_s));
    QVERIFY(!catalogue.rate(u"heroku"_s, u"base"_s));
    QVERIFY(!catalogue.rate(u"e2b"_s, u"huge"_s));
}

void TestPricing::everyEntryIsSourcedAndDated()
{
    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    for (const QString &key : catalogue.providers()) {
        const ProviderPricing *provider = catalogue.provider(key);
        QVERIFY2(!provider->source.isEmpty() && !provider->asOf.isEmpty(), qPrintable(key));
        for (const SizePricing &size : provider->sizes) {
            QVERIFY2(!size.label.isEmpty(), qPrintable(size.key));
            QVERIFY2(!size.rate.source.isEmpty() && !size.rate.asOf.isEmpty(), qPrintable(size.key));
            QVERIFY2(!size.rate.how.isEmpty(), qPrintable(size.key));
        }
    }
    for (const QString &model : catalogue.models()) {
        const std::optional<TokenPrices> prices = catalogue.tokenPrices(model);
        QVERIFY2(!prices->source.isEmpty() && !prices->asOf.isEmpty() && !prices->name.isEmpty(),
                 qPrintable(model));
    }
    // Where a size names its own source, it wins over the provider's.
    QVERIFY(catalogue.rate(u"digitalocean"_s, u"s-1vcpu-1gb"_s)->source.contains(u"gist.github.com"_s));
    QCOMPARE(catalogue.rate(u"digitalocean"_s, u"s-1vcpu-1gb"_s)->asOf, u"2026-08-07"_s);
    QVERIFY(catalogue.rate(u"e2b"_s, u"1cpu-2gib"_s)
                ->source.contains(u"e2b.dev/docs/faq/calculate-sandbox-price"_s));
}

void TestPricing::sizeRates_data()
{
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QString>("size");
    QTest::addColumn<double>("vcpu");
    QTest::addColumn<double>("memoryGib");
    QTest::addColumn<double>("perSecond");
    QTest::addColumn<double>("twoHours");
    QTest::addColumn<QString>("how");
    for (const SizeRow &row : kSizes) {
        QTest::addRow("%s/%s", row.provider, row.size)
            << QString::fromLatin1(row.provider) << QString::fromLatin1(row.size) << row.vcpu << row.memoryGib
            << row.perSecond << row.twoHours << QString::fromUtf8(row.how);
    }
}

void TestPricing::sizeRates()
{
    QFETCH(QString, provider);
    QFETCH(QString, size);
    QFETCH(double, vcpu);
    QFETCH(double, memoryGib);
    QFETCH(double, perSecond);
    QFETCH(double, twoHours);
    QFETCH(QString, how);

    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    const std::optional<Rate> rate = catalogue.rate(provider, size);
    QVERIFY(rate);
    QVERIFY2(nearlyEqual(rate->perSecond, perSecond), qPrintable(show(rate->perSecond, perSecond)));
    QCOMPARE(rate->how, how);

    const QList<SizePricing> sizes = catalogue.sizes(provider);
    const auto found =
        std::find_if(sizes.begin(), sizes.end(), [&](const SizePricing &s) { return s.key == size; });
    QVERIFY(found != sizes.end());
    QCOMPARE(found->vcpu, vcpu);
    QCOMPARE(found->memoryGib, memoryGib);

    const Result<Quote> quote = CostMeter::quote(catalogue, provider, size, 2 * 3600);
    QVERIFY2(quote.ok(), qPrintable(quote.error()));
    QVERIFY2(nearlyEqual(quote->usd, twoHours), qPrintable(show(quote->usd, twoHours)));
    QCOMPARE(quote->size, size);
    QVERIFY(!quote->minimumApplied);
}

void TestPricing::everySizeHasARow()
{
    // A size added to pricing.json without a hand-checked row above fails here.
    QSet<QString> covered;
    for (const SizeRow &row : kSizes)
        covered.insert(QString::fromLatin1(row.provider) + u'/' + QString::fromLatin1(row.size));
    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    int sizes = 0;
    for (const QString &provider : catalogue.providers()) {
        for (const SizePricing &size : catalogue.sizes(provider)) {
            QVERIFY2(covered.contains(provider + u'/' + size.key), qPrintable(provider + u'/' + size.key));
            ++sizes;
        }
    }
    QCOMPARE(sizes, int(std::size(kSizes)));
}

void TestPricing::sizesAreOrderedCheapestFirst()
{
    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    QStringList e2b;
    for (const SizePricing &size : catalogue.sizes(u"e2b"_s))
        e2b << size.key;
    QCOMPARE(e2b, (QStringList{u"1cpu-2gib"_s, u"base"_s, u"2cpu-2gib"_s}));
    QCOMPARE(catalogue.sizes(u"e2b"_s).first().label, u"1 vCPU, 2 GiB (custom template)"_s);
    for (const QString &provider : catalogue.providers()) {
        const QList<SizePricing> sizes = catalogue.sizes(provider);
        for (qsizetype i = 1; i < sizes.size(); ++i)
            QVERIFY2(sizes[i - 1].rate.perSecond <= sizes[i].rate.perSecond, qPrintable(provider));
    }
}

void TestPricing::defaultSizes()
{
    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    QCOMPARE(catalogue.defaultSize(u"local"_s), u"sandbox"_s);
    QCOMPARE(catalogue.defaultSize(u"e2b"_s), u"base"_s);
    QCOMPARE(catalogue.defaultSize(u"fly"_s), u"shared-cpu-1x-256mb"_s);
    QCOMPARE(catalogue.defaultSize(u"digitalocean"_s), u"s-1vcpu-1gb"_s);
    QCOMPARE(catalogue.defaultSize(u"runpod"_s), u"cpu3c-2-4"_s);
    QCOMPARE(catalogue.defaultSize(u"modal"_s), u"0.25-core-512mib"_s);
    // An empty size asks for the default.
    QVERIFY(nearlyEqual(catalogue.rate(u"e2b"_s, QString())->perSecond, 0.00003025));
}

void TestPricing::unpricedProviders_data()
{
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QString>("reason");
    QTest::newRow("replit") << u"replit"_s << u"no API to deploy generated code"_s;
    QTest::newRow("nhost") << u"nhost"_s << u"no per-second rate"_s;
}

void TestPricing::unpricedProviders()
{
    QFETCH(QString, provider);
    QFETCH(QString, reason);
    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    QVERIFY(catalogue.provider(provider));
    QVERIFY2(catalogue.provider(provider)->unpricedReason.contains(reason),
             qPrintable(catalogue.provider(provider)->unpricedReason));
    QVERIFY(catalogue.sizes(provider).isEmpty());
    QVERIFY(catalogue.defaultSize(provider).isEmpty());
    QVERIFY(!catalogue.rate(provider, QString()));
    const Result<Quote> quote = CostMeter::quote(catalogue, provider, QString(), 7200);
    QVERIFY(!quote.ok());
    QVERIFY2(quote.error().contains(reason), qPrintable(quote.error()));
}

void TestPricing::runPodIsAnEstimate()
{
    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    const std::optional<Rate> rate = catalogue.rate(u"runpod"_s, u"cpu3c-2-4"_s);
    QVERIFY(rate->estimate);
    QVERIFY2(rate->estimateReason.contains(u"does not publish"_s), qPrintable(rate->estimateReason));
    QVERIFY(rate->estimateReason.contains(u"$0.04 per vCPU-hour"_s));
    for (const QString &provider : {u"e2b"_s, u"fly"_s, u"digitalocean"_s, u"modal"_s, u"local"_s})
        QVERIFY2(!catalogue.rate(provider, QString())->estimate, qPrintable(provider));
}

void TestPricing::digitalOceanMinimumCharge_data()
{
    QTest::addColumn<QString>("size");
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<double>("usd");
    QTest::addColumn<bool>("minimumApplied");

    // Minimum: the higher of 60 s at the rate (60 × 2.480555556e-6 = $0.000148833) and $0.01 → $0.01.
    QTest::newRow("1gb, 30 s") << u"s-1vcpu-1gb"_s << qint64(30) << 0.01 << true;
    QTest::newRow("1gb, 1 s") << u"s-1vcpu-1gb"_s << qint64(1) << 0.01 << true;
    QTest::newRow("1gb, 60 s") << u"s-1vcpu-1gb"_s << qint64(60) << 0.01 << true;
    // 3600 × 0.00893 / 3600 = 0.00893 is still under $0.01.
    QTest::newRow("1gb, 1 h") << u"s-1vcpu-1gb"_s << qint64(3600) << 0.01 << true;
    // 4032 s × 2.480555556e-6 = 0.01000160: just over the minimum.
    QTest::newRow("1gb, 4032 s") << u"s-1vcpu-1gb"_s << qint64(4032) << 0.01000160 << false;
    QTest::newRow("1gb, 2 h") << u"s-1vcpu-1gb"_s << qint64(7200) << 0.01786 << false;
    QTest::newRow("512mb, 30 s") << u"s-1vcpu-512mb-10gb"_s << qint64(30) << 0.01 << true;
    QTest::newRow("512mb, 2 h") << u"s-1vcpu-512mb-10gb"_s << qint64(7200) << 0.0119 << false;
}

void TestPricing::digitalOceanMinimumCharge()
{
    QFETCH(QString, size);
    QFETCH(qint64, seconds);
    QFETCH(double, usd);
    QFETCH(bool, minimumApplied);
    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    const MinimumCharge minimum = catalogue.minimumCharge(u"digitalocean"_s);
    QCOMPARE(minimum.seconds, qint64(60));
    QCOMPARE(minimum.usd, 0.01);

    const Result<Quote> quote = CostMeter::quote(catalogue, u"digitalocean"_s, size, seconds);
    QVERIFY2(quote.ok(), qPrintable(quote.error()));
    QVERIFY2(nearlyEqual(quote->usd, usd), qPrintable(show(quote->usd, usd)));
    QCOMPARE(quote->minimumApplied, minimumApplied);
    // Providers without a minimum charge bill exactly seconds × rate.
    QVERIFY(catalogue.minimumCharge(u"e2b"_s).isNone());
}

void TestPricing::minimumIsTheHigherOfSecondsAndUsd()
{
    // $36/h = $0.01/s: 60 s at the rate ($0.60) beats $0.01.
    QString json = kMinimal;
    json.replace(u"\"per_second\": 0.001"_s, u"\"per_hour\": 36"_s);
    json.replace(u"\"billing\": \"per second\","_s,
                 u"\"billing\": \"per second\", \"minimum_charge\": {\"seconds\": 60, \"usd\": 0.01},"_s);
    const Result<PricingCatalogue> catalogue = PricingCatalogue::load(json.toUtf8());
    QVERIFY2(catalogue.ok(), qPrintable(catalogue.error()));
    const Result<Quote> short30 = CostMeter::quote(*catalogue, u"p"_s, QString(), 30);
    QVERIFY(nearlyEqual(short30->usd, 0.60));
    QVERIFY(short30->minimumApplied);
    const Result<Quote> long120 = CostMeter::quote(*catalogue, u"p"_s, QString(), 120);
    QVERIFY(nearlyEqual(long120->usd, 1.20));
    QVERIFY(!long120->minimumApplied);
}

void TestPricing::tokenPrices_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<double>("input");
    QTest::addColumn<double>("output");
    QTest::addColumn<double>("cacheWrite5m");
    QTest::addColumn<double>("cacheWrite1h");
    QTest::addColumn<double>("cacheRead");
    for (const ModelRow &row : kModels) {
        QTest::newRow(row.model) << QString::fromLatin1(row.model) << row.input << row.output
                                 << row.cacheWrite5m << row.cacheWrite1h << row.cacheRead;
    }
}

void TestPricing::tokenPrices()
{
    QFETCH(QString, model);
    QFETCH(double, input);
    QFETCH(double, output);
    QFETCH(double, cacheWrite5m);
    QFETCH(double, cacheWrite1h);
    QFETCH(double, cacheRead);
    const std::optional<TokenPrices> prices = PricingCatalogue::shipped().tokenPrices(model);
    QVERIFY(prices);
    QCOMPARE(prices->model, model);
    const TokenTier &tier = prices->tiers.first();
    QCOMPARE(tier.input, input);
    QCOMPARE(tier.output, output);
    QCOMPARE(tier.cacheWrite5m, cacheWrite5m);
    QCOMPARE(tier.cacheWrite1h, cacheWrite1h);
    QCOMPARE(tier.cacheRead, cacheRead);
}

void TestPricing::everyModelHasARow()
{
    QStringList covered;
    for (const ModelRow &row : kModels)
        covered << QString::fromLatin1(row.model);
    covered.sort();
    QCOMPARE(PricingCatalogue::shipped().models(), covered);
    QVERIFY(!PricingCatalogue::shipped().tokenPrices(u"claude-unknown-1"_s));
}

void TestPricing::haikuTiers()
{
    const std::optional<TokenPrices> haiku = PricingCatalogue::shipped().tokenPrices(u"claude-haiku-5-5"_s);
    QCOMPARE(haiku->tiers.size(), 2);
    QCOMPARE(haiku->tiers[0].maxPromptTokens, qint64(100'000));
    QCOMPARE(haiku->tiers[1].maxPromptTokens, qint64(0));
    QCOMPARE(haiku->tierFor(100'000).input, 0.10);
    QCOMPARE(haiku->tierFor(100'001).input, 0.50);
    const TokenTier &large = haiku->tiers[1];
    QCOMPARE(large.output, 2.50);
    QCOMPARE(large.cacheWrite5m, 0.625);
    QCOMPARE(large.cacheWrite1h, 1.0);
    QCOMPARE(large.cacheRead, 0.05);
}

void TestPricing::generationCost_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<qint64>("input");
    QTest::addColumn<qint64>("output");
    QTest::addColumn<qint64>("cacheWrite5m");
    QTest::addColumn<qint64>("cacheWrite1h");
    QTest::addColumn<qint64>("cacheRead");
    QTest::addColumn<double>("usd");

    // 10,000 × $2 + 2,000 × $10, per million = 0.02 + 0.02.
    QTest::newRow("sonnet 5.5 plain")
        << u"claude-sonnet-5-5"_s << 10'000LL << 2'000LL << 0LL << 0LL << 0LL << 0.04;
    // 1,000 × 2 + 4,000 × 10 + 5,000 × 2.50 + 20,000 × 0.20 = 2,000 + 40,000 + 12,500 + 4,000 → $0.0585.
    QTest::newRow("sonnet 5.5 cached")
        << u"claude-sonnet-5-5"_s << 1'000LL << 4'000LL << 5'000LL << 0LL << 20'000LL << 0.0585;
    // 10,000 × 4 + 2,000 × 20 + 3,000 × 8 + 8,000 × 0.20 = 40,000 + 40,000 + 24,000 + 1,600 → $0.1056.
    QTest::newRow("opus 5.5, 1 h cache")
        << u"claude-opus-5-5"_s << 10'000LL << 2'000LL << 0LL << 3'000LL << 8'000LL << 0.1056;
    // 50,000 × 8 + 10,000 × 40 + 2,000 × 10 + 100,000 × 0.20 = 400,000 + 400,000 + 20,000 + 20,000 → $0.84.
    QTest::newRow("fable 5.2") << u"claude-fable-5-2"_s << 50'000LL << 10'000LL << 2'000LL << 0LL << 100'000LL
                               << 0.84;
    QTest::newRow("mythos 5.2") << u"claude-mythos-5-2"_s << 50'000LL << 10'000LL << 2'000LL << 0LL
                                << 100'000LL << 0.84;
    // Prompt 40,000 + 50,000 = 90,000 ≤ 100K: 40,000 × 0.10 + 8,000 × 0.50 + 50,000 × 0.01 → $0.0085.
    QTest::newRow("haiku 5.5 small prompt")
        << u"claude-haiku-5-5"_s << 40'000LL << 8'000LL << 0LL << 0LL << 50'000LL << 0.0085;
    // Exactly 100,000 is still the small tier: 100,000 × 0.10 → $0.01.
    QTest::newRow("haiku 5.5 at 100K")
        << u"claude-haiku-5-5"_s << 100'000LL << 0LL << 0LL << 0LL << 0LL << 0.01;
    // 100,001 switches every token to the large tier: 100,001 × 0.50 → $0.0500005.
    QTest::newRow("haiku 5.5 over 100K")
        << u"claude-haiku-5-5"_s << 100'001LL << 0LL << 0LL << 0LL << 0LL << 0.0500005;
    // Cache tokens count towards the prompt: 30,000 + 20,000 + 10,000 + 60,000 = 120,000 > 100K →
    // 30,000 × 0.50 + 5,000 × 2.50 + 20,000 × 0.625 + 10,000 × 1 + 60,000 × 0.05
    // = 15,000 + 12,500 + 12,500 + 10,000 + 3,000 = 53,000 → $0.053.
    QTest::newRow("haiku 5.5 large tier via cache")
        << u"claude-haiku-5-5"_s << 30'000LL << 5'000LL << 20'000LL << 10'000LL << 60'000LL << 0.053;
    // The same tokens with only 50,000 cache reads: 110,000 > 100K still, 50,000 × 0.05 = 2,500 → $0.0525.
    QTest::newRow("haiku 5.5 large tier, fewer reads")
        << u"claude-haiku-5-5"_s << 30'000LL << 5'000LL << 20'000LL << 10'000LL << 50'000LL << 0.0525;
    // 10,000 × 1 + 1,000 × 5 → $0.015.
    QTest::newRow("haiku 4.5") << u"claude-haiku-4-5"_s << 10'000LL << 1'000LL << 0LL << 0LL << 0LL << 0.015;
    // 10,000 × 3 + 1,000 × 15 + 4,000 × 3.75 → 30,000 + 15,000 + 15,000 = $0.06.
    QTest::newRow("sonnet 4.5") << u"claude-sonnet-4-5"_s << 10'000LL << 1'000LL << 4'000LL << 0LL << 0LL
                                << 0.06;
    // 10,000 × 10 + 1,000 × 50 + 10,000 × 0.25 = 100,000 + 50,000 + 2,500 → $0.1525.
    QTest::newRow("fable 5.1") << u"claude-fable-5-1"_s << 10'000LL << 1'000LL << 0LL << 0LL << 10'000LL
                               << 0.1525;
    QTest::newRow("no tokens") << u"claude-opus-5-5"_s << 0LL << 0LL << 0LL << 0LL << 0LL << 0.0;
    QTest::newRow("unknown model") << u"claude-unknown-1"_s << 10'000LL << 1'000LL << 0LL << 0LL << 0LL
                                   << 0.0;
}

void TestPricing::generationCost()
{
    QFETCH(QString, model);
    QFETCH(qint64, input);
    QFETCH(qint64, output);
    QFETCH(qint64, cacheWrite5m);
    QFETCH(qint64, cacheWrite1h);
    QFETCH(qint64, cacheRead);
    QFETCH(double, usd);
    if (model == u"claude-unknown-1"_s)
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"No token prices for model"_s));
    const TokenUsage usage{input, output, cacheWrite5m, cacheWrite1h, cacheRead};
    const double cost = PricingCatalogue::shipped().generationCost(model, usage);
    QVERIFY2(usd == 0 ? cost == 0 : nearlyEqual(cost, usd), qPrintable(show(cost, usd)));
}

void TestPricing::minimalCatalogueLoads()
{
    const Result<PricingCatalogue> catalogue = PricingCatalogue::load(kMinimal.toUtf8());
    QVERIFY2(catalogue.ok(), qPrintable(catalogue.error()));
    QCOMPARE(catalogue->rate(u"p"_s, u"small"_s)->perSecond, 0.001);
    QCOMPARE(catalogue->rate(u"p"_s, u"small"_s)->source, u"test"_s);
}

void TestPricing::invalidCatalogues_data()
{
    QTest::addColumn<QString>("from"); // replaced in kMinimal (empty: the whole text is "to")
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("message");

    QTest::newRow("not JSON") << QString() << u"{\"schema\": 1,"_s << u"not valid JSON"_s;
    QTest::newRow("not an object") << QString() << u"[]"_s << u"the top level must be an object"_s;
    QTest::newRow("newer schema") << u"\"schema\": 1"_s << u"\"schema\": 2"_s
                                  << u"“schema” is 2, but this SpawnAI reads schema 1"_s;
    QTest::newRow("no schema") << u"\"schema\": 1,"_s << QString() << u"“schema” is missing"_s;
    QTest::newRow("bad updated date") << u"\"updated\": \"2026-11-28\""_s << u"\"updated\": \"2026-13-01\""_s
                                      << u"“updated” is “2026-13-01”; write a date like 2026-08-21"_s;
    QTest::newRow("no providers") << u"\"providers\""_s << u"\"vendors\""_s
                                  << u"“providers” is missing or empty"_s;
    QTest::newRow("negative size price")
        << u"\"per_second\": 0.001"_s << u"\"per_hour\": -0.5"_s
        << u"size “small” of provider “p”: “per_hour” is negative (-0.5); prices and sizes must be zero or more"_s;
    QTest::newRow("negative component rate")
        << u"\"sizes\""_s << u"\"rates\": {\"per_vcpu_second\": -0.000014}, \"sizes\""_s
        << u"provider “p” rates: “per_vcpu_second” is negative (-0.000014)"_s;
    QTest::newRow("price as text") << u"\"per_second\": 0.001"_s << u"\"per_second\": \"0.001\""_s
                                   << u"“per_second” must be a number"_s;
    QTest::newRow("missing sizes") << u"\"sizes\""_s << u"\"sizez\""_s
                                   << u"provider “p” has no “sizes” (an object of size key → price)"_s;
    QTest::newRow("empty sizes") << u"{\"small\": {\"label\": \"Small\", \"per_second\": 0.001}}"_s << u"{}"_s
                                 << u"provider “p” lists no sizes; add one, or an “unpriced_reason”"_s;
    QTest::newRow("unknown default size")
        << u"\"default_size\": \"small\""_s << u"\"default_size\": \"huge\""_s
        << u"provider “p”: default size “huge” is not one of its sizes (small)"_s;
    QTest::newRow("no default size") << u", \"default_size\": \"small\""_s << QString()
                                     << u"provider “p” needs “default_size”, one of: small"_s;
    QTest::newRow("size without price")
        << u", \"per_second\": 0.001"_s << QString()
        << u"size “small” of provider “p” has no price; give one of per_second"_s;
    QTest::newRow("size with two prices")
        << u"\"per_second\": 0.001"_s << u"\"per_second\": 0.001, \"per_hour\": 3.6"_s
        << u"has more than one price"_s;
    QTest::newRow("own price despite rates")
        << u"\"sizes\""_s << u"\"rates\": {\"per_gib_second\": 0.0000045}, \"sizes\""_s
        << u"has its own price, but the provider prices sizes by its “rates”"_s;
    QTest::newRow("component rate without the resource")
        << u"\"sizes\": {\"small\": {\"label\": \"Small\", \"per_second\": 0.001}}"_s
        << u"\"rates\": {\"per_vcpu_second\": 0.000014, \"per_gib_second\": 0.0000045}, "
           u"\"sizes\": {\"small\": {\"label\": \"Small\", \"vcpu\": 2}}"_s
        << u"size “small” of provider “p” needs “memory_gib” above zero: the provider prices it per GiB"_s;
    QTest::newRow("empty rates") << u"\"sizes\""_s << u"\"rates\": {}, \"sizes\""_s
                                 << u"“rates” needs per_vcpu_second, per_core_second or per_gib_second"_s;
    QTest::newRow("negative vCPU") << u"\"label\": \"Small\","_s << u"\"label\": \"Small\", \"vcpu\": -1,"_s
                                   << u"“vcpu” is negative (-1)"_s;
    QTest::newRow("size without label")
        << u"\"label\": \"Small\","_s << QString() << u"size “small” of provider “p” needs “label” (text)"_s;
    QTest::newRow("provider without source")
        << u"\"source\": \"test\", \"as_of\": \"2026-11-28\""_s << u"\"as_of\": \"2026-11-28\""_s
        << u"provider “p” needs “source” (text)"_s;
    QTest::newRow("bad as_of") << u"\"as_of\": \"2026-11-28\""_s << u"\"as_of\": \"yesterday\""_s
                               << u"provider “p”: “as_of” is “yesterday”"_s;
    QTest::newRow("estimate without reason")
        << u"\"billing\": \"per second\","_s << u"\"billing\": \"per second\", \"estimate\": true,"_s
        << u"provider “p” needs “estimate_reason” (text)"_s;
    QTest::newRow("unpriced but sized") << u"\"billing\": \"per second\","_s
                                        << u"\"billing\": \"per second\", \"unpriced_reason\": \"no API\","_s
                                        << u"has an “unpriced_reason” but also sizes"_s;
    QTest::newRow("negative minimum charge")
        << u"\"billing\": \"per second\","_s
        << u"\"billing\": \"per second\", \"minimum_charge\": {\"usd\": -1},"_s
        << u"provider “p” minimum_charge: “usd” is negative (-1)"_s;
    QTest::newRow("empty minimum charge")
        << u"\"billing\": \"per second\","_s << u"\"billing\": \"per second\", \"minimum_charge\": {},"_s
        << u"minimum_charge needs “seconds” or “usd” above zero"_s;
    QTest::newRow("no claude section")
        << u"\"claude\""_s << u"\"anthropic\""_s << u"“claude” needs “source” (text)"_s;
    QTest::newRow("no models") << u"\"models\""_s << u"\"modelz\""_s << u"“claude” lists no “models”"_s;
    QTest::newRow("negative token price")
        << u"\"output\": 2"_s << u"\"output\": -2"_s << u"model “m”: “output” is negative (-2)"_s;
    QTest::newRow("missing token price") << u", \"cache_read\": 0.1"_s << QString()
                                         << u"model “m” needs “cache_read” (USD per million tokens)"_s;
    QTest::newRow("unlimited tier first")
        << u"\"input\": 1, \"output\": 2, \"cache_write_5m\": 1.25, \"cache_write_1h\": 2, \"cache_read\": 0.1"_s
        << u"\"tiers\": [{\"input\": 1, \"output\": 2, \"cache_write_5m\": 1.25, \"cache_write_1h\": 2, "
           u"\"cache_read\": 0.1}, {\"input\": 2, \"output\": 4, \"cache_write_5m\": 2.5, "
           u"\"cache_write_1h\": 4, "
           u"\"cache_read\": 0.2}]"_s
        << u"model “m” tier 1 needs “max_prompt_tokens”: only the last tier is unlimited"_s;
    QTest::newRow("limited last tier")
        << u"\"input\": 1, \"output\": 2, \"cache_write_5m\": 1.25, \"cache_write_1h\": 2, \"cache_read\": 0.1"_s
        << u"\"tiers\": [{\"max_prompt_tokens\": 1000, \"input\": 1, \"output\": 2, \"cache_write_5m\": "
           u"1.25, "
           u"\"cache_write_1h\": 2, \"cache_read\": 0.1}]"_s
        << u"model “m”: the last tier must have no “max_prompt_tokens”"_s;
    QTest::newRow("tiers not growing")
        << u"\"input\": 1, \"output\": 2, \"cache_write_5m\": 1.25, \"cache_write_1h\": 2, \"cache_read\": 0.1"_s
        << u"\"tiers\": [{\"max_prompt_tokens\": 1000, \"input\": 1, \"output\": 2, \"cache_write_5m\": 1, "
           u"\"cache_write_1h\": 2, \"cache_read\": 0.1}, {\"max_prompt_tokens\": 500, \"input\": 1, "
           u"\"output\": 2, "
           u"\"cache_write_5m\": 1, \"cache_write_1h\": 2, \"cache_read\": 0.1}, {\"input\": 1, \"output\": "
           u"2, "
           u"\"cache_write_5m\": 1, \"cache_write_1h\": 2, \"cache_read\": 0.1}]"_s
        << u"model “m” tier 2: “max_prompt_tokens” must grow from tier to tier"_s;
    QTest::newRow("start_time not an object")
        << u"\"default_size\": \"small\""_s << u"\"default_size\": \"small\", \"start_time\": \"fast\""_s
        << u"provider “p”: “start_time” must be an object with “text”, “seconds” and “source”"_s;
    QTest::newRow("start_time without text")
        << u"\"default_size\": \"small\""_s
        << u"\"default_size\": \"small\", \"start_time\": {\"seconds\": 1, \"source\": \"test\"}"_s
        << u"provider “p” start_time needs “text” (text)"_s;
    QTest::newRow("start_time without source")
        << u"\"default_size\": \"small\""_s
        << u"\"default_size\": \"small\", \"start_time\": {\"text\": \"< 1 s\", \"seconds\": 1}"_s
        << u"provider “p” start_time needs “source” (text)"_s;
    QTest::newRow("start_time seconds as text")
        << u"\"default_size\": \"small\""_s
        << u"\"default_size\": \"small\", \"start_time\": {\"text\": \"< 1 s\", \"seconds\": \"1\", "
           u"\"source\": \"test\"}"_s
        << u"provider “p” start_time needs “seconds” above zero"_s;
    QTest::newRow("start_time zero seconds")
        << u"\"default_size\": \"small\""_s
        << u"\"default_size\": \"small\", \"start_time\": {\"text\": \"instant\", \"seconds\": 0, "
           u"\"source\": \"test\"}"_s
        << u"provider “p” start_time needs “seconds” above zero"_s;
    QTest::newRow("tier limit outside tiers")
        << u"\"input\": 1,"_s << u"\"max_prompt_tokens\": 5, \"input\": 1,"_s
        << u"“max_prompt_tokens” belongs in a tier of “tiers”"_s;
}

void TestPricing::invalidCatalogues()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, message);
    QString json = to;
    if (!from.isEmpty()) {
        QVERIFY2(kMinimal.count(from) == 1, qPrintable(u"the row must change kMinimal once: "_s + from));
        json = kMinimal;
        json.replace(from, to);
    }
    const Result<PricingCatalogue> catalogue = PricingCatalogue::load(json.toUtf8());
    QVERIFY2(!catalogue.ok(), qPrintable(json));
    QVERIFY2(catalogue.error().startsWith(u"pricing.json: "_s), qPrintable(catalogue.error()));
    QVERIFY2(catalogue.error().contains(message), qPrintable(catalogue.error()));
}

void TestPricing::overrideReplacesOneRate()
{
    const PricingCatalogue shipped = PricingCatalogue::shipped();
    QList<RateOverride> ignored;
    const PricingCatalogue mine =
        shipped.withOverrides({{u"e2b"_s, u"base"_s, 0.05, QDate(2026, 11, 29)}}, &ignored);
    QVERIFY(ignored.isEmpty());

    // $0.05/h ÷ 3600 s = 0.0000138888…/s.
    const std::optional<Rate> rate = mine.rate(u"e2b"_s, u"base"_s);
    QVERIFY(rate);
    QVERIFY2(nearlyEqual(rate->perSecond, 1.388888889e-5), qPrintable(show(rate->perSecond, 1.388888889e-5)));
    QCOMPARE(rate->how, u"$0.05/h (your rate) ÷ 3600 s"_s);
    QCOMPARE(rate->source, u"Your rate (Settings → Pricing)"_s);
    QCOMPARE(rate->asOf, u"2026-11-29"_s);
    QVERIFY(rate->userSet);
    QVERIFY(!rate->estimate);
    QVERIFY(mine.isOverridden(u"e2b"_s, u"base"_s));
    QVERIFY(mine.isOverridden(u"e2b"_s, QString())); // base is E2B's default size
    QVERIFY(!mine.isOverridden(u"e2b"_s, u"2cpu-2gib"_s));
    QVERIFY(!mine.isOverridden(u"heroku"_s, u"base"_s));

    // 2 h at $0.05/h = $0.10, through the same quote the deploy bar shows.
    const Result<Quote> quote = CostMeter::quote(mine, u"e2b"_s, u"base"_s, 2 * 3600);
    QVERIFY2(quote.ok(), qPrintable(quote.error()));
    QVERIFY2(nearlyEqual(quote->usd, 0.10), qPrintable(show(quote->usd, 0.10)));
    QVERIFY(quote->rate.userSet);

    // The original is untouched: the published rate stays available next to the user's.
    QVERIFY(!shipped.isOverridden(u"e2b"_s, u"base"_s));
    QVERIFY(nearlyEqual(shipped.rate(u"e2b"_s, u"base"_s)->perSecond, 0.00003025));
    QVERIFY(!PricingCatalogue::shipped().isOverridden(u"e2b"_s, u"base"_s));

    // An estimate the user replaced with what they pay is no longer an estimate.
    const PricingCatalogue runpod =
        shipped.withOverrides({{u"runpod"_s, u"cpu3c-2-4"_s, 0.0612, QDate(2026, 11, 1)}});
    const std::optional<Rate> pod = runpod.rate(u"runpod"_s, u"cpu3c-2-4"_s);
    QVERIFY(!pod->estimate);
    QVERIFY(pod->estimateReason.isEmpty());
    QCOMPARE(pod->how, u"$0.0612/h (your rate) ÷ 3600 s"_s);
    QVERIFY(nearlyEqual(pod->perSecond, 0.000017)); // 0.0612 / 3600
    QVERIFY(nearlyEqual(CostMeter::quote(runpod, u"runpod"_s, {}, 7200)->usd, 0.1224));

    // A rate of $0 is a rate (a free credit), not "no override".
    const PricingCatalogue free = shipped.withOverrides({{u"fly"_s, u"shared-cpu-1x-1gb"_s, 0, {}}});
    QVERIFY(free.isOverridden(u"fly"_s, u"shared-cpu-1x-1gb"_s));
    QCOMPARE(free.rate(u"fly"_s, u"shared-cpu-1x-1gb"_s)->perSecond, 0.0);
    QCOMPARE(CostMeter::quote(free, u"fly"_s, u"shared-cpu-1x-1gb"_s, 7200)->usd, 0.0);
}

void TestPricing::overridesLeaveOtherSizesAlone()
{
    const PricingCatalogue shipped = PricingCatalogue::shipped();
    const PricingCatalogue mine =
        shipped.withOverrides({{u"e2b"_s, u"base"_s, 0.05, QDate(2026, 11, 29)},
                               {u"digitalocean"_s, u"s-1vcpu-1gb"_s, 0.007, QDate(2026, 11, 29)}});
    int overridden = 0;
    for (const QString &provider : shipped.providers()) {
        QCOMPARE(mine.sizes(provider).size(), shipped.sizes(provider).size());
        QCOMPARE(mine.defaultSize(provider), shipped.defaultSize(provider));
        QCOMPARE(mine.minimumCharge(provider).usd, shipped.minimumCharge(provider).usd);
        for (const SizePricing &size : shipped.sizes(provider)) {
            const QString where = provider + u'/' + size.key;
            const std::optional<Rate> rate = mine.rate(provider, size.key);
            QVERIFY2(rate, qPrintable(where));
            if (where == u"e2b/base"_s || where == u"digitalocean/s-1vcpu-1gb"_s) {
                QVERIFY2(rate->userSet, qPrintable(where));
                ++overridden;
                continue;
            }
            QVERIFY2(!rate->userSet, qPrintable(where));
            QCOMPARE(rate->perSecond, size.rate.perSecond);
            QCOMPARE(rate->how, size.rate.how);
            QCOMPARE(rate->source, size.rate.source);
            QCOMPARE(rate->asOf, size.rate.asOf);
            QCOMPARE(rate->estimate, size.rate.estimate);
        }
    }
    QCOMPARE(overridden, 2);
    // DigitalOcean's minimum charge still applies to the user's rate: 30 s at $0.007/h is under $0.01.
    const Result<Quote> brief = CostMeter::quote(mine, u"digitalocean"_s, u"s-1vcpu-1gb"_s, 30);
    QCOMPARE(brief->usd, 0.01);
    QVERIFY(brief->minimumApplied);
    // Token prices are not rates: untouched.
    QCOMPARE(mine.models(), shipped.models());
    QCOMPARE(mine.generationCost(u"claude-sonnet-4-5"_s, TokenUsage{1'000'000, 0, 0, 0, 0}), 3.0);
}

void TestPricing::overridesKeepSizesCheapestFirst()
{
    // E2B base at $0.50/h (0.0001388…/s) is dearer than 2cpu-2gib (0.000037/s): it moves to the end.
    const PricingCatalogue mine =
        PricingCatalogue::shipped().withOverrides({{u"e2b"_s, u"base"_s, 0.5, QDate(2026, 11, 29)}});
    QStringList e2b;
    for (const SizePricing &size : mine.sizes(u"e2b"_s))
        e2b << size.key;
    QCOMPARE(e2b, (QStringList{u"1cpu-2gib"_s, u"2cpu-2gib"_s, u"base"_s}));
    QCOMPARE(mine.defaultSize(u"e2b"_s), u"base"_s);
}

void TestPricing::unknownOverridesAreIgnored()
{
    const PricingCatalogue shipped = PricingCatalogue::shipped();
    const QList<RateOverride> unknown = {
        {u"heroku"_s, u"base"_s, 0.05, QDate(2026, 11, 29)},
        {u"e2b"_s, u"huge"_s, 0.05, QDate(2026, 11, 29)},
        {u"replit"_s, u"any"_s, 0.05, QDate(2026, 11, 29)},       // listed, but without sizes
        {u"e2b"_s, QString(), 0.05, QDate(2026, 11, 29)},         // no size is not "the default"
        {u"e2b"_s, u"base"_s, -1, QDate(2026, 11, 29)},           // not an amount
        {u"e2b"_s, u"base"_s, std::nan(""), QDate(2026, 11, 29)}, // not an amount
        {u"e2b"_s, u"base"_s, INFINITY, QDate(2026, 11, 29)},     // not an amount
    };
    for (qsizetype i = 0; i < unknown.size(); ++i)
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"^Ignoring your rate for "_s));
    QList<RateOverride> ignored;
    const PricingCatalogue mine = shipped.withOverrides(
        unknown + QList<RateOverride>{{u"fly"_s, u"shared-cpu-1x-256mb"_s, 0.01, {}}}, &ignored);
    QCOMPARE(ignored.size(), unknown.size());
    for (qsizetype i = 0; i < unknown.size(); ++i) {
        QCOMPARE(ignored.at(i).provider, unknown.at(i).provider);
        QCOMPARE(ignored.at(i).size, unknown.at(i).size);
    }
    QVERIFY(!mine.provider(u"heroku"_s));
    QVERIFY(!mine.rate(u"e2b"_s, u"huge"_s));
    QCOMPARE(mine.sizes(u"e2b"_s).size(), 3);
    QVERIFY(!mine.isOverridden(u"e2b"_s, u"base"_s));
    QCOMPARE(mine.rate(u"e2b"_s, u"base"_s)->perSecond, shipped.rate(u"e2b"_s, u"base"_s)->perSecond);
    // The valid one after them still counts.
    QVERIFY(mine.isOverridden(u"fly"_s, u"shared-cpu-1x-256mb"_s));
}

void TestPricing::startTimes_data()
{
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("seconds");
    QTest::addColumn<QString>("cites");
    for (const StartTimeRow &row : kStartTimes) {
        QTest::addRow("%s", row.provider) << QString::fromLatin1(row.provider) << QString::fromUtf8(row.text)
                                          << row.seconds << QString::fromLatin1(row.cites);
    }
}

void TestPricing::startTimes()
{
    QFETCH(QString, provider);
    QFETCH(QString, text);
    QFETCH(double, seconds);
    QFETCH(QString, cites);
    const ProviderPricing *pricing = PricingCatalogue::shipped().provider(provider);
    QVERIFY(pricing);
    QCOMPARE(pricing->startTimeText, text);
    QCOMPARE(pricing->startTimeSeconds, seconds);
    QVERIFY2(pricing->startTimeSource.contains(cites), qPrintable(pricing->startTimeSource));
}

void TestPricing::everyStartTimeHasARow()
{
    QSet<QString> covered;
    for (const StartTimeRow &row : kStartTimes)
        covered.insert(QString::fromLatin1(row.provider));
    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    for (const QString &key : catalogue.providers()) {
        const ProviderPricing *provider = catalogue.provider(key);
        if (covered.contains(key))
            continue;
        // Replit and Nhost publish none, and have nothing SpawnAI can start.
        QVERIFY2(provider->startTimeText.isEmpty(), qPrintable(key));
        QCOMPARE(provider->startTimeSeconds, -1.0);
        QVERIFY2(!provider->unpricedReason.isEmpty(),
                 qPrintable(key + u": a priced provider needs a start time"_s));
    }
}

void TestPricing::startTimeIsOptional()
{
    const Result<PricingCatalogue> minimal = PricingCatalogue::load(kMinimal.toUtf8());
    QVERIFY(minimal.ok());
    QVERIFY(minimal->provider(u"p"_s)->startTimeText.isEmpty());
    QCOMPARE(minimal->provider(u"p"_s)->startTimeSeconds, -1.0);

    QString json = kMinimal;
    json.replace(u"\"default_size\": \"small\""_s,
                 u"\"default_size\": \"small\", \"start_time\": {\"text\": \"~2 s\", \"seconds\": 2, "
                 u"\"source\": \"test §1\", \"measured\": false}"_s);
    const Result<PricingCatalogue> timed = PricingCatalogue::load(json.toUtf8());
    QVERIFY2(timed.ok(), qPrintable(timed.error()));
    QCOMPARE(timed->provider(u"p"_s)->startTimeText, u"~2 s"_s);
    QCOMPARE(timed->provider(u"p"_s)->startTimeSeconds, 2.0);
    QCOMPARE(timed->provider(u"p"_s)->startTimeSource, u"test §1"_s);
}

QTEST_GUILESS_MAIN(TestPricing)
#include "tst_pricing.moc"
