// The fake E2B behaves like the documented service (e2b.md §2, §3, §7, §8), seen through
// QNetworkAccessManager: sandbox hosts are reached at 127.0.0.1 with the Host header
// <port>-<id>.localhost:<P>, as the client does.
#include "fakee2b.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHttpMultiPart>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QtEndian>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr int kEnvdPort = 49983;
const QByteArray kUserAgent = "tst_fakee2b/1.0";

struct Answer
{
    int status = 0;
    QByteArray body;
    QMap<QByteArray, QByteArray> headers; // names lower-cased

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    bool hasHeader(const QByteArray &name) const { return headers.contains(name.toLower()); }
    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }
};

QByteArray envelope(const QJsonObject &message)
{
    const QByteArray json = QJsonDocument(message).toJson(QJsonDocument::Compact);
    QByteArray frame(5, '\0');
    qToBigEndian(quint32(json.size()), frame.data() + 1);
    return frame + json;
}

struct Frame
{
    int flags = 0;
    QJsonObject json;
};

QList<Frame> frames(QByteArray buffer)
{
    QList<Frame> list;
    while (buffer.size() >= 5) {
        const quint32 length = qFromBigEndian<quint32>(buffer.constData() + 1);
        if (buffer.size() < qsizetype(5 + length))
            break;
        list.append({int(quint8(buffer.at(0))), QJsonDocument::fromJson(buffer.mid(5, length)).object()});
        buffer.remove(0, 5 + length);
    }
    return list;
}

// A Start stream being read as it arrives.
struct Stream
{
    QNetworkReply *reply = nullptr;
    QByteArray data;

    ~Stream()
    {
        if (reply) {
            QObject::disconnect(reply, nullptr, nullptr, nullptr);
            reply->abort();
            delete reply;
        }
    }
    QList<Frame> frames() const { return ::frames(data); }
    int status() const { return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(); }
};

QJsonObject startRequest(const QString &command, const QString &cwd = {}, const QJsonObject &envs = {},
                         const QString &tag = {})
{
    QJsonObject process{{u"cmd"_s, u"/bin/bash"_s}, {u"args"_s, QJsonArray{u"-l"_s, u"-c"_s, command}}};
    if (!envs.isEmpty())
        process.insert(u"envs"_s, envs);
    if (!cwd.isEmpty())
        process.insert(u"cwd"_s, cwd);
    QJsonObject request{{u"process"_s, process}, {u"stdin"_s, false}};
    if (!tag.isEmpty())
        request.insert(u"tag"_s, tag);
    return request;
}

} // namespace

class TestFakeE2b : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void controlPlaneAuth();
    void createSandbox();
    void createDefaultsAndSecure();
    void createValidation_data();
    void createValidation();
    void hobbyPlanCapsLifetime();
    void concurrencyLimit();
    void getAndDelete();
    void listV2();
    void timeoutAndRefresh();
    void ttlKillsSandbox();
    void envdRouting();
    void uploadRaw();
    void uploadMultipart();
    void secureEnvd();
    void diskLimit();
    void startServesApp();
    void appStartDelay();
    void proxyHtmlForBrowsers();
    void connectTimeoutKillsProcess();
    void connectTimeoutZero();
    void startErrors();
    void appExitsImmediately();
    void appNeverListens();
    void portDetection_data();
    void portDetection();
    void listAndSendSignal();
    void makeDir();
    void killSandboxMidSession();
    void faultsStillApply();

