#include "fakeanthropic.h"

#include <functional>

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
constexpr qint64 kMaxRequestBytes = 32LL * 1024 * 1024; // the API's limit for Messages (anthropic.md §2)
constexpr qint64 kDefaultWriteBytes = 64 * 1024;
constexpr qint64 kMaxQueuedBytes = 1024 * 1024; // flow control: wait for the socket to drain beyond this

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 307:
        return "Temporary Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 402:
        return "Payment Required";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 529:
        return "Overloaded";
    default:
        return "Status";
    }
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// A JSON string literal, quotes included.
QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

QByteArray event(QByteArrayView name, const QByteArray &data)
{
    return "event: " + name.toByteArray() + "\ndata: " + data + "\n\n";
}

// Text in a few deltas, cut at spaces so every piece is whole characters.
QList<QString> textPieces(const QString &text, int pieces)
{
    QList<QString> result;
    qsizetype start = 0;
    const qsizetype step = std::max<qsizetype>(1, text.size() / pieces);
    while (start < text.size()) {
        qsizetype end = std::min(text.size(), start + step);
        const qsizetype space = text.indexOf(u' ', end);
        end = space < 0 ? text.size() : space + 1;
        result.append(text.mid(start, end - start));
        start = end;
    }
    return result;
}

QByteArray messageStart(const FakeStreams::Options &o, int serial)
{
    const TokenUsage &u = o.usage;
    return event(
        "message_start",
        R"({"type":"message_start","message":{"id":"msg_01FakeAnswer)" + QByteArray::number(serial) +
            R"(","type":"message","role":"assistant","model":)" + jsonString(o.model) +
            R"(,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":)" +
            QByteArray::number(u.inputTokens) + R"(,"cache_creation_input_tokens":)" +
            QByteArray::number(u.cacheWriteTokens + u.cacheWrite1hTokens) + R"(,"cache_read_input_tokens":)" +
            QByteArray::number(u.cacheReadTokens) + R"(,"cache_creation":{"ephemeral_5m_input_tokens":)" +
            QByteArray::number(u.cacheWriteTokens) + R"(,"ephemeral_1h_input_tokens":)" +
            QByteArray::number(u.cacheWrite1hTokens) + R"(},"output_tokens":2,"service_tier":"standard"}}})");
}

QByteArray messageEnd(const QString &stopReason, qint64 outputTokens)
{
    return event("message_delta", R"({"type":"message_delta","delta":{"stop_reason":)" +
                                      jsonString(stopReason) +
                                      R"(,"stop_sequence":null},"usage":{"output_tokens":)" +
                                      QByteArray::number(outputTokens) + "}}") +
           event("message_stop", R"({"type":"message_stop"})");
}

QByteArray blockStop(int index)
{
    return event("content_block_stop",
                 R"({"type":"content_block_stop","index":)" + QByteArray::number(index) + "}");
}

QByteArray textBlock(int index, const QString &text)
{
    QByteArray out =
        event("content_block_start", R"({"type":"content_block_start","index":)" + QByteArray::number(index) +
                                         R"(,"content_block":{"type":"text","text":""}})");
    for (const QString &piece : textPieces(text, 4))
        out += event("content_block_delta",
                     R"({"type":"content_block_delta","index":)" + QByteArray::number(index) +
                         R"(,"delta":{"type":"text_delta","text":)" + jsonString(piece) + "}}");
    return out + blockStop(index);
}

QByteArray ping()
{
    return event("ping", R"({"type": "ping"})");
}

int nextSerial()
{
    static int serial = 0;
    return ++serial;
}

} // namespace

// ---------------------------------------------------------------------------------------------------------

struct FakeAnthropicServer::Connection
{
    QPointer<QTcpSocket> socket;
    QByteArray in;
    bool answered = false; // one request per connection: Connection: close
    // The response body being written.
    FakeReply reply;
    bool chunked = false;
    qint64 sent = 0; // body bytes written
    bool writing = false;
    bool waitingForDrain = false;
    bool stalled = false;
};

FakeAnthropicServer::FakeAnthropicServer(QObject *parent)
    : QObject(parent)
    , m_models(FakeStreams::defaultModels())
{
    m_defaultReply.body = FakeStreams::textAnswer(u"Hello from the fake Anthropic server."_s);
    connect(&m_server, &QTcpServer::newConnection, this, &FakeAnthropicServer::onNewConnection);
}

