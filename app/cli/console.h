#pragma once

#include <QString>

// The terminal: results on stdout (what scripts read), progress and messages on stderr.
namespace Console {

void out(const QString &line);      // stdout, with a newline
void err(const QString &line);      // stderr, with a newline
void error(const QString &message); // "spawnai: message" on stderr
bool stderrIsTerminal();
bool stdinIsTerminal();
// Rewrites the current stderr line (a live countdown); no-op when stderr is not a terminal.
void status(const QString &line);
void clearStatus();
// Reads all of stdin (a key), without echo when it is a terminal.
QByteArray readSecret(const QString &prompt);

} // namespace Console
