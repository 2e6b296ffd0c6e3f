#include "fakefly.h"

#include <QJsonDocument>
#include <QMimeDatabase>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <tuple>

using namespace Qt::StringLiterals;

namespace {

// Region codes Fly runs Machines in (fly.io/docs/reference/regions).
const QSet<QString> kRegions{u"ams"_s, u"arn"_s, u"atl"_s, u"bog"_s, u"bom"_s, u"bos"_s, u"cdg"_s,
                             u"den"_s, u"dfw"_s, u"ewr"_s, u"eze"_s, u"fra"_s, u"gdl"_s, u"gig"_s,
                             u"gru"_s, u"hkg"_s, u"iad"_s, u"jnb"_s, u"lax"_s, u"lhr"_s, u"mad"_s,
                             u"mia"_s, u"nrt"_s, u"ord"_s, u"otp"_s, u"phx"_s, u"qro"_s, u"scl"_s,
                             u"sea"_s, u"sin"_s, u"sjc"_s, u"syd"_s, u"waw"_s, u"yul"_s, u"yyz"_s};
const QSet<QString> kIpTypes{u"v4"_s, u"v6"_s, u"shared_v4"_s, u"private_v6"_s};
const QSet<QString> kHandlers{u"tls"_s, u"http"_s, u"proxy_proto"_s, u"pg_tls"_s, u"edge_http"_s};
// Real Machine endpoints this fake does not emulate: 501 rather than pretending they do not exist.
const QSet<QString> kUnemulated{u"suspend"_s, u"signal"_s, u"exec"_s,     u"lease"_s, u"metadata"_s,
                                u"restart"_s, u"cordon"_s, u"uncordon"_s, u"ps"_s,    u"versions"_s};

QString iso(const QDateTime &time)
{
    return time.isValid() ? time.toString(Qt::ISODate) : QString();
}

FakeHttpResponse apiError(int status, const QString &message, const QString &code = {})
{
    QJsonObject body{{u"error"_s, message}};
    if (!code.isEmpty())
        body.insert(u"status"_s, code);
    return FakeHttpResponse::json(status, body);
}

FakeHttpResponse ok()
{
    return FakeHttpResponse::json(200, QJsonObject{{u"ok"_s, true}});
}

FakeHttpResponse text(int status, const QByteArray &body,
                      const QByteArray &type = "text/plain; charset=utf-8")
{
    FakeHttpResponse response;
    response.status = status;
    response.body = body;
    response.contentType = type;
    return response;
}

// What the Machines API (a Go service) answers for a route it does not have.
FakeHttpResponse pageNotFound()
{
    return text(404, "404 page not found\n");
}

QString randomString(QStringView alphabet, int length)
{
    QString result;
    for (int i = 0; i < length; ++i)
        result += alphabet.at(QRandomGenerator::global()->bounded(int(alphabet.size())));
    return result;
}

QString hex(int length)
{
    return randomString(u"0123456789abcdef", length);
}

// 48 bits of milliseconds, then 80 random bits, in Crockford base32: instance, event and request IDs.
QString ulid()
{
    static constexpr QStringView crockford = u"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    const quint64 ms = quint64(QDateTime::currentMSecsSinceEpoch());
    QString id;
    for (int i = 9; i >= 0; --i)
        id += crockford.at((ms >> (5 * i)) & 31);
    return id + randomString(crockford, 16);
}

// `<app>.localhost` (the stand-in for <app>.fly.dev) → the app's name; any other host → empty.
QString publicAppName(const QString &host)
{
    static const QString suffix = u".localhost"_s;
    return host.endsWith(suffix) && host.size() > suffix.size() ? host.chopped(suffix.size()) : QString();
}

// The comma-separated pieces of a token, without a leading scheme (like fly-go's tokens.Parse).
QStringList tokenPieces(QString token)
{
    for (const QString &scheme : {u"Bearer "_s, u"FlyV1 "_s})
        if (token.startsWith(scheme, Qt::CaseInsensitive))
            token = token.mid(scheme.size());
    QStringList pieces;
    for (const QString &piece : token.split(u','))
        if (!piece.trimmed().isEmpty())
            pieces << piece.trimmed();
    return pieces;
}

bool isMacaroon(const QString &piece)
{
    return piece.startsWith(u"fm1r_"_s) || piece.startsWith(u"fm1a_"_s) || piece.startsWith(u"fm2_"_s);
}

// The main process's working directory (`cd <dir>`, default /app) and the duration of its `timeout`
// (coreutils/busybox: options like -s SIG, then DURATION[smhd]) or -1, from init.exec (the script of
// ["/bin/sh", "-c", script]), else entrypoint + cmd.
std::pair<QString, int> parseProcess(const QJsonObject &init)
{
    QStringList argv;
    for (const QString &key : init.value(u"exec"_s).toArray().isEmpty()
                                  ? QStringList{u"entrypoint"_s, u"cmd"_s}
                                  : QStringList{u"exec"_s})
        for (const QJsonValue &arg : init.value(key).toArray())
            argv << arg.toString();
    const bool shell = argv.size() >= 3 && argv.at(0).endsWith(u"sh"_s) && argv.at(1) == u"-c"_s;
    const QString command = shell ? argv.at(2) : argv.join(u' ');

    static const QRegularExpression cd(uR"re((?:^|[\s;&|(])cd\s+["']?([^\s;&|)"']+))re"_s);
    const QString dir = cd.match(command).captured(1);
    QString workDir = dir.isEmpty() ? u"/app"_s : dir.startsWith(u'/') ? dir : u'/' + dir;
    while (workDir.size() > 1 && workDir.endsWith(u'/'))
        workDir.chop(1);
    static const QRegularExpression timeout(uR"((?:^|[\s;&|(])timeout\s+)" // options, then the duration
                                            uR"((?:(?:-s|-k|--signal|--kill-after)\s+\S+\s+|-\S+\s+)*)"
                                            uR"((\d+(?:\.\d+)?)([smhd]?)(?=[\s;&|)]|$))"_s);
    const QRegularExpressionMatch match = timeout.match(command);
    if (!match.hasMatch())
        return {workDir, -1};
    static const QHash<QString, int> unit{
        {{}, 1}, {u"s"_s, 1}, {u"m"_s, 60}, {u"h"_s, 3600}, {u"d"_s, 86400}};
    return {workDir, int(std::ceil(match.captured(1).toDouble() * unit.value(match.captured(2))))};
}

