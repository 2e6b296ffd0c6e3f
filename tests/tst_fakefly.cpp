// The fake Fly.io (FakeFlyServer) checked against fly.md with QNetworkAccessManager, the way the Fly provider
// talks to Fly: auth, apps, IPs over REST and GraphQL, Machines and their lifecycle (wait,
// stop/start/destroy, update, the `timeout N` self-destruct and its restart-policy pitfall), the apps' public
// hosts behind the fake Fly Proxy, rate limits and injected faults.
#include "fakefly.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

const QString kToken = u"fm2_lJPECAAAAAAAAMTEST,fm2_lJPEAAAAAAAAAAQ2"_s; // as `fly tokens create org` prints
const QByteArray kIndex = "<h1>Hello from SpawnAI</h1>\n";
const QString kServe = u"cd /app && exec timeout 3600 python3 -m http.server 8080 --bind 0.0.0.0"_s;

struct Answer
{
    int status = 0; // 0: no HTTP answer
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QMap<QByteArray, QByteArray> headers; // names lower-cased
    qint64 elapsedMs = 0;

    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }
    QString error_() const { return object().value(u"error"_s).toString(); }
    QByteArray header(const QByteArray &name) const { return headers.value(name); }
};

QJsonObject file(const QString &path, const QByteArray &content)
{
    return {{u"guest_path"_s, path}, {u"raw_value"_s, QString::fromLatin1(content.toBase64())}};
}

// The Machine config of fly.md §5.4: a static site by python's http.server that destroys itself.
QJsonObject machineConfig(const QString &command = kServe, bool autoDestroy = true,
                          const QString &policy = u"no"_s)
{
    QJsonObject config{
        {u"image"_s, u"python:3.12-alpine"_s},
        {u"guest"_s, QJsonObject{{u"cpu_kind"_s, u"shared"_s}, {u"cpus"_s, 1}, {u"memory_mb"_s, 256}}},
        {u"env"_s, QJsonObject{{u"PORT"_s, u"8080"_s}}},
        {u"files"_s,
         QJsonArray{file(u"/app/index.html"_s, kIndex), file(u"/app/style.css"_s, "h1 { color: red }"),
                    file(u"/app/sub/index.html"_s, "<p>sub</p>")}},
        {u"init"_s, QJsonObject{{u"exec"_s, QJsonArray{u"/bin/sh"_s, u"-c"_s, command}}}},
        {u"services"_s,
         QJsonArray{QJsonObject{
             {u"protocol"_s, u"tcp"_s},
             {u"internal_port"_s, 8080},
             {u"autostop"_s, false},
             {u"autostart"_s, false},
             {u"ports"_s,
              QJsonArray{QJsonObject{{u"port"_s, 443}, {u"handlers"_s, QJsonArray{u"tls"_s, u"http"_s}}},
                         QJsonObject{{u"port"_s, 80},
                                     {u"handlers"_s, QJsonArray{u"http"_s}},
                                     {u"force_https"_s, true}}}}}}},
        {u"auto_destroy"_s, autoDestroy},
        {u"metadata"_s, QJsonObject{{u"spawnai_run"_s, u"r-7f3a"_s}}}};
    if (!policy.isEmpty())
        config.insert(u"restart"_s, QJsonObject{{u"policy"_s, policy}});
    return config;
}

} // namespace

class TestFakeFly : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void authorization_data();
    void authorization();
    void legacyTokenOnlyWithBearer();
    void unknownRoutes();
    void createAndShowApp();
    void createAppRejected_data();
    void createAppRejected();
    void appLimit();
    void deleteAppCascades();
    void ipAssignmentsOverRest();
    void ipAssignmentsOverGraphql();
    void graphqlErrors();
    void createMachineShape();
    void createMachineRejected_data();
    void createMachineRejected();
    void noCapacity();
    void listMachinesFilters();
    void waitValidation_data();
    void waitValidation();
    void waitTimesOut();
    void waitIsDeferredUntilStarted();
    void selfDestructAfterTimeout();
    void autoDestroyNeedsRestartPolicyNo();
    void restartPolicies();
    void stopStartDestroy();
    void updateMachine();
    void publicHostServesFiles();
    void publicHostUnroutableFailsConnection();
    void publicHostBeforeTheAppServes();
    void killMachineMidSession();
    void rateLimit();
    void injectedFaults();

private:
    Answer send(const QByteArray &method, const QString &pathAndQuery, const QJsonValue &body = {},
                const QByteArray &authorization = "FlyV1 " + kToken.toLatin1(), const QByteArray &host = {});
    Answer api(const QByteArray &method, const QString &pathAndQuery, const QJsonValue &body = {})
    {
        return send(method, pathAndQuery, body);
    }
    Answer publicGet(const QString &app, const QString &path = u"/"_s);
    Answer graphql(const QString &query, const QJsonObject &variables);
    void createApp(const QString &name, bool publicIps = true);
    QJsonObject createMachine(const QString &app, const QJsonObject &config = machineConfig(),
                              const QString &region = u"iad"_s);
    Answer waitFor(const QString &app, const QString &id, const QString &state, int timeout = 5,
                   const QString &instanceId = {});

    QNetworkAccessManager *m_network = nullptr;
    FakeFlyServer *m_server = nullptr;
};

void TestFakeFly::init()
{
    m_network = new QNetworkAccessManager(this);
    m_server = new FakeFlyServer(this);
    m_server->setToken(kToken);
    QVERIFY(m_server->listen());
}

void TestFakeFly::cleanup()
{
    delete m_network;
    delete m_server;
}

Answer TestFakeFly::send(const QByteArray &method, const QString &pathAndQuery, const QJsonValue &body,
                         const QByteArray &authorization, const QByteArray &host)
{
    QNetworkRequest request(QUrl(m_server->baseUrl().toString() + pathAndQuery));
    request.setTransferTimeout(20000);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    if (!host.isEmpty()) // as the provider does for <app>.localhost: connect to 127.0.0.1, name the host
        request.setRawHeader("Host", host);
    QByteArray data;
    if (!body.isUndefined()) {
        data = body.isArray() ? QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact)
                              : QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    }
    QElapsedTimer timer;
    timer.start();
    QNetworkReply *reply = m_network->sendCustomRequest(request, method, data);
    QEventLoop loop;
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    Answer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.error = reply->error();
    answer.body = reply->readAll();
    for (const auto &[name, value] : reply->rawHeaderPairs())
        answer.headers.insert(name.toLower(), value);
    answer.elapsedMs = timer.elapsed();
    reply->deleteLater();
    return answer;
}

