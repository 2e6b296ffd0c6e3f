#pragma once

#include <cstdint>

// `spawnai-sandbox relay APP_PORT -- CMD [ARGS...]`: runs command (a null-terminated argv) and
// forwards every connection accepted on listenFd to 127.0.0.1:appPort inside the sandbox.
// Returns the command's exit status (128 + signal if it was killed), or 127 if it could not run.
int runRelay(std::uint16_t appPort, char *const command[], int listenFd);
