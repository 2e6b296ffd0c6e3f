#include "generationflow.h"

#include "apppane.h"
#include "costmeter.h"
#include "promptpane.h"
#include "store.h"

#include <QLocale>

using namespace Qt::StringLiterals;

GenerationFlow::GenerationFlow(GenerationController &controller, PromptPane &prompt, AppPane &app,
                               Store &store, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_prompt(prompt)
    , m_app(app)
    , m_store(store)
{
    connect(&m_prompt, &PromptPane::generateRequested, this, &GenerationFlow::start);
    connect(&m_prompt, &PromptPane::stopRequested, &m_controller, &GenerationController::cancel);
    connect(&m_prompt, &PromptPane::promptEdited, this, &GenerationFlow::updateEstimate);
    connect(&m_prompt, &PromptPane::retryRequested, this, [this] {
        GenerationRequest request = m_fixRequest;
        request.fixMessage.clear();
        run(request);
    });
    connect(&m_prompt, &PromptPane::fixRequested, this, [this] {
        GenerationRequest request = m_fixRequest;
        request.fixMessage = m_fixMessage;
        run(request);
    });
    connect(&m_app, &AppPane::bundleChanged, this, [this] {
        m_prompt.setHasApp(!m_app.isEmpty());
        updateEstimate();
    });
    connect(&m_app, &AppPane::previousVersionRequested, this, &GenerationFlow::restorePrevious);

    connect(&m_controller, &GenerationController::started, this, [this](const QString &model, double usd) {
        m_estimateUsd = usd;
        m_title.clear();
        m_clock.start();
        m_prompt.setBusy(true);
        m_prompt.clearCommentary();
        m_prompt.setProgress(tr("Asking %1… (estimate %2)").arg(model, formatUsd(usd)));
    });
    connect(&m_controller, &GenerationController::retrying, this,
            [this](int attempt, int delayMs, const QString &reason) {
                m_prompt.setProgress(tr("%1 Trying again in %2 s (attempt %3).")
                                         .arg(reason)
                                         .arg(QLocale().toString(delayMs / 1000.0, 'f', 1))
                                         .arg(attempt + 1));
            });
    connect(&m_controller, &GenerationController::thinkingStarted, this,
            [this] { m_prompt.setProgress(tr("Claude is thinking…")); });
    connect(&m_controller, &GenerationController::commentaryAppended, &m_prompt,
            &PromptPane::appendCommentary);
    connect(&m_controller, &GenerationController::titleKnown, this,
            [this](const QString &title) { m_prompt.setProgress(tr("Writing %1…").arg(title)); });
    connect(&m_controller, &GenerationController::fileStreaming, this,
            [this](const QString &path, const QString &content) {
                if (!m_app.isStreaming())
                    m_app.beginStream(m_title.isEmpty() ? tr("your app") : m_title);
                m_app.streamFile(path, content);
                m_prompt.setProgress(
                    tr("Writing %1 (%2)…")
                        .arg(path, QLocale().formattedDataSize(content.size(), 1,
                                                               QLocale::DataSizeTraditionalFormat)));
            });
    connect(&m_controller, &GenerationController::finished, this, &GenerationFlow::onFinished);
    refreshHistory();
}

void GenerationFlow::offerFix(const QString &message, const QString &fixMessage)
{
    m_fixRequest = GenerationRequest{};
    m_fixRequest.prompt = m_prompt.prompt().isEmpty() ? tr("Fix the app.") : m_prompt.prompt();
    m_fixRequest.currentApp = m_app.bundle();
    m_fixMessage = fixMessage;
    m_prompt.showProblem(message, true);
}

void GenerationFlow::refreshHistory()
{
    QStringList texts;
    if (auto prompts = m_store.prompts(100)) {
        for (const PromptEntry &entry : *prompts)
            texts << entry.text;
    }
    m_prompt.setHistory(texts);
}

void GenerationFlow::updateEstimate()
{
    if (m_controller.isRunning())
        return;
    m_prompt.setEstimate(m_controller.model(), m_controller.estimateUsd(requestFromPanes()));
}

GenerationRequest GenerationFlow::requestFromPanes() const
{
    GenerationRequest request;
    request.prompt = m_prompt.prompt();
    if (m_prompt.refines() && !m_app.isEmpty())
        request.currentApp = m_app.bundle();
    return request;
}

void GenerationFlow::start(bool deployAfter)
{
    m_deployAfter = deployAfter;
    run(requestFromPanes());
}

void GenerationFlow::run(const GenerationRequest &request)
{
    // What the answer will replace, for "Back to previous version". A pane showing a failed, incomplete
    // answer keeps the app from before that attempt.
    if (m_app.incompleteReason().isEmpty()) {
        m_previous = m_app.isEmpty() ? AppBundle() : m_app.bundle();
        m_previousSource = m_app.source();
    }
    m_lastRefine = request.currentApp.has_value();
    if (auto started = m_controller.generate(request); !started)
        m_prompt.showProblem(started.error(), false);
}

void GenerationFlow::onFinished(const GenerationOutcome &outcome)
{
    m_prompt.setBusy(false);
    refreshHistory();
    m_unbilledUsd += outcome.record.costUsd;
    m_fixRequest = outcome.request;
    m_fixMessage = outcome.fixMessage;

    const TokenUsage &usage = outcome.record.usage;
    const QLocale locale;
    const QString tokens =
        tr("%1 tokens in, %2 out")
            .arg(locale.toString(usage.promptTokens()), locale.toString(usage.outputTokens));
    if (!outcome.ok) {
        if (m_app.isStreaming())
            m_app.endStream(outcome.message);
        QString message = outcome.message;
        if (usage.promptTokens() + usage.outputTokens > 0)
            message +=
                u"\n"_s + tr("This attempt used %1 (%2).").arg(tokens, formatUsd(outcome.record.costUsd));
        m_prompt.showProblem(message, outcome.canAskToFix);
        return;
    }

    m_app.setBundle(outcome.bundle, u"revision:"_s + outcome.revisionId);
    m_prompt.showDone(tr("Done in %1 s: %2 · %3 (estimate was %4). Revision %5.")
                          .arg(QLocale().toString(m_clock.elapsed() / 1000.0, 'f', 1), tokens,
                               formatUsd(outcome.record.costUsd), formatUsd(m_estimateUsd),
                               outcome.revisionId.left(8)));
    emit revisionProduced(outcome.revisionId);
    emit statusMessage(tr("Claude wrote %1").arg(outcome.bundle.manifest.title));
    if (std::exchange(m_deployAfter, false))
        emit deployRequested();
}

void GenerationFlow::restorePrevious()
{
    if (m_previous.files.isEmpty()) {
        m_app.setBundle(AppBundle(), QString());
        return;
    }
    m_app.setBundle(m_previous, m_previousSource);
    emit statusMessage(tr("Back to %1 as it was before the last answer.").arg(m_previous.manifest.title));
}
