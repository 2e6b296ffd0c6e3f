#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcLocal)  // spawnai.providers.local
Q_DECLARE_LOGGING_CATEGORY(lcClaude) // spawnai.providers.claude
Q_DECLARE_LOGGING_CATEGORY(lcHttp)   // spawnai.providers.http: every provider API call, redacted
Q_DECLARE_LOGGING_CATEGORY(lcE2b)    // spawnai.providers.e2b
Q_DECLARE_LOGGING_CATEGORY(lcFly)    // spawnai.providers.fly
