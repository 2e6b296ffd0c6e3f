#pragma once

#include "result.h"

#include <QString>

// Lifetimes as people type and read them, for the CLI (--ttl) and the UI.

// Seconds from "2h", "90m", "45s", "1h30m", "1.5h", "2h 15m", "1 h 30 min" (units h/hr/hour(s),
// m/min/minute(s), s/sec/second(s), largest first, each once). A bare number is an error: "120" could be
// minutes or seconds. Zero, negative, fractional seconds and lifetimes over a year are errors too; every
// message says what is accepted.
Result<qint64> parseDuration(const QString &text);

// "1:59:58" from an hour up, "4:05" below; never negative ("0:00").
QString formatCountdown(qint64 seconds);

// "2 h", "1 h 30 min", "45 s", "1 h 5 s" (zero parts left out); "0 s" for nothing.
QString formatDuration(qint64 seconds);

// seconds itself if the provider can run that long ("E2B can run at most 24 h; choose a shorter --ttl").
// maxSeconds <= 0 means no cap.
Result<qint64> checkLifetime(qint64 seconds, qint64 maxSeconds, const QString &providerName);
