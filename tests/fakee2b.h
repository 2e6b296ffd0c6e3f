#pragma once

#include "fakehttpserver.h"

#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <map>
#include <optional>

// A fake of E2B (e2b.md §2, §3, §7, §8) on one port of 127.0.0.1, routed by the Host header:
// - control plane on 127.0.0.1 / localhost (apiUrl()), X-API-Key: POST /sandboxes, GET /v2/sandboxes (and the
//   deprecated GET /sandboxes), GET/DELETE /sandboxes/{id}, POST /sandboxes/{id}/timeout and /refreshes,
//   GET /health;
// - sandbox hosts <port>-<sandboxID>.localhost (domain() is "localhost:<P>"), or sandbox.localhost with the
//   E2b-Sandbox-Id / E2b-Sandbox-Port headers: envd on 49983 (/health, POST /files, the Connect RPCs
//   process.Process/Start, List, SendSignal and filesystem.Filesystem/MakeDir), the started "app" on its
//   port, and the edge proxy's 502 answers (JSON, or an HTML page for browser-like User-Agents).
// Sandboxes die at endAt, never later than startedAt + the plan's maximum length. A started process is not
// tied to its Start stream; Connect-Timeout-Ms is its deadline. The "app" serves the uploaded files below the
// process's working directory. Generic faults (429, 5xx, drops) come from FakeHttpServer::addFault().
class FakeE2bServer final : public FakeHttpServer
{
    Q_OBJECT
public:
    enum class Plan { Hobby, Pro };

    struct Process
    {
        quint32 pid = 0;
        QString cmd;
        QStringList args;
        QMap<QString, QString> envs;
        QString cwd;     // as sent; empty: none sent
        QString workdir; // resolved: cwd, else the user's home
        QString tag;
        QString user;              // "user" or "root"
        int connectTimeoutMs = -1; // the Connect-Timeout-Ms header; -1: none came
        int port = 8000;           // where the fake app listens (envs PORT, the command line, else 8000)
        bool running = true;
        bool listening = false;
    };

    struct Sandbox
    {
        QString id;
        QString templateID; // resolved ID, not the alias
        QString alias;
        int cpuCount = 0;
        int memoryMB = 0;
        QMap<QString, QString> metadata;
        QMap<QString, QString> envVars;
        std::optional<bool> allowInternetAccess;
        QDateTime startedAt;             // UTC
        QDateTime endAt;                 // UTC; the current expiry (or when it died)
        QString accessToken;             // envdAccessToken; empty unless created with secure: true
        QMap<QString, QByteArray> files; // absolute path → content
        QSet<QString> dirs;              // made with Filesystem/MakeDir
        QList<Process> processes;        // in start order, ended ones too
        bool alive = true;

        bool listening(int port) const;
        const Process *process(quint32 pid) const;
    };

    explicit FakeE2bServer(QObject *parent = nullptr);
    ~FakeE2bServer() override;

    QString domain() const; // "localhost:<port>"
    QUrl apiUrl() const { return baseUrl(); }

    void setApiKey(const QString &key) { m_apiKey = key; } // empty (the default): any non-empty key
    void setPlan(Plan plan) { m_plan = plan; } // max lifetime 1 h / 24 h, concurrency 20 / 100; default Pro
    void setMaxConcurrent(int count) { m_maxConcurrent = count; } // overrides the plan's; -1: the plan's
    void setDiskLimitBytes(qint64 bytes) { m_diskLimit = bytes; } // per sandbox, all files; -1: unlimited
    void setAppStartDelayMs(int ms) { m_appStartDelayMs = ms; }   // from Start until the app listens
    void setAppNeverListens(bool never) { m_appNeverListens = never; }
    void setAppExitsImmediately(bool exits) { m_appExitsImmediately = exits; } // stderr, exit status 1

    // Test hooks. sandboxes() lists the alive ones; sandbox() finds killed ones too (alive false).
    bool killSandbox(const QString &id);
    QList<Sandbox> sandboxes() const;
    std::optional<Sandbox> sandbox(const QString &id) const;
    int createdCount() const { return m_created; }
    int aliveCount() const;

signals:
    void sandboxCreated(const QString &id);
    void sandboxKilled(const QString &id);

protected:
    std::optional<FakeHttpResponse> handle(const FakeHttpRequest &request, quint64 exchange) override;

private:
    FakeHttpResponse handleApi(const FakeHttpRequest &request);
    FakeHttpResponse createSandbox(const FakeHttpRequest &request);
    FakeHttpResponse listSandboxes(const FakeHttpRequest &request, bool v2) const;
    FakeHttpResponse extendSandbox(Sandbox &sandbox, const FakeHttpRequest &request, bool refresh);
    std::optional<FakeHttpResponse> handleSandboxHost(const FakeHttpRequest &request, quint64 exchange);
    std::optional<FakeHttpResponse> handleEnvd(Sandbox &sandbox, const FakeHttpRequest &request,
                                               quint64 exchange);
    FakeHttpResponse uploadFiles(Sandbox &sandbox, const FakeHttpRequest &request);
    std::optional<FakeHttpResponse> startProcess(Sandbox &sandbox, const FakeHttpRequest &request,
                                                 quint64 exchange);
    FakeHttpResponse listProcesses(const Sandbox &sandbox) const;
    FakeHttpResponse sendSignal(Sandbox &sandbox, const FakeHttpRequest &request);
    FakeHttpResponse makeDir(Sandbox &sandbox, const FakeHttpRequest &request);
    void launchApp(const QString &id, quint32 pid);
    void endProcess(Sandbox &sandbox, Process &process, const QByteArray &streamTail);
    void kill(Sandbox &sandbox);
    void reap();
    void scheduleReaper();
    Sandbox *alive(const QString &id);
    Process *running(const QString &id, quint32 pid);
    qint64 maxLifetimeSecs() const { return m_plan == Plan::Hobby ? 3600 : 24 * 3600; }
    int concurrencyLimit() const
    {
        return m_maxConcurrent >= 0 ? m_maxConcurrent : m_plan == Plan::Hobby ? 20 : 100;
    }

    QString m_apiKey;
    Plan m_plan = Plan::Pro;
    int m_maxConcurrent = -1;
    qint64 m_diskLimit = -1;
    int m_appStartDelayMs = 0;
    bool m_appNeverListens = false;
    bool m_appExitsImmediately = false;
    std::map<QString, Sandbox> m_sandboxes;
    QHash<QString, quint64> m_streams; // "<id>/<pid>" → its Start stream while open
    QTimer m_reaper;                   // fires at the earliest endAt
    int m_created = 0;
};