private:
    QNetworkRequest apiRequest(const QString &pathAndQuery) const;
    QNetworkRequest hostRequest(const QString &host, const QString &pathAndQuery) const;
    QNetworkRequest envdRequest(const QString &id, const QString &pathAndQuery) const
    {
        return hostRequest(u"%1-%2.localhost"_s.arg(kEnvdPort).arg(id), pathAndQuery);
    }
    QNetworkRequest appRequest(const QString &id, int port, const QString &path = u"/"_s) const
    {
        return hostRequest(u"%1-%2.localhost"_s.arg(port).arg(id), path);
    }
    Answer finish(QNetworkReply *reply);
    Answer send(const QNetworkRequest &request, const QByteArray &verb, const QByteArray &body = {});
    Answer sendJson(const QNetworkRequest &request, const QByteArray &verb, const QJsonObject &body)
    {
        return send(request, verb, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    QString create(const QJsonObject &body = {{u"templateID"_s, u"base"_s}, {u"timeout"_s, 300}});
    Answer upload(const QString &id, const QString &path, const QByteArray &content,
                  const QByteArray &token = {});
    std::unique_ptr<Stream> start(const QString &id, const QJsonObject &request,
                                  const QList<std::pair<QByteArray, QByteArray>> &headers = {});
    Answer rpc(const QString &id, const QString &method, const QJsonObject &body);

    std::unique_ptr<FakeE2bServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
};

void TestFakeE2b::init()
{
    m_server = std::make_unique<FakeE2bServer>();
    m_server->setApiKey(u"e2b_0123456789abcdef"_s);
    QVERIFY(m_server->listen());
    m_network = std::make_unique<QNetworkAccessManager>();
}

void TestFakeE2b::cleanup()
{
    m_network.reset();
    m_server.reset();
}

QNetworkRequest TestFakeE2b::apiRequest(const QString &pathAndQuery) const
{
    QNetworkRequest request(m_server->apiUrl().resolved(QUrl(pathAndQuery)));
    request.setRawHeader("X-API-Key", "e2b_0123456789abcdef");
    request.setRawHeader("User-Agent", kUserAgent);
    request.setRawHeader("Content-Type", "application/json");
    return request;
}

QNetworkRequest TestFakeE2b::hostRequest(const QString &host, const QString &pathAndQuery) const
{
    // Like the client: connect to 127.0.0.1, name the sandbox host in Host.
    QNetworkRequest request(m_server->apiUrl().resolved(QUrl(pathAndQuery)));
    request.setRawHeader("Host", u"%1:%2"_s.arg(host).arg(m_server->port()).toUtf8());
    request.setRawHeader("User-Agent", kUserAgent);
    return request;
}

Answer TestFakeE2b::finish(QNetworkReply *reply)
{
    QEventLoop loop; // not QTest::qWaitFor, which sleeps 10 ms between looks
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    if (!reply->isFinished())
        qWarning("no answer within 5 s");
    Answer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.body = reply->readAll();
    for (const auto &[name, value] : reply->rawHeaderPairs())
        answer.headers.insert(name.toLower(), value);
    delete reply;
    return answer;
}

Answer TestFakeE2b::send(const QNetworkRequest &request, const QByteArray &verb, const QByteArray &body)
{
    return finish(m_network->sendCustomRequest(request, verb, body));
}

QString TestFakeE2b::create(const QJsonObject &body)
{
    const Answer answer = sendJson(apiRequest(u"/sandboxes"_s), "POST", body);
    if (answer.status != 201)
        qWarning("create: %d %s", answer.status, answer.body.constData());
    return answer.object().value(u"sandboxID"_s).toString();
}

Answer TestFakeE2b::upload(const QString &id, const QString &path, const QByteArray &content,
                           const QByteArray &token)
{
    QNetworkRequest request = envdRequest(
        id, u"/files?path=%1&username=user"_s.arg(QString::fromLatin1(QUrl::toPercentEncoding(path))));
    request.setRawHeader("Content-Type", "application/octet-stream");
    if (!token.isEmpty())
        request.setRawHeader("X-Access-Token", token);
    return send(request, "POST", content);
}

std::unique_ptr<Stream> TestFakeE2b::start(const QString &id, const QJsonObject &body,
                                           const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest request = envdRequest(id, u"/process.Process/Start"_s);
    request.setRawHeader("Content-Type", "application/connect+json");
    request.setRawHeader("Connect-Protocol-Version", "1");
    request.setRawHeader("Keepalive-Ping-Interval", "50");
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    auto stream = std::make_unique<Stream>();
    stream->reply = m_network->post(request, envelope(body));
    Stream *raw = stream.get();
    const auto read = [raw] {
        if (raw->reply->isOpen())
            raw->data += raw->reply->readAll();
    };
    connect(raw->reply, &QNetworkReply::readyRead, raw->reply, read);
    connect(raw->reply, &QNetworkReply::finished, raw->reply, read);
    return stream;
}

Answer TestFakeE2b::rpc(const QString &id, const QString &method, const QJsonObject &body)
{
    QNetworkRequest request = envdRequest(id, u"/"_s + method);
    request.setRawHeader("Content-Type", "application/json");
    request.setRawHeader("Connect-Protocol-Version", "1");
    return sendJson(request, "POST", body);
}

void TestFakeE2b::controlPlaneAuth()
{
    QNetworkRequest health(m_server->apiUrl().resolved(QUrl(u"/health"_s)));
    QCOMPARE(send(health, "GET").status, 204); // no key needed

    const QJsonObject invalid{
        {u"code"_s, 401},
        {u"message"_s,
         u"Invalid API key, please visit https://e2b.dev/docs/api-key for more information."_s}};
    QNetworkRequest noKey = apiRequest(u"/sandboxes"_s);
    noKey.setRawHeader("X-API-Key", QByteArray());
    Answer answer = sendJson(noKey, "POST", {{u"templateID"_s, u"base"_s}});
    QCOMPARE(answer.status, 401);
    QCOMPARE(answer.object(), invalid);
    QNetworkRequest wrongKey = apiRequest(u"/v2/sandboxes"_s);
    wrongKey.setRawHeader("X-API-Key", "e2b_ffff");
    QCOMPARE(send(wrongKey, "GET").object(), invalid);

    QNetworkRequest lowerCase = apiRequest(u"/v2/sandboxes"_s);
    lowerCase.setRawHeader("X-API-Key", QByteArray());
    lowerCase.setRawHeader("x-api-key", "e2b_0123456789abcdef");
    QCOMPARE(send(lowerCase, "GET").status, 200);
    QCOMPARE(m_server->createdCount(), 0);
}

void TestFakeE2b::createSandbox()
{
    const Answer answer = sendJson(apiRequest(u"/sandboxes"_s), "POST",
                                   {{u"templateID"_s, u"base"_s},
                                    {u"timeout"_s, 300},
                                    {u"allow_internet_access"_s, true},
                                    {u"metadata"_s, QJsonObject{{u"app"_s, u"spawnai"_s}}},
                                    {u"envVars"_s, QJsonObject{{u"PORT"_s, u"8000"_s}}}});
    QCOMPARE(answer.status, 201);
    const QJsonObject sandbox = answer.object();
    const QString id = sandbox.value(u"sandboxID"_s).toString();
    QVERIFY2(QRegularExpression(u"^[a-z0-9]{20}$"_s).match(id).hasMatch(), qPrintable(id));
    QCOMPARE(sandbox.value(u"templateID"_s).toString(), u"rki5dems9wqfm4r03t7g"_s);
    QCOMPARE(sandbox.value(u"alias"_s).toString(), u"base"_s);
    QCOMPARE(sandbox.value(u"clientID"_s).toString(), u"6532622b"_s);
    QCOMPARE(sandbox.value(u"envdVersion"_s).toString(), u"0.6.13"_s);
    QCOMPARE(sandbox.value(u"domain"_s).toString(), m_server->domain());
    QCOMPARE(m_server->domain(), u"localhost:%1"_s.arg(m_server->port()));
    QVERIFY(!sandbox.contains(u"envdAccessToken"_s));

    const std::optional<FakeE2bServer::Sandbox> state = m_server->sandbox(id);
    QVERIFY(state && state->alive);
    QCOMPARE(state->metadata.value(u"app"_s), u"spawnai"_s);
    QCOMPARE(state->envVars.value(u"PORT"_s), u"8000"_s);
    QCOMPARE(state->startedAt.secsTo(state->endAt), 300);
    QCOMPARE(state->startedAt.timeSpec(), Qt::UTC);
    QCOMPARE(m_server->createdCount(), 1);
    QCOMPARE(m_server->aliveCount(), 1);
    QCOMPARE(m_server->sandboxes().size(), 1);

    // code-interpreter-v1 by alias: 2 vCPU, 2 GiB.
    const QString big = create({{u"templateID"_s, u"code-interpreter-v1"_s}, {u"timeout"_s, 60}});
    const QJsonObject detail = send(apiRequest(u"/sandboxes/"_s + big), "GET").object();
    QCOMPARE(detail.value(u"memoryMB"_s).toInt(), 2048);
    QCOMPARE(detail.value(u"cpuCount"_s).toInt(), 2);
}

void TestFakeE2b::createDefaultsAndSecure()
{
    const QString plain = create({{u"templateID"_s, u"base"_s}});
    QCOMPARE(m_server->sandbox(plain)->startedAt.secsTo(m_server->sandbox(plain)->endAt),
             15); // server default

    const Answer answer =
        sendJson(apiRequest(u"/sandboxes"_s), "POST", {{u"templateID"_s, u"base"_s}, {u"secure"_s, true}});
    QCOMPARE(answer.status, 201);
    const QString token = answer.object().value(u"envdAccessToken"_s).toString();
    QVERIFY2(QRegularExpression(u"^[0-9a-f]{64}$"_s).match(token).hasMatch(), qPrintable(token));
    const QString id = answer.object().value(u"sandboxID"_s).toString();
    QCOMPARE(m_server->sandbox(id)->accessToken, token);
    QCOMPARE(send(apiRequest(u"/sandboxes/"_s + id), "GET").object().value(u"envdAccessToken"_s).toString(),
             token);
}

void TestFakeE2b::createValidation_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("no templateID") << QByteArray(R"({"timeout":60})") << 400
                                   << u"property \"templateID\" is missing"_s;
    QTest::newRow("templateID number")
        << QByteArray(R"({"templateID":5})") << 400 << u"value must be a string"_s;
    QTest::newRow("unknown template")
        << QByteArray(R"({"templateID":"nope","timeout":60})") << 404 << u"template 'nope' not found"_s;
    QTest::newRow("timeout 0") << QByteArray(R"({"templateID":"base","timeout":0})") << 400
                               << u"Timeout must be greater than 0"_s;
    QTest::newRow("timeout negative")
        << QByteArray(R"({"templateID":"base","timeout":-5})") << 400 << u"Timeout must be greater than 0"_s;
    QTest::newRow("timeout over pro max") << QByteArray(R"({"templateID":"base","timeout":86401})") << 400
                                          << u"Timeout cannot be greater than 24 hours"_s;
    QTest::newRow("timeout string") << QByteArray(R"({"templateID":"base","timeout":"60"})") << 400
                                    << u"value must be an integer"_s;
    QTest::newRow("timeout fraction")
        << QByteArray(R"({"templateID":"base","timeout":1.5})") << 400 << u"value must be an integer"_s;
    QTest::newRow("metadata number") << QByteArray(R"({"templateID":"base","metadata":{"a":1}})") << 400
                                     << u"Error at \"/metadata/a\": value must be a string"_s;
    QTest::newRow("envVars array") << QByteArray(R"({"templateID":"base","envVars":["A=1"]})") << 400
                                   << u"Error at \"/envVars\""_s;
    QTest::newRow("not JSON") << QByteArray("{templateID") << 400 << u"request body has an error"_s;
}

