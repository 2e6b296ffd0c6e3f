#pragma once

#include "appbundle.h"
#include "claude/clauderesult.h"
#include "generation.h"
#include "result.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>

class AppSettings;
class ClaudeMessagesJob;
class PartialAppJson;
class PricingCatalogue;
class QNetworkAccessManager;
class SecretStore;
class Store;

// What the user asks for. A refine carries the app as it is in the editor (with the user's edits); "Ask
// Claude to fix it" repeats the request with the reason the last answer failed.
struct GenerationRequest
{
    QString prompt;
    std::optional<AppBundle> currentApp;
    QString fixMessage;
    bool dependenciesAllowed = false; // the target provider installs requirements.txt / package.json
};

struct GenerationOutcome
{
    bool ok = false;
    QString message; // for people, when !ok: what happened and what to do
    ClaudeFailure failure = ClaudeFailure::None;
    // The answer arrived but is not a usable app (no tool call, invalid input, cut off): sending `fixMessage`
    // back may mend it.
    bool canAskToFix = false;
    QString fixMessage;
    GenerationRequest request; // as asked, for a retry or a fix round
    QString commentary;        // what Claude wrote besides the app
    AppBundle bundle;          // ok: the validated app
    QString revisionId;        // ok: where it is stored
    Generation record;         // as stored: tokens, cost, stop reason, failure
    bool partialFiles = false; // files streamed before it failed: the editor shows them, marked incomplete
};

// Prompt → Claude → a validated, stored app revision. Streams what arrives (commentary, files as they are
// written) for the UI, records every request with its tokens and cost in the store, and never hands out a
// half-written app: only an answer that ended normally and passed validation is an ok outcome.
// One generation at a time. Used by the window and by `spawnai generate`.
class GenerationController final : public QObject
{
    Q_OBJECT
public:
    GenerationController(Store &store, const PricingCatalogue &pricing, AppSettings &settings,
                         SecretStore &secrets, QObject *parent = nullptr);
    ~GenerationController() override;

    // Starts a generation (reading the key from the keychain first); finished() follows in every case but an
    // error returned here (nothing was started then).
    Result<void> generate(const GenerationRequest &request);
    // Stops the stream; finished() follows with ClaudeFailure::Cancelled and whatever had arrived.
    void cancel();
    bool isRunning() const { return m_running; }

    // The quote shown before generating, in USD (see CostMeter::generationEstimate).
    double estimateUsd(const GenerationRequest &request) const;
    QString model() const;

    // How often the streamed files are handed to the UI at most: a fast stream is coalesced so the editor
    // updates a few dozen times a second, not per fragment.
    static constexpr int kPreviewIntervalMs = 40;

signals:
    void started(const QString &model, double estimateUsd);
    void retrying(int attempt, int delayMs, const QString &reason);
    void commentaryAppended(const QString &text);
    void thinkingStarted();
    // The app's title as soon as Claude has written it.
    void titleKnown(const QString &title);
    void fileStreaming(const QString &path, const QString &contentSoFar);
    void finished(const GenerationOutcome &outcome);

private:
    void startJob(const QString &apiKey);
    void onToolInput(const QString &toolName, const QByteArray &fragment);
    void flushPreview();
    void onFinished(const ClaudeResult &result);
    // Fills the outcome from the answer: the app, or why there is none.
    void judge(const ClaudeResult &result, GenerationOutcome &outcome);
    void finish(GenerationOutcome outcome);

    Store &m_store;
    const PricingCatalogue &m_pricing;
    AppSettings &m_settings;
    SecretStore &m_secrets;
    QNetworkAccessManager *m_network = nullptr;

    bool m_running = false;
    bool m_cancelled = false;
    GenerationRequest m_request;
    QString m_model;
    QString m_parentRevisionId;
    QString m_commentary;
    QPointer<ClaudeMessagesJob> m_job;
    std::unique_ptr<PartialAppJson> m_preview;
    QString m_previewTitle;
    QTimer m_previewTimer;
};
