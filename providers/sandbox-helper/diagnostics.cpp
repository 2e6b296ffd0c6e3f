#include "diagnostics.h"

#include <unistd.h>

#include <cerrno>
#include <system_error>

void logError(std::string_view message)
{
    // One write() per line, so lines from concurrent threads do not interleave.
    std::string line;
    line.reserve(message.size() + 20);
    line.append("spawnai-sandbox: ").append(message).push_back('\n');
    std::string_view rest = line;
    while (!rest.empty()) {
        const ssize_t written = ::write(STDERR_FILENO, rest.data(), rest.size());
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return;
        rest.remove_prefix(size_t(written));
    }
}

std::string errorText(int err)
{
    return std::generic_category().message(err);
}
