#include "relay.h"

#include "diagnostics.h"
#include "socketio.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr int kMaxConnections = 128;
// The host's first request usually arrives before the app listens: wait for it this long.
constexpr auto kAppStartTimeout = 30s;
constexpr auto kConnectRetryInterval = 15ms;
constexpr std::size_t kPumpBufferSize = 64 * 1024;

// ---- The child -------------------------------------------------------------------------------

// Blocked in every thread, so only the supervisor's sigwaitinfo() sees them.
sigset_t supervisedSignals()
{
    sigset_t signals;
    sigemptyset(&signals);
    for (const int signal : {SIGCHLD, SIGTERM, SIGINT, SIGHUP})
        sigaddset(&signals, signal);
    return signals;
}

struct Child
{
    pid_t pid = -1;
    int error = 0; // errno of a failed pipe/fork/exec
};

// Starts command with a PATH lookup. A close-on-exec pipe tells us whether exec succeeded: it
// reaches EOF on success, or carries errno on failure.
Child startChild(char *const command[], const sigset_t &originalMask)
{
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0)
        return {-1, errno};
    UniqueFd readEnd(pipeFds[0]);
    UniqueFd writeEnd(pipeFds[1]);

    const pid_t relay = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0)
        return {-1, errno};
    if (pid == 0) {
        // The app dies with the relay: outside bwrap (the user's opt-out) nothing else would end it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != relay)
            ::_exit(127); // the relay died before the line above
        // Give the app the signal state it would have had without us in between.
        ::signal(SIGPIPE, SIG_DFL);
        ::sigprocmask(SIG_SETMASK, &originalMask, nullptr);
        ::execvp(command[0], command);
        const int err = errno;
        [[maybe_unused]] const ssize_t ignored = ::write(writeEnd.get(), &err, sizeof err);
        ::_exit(127);
    }

    writeEnd.reset();
    int execError = 0;
    ssize_t received = 0;
    do {
        received = ::read(readEnd.get(), &execError, sizeof execError);
    } while (received < 0 && errno == EINTR);
    if (received == sizeof execError) {
        ::waitpid(pid, nullptr, 0);
        return {-1, execError};
    }
    return {pid, 0};
}

int exitCodeOf(int waitStatus)
{
    if (WIFEXITED(waitStatus))
        return WEXITSTATUS(waitStatus);
    if (WIFSIGNALED(waitStatus))
        return 128 + WTERMSIG(waitStatus); // the shell convention: SIGKILL -> 137
    return 1;
}

// Forwards termination signals to the child until it exits; returns its exit code.
int superviseChild(pid_t child, const sigset_t &signals)
{
    for (;;) {
        const int signal = ::sigwaitinfo(&signals, nullptr);
        if (signal == SIGCHLD) {
            int status = 0;
            const pid_t exited = ::waitpid(child, &status, WNOHANG);
            if (exited == child)
                return exitCodeOf(status);
            if (exited < 0 && errno == ECHILD)
                return 1; // cannot happen with SIGCHLD at SIG_DFL; never wait forever
        } else if (signal > 0) {
            ::kill(child, signal);
        }
    }
}

// ---- The connections -------------------------------------------------------------------------

// Connects to the app, retrying while it is still starting. No need to stop early when the app
// dies: the relay exits with it.
UniqueFd connectToApp(std::uint16_t port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    const auto deadline = Clock::now() + kAppStartTimeout;
    for (;;) {
        UniqueFd app(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!app) {
            logError("cannot create a socket: " + errorText(errno));
            return {};
        }
        if (::connect(app.get(), reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0)
            return app;
        const int err = errno;
        if (err != ECONNREFUSED || Clock::now() >= deadline) {
            logError("cannot reach the app on 127.0.0.1:" + std::to_string(port) + ": " + errorText(err));
            return {};
        }
        std::this_thread::sleep_for(kConnectRetryInterval);
    }
}

// Copies bytes one way until EOF, then passes the EOF on, so half-closed connections work.
void pump(int from, int to)
{
    std::vector<char> buffer(kPumpBufferSize);
    for (;;) {
        const ssize_t received = ::recv(from, buffer.data(), buffer.size(), 0);
        if (received == 0) {
            ::shutdown(to, SHUT_WR);
            return;
        }
        if (received < 0 && errno == EINTR)
            continue;
        if (received < 0 || !sendAll(to, std::string_view(buffer.data(), std::size_t(received))))
            break;
    }
    // One side failed: shut both down so that the opposite pump wakes up and ends too.
    ::shutdown(from, SHUT_RDWR);
    ::shutdown(to, SHUT_RDWR);
}

void relayConnection(std::uint16_t appPort, UniqueFd client)
{
    const UniqueFd app = connectToApp(appPort);
    if (!app)
        return; // closing the client tells it the app is unavailable
    setNoDelay(client.get());
    setNoDelay(app.get());
    // Declared after the sockets, so it is joined before they close.
    const std::jthread upstream(pump, client.get(), app.get());
    pump(app.get(), client.get());
}

} // namespace

int runRelay(std::uint16_t appPort, char *const command[], int listenFd)
{
    // Block before fork and before any thread exists, so that no signal is lost or stolen.
    // An inherited SIG_IGN for SIGCHLD would make the kernel reap the child behind our back.
    ::signal(SIGCHLD, SIG_DFL);
    const sigset_t signals = supervisedSignals();
    sigset_t originalMask;
    ::pthread_sigmask(SIG_BLOCK, &signals, &originalMask);

    const Child child = startChild(command, originalMask);
    if (child.pid < 0) {
        logError("cannot run \"" + std::string(command[0]) + "\": " + errorText(child.error));
        return 127;
    }

    std::thread([appPort, listenFd, pid = child.pid] {
        serveConnections(listenFd, kMaxConnections,
                         [appPort](UniqueFd client) { relayConnection(appPort, std::move(client)); });
        // Nobody can reach the app any more, so stop it; the relay then exits with its status.
        logError("stopping the app: its listening socket failed");
        ::kill(pid, SIGTERM);
    }).detach();

    const int exitCode = superviseChild(child.pid, signals);
    // Refuse new connections at once; connections in flight end with the process.
    ::close(listenFd);
    return exitCode;
}
