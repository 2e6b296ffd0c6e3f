#pragma once

#include "appbundle.h"

#include <QString>
#include <QStringList>

// Everything that decides how one local app is launched.
struct SandboxSpec
{
    QString bwrapPath;
    QString helperPath; // spawnai-sandbox on the host
    QString appDir;     // the app's files, bound read-only at /app
    QString etcDir;     // passwd, group, hosts, nsswitch.conf made for the sandbox
    QString tmpDir;     // unsandboxed only: the app's writable scratch directory
    Runtime runtime = Runtime::Static;
    QString start;      // the manifest's start command (python/node)
    int appPort = 8000; // the port the app binds inside the sandbox
    qint64 tmpfsBytes = 64 * 1024 * 1024;
};

struct LaunchCommand
{
    QString program;
    QStringList arguments;
    QStringList environment; // NAME=value; nothing inherited from SpawnAI
};

// Builds the command lines of reliability.md §1.7. Pure functions, so the policy is testable row by row.
namespace SandboxCommand {

inline constexpr auto kHelperInSandbox = "/run/spawnai/helper";

// bubblewrap with an empty root: read-only /usr and /app, a size-capped /tmp, no network, no $HOME, an empty
// environment, its own pid/ipc/uts namespaces, no nested user namespaces, dying with SpawnAI.
// The listening socket arrives as fd 3.
LaunchCommand sandboxed(const SandboxSpec &spec);

// The same isolation around /usr/bin/true: whether this machine lets bubblewrap build a sandbox at all.
LaunchCommand trial(const QString &bwrapPath);

// The explicit opt-out: the same helper, with no isolation. `hostAppPort` is a free port on the host.
LaunchCommand unsandboxed(const SandboxSpec &spec, int hostAppPort);

// The helper's own arguments after its path: "static /app" or "relay PORT -- CMD...".
QStringList helperArguments(const SandboxSpec &spec, const QString &appDir, int appPort);

} // namespace SandboxCommand
