#include "sessioncontroller.h"

#include "applogging.h"
#include "costmeter.h"
#include "crashpoint.h"
#include "duration.h"
#include "instancelock.h"
#include "paths.h"
#include "pricingcatalogue.h"
#include "store.h"

#include <QUuid>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr int kMaxDestroyBackoffMs = 30'000;
constexpr auto kStopRequestPoll = 1s;
constexpr auto kReconcileInterval = 3min;

} // namespace

SessionController::SessionController(Store &store, const InstanceLock &instance,
                                     const PricingCatalogue &pricing, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_instance(instance)
    , m_pricing(pricing)
{
    m_expiryTimer.setSingleShot(true);
    m_expiryTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_expiryTimer, &QTimer::timeout, this, &SessionController::onExpiryTimer);
    m_pollTimer.setInterval(kStopRequestPoll);
    connect(&m_pollTimer, &QTimer::timeout, this, &SessionController::pollStopRequests);
    m_reconcileTimer.setInterval(kReconcileInterval);
    connect(&m_reconcileTimer, &QTimer::timeout, this, &SessionController::reconcile);
}

SessionController::~SessionController() = default;

void SessionController::addProvider(Provider *provider)
{
    provider->setParent(this);
    m_providers.insert(provider->capabilities().key, provider);
    connect(provider, &Provider::resourceLost, this, &SessionController::onResourceLost);
}

Provider *SessionController::provider(const QString &key) const
{
    return m_providers.value(key);
}

QStringList SessionController::providerKeys() const
{
    QStringList keys = m_providers.keys();
    keys.sort();
    return keys;
}

QList<Session> SessionController::ownedSessions() const
{
    return m_owned.values();
}

std::optional<Session> SessionController::ownedSession(const QString &sessionId) const
{
    const auto it = m_owned.constFind(sessionId);
    return it == m_owned.cend() ? std::nullopt : std::optional<Session>(*it);
}

Result<void> SessionController::commit(Session &session, SessionState to, const QString &detail)
{
    auto written = m_store.transition(session, to, detail);
    if (!written) {
        qCWarning(lcLifecycle) << "could not record" << session.id << "→" << SessionStates::name(to) << ":"
                               << written.error();
        emit storageFailed(written.error());
        return written;
    }
    qCInfo(lcLifecycle) << session.id << "→" << SessionStates::name(to) << detail;
    if (m_owned.contains(session.id))
        m_owned.insert(session.id, session);
    emit sessionChanged(session);
    return {};
}

Result<QString> SessionController::deploy(const AppBundle &bundle, const DeployOptions &options)
{
    Provider *target = provider(options.provider);
    if (!target)
        return Error{tr("Unknown provider \"%1\". Available: %2.")
                         .arg(options.provider, providerKeys().join(u", "_s))};
    if (const QString problem = target->setupProblem(); !problem.isEmpty())
        return Error{problem};
    const ProviderCapabilities caps = target->capabilities();
    if (!caps.runtimes.contains(bundle.manifest.runtime))
        return Error{
            tr("%1 cannot run %2 apps.").arg(caps.displayName, Runtimes::name(bundle.manifest.runtime))};
    if (auto lifetime = checkLifetime(options.ttlSeconds, caps.maxLifetimeSeconds, caps.displayName);
        !lifetime)
        return Error{lifetime.error()};
    if (auto valid = bundle.validate(); !valid)
        return Error{valid.error()};
    const QString size = options.size.isEmpty() ? caps.defaultSize : options.size;
    if (!caps.sizes.isEmpty() && !caps.sizes.contains(size))
        return Error{
            tr("%1 has no size \"%2\". Sizes: %3.").arg(caps.displayName, size, caps.sizes.join(u", "_s))};

    auto revision = m_store.saveRevision(bundle);
    if (!revision)
        return Error{revision.error()};

    Session session;
    session.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    session.name = options.name.isEmpty() ? bundle.manifest.title : options.name;
    if (session.name.isEmpty())
        session.name = tr("Untitled app");
    session.provider = caps.key;
    session.size = size;
    session.state = SessionState::Ready;
    session.ttlSeconds = options.ttlSeconds;
    session.createdAt = nowUtc();
    session.revisionId = *revision;
    const Rate rate = m_pricing.rate(caps.pricingKey, size).value_or(Rate());
    session.ratePerSecond = rate.perSecond;
    session.rateBasis = CostMeter::basisOf(rate);
    session.generationCostUsd = std::max(0.0, options.generationCostUsd);
    session.owner = m_instance.id();
    if (auto inserted = m_store.insertSession(session); !inserted)
        return Error{inserted.error()};
    m_owned.insert(session.id, session);
    // Intent first: a crash from here on is found by recovery.
    if (auto intent = commit(session, SessionState::Provisioning, tr("deploy to %1").arg(caps.displayName));
        !intent) {
        m_owned.remove(session.id);
        return Error{intent.error()};
    }

    DeployRequest request;
    request.sessionId = session.id;
    request.installId = m_store.installId();
    request.name = session.name;
    request.bundle = bundle;
    request.expiresAt = session.createdAt.addSecs(options.ttlSeconds + kServerSideGraceSeconds);
    request.size = size;
    request.hostPort = options.hostPort;
    request.logPath = Paths::logPath(session.id);

    crashPoint("after-intent");
    const QString id = session.id;
    runDeployJob(id, target->deploy(request));
    return id;
}

