#pragma once

#include <QString>

// Where SpawnAI keeps its things (XDG directories; tests point XDG_DATA_HOME elsewhere).
namespace Paths {
QString dataDir();      // $XDG_DATA_HOME/spawnai
QString databasePath(); // dataDir/spawnai.db
QString logsDir();      // dataDir/logs: one log per session, kept after it ends
QString runDir();       // dataDir/run: per-session app copies, removed when the session ends
QString logPath(const QString &sessionId);
} // namespace Paths