Answer TestFakeFly::publicGet(const QString &app, const QString &path)
{
    return send("GET", path, {}, {}, (app + u".localhost:"_s + QString::number(m_server->port())).toLatin1());
}

Answer TestFakeFly::graphql(const QString &query, const QJsonObject &variables)
{
    return send("POST", u"/graphql"_s, QJsonObject{{u"query"_s, query}, {u"variables"_s, variables}});
}

void TestFakeFly::createApp(const QString &name, bool publicIps)
{
    const Answer created =
        api("POST", u"/v1/apps"_s, QJsonObject{{u"app_name"_s, name}, {u"org_slug"_s, u"personal"_s}});
    QCOMPARE(created.status, 201);
    if (!publicIps)
        return;
    for (const QString &type : {u"shared_v4"_s, u"v6"_s})
        QCOMPARE(
            api("POST", u"/v1/apps/%1/ip_assignments"_s.arg(name), QJsonObject{{u"type"_s, type}}).status,
            200);
}

QJsonObject TestFakeFly::createMachine(const QString &app, const QJsonObject &config, const QString &region)
{
    const Answer created =
        api("POST", u"/v1/apps/%1/machines"_s.arg(app),
            QJsonObject{{u"name"_s, u"web"_s}, {u"region"_s, region}, {u"config"_s, config}});
    if (created.status != 200)
        qWarning() << created.body;
    return created.object();
}

Answer TestFakeFly::waitFor(const QString &app, const QString &id, const QString &state, int timeout,
                            const QString &instanceId)
{
    QString path = u"/v1/apps/%1/machines/%2/wait?state=%3&timeout=%4"_s.arg(app, id, state).arg(timeout);
    if (!instanceId.isEmpty())
        path += u"&instance_id="_s + instanceId;
    return api("GET", path);
}

void TestFakeFly::authorization_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("status");
    QTest::newRow("missing") << QByteArray() << 401;
    QTest::newRow("wrong token") << QByteArray("Bearer fm2_nope") << 401;
    QTest::newRow("other scheme") << "Basic " + kToken.toLatin1() << 401;
    QTest::newRow("one macaroon of two") << QByteArray("FlyV1 fm2_lJPECAAAAAAAAMTEST") << 401;
    QTest::newRow("FlyV1 macaroons") << "FlyV1 " + kToken.toLatin1() << 200;
    QTest::newRow("Bearer macaroons") << "Bearer " + kToken.toLatin1() << 200;
    QTest::newRow("space after comma")
        << QByteArray("FlyV1 fm2_lJPECAAAAAAAAMTEST, fm2_lJPEAAAAAAAAAAQ2") << 200;
}

void TestFakeFly::authorization()
{
    QFETCH(QByteArray, header);
    QFETCH(int, status);
    const Answer answer = send("GET", u"/v1/apps?org_slug=personal"_s, {}, header);
    QCOMPARE(answer.status, status);
    QVERIFY(!answer.header("fly-request-id").isEmpty());
    if (status == 401)
        QVERIFY(!answer.error_().isEmpty());
}

void TestFakeFly::legacyTokenOnlyWithBearer()
{
    m_server->setToken(u"legacy-personal-token"_s);
    QCOMPARE(send("GET", u"/v1/apps?org_slug=personal"_s, {}, "Bearer legacy-personal-token").status, 200);
    // FlyV1 carries macaroons only (fly.md §2: the client picks the scheme from the token).
    QCOMPARE(send("GET", u"/v1/apps?org_slug=personal"_s, {}, "FlyV1 legacy-personal-token").status, 401);
}

void TestFakeFly::unknownRoutes()
{
    const Answer unknown = api("GET", u"/v1/nothing"_s);
    QCOMPARE(unknown.status, 404);
    QCOMPARE(unknown.body, "404 page not found\n");
    QVERIFY(!unknown.header("fly-request-id").isEmpty());
    createApp(u"spawnai-routes"_s);
    const QString id = createMachine(u"spawnai-routes"_s).value(u"id"_s).toString();
    const Answer lease = api("POST", u"/v1/apps/spawnai-routes/machines/%1/lease"_s.arg(id));
    QCOMPARE(lease.status, 501); // real but not emulated: said so rather than faked
    QCOMPARE(api("GET", u"/v1/apps/spawnai-routes/machines/0123456789abcd"_s).error_(),
             u"machine not found"_s);
}

void TestFakeFly::createAndShowApp()
{
    const Answer created =
        api("POST", u"/v1/apps"_s,
            QJsonObject{{u"app_name"_s, u"spawnai-k3x9q2m1c7aa"_s}, {u"org_slug"_s, u"personal"_s}});
    QCOMPARE(created.status, 201);
    QVERIFY(!created.object().value(u"id"_s).toString().isEmpty());
    QVERIFY(created.object().contains(u"created_at"_s));
    // The current official client sends `name` (to /apps?wait=true, answered with the App).
    const Answer named = api("POST", u"/v1/apps?wait=true"_s,
                             QJsonObject{{u"name"_s, u"spawnai-second"_s}, {u"org_slug"_s, u"personal"_s}});
    QCOMPARE(named.status, 201);
    QCOMPARE(named.object().value(u"name"_s).toString(), u"spawnai-second"_s);

    const QJsonObject app = api("GET", u"/v1/apps/spawnai-k3x9q2m1c7aa"_s).object();
    QCOMPARE(app.value(u"name"_s).toString(), u"spawnai-k3x9q2m1c7aa"_s);
    QCOMPARE(app.value(u"id"_s), created.object().value(u"id"_s));
    QCOMPARE(app.value(u"status"_s).toString(), u"pending"_s);
    QCOMPARE(app.value(u"organization"_s).toObject().value(u"slug"_s).toString(), u"personal"_s);
    QCOMPARE(app.value(u"machine_count"_s).toInt(), 0);
    for (const QString &key : {u"volume_count"_s, u"network"_s, u"internal_numeric_id"_s})
        QVERIFY2(app.contains(key), qPrintable(key));

    const QJsonObject list = api("GET", u"/v1/apps?org_slug=personal"_s).object();
    QCOMPARE(list.value(u"total_apps"_s).toInt(), 2);
    const QJsonObject entry = list.value(u"apps"_s).toArray().at(0).toObject();
    for (const QString &key : {u"id"_s, u"name"_s, u"machine_count"_s, u"volume_count"_s, u"network"_s})
        QVERIFY2(entry.contains(key), qPrintable(key));
    QCOMPARE(m_server->appsCreated(), 2);
    QVERIFY(m_server->app(u"spawnai-second"_s).has_value());
}