void SessionController::runDeployJob(const QString &id, DeployJob *job)
{
    m_deploys.insert(id, job);
    connect(job, &DeployJob::stageChanged, this,
            [this, id](DeployStage stage, const QString &detail) { onDeployStage(id, stage, detail); });
    connect(job, &DeployJob::resourceCreated, this, [this, id](const QString &resourceId) {
        auto it = m_owned.find(id);
        if (it == m_owned.end())
            return;
        crashPoint("before-resource-recorded");
        it->resourceId = resourceId;
        if (auto saved = m_store.updateSession(*it); !saved)
            emit storageFailed(saved.error());
        crashPoint("after-resource-recorded");
    });
    connect(job, &DeployJob::finished, this,
            [this, id](const DeployResult &result) { onDeployFinished(id, result); });
    QMetaObject::invokeMethod(job, &DeployJob::start, Qt::QueuedConnection); // the caller sees the id first
    m_pollTimer.start();
}

Result<void> SessionController::redeploy(const QString &sessionId, const AppBundle &bundle,
                                         double generationCostUsd)
{
    auto it = m_owned.find(sessionId);
    if (it == m_owned.end())
        return Error{tr("This session is run by another SpawnAI window or terminal, or has ended.")};
    Session &session = *it;
    if (session.state != SessionState::Running && session.state != SessionState::Expiring)
        return Error{
            tr("Only a running session can take a new revision; deploy it as a new session instead.")};
    Provider *target = provider(session.provider);
    const ProviderCapabilities caps = target->capabilities();
    if (!caps.runtimes.contains(bundle.manifest.runtime))
        return Error{
            tr("%1 cannot run %2 apps.").arg(caps.displayName, Runtimes::name(bundle.manifest.runtime))};
    if (auto valid = bundle.validate(); !valid)
        return Error{valid.error()};
    auto revision = m_store.saveRevision(bundle, session.revisionId);
    if (!revision)
        return Error{revision.error()};
    const QString previous = session.revisionId;
    const double previousCost = session.generationCostUsd;
    session.revisionId = *revision;
    session.generationCostUsd += std::max(0.0, generationCostUsd);
    // Intent first, as for a deploy: the new revision and the state are recorded before the app is replaced.
    if (auto intent =
            commit(session, SessionState::Uploading, tr("redeploy revision %1").arg(revision->left(12)));
        !intent) {
        session.revisionId = previous;
        session.generationCostUsd = previousCost;
        return intent;
    }
    DeployRequest request;
    request.sessionId = session.id;
    request.installId = m_store.installId();
    request.name = session.name;
    request.bundle = bundle;
    request.expiresAt = session.expiresAt.addSecs(kServerSideGraceSeconds);
    request.size = session.size;
    request.hostPort = quint16(std::max(0, session.url.port()));
    request.logPath = Paths::logPath(session.id);
    runDeployJob(session.id, target->redeploy(session.resourceId, request));
    return {};
}

