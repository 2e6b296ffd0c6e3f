#include "providerlogging.h"

Q_LOGGING_CATEGORY(lcLocal, "spawnai.providers.local")
Q_LOGGING_CATEGORY(lcClaude, "spawnai.providers.claude")
