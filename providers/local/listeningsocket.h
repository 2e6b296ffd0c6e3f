#pragma once

#include "result.h"

#include <QtGlobal>

// A TCP socket listening on 127.0.0.1, created in SpawnAI's network namespace and handed to the sandbox as fd
// 3: the sandboxed app can accept on it but has no network of its own (reliability.md §1.4).
class ListeningSocket final
{
public:
    ListeningSocket() = default;
    ~ListeningSocket();
    ListeningSocket(ListeningSocket &&other) noexcept;
    ListeningSocket &operator=(ListeningSocket &&other) noexcept;
    ListeningSocket(const ListeningSocket &) = delete;
    ListeningSocket &operator=(const ListeningSocket &) = delete;

    // Port 0 picks a free port. Fails with an actionable message when the port is taken.
    static Result<ListeningSocket> bindLoopback(quint16 port);
    // A port that was free a moment ago (for the unsandboxed opt-out, where the app binds by itself).
    static Result<quint16> pickFreePort();

    int fd() const { return m_fd; }
    quint16 port() const { return m_port; }
    bool isValid() const { return m_fd >= 0; }
    void close();

private:
    int m_fd = -1;
    quint16 m_port = 0;
};