void SessionController::onDeployStage(const QString &sessionId, DeployStage stage, const QString &detail)
{
    auto it = m_owned.find(sessionId);
    if (it == m_owned.end() || it->state == SessionState::Stopping)
        return;
    const SessionState target = stage == DeployStage::Uploading  ? SessionState::Uploading
                                : stage == DeployStage::Starting ? SessionState::Starting
                                                                 : it->state;
    if (target != it->state && SessionStates::canTransition(it->state, target)) {
        if (!commit(*it, target, detail)) {
            if (auto job = m_deploys.value(sessionId))
                job->cancel();
            return;
        }
    }
    emit deployProgress(sessionId, stage, detail);
}

void SessionController::onDeployFinished(const QString &sessionId, const DeployResult &result)
{
    m_deploys.remove(sessionId);
    auto it = m_owned.find(sessionId);
    if (it == m_owned.end())
        return;
    Session &session = *it;
    if (!result.resourceId.isEmpty())
        session.resourceId = result.resourceId;

    if (session.state == SessionState::Stopping) {
        // Stopped while deploying. A deploy that won the race still left something running.
        if (result.ok())
            destroyResource(sessionId, SessionState::Ended, tr("stopped during the deploy"));
        else
            endSession(session, SessionState::Ended, tr("stopped during the deploy"));
        return;
    }
    if (!result.ok()) {
        session.failure = result.failure;
        session.failureMessage = result.message;
        endSession(session, SessionState::Failed, result.message);
        return;
    }
    crashPoint("before-running");
    session.url = result.url;
    session.unsandboxed = result.unsandboxed;
    const bool redeployed = session.startedAt.isValid(); // in place: the lifetime runs on
    if (!redeployed) {
        session.startedAt = nowUtc();
        session.expiresAt = session.startedAt.addSecs(session.ttlSeconds);
    }
    if (!commit(session, SessionState::Running, tr("answers at %1").arg(result.url.toString()))) {
        // Unrecorded but running: do not leave it behind.
        destroyResource(sessionId, SessionState::Failed, tr("could not be recorded"));
        return;
    }
    if (redeployed)
        rescheduleExpiryTimer();
    else
        armDeadline(sessionId, session.ttlSeconds * 1000);
}

void SessionController::onResourceLost(const QString &sessionId, FailureReason reason, const QString &message)
{
    auto it = m_owned.find(sessionId);
    if (it == m_owned.end() || !it->isActive() || it->state == SessionState::Stopping)
        return;
    it->failure = reason;
    it->failureMessage = message;
    if (provider(it->provider)->capabilities().outlivesSpawnAI && !it->resourceId.isEmpty()) {
        // What is left of it on the provider (a Fly app without its machine) goes too.
        if (commit(*it, SessionState::Stopping, message))
            destroyResource(sessionId, SessionState::Failed, message);
        return;
    }
    endSession(*it, SessionState::Failed, message);
}

