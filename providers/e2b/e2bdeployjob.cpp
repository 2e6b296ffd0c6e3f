#include "e2bdeployjob.h"

#include "cloud/appcommand.h"
#include "cloud/readinessprobe.h"
#include "http/apicall.h"
#include "providerlogging.h"

#include <QJsonObject>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace {

constexpr int kLookAgainMs = 1500; // a create still in flight may show in the list a moment later
constexpr qsizetype kOutputTail = 2000;

QString tail(const QByteArray &output)
{
    return QString::fromUtf8(output.right(kOutputTail)).trimmed();
}

} // namespace

E2bDeployJob::E2bDeployJob(QNetworkAccessManager *network, E2bOptions options, DeployRequest request,
                           QString existingSandboxId, QObject *parent)
    : CloudDeployJob(network, parent)
    , m_options(std::move(options))
    , m_request(std::move(request))
    , m_redeploy(!existingSandboxId.isEmpty())
{
    m_sandbox.id = std::move(existingSandboxId);
    m_folder = u"/home/user/app-"_s + QString::number(QRandomGenerator::global()->generate(), 36);
}

E2bDeployJob::~E2bDeployJob() = default;

void E2bDeployJob::start()
{
    if (!m_redeploy) {
        create();
        return;
    }
    // A redeploy needs the sandbox's envd token, which only E2B keeps.
    emit stageChanged(DeployStage::Uploading, tr("looking up sandbox %1").arg(m_sandbox.id));
    lookUpSandbox([this] {
        ApiCall *kill = call(m_envd, E2bApi::killApp(m_envd));
        connect(kill, &ApiCall::finished, this, [this](const ApiReply &killed) {
            if (!killed.ok() && killed.error != ApiError::NotFound) { // not_found: the old app already ended
                failWith(killed, tr("stopping the previous revision"));
                return;
            }
            upload();
        });
        kill->start();
    });
}

void E2bDeployJob::lookUpSandbox(const std::function<void()> &then)
{
    ApiCall *lookup = call(m_options.api, E2bApi::getSandbox(m_options.api, m_sandbox.id));
    connect(lookup, &ApiCall::finished, this, [this, then](const ApiReply &reply) {
        if (reply.error == ApiError::NotFound) {
            fail(FailureReason::SandboxLost, tr("The E2B sandbox has ended; deploy the app again."));
            return;
        }
        if (!reply.ok()) {
            failWith(reply, tr("looking up the sandbox"));
            return;
        }
        m_sandbox.envdAccessToken = reply.json.object().value(u"envdAccessToken"_s).toString();
        m_sandbox.domain = reply.json.object().value(u"domain"_s).toString();
        m_envd = E2bApi::envd(m_options.api, m_options.domain, m_sandbox);
        then();
    });
    lookup->start();
}

void E2bDeployJob::create()
{
    if (isDone())
        return;
    const QString templateId = E2bApi::templateFor(m_request.size);
    // The server-side lifetime: the session's, within the plan's cap.
    const qint64 timeout = std::clamp<qint64>(QDateTime::currentDateTimeUtc().secsTo(m_request.expiresAt), 1,
                                              E2bOptions::maxLifetimeSeconds(m_options.plan));
    ++m_creates;
    emit stageChanged(DeployStage::Provisioning, tr("creating an E2B sandbox (%1)").arg(templateId));
    ApiCall *create =
        call(m_options.api, E2bApi::createSandbox(m_options.api, templateId, timeout,
                                                  E2bApi::tags(m_request.installId, m_request.sessionId)));
    connect(create, &ApiCall::finished, this, [this](const ApiReply &reply) {
        if (reply.ok()) {
            auto sandbox = E2bApi::parseSandbox(reply);
            if (sandbox) {
                m_sandbox = *sandbox;
                m_envd = E2bApi::envd(m_options.api, m_options.domain, m_sandbox);
                emit resourceCreated(m_sandbox.id);
                upload();
                return;
            }
            lookForCreatedSandbox(reply); // a 2xx we cannot read: it may exist all the same
            return;
        }
        if (reply.ambiguous)
            lookForCreatedSandbox(reply);
        else
            failWith(reply, tr("creating the sandbox"));
    });
    create->start();
}

