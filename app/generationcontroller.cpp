#include "generationcontroller.h"

#include "applogging.h"
#include "appsettings.h"
#include "claude/appanswer.h"
#include "claude/appgenerationrequest.h"
#include "claude/claudemessagesjob.h"
#include "claude/partialappjson.h"
#include "costmeter.h"
#include "pricingcatalogue.h"
#include "secretstore.h"
#include "store.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>

using namespace Qt::StringLiterals;

namespace {

const QString kWriteApp = u"write_app"_s;
const QString kAnthropic = u"anthropic"_s;

AppRequestOptions requestOptions(const GenerationRequest &request, const QString &model, int maxTokens)
{
    AppRequestOptions options;
    options.model = model;
    options.maxTokens = maxTokens;
    options.prompt = request.prompt;
    options.currentApp = request.currentApp;
    options.fixMessage = request.fixMessage;
    options.dependenciesAllowed = request.dependenciesAllowed;
    return options;
}

qint64 bundleCharacters(const AppBundle &bundle)
{
    qint64 characters = 0;
    for (const QByteArray &content : bundle.files)
        characters += content.size();
    return characters;
}

} // namespace

GenerationController::GenerationController(Store &store, const PricingCatalogue &pricing,
                                           AppSettings &settings, SecretStore &secrets, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_pricing(pricing)
    , m_settings(settings)
    , m_secrets(secrets)
    , m_network(new QNetworkAccessManager(this))
{
    m_previewTimer.setSingleShot(true);
    m_previewTimer.setInterval(kPreviewIntervalMs);
    connect(&m_previewTimer, &QTimer::timeout, this, &GenerationController::flushPreview);
}

GenerationController::~GenerationController()
{
    if (m_job)
        m_job->disconnect(this);
}

QString GenerationController::model() const
{
    return m_settings.claudeModel();
}

double GenerationController::estimateUsd(const GenerationRequest &request) const
{
    const QString model = this->model();
    const QJsonObject body =
        AppGenerationRequest::body(requestOptions(request, model, m_settings.claudeMaxTokens()));
    const qint64 promptTokens =
        CostMeter::estimatedTokens(QJsonDocument(body).toJson(QJsonDocument::Compact).size());
    // A refine answers with the whole app again, so the answer is at least as long as the app it rewrites.
    const qint64 outputTokens =
        std::max(CostMeter::kTypicalAppOutputTokens,
                 request.currentApp ? CostMeter::estimatedTokens(bundleCharacters(*request.currentApp)) : 0);
    return CostMeter::generationEstimate(m_pricing, model, promptTokens, outputTokens);
}

Result<void> GenerationController::generate(const GenerationRequest &request)
{
    if (m_running)
        return Error{tr("Claude is still writing the previous answer. Stop it first.")};
    if (request.prompt.trimmed().isEmpty() && request.fixMessage.isEmpty())
        return Error{tr("Describe the app you want first.")};
    if (const QString problem = m_settings.claudeConfig().baseUrlProblem(); !problem.isEmpty())
        return Error{tr("%1 Change anthropic.base-url in Settings.").arg(problem)};

    // The app the user has now is stored before anything is sent: the answer replaces it in the editor, and
    // "Back to previous version" or the history must be able to bring it back.
    QString parent;
    if (request.currentApp) {
        auto saved = m_store.saveRevision(*request.currentApp);
        if (!saved)
            return Error{saved.error()};
        parent = *saved;
    }
    if (request.fixMessage.isEmpty()) {
        if (auto kept = m_store.addPrompt(request.prompt); !kept)
            qCWarning(lcGeneration) << "prompt not added to the history:" << kept.error();
    }

    m_running = true;
    m_cancelled = false;
    m_request = request;
    m_model = model();
    m_parentRevisionId = parent;
    m_commentary.clear();
    m_previewTitle.clear();
    m_preview = std::make_unique<PartialAppJson>();
    emit started(m_model, estimateUsd(request));

    m_secrets.read(kAnthropic, this, [this](const SecretResult &key) {
        if (m_cancelled) {
            GenerationOutcome outcome;
            outcome.failure = ClaudeFailure::Cancelled;
            outcome.message = tr("Stopped before anything was sent.");
            finish(outcome);
            return;
        }
        if (!key.ok()) {
            GenerationOutcome outcome;
            outcome.failure = ClaudeFailure::NoKey;
            outcome.message =
                key.status == SecretStatus::NotFound
                    ? tr("No Anthropic API key is set. Open Settings → Keys and paste your key (it starts "
                         "with sk-ant-), or run `spawnai key set anthropic`.")
                    : key.message;
            finish(outcome);
            return;
        }
        startJob(key.secret);
    });
    return {};
}

void GenerationController::startJob(const QString &apiKey)
{
    ClaudeConfig config = m_settings.claudeConfig();
    config.apiKey = apiKey;
    const QJsonObject body =
        AppGenerationRequest::body(requestOptions(m_request, m_model, m_settings.claudeMaxTokens()));
    auto *job = new ClaudeMessagesJob(m_network, config, body, this);
    m_job = job;
    connect(job, &ClaudeJob::retrying, this, &GenerationController::retrying);
    connect(job, &ClaudeMessagesJob::textAppended, this, [this](int, const QString &text) {
        m_commentary += text;
        emit commentaryAppended(text);
    });
    connect(job, &ClaudeMessagesJob::thinkingAppended, this, [this](int, const QString &) {
        if (m_commentary.isEmpty() && !m_previewTimer.isActive())
            emit thinkingStarted();
    });
    connect(job, &ClaudeMessagesJob::toolInputAppended, this,
            [this](int, const QString &toolName, const QByteArray &fragment) {
                onToolInput(toolName, fragment);
            });
    connect(job, &ClaudeMessagesJob::finished, this, &GenerationController::onFinished);
    qCInfo(lcGeneration) << "generating with" << m_model << (m_request.currentApp ? "(refine)" : "")
                         << (m_request.fixMessage.isEmpty() ? "" : "(fix round)");
    job->start();
}

void GenerationController::cancel()
{
    if (!m_running)
        return;
    m_cancelled = true;
    if (m_job)
        m_job->cancel(); // finishes with Cancelled, keeping what arrived
}

void GenerationController::onToolInput(const QString &toolName, const QByteArray &fragment)
{
    if (toolName != kWriteApp || !m_preview)
        return;
    m_preview->feed(fragment);
    if (!m_previewTimer.isActive())
        m_previewTimer.start();
}

void GenerationController::flushPreview()
{
    if (!m_preview)
        return;
    if (m_previewTitle.isEmpty() && !m_preview->title().isEmpty()) {
        m_previewTitle = m_preview->title();
        emit titleKnown(m_previewTitle);
    }
    const QList<PartialAppJson::File> &files = m_preview->files();
    for (int index : m_preview->takeChangedFiles()) {
        if (index >= 0 && index < files.size())
            emit fileStreaming(files.at(index).path, files.at(index).content);
    }
}

void GenerationController::onFinished(const ClaudeResult &result)
{
    m_previewTimer.stop();
    GenerationOutcome outcome;
    outcome.failure = result.failure;
    outcome.commentary = result.text();
    outcome.partialFiles = m_preview && !m_preview->files().isEmpty();

    Generation &record = outcome.record;
    record.prompt = m_request.fixMessage.isEmpty() ? m_request.prompt
                                                   : m_request.prompt + u"\n\n"_s + m_request.fixMessage;
    record.model = result.model.isEmpty() ? m_model : result.model;
    record.parentRevisionId = m_parentRevisionId;
    record.commentary = outcome.commentary;
    record.stopReason = result.stopReason;
    record.usage = result.usage;
    // Priced with the model we asked for when the answer names a dated variant the catalogue does not list.
    record.costUsd = m_pricing.generationCost(record.model, result.usage);
    record.pricing = CostMeter::tokenBasis(m_pricing, record.model, result.usage.promptTokens());
    if (record.costUsd == 0 && record.model != m_model) {
        record.costUsd = m_pricing.generationCost(m_model, result.usage);
        record.pricing = CostMeter::tokenBasis(m_pricing, m_model, result.usage.promptTokens());
    }

    if (!result.ok())
        outcome.message = result.message;
    else
        judge(result, outcome);
    // A good answer replaces the preview whole; only a failed one keeps the preview, brought up to date.
    if (!outcome.ok)
        flushPreview();

    record.revisionId = outcome.revisionId;
    record.failure = outcome.ok ? QString() : outcome.message;
    if (auto stored = m_store.addGeneration(record); !stored)
        qCWarning(lcGeneration) << "generation not recorded:" << stored.error();
    finish(outcome);
}

void GenerationController::judge(const ClaudeResult &result, GenerationOutcome &outcome)
{
    const ClaudeContentBlock *tool = result.toolUse(kWriteApp);
    if (const QString problem = result.stopProblem(); !problem.isEmpty()) {
        // max_tokens, a refusal, ...: whatever arrived of the app is cut off.
        outcome.message = problem;
        outcome.canAskToFix = result.stopReason != "refusal"_L1;
        outcome.fixMessage = AppAnswer::fixRequest(
            u"Your previous answer was cut off (stop reason %1). Write a smaller app: fewer, shorter files."_s
                .arg(result.stopReason));
        return;
    }
    if (!tool) {
        outcome.message =
            tr("Claude answered without writing an app. Its answer is shown above; ask again or "
               "let Claude fix it.");
        outcome.canAskToFix = true;
        outcome.fixMessage = AppAnswer::fixRequest(
            u"You answered in text without calling write_app. The app must be returned through write_app."_s);
        return;
    }
    std::optional<AppBundle> previous = m_request.currentApp;
    auto bundle = AppAnswer::fromRaw(tool->inputJson, previous);
    if (!bundle) {
        outcome.message = tr("Claude's app cannot be used: %1").arg(bundle.error());
        outcome.canAskToFix = true;
        outcome.fixMessage = AppAnswer::fixRequest(bundle.error());
        return;
    }
    auto revision = m_store.saveRevision(*bundle, m_parentRevisionId, m_request.prompt);
    if (!revision) {
        outcome.message = revision.error();
        return;
    }
    outcome.ok = true;
    outcome.bundle = *bundle;
    outcome.revisionId = *revision;
}

void GenerationController::finish(GenerationOutcome outcome)
{
    if (outcome.failure == ClaudeFailure::None && !outcome.ok && outcome.message.isEmpty())
        outcome.message = tr("The answer could not be used.");
    outcome.request = m_request;
    m_running = false;
    m_job = nullptr;
    m_preview.reset();
    qCInfo(lcGeneration) << "generation" << (outcome.ok ? "ok" : "failed:") << outcome.message
                         << "tokens in/out" << outcome.record.usage.promptTokens()
                         << outcome.record.usage.outputTokens << "cost" << outcome.record.costUsd;
    emit finished(outcome);
}
