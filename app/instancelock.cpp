#include "instancelock.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QUuid>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

Result<std::unique_ptr<InstanceLock>> InstanceLock::acquire(const QString &dataDir)
{
    const QString dir = dataDir + u"/owners"_s;
    if (!QDir().mkpath(dir))
        return Error{QCoreApplication::translate("InstanceLock", "Cannot create %1.").arg(dir)};
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QByteArray path = QFile::encodeName(dir + u'/' + id + u".lock"_s);
    const int fd = ::open(path.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const QString why = QString::fromLocal8Bit(std::strerror(errno));
        if (fd >= 0)
            ::close(fd);
        return Error{QCoreApplication::translate("InstanceLock", "Cannot lock %1: %2.")
                         .arg(QString::fromLocal8Bit(path), why)};
    }
    const QByteArray pid = QByteArray::number(QCoreApplication::applicationPid()) + '\n';
    [[maybe_unused]] const auto written = ::write(fd, pid.constData(), size_t(pid.size())); // for people only
    std::unique_ptr<InstanceLock> lock(new InstanceLock(dir, id, fd));
    // Locks of processes that were killed are removed here, or when a session of theirs is looked at.
    const QStringList files = QDir(dir).entryList({u"*.lock"_s}, QDir::Files);
    for (const QString &file : files)
        lock->isAlive(file.chopped(5));
    return lock;
}

InstanceLock::InstanceLock(const QString &dir, const QString &id, int fd)
    : m_dir(dir)
    , m_id(id)
    , m_fd(fd)
{}

InstanceLock::~InstanceLock()
{
    QFile::remove(lockPath(m_id));
    ::close(m_fd);
}

QString InstanceLock::lockPath(const QString &ownerId) const
{
    return m_dir + u'/' + ownerId + u".lock"_s;
}

bool InstanceLock::isAlive(const QString &ownerId) const
{
    if (ownerId == m_id)
        return true;
    if (ownerId.isEmpty() || ownerId.contains(u'/'))
        return false;
    const QByteArray path = QFile::encodeName(lockPath(ownerId));
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool locked = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    if (!locked)
        ::unlink(path.constData()); // its owner is gone
    ::close(fd);
    return locked;
}
