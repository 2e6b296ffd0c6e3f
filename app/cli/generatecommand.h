#pragma once

#include "clicommand.h"
#include "generationcontroller.h"

#include <QMap>

class AppCore;
class SecretStore;

// spawnai generate "PROMPT" [--from DIR] [--out DIR] [--deploy --provider P --ttl T]: Claude writes the app
// (streaming its commentary to stderr), it is validated, stored as a revision and written to a folder; with
// --deploy it is then deployed as `spawnai deploy` would. `--models` lists the models the key can use.
class GenerateCommand final : public CliCommand
{
    Q_OBJECT
public:
    explicit GenerateCommand(AppCore &core, QObject *parent = nullptr);
    void start(const QStringList &arguments) override;

private:
    void listModels();
    void onFinished(const GenerationOutcome &outcome);
    void keepPartialFiles();
    void deploy(const QString &folder, double generationCostUsd);

    AppCore &m_core;
    SecretStore *m_secrets = nullptr;
    GenerationController *m_generation = nullptr;
    QString m_out;
    bool m_deploy = false;
    QStringList m_deployArguments;     // --provider, --ttl, ... as given, for the deploy step
    QString m_commentaryLine;          // commentary not yet printed: it goes out line by line
    QMap<QString, QString> m_streamed; // the files as far as they arrived, kept if the answer fails
};
