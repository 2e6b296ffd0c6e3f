#include "configcommand.h"

#include "appcore.h"
#include "console.h"

using namespace Qt::StringLiterals;

ConfigCommand::ConfigCommand(AppCore &core, QObject *parent)
    : CliCommand(parent)
    , m_core(core)
{}

void ConfigCommand::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    if (!parse(
            parser, arguments,
            {u"config [KEY [VALUE]]"_s,
             tr("Shows all settings, one setting, or changes one. Keys are not settings: see spawnai key."),
             0, 2}))
        return;
    AppSettings &settings = m_core.settings();
    const QStringList args = operands(parser);
    if (args.isEmpty()) {
        for (const AppSettings::Key &key : AppSettings::keys()) {
            Console::out(u"%1 = %2"_s.arg(key.name, settings.value(key.name)));
            Console::out(u"    "_s + key.description);
        }
        Console::err(tr("(stored in %1)").arg(settings.fileName()));
        return finish(Success);
    }
    if (args.size() == 1) {
        const QString value = settings.value(args.first());
        if (value.isNull()) {
            Console::error(
                tr("Unknown setting \"%1\". Run spawnai config to see them all.").arg(args.first()));
            return finish(Failure);
        }
        Console::out(value);
        return finish(Success);
    }
    if (auto set = settings.setValue(args.at(0), args.at(1)); !set) {
        Console::error(set.error());
        return finish(Failure);
    }
    if (args.at(0) == u"local.allow-unsandboxed" && args.at(1) == u"true")
        Console::err(
            tr("WARNING: when bubblewrap cannot run, local apps will now run WITHOUT a sandbox and can read "
               "your files and use your network. Every such session is marked UNSANDBOXED."));
    Console::err(tr("%1 = %2").arg(args.at(0), args.at(1)));
    finish(Success);
}
