#pragma once

#include "uniquefd.h"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

using Clock = std::chrono::steady_clock;

// SpawnAI binds 127.0.0.1:PORT in the host's network namespace and hands the listening socket in as fd 3.
inline constexpr int kListenFd = 3;

// Checks that fd is a listening stream socket and keeps it out of any program we exec.
// Returns an error message, or an empty string when the socket is usable.
std::string prepareListeningSocket(int fd);

// Threads only need small stacks here; keeps the per-connection cost low under RLIMIT_AS.
void useSmallThreadStacks();

using ConnectionHandler = std::function<void(UniqueFd client)>;

// Accepts connections forever and runs handler(client) on a thread of its own, with at most
// maxConnections at once (further clients wait in the listen backlog).
// Returns only when the listening socket has become unusable.
void serveConnections(int listenFd, int maxConnections, ConnectionHandler handler);

enum class WaitResult { Ready, TimedOut, Failed };
WaitResult waitReadable(int fd, Clock::time_point deadline);

// Sends all of data; false if the peer is gone or stalled past the send timeout.
bool sendAll(int fd, std::string_view data, int flags = 0);

void setNoDelay(int fd);
void setSendTimeout(int fd, std::chrono::seconds timeout);

// Ends a connection so the peer still receives what we sent even if it had more data in flight
// (closing with unread input would reset the connection and could discard our response).
void closeGracefully(UniqueFd fd);