void E2bDeployJob::lookForCreatedSandbox(const ApiReply &createReply)
{
    qCInfo(lcE2b) << "create of" << m_request.sessionId << "ended without a readable answer; looking for it";
    const auto look = [this, createReply](int attempt, auto &&self) -> void {
        ApiCall *list = call(
            m_options.api,
            E2bApi::listSandboxes(m_options.api, E2bApi::tags(m_request.installId, m_request.sessionId)));
        connect(list, &ApiCall::finished, this, [=, this](const ApiReply &reply) {
            if (isDone())
                return;
            auto found =
                reply.ok() ? E2bApi::parseSandboxList(reply) : Result<QList<RemoteResource>>(Error{});
            if (!found) {
                // Cannot tell whether it exists: do not create another. Reconciliation finds it if it does.
                fail(
                    FailureReason::ProviderUnavailable,
                    tr("E2B did not confirm the sandbox (%1), and SpawnAI could not check whether it exists. "
                       "Nothing more was created; SpawnAI checks again at its next reconciliation.")
                        .arg(createReply.message));
                return;
            }
            if (!found->isEmpty()) {
                adopt(found->first().resourceId); // more than one: reconciliation removes the others
                return;
            }
            if (attempt == 0) {
                QTimer::singleShot(kLookAgainMs, this, [=] { self(1, self); });
                return;
            }
            if (m_creates < 2) {
                create(); // certainly not created: the one further attempt
                return;
            }
            failWith(createReply, tr("creating the sandbox"));
        });
        list->start();
    };
    look(0, look);
}

void E2bDeployJob::adopt(const QString &sandboxId)
{
    if (isDone())
        return;
    m_sandbox.id = sandboxId;
    emit resourceCreated(sandboxId);
    lookUpSandbox([this] { upload(); });
}

void E2bDeployJob::upload()
{
    if (isDone())
        return;
    emit stageChanged(DeployStage::Uploading,
                      tr("uploading %n file(s)", nullptr, int(m_request.bundle.files.size())));
    ApiCall *upload = call(m_envd, E2bApi::uploadFiles(m_envd, m_request.bundle, m_folder));
    connect(upload, &ApiCall::finished, this, [this](const ApiReply &reply) {
        if (!reply.ok()) {
            failWith(reply, tr("uploading the app"));
            return;
        }
        startApp();
    });
    upload->start();
}

void E2bDeployJob::startApp()
{
    if (isDone())
        return;
    emit stageChanged(DeployStage::Starting, tr("starting the app"));
    const QMap<QString, QString> envs{{u"PORT"_s, QString::number(m_request.bundle.manifest.port)},
                                      {u"HOST"_s, u"0.0.0.0"_s}};
    m_stream = call(m_envd, E2bApi::startProcess(m_envd, AppCommand::shellLine(m_request.bundle, m_folder),
                                                 m_folder, envs));
    connect(m_stream, &ApiCall::bytesReceived, this, &E2bDeployJob::onStreamBytes);
    connect(m_stream, &ApiCall::finished, this, [this](const ApiReply &reply) {
        if (isDone())
            return;
        if (!reply.ok()) {
            failWith(reply, tr("starting the app"));
            return;
        }
        if (!m_waiting) // the stream ended before the app started: its end frame said why
            onStreamBytes({});
    });
    m_stream->start();
}

