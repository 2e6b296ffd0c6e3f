// The provider HTTP base: ApiCall's headers, retry policy, timeouts, redirects and error mapping against a
// scripted server on 127.0.0.1; Loopback routing; the log redactor.
#include "fakehttpserver.h"
#include "http/apicall.h"
#include "http/loopback.h"
#include "http/redactor.h"

#include <QJsonObject>

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// Answers 200 {"ok":true,"n":<serial>} unless a fault says otherwise; /redirect answers 302 elsewhere.
class ScriptedServer final : public FakeHttpServer
{
public:
    using FakeHttpServer::FakeHttpServer;
    QUrl redirectTarget;

protected:
    std::optional<FakeHttpResponse> handle(const FakeHttpRequest &request, quint64) override
    {
        if (request.path == "/redirect") {
            FakeHttpResponse response = FakeHttpResponse::empty(302);
            response.headers.append({"location", redirectTarget.toEncoded()});
            return response;
        }
        return FakeHttpResponse::json(200, QJsonObject{{u"ok"_s, true}, {u"n"_s, request.serial}});
    }
};

FakeHttpResponse errorResponse(int status, const QString &message,
                               QList<std::pair<QByteArray, QByteArray>> headers = {})
{
    FakeHttpResponse response =
        FakeHttpResponse::json(status, QJsonObject{{u"code"_s, status}, {u"message"_s, message}});
    response.headers = std::move(headers);
    return response;
}

} // namespace

class TestProviderHttp : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void sendsHeadersAndKey();
    void statusesMapToTypedErrors_data();
    void statusesMapToTypedErrors();
    void idempotentCallRetriesServerErrors();
    void createIsNotRetriedAfterServerError();
    void createIsNotRetriedAfterDrop();
    void createIsRetriedAfterRateLimit();
    void retryAfterIsHonoured();
    void retryAfterBeyondCapFailsAtOnce();
    void concurrencyLimitIsQuotaNotRetried();
    void stallTimesOut();
    void createDroppedAfterHandlingIsAmbiguous();
    void refusedConnectionIsRetriedEvenForCreate();
    void redirectToAnotherHostIsNotFollowed();
    void plainHttpToRemoteHostIsRefused();
    void cancelFinishesOnce();
    void localhostNamesRouteToLoopback();
    void backoffGrowsAndIsCapped();
    void redactorMasksKeys_data();
    void redactorMasksKeys();

private:
    ApiReply run(const ApiRequest &request, ApiEndpoint endpoint = {});
    ApiEndpoint endpoint() const;

    std::unique_ptr<ScriptedServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
};

void TestProviderHttp::init()
{
    m_server = std::make_unique<ScriptedServer>();
    QVERIFY(m_server->listen());
    m_network = std::make_unique<QNetworkAccessManager>();
}

void TestProviderHttp::cleanup()
{
    m_network.reset();
    m_server.reset();
}

ApiEndpoint TestProviderHttp::endpoint() const
{
    ApiEndpoint e;
    e.service = u"Testcloud"_s;
    e.baseUrl = m_server->baseUrl();
    e.authHeader = "X-API-Key";
    e.authValue = "e2b_0123456789abcdef0123";
    e.retryBaseMs = 20;
    e.timeoutMs = 2000;
    return e;
}

ApiReply TestProviderHttp::run(const ApiRequest &request, ApiEndpoint e)
{
    if (e.baseUrl.isEmpty())
        e = endpoint();
    auto *call = new ApiCall(m_network.get(), e, request, nullptr);
    QSignalSpy finished(call, &ApiCall::finished);
    call->start();
    if (!finished.wait(20000))
        return ApiReply::failure(ApiError::Cancelled, u"test: no answer"_s);
    if (finished.size() != 1)
        return ApiReply::failure(ApiError::Cancelled, u"test: finished more than once"_s);
    return finished.first().first().value<ApiReply>();
}

void TestProviderHttp::sendsHeadersAndKey()
{
    const ApiEndpoint e = endpoint();
    const ApiReply reply = run({.method = "POST", .url = e.url(u"/sandboxes"_s), .body = "{}"});
    QVERIFY2(reply.ok(), qPrintable(reply.message));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json.object().value(u"ok"_s).toBool(), true);
    const FakeHttpRequest request = m_server->requests().constFirst();
    QCOMPARE(request.header("x-api-key"), QByteArray("e2b_0123456789abcdef0123"));
    QCOMPARE(request.header("accept"), QByteArray("application/json"));
    QVERIFY(request.header("user-agent").startsWith("SpawnAI/"));
    QVERIFY(!request.header("user-agent").contains("Mozilla"));
    QCOMPARE(request.header("content-type"), QByteArray("application/json"));
    QCOMPARE(request.body, QByteArray("{}"));
}