// Why Fly would refuse this Machine config (fly.md §5.2, §5.3), or empty.
QString configProblem(const QJsonObject &config)
{
    if (config.value(u"image"_s).toString().isEmpty())
        return u"invalid config: image is required"_s;
    const QJsonObject guest = config.value(u"guest"_s).toObject();
    const QString kind = guest.value(u"cpu_kind"_s).toString(u"shared"_s);
    const bool shared = kind == u"shared"_s;
    const int cpus = guest.value(u"cpus"_s).toInt(1);
    const int memory = guest.value(u"memory_mb"_s).toInt((shared ? 256 : 2048) * cpus);
    if (!shared && kind != u"performance"_s)
        return u"invalid guest.cpu_kind \"%1\": must be shared or performance"_s.arg(kind);
    if (!QList<int>{1, 2, 4, 8}.contains(cpus) && !(cpus == 16 && !shared))
        return u"invalid guest.cpus %1 for %2 CPUs"_s.arg(cpus).arg(kind);
    if (memory <= 0 || memory % 256 != 0)
        return u"invalid guest.memory_mb %1: memory must be a multiple of 256 MB"_s.arg(memory);
    const int min = (shared ? 256 : 2048) * cpus, max = (shared ? 2048 : 8192) * cpus;
    if (memory < min || memory > max)
        return u"invalid guest.memory_mb %1: %2 %3 CPU(s) take %4 to %5 MB"_s.arg(memory)
            .arg(cpus)
            .arg(kind)
            .arg(min)
            .arg(max);
    const QJsonValue exec = config.value(u"init"_s).toObject().value(u"exec"_s);
    const QJsonArray argv = exec.toArray();
    if (!exec.isUndefined() && !exec.isNull() &&
        (!exec.isArray() ||
         std::any_of(argv.begin(), argv.end(), [](const QJsonValue &v) { return !v.isString(); })))
        return u"invalid init.exec: must be an array of strings"_s;
    const QJsonArray files = config.value(u"files"_s).toArray();
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QJsonObject file = files.at(i).toObject();
        const QString path = file.value(u"guest_path"_s).toString();
        const QString secret = file.value(u"secret_name"_s).toString();
        if (!path.startsWith(u'/'))
            return u"invalid files[%1].guest_path \"%2\": must be an absolute path"_s.arg(i).arg(path);
        if (file.value(u"raw_value"_s).isString()) {
            if (!QByteArray::fromBase64Encoding(file.value(u"raw_value"_s).toString().toLatin1(),
                                                QByteArray::AbortOnBase64DecodingErrors))
                return u"invalid files[%1].raw_value: illegal base64 data"_s.arg(i);
        } else if (!secret.isEmpty()) { // the fake has no app secrets
            return u"invalid files[%1].secret_name: secret \"%2\" not found"_s.arg(i).arg(secret);
        } else {
            return u"invalid files[%1]: one of raw_value or secret_name is required"_s.arg(i);
        }
    }
    const QJsonArray services = config.value(u"services"_s).toArray();
    for (qsizetype i = 0; i < services.size(); ++i) {
        const QJsonObject service = services.at(i).toObject();
        const QString protocol = service.value(u"protocol"_s).toString();
        if (protocol != u"tcp"_s && protocol != u"udp"_s)
            return u"invalid services[%1].protocol \"%2\": must be tcp or udp"_s.arg(i).arg(protocol);
        if (const int port = service.value(u"internal_port"_s).toInt(); port < 1 || port > 65535)
            return u"invalid services[%1].internal_port: must be between 1 and 65535"_s.arg(i);
        for (const QJsonValue &value : service.value(u"ports"_s).toArray()) {
            const QJsonObject port = value.toObject();
            if (const int number = port.value(u"port"_s).toInt(port.value(u"start_port"_s).toInt());
                number < 1 || number > 65535)
                return u"invalid services[%1].ports: port must be between 1 and 65535"_s.arg(i);
            for (const QJsonValue &handler : port.value(u"handlers"_s).toArray())
                if (!kHandlers.contains(handler.toString()))
                    return u"invalid services[%1].ports: unknown handler \"%2\""_s.arg(i).arg(
                        handler.toString());
        }
    }
    const QString policy = config.value(u"restart"_s).toObject().value(u"policy"_s).toString();
    if (!policy.isEmpty() && policy != u"no"_s && policy != u"always"_s && policy != u"on-failure"_s)
        return u"invalid restart.policy \"%1\": must be no, always or on-failure"_s.arg(policy);
    const QJsonObject metadata = config.value(u"metadata"_s).toObject();
    for (auto it = metadata.begin(); it != metadata.end(); ++it)
        if (!it.value().isString())
            return u"invalid metadata.%1: values must be strings"_s.arg(it.key());
    return {};
}

// The config as Fly echoes it (guest defaults filled in), and what the fake runs from it.
void applyConfig(FakeFlyServer::Machine &machine, QJsonObject config)
{
    QJsonObject guest = config.value(u"guest"_s).toObject();
    const QString kind = guest.value(u"cpu_kind"_s).toString(u"shared"_s);
    const int cpus = guest.value(u"cpus"_s).toInt(1);
    guest.insert(u"cpu_kind"_s, kind);
    guest.insert(u"cpus"_s, cpus);
    guest.insert(u"memory_mb"_s,
                 guest.value(u"memory_mb"_s).toInt((kind == u"shared"_s ? 256 : 2048) * cpus));
    config.insert(u"guest"_s, guest);
    machine.config = config;
    machine.metadata.clear();
    const QJsonObject metadata = config.value(u"metadata"_s).toObject();
    for (auto it = metadata.begin(); it != metadata.end(); ++it)
        machine.metadata.insert(it.key(), it.value().toString());
    machine.files.clear();
    for (const QJsonValue &value : config.value(u"files"_s).toArray())
        machine.files.insert(value[u"guest_path"_s].toString(),
                             QByteArray::fromBase64(value[u"raw_value"_s].toString().toLatin1()));
    std::tie(machine.workDir, machine.deadlineSeconds) = parseProcess(config.value(u"init"_s).toObject());
}