void TestFakeFly::createAppRejected_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    const auto body = [](const QString &name, const QString &org = u"personal"_s) {
        return QJsonObject{{u"app_name"_s, name}, {u"org_slug"_s, org}};
    };
    QTest::newRow("upper case") << body(u"SpawnAI-x"_s) << 400 << QString();
    QTest::newRow("underscore") << body(u"spawnai_x"_s) << 400 << QString();
    QTest::newRow("no name") << QJsonObject{{u"org_slug"_s, u"personal"_s}} << 400 << QString();
    QTest::newRow("unknown org") << body(u"spawnai-x"_s, u"acme"_s) << 404 << QString();
    QTest::newRow("taken here") << body(u"spawnai-taken"_s) << 422 << u"name_taken"_s;
    QTest::newRow("taken elsewhere") << body(u"spawnai-foreign"_s) << 422 << u"name_taken"_s;
}

void TestFakeFly::createAppRejected()
{
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    createApp(u"spawnai-taken"_s, false);
    m_server->reserveForeignAppName(u"spawnai-foreign"_s);
    const Answer answer = api("POST", u"/v1/apps"_s, body);
    QCOMPARE(answer.status, status);
    QVERIFY(!answer.error_().isEmpty());
    QCOMPARE(answer.object().value(u"status"_s).toString(), code);
    if (status == 422)
        QCOMPARE(answer.error_(), u"Name has already been taken"_s);
    // A name of another organisation: 403 on GET (fly.md §3), so the client knows it is not free.
    QCOMPARE(api("GET", u"/v1/apps/spawnai-foreign"_s).status, 403);
    QCOMPARE(api("GET", u"/v1/apps/spawnai-free"_s).error_(), u"app not found"_s);
}

void TestFakeFly::appLimit()
{
    m_server->setMaxApps(1);
    createApp(u"spawnai-one"_s, false);
    const Answer refused =
        api("POST", u"/v1/apps"_s,
            QJsonObject{{u"app_name"_s, u"spawnai-two"_s}, {u"org_slug"_s, u"personal"_s}});
    QCOMPARE(refused.status, 403);
    QVERIFY2(refused.error_().contains(u"app limit"_s), qPrintable(refused.error_()));
    QCOMPARE(api("DELETE", u"/v1/apps/spawnai-one?force=true"_s).status, 202);
    createApp(u"spawnai-two"_s, false);
}

void TestFakeFly::deleteAppCascades()
{
    createApp(u"spawnai-del"_s);
    const QString id = createMachine(u"spawnai-del"_s).value(u"id"_s).toString();
    QCOMPARE(waitFor(u"spawnai-del"_s, id, u"started"_s).status, 200);
    QCOMPARE(publicGet(u"spawnai-del"_s).status, 200);

    const Answer deleted = api("DELETE", u"/v1/apps/spawnai-del?force=true"_s);
    QCOMPARE(deleted.status, 202);
    QVERIFY(deleted.body.isEmpty());
    QCOMPARE(api("GET", u"/v1/apps/spawnai-del"_s).status, 404);
    QCOMPARE(api("GET", u"/v1/apps/spawnai-del/machines"_s).status, 404);
    QCOMPARE(api("DELETE", u"/v1/apps/spawnai-del?force=true"_s).status, 404);
    QVERIFY(m_server->apps().isEmpty());
    QCOMPARE(publicGet(u"spawnai-del"_s).status, 0); // the name no longer resolves
    createApp(u"spawnai-del"_s, false);              // and is free again
}

void TestFakeFly::ipAssignmentsOverRest()
{
    createApp(u"spawnai-ips"_s, false);
    const Answer v4 =
        api("POST", u"/v1/apps/spawnai-ips/ip_assignments"_s, QJsonObject{{u"type"_s, u"shared_v4"_s}});
    QCOMPARE(v4.status, 200);
    QCOMPARE(v4.object().value(u"region"_s).toString(), u"global"_s);
    QCOMPARE(v4.object().value(u"service_name"_s).toString(), u""_s);
    QCOMPARE(v4.object().value(u"shared"_s).toBool(), true);
    QVERIFY(v4.object().value(u"created_at"_s).toString().endsWith(u'Z'));
    QVERIFY(QRegularExpression(u"^\\d+\\.\\d+\\.\\d+\\.\\d+$"_s)
                .match(v4.object().value(u"ip"_s).toString())
                .hasMatch());
    const Answer v6 =
        api("POST", u"/v1/apps/spawnai-ips/ip_assignments"_s, QJsonObject{{u"type"_s, u"v6"_s}});
    QCOMPARE(v6.status, 200);
    QCOMPARE(v6.object().value(u"shared"_s).toBool(), false);
    const QString address = v6.object().value(u"ip"_s).toString();
    QVERIFY(address.startsWith(u"2a09:8280:"_s));

    QCOMPARE(api("GET", u"/v1/apps/spawnai-ips/ip_assignments"_s).object().value(u"ips"_s).toArray().size(),
             2);
    QVERIFY(api("DELETE", u"/v1/apps/spawnai-ips/ip_assignments/"_s + address).status / 100 == 2);
    QCOMPARE(api("GET", u"/v1/apps/spawnai-ips/ip_assignments"_s).object().value(u"ips"_s).toArray().size(),
             1);
    QCOMPARE(api("DELETE", u"/v1/apps/spawnai-ips/ip_assignments/"_s + address).status, 404);
    QCOMPARE(api("POST", u"/v1/apps/spawnai-ips/ip_assignments"_s, QJsonObject{{u"type"_s, u"v5"_s}}).status,
             400);
    QCOMPARE(api("POST", u"/v1/apps/nope/ip_assignments"_s, QJsonObject{{u"type"_s, u"v6"_s}}).status, 404);
}

