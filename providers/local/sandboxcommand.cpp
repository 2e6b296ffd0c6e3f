#include "sandboxcommand.h"

#include <QProcess>

using namespace Qt::StringLiterals;

namespace SandboxCommand {

namespace {

QStringList baseEnvironment(int appPort)
{
    return {u"PATH=/usr/bin:/bin"_s, u"LANG=C.UTF-8"_s,
            u"HOST=127.0.0.1"_s,     u"PORT="_s + QString::number(appPort),
            u"PYTHONUNBUFFERED=1"_s, u"PYTHONDONTWRITEBYTECODE=1"_s};
}

// The namespaces and process isolation every sandbox gets, the trial one included.
QStringList isolation()
{
    return {u"--unshare-all"_s, u"--unshare-user"_s, u"--disable-userns"_s, u"--die-with-parent"_s,
            u"--new-session"_s};
}

// An empty root with the host's /usr, read-only.
QStringList minimalRoot()
{
    QStringList args = {u"--ro-bind"_s, u"/usr"_s, u"/usr"_s};
    for (const QString &dir : {u"bin"_s, u"sbin"_s, u"lib"_s, u"lib64"_s})
        args += {u"--symlink"_s, u"usr/"_s + dir, u'/' + dir};
    return args;
}

} // namespace

QStringList helperArguments(const SandboxSpec &spec, const QString &appDir, int appPort)
{
    if (spec.runtime == Runtime::Static)
        return {u"static"_s, appDir};
    return QStringList{u"relay"_s, QString::number(appPort), u"--"_s} + QProcess::splitCommand(spec.start);
}

LaunchCommand sandboxed(const SandboxSpec &spec)
{
    const QString helper = QString::fromLatin1(kHelperInSandbox);
    QStringList args = isolation();
    args += u"--clearenv"_s;
    QStringList environment = baseEnvironment(spec.appPort);
    environment << u"HOME=/tmp"_s;
    for (const QString &variable : std::as_const(environment)) {
        const qsizetype eq = variable.indexOf(u'=');
        args += {u"--setenv"_s, variable.left(eq), variable.mid(eq + 1)};
    }
    args += minimalRoot();
    for (const QString &file : {u"passwd"_s, u"group"_s, u"hosts"_s, u"nsswitch.conf"_s})
        args += {u"--ro-bind"_s, spec.etcDir + u'/' + file, u"/etc/"_s + file};
    args += {u"--ro-bind"_s, spec.appDir, u"/app"_s};
    args += {u"--ro-bind"_s, spec.helperPath, helper};
    args += {u"--size"_s, QString::number(spec.tmpfsBytes), u"--tmpfs"_s, u"/tmp"_s};
    args += {u"--proc"_s, u"/proc"_s, u"--dev"_s, u"/dev"_s};
    args += {u"--hostname"_s, u"spawnai"_s, u"--chdir"_s, u"/app"_s};
    args += {u"--"_s, helper};
    args += helperArguments(spec, u"/app"_s, spec.appPort);
    // bwrap itself starts with an empty environment: --clearenv alone would leave SpawnAI's environment
    // readable in /proc/1/environ of the sandbox (reliability.md §1.2).
    return {spec.bwrapPath, args, {}};
}

LaunchCommand trial(const QString &bwrapPath)
{
    QStringList args = isolation() + minimalRoot();
    args += {u"--size"_s, u"1048576"_s, u"--tmpfs"_s, u"/tmp"_s};
    args += {u"--proc"_s, u"/proc"_s, u"--dev"_s, u"/dev"_s};
    args += {u"--"_s, u"/usr/bin/true"_s};
    return {bwrapPath, args, {}};
}

LaunchCommand unsandboxed(const SandboxSpec &spec, int hostAppPort)
{
    QStringList environment = baseEnvironment(hostAppPort);
    environment << u"HOME="_s + spec.tmpDir << u"TMPDIR="_s + spec.tmpDir;
    return {spec.helperPath, helperArguments(spec, spec.appDir, hostAppPort), environment};
}

} // namespace SandboxCommand