QJsonObject machineJson(const FakeFlyServer::Machine &machine)
{
    return {{u"id"_s, machine.id},
            {u"name"_s, machine.name},
            {u"state"_s, machine.state},
            {u"region"_s, machine.region},
            {u"instance_id"_s, machine.instanceId},
            {u"private_ip"_s, machine.privateIp},
            {u"config"_s, machine.config},
            {u"events"_s, machine.events},
            {u"created_at"_s, iso(machine.createdAt)},
            {u"updated_at"_s, iso(machine.updatedAt)},
            {u"host_status"_s, u"ok"_s},
            {u"cordoned"_s, false}};
}

QJsonObject ipJson(const FakeFlyServer::IpAssignment &ip)
{
    return {{u"ip"_s, ip.address},
            {u"region"_s, ip.region},
            {u"service_name"_s, ip.serviceName},
            {u"shared"_s, ip.shared},
            {u"created_at"_s, iso(ip.createdAt)}};
}

void addEvent(FakeFlyServer::Machine &machine, const QString &type, const QString &status,
              const QString &source, const QJsonObject &request = {})
{
    QJsonObject event{{u"id"_s, ulid()},
                      {u"type"_s, type},
                      {u"status"_s, status},
                      {u"source"_s, source},
                      {u"timestamp"_s, QDateTime::currentMSecsSinceEpoch()}};
    if (!request.isEmpty())
        event.insert(u"request"_s, request);
    machine.events.prepend(event); // newest first, as Fly lists them
}

bool reached(const FakeFlyServer::Machine &machine, const QString &state, const QString &instanceId)
{
    return machine.state == state &&
           (instanceId.isEmpty() || instanceId == machine.instanceId || state == u"destroyed"_s);
}

// GraphQL errors, with "data": null when the operation ran and failed (GraphQL-Ruby's shape).
FakeHttpResponse graphqlErrors(const QJsonArray &errors, bool ran = false)
{
    QJsonObject body{{u"errors"_s, errors}};
    if (ran)
        body.insert(u"data"_s, QJsonValue());
    return FakeHttpResponse::json(200, body); // GraphQL answers errors with 200
}

QJsonObject graphqlError(const QString &message, const QString &code = {})
{
    QJsonObject error{{u"message"_s, message}};
    if (!code.isEmpty())
        error.insert(u"extensions"_s, QJsonObject{{u"code"_s, code}});
    return error;
}

// Walks the selection set at tokens[i] ("{ a b { c } }") over `values`, an object of GraphQL type `type`
// whose object fields are objects (or null) and scalars anything else. What a GraphQL server would refuse
// goes to `errors`; nullopt: syntax beyond this fake (aliases, arguments, fragments) or none at all.
std::optional<QJsonObject> select(const QStringList &tokens, qsizetype &i, const QString &type,
                                  const QJsonObject &values, QJsonArray &errors)
{
    static const QHash<QString, QString> objectTypes{{u"app"_s, u"App"_s}, {u"ipAddress"_s, u"IPAddress"_s}};
    static const QRegularExpression name(u"^[_A-Za-z][_0-9A-Za-z]*$"_s);
    if (tokens.value(i) != u"{"_s)
        return std::nullopt;
    QJsonObject out;
    for (++i; i < tokens.size() && tokens.at(i) != u"}"_s;) {
        const QString field = tokens.at(i++);
        if (!name.match(field).hasMatch())
            return std::nullopt;
        const QString child = objectTypes.value(field);
        const QJsonValue value = field == u"__typename"_s ? QJsonValue(type) : values.value(field);
        if (value.isUndefined())
            errors.append(graphqlError(u"Field '%1' doesn't exist on type '%2'"_s.arg(field, type)));
        if (tokens.value(i) == u"{"_s) {
            const std::optional<QJsonObject> inner = select(tokens, i, child, value.toObject(), errors);
            if (!inner)
                return std::nullopt;
            if (!value.isUndefined() && child.isEmpty())
                errors.append(graphqlError(u"Selections can't be made on scalars (field '%1')"_s.arg(field)));
            out.insert(field, value.isObject() ? QJsonValue(*inner) : QJsonValue());
        } else {
            if (!child.isEmpty())
                errors.append(
                    graphqlError(u"Field must have selections (field '%1' returns %2)"_s.arg(field, child)));
            out.insert(field, value.isUndefined() ? QJsonValue() : value);
        }
    }
    if (i++ >= tokens.size())
        return std::nullopt;
    return out;
}

} // namespace

FakeFlyServer::FakeFlyServer(QObject *parent)
    : FakeHttpServer(parent)
{
    m_clock.start();
    // Fly would not route this public host (no such app, no public IP): fail the connection like a name that
    // does not resolve. A one-shot Drop fault is the base's only way to close without an answer, and
    // requestReceived comes before the faults are looked up.
    connect(this, &FakeHttpServer::requestReceived, this, [this](const FakeHttpRequest &request) {
        const QString name = publicAppName(request.host);
        if (name.isEmpty() || routable(name))
            return;
        FakeFault drop;
        drop.kind = FakeFault::Kind::Drop;
        drop.method = request.method;
        drop.host = request.host;
        drop.path =
            QRegularExpression(u'^' + QRegularExpression::escape(QString::fromUtf8(request.path)) + u'$');
        addFault(drop);
    });
}

bool FakeFlyServer::killMachine(const QString &app, int exitCode)
{
    App *found = findApp(app);
    if (!found)
        return false;
    bool killed = false;
    for (Machine &machine : found->machines) {
        if (machine.state == u"started"_s) {
            processExited(machine, exitCode);
            killed = true;
        }
    }
    return killed;
}

std::optional<FakeFlyServer::App> FakeFlyServer::app(const QString &name) const
{
    const App *found = findApp(name);
    return found ? std::optional<App>(*found) : std::nullopt;
}

std::optional<FakeFlyServer::Machine> FakeFlyServer::machine(const QString &app, const QString &id) const
{
    const Machine *found = const_cast<FakeFlyServer *>(this)->findMachine(app, id);
    return found ? std::optional<Machine>(*found) : std::nullopt;
}

std::optional<FakeHttpResponse> FakeFlyServer::handle(const FakeHttpRequest &request, quint64 exchange)
{
    const QByteArray requestId = ulid().toLatin1() + "-iad";
    const QString name = publicAppName(request.host);
    std::optional<FakeHttpResponse> response =
        name.isEmpty() ? api(request, exchange, requestId) : servePublic(request, name);
    if (response)
        response->headers.emplace_back("fly-request-id", requestId);
    return response; // nullopt: a wait, answered later with the same request ID
}