void TestFakeFly::ipAssignmentsOverGraphql()
{
    m_server->setIpAssignmentsRestAvailable(false);
    createApp(u"spawnai-gql"_s, false);
    QCOMPARE(api("POST", u"/v1/apps/spawnai-gql/ip_assignments"_s, QJsonObject{{u"type"_s, u"v6"_s}}).status,
             404);

    // The official client's exact mutations (fly.md §4.2).
    const Answer shared = graphql(
        u"mutation($input: AllocateIPAddressInput!) { allocateIpAddress(input: $input) { app { sharedIpAddress } } }"_s,
        {{u"input"_s,
          QJsonObject{{u"appId"_s, u"spawnai-gql"_s}, {u"type"_s, u"shared_v4"_s}, {u"region"_s, u""_s}}}});
    QCOMPARE(shared.status, 200);
    const QJsonObject sharedPayload =
        shared.object().value(u"data"_s).toObject().value(u"allocateIpAddress"_s).toObject();
    QCOMPARE(sharedPayload.keys(), QStringList{u"app"_s});
    QVERIFY(!sharedPayload.value(u"app"_s).toObject().value(u"sharedIpAddress"_s).toString().isEmpty());

    const Answer v6 =
        graphql(u"mutation($input: AllocateIPAddressInput!) { allocateIpAddress(input: $input) { "
                "ipAddress { id address type region createdAt } } }"_s,
                {{u"input"_s,
                  QJsonObject{{u"appId"_s, u"spawnai-gql"_s}, {u"type"_s, u"v6"_s}, {u"region"_s, u""_s}}}});
    QCOMPARE(v6.status, 200);
    const QJsonObject ip = v6.object()
                               .value(u"data"_s)
                               .toObject()
                               .value(u"allocateIpAddress"_s)
                               .toObject()
                               .value(u"ipAddress"_s)
                               .toObject();
    QCOMPARE(ip.keys(), (QStringList{u"address"_s, u"createdAt"_s, u"id"_s, u"region"_s, u"type"_s}));
    QCOMPARE(ip.value(u"type"_s).toString(), u"v6"_s);
    QCOMPARE(ip.value(u"region"_s).toString(), u"global"_s);
    QVERIFY(ip.value(u"address"_s).toString().contains(u':'));
    QCOMPARE(m_server->app(u"spawnai-gql"_s)->ips.size(), 2);
    QCOMPARE(publicGet(u"spawnai-gql"_s).status, 503); // routable now, though nothing runs yet
}

void TestFakeFly::graphqlErrors()
{
    const QString query =
        u"mutation($input: AllocateIPAddressInput!) { allocateIpAddress(input: $input) { app { "
        "sharedIpAddress } } }"_s;
    const QJsonObject input{
        {u"input"_s, QJsonObject{{u"appId"_s, u"spawnai-none"_s}, {u"type"_s, u"shared_v4"_s}}}};
    const Answer unknownApp = graphql(query, input);
    QCOMPARE(unknownApp.status, 200); // GraphQL errors come with 200: check "errors"
    QVERIFY(unknownApp.object().value(u"data"_s).isNull());
    QCOMPARE(unknownApp.object().value(u"errors"_s).toArray().at(0).toObject().value(u"message"_s).toString(),
             u"Could not find App"_s);

    createApp(u"spawnai-gqlerr"_s, false);
    const Answer badField =
        graphql(u"mutation($input: AllocateIPAddressInput!) { allocateIpAddress(input: $input) "
                "{ app { sharedIp } } }"_s,
                {{u"input"_s, QJsonObject{{u"appId"_s, u"spawnai-gqlerr"_s}, {u"type"_s, u"v6"_s}}}});
    QCOMPARE(badField.status, 200);
    QVERIFY(!badField.object().contains(u"data"_s));
    QVERIFY(badField.object()
                .value(u"errors"_s)
                .toArray()
                .at(0)
                .toObject()
                .value(u"message"_s)
                .toString()
                .contains(u"sharedIp"_s));
    QVERIFY(m_server->app(u"spawnai-gqlerr"_s)->ips.isEmpty()); // nothing allocated by an invalid query

    const Answer badType =
        graphql(query, {{u"input"_s, QJsonObject{{u"appId"_s, u"spawnai-gqlerr"_s}, {u"type"_s, u"v5"_s}}}});
    QVERIFY(!badType.object().value(u"errors"_s).toArray().isEmpty());

    const Answer noAuth =
        send("POST", u"/graphql"_s, QJsonObject{{u"query"_s, query}, {u"variables"_s, input}}, {});
    QCOMPARE(noAuth.status, 200);
    QCOMPARE(noAuth.object()
                 .value(u"errors"_s)
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(u"extensions"_s)
                 .toObject()
                 .value(u"code"_s)
                 .toString(),
             u"UNAUTHORIZED"_s);
}

