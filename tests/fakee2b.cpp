#include "fakee2b.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

using Sandbox = FakeE2bServer::Sandbox;
using Process = FakeE2bServer::Process;

namespace {

constexpr int kEnvdPort = 49983;
const QString kClientId = u"6532622b"_s; // deprecated, constant
const QString kEnvdVersion = u"0.6.13"_s;
const QByteArray kAppCrash =
    "Traceback (most recent call last):\nModuleNotFoundError: No module named 'flask'\n";

struct Template
{
    QString id;
    QString alias;
    int cpuCount;
    int memoryMB;
};
const Template kTemplates[] = {{u"rki5dems9wqfm4r03t7g"_s, u"base"_s, 2, 512},
                               {u"nlhz8vlwyupq845jsdg9"_s, u"code-interpreter-v1"_s, 2, 2048}};

// --- Control plane JSON ------------------------------------------------------------------------------------

FakeHttpResponse apiError(int status, const QString &message)
{
    return FakeHttpResponse::json(status, QJsonObject{{u"code"_s, status}, {u"message"_s, message}});
}

QString iso(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject toJson(const QMap<QString, QString> &map)
{
    QJsonObject object;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

QMap<QString, QString> toStringMap(const QJsonObject &object)
{
    QMap<QString, QString> map;
    for (auto it = object.begin(); it != object.end(); ++it)
        map.insert(it.key(), it.value().toString());
    return map;
}

bool isInt32(const QJsonValue &value)
{
    const double n = value.toDouble();
    return value.isDouble() && std::floor(n) == n && std::abs(n) <= std::numeric_limits<qint32>::max();
}

// A JSON object body, or the API's decoding error in *error.
std::optional<QJsonObject> jsonBody(const QByteArray &body, FakeHttpResponse *error)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error == QJsonParseError::NoError && document.isObject())
        return document.object();
    *error = apiError(400, u"request body has an error: failed to decode request body: %1"_s.arg(
                               parseError.error ? parseError.errorString() : u"value must be an object"_s));
    return std::nullopt;
}

// What the API's schema validation says about a NewSandbox; empty: valid.
QString newSandboxProblem(const QJsonObject &body)
{
    const auto at = [](const QString &pointer, const QString &what) {
        return u"request body has an error: doesn't match schema #/components/schemas/NewSandbox: "
               u"Error at \"/%1\": %2"_s.arg(pointer, what);
    };
    if (!body.value(u"templateID"_s).isString())
        return at(u"templateID"_s, body.contains(u"templateID"_s) ? u"value must be a string"_s
                                                                  : u"property \"templateID\" is missing"_s);
    if (body.contains(u"timeout"_s) && !isInt32(body.value(u"timeout"_s)))
        return at(u"timeout"_s, u"value must be an integer"_s);
    for (const QString &flag : {u"secure"_s, u"autoPause"_s, u"allow_internet_access"_s}) {
        if (body.contains(flag) && !body.value(flag).isBool())
            return at(flag, u"value must be a boolean"_s);
    }
    for (const QString &name : {u"metadata"_s, u"envVars"_s}) {
        if (body.contains(name) && !body.value(name).isObject())
            return at(name, u"value must be an object"_s);
        const QJsonObject map = body.value(name).toObject();
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (!it.value().isString())
                return at(name + u"/"_s + it.key(), u"value must be a string"_s);
        }
    }
    return {};
}

QJsonObject listedJson(const Sandbox &sandbox, int diskSizeMB)
{
    QJsonObject object{{u"templateID"_s, sandbox.templateID}, {u"alias"_s, sandbox.alias},
                       {u"sandboxID"_s, sandbox.id},          {u"clientID"_s, kClientId},
                       {u"cpuCount"_s, sandbox.cpuCount},     {u"memoryMB"_s, sandbox.memoryMB},
                       {u"diskSizeMB"_s, diskSizeMB},         {u"state"_s, u"running"_s},
                       {u"envdVersion"_s, kEnvdVersion}};
    object.insert(u"startedAt"_s, iso(sandbox.startedAt));
    object.insert(u"endAt"_s, iso(sandbox.endAt));
    if (!sandbox.metadata.isEmpty())
        object.insert(u"metadata"_s, toJson(sandbox.metadata));
    return object;
}

QString randomString(int length, QStringView alphabet)
{
    QString text;
    for (int i = 0; i < length; ++i)
        text += alphabet.at(QRandomGenerator::global()->bounded(int(alphabet.size())));
    return text;
}

// Go's url.QueryUnescape ('+' is a space).
QString goUnescape(QByteArray text)
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(text.replace('+', ' ')));
}

// The metadata filter "k1=v1&k2=v2" (decoded once already), keys and values URL-encoded inside (§2.4).
std::optional<QMap<QString, QString>> metadataFilter(const QString &query)
{
    QMap<QString, QString> filter;
    for (const QByteArray &pair : query.toUtf8().split('&')) {
        const QList<QByteArray> parts = pair.split('=');
        if (parts.size() != 2)
            return std::nullopt;
        filter.insert(goUnescape(parts.at(0)), goUnescape(parts.at(1)));
    }
    return filter;
}

// --- Connect (§3.5) ----------------------------------------------------------------------------------------

QByteArray envelope(const QJsonObject &message, char flags = 0)
{
    const QByteArray json = QJsonDocument(message).toJson(QJsonDocument::Compact);
    QByteArray frame(5, flags);
    qToBigEndian(quint32(json.size()), frame.data() + 1);
    return frame + json;
}

QByteArray endOfStream(const QString &code = {}, const QString &message = {})
{
    const QJsonObject error{{u"code"_s, code}, {u"message"_s, message}};
    return envelope(code.isEmpty() ? QJsonObject() : QJsonObject{{u"error"_s, error}}, 0x02);
}

QByteArray processEvent(const QString &kind, const QJsonObject &body)
{
    return envelope(QJsonObject{{u"event"_s, QJsonObject{{kind, body}}}});
}

// A streaming call failing before its first message: HTTP 200 with only the end-of-stream frame.
FakeHttpResponse streamError(const QString &code, const QString &message)
{
    FakeHttpResponse response;
    response.contentType = "application/connect+json";
    response.body = endOfStream(code, message);
    return response;
}