Result<void> SessionController::stop(const QString &sessionId)
{
    auto it = m_owned.find(sessionId);
    if (it == m_owned.end()) {
        auto stored = m_store.session(sessionId);
        if (!stored)
            return Error{stored.error()};
        if (!stored->isActive())
            return Error{
                tr("Session %1 has already %2.")
                    .arg(stored->name, stored->state == SessionState::Failed ? tr("failed") : tr("ended"))};
        if (m_instance.isAlive(stored->owner))
            return m_store.requestStop(sessionId); // its owner stops it within a second
        // Its owner died: clean up here. A running cloud session is adopted first, then stopped below.
        if (recoverSession(*stored) || !m_owned.contains(sessionId))
            return {};
        it = m_owned.find(sessionId);
    }
    Session &session = *it;
    switch (session.state) {
    case SessionState::Stopping:
        return {};
    case SessionState::Provisioning:
    case SessionState::Uploading:
    case SessionState::Starting:
        if (auto ok = commit(session, SessionState::Stopping, tr("stopped by the user")); !ok)
            return ok;
        if (auto job = m_deploys.value(sessionId))
            job->cancel();
        return {};
    case SessionState::Running:
    case SessionState::Expiring:
        if (auto ok = commit(session, SessionState::Stopping, tr("stopped by the user")); !ok)
            return ok;
        destroyResource(sessionId, SessionState::Ended, tr("stopped by the user"));
        return {};
    case SessionState::Draft:
    case SessionState::Generating:
    case SessionState::Ready:
    case SessionState::Ended:
    case SessionState::Failed:
        break;
    }
    return Error{tr("Session %1 is not running.").arg(session.name)};
}

Result<void> SessionController::extend(const QString &sessionId, qint64 seconds)
{
    auto it = m_owned.find(sessionId);
    if (it == m_owned.end())
        return Error{
            tr("This session is run by another SpawnAI window or terminal, or has ended; extend it there.")};
    Session &session = *it;
    if (session.state != SessionState::Running && session.state != SessionState::Expiring)
        return Error{tr("Only a running session can be extended.")};
    if (seconds <= 0)
        return Error{tr("Extend by a positive amount of time.")};
    Provider *target = provider(session.provider);
    const ProviderCapabilities caps = target->capabilities();
    if (!caps.canExtend)
        return Error{tr("%1 sessions cannot be extended.").arg(caps.displayName)};
    const qint64 lifetime = session.startedAt.secsTo(session.expiresAt) + seconds;
    if (lifetime > caps.maxLifetimeSeconds) {
        const qint64 room =
            std::max<qint64>(0, caps.maxLifetimeSeconds - session.startedAt.secsTo(session.expiresAt));
        return Error{
            tr("%1 sessions can run at most %2 in all; this one can be extended by at most %3.")
                .arg(caps.displayName, formatDuration(caps.maxLifetimeSeconds), formatDuration(room))};
    }

    session.expiresAt = session.expiresAt.addSecs(seconds);
    session.ttlSeconds += seconds;
    const double quote =
        CostMeter::charge(session.provider == u"local"_s ? 0 : session.ratePerSecond, seconds);
    if (auto saved = m_store.recordExtension(
            session, seconds, quote, u"extended"_s,
            tr("+%1, now ends at %2").arg(formatDuration(seconds), session.expiresAt.toString(Qt::ISODate)));
        !saved) {
        session.expiresAt = session.expiresAt.addSecs(-seconds);
        session.ttlSeconds -= seconds;
        return saved;
    }
    const QDeadlineTimer deadline = m_deadlines.value(sessionId);
    armDeadline(sessionId, std::max<qint64>(0, deadline.remainingTime()) + seconds * 1000);
    if (session.state == SessionState::Expiring && session.secondsLeft(nowUtc()) > kExpiringLeadSeconds)
        (void)commit(session, SessionState::Running, tr("extended"));
    else
        emit sessionChanged(session);

    const QDateTime extendedTo = session.expiresAt;
    ProviderJob *job = target->extend(session.resourceId, extendedTo.addSecs(kServerSideGraceSeconds));
    connect(job, &ProviderJob::finished, this,
            [this, sessionId, seconds, quote, extendedTo](const ProviderOutcome &outcome) {
                if (outcome.ok())
                    return;
                qCWarning(lcLifecycle) << "provider refused to extend" << sessionId << outcome.message;
                // The provider still ends it at the old time: so does the countdown, and the user is told
                // why.
                auto owned = m_owned.find(sessionId);
                if (owned != m_owned.end() && owned->expiresAt == extendedTo) {
                    owned->expiresAt = owned->expiresAt.addSecs(-seconds);
                    owned->ttlSeconds -= seconds;
                    (void)m_store.recordExtension(*owned, -seconds, -quote, u"extend-failed"_s,
                                                  outcome.message);
                    armDeadline(sessionId, std::max<qint64>(0, m_deadlines.value(sessionId).remainingTime() -
                                                                   seconds * 1000));
                    emit sessionChanged(*owned);
                }
                emit extendFailed(sessionId, outcome.message);
            });
    job->start();
    return {};
}

