#include "ratetable.h"

#include "appsettings.h"
#include "pricingcatalogue.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace {

const QString kLocalProvider = u"local"_s; // always free: no rate to set

constexpr double kSecondsPerHour = 3600;

// A rate per hour for the table, to four significant digits without trailing zeros: "$0.1089", "$0.00893",
// "$0.08".
QString perHourText(double perSecond)
{
    const double perHour = perSecond * kSecondsPerHour;
    if (perHour <= 0)
        return QString();
    const int decimals = std::clamp(3 - int(std::floor(std::log10(perHour))), 2, 10);
    QString text = QString::number(perHour, 'f', decimals);
    while (text.endsWith(u'0') && text.size() - text.indexOf(u'.') > 3)
        text.chop(1);
    return u"$"_s + text;
}

// The user's text in a rate field: "0.05", "$0.05", or "0,05" where the locale writes it so. nullopt if it
// is not a number. The field shows rates as "0.05" whatever the locale, so that form is read first.
std::optional<double> parseRate(QString text)
{
    text = text.trimmed();
    if (text.startsWith(u'$'))
        text = text.mid(1).trimmed();
    bool ok = false;
    double usd = text.toDouble(&ok);
    if (!ok)
        usd = QLocale().toDouble(text, &ok);
    return ok ? std::optional(usd) : std::nullopt;
}

QString rateFieldText(double usdPerHour)
{
    return QString::number(usdPerHour, 'g', QLocale::FloatingPointShortest);
}

// As the settings dialog's hints: the same small, wrapped text.
QLabel *newHintLabel(const QString &text)
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    label->setFont(font);
    return label;
}

} // namespace

RateTable::RateTable(AppSettings &settings, QWidget *parent)
    : QWidget(parent)
    , m_settings(settings)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins({}); // lines up with the rest of the Pricing page

    auto *intro =
        new QLabel(tr("SpawnAI quotes and meters cloud sessions at the providers' published rates. If "
                      "you pay a different rate, type it under “Your rate”; leave it empty to use "
                      "the published one."));
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_table = new QTableWidget(0, 4);
    m_table->setObjectName(u"rateTable"_s);
    m_table->setHorizontalHeaderLabels(
        {tr("Provider"), tr("Size"), tr("Published ($/h)"), tr("Your rate ($/h)")});
    m_table->verticalHeader()->hide();
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setFocusPolicy(Qt::NoFocus); // Tab goes from rate field to rate field
    m_table->setWordWrap(false);
    addRows();
    fitToRows();
    layout->addWidget(m_table, 1);

    // Like the dialog's other error labels, which colour it.
    m_error = new QLabel;
    m_error->setObjectName(u"ratesError"_s);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    layout->addWidget(m_error);

    auto *resetRow = new QHBoxLayout;
    resetRow->addWidget(
        newHintLabel(tr("Sessions keep the rate they were deployed at. Hover over a published rate for its "
                        "source and date.")),
        1);
    m_reset = new QPushButton(tr("&Reset to Shipped Rates"));
    m_reset->setObjectName(u"resetRates"_s);
    connect(m_reset, &QPushButton::clicked, this, [this] {
        m_resetPressed = true;
        for (const Row &row : m_rows)
            row.edit->clear();
        updateResetButton();
        emit modified();
    });
    resetRow->addWidget(m_reset, 0, Qt::AlignTop);
    layout->addLayout(resetRow);
}

