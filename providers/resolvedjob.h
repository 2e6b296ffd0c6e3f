#pragma once

#include "provider.h"

// A ProviderJob whose outcome is known up front (a no-op extend, a refused request); still finishes
// asynchronously so callers handle every job the same way.
class ResolvedJob final : public ProviderJob
{
    Q_OBJECT
public:
    ResolvedJob(const ProviderOutcome &outcome, QObject *parent)
        : ProviderJob(parent)
        , m_outcome(outcome)
    {}

    void start() override
    {
        QMetaObject::invokeMethod(
            this,
            [this] {
                emit finished(m_outcome);
                deleteLater();
            },
            Qt::QueuedConnection);
    }

private:
    ProviderOutcome m_outcome;
};
