#pragma once

#include "claudejob.h"

#include <QSet>

// The models this key may use: GET /v1/models?limit=1000, following has_more/last_id with after_id until the
// last page (anthropic.md §8). Each page is a request of its own with its own retries (a GET is safe to
// repeat); attempts() counts them all.
class ClaudeModelsJob final : public ClaudeJob
{
    Q_OBJECT
public:
    ClaudeModelsJob(QNetworkAccessManager *network, ClaudeConfig config, QObject *parent);

    static constexpr int kPageLimit = 1000; // the API's maximum
    static constexpr int kMaxPages = 100;   // a server that keeps saying has_more is not believed forever

    int pages() const { return m_pages; } // pages read so far

signals:
    void finished(const ClaudeModelsResult &result);

protected:
    Call call() const override;
    void attemptStarting() override { m_page.clear(); }
    void bodyReceived(QByteArrayView bytes) override;
    void bodyEnded(QNetworkReply::NetworkError error, const QString &errorString) override;
    void deliver(const ClaudeOutcome &outcome) override;

private:
    void protocolError(const QString &detail);

    QString m_afterId;
    QByteArray m_page;
    QList<ClaudeModelInfo> m_models;
    QSet<QString> m_seenIds;
    int m_pages = 0;
};