FakeHttpResponse connectError(const QString &code, const QString &message)
{
    const int status = code == u"invalid_argument"  ? 400
                       : code == u"unauthenticated" ? 401
                       : code == u"not_found"       ? 404
                       : code == u"already_exists"  ? 409
                                                    : 500;
    return FakeHttpResponse::json(status, QJsonObject{{u"code"_s, code}, {u"message"_s, message}});
}

// connect-go answers a request of another codec with 415.
FakeHttpResponse unsupportedMediaType(const QByteArray &accepted)
{
    FakeHttpResponse response = FakeHttpResponse::empty(415);
    response.headers.append(std::pair<QByteArray, QByteArray>("Accept-Post", accepted));
    return response;
}

// The one message of a streaming request: flags, big-endian length, JSON (uncompressed).
std::optional<QJsonObject> unenvelope(const QByteArray &body)
{
    if (body.size() < 5 || (body.at(0) & 0x01) ||
        qFromBigEndian<quint32>(body.constData() + 1) != quint32(body.size() - 5))
        return std::nullopt;
    const QJsonDocument document = QJsonDocument::fromJson(body.mid(5));
    return document.isObject() ? std::optional<QJsonObject>(document.object()) : std::nullopt;
}

// A keepalive event after every interval of silence on an open stream (the streams here are silent).
void keepAlive(FakeHttpServer *server, quint64 exchange, int intervalMs)
{
    QTimer::singleShot(intervalMs, server, [server, exchange, intervalMs] {
        if (!server->exchangeOpen(exchange))
            return;
        server->writeToStream(exchange, processEvent(u"keepalive"_s, {}));
        keepAlive(server, exchange, intervalMs);
    });
}

QString streamKey(const QString &id, quint32 pid)
{
    return id + u"/"_s + QString::number(pid);
}

// --- envd: users, paths, uploads ---------------------------------------------------------------------------

struct HeaderValue
{
    QString type; // lower case
    QMap<QString, QString> params;
};

// "type/sub; a=b; c=\"d e\"" as Go's mime.ParseMediaType reads it.
HeaderValue splitHeader(const QByteArray &header)
{
    static const QRegularExpression param(uR"re(;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*)))re"_s);
    static const QRegularExpression escape(uR"(\\(.))"_s);
    const QString text = QString::fromUtf8(header);
    const qsizetype semicolon = text.indexOf(u';');
    HeaderValue value{text.left(semicolon).trimmed().toLower(), {}};
    auto it = param.globalMatch(text, semicolon < 0 ? text.size() : semicolon);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        QString v = match.capturedStart(2) >= 0 ? match.captured(2) : match.captured(3).trimmed();
        value.params.insert(match.captured(1).toLower(), v.replace(escape, u"\\1"_s));
    }
    return value;
}

struct Part
{
    QString name;
    QString filename;
    QByteArray data;
};

std::optional<QList<Part>> parseMultipart(const QByteArray &body, const QByteArray &boundary)
{
    const QByteArray delimiter = "--" + boundary;
    qsizetype pos = body.indexOf(delimiter);
    if (boundary.isEmpty() || pos < 0)
        return std::nullopt;
    QList<Part> parts;
    for (pos += delimiter.size(); body.mid(pos, 2) != "--"; pos += 2 + delimiter.size()) {
        if (body.mid(pos, 2) != "\r\n")
            return std::nullopt;
        pos += 2;
        const qsizetype headerEnd = body.mid(pos, 2) == "\r\n" ? pos - 2 : body.indexOf("\r\n\r\n", pos);
        const qsizetype next = body.indexOf(QByteArray("\r\n" + delimiter), headerEnd + 4);
        if (headerEnd < 0 || next < 0)
            return std::nullopt;
        Part part;
        for (const QByteArray &line : body.mid(pos, std::max<qsizetype>(0, headerEnd - pos)).split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().toLower() == "content-disposition") {
                const HeaderValue disposition = splitHeader(line.mid(colon + 1));
                part.name = disposition.params.value(u"name"_s);
                part.filename = disposition.params.value(u"filename"_s);
            }
        }
        part.data = body.mid(headerEnd + 4, next - headerEnd - 4);
        parts.append(part);
        pos = next;
    }
    return parts;
}

QString homeOf(const QString &user)
{
    return user == u"root" ? u"/root"_s : u"/home/"_s + user;
}

// envd resolves "~" and relative paths against the user's home.
QString resolvePath(const QString &path, const QString &user)
{
    if (path == u"~" || path.startsWith(u"~/"))
        return QDir::cleanPath(homeOf(user) + path.mid(1));
    return QDir::cleanPath(path.startsWith(u'/') ? path : homeOf(user) + u"/"_s + path);
}

// The Linux user of an RPC: Authorization: Basic base64("<user>:"), else the default; nullopt: unknown.
std::optional<QString> rpcUser(const FakeHttpRequest &request)
{
    const QByteArray authorization = request.header("authorization");
    const QByteArray decoded = QByteArray::fromBase64(authorization.mid(6).trimmed());
    const QString user =
        authorization.isEmpty() ? u"user"_s : QString::fromUtf8(decoded.left(decoded.indexOf(':')));
    if ((!authorization.isEmpty() && !authorization.startsWith("Basic ")) ||
        (user != u"user" && user != u"root"))
        return std::nullopt;
    return user;
}

bool isDirectory(const Sandbox &sandbox, const QString &path)
{
    static const QSet<QString> system{u"/"_s, u"/home"_s, u"/home/user"_s, u"/root"_s, u"/tmp"_s};
    const QString prefix = path + u"/"_s;
    const auto below = [&](const QString &entry) { return entry.startsWith(prefix); };
    return system.contains(path) || sandbox.dirs.contains(path) ||
           std::any_of(sandbox.dirs.cbegin(), sandbox.dirs.cend(), below) ||
           std::any_of(sandbox.files.keyBegin(), sandbox.files.keyEnd(), below);
}

// A file where `path` needs a directory; empty: none.
QString fileAncestor(const Sandbox &sandbox, const QString &path)
{
    for (QString dir = path.left(path.lastIndexOf(u'/')); !dir.isEmpty();
         dir = dir.left(dir.lastIndexOf(u'/'))) {
        if (sandbox.files.contains(dir))
            return dir;
    }
    return {};
}

