#include "costmeter.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace {

const QDateTime kStart = QDateTime(QDate(2026, 11, 28), QTime(12, 0), Qt::UTC);
constexpr double kE2bBase = 0.00003025;      // 2 vCPU × 0.000014 + 0.5 GiB × 0.0000045, USD/s
constexpr double kDoOneGib = 0.00893 / 3600; // s-1vcpu-1gb, USD/s
constexpr qint64 kNone = std::numeric_limits<qint64>::min(); // a time that is not set

QDateTime at(qint64 offset)
{
    return offset == kNone ? QDateTime() : kStart.addSecs(offset);
}

Session session(SessionState state, qint64 started, qint64 expires, qint64 ended,
                const QString &provider = u"e2b"_s, double rate = kE2bBase)
{
    Session s;
    s.id = u"6f1c2a9e-0000-4000-8000-000000000001"_s;
    s.provider = provider;
    s.state = state;
    s.startedAt = at(started);
    s.expiresAt = at(expires);
    s.endedAt = at(ended);
    s.ratePerSecond = rate;
    return s;
}

bool nearlyEqual(double actual, double expected)
{
    return std::abs(actual - expected) <= 1e-9 * std::max(std::abs(expected), 1e-12);
}

} // namespace

class TestCostMeter : public QObject
{
    Q_OBJECT

private slots:
    void rateBases();
    void billableSeconds_data();
    void billableSeconds();
    void accruedAt_data();
    void accruedAt();
    void clockJumpBackwardsDoesNotReduceCost();
    void newRunStartsAFreshMark();
    void localIsAlwaysFree();
    void minimumChargeWhileRunning();
    void generationCostIsAdded();
    void generationEstimate_data();
    void generationEstimate();
    void quote_data();
    void quote();
    void quoteErrors_data();
    void quoteErrors();
    void formatUsd_data();
    void formatUsd();
};

void TestCostMeter::billableSeconds_data()
{
    QTest::addColumn<SessionState>("state");
    QTest::addColumn<qint64>("started"); // seconds after kStart, or kNone
    QTest::addColumn<qint64>("expires");
    QTest::addColumn<qint64>("ended");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("seconds");

    using S = SessionState;
    QTest::newRow("draft") << S::Draft << kNone << kNone << kNone << qint64(100) << qint64(0);
    QTest::newRow("provisioning") << S::Provisioning << kNone << qint64(7200) << kNone << qint64(100)
                                  << qint64(0);
    QTest::newRow("starting") << S::Starting << kNone << qint64(7200) << kNone << qint64(100) << qint64(0);
    QTest::newRow("running, at start")
        << S::Running << qint64(0) << qint64(7200) << kNone << qint64(0) << qint64(0);
    QTest::newRow("running 100 s") << S::Running << qint64(0) << qint64(7200) << kNone << qint64(100)
                                   << qint64(100);
    QTest::newRow("running, now before start")
        << S::Running << qint64(0) << qint64(7200) << kNone << qint64(-50) << qint64(0);
    QTest::newRow("expiring") << S::Expiring << qint64(0) << qint64(7200) << kNone << qint64(7000)
                              << qint64(7000);
    QTest::newRow("running past expiry stops at expiry")
        << S::Running << qint64(0) << qint64(7200) << kNone << qint64(9000) << qint64(7200);
    QTest::newRow("no expiry stored")
        << S::Running << qint64(0) << kNone << kNone << qint64(500) << qint64(500);
    QTest::newRow("redeploy in place keeps billing")
        << S::Uploading << qint64(0) << qint64(7200) << kNone << qint64(300) << qint64(300);
    QTest::newRow("stopping") << S::Stopping << qint64(0) << qint64(7200) << kNone << qint64(500)
                              << qint64(500);
    QTest::newRow("ended early") << S::Ended << qint64(0) << qint64(7200) << qint64(3600) << qint64(9000)
                                 << qint64(3600);
    QTest::newRow("ended, clock now before the end")
        << S::Ended << qint64(0) << qint64(7200) << qint64(3600) << qint64(1000) << qint64(3600);
    // The provider's own lifetime ended it at expiry, however late SpawnAI noticed (a crash, a restart).
    QTest::newRow("ended after expiry: capped at expiry")
        << S::Ended << qint64(0) << qint64(7200) << qint64(7260) << qint64(9000) << qint64(7200);
    QTest::newRow("ended without end time: expiry")
        << S::Ended << qint64(0) << qint64(7200) << kNone << qint64(99999) << qint64(7200);
    QTest::newRow("ended with no times")
        << S::Ended << qint64(0) << kNone << kNone << qint64(500) << qint64(0);
    QTest::newRow("failed after running")
        << S::Failed << qint64(0) << qint64(7200) << qint64(1200) << qint64(5000) << qint64(1200);
    QTest::newRow("failed before running")
        << S::Failed << kNone << qint64(7200) << qint64(60) << qint64(5000) << qint64(0);
    QTest::newRow("start 90 s in") << S::Running << qint64(90) << qint64(7290) << kNone << qint64(190)
                                   << qint64(100);
}

