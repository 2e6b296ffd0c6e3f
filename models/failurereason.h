#pragma once

#include <QString>

#include <optional>

// Why a session failed, typed so the UI and CLI can offer the right next step.
// Values are stored in the database: append only.
enum class FailureReason {
    None = 0,
    InvalidBundle = 1,      // the app folder or generated files are not deployable
    InvalidLifetime = 2,    // TTL zero, negative or above the provider's cap
    SandboxUnavailable = 3, // bubblewrap missing or refused by the kernel
    PortInUse = 4,
    AppCrashed = 5,       // exited before answering
    AppNeverAnswered = 6, // started but the URL never answered in time
    AppExited = 7,        // exited while running
    Interrupted = 8,      // SpawnAI stopped during the deploy
    ProviderError = 9,
    StorageError = 10,        // could not write the store (disk full, read-only)
    Cancelled = 11,           // the user stopped the deploy
    BadKey = 12,              // the provider refused the API key: Settings → Keys
    ProviderLimit = 13,       // a plan limit or rate limit of the provider
    ProviderUnavailable = 14, // no answer, a timeout, no capacity or a server error: try again later
    SandboxLost = 15,         // the provider ended the sandbox by itself while it ran
};

namespace FailureReasons {
QString name(FailureReason reason);  // stable, for JSON output and the store
QString label(FailureReason reason); // translated, short
std::optional<FailureReason> fromInt(int value);
} // namespace FailureReasons
