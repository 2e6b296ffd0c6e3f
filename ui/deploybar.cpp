#include "deploybar.h"

#include "budget.h"

#include "costmeter.h"
#include "duration.h"
#include "pricingcatalogue.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

using namespace Qt::StringLiterals;

DeployBar::DeployBar(const PricingCatalogue &pricing, QWidget *parent)
    : QWidget(parent)
    , m_pricing(pricing)
    , m_provider(new QComboBox(this))
    , m_lifetime(new QComboBox(this))
    , m_sizeLabel(new QLabel(tr("Size"), this))
    , m_size(new QComboBox(this))
    , m_quote(new QLabel(this))
    , m_deploy(new QPushButton(tr("Deploy"), this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *providerLabel = new QLabel(tr("&Run on"), this);
    providerLabel->setBuddy(m_provider);
    auto *lifetimeLabel = new QLabel(tr("&for"), this);
    lifetimeLabel->setBuddy(m_lifetime);
    m_sizeLabel->setBuddy(m_size);
    m_quote->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_quote->setOpenExternalLinks(true);
    m_quote->setTextFormat(Qt::PlainText);
    m_quote->setMinimumWidth(
        m_quote->fontMetrics().horizontalAdvance(u"Deploying: waiting for the URL to answer"_s));
    m_deploy->setDefault(true);
    m_deploy->setToolTip(tr("Deploy the app in the editor (Ctrl+D)"));
    m_provider->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_size->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    layout->addWidget(providerLabel);
    layout->addWidget(m_provider);
    layout->addWidget(lifetimeLabel);
    layout->addWidget(m_lifetime);
    layout->addWidget(m_sizeLabel);
    layout->addWidget(m_size);
    layout->addSpacing(8);
    layout->addWidget(m_quote, 1);
    auto *compare = new QPushButton(tr("Compare…"), this);
    compare->setToolTip(tr("What this app would cost on each provider, and how fast each starts"));
    connect(compare, &QPushButton::clicked, this, &DeployBar::compareRequested);
    layout->addWidget(compare);
    layout->addWidget(m_deploy);

    connect(m_provider, &QComboBox::currentIndexChanged, this, [this] {
        refillLifetimes();
        refillSizes();
        updateQuote();
    });
    connect(m_lifetime, &QComboBox::currentIndexChanged, this, &DeployBar::updateQuote);
    connect(m_size, &QComboBox::currentIndexChanged, this, &DeployBar::updateQuote);
    connect(m_deploy, &QPushButton::clicked, this, &DeployBar::deployRequested);
}

QList<qint64> DeployBar::lifetimeChoices()
{
    return {15 * 60, 30 * 60, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 12 * 3600, 24 * 3600};
}

void DeployBar::setProviders(const QList<ProviderCapabilities> &providers, const QString &defaultProvider,
                             const QHash<QString, QString> &problems)
{
    m_providers = providers;
    const QSignalBlocker blocker(m_provider);
    m_provider->clear();
    for (const ProviderCapabilities &caps : providers) {
        const QString problem = problems.value(caps.key);
        m_provider->addItem(
            problem.isEmpty() ? caps.displayName : tr("%1 — no key yet").arg(caps.displayName), caps.key);
        m_provider->setItemData(m_provider->count() - 1, problem, Qt::ToolTipRole);
    }
    const int index = m_provider->findData(defaultProvider);
    m_provider->setCurrentIndex(index < 0 ? 0 : index);
    refillLifetimes();
    refillSizes();
    updateQuote();
}

void DeployBar::setDefaultLifetime(qint64 seconds)
{
    m_defaultLifetime = seconds;
    refillLifetimes();
    updateQuote();
}

const ProviderCapabilities *DeployBar::current() const
{
    const qsizetype index = m_provider->currentIndex();
    return index >= 0 && index < m_providers.size() ? &m_providers.at(index) : nullptr;
}

QString DeployBar::provider() const
{
    return m_provider->currentData().toString();
}

QString DeployBar::size() const
{
    return m_size->isHidden() ? QString()
                              : m_size->currentData().toString(); // hidden: the provider has no sizes
}

qint64 DeployBar::lifetimeSeconds() const
{
    return m_lifetime->currentData().toLongLong();
}

void DeployBar::refillLifetimes()
{
    const qint64 chosen = m_lifetime->count() ? lifetimeSeconds() : m_defaultLifetime;
    const qint64 cap = current() ? current()->maxLifetimeSeconds : 0;
    const QSignalBlocker blocker(m_lifetime);
    m_lifetime->clear();
    QList<qint64> choices = lifetimeChoices();
    if (!choices.contains(m_defaultLifetime))
        choices.append(m_defaultLifetime);
    std::sort(choices.begin(), choices.end());
    for (qint64 seconds : std::as_const(choices)) {
        if (cap <= 0 || seconds <= cap) // capped by the provider
            m_lifetime->addItem(formatDuration(seconds), seconds);
    }
    int index = m_lifetime->findData(chosen);
    if (index < 0)
        index = m_lifetime->findData(std::min(m_defaultLifetime, cap > 0 ? cap : m_defaultLifetime));
    m_lifetime->setCurrentIndex(index < 0 ? m_lifetime->count() - 1 : index);
}

void DeployBar::refillSizes()
{
    const QSignalBlocker blocker(m_size);
    m_size->clear();
    const ProviderCapabilities *caps = current();
    const bool hasSizes = caps && !caps->sizes.isEmpty();
    m_size->setVisible(hasSizes);
    m_sizeLabel->setVisible(hasSizes);
    if (!hasSizes)
        return;
    for (const SizePricing &size : m_pricing.sizes(caps->pricingKey)) {
        if (caps->sizes.contains(size.key))
            m_size->addItem(size.label, size.key);
    }
    const int index = m_size->findData(caps->defaultSize);
    m_size->setCurrentIndex(index < 0 ? 0 : index);
}

void DeployBar::updateQuote()
{
    m_quote->setTextFormat(Qt::PlainText);
    const ProviderCapabilities *caps = current();
    if (!caps) {
        m_quote->setText(tr("No provider available"));
        return;
    }
    auto quote = CostMeter::quote(m_pricing, caps->pricingKey, size(), lifetimeSeconds());
    if (!quote) {
        m_quote->setText(tr("No price known for %1").arg(caps->displayName));
        m_quote->setToolTip(quote.error());
        return;
    }
    if (quote->usd <= 0) {
        m_quote->setText(tr("Free: runs on this computer"));
        m_quote->setToolTip(tr("Local sessions cost nothing; they stop when SpawnAI quits."));
        return;
    }
    m_quote->setText(tr("Quote: %1 for %2").arg(formatUsd(quote->usd), formatDuration(quote->seconds)));
    m_quote->setToolTip(tr("%1\nSource: %2 (%3)").arg(quote->rate.how, quote->rate.source, quote->rate.asOf));
    if (Budget::exceedsTarget(quote->usd + m_generationCost, m_sessionTarget)) {
        m_quote->setText(m_generationCost > 0
                             ? tr("⚠ Quote: %1 for %2 + %3 generation, above your %4 per-session target")
                                   .arg(formatUsd(quote->usd), formatDuration(quote->seconds),
                                        formatUsd(m_generationCost), formatUsd(m_sessionTarget))
                             : tr("⚠ Quote: %1 for %2, above your %3 per-session target")
                                   .arg(formatUsd(quote->usd), formatDuration(quote->seconds),
                                        formatUsd(m_sessionTarget)));
        m_quote->setToolTip(m_quote->toolTip() + u"\n"_s +
                            tr("Choose a shorter lifetime, a smaller size or another provider (Compare…), or "
                               "raise the target in Settings → Pricing."));
    }
    // A provider without its key says what it needs before it can run anything; the quote moves to the tip.
    if (const QString problem = m_provider->currentData(Qt::ToolTipRole).toString(); !problem.isEmpty()) {
        m_quote->setToolTip(m_quote->text() + u"\n"_s + problem);
        m_quote->setText(tr("Needs a key: Settings → Keys"));
    }
}

void DeployBar::setSessionTarget(double usd)
{
    m_sessionTarget = usd;
    updateQuote();
}

void DeployBar::setGenerationCost(double usd)
{
    m_generationCost = std::max(0.0, usd);
    updateQuote();
}

void DeployBar::choose(const QString &provider, const QString &size)
{
    const int index = m_provider->findData(provider);
    if (index < 0)
        return;
    m_provider->setCurrentIndex(index);
    if (const int sizeIndex = m_size->findData(size); sizeIndex >= 0)
        m_size->setCurrentIndex(sizeIndex);
}

double DeployBar::quoteUsd() const
{
    const ProviderCapabilities *caps = current();
    if (!caps)
        return 0;
    const auto quote = CostMeter::quote(m_pricing, caps->pricingKey, size(), lifetimeSeconds());
    return quote ? quote->usd : 0;
}

QString DeployBar::quoteText() const
{
    return m_quote->text();
}

void DeployBar::showProgress(const QString &text)
{
    m_quote->setTextFormat(Qt::PlainText);
    if (text.isEmpty())
        updateQuote();
    else
        m_quote->setText(text);
}

void DeployBar::showLive(const QUrl &url)
{
    const QString link = url.toString().toHtmlEscaped();
    m_quote->setTextFormat(Qt::RichText);
    m_quote->setText(tr("Live at <a href=\"%1\">%1</a>").arg(link));
}

void DeployBar::setDeployEnabled(bool enabled)
{
    m_deploy->setEnabled(enabled);
}