// --- Edge proxy and the app --------------------------------------------------------------------------------

// The proxy answers browser-like clients with an HTML page instead of JSON (§3.7).
FakeHttpResponse proxyError(const FakeHttpRequest &request, const QJsonObject &body)
{
    static const QRegularExpression browser(u"mozilla|chrome|safari|firefox|edge|opera|msie"_s,
                                            QRegularExpression::CaseInsensitiveOption);
    const QByteArray accept = request.header("accept").toLower();
    const bool json = accept.contains("application/json") && !accept.contains("text/html");
    FakeHttpResponse response = FakeHttpResponse::json(body.value(u"code"_s).toInt(), body);
    response.contentType = "application/json; charset=utf-8";
    if (json || !browser.match(QString::fromUtf8(request.header("user-agent"))).hasMatch())
        return response;
    const QString message = body.value(u"message"_s).toString().toHtmlEscaped();
    response.contentType = "text/html; charset=utf-8";
    response.body = (u"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%1</title></head>\n"
                     u"<body><h1>%1</h1><p>Sandbox: <code>%2</code></p></body></html>\n"_s)
                        .arg(message, body.value(u"sandboxId"_s).toString().toHtmlEscaped())
                        .toUtf8();
    return response;
}

// The target of a sandbox host (§3.1): the left-most label "<port>-<sandboxID>", or on the shared host
// sandbox.<domain> the E2b-Sandbox-Id / E2b-Sandbox-Port headers. Returns what is wrong, or empty.
QString parseTarget(const FakeHttpRequest &request, QString *id, int *port)
{
    static const QRegularExpression digits(u"^[0-9]{1,5}$"_s);
    static const QRegularExpression validId(u"^[a-z0-9]+$"_s);
    const QByteArray headerId = request.header("e2b-sandbox-id");
    const QByteArray headerPort = request.header("e2b-sandbox-port");
    QString portText;
    if (request.host.startsWith(u"sandbox.") && !(headerId.isEmpty() && headerPort.isEmpty())) {
        if (headerId.isEmpty() || headerPort.isEmpty())
            return u"Missing header: %1"_s.arg(headerId.isEmpty() ? u"E2b-Sandbox-Id"_s
                                                                  : u"E2b-Sandbox-Port"_s);
        *id = QString::fromUtf8(headerId);
        portText = QString::fromUtf8(headerPort);
    } else {
        const QStringList parts = request.host.section(u'.', 0, 0).split(u'-');
        if (!request.host.contains(u'.') || parts.size() < 2)
            return u"invalid host"_s;
        portText = parts.at(0);
        *id = parts.at(1);
    }
    if (!digits.match(portText).hasMatch())
        return u"invalid sandbox port \"%1\""_s.arg(portText);
    *port = portText.toInt();
    return validId.match(*id).hasMatch() ? QString() : u"invalid sandbox ID"_s;
}

QByteArray contentTypeFor(const QString &path)
{
    static const QHash<QString, QByteArray> types{
        {u"html"_s, "text/html"},     {u"htm"_s, "text/html"},         {u"css"_s, "text/css"},
        {u"js"_s, "text/javascript"}, {u"mjs"_s, "text/javascript"},   {u"json"_s, "application/json"},
        {u"svg"_s, "image/svg+xml"},  {u"png"_s, "image/png"},         {u"jpg"_s, "image/jpeg"},
        {u"jpeg"_s, "image/jpeg"},    {u"gif"_s, "image/gif"},         {u"ico"_s, "image/x-icon"},
        {u"txt"_s, "text/plain"},     {u"wasm"_s, "application/wasm"}, {u"webp"_s, "image/webp"}};
    return types.value(path.section(u'/', -1).section(u'.', -1).toLower(), "application/octet-stream");
}

// What python3 -m http.server would answer for the uploaded files below root.
FakeHttpResponse serveStatic(const QMap<QString, QByteArray> &files, const QString &root,
                             const FakeHttpRequest &request)
{
    const auto page = [](int status, const QString &message) {
        FakeHttpResponse response;
        response.status = status;
        response.contentType = "text/html;charset=utf-8";
        response.body = (u"<!DOCTYPE HTML>\n<html><head><title>Error response</title></head><body>"
                         u"<h1>Error response</h1><p>Error code: %1</p><p>Message: %2.</p></body></html>\n"_s)
                            .arg(QString::number(status), message)
                            .toUtf8();
        return response;
    };
    if (request.method != "GET" && request.method != "HEAD")
        return page(501, u"Unsupported method (%1)"_s.arg(QString::fromLatin1(request.method)));
    const QString prefix = root == u"/" ? root : root + u"/"_s;
    QString file = QDir::cleanPath(prefix + QString::fromUtf8(request.path));
    if (request.path.endsWith('/') || (!files.contains(file) && files.contains(file + u"/index.html"_s)))
        file = QDir::cleanPath(file + u"/index.html"_s);
    const auto it = files.constFind(file);
    if (!file.startsWith(prefix) || it == files.cend())
        return page(404, u"File not found"_s);
    FakeHttpResponse response;
    response.contentType = contentTypeFor(file);
    response.body = request.method == "HEAD" ? QByteArray() : it.value();
    return response;
}

// The port the fake app listens on: envs PORT, else a port in the command line, else 8000.
int appPort(const QMap<QString, QString> &envs, const QString &commandLine)
{
    const auto valid = [](int port) { return port > 0 && port < 65536; };
    if (const int port = envs.value(u"PORT"_s).toInt(); valid(port))
        return port;
    static const QRegularExpression patterns[] = {
        QRegularExpression(uR"(\bPORT=(\d+))"_s),
        QRegularExpression(uR"((?:--port|-p|--listen|-l)[= ]+(\d+)\b)"_s),
        QRegularExpression(uR"(\bhttp\.server\s+(\d+)\b)"_s),
        QRegularExpression(uR"(\bport\s+(\d+)\b)"_s, QRegularExpression::CaseInsensitiveOption),
        QRegularExpression(uR"(:(\d{2,5})\b)"_s)};
    for (const QRegularExpression &pattern : patterns) {
        const QRegularExpressionMatch match = pattern.match(commandLine);
        if (match.hasMatch() && valid(match.captured(1).toInt()))
            return match.captured(1).toInt();
    }
    return 8000;
}

} // namespace