FakeAnthropicServer::~FakeAnthropicServer()
{
    for (auto &[socket, connection] : m_connections) {
        if (connection->socket) {
            disconnect(connection->socket, nullptr, this, nullptr);
            connection->socket->abort();
            delete connection->socket;
        }
    }
}

bool FakeAnthropicServer::listen(quint16 port)
{
    return m_server.listen(QHostAddress::LocalHost, port);
}

QUrl FakeAnthropicServer::baseUrl() const
{
    return QUrl(u"http://127.0.0.1:%1"_s.arg(m_server.serverPort()));
}

quint16 FakeAnthropicServer::port() const
{
    return m_server.serverPort();
}

void FakeAnthropicServer::setApiKey(const QString &key)
{
    m_apiKey = key;
}

void FakeAnthropicServer::enqueue(const FakeReply &reply)
{
    m_queue.append(reply);
}

void FakeAnthropicServer::setDefaultReply(const FakeReply &r)
{
    m_defaultReply = r;
}

void FakeAnthropicServer::setModels(const QJsonArray &models)
{
    m_models = models;
}

void FakeAnthropicServer::setModelsPageLimit(int limit)
{
    m_modelsPageLimit = std::max(1, limit);
}

void FakeAnthropicServer::enqueueModelsReply(const FakeReply &reply)
{
    m_modelsQueue.append(reply);
}

void FakeAnthropicServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        auto connection = std::make_unique<Connection>();
        connection->socket = socket;
        Connection &c = *connection;
        m_connections[socket] = std::move(connection);
        connect(socket, &QTcpSocket::readyRead, this, [this, &c] { onReadyRead(c); });
        connect(socket, &QTcpSocket::bytesWritten, this, [this, &c] {
            if (c.waitingForDrain && c.socket && c.socket->bytesToWrite() < kMaxQueuedBytes / 4) {
                c.waitingForDrain = false;
                writeMore(c);
            }
        });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            auto it = m_connections.find(socket);
            if (it == m_connections.end())
                return;
            disconnect(socket, nullptr, this, nullptr); // the lambdas above hold a reference to the state
            m_connections.erase(it); // timers scheduled for it check the socket pointer first
            socket->deleteLater();
        });
    }
}

void FakeAnthropicServer::onReadyRead(Connection &c)
{
    if (!c.socket)
        return;
    c.in += c.socket->readAll();
    if (c.answered)
        return;
    const qsizetype headerEnd = c.in.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        if (c.in.size() > kMaxHeaderBytes)
            close(c);
        return;
    }

    Request request;
    const QList<QByteArray> lines = c.in.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")) {
        close(c);
        return;
    }
    request.method = requestLine.at(0);
    const QByteArray target = requestLine.at(1);
    const qsizetype question = target.indexOf('?');
    request.path = question < 0 ? target : target.left(question);
    if (question >= 0)
        request.query = QUrlQuery(QString::fromUtf8(target.mid(question + 1)));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        request.headers[name] = request.headers.contains(name) ? request.headers[name] + ", " + value : value;
    }

    const QByteArray requestId =
        "req_011CFake" + QByteArray::number(++m_requestCounter).rightJustified(8, '0');
    if (request.headers.value("transfer-encoding").toLower().contains("chunked")) {
        c.answered = true;
        respondError(c, 411, u"invalid_request_error"_s, u"chunked request bodies are not supported"_s,
                     requestId);
        return;
    }
    bool lengthOk = true;
    const qint64 length = request.headers.value("content-length", "0").toLongLong(&lengthOk);
    if (!lengthOk || length < 0) {
        c.answered = true;
        respondError(c, 400, u"invalid_request_error"_s, u"invalid content-length"_s, requestId);
        return;
    }
    if (length > kMaxRequestBytes) {
        c.answered = true; // Cloudflare answers before the API sees the body
        respondError(c, 413, u"request_too_large"_s,
                     u"Request exceeds the maximum allowed number of bytes."_s, requestId);
        return;
    }
    if (c.in.size() - (headerEnd + 4) < length)
        return; // more body to come
    request.body = c.in.mid(headerEnd + 4, length);
    c.answered = true;
    c.in.clear();
    const QJsonDocument document = QJsonDocument::fromJson(request.body);
    if (document.isObject())
        request.json = document.object();

    m_requests.append(request);
    emit requestReceived();
    if (!c.socket)
        return;

    int status = 0;
    if (const QString problem = authProblem(request, &status); !problem.isEmpty()) {
        respondError(c, status, status == 401 ? u"authentication_error"_s : u"invalid_request_error"_s,
                     problem, requestId);
        return;
    }
    if (request.path == "/v1/messages") {
        if (request.method != "POST") {
            respondError(c, 405, u"invalid_request_error"_s, u"Method Not Allowed"_s, requestId);
            return;
        }
        if (const QString problem = messagesProblem(request); !problem.isEmpty()) {
            respondError(c, 400, u"invalid_request_error"_s, problem, requestId);
            return;
        }
        respond(c, m_queue.isEmpty() ? m_defaultReply : m_queue.takeFirst(), requestId);
        return;
    }
    if (request.method == "GET" && (request.path == "/v1/models" || request.path.startsWith("/v1/models/"))) {
        answerModels(c, request, requestId);
        return;
    }
    respondError(c, 404, u"not_found_error"_s, u"Not Found"_s, requestId);
}

