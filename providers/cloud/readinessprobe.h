#pragma once

#include "http/apitypes.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

class ApiCall;
class QNetworkAccessManager;

// Polls an app's public URL until the app itself answers (not the provider's proxy), the provider says the
// sandbox is gone, or the deadline passes. Sends SpawnAI's User-Agent and Accept: application/json, so
// proxies answer with JSON rather than browser pages.
class ReadinessProbe final : public QObject
{
    Q_OBJECT
public:
    enum class Verdict { NotYet, Ready, Gone };
    // What one answer means; the default: any HTTP answer is the app, no answer is "not yet".
    using Classifier = std::function<Verdict(const ApiReply &reply)>;

    ReadinessProbe(QNetworkAccessManager *network, const QUrl &url, QObject *parent);

    void setClassifier(Classifier classifier) { m_classify = std::move(classifier); }
    void start(int timeoutMs, int intervalMs);
    void stop();
    qint64 elapsedMs() const { return m_clock.elapsed(); }

signals:
    void ready();
    void gone(const QString &detail);
    void timedOut();

private:
    void probe();

    QNetworkAccessManager *m_network;
    QUrl m_url;
    Classifier m_classify;
    QPointer<ApiCall> m_call;
    QTimer m_next;
    QElapsedTimer m_clock;
    int m_timeoutMs = 0;
    bool m_running = false;
};
