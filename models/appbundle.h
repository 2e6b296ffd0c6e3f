#pragma once

#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

enum class Runtime { Static, Python, Node };

namespace Runtimes {
QString name(Runtime runtime); // "static" | "python" | "node"
std::optional<Runtime> fromName(const QString &name);
} // namespace Runtimes

// How a bundle runs: `spawnai.json` at the bundle's root.
struct AppManifest
{
    QString title;
    Runtime runtime = Runtime::Static;
    QString start;   // command line for python/node; empty for static
    int port = 8000; // the app reads PORT and binds HOST

    QJsonObject toJson() const;
    static Result<AppManifest> fromJson(const QByteArray &json);
};

// A generated or loaded app: relative path → content, plus the manifest.
struct AppBundle
{
    static constexpr qint64 kMaxFileBytes = 10 * 1024 * 1024;
    static constexpr qint64 kMaxTotalBytes = 50 * 1024 * 1024;
    static constexpr int kMaxFiles = 1000;
    static inline const QString kManifestName = QStringLiteral("spawnai.json");

    AppManifest manifest;
    QMap<QString, QByteArray> files; // never contains spawnai.json; the manifest is separate

    // Everything a deploy relies on: safe relative paths, sizes, UTF-8 text, a known runtime and an entry
    // point.
    Result<void> validate() const;
    qint64 totalBytes() const;

    // The runtime of DESIGN.md's rules for a bundle without a manifest, or an error naming what is missing.
    static Result<AppManifest> inferManifest(const QMap<QString, QByteArray> &files, const QString &title);
    // Whether `path` is a safe bundle path; the reason when not.
    static Result<void> checkPath(const QString &path);
    // Files SpawnAI does not require to be UTF-8 (images, fonts, media, archives).
    static bool isBinaryPath(const QString &path);
    // "512 bytes", "12.0 KB", "3.4 MB": sizes in messages (English units: they also go to Claude).
    static QString formatSize(qint64 bytes);
};
