#pragma once

#include "bwrapprobe.h"
#include "provider.h"

#include <QHash>
#include <QPointer>

#include <functional>
#include <optional>

class LocalSandbox;

struct LocalProviderOptions
{
    QString bwrapPath;  // empty: not installed
    QString helperPath; // spawnai-sandbox
    QString runDir;     // per-session app copies
    int startTimeoutMs = 30'000;
    bool allowUnsandboxed = false; // the user's explicit opt-out, off by default

    // bwrap from $SPAWNAI_BWRAP or PATH, the helper from $SPAWNAI_SANDBOX_HELPER or next to the executable.
    static LocalProviderOptions fromEnvironment(const QString &runDir);
};

// The default provider: apps run on this computer in a bubblewrap sandbox, served on 127.0.0.1. Costs
// nothing. Sandboxes die with SpawnAI, so a local session never outlives the process that started it.
class LocalProvider final : public Provider
{
    Q_OBJECT
public:
    static constexpr qint64 kMaxLifetimeSeconds = 24 * 3600;
    static inline const QString kKey = QStringLiteral("local");

    explicit LocalProvider(const LocalProviderOptions &options, QObject *parent = nullptr);
    ~LocalProvider() override;

    ProviderCapabilities capabilities() const override;
    DeployJob *deploy(const DeployRequest &request) override;
    DeployJob *redeploy(const QString &resourceId, const DeployRequest &request) override;
    ProviderJob *destroy(const QString &resourceId, const QString &sessionId) override;
    ProviderJob *extend(const QString &resourceId, const QDateTime &newExpiresAt) override;
    ListJob *list(const QString &installId) override;

    const LocalProviderOptions &options() const { return m_options; }
    // New settings apply to the next deploy; running sandboxes keep what they started with.
    void setOptions(const LocalProviderOptions &options) { m_options = options; }

    // Checks bubblewrap once per process (and again after a failure); `done` runs in `context`'s thread.
    void checkSandbox(QObject *context, std::function<void(const SandboxSupport &)> done);

    // The deploy job hands over a sandbox that answered; from then on the provider watches it.
    void adopt(LocalSandbox *sandbox);
    LocalSandbox *sandbox(const QString &sessionId) const;
    QString sessionDir(const QString &sessionId) const;

private:
    LocalProviderOptions m_options;
    std::optional<SandboxSupport> m_support;
    QPointer<BwrapProbe> m_probe;
    QHash<QString, LocalSandbox *> m_sandboxes;
};