void TestFakeE2b::createValidation()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);
    const Answer answer = send(apiRequest(u"/sandboxes"_s), "POST", body);
    QCOMPARE(answer.status, status);
    QCOMPARE(answer.object().value(u"code"_s).toInt(), status);
    QVERIFY2(answer.object().value(u"message"_s).toString().contains(message), answer.body.constData());
    QCOMPARE(m_server->createdCount(), 0);
}

void TestFakeE2b::hobbyPlanCapsLifetime()
{
    m_server->setPlan(FakeE2bServer::Plan::Hobby);
    const Answer tooLong =
        sendJson(apiRequest(u"/sandboxes"_s), "POST", {{u"templateID"_s, u"base"_s}, {u"timeout"_s, 3601}});
    QCOMPARE(tooLong.status, 400);
    QCOMPARE(tooLong.object().value(u"message"_s).toString(), u"Timeout cannot be greater than 1 hours"_s);

    const QString id = create({{u"templateID"_s, u"base"_s}, {u"timeout"_s, 3600}});
    QCOMPARE(sendJson(apiRequest(u"/sandboxes/%1/timeout"_s.arg(id)), "POST", {{u"timeout"_s, 7200}}).status,
             204);
    const auto sandbox = m_server->sandbox(id);
    QCOMPARE(sandbox->endAt, sandbox->startedAt.addSecs(3600)); // never beyond startedAt + 1 h
    const QJsonObject detail = send(apiRequest(u"/sandboxes/"_s + id), "GET").object();
    QCOMPARE(QDateTime::fromString(detail.value(u"endAt"_s).toString(), Qt::ISODateWithMs),
             sandbox->startedAt.addSecs(3600));
}

void TestFakeE2b::concurrencyLimit()
{
    m_server->setMaxConcurrent(2);
    const QString first = create();
    QVERIFY(!create().isEmpty());
    const Answer refused =
        sendJson(apiRequest(u"/sandboxes"_s), "POST", {{u"templateID"_s, u"base"_s}, {u"timeout"_s, 60}});
    QCOMPARE(refused.status, 429);
    QCOMPARE(refused.object().value(u"code"_s).toInt(), 429);
    QVERIFY(refused.object()
                .value(u"message"_s)
                .toString()
                .startsWith(u"you have reached the maximum number of concurrent E2B sandboxes (2)"_s));
    QCOMPARE(send(apiRequest(u"/sandboxes/"_s + first), "DELETE").status, 204);
    QVERIFY(!create().isEmpty());
    QCOMPARE(m_server->createdCount(), 3);
    QCOMPARE(m_server->aliveCount(), 2);
}

void TestFakeE2b::getAndDelete()
{
    const QString id = create(
        {{u"templateID"_s, u"base"_s}, {u"timeout"_s, 120}, {u"metadata"_s, QJsonObject{{u"k"_s, u"v"_s}}}});
    const Answer detail = send(apiRequest(u"/sandboxes/"_s + id), "GET");
    QCOMPARE(detail.status, 200);
    const QJsonObject object = detail.object();
    for (const QString &field :
         {u"templateID"_s, u"sandboxID"_s, u"clientID"_s, u"startedAt"_s, u"cpuCount"_s, u"memoryMB"_s,
          u"diskSizeMB"_s, u"endAt"_s, u"state"_s, u"envdVersion"_s})
        QVERIFY2(object.contains(field), qPrintable(field));
    QCOMPARE(object.value(u"state"_s).toString(), u"running"_s);
    QCOMPARE(object.value(u"memoryMB"_s).toInt(), 512);
    QCOMPARE(object.value(u"metadata"_s).toObject(), QJsonObject({{u"k"_s, u"v"_s}}));
    const QDateTime startedAt =
        QDateTime::fromString(object.value(u"startedAt"_s).toString(), Qt::ISODateWithMs);
    const QDateTime endAt = QDateTime::fromString(object.value(u"endAt"_s).toString(), Qt::ISODateWithMs);
    QCOMPARE(startedAt.secsTo(endAt), 120);

    QCOMPARE(send(apiRequest(u"/sandboxes/"_s + id), "DELETE").status, 204);
    const Answer again = send(apiRequest(u"/sandboxes/"_s + id), "DELETE");
    QCOMPARE(again.status, 404);
    QCOMPARE(again.object(),
             QJsonObject(
                 {{u"code"_s, 404},
                  {u"message"_s, u"Sandbox \"%1\" doesn't exist or you don't have access to it"_s.arg(id)}}));
    QCOMPARE(send(apiRequest(u"/sandboxes/"_s + id), "GET").status, 404);
    QCOMPARE(send(apiRequest(u"/sandboxes/unknown0000"_s), "GET").status, 404);
    QVERIFY(!m_server->sandbox(id)->alive);
    QCOMPARE(m_server->aliveCount(), 0);
}

