#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcLifecycle) // spawnai.app.lifecycle
Q_DECLARE_LOGGING_CATEGORY(lcCli)       // spawnai.app.cli
Q_DECLARE_LOGGING_CATEGORY(lcGeneration) // spawnai.app.generation
