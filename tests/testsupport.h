#pragma once

#include "appbundle.h"
#include "provider.h"

#include <QByteArray>
#include <QMap>
#include <QString>

// Helpers shared by the tests: plain HTTP against 127.0.0.1, ports, app bundles.
class QNetworkAccessManager;

namespace TestSupport {

struct HttpAnswer
{
    int status = 0;  // 0: no answer
    QByteArray head; // status line and headers
    QByteArray body;
    QString error;
};

// A blocking GET (the server runs in another process).
HttpAnswer httpGet(quint16 port, const QByteArray &path = "/", int timeoutMs = 5000);
bool portAcceptsConnections(quint16 port);
// Waits until nothing listens on 127.0.0.1:port any more.
bool waitForPortClosed(quint16 port, int timeoutMs = 3000);

AppBundle bundle(Runtime runtime, const QMap<QString, QByteArray> &files, const QString &start = {});
// Writes files under dir (creating folders); returns dir.
QString writeFiles(const QString &dir, const QMap<QString, QByteArray> &files);
// An executable shell script at path.
void writeScript(const QString &path, const QByteArray &body);

// Provider jobs run to the end in the event loop (20 s at most). `created` collects resourceCreated ids.
DeployResult runDeploy(DeployJob *job, QStringList *created = nullptr);
ProviderOutcome runJob(ProviderJob *job);
// GET through SpawnAI's own HTTP base (*.localhost routed to 127.0.0.1): the body of a 200, else empty.
QByteArray getApp(QNetworkAccessManager &network, const QUrl &url);

} // namespace TestSupport