// --- State -------------------------------------------------------------------------------------------------

bool FakeE2bServer::Sandbox::listening(int port) const
{
    return std::any_of(processes.cbegin(), processes.cend(),
                       [port](const Process &p) { return p.running && p.listening && p.port == port; });
}

const FakeE2bServer::Process *FakeE2bServer::Sandbox::process(quint32 pid) const
{
    const auto it =
        std::find_if(processes.cbegin(), processes.cend(), [pid](const Process &p) { return p.pid == pid; });
    return it == processes.cend() ? nullptr : &*it;
}

FakeE2bServer::FakeE2bServer(QObject *parent)
    : FakeHttpServer(parent)
{
    m_reaper.setSingleShot(true);
    m_reaper.setTimerType(Qt::PreciseTimer);
    connect(&m_reaper, &QTimer::timeout, this, &FakeE2bServer::reap);
}

FakeE2bServer::~FakeE2bServer() = default;

QString FakeE2bServer::domain() const
{
    return u"localhost:%1"_s.arg(port());
}

bool FakeE2bServer::killSandbox(const QString &id)
{
    Sandbox *sandbox = alive(id);
    if (sandbox)
        kill(*sandbox);
    return sandbox != nullptr;
}

QList<Sandbox> FakeE2bServer::sandboxes() const
{
    QList<Sandbox> list;
    for (const auto &[id, sandbox] : m_sandboxes) {
        if (sandbox.alive)
            list.append(sandbox);
    }
    return list;
}

std::optional<Sandbox> FakeE2bServer::sandbox(const QString &id) const
{
    const auto it = m_sandboxes.find(id);
    return it == m_sandboxes.end() ? std::nullopt : std::optional<Sandbox>(it->second);
}

int FakeE2bServer::aliveCount() const
{
    return int(std::count_if(m_sandboxes.cbegin(), m_sandboxes.cend(),
                             [](const auto &e) { return e.second.alive; }));
}

Sandbox *FakeE2bServer::alive(const QString &id)
{
    const auto it = m_sandboxes.find(id);
    return it != m_sandboxes.end() && it->second.alive ? &it->second : nullptr;
}

Process *FakeE2bServer::running(const QString &id, quint32 pid)
{
    Sandbox *sandbox = alive(id);
    if (!sandbox)
        return nullptr;
    for (Process &process : sandbox->processes) {
        if (process.pid == pid && process.running)
            return &process;
    }
    return nullptr;
}

void FakeE2bServer::kill(Sandbox &sandbox)
{
    sandbox.alive = false;
    sandbox.endAt = std::min(sandbox.endAt, QDateTime::currentDateTimeUtc());
    for (Process &process : sandbox.processes) {
        if (process.running)
            endProcess(sandbox, process, {}); // the connection just ends: no end-of-stream frame
    }
    scheduleReaper();
    emit sandboxKilled(sandbox.id);
}

// Kills the sandboxes past their endAt, then waits for the next endAt.
void FakeE2bServer::reap()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QStringList expired;
    for (const auto &[id, sandbox] : m_sandboxes) {
        if (sandbox.alive && sandbox.endAt <= now)
            expired.append(id);
    }
    for (const QString &id : std::as_const(expired)) {
        if (Sandbox *sandbox = alive(id))
            kill(*sandbox);
    }
    scheduleReaper();
}

void FakeE2bServer::scheduleReaper()
{
    std::optional<QDateTime> next;
    for (const auto &[id, sandbox] : m_sandboxes) {
        if (sandbox.alive && (!next || sandbox.endAt < *next))
            next = sandbox.endAt;
    }
    if (!next) {
        m_reaper.stop();
        return;
    }
    const qint64 ms = QDateTime::currentDateTimeUtc().msecsTo(*next);
    m_reaper.start(int(std::clamp<qint64>(ms, 0, std::numeric_limits<int>::max())));
}

std::optional<FakeHttpResponse> FakeE2bServer::handle(const FakeHttpRequest &request, quint64 exchange)
{
    reap(); // a request may beat the reaper's timer by a few milliseconds
    if (request.host == u"127.0.0.1" || request.host == u"localhost")
        return handleApi(request);
    return handleSandboxHost(request, exchange);
}

// --- Control plane (§2) ------------------------------------------------------------------------------------

FakeHttpResponse FakeE2bServer::handleApi(const FakeHttpRequest &request)
{
    static const QRegularExpression sandboxPath(uR"(^/sandboxes/([^/]+)(/timeout|/refreshes)?$)"_s);
    const QString path = QString::fromUtf8(request.path);
    const QByteArray &method = request.method;
    if (method == "GET" && path == u"/health")
        return FakeHttpResponse::empty(204);
    const QRegularExpressionMatch match = sandboxPath.match(path);
    const bool action = match.capturedLength(2) > 0;
    const bool known =
        (path == u"/sandboxes" && (method == "POST" || method == "GET")) ||
        (path == u"/v2/sandboxes" && method == "GET") ||
        (match.hasMatch() && (action ? method == "POST" : method == "GET" || method == "DELETE"));
    if (!known)
        return apiError(404, u"no matching operation was found"_s);
    const QByteArray key = request.header("x-api-key");
    if (key.isEmpty() || (!m_apiKey.isEmpty() && key != m_apiKey.toUtf8()))
        return apiError(
            401, u"Invalid API key, please visit https://e2b.dev/docs/api-key for more information."_s);

    if (path == u"/sandboxes" || path == u"/v2/sandboxes")
        return method == "POST" ? createSandbox(request) : listSandboxes(request, path == u"/v2/sandboxes");
    const QString id = match.captured(1);
    Sandbox *sandbox = alive(id);
    if (!sandbox)
        return apiError(404, u"Sandbox \"%1\" doesn't exist or you don't have access to it"_s.arg(id));
    if (action)
        return extendSandbox(*sandbox, request, match.captured(2) == u"/refreshes");
    if (method == "DELETE") {
        kill(*sandbox);
        return FakeHttpResponse::empty(204);
    }
    QJsonObject detail = listedJson(*sandbox, m_plan == Plan::Hobby ? 10240 : 20480);
    if (!sandbox->accessToken.isEmpty())
        detail.insert(u"envdAccessToken"_s, sandbox->accessToken);
    detail.insert(u"domain"_s, domain());
    detail.insert(u"allowInternetAccess"_s,
                  sandbox->allowInternetAccess ? QJsonValue(*sandbox->allowInternetAccess) : QJsonValue());
    detail.insert(u"lifecycle"_s, QJsonObject{{u"autoResume"_s, false}, {u"onTimeout"_s, u"kill"_s}});
    return FakeHttpResponse::json(200, detail);
}

