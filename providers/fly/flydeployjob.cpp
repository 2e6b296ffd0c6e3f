#include "flydeployjob.h"

#include "cloud/readinessprobe.h"
#include "http/apicall.h"
#include "providerlogging.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;

FlyDeployJob::FlyDeployJob(QNetworkAccessManager *network, FlyOptions options, DeployRequest request,
                           bool redeploy, QObject *parent)
    : CloudDeployJob(network, parent)
    , m_options(std::move(options))
    , m_request(std::move(request))
    , m_app(FlyApi::appName(m_request.sessionId))
    , m_redeploy(redeploy)
{}

FlyDeployJob::~FlyDeployJob() = default;

ApiCall *FlyDeployJob::call(const ApiRequest &request)
{
    return CloudDeployJob::call(m_options.api, request);
}

qint64 FlyDeployJob::deadlineSeconds() const
{
    return std::max<qint64>(60, QDateTime::currentDateTimeUtc().secsTo(m_request.expiresAt));
}

void FlyDeployJob::start()
{
    m_clock.start();
    if (!FlyApi::guestFor(m_request.size)) {
        fail(FailureReason::ProviderError, tr("Fly.io has no size \"%1\" in SpawnAI.").arg(m_request.size));
        return;
    }
    if (m_redeploy) {
        updateMachine();
        return;
    }
    // The name is the resource: recorded before the create, so even a crash during it leaves a trace.
    emit resourceCreated(m_app);
    createApp(false);
}

void FlyDeployJob::createApp(bool secondTry)
{
    emit stageChanged(DeployStage::Provisioning, tr("creating Fly.io app %1").arg(m_app));
    ApiCall *create = call(FlyApi::createApp(m_options, m_app));
    connect(create, &ApiCall::finished, this, [this, secondTry](const ApiReply &reply) {
        if (isDone())
            return;
        if (reply.ok()) {
            m_appCreatedHere = true;
            allocateIps({u"shared_v4"_s, u"v6"_s});
            return;
        }
        // Taken (by an earlier attempt whose answer was lost, or Qt's resend) or unknown outcome: ask.
        if (!reply.ambiguous && reply.error != ApiError::Conflict) {
            failWith(reply, tr("creating the app"));
            return;
        }
        ApiCall *lookup = call(FlyApi::getApp(m_options, m_app));
        connect(lookup, &ApiCall::finished, this, [this, reply, secondTry](const ApiReply &found) {
            if (isDone())
                return;
            if (found.ok()) {
                m_appCreatedHere = true; // ours: the name carries this session's id
                allocateIps({u"shared_v4"_s, u"v6"_s});
            } else if (found.error == ApiError::NotFound && !secondTry && reply.error != ApiError::Conflict) {
                createApp(true);
            } else if (found.error == ApiError::BadKey) {
                fail(FailureReason::ProviderError,
                     tr("The Fly.io app name %1 belongs to another organisation.").arg(m_app));
            } else {
                failWith(reply, tr("creating the app"));
            }
        });
        lookup->start();
    });
    create->start();
}

void FlyDeployJob::allocateIps(const QStringList &types)
{
    if (types.isEmpty()) {
        createMachine(false);
        return;
    }
    ApiCall *allocate = call(FlyApi::allocateIp(m_options, m_app, types.first()));
    connect(allocate, &ApiCall::finished, this, [this, types](const ApiReply &reply) {
        if (isDone())
            return;
        if (reply.ok()) {
            allocateIps(types.mid(1));
        } else if (reply.error == ApiError::NotFound) {
            allocateIpGraphql(types); // the REST endpoint is newer than some API hosts (fly.md §4.1)
        } else if (reply.ambiguous) {
            // Allocated or not? The list says; a second shared IPv4 would be harmless, a second IPv6 not.
            ApiCall *list = call(FlyApi::listIps(m_options, m_app));
            connect(list, &ApiCall::finished, this, [this, types, reply](const ApiReply &ips) {
                if (isDone())
                    return;
                if (!ips.ok()) {
                    failWith(reply, tr("allocating a public IP address"));
                    return;
                }
                const QString wanted = types.first();
                const QJsonArray assigned = ips.json.object().value(u"ips"_s).toArray();
                const bool has = std::any_of(assigned.cbegin(), assigned.cend(), [&](const QJsonValue &ip) {
                    const QString address = ip.toObject().value(u"ip"_s).toString();
                    const bool shared = ip.toObject().value(u"shared"_s).toBool();
                    return wanted == "shared_v4"_L1 ? (shared && !address.contains(u':'))
                                                    : address.contains(u':');
                });
                allocateIps(has ? types.mid(1) : types);
            });
            list->start();
        } else {
            failWith(reply, tr("allocating a public IP address"));
        }
    });
    allocate->start();
}

