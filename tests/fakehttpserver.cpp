#include "fakehttpserver.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
constexpr qint64 kMaxBodyBytes = 256LL * 1024 * 1024;

QByteArray reasonPhrase(int status)
{
    static const QMap<int, QByteArray> phrases{
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {302, "Found"},
        {307, "Temporary Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {402, "Payment Required"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {411, "Length Required"},
        {413, "Payload Too Large"},
        {422, "Unprocessable Entity"},
        {429, "Too Many Requests"},
        {500, "Internal Server Error"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {507, "Insufficient Storage"},
    };
    return phrases.value(status, "Status");
}

// Measures the time spent inside the server; nested scopes (reply() from a handler) are counted once.
class BusyScope
{
public:
    BusyScope(qint64 &total, int &depth)
        : m_total(total)
        , m_depth(depth)
    {
        if (m_depth++ == 0)
            m_timer.start();
    }
    ~BusyScope()
    {
        if (--m_depth == 0)
            m_total += m_timer.nsecsElapsed();
    }

private:
    qint64 &m_total;
    int &m_depth;
    QElapsedTimer m_timer;
};

} // namespace

FakeHttpResponse FakeHttpResponse::json(int status, const QJsonValue &value)
{
    FakeHttpResponse response;
    response.status = status;
    response.body = value.isArray() ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)
                                    : QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    return response;
}

FakeHttpResponse FakeHttpResponse::empty(int status)
{
    FakeHttpResponse response;
    response.status = status;
    response.contentType.clear();
    return response;
}

struct FakeHttpServer::Connection
{
    QPointer<QTcpSocket> socket;
    QByteArray in;
    quint64 exchange = 0;  // the request being answered; 0: none
    bool streaming = false;
    std::optional<FakeFault> afterFault; // applied to the deferred answer
};

FakeHttpServer::FakeHttpServer(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FakeHttpServer::onNewConnection);
}

FakeHttpServer::~FakeHttpServer()
{
    for (auto &[socket, connection] : m_connections) {
        if (connection->socket) {
            disconnect(connection->socket, nullptr, this, nullptr);
            connection->socket->abort();
            delete connection->socket;
        }
    }
}

bool FakeHttpServer::listen(quint16 port)
{
    return m_server.listen(QHostAddress::LocalHost, port);
}

quint16 FakeHttpServer::port() const
{
    return m_server.serverPort();
}

QUrl FakeHttpServer::baseUrl() const
{
    return QUrl(u"http://127.0.0.1:%1"_s.arg(port()));
}

void FakeHttpServer::addFault(const FakeFault &fault)
{
    m_faults.append(fault);
}

void FakeHttpServer::clearFaults()
{
    m_faults.clear();
}

QStringList FakeHttpServer::requestLog() const
{
    QStringList log;
    for (const FakeHttpRequest &request : m_requests)
        log << QString::fromLatin1(request.method + ' ' + request.path);
    return log;
}

int FakeHttpServer::count(const QByteArray &method, const QRegularExpression &path) const
{
    return int(std::count_if(m_requests.cbegin(), m_requests.cend(), [&](const FakeHttpRequest &r) {
        return (method.isEmpty() || r.method == method) && path.match(QString::fromUtf8(r.path)).hasMatch();
    }));
}

void FakeHttpServer::onNewConnection()
{
    BusyScope busy(m_busyNs, m_busyDepth);
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        auto connection = std::make_unique<Connection>();
        connection->socket = socket;
        Connection &c = *connection;
        // As real API servers (Go net/http sets TCP_NODELAY): without it the body of an answer written after
        // its head waits for the client's delayed ACK (40 ms) on a reused connection.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_connections[socket] = std::move(connection);
        connect(socket, &QTcpSocket::readyRead, this, [this, &c] { onReadyRead(c); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            auto it = m_connections.find(socket);
            if (it == m_connections.end())
                return;
            disconnect(socket, nullptr, this, nullptr);
            m_connections.erase(it);
            socket->deleteLater();
        });
    }
}

void FakeHttpServer::onReadyRead(Connection &c)
{
    BusyScope busy(m_busyNs, m_busyDepth);
    if (!c.socket)
        return;
    c.in += c.socket->readAll();
    // One request at a time per connection; a pipelined one waits until the current one is answered.
    // A dropped connection (abort() emits disconnected() at once) erases `c`: check it still exists first.
    QTcpSocket *const socket = c.socket;
    while (m_connections.count(socket) && c.socket && c.exchange == 0 && takeRequest(c)) {
    }
}

bool FakeHttpServer::takeRequest(Connection &c)
{
    const qsizetype headerEnd = c.in.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        if (c.in.size() > kMaxHeaderBytes)
            c.socket->abort();
        return false;
    }
    FakeHttpRequest request;
    const QList<QByteArray> lines = c.in.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")) {
        c.socket->abort();
        return false;
    }
    request.method = requestLine.at(0);
    const QByteArray target = requestLine.at(1);
    const qsizetype question = target.indexOf('?');
    request.path = QByteArray::fromPercentEncoding(question < 0 ? target : target.left(question));
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
    QByteArray host = request.headers.value("host").toLower();
    if (const qsizetype colon = host.lastIndexOf(':'); colon >= 0 && !host.endsWith(']'))
        host.truncate(colon);
    request.host = QString::fromLatin1(host);

    bool lengthOk = true;
    const qint64 length = request.headers.value("content-length", "0").toLongLong(&lengthOk);
    if (!lengthOk || length < 0 || length > kMaxBodyBytes ||
        request.headers.value("transfer-encoding").contains("chunked")) {
        c.exchange = ++m_nextExchange;
        send(c, FakeHttpResponse::json(400, QJsonObject{{u"code"_s, 400}, {u"message"_s, u"bad body length"_s}}));
        return false;
    }
    if (c.in.size() - (headerEnd + 4) < length)
        return false; // more body to come
    request.body = c.in.mid(headerEnd + 4, length);
    c.in.remove(0, headerEnd + 4 + length);
    request.serial = ++m_serial;
    c.exchange = ++m_nextExchange;
    dispatch(c, std::move(request));
    return true;
}

