#pragma once

#include "fakehttpserver.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QUrl>

#include <functional>
#include <optional>

// A fake of Fly.io on one port of 127.0.0.1 that behaves like the real service as fly.md documents it:
// - the Machines REST API under apiUrl() = http://127.0.0.1:<port>/v1 (Host 127.0.0.1 or localhost): apps,
//   IP assignments, Machines with their lifecycle, wait, stop/start/destroy/update, error bodies
//   {"error":…[,"status":…]}, a fly-request-id header on every answer;
// - the GraphQL fallback for IPs, POST /graphql (allocateIpAddress only);
// - the apps' public hosts <app>.localhost:<port> (for https://<app>.fly.dev, domain() = "localhost:<port>"),
//   answered like Fly Proxy: no such app or no public IP → the connection is dropped (as a name that does not
//   resolve); no started Machine → 503; nothing listening yet → 502; else the Machine's files below the
//   `cd <dir>` of its command (default /app) served statically.
// A Machine "runs" its init.exec: a `timeout N` in it ends the process N s after start, and the exit is
// handled per restart policy and auto_destroy (only auto_destroy + policy "no" destroys; on-failure, the
// default, and always restart). Generic faults (429, 5xx, drops, stalls) come from FakeHttpServer::addFault.
class FakeFlyServer final : public FakeHttpServer
{
    Q_OBJECT
public:
    struct IpAssignment
    {
        QString id;
        QString address;
        QString type; // v4, v6, shared_v4, private_v6
        QString region = QStringLiteral("global");
        QString serviceName;
        bool shared = false;
        QDateTime createdAt;
    };
    struct Machine
    {
        QString app;
        QString id; // 14 hex digits
        QString name;
        QString state; // created, starting, started, stopping, stopped, replacing, destroying, destroyed
        QString region;
        QString instanceId; // a ULID, new on every update
        QString privateIp;
        QJsonObject config; // as echoed: the request's config with guest defaults filled in
        QMap<QString, QString> metadata;
        QMap<QString, QByteArray> files; // guest_path → content
        QString workDir;          // the command's `cd <dir>`, default /app: what the public host serves
        int deadlineSeconds = -1; // the command's `timeout N`; -1: none, runs until stopped
        bool listening = false;   // the app accepts connections on services[0].internal_port
        int restarts = 0;         // automatic restarts after the process exited
        QJsonArray events;        // newest first, as the API lists them
        QDateTime createdAt, updatedAt, startedAt, destroyedAt;
        int run = 0; // bumped whenever the process is replaced or ends: pending timers of older runs lapse
    };
    struct App
    {
        QString id;
        QString name;
        QString org;
        QString network;
        int numericId = 0;
        QDateTime createdAt;
        QList<IpAssignment> ips;
        QList<Machine> machines; // destroyed ones included (state "destroyed")
    };

    explicit FakeFlyServer(QObject *parent = nullptr);

    // "localhost:<port>": an app's public URL is http://<app>.localhost:<port>/ (for https://<app>.fly.dev).
    QString domain() const { return QStringLiteral("localhost:%1").arg(port()); }
    QUrl apiUrl() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(port())); }
    QUrl graphqlUrl() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/graphql").arg(port())); }

    // The token after the scheme ("Bearer x" or "FlyV1 fm2_a,fm2_b"); empty (default): any token.
    void setToken(const QString &token) { m_token = token; }
    // The token's one organisation (default "personal"), and how many apps it may hold (-1, default: any).
    void setOrgSlug(const QString &slug) { m_org = slug; }
    void setMaxApps(int max) { m_maxApps = max; }
    // A name taken by an app of another organisation: create → 422 name_taken, GET → 403.
    void reserveForeignAppName(const QString &name) { m_foreignNames.insert(name); }
    // false: /v1/apps/{app}/ip_assignments is unknown (404) and clients must use GraphQL.
    void setIpAssignmentsRestAvailable(bool available) { m_ipRest = available; }
    // starting → started (default 0: the next event-loop pass); never: Machines stay "starting".
    void setMachineStartDelayMs(int ms) { m_machineStartDelayMs = ms; }
    void setMachinesNeverStart(bool never) { m_machinesNeverStart = never; }
    // started → the app listens (default 0); never: the proxy answers 502 for started Machines.
    void setAppStartDelayMs(int ms) { m_appStartDelayMs = ms; }
    void setAppNeverListens(bool never) { m_appNeverListens = never; }
    // Create Machine → 412 {"error":…,"status":"insufficient_capacity"}.
    void setNoCapacity(bool noCapacity) { m_noCapacity = noCapacity; }
    // > 3 calls/s per action per Machine or app (Get Machine: 10) → 429 {"error":"rate limit exceeded"}.
    void setRateLimited(bool limited) { m_rateLimited = limited; }

    // The process of every started Machine of the app exits with exitCode now (137: killed, 124: its own
    // `timeout` ran out, 0: a clean exit), handled as a real exit. False when none was running.
    bool killMachine(const QString &app, int exitCode = 137);

    QList<App> apps() const { return m_apps; }
    std::optional<App> app(const QString &name) const;
    std::optional<Machine> machine(const QString &app, const QString &id) const;
    int appsCreated() const { return m_appsCreated; }
    int machinesCreated() const { return m_machinesCreated; }
    int pendingWaits() const { return int(m_waiters.size()); }

