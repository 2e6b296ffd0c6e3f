#pragma once

#include <QMetaType>
#include <QString>

#include <optional>

// The lifecycle of DESIGN.md as an explicit state machine. Values are stored in the database: append only.
enum class SessionState {
    Draft = 0,
    Generating = 1,
    Ready = 2,
    Provisioning = 3,
    Uploading = 4,
    Starting = 5,
    Running = 6,
    Expiring = 7,
    Stopping = 8,
    Ended = 9,
    Failed = 10,
};

namespace SessionStates {

bool canTransition(SessionState from, SessionState to);
bool isTerminal(SessionState state);
// A provider resource may exist (and may bill) in these states.
bool holdsResource(SessionState state);
// Deploying or running: the states a live SpawnAI process drives.
bool isActive(SessionState state);
QString name(SessionState state);  // stable, lower-case: stored and printed by `list --json`
QString label(SessionState state); // translated, for people
std::optional<SessionState> fromName(const QString &name);
std::optional<SessionState> fromInt(int value);

} // namespace SessionStates

Q_DECLARE_METATYPE(SessionState)