// One row per size, Local first (the default, and free), then the clouds by name.
void RateTable::addRows()
{
    const PricingCatalogue catalogue = PricingCatalogue::shipped();
    QStringList providers = catalogue.providers();
    std::sort(providers.begin(), providers.end(), [&catalogue](const QString &a, const QString &b) {
        const auto order = [&catalogue](const QString &key) {
            return std::pair(key != kLocalProvider, catalogue.provider(key)->name.toLower());
        };
        return order(a) < order(b);
    });

    for (const QString &key : std::as_const(providers)) {
        const ProviderPricing *provider = catalogue.provider(key);
        QString providerTip = provider->billing;
        if (!provider->startTimeText.isEmpty())
            providerTip +=
                u"\n"_s + tr("Starts in %1 (%2)").arg(provider->startTimeText, provider->startTimeSource);
        for (const SizePricing &size : provider->sizes) {
            const int row = m_table->rowCount();
            m_table->insertRow(row);
            auto *name = new QTableWidgetItem(provider->name);
            name->setToolTip(providerTip);
            m_table->setItem(row, 0, name);
            auto *label = new QTableWidgetItem(size.label);
            label->setToolTip(size.label);
            m_table->setItem(row, 1, label);

            const Rate &rate = size.rate;
            const bool free = key == kLocalProvider || rate.perSecond <= 0;
            QString published = free ? tr("free") : perHourText(rate.perSecond);
            if (rate.estimate)
                published = tr("%1 (estimate)").arg(published);
            auto *shipped = new QTableWidgetItem(published);
            shipped->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            QStringList tip{rate.how, tr("Source: %1").arg(rate.source), tr("As of %1").arg(rate.asOf)};
            if (rate.estimate)
                tip << tr("Estimate: %1").arg(rate.estimateReason);
            shipped->setToolTip(tip.join(u'\n'));
            m_table->setItem(row, 2, shipped);

            if (key == kLocalProvider) {
                auto *none = new QTableWidgetItem(tr("—"));
                none->setTextAlignment(Qt::AlignCenter);
                none->setToolTip(tr("Sessions on this computer are always free."));
                m_table->setItem(row, 3, none);
                continue;
            }
            Row rateRow{key, size.key, tr("%1, %2").arg(provider->name, size.label), nullptr};
            rateRow.edit = new QLineEdit;
            rateRow.edit->setObjectName(u"rate-%1-%2"_s.arg(key, size.key));
            rateRow.edit->setFrame(false);
            rateRow.edit->setAlignment(Qt::AlignRight);
            rateRow.edit->setPlaceholderText(tr("published"));
            rateRow.edit->setAccessibleName(tr("Your rate per hour for %1").arg(rateRow.name));
            rateRow.edit->setToolTip(
                tr("US dollars per hour you pay for this size. Empty: the published rate."));
            QLineEdit *edit = rateRow.edit;
            connect(edit, &QLineEdit::textChanged, this, [this, edit](const QString &text) {
                // The user's own rates stand out from the published ones (the placeholder stays plain).
                QFont font = edit->font();
                font.setBold(!text.isEmpty());
                edit->setFont(font);
                m_error->hide();
                emit edited();
                updateResetButton();
                emit modified();
            });
            m_table->setCellWidget(row, 3, rateRow.edit);
            m_rows.push_back(rateRow);
        }
    }
}

// Every row on screen without scrolling, and the sizes' labels in full: the table's size hint sets the
// dialog's size. Its minimum height is smaller, so an error under it has room.
void RateTable::fitToRows()
{
    m_table->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContentsOnFirstShow);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    QHeaderView *header = m_table->horizontalHeader();
    m_table->resizeColumnsToContents();
    m_table->setColumnWidth(3, m_table->fontMetrics().horizontalAdvance(tr("Your rate ($/h)")) + 24);
    int width = 2 * m_table->frameWidth() + m_table->verticalScrollBar()->sizeHint().width();
    for (int column = 0; column < m_table->columnCount(); ++column)
        width += m_table->columnWidth(column);
    m_table->setMinimumWidth(std::min(width, 900));
    m_table->setMinimumHeight(2 * m_table->frameWidth() + header->sizeHint().height() +
                              m_table->verticalHeader()->defaultSectionSize() * 6);
    header->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(1, QHeaderView::Stretch);
    header->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(3, QHeaderView::Fixed);
}