QString FakeAnthropicServer::authProblem(const Request &request, int *status) const
{
    const QByteArray key = request.headers.value("x-api-key");
    *status = 401;
    if (key.isEmpty())
        return u"x-api-key header is required"_s;
    if (!m_apiKey.isEmpty() && key != m_apiKey.toUtf8())
        return u"invalid x-api-key"_s;
    *status = 400;
    const QByteArray version = request.headers.value("anthropic-version");
    if (version.isEmpty())
        return u"anthropic-version: header is required"_s;
    if (version != "2023-06-01" && version != "2026-10-21")
        return u"anthropic-version: invalid version “%1”"_s.arg(QString::fromUtf8(version));
    return {};
}

QString FakeAnthropicServer::messagesProblem(const Request &request) const
{
    if (!request.headers.value("content-type").toLower().startsWith("application/json"))
        return u"Content-Type must be application/json"_s;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError)
        return u"There was an error parsing the body of your request: %1"_s.arg(error.errorString());
    if (!document.isObject())
        return u"The request body must be a JSON object"_s;
    const QJsonObject body = document.object();
    if (!body.value(u"model"_s).isString())
        return body.contains(u"model"_s) ? u"model: Input should be a valid string"_s
                                         : u"model: Field required"_s;
    const QJsonValue maxTokens = body.value(u"max_tokens"_s);
    if (!body.contains(u"max_tokens"_s))
        return u"max_tokens: Field required"_s;
    if (!maxTokens.isDouble() || maxTokens.toDouble() != double(maxTokens.toInteger()) ||
        maxTokens.toInteger() < 0)
        return u"max_tokens: Input should be a valid integer"_s;
    if (!body.contains(u"messages"_s))
        return u"messages: Field required"_s;
    if (!body.value(u"messages"_s).isArray())
        return u"messages: Input should be a valid list"_s;
    const QJsonArray messages = body.value(u"messages"_s).toArray();
    if (messages.isEmpty())
        return u"messages: at least one message is required"_s;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QString role = messages.at(i).toObject().value(u"role"_s).toString();
        // Claude 5 models also take inline system turns (anthropic.md §3).
        if (role != "user"_L1 && role != "assistant"_L1 && role != "system"_L1)
            return u"messages.%1.role: Input should be 'user', 'assistant' or 'system'"_s.arg(i);
        if (!messages.at(i).toObject().contains(u"content"_s))
            return u"messages.%1.content: Field required"_s.arg(i);
    }
    if (request.headers.value("anthropic-version") == "2026-10-21") {
        for (const QString &removed : {u"temperature"_s, u"top_p"_s, u"top_k"_s}) {
            if (body.contains(removed))
                return u"%1: This parameter is not supported with anthropic-version 2026-10-21. Remove it "
                       u"from "
                       "the request."_s.arg(removed);
        }
    }
    const QString toolChoice = body.value(u"tool_choice"_s).toObject().value(u"type"_s).toString();
    if (toolChoice == "any"_L1 || toolChoice == "tool"_L1)
        return u"tool_choice: forced tool use ('%1') is not supported with this model; use 'auto' or 'none'."_s
            .arg(toolChoice);
    if (body.value(u"stream"_s) != QJsonValue(true))
        return u"stream: this fake server only answers streaming requests (\"stream\": true)"_s;
    return {};
}