void FakeHttpServer::dispatch(Connection &c, FakeHttpRequest request)
{
    m_requests.append(request);
    emit requestReceived(request);
    if (!c.socket)
        return;
    std::optional<FakeFault> fault = takeFault(request);
    if (!fault) {
        process(c, request, std::nullopt);
        return;
    }
    switch (fault->kind) {
    case FakeFault::Kind::Answer:
        send(c, fault->response);
        return;
    case FakeFault::Kind::Drop:
        c.socket->abort();
        return;
    case FakeFault::Kind::Stall:
        return; // c.exchange stays set: nothing more is read or answered on this connection
    case FakeFault::Kind::Delay: {
        QPointer<QTcpSocket> socket = c.socket;
        const quint64 exchange = c.exchange;
        QTimer::singleShot(fault->delayMs, this, [this, socket, exchange, request] {
            Connection *connection = find(exchange);
            if (socket && connection)
                process(*connection, request, std::nullopt);
        });
        return;
    }
    case FakeFault::Kind::DropAfterHandling:
    case FakeFault::Kind::AnswerAfterHandling:
    case FakeFault::Kind::MalformedAfterHandling:
        process(c, request, fault);
        return;
    }
}

void FakeHttpServer::process(Connection &c, const FakeHttpRequest &request, std::optional<FakeFault> after)
{
    const quint64 exchange = c.exchange;
    c.afterFault = std::move(after);
    std::optional<FakeHttpResponse> response = handle(request, exchange);
    if (response && find(exchange))
        reply(exchange, *response);
}

void FakeHttpServer::reply(quint64 exchange, const FakeHttpResponse &response)
{
    BusyScope busy(m_busyNs, m_busyDepth);
    Connection *c = find(exchange);
    if (!c || c->streaming)
        return;
    FakeHttpResponse answer = response;
    if (std::optional<FakeFault> fault = std::exchange(c->afterFault, std::nullopt)) {
        if (fault->kind == FakeFault::Kind::DropAfterHandling) {
            c->socket->abort();
            return;
        }
        if (fault->kind == FakeFault::Kind::AnswerAfterHandling)
            answer = fault->response;
        else if (fault->kind == FakeFault::Kind::MalformedAfterHandling)
            answer.body.truncate(answer.body.size() / 2);
    }
    send(*c, std::move(answer));
}

void FakeHttpServer::send(Connection &c, FakeHttpResponse response)
{
    if (!c.socket)
        return;
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) +
                      "\r\n";
    if (!response.contentType.isEmpty())
        head += "content-type: " + response.contentType + "\r\n";
    head += response.stream ? QByteArray("transfer-encoding: chunked\r\n")
                            : "content-length: " + QByteArray::number(response.body.size()) + "\r\n";
    for (const auto &[name, value] : std::as_const(response.headers))
        head += name + ": " + value + "\r\n";
    head += "\r\n";
    c.socket->write(head);
    if (response.stream) {
        c.streaming = true;
        if (!response.body.isEmpty())
            c.socket->write(QByteArray::number(response.body.size(), 16) + "\r\n" + response.body + "\r\n");
        return;
    }
    c.socket->write(response.body);
    c.exchange = 0;
    if (!c.in.isEmpty()) { // a pipelined request waited for this answer
        QPointer<QTcpSocket> socket = c.socket;
        QTimer::singleShot(0, this, [this, socket] {
            if (!socket)
                return;
            const auto it = m_connections.find(socket.data());
            if (it != m_connections.end())
                onReadyRead(*it->second);
        });
    }
}

void FakeHttpServer::writeToStream(quint64 exchange, const QByteArray &data)
{
    BusyScope busy(m_busyNs, m_busyDepth);
    Connection *c = find(exchange);
    if (!c || !c->streaming || data.isEmpty())
        return;
    c->socket->write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
}

void FakeHttpServer::endStream(quint64 exchange, const QByteArray &last)
{
    writeToStream(exchange, last);
    Connection *c = find(exchange);
    if (!c || !c->streaming)
        return;
    c->socket->write("0\r\n\r\n");
    c->streaming = false;
    c->exchange = 0;
}

bool FakeHttpServer::exchangeOpen(quint64 exchange) const
{
    return find(exchange) != nullptr;
}

FakeHttpServer::Connection *FakeHttpServer::find(quint64 exchange) const
{
    if (exchange == 0)
        return nullptr;
    for (const auto &[socket, connection] : m_connections) {
        if (connection->exchange == exchange && connection->socket &&
            connection->socket->state() == QAbstractSocket::ConnectedState)
            return connection.get();
    }
    return nullptr;
}

std::optional<FakeFault> FakeHttpServer::takeFault(const FakeHttpRequest &request)
{
    for (qsizetype i = 0; i < m_faults.size(); ++i) {
        FakeFault &fault = m_faults[i];
        if (!fault.method.isEmpty() && fault.method != request.method)
            continue;
        if (!fault.host.isEmpty() && fault.host != request.host)
            continue;
        if (!fault.path.pattern().isEmpty() && !fault.path.match(QString::fromUtf8(request.path)).hasMatch())
            continue;
        FakeFault taken = fault;
        if (--fault.times <= 0)
            m_faults.removeAt(i);
        return taken;
    }
    return std::nullopt;
}