std::optional<FakeHttpResponse> FakeFlyServer::api(const FakeHttpRequest &request, quint64 exchange,
                                                   const QByteArray &requestId)
{
    const QStringList path = QString::fromUtf8(request.path).split(u'/', Qt::SkipEmptyParts);
    const QByteArray &method = request.method;
    if (path == QStringList{u"graphql"_s} && method == "POST")
        return graphql(request);
    if (path.size() < 2 || path.at(0) != u"v1"_s || path.at(1) != u"apps"_s)
        return pageNotFound();
    if (const std::optional<QString> problem = authProblem(request))
        return apiError(401, *problem);
    // Per action per Machine (or app): 1 req/s in bursts of 3; Get Machine 5 req/s in bursts of 10 (§2).
    if (overRate(QString::fromLatin1(method) + u' ' + path.join(u'/'),
                 path.size() == 5 && method == "GET" ? 10 : 3)) {
        FakeHttpResponse limited = apiError(429, u"rate limit exceeded"_s);
        limited.headers.emplace_back("retry-after", "1");
        return limited;
    }
    if (path.size() == 2)
        return method == "GET" ? listApps(request) : method == "POST" ? createApp(request) : pageNotFound();
    const QString &name = path.at(2);
    if (m_foreignNames.contains(name))
        return apiError(403, u"app %1 belongs to an organization this token cannot access"_s.arg(name));
    App *app = findApp(name);
    if (path.size() == 3 && method == "DELETE")
        return deleteApp(name);
    if (!app)
        return apiError(404, u"app not found"_s);
    if (path.size() == 3)
        return method == "GET" ? FakeHttpResponse::json(200, appJson(*app)) : pageNotFound();
    if (path.at(3) == u"ip_assignments"_s && m_ipRest && path.size() <= 5)
        return ipAssignments(request, *app, path.value(4));
    if (path.at(3) != u"machines"_s || path.size() > 6)
        return pageNotFound();
    if (path.size() == 4)
        return method == "GET"    ? listMachines(request, *app)
               : method == "POST" ? createMachine(request, *app)
                                  : pageNotFound();
    Machine *machine = findMachine(name, path.at(4));
    if (!machine)
        return apiError(404, u"machine not found"_s);
    return machineAction(request, exchange, requestId, *machine, path.value(5));
}

std::optional<QString> FakeFlyServer::authProblem(const FakeHttpRequest &request) const
{
    const QString header = QString::fromLatin1(request.header("authorization")).trimmed();
    const QString scheme = header.section(u' ', 0, 0).toLower();
    const QStringList pieces = tokenPieces(header.section(u' ', 1));
    if (pieces.isEmpty() || (scheme != u"bearer"_s && scheme != u"flyv1"_s))
        return u"unauthorized: missing or malformed Authorization header"_s;
    // FlyV1 carries macaroons only (fm1r_, fm1a_, fm2_); Bearer takes either kind of token.
    if (scheme == u"flyv1"_s && !std::all_of(pieces.begin(), pieces.end(), isMacaroon))
        return u"unauthorized: the FlyV1 scheme takes macaroon tokens"_s;
    if (!m_token.isEmpty() && pieces != tokenPieces(m_token))
        return u"unauthorized"_s;
    return std::nullopt;
}

bool FakeFlyServer::overRate(const QString &key, int perSecond)
{
    if (!m_rateLimited)
        return false;
    const qint64 now = m_clock.elapsed();
    QList<qint64> &calls = m_calls[key];
    calls.removeIf([now](qint64 at) { return now - at >= 1000; });
    if (calls.size() >= perSecond)
        return true;
    calls.append(now);
    return false;
}

FakeHttpResponse FakeFlyServer::createApp(const FakeHttpRequest &request)
{
    const QJsonObject body = request.json().object();
    // Docs and spec say app_name, the current official client sends name (fly.md §3).
    const QString name = body.value(u"app_name"_s).toString(body.value(u"name"_s).toString());
    const QString org = body.value(u"org_slug"_s).toString();
    static const QRegularExpression valid(u"^[a-z0-9-]{1,63}$"_s);
    if (name.isEmpty())
        return apiError(400, u"app_name is required"_s);
    if (!valid.match(name).hasMatch())
        return apiError(400,
                        u"invalid app name \"%1\": only lowercase letters, numbers and dashes"_s.arg(name));
    if (org.isEmpty())
        return apiError(400, u"org_slug is required"_s);
    if (org != m_org)
        return apiError(404, u"organization %1 not found"_s.arg(org));
    if (findApp(name) || m_foreignNames.contains(name))
        return apiError(422, u"Name has already been taken"_s, u"name_taken"_s);
    if (m_maxApps >= 0 && m_apps.size() >= m_maxApps)
        return apiError(403,
                        u"organization %1 has reached its app limit (%2 apps)"_s.arg(org).arg(m_maxApps));
    App app;
    app.id = randomString(u"0123456789abcdefghijklmnopqrstuvwxyz", 16);
    app.name = name;
    app.org = org;
    app.network = body.value(u"network"_s).toString(u"default"_s);
    app.numericId = 1000000 + ++m_appsCreated;
    app.createdAt = QDateTime::currentDateTimeUtc();
    m_apps.append(app);
    if (request.query.queryItemValue(u"wait"_s) == u"true"_s) // what the official client gets
        return FakeHttpResponse::json(201, appJson(app));
    return FakeHttpResponse::json(
        201, QJsonObject{{u"id"_s, app.id}, {u"created_at"_s, app.createdAt.toMSecsSinceEpoch()}});
}

FakeHttpResponse FakeFlyServer::listApps(const FakeHttpRequest &request) const
{
    const QString org = request.query.queryItemValue(u"org_slug"_s);
    if (org.isEmpty())
        return apiError(400, u"org_slug is required"_s);
    if (org != m_org)
        return apiError(404, u"organization %1 not found"_s.arg(org));
    QJsonArray apps;
    for (const App &app : m_apps)
        apps.append(QJsonObject{{u"id"_s, app.id},
                                {u"name"_s, app.name},
                                {u"machine_count"_s, appJson(app).value(u"machine_count"_s)},
                                {u"volume_count"_s, 0},
                                {u"network"_s, app.network}});
    return FakeHttpResponse::json(200, QJsonObject{{u"total_apps"_s, apps.size()}, {u"apps"_s, apps}});
}