void TestCostMeter::billableSeconds()
{
    QFETCH(SessionState, state);
    QFETCH(qint64, started);
    QFETCH(qint64, expires);
    QFETCH(qint64, ended);
    QFETCH(qint64, now);
    QFETCH(qint64, seconds);
    QCOMPARE(CostMeter::billableSeconds(session(state, started, expires, ended), at(now)), seconds);
}

void TestCostMeter::accruedAt_data()
{
    QTest::addColumn<SessionState>("state");
    QTest::addColumn<qint64>("ended");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<double>("usd");

    // E2B base at $0.00003025/s, started at kStart, expiring 2 h later.
    QTest::newRow("before running") << SessionState::Provisioning << kNone << qint64(-10) << 0.0;
    QTest::newRow("100 s running") << SessionState::Running << kNone << qint64(100) << 0.003025;
    QTest::newRow("1 h running") << SessionState::Running << kNone << qint64(3600) << 0.1089;
    QTest::newRow("ended after 30 min") << SessionState::Ended << qint64(1800) << qint64(5000) << 0.05445;
    // 7200 × 0.00003025 = 0.2178, however late `now` is.
    QTest::newRow("after expiry") << SessionState::Expiring << kNone << qint64(8000) << 0.2178;
    QTest::newRow("ended at expiry") << SessionState::Ended << kNone << qint64(86400) << 0.2178;
}

void TestCostMeter::accruedAt()
{
    QFETCH(SessionState, state);
    QFETCH(qint64, ended);
    QFETCH(qint64, now);
    QFETCH(double, usd);
    const qint64 started = state == SessionState::Provisioning ? kNone : 0;
    const Session s = session(state, started, 7200, ended);
    const double cost = CostMeter::accruedAt(s, at(now));
    QVERIFY2(usd == 0 ? cost == 0 : nearlyEqual(cost, usd), qPrintable(QString::number(cost, 'g', 15)));
    CostMeter meter;
    QCOMPARE(meter.accrued(s, at(now)), cost);
}

void TestCostMeter::clockJumpBackwardsDoesNotReduceCost()
{
    const Session s = session(SessionState::Running, 0, 7200, kNone);
    CostMeter meter;
    QVERIFY(nearlyEqual(meter.accrued(s, at(1000)), 1000 * kE2bBase));
    // The wall clock is set back 10 minutes: the pure figure drops, the meter holds.
    QVERIFY(nearlyEqual(CostMeter::accruedAt(s, at(400)), 400 * kE2bBase));
    QVERIFY(nearlyEqual(meter.accrued(s, at(400)), 1000 * kE2bBase));
    // Back before the start: never negative, still held.
    QVERIFY(nearlyEqual(meter.accrued(s, at(-3600)), 1000 * kE2bBase));
    // Time catches up and goes on.
    QVERIFY(nearlyEqual(meter.accrued(s, at(1500)), 1500 * kE2bBase));
    // Once ended, the stored times are the answer.
    Session ended = s;
    ended.state = SessionState::Ended;
    ended.endedAt = at(1600);
    QVERIFY(nearlyEqual(meter.accrued(ended, at(100)), 1600 * kE2bBase));
    // forget() drops what the meter held.
    QVERIFY(nearlyEqual(meter.accrued(s, at(2000)), 2000 * kE2bBase));
    meter.forget(s.id);
    QVERIFY(nearlyEqual(meter.accrued(s, at(700)), 700 * kE2bBase));
}

