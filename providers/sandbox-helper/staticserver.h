#pragma once

#include <string>

// `spawnai-sandbox static ROOT`: serves the files under root over HTTP/1.1 (GET and HEAD) on the
// listening socket listenFd. Runs until killed; returns an exit code only on failure.
int runStaticServer(const std::string &root, int listenFd);