void FakeAnthropicServer::answerModels(Connection &c, const Request &request, const QByteArray &requestId)
{
    if (request.path == "/v1/models" && !m_modelsQueue.isEmpty()) {
        respond(c, m_modelsQueue.takeFirst(), requestId);
        return;
    }
    FakeReply reply;
    reply.contentType = "application/json";
    if (request.path != "/v1/models") {
        const QString id = QString::fromUtf8(QByteArray::fromPercentEncoding(request.path.mid(11)));
        for (const QJsonValue &model : std::as_const(m_models)) {
            if (model.toObject().value(u"id"_s).toString() == id) {
                reply.body = compact(model.toObject());
                respond(c, reply, requestId);
                return;
            }
        }
        respondError(c, 404, u"not_found_error"_s, u"model: %1"_s.arg(id), requestId);
        return;
    }

    bool ok = true;
    const QString limitText = request.query.queryItemValue(u"limit"_s);
    const int limit = limitText.isEmpty() ? 20 : limitText.toInt(&ok);
    if (!ok || limit < 1 || limit > 1000) {
        respondError(c, 400, u"invalid_request_error"_s, u"limit: Input should be between 1 and 1000"_s,
                     requestId);
        return;
    }
    const auto indexOf = [this](const QString &id) {
        for (qsizetype i = 0; i < m_models.size(); ++i) {
            if (m_models.at(i).toObject().value(u"id"_s).toString() == id)
                return i;
        }
        return qsizetype(-1);
    };
    qsizetype first = 0;
    qsizetype last = m_models.size(); // exclusive
    const QString afterId = request.query.queryItemValue(u"after_id"_s);
    const QString beforeId = request.query.queryItemValue(u"before_id"_s);
    if (!afterId.isEmpty()) {
        const qsizetype at = indexOf(afterId);
        if (at < 0) {
            respondError(c, 400, u"invalid_request_error"_s, u"after_id: no model “%1”"_s.arg(afterId),
                         requestId);
            return;
        }
        first = at + 1;
    }
    const qsizetype pageSize = std::min(limit, m_modelsPageLimit);
    bool hasMore = false;
    if (!beforeId.isEmpty()) {
        const qsizetype at = indexOf(beforeId);
        if (at < 0) {
            respondError(c, 400, u"invalid_request_error"_s, u"before_id: no model “%1”"_s.arg(beforeId),
                         requestId);
            return;
        }
        last = at;
        first = std::max(first, last - pageSize);
        hasMore = first > 0;
    } else {
        hasMore = last - first > pageSize;
        last = std::min(last, first + pageSize);
    }
    QJsonArray data;
    for (qsizetype i = first; i < last; ++i)
        data.append(m_models.at(i));
    const QJsonObject page{
        {u"data"_s, data},
        {u"has_more"_s, hasMore},
        {u"first_id"_s, data.isEmpty() ? QJsonValue() : data.first().toObject().value(u"id"_s)},
        {u"last_id"_s, data.isEmpty() ? QJsonValue() : data.last().toObject().value(u"id"_s)},
    };
    reply.body = compact(page);
    respond(c, reply, requestId);
}

void FakeAnthropicServer::respondError(Connection &c, int status, const QString &type, const QString &message,
                                       const QByteArray &requestId)
{
    FakeReply reply;
    reply.status = status;
    reply.contentType = "application/json";
    reply.body = FakeStreams::errorBody(type, message);
    respond(c, reply, requestId);
}