void E2bDeployJob::onStreamBytes(const QByteArray &bytes)
{
    m_frames += bytes;
    for (const E2bApi::Frame &frame : E2bApi::takeFrames(m_frames)) {
        const QJsonObject message = QJsonDocument::fromJson(frame.payload).object();
        if (frame.endOfStream()) {
            const QJsonObject error = message.value(u"error"_s).toObject();
            fail(FailureReason::AppCrashed,
                 error.isEmpty()
                     ? tr("The app exited as it started. Its output:\n%1").arg(tail(m_output))
                     : tr("E2B could not start the app: %1").arg(error.value(u"message"_s).toString()));
            return;
        }
        const QJsonObject event = message.value(u"event"_s).toObject();
        if (event.contains(u"start"_s)) {
            waitForUrl();
        } else if (event.contains(u"data"_s)) {
            const QJsonObject data = event.value(u"data"_s).toObject();
            for (const QString &channel : {u"stdout"_s, u"stderr"_s})
                m_output += QByteArray::fromBase64(data.value(channel).toString().toLatin1());
        } else if (event.contains(u"end"_s)) {
            const QJsonObject end = event.value(u"end"_s).toObject();
            fail(FailureReason::AppCrashed, tr("The app exited (%1) before it answered. Its output:\n%2")
                                                .arg(end.value(u"status"_s).toString(), tail(m_output)));
            return;
        }
    }
    if (m_frames.size() > 1024 * 1024) // no frame is this large; the stream is not Connect
        fail(FailureReason::ProviderError, tr("E2B's process stream could not be read."));
}

void E2bDeployJob::waitForUrl()
{
    if (isDone())
        return;
    const int port = m_request.bundle.manifest.port;
    const QUrl url = appUrl();
    emit stageChanged(DeployStage::WaitingForUrl, tr("waiting for %1").arg(url.toString()));
    m_waiting = true;
    ReadinessProbe *readiness = probe(url);
    readiness->setClassifier([](const ApiReply &reply) {
        // E2B's edge proxy answers for a port nobody listens on yet, and for a sandbox that is gone (§3.7).
        const QString said = ApiCall::errorText(reply.body);
        if (reply.status == 502 && said.contains("not found"_L1, Qt::CaseInsensitive))
            return ReadinessProbe::Verdict::Gone;
        if (reply.status == 0 || (reply.status == 502 && said.contains("port is not open"_L1)) ||
            reply.status == 409)
            return ReadinessProbe::Verdict::NotYet;
        return ReadinessProbe::Verdict::Ready;
    });
    connect(readiness, &ReadinessProbe::ready, this, &E2bDeployJob::succeed);
    connect(readiness, &ReadinessProbe::gone, this, [this] {
        fail(FailureReason::SandboxLost, tr("The E2B sandbox ended while the app was starting."));
    });
    connect(readiness, &ReadinessProbe::timedOut, this, [this, port] {
        fail(FailureReason::AppNeverAnswered,
             tr("The app started but never opened port %1 within %2 s. Its output:\n%3")
                 .arg(port)
                 .arg(m_options.startTimeoutMs / 1000)
                 .arg(tail(m_output)));
    });
    readiness->start(m_options.startTimeoutMs, m_options.pollIntervalMs);
}

void E2bDeployJob::succeed()
{
    if (m_stream)
        m_stream->finishNow(); // the process is not tied to the call: the app keeps running
    CloudDeployJob::succeed(appUrl(), m_sandbox.id);
}

QUrl E2bDeployJob::appUrl() const
{
    // The sandbox's own domain when E2B names one, else the configured one (e2b.md §2.3).
    return E2bApi::sandboxUrl(m_sandbox.domain.isEmpty() ? m_options.domain : m_sandbox.domain,
                              m_request.bundle.manifest.port, m_sandbox.id);
}

void E2bDeployJob::failWith(const ApiReply &reply, const QString &what)
{
    fail(ApiErrors::failureReason(reply.error), tr("E2B, %1: %2").arg(what, reply.message));
}

void E2bDeployJob::fail(FailureReason reason, const QString &message)
{
    if (isDone())
        return;
    if (m_stream)
        m_stream->cancel();
    DeployResult result;
    result.failure = reason;
    result.message = message;
    result.resourceId = m_sandbox.id;
    // Nothing may keep billing: the sandbox is killed first (DELETE is idempotent, so retried).
    failAfter(result, m_options.api,
              m_sandbox.id.isEmpty() ? std::nullopt
                                     : std::optional(E2bApi::killSandbox(m_options.api, m_sandbox.id)));
}
