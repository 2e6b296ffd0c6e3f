#include "testsupport.h"

#include "http/apicall.h"

#include <QSignalSpy>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QTcpSocket>
#include <QThread>

using namespace Qt::StringLiterals;

namespace TestSupport {

HttpAnswer httpGet(quint16 port, const QByteArray &path, int timeoutMs)
{
    HttpAnswer answer;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(timeoutMs)) {
        answer.error = socket.errorString();
        return answer;
    }
    socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                 "\r\nConnection: close\r\n\r\n");
    QByteArray received;
    QElapsedTimer clock;
    clock.start();
    while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < timeoutMs) {
        if (socket.waitForReadyRead(int(timeoutMs - clock.elapsed())))
            received += socket.readAll();
    }
    received += socket.readAll();
    const qsizetype split = received.indexOf("\r\n\r\n");
    if (split < 0) {
        answer.error = QStringLiteral("no complete answer: %1").arg(QString::fromUtf8(received.left(200)));
        return answer;
    }
    answer.head = received.left(split);
    answer.body = received.mid(split + 4);
    const QList<QByteArray> statusLine = answer.head.split('\r').constFirst().split(' ');
    answer.status = statusLine.size() > 1 ? statusLine.at(1).toInt() : 0;
    return answer;
}

bool portAcceptsConnections(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(1000);
}

bool waitForPortClosed(quint16 port, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        if (!portAcceptsConnections(port))
            return true;
        QThread::msleep(20);
    }
    return false;
}

AppBundle bundle(Runtime runtime, const QMap<QString, QByteArray> &files, const QString &start)
{
    AppBundle result;
    result.manifest.title = QStringLiteral("test app");
    result.manifest.runtime = runtime;
    result.manifest.start = start;
    result.files = files;
    return result;
}

QString writeFiles(const QString &dir, const QMap<QString, QByteArray> &files)
{
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        const QString path = dir + u'/' + it.key();
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write(it.value());
    }
    return dir;
}

void writeScript(const QString &path, const QByteArray &body)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly)) {
        file.write("#!/bin/sh\n" + body);
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
}

DeployResult runDeploy(DeployJob *job, QStringList *created)
{
    QSignalSpy finished(job, &DeployJob::finished);
    QSignalSpy resources(job, &DeployJob::resourceCreated);
    job->start();
    if (!finished.wait(20'000)) {
        DeployResult timedOut;
        timedOut.failure = FailureReason::ProviderError;
        timedOut.message = u"test: the deploy never finished"_s;
        return timedOut;
    }
    if (created) {
        for (const QList<QVariant> &args : std::as_const(resources))
            created->append(args.first().toString());
    }
    return finished.first().first().value<DeployResult>();
}

ProviderOutcome runJob(ProviderJob *job)
{
    QSignalSpy finished(job, &ProviderJob::finished);
    job->start();
    if (!finished.wait(20'000))
        return {FailureReason::ProviderError, u"test: never finished"_s};
    return finished.first().first().value<ProviderOutcome>();
}

QByteArray getApp(QNetworkAccessManager &network, const QUrl &url)
{
    ApiEndpoint endpoint;
    endpoint.service = u"app"_s;
    endpoint.baseUrl = url;
    endpoint.maxRetries = 0;
    auto *call = new ApiCall(&network, endpoint, {.url = url, .authenticated = false}, nullptr);
    QSignalSpy finished(call, &ApiCall::finished);
    call->start();
    if (!finished.wait(5000))
        return {};
    const ApiReply reply = finished.first().first().value<ApiReply>();
    return reply.status == 200 ? reply.body : QByteArray();
}

} // namespace TestSupport
