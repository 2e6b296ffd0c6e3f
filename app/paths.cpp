#include "paths.h"

#include <QDir>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace Paths {

QString dataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/spawnai"_s;
}

QString databasePath()
{
    return dataDir() + u"/spawnai.db"_s;
}

QString logsDir()
{
    return dataDir() + u"/logs"_s;
}

QString runDir()
{
    return dataDir() + u"/run"_s;
}

QString logPath(const QString &sessionId)
{
    return logsDir() + u'/' + sessionId + u".log"_s;
}

} // namespace Paths