void SessionController::destroyResource(const QString &sessionId, SessionState endState,
                                        const QString &detail, int attempt)
{
    auto it = m_owned.find(sessionId);
    if (it == m_owned.end())
        return;
    Provider *target = provider(it->provider);
    // Billing ends when the destroy is asked for; read before the deadline that sessionNow() needs goes.
    if (!it->endedAt.isValid())
        it->endedAt = sessionNow(*it);
    m_deadlines.remove(sessionId);
    crashPoint("during-destroy");
    ProviderJob *job = target->destroy(it->resourceId, sessionId);
    connect(job, &ProviderJob::finished, this,
            [this, sessionId, endState, detail, attempt](const ProviderOutcome &outcome) {
                auto session = m_owned.find(sessionId);
                if (session == m_owned.end())
                    return;
                if (!outcome.ok()) {
                    // Nothing may keep billing: try again, backing off; a restart resends it too (state
                    // Stopping).
                    const int delay = std::min(kMaxDestroyBackoffMs, 1000 << std::min(attempt, 5));
                    qCWarning(lcLifecycle) << "destroy of" << sessionId << "failed:" << outcome.message
                                           << "- retrying in" << delay << "ms";
                    QTimer::singleShot(delay, this, [=, this] {
                        destroyResource(sessionId, endState, detail, attempt + 1);
                    });
                    return;
                }
                endSession(*session, endState, detail);
            });
    job->start();
}

QDateTime SessionController::nowUtc() const
{
    return m_wallClock ? m_wallClock() : QDateTime::currentDateTimeUtc();
}

void SessionController::setWallClockForTesting(std::function<QDateTime()> clock)
{
    m_wallClock = std::move(clock);
}

QDateTime SessionController::sessionNow(const Session &session) const
{
    const QDateTime wall = nowUtc();
    const auto deadline = m_deadlines.constFind(session.id);
    if (deadline == m_deadlines.cend() || !session.expiresAt.isValid())
        return wall;
    // The expiry minus what the monotonic deadline has left: what a wall clock stepped back since (NTP, the
    // user) would take off the bill. The later of the two, because the monotonic clock stands still while the
    // computer sleeps and the provider bills on.
    const QDateTime steady = session.expiresAt.addMSecs(-deadline->remainingTime());
    return std::max(wall, steady);
}

void SessionController::endSession(Session &session, SessionState endState, const QString &detail)
{
    if (!session.endedAt.isValid())
        session.endedAt = sessionNow(session);
    m_deadlines.remove(session.id);
    (void)commit(session, endState, detail);
    m_owned.remove(session.id);
    rescheduleExpiryTimer();
    if (m_recovering.remove(session.id))
        recoveryJobDone();
}

void SessionController::armDeadline(const QString &sessionId, qint64 msLeft, bool reschedule)
{
    m_deadlines.insert(sessionId, QDeadlineTimer(msLeft, Qt::PreciseTimer));
    if (reschedule)
        rescheduleExpiryTimer();
}

void SessionController::onExpiryTimer()
{
    const QStringList ids = m_deadlines.keys();
    for (const QString &id : ids) {
        auto it = m_owned.find(id);
        if (it == m_owned.end())
            continue;
        const qint64 left = m_deadlines.value(id).remainingTime();
        if (left <= 0) {
            if (!commit(*it, SessionState::Stopping, tr("expired")))
                continue;
            if (auto job = m_deploys.value(id))
                job->cancel(); // a redeploy in flight: it cleans up, then the session ends
            else
                destroyResource(id, SessionState::Ended,
                                tr("expired after %1").arg(formatDuration(it->ttlSeconds)));
        } else if (left <= kExpiringLeadSeconds * 1000 && it->state == SessionState::Running) {
            (void)commit(*it, SessionState::Expiring, tr("%1 left").arg(formatDuration((left + 999) / 1000)));
        }
    }
    rescheduleExpiryTimer();
}

