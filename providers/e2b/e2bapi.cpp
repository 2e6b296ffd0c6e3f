#include "e2bapi.h"

#include "http/loopback.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QtEndian>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("E2bApi", text);
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject toJson(const QMap<QString, QString> &map)
{
    QJsonObject object;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

QString hostPart(const QString &domain)
{
    return domain.section(u':', 0, 0);
}

} // namespace

E2bOptions E2bOptions::fromEnvironment()
{
    E2bOptions options;
    options.api.service = u"E2B"_s;
    options.api.authHeader = "X-API-Key";
    const QString url = qEnvironmentVariable("SPAWNAI_E2B_URL");
    options.api.baseUrl = QUrl(url.isEmpty() ? u"https://api.e2b.app"_s : url);
    options.domain = qEnvironmentVariable("SPAWNAI_E2B_DOMAIN", u"e2b.app"_s);
    return options;
}

qint64 E2bOptions::maxLifetimeSeconds(E2bPlan plan)
{
    return plan == E2bPlan::Pro ? 24 * 3600 : 3600;
}

namespace E2bApi {

QString templateFor(const QString &size)
{
    if (size == "base"_L1)
        return u"base"_s;
    if (size == "2cpu-2gib"_L1)
        return u"code-interpreter-v1"_s;
    return {};
}

QMap<QString, QString> tags(const QString &installId, const QString &sessionId)
{
    QMap<QString, QString> metadata{{u"app"_s, u"spawnai"_s}, {u"spawnai-install"_s, installId}};
    if (!sessionId.isEmpty())
        metadata.insert(u"spawnai-session"_s, sessionId);
    return metadata;
}

ApiRequest createSandbox(const ApiEndpoint &api, const QString &templateId, qint64 timeoutSeconds,
                         const QMap<QString, QString> &metadata)
{
    // timeout is always sent: E2B's default is 15 s (e2b.md §2.3). secure: envd then wants the access token.
    const QJsonObject body{
        {u"templateID"_s, templateId}, {u"timeout"_s, timeoutSeconds},     {u"secure"_s, true},
        {u"autoPause"_s, false},       {u"allow_internet_access"_s, true}, {u"metadata"_s, toJson(metadata)}};
    return {.method = "POST", .url = api.url(u"/sandboxes"_s), .body = compact(body)};
}

Result<Sandbox> parseSandbox(const ApiReply &reply)
{
    const QJsonObject object = reply.json.object();
    Sandbox sandbox;
    sandbox.id = object.value(u"sandboxID"_s).toString();
    sandbox.envdAccessToken = object.value(u"envdAccessToken"_s).toString();
    sandbox.domain = object.value(u"domain"_s).toString();
    static const QRegularExpression idShape(u"^[a-z0-9]+$"_s);
    if (!idShape.match(sandbox.id).hasMatch())
        return Error{tr("E2B's answer to creating a sandbox has no valid sandboxID.")};
    return sandbox;
}

ApiRequest listSandboxes(const ApiEndpoint &api, const QMap<QString, QString> &metadata,
                         const QString &nextToken)
{
    // One query value "k1=v1&k2=v2", keys and values encoded first, then the whole (e2b.md §2.4).
    QStringList pairs;
    for (auto it = metadata.cbegin(); it != metadata.cend(); ++it)
        pairs << QString::fromLatin1(QUrl::toPercentEncoding(it.key()) + '=' +
                                     QUrl::toPercentEncoding(it.value()));
    QUrlQuery query;
    query.addQueryItem(u"metadata"_s, QString::fromLatin1(QUrl::toPercentEncoding(pairs.join(u'&'))));
    query.addQueryItem(u"state"_s, u"running,paused"_s);
    query.addQueryItem(u"limit"_s, u"100"_s);
    if (!nextToken.isEmpty())
        query.addQueryItem(u"nextToken"_s, QString::fromLatin1(QUrl::toPercentEncoding(nextToken)));
    return {.url = api.url(u"/v2/sandboxes"_s, query), .idempotent = true};
}

Result<QList<RemoteResource>> parseSandboxList(const ApiReply &reply)
{
    if (!reply.json.isArray())
        return Error{tr("E2B's list of sandboxes is not a JSON array.")};
    QList<RemoteResource> resources;
    const QJsonArray array = reply.json.array();
    resources.reserve(array.size());
    for (const QJsonValue &value : array) {
        const QJsonObject object = value.toObject();
        const QJsonObject metadata = object.value(u"metadata"_s).toObject();
        RemoteResource resource;
        resource.resourceId = object.value(u"sandboxID"_s).toString();
        resource.sessionId = metadata.value(u"spawnai-session"_s).toString();
        resource.installId = metadata.value(u"spawnai-install"_s).toString();
        resource.expiresAt = QDateTime::fromString(object.value(u"endAt"_s).toString(), Qt::ISODateWithMs);
        if (!resource.resourceId.isEmpty())
            resources << resource;
    }
    return resources;
}

ApiRequest getSandbox(const ApiEndpoint &api, const QString &sandboxId)
{
    return {.url = api.url(u"/sandboxes/"_s + QString::fromLatin1(QUrl::toPercentEncoding(sandboxId))),
            .idempotent = true};
}

ApiRequest checkKey(const ApiEndpoint &api)
{
    QUrlQuery query;
    query.addQueryItem(u"limit"_s, u"1"_s);
    return {.url = api.url(u"/v2/sandboxes"_s, query), .idempotent = true};
}

ApiRequest killSandbox(const ApiEndpoint &api, const QString &sandboxId)
{
    return {.method = "DELETE",
            .url = api.url(u"/sandboxes/"_s + QString::fromLatin1(QUrl::toPercentEncoding(sandboxId))),
            .idempotent = true};
}

ApiRequest setTimeout(const ApiEndpoint &api, const QString &sandboxId, qint64 timeoutSeconds)
{
    // Sets the expiry to now + timeout each time: repeating it is harmless.
    return {.method = "POST",
            .url = api.url(
                u"/sandboxes/%1/timeout"_s.arg(QString::fromLatin1(QUrl::toPercentEncoding(sandboxId)))),
            .body = compact({{u"timeout"_s, timeoutSeconds}}),
            .idempotent = true};
}

QUrl sandboxUrl(const QString &domain, int port, const QString &sandboxId)
{
    const bool local = Loopback::isLoopbackHost(hostPart(domain));
    return QUrl((local ? u"http://"_s : u"https://"_s) + QString::number(port) + u'-' + sandboxId + u'.' +
                domain + u'/');
}

ApiEndpoint envd(const ApiEndpoint &api, const QString &domain, const Sandbox &sandbox)
{
    ApiEndpoint endpoint = api;
    endpoint.service = u"E2B sandbox"_s;
    endpoint.baseUrl = sandboxUrl(sandbox.domain.isEmpty() ? domain : sandbox.domain, kEnvdPort, sandbox.id);
    endpoint.baseUrl.setPath({});
    endpoint.authHeader = "X-Access-Token";
    endpoint.authValue = sandbox.envdAccessToken.toLatin1();
    return endpoint;
}

ApiRequest uploadFiles(const ApiEndpoint &envd, const AppBundle &bundle, const QString &folder)
{
    const QByteArray boundary =
        "spawnai-" + QByteArray::number(QRandomGenerator::global()->generate64(), 36) + "-boundary";
    QByteArray body;
    for (auto it = bundle.files.cbegin(); it != bundle.files.cend(); ++it) {
        // The part's filename is the destination path, slashes kept (e2b.md §3.4 B).
        QByteArray name = (folder + u'/' + it.key()).toUtf8();
        name.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A");
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
                "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + it.value() + "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    QUrlQuery query;
    query.addQueryItem(u"username"_s, kUser);
    // Uploading the same files again overwrites them: safe to repeat.
    return {.method = "POST",
            .url = envd.url(u"/files"_s, query),
            .body = body,
            .contentType = "multipart/form-data; boundary=" + boundary,
            .idempotent = true};
}

ApiRequest startProcess(const ApiEndpoint &envd, const QString &shellLine, const QString &cwd,
                        const QMap<QString, QString> &envs)
{
    const QJsonObject process{{u"cmd"_s, u"/bin/bash"_s},
                              {u"args"_s, QJsonArray{u"-l"_s, u"-c"_s, shellLine}},
                              {u"envs"_s, toJson(envs)},
                              {u"cwd"_s, cwd}};
    const QJsonObject start{{u"process"_s, process}, {u"tag"_s, kProcessTag}, {u"stdin"_s, false}};
    // No Connect-Timeout-Ms: it is the process's deadline, and a server must outlive the call (§3.6).
    const QByteArray basic = "Basic " + QByteArray(kUser.toLatin1() + ':').toBase64();
    return {.method = "POST",
            .url = envd.url(u"/process.Process/Start"_s),
            .body = envelope(compact(start)),
            .contentType = "application/connect+json",
            .headers = {{"Connect-Protocol-Version", "1"},
                        {"Keepalive-Ping-Interval", "50"},
                        {"Authorization", basic}},
            .streamed = true};
}

ApiRequest killApp(const ApiEndpoint &envd)
{
    const QJsonObject body{{u"process"_s, QJsonObject{{u"tag"_s, kProcessTag}}},
                           {u"signal"_s, u"SIGNAL_SIGKILL"_s}};
    return {.method = "POST",
            .url = envd.url(u"/process.Process/SendSignal"_s),
            .body = compact(body),
            .headers = {{"Connect-Protocol-Version", "1"}},
            .idempotent = true};
}

QByteArray envelope(const QByteArray &payload, quint8 flags)
{
    QByteArray frame(5, Qt::Uninitialized);
    frame[0] = char(flags);
    qToBigEndian<quint32>(quint32(payload.size()), frame.data() + 1);
    return frame + payload;
}

QList<Frame> takeFrames(QByteArray &buffer)
{
    QList<Frame> frames;
    qsizetype at = 0;
    while (buffer.size() - at >= 5) {
        const quint32 length = qFromBigEndian<quint32>(buffer.constData() + at + 1);
        if (buffer.size() - at - 5 < qsizetype(length))
            break;
        frames.append({quint8(buffer.at(at)), buffer.mid(at + 5, length)});
        at += 5 + length;
    }
    buffer.remove(0, at);
    return frames;
}

} // namespace E2bApi
