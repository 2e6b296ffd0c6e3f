#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcLocal)  // spawnai.providers.local
Q_DECLARE_LOGGING_CATEGORY(lcClaude) // spawnai.providers.claude