FakeHttpResponse FakeE2bServer::createSandbox(const FakeHttpRequest &request)
{
    FakeHttpResponse error;
    const std::optional<QJsonObject> body = jsonBody(request.body, &error);
    if (!body)
        return error;
    if (const QString problem = newSandboxProblem(*body); !problem.isEmpty())
        return apiError(400, problem);
    // In the API's order: template, timeout, then the team's concurrency.
    const QString reference = body->value(u"templateID"_s).toString();
    const Template *found =
        std::find_if(std::begin(kTemplates), std::end(kTemplates),
                     [&](const Template &t) { return t.id == reference || t.alias == reference; });
    if (found == std::end(kTemplates))
        return apiError(404, u"template '%1' not found"_s.arg(reference));
    const qint64 timeout = body->contains(u"timeout"_s) ? qint64(body->value(u"timeout"_s).toDouble()) : 15;
    if (timeout <= 0)
        return apiError(400, u"Timeout must be greater than 0"_s);
    if (timeout > maxLifetimeSecs())
        return apiError(400, u"Timeout cannot be greater than %1 hours"_s.arg(maxLifetimeSecs() / 3600));
    if (aliveCount() >= concurrencyLimit())
        return apiError(429,
                        u"you have reached the maximum number of concurrent E2B sandboxes (%1). If you need "
                        u"more, please visit 'https://e2b.dev/docs/billing'"_s.arg(concurrencyLimit()));

    Sandbox sandbox;
    do {
        sandbox.id = randomString(20, u"abcdefghijklmnopqrstuvwxyz0123456789");
    } while (m_sandboxes.count(sandbox.id));
    sandbox.templateID = found->id;
    sandbox.alias = found->alias;
    sandbox.cpuCount = found->cpuCount;
    sandbox.memoryMB = found->memoryMB;
    sandbox.metadata = toStringMap(body->value(u"metadata"_s).toObject());
    sandbox.envVars = toStringMap(body->value(u"envVars"_s).toObject());
    if (body->contains(u"allow_internet_access"_s))
        sandbox.allowInternetAccess = body->value(u"allow_internet_access"_s).toBool();
    sandbox.startedAt = QDateTime::currentDateTimeUtc();
    sandbox.endAt = sandbox.startedAt.addSecs(timeout);
    if (body->value(u"secure"_s).toBool())
        sandbox.accessToken = randomString(64, u"0123456789abcdef");

    QJsonObject answer{{u"templateID"_s, sandbox.templateID},
                       {u"alias"_s, sandbox.alias},
                       {u"sandboxID"_s, sandbox.id},
                       {u"clientID"_s, kClientId},
                       {u"envdVersion"_s, kEnvdVersion},
                       {u"domain"_s, domain()},
                       {u"trafficAccessToken"_s, QJsonValue::Null}};
    if (!sandbox.accessToken.isEmpty())
        answer.insert(u"envdAccessToken"_s, sandbox.accessToken);
    const QString id = sandbox.id;
    m_sandboxes.emplace(id, std::move(sandbox));
    ++m_created;
    scheduleReaper();
    emit sandboxCreated(id);
    return FakeHttpResponse::json(201, answer);
}

FakeHttpResponse FakeE2bServer::listSandboxes(const FakeHttpRequest &request, bool v2) const
{
    const auto param = [&](const QString &name) {
        return goUnescape(request.query.queryItemValue(name, QUrl::FullyEncoded).toUtf8());
    };
    const auto has = [&](const QString &name) { return v2 && request.query.hasQueryItem(name); };
    const auto invalid = [](const QString &name, const QString &what) {
        return apiError(400, u"parameter \"%1\" in query has an error: %2"_s.arg(name, what));
    };
    const std::optional<QMap<QString, QString>> filter = param(u"metadata"_s).isEmpty()
                                                             ? std::optional(QMap<QString, QString>())
                                                             : metadataFilter(param(u"metadata"_s));
    if (!filter)
        return apiError(400, u"Error parsing metadata: invalid key value pair in query"_s);
    bool wantRunning = !has(u"state"_s); // paused sandboxes do not exist here
    for (const QString &state : has(u"state"_s) ? param(u"state"_s).split(u',') : QStringList()) {
        if (state != u"running" && state != u"paused")
            return invalid(u"state"_s, u"value is not one of the allowed values [\"running\",\"paused\"]"_s);
        wantRunning = wantRunning || state == u"running";
    }
    bool ok = true;
    const int limit = has(u"limit"_s) ? param(u"limit"_s).toInt(&ok)
                      : v2            ? 100
                                      : std::numeric_limits<int>::max();
    if (!ok)
        return invalid(u"limit"_s, u"value %1: an invalid integer: invalid syntax"_s.arg(param(u"limit"_s)));
    if (limit < 1 || (v2 && limit > 100))
        return invalid(u"limit"_s,
                       limit < 1 ? u"number must be at least 1"_s : u"number must be at most 100"_s);
    // nextToken: base64url("<startedAt>__<sandboxID>") of the last sandbox on the previous page.
    const auto cursor = QByteArray::fromBase64Encoding(param(u"nextToken"_s).toUtf8(),
                                                       QByteArray::Base64UrlEncoding |
                                                           QByteArray::AbortOnBase64DecodingErrors);
    const QStringList after = QString::fromUtf8(*cursor).split(u"__"_s);
    if (has(u"nextToken"_s) && (!cursor || after.size() != 2))
        return apiError(400, u"Invalid next token"_s);

    // Newest first; a page starts after the cursor's place in that order.
    const auto wanted = [&](const Sandbox &sandbox) {
        return sandbox.alive && wantRunning &&
               std::all_of(filter->keyBegin(), filter->keyEnd(), [&](const QString &k) {
                   return sandbox.metadata.contains(k) && sandbox.metadata.value(k) == filter->value(k);
               });
    };
    QList<const Sandbox *> matches;
    for (const auto &[id, sandbox] : m_sandboxes) {
        if (wanted(sandbox))
            matches.append(&sandbox);
    }
    std::sort(matches.begin(), matches.end(), [](const Sandbox *a, const Sandbox *b) {
        return std::tie(b->startedAt, b->id) < std::tie(a->startedAt, a->id);
    });
    const qsizetype total = matches.size();
    if (has(u"nextToken"_s)) {
        matches.removeIf([&](const Sandbox *s) {
            return !(std::make_pair(iso(s->startedAt), s->id) < std::make_pair(after.at(0), after.at(1)));
        });
    }
    QJsonArray page;
    for (qsizetype i = 0; i < matches.size() && i < limit; ++i)
        page.append(listedJson(*matches.at(i), m_plan == Plan::Hobby ? 10240 : 20480));
    FakeHttpResponse response = FakeHttpResponse::json(200, page);
    if (v2 && wantRunning) // the matching running sandboxes before paging
        response.headers.append({"X-Total-Running", QByteArray::number(total)});
    if (v2 && matches.size() > limit) {
        const Sandbox *last = matches.at(limit - 1);
        const QString token = iso(last->startedAt) + u"__"_s + last->id;
        response.headers.append({"X-Next-Token", token.toUtf8().toBase64(QByteArray::Base64UrlEncoding)});
    }
    return response;
}

