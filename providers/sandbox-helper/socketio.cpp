#include "socketio.h"

#include "diagnostics.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <memory>
#include <semaphore>
#include <thread>
#include <utility>

using namespace std::chrono_literals;

namespace {

constexpr std::size_t kThreadStackSize = 512 * 1024;
constexpr auto kLingerTimeout = 2s;
constexpr std::size_t kLingerMaxBytes = 1024 * 1024;

UniqueFd acceptClient(int listenFd)
{
    bool reportedShortage = false;
    for (;;) {
        const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0)
            return UniqueFd(fd);
        const int err = errno;
        switch (err) {
        case EAGAIN:
            // The listener may be non-blocking (QTcpServer's is); the flag is shared with SpawnAI's
            // copy, so wait for a connection instead of changing it.
            if (waitReadable(listenFd, Clock::time_point::max()) == WaitResult::Failed)
                return {};
            continue;
        case EBADF:
        case EINVAL:
        case ENOTSOCK:
        case EFAULT:
            logError("accepting on fd " + std::to_string(listenFd) + " failed: " + errorText(err));
            return {};
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            // Back off instead of spinning; finishing connections will free resources.
            if (!std::exchange(reportedShortage, true))
                logError("accept: " + errorText(err) + "; retrying");
            std::this_thread::sleep_for(50ms);
            continue;
        default:
            // EINTR, ECONNABORTED and the network errors of an already aborted connection (accept(2)).
            continue;
        }
    }
}

} // namespace

std::string prepareListeningSocket(int fd)
{
    int listening = 0;
    socklen_t size = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || !listening)
        return "fd " + std::to_string(fd) + " is not a listening socket; the launcher must pass one";
    // A program we exec must not keep the socket (and so the port) alive after we exit.
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
        return "cannot mark fd " + std::to_string(fd) + " close-on-exec: " + errorText(errno);
    return {};
}

void useSmallThreadStacks()
{
    pthread_attr_t attributes;
    if (::pthread_attr_init(&attributes) != 0)
        return;
    if (::pthread_attr_setstacksize(&attributes, kThreadStackSize) == 0)
        ::pthread_setattr_default_np(&attributes); // also applies to std::thread
    ::pthread_attr_destroy(&attributes);
}

void serveConnections(int listenFd, int maxConnections, ConnectionHandler handler)
{
    // Shared with the connection threads, which may outlive this function.
    auto slots = std::make_shared<std::counting_semaphore<>>(maxConnections);
    auto sharedHandler = std::make_shared<const ConnectionHandler>(std::move(handler));
    for (;;) {
        slots->acquire();
        UniqueFd client = acceptClient(listenFd);
        if (!client)
            return;
        try {
            std::thread([slots, sharedHandler, client = std::move(client)]() mutable {
                try {
                    (*sharedHandler)(std::move(client));
                } catch (const std::exception &error) {
                    logError(std::string("connection failed: ") + error.what());
                }
                slots->release();
            }).detach();
        } catch (const std::system_error &error) {
            // Could not start a thread: the client is closed, the server carries on.
            logError(std::string("cannot start a connection thread: ") + error.what());
            slots->release();
            std::this_thread::sleep_for(50ms);
        }
    }
}

WaitResult waitReadable(int fd, Clock::time_point deadline)
{
    for (;;) {
        int timeoutMs = -1;
        if (deadline != Clock::time_point::max()) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
            if (left <= 0ms)
                return WaitResult::TimedOut;
            timeoutMs = int(std::min<std::chrono::milliseconds::rep>(left.count(), 60'000));
        }
        pollfd entry{fd, POLLIN, 0};
        const int ready = ::poll(&entry, 1, timeoutMs);
        if (ready > 0)
            return (entry.revents & POLLNVAL) ? WaitResult::Failed : WaitResult::Ready;
        if (ready < 0 && errno != EINTR)
            return WaitResult::Failed;
    }
}

bool sendAll(int fd, std::string_view data, int flags)
{
    while (!data.empty()) {
        const ssize_t sent = ::send(fd, data.data(), data.size(), flags | MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent <= 0)
            return false; // EAGAIN here means SO_SNDTIMEO expired: the peer stopped reading
        data.remove_prefix(std::size_t(sent));
    }
    return true;
}

void setNoDelay(int fd)
{
    // We write whole responses or relay whole chunks; Nagle would only add latency.
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

void setSendTimeout(int fd, std::chrono::seconds timeout)
{
    const timeval value{timeout.count(), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, sizeof value);
}

void closeGracefully(UniqueFd fd)
{
    if (::shutdown(fd.get(), SHUT_WR) != 0)
        return;
    const auto deadline = Clock::now() + kLingerTimeout;
    std::size_t drained = 0;
    char discard[4096];
    while (drained < kLingerMaxBytes && waitReadable(fd.get(), deadline) == WaitResult::Ready) {
        const ssize_t received = ::recv(fd.get(), discard, sizeof discard, 0);
        if (received < 0 && errno == EINTR)
            continue;
        if (received <= 0)
            return; // the peer has read our response and closed
        drained += std::size_t(received);
    }
}