void TestFakeE2b::listV2()
{
    const QString one =
        create({{u"templateID"_s, u"base"_s},
                {u"timeout"_s, 300},
                {u"metadata"_s, QJsonObject{{u"app"_s, u"spawnai"_s}, {u"run"_s, u"a&b=c"_s}}}});
    QTest::qWait(5); // distinct start times, newest first
    const QString two = create({{u"templateID"_s, u"base"_s},
                                {u"timeout"_s, 300},
                                {u"metadata"_s, QJsonObject{{u"app"_s, u"spawnai"_s}, {u"run"_s, u"r2"_s}}}});
    QTest::qWait(5);
    create({{u"templateID"_s, u"code-interpreter-v1"_s},
            {u"timeout"_s, 300},
            {u"metadata"_s, QJsonObject{{u"app"_s, u"other"_s}}}});

    // metadata: "k=v&k=v", keys and values encoded, then the whole value encoded once more.
    const auto metadataQuery = [](const QList<std::pair<QString, QString>> &pairs) {
        QStringList parts;
        for (const auto &[key, value] : pairs)
            parts << QString::fromLatin1(QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value));
        return QString::fromLatin1(QUrl::toPercentEncoding(parts.join(u'&')));
    };
    Answer answer =
        send(apiRequest(u"/v2/sandboxes?metadata="_s + metadataQuery({{u"app"_s, u"spawnai"_s}})), "GET");
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.array().size(), 2);
    QCOMPARE(answer.array().at(0).toObject().value(u"sandboxID"_s).toString(), two); // newest first
    QCOMPARE(answer.header("X-Total-Running"), "2");
    QVERIFY(!answer.hasHeader("X-Next-Token"));
    const QJsonObject listed = answer.array().at(1).toObject();
    QCOMPARE(listed.value(u"sandboxID"_s).toString(), one);
    QVERIFY(!listed.contains(u"envdAccessToken"_s) && !listed.contains(u"domain"_s));
    for (const QString &field :
         {u"templateID"_s, u"alias"_s, u"clientID"_s, u"startedAt"_s, u"endAt"_s, u"cpuCount"_s,
          u"memoryMB"_s, u"diskSizeMB"_s, u"state"_s, u"envdVersion"_s, u"metadata"_s})
        QVERIFY2(listed.contains(field), qPrintable(field));

    answer = send(apiRequest(u"/v2/sandboxes?metadata="_s +
                             metadataQuery({{u"app"_s, u"spawnai"_s}, {u"run"_s, u"a&b=c"_s}})),
                  "GET");
    QCOMPARE(answer.array().size(), 1);
    QCOMPARE(answer.array().at(0).toObject().value(u"sandboxID"_s).toString(), one);

    answer = send(apiRequest(u"/v2/sandboxes?state=running,paused"_s), "GET");
    QCOMPARE(answer.array().size(), 3);
    answer = send(apiRequest(u"/v2/sandboxes?state=paused"_s), "GET");
    QCOMPARE(answer.array().size(), 0);
    QVERIFY(!answer.hasHeader("X-Total-Running"));

    for (const QString &bad : {u"state=stopped"_s, u"limit=0"_s, u"limit=101"_s, u"limit=x"_s,
                               u"metadata=novalue"_s, u"nextToken=%21%21"_s}) {
        const Answer refused = send(apiRequest(u"/v2/sandboxes?"_s + bad), "GET");
        QVERIFY2(refused.status == 400, qPrintable(bad));
        QCOMPARE(refused.object().value(u"code"_s).toInt(), 400);
    }

    // Pages of one, newest first, chained by X-Next-Token.
    QStringList seen;
    QString next;
    for (int page = 0; page < 5; ++page) {
        const QString token = next.isEmpty()
                                  ? QString()
                                  : u"&nextToken="_s + QString::fromLatin1(QUrl::toPercentEncoding(next));
        answer = send(apiRequest(u"/v2/sandboxes?limit=1"_s + token), "GET");
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.array().size(), 1);
        QCOMPARE(answer.header("X-Total-Running"), "3");
        seen << answer.array().at(0).toObject().value(u"sandboxID"_s).toString();
        next = QString::fromLatin1(answer.header("X-Next-Token"));
        if (next.isEmpty())
            break;
    }
    QCOMPARE(seen.size(), 3);
    QCOMPARE(seen.at(1), two);
    QCOMPARE(seen.at(2), one);

    // The deprecated list: running sandboxes, no pages.
    QCOMPARE(send(apiRequest(u"/sandboxes"_s), "GET").array().size(), 3);
}

void TestFakeE2b::timeoutAndRefresh()
{
    const QString id = create();
    const auto endAt = [&] { return m_server->sandbox(id)->endAt; };
    const auto near = [](const QDateTime &actual, qint64 secondsFromNow) {
        return qAbs(QDateTime::currentDateTimeUtc().addSecs(secondsFromNow).msecsTo(actual)) < 1000;
    };
    QCOMPARE(sendJson(apiRequest(u"/sandboxes/%1/timeout"_s.arg(id)), "POST", {{u"timeout"_s, 60}}).status,
             204);
    QVERIFY(near(endAt(), 60)); // shortened: now + S

    QCOMPARE(sendJson(apiRequest(u"/sandboxes/%1/refreshes"_s.arg(id)), "POST", {{u"duration"_s, 30}}).status,
             204);
    QVERIFY(near(endAt(), 60)); // a refresh never shortens
    QCOMPARE(
        sendJson(apiRequest(u"/sandboxes/%1/refreshes"_s.arg(id)), "POST", {{u"duration"_s, 600}}).status,
        204);
    QVERIFY(near(endAt(), 600));
    QCOMPARE(sendJson(apiRequest(u"/sandboxes/%1/timeout"_s.arg(id)), "POST", {{u"timeout"_s, 5}}).status,
             204);
    QCOMPARE(send(apiRequest(u"/sandboxes/%1/refreshes"_s.arg(id)), "POST").status, 204);
    QVERIFY(near(endAt(), 15)); // missing duration → 15 s

    QCOMPARE(
        sendJson(apiRequest(u"/sandboxes/%1/refreshes"_s.arg(id)), "POST", {{u"duration"_s, 3601}}).status,
        400);
    QCOMPARE(sendJson(apiRequest(u"/sandboxes/%1/timeout"_s.arg(id)), "POST", {{u"duration"_s, 60}}).status,
             400);
    QCOMPARE(sendJson(apiRequest(u"/sandboxes/nosuchsandbox/timeout"_s), "POST", {{u"timeout"_s, 60}}).status,
             404);
    QCOMPARE(
        sendJson(apiRequest(u"/sandboxes/nosuchsandbox/refreshes"_s), "POST", {{u"duration"_s, 60}}).status,
        404);
}

