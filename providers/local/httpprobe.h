#pragma once

#include <QObject>
#include <QPointer>
#include <QTcpSocket>

// One plain HTTP GET to 127.0.0.1:port, reporting the status code of the answer (0 if none came).
// Raw on QTcpSocket: the first answer of a local app should be seen the moment it is written.
class HttpProbe final : public QObject
{
    Q_OBJECT
public:
    HttpProbe(quint16 port, QObject *parent = nullptr);
    void start();

    // "HTTP/1.1 200 OK" → 200; anything else → 0.
    static int parseStatusLine(const QByteArray &line);

signals:
    void finished(int statusCode, const QString &error);

private:
    void finish(int statusCode, const QString &error);

    quint16 m_port;
    QPointer<QTcpSocket> m_socket;
    QByteArray m_received;
    bool m_done = false;
};
