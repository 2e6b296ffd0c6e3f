#include "providerlogging.h"

Q_LOGGING_CATEGORY(lcLocal, "spawnai.providers.local")
Q_LOGGING_CATEGORY(lcClaude, "spawnai.providers.claude")
Q_LOGGING_CATEGORY(lcHttp, "spawnai.providers.http")
Q_LOGGING_CATEGORY(lcE2b, "spawnai.providers.e2b")
Q_LOGGING_CATEGORY(lcFly, "spawnai.providers.fly")
