// SpawnAI's own time per cloud deploy, and reconciling 1,000 listed sandboxes, against the in-process fakes.
//
// (a) E2B and Fly.io: N sequential deploys (after warm-up ones) of a small static app through the real
//     providers (E2bProvider / FlyProvider::deploy → DeployJob) against fakes with no artificial latency and
//     an app that listens at once (poll interval 1 ms, so polling is not counted as waiting). Per deploy:
//     wall time from job->start() to finished, minus the fake's busyNs() over the deploy, is SpawnAI's own
//     time (Qt networking and its HTTP thread, the event loop, the job); the same with the process's CPU
//     time. Each sandbox or app is destroyed afterwards, timed on its own. Target: median own wall time
//     below 20 ms.
// (b) Reconciliation: a store and a SessionController that owns 700 running E2B sessions (adopted by
//     recover()), with 200 ended sessions whose sandboxes were left behind and 100 sandboxes the store does
//     not know, all 1,000 tagged for the store's installation and listed by the fake (10 pages of 100). Timed
//     from reconcile() until the listing has been fetched and applied; the 200 destroys it starts are timed
//     on until answered. Target: median own time (wall minus the fake's) < 200 ms.
//
// Usage: bench_cloud [deploys=200] [reconcile runs=5] [--quiet-logs]   (0 skips that part)
// Logging is as the GUI runs it: every spawnai.* category on, through the redacting handler, to stderr (run
// with 2>/dev/null). --quiet-logs is the CLI's "spawnai.*=false". The store lives in a temporary directory.
#include "e2b/e2bapi.h"
#include "e2b/e2bprovider.h"
#include "fakee2b.h"
#include "fakefly.h"
#include "fly/flyprovider.h"
#include "http/apicall.h"
#include "http/redactor.h"
#include "instancelock.h"
#include "pricingcatalogue.h"
#include "sessioncontroller.h"
#include "store.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <numeric>

using namespace Qt::StringLiterals;

namespace {

const QString kE2bKey = u"e2b_0123456789abcdef0123456789abcdef01234567"_s;
const QString kFlyToken = u"FlyV1 fm2_lJPECAAAAAAAABenchMacaroon,fm2_lJPETWOPIECE"_s;
const QString kInstall = u"bench-install"_s; // the deploys' installation
constexpr double kDeployTargetMs = 20;
constexpr double kReconcileTargetMs = 200;
constexpr int kKnown = 700, kEnded = 200, kUnknown = 100;

qint64 cpuNs(clockid_t clock)
{
    timespec now{};
    clock_gettime(clock, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}
qint64 processCpuNs()
{
    return cpuNs(CLOCK_PROCESS_CPUTIME_ID);
}
qint64 threadCpuNs()
{
    return cpuNs(CLOCK_THREAD_CPUTIME_ID);
}
double ms(qint64 ns)
{
    return double(ns) / 1e6;
}

[[noreturn]] void die(const QString &why)
{
    std::fprintf(stderr, "bench_cloud: %s\n", qPrintable(why));
    std::fflush(stdout);
    std::exit(1);
}

QEventLoop *g_waiting = nullptr;

// Something runUntil() waits for may have happened: look again.
void wake()
{
    if (g_waiting)
        g_waiting->quit();
}

// Runs the event loop (sleeping while idle, not spinning: the CPU figures count every thread) until done()
// holds, looking again on wake(), or dies after timeoutMs.
void runUntil(const std::function<bool()> &done, int timeoutMs, const char *what)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            die(u"timed out waiting for %1"_s.arg(QString::fromLatin1(what)));
        QEventLoop loop;
        g_waiting = &loop;
        QTimer::singleShot(500, &loop, &QEventLoop::quit);
        loop.exec();
        g_waiting = nullptr;
    }
}

