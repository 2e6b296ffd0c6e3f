#include "httpprobe.h"

#include <QHostAddress>

using namespace Qt::StringLiterals;

HttpProbe::HttpProbe(quint16 port, QObject *parent)
    : QObject(parent)
    , m_port(port)
{}

void HttpProbe::start()
{
    m_socket = new QTcpSocket(this);
    connect(m_socket, &QTcpSocket::connected, this, [this] {
        m_socket->write("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) +
                        "\r\nUser-Agent: SpawnAI/" SPAWNAI_VERSION
                        "\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    });
    connect(m_socket, &QTcpSocket::readyRead, this, [this] {
        m_received += m_socket->readAll();
        const qsizetype eol = m_received.indexOf("\r\n");
        if (eol >= 0)
            finish(parseStatusLine(m_received.left(eol)), QString());
        else if (m_received.size() > 8192)
            finish(0, u"the answer is not HTTP"_s);
    });
    connect(m_socket, &QTcpSocket::disconnected, this,
            [this] { finish(0, u"the connection closed without an answer"_s); });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this] { finish(0, m_socket->errorString()); });
    m_socket->connectToHost(QHostAddress::LocalHost, m_port);
}

void HttpProbe::finish(int statusCode, const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    if (m_socket)
        m_socket->abort();
    emit finished(statusCode, error);
}

int HttpProbe::parseStatusLine(const QByteArray &line)
{
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (!line.startsWith("HTTP/1.") || line.size() < 12 || line.at(8) != ' ')
        return 0;
    bool ok = false;
    const int code = line.mid(9, 3).toInt(&ok);
    return ok && code >= 100 && code <= 599 && (line.size() == 12 || line.at(12) == ' ') ? code : 0;
}