void FakeAnthropicServer::respond(Connection &c, FakeReply reply, const QByteArray &requestId)
{
    if (!c.socket)
        return;
    if (reply.silent)
        return; // the client waits for headers that never come
    QByteArray id = requestId;
    for (const auto &[name, value] : std::as_const(reply.headers)) {
        if (name.toLower() == "request-id")
            id = value;
    }

    QByteArray head;
    if (reply.redirectTo.isValid()) {
        head = "HTTP/1.1 307 Temporary Redirect\r\nlocation: " + reply.redirectTo.toEncoded() +
               "\r\nrequest-id: " + id + "\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
        c.socket->write(head);
        c.socket->disconnectFromHost();
        return;
    }
    // Error bodies name their request like the real ones do.
    if (reply.status >= 400 && reply.repeatCount == 0 && reply.body.size() < 64 * 1024) {
        const QJsonObject body = QJsonDocument::fromJson(reply.body).object();
        if (body.value(u"type"_s) == "error"_L1 && !body.contains(u"request_id"_s)) {
            // Appended as text, so the body keeps the API's key order.
            reply.body = reply.body.trimmed();
            reply.body.chop(1);
            reply.body += R"(,"request_id":)" + jsonString(QString::fromLatin1(id)) + "}";
        }
    }

    c.chunked =
        reply.status >= 200 && reply.status < 300 && reply.contentType.startsWith("text/event-stream");
    head = "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' + reasonPhrase(reply.status) +
           "\r\nrequest-id: " + id + "\r\ncontent-type: " + reply.contentType + "\r\n";
    head += c.chunked ? QByteArray("transfer-encoding: chunked\r\ncache-control: no-cache\r\n")
                      : "content-length: " + QByteArray::number(reply.bodySize()) + "\r\n";
    for (const auto &[name, value] : std::as_const(reply.headers)) {
        if (name.toLower() != "request-id")
            head += name + ": " + value + "\r\n";
    }
    head += "connection: close\r\n\r\n";
    c.socket->write(head);
    c.reply = std::move(reply);
    c.sent = 0;
    c.writing = true;
    writeMore(c);
}

void FakeAnthropicServer::writeMore(Connection &c)
{
    if (!c.socket || !c.writing || c.socket->state() != QAbstractSocket::ConnectedState)
        return;
    const FakeReply &reply = c.reply;
    const qint64 total = reply.bodySize();
    if (reply.dropAt >= 0 && c.sent >= reply.dropAt) {
        c.writing = false;
        c.socket->disconnectFromHost(); // what was written still goes out, then FIN: no end of body
        return;
    }
    if (reply.stallAt >= 0 && c.sent >= reply.stallAt) {
        c.writing = false;
        c.stalled = true;
        return;
    }
    if (c.sent >= total) {
        c.writing = false;
        if (c.chunked)
            c.socket->write("0\r\n\r\n");
        c.socket->disconnectFromHost();
        return;
    }

    qint64 end = std::min(total, c.sent + (reply.chunkSize > 0 ? reply.chunkSize : kDefaultWriteBytes));
    if (reply.dropAt >= 0)
        end = std::min<qint64>(end, reply.dropAt);
    if (reply.stallAt >= 0)
        end = std::min<qint64>(end, reply.stallAt);

    // The piece [sent, end) of body + repeat×repeatCount + tail, made on the fly.
    QByteArray piece;
    piece.reserve(end - c.sent);
    qint64 at = c.sent;
    while (at < end) {
        if (at < reply.body.size()) {
            const qint64 n = std::min<qint64>(end, reply.body.size()) - at;
            piece.append(QByteArrayView(reply.body).sliced(at, n));
            at += n;
            continue;
        }
        const qint64 repeatBytes = reply.repeat.size() * reply.repeatCount;
        const qint64 inRepeat = at - reply.body.size();
        if (inRepeat < repeatBytes) {
            const qint64 offset = inRepeat % reply.repeat.size();
            const qint64 n = std::min<qint64>(end - at, reply.repeat.size() - offset);
            piece.append(QByteArrayView(reply.repeat).sliced(offset, n));
            at += n;
            continue;
        }
        const qint64 offset = inRepeat - repeatBytes;
        const qint64 n = end - at;
        piece.append(QByteArrayView(reply.tail).sliced(offset, n));
        at += n;
    }
    const qint64 n = piece.size();
    c.sent = end;
    m_bodyBytesSent += n;
    if (c.chunked)
        c.socket->write(QByteArray::number(n, 16) + "\r\n" + piece + "\r\n");
    else
        c.socket->write(piece);
    if (reply.chunkSize > 0)
        c.socket->flush(); // each chunk its own segment, as far as the kernel lets us

    if (c.socket->bytesToWrite() > kMaxQueuedBytes) {
        c.waitingForDrain = true;
        return;
    }
    QPointer<QTcpSocket> socket = c.socket;
    QTimer::singleShot(reply.chunkDelayMs, this, [this, socket] {
        if (!socket)
            return;
        const auto it = m_connections.find(socket.data());
        if (it != m_connections.end())
            writeMore(*it->second);
    });
}

