#pragma once

#include <QMainWindow>

class AppCore;

// The control panel: the app pane with its editor, the deploy bar, the session table and the log.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(AppCore &core, QWidget *parent = nullptr);
    ~MainWindow() override;

private:
    AppCore &m_core;
};
