#include "gui.h"

#include "appcore.h"
#include "mainwindow.h"
#include "singleinstance.h"
#include "theme.h"

#include <QApplication>
#include <QIcon>
#include <QMessageBox>

using namespace Qt::StringLiterals;

namespace Gui {

int run(int &argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"spawnai"_s);
    QApplication::setApplicationDisplayName(u"SpawnAI"_s);
    QApplication::setApplicationVersion(QStringLiteral(SPAWNAI_VERSION));
    QApplication::setDesktopFileName(u"spawnai"_s);
    QApplication::setWindowIcon(QIcon(u":/spawnai/icons/spawnai.svg"_s));

    // One window per user: a second launch brings the first one forward and leaves.
    SingleInstance instance;
    if (!instance.claim())
        return 0;

    auto core = AppCore::open();
    if (!core) {
        QMessageBox::critical(nullptr, QApplication::translate("Gui", "SpawnAI cannot start"), core.error());
        return 1;
    }
    // Light or dark as the desktop prefers (or as the user chose), following changes while SpawnAI runs.
    ThemeFollower theme(app, (*core)->settings().theme(), nullptr);

    MainWindow window(**core);
    QObject::connect(&instance, &SingleInstance::activationRequested, &window, &MainWindow::bringToFront);
    QObject::connect(&window, &MainWindow::settingsApplied, &theme,
                     [&theme, &core] { theme.setChoice((*core)->settings().theme()); });
    window.show();
    window.start();
    const int code = QApplication::exec();
    core->reset(); // sessions stop (local sandboxes die with us) while the store is open
    return code;
}

} // namespace Gui
