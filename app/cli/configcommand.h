#pragma once

#include "clicommand.h"

class AppCore;

// spawnai config [KEY [VALUE]]
class ConfigCommand final : public CliCommand
{
    Q_OBJECT
public:
    explicit ConfigCommand(AppCore &core, QObject *parent = nullptr);
    void start(const QStringList &arguments) override;

private:
    AppCore &m_core;
};
