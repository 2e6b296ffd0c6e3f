#pragma once

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>
#include <vector>

Q_DECLARE_LOGGING_CATEGORY(lcSecrets) // spawnai.secrets: operations, providers, statuses; never a secret

enum class SecretStatus {
    Ok,
    NotFound,    // the store works and holds no key for this provider
    Unavailable, // no secret service answers on D-Bus
    Locked,      // a secret service answers but its keyring is locked (or has no usable collection)
    Denied,      // the user or the service refused access
    Failed,      // anything else, including an unknown provider name
};

struct SecretResult
{
    SecretStatus status = SecretStatus::Failed;
    QString provider;
    QString message; // translated, shown to the user; empty when Ok; never contains the secret
    QString detail;  // the backend's own error text, untranslated, for logs and diagnostics
    QString secret;  // only for a successful read; do not copy it further than needed

    bool ok() const { return status == SecretStatus::Ok; }
};

// API keys in the OS keychain through QtKeychain: service "SpawnAI", key "api-key/<provider>".
//
// Everything is asynchronous and never spins a nested event loop. Each call delivers exactly one result to
// `done`, always later from the event loop (never from inside the call), and only while both `context` and
// the store live. Use the store from its own thread. There is no plaintext fallback: when no secret service
// works, the result says so.
//
// QtKeychain's libsecret backend answers a read from a locked or half-set-up keyring with "entry not found",
// so every "not found" (and every "removed") is confirmed by a canary write/read/delete before it is
// believed; a failing canary turns it into Unavailable or Locked.
class SecretStore final : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const SecretResult &)>;

    explicit SecretStore(QObject *parent);

    static QStringList providers(); // anthropic, e2b, fly, runpod, digitalocean, modal, replit, nhost
    static bool isValidProvider(const QString &provider);
    static QString statusName(SecretStatus status); // stable, for JSON output and logs

    void read(const QString &provider, const QObject *context, Callback done);
    void write(const QString &provider, const QString &secret, const QObject *context, Callback done);
    void remove(const QString &provider, const QObject *context, Callback done);
    // Writes, reads back and deletes a canary entry; Ok means keys can really be stored.
    void checkAvailability(const QObject *context, Callback done);

    // A secret service that is not on the bus yet (login race) is asked once more after this delay.
    void setRetryDelay(std::chrono::milliseconds delay) { m_retryDelay = delay; }

private:
    enum class Op { Read, Write, Remove };
    struct Outcome;
    using OutcomeHandler = std::function<void(const Outcome &)>;

    void runJob(Op op, const QString &key, const QString &secret, bool isRetry, OutcomeHandler handler);
    void runCanary(Callback done);
    void finishCanary(const SecretResult &result);
    // Delivers `believed` if the store is known to work, otherwise the canary's failure.
    void confirmStoreWorks(SecretResult believed, const QPointer<const QObject> &context,
                           const Callback &done);
    void deliver(const SecretResult &result, const QPointer<const QObject> &context,
                 const Callback &done) const;
    void deliverLater(SecretResult result, const QPointer<const QObject> &context, Callback done);
    // A translated message for `status`, unless `message` gives a more specific one.
    SecretResult failure(SecretStatus status, const QString &provider, const QString &detail,
                         const QString &message = {}) const;
    SecretResult unknownProvider() const;
    SecretResult fromOutcome(const Outcome &outcome, const QString &provider);

    std::chrono::milliseconds m_retryDelay;
    QDeadlineTimer m_storeWorksUntil; // expired unless a canary or a write proved the store recently
    bool m_canaryRunning = false;
    std::vector<Callback> m_canaryWaiters;
};