void TestFakeFly::createMachineShape()
{
    createApp(u"spawnai-shape"_s);
    const QJsonObject machine = createMachine(u"spawnai-shape"_s);
    const QString id = machine.value(u"id"_s).toString();
    QVERIFY2(QRegularExpression(u"^[0-9a-f]{14}$"_s).match(id).hasMatch(), qPrintable(id));
    QCOMPARE(machine.value(u"name"_s).toString(), u"web"_s);
    QCOMPARE(machine.value(u"state"_s).toString(), u"created"_s);
    QCOMPARE(machine.value(u"region"_s).toString(), u"iad"_s);
    QVERIFY(QRegularExpression(u"^01[0-9A-HJKMNP-TV-Z]{24}$"_s)
                .match(machine.value(u"instance_id"_s).toString())
                .hasMatch());
    QVERIFY(machine.value(u"private_ip"_s).toString().startsWith(u"fdaa:"_s));
    QCOMPARE(machine.value(u"host_status"_s).toString(), u"ok"_s);
    QVERIFY(machine.value(u"created_at"_s).toString().endsWith(u'Z'));
    QVERIFY(machine.contains(u"updated_at"_s));
    const QJsonObject config = machine.value(u"config"_s).toObject();
    QCOMPARE(config.value(u"image"_s).toString(), u"python:3.12-alpine"_s);
    QCOMPARE(config.value(u"guest"_s).toObject().value(u"memory_mb"_s).toInt(), 256);
    QCOMPARE(config.value(u"auto_destroy"_s).toBool(), true);
    const QJsonObject event = machine.value(u"events"_s).toArray().at(0).toObject();
    QCOMPARE(event.value(u"type"_s).toString(), u"launch"_s);
    QCOMPARE(event.value(u"status"_s).toString(), u"created"_s);

    QCOMPARE(waitFor(u"spawnai-shape"_s, id, u"started"_s).object(), QJsonObject({{u"ok"_s, true}}));
    QCOMPARE(api("GET", u"/v1/apps/spawnai-shape/machines/"_s + id).object().value(u"state"_s).toString(),
             u"started"_s);
    QCOMPARE(api("GET", u"/v1/apps/spawnai-shape"_s).object().value(u"machine_count"_s).toInt(), 1);
    const auto observed = m_server->machine(u"spawnai-shape"_s, id);
    QVERIFY(observed);
    QCOMPARE(observed->files.value(u"/app/index.html"_s), kIndex);
    QCOMPARE(observed->deadlineSeconds, 3600);
    QCOMPARE(observed->workDir, u"/app"_s);
    QCOMPARE(observed->metadata.value(u"spawnai_run"_s), u"r-7f3a"_s);
    QVERIFY(observed->startedAt.isValid());
    QCOMPARE(m_server->machinesCreated(), 1);
    const QJsonArray events = api("GET", u"/v1/apps/spawnai-shape/machines/%1/events"_s.arg(id)).array();
    QCOMPARE(events.at(0).toObject().value(u"status"_s).toString(), u"started"_s); // newest first
}

void TestFakeFly::createMachineRejected_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("message");
    const auto with = [](const QString &key, const QJsonValue &value) {
        QJsonObject config = machineConfig();
        config.insert(key, value);
        return QJsonObject{{u"region"_s, u"iad"_s}, {u"config"_s, config}};
    };
    const auto guest = [&with](const QString &kind, int cpus, int memory) {
        return with(u"guest"_s,
                    QJsonObject{{u"cpu_kind"_s, kind}, {u"cpus"_s, cpus}, {u"memory_mb"_s, memory}});
    };
    QJsonObject noImage = machineConfig();
    noImage.remove(u"image"_s);
    QTest::newRow("no config") << QJsonObject{{u"region"_s, u"iad"_s}} << u"config"_s;
    QTest::newRow("no image") << QJsonObject{{u"config"_s, noImage}} << u"image"_s;
    QTest::newRow("memory not a multiple of 256") << guest(u"shared"_s, 1, 300) << u"memory_mb"_s;
    QTest::newRow("too much memory per shared cpu") << guest(u"shared"_s, 1, 4096) << u"memory_mb"_s;
    QTest::newRow("too little memory per cpu") << guest(u"shared"_s, 2, 256) << u"memory_mb"_s;
    QTest::newRow("unknown cpu kind") << guest(u"gpu"_s, 1, 256) << u"cpu_kind"_s;
    QTest::newRow("relative guest path")
        << with(u"files"_s, QJsonArray{file(u"app/index.html"_s, kIndex)}) << u"guest_path"_s;
    QTest::newRow("raw value not base64")
        << with(u"files"_s,
                QJsonArray{QJsonObject{{u"guest_path"_s, u"/app/x"_s}, {u"raw_value"_s, u"<h1>"_s}}})
        << u"base64"_s;
    QTest::newRow("unknown restart policy")
        << with(u"restart"_s, QJsonObject{{u"policy"_s, u"sometimes"_s}}) << u"restart.policy"_s;
    QTest::newRow("service without internal port")
        << with(u"services"_s, QJsonArray{QJsonObject{{u"protocol"_s, u"tcp"_s}}}) << u"internal_port"_s;
    QTest::newRow("exec not strings")
        << with(u"init"_s, QJsonObject{{u"exec"_s, u"python3 -m http.server"_s}}) << u"init.exec"_s;
    QJsonObject unknownRegion = with(u"image"_s, u"python:3.12-alpine"_s);
    unknownRegion.insert(u"region"_s, u"mars"_s);
    QTest::newRow("unknown region") << unknownRegion << u"region"_s;
}

void TestFakeFly::createMachineRejected()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, message);
    createApp(u"spawnai-bad"_s);
    const Answer answer = api("POST", u"/v1/apps/spawnai-bad/machines"_s, body);
    QCOMPARE(answer.status, 400);
    QVERIFY2(answer.error_().contains(message), qPrintable(answer.error_()));
    QCOMPARE(m_server->machinesCreated(), 0);
}

void TestFakeFly::noCapacity()
{
    createApp(u"spawnai-full"_s);
    m_server->setNoCapacity(true);
    const Answer answer = api("POST", u"/v1/apps/spawnai-full/machines"_s,
                              QJsonObject{{u"region"_s, u"iad"_s}, {u"config"_s, machineConfig()}});
    QCOMPARE(answer.status, 412);
    QCOMPARE(answer.object().value(u"status"_s).toString(), u"insufficient_capacity"_s);
}

void TestFakeFly::listMachinesFilters()
{
    createApp(u"spawnai-list"_s);
    QJsonObject other = machineConfig();
    other.insert(u"metadata"_s, QJsonObject{{u"spawnai_run"_s, u"r-other"_s}});
    const QString first = createMachine(u"spawnai-list"_s).value(u"id"_s).toString();
    const QString second = createMachine(u"spawnai-list"_s, other, u"ams"_s).value(u"id"_s).toString();
    QCOMPARE(api("GET", u"/v1/apps/spawnai-list/machines"_s).array().size(), 2);
    const QJsonArray inAms = api("GET", u"/v1/apps/spawnai-list/machines?region=ams"_s).array();
    QCOMPARE(inAms.size(), 1);
    QCOMPARE(inAms.at(0).toObject().value(u"id"_s).toString(), second);
    const QJsonArray labelled =
        api("GET", u"/v1/apps/spawnai-list/machines?metadata.spawnai_run=r-7f3a"_s).array();
    QCOMPARE(labelled.size(), 1);
    QCOMPARE(labelled.at(0).toObject().value(u"id"_s).toString(), first);

    QCOMPARE(api("DELETE", u"/v1/apps/spawnai-list/machines/%1?force=true"_s.arg(first)).object(),
             QJsonObject({{u"ok"_s, true}}));
    QCOMPARE(waitFor(u"spawnai-list"_s, first, u"destroyed"_s).status, 200);
    QCOMPARE(api("GET", u"/v1/apps/spawnai-list/machines"_s).array().size(), 1);
    QCOMPARE(api("GET", u"/v1/apps/spawnai-list/machines?include_deleted=true"_s).array().size(), 2);
}