// POST /sandboxes/{id}/timeout sets the expiry to now + S; /refreshes only ever extends it (at least 15 s).
FakeHttpResponse FakeE2bServer::extendSandbox(Sandbox &sandbox, const FakeHttpRequest &request, bool refresh)
{
    const QString field = refresh ? u"duration"_s : u"timeout"_s;
    const auto problem = [&](const QString &what) {
        return apiError(
            400, u"request body has an error: doesn't match schema #/components/schemas/%1: Error at "
                 u"\"/%2\": %3"_s.arg(refresh ? u"SandboxRefreshRequest"_s : u"SandboxTimeoutRequest"_s,
                                      field, what));
    };
    FakeHttpResponse error;
    const std::optional<QJsonObject> body = refresh && request.body.trimmed().isEmpty()
                                                ? std::optional(QJsonObject())
                                                : jsonBody(request.body, &error);
    if (!body)
        return error;
    if (!refresh && !body->contains(field))
        return problem(u"property \"timeout\" is missing"_s);
    if (body->contains(field) && !isInt32(body->value(field)))
        return problem(u"value must be an integer"_s);
    const qint64 seconds = qint64(body->value(field).toDouble());
    if (seconds < 0 || (refresh && seconds > 3600))
        return problem(seconds < 0 ? u"number must be at least 0"_s : u"number must be at most 3600"_s);

    // Never beyond the plan's maximum length, counted from the start.
    const QDateTime end =
        std::min(QDateTime::currentDateTimeUtc().addSecs(refresh ? std::max<qint64>(seconds, 15) : seconds),
                 sandbox.startedAt.addSecs(maxLifetimeSecs()));
    if (!refresh || end > sandbox.endAt)
        sandbox.endAt = end;
    reap(); // a timeout of 0 ends it now
    return FakeHttpResponse::empty(204);
}

// --- Sandbox hosts: the edge proxy, envd (§3), the app -----------------------------------------------------

std::optional<FakeHttpResponse> FakeE2bServer::handleSandboxHost(const FakeHttpRequest &request,
                                                                 quint64 exchange)
{
    QString id;
    int port = 0;
    if (const QString problem = parseTarget(request, &id, &port); !problem.isEmpty())
        return apiError(400, problem);
    Sandbox *sandbox = alive(id);
    if (!sandbox) {
        return proxyError(request, QJsonObject{{u"sandboxId"_s, id},
                                               {u"message"_s, u"The sandbox was not found"_s},
                                               {u"code"_s, 502}});
    }
    if (port == kEnvdPort)
        return handleEnvd(*sandbox, request, exchange);
    for (auto it = sandbox->processes.crbegin(); it != sandbox->processes.crend(); ++it) {
        if (it->running && it->listening && it->port == port)
            return serveStatic(sandbox->files, it->workdir, request);
    }
    return proxyError(request, QJsonObject{{u"sandboxId"_s, id},
                                           {u"message"_s, u"The sandbox is running but port is not open"_s},
                                           {u"port"_s, port},
                                           {u"code"_s, 502}});
}

std::optional<FakeHttpResponse> FakeE2bServer::handleEnvd(Sandbox &sandbox, const FakeHttpRequest &request,
                                                          quint64 exchange)
{
    const QString path = QString::fromUtf8(request.path);
    if (request.method == "GET" && path == u"/health")
        return FakeHttpResponse::empty(204);
    if (!sandbox.accessToken.isEmpty() && request.header("x-access-token") != sandbox.accessToken.toUtf8()) {
        return apiError(401, u"unauthorized access, please provide a valid access token or method signing if "
                             u"supported"_s);
    }
    if (request.method == "POST" && path == u"/files")
        return uploadFiles(sandbox, request);
    if (request.method == "POST" && path == u"/process.Process/Start")
        return startProcess(sandbox, request, exchange);
    if (request.method != "POST" ||
        (path != u"/process.Process/List" && path != u"/process.Process/SendSignal" &&
         path != u"/filesystem.Filesystem/MakeDir")) {
        FakeHttpResponse missing = FakeHttpResponse::empty(404);
        missing.contentType = "text/plain; charset=utf-8";
        missing.body = "404 page not found\n";
        return missing;
    }
    // Unary Connect calls.
    if (splitHeader(request.header("content-type")).type != u"application/json")
        return unsupportedMediaType("application/json, application/proto");
    if (!rpcUser(request))
        return connectError(u"unauthenticated"_s, u"invalid username"_s);
    if (!request.json().isObject())
        return connectError(u"invalid_argument"_s, u"unmarshal into request message: invalid JSON"_s);
    if (path == u"/process.Process/SendSignal")
        return sendSignal(sandbox, request);
    if (path == u"/filesystem.Filesystem/MakeDir")
        return makeDir(sandbox, request);
    return listProcesses(sandbox);
}