void TestProviderHttp::statusesMapToTypedErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::addColumn<ApiError>("error");
    QTest::addColumn<QString>("says");
    QTest::newRow("401") << 401 << u"Invalid API key"_s << ApiError::BadKey << u"Settings → Keys"_s;
    QTest::newRow("403") << 403 << u"forbidden"_s << ApiError::BadKey << u"Settings → Keys"_s;
    QTest::newRow("402") << 402 << u"payment required"_s << ApiError::Quota << u"limit of your plan"_s;
    QTest::newRow("404") << 404 << u"sandbox not found"_s << ApiError::NotFound << u"sandbox not found"_s;
    QTest::newRow("409") << 409 << u"conflict"_s << ApiError::Conflict << u"refused"_s;
    QTest::newRow("422 taken") << 422 << u"Name has already been taken"_s << ApiError::Conflict << u"taken"_s;
    QTest::newRow("422 limit") << 422 << u"app limit reached"_s << ApiError::Quota << u"limit"_s;
    QTest::newRow("400") << 400 << u"Timeout must be greater than 0"_s << ApiError::Invalid
                         << u"Timeout must be greater than 0"_s;
    QTest::newRow("503") << 503 << u"no capacity"_s << ApiError::Capacity << u"capacity"_s;
    QTest::newRow("500 capacity") << 500 << u"sandbox_capacity_unavailable"_s << ApiError::Capacity
                                  << u"capacity"_s;
    QTest::newRow("500") << 500 << u"boom"_s << ApiError::Server << u"server error"_s;
}

void TestProviderHttp::statusesMapToTypedErrors()
{
    QFETCH(int, status);
    QFETCH(QString, message);
    QFETCH(ApiError, error);
    QFETCH(QString, says);
    m_server->addFault({.kind = FakeFault::Kind::Answer, .response = errorResponse(status, message)});
    const ApiReply reply = run({.method = "POST", .url = endpoint().url(u"/x"_s), .body = "{}"});
    QCOMPARE(reply.error, error);
    QCOMPARE(reply.status, status);
    QVERIFY2(reply.message.contains(says), qPrintable(reply.message));
    QVERIFY2(reply.message.contains(u"Testcloud"_s), qPrintable(reply.message));
    QCOMPARE(m_server->requests().size(), 1); // a create is never repeated after an error status
}

void TestProviderHttp::idempotentCallRetriesServerErrors()
{
    m_server->addFault(
        {.kind = FakeFault::Kind::Answer, .response = errorResponse(502, u"bad gateway"_s), .times = 2});
    const ApiReply reply = run({.url = endpoint().url(u"/v2/sandboxes"_s), .idempotent = true});
    QVERIFY2(reply.ok(), qPrintable(reply.message));
    QCOMPARE(reply.attempts, 3);
    QCOMPARE(m_server->requests().size(), 3);
}

void TestProviderHttp::createIsNotRetriedAfterServerError()
{
    m_server->addFault({.kind = FakeFault::Kind::Answer, .response = errorResponse(500, u"internal"_s)});
    const ApiReply reply = run({.method = "POST", .url = endpoint().url(u"/sandboxes"_s), .body = "{}"});
    QCOMPARE(reply.error, ApiError::Server);
    QVERIFY(reply.ambiguous); // may have been created: look before creating again
    QCOMPARE(m_server->requests().size(), 1);
}

void TestProviderHttp::createIsNotRetriedAfterDrop()
{
    // Qt itself may resend a POST whose connection closed before any answer (reliability.md §3.2): whatever
    // it does, ApiCall adds no attempt of its own, and says the outcome is unknown.
    m_server->addFault({.kind = FakeFault::Kind::Drop, .times = 10});
    const ApiReply reply = run({.method = "POST", .url = endpoint().url(u"/sandboxes"_s), .body = "{}"});
    QCOMPARE(reply.error, ApiError::Network);
    QVERIFY(reply.ambiguous);
    QCOMPARE(reply.attempts, 1);
    QVERIFY(m_server->requests().size() <= 4); // 1, plus Qt's own resends
}

void TestProviderHttp::createIsRetriedAfterRateLimit()
{
    m_server->addFault({.kind = FakeFault::Kind::Answer,
                        .response = errorResponse(429, u"Rate limit exceeded"_s, {{"retry-after", "0"}})});
    const ApiReply reply = run({.method = "POST", .url = endpoint().url(u"/sandboxes"_s), .body = "{}"});
    QVERIFY2(reply.ok(), qPrintable(reply.message)); // a 429 was refused, not done: safe to send again
    QCOMPARE(m_server->requests().size(), 2);
}

