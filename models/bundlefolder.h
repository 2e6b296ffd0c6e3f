#pragma once

#include "appbundle.h"
#include "result.h"

#include <QString>

// An app bundle on disk: a folder (with or without spawnai.json) or a single .html page.
namespace BundleFolder {

// Reads and validates the app at `path`. Refuses what cannot be deployed safely and says why:
// empty folders, no entry point, oversized or non-UTF-8 files, links that point outside the folder.
Result<AppBundle> load(const QString &path);

// Writes the bundle's files and its spawnai.json under `dir` (created if missing).
Result<void> write(const AppBundle &bundle, const QString &dir);

} // namespace BundleFolder
