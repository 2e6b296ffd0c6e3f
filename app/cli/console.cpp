#include "console.h"

#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace Console {

namespace {
bool g_statusShown = false;

void write(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}
} // namespace

void out(const QString &line)
{
    clearStatus();
    write(stdout, line + u'\n');
}

void err(const QString &line)
{
    clearStatus();
    write(stderr, line + u'\n');
}

void error(const QString &message)
{
    err(QStringLiteral("spawnai: ") + message);
}

bool stderrIsTerminal()
{
    return ::isatty(STDERR_FILENO) == 1;
}

bool stdinIsTerminal()
{
    return ::isatty(STDIN_FILENO) == 1;
}

void status(const QString &line)
{
    if (!stderrIsTerminal())
        return;
    write(stderr, QStringLiteral("\r\033[K") + line);
    g_statusShown = true;
}

void clearStatus()
{
    if (!g_statusShown)
        return;
    write(stderr, QStringLiteral("\r\033[K"));
    g_statusShown = false;
}

QByteArray readSecret(const QString &prompt)
{
    const bool terminal = stdinIsTerminal();
    termios saved{};
    if (terminal) {
        write(stderr, prompt);
        ::tcgetattr(STDIN_FILENO, &saved);
        termios silent = saved;
        silent.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &silent);
    }
    QByteArray secret;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n <= 0)
            break;
        secret.append(buffer, n);
        if (terminal && secret.contains('\n'))
            break; // one line typed at the prompt
    }
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        write(stderr, QStringLiteral("\n"));
    }
    return secret.trimmed();
}

} // namespace Console