void TestFakeFly::waitValidation_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("timeout above 60") << u"state=started&timeout=61"_s;
    QTest::newRow("timeout 0") << u"state=started&timeout=0"_s;
    QTest::newRow("timeout not a number") << u"state=started&timeout=1m"_s;
    QTest::newRow("stopped without instance_id") << u"state=stopped&timeout=5"_s;
    QTest::newRow("unknown state") << u"state=running"_s;
}

void TestFakeFly::waitValidation()
{
    QFETCH(QString, query);
    createApp(u"spawnai-wait"_s);
    const QString id = createMachine(u"spawnai-wait"_s).value(u"id"_s).toString();
    const Answer answer = api("GET", u"/v1/apps/spawnai-wait/machines/%1/wait?%2"_s.arg(id, query));
    QCOMPARE(answer.status, 400);
    QVERIFY(!answer.error_().isEmpty());
}

void TestFakeFly::waitTimesOut()
{
    m_server->setMachinesNeverStart(true);
    createApp(u"spawnai-stuck"_s);
    const QString id = createMachine(u"spawnai-stuck"_s).value(u"id"_s).toString();
    const Answer answer = waitFor(u"spawnai-stuck"_s, id, u"started"_s, 1);
    QCOMPARE(answer.status, 408);
    QVERIFY2(answer.error_().contains(u"deadline_exceeded"_s), qPrintable(answer.error_()));
    QVERIFY2(answer.elapsedMs >= 900, qPrintable(QString::number(answer.elapsedMs)));
    QVERIFY(!answer.header("fly-request-id").isEmpty());
    QCOMPARE(m_server->machine(u"spawnai-stuck"_s, id)->state, u"starting"_s);
    QCOMPARE(m_server->pendingWaits(), 0);
}

void TestFakeFly::waitIsDeferredUntilStarted()
{
    m_server->setMachineStartDelayMs(400);
    createApp(u"spawnai-slow"_s);
    const QString id = createMachine(u"spawnai-slow"_s).value(u"id"_s).toString();
    QCOMPARE(api("GET", u"/v1/apps/spawnai-slow/machines/"_s + id).object().value(u"state"_s).toString(),
             u"starting"_s);
    const Answer started = waitFor(u"spawnai-slow"_s, id, u"started"_s, 10);
    QCOMPARE(started.status, 200);
    QVERIFY2(started.elapsedMs >= 250 && started.elapsedMs < 5000,
             qPrintable(QString::number(started.elapsedMs)));
    QVERIFY(!started.header("fly-request-id").isEmpty());
}

void TestFakeFly::selfDestructAfterTimeout()
{
    createApp(u"spawnai-ttl"_s);
    const QString id =
        createMachine(u"spawnai-ttl"_s,
                      machineConfig(u"cd /app && exec timeout 1 python3 -m http.server 8080"_s))
            .value(u"id"_s)
            .toString();
    QCOMPARE(waitFor(u"spawnai-ttl"_s, id, u"started"_s).status, 200);
    QCOMPARE(publicGet(u"spawnai-ttl"_s).body, kIndex);
    const Answer destroyed = waitFor(u"spawnai-ttl"_s, id, u"destroyed"_s, 10);
    QCOMPARE(destroyed.status, 200);
    QVERIFY2(destroyed.elapsedMs > 500 && destroyed.elapsedMs < 5000,
             qPrintable(QString::number(destroyed.elapsedMs)));

    QVERIFY(api("GET", u"/v1/apps/spawnai-ttl/machines"_s).array().isEmpty());
    QCOMPARE(api("GET", u"/v1/apps/spawnai-ttl/machines?include_deleted=true"_s).array().size(), 1);
    const QJsonObject machine = api("GET", u"/v1/apps/spawnai-ttl/machines/"_s + id).object();
    QCOMPARE(machine.value(u"state"_s).toString(), u"destroyed"_s);
    bool exited = false;
    for (const QJsonValue &event : machine.value(u"events"_s).toArray()) {
        const QJsonObject exit =
            event.toObject().value(u"request"_s).toObject().value(u"exit_event"_s).toObject();
        exited = exited || exit.value(u"exit_code"_s).toInt() == 124;
    }
    QVERIFY(exited);
    const auto observed = m_server->machine(u"spawnai-ttl"_s, id);
    QCOMPARE(observed->deadlineSeconds, 1);
    QVERIFY(observed->startedAt.msecsTo(observed->destroyedAt) >= 900);
    // The app outlives its Machine and keeps its name until deleted (fly.md §7).
    QCOMPARE(api("GET", u"/v1/apps/spawnai-ttl"_s).object().value(u"machine_count"_s).toInt(), 0);
    QCOMPARE(publicGet(u"spawnai-ttl"_s).status, 503);
    QCOMPARE(waitFor(u"spawnai-ttl"_s, id, u"started"_s).status, 404);
}

void TestFakeFly::autoDestroyNeedsRestartPolicyNo()
{
    // The pitfall: auto_destroy without restart policy "no" (default on-failure) restarts instead.
    createApp(u"spawnai-pit"_s);
    const QString id =
        createMachine(u"spawnai-pit"_s, machineConfig(kServe, true, QString())).value(u"id"_s).toString();
    QCOMPARE(waitFor(u"spawnai-pit"_s, id, u"started"_s).status, 200);
    QVERIFY(m_server->killMachine(u"spawnai-pit"_s, 124));
    QCOMPARE(m_server->machine(u"spawnai-pit"_s, id)->state, u"starting"_s);
    QCOMPARE(waitFor(u"spawnai-pit"_s, id, u"started"_s).status, 200);
    QCOMPARE(m_server->machine(u"spawnai-pit"_s, id)->restarts, 1);
    QCOMPARE(api("GET", u"/v1/apps/spawnai-pit/machines"_s).array().size(), 1);
}

