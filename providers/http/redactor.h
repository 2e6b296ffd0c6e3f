#pragma once

#include <QString>

// Keeps secrets out of log lines. Every key SpawnAI loads is registered by value; known key shapes
// (Anthropic, E2B, Fly, DigitalOcean) and credential headers are masked even when not registered
// (reliability.md §5.4). Thread-safe: log lines can come from any thread.
namespace Redactor {

void addSecret(const QString &secret);
void removeSecret(const QString &secret);
QString redact(QString text);

// Routes every Qt log message through redact() before the previous handler sees it.
void installMessageHandler();

} // namespace Redactor