void TestFakeE2b::ttlKillsSandbox()
{
    QSignalSpy killed(m_server.get(), &FakeE2bServer::sandboxKilled);
    QElapsedTimer clock;
    clock.start();
    const QString id = create({{u"templateID"_s, u"base"_s}, {u"timeout"_s, 1}});
    QCOMPARE(send(envdRequest(id, u"/health"_s), "GET").status, 204);
    QTRY_COMPARE_WITH_TIMEOUT(killed.size(), 1, 3000);
    QVERIFY2(clock.elapsed() >= 950 && clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(killed.at(0).at(0).toString(), id);

    const Answer health = send(envdRequest(id, u"/health"_s), "GET");
    QCOMPARE(health.status, 502);
    QCOMPARE(health.object(),
             QJsonObject(
                 {{u"sandboxId"_s, id}, {u"message"_s, u"The sandbox was not found"_s}, {u"code"_s, 502}}));
    QCOMPARE(send(apiRequest(u"/v2/sandboxes"_s), "GET").array().size(), 0);
    QCOMPARE(send(apiRequest(u"/sandboxes/"_s + id), "DELETE").status, 404);
    QCOMPARE(m_server->aliveCount(), 0);
    QCOMPARE(m_server->createdCount(), 1);

    // A timeout set through the API ends it just the same.
    const QString other = create();
    QCOMPARE(sendJson(apiRequest(u"/sandboxes/%1/timeout"_s.arg(other)), "POST", {{u"timeout"_s, 1}}).status,
             204);
    QTRY_COMPARE_WITH_TIMEOUT(killed.size(), 2, 3000);
    QCOMPARE(send(envdRequest(other, u"/health"_s), "GET").status, 502);
}

void TestFakeE2b::envdRouting()
{
    const QString id = create();
    QCOMPARE(send(envdRequest(id, u"/health"_s), "GET").status, 204);

    // The shared host with routing headers (newer SDKs).
    QNetworkRequest shared = hostRequest(u"sandbox.localhost"_s, u"/health"_s);
    shared.setRawHeader("E2b-Sandbox-Id", id.toUtf8());
    shared.setRawHeader("E2b-Sandbox-Port", QByteArray::number(kEnvdPort));
    QCOMPARE(send(shared, "GET").status, 204);
    shared.setRawHeader("E2b-Sandbox-Port", QByteArray());
    QCOMPARE(send(shared, "GET").status, 400);

    const Answer unknown = send(envdRequest(u"abcdefghij0123456789"_s, u"/health"_s), "GET");
    QCOMPARE(unknown.status, 502);
    QCOMPARE(unknown.object().value(u"message"_s).toString(), u"The sandbox was not found"_s);
    QCOMPARE(unknown.object().value(u"sandboxId"_s).toString(), u"abcdefghij0123456789"_s);
    QCOMPARE(send(hostRequest(u"nodash.localhost"_s, u"/health"_s), "GET").status, 400);
    QCOMPARE(send(envdRequest(id, u"/nothing"_s), "GET").status, 404);
}

void TestFakeE2b::uploadRaw()
{
    const QString id = create();
    Answer answer = upload(id, u"/home/user/app/index.html"_s, "<h1>hi</h1>");
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.array(), QJsonArray({QJsonObject{{u"path"_s, u"/home/user/app/index.html"_s},
                                                     {u"name"_s, u"index.html"_s},
                                                     {u"type"_s, u"file"_s}}}));
    QCOMPARE(upload(id, u"app/notes.txt"_s, "relative").array().at(0).toObject().value(u"path"_s).toString(),
             u"/home/user/app/notes.txt"_s);
    QCOMPARE(upload(id, u"/home/user/app/index.html"_s, "<h1>v2</h1>").status, 200); // overwritten
    const auto files = m_server->sandbox(id)->files;
    QCOMPARE(files.value(u"/home/user/app/index.html"_s), "<h1>v2</h1>");
    QCOMPARE(files.value(u"/home/user/app/notes.txt"_s), "relative");

    QNetworkRequest noPath = envdRequest(id, u"/files?username=user"_s);
    noPath.setRawHeader("Content-Type", "application/octet-stream");
    answer = send(noPath, "POST", "x");
    QCOMPARE(answer.status, 400);
    QCOMPARE(answer.object(),
             QJsonObject({{u"code"_s, 400},
                          {u"message"_s, u"path query parameter is required for raw body upload"_s}}));
    QNetworkRequest text = envdRequest(id, u"/files?path=%2Ftmp%2Fa"_s);
    text.setRawHeader("Content-Type", "text/plain");
    answer = send(text, "POST", "x");
    QCOMPARE(answer.status, 400);
    QVERIFY(
        answer.object().value(u"message"_s).toString().startsWith(u"unsupported content type: text/plain"_s));
    QCOMPARE(upload(id, u"/home/user"_s, "x").status, 400);                  // a directory
    QCOMPARE(upload(id, u"/home/user/app/index.html/x"_s, "x").status, 500); // a file in the way
    QNetworkRequest stranger = envdRequest(id, u"/files?path=%2Ftmp%2Fa&username=alice"_s);
    stranger.setRawHeader("Content-Type", "application/octet-stream");
    QCOMPARE(send(stranger, "POST", "x").status, 401);
}

void TestFakeE2b::uploadMultipart()
{
    const QString id = create();
    const auto post = [&](const QString &query, const QList<std::pair<QString, QByteArray>> &files) {
        auto *multi = new QHttpMultiPart(QHttpMultiPart::FormDataType);
        for (const auto &[filename, content] : files) {
            QHttpPart part;
            part.setHeader(QNetworkRequest::ContentDispositionHeader,
                           u"form-data; name=\"file\"; filename=\"%1\""_s.arg(filename));
            part.setBody(content);
            multi->append(part);
        }
        QHttpPart ignored; // parts not named "file" are ignored
        ignored.setHeader(QNetworkRequest::ContentDispositionHeader, u"form-data; name=\"comment\""_s);
        ignored.setBody("ignored");
        multi->append(ignored);
        QNetworkReply *reply = m_network->post(envdRequest(id, u"/files"_s + query), multi);
        multi->setParent(reply);
        return finish(reply);
    };
    Answer answer = post(u"?username=user"_s, {{u"/home/user/site/index.html"_s, "<p>index</p>"},
                                               {u"/home/user/site/js/app.js"_s, "console.log(1)"}});
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.array().size(), 2);
    QCOMPARE(answer.array().at(1).toObject().value(u"path"_s).toString(), u"/home/user/site/js/app.js"_s);
    QCOMPARE(answer.array().at(1).toObject().value(u"name"_s).toString(), u"app.js"_s);
    const auto files = m_server->sandbox(id)->files;
    QCOMPARE(files.size(), 2);
    QCOMPARE(files.value(u"/home/user/site/js/app.js"_s), "console.log(1)");

    answer = post(u"?path=%2Fhome%2Fuser%2Fone.txt"_s, {{u"a"_s, "1"}, {u"b"_s, "2"}});
    QCOMPARE(answer.status, 400);
    QVERIFY(answer.object()
                .value(u"message"_s)
                .toString()
                .startsWith(u"you cannot upload multiple files to the same path '/home/user/one.txt'"_s));
}

void TestFakeE2b::secureEnvd()
{
    const Answer created = sendJson(apiRequest(u"/sandboxes"_s), "POST",
                                    {{u"templateID"_s, u"base"_s}, {u"timeout"_s, 60}, {u"secure"_s, true}});
    const QString id = created.object().value(u"sandboxID"_s).toString();
    const QByteArray token = created.object().value(u"envdAccessToken"_s).toString().toUtf8();
    const QJsonObject unauthorized{
        {u"code"_s, 401},
        {u"message"_s,
         u"unauthorized access, please provide a valid access token or method signing if supported"_s}};

    QCOMPARE(send(envdRequest(id, u"/health"_s), "GET").status, 204); // health needs no token
    Answer answer = upload(id, u"/home/user/index.html"_s, "x");
    QCOMPARE(answer.status, 401);
    QCOMPARE(answer.object(), unauthorized);
    QCOMPARE(upload(id, u"/home/user/index.html"_s, "x", "wrong").status, 401);
    QCOMPARE(upload(id, u"/home/user/index.html"_s, "<p>secure</p>", token).status, 200);

    // RPC without the token: a plain HTTP 401 from the auth middleware, even on a streaming call.
    auto refused = start(id, startRequest(u"python3 -m http.server 8000"_s));
    QTRY_VERIFY(refused->reply->isFinished());
    QCOMPARE(refused->status(), 401);
    QCOMPARE(QJsonDocument::fromJson(refused->data).object(), unauthorized);

    auto stream = start(id, startRequest(u"python3 -m http.server 8000"_s), {{"X-Access-Token", token}});
    QTRY_COMPARE(stream->frames().size(), 1);
    QCOMPARE(send(appRequest(id, 8000), "GET").body, "<p>secure</p>"); // app ports are public
}

