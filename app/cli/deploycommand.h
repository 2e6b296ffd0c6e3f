#pragma once

#include "clicommand.h"
#include "costmeter.h"
#include "session.h"
#include "sessioncontroller.h"

#include <QElapsedTimer>
#include <QTimer>

class AppCore;

// spawnai deploy PATH: deploys, prints the URL once it answers, shows a countdown until expiry or Ctrl-C,
// then destroys the session.
class DeployCommand final : public CliCommand
{
    Q_OBJECT
public:
    explicit DeployCommand(AppCore &core, QObject *parent = nullptr);
    void start(const QStringList &arguments) override;
    // What generating the app cost (spawnai generate --deploy): counted in the session's cost.
    void setGenerationCost(double usd) { m_generationCostUsd = usd; }

private:
    void deploy(const AppBundle &bundle, const DeployOptions &options);
    void onSessionChanged(const Session &session);
    void onSignal();
    void tick();
    void printSummary(const Session &session);

    AppCore &m_core;
    QString m_sessionId;
    bool m_open = false;
    bool m_announced = false;
    int m_interrupts = 0;
    QElapsedTimer m_clock;
    QTimer m_ticker;
    CostMeter m_meter;
    qint64 m_lastNotice = -1;
    double m_generationCostUsd = 0;
};