FakeHttpResponse FakeFlyServer::deleteApp(const QString &name)
{
    App *app = findApp(name);
    if (!app)
        return apiError(404, u"app not found"_s);
    // force=true or not, the app goes at once with its Machines and IPs (fly.md §3).
    for (Machine &machine : app->machines) {
        if (machine.state != u"destroyed"_s) {
            ++machine.run;
            machine.listening = false;
            setState(machine, u"destroyed"_s, u"destroy"_s, u"user"_s);
        }
    }
    m_apps.removeIf([&name](const App &a) { return a.name == name; });
    return FakeHttpResponse::empty(202);
}

FakeHttpResponse FakeFlyServer::ipAssignments(const FakeHttpRequest &request, App &app, const QString &ip)
{
    if (ip.isEmpty() && request.method == "GET") {
        QJsonArray ips;
        for (const IpAssignment &assignment : std::as_const(app.ips))
            ips.append(ipJson(assignment));
        return FakeHttpResponse::json(200, QJsonObject{{u"ips"_s, ips}});
    }
    if (ip.isEmpty() && request.method == "POST") {
        const QJsonObject body = request.json().object();
        const QString type = body.value(u"type"_s).toString();
        const QString region = body.value(u"region"_s).toString();
        if (!kIpTypes.contains(type))
            return apiError(
                400, u"invalid ip address type \"%1\": must be v4, v6, shared_v4 or private_v6"_s.arg(type));
        if (!region.isEmpty() && region != u"global"_s && !kRegions.contains(region))
            return apiError(400, u"invalid region \"%1\""_s.arg(region));
        return FakeHttpResponse::json(
            200, ipJson(allocateIp(app, type, region, body[u"service_name"_s].toString())));
    }
    if (!ip.isEmpty() && request.method == "DELETE") {
        if (app.ips.removeIf([&ip](const IpAssignment &a) { return a.address == ip; }) == 0)
            return apiError(404, u"ip address not found"_s);
        return FakeHttpResponse::empty(204);
    }
    return pageNotFound();
}

FakeFlyServer::IpAssignment &FakeFlyServer::allocateIp(App &app, const QString &type, const QString &region,
                                                       const QString &serviceName)
{
    for (IpAssignment &ip : app.ips)
        if (type == u"shared_v4"_s && ip.type == type) // one per app (and shared with other apps)
            return ip;
    IpAssignment ip;
    ip.id = u"ip_"_s + randomString(u"0123456789abcdefghijklmnopqrstuvwxyz", 16);
    ip.type = type;
    ip.region = region.isEmpty() ? u"global"_s : region;
    ip.serviceName = serviceName;
    ip.shared = type == u"shared_v4"_s;
    ip.createdAt = QDateTime::currentDateTimeUtc();
    auto *random = QRandomGenerator::global();
    if (type == u"shared_v4"_s)
        ip.address = u"66.241.124.%1"_s.arg(1 + m_sharedV4Counter++ % 254);
    else if (type == u"v4"_s)
        ip.address = u"137.66.%1.%2"_s.arg(random->bounded(256)).arg(random->bounded(1, 255));
    else if (type == u"v6"_s)
        ip.address = u"2a09:8280:1::%1:%2"_s.arg(hex(2), hex(4));
    else
        ip.address = u"fdaa:0:%1:0:1::%2"_s.arg(hex(4)).arg(app.ips.size() + 2);
    app.ips.append(ip);
    return app.ips.last();
}

// POST /graphql: the allocateIpAddress mutation as the official client sends it (fly.md §4.2), with any
// selection of the payload's fields.
FakeHttpResponse FakeFlyServer::graphql(const FakeHttpRequest &request)
{
    if (authProblem(request))
        return graphqlErrors({graphqlError(u"You must be authenticated to view this."_s, u"UNAUTHORIZED"_s)},
                             true);
    const QJsonObject body = request.json().object();
    const QString query = body.value(u"query"_s).toString();
    static const QRegularExpression call(
        uR"(^\s*mutation\b[^{]*\{\s*allocateIpAddress\s*\(\s*input\s*:\s*\$(\w+)\s*\))"_s);
    const QRegularExpressionMatch match = call.match(query);
    if (!match.hasMatch())
        return graphqlErrors({graphqlError(u"fake_fly answers only allocateIpAddress(input: $variable)"_s)});
    static const QRegularExpression token(uR"([_A-Za-z][_0-9A-Za-z]*|[^\s,])"_s);
    QStringList tokens;
    for (auto it = token.globalMatch(query, match.capturedEnd()); it.hasNext();)
        tokens << it.next().captured();
    // AllocateIPAddressPayload { app: App { id name sharedIpAddress } ipAddress: IPAddress { … }
    // clientMutationId }
    const auto payload = [](const QJsonValue &app, const QJsonValue &ip, const QJsonValue &mutationId) {
        return QJsonObject{{u"app"_s, app}, {u"ipAddress"_s, ip}, {u"clientMutationId"_s, mutationId}};
    };
    const QJsonObject ipFields{{u"id"_s, 0},     {u"address"_s, 0},   {u"type"_s, 0},
                               {u"region"_s, 0}, {u"createdAt"_s, 0}, {u"serviceName"_s, 0}};
    const QString type = u"AllocateIPAddressPayload"_s;
    QJsonArray errors;
    qsizetype at = 0;
    if (!select(tokens, at, type,
                payload(QJsonObject{{u"id"_s, 0}, {u"name"_s, 0}, {u"sharedIpAddress"_s, 0}}, ipFields, 0),
                errors) ||
        tokens.value(at) != u"}"_s)
        return graphqlErrors({graphqlError(u"syntax error in the allocateIpAddress selection"_s)});
    if (!errors.isEmpty()) // validation comes before execution: nothing allocated
        return graphqlErrors(errors);

    const QJsonObject input = body.value(u"variables"_s).toObject().value(match.captured(1)).toObject();
    const QString ipType = input.value(u"type"_s).toString();
    const QString region = input.value(u"region"_s).toString();
    if (input.value(u"appId"_s).toString().isEmpty() || !kIpTypes.contains(ipType))
        return graphqlErrors(
            {graphqlError(u"Variable $%1 of type AllocateIPAddressInput! was provided invalid value"_s.arg(
                match.captured(1)))});
    App *app = findApp(input.value(u"appId"_s).toString());
    if (!app)
        return graphqlErrors({graphqlError(u"Could not find App"_s, u"NOT_FOUND"_s)}, true);
    if (!region.isEmpty() && region != u"global"_s && !kRegions.contains(region))
        return graphqlErrors({graphqlError(u"Invalid region %1"_s.arg(region), u"BAD_REQUEST"_s)}, true);
    const IpAssignment &ip = allocateIp(*app, ipType, region, input.value(u"serviceName"_s).toString());
    QJsonValue shared;
    for (const IpAssignment &assignment : std::as_const(app->ips))
        if (assignment.type == u"shared_v4"_s)
            shared = assignment.address;
    // A shared IPv4 is no IPAddress of its own: the official client reads app.sharedIpAddress.
    const QJsonValue address =
        ipType == u"shared_v4"_s ? QJsonValue() : QJsonObject{{u"id"_s, ip.id},
                                                              {u"address"_s, ip.address},
                                                              {u"type"_s, ip.type},
                                                              {u"region"_s, ip.region},
                                                              {u"createdAt"_s, iso(ip.createdAt)},
                                                              {u"serviceName"_s, ip.serviceName}};
    at = 0;
    const QJsonObject data =
        select(
            tokens, at, type,
            payload(QJsonObject{{u"id"_s, app->name}, {u"name"_s, app->name}, {u"sharedIpAddress"_s, shared}},
                    address, input.value(u"clientMutationId"_s)),
            errors)
            .value_or(QJsonObject());
    return FakeHttpResponse::json(200, QJsonObject{{u"data"_s, QJsonObject{{u"allocateIpAddress"_s, data}}}});
}

