#pragma once

#include "appbundle.h"
#include "http/apitypes.h"
#include "provider.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

struct FlyOptions
{
    ApiEndpoint api; // Machines API, base …/v1, Authorization: FlyV1 … or Bearer …
    QUrl graphqlUrl; // for IP allocation where the REST endpoint is missing
    QString domain;  // apps answer on <app>.<domain> ("fly.dev"; "localhost:P" for a local fake)
    QString org = QStringLiteral("personal");
    QString region = QStringLiteral("iad");
    int startTimeoutMs = 120'000; // from machine create until the app's URL answers
    int pollIntervalMs = 500;

    // SPAWNAI_FLY_URL, SPAWNAI_FLY_GRAPHQL_URL and SPAWNAI_FLY_DOMAIN override the real service.
    static FlyOptions fromEnvironment();
};

// The calls SpawnAI makes to Fly.io Machines (fly.md §3–§7), one function each, and their parsers.
namespace FlyApi {

inline const QString kAppPrefix = QStringLiteral("spawnai-");
inline const QString kFolder = QStringLiteral("/app");

// The Authorization value for a token as `fly tokens create` prints it (fly.md §2): FlyV1 for macaroons,
// Bearer for older tokens.
QByteArray authorization(const QString &token);
// One app per session, named after it: spawnai-<session uuid hex>. Fly's names are global and unique.
QString appName(const QString &sessionId);
// The session id an app name carries; empty when it is not one of SpawnAI's.
QString sessionOf(const QString &appName);
// https://<app>.<domain>/ (http:// when the domain is this computer).
QUrl appUrl(const QString &domain, const QString &appName);

struct Guest
{
    int cpus = 1;
    int memoryMb = 256;
};
// Machine size per size key; nullopt for an unknown size.
std::optional<Guest> guestFor(const QString &size);

ApiRequest createApp(const FlyOptions &options, const QString &appName);
ApiRequest getApp(const FlyOptions &options, const QString &appName);
ApiRequest listApps(const FlyOptions &options);
ApiRequest deleteApp(const FlyOptions &options, const QString &appName);
ApiRequest allocateIp(const FlyOptions &options, const QString &appName, const QString &type);
ApiRequest listIps(const FlyOptions &options, const QString &appName);
ApiRequest allocateIpGraphql(const FlyOptions &options, const QString &appName, const QString &type);
// The machine config: the bundle as files, its start command under `timeout` so it ends by itself,
// HTTPS on 443, auto_destroy with restart policy "no" (the only one auto_destroy works with).
QJsonObject machineConfig(const DeployRequest &request, qint64 deadlineSeconds);
ApiRequest createMachine(const FlyOptions &options, const QString &appName, const QJsonObject &config);
ApiRequest updateMachine(const FlyOptions &options, const QString &appName, const QString &machineId,
                         const QJsonObject &config);
ApiRequest listMachines(const FlyOptions &options, const QString &appName);
ApiRequest getMachine(const FlyOptions &options, const QString &appName, const QString &machineId);
// Long-polls until the machine (the version `instanceId`, when given) is started; Fly caps the wait at 60 s
// (408 after).
ApiRequest waitStarted(const FlyOptions &options, const QString &appName, const QString &machineId,
                       const QString &instanceId, int timeoutSeconds);

} // namespace FlyApi
