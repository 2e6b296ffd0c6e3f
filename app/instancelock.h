#pragma once

#include "result.h"

#include <QString>

#include <memory>

// Marks one running SpawnAI process (GUI or CLI) that drives sessions. Sessions record their owner's id;
// another process tells whether that owner is still alive by trying its lock. flock(2) is released by the
// kernel when the process dies, however it dies, so a kill -9 leaves no stale "alive" owner and pid reuse
// cannot fool it.
class InstanceLock final
{
public:
    static Result<std::unique_ptr<InstanceLock>> acquire(const QString &dataDir);
    ~InstanceLock();
    InstanceLock(const InstanceLock &) = delete;
    InstanceLock &operator=(const InstanceLock &) = delete;

    QString id() const { return m_id; }
    // Whether the SpawnAI process with `ownerId` still runs. This process counts as alive.
    bool isAlive(const QString &ownerId) const;

private:
    InstanceLock(const QString &dir, const QString &id, int fd);
    QString lockPath(const QString &ownerId) const;

    QString m_dir;
    QString m_id;
    int m_fd = -1;
};