protected:
    std::optional<FakeHttpResponse> handle(const FakeHttpRequest &request, quint64 exchange) override;

private:
    struct Waiter
    {
        quint64 exchange = 0;
        QByteArray requestId;
        QString app, machineId, state, instanceId;
    };

    std::optional<FakeHttpResponse> api(const FakeHttpRequest &request, quint64 exchange,
                                        const QByteArray &requestId);
    std::optional<QString> authProblem(const FakeHttpRequest &request) const;
    bool overRate(const QString &key, int perSecond);
    FakeHttpResponse createApp(const FakeHttpRequest &request);
    FakeHttpResponse listApps(const FakeHttpRequest &request) const;
    FakeHttpResponse deleteApp(const QString &name);
    FakeHttpResponse ipAssignments(const FakeHttpRequest &request, App &app, const QString &ip);
    IpAssignment &allocateIp(App &app, const QString &type, const QString &region,
                             const QString &serviceName);
    FakeHttpResponse graphql(const FakeHttpRequest &request);
    FakeHttpResponse createMachine(const FakeHttpRequest &request, App &app);
    FakeHttpResponse updateMachine(const FakeHttpRequest &request, Machine &machine);
    FakeHttpResponse listMachines(const FakeHttpRequest &request, const App &app) const;
    std::optional<FakeHttpResponse> machineAction(const FakeHttpRequest &request, quint64 exchange,
                                                  const QByteArray &requestId, Machine &machine,
                                                  const QString &action);
    std::optional<FakeHttpResponse> wait(const FakeHttpRequest &request, quint64 exchange,
                                         const QByteArray &requestId, const Machine &machine);
    FakeHttpResponse servePublic(const FakeHttpRequest &request, const QString &appName) const;
    bool routable(const QString &appName) const;

    // The Machine's life.
    void later(int ms, const Machine &machine, std::function<void(Machine &)> step);
    void startMachine(Machine &machine, const QString &eventType, const QString &source);
    void processStarted(Machine &machine);
    void processExited(Machine &machine, int exitCode);
    void destroyMachine(Machine &machine, const QString &source);
    void setState(Machine &machine, const QString &state, const QString &eventType, const QString &source,
                  const QJsonObject &request = {});
    void settleWaiters(const Machine &machine);

    App *findApp(const QString &name);
    const App *findApp(const QString &name) const;
    Machine *findMachine(const QString &app, const QString &id);
    QJsonObject appJson(const App &app) const;

    QString m_token;
    QString m_org = QStringLiteral("personal");
    int m_maxApps = -1;
    QSet<QString> m_foreignNames;
    bool m_ipRest = true;
    int m_machineStartDelayMs = 0;
    bool m_machinesNeverStart = false;
    int m_appStartDelayMs = 0;
    bool m_appNeverListens = false;
    bool m_noCapacity = false;
    bool m_rateLimited = false;

    QList<App> m_apps;
    QList<Waiter> m_waiters;
    QHash<QString, QList<qint64>> m_calls; // rate limiting: action key → recent call times (m_clock)
    QElapsedTimer m_clock;
    int m_appsCreated = 0;
    int m_machinesCreated = 0;
    int m_sharedV4Counter = 0;
};
