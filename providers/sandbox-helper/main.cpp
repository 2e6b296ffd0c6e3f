// spawnai-sandbox: SpawnAI's helper inside the bubblewrap sandbox. It sees only /usr, /app, /tmp,
// /proc and /dev, so it uses nothing but libc and libstdc++ (no Qt, no /etc, no DNS).

#include "diagnostics.h"
#include "relay.h"
#include "socketio.h"
#include "staticserver.h"

#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int kUsageExitCode = 2;

constexpr std::string_view kUsage =
    "Usage: spawnai-sandbox static ROOT\n"
    "       spawnai-sandbox relay APP_PORT -- CMD [ARGS...]\n"
    "       spawnai-sandbox --help\n"
    "\n"
    "Runs inside SpawnAI's sandbox and serves on the listening socket passed as fd 3.\n"
    "\n"
    "  static ROOT   Serve the files under ROOT over HTTP/1.1 (GET and HEAD).\n"
    "  relay         Run CMD, forward each connection on fd 3 to 127.0.0.1:APP_PORT,\n"
    "                and exit with CMD's status (128+N if killed by signal N).\n"
    "\n"
    "Exit status: 1 on a runtime error, 2 on bad usage or no listening socket on fd 3,\n"
    "127 if CMD cannot be run.\n";

int usageError(const std::string &message)
{
    logError(message);
    std::fputs("Run \"spawnai-sandbox --help\" for usage.\n", stderr);
    return kUsageExitCode;
}

std::optional<std::uint16_t> parsePort(std::string_view text)
{
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535)
        return std::nullopt;
    return std::uint16_t(value);
}

// What both modes need before serving; returns a non-zero exit code on failure.
int prepareProcess()
{
    const std::string socketError = prepareListeningSocket(kListenFd);
    if (!socketError.empty()) {
        logError(socketError);
        return kUsageExitCode; // the launcher broke the contract
    }
    // Both modes write to sockets whose peers may vanish; that must not kill us.
    ::signal(SIGPIPE, SIG_IGN);
    useSmallThreadStacks();
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty())
        return usageError("missing mode: \"static\" or \"relay\"");
    const std::string_view mode = args[0];

    if (mode == "--help" || mode == "-h") {
        std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
        return 0;
    }

    if (mode == "static") {
        if (args.size() != 2)
            return usageError("static mode takes exactly one argument: ROOT");
        if (const int failure = prepareProcess())
            return failure;
        return runStaticServer(argv[2], kListenFd);
    }

    if (mode == "relay") {
        if (args.size() < 4 || args[2] != "--")
            return usageError("relay mode takes: APP_PORT -- CMD [ARGS...]");
        const std::optional<std::uint16_t> appPort = parsePort(args[1]);
        if (!appPort)
            return usageError("invalid APP_PORT \"" + std::string(args[1]) + "\": expected 1-65535");
        if (const int failure = prepareProcess())
            return failure;
        return runRelay(*appPort, argv + 4, kListenFd);
    }

    return usageError("unknown mode \"" + std::string(mode) + "\"");
}
