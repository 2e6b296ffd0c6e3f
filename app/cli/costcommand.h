#pragma once

#include "clicommand.h"

#include <QDate>

#include <optional>

class AppCore;

// spawnai cost [--month YYYY-MM] [--json|--csv]: what a local calendar month cost, per provider, against the
// monthly budget; this month's figures include what unended sessions have run up so far. --csv is the month's
// cost ledger, nothing else on stdout.
class CostCommand final : public CliCommand
{
    Q_OBJECT
public:
    explicit CostCommand(AppCore &core, QObject *parent = nullptr);
    void start(const QStringList &arguments) override;

    // "2026-11" → 1 November 2026; nothing unless it is YYYY-MM with a month from 01 to 12.
    static std::optional<QDate> parseMonth(const QString &text);

private:
    AppCore &m_core;
};
