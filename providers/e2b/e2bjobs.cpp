#include "e2bjobs.h"

#include "http/apicall.h"
#include "providerlogging.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace {

constexpr int kMaxPages = 1000; // 100,000 sandboxes: far beyond any plan's concurrency

ProviderOutcome outcomeOf(const ApiReply &reply, const QString &what)
{
    const auto [failure, message] = ApiErrors::describe(reply, u"E2B"_s, what);
    return {failure, message};
}

} // namespace

E2bDestroyJob::E2bDestroyJob(QNetworkAccessManager *network, E2bOptions options, QString sandboxId,
                             QString sessionId, QObject *parent)
    : ProviderJob(parent)
    , m_network(network)
    , m_options(std::move(options))
    , m_sandboxId(std::move(sandboxId))
    , m_sessionId(std::move(sessionId))
{}

void E2bDestroyJob::start()
{
    if (!m_sandboxId.isEmpty()) {
        kill({m_sandboxId});
        return;
    }
    auto *list =
        new ApiCall(m_network, m_options.api,
                    E2bApi::listSandboxes(m_options.api, {{u"spawnai-session"_s, m_sessionId}}), this);
    connect(list, &ApiCall::finished, this, [this](const ApiReply &reply) {
        if (!reply.ok()) {
            done(outcomeOf(reply, tr("looking for the session's sandboxes")));
            return;
        }
        auto found = E2bApi::parseSandboxList(reply);
        if (!found) {
            done(outcomeOf(ApiReply::failure(ApiError::Malformed, found.error()),
                           tr("looking for the session's sandboxes")));
            return;
        }
        QStringList ids;
        for (const RemoteResource &resource : std::as_const(*found))
            ids << resource.resourceId;
        kill(ids);
    });
    list->start();
}

void E2bDestroyJob::kill(QStringList ids)
{
    m_pending = int(ids.size());
    if (ids.isEmpty()) {
        done({});
        return;
    }
    for (const QString &id : std::as_const(ids)) {
        auto *call = new ApiCall(m_network, m_options.api, E2bApi::killSandbox(m_options.api, id), this);
        connect(call, &ApiCall::finished, this, [this, id](const ApiReply &reply) {
            if (!reply.ok() && reply.error != ApiError::NotFound && m_outcome.ok()) // 404: already gone
                m_outcome = outcomeOf(reply, tr("killing sandbox %1").arg(id));
            if (--m_pending == 0)
                done(m_outcome);
        });
        call->start();
    }
}

void E2bDestroyJob::done(const ProviderOutcome &outcome)
{
    QMetaObject::invokeMethod(
        this,
        [this, outcome] {
            emit finished(outcome);
            deleteLater();
        },
        Qt::QueuedConnection);
}

E2bExtendJob::E2bExtendJob(QNetworkAccessManager *network, E2bOptions options, QString sandboxId,
                           QDateTime expiresAt, QObject *parent)
    : ProviderJob(parent)
    , m_network(network)
    , m_options(std::move(options))
    , m_sandboxId(std::move(sandboxId))
    , m_expiresAt(std::move(expiresAt))
{}

void E2bExtendJob::start()
{
    const qint64 timeout = std::clamp<qint64>(QDateTime::currentDateTimeUtc().secsTo(m_expiresAt), 1,
                                              E2bOptions::maxLifetimeSeconds(m_options.plan));
    auto *call =
        new ApiCall(m_network, m_options.api, E2bApi::setTimeout(m_options.api, m_sandboxId, timeout), this);
    connect(call, &ApiCall::finished, this, [this](const ApiReply &reply) {
        emit finished(outcomeOf(reply, tr("extending the sandbox")));
        deleteLater();
    });
    call->start();
}

E2bListJob::E2bListJob(QNetworkAccessManager *network, E2bOptions options, QString installId, QObject *parent)
    : ListJob(parent)
    , m_network(network)
    , m_options(std::move(options))
    , m_installId(std::move(installId))
{}

void E2bListJob::start()
{
    fetch({});
}

void E2bListJob::fetch(const QString &nextToken)
{
    auto *call =
        new ApiCall(m_network, m_options.api,
                    E2bApi::listSandboxes(m_options.api, E2bApi::tags(m_installId, {}), nextToken), this);
    connect(call, &ApiCall::finished, this, [this](const ApiReply &reply) {
        auto page = reply.ok() ? E2bApi::parseSandboxList(reply) : Result<QList<RemoteResource>>(Error{});
        if (!page) {
            emit finished(outcomeOf(reply.ok() ? ApiReply::failure(ApiError::Malformed, page.error()) : reply,
                                    tr("listing sandboxes")),
                          {});
            deleteLater();
            return;
        }
        m_resources += *page;
        const QString next = QString::fromLatin1(reply.header("x-next-token"));
        if (!next.isEmpty() && !page->isEmpty() && m_resources.size() < kMaxPages * 100) {
            fetch(next);
            return;
        }
        emit finished({}, m_resources);
        deleteLater();
    });
    call->start();
}
