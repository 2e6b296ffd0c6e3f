#pragma once

#include <QLoggingCategory>

// "spawnai.store", defined in store.cpp, for every file of the store.
Q_DECLARE_LOGGING_CATEGORY(lcStore)
