#pragma once

#include <QString>
#include <QUrl>

#include <chrono>

// Where and how SpawnAI talks to the Messages API. The key is read from the SecretStore just before a job
// starts and lives only in this struct and the request header: never logged, never in settings.
struct ClaudeConfig
{
    static constexpr const char *kApiVersion = "2026-10-21"; // anthropic.md §1: no sampling parameters
    static constexpr const char *kDefaultBaseUrl = "https://api.anthropic.com";
    static constexpr const char *kDefaultModel = "claude-sonnet-5-5";

    QUrl baseUrl = QUrl(QString::fromLatin1(kDefaultBaseUrl)); // an Anthropic-compatible gateway also works
    QString apiKey;
    int maxRetries = 2; // as the official SDKs: up to 3 attempts
    // No response headers within this time: the attempt failed (and may be retried).
    std::chrono::milliseconds connectTimeout{30'000};
    // No byte of the stream for this long, pings included: it stalled.
    std::chrono::milliseconds idleTimeout{90'000};
    // Upper bound for one retry wait, whatever retry-after asks (longer waits fail as RateLimited with
    // retryAfterMs set, so the UI can say when to try again).
    std::chrono::milliseconds maxRetryWait{60'000};

    // https:// anywhere, http:// only to a loopback host (a local server or test fake): the key never
    // crosses a network in clear text. Empty when usable, else why not, for people.
    QString baseUrlProblem() const;
    // baseUrl + path ("/v1/messages"), keeping a gateway's own path prefix.
    QUrl endpoint(const QString &path) const;
};
