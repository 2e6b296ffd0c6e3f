#include "sessionstate.h"

#include <QCoreApplication>

#include <array>

using namespace Qt::StringLiterals;
using S = SessionState;

namespace SessionStates {

namespace {
constexpr std::array kNames = {"draft",   "generating", "ready",    "provisioning", "uploading", "starting",
                               "running", "expiring",   "stopping", "ended",        "failed"};
}

bool canTransition(SessionState from, SessionState to)
{
    if (to == S::Failed)
        return !isTerminal(from);
    switch (from) {
    case S::Draft:
        return to == S::Generating || to == S::Ready;
    case S::Generating:
        return to == S::Ready || to == S::Draft;
    case S::Ready:
        return to == S::Generating || to == S::Provisioning;
    case S::Provisioning:
        return to == S::Uploading || to == S::Stopping;
    case S::Uploading:
        return to == S::Starting || to == S::Stopping;
    case S::Starting:
        return to == S::Running || to == S::Stopping;
    case S::Running:
        // Uploading: a new revision redeployed in place.
        return to == S::Expiring || to == S::Stopping || to == S::Uploading;
    case S::Expiring:
        // Running again after an extension.
        return to == S::Running || to == S::Stopping || to == S::Uploading;
    case S::Stopping:
        return to == S::Ended;
    case S::Ended:
    case S::Failed:
        return false;
    }
    return false;
}

bool isTerminal(SessionState state)
{
    return state == S::Ended || state == S::Failed;
}

bool holdsResource(SessionState state)
{
    switch (state) {
    case S::Provisioning:
    case S::Uploading:
    case S::Starting:
    case S::Running:
    case S::Expiring:
    case S::Stopping:
        return true;
    case S::Draft:
    case S::Generating:
    case S::Ready:
    case S::Ended:
    case S::Failed:
        return false;
    }
    return false;
}

bool isActive(SessionState state)
{
    return holdsResource(state);
}

QString name(SessionState state)
{
    return QString::fromLatin1(kNames.at(std::size_t(state)));
}

QString label(SessionState state)
{
    switch (state) {
    case S::Draft:
        return QCoreApplication::translate("SessionState", "Draft");
    case S::Generating:
        return QCoreApplication::translate("SessionState", "Generating");
    case S::Ready:
        return QCoreApplication::translate("SessionState", "Ready");
    case S::Provisioning:
        return QCoreApplication::translate("SessionState", "Provisioning");
    case S::Uploading:
        return QCoreApplication::translate("SessionState", "Uploading");
    case S::Starting:
        return QCoreApplication::translate("SessionState", "Starting");
    case S::Running:
        return QCoreApplication::translate("SessionState", "Running");
    case S::Expiring:
        return QCoreApplication::translate("SessionState", "Expiring");
    case S::Stopping:
        return QCoreApplication::translate("SessionState", "Stopping");
    case S::Ended:
        return QCoreApplication::translate("SessionState", "Ended");
    case S::Failed:
        return QCoreApplication::translate("SessionState", "Failed");
    }
    return {};
}

std::optional<SessionState> fromName(const QString &stateName)
{
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (stateName == QLatin1StringView(kNames[i]))
            return SessionState(i);
    }
    return std::nullopt;
}

std::optional<SessionState> fromInt(int value)
{
    if (value < 0 || value >= int(kNames.size()))
        return std::nullopt;
    return SessionState(value);
}

} // namespace SessionStates