void FakeAnthropicServer::close(Connection &c)
{
    if (c.socket)
        c.socket->disconnectFromHost();
}

// ---------------------------------------------------------------------------------------------------------

namespace FakeStreams {

namespace {

// Compact JSON with the keys of `order` first, in that order, then the rest as QJsonDocument sorts them.
QByteArray orderedJson(const QJsonObject &object, const QStringList &order,
                       const std::function<QByteArray(const QString &, const QJsonValue &)> &value)
{
    QStringList keys = order;
    keys.erase(
        std::remove_if(keys.begin(), keys.end(), [&](const QString &k) { return !object.contains(k); }),
        keys.end());
    for (const QString &key : object.keys()) {
        if (!keys.contains(key))
            keys << key;
    }
    QByteArray out = "{";
    for (const QString &key : keys) {
        if (out.size() > 1)
            out += ',';
        const QByteArray name = QJsonDocument(QJsonArray{key}).toJson(QJsonDocument::Compact);
        out += name.mid(1, name.size() - 2) + ':' + value(key, object.value(key));
    }
    return out + '}';
}

QByteArray compact(const QJsonValue &value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

} // namespace

QByteArray toolInputJson(const QJsonObject &toolInput)
{
    // In the order of the write_app schema, as grammar-constrained sampling writes it: a file's path comes
    // before its content, so a client can open the file while its content streams.
    return orderedJson(
        toolInput, {u"title"_s, u"runtime"_s, u"start_command"_s, u"port"_s, u"files"_s},
        [](const QString &key, const QJsonValue &value) -> QByteArray {
            if (key != "files"_L1 || !value.isArray())
                return compact(value);
            QByteArray files = "[";
            for (const QJsonValue &file : value.toArray()) {
                if (files.size() > 1)
                    files += ',';
                files += file.isObject()
                             ? orderedJson(file.toObject(), {u"path"_s, u"content"_s},
                                           [](const QString &, const QJsonValue &v) { return compact(v); })
                             : compact(file);
            }
            return files + ']';
        });
}

QList<QByteArray> toolInputFragments(const QByteArray &input, int fragmentBytes)
{
    QList<QByteArray> fragments{QByteArray()}; // the API's first fragment is often empty
    const qsizetype size = input.size();
    qsizetype start = 0;
    while (start < size) {
        qsizetype end = std::min(size, start + std::max(1, fragmentBytes));
        // Prefer to cut inside an escape: just after a backslash that follows closely.
        for (qsizetype k = end; k < std::min(size, end + 8); ++k) {
            if (input.at(k) == '\\') {
                end = k + 1;
                break;
            }
        }
        // Never inside a UTF-8 sequence (partial_json is a string of whole characters).
        while (end < size && (uchar(input.at(end)) & 0xC0) == 0x80)
            ++end;
        fragments.append(input.mid(start, end - start));
        start = end;
    }
    return fragments;
}

QByteArray toolAnswer(const QString &commentary, const QJsonObject &toolInput, const Options &o)
{
    const int serial = nextSerial();
    QByteArray out = messageStart(o, serial);
    int index = 0;
    if (o.pings)
        out += ping();
    if (o.thinking) {
        out += event(
            "content_block_start",
            R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}})");
        out += event("content_block_delta",
                     R"({"type":"content_block_delta","index":0,"delta":)"
                     R"({"type":"thinking_delta","thinking":"A single static page fits, "}})");
        out += event(
            "content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"no server needed."}})");
        out += event(
            "content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCkYIBhgCIkB2c2lnbmF0dXJlLWJsb2I..."}})");
        out += blockStop(0);
        ++index;
    }
    if (o.unknownEvent)
        out += event(
            "content_block_annotation",
            R"({"type":"content_block_annotation","note":"an event type added without a version bump"})");
    if (!commentary.isEmpty()) {
        out += textBlock(index, commentary);
        ++index;
    }
    if (o.pings)
        out += ping();

    const QByteArray indexText = QByteArray::number(index);
    out +=
        event("content_block_start", R"({"type":"content_block_start","index":)" + indexText +
                                         R"(,"content_block":{"type":"tool_use","id":"toolu_01FakeTool)" +
                                         QByteArray::number(serial) + R"(","name":"write_app","input":{}}})");
    for (const QByteArray &fragment : toolInputFragments(toolInputJson(toolInput), o.fragmentBytes))
        out += event("content_block_delta", R"({"type":"content_block_delta","index":)" + indexText +
                                                R"(,"delta":{"type":"input_json_delta","partial_json":)" +
                                                jsonString(QString::fromUtf8(fragment)) + "}}");
    out += blockStop(index);
    return out + messageEnd(o.stopReason, o.usage.outputTokens);
}