FakeHttpResponse FakeE2bServer::uploadFiles(Sandbox &sandbox, const FakeHttpRequest &request)
{
    const QUrlQuery &query = request.query;
    const QString user = query.hasQueryItem(u"username"_s)
                             ? query.queryItemValue(u"username"_s, QUrl::FullyDecoded)
                             : u"user"_s;
    if (user != u"user" && user != u"root")
        return apiError(401, u"error looking up user '%1': user: unknown user %1"_s.arg(user));
    if (const QByteArray encoding = request.header("content-encoding");
        !encoding.isEmpty() && encoding != "identity")
        return apiError(400, u"error decompressing request body: the fake takes no Content-Encoding"_s);
    const HeaderValue contentType = splitHeader(request.header("content-type"));
    const bool hasPath = query.hasQueryItem(u"path"_s);
    const QString pathParam = query.queryItemValue(u"path"_s, QUrl::FullyDecoded);

    QList<std::pair<QString, QByteArray>> uploads; // destination as given → content
    if (contentType.type == u"application/octet-stream") {
        if (!hasPath)
            return apiError(400, u"path query parameter is required for raw body upload"_s);
        uploads.append({pathParam, request.body});
    } else if (contentType.type.startsWith(u"multipart/")) {
        const auto parts = parseMultipart(request.body, contentType.params.value(u"boundary"_s).toUtf8());
        if (!parts)
            return apiError(500, u"error parsing multipart form: malformed multipart body"_s);
        for (const Part &part : *parts) {
            if (part.name != u"file")
                continue; // parts under other names are ignored
            if (!hasPath && part.filename.isEmpty())
                return apiError(400, u"error getting multipart custom part file name: no filename"_s);
            // The full filename is the destination, not its base name.
            uploads.append({hasPath ? pathParam : part.filename, part.data});
        }
    } else {
        const QString given = QString::fromUtf8(request.header("content-type"));
        return apiError(400, u"unsupported content type: %1, expected multipart/form-data or "
                             u"application/octet-stream"_s.arg(given));
    }

    QJsonArray entries;
    QSet<QString> written;
    for (const auto &[destination, content] : std::as_const(uploads)) {
        const QString path = resolvePath(destination, user);
        if (written.contains(path))
            return apiError(400,
                            u"you cannot upload multiple files to the same path '%1' in one upload request, "
                            u"only the first specified file was uploaded"_s.arg(path));
        if (isDirectory(sandbox, path))
            return apiError(400, u"path is a directory: %1"_s.arg(path));
        if (const QString file = fileAncestor(sandbox, path); !file.isEmpty())
            return apiError(500, u"error ensuring directories: mkdir %1: not a directory"_s.arg(file));
        qint64 others = -sandbox.files.value(path).size();
        for (const QByteArray &existing : std::as_const(sandbox.files))
            others += existing.size();
        if (m_diskLimit >= 0 && others + content.size() > m_diskLimit) {
            // Written as far as it got.
            sandbox.files.insert(path, content.left(std::max<qint64>(0, m_diskLimit - others)));
            return apiError(507, u"attempted to write %1 bytes: not enough disk space available"_s.arg(
                                     request.body.size()));
        }
        sandbox.files.insert(path, content);
        written.insert(path);
        entries.append(
            QJsonObject{{u"path"_s, path}, {u"name"_s, path.section(u'/', -1)}, {u"type"_s, u"file"_s}});
    }
    return FakeHttpResponse::json(200, entries);
}

std::optional<FakeHttpResponse> FakeE2bServer::startProcess(Sandbox &sandbox, const FakeHttpRequest &request,
                                                            quint64 exchange)
{
    if (splitHeader(request.header("content-type")).type != u"application/connect+json")
        return unsupportedMediaType("application/connect+json, application/connect+proto");
    // Connect-Timeout-Ms is the process deadline in envd; connect-go makes "0" an already-expired request.
    const QByteArray timeoutHeader = request.header("connect-timeout-ms");
    bool ok = timeoutHeader.isEmpty();
    const qint64 timeoutMs = ok ? -1 : timeoutHeader.toLongLong(&ok);
    if (!ok || (!timeoutHeader.isEmpty() && timeoutMs < 0) || timeoutHeader.size() > 10)
        return streamError(u"invalid_argument"_s,
                           u"parse timeout: %1"_s.arg(QString::fromLatin1(timeoutHeader)));
    const std::optional<QJsonObject> message = unenvelope(request.body);
    if (!message)
        return streamError(u"invalid_argument"_s, u"protocol error: malformed enveloped message"_s);
    const std::optional<QString> user = rpcUser(request);
    if (!user)
        return streamError(u"unauthenticated"_s, u"invalid username"_s);

    const QJsonObject spec = message->value(u"process"_s).toObject();
    Process process;
    process.cmd = spec.value(u"cmd"_s).toString();
    for (const QJsonValue &arg : spec.value(u"args"_s).toArray())
        process.args.append(arg.toString());
    process.envs = toStringMap(spec.value(u"envs"_s).toObject());
    process.cwd = spec.value(u"cwd"_s).toString();
    process.tag = message->value(u"tag"_s).toString();
    process.user = *user;
    process.workdir = process.cwd.isEmpty() ? homeOf(*user) : resolvePath(process.cwd, *user);
    process.connectTimeoutMs = int(std::min<qint64>(timeoutMs, std::numeric_limits<int>::max()));
    if (process.cmd.isEmpty())
        return streamError(u"invalid_argument"_s, u"exec: no command"_s);
    if (!isDirectory(sandbox, process.workdir))
        return streamError(u"invalid_argument"_s, u"cwd '%1' does not exist"_s.arg(process.workdir));
    QMap<QString, QString> environment = sandbox.envVars; // the sandbox's, overridden by the process's
    environment.insert(process.envs);
    process.port = appPort(environment, process.cmd + u" "_s + process.args.join(u' '));
    process.pid = sandbox.processes.isEmpty() ? 517 : sandbox.processes.constLast().pid + 1;
    sandbox.processes.append(process);

    const QString id = sandbox.id;
    const quint32 pid = process.pid;
    if (timeoutMs == 0) { // envd still starts it (no deadline), but the stream has expired already
        launchApp(id, pid);
        return streamError(u"deadline_exceeded"_s, u"context deadline exceeded"_s);
    }
    FakeHttpResponse head;
    head.contentType = "application/connect+json";
    head.stream = true;
    head.body = processEvent(u"start"_s, QJsonObject{{u"pid"_s, qint64(pid)}});
    reply(exchange, head);
    m_streams.insert(streamKey(id, pid), exchange);
    const int keepaliveSecs = request.header("keepalive-ping-interval").toInt();
    keepAlive(this, exchange, (keepaliveSecs > 0 ? keepaliveSecs : 90) * 1000);
    if (timeoutMs > 0) {
        QTimer::singleShot(int(timeoutMs), Qt::PreciseTimer, this, [this, id, pid] {
            if (Process *expired = running(id, pid))
                endProcess(*alive(id), *expired,
                           endOfStream(u"deadline_exceeded"_s, u"context deadline exceeded"_s));
        });
    }
    launchApp(id, pid);
    return std::nullopt; // the process is not tied to this stream: closing it changes nothing
}