void TestFakeFly::restartPolicies()
{
    createApp(u"spawnai-policy"_s);
    // Policy "no" without auto_destroy: stopped, still listed.
    const QString no =
        createMachine(u"spawnai-policy"_s, machineConfig(kServe, false, u"no"_s)).value(u"id"_s).toString();
    // on-failure: a clean exit stays down, a failure restarts; always: restarts either way.
    const QString onFailure =
        createMachine(u"spawnai-policy"_s, machineConfig(kServe, false, u"on-failure"_s))
            .value(u"id"_s)
            .toString();
    const QString always = createMachine(u"spawnai-policy"_s, machineConfig(kServe, false, u"always"_s))
                               .value(u"id"_s)
                               .toString();
    for (const QString &id : {no, onFailure, always})
        QCOMPARE(waitFor(u"spawnai-policy"_s, id, u"started"_s).status, 200);
    QVERIFY(m_server->killMachine(u"spawnai-policy"_s, 0));
    QCOMPARE(m_server->machine(u"spawnai-policy"_s, no)->state, u"stopped"_s);
    QCOMPARE(m_server->machine(u"spawnai-policy"_s, onFailure)->state, u"stopped"_s);
    QCOMPARE(m_server->machine(u"spawnai-policy"_s, always)->state, u"starting"_s);
    QCOMPARE(api("GET", u"/v1/apps/spawnai-policy/machines"_s).array().size(), 3);
}

void TestFakeFly::stopStartDestroy()
{
    createApp(u"spawnai-life"_s);
    const QJsonObject created = createMachine(u"spawnai-life"_s);
    const QString id = created.value(u"id"_s).toString();
    const QString path = u"/v1/apps/spawnai-life/machines/"_s + id;
    QCOMPARE(waitFor(u"spawnai-life"_s, id, u"started"_s).status, 200);

    const Answer refused = api("DELETE", path);
    QCOMPARE(refused.status, 409);
    QCOMPARE(refused.error_(), u"unable to destroy machine, not currently stopped"_s);
    QCOMPARE(api("POST", path + u"/start"_s).status, 412); // already running

    QCOMPARE(api("POST", path + u"/stop"_s, QJsonObject{{u"signal"_s, u"SIGTERM"_s}}).object(),
             QJsonObject({{u"ok"_s, true}}));
    const QString instance = created.value(u"instance_id"_s).toString();
    QCOMPARE(waitFor(u"spawnai-life"_s, id, u"stopped"_s, 5, instance).status, 200);
    // A stop is no exit of the process on its own: the auto_destroy Machine stays, stopped.
    QCOMPARE(m_server->machine(u"spawnai-life"_s, id)->state, u"stopped"_s);
    QCOMPARE(publicGet(u"spawnai-life"_s).status, 503);

    const Answer started = api("POST", path + u"/start"_s);
    QCOMPARE(started.object().value(u"previous_state"_s).toString(), u"stopped"_s);
    QCOMPARE(waitFor(u"spawnai-life"_s, id, u"started"_s).status, 200);

    QCOMPARE(api("DELETE", path + u"?force=true"_s).status, 200);
    QCOMPARE(waitFor(u"spawnai-life"_s, id, u"destroyed"_s).status, 200);
    QCOMPARE(api("POST", path + u"/start"_s).status, 404);
}

void TestFakeFly::updateMachine()
{
    createApp(u"spawnai-upd"_s);
    const QJsonObject created = createMachine(u"spawnai-upd"_s);
    const QString id = created.value(u"id"_s).toString();
    QCOMPARE(waitFor(u"spawnai-upd"_s, id, u"started"_s).status, 200);

    QJsonObject config = machineConfig(u"cd /srv && exec timeout 600 busybox httpd -f -p 8080 -h /srv"_s);
    config.insert(u"files"_s, QJsonArray{file(u"/srv/index.html"_s, "v2")});
    const Answer updated =
        api("POST", u"/v1/apps/spawnai-upd/machines/"_s + id, QJsonObject{{u"config"_s, config}});
    QCOMPARE(updated.status, 200);
    const QString instance = updated.object().value(u"instance_id"_s).toString();
    QVERIFY(!instance.isEmpty());
    QVERIFY(instance != created.value(u"instance_id"_s).toString());
    QCOMPARE(waitFor(u"spawnai-upd"_s, id, u"started"_s, 5, instance).status, 200);
    const auto observed = m_server->machine(u"spawnai-upd"_s, id);
    QCOMPARE(observed->deadlineSeconds, 600);
    QCOMPARE(observed->workDir, u"/srv"_s);
    QCOMPARE(publicGet(u"spawnai-upd"_s).body, "v2");
    QCOMPARE(api("POST", u"/v1/apps/spawnai-upd/machines/"_s + id, QJsonObject{}).status, 400);
}

void TestFakeFly::publicHostServesFiles()
{
    createApp(u"spawnai-web"_s);
    const QString id = createMachine(u"spawnai-web"_s).value(u"id"_s).toString();
    QCOMPARE(waitFor(u"spawnai-web"_s, id, u"started"_s).status, 200);
    QTRY_COMPARE(publicGet(u"spawnai-web"_s).status, 200);

    const Answer index = publicGet(u"spawnai-web"_s);
    QCOMPARE(index.body, kIndex);
    QVERIFY(index.header("content-type").startsWith("text/html"));
    QVERIFY(!index.header("fly-request-id").isEmpty());
    QCOMPARE(index.header("via"), "1.1 fly.io");
    QCOMPARE(publicGet(u"spawnai-web"_s, u"/style.css"_s).header("content-type"), "text/css");
    QCOMPARE(publicGet(u"spawnai-web"_s, u"/sub/"_s).body, "<p>sub</p>");
    QCOMPARE(publicGet(u"spawnai-web"_s, u"/missing.js"_s).status, 404);
    QCOMPARE(publicGet(u"spawnai-web"_s, u"/../etc/passwd"_s).status, 404);
    // The API host is not the app's: the same path there is the API's 404.
    QCOMPARE(send("GET", u"/style.css"_s).body, "404 page not found\n");
}