void TestCostMeter::newRunStartsAFreshMark()
{
    // A different startedAt is a different run (e.g. the row was reused); the old mark must not leak into it.
    CostMeter meter;
    const Session first = session(SessionState::Running, 0, 7200, kNone);
    QVERIFY(nearlyEqual(meter.accrued(first, at(5000)), 5000 * kE2bBase));
    const Session second = session(SessionState::Running, 6000, 13200, kNone);
    QVERIFY(nearlyEqual(meter.accrued(second, at(6100)), 100 * kE2bBase));
}

void TestCostMeter::localIsAlwaysFree()
{
    // Even with a (wrong) non-zero rate stored, Local costs nothing.
    const Session s = session(SessionState::Running, 0, 7200, kNone, u"local"_s, 0.5);
    QCOMPARE(CostMeter::accruedAt(s, at(3600)), 0.0);
    CostMeter meter;
    QCOMPARE(meter.accrued(s, at(3600)), 0.0);
    QCOMPARE(meter.accrued(s, at(3600), MinimumCharge{60, 0.01}), 0.0);
    QCOMPARE(::formatUsd(meter.accrued(s, at(3600))), u"$0.00"_s);
}

void TestCostMeter::generationCostIsAdded()
{
    // A generated app on Local: the runtime is free, Claude's tokens are not.
    Session local = session(SessionState::Running, 0, 7200, kNone, u"local"_s, 0);
    local.generationCostUsd = 0.0824;
    QCOMPARE(CostMeter::accruedAt(local, at(3600)), 0.0824);
    CostMeter meter;
    QCOMPARE(meter.accrued(local, at(3600)), 0.0824);

    // On E2B both add up: 3,600 s × the rate + the generation, before it ran only the generation.
    Session e2b = session(SessionState::Running, 0, 7200, kNone);
    e2b.generationCostUsd = 0.05;
    QVERIFY(nearlyEqual(CostMeter::accruedAt(e2b, at(3600)), 3600 * kE2bBase + 0.05));
    QVERIFY(nearlyEqual(meter.accrued(e2b, at(3600)), 3600 * kE2bBase + 0.05));
    Session provisioning = session(SessionState::Provisioning, kNone, kNone, kNone);
    provisioning.generationCostUsd = 0.05;
    QCOMPARE(CostMeter::accruedAt(provisioning, at(10)), 0.05);
}

void TestCostMeter::generationEstimate_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<qint64>("promptTokens");
    QTest::addColumn<qint64>("outputTokens");
    QTest::addColumn<double>("expected");
    // Hand-computed from pricing.json (USD per million tokens): Sonnet 5.5 input 2, output 10.
    QTest::newRow("sonnet, typical app")
        << u"claude-sonnet-5-5"_s << qint64(3000) << qint64(6000) << (3000 * 2.0 + 6000 * 10.0) / 1e6;
    // Opus 5.5: input 4, output 20.
    QTest::newRow("opus, refine of a big app")
        << u"claude-opus-5-5"_s << qint64(40000) << qint64(12000) << (40000 * 4.0 + 12000 * 20.0) / 1e6;
    QTest::newRow("unknown model") << u"gpt-9"_s << qint64(3000) << qint64(6000) << 0.0;
    QTest::newRow("negative") << u"claude-sonnet-5-5"_s << qint64(-1) << qint64(6000) << 0.0;
}

void TestCostMeter::generationEstimate()
{
    QFETCH(QString, model);
    QFETCH(qint64, promptTokens);
    QFETCH(qint64, outputTokens);
    QFETCH(double, expected);
    const double estimate =
        CostMeter::generationEstimate(PricingCatalogue::shipped(), model, promptTokens, outputTokens);
    QVERIFY2(nearlyEqual(estimate, expected), qPrintable(QString::number(estimate, 'g', 12)));
    QCOMPARE(CostMeter::estimatedTokens(0), qint64(0));
    QCOMPARE(CostMeter::estimatedTokens(9), qint64(3)); // rounded up
}