QByteArray textAnswer(const QString &text, const QString &stopReason)
{
    Options o;
    o.usage.outputTokens = std::max<qint64>(1, text.size() / 4);
    QByteArray out = messageStart(o, nextSerial());
    out += textBlock(0, text);
    return out + messageEnd(stopReason, o.usage.outputTokens);
}

QByteArray withErrorEvent(QByteArray streamPrefix, const QString &type, const QString &message)
{
    return streamPrefix + event("error", errorBody(type, message));
}

QByteArray firstEvents(const QByteArray &stream, int count)
{
    qsizetype end = 0;
    for (int i = 0; i < count; ++i) {
        const qsizetype blank = stream.indexOf("\n\n", end);
        if (blank < 0)
            return stream;
        end = blank + 2;
    }
    return stream.left(end);
}

QByteArray errorBody(const QString &type, const QString &message, const QJsonObject &details)
{
    // Key order as the API writes it.
    const QByteArray inner = R"({"type":)" + jsonString(type) + R"(,"message":)" + jsonString(message) +
                             (details.isEmpty() ? QByteArray() : R"(,"details":)" + compact(details)) + "}";
    return R"({"type":"error","error":)" + inner + "}";
}

FakeReply errorReply(int status, const QString &type, const QString &message,
                     QList<std::pair<QByteArray, QByteArray>> headers)
{
    FakeReply reply;
    reply.status = status;
    reply.contentType = "application/json";
    reply.body = errorBody(type, message);
    reply.headers = std::move(headers);
    return reply;
}

QJsonArray defaultModels()
{
    const auto model = [](const QString &id, const QString &name, const QString &created, qint64 maxInput,
                          qint64 maxOutput) {
        return QJsonObject{{u"type"_s, u"model"_s},           {u"id"_s, id},
                           {u"display_name"_s, name},         {u"created_at"_s, created},
                           {u"max_input_tokens"_s, maxInput}, {u"max_tokens"_s, maxOutput}};
    };
    return {
        model(u"claude-fable-5-2"_s, u"Claude Fable 5.2"_s, u"2026-11-09T00:00:00Z"_s, 1000000, 128000),
        model(u"claude-haiku-5-5"_s, u"Claude Haiku 5.5"_s, u"2026-10-07T00:00:00Z"_s, 1000000, 128000),
        model(u"claude-sonnet-5-5"_s, u"Claude Sonnet 5.5"_s, u"2026-09-28T00:00:00Z"_s, 1000000, 128000),
        model(u"claude-opus-5-5"_s, u"Claude Opus 5.5"_s, u"2026-09-22T00:00:00Z"_s, 1000000, 128000),
        model(u"claude-haiku-4-5"_s, u"Claude Haiku 4.5"_s, u"2025-10-01T00:00:00Z"_s, 200000, 64000),
    };
}

QJsonObject sampleApp()
{
    const QString html = u"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Pomodoro</title>"
                         "<script src=\"app.js\" defer></script></head>\n<body><h1 id=\"t\">25:00</h1>"
                         "<p>Fokus — Pause · 集中 🍅</p></body></html>\n"_s;
    const QString js = u"let s = 1500;\nsetInterval(() => {\n\ts--;\n\tt.textContent = `${(s / 60) | 0}:"
                       "${String(s % 60).padStart(2, '0')}`;\n}, 1000); // \"quotes\" and \\ backslashes\n"_s;
    return {{u"title"_s, u"Pomodoro Timer"_s},
            {u"runtime"_s, u"static"_s},
            {u"start_command"_s, u""_s},
            {u"port"_s, 8000},
            {u"files"_s, QJsonArray{QJsonObject{{u"path"_s, u"index.html"_s}, {u"content"_s, html}},
                                    QJsonObject{{u"path"_s, u"app.js"_s}, {u"content"_s, js}}}}};
}

} // namespace FakeStreams