void TestFakeE2b::diskLimit()
{
    m_server->setDiskLimitBytes(10);
    const QString id = create();
    QCOMPARE(upload(id, u"/home/user/a.txt"_s, "12345678").status, 200);
    QCOMPARE(upload(id, u"/home/user/a.txt"_s, "87654321").status, 200); // overwriting frees the old content
    const Answer full = upload(id, u"/home/user/b.txt"_s, "12345678");
    QCOMPARE(full.status, 507);
    QCOMPARE(full.object().value(u"code"_s).toInt(), 507);
    QVERIFY(full.object().value(u"message"_s).toString().endsWith(u"not enough disk space available"_s));
}

void TestFakeE2b::startServesApp()
{
    const QString id = create();
    QCOMPARE(upload(id, u"/home/user/app/index.html"_s, "<h1>Hello</h1>").status, 200);
    QCOMPARE(upload(id, u"/home/user/app/style.css"_s, "h1{}").status, 200);
    auto stream = start(id, startRequest(u"cd /home/user/app && python3 -m http.server 8000 --bind 0.0.0.0"_s,
                                         u"/home/user/app"_s, {{u"PORT"_s, u"8000"_s}}, u"spawnai-web"_s));
    QTRY_COMPARE(stream->frames().size(), 1);
    QCOMPARE(stream->status(), 200);
    QVERIFY(stream->reply->header(QNetworkRequest::ContentTypeHeader)
                .toString()
                .startsWith(u"application/connect+json"_s));
    const Frame first = stream->frames().at(0);
    QCOMPARE(first.flags, 0);
    const quint32 pid = quint32(
        first.json.value(u"event"_s).toObject().value(u"start"_s).toObject().value(u"pid"_s).toInteger());
    QVERIFY(pid > 0);
    QVERIFY(!stream->reply->isFinished()); // the stream stays open

    const FakeE2bServer::Process *process = m_server->sandbox(id)->process(pid);
    QVERIFY(process);
    QCOMPARE(process->cmd, u"/bin/bash"_s);
    QCOMPARE(process->args.at(2), u"cd /home/user/app && python3 -m http.server 8000 --bind 0.0.0.0"_s);
    QCOMPARE(process->envs.value(u"PORT"_s), u"8000"_s);
    QCOMPARE(process->cwd, u"/home/user/app"_s);
    QCOMPARE(process->tag, u"spawnai-web"_s);
    QCOMPARE(process->connectTimeoutMs, -1);
    QCOMPARE(process->port, 8000);
    QVERIFY(process->running && process->listening);
    QVERIFY(m_server->sandbox(id)->listening(8000));

    Answer page = send(appRequest(id, 8000), "GET");
    QCOMPARE(page.status, 200);
    QCOMPARE(page.body, "<h1>Hello</h1>");
    QCOMPARE(page.header("Content-Type"), "text/html");
    page = send(appRequest(id, 8000, u"/style.css"_s), "GET");
    QCOMPARE(page.body, "h1{}");
    QCOMPARE(page.header("Content-Type"), "text/css");
    QCOMPARE(send(appRequest(id, 8000, u"/missing.js"_s), "GET").status, 404);
    QCOMPARE(send(appRequest(id, 8001), "GET").status, 502);

    // Closing the stream does not stop the process.
    stream->reply->abort();
    QTest::qWait(50);
    QVERIFY(m_server->sandbox(id)->process(pid)->running);
    QCOMPARE(send(appRequest(id, 8000), "GET").status, 200);
}

void TestFakeE2b::appStartDelay()
{
    m_server->setAppStartDelayMs(500);
    const QString id = create();
    QCOMPARE(upload(id, u"/home/user/index.html"_s, "ready").status, 200);
    auto stream = start(id, startRequest(u"python3 -m http.server 8000"_s));
    QTRY_COMPARE(stream->frames().size(), 1);
    const Answer early = send(appRequest(id, 8000), "GET");
    QCOMPARE(early.status, 502);
    QCOMPARE(early.object(), QJsonObject({{u"sandboxId"_s, id},
                                          {u"message"_s, u"The sandbox is running but port is not open"_s},
                                          {u"port"_s, 8000},
                                          {u"code"_s, 502}}));
    QTRY_VERIFY_WITH_TIMEOUT(send(appRequest(id, 8000), "GET").status == 200, 2000);
    QCOMPARE(send(appRequest(id, 8000), "GET").body, "ready");
}

void TestFakeE2b::proxyHtmlForBrowsers()
{
    const QString id = create();
    const auto as = [&](const QByteArray &userAgent, const QByteArray &accept, const QString &target) {
        QNetworkRequest request = appRequest(target, 8000);
        request.setRawHeader("User-Agent", userAgent);
        if (!accept.isEmpty())
            request.setRawHeader("Accept", accept);
        return send(request, "GET");
    };
    Answer answer = as("Mozilla/5.0 (X11; Linux x86_64) Chrome/120", {}, id);
    QCOMPARE(answer.status, 502);
    QVERIFY(answer.header("Content-Type").startsWith("text/html"));
    QVERIFY(answer.body.contains("The sandbox is running but port is not open"));
    answer = as("Mozilla/5.0", "application/json", id);
    QVERIFY(answer.header("Content-Type").startsWith("application/json"));
    QCOMPARE(answer.object().value(u"port"_s).toInt(), 8000);
    QVERIFY(
        as("Mozilla/5.0", "text/html, application/json", id).header("Content-Type").startsWith("text/html"));
    QVERIFY(as("SpawnAI/0.1", {}, id).header("Content-Type").startsWith("application/json"));
    answer = as("Safari", {}, u"zzzzzzzzzzzzzzzzzzzz"_s);
    QCOMPARE(answer.status, 502);
    QVERIFY(answer.body.contains("The sandbox was not found"));

    // Qt's own default User-Agent is "Mozilla/5.0": a request without one gets the page too.
    QNetworkRequest qtDefault = appRequest(id, 8000);
    qtDefault.setRawHeader("User-Agent", QByteArray());
    QVERIFY(send(qtDefault, "GET").header("Content-Type").startsWith("text/html"));
}