void FakeE2bServer::launchApp(const QString &id, quint32 pid)
{
    Process *process = running(id, pid);
    if (!process || m_appNeverListens)
        return;
    if (m_appExitsImmediately) {
        const QJsonObject end{{u"exitCode"_s, 1}, {u"exited"_s, true}, {u"status"_s, u"exit status 1"_s}};
        endProcess(
            *alive(id), *process,
            processEvent(u"data"_s, QJsonObject{{u"stderr"_s, QString::fromLatin1(kAppCrash.toBase64())}}) +
                processEvent(u"end"_s, end) + endOfStream());
    } else if (m_appStartDelayMs <= 0) {
        process->listening = true;
    } else {
        QTimer::singleShot(m_appStartDelayMs, Qt::PreciseTimer, this, [this, id, pid] {
            if (Process *started = running(id, pid))
                started->listening = true;
        });
    }
}

void FakeE2bServer::endProcess(Sandbox &sandbox, Process &process, const QByteArray &streamTail)
{
    process.running = false;
    process.listening = false;
    if (const quint64 exchange = m_streams.take(streamKey(sandbox.id, process.pid)))
        endStream(exchange, streamTail);
}

FakeHttpResponse FakeE2bServer::listProcesses(const Sandbox &sandbox) const
{
    QJsonArray processes;
    for (const Process &process : sandbox.processes) {
        if (!process.running)
            continue;
        QJsonObject config{{u"cmd"_s, process.cmd}}; // protobuf JSON leaves zero values out
        if (!process.args.isEmpty())
            config.insert(u"args"_s, QJsonArray::fromStringList(process.args));
        if (!process.envs.isEmpty())
            config.insert(u"envs"_s, toJson(process.envs));
        if (!process.cwd.isEmpty())
            config.insert(u"cwd"_s, process.cwd);
        QJsonObject info{{u"config"_s, config}, {u"pid"_s, qint64(process.pid)}};
        if (!process.tag.isEmpty())
            info.insert(u"tag"_s, process.tag);
        processes.append(info);
    }
    return FakeHttpResponse::json(200, processes.isEmpty() ? QJsonObject()
                                                           : QJsonObject{{u"processes"_s, processes}});
}

FakeHttpResponse FakeE2bServer::sendSignal(Sandbox &sandbox, const FakeHttpRequest &request)
{
    const QJsonObject body = request.json().object();
    const QJsonValue signal = body.value(u"signal"_s);
    const bool sigkill = signal == QJsonValue(u"SIGNAL_SIGKILL"_s) || signal == QJsonValue(9);
    if (!sigkill && signal != QJsonValue(u"SIGNAL_SIGTERM"_s) && signal != QJsonValue(15))
        return connectError(u"invalid_argument"_s,
                            u"invalid signal: %1"_s.arg(signal.toVariant().toString()));
    const QJsonObject selector = body.value(u"process"_s).toObject();
    const bool byPid = selector.contains(u"pid"_s);
    const QString wanted =
        byPid ? QString::number(selector.value(u"pid"_s).toInteger()) : selector.value(u"tag"_s).toString();
    const auto it = std::find_if(sandbox.processes.begin(), sandbox.processes.end(), [&](const Process &p) {
        return p.running && (byPid ? QString::number(p.pid) : p.tag) == wanted;
    });
    if (it == sandbox.processes.end())
        return connectError(u"not_found"_s,
                            u"process with %1 %2 not found"_s.arg(byPid ? u"pid"_s : u"tag"_s, wanted));
    // Killed by a signal: exitCode -1, exited false (a zero value, left out).
    const QJsonObject end{{u"exitCode"_s, -1},
                          {u"status"_s, sigkill ? u"signal: killed"_s : u"signal: terminated"_s}};
    endProcess(sandbox, *it, processEvent(u"end"_s, end) + endOfStream());
    return FakeHttpResponse::json(200, QJsonObject());
}

FakeHttpResponse FakeE2bServer::makeDir(Sandbox &sandbox, const FakeHttpRequest &request)
{
    const QString user = *rpcUser(request);
    const QString path = resolvePath(request.json().object().value(u"path"_s).toString(), user);
    if (sandbox.files.contains(path) || !fileAncestor(sandbox, path).isEmpty())
        return connectError(u"invalid_argument"_s,
                            u"path already exists but it is not a directory: %1"_s.arg(path));
    if (isDirectory(sandbox, path))
        return connectError(u"already_exists"_s, u"directory already exists: %1"_s.arg(path));
    sandbox.dirs.insert(path);
    const QJsonObject entry{{u"name"_s, path.section(u'/', -1)},
                            {u"type"_s, u"FILE_TYPE_DIRECTORY"_s},
                            {u"path"_s, path},
                            {u"size"_s, u"4096"_s}, // int64 is a string in protobuf JSON
                            {u"mode"_s, qint64(0x80000000u | 0755u)},
                            {u"permissions"_s, u"drwxr-xr-x"_s},
                            {u"owner"_s, user},
                            {u"group"_s, user},
                            {u"modifiedTime"_s, iso(QDateTime::currentDateTimeUtc())}};
    return FakeHttpResponse::json(200, QJsonObject{{u"entry"_s, entry}});
}