FakeHttpResponse FakeFlyServer::createMachine(const FakeHttpRequest &request, App &app)
{
    const QJsonDocument document = request.json();
    const QJsonObject body = document.object();
    const QJsonObject config = body.value(u"config"_s).toObject();
    if (!document.isObject())
        return apiError(400, u"invalid request body: expected a JSON object"_s);
    if (!body.value(u"config"_s).isObject())
        return apiError(400, u"invalid request: config is required"_s);
    if (const QString problem = configProblem(config); !problem.isEmpty())
        return apiError(400, problem);
    const QString region = body.value(u"region"_s).toString(u"iad"_s); // omitted: "near the caller"
    if (!kRegions.contains(region))
        return apiError(400, u"invalid region \"%1\": not a Fly.io region"_s.arg(region));
    if (m_noCapacity)
        return apiError(
            412,
            u"insufficient resources available to fulfill request: could not reserve resource for "
            "machine: insufficient memory available to fulfill request"_s,
            u"insufficient_capacity"_s);
    static const QStringList names{u"bitter-glade"_s, u"still-cherry"_s, u"young-sun"_s, u"quiet-river"_s};
    Machine machine;
    machine.app = app.name;
    machine.id = hex(14);
    machine.name = body.value(u"name"_s).toString( // generated ones look like Fly's "bitter-glade-5348"
        u"%1-%2"_s.arg(names.at(QRandomGenerator::global()->bounded(int(names.size())))).arg(hex(4)));
    machine.state = u"created"_s;
    machine.region = region;
    machine.instanceId = ulid();
    machine.privateIp = u"fdaa:0:%1:a7b:%2:%3:%4:2"_s.arg(hex(4), hex(3), hex(4), hex(4));
    machine.createdAt = machine.updatedAt = QDateTime::currentDateTimeUtc();
    applyConfig(machine, config);
    addEvent(machine, u"launch"_s, u"created"_s, u"user"_s);
    app.machines.append(machine);
    ++m_machinesCreated;
    if (!body.value(u"skip_launch"_s).toBool())
        later(0, machine, [this](Machine &m) { startMachine(m, u"start"_s, u"user"_s); });
    return FakeHttpResponse::json(200, machineJson(machine));
}

FakeHttpResponse FakeFlyServer::updateMachine(const FakeHttpRequest &request, Machine &machine)
{
    const QJsonObject body = request.json().object();
    if (!body.value(u"config"_s).isObject())
        return apiError(400, u"invalid request: config is required"_s);
    if (const QString problem = configProblem(body.value(u"config"_s).toObject()); !problem.isEmpty())
        return apiError(400, problem);
    applyConfig(machine, body.value(u"config"_s).toObject());
    machine.name = body.value(u"name"_s).toString(machine.name);
    machine.instanceId = ulid();
    ++machine.run;
    machine.listening = false;
    if (body.value(u"skip_launch"_s).toBool()) {
        setState(machine, u"stopped"_s, u"update"_s, u"user"_s);
    } else {
        setState(machine, u"replacing"_s, u"update"_s, u"user"_s);
        later(0, machine, [this](Machine &m) { startMachine(m, u"start"_s, u"flyd"_s); });
    }
    return FakeHttpResponse::json(200, machineJson(machine));
}

FakeHttpResponse FakeFlyServer::listMachines(const FakeHttpRequest &request, const App &app) const
{
    const bool includeDeleted = request.query.queryItemValue(u"include_deleted"_s) == u"true"_s;
    const QString region = request.query.queryItemValue(u"region"_s);
    QMap<QString, QString> metadata; // ?metadata.<key>=<value>
    for (const auto &[key, value] : request.query.queryItems(QUrl::FullyDecoded))
        if (key.startsWith(u"metadata."_s))
            metadata.insert(key.mid(9), value);
    QJsonArray machines;
    for (const Machine &machine : app.machines) {
        bool matches = (includeDeleted || machine.state != u"destroyed"_s) &&
                       (region.isEmpty() || machine.region == region);
        for (auto it = metadata.cbegin(); it != metadata.cend(); ++it)
            matches = matches && machine.metadata.value(it.key()) == it.value();
        if (matches)
            machines.append(machineJson(machine));
    }
    return FakeHttpResponse::json(200, machines);
}