void SessionController::rescheduleExpiryTimer()
{
    qint64 next = -1;
    for (auto it = m_deadlines.cbegin(); it != m_deadlines.cend(); ++it) {
        const auto session = m_owned.constFind(it.key());
        if (session == m_owned.cend())
            continue;
        const qint64 left = std::max<qint64>(0, it.value().remainingTime());
        const qint64 lead = kExpiringLeadSeconds * 1000;
        // A running session enters Expiring when the lead time is reached (at once if it started shorter).
        const qint64 due = session->state == SessionState::Running ? std::max<qint64>(0, left - lead) : left;
        next = next < 0 ? due : std::min(next, due);
    }
    if (next < 0)
        m_expiryTimer.stop();
    else
        m_expiryTimer.start(int(std::min<qint64>(next, std::numeric_limits<int>::max())));
}

void SessionController::pollStopRequests()
{
    if (m_owned.isEmpty()) {
        m_pollTimer.stop();
        return;
    }
    auto requests = m_store.stopRequests(m_instance.id());
    if (!requests)
        return;
    for (const QString &id : std::as_const(*requests)) {
        qCInfo(lcLifecycle) << "another SpawnAI process asked to stop" << id;
        (void)stop(id);
    }
}

void SessionController::recover()
{
    m_recoveryCleaned = 0;
    m_recoveryJobs = 1; // held until every session and provider has been looked at
    auto active = m_store.activeSessions();
    if (active) {
        for (const Session &session : std::as_const(*active)) {
            if (m_instance.isAlive(session.owner) || !recoverSession(session, false))
                continue;
            ++m_recoveryJobs;
            ++m_recoveryCleaned;
            m_recovering.insert(session.id); // endSession() reports it done
        }
    } else {
        emit storageFailed(active.error());
    }
    rescheduleExpiryTimer(); // once for every adopted session
    for (Provider *each : std::as_const(m_providers)) {
        if (each->setupProblem().isEmpty())
            reconcileProvider(each, true);
    }
    recoveryJobDone();
    m_reconcileTimer.start();
}

bool SessionController::recoverSession(Session session, bool reschedule)
{
    Provider *target = provider(session.provider);
    if (!target) {
        qCWarning(lcLifecycle) << "cannot recover" << session.id << ": no provider" << session.provider;
        return false;
    }
    const QDateTime now = nowUtc();
    const bool expired = session.expiresAt.isValid() && session.expiresAt <= now;
    const bool running = session.state == SessionState::Running || session.state == SessionState::Expiring;
    const ProviderCapabilities caps = target->capabilities();

    session.owner = m_instance.id();
    if (running && !expired && caps.outlivesSpawnAI) {
        // Adopt: the countdown resumes from the stored UTC expiry.
        if (!m_store.updateSession(session))
            return false;
        m_owned.insert(session.id, session);
        armDeadline(session.id, now.msecsTo(session.expiresAt), reschedule);
        m_pollTimer.start();
        emit sessionChanged(session);
        return false;
    }

    const bool deploying = session.state == SessionState::Provisioning ||
                           session.state == SessionState::Uploading ||
                           session.state == SessionState::Starting;
    QString detail;
    SessionState endState = SessionState::Ended;
    if (expired) {
        detail = tr("expired while SpawnAI was closed");
    } else if (deploying) {
        endState = SessionState::Failed;
        session.failure = FailureReason::Interrupted;
        session.failureMessage = tr("SpawnAI stopped during the deploy. Deploy the app again.");
        detail = session.failureMessage;
    } else if (running) {
        detail = tr("SpawnAI stopped, and local apps stop with it");
    } else {
        detail = tr("stop finished after SpawnAI restarted");
    }
    if (session.state != SessionState::Stopping) {
        // The stored-state check makes this the only process that cleans the session up.
        if (!m_store.transition(session, SessionState::Stopping, detail))
            return false;
    } else if (!m_store.updateSession(session)) {
        return false;
    }
    m_owned.insert(session.id, session);
    emit sessionChanged(session);
    destroyResource(session.id, endState, detail);
    return true;
}

