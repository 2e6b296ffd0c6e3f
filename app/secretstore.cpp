#include "secretstore.h"

#include "http/redactor.h"

#include <qt6keychain/keychain.h>

#include <QCoreApplication>
#include <QMetaObject>
#include <QRandomGenerator>
#include <QTimer>

#include <array>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcSecrets, "spawnai.secrets")

namespace {

// Long enough to share one canary among a burst of reads (a settings page asking for every provider), short
// enough to notice soon a keyring locked meanwhile, whose reads answer "not found".
constexpr auto kStoreProofLifetime = 10s;
constexpr auto kDefaultRetryDelay = 3s;

QString serviceName()
{
    return u"SpawnAI"_s;
}

// One canary per process: a GUI and a CLI checking at the same moment must not delete each other's.
QString canaryKey()
{
    return u"canary/"_s + QString::number(QCoreApplication::applicationPid());
}

QString keyFor(const QString &provider)
{
    return u"api-key/"_s + provider;
}

struct Classification
{
    SecretStatus status = SecretStatus::Failed;
    bool retry = false; // the secret service may just not be on the bus yet
};

bool containsAny(const QString &text, std::initializer_list<QLatin1StringView> needles)
{
    for (const QLatin1StringView needle : needles) {
        if (text.contains(needle, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

// QtKeychain's error codes say little on Linux: its libsecret backend maps "item not found" to EntryNotFound,
// "collection is locked" to AccessDenied and every D-Bus failure to OtherError (only the KWallet path reports
// NoBackendAvailable). The D-Bus text is all there is to tell a locked keyring from a missing service.
// Unknown OtherErrors count as Unavailable, never as "no key": the store did not work, whatever the reason.
Classification classify(QKeychain::Error error, const QString &text)
{
    switch (error) {
    case QKeychain::NoError:
        return {SecretStatus::Ok};
    case QKeychain::EntryNotFound:
        return {SecretStatus::NotFound};
    case QKeychain::NoBackendAvailable: // KWallet not on the bus (yet)
        return {SecretStatus::Unavailable, true};
    case QKeychain::AccessDeniedByUser:
        return {SecretStatus::Denied};
    case QKeychain::AccessDenied: // libsecret: the collection is locked; KWallet: the wallet refused to open
        return {containsAny(text, {"lock"_L1, "prompt"_L1}) ? SecretStatus::Locked : SecretStatus::Denied};
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::NotImplemented:
        return {SecretStatus::Failed};
    case QKeychain::OtherError:
        break;
    }
    // Checked before "service unknown": gnome-keyring's own prompt failures can quote a ServiceUnknown.
    // "Object does not exist at path …/collection/login": there is no usable default collection and creating
    // or unlocking one needs a prompt nobody answered. To the user that is a keyring to unlock or set up.
    if (containsAny(text, {"lock"_L1, "prompt"_L1, "/org/freedesktop/secrets/collection/"_L1}))
        return {SecretStatus::Locked};
    if (containsAny(text, {"org.freedesktop.DBus.Error.ServiceUnknown"_L1,
                           "not provided by any .service files"_L1, "not activatable"_L1}))
        return {SecretStatus::Unavailable, true};
    if (containsAny(text, {"org.freedesktop.DBus.Error.AccessDenied"_L1, "not authorized"_L1}))
        return {SecretStatus::Denied};
    // NoReply, NoServer, "Could not connect", "Cannot autolaunch D-Bus", Spawn.* and anything unknown.
    return {SecretStatus::Unavailable};
}

QString randomCanaryValue()
{
    std::array<quint32, 4> words{};
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    QString value;
    for (const quint32 word : words)
        value += QString::number(word, 16).rightJustified(8, u'0');
    return value;
}

} // namespace

struct SecretStore::Outcome
{
    QKeychain::Error error = QKeychain::NoError;
    QString errorText; // from the backend; scrubbed of the secret
    QString data;      // a read's secret
};

SecretStore::SecretStore(QObject *parent)
    : QObject(parent)
    , m_retryDelay(kDefaultRetryDelay)
{}

QStringList SecretStore::providers()
{
    return {u"anthropic"_s,    u"e2b"_s,   u"fly"_s,    u"runpod"_s,
            u"digitalocean"_s, u"modal"_s, u"replit"_s, u"nhost"_s};
}

bool SecretStore::isValidProvider(const QString &provider)
{
    return providers().contains(provider);
}

QString SecretStore::statusName(SecretStatus status)
{
    switch (status) {
    case SecretStatus::Ok:
        return u"ok"_s;
    case SecretStatus::NotFound:
        return u"not-found"_s;
    case SecretStatus::Unavailable:
        return u"unavailable"_s;
    case SecretStatus::Locked:
        return u"locked"_s;
    case SecretStatus::Denied:
        return u"denied"_s;
    case SecretStatus::Failed:
        return u"failed"_s;
    }
    return u"failed"_s;
}

void SecretStore::read(const QString &provider, const QObject *context, Callback done)
{
    Q_ASSERT(context);
    const QPointer<const QObject> ctx(context);
    if (!isValidProvider(provider)) {
        deliverLater(unknownProvider(), ctx, std::move(done));
        return;
    }
    runJob(Op::Read, keyFor(provider), {}, false, [this, provider, ctx, done](const Outcome &outcome) {
        SecretResult result = fromOutcome(outcome, provider);
        qCDebug(lcSecrets).noquote() << "read" << provider << "->" << statusName(result.status)
                                     << outcome.errorText;
        if (result.status == SecretStatus::NotFound) {
            confirmStoreWorks(std::move(result), ctx, done);
            return;
        }
        if (result.ok())
            result.secret = outcome.data;
        deliver(result, ctx, done);
    });
}

void SecretStore::write(const QString &provider, const QString &secret, const QObject *context, Callback done)
{
    Q_ASSERT(context);
    const QPointer<const QObject> ctx(context);
    if (!isValidProvider(provider)) {
        deliverLater(unknownProvider(), ctx, std::move(done));
        return;
    }
    if (secret.isEmpty()) {
        deliverLater(
            failure(SecretStatus::Failed, provider, {}, tr("The API key is empty; remove it instead.")), ctx,
            std::move(done));
        return;
    }
    runJob(Op::Write, keyFor(provider), secret, false, [this, provider, ctx, done](const Outcome &outcome) {
        SecretResult result = fromOutcome(outcome, provider);
        if (result.status == SecretStatus::NotFound) // meaningless for a write; never let it read as "no key"
            result = failure(SecretStatus::Failed, provider, outcome.errorText);
        if (result.ok())
            m_storeWorksUntil.setRemainingTime(kStoreProofLifetime); // a stored key proves the store works
        qCDebug(lcSecrets).noquote() << "write" << provider << "->" << statusName(result.status)
                                     << outcome.errorText;
        deliver(result, ctx, done);
    });
}

void SecretStore::remove(const QString &provider, const QObject *context, Callback done)
{
    Q_ASSERT(context);
    const QPointer<const QObject> ctx(context);
    if (!isValidProvider(provider)) {
        deliverLater(unknownProvider(), ctx, std::move(done));
        return;
    }
    runJob(Op::Remove, keyFor(provider), {}, false, [this, provider, ctx, done](const Outcome &outcome) {
        SecretResult result = fromOutcome(outcome, provider);
        qCDebug(lcSecrets).noquote() << "remove" << provider << "->" << statusName(result.status)
                                     << outcome.errorText;
        if (result.status == SecretStatus::Ok || result.status == SecretStatus::NotFound) {
            // A locked keyring also "removes" without error while the key stays: believe it only if the
            // store is known to work. Removing an absent key is success.
            SecretResult removed;
            removed.status = SecretStatus::Ok;
            removed.provider = provider;
            confirmStoreWorks(std::move(removed), ctx, done);
            return;
        }
        deliver(result, ctx, done);
    });
}

void SecretStore::checkAvailability(const QObject *context, Callback done)
{
    Q_ASSERT(context);
    const QPointer<const QObject> ctx(context);
    runCanary([this, ctx, done](const SecretResult &result) { deliver(result, ctx, done); });
}

void SecretStore::runJob(Op op, const QString &key, const QString &secret, bool isRetry,
                         OutcomeHandler handler)
{
    // No parent, on purpose: libsecret calls back into the job with no way to cancel, so a job must outlive
    // its request and deletes itself after `finished` (autoDelete). Our handler is bound to `this` instead,
    // so a store destroyed meanwhile is simply not called.
    QKeychain::Job *job = nullptr;
    switch (op) {
    case Op::Read:
        job = new QKeychain::ReadPasswordJob(serviceName(), nullptr);
        break;
    case Op::Write: {
        auto *writeJob = new QKeychain::WritePasswordJob(serviceName(), nullptr);
        writeJob->setTextData(secret);
        job = writeJob;
        break;
    }
    case Op::Remove:
        job = new QKeychain::DeletePasswordJob(serviceName(), nullptr);
        break;
    }
    job->setKey(key);
    job->setAutoDelete(true);
    // Stated, not assumed: on the KWallet path the fallback writes plaintext QSettings.
    job->setInsecureFallback(false);

    // The secret stays captured only while a retry is possible: until this job (or the retry's job) is gone.
    connect(job, &QKeychain::Job::finished, this,
            [this, op, key, secret, isRetry, handler](QKeychain::Job *finished) {
                Outcome outcome;
                outcome.error = finished->error();
                outcome.errorText = finished->errorString();
                if (!secret.isEmpty())
                    outcome.errorText.replace(secret, u"[redacted]"_s);
                if (op == Op::Read && outcome.error == QKeychain::NoError)
                    outcome.data = static_cast<QKeychain::ReadPasswordJob *>(finished)->textData();

                if (!isRetry && classify(outcome.error, outcome.errorText).retry) {
                    qCInfo(lcSecrets).noquote() << "secret service not on the bus yet (" << outcome.errorText
                                                << "); retrying in" << m_retryDelay.count() << "ms";
                    QTimer::singleShot(m_retryDelay, this, [this, op, key, secret, handler] {
                        runJob(op, key, secret, true, handler);
                    });
                    return;
                }
                handler(outcome);
            });
    job->start();
}

void SecretStore::runCanary(Callback done)
{
    m_canaryWaiters.push_back(std::move(done));
    if (m_canaryRunning)
        return; // joins the canary in flight
    m_canaryRunning = true;

    const QString value = randomCanaryValue();
    runJob(Op::Write, canaryKey(), value, false, [this, value](const Outcome &written) {
        if (written.error != QKeychain::NoError) {
            SecretResult result = fromOutcome(written, {});
            if (result.status == SecretStatus::NotFound)
                result = failure(SecretStatus::Failed, {}, written.errorText);
            finishCanary(result);
            return;
        }
        runJob(Op::Read, canaryKey(), {}, false, [this, value](const Outcome &readBack) {
            if (readBack.error != QKeychain::NoError || readBack.data != value) {
                // Stored but not given back: not a store SpawnAI can rely on, and never "no key".
                SecretResult result = fromOutcome(readBack, {});
                if (result.status == SecretStatus::Ok || result.status == SecretStatus::NotFound) {
                    result = failure(SecretStatus::Failed, {}, readBack.errorText,
                                     tr("The keyring accepted a test entry but did not return it."));
                }
                finishCanary(result);
                return;
            }
            runJob(Op::Remove, canaryKey(), {}, false, [this](const Outcome &removed) {
                // The store has proven it keeps and returns keys; a leftover canary holds nothing secret.
                if (removed.error != QKeychain::NoError)
                    qCWarning(lcSecrets).noquote()
                        << "could not delete the canary entry:" << removed.errorText;
                SecretResult result;
                result.status = SecretStatus::Ok;
                finishCanary(result);
            });
        });
    });
}

void SecretStore::finishCanary(const SecretResult &result)
{
    if (result.ok())
        m_storeWorksUntil.setRemainingTime(kStoreProofLifetime);
    else
        m_storeWorksUntil = QDeadlineTimer(); // expired
    qCDebug(lcSecrets).noquote() << "canary ->" << statusName(result.status) << result.detail;

    m_canaryRunning = false;
    std::vector<Callback> waiters;
    waiters.swap(m_canaryWaiters); // a waiter may start the next canary
    for (const Callback &waiter : waiters)
        waiter(result);
}

void SecretStore::confirmStoreWorks(SecretResult believed, const QPointer<const QObject> &context,
                                    const Callback &done)
{
    if (!m_storeWorksUntil.hasExpired()) {
        deliver(believed, context, done);
        return;
    }
    runCanary([this, believed = std::move(believed), context, done](const SecretResult &canary) {
        if (canary.ok()) {
            deliver(believed, context, done);
            return;
        }
        SecretResult result = canary;
        result.provider = believed.provider;
        deliver(result, context, done);
    });
}

void SecretStore::deliver(const SecretResult &result, const QPointer<const QObject> &context,
                          const Callback &done) const
{
    if (!result.secret.isEmpty())
        Redactor::addSecret(result.secret); // from now on masked in every log line
    if (context && done)
        done(result);
}

void SecretStore::deliverLater(SecretResult result, const QPointer<const QObject> &context, Callback done)
{
    // Callers never get their callback from inside their own call.
    QMetaObject::invokeMethod(
        this,
        [this, result = std::move(result), context, done = std::move(done)] {
            deliver(result, context, done);
        },
        Qt::QueuedConnection);
}

SecretResult SecretStore::failure(SecretStatus status, const QString &provider, const QString &detail,
                                  const QString &message) const
{
    SecretResult result;
    result.status = status;
    result.provider = provider;
    result.detail = detail;
    if (!message.isEmpty()) {
        result.message = message;
        return result;
    }
    switch (status) {
    case SecretStatus::Ok:
        break;
    case SecretStatus::NotFound:
        result.message = tr("No API key is set for %1.").arg(provider);
        break;
    case SecretStatus::Unavailable:
        result.message = tr("No secret service answers on D-Bus, so API keys can be neither stored nor read. "
                            "Install and start gnome-keyring or KWallet, and log in to a desktop session.");
        break;
    case SecretStatus::Locked:
        result.message = tr("The keyring is locked. Unlock it (for example, log in again or open Seahorse) "
                            "and try again.");
        break;
    case SecretStatus::Denied:
        result.message = tr("Access to the keyring was denied. Allow SpawnAI to use it and try again.");
        break;
    case SecretStatus::Failed:
        result.message = detail.isEmpty() ? tr("The keyring reported an error.")
                                          : tr("The keyring reported an error: %1").arg(detail);
        break;
    }
    return result;
}

SecretResult SecretStore::unknownProvider() const
{
    // The name is not echoed: a mistyped command line could have put the key itself where it belongs.
    return failure(SecretStatus::Failed, {}, {},
                   tr("Unknown provider. Known providers: %1.").arg(providers().join(u", "_s)));
}

SecretResult SecretStore::fromOutcome(const Outcome &outcome, const QString &provider)
{
    const SecretStatus status = classify(outcome.error, outcome.errorText).status;
    if (status == SecretStatus::Unavailable || status == SecretStatus::Locked ||
        status == SecretStatus::Denied)
        m_storeWorksUntil = QDeadlineTimer(); // whatever worked before does not now
    if (status == SecretStatus::Ok) {
        SecretResult result;
        result.status = SecretStatus::Ok;
        result.provider = provider;
        return result;
    }
    return failure(status, provider, outcome.errorText);
}