// Deletes what asked to be deleted and handles what is pending, so it is not counted in the next measurement.
void settle()
{
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QCoreApplication::processEvents();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

struct Stats
{
    QList<double> values;

    double at(double quantile) const // nearest rank
    {
        QList<double> sorted = values;
        std::sort(sorted.begin(), sorted.end());
        const auto rank = qsizetype(std::ceil(quantile * double(sorted.size())));
        return sorted.at(std::clamp<qsizetype>(rank - 1, 0, sorted.size() - 1));
    }
    double median() const
    {
        QList<double> sorted = values;
        std::sort(sorted.begin(), sorted.end());
        const qsizetype n = sorted.size();
        return n % 2 ? sorted.at(n / 2) : (sorted.at(n / 2 - 1) + sorted.at(n / 2)) / 2;
    }
    double max() const { return *std::max_element(values.cbegin(), values.cend()); }
    double mean() const
    {
        return std::accumulate(values.cbegin(), values.cend(), 0.0) / double(values.size());
    }
};

// /proc/loadavg's first three fields: the figures are only as quiet as the machine.
QString loadAverage()
{
    QFile file(u"/proc/loadavg"_s);
    if (!file.open(QIODevice::ReadOnly))
        return u"unknown"_s;
    return QString::fromLatin1(file.readAll()).section(u' ', 0, 2);
}

void printStats(const char *label, const Stats &stats, const char *unit = "ms")
{
    std::printf("  %-46s median %8.3f  p90 %8.3f  p99 %8.3f  max %8.3f %s\n", label, stats.median(),
                stats.at(0.9), stats.at(0.99), stats.max(), unit);
}

AppBundle staticApp()
{
    return TestSupport::bundle(
        Runtime::Static, {{u"index.html"_s, "<!doctype html><h1>bench</h1><script src=app.js></script>"},
                          {u"app.js"_s, "console.log('bench')"}});
}

// --- (a) deploys ------------------------------------------------------------------------------------------

struct DeployFigures
{
    Stats wall, fake, own, ownCpu, destroyWall, requests, probes;
};

DeployFigures measureDeploys(Provider &provider, FakeHttpServer &fake, const QString &size, int warmup,
                             int runs)
{
    DeployFigures figures;
    const AppBundle app = staticApp();
    for (int i = 0; i < warmup + runs; ++i) {
        DeployRequest request;
        request.sessionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        request.installId = kInstall;
        request.name = u"bench"_s;
        request.bundle = app;
        request.expiresAt = QDateTime::currentDateTimeUtc().addSecs(3600);
        request.size = size;
        settle();
        fake.clearRequests();

        DeployJob *job = provider.deploy(request);
        DeployResult result;
        bool finished = false;
        qint64 endNs = 0, endBusy = 0, endCpu = 0;
        QElapsedTimer clock;
        QObject::connect(job, &DeployJob::finished, job, [&](const DeployResult &r) {
            endNs = clock.nsecsElapsed();
            endBusy = fake.busyNs();
            endCpu = processCpuNs();
            result = r;
            finished = true;
            wake();
        });
        const qint64 busy0 = fake.busyNs();
        const qint64 cpu0 = processCpuNs();
        clock.start();
        job->start();
        runUntil([&] { return finished; }, 30'000, "a deploy");
        if (!result.ok())
            die(u"deploy %1 failed: %2"_s.arg(i).arg(result.message));

        const QList<FakeHttpRequest> requests = fake.requests();
        const QString appHost = result.url.host();
        const auto probes = std::count_if(requests.cbegin(), requests.cend(),
                                          [&](const FakeHttpRequest &r) { return r.host == appHost; });

        settle();
        ProviderJob *destroy = provider.destroy(result.resourceId, request.sessionId);
        ProviderOutcome destroyed;
        bool gone = false;
        qint64 destroyNs = 0;
        QObject::connect(destroy, &ProviderJob::finished, destroy, [&](const ProviderOutcome &outcome) {
            destroyNs = clock.nsecsElapsed();
            destroyed = outcome;
            gone = true;
            wake();
        });
        clock.start();
        destroy->start();
        runUntil([&] { return gone; }, 30'000, "a destroy");
        if (!destroyed.ok())
            die(u"destroy %1 failed: %2"_s.arg(result.resourceId, destroyed.message));

        if (i < warmup)
            continue;
        figures.wall.values << ms(endNs);
        figures.fake.values << ms(endBusy - busy0);
        figures.own.values << ms(endNs - (endBusy - busy0));
        figures.ownCpu.values << ms(endCpu - cpu0 - (endBusy - busy0));
        figures.destroyWall.values << ms(destroyNs);
        figures.requests.values << double(requests.size());
        figures.probes.values << double(probes);
    }
    return figures;
}

bool reportDeploys(const char *name, const DeployFigures &f, int runs, int warmup)
{
    std::printf(
        "%s: %d sequential deploys of a 2-file static app (after %d warm-up), fake latency 0, poll 1 ms\n",
        name, runs, warmup);
    std::printf("  requests per deploy: mean %.2f (min %.0f, max %.0f), of which readiness probes: mean %.2f "
                "(max %.0f)\n",
                f.requests.mean(), f.requests.at(0), f.requests.max(), f.probes.mean(), f.probes.max());
    printStats("wall, start() to finished", f.wall);
    printStats("fake's busy time", f.fake);
    printStats("SpawnAI own = wall - fake", f.own);
    printStats("SpawnAI own CPU = process CPU - fake", f.ownCpu);
    printStats("destroy wall (not in the above)", f.destroyWall);
    const double median = f.own.median();
    const bool pass = median < kDeployTargetMs;
    std::printf("  => %s: median SpawnAI own wall time %.3f ms vs target < %.0f ms per deploy\n\n",
                pass ? "PASS" : "FAIL", median, kDeployTargetMs);
    std::fflush(stdout);
    return pass;
}

bool benchE2b(QNetworkAccessManager &network, int warmup, int runs)
{
    FakeE2bServer fake;
    if (!fake.listen())
        die(u"the fake E2B cannot listen"_s);
    E2bOptions options;
    options.api.service = u"E2B"_s;
    options.api.authHeader = "X-API-Key";
    options.api.baseUrl = fake.apiUrl();
    options.domain = fake.domain();
    options.plan = E2bPlan::Pro;
    options.pollIntervalMs = 1;
    E2bProvider provider(&network, options);
    provider.setApiKey(kE2bKey);
    const DeployFigures figures = measureDeploys(provider, fake, u"base"_s, warmup, runs);
    return reportDeploys("E2B", figures, runs, warmup);
}

bool benchFly(QNetworkAccessManager &network, int warmup, int runs)
{
    FakeFlyServer fake;
    if (!fake.listen())
        die(u"the fake Fly.io cannot listen"_s);
    FlyOptions options;
    options.api.service = u"Fly.io"_s;
    options.api.authHeader = "Authorization";
    options.api.baseUrl = fake.apiUrl();
    options.graphqlUrl = fake.graphqlUrl();
    options.domain = fake.domain();
    options.pollIntervalMs = 1;
    FlyProvider provider(&network, options);
    provider.setApiKey(kFlyToken);
    const DeployFigures figures = measureDeploys(provider, fake, u"shared-cpu-1x-256mb"_s, warmup, runs);
    return reportDeploys("Fly.io", figures, runs, warmup);
}

// --- (b) reconciliation -----------------------------------------------------------------------------------

// When the listing was fetched and when the controller had applied it: the controller applies it in its
// slot on ListJob::finished, so around that emission (below) is exactly applyListing() and its lambda.
struct ListingClock
{
    const QElapsedTimer *clock = nullptr;
    const FakeHttpServer *fake = nullptr;
    qint64 fetchedNs = -1, appliedNs = -1, fetchedBusy = 0, fetchedProcessCpuNs = 0, applyThreadCpuNs = 0,
           applyProcessCpuNs = 0;
    qsizetype listed = 0;
    int destroysStarted = 0, destroysAnswered = 0, destroysFailed = 0;
    qint64 destroysAnsweredNs = -1;
};

class TimedListJob final : public ListJob
{
public:
    TimedListJob(ListJob *inner, ListingClock &clock, QObject *parent)
        : ListJob(parent)
        , m_inner(inner)
    {
        connect(inner, &ListJob::finished, this,
                [this, &clock](const ProviderOutcome &outcome, const QList<RemoteResource> &resources) {
                    clock.fetchedNs = clock.clock->nsecsElapsed();
                    clock.fetchedBusy = clock.fake->busyNs();
                    clock.listed = resources.size();
                    const qint64 thread0 = threadCpuNs(), process0 = processCpuNs();
                    clock.fetchedProcessCpuNs = process0;
                    emit finished(outcome, resources);
                    clock.applyThreadCpuNs = threadCpuNs() - thread0;
                    clock.applyProcessCpuNs = processCpuNs() - process0;
                    clock.appliedNs = clock.clock->nsecsElapsed();
                    deleteLater();
                    wake();
                });
    }
    void start() override { m_inner->start(); }

private:
    ListJob *m_inner;
};

// The real E2bProvider, with its list and destroy jobs observed.
class TimedProvider final : public Provider
{
public:
    TimedProvider(E2bProvider *inner, ListingClock &clock)
        : m_inner(inner)
        , m_clock(clock)
    {
        inner->setParent(this);
        connect(inner, &Provider::resourceLost, this, &Provider::resourceLost);
    }
    E2bProvider *inner() const { return m_inner; }

    ProviderCapabilities capabilities() const override { return m_inner->capabilities(); }
    QString setupProblem() const override { return m_inner->setupProblem(); }
    DeployJob *deploy(const DeployRequest &request) override { return m_inner->deploy(request); }
    DeployJob *redeploy(const QString &resourceId, const DeployRequest &request) override
    {
        return m_inner->redeploy(resourceId, request);
    }
    ProviderJob *destroy(const QString &resourceId, const QString &sessionId) override
    {
        ProviderJob *job = m_inner->destroy(resourceId, sessionId);
        ++m_clock.destroysStarted;
        connect(job, &ProviderJob::finished, this, [this](const ProviderOutcome &outcome) {
            if (!outcome.ok())
                ++m_clock.destroysFailed;
            if (++m_clock.destroysAnswered == m_clock.destroysStarted) {
                m_clock.destroysAnsweredNs = m_clock.clock->nsecsElapsed();
                wake();
            }
        });
        return job;
    }
    ProviderJob *extend(const QString &resourceId, const QDateTime &newExpiresAt) override
    {
        return m_inner->extend(resourceId, newExpiresAt);
    }
    ListJob *list(const QString &installId) override
    {
        return new TimedListJob(m_inner->list(installId), m_clock, this);
    }

private:
    E2bProvider *m_inner;
    ListingClock &m_clock;
};

// Creates a sandbox per session on the fake, tagged as SpawnAI tags them; their ids, in the same order.
QStringList createSandboxes(QNetworkAccessManager &network, const ApiEndpoint &api, const QString &installId,
                            const QStringList &sessionIds)
{
    QStringList ids(sessionIds.size());
    qsizetype pending = sessionIds.size();
    for (qsizetype i = 0; i < sessionIds.size(); ++i) {
        auto *call = new ApiCall(
            &network, api,
            E2bApi::createSandbox(api, u"base"_s, 3600, E2bApi::tags(installId, sessionIds[i])), nullptr);
        QObject::connect(call, &ApiCall::finished, call, [&ids, &pending, i](const ApiReply &reply) {
            if (auto sandbox = E2bApi::parseSandbox(reply))
                ids[i] = sandbox->id;
            else
                die(u"seeding a sandbox failed: %1"_s.arg(reply.message));
            --pending;
            wake();
        });
        call->start();
    }
    runUntil([&] { return pending == 0; }, 120'000, "the seeded sandboxes");
    return ids;
}

void check(const Result<void> &written)
{
    if (!written)
        die(u"seeding the store failed: %1"_s.arg(written.error()));
}

// A session as a SpawnAI that has since exited left it: running on E2B, owned by a process that is gone.
void seedRunning(Store &store, const QString &sessionId, const QString &sandboxId, const QString &deadOwner,
                 const QUrl &url)
{
    Session session;
    session.id = sessionId;
    session.name = u"bench running"_s;
    session.provider = E2bProvider::kKey;
    session.size = u"base"_s;
    session.state = SessionState::Ready;
    session.ttlSeconds = 3600;
    session.createdAt = QDateTime::currentDateTimeUtc().addSecs(-120);
    session.owner = deadOwner;
    check(store.insertSession(session));
    check(store.transition(session, SessionState::Provisioning));
    session.resourceId = sandboxId;
    check(store.transition(session, SessionState::Uploading));
    check(store.transition(session, SessionState::Starting));
    session.startedAt = QDateTime::currentDateTimeUtc().addSecs(-60);
    session.expiresAt = session.startedAt.addSecs(session.ttlSeconds);
    session.url = url;
    check(store.transition(session, SessionState::Running));
}

// A session that ended while its sandbox stayed (a destroy that never got through).
void seedEnded(Store &store, const QString &sessionId, const QString &sandboxId)
{
    Session session;
    session.id = sessionId;
    session.name = u"bench ended"_s;
    session.provider = E2bProvider::kKey;
    session.size = u"base"_s;
    session.state = SessionState::Ready;
    session.ttlSeconds = 600;
    session.createdAt = QDateTime::currentDateTimeUtc().addSecs(-900);
    session.owner = QUuid::createUuid().toString(QUuid::WithoutBraces);
    check(store.insertSession(session));
    check(store.transition(session, SessionState::Provisioning));
    session.resourceId = sandboxId;
    check(store.transition(session, SessionState::Stopping, u"stopped by the user"_s));
    session.endedAt = QDateTime::currentDateTimeUtc().addSecs(-300);
    check(store.transition(session, SessionState::Ended, u"stopped by the user"_s));
}

QStringList uuids(int count)
{
    QStringList ids;
    for (int i = 0; i < count; ++i)
        ids << QUuid::createUuid().toString(QUuid::WithoutBraces);
    return ids;
}

struct ReconcileFigures
{
    Stats recover, total, totalOwn, fetch, fetchFake, fetchOwn, fetchOwnCpu, apply, applyThreadCpu,
        applyProcessCpu, applyBlocked, destroys;
};

bool benchReconcile(QNetworkAccessManager &network, const InstanceLock &instance,
                    const PricingCatalogue &pricing, const QString &baseDir, int runs)
{
    FakeE2bServer fake;
    if (!fake.listen())
        die(u"the fake E2B cannot listen"_s);
    fake.setMaxConcurrent(100'000);
    E2bOptions options;
    options.api.service = u"E2B"_s;
    options.api.authHeader = "X-API-Key";
    options.api.baseUrl = fake.apiUrl();
    options.domain = fake.domain();
    options.plan = E2bPlan::Pro;
    ApiEndpoint seedingApi = options.api;
    seedingApi.authValue = kE2bKey.toLatin1();

    // One seeded store, copied for every run (writing 1,000 sessions with synchronous=FULL takes seconds).
    QElapsedTimer seeding;
    seeding.start();
    const QString templateDb = QDir(baseDir).filePath(u"template.db"_s);
    const QStringList known = uuids(kKnown), ended = uuids(kEnded), unknown = uuids(kUnknown);
    QString installId;
    {
        auto store = Store::open(templateDb);
        if (!store)
            die(store.error());
        installId = (*store)->installId();
        const QStringList knownIds = createSandboxes(network, seedingApi, installId, known);
        const QStringList endedIds = createSandboxes(network, seedingApi, installId, ended);
        (void)createSandboxes(network, seedingApi, installId, unknown);
        const QString deadOwner = QUuid::createUuid().toString(QUuid::WithoutBraces);
        for (int i = 0; i < kKnown; ++i)
            seedRunning(**store, known[i], knownIds[i], deadOwner,
                        E2bApi::sandboxUrl(fake.domain(), 8000, knownIds[i]));
        for (int i = 0; i < kEnded; ++i)
            seedEnded(**store, ended[i], endedIds[i]);
    }
    std::printf("Reconciliation: seeded %d sandboxes on the fake and %d sessions in the store in %.1f s "
                "(not timed)\n",
                kKnown + kEnded + kUnknown, kKnown + kEnded, double(seeding.elapsed()) / 1000);
    std::fflush(stdout);

    ReconcileFigures figures;
    for (int run = 0; run < runs; ++run) {
        const QString runDir = QDir(baseDir).filePath(u"run%1"_s.arg(run));
        QDir().mkpath(runDir);
        const QString db = QDir(runDir).filePath(u"spawnai.db"_s);
        for (const QString &suffix : {u""_s, u"-wal"_s, u"-shm"_s}) {
            if (QFile::exists(templateDb + suffix) && !QFile::copy(templateDb + suffix, db + suffix))
                die(u"cannot copy the seeded store"_s);
        }
        if (run > 0) // the previous run destroyed the leftovers: leave them behind again
            (void)createSandboxes(network, seedingApi, installId, ended);
        if (fake.aliveCount() != kKnown + kEnded + kUnknown)
            die(u"the fake runs %1 sandboxes, not %2"_s.arg(fake.aliveCount())
                    .arg(kKnown + kEnded + kUnknown));

        auto store = Store::open(db);
        if (!store)
            die(store.error());
        ListingClock clock;
        QElapsedTimer wall;
        clock.clock = &wall;
        clock.fake = &fake;
        auto controller = std::make_unique<SessionController>(**store, instance, pricing);
        auto *e2b = new E2bProvider(&network, options); // no key yet: recover() adopts but does not list
        controller->addProvider(new TimedProvider(e2b, clock));
        bool recovered = false;
        QObject::connect(controller.get(), &SessionController::recoveryFinished, controller.get(), [&](int) {
            recovered = true;
            wake();
        });
        QElapsedTimer recovering;
        recovering.start();
        controller->recover();
        runUntil([&] { return recovered; }, 60'000, "recovery");
        const qint64 recoverNs = recovering.nsecsElapsed();
        if (controller->ownedSessions().size() != kKnown)
            die(u"recovery adopted %1 sessions, not %2"_s.arg(controller->ownedSessions().size())
                    .arg(kKnown));
        e2b->setApiKey(kE2bKey);
        settle();

        const qint64 busy0 = fake.busyNs();
        const qint64 cpu0 = processCpuNs();
        wall.start();
        controller->reconcile();
        runUntil([&] { return clock.appliedNs >= 0; }, 60'000, "the listing");
        runUntil([&] { return clock.destroysAnsweredNs >= 0; }, 60'000, "the destroys");

        if (clock.listed != kKnown + kEnded + kUnknown || clock.destroysStarted != kEnded ||
            clock.destroysFailed != 0 || controller->ownedSessions().size() != kKnown + kUnknown ||
            fake.aliveCount() != kKnown + kUnknown)
            die(u"unexpected outcome: listed %1, destroys %2 (%3 failed), owned %4, alive on the fake %5"_s
                    .arg(clock.listed)
                    .arg(clock.destroysStarted)
                    .arg(clock.destroysFailed)
                    .arg(controller->ownedSessions().size())
                    .arg(fake.aliveCount()));

        const qint64 fetchBusy = clock.fetchedBusy - busy0;
        figures.recover.values << ms(recoverNs);
        figures.total.values << ms(clock.appliedNs);
        figures.totalOwn.values << ms(clock.appliedNs - fetchBusy);
        figures.fetch.values << ms(clock.fetchedNs);
        figures.fetchFake.values << ms(fetchBusy);
        figures.fetchOwn.values << ms(clock.fetchedNs - fetchBusy);
        figures.fetchOwnCpu.values << ms(clock.fetchedProcessCpuNs - cpu0 - fetchBusy);
        figures.apply.values << ms(clock.appliedNs - clock.fetchedNs);
        figures.applyThreadCpu.values << ms(clock.applyThreadCpuNs);
        figures.applyBlocked.values << ms(clock.appliedNs - clock.fetchedNs - clock.applyThreadCpuNs);
        figures.applyProcessCpu.values << ms(clock.applyProcessCpuNs);
        figures.destroys.values << ms(clock.destroysAnsweredNs);

        controller.reset();
        store->reset();
        settle();
    }

    std::printf("Reconciliation of %d listed E2B sandboxes (%d owned and running, %d of ended sessions -> "
                "destroyed, %d unknown -> shown as sessions), %d runs\n",
                kKnown + kEnded + kUnknown, kKnown, kEnded, kUnknown, runs);
    printStats("total: reconcile() to listing applied", figures.total);
    printStats("  list: 10 pages fetched, wall", figures.fetch);
    printStats("    of which the fake's busy time", figures.fetchFake);
    printStats("    SpawnAI own (wall - fake)", figures.fetchOwn);
    printStats("    SpawnAI own CPU (process CPU - fake)", figures.fetchOwnCpu);
    printStats("  applyListing, wall", figures.apply);
    printStats("    main-thread CPU", figures.applyThreadCpu);
    printStats("    process CPU", figures.applyProcessCpu);
    printStats("    off CPU (wall - main-thread CPU)", figures.applyBlocked);
    printStats("SpawnAI own total (total - fake)", figures.totalOwn);
    printStats("until the 200 destroys were answered", figures.destroys);
    printStats("(setup, not a target) recover() adopting 700", figures.recover);
    const double median = figures.totalOwn.median();
    const bool pass = median < kReconcileTargetMs;
    std::printf("  => %s: median SpawnAI own time %.1f ms (total wall %.1f ms) vs target < %.0f ms\n\n",
                pass ? "PASS" : "FAIL", median, figures.total.median(), kReconcileTargetMs);
    std::fflush(stdout);
    return pass;
}

} // namespace

int main(int argc, char *argv[])
{
    Redactor::installMessageHandler(); // as SpawnAI's main() does
    QCoreApplication app(argc, argv);
    QStringList args = QCoreApplication::arguments().mid(1);
    const bool quietLogs = args.removeAll(u"--quiet-logs"_s) > 0;
    if (quietLogs)
        QLoggingCategory::setFilterRules(u"spawnai.*=false"_s);
    // 0 skips that part.
    const int deploys = args.size() > 0 ? std::max(0, args.at(0).toInt()) : 200;
    const int reconcileRuns = args.size() > 1 ? std::max(0, args.at(1).toInt()) : 5;
    const int warmup = 10;

    QTemporaryDir dir;
    if (!dir.isValid())
        die(u"no temporary directory"_s);
    qputenv("XDG_DATA_HOME", dir.filePath(u"data"_s).toUtf8());
    auto instance = InstanceLock::acquire(dir.path());
    if (!instance)
        die(instance.error());
    const PricingCatalogue pricing = PricingCatalogue::shipped();

    std::printf("bench_cloud: logging %s; store under %s; load average %s\n\n",
                quietLogs ? "off (spawnai.*=false, as the CLI)" : "as the GUI (spawnai.* on, to stderr)",
                qPrintable(dir.path()), qPrintable(loadAverage()));
    QNetworkAccessManager network;
    bool pass = true;
    if (deploys > 0) {
        pass = benchE2b(network, warmup, deploys) && pass;
        pass = benchFly(network, warmup, deploys) && pass;
    }
    if (reconcileRuns > 0)
        pass = benchReconcile(network, **instance, pricing, dir.path(), reconcileRuns) && pass;
    std::printf("load average at the end: %s (other processes share these %d cores)\n",
                qPrintable(loadAverage()), QThread::idealThreadCount());
    return pass ? 0 : 2;
}