std::optional<FakeHttpResponse> FakeFlyServer::machineAction(const FakeHttpRequest &request, quint64 exchange,
                                                             const QByteArray &requestId, Machine &machine,
                                                             const QString &action)
{
    const QByteArray &method = request.method;
    const bool running = QStringList{u"started"_s, u"starting"_s, u"replacing"_s}.contains(machine.state);
    if (action.isEmpty() && method == "GET") // destroyed ones too, until Fly forgets them
        return FakeHttpResponse::json(200, machineJson(machine));
    if (action == u"wait"_s && method == "GET")
        return wait(request, exchange, requestId, machine);
    if (action == u"events"_s && method == "GET")
        return FakeHttpResponse::json(200, machine.events);
    if (kUnemulated.contains(action))
        return apiError(501, u"fake_fly does not emulate /%1"_s.arg(action));
    if (machine.state == u"destroyed"_s)
        return apiError(404, u"machine not found"_s);
    if (action.isEmpty() && method == "POST")
        return updateMachine(request, machine);
    if (action.isEmpty() && method == "DELETE") {
        const bool force = request.query.queryItemValue(u"force"_s) == u"true"_s ||
                           request.query.queryItemValue(u"kill"_s) == u"true"_s; // what flyctl sends
        if (running && !force)
            return apiError(409, u"unable to destroy machine, not currently stopped"_s);
        if (machine.state != u"destroying"_s)
            destroyMachine(machine, u"user"_s);
        return ok();
    }
    if (action == u"stop"_s && method == "POST") {
        if (running) { // a requested stop: no exit of the process on its own, so auto_destroy stays out of it
            ++machine.run;
            machine.listening = false;
            setState(machine, u"stopping"_s, u"stop"_s, u"user"_s);
            later(0, machine, [this](Machine &m) {
                const QJsonObject exit{
                    {u"exit_code"_s, 0}, {u"oom_killed"_s, false}, {u"requested_stop"_s, true}};
                setState(m, u"stopped"_s, u"exit"_s, u"flyd"_s, {{u"exit_event"_s, exit}});
            });
        }
        return ok();
    }
    if (action == u"start"_s && method == "POST") {
        const QString previous = machine.state;
        if (previous != u"stopped"_s && previous != u"created"_s)
            return apiError(412, u"failed_precondition: machine still active, refusing to start"_s);
        startMachine(machine, u"start"_s, u"user"_s);
        return FakeHttpResponse::json(
            200,
            QJsonObject{{u"previous_state"_s, previous}, {u"migrated"_s, false}, {u"new_host"_s, u""_s}});
    }
    return pageNotFound();
}

std::optional<FakeHttpResponse> FakeFlyServer::wait(const FakeHttpRequest &request, quint64 exchange,
                                                    const QByteArray &requestId, const Machine &machine)
{
    const QUrlQuery &query = request.query;
    const QString state = query.hasQueryItem(u"state"_s) ? query.queryItemValue(u"state"_s) : u"started"_s;
    const QString instanceId = query.queryItemValue(u"instance_id"_s);
    bool valid = true;
    const int timeout =
        query.hasQueryItem(u"timeout"_s) ? query.queryItemValue(u"timeout"_s).toInt(&valid) : 60;
    if (!QStringList{u"started"_s, u"stopped"_s, u"suspended"_s, u"destroyed"_s}.contains(state))
        return apiError(400, u"invalid_argument: invalid state \"%1\""_s.arg(state));
    if (!valid || timeout < 1 || timeout > 60)
        return apiError(400,
                        u"invalid_argument: invalid WaitMachineRequest.Timeout: value must be inside range "
                        "[1s, 1m0s]"_s);
    if (state == u"stopped"_s && instanceId.isEmpty())
        return apiError(400, u"invalid_argument: instance_id is required to wait for the stopped state"_s);
    if (reached(machine, state, instanceId))
        return ok();
    if (machine.state == u"destroyed"_s) // it will never get there (fly.md §7)
        return apiError(404, u"machine not found"_s);
    m_waiters.append({exchange, requestId, machine.app, machine.id, state, instanceId});
    QTimer::singleShot(timeout * 1000, this, [this, exchange] {
        const auto it = std::find_if(m_waiters.begin(), m_waiters.end(),
                                     [exchange](const Waiter &w) { return w.exchange == exchange; });
        if (it == m_waiters.end())
            return;
        const Waiter waiter = *it;
        m_waiters.erase(it);
        const Machine *current = findMachine(waiter.app, waiter.machineId);
        FakeHttpResponse late =
            apiError(408, u"deadline_exceeded: machine failed to reach desired state, %1, "
                          "currently %2"_s.arg(waiter.state, current ? current->state : u"gone"_s));
        late.headers.emplace_back("fly-request-id", waiter.requestId);
        reply(exchange, late);
    });
    return std::nullopt;
}

bool FakeFlyServer::routable(const QString &appName) const
{
    const App *app = findApp(appName);
    return app && std::any_of(app->ips.begin(), app->ips.end(), [](const IpAssignment &ip) {
               return ip.type == u"shared_v4"_s || ip.type == u"v6"_s || ip.type == u"v4"_s;
           });
}

// Fly Proxy in front of the app: the started Machine's app serves its files statically (fly.md §6).
FakeHttpResponse FakeFlyServer::servePublic(const FakeHttpRequest &request, const QString &appName) const
{
    const auto proxied = [](FakeHttpResponse response) {
        response.headers.emplace_back("server", "Fly/fake");
        response.headers.emplace_back("via", "1.1 fly.io");
        return response;
    };
    if (!routable(appName)) // normally dropped before it gets here (see the constructor)
        return proxied(text(502, "fake_fly: no route to this app\n"));
    const Machine *target = nullptr;
    for (const Machine &machine : findApp(appName)->machines)
        if (machine.state == u"started"_s && !machine.config.value(u"services"_s).toArray().isEmpty() &&
            (!target || machine.listening))
            target = &machine;
    if (!target)
        return proxied(text(503, "could not find a good candidate within 40 attempts at load balancing\n"));
    if (!target->listening) {
        const int port = target->config[u"services"_s][0][u"internal_port"_s].toInt();
        return proxied(text(
            502, "instance refused connection. is your app listening on 0.0.0.0:" + QByteArray::number(port) +
                     "? make sure it is not only listening on 127.0.0.1\n"));
    }
    if (request.method != "GET" && request.method != "HEAD")
        return proxied(text(501, "Unsupported method\n"));
    const QString urlPath = QString::fromUtf8(request.path);
    QStringList segments = target->workDir.split(u'/', Qt::SkipEmptyParts);
    const QStringList parts = urlPath.split(u'/', Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        if (part == u".."_s)
            return proxied(text(404, "File not found\n"));
        if (part != u"."_s)
            segments << part;
    }
    if (parts.isEmpty() || urlPath.endsWith(u'/'))
        segments << u"index.html"_s;
    const QString file = u'/' + segments.join(u'/');
    if (target->files.contains(file)) {
        const QByteArray type =
            QMimeDatabase().mimeTypeForFile(file, QMimeDatabase::MatchExtension).name().toLatin1();
        return proxied(text(200, request.method == "HEAD" ? QByteArray() : target->files.value(file), type));
    }
    return proxied(text(404, "File not found\n"));
}