void FlyDeployJob::allocateIpGraphql(const QStringList &types)
{
    if (types.isEmpty()) {
        createMachine(false);
        return;
    }
    ApiEndpoint graphql = m_options.api;
    graphql.baseUrl = m_options.graphqlUrl;
    ApiCall *allocate =
        CloudDeployJob::call(graphql, FlyApi::allocateIpGraphql(m_options, m_app, types.first()));
    connect(allocate, &ApiCall::finished, this, [this, types](const ApiReply &reply) {
        if (isDone())
            return;
        const QJsonArray errors = reply.json.object().value(u"errors"_s).toArray();
        if (!reply.ok() || !errors.isEmpty()) {
            fail(reply.ok() ? FailureReason::ProviderError : ApiErrors::failureReason(reply.error),
                 tr("Fly.io, allocating a public IP address: %1")
                     .arg(errors.isEmpty() ? reply.message
                                           : errors.first().toObject().value(u"message"_s).toString()));
            return;
        }
        allocateIpGraphql(types.mid(1));
    });
    allocate->start();
}

void FlyDeployJob::createMachine(bool secondTry)
{
    emit stageChanged(DeployStage::Uploading, tr("creating the machine with %n file(s)", nullptr,
                                                 int(m_request.bundle.files.size())));
    ApiCall *create =
        call(FlyApi::createMachine(m_options, m_app, FlyApi::machineConfig(m_request, deadlineSeconds())));
    connect(create, &ApiCall::finished, this, [this, secondTry](const ApiReply &reply) {
        if (isDone())
            return;
        if (reply.ok() && !reply.json.object().value(u"id"_s).toString().isEmpty()) {
            m_machineId = reply.json.object().value(u"id"_s).toString();
            m_instanceId = reply.json.object().value(u"instance_id"_s).toString();
            waitStarted();
            return;
        }
        if (!reply.ok() && !reply.ambiguous && reply.error != ApiError::Conflict) {
            failWith(reply, tr("creating the machine"));
            return;
        }
        findMachine(
            [this](const QString &id) {
                m_machineId = id;
                waitStarted();
            },
            [this, secondTry, reply] {
                if (secondTry)
                    failWith(reply, tr("creating the machine"));
                else
                    createMachine(true);
            });
    });
    create->start();
}

void FlyDeployJob::findMachine(const std::function<void(const QString &)> &found,
                               const std::function<void()> &none)
{
    ApiCall *list = call(FlyApi::listMachines(m_options, m_app));
    connect(list, &ApiCall::finished, this, [this, found, none](const ApiReply &reply) {
        if (isDone())
            return;
        if (!reply.ok()) {
            failWith(reply, tr("looking for the machine"));
            return;
        }
        const QJsonArray machines = reply.json.array();
        for (const QJsonValue &machine : machines) {
            const QString state = machine.toObject().value(u"state"_s).toString();
            if (state != "destroyed"_L1 && state != "destroying"_L1) {
                found(machine.toObject().value(u"id"_s).toString());
                return;
            }
        }
        none();
    });
    list->start();
}

