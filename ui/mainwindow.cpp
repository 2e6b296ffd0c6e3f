#include "mainwindow.h"

#include "appcore.h"

MainWindow::MainWindow(AppCore &core, QWidget *parent)
    : QMainWindow(parent)
    , m_core(core)
{
    setWindowTitle(tr("SpawnAI"));
}

MainWindow::~MainWindow() = default;
