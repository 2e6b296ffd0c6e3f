#include "applogging.h"

Q_LOGGING_CATEGORY(lcLifecycle, "spawnai.app.lifecycle")
Q_LOGGING_CATEGORY(lcCli, "spawnai.app.cli")
Q_LOGGING_CATEGORY(lcGeneration, "spawnai.app.generation")
