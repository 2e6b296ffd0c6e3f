#include "providerlogging.h"

Q_LOGGING_CATEGORY(lcLocal, "spawnai.providers.local")