void TestCostMeter::minimumChargeWhileRunning()
{
    const MinimumCharge minimum{60, 0.01};
    const Session s = session(SessionState::Running, 0, 7200, kNone, u"digitalocean"_s, kDoOneGib);
    // Nothing billed before it ran, so no minimum either.
    QCOMPARE(CostMeter::accruedAt(s, at(0), minimum), 0.0);
    // 30 s: max(30 × rate, 60 × rate, $0.01) = $0.01.
    QCOMPARE(CostMeter::accruedAt(s, at(30), minimum), 0.01);
    // 2 h: 7200 × 0.00893 / 3600 = 0.01786.
    QVERIFY(nearlyEqual(CostMeter::accruedAt(s, at(7200), minimum), 0.01786));
    // Without the minimum, 30 s is 30 × 0.00893 / 3600 = 0.0000744166667.
    QVERIFY(nearlyEqual(CostMeter::accruedAt(s, at(30)), 0.0000744166667));
    QCOMPARE(CostMeter::charge(kDoOneGib, 0, minimum), 0.0);
    QCOMPARE(CostMeter::charge(kDoOneGib, -5, minimum), 0.0);
}

void TestCostMeter::quote_data()
{
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QString>("size");
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("resolvedSize");
    QTest::addColumn<double>("usd");
    QTest::addColumn<bool>("minimumApplied");

    // 7200 × (0.000014 + 2 × 0.0000045) = 0.1656.
    QTest::newRow("e2b 1 vCPU 2 GiB, 2 h")
        << u"e2b"_s << u"1cpu-2gib"_s << qint64(7200) << u"1cpu-2gib"_s << 0.1656 << false;
    QTest::newRow("e2b default size, 2 h")
        << u"e2b"_s << QString() << qint64(7200) << u"base"_s << 0.2178 << false;
    // 1800 × 0.000037 = 0.0666.
    QTest::newRow("e2b 2 vCPU 2 GiB, 30 min")
        << u"e2b"_s << u"2cpu-2gib"_s << qint64(1800) << u"2cpu-2gib"_s << 0.0666 << false;
    QTest::newRow("local") << u"local"_s << QString() << qint64(7200) << u"sandbox"_s << 0.0 << false;
    QTest::newRow("digitalocean 30 s")
        << u"digitalocean"_s << QString() << qint64(30) << u"s-1vcpu-1gb"_s << 0.01 << true;
    // 86400 × 0.000013205 = 1.140912.
    QTest::newRow("modal 24 h") << u"modal"_s << QString() << qint64(86400) << u"0.25-core-512mib"_s
                                << 1.140912 << false;
}

void TestCostMeter::quote()
{
    QFETCH(QString, provider);
    QFETCH(QString, size);
    QFETCH(qint64, seconds);
    QFETCH(QString, resolvedSize);
    QFETCH(double, usd);
    QFETCH(bool, minimumApplied);
    const Result<Quote> quote = CostMeter::quote(PricingCatalogue::shipped(), provider, size, seconds);
    QVERIFY2(quote.ok(), qPrintable(quote.error()));
    QCOMPARE(quote->provider, provider);
    QCOMPARE(quote->size, resolvedSize);
    QCOMPARE(quote->seconds, seconds);
    QVERIFY2(usd == 0 ? quote->usd == 0 : nearlyEqual(quote->usd, usd),
             qPrintable(QString::number(quote->usd)));
    QCOMPARE(quote->minimumApplied, minimumApplied);
    QVERIFY(!quote->rate.how.isEmpty());
}

void TestCostMeter::quoteErrors_data()
{
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QString>("size");
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown provider")
        << u"heroku"_s << QString() << qint64(7200) << u"There are no prices for the provider “heroku”."_s;
    QTest::newRow("unknown size") << u"fly"_s << u"performance-8x"_s << qint64(7200)
                                  << u"“performance-8x” is not a size of Fly.io; choose one of: "
                                     u"shared-cpu-1x-256mb, shared-cpu-1x-1gb"_s;
    QTest::newRow("unpriced provider")
        << u"replit"_s << QString() << qint64(7200) << u"Replit cannot be quoted: Replit publishes no API"_s;
    QTest::newRow("zero lifetime") << u"e2b"_s << QString() << qint64(0)
                                   << u"A lifetime must be longer than zero to be quoted."_s;
    QTest::newRow("negative lifetime") << u"local"_s << QString() << qint64(-1) << u"longer than zero"_s;
}