void SessionController::reconcile()
{
    for (Provider *each : std::as_const(m_providers)) {
        if (each->capabilities().outlivesSpawnAI && each->setupProblem().isEmpty())
            reconcileProvider(each, false);
    }
}

void SessionController::reconcileProvider(Provider *target, bool duringRecovery)
{
    if (duringRecovery)
        ++m_recoveryJobs;
    const QDateTime listedAt = nowUtc();
    ListJob *job = target->list(m_store.installId());
    connect(job, &ListJob::finished, this,
            [this, target, duringRecovery, listedAt](const ProviderOutcome &outcome,
                                                     const QList<RemoteResource> &resources) {
                if (outcome.ok())
                    applyListing(target, resources, listedAt, duringRecovery);
                else
                    qCWarning(lcLifecycle) << "cannot list" << target->capabilities().key << outcome.message;
                if (duringRecovery)
                    recoveryJobDone();
            });
    job->start();
}

void SessionController::applyListing(Provider *target, const QList<RemoteResource> &resources,
                                     const QDateTime &listedAt, bool duringRecovery)
{
    const ProviderCapabilities caps = target->capabilities();
    const QDateTime now = nowUtc();
    QSet<QString> listedIds;
    const auto destroyRemote = [&](const RemoteResource &resource, const char *why) {
        qCInfo(lcLifecycle) << "destroying" << why << caps.key << resource.resourceId << "of session"
                            << resource.sessionId;
        if (duringRecovery) {
            ++m_recoveryJobs;
            ++m_recoveryCleaned;
        }
        ProviderJob *destroy = target->destroy(resource.resourceId, resource.sessionId);
        connect(destroy, &ProviderJob::finished, this, [this, duringRecovery](const ProviderOutcome &) {
            if (duringRecovery)
                recoveryJobDone();
        });
        destroy->start();
    };

    // One query for every listed session this process does not drive.
    QStringList unknownIds;
    for (const RemoteResource &resource : resources) {
        if (!m_owned.contains(resource.sessionId))
            unknownIds << resource.sessionId;
    }
    QHash<QString, Session> stored;
    if (auto found = m_store.sessions(unknownIds)) {
        for (const Session &session : std::as_const(*found))
            stored.insert(session.id, session);
    } else {
        qCWarning(lcLifecycle) << "reconciliation cannot read the store:" << found.error();
        return; // destroying without knowing what the store holds could kill a live session
    }

    QList<RemoteResource> orphans;
    bool adopted = false;
    for (const RemoteResource &resource : resources) {
        if (resource.running)
            listedIds.insert(resource.resourceId);
        const auto owned = m_owned.constFind(resource.sessionId);
        if (owned != m_owned.cend()) {
            // A second resource for a session (Qt resent a create, or a create was retried): not the one the
            // session runs on. While a deploy runs, the job decides.
            if (!m_deploys.contains(resource.sessionId) && !owned->resourceId.isEmpty() &&
                owned->resourceId != resource.resourceId)
                destroyRemote(resource, "duplicate");
            continue;
        }
        const auto known = stored.constFind(resource.sessionId);
        if (known != stored.cend()) {
            if (known->isActive() && m_instance.isAlive(known->owner))
                continue; // another live SpawnAI runs it
            if (known->isActive() && !duringRecovery && recoverSession(*known, false))
                continue; // its owner died since: cleaned up like at startup
            if (known->isActive() && m_owned.contains(known->id)) {
                adopted = true;
                continue; // adopted just now
            }
            destroyRemote(resource, "leftover");
            continue;
        }
        // Unknown to the store. In the cloud only what carries this installation's tag is ours to judge (a
        // Fly app whose machine is gone carries none: it may be another installation's in the same
        // organisation). Local sandboxes live in this installation's own folder.
        if (caps.outlivesSpawnAI && resource.installId != m_store.installId())
            continue;
        if (!caps.outlivesSpawnAI || (resource.expiresAt.isValid() && resource.expiresAt <= now))
            destroyRemote(resource, caps.outlivesSpawnAI ? "expired orphan" : "orphan");
        else
            orphans << resource;
    }
    adopted = adoptOrphans(caps, orphans) || adopted;
    if (adopted) {
        rescheduleExpiryTimer();
        m_pollTimer.start();
    }

    // A running session whose resource is no longer listed ended on the provider's side.
    const QList<Session> owned = m_owned.values();
    for (const Session &session : owned) {
        if (session.provider != caps.key || m_deploys.contains(session.id) || session.resourceId.isEmpty() ||
            (session.state != SessionState::Running && session.state != SessionState::Expiring) ||
            !session.startedAt.isValid() || session.startedAt >= listedAt ||
            listedIds.contains(session.resourceId))
            continue;
        onResourceLost(session.id, FailureReason::SandboxLost,
                       tr("%1 ended the sandbox by itself (crashed, out of resources, or ended from its "
                          "dashboard). Deploy the app again to continue.")
                           .arg(caps.displayName));
    }
}