void TestFakeE2b::connectTimeoutKillsProcess()
{
    const QString id = create();
    QCOMPARE(upload(id, u"/home/user/index.html"_s, "up").status, 200);
    QElapsedTimer clock;
    clock.start();
    auto stream = start(id, startRequest(u"python3 -m http.server 8000"_s), {{"Connect-Timeout-Ms", "300"}});
    QTRY_COMPARE(stream->frames().size(), 1);
    QCOMPARE(send(appRequest(id, 8000), "GET").status, 200);
    const quint32 pid = m_server->sandbox(id)->processes.at(0).pid;
    QCOMPARE(m_server->sandbox(id)->processes.at(0).connectTimeoutMs, 300);

    QTRY_VERIFY_WITH_TIMEOUT(stream->reply->isFinished(), 2000);
    QVERIFY2(clock.elapsed() >= 290, qPrintable(QString::number(clock.elapsed())));
    const QList<Frame> all = stream->frames();
    QCOMPARE(all.size(), 2);
    QCOMPARE(all.at(1).flags, 2);
    QCOMPARE(all.at(1).json.value(u"error"_s).toObject().value(u"code"_s).toString(), u"deadline_exceeded"_s);
    QVERIFY(!m_server->sandbox(id)->process(pid)->running);
    const Answer closed = send(appRequest(id, 8000), "GET");
    QCOMPARE(closed.status, 502);
    QCOMPARE(closed.object().value(u"message"_s).toString(),
             u"The sandbox is running but port is not open"_s);
}

void TestFakeE2b::connectTimeoutZero()
{
    const QString id = create();
    auto stream = start(id, startRequest(u"python3 -m http.server 8000"_s), {{"Connect-Timeout-Ms", "0"}});
    QTRY_VERIFY(stream->reply->isFinished());
    QCOMPARE(stream->status(), 200);
    const QList<Frame> all = stream->frames();
    QCOMPARE(all.size(), 1); // no start event: the stream ends at once
    QCOMPARE(all.at(0).flags, 2);
    QCOMPARE(all.at(0).json.value(u"error"_s).toObject().value(u"code"_s).toString(), u"deadline_exceeded"_s);
    QCOMPARE(m_server->sandbox(id)->processes.at(0).connectTimeoutMs, 0);
}

void TestFakeE2b::startErrors()
{
    const QString id = create();
    auto stream = start(id, startRequest(u"python3 -m http.server"_s, u"/home/user/nope"_s));
    QTRY_VERIFY(stream->reply->isFinished());
    QCOMPARE(stream->status(), 200); // streaming errors come in the end-of-stream frame
    QCOMPARE(stream->frames().size(), 1);
    QCOMPARE(stream->frames().at(0).flags, 2);
    QCOMPARE(
        stream->frames().at(0).json,
        QJsonObject({{u"error"_s, QJsonObject{{u"code"_s, u"invalid_argument"_s},
                                              {u"message"_s, u"cwd '/home/user/nope' does not exist"_s}}}}));
    QVERIFY(m_server->sandbox(id)->processes.isEmpty());

    // The cwd exists once a file was uploaded below it.
    QCOMPARE(upload(id, u"/home/user/nope/index.html"_s, "x").status, 200);
    auto started = start(id, startRequest(u"python3 -m http.server"_s, u"/home/user/nope"_s));
    QTRY_COMPARE(started->frames().size(), 1);
    QCOMPARE(started->frames().at(0).flags, 0);

    QNetworkRequest unary = envdRequest(id, u"/process.Process/Start"_s);
    unary.setRawHeader("Content-Type", "application/json");
    QCOMPARE(sendJson(unary, "POST", startRequest(u"ls"_s)).status, 415);
}

void TestFakeE2b::appExitsImmediately()
{
    m_server->setAppExitsImmediately(true);
    const QString id = create();
    auto stream = start(id, startRequest(u"python3 main.py"_s));
    QTRY_VERIFY(stream->reply->isFinished());
    const QList<Frame> all = stream->frames();
    QCOMPARE(all.size(), 4);
    QVERIFY(all.at(0).json.value(u"event"_s).toObject().contains(u"start"_s));
    const QByteArray stderrBytes = QByteArray::fromBase64(all.at(1)
                                                              .json.value(u"event"_s)
                                                              .toObject()
                                                              .value(u"data"_s)
                                                              .toObject()
                                                              .value(u"stderr"_s)
                                                              .toString()
                                                              .toLatin1());
    QVERIFY(stderrBytes.contains("ModuleNotFoundError"));
    QCOMPARE(all.at(2).json.value(u"event"_s).toObject().value(u"end"_s).toObject(),
             QJsonObject({{u"exitCode"_s, 1}, {u"exited"_s, true}, {u"status"_s, u"exit status 1"_s}}));
    QCOMPARE(all.at(3).flags, 2);
    QCOMPARE(all.at(3).json, QJsonObject());
    QVERIFY(!m_server->sandbox(id)->processes.at(0).running);
    QCOMPARE(send(appRequest(id, 8000), "GET").status, 502);
}

void TestFakeE2b::appNeverListens()
{
    m_server->setAppNeverListens(true);
    const QString id = create();
    auto stream = start(id, startRequest(u"python3 -m http.server 8000"_s));
    QTRY_COMPARE(stream->frames().size(), 1);
    QTest::qWait(100);
    QCOMPARE(send(appRequest(id, 8000), "GET").object().value(u"message"_s).toString(),
             u"The sandbox is running but port is not open"_s);
    QVERIFY(m_server->sandbox(id)->processes.at(0).running);
    QVERIFY(!m_server->sandbox(id)->processes.at(0).listening);
}

void TestFakeE2b::portDetection_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QJsonObject>("envs");
    QTest::addColumn<QJsonObject>("sandboxEnvs");
    QTest::addColumn<int>("port");
    QTest::newRow("PORT env") << u"node server.js"_s << QJsonObject{{u"PORT"_s, u"3000"_s}} << QJsonObject()
                              << 3000;
    QTest::newRow("sandbox envVars") << u"node server.js"_s << QJsonObject()
                                     << QJsonObject{{u"PORT"_s, u"9000"_s}} << 9000;
    QTest::newRow("process env wins") << u"node server.js"_s << QJsonObject{{u"PORT"_s, u"3001"_s}}
                                      << QJsonObject{{u"PORT"_s, u"9000"_s}} << 3001;
    QTest::newRow("http.server") << u"python3 -m http.server 5000 --bind 0.0.0.0"_s << QJsonObject()
                                 << QJsonObject() << 5000;
    QTest::newRow("--port") << u"uvicorn main:app --host 0.0.0.0 --port 8080"_s << QJsonObject()
                            << QJsonObject() << 8080;
    QTest::newRow("serve -l") << u"npx serve -l 4000 ."_s << QJsonObject() << QJsonObject() << 4000;
    QTest::newRow("bind address") << u"gunicorn -b 0.0.0.0:7000 app:app"_s << QJsonObject() << QJsonObject()
                                  << 7000;
    QTest::newRow("default") << u"python3 app.py"_s << QJsonObject() << QJsonObject() << 8000;
}

