#include "listeningsocket.h"

#include <QCoreApplication>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ListeningSocket", text);
}

} // namespace

ListeningSocket::~ListeningSocket()
{
    close();
}

ListeningSocket::ListeningSocket(ListeningSocket &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1))
    , m_port(std::exchange(other.m_port, 0))
{}

ListeningSocket &ListeningSocket::operator=(ListeningSocket &&other) noexcept
{
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
        m_port = std::exchange(other.m_port, 0);
    }
    return *this;
}

void ListeningSocket::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

Result<ListeningSocket> ListeningSocket::bindLoopback(quint16 port)
{
    // CLOEXEC: only the sandbox we hand it to (as fd 3, via dup2) may inherit it.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error{tr("Cannot create a socket: %1.").arg(QString::fromLocal8Bit(std::strerror(errno)))};
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); // a just-stopped session's port is reusable

    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        const int error = errno;
        ::close(fd);
        if (error == EADDRINUSE)
            return Error{tr("Port %1 on 127.0.0.1 is already in use by another program. Choose another port, "
                            "or leave the port out to let SpawnAI pick a free one.")
                             .arg(port)};
        if (error == EACCES)
            return Error{tr("Port %1 needs administrator rights; choose a port above 1023.").arg(port)};
        return Error{
            tr("Cannot bind 127.0.0.1:%1: %2.").arg(port).arg(QString::fromLocal8Bit(std::strerror(error)))};
    }
    if (::listen(fd, 128) != 0) {
        const int error = errno;
        ::close(fd);
        return Error{tr("Cannot listen on 127.0.0.1:%1: %2.")
                         .arg(port)
                         .arg(QString::fromLocal8Bit(std::strerror(error)))};
    }
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);

    ListeningSocket socket;
    socket.m_fd = fd;
    socket.m_port = ntohs(address.sin_port);
    return socket;
}

Result<quint16> ListeningSocket::pickFreePort()
{
    auto probe = bindLoopback(0);
    if (!probe)
        return Error{probe.error()};
    return probe->port();
}
