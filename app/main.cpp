#include "cli/cli.h"
#include "gui.h"
#include "http/redactor.h"

#include <QCoreApplication>
#include <QLoggingCategory>

int main(int argc, char *argv[])
{
    Redactor::installMessageHandler(); // keys never reach a log line, whatever logs them
    if (argc <= 1)
        return Gui::run(argc, argv);

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("spawnai"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SPAWNAI_VERSION));
    // The CLI speaks for itself; diagnostics on demand with QT_LOGGING_RULES="spawnai.*=true".
    QLoggingCategory::setFilterRules(QStringLiteral("spawnai.*=false"));
    return Cli::run(QCoreApplication::arguments());
}