void TestCostMeter::quoteErrors()
{
    QFETCH(QString, provider);
    QFETCH(QString, size);
    QFETCH(qint64, seconds);
    QFETCH(QString, message);
    const Result<Quote> quote = CostMeter::quote(PricingCatalogue::shipped(), provider, size, seconds);
    QVERIFY(!quote.ok());
    QVERIFY2(quote.error().contains(message), qPrintable(quote.error()));
}

void TestCostMeter::formatUsd_data()
{
    QTest::addColumn<double>("usd");
    QTest::addColumn<QString>("text");

    QTest::newRow("nothing (Local)") << 0.0 << u"$0.00"_s;
    QTest::newRow("e2b 1 vCPU 2 GiB, 2 h") << 0.1656 << u"$0.17"_s;
    QTest::newRow("e2b base, 2 h") << 0.2178 << u"$0.22"_s;
    QTest::newRow("a cent") << 0.01 << u"$0.01"_s;
    QTest::newRow("under a cent") << 0.0042 << u"$0.0042"_s;
    QTest::newRow("under a cent, rounded") << 0.00418 << u"$0.0042"_s;
    QTest::newRow("rounds up to a cent") << 0.00996 << u"$0.01"_s;
    QTest::newRow("fly 256 MB, 2 h") << 0.005388888889 << u"$0.0054"_s;
    QTest::newRow("tiny") << 0.00001 << u"<$0.0001"_s;
    QTest::newRow("a tenth of a cent") << 0.001 << u"$0.0010"_s;
    QTest::newRow("dollars") << 1234.5 << u"$1234.50"_s;
    QTest::newRow("rounds to a dollar") << 0.999 << u"$1.00"_s;
    QTest::newRow("negative") << -0.5 << u"-$0.50"_s;
    QTest::newRow("negative under a cent") << -0.0042 << u"-$0.0042"_s;
    QTest::newRow("not a number") << std::nan("") << u"—"_s;
}

void TestCostMeter::formatUsd()
{
    QFETCH(double, usd);
    QFETCH(QString, text);
    QCOMPARE(::formatUsd(usd), text);
}

void TestCostMeter::rateBases()
{
    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    const RateBasis tokens = CostMeter::tokenBasis(catalogue, u"claude-fable-5-2"_s, 1000);
    QCOMPARE(tokens.how, u"Claude Fable 5.2: $8.00/M input, $40.00/M output, $10.00/M cache write, $0.20/M cache "
                         "read (per million tokens)"_s);
    QVERIFY(tokens.source.startsWith(u"release notes"_s));
    QVERIFY(!tokens.asOf.isEmpty());
    QVERIFY(CostMeter::tokenBasis(catalogue, u"no-such-model"_s, 1000).isEmpty());

    const Rate rate = *catalogue.rate(u"e2b"_s, u"base"_s);
    const RateBasis basis = CostMeter::basisOf(rate);
    QCOMPARE(basis.how, rate.how);
    QCOMPARE(basis.source, rate.source);
    QCOMPARE(basis.asOf, rate.asOf);

    Session session;
    session.provider = u"e2b"_s;
    session.ratePerSecond = 0.0001;
    session.ttlSeconds = 7200;
    QVERIFY(qAbs(CostMeter::lifetimeQuote(session) - 0.72) < 1e-12);
    QVERIFY(qAbs(CostMeter::extensionQuote(session, 1800) - 0.18) < 1e-12);
    session.provider = u"local"_s;
    QCOMPARE(CostMeter::lifetimeQuote(session), 0.0);
    QCOMPARE(CostMeter::extensionQuote(session, 1800), 0.0);
}

QTEST_GUILESS_MAIN(TestCostMeter)
#include "tst_costmeter.moc"
