#include "failurereason.h"

#include <QCoreApplication>

#include <array>

namespace FailureReasons {

namespace {
constexpr std::array kNames = {"none",        "invalid-bundle", "invalid-lifetime",     "sandbox-unavailable",
                               "port-in-use", "app-crashed",    "app-never-answered",   "app-exited",
                               "interrupted", "provider-error", "storage-error",        "cancelled",
                               "bad-key",     "provider-limit", "provider-unavailable", "sandbox-lost"};
}

QString name(FailureReason reason)
{
    return QString::fromLatin1(kNames.at(std::size_t(reason)));
}

QString label(FailureReason reason)
{
    switch (reason) {
    case FailureReason::None:
        return {};
    case FailureReason::InvalidBundle:
        return QCoreApplication::translate("FailureReason", "App not deployable");
    case FailureReason::InvalidLifetime:
        return QCoreApplication::translate("FailureReason", "Invalid lifetime");
    case FailureReason::SandboxUnavailable:
        return QCoreApplication::translate("FailureReason", "Sandbox unavailable");
    case FailureReason::PortInUse:
        return QCoreApplication::translate("FailureReason", "Port in use");
    case FailureReason::AppCrashed:
        return QCoreApplication::translate("FailureReason", "App crashed at start");
    case FailureReason::AppNeverAnswered:
        return QCoreApplication::translate("FailureReason", "App never answered");
    case FailureReason::AppExited:
        return QCoreApplication::translate("FailureReason", "App exited");
    case FailureReason::Interrupted:
        return QCoreApplication::translate("FailureReason", "Interrupted");
    case FailureReason::ProviderError:
        return QCoreApplication::translate("FailureReason", "Provider error");
    case FailureReason::StorageError:
        return QCoreApplication::translate("FailureReason", "Storage error");
    case FailureReason::Cancelled:
        return QCoreApplication::translate("FailureReason", "Cancelled");
    case FailureReason::BadKey:
        return QCoreApplication::translate("FailureReason", "Key refused");
    case FailureReason::ProviderLimit:
        return QCoreApplication::translate("FailureReason", "Provider limit");
    case FailureReason::ProviderUnavailable:
        return QCoreApplication::translate("FailureReason", "Provider unavailable");
    case FailureReason::SandboxLost:
        return QCoreApplication::translate("FailureReason", "Sandbox ended");
    }
    return {};
}

std::optional<FailureReason> fromInt(int value)
{
    if (value < 0 || value >= int(kNames.size()))
        return std::nullopt;
    return FailureReason(value);
}

} // namespace FailureReasons
