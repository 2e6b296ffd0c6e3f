#pragma once

#include <QHash>

#include "provider.h"

#include <QUrl>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class PricingCatalogue;

// Where and for how long to deploy, what it will cost, and the Deploy button with the deploy's progress.
class DeployBar final : public QWidget
{
    Q_OBJECT
public:
    DeployBar(const PricingCatalogue &pricing, QWidget *parent = nullptr);

    // `problems`: why a provider cannot be used yet (no key), shown with it.
    void setProviders(const QList<ProviderCapabilities> &providers, const QString &defaultProvider,
                      const QHash<QString, QString> &problems = {});
    void setDefaultLifetime(qint64 seconds);
    // A quote above it is flagged (Budget::exceedsTarget); 0: no target.
    void setSessionTarget(double usd);
    // What generating the app in the editor cost and the next deploy will carry: part of the session's cost,
    // so part of what is held against the target.
    void setGenerationCost(double usd);
    // Picks a provider and size (from the comparison); ignored when the provider is not offered.
    void choose(const QString &provider, const QString &size);
    // The quote for the current choice (its lifetime at the provider's rate) in USD; 0 when free or unknown.
    double quoteUsd() const;
    QString quoteText() const;

    QString provider() const;
    QString size() const;
    qint64 lifetimeSeconds() const;

    // What the bar shows while a deploy runs; an empty text returns it to the quote.
    void showProgress(const QString &text);
    // The deployed app's URL as a link, until the next deploy or change of choice.
    void showLive(const QUrl &url);
    void setDeployEnabled(bool enabled);

    static QList<qint64> lifetimeChoices(); // 15 min … 24 h

signals:
    void deployRequested();
    void compareRequested();

private:
    void refillLifetimes();
    void refillSizes();
    void updateQuote();
    const ProviderCapabilities *current() const;

    const PricingCatalogue &m_pricing;
    QList<ProviderCapabilities> m_providers;
    qint64 m_defaultLifetime = 2 * 3600;
    double m_sessionTarget = 0;
    double m_generationCost = 0;
    QComboBox *m_provider = nullptr;
    QComboBox *m_lifetime = nullptr;
    QLabel *m_sizeLabel = nullptr;
    QComboBox *m_size = nullptr;
    QLabel *m_quote = nullptr;
    QPushButton *m_deploy = nullptr;
};
