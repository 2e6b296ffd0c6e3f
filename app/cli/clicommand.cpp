#include "clicommand.h"

#include "console.h"

#include <QTimer>

void CliCommand::finish(int exitCode)
{
    if (m_finished)
        return;
    m_finished = true;
    QTimer::singleShot(0, this, [this, exitCode] { emit finished(exitCode); });
}

bool CliCommand::parse(QCommandLineParser &parser, const QStringList &arguments, const Syntax &syntax)
{
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, tr("Show this help."));
    parser.addOption(help);
    const QString seeHelp = tr("Run \"spawnai %1 --help\" for usage.").arg(arguments.value(1));
    if (!parser.parse(arguments)) {
        Console::error(parser.errorText());
        Console::err(seeHelp);
        finish(Usage);
        return false;
    }
    if (parser.isSet(help)) {
        const QString full = parser.helpText();
        const qsizetype options = full.indexOf(QStringLiteral("Options:"));
        Console::out(tr("Usage: spawnai %1\n\n%2\n\n%3")
                         .arg(syntax.usage, syntax.description,
                              options < 0 ? QString() : full.mid(options).trimmed()));
        finish(Success);
        return false;
    }
    const qsizetype count = operands(parser).size();
    if (count < syntax.minPositional || count > syntax.maxPositional) {
        Console::error(count < syntax.minPositional ? tr("missing argument: spawnai %1").arg(syntax.usage)
                                                    : tr("too many arguments: spawnai %1").arg(syntax.usage));
        Console::err(seeHelp);
        finish(Usage);
        return false;
    }
    return true;
}

QStringList CliCommand::operands(const QCommandLineParser &parser)
{
    return parser.positionalArguments().mid(1);
}
