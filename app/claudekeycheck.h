#pragma once

#include "claude/claudeconfig.h"
#include "claude/clauderesult.h"

#include <functional>

class QNetworkAccessManager;
class QObject;

// Whether Anthropic accepts a key, asked with its cheapest authenticated call (GET /v1/models): what
// Settings → Keys → Test and `spawnai key test anthropic` run.
namespace ClaudeKeyCheck {

// `done` is called once, later, while `context` lives.
void start(QNetworkAccessManager &network, const ClaudeConfig &config, QObject *context,
           std::function<void(const ClaudeModelsResult &)> done);
// For people: accepted (and which models it can use), or why not.
QString summary(const ClaudeModelsResult &result, const QString &configuredModel);

} // namespace ClaudeKeyCheck
