#include "claudekeycheck.h"

#include "claude/claudemodelsjob.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace ClaudeKeyCheck {

namespace {

QString tr(const char *text, int n = -1)
{
    return QCoreApplication::translate("ClaudeKeyCheck", text, nullptr, n);
}

} // namespace

void start(QNetworkAccessManager &network, const ClaudeConfig &config, QObject *context,
           std::function<void(const ClaudeModelsResult &)> done)
{
    auto *job = new ClaudeModelsJob(&network, config, context);
    QObject::connect(job, &ClaudeModelsJob::finished, context, std::move(done));
    job->start();
}

QString summary(const ClaudeModelsResult &result, const QString &configuredModel)
{
    if (!result.ok())
        return result.message;
    const bool hasModel =
        std::any_of(result.models.cbegin(), result.models.cend(),
                    [&](const ClaudeModelInfo &model) { return model.id == configuredModel; });
    QString text = tr("Anthropic accepted the key; it can use %n model(s).", int(result.models.size()));
    text +=
        u' ' + (hasModel ? tr("%1, the model SpawnAI writes apps with, is one of them.").arg(configuredModel)
                         : tr("%1, the model set in anthropic.model, is not among them: choose another.")
                               .arg(configuredModel));
    return text;
}

} // namespace ClaudeKeyCheck
