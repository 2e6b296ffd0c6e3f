#include "cli.h"

#include "appcore.h"
#include "configcommand.h"
#include "console.h"
#include "costcommand.h"
#include "deploycommand.h"
#include "generatecommand.h"
#include "keycommand.h"
#include "listcommand.h"
#include "logscommand.h"
#include "paths.h"
#include "stopcommand.h"

#include <QCoreApplication>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;

namespace Cli {

namespace {

using Factory = std::function<CliCommand *(AppCore &)>;

struct CommandEntry
{
    QString name;
    Factory create;
};

const QList<CommandEntry> &commands()
{
    static const QList<CommandEntry> all = {
        {u"deploy"_s, [](AppCore &core) -> CliCommand * { return new DeployCommand(core); }},
        {u"generate"_s, [](AppCore &core) -> CliCommand * { return new GenerateCommand(core); }},
        {u"list"_s, [](AppCore &core) -> CliCommand * { return new ListCommand(core); }},
        {u"cost"_s, [](AppCore &core) -> CliCommand * { return new CostCommand(core); }},
        {u"stop"_s, [](AppCore &core) -> CliCommand * { return new StopCommand(core); }},
        {u"logs"_s, [](AppCore &core) -> CliCommand * { return new LogsCommand(core); }},
        {u"key"_s, [](AppCore &) -> CliCommand * { return new KeyCommand; }},
        {u"config"_s, [](AppCore &core) -> CliCommand * { return new ConfigCommand(core); }},
    };
    return all;
}

} // namespace

QString helpText()
{
    // One literal per line of output.
    // clang-format off
    return QCoreApplication::translate("Cli",
        "Usage: spawnai                      open the desktop control panel\n"
        "       spawnai COMMAND [options]\n"
        "\n"
        "SpawnAI runs a small web app for a while and then destroys it: on this computer in a\n"
        "bubblewrap sandbox (the default: free, no account needed) or on a cloud sandbox, with a\n"
        "countdown and its cost.\n"
        "\n"
        "Commands:\n"
        "  deploy PATH [--ttl 2h] [--name NAME] [--port N] [--open] [--provider local]\n"
        "                        Deploy a folder or an .html file; print its URL once it answers; keep it\n"
        "                        running until its lifetime ends or Ctrl-C, then destroy it.\n"
        "  generate PROMPT [--out DIR] [--from DIR] [--deploy [--provider P] [--ttl T] [--open]]\n"
        "                        Ask Claude to write the app PROMPT describes (or to change the app in\n"
        "                        --from); write it to DIR; with --deploy, run it as deploy does.\n"
        "                        --models lists the Claude models your key can use.\n"
        "  list [--json] [--active]\n"
        "                        Sessions with status, URL, time left and cost.\n"
        "  cost [--month YYYY-MM] [--json|--csv]\n"
        "                        What a month cost (this one by default), per provider and against the\n"
        "                        monthly budget; --csv prints the month's cost ledger for a spreadsheet.\n"
        "  stop ID               Stop a session (ID or a unique prefix of it).\n"
        "  logs ID [--follow]    What the session's app printed.\n"
        "  key set|test|rm PROVIDER\n"
        "                        Manage API keys in the system keychain. The key is read from stdin,\n"
        "                        never from the command line.\n"
        "  config [KEY [VALUE]]  Show or change settings.\n"
        "\n"
        "Options:\n"
        "  -h, --help            Show this help; \"spawnai COMMAND --help\" shows a command's options.\n"
        "  -v, --version         Show the version.\n"
        "\n"
        "An app folder holds index.html (static), app.py or main.py (Python), or server.js (Node), or a\n"
        "spawnai.json manifest: {\"title\", \"runtime\": \"static|python|node\", \"start\", \"port\"}. Python and\n"
        "Node apps read PORT and bind HOST. Data lives in %1.\n"
        "Diagnostics: QT_LOGGING_RULES=\"spawnai.*=true\" spawnai ...")
        .arg(Paths::dataDir());
    // clang-format on
}

int run(const QStringList &arguments)
{
    const QString name = arguments.value(1);
    if (name == u"-h" || name == u"--help" || name == u"help") {
        Console::out(helpText());
        return CliCommand::Success;
    }
    if (name == u"-v" || name == u"--version") {
        Console::out(u"spawnai "_s + QStringLiteral(SPAWNAI_VERSION));
        return CliCommand::Success;
    }
    const auto entry = std::find_if(commands().cbegin(), commands().cend(),
                                    [&](const CommandEntry &c) { return c.name == name; });
    if (entry == commands().cend()) {
        Console::error(
            QCoreApplication::translate("Cli", "unknown command \"%1\". Run \"spawnai --help\".").arg(name));
        return CliCommand::Usage;
    }

    auto core = AppCore::open();
    if (!core) {
        Console::error(core.error());
        return CliCommand::Failure;
    }
    std::unique_ptr<CliCommand> command(entry->create(**core));
    int exitCode = CliCommand::Failure;
    QObject::connect(command.get(), &CliCommand::finished, command.get(), [&exitCode](int code) {
        exitCode = code;
        QCoreApplication::exit(code);
    });
    QMetaObject::invokeMethod(
        command.get(), [&] { command->start(arguments); }, Qt::QueuedConnection);
    const int loopCode = QCoreApplication::exec();
    command.reset();
    core->reset(); // providers stop their sandboxes while the store is still open
    return loopCode == 130 ? loopCode : exitCode;
}

} // namespace Cli
