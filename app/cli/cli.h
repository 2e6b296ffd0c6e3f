#pragma once

#include <QStringList>

// `spawnai COMMAND ...`: returns the process exit code.
namespace Cli {
int run(const QStringList &arguments);
QString helpText();
} // namespace Cli
