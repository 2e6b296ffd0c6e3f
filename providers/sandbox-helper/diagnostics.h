#pragma once

#include <string>
#include <string_view>

// stdout/stderr are SpawnAI's session log, so every diagnostic line names the helper.
void logError(std::string_view message);

// strerror(err) without the thread-safety caveats.
std::string errorText(int err);