void RateTable::load()
{
    m_resetPressed = false;
    const QMap<QPair<QString, QString>, double> saved = savedRates();
    for (const Row &row : m_rows) {
        const auto it = saved.constFind({row.provider, row.size});
        row.edit->setText(it == saved.cend() ? QString() : rateFieldText(*it));
    }
    updateResetButton();
}

bool RateTable::isModified() const
{
    const bool resetSaved = m_resetPressed && !m_settings.rateOverrides().isEmpty();
    return resetSaved || !changedRates().empty();
}

std::optional<RateTable::Refusal> RateTable::validate(AppSettings *scratch) const
{
    QStringList errors;
    QLineEdit *firstField = nullptr;
    for (const PendingRate &rate : changedRates()) {
        QString error = rate.error;
        if (error.isEmpty() && scratch && rate.usdPerHour) {
            if (const Result<void> checked =
                    scratch->setRateOverride(rate.row->provider, rate.row->size, *rate.usdPerHour);
                !checked)
                error = checked.error();
        }
        if (error.isEmpty())
            continue;
        errors << tr("%1: %2").arg(rate.row->name, error);
        if (!firstField)
            firstField = rate.row->edit;
    }
    if (errors.isEmpty())
        return std::nullopt;
    return Refusal{errors.join(u'\n'), firstField};
}

Result<bool> RateTable::save()
{
    const std::vector<PendingRate> changed = changedRates();
    bool wroteAny = false;
    if (m_resetPressed && !m_settings.rateOverrides().isEmpty()) {
        m_settings.clearRateOverrides();
        wroteAny = true;
    }
    for (const PendingRate &rate : changed) {
        wroteAny = true;
        if (!rate.usdPerHour) {
            m_settings.clearRateOverride(rate.row->provider, rate.row->size);
            continue;
        }
        if (const Result<void> written =
                m_settings.setRateOverride(rate.row->provider, rate.row->size, *rate.usdPerHour);
            !written) {
            updateResetButton();
            return Error{written.error()};
        }
    }
    updateResetButton();
    return wroteAny;
}

QMap<QPair<QString, QString>, double> RateTable::savedRates() const
{
    QMap<QPair<QString, QString>, double> saved;
    if (m_resetPressed)
        return saved;
    for (const RateOverride &override : m_settings.rateOverrides())
        saved.insert({override.provider, override.size}, override.usdPerHour);
    return saved;
}

std::vector<RateTable::PendingRate> RateTable::pendingRates() const
{
    std::vector<PendingRate> pending;
    for (const Row &row : m_rows) {
        const QString text = row.edit->text().trimmed();
        PendingRate rate{&row, std::nullopt, {}};
        if (!text.isEmpty()) {
            rate.usdPerHour = parseRate(text);
            if (!rate.usdPerHour)
                rate.error = tr("“%1” is not an amount: type US dollars per hour, such as 0.05, or leave it "
                                "empty for the published rate.")
                                 .arg(text);
        }
        pending.push_back(rate);
    }
    return pending;
}

// The fields that differ from the saved rates, and those that cannot be read.
std::vector<RateTable::PendingRate> RateTable::changedRates() const
{
    const QMap<QPair<QString, QString>, double> saved = savedRates();
    std::vector<PendingRate> changed;
    for (const PendingRate &rate : pendingRates()) {
        const auto it = saved.constFind({rate.row->provider, rate.row->size});
        const bool wasSet = it != saved.cend();
        const bool same = rate.usdPerHour ? wasSet && *rate.usdPerHour == *it : !wasSet;
        if (!rate.error.isEmpty() || !same)
            changed.push_back(rate);
    }
    return changed;
}

void RateTable::updateResetButton()
{
    const bool anyRate = std::any_of(m_rows.cbegin(), m_rows.cend(),
                                     [](const Row &row) { return !row.edit->text().isEmpty(); });
    m_reset->setEnabled(anyRate || (!m_resetPressed && !m_settings.rateOverrides().isEmpty()));
}