void FlyDeployJob::updateMachine()
{
    emit stageChanged(DeployStage::Uploading, tr("updating the machine of %1").arg(m_app));
    findMachine(
        [this](const QString &id) {
            m_machineId = id;
            ApiCall *update = call(FlyApi::updateMachine(
                m_options, m_app, id, FlyApi::machineConfig(m_request, deadlineSeconds())));
            connect(update, &ApiCall::finished, this, [this](const ApiReply &reply) {
                if (isDone())
                    return;
                if (!reply.ok()) {
                    failWith(reply, tr("updating the machine"));
                    return;
                }
                m_instanceId = reply.json.object().value(u"instance_id"_s).toString();
                waitStarted();
            });
            update->start();
        },
        [this] {
            fail(FailureReason::SandboxLost, tr("The Fly.io machine has ended; deploy the app again."));
        });
}

void FlyDeployJob::waitStarted()
{
    emit stageChanged(DeployStage::Starting, tr("starting machine %1").arg(m_machineId));
    const int leftMs = m_options.startTimeoutMs - int(m_clock.elapsed());
    if (leftMs <= 0) {
        fail(FailureReason::AppNeverAnswered,
             tr("The Fly.io machine did not start within %1 s.").arg(m_options.startTimeoutMs / 1000));
        return;
    }
    ApiCall *wait = call(
        FlyApi::waitStarted(m_options, m_app, m_machineId, m_instanceId, std::min(60, leftMs / 1000 + 1)));
    connect(wait, &ApiCall::finished, this, [this](const ApiReply &reply) {
        if (isDone())
            return;
        if (reply.ok())
            waitForUrl();
        else if (reply.status == 408) // Fly's 60 s cap: wait again, within our own deadline
            waitStarted();
        else
            failWith(reply, tr("waiting for the machine to start"));
    });
    wait->start();
}

void FlyDeployJob::waitForUrl()
{
    const QUrl url = FlyApi::appUrl(m_options.domain, m_app);
    emit stageChanged(DeployStage::WaitingForUrl, tr("waiting for %1").arg(url.toString()));
    ReadinessProbe *readiness = probe(url);
    // A brand-new name may not resolve yet, and Fly Proxy answers 502/503 until the app listens (fly.md §6).
    readiness->setClassifier([](const ApiReply &reply) {
        if (reply.status == 0 || reply.status == 502 || reply.status == 503)
            return ReadinessProbe::Verdict::NotYet;
        return ReadinessProbe::Verdict::Ready;
    });
    connect(readiness, &ReadinessProbe::ready, this, [this, url] { succeed(url, m_app); });
    connect(readiness, &ReadinessProbe::timedOut, this, [this] {
        fail(FailureReason::AppNeverAnswered,
             tr("The machine started but the app never answered on port %1 within %2 s.")
                 .arg(m_request.bundle.manifest.port)
                 .arg(m_options.startTimeoutMs / 1000));
    });
    readiness->start(std::max(1000, m_options.startTimeoutMs - int(m_clock.elapsed())),
                     m_options.pollIntervalMs);
}

void FlyDeployJob::failWith(const ApiReply &reply, const QString &what)
{
    fail(ApiErrors::failureReason(reply.error), tr("Fly.io, %1: %2").arg(what, reply.message));
}

void FlyDeployJob::fail(FailureReason reason, const QString &message)
{
    DeployResult result;
    result.failure = reason;
    result.message = message;
    result.resourceId = m_app;
    // Nothing may keep billing: the app goes (machines and IPs with it). A create that was refused leaves
    // only the recorded name; destroying it later counts 404 as done.
    const bool made = m_appCreatedHere || m_redeploy;
    failAfter(result, m_options.api,
              made ? std::optional(FlyApi::deleteApp(m_options, m_app)) : std::nullopt);
}

void FlyDeployJob::cancel()
{
    m_appCreatedHere = true; // a create in flight may still land: delete by name either way
    CloudDeployJob::cancel();
}
