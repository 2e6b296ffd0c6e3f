#include "crashpoint.h"

#include <QByteArray>
#include <QtGlobal>

#include <unistd.h>

void crashPoint(const char *name)
{
    static const QByteArray armed = qgetenv("SPAWNAI_CRASH_AT");
    if (!armed.isEmpty() && armed == name)
        ::_exit(137);
}
