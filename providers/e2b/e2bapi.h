#pragma once

#include "appbundle.h"
#include "http/apitypes.h"
#include "provider.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMap>
#include <QString>

// E2B's plans cap how long a sandbox may live, whatever its timeout (e2b.md §2.6).
enum class E2bPlan { Hobby, Pro };

struct E2bOptions
{
    ApiEndpoint api; // control plane, X-API-Key
    QString domain;  // sandbox hosts are <port>-<id>.<domain> ("e2b.app"; "localhost:P" for a local fake)
    E2bPlan plan = E2bPlan::Hobby;
    int startTimeoutMs = 90'000; // from process start until the app's URL answers
    int pollIntervalMs = 250;

    // SPAWNAI_E2B_URL and SPAWNAI_E2B_DOMAIN override the real service.
    static E2bOptions fromEnvironment();
    static qint64 maxLifetimeSeconds(E2bPlan plan);
};

// The calls SpawnAI makes to E2B (e2b.md §2–§3), one function each, and the parsers of their answers.
namespace E2bApi {

inline constexpr int kEnvdPort = 49983;
inline const QString kUser = QStringLiteral("user");
inline const QString kProcessTag = QStringLiteral("spawnai-app");

struct Sandbox
{
    QString id;
    QString envdAccessToken;
    QString domain; // as the create answer says; empty → the configured one
};

// Template per size key; empty for an unknown size.
QString templateFor(const QString &size);
// Metadata every sandbox carries, for reconciliation.
QMap<QString, QString> tags(const QString &installId, const QString &sessionId);

ApiRequest createSandbox(const ApiEndpoint &api, const QString &templateId, qint64 timeoutSeconds,
                         const QMap<QString, QString> &metadata);
Result<Sandbox> parseSandbox(const ApiReply &reply);
// GET /v2/sandboxes filtered by metadata; nextToken from the previous page's X-Next-Token.
ApiRequest listSandboxes(const ApiEndpoint &api, const QMap<QString, QString> &metadata,
                         const QString &nextToken = {});
Result<QList<RemoteResource>> parseSandboxList(const ApiReply &reply);
ApiRequest getSandbox(const ApiEndpoint &api, const QString &sandboxId); // SandboxDetail, with the envd token
ApiRequest killSandbox(const ApiEndpoint &api, const QString &sandboxId);
// The cheapest authenticated call, for checking a key: one sandbox of the list.
ApiRequest checkKey(const ApiEndpoint &api);
ApiRequest setTimeout(const ApiEndpoint &api, const QString &sandboxId, qint64 timeoutSeconds);

// https://<port>-<id>.<domain> (http:// when the domain is this computer).
QUrl sandboxUrl(const QString &domain, int port, const QString &sandboxId);
// The envd endpoint of a sandbox: X-Access-Token auth, same retry rules.
ApiEndpoint envd(const ApiEndpoint &api, const QString &domain, const Sandbox &sandbox);
// POST /files as multipart/form-data: every file of the bundle under `folder`, in one request.
ApiRequest uploadFiles(const ApiEndpoint &envd, const AppBundle &bundle, const QString &folder);
// process.Process/Start (Connect server stream) with no deadline, so the server lives as long as the sandbox.
ApiRequest startProcess(const ApiEndpoint &envd, const QString &shellLine, const QString &cwd,
                        const QMap<QString, QString> &envs);
// process.Process/SendSignal SIGKILL to the app started with kProcessTag (before a redeploy).
ApiRequest killApp(const ApiEndpoint &envd);

// Connect's streaming envelope: 1 flag byte, 4-byte big-endian length, payload (e2b.md §3.5).
QByteArray envelope(const QByteArray &payload, quint8 flags = 0);
struct Frame
{
    quint8 flags = 0;
    QByteArray payload;
    bool endOfStream() const { return flags & 0x02; }
};
// Takes the complete frames off the front of `buffer`.
QList<Frame> takeFrames(QByteArray &buffer);

} // namespace E2bApi
