#pragma once

#include "pricingcatalogue.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

#include <map>
#include <memory>
#include <utility>

// One scripted answer of the fake server to a POST /v1/messages.
struct FakeReply
{
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>>
        headers{}; // extra response headers (request-id overrides the default)
    QByteArray body{};
    QByteArray contentType = "text/event-stream"; // a 2xx event stream goes out chunked, like the real API
    int chunkSize = 0;      // body bytes per write; 0: all at once (in 64 KB writes as the socket drains)
    int chunkDelayMs = 0;   // pause between writes
    qsizetype stallAt = -1; // after this many body bytes send nothing more; the connection stays open
    qsizetype dropAt = -1;  // after this many body bytes close the connection (no end of body)
    bool silent = false;    // read the request, never answer: not even a status line
    QUrl redirectTo{};      // answer 307 Temporary Redirect to this URL instead
    // A body too large to hold: `body`, then `repeat` repeatCount times, then `tail`, made as it is sent.
    QByteArray repeat{};
    qint64 repeatCount = 0;
    QByteArray tail{};

    qint64 bodySize() const { return body.size() + repeat.size() * repeatCount + tail.size(); }
};

// A QTcpServer-based HTTP/1.1 fake of the Anthropic API on 127.0.0.1, for tests, the CLI and benchmarks.
// It checks requests as the real API does (anthropic.md §2, §3, §6, §7, §8):
// - x-api-key: missing or not the key set with setApiKey() (any non-empty key when none is set) → 401
//   authentication_error; anthropic-version missing or unknown → 400;
// - POST /v1/messages: content-type JSON, a JSON object with model, max_tokens and messages, no temperature /
//   top_p / top_k under 2026-10-21, no tool_choice any/tool (the newest models refuse forced tool use),
//   stream: true (this fake only streams) → else 400 invalid_request_error with a message like the API's;
// - GET /v1/models (limit 1–1000, after_id / before_id paging) and GET /v1/models/{id};
// - anything else → 404 not_found_error.
// Every response carries a request-id header (and error bodies the same request_id), then the connection is
// closed (Connection: close). Every request is recorded, valid or not.
class FakeAnthropicServer : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QByteArray method;
        QByteArray path; // without the query
        QUrlQuery query;
        QMap<QByteArray, QByteArray> headers; // names lower-cased
        QByteArray body;
        QJsonObject json; // the body, when it is a JSON object
    };

    explicit FakeAnthropicServer(QObject *parent = nullptr);
    ~FakeAnthropicServer() override;

    bool listen(quint16 port = 0);
    QUrl baseUrl() const; // http://127.0.0.1:<port>
    quint16 port() const;

    void setApiKey(const QString &key);
    void enqueue(const FakeReply &reply);     // POST /v1/messages replies, in order
    void setDefaultReply(const FakeReply &r); // when the queue is empty (initially a short text answer)
    qsizetype queuedReplies() const { return m_queue.size(); }
    void setModels(const QJsonArray &models); // GET /v1/models (initially FakeStreams::defaultModels())
    void setModelsPageLimit(int limit);       // the largest page served, whatever limit asks (the API: 1000)
    void enqueueModelsReply(const FakeReply &reply); // scripted GET /v1/models answers, before the listing

    QList<Request> requests() const { return m_requests; }
    void clearRequests() { m_requests.clear(); }
    int openConnections() const { return int(m_connections.size()); }
    qint64 bodyBytesSent() const { return m_bodyBytesSent; } // response body bytes written, all requests

signals:
    void requestReceived();

private:
    struct Connection;

    void onNewConnection();
    void onReadyRead(Connection &connection);
    void handle(Connection &connection, Request request);
    void respond(Connection &connection, FakeReply reply, const QByteArray &requestId);
    void respondError(Connection &connection, int status, const QString &type, const QString &message,
                      const QByteArray &requestId);
    void writeMore(Connection &connection);
    void close(Connection &connection);
    QString authProblem(const Request &request, int *status) const;
    QString messagesProblem(const Request &request) const;
    void answerModels(Connection &connection, const Request &request, const QByteArray &requestId);

    QTcpServer m_server;
    QString m_apiKey;
    QList<FakeReply> m_queue;
    QList<FakeReply> m_modelsQueue;
    FakeReply m_defaultReply;
    QJsonArray m_models;
    int m_modelsPageLimit = 1000;
    QList<Request> m_requests;
    std::map<QTcpSocket *, std::unique_ptr<Connection>> m_connections;
    qint64 m_bodyBytesSent = 0;
    int m_requestCounter = 0;
};

// Byte-exact event streams shaped like the documented ones (anthropic.md §5).
//
// Tool input fragments are cut every `fragmentBytes` bytes of the input JSON text, moved to just after a
// backslash when one follows within a few bytes (so escapes like \n, \" and \u00e9 are split between
// fragments), and never inside a UTF-8 sequence: partial_json is a JSON string, so the API cannot send half a
// character in it. UTF-8 sequences are split on the wire instead, by FakeReply::chunkSize.
namespace FakeStreams {

struct Options
{
    bool thinking = false;    // a thinking block (thinking_delta, signature_delta) first
    bool pings = true;        // ping events between blocks
    bool unknownEvent = true; // an event type the client does not know
    int fragmentBytes = 37;   // tool input bytes per input_json_delta (before the awkward-cut adjustment)
    QString stopReason = QStringLiteral("tool_use");
    TokenUsage usage{.inputTokens = 312,
                     .outputTokens = 298,
                     .cacheWriteTokens = 0,
                     .cacheWrite1hTokens = 0,
                     .cacheReadTokens = 1850};
    QString model = QStringLiteral("claude-sonnet-5-5");
};

// message_start, [thinking], text block with `commentary` in a few text_deltas, tool_use "write_app" whose
// input is the compact JSON of `toolInput`, message_delta (stop reason, usage), message_stop.
QByteArray toolAnswer(const QString &commentary, const QJsonObject &toolInput, const Options &o = {});
QByteArray textAnswer(const QString &text, const QString &stopReason = QStringLiteral("end_turn"));
// streamPrefix followed by an `error` event.
QByteArray withErrorEvent(QByteArray streamPrefix, const QString &type, const QString &message);
// The first `count` events of a stream (pings and unknown events count).
QByteArray firstEvents(const QByteArray &stream, int count);
// The compact JSON text of the input toolAnswer() streams: what the client must reassemble byte for byte.
QByteArray toolInputJson(const QJsonObject &toolInput);
// The input_json_delta fragments toolAnswer() sends for that input.
QList<QByteArray> toolInputFragments(const QByteArray &inputJson, int fragmentBytes);

// {"type":"error","error":{"type":…,"message":…[,"details":…]}}; the server adds request_id.
QByteArray errorBody(const QString &type, const QString &message, const QJsonObject &details = {});
FakeReply errorReply(int status, const QString &type, const QString &message,
                     QList<std::pair<QByteArray, QByteArray>> headers = {});
// GET /v1/models entries for the lineup of anthropic.md §7, newest first.
QJsonArray defaultModels();
// A small static app as write_app input (title, runtime, start_command, port, files).
QJsonObject sampleApp();

} // namespace FakeStreams
