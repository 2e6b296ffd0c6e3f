#include "flyapi.h"

#include "cloud/appcommand.h"
#include "http/loopback.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString encoded(const QString &segment)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(segment));
}

} // namespace

FlyOptions FlyOptions::fromEnvironment()
{
    FlyOptions options;
    options.api.service = u"Fly.io"_s;
    options.api.authHeader = "Authorization";
    options.api.baseUrl = QUrl(qEnvironmentVariable("SPAWNAI_FLY_URL", u"https://api.machines.dev/v1"_s));
    options.graphqlUrl =
        QUrl(qEnvironmentVariable("SPAWNAI_FLY_GRAPHQL_URL", u"https://api.fly.io/graphql"_s));
    options.domain = qEnvironmentVariable("SPAWNAI_FLY_DOMAIN", u"fly.dev"_s);
    return options;
}

namespace FlyApi {

QByteArray authorization(const QString &token)
{
    QString bare = token.trimmed();
    for (const QString &scheme : {u"Bearer "_s, u"FlyV1 "_s}) {
        if (bare.startsWith(scheme, Qt::CaseInsensitive))
            bare = bare.mid(scheme.size()).trimmed();
    }
    const QStringList pieces = bare.split(u',', Qt::SkipEmptyParts);
    const bool macaroon = std::any_of(pieces.cbegin(), pieces.cend(), [](const QString &piece) {
        const QString p = piece.trimmed();
        return p.startsWith("fm1r_"_L1) || p.startsWith("fm1a_"_L1) || p.startsWith("fm2_"_L1);
    });
    return ((macaroon ? u"FlyV1 "_s : u"Bearer "_s) + bare).toLatin1();
}

QString appName(const QString &sessionId)
{
    QString hex = sessionId.toLower();
    hex.remove(u'-');
    return kAppPrefix + hex;
}

QString sessionOf(const QString &name)
{
    static const QRegularExpression shape(
        u"^spawnai-([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$"_s);
    const QRegularExpressionMatch m = shape.match(name);
    if (!m.hasMatch())
        return {};
    return QStringList{m.captured(1), m.captured(2), m.captured(3), m.captured(4), m.captured(5)}.join(u'-');
}

QUrl appUrl(const QString &domain, const QString &name)
{
    const bool local = Loopback::isLoopbackHost(domain.section(u':', 0, 0));
    return QUrl((local ? u"http://"_s : u"https://"_s) + name + u'.' + domain + u'/');
}

std::optional<Guest> guestFor(const QString &size)
{
    if (size == "shared-cpu-1x-256mb"_L1)
        return Guest{1, 256};
    if (size == "shared-cpu-1x-1gb"_L1)
        return Guest{1, 1024};
    return std::nullopt;
}

ApiRequest createApp(const FlyOptions &options, const QString &name)
{
    // Docs say app_name, the official client sends name: both, harmlessly (fly.md §3). Its own network keeps
    // generated code away from the user's other apps.
    const QJsonObject body{{u"app_name"_s, name},
                           {u"name"_s, name},
                           {u"org_slug"_s, options.org},
                           {u"network"_s, QString(name + u"-net"_s)}};
    return {.method = "POST", .url = options.api.url(u"/apps"_s), .body = compact(body)};
}

ApiRequest getApp(const FlyOptions &options, const QString &name)
{
    return {.url = options.api.url(u"/apps/"_s + encoded(name)), .idempotent = true};
}

ApiRequest listApps(const FlyOptions &options)
{
    QUrlQuery query;
    query.addQueryItem(u"org_slug"_s, options.org);
    return {.url = options.api.url(u"/apps"_s, query), .idempotent = true};
}

ApiRequest deleteApp(const FlyOptions &options, const QString &name)
{
    QUrlQuery query;
    query.addQueryItem(u"force"_s, u"true"_s); // stops its machines and deletes at once, IPs included
    return {
        .method = "DELETE", .url = options.api.url(u"/apps/"_s + encoded(name), query), .idempotent = true};
}

ApiRequest allocateIp(const FlyOptions &options, const QString &name, const QString &type)
{
    return {.method = "POST",
            .url = options.api.url(u"/apps/%1/ip_assignments"_s.arg(encoded(name))),
            .body = compact({{u"type"_s, type}})};
}

ApiRequest listIps(const FlyOptions &options, const QString &name)
{
    return {.url = options.api.url(u"/apps/%1/ip_assignments"_s.arg(encoded(name))), .idempotent = true};
}

ApiRequest allocateIpGraphql(const FlyOptions &options, const QString &name, const QString &type)
{
    const QString query =
        type == "shared_v4"_L1
            ? u"mutation($input: AllocateIPAddressInput!) { allocateIpAddress(input: $input) { app { sharedIpAddress } } }"_s
            : u"mutation($input: AllocateIPAddressInput!) { allocateIpAddress(input: $input) { ipAddress { id address type region createdAt } } }"_s;
    const QJsonObject input{{u"appId"_s, name}, {u"type"_s, type}, {u"region"_s, QString()}};
    const QJsonObject body{{u"query"_s, query}, {u"variables"_s, QJsonObject{{u"input"_s, input}}}};
    return {.method = "POST", .url = options.graphqlUrl, .body = compact(body)};
}

QJsonObject machineConfig(const DeployRequest &request, qint64 deadlineSeconds)
{
    const AppBundle &bundle = request.bundle;
    const Guest guest = guestFor(request.size).value_or(Guest{});
    QJsonArray files;
    for (auto it = bundle.files.cbegin(); it != bundle.files.cend(); ++it)
        files.append(QJsonObject{{u"guest_path"_s, QString(kFolder + u'/' + it.key())},
                                 {u"raw_value"_s, QString::fromLatin1(it.value().toBase64())},
                                 {u"mode"_s, 0644}});
    const int port = bundle.manifest.port;
    const QJsonArray ports{
        QJsonObject{{u"port"_s, 443}, {u"handlers"_s, QJsonArray{u"tls"_s, u"http"_s}}},
        QJsonObject{{u"port"_s, 80}, {u"handlers"_s, QJsonArray{u"http"_s}}, {u"force_https"_s, true}}};
    const QJsonObject service{{u"protocol"_s, u"tcp"_s},
                              {u"internal_port"_s, port},
                              {u"autostop"_s, false},
                              {u"autostart"_s, false},
                              {u"ports"_s, ports}};
    const QString image =
        bundle.manifest.runtime == Runtime::Node ? u"node:22-alpine"_s : u"python:3.12-alpine"_s;
    return {{u"image"_s, image},
            {u"guest"_s, QJsonObject{{u"cpu_kind"_s, u"shared"_s},
                                     {u"cpus"_s, guest.cpus},
                                     {u"memory_mb"_s, guest.memoryMb}}},
            {u"env"_s, QJsonObject{{u"PORT"_s, QString::number(port)}, {u"HOST"_s, u"0.0.0.0"_s}}},
            {u"files"_s, files},
            {u"init"_s,
             QJsonObject{{u"exec"_s, QJsonArray{u"/bin/sh"_s, u"-c"_s,
                                                AppCommand::shellLine(bundle, kFolder, deadlineSeconds)}}}},
            {u"services"_s, QJsonArray{service}},
            {u"restart"_s, QJsonObject{{u"policy"_s, u"no"_s}}},
            {u"auto_destroy"_s, true},
            {u"metadata"_s, QJsonObject{{u"spawnai_install"_s, request.installId},
                                        {u"spawnai_session"_s, request.sessionId},
                                        {u"spawnai_expires"_s, request.expiresAt.toString(Qt::ISODate)}}}};
}

ApiRequest createMachine(const FlyOptions &options, const QString &name, const QJsonObject &config)
{
    // The name is unique per app: a second create of the same machine is refused, not duplicated.
    const QJsonObject body{{u"name"_s, u"web"_s}, {u"region"_s, options.region}, {u"config"_s, config}};
    return {.method = "POST",
            .url = options.api.url(u"/apps/%1/machines"_s.arg(encoded(name))),
            .body = compact(body)};
}

ApiRequest updateMachine(const FlyOptions &options, const QString &name, const QString &machineId,
                         const QJsonObject &config)
{
    const QJsonObject body{{u"region"_s, options.region}, {u"config"_s, config}};
    return {.method = "POST",
            .url = options.api.url(u"/apps/%1/machines/%2"_s.arg(encoded(name), encoded(machineId))),
            .body = compact(body),
            .idempotent = true}; // the same config twice is the same machine
}

ApiRequest listMachines(const FlyOptions &options, const QString &name)
{
    return {.url = options.api.url(u"/apps/%1/machines"_s.arg(encoded(name))), .idempotent = true};
}

ApiRequest getMachine(const FlyOptions &options, const QString &name, const QString &machineId)
{
    return {.url = options.api.url(u"/apps/%1/machines/%2"_s.arg(encoded(name), encoded(machineId))),
            .idempotent = true};
}

ApiRequest waitStarted(const FlyOptions &options, const QString &name, const QString &machineId,
                       const QString &instanceId, int timeoutSeconds)
{
    QUrlQuery query;
    query.addQueryItem(u"state"_s, u"started"_s);
    if (!instanceId.isEmpty())
        query.addQueryItem(u"instance_id"_s, instanceId);
    query.addQueryItem(u"timeout"_s, QString::number(std::clamp(timeoutSeconds, 1, 60)));
    return {.url =
                options.api.url(u"/apps/%1/machines/%2/wait"_s.arg(encoded(name), encoded(machineId)), query),
            .idempotent = true};
}

} // namespace FlyApi
