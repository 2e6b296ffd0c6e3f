#pragma once

#include "appbundle.h"

#include <QString>

// The shell line a cloud sandbox runs an app bundle with: from its folder, installing its dependencies where
// the bundle lists them (cloud sandboxes have network access), exec'ing its start command (static apps get
// Python's file server) on PORT and 0.0.0.0, optionally under `timeout` so it ends by itself.
namespace AppCommand {

// `folder` is absolute; deadlineSeconds <= 0 means no in-sandbox deadline.
QString shellLine(const AppBundle &bundle, const QString &folder, qint64 deadlineSeconds = 0);
// A word quoted for /bin/sh.
QString shellQuote(const QString &word);

} // namespace AppCommand
