#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QList>
#include <QMap>
#include <QObject>
#include <QRegularExpression>
#include <QString>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

#include <map>
#include <memory>
#include <optional>
#include <utility>

struct FakeHttpRequest
{
    int serial = 0; // 1, 2, … in arrival order
    QByteArray method;
    QByteArray path; // percent-decoded, without the query
    QUrlQuery query;
    QString host; // from the Host header: lower case, without the port
    QMap<QByteArray, QByteArray> headers; // names lower-cased
    QByteArray body;

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    QJsonDocument json() const { return QJsonDocument::fromJson(body); }
};

struct FakeHttpResponse
{
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers{};
    QByteArray body{};
    QByteArray contentType = "application/json";
    // A stream: the head and `body` go out chunked and the connection stays open for writeToStream() until
    // endStream() or the client leaves.
    bool stream = false;

    static FakeHttpResponse json(int status, const QJsonValue &value);
    static FakeHttpResponse empty(int status); // no body (204, 202, …)
};

// A fault to inject into the next matching request(s).
struct FakeFault
{
    enum class Kind {
        Answer,           // answer `response` instead; the request is not processed
        Drop,             // close the connection without an answer; not processed
        Stall,            // never answer, keep the connection open; not processed
        DropAfterHandling,    // process the request, then close without an answer (an ambiguous create)
        AnswerAfterHandling,  // process the request, then answer `response` instead (a 5xx although done)
        MalformedAfterHandling, // process the request, then answer its status with the body cut in half
        Delay,                // wait delayMs, then process and answer normally
    };
    QByteArray method{}; // empty: any
    QRegularExpression path{}; // must match the request path (unanchored); default: any
    Kind kind = Kind::Answer;
    FakeHttpResponse response{};
    int delayMs = 0;
    int times = 1; // how many matching requests it hits
    QString host{}; // non-empty: only requests for this host
};

// The HTTP/1.1 part of the fake provider servers on 127.0.0.1: parsing (keep-alive, Content-Length bodies),
// routing by Host (for per-sandbox hosts like 8000-<id>.localhost), scripted faults, a request log, and
// deferred or streamed answers. Subclasses implement handle().
class FakeHttpServer : public QObject
{
    Q_OBJECT
public:
    explicit FakeHttpServer(QObject *parent = nullptr);
    ~FakeHttpServer() override;

    bool listen(quint16 port = 0);
    quint16 port() const;
    QUrl baseUrl() const; // http://127.0.0.1:<port>

    void addFault(const FakeFault &fault);
    void clearFaults();
    int pendingFaults() const { return int(m_faults.size()); }

    QList<FakeHttpRequest> requests() const { return m_requests; }
    // "METHOD path" per request, in arrival order, for asserting what was called when.
    QStringList requestLog() const;
    int count(const QByteArray &method, const QRegularExpression &path) const;
    void clearRequests() { m_requests.clear(); }
    int openConnections() const { return int(m_connections.size()); }
    // Time spent inside this server (parsing, handlers, writing), for benchmarks to subtract.
    qint64 busyNs() const { return m_busyNs; }

    // A deferred answer (handle() returned nullopt) or the next piece of a stream. No-ops once the client
    // has gone.
    void reply(quint64 exchange, const FakeHttpResponse &response);
    void writeToStream(quint64 exchange, const QByteArray &data);
    void endStream(quint64 exchange, const QByteArray &last = {});
    bool exchangeOpen(quint64 exchange) const;

signals:
    void requestReceived(const FakeHttpRequest &request);

protected:
    // Answers a request now, or returns nullopt and answers later with reply(exchange, …).
    virtual std::optional<FakeHttpResponse> handle(const FakeHttpRequest &request, quint64 exchange) = 0;

private:
    struct Connection;

    void onNewConnection();
    void onReadyRead(Connection &connection);
    bool takeRequest(Connection &connection);
    void dispatch(Connection &connection, FakeHttpRequest request);
    void process(Connection &connection, const FakeHttpRequest &request, std::optional<FakeFault> after);
    void send(Connection &connection, FakeHttpResponse response);
    std::optional<FakeFault> takeFault(const FakeHttpRequest &request);
    Connection *find(quint64 exchange) const;

    QTcpServer m_server;
    QList<FakeFault> m_faults;
    QList<FakeHttpRequest> m_requests;
    std::map<QTcpSocket *, std::unique_ptr<Connection>> m_connections;
    quint64 m_nextExchange = 0;
    int m_serial = 0;
    qint64 m_busyNs = 0;
    int m_busyDepth = 0;
};
