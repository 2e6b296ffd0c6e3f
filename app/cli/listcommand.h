#pragma once

#include "clicommand.h"

class AppCore;

// spawnai list [--json] [--active]
class ListCommand final : public CliCommand
{
    Q_OBJECT
public:
    static constexpr int kRecoveryWaitMs = 5000;

    explicit ListCommand(AppCore &core, QObject *parent = nullptr);
    void start(const QStringList &arguments) override;

private:
    void print();

    AppCore &m_core;
    bool m_json = false;
    bool m_activeOnly = false;
    bool m_printed = false;
};