void FakeFlyServer::later(int ms, const Machine &machine, std::function<void(Machine &)> step)
{
    QTimer::singleShot(ms, this, [this, app = machine.app, id = machine.id, run = machine.run, step] {
        Machine *current = findMachine(app, id);
        if (current && current->run == run)
            step(*current);
    });
}

// → starting → (start delay) → started: a fresh process.
void FakeFlyServer::startMachine(Machine &machine, const QString &eventType, const QString &source)
{
    ++machine.run;
    machine.listening = false;
    setState(machine, u"starting"_s, eventType, source);
    if (!m_machinesNeverStart)
        later(m_machineStartDelayMs, machine, [this](Machine &m) { processStarted(m); });
}

void FakeFlyServer::processStarted(Machine &machine)
{
    machine.startedAt = QDateTime::currentDateTimeUtc();
    setState(machine, u"started"_s, u"start"_s, u"flyd"_s);
    if (!m_appNeverListens)
        later(m_appStartDelayMs, machine, [](Machine &m) { m.listening = true; });
    if (machine.deadlineSeconds >= 0) // `timeout N` ends the process with 124
        later(machine.deadlineSeconds * 1000, machine, [this](Machine &m) { processExited(m, 124); });
}

// The main process ended: the restart policy and auto_destroy decide (fly.md §5.2, §7).
void FakeFlyServer::processExited(Machine &machine, int exitCode)
{
    ++machine.run;
    machine.listening = false;
    const QJsonObject exit{
        {u"exit_event"_s, QJsonObject{{u"exit_code"_s, exitCode},
                                      {u"oom_killed"_s, false},
                                      {u"requested_stop"_s, false},
                                      {u"exited_at"_s, iso(QDateTime::currentDateTimeUtc())}}}};
    const QJsonObject restart = machine.config.value(u"restart"_s).toObject();
    const QString policy = restart.value(u"policy"_s).toString(u"on-failure"_s); // Fly's default
    if (policy == u"always"_s || (policy == u"on-failure"_s && exitCode != 0 &&
                                  machine.restarts < restart.value(u"max_retries"_s).toInt(10))) {
        ++machine.restarts;
        addEvent(machine, u"exit"_s, u"stopped"_s, u"flyd"_s, exit);
        startMachine(machine, u"restart"_s, u"flyd"_s);
    } else if (policy == u"no"_s && machine.config.value(u"auto_destroy"_s).toBool()) {
        // Gone at once: a wait for "stopped" never sees it (it answers 404), a wait for "destroyed" does.
        setState(machine, u"destroying"_s, u"exit"_s, u"flyd"_s, exit);
        setState(machine, u"destroyed"_s, u"destroy"_s, u"flyd"_s);
    } else {
        setState(machine, u"stopped"_s, u"exit"_s, u"flyd"_s, exit);
    }
}

void FakeFlyServer::destroyMachine(Machine &machine, const QString &source)
{
    ++machine.run;
    machine.listening = false;
    setState(machine, u"destroying"_s, u"destroy"_s, source);
    later(0, machine, [this](Machine &m) { setState(m, u"destroyed"_s, u"destroy"_s, u"flyd"_s); });
}

void FakeFlyServer::setState(Machine &machine, const QString &state, const QString &eventType,
                             const QString &source, const QJsonObject &request)
{
    machine.state = state;
    machine.updatedAt = QDateTime::currentDateTimeUtc();
    if (state == u"destroyed"_s)
        machine.destroyedAt = machine.updatedAt;
    addEvent(machine, eventType, state, source, request);
    settleWaiters(machine);
}

// Answers the waits on this Machine that it now satisfies, or never will (destroyed: 404).
void FakeFlyServer::settleWaiters(const Machine &machine)
{
    for (qsizetype i = 0; i < m_waiters.size();) {
        const Waiter waiter = m_waiters.at(i);
        const bool done = reached(machine, waiter.state, waiter.instanceId);
        if (waiter.app != machine.app || waiter.machineId != machine.id ||
            (!done && machine.state != u"destroyed"_s)) {
            ++i;
            continue;
        }
        FakeHttpResponse answer = done ? ok() : apiError(404, u"machine not found"_s);
        answer.headers.emplace_back("fly-request-id", waiter.requestId);
        m_waiters.removeAt(i);
        reply(waiter.exchange, answer);
    }
}

FakeFlyServer::App *FakeFlyServer::findApp(const QString &name)
{
    const auto it =
        std::find_if(m_apps.begin(), m_apps.end(), [&name](const App &a) { return a.name == name; });
    return it == m_apps.end() ? nullptr : &*it;
}

const FakeFlyServer::App *FakeFlyServer::findApp(const QString &name) const
{
    return const_cast<FakeFlyServer *>(this)->findApp(name);
}

FakeFlyServer::Machine *FakeFlyServer::findMachine(const QString &app, const QString &id)
{
    App *found = findApp(app);
    if (!found)
        return nullptr;
    const auto it = std::find_if(found->machines.begin(), found->machines.end(),
                                 [&id](const Machine &m) { return m.id == id; });
    return it == found->machines.end() ? nullptr : &*it;
}

QJsonObject FakeFlyServer::appJson(const App &app) const
{
    const auto machines = std::count_if(app.machines.begin(), app.machines.end(),
                                        [](const Machine &m) { return m.state != u"destroyed"_s; });
    return {{u"id"_s, app.id},
            {u"name"_s, app.name},
            {u"status"_s, machines > 0 ? u"deployed"_s : u"pending"_s},
            {u"organization"_s, QJsonObject{{u"name"_s, app.org == u"personal"_s ? u"Personal"_s : app.org},
                                            {u"slug"_s, app.org}}},
            {u"machine_count"_s, qint64(machines)},
            {u"volume_count"_s, 0},
            {u"network"_s, app.network},
            {u"internal_numeric_id"_s, app.numericId},
            {u"cname_target"_s, u"%1.localhost"_s.arg(app.name)},
            {u"app_role"_s, u""_s}};
}
