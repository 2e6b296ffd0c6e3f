#pragma once

#include "clicommand.h"

class SecretStore;

// spawnai key set|test|rm PROVIDER. The key comes from stdin only: never argv (shell history, process list).
class KeyCommand final : public CliCommand
{
    Q_OBJECT
public:
    explicit KeyCommand(QObject *parent = nullptr);
    void start(const QStringList &arguments) override;

private:
    void set(const QString &provider);
    void test(const QString &provider);
    void remove(const QString &provider);

    SecretStore *m_secrets = nullptr;
};
