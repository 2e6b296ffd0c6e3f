#pragma once

#include "clicommand.h"

#include <QDeadlineTimer>
#include <QTimer>

class AppCore;

// spawnai stop ID: stops a session this or another SpawnAI process runs, and waits until it has ended.
class StopCommand final : public CliCommand
{
    Q_OBJECT
public:
    static constexpr int kWaitMs = 20'000;

    explicit StopCommand(AppCore &core, QObject *parent = nullptr);
    void start(const QStringList &arguments) override;

private:
    void poll();

    AppCore &m_core;
    QString m_sessionId;
    QTimer m_poll;
    QDeadlineTimer m_deadline;
};
