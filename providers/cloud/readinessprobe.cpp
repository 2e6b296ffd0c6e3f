#include "readinessprobe.h"

#include "http/apicall.h"

using namespace Qt::StringLiterals;

ReadinessProbe::ReadinessProbe(QNetworkAccessManager *network, const QUrl &url, QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_url(url)
    , m_classify([](const ApiReply &reply) { return reply.status > 0 ? Verdict::Ready : Verdict::NotYet; })
{
    m_next.setSingleShot(true);
    connect(&m_next, &QTimer::timeout, this, &ReadinessProbe::probe);
}

void ReadinessProbe::start(int timeoutMs, int intervalMs)
{
    m_timeoutMs = timeoutMs;
    m_next.setInterval(intervalMs);
    m_clock.start();
    m_running = true;
    probe();
}

void ReadinessProbe::stop()
{
    m_running = false;
    m_next.stop();
    if (m_call)
        m_call->cancel();
}

void ReadinessProbe::probe()
{
    ApiEndpoint endpoint;
    endpoint.service = m_url.host();
    endpoint.baseUrl = m_url;
    endpoint.maxRetries = 0;
    endpoint.timeoutMs = 5000;
    m_call = new ApiCall(m_network, endpoint, {.url = m_url, .authenticated = false}, this);
    connect(m_call, &ApiCall::finished, this, [this](const ApiReply &reply) {
        if (!m_running || reply.error == ApiError::Cancelled)
            return;
        switch (m_classify(reply)) {
        case Verdict::Ready:
            m_running = false;
            emit ready();
            return;
        case Verdict::Gone:
            m_running = false;
            emit gone(ApiCall::errorText(reply.body));
            return;
        case Verdict::NotYet:
            break;
        }
        if (m_clock.elapsed() >= m_timeoutMs) {
            m_running = false;
            emit timedOut();
            return;
        }
        m_next.start();
    });
    m_call->start();
}