void TestProviderHttp::retryAfterIsHonoured()
{
    m_server->addFault({.kind = FakeFault::Kind::Answer,
                        .response = errorResponse(429, u"Rate limit exceeded"_s, {{"Retry-After", "1"}})});
    QElapsedTimer clock;
    clock.start();
    const ApiReply reply = run({.url = endpoint().url(u"/v2/sandboxes"_s), .idempotent = true});
    QVERIFY2(reply.ok(), qPrintable(reply.message));
    QVERIFY2(clock.elapsed() >= 1000, qPrintable(QString::number(clock.elapsed())));
}

void TestProviderHttp::retryAfterBeyondCapFailsAtOnce()
{
    m_server->addFault({.kind = FakeFault::Kind::Answer,
                        .response = errorResponse(429, u"Rate limit exceeded"_s, {{"Retry-After", "420"}})});
    QElapsedTimer clock;
    clock.start();
    const ApiReply reply = run({.url = endpoint().url(u"/v2/sandboxes"_s), .idempotent = true});
    QCOMPARE(reply.error, ApiError::RateLimited);
    QCOMPARE(reply.retryAfterMs, 420'000);
    QVERIFY2(reply.message.contains(u"7 min"_s), qPrintable(reply.message));
    QVERIFY(clock.elapsed() < 2000);
    QCOMPARE(m_server->requests().size(), 1);
}

void TestProviderHttp::concurrencyLimitIsQuotaNotRetried()
{
    m_server->addFault(
        {.kind = FakeFault::Kind::Answer,
         .response = errorResponse(429, u"you have reached the maximum number of concurrent E2B "
                                        "sandboxes (20)"_s)});
    const ApiReply reply = run({.method = "POST", .url = endpoint().url(u"/sandboxes"_s), .body = "{}"});
    QCOMPARE(reply.error, ApiError::Quota);
    QVERIFY2(reply.message.contains(u"concurrent"_s), qPrintable(reply.message));
    QCOMPARE(m_server->requests().size(), 1);
}

void TestProviderHttp::stallTimesOut()
{
    m_server->addFault({.kind = FakeFault::Kind::Stall});
    ApiEndpoint e = endpoint();
    e.timeoutMs = 400;
    QElapsedTimer clock;
    clock.start();
    const ApiReply reply = run({.method = "POST", .url = e.url(u"/sandboxes"_s), .body = "{}"}, e);
    QCOMPARE(reply.error, ApiError::TimedOut);
    QVERIFY2(reply.message.contains(u"timed out"_s), qPrintable(reply.message));
    QVERIFY(reply.ambiguous);
    QVERIFY2(clock.elapsed() < 400 + 1000, qPrintable(QString::number(clock.elapsed())));
}

void TestProviderHttp::createDroppedAfterHandlingIsAmbiguous()
{
    // Done on the server, answer lost (Qt's own resends are dropped too).
    m_server->addFault({.kind = FakeFault::Kind::DropAfterHandling, .times = 10});
    const ApiReply reply = run({.method = "POST", .url = endpoint().url(u"/sandboxes"_s), .body = "{}"});
    QCOMPARE(reply.error, ApiError::Network);
    QVERIFY(reply.ambiguous);
    QCOMPARE(reply.attempts, 1);
}

void TestProviderHttp::refusedConnectionIsRetriedEvenForCreate()
{
    ApiEndpoint e = endpoint();
    const quint16 port = m_server->port();
    m_server.reset(); // nothing listens now
    e.maxRetries = 1;
    const ApiReply reply = run({.method = "POST", .url = e.url(u"/sandboxes"_s), .body = "{}"}, e);
    QCOMPARE(reply.error, ApiError::Network);
    QVERIFY(!reply.ambiguous); // never arrived
    QCOMPARE(reply.attempts, 2);
    QVERIFY2(reply.message.contains(u"Could not reach Testcloud"_s), qPrintable(reply.message));
    Q_UNUSED(port)
}

void TestProviderHttp::redirectToAnotherHostIsNotFollowed()
{
    ScriptedServer elsewhere;
    QVERIFY(elsewhere.listen());
    m_server->redirectTarget = QUrl(u"http://localhost:%1/steal"_s.arg(elsewhere.port()));
    const ApiReply reply = run({.url = endpoint().url(u"/redirect"_s), .idempotent = true});
    QCOMPARE(reply.error, ApiError::Redirected);
    QVERIFY2(reply.message.contains(u"not sent anywhere else"_s), qPrintable(reply.message));
    QCOMPARE(elsewhere.requests().size(), 0);
}

void TestProviderHttp::plainHttpToRemoteHostIsRefused()
{
    ApiEndpoint e = endpoint();
    e.baseUrl = QUrl(u"http://api.example.com"_s);
    const ApiReply reply = run({.url = e.url(u"/x"_s)}, e);
    QCOMPARE(reply.error, ApiError::Invalid);
    QVERIFY2(reply.message.contains(u"https://"_s), qPrintable(reply.message));
    e.baseUrl = QUrl(u"http://sandbox.localhost:1"_s);
    QVERIFY(e.problem().isEmpty()); // *.localhost is this computer (RFC 6761)
}

void TestProviderHttp::cancelFinishesOnce()
{
    m_server->addFault({.kind = FakeFault::Kind::Stall});
    auto *call = new ApiCall(m_network.get(), endpoint(), {.url = endpoint().url(u"/x"_s)}, nullptr);
    QSignalSpy finished(call, &ApiCall::finished);
    call->start();
    QTRY_COMPARE(m_server->requests().size(), 1);
    call->cancel();
    call->cancel();
    QVERIFY(finished.wait(2000));
    QTest::qWait(50);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().value<ApiReply>().error, ApiError::Cancelled);
}