void TestFakeE2b::portDetection()
{
    QFETCH(QString, command);
    QFETCH(QJsonObject, envs);
    QFETCH(QJsonObject, sandboxEnvs);
    QFETCH(int, port);
    const QString id =
        create({{u"templateID"_s, u"base"_s}, {u"timeout"_s, 60}, {u"envVars"_s, sandboxEnvs}});
    QCOMPARE(upload(id, u"/home/user/index.html"_s, "ok").status, 200);
    auto stream = start(id, startRequest(command, {}, envs));
    QTRY_COMPARE(stream->frames().size(), 1);
    QCOMPARE(m_server->sandbox(id)->processes.at(0).port, port);
    QCOMPARE(send(appRequest(id, port), "GET").body, "ok");
}

void TestFakeE2b::listAndSendSignal()
{
    const QString id = create();
    auto web = start(id, startRequest(u"python3 -m http.server 8000"_s, {}, {}, u"web"_s));
    auto worker = start(id, startRequest(u"python3 worker.py --port 9001"_s, {}, {}, u"worker"_s));
    QTRY_COMPARE(web->frames().size(), 1);
    QTRY_COMPARE(worker->frames().size(), 1);

    Answer answer = rpc(id, u"process.Process/List"_s, {});
    QCOMPARE(answer.status, 200);
    const QJsonArray processes = answer.object().value(u"processes"_s).toArray();
    QCOMPARE(processes.size(), 2);
    QCOMPARE(processes.at(0).toObject().value(u"tag"_s).toString(), u"web"_s);
    QCOMPARE(processes.at(0).toObject().value(u"config"_s).toObject().value(u"cmd"_s).toString(),
             u"/bin/bash"_s);
    QVERIFY(!processes.at(0).toObject().value(u"config"_s).toObject().contains(u"cwd"_s)); // none sent

    answer = rpc(id, u"process.Process/SendSignal"_s,
                 {{u"process"_s, QJsonObject{{u"tag"_s, u"web"_s}}}, {u"signal"_s, u"SIGNAL_SIGKILL"_s}});
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.object(), QJsonObject());
    QTRY_VERIFY(web->reply->isFinished());
    const QList<Frame> all = web->frames();
    QCOMPARE(all.size(), 3);
    QCOMPARE(all.at(1).json.value(u"event"_s).toObject().value(u"end"_s).toObject(),
             QJsonObject({{u"exitCode"_s, -1}, {u"status"_s, u"signal: killed"_s}}));
    QCOMPARE(all.at(2).flags, 2);
    QCOMPARE(send(appRequest(id, 8000), "GET").status, 502);

    answer = rpc(id, u"process.Process/SendSignal"_s,
                 {{u"process"_s, QJsonObject{{u"pid"_s, 9999}}}, {u"signal"_s, u"SIGNAL_SIGTERM"_s}});
    QCOMPARE(answer.status, 404);
    QCOMPARE(answer.object().value(u"code"_s).toString(), u"not_found"_s);
    QCOMPARE(rpc(id, u"process.Process/List"_s, {}).object().value(u"processes"_s).toArray().size(), 1);

    QNetworkRequest streaming = envdRequest(id, u"/process.Process/List"_s);
    streaming.setRawHeader("Content-Type", "application/connect+json");
    QCOMPARE(send(streaming, "POST", envelope({})).status, 415);
}

void TestFakeE2b::makeDir()
{
    const QString id = create();
    Answer answer = rpc(id, u"filesystem.Filesystem/MakeDir"_s, {{u"path"_s, u"/home/user/site"_s}});
    QCOMPARE(answer.status, 200);
    const QJsonObject entry = answer.object().value(u"entry"_s).toObject();
    QCOMPARE(entry.value(u"type"_s).toString(), u"FILE_TYPE_DIRECTORY"_s);
    QCOMPARE(entry.value(u"path"_s).toString(), u"/home/user/site"_s);
    QCOMPARE(entry.value(u"name"_s).toString(), u"site"_s);
    answer = rpc(id, u"filesystem.Filesystem/MakeDir"_s, {{u"path"_s, u"/home/user/site"_s}});
    QCOMPARE(answer.status, 409);
    QCOMPARE(answer.object().value(u"code"_s).toString(), u"already_exists"_s);
    QVERIFY(m_server->sandbox(id)->dirs.contains(u"/home/user/site"_s));

    auto stream = start(id, startRequest(u"python3 -m http.server"_s, u"/home/user/site"_s));
    QTRY_COMPARE(stream->frames().size(), 1);
    QCOMPARE(stream->frames().at(0).flags, 0);
    QCOMPARE(send(appRequest(id, 8000), "GET").status, 404); // listening, but no index.html
}

void TestFakeE2b::killSandboxMidSession()
{
    const QString id = create();
    QCOMPARE(upload(id, u"/home/user/index.html"_s, "x").status, 200);
    auto stream = start(id, startRequest(u"python3 -m http.server 8000"_s));
    QTRY_COMPARE(stream->frames().size(), 1);
    QCOMPARE(send(appRequest(id, 8000), "GET").status, 200);

    QVERIFY(m_server->killSandbox(id));
    QVERIFY(!m_server->killSandbox(id));
    QTRY_VERIFY(stream->reply->isFinished());
    QCOMPARE(stream->frames().size(), 1); // the connection ended without an end-of-stream frame
    const Answer app = send(appRequest(id, 8000), "GET");
    QCOMPARE(app.status, 502);
    QCOMPARE(app.object().value(u"message"_s).toString(), u"The sandbox was not found"_s);
    QCOMPARE(send(envdRequest(id, u"/health"_s), "GET").status, 502);
    QCOMPARE(send(apiRequest(u"/sandboxes/"_s + id), "DELETE").status, 404);
    QCOMPARE(send(apiRequest(u"/v2/sandboxes"_s), "GET").array().size(), 0);
    QVERIFY(m_server->sandboxes().isEmpty());
    QVERIFY(!m_server->sandbox(id)->alive);
    QVERIFY(!m_server->sandbox(id)->processes.at(0).running);
}

void TestFakeE2b::faultsStillApply()
{
    FakeFault fault;
    fault.method = "POST";
    fault.path = QRegularExpression(u"^/sandboxes$"_s);
    fault.response =
        FakeHttpResponse::json(429, QJsonObject{{u"code"_s, 429}, {u"message"_s, u"Rate limit exceeded"_s}});
    fault.response.headers.append(std::pair<QByteArray, QByteArray>("Retry-After", "1"));
    m_server->addFault(fault);
    const Answer limited = sendJson(apiRequest(u"/sandboxes"_s), "POST", {{u"templateID"_s, u"base"_s}});
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.header("Retry-After"), "1");
    QCOMPARE(m_server->createdCount(), 0);
    QVERIFY(!create().isEmpty());
    QCOMPARE(m_server->count("POST", QRegularExpression(u"^/sandboxes$"_s)), 2);
}

QTEST_GUILESS_MAIN(TestFakeE2b)
#include "tst_fakee2b.moc"
