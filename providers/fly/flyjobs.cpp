#include "flyjobs.h"

#include "http/apicall.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace {

ProviderOutcome outcomeOf(const ApiReply &reply, const QString &what)
{
    const auto [failure, message] = ApiErrors::describe(reply, u"Fly.io"_s, what);
    return {failure, message};
}

} // namespace

FlyDestroyJob::FlyDestroyJob(QNetworkAccessManager *network, FlyOptions options, QString appName,
                             QObject *parent)
    : ProviderJob(parent)
    , m_network(network)
    , m_options(std::move(options))
    , m_app(std::move(appName))
{}

void FlyDestroyJob::start()
{
    auto *call = new ApiCall(m_network, m_options.api, FlyApi::deleteApp(m_options, m_app), this);
    connect(call, &ApiCall::finished, this, [this](const ApiReply &reply) {
        emit finished(reply.error == ApiError::NotFound ? ProviderOutcome{}
                                                        : outcomeOf(reply, tr("deleting app %1").arg(m_app)));
        deleteLater();
    });
    call->start();
}

FlyExtendJob::FlyExtendJob(QNetworkAccessManager *network, FlyOptions options, QString appName,
                           QDateTime expiresAt, QObject *parent)
    : ProviderJob(parent)
    , m_network(network)
    , m_options(std::move(options))
    , m_app(std::move(appName))
    , m_expiresAt(std::move(expiresAt))
{}

void FlyExtendJob::start()
{
    auto *list = new ApiCall(m_network, m_options.api, FlyApi::listMachines(m_options, m_app), this);
    connect(list, &ApiCall::finished, this, [this](const ApiReply &reply) {
        const QJsonObject machine = reply.json.array().first().toObject();
        if (!reply.ok() || machine.isEmpty()) {
            done(reply.ok() ? ApiReply::failure(ApiError::NotFound, tr("the app has no machine")) : reply,
                 tr("finding the machine"));
            return;
        }
        // The same machine with a new deadline: `timeout N` counts from the restart the update causes.
        QJsonObject config = machine.value(u"config"_s).toObject();
        QJsonObject init = config.value(u"init"_s).toObject();
        QJsonArray exec = init.value(u"exec"_s).toArray();
        static const QRegularExpression deadline(u"exec timeout \\d+ "_s);
        const qint64 seconds = std::max<qint64>(60, QDateTime::currentDateTimeUtc().secsTo(m_expiresAt));
        if (!exec.isEmpty())
            exec.replace(exec.size() - 1,
                         exec.last().toString().replace(deadline, u"exec timeout %1 "_s.arg(seconds)));
        init.insert(u"exec"_s, exec);
        config.insert(u"init"_s, init);
        QJsonObject metadata = config.value(u"metadata"_s).toObject();
        metadata.insert(u"spawnai_expires"_s, m_expiresAt.toString(Qt::ISODate));
        config.insert(u"metadata"_s, metadata);
        auto *update = new ApiCall(
            m_network, m_options.api,
            FlyApi::updateMachine(m_options, m_app, machine.value(u"id"_s).toString(), config), this);
        connect(update, &ApiCall::finished, this,
                [this](const ApiReply &updated) { done(updated, tr("updating the machine's deadline")); });
        update->start();
    });
    list->start();
}

void FlyExtendJob::done(const ApiReply &reply, const QString &what)
{
    emit finished(outcomeOf(reply, what));
    deleteLater();
}

FlyListJob::FlyListJob(QNetworkAccessManager *network, FlyOptions options, QObject *parent)
    : ListJob(parent)
    , m_network(network)
    , m_options(std::move(options))
{}

void FlyListJob::start()
{
    auto *apps = new ApiCall(m_network, m_options.api, FlyApi::listApps(m_options), this);
    connect(apps, &ApiCall::finished, this, [this](const ApiReply &reply) {
        if (!reply.ok()) {
            emit finished(outcomeOf(reply, tr("listing apps")), {});
            deleteLater();
            return;
        }
        m_pending = 1; // held while the machine lists are requested
        const QJsonArray list = reply.json.object().value(u"apps"_s).toArray();
        for (const QJsonValue &value : list) {
            const QString name = value.toObject().value(u"name"_s).toString();
            const QString session = FlyApi::sessionOf(name);
            if (session.isEmpty())
                continue; // not SpawnAI's
            ++m_pending;
            auto *machines =
                new ApiCall(m_network, m_options.api, FlyApi::listMachines(m_options, name), this);
            connect(machines, &ApiCall::finished, this, [this, name, session](const ApiReply &answer) {
                if (answer.ok()) {
                    RemoteResource resource{name, session, {}, {}, false};
                    const QJsonArray array = answer.json.array();
                    for (const QJsonValue &each : array) {
                        const QJsonObject machine = each.toObject();
                        const QJsonObject metadata =
                            machine.value(u"config"_s).toObject().value(u"metadata"_s).toObject();
                        resource.installId = metadata.value(u"spawnai_install"_s).toString();
                        resource.expiresAt = QDateTime::fromString(
                            metadata.value(u"spawnai_expires"_s).toString(), Qt::ISODate);
                        const QString state = machine.value(u"state"_s).toString();
                        resource.running =
                            resource.running || (state != "destroyed"_L1 && state != "destroying"_L1);
                    }
                    m_resources << resource;
                } else if (answer.error != ApiError::NotFound && m_outcome.ok()) {
                    m_outcome = outcomeOf(answer, tr("listing the machines of %1").arg(name));
                }
                finishIfDone();
            });
            machines->start();
        }
        finishIfDone();
    });
    apps->start();
}

void FlyListJob::finishIfDone()
{
    if (--m_pending > 0)
        return;
    emit finished(m_outcome, m_outcome.ok() ? m_resources : QList<RemoteResource>{});
    deleteLater();
}
