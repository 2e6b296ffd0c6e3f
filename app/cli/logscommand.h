#pragma once

#include "clicommand.h"

#include <QFile>
#include <QTimer>

class AppCore;

// spawnai logs ID [--follow]: the app's own output (stdout and stderr).
class LogsCommand final : public CliCommand
{
    Q_OBJECT
public:
    explicit LogsCommand(AppCore &core, QObject *parent = nullptr);
    void start(const QStringList &arguments) override;

private:
    void readMore();

    AppCore &m_core;
    QString m_sessionId;
    QFile m_log;
    QTimer m_follow;
    int m_idleTicks = 0;
};