bool SessionController::adoptOrphans(const ProviderCapabilities &caps, const QList<RemoteResource> &resources)
{
    // Tagged for this installation but unknown to the store (a store restored from a backup, say): shown as
    // running sessions, so they count, expire and can be destroyed with one click. One transaction for all.
    QList<Session> sessions;
    for (const RemoteResource &resource : resources) {
        Session session;
        session.id = QUuid::fromString(resource.sessionId).isNull()
                         ? QUuid::createUuid().toString(QUuid::WithoutBraces)
                         : resource.sessionId;
        session.name =
            tr("Unknown %1 sandbox %2").arg(caps.displayName.section(u" ("_s, 0, 0), resource.resourceId);
        session.provider = caps.key;
        session.size = caps.defaultSize;
        session.state = SessionState::Running;
        session.createdAt = nowUtc();
        session.startedAt = session.createdAt;
        session.expiresAt = resource.expiresAt.isValid() ? resource.expiresAt
                                                         : session.createdAt.addSecs(kExpiringLeadSeconds);
        session.ttlSeconds = session.startedAt.secsTo(session.expiresAt);
        session.resourceId = resource.resourceId;
        const Rate rate = m_pricing.rate(caps.pricingKey, caps.defaultSize).value_or(Rate());
        session.ratePerSecond = rate.perSecond;
        session.rateBasis = CostMeter::basisOf(rate);
        session.owner = m_instance.id();
        sessions << session;
    }
    if (sessions.isEmpty())
        return false;
    if (auto inserted = m_store.insertSessions(
            sessions, u"orphan"_s, tr("found on %1 with no session in SpawnAI").arg(caps.displayName));
        !inserted) {
        emit storageFailed(inserted.error());
        return false;
    }
    for (const Session &session : std::as_const(sessions)) {
        qCInfo(lcLifecycle) << "orphan" << caps.key << session.resourceId << "shown as session" << session.id;
        m_owned.insert(session.id, session);
        armDeadline(session.id, std::max<qint64>(0, nowUtc().msecsTo(session.expiresAt)), false);
        emit sessionChanged(session);
    }
    return true;
}

void SessionController::recoveryJobDone()
{
    if (--m_recoveryJobs == 0) {
        qCInfo(lcLifecycle) << "recovery finished," << m_recoveryCleaned << "cleaned up";
        emit recoveryFinished(m_recoveryCleaned);
    }
}