void TestFakeFly::publicHostUnroutableFailsConnection()
{
    // Neither an unknown app nor an app without public IPs resolves: a network error, no HTTP answer.
    const Answer unknown = publicGet(u"spawnai-ghost"_s);
    QCOMPARE(unknown.status, 0);
    QVERIFY(unknown.error != QNetworkReply::NoError);

    createApp(u"spawnai-private"_s, false);
    const QString id = createMachine(u"spawnai-private"_s).value(u"id"_s).toString();
    QCOMPARE(waitFor(u"spawnai-private"_s, id, u"started"_s).status, 200);
    QCOMPARE(publicGet(u"spawnai-private"_s).status, 0);
    QCOMPARE(
        api("POST", u"/v1/apps/spawnai-private/ip_assignments"_s, QJsonObject{{u"type"_s, u"private_v6"_s}})
            .status,
        200);
    QCOMPARE(publicGet(u"spawnai-private"_s).status, 0); // Flycast is not public
    QCOMPARE(
        api("POST", u"/v1/apps/spawnai-private/ip_assignments"_s, QJsonObject{{u"type"_s, u"v6"_s}}).status,
        200);
    QCOMPARE(publicGet(u"spawnai-private"_s).body, kIndex);
    QCOMPARE(m_server->pendingFaults(), 0); // each drop used up by its request
}

void TestFakeFly::publicHostBeforeTheAppServes()
{
    m_server->setMachineStartDelayMs(60000);
    createApp(u"spawnai-early"_s);
    QString id = createMachine(u"spawnai-early"_s).value(u"id"_s).toString();
    const Answer noMachine = publicGet(u"spawnai-early"_s);
    QCOMPARE(noMachine.status, 503);
    QVERIFY(noMachine.header("content-type").startsWith("text/plain"));
    QVERIFY(!noMachine.body.isEmpty());

    m_server->setMachineStartDelayMs(0);
    m_server->setAppNeverListens(true);
    createApp(u"spawnai-deaf"_s);
    id = createMachine(u"spawnai-deaf"_s).value(u"id"_s).toString();
    QCOMPARE(waitFor(u"spawnai-deaf"_s, id, u"started"_s).status, 200); // booted is not serving (fly.md §5.5)
    const Answer refused = publicGet(u"spawnai-deaf"_s);
    QCOMPARE(refused.status, 502);
    QVERIFY2(refused.body.contains("0.0.0.0:8080"), refused.body.constData());

    m_server->setAppNeverListens(false);
    m_server->setAppStartDelayMs(300);
    createApp(u"spawnai-late"_s);
    id = createMachine(u"spawnai-late"_s).value(u"id"_s).toString();
    QCOMPARE(waitFor(u"spawnai-late"_s, id, u"started"_s).status, 200);
    QCOMPARE(publicGet(u"spawnai-late"_s).status, 502);
    QTRY_COMPARE(publicGet(u"spawnai-late"_s).status, 200);
}

void TestFakeFly::killMachineMidSession()
{
    createApp(u"spawnai-kill"_s);
    const QString id = createMachine(u"spawnai-kill"_s).value(u"id"_s).toString();
    QCOMPARE(waitFor(u"spawnai-kill"_s, id, u"started"_s).status, 200);
    QCOMPARE(publicGet(u"spawnai-kill"_s).status, 200);
    QVERIFY(m_server->killMachine(u"spawnai-kill"_s));
    QCOMPARE(m_server->machine(u"spawnai-kill"_s, id)->state, u"destroyed"_s);
    QCOMPARE(publicGet(u"spawnai-kill"_s).status, 503);
    QVERIFY(!m_server->killMachine(u"spawnai-kill"_s));
}

void TestFakeFly::rateLimit()
{
    m_server->setRateLimited(true);
    createApp(u"spawnai-rate"_s);
    const QString first = createMachine(u"spawnai-rate"_s).value(u"id"_s).toString();
    const QString second = createMachine(u"spawnai-rate"_s).value(u"id"_s).toString();
    const QString stop = u"/v1/apps/spawnai-rate/machines/%1/stop"_s;
    for (int i = 0; i < 3; ++i)
        QCOMPARE(api("POST", stop.arg(first)).status, 200);
    const Answer limited = api("POST", stop.arg(first));
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.error_(), u"rate limit exceeded"_s);
    QCOMPARE(limited.header("retry-after"), "1");
    QCOMPARE(api("POST", stop.arg(second)).status, 200);                            // another Machine
    QCOMPARE(api("GET", u"/v1/apps/spawnai-rate/machines/"_s + first).status, 200); // another action
    QTest::qWait(1100);
    QCOMPARE(api("POST", stop.arg(first)).status, 200);
}

void TestFakeFly::injectedFaults()
{
    FakeFault unavailable;
    unavailable.method = "POST";
    unavailable.path = QRegularExpression(u"^/v1/apps$"_s);
    unavailable.response = FakeHttpResponse::json(503, QJsonObject{{u"error"_s, u"service unavailable"_s}});
    m_server->addFault(unavailable);
    const QJsonObject body{{u"app_name"_s, u"spawnai-fault"_s}, {u"org_slug"_s, u"personal"_s}};
    QCOMPARE(api("POST", u"/v1/apps"_s, body).status, 503);
    QVERIFY(!m_server->app(u"spawnai-fault"_s));

    FakeFault drop;
    drop.kind = FakeFault::Kind::DropAfterHandling; // an ambiguous create: done, but no answer
    drop.path = QRegularExpression(u"^/v1/apps$"_s);
    m_server->addFault(drop);
    // QNetworkAccessManager resends a request whose reused connection closed before any answer (even a POST):
    // the caller sees the drop, or that resend's 422. Either way the app was created once.
    const int status = api("POST", u"/v1/apps"_s, body).status;
    QVERIFY2(status == 0 || status == 422, qPrintable(QString::number(status)));
    QVERIFY(m_server->app(u"spawnai-fault"_s));
    QCOMPARE(m_server->appsCreated(), 1);
    QCOMPARE(api("POST", u"/v1/apps"_s, body).status, 422); // the retry finds its own name taken
    QCOMPARE(api("GET", u"/v1/apps/spawnai-fault"_s).status, 200);
}

QTEST_GUILESS_MAIN(TestFakeFly)
#include "tst_fakefly.moc"