void TestProviderHttp::localhostNamesRouteToLoopback()
{
    const QUrl url(u"http://8000-abc123.localhost:%1/index.html"_s.arg(m_server->port()));
    const ApiReply reply = run({.url = url, .authenticated = false});
    QVERIFY2(reply.ok(), qPrintable(reply.message));
    const FakeHttpRequest request = m_server->requests().constFirst();
    QCOMPARE(request.host, u"8000-abc123.localhost"_s);
    QCOMPARE(request.header("host"),
             QByteArray("8000-abc123.localhost:") + QByteArray::number(m_server->port()));
    QVERIFY(request.header("x-api-key").isEmpty()); // unauthenticated probes carry no key

    QNetworkRequest untouched(QUrl(u"https://api.e2b.app/x"_s));
    Loopback::route(untouched);
    QCOMPARE(untouched.url().host(), u"api.e2b.app"_s);
    QVERIFY(Loopback::isLoopbackHost(u"127.0.0.1"_s));
    QVERIFY(Loopback::isLoopbackHost(u"a.b.localhost"_s));
    QVERIFY(!Loopback::isLoopbackHost(u"localhost.example.com"_s));
}

void TestProviderHttp::backoffGrowsAndIsCapped()
{
    QCOMPARE(ApiCall::backoffMs(0, 200, 1.0), 200);
    QCOMPARE(ApiCall::backoffMs(1, 200, 1.0), 400);
    QCOMPARE(ApiCall::backoffMs(2, 200, 1.0), 800);
    QCOMPARE(ApiCall::backoffMs(8, 200, 1.0), 2000);
    QCOMPARE(ApiCall::backoffMs(2, 200, 0.0), 400); // jitter: half to all of it
}

void TestProviderHttp::redactorMasksKeys_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("secret");
    QTest::newRow("registered") << u"calling with key my-very-secret-value now"_s
                                << u"my-very-secret-value"_s;
    QTest::newRow("anthropic") << u"key sk-ant-api03-abcdefghijklmnop"_s
                               << u"sk-ant-api03-abcdefghijklmnop"_s;
    QTest::newRow("e2b") << u"X: e2b_0123456789abcdef0123456789abcdef"_s << u"e2b_0123456789abcdef"_s;
    QTest::newRow("fly macaroon") << u"token FlyV1 fm2_lJPECAAAAAAAAEXAMPLE,fm2_second"_s
                                  << u"fm2_lJPECAAAAAAAAEXAMPLE"_s;
    QTest::newRow("digitalocean") << u"dop_v1_0123456789abcdef0123456789abcdef"_s << u"dop_v1_0123456789"_s;
    QTest::newRow("header, any case") << u"Authorization: Bearer legacy-token-123"_s << u"legacy-token-123"_s;
    QTest::newRow("x-api-key header") << u"x-Api-Key: whatever-it-is"_s << u"whatever-it-is"_s;
    QTest::newRow("query") << u"GET /files?path=/a&token=abc123def&x=1"_s << u"abc123def"_s;
}

void TestProviderHttp::redactorMasksKeys()
{
    QFETCH(QString, line);
    QFETCH(QString, secret);
    Redactor::addSecret(u"my-very-secret-value"_s);
    const QString redacted = Redactor::redact(line);
    QVERIFY2(!redacted.contains(secret), qPrintable(redacted));
    QVERIFY2(redacted.contains(u"[redacted]"_s), qPrintable(redacted));
    QCOMPARE(Redactor::redact(u"nothing secret here: GET /v2/sandboxes 200"_s),
             u"nothing secret here: GET /v2/sandboxes 200"_s);
}

QTEST_GUILESS_MAIN(TestProviderHttp)
#include "tst_providerhttp.moc"
