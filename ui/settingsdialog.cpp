#include "settingsdialog.h"

#include "providerkeycheck.h"

#include "claudekeycheck.h"
#include "duration.h"
#include "ratetable.h"
#include "secretstore.h"
#include "theme.h"

#include <QApplication>
#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFrame>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QRadioButton>
#include <QStyle>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

const QString kAllowUnsandboxed = u"local.allow-unsandboxed"_s;
const QString kStartTimeout = u"local.start-timeout"_s;
const QString kProvider = u"defaults.provider"_s;
const QString kTtl = u"defaults.ttl"_s;
const QString kOpenBrowser = u"defaults.open-browser"_s;
const QString kLeadTimes = u"notify.lead-times"_s;
const QString kTheme = u"appearance.theme"_s;
const QString kSessionTarget = u"budget.session-target"_s;
const QString kMonthlyBudget = u"budget.monthly"_s;

constexpr double kMaxBudget = 1'000'000; // what AppSettings takes

constexpr qint64 kMinLifetime = 60;
constexpr qint64 kMaxLifetime = 24 * 3600; // the deploy bar's longest choice
constexpr int kWarningIconSize = 32;

// The lifetimes the deploy bar offers.
constexpr qint64 kLifetimePresets[] = {15 * 60, 30 * 60, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600};

// What `spawnai config` shows and AppSettings stores: "1h30m", not the "1 h 30 min" shown in the combo.
QString compactDuration(qint64 seconds)
{
    QString text;
    if (const qint64 hours = seconds / 3600)
        text += QString::number(hours) + u'h';
    if (const qint64 minutes = seconds / 60 % 60)
        text += QString::number(minutes) + u'm';
    if (const qint64 secs = seconds % 60)
        text += QString::number(secs) + u's';
    return text;
}

std::optional<QString> normalisedDuration(const QString &text)
{
    const auto seconds = parseDuration(text);
    return seconds ? std::optional(compactDuration(*seconds)) : std::nullopt;
}

// "10m, 1 min" → "10m,1m"; the first refused part's message otherwise.
Result<QString> normalisedLeadTimes(const QString &text)
{
    QStringList parts;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        if (part.trimmed().isEmpty())
            continue;
        const auto seconds = parseDuration(part);
        if (!seconds)
            return Error{seconds.error()};
        parts << compactDuration(*seconds);
    }
    return parts.join(u',');
}

// An amount as the budget spin boxes save it: "0.50".
QString usdValue(double usd)
{
    return QString::number(usd, 'f', 2);
}

// A stored value in the form the dialog would save it, so "120m" on disk and "2 h" in the combo compare
// equal.
QString normalisedStored(const QString &key, const QString &stored)
{
    if (key == kSessionTarget || key == kMonthlyBudget) {
        bool ok = false;
        const double usd = stored.trimmed().toDouble(&ok);
        return ok ? usdValue(usd) : stored;
    }
    if (key == kTtl || key == kStartTimeout)
        return normalisedDuration(stored).value_or(stored);
    if (key == kLeadTimes) {
        const Result<QString> leads = normalisedLeadTimes(stored);
        return leads ? *leads : stored;
    }
    return stored;
}

void setTextColour(QWidget *widget, const std::optional<QColor> &colour)
{
    if (!colour) {
        widget->setPalette(QPalette()); // inherit again
        return;
    }
    QPalette palette = widget->palette();
    palette.setColor(QPalette::WindowText, *colour);
    widget->setPalette(palette);
}

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

SettingsDialog::SettingsDialog(AppSettings &settings, SecretStore &secrets, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_secrets(secrets)
    , m_providerChoices(defaultProviderChoices())
{
    setObjectName(u"settingsDialog"_s);
    setWindowTitle(tr("SpawnAI Settings"));

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"settingsPages"_s);
    // No mnemonics on the tabs (Ctrl+Tab switches pages): they would clash with the fields' own.
    m_tabs->addTab(buildKeysPage(), tr("Keys"));
    m_tabs->addTab(buildDefaultsPage(), tr("Defaults"));
    m_tabs->addTab(buildPricingPage(), tr("Pricing"));
    m_tabs->addTab(buildSandboxPage(), tr("Sandbox"));
    m_tabs->addTab(buildAppearancePage(), tr("Appearance"));

    m_applyError = newErrorLabel(u"applyError"_s);

    m_buttons =
        new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (apply())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, [this] { apply(); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_applyError);
    layout->addWidget(m_buttons);

    // The keychain is asked only once the Keys page is on screen: opening Settings to change the theme
    // should not make a locked keyring prompt.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (isVisible() && index == int(Page::Keys))
            ensureKeysLoaded();
    });

    loadValues();
    updateColours();
    updateButtons();
    resize(sizeHint().expandedTo(QSize(600, 460)));
}

SettingsDialog::~SettingsDialog() = default;

SettingsDialog::ProviderChoices SettingsDialog::defaultProviderChoices()
{
    return {{u"local"_s, tr("Local (this computer)")}};
}

QString SettingsDialog::keyProviderName(const QString &provider)
{
    static const QList<QPair<QString, QString>> names = {
        {u"anthropic"_s, u"Anthropic (Claude)"_s},
        {u"e2b"_s, u"E2B"_s},
        {u"fly"_s, u"Fly.io"_s},
        {u"runpod"_s, u"RunPod"_s},
        {u"digitalocean"_s, u"DigitalOcean"_s},
        {u"modal"_s, u"Modal"_s},
        {u"replit"_s, u"Replit"_s},
        {u"nhost"_s, u"Nhost"_s},
    };
    for (const auto &[key, name] : names) {
        if (key == provider)
            return name;
    }
    return provider;
}

void SettingsDialog::setProviderChoices(const ProviderChoices &choices)
{
    m_providerChoices = choices.isEmpty() ? defaultProviderChoices() : choices;
    loadValues();
    updateButtons();
}

void SettingsDialog::showPage(Page page)
{
    m_tabs->setCurrentIndex(int(page));
}

QLabel *SettingsDialog::newErrorLabel(const QString &objectName)
{
    auto *label = new QLabel;
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->hide();
    return label;
}

// One setting on the Defaults grid: the label, the field, its error (hidden until there is one) and a short
// hint, each on its own grid row, so an error appears right under its field. A grid rather than a
// QFormLayout: its hidden rows take no space, and wrapped text gets the whole column's width.
void SettingsDialog::addSetting(QGridLayout *grid, const QString &label, QWidget *field, QLabel *error,
                                const QString &hint)
{
    int row = grid->rowCount();
    if (!label.isEmpty()) {
        auto *name = new QLabel(label);
        name->setBuddy(field);
        grid->addWidget(name, row, 0);
    }
    grid->addWidget(field, row, 1, Qt::AlignLeft);
    if (error)
        grid->addWidget(error, ++row, 1);
    constexpr int gap = 10; // to the next setting
    if (hint.isEmpty()) {
        grid->addItem(new QSpacerItem(0, gap, QSizePolicy::Fixed, QSizePolicy::Fixed), ++row, 1);
        return;
    }
    QLabel *hintLabel = newHintLabel(hint);
    hintLabel->setContentsMargins(0, 0, 0, gap);
    grid->addWidget(hintLabel, ++row, 1);
}

// ---- Keys -------------------------------------------------------------------------------------------------

QWidget *SettingsDialog::buildKeysPage()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);

    m_keychainBanner = new QFrame;
    m_keychainBanner->setObjectName(u"keychainBanner"_s);
    m_keychainBanner->setFrameShape(QFrame::StyledPanel);
    m_keychainBanner->setAutoFillBackground(true);
    m_keychainBanner->setBackgroundRole(QPalette::AlternateBase);
    auto *bannerLayout = new QHBoxLayout(m_keychainBanner);
    m_keychainIcon = new QLabel;
    m_keychainIcon->setAlignment(Qt::AlignTop);
    m_keychainMessage = new QLabel;
    m_keychainMessage->setObjectName(u"keychainMessage"_s);
    m_keychainMessage->setWordWrap(true);
    m_keychainMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *retry = new QPushButton(tr("Check &Again"));
    retry->setObjectName(u"keychainRetry"_s);
    connect(retry, &QPushButton::clicked, this, [this] {
        m_keychainBanner->hide();
        for (int row = 0; row < int(m_keyRows.size()); ++row) {
            if (m_keyRows[size_t(row)].state != KeyState::Busy)
                refreshKey(row);
        }
    });
    bannerLayout->addWidget(m_keychainIcon);
    bannerLayout->addWidget(m_keychainMessage, 1);
    bannerLayout->addWidget(retry, 0, Qt::AlignTop);
    m_keychainBanner->hide();
    layout->addWidget(m_keychainBanner);

    auto *intro = new QLabel(tr("API keys are kept in your system keychain (service “SpawnAI”), never in "
                                "settings files. Changes here take effect at once."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    layout->addSpacing(6);

    QStringList providers = SecretStore::providers();
    // Claude writes every app, so its key comes first whatever order the store lists them in.
    std::stable_partition(providers.begin(), providers.end(),
                          [](const QString &p) { return p == u"anthropic"_s; });

    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(4);
    grid->setColumnStretch(1, 1);
    for (const QString &provider : providers) {
        const int row = int(m_keyRows.size());
        KeyRow keyRow;
        keyRow.provider = provider;
        keyRow.name = keyProviderName(provider);

        auto *name = new QLabel(keyRow.name);
        keyRow.status = new QLabel(tr("Not checked"));
        keyRow.status->setObjectName(u"keyStatus-"_s + provider);
        keyRow.status->setMinimumWidth(keyRow.status->fontMetrics().horizontalAdvance(tr("Keychain locked")) +
                                       8);
        keyRow.set = new QPushButton(tr("Set…"));
        keyRow.set->setObjectName(u"keySet-"_s + provider);
        keyRow.set->setAccessibleName(tr("Set the %1 key").arg(keyRow.name));
        keyRow.test = new QPushButton(tr("Test"));
        keyRow.test->setObjectName(u"keyTest-"_s + provider);
        keyRow.test->setAccessibleName(tr("Test the %1 key").arg(keyRow.name));
        keyRow.remove = new QPushButton(tr("Remove"));
        keyRow.remove->setObjectName(u"keyRemove-"_s + provider);
        keyRow.remove->setAccessibleName(tr("Remove the %1 key").arg(keyRow.name));
        connect(keyRow.set, &QPushButton::clicked, this, [this, row] { setKey(row); });
        connect(keyRow.test, &QPushButton::clicked, this, [this, row] { testKey(row); });
        connect(keyRow.remove, &QPushButton::clicked, this, [this, row] { removeKey(row); });

        grid->addWidget(name, row, 0);
        grid->addWidget(keyRow.status, row, 1);
        grid->addWidget(keyRow.set, row, 2);
        grid->addWidget(keyRow.test, row, 3);
        grid->addWidget(keyRow.remove, row, 4);
        m_keyRows.push_back(std::move(keyRow));
        updateRowButtons(row);
    }
    layout->addLayout(grid);
    layout->addSpacing(8);

    m_keysMessage = new QLabel;
    m_keysMessage->setObjectName(u"keysMessage"_s);
    m_keysMessage->setWordWrap(true);
    m_keysMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_keysMessage);
    layout->addStretch(1);
    return page;
}

void SettingsDialog::ensureKeysLoaded()
{
    if (m_keysLoaded)
        return;
    m_keysLoaded = true;
    for (int row = 0; row < int(m_keyRows.size()); ++row)
        refreshKey(row);
}

void SettingsDialog::setRowBusy(int row, const QString &status)
{
    KeyRow &keyRow = m_keyRows[size_t(row)];
    keyRow.state = KeyState::Busy;
    keyRow.status->setText(status);
    keyRow.status->setToolTip({});
    updateRowButtons(row);
    updateColours();
}

void SettingsDialog::updateRowButtons(int row)
{
    const KeyRow &keyRow = m_keyRows[size_t(row)];
    const bool idle = keyRow.state != KeyState::Busy;
    keyRow.set->setEnabled(idle);
    // Nothing to test or remove when the store said there is no key; after an error, let the user retry.
    keyRow.test->setEnabled(idle && keyRow.state != KeyState::NotSet);
    keyRow.remove->setEnabled(idle && keyRow.state != KeyState::NotSet);
}

// `result` as a read answers it: Ok is "a key is stored", NotFound "none is".
void SettingsDialog::showKeyResult(int row, const SecretResult &result)
{
    KeyRow &keyRow = m_keyRows[size_t(row)];
    QString text;
    switch (result.status) {
    case SecretStatus::Ok:
        keyRow.state = KeyState::Set;
        text = tr("Set");
        break;
    case SecretStatus::NotFound:
        keyRow.state = KeyState::NotSet;
        text = tr("Not set");
        break;
    case SecretStatus::Unavailable:
        keyRow.state = KeyState::Error;
        text = tr("No keychain");
        break;
    case SecretStatus::Locked:
        keyRow.state = KeyState::Error;
        text = tr("Keychain locked");
        break;
    case SecretStatus::Denied:
        keyRow.state = KeyState::Error;
        text = tr("Access denied");
        break;
    case SecretStatus::Failed:
        keyRow.state = KeyState::Error;
        text = tr("Error");
        break;
    }
    keyRow.status->setText(text);
    keyRow.status->setToolTip(result.ok() ? QString() : result.message);
    updateKeychainBanner(result);
    updateRowButtons(row);
    updateColours();
}

// Shown once for the whole page: a locked or missing keychain is not one provider's problem.
void SettingsDialog::updateKeychainBanner(const SecretResult &result)
{
    switch (result.status) {
    case SecretStatus::Ok:
    case SecretStatus::NotFound:
        m_keychainBanner->hide();
        break;
    case SecretStatus::Unavailable:
    case SecretStatus::Locked:
    case SecretStatus::Denied:
        m_keychainMessage->setText(result.message);
        m_keychainBanner->show();
        break;
    case SecretStatus::Failed:
        break; // one entry's trouble; its row and the message line say it
    }
}

void SettingsDialog::setKeysMessage(const QString &message, bool isError)
{
    m_keysMessage->setText(message);
    m_keysMessageIsError = isError;
    updateColours();
}

void SettingsDialog::refreshKey(int row)
{
    setRowBusy(row, tr("Checking…"));
    m_secrets.read(m_keyRows[size_t(row)].provider, this,
                   [this, row](const SecretResult &result) { showKeyResult(row, result); });
}

void SettingsDialog::setKey(int row)
{
    const QString name = m_keyRows[size_t(row)].name;
    // A small dialog of our own rather than QInputDialog: the text can wrap, and OK waits for a key.
    auto *input = new QDialog(this);
    input->setObjectName(u"keyInputDialog"_s);
    input->setWindowTitle(tr("Set the %1 Key").arg(name));
    input->setWindowModality(Qt::WindowModal);
    auto *label = new QLabel(tr("Paste your %1 API key. SpawnAI keeps it in the system keychain, never in a "
                                "file, and does not show it again.")
                                 .arg(name),
                             input);
    label->setWordWrap(true);
    auto *edit = new QLineEdit(input);
    edit->setObjectName(u"keyInput"_s);
    edit->setEchoMode(QLineEdit::Password);
    edit->setInputMethodHints(Qt::ImhSensitiveData | Qt::ImhNoPredictiveText | Qt::ImhNoAutoUppercase);
    edit->setMinimumWidth(360);
    edit->setAccessibleName(tr("%1 API key").arg(name));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, input);
    QPushButton *store = buttons->button(QDialogButtonBox::Ok);
    store->setText(tr("Store Key"));
    store->setEnabled(false);
    connect(edit, &QLineEdit::textChanged, store,
            [store](const QString &text) { store->setEnabled(!text.trimmed().isEmpty()); });
    connect(buttons, &QDialogButtonBox::accepted, input, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, input, &QDialog::reject);
    auto *layout = new QVBoxLayout(input);
    layout->addWidget(label);
    layout->addWidget(edit);
    layout->addWidget(buttons);

    connect(input, &QDialog::finished, this, [this, row, input, edit](int result) {
        const QString secret = edit->text().trimmed(); // a pasted key often brings a newline or space
        // setText (unlike clear) also drops the undo history, so the widget keeps no copy of the key.
        edit->setText(QString());
        input->deleteLater();
        if (result == QDialog::Accepted && !secret.isEmpty())
            storeKey(row, secret);
    });
    input->open();
}

void SettingsDialog::storeKey(int row, const QString &secret)
{
    setRowBusy(row, tr("Saving…"));
    const QString name = m_keyRows[size_t(row)].name;
    m_secrets.write(m_keyRows[size_t(row)].provider, secret, this,
                    [this, row, name](const SecretResult &result) {
                        showKeyResult(row, result);
                        if (result.ok())
                            setKeysMessage(tr("Stored the %1 key in the system keychain.").arg(name), false);
                        else
                            setKeysMessage(result.message, true);
                    });
}

void SettingsDialog::testKey(int row)
{
    setRowBusy(row, tr("Checking…"));
    const QString name = m_keyRows[size_t(row)].name;
    m_secrets.read(m_keyRows[size_t(row)].provider, this, [this, row, name](const SecretResult &result) {
        showKeyResult(row, result);
        if (result.status == SecretStatus::NotFound) {
            setKeysMessage(tr("No %1 key is stored. Use Set… to add one.").arg(name), true);
            return;
        }
        if (!result.ok()) {
            setKeysMessage(result.message, true);
            return;
        }
        const KeyRow &keyRow = m_keyRows[size_t(row)];
        if (keyRow.provider == u"anthropic"_s) {
            // Stored and readable; now ask Anthropic itself.
            setRowBusy(row, tr("Asking Anthropic…"));
            ClaudeConfig config = m_settings.claudeConfig();
            config.apiKey = result.secret;
            if (!m_network)
                m_network = new QNetworkAccessManager(this);
            ClaudeKeyCheck::start(
                *m_network, config, this, [this, row, result](const ClaudeModelsResult &check) {
                    showKeyResult(row, result);
                    setKeysMessage(ClaudeKeyCheck::summary(check, m_settings.claudeModel()), !check.ok());
                });
            return;
        }
        if (ProviderKeyCheck::supports(keyRow.provider)) {
            setRowBusy(row, tr("Asking %1…").arg(name));
            if (!m_network)
                m_network = new QNetworkAccessManager(this);
            ProviderKeyCheck::start(*m_network, m_settings, keyRow.provider, result.secret, this,
                                    [this, row, result](bool accepted, const QString &summary) {
                                        showKeyResult(row, result);
                                        setKeysMessage(summary, !accepted);
                                    });
            return;
        }
        // Only the stored copy can be checked: asking the provider needs its adapter (its cheapest
        // authenticated call), and this version has none. Say so rather than imply the key works.
        const QString vendor = name.section(u" ("_s, 0, 0);
        setKeysMessage(tr("The %1 key is stored in the system keychain and can be read (%2 characters). "
                          "Whether %3 accepts it cannot be checked yet: this version of SpawnAI does not "
                          "talk to %3.")
                           .arg(name)
                           .arg(result.secret.size())
                           .arg(vendor),
                       false);
    });
}

void SettingsDialog::removeKey(int row)
{
    const KeyRow &keyRow = m_keyRows[size_t(row)];
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove the %1 Key").arg(keyRow.name),
                                tr("Remove the %1 API key from the system keychain?").arg(keyRow.name),
                                QMessageBox::NoButton, this);
    box->setObjectName(u"confirmRemoveKey"_s);
    box->setInformativeText(
        keyRow.provider == u"anthropic"_s
            ? tr("SpawnAI cannot generate apps until you set a key again.")
            : tr("SpawnAI cannot deploy to %1, or stop sessions there before they expire, until you set a "
                 "key again.")
                  .arg(keyRow.name));
    QAbstractButton *remove = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setEscapeButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, row, box, remove] {
        const bool confirmed = box->clickedButton() == remove;
        box->deleteLater();
        if (confirmed)
            confirmedRemoveKey(row);
    });
    box->open();
}

void SettingsDialog::confirmedRemoveKey(int row)
{
    setRowBusy(row, tr("Removing…"));
    const QString name = m_keyRows[size_t(row)].name;
    m_secrets.remove(m_keyRows[size_t(row)].provider, this, [this, row, name](const SecretResult &result) {
        if (result.ok()) {
            SecretResult gone = result; // removed: from now on the store holds no key
            gone.status = SecretStatus::NotFound;
            showKeyResult(row, gone);
            setKeysMessage(tr("Removed the %1 key from the system keychain.").arg(name), false);
            return;
        }
        showKeyResult(row, result);
        setKeysMessage(result.message, true);
    });
}

// ---- Defaults ---------------------------------------------------------------------------------------------

QWidget *SettingsDialog::buildDefaultsPage()
{
    auto *page = new QWidget;
    auto *grid = new QGridLayout(page);
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(4);
    grid->setColumnStretch(1, 1);

    m_provider = new QComboBox;
    m_provider->setObjectName(u"defaultProvider"_s);
    m_providerError = newErrorLabel(u"defaultProviderError"_s);
    addSetting(grid, tr("&Provider:"), m_provider, m_providerError,
               tr("Where new sessions run. Cloud providers appear here as SpawnAI supports them."));

    m_lifetime = new QComboBox;
    m_lifetime->setObjectName(u"defaultLifetime"_s);
    m_lifetime->setEditable(true);
    m_lifetime->setInsertPolicy(QComboBox::NoInsert);
    for (const qint64 seconds : kLifetimePresets)
        m_lifetime->addItem(formatDuration(seconds), seconds);
    m_lifetime->setMinimumContentsLength(10);
    m_lifetimeError = newErrorLabel(u"defaultLifetimeError"_s);
    addSetting(grid, tr("&Lifetime:"), m_lifetime, m_lifetimeError,
               tr("How long a new session runs before SpawnAI stops it. Pick one or type one, such as 90m; "
                  "at most 24 h."));

    m_openBrowser = new QCheckBox(tr("&Open the app in the browser when it is live"));
    m_openBrowser->setObjectName(u"openBrowser"_s);
    addSetting(grid, {}, m_openBrowser, nullptr, {});

    m_leadTimes = new QLineEdit;
    m_leadTimes->setObjectName(u"leadTimes"_s);
    m_leadTimes->setPlaceholderText(u"10m, 1m"_s);
    m_leadTimes->setMinimumWidth(m_leadTimes->fontMetrics().horizontalAdvance(u"10m, 5m, 1m, 30s"_s) + 24);
    m_leadTimesError = newErrorLabel(u"leadTimesError"_s);
    addSetting(grid, tr("&Warn before expiry:"), m_leadTimes, m_leadTimesError,
               tr("How long before a session ends to notify you, separated by commas. Leave empty for no "
                  "warnings."));

    m_startTimeout = new QLineEdit;
    m_startTimeout->setObjectName(u"startTimeout"_s);
    m_startTimeout->setPlaceholderText(u"30s"_s);
    m_startTimeout->setMinimumWidth(m_leadTimes->minimumWidth());
    m_startTimeoutError = newErrorLabel(u"startTimeoutError"_s);
    addSetting(grid, tr("Local &start timeout:"), m_startTimeout, m_startTimeoutError,
               tr("How long an app on this computer may take to answer its first request."));
    grid->setRowStretch(grid->rowCount(), 1);

    const auto edited = [this](QLabel *error) {
        error->hide();
        m_applyError->hide();
        updateButtons();
    };
    connect(m_provider, &QComboBox::currentIndexChanged, this, [this, edited] { edited(m_providerError); });
    connect(m_lifetime, &QComboBox::currentTextChanged, this, [this, edited] { edited(m_lifetimeError); });
    connect(m_openBrowser, &QCheckBox::toggled, this, [this] { updateButtons(); });
    connect(m_leadTimes, &QLineEdit::textChanged, this, [this, edited] { edited(m_leadTimesError); });
    connect(m_startTimeout, &QLineEdit::textChanged, this, [this, edited] { edited(m_startTimeoutError); });
    return page;
}

// ---- Pricing ----------------------------------------------------------------------------------------------

QWidget *SettingsDialog::buildPricingPage()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);

    m_rateTable = new RateTable(m_settings);
    // Typing a rate dismisses the last Apply's error, as editing a field on the Defaults page does.
    connect(m_rateTable, &RateTable::edited, this, [this] { m_applyError->hide(); });
    connect(m_rateTable, &RateTable::modified, this, &SettingsDialog::updateButtons);
    layout->addWidget(m_rateTable, 1);

    auto *budget = new QGroupBox(tr("Budget"));
    auto *grid = new QGridLayout(budget);
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(4);
    grid->setColumnStretch(1, 1);
    const auto newUsdBox = [](const QString &objectName, double step) {
        auto *box = new QDoubleSpinBox;
        box->setObjectName(objectName);
        box->setPrefix(u"$"_s);
        box->setDecimals(2);
        box->setRange(0, kMaxBudget);
        box->setSingleStep(step);
        box->setAccelerated(true);
        box->setMinimumWidth(box->fontMetrics().horizontalAdvance(u"$1,000,000.00"_s) + 32);
        return box;
    };
    m_sessionTarget = newUsdBox(u"sessionTarget"_s, 0.10);
    addSetting(grid, tr("Flag &quotes above:"), m_sessionTarget, nullptr,
               tr("A session whose quote (generation + lifetime × rate) is higher is flagged before it is "
                  "deployed."));
    m_monthlyBudget = newUsdBox(u"monthlyBudget"_s, 5);
    m_monthlyBudget->setSpecialValueText(tr("No budget"));
    addSetting(grid, tr("&Monthly budget:"), m_monthlyBudget, nullptr,
               tr("What you mean to spend on sessions in a month; $0 for no budget."));
    layout->addWidget(budget);

    connect(m_sessionTarget, &QDoubleSpinBox::valueChanged, this, [this] { updateButtons(); });
    connect(m_monthlyBudget, &QDoubleSpinBox::valueChanged, this, [this] { updateButtons(); });
    return page;
}

// ---- Sandbox ----------------------------------------------------------------------------------------------

QWidget *SettingsDialog::buildSandboxPage()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);

    auto *intro = new QLabel(tr("Apps you run on this computer start inside a bubblewrap sandbox: they see "
                                "only their own folder and a read-only /usr, with no network and no access "
                                "to your home folder."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    layout->addSpacing(8);

    m_allowUnsandboxed = new QCheckBox(tr("&Run local apps without a sandbox when bubblewrap cannot run"));
    m_allowUnsandboxed->setObjectName(u"allowUnsandboxed"_s);
    connect(m_allowUnsandboxed, &QCheckBox::clicked, this, &SettingsDialog::onUnsandboxedClicked);
    layout->addWidget(m_allowUnsandboxed);

    auto *warning = new QWidget;
    auto *warningLayout = new QHBoxLayout(warning);
    // Indented under the check box's text, so it reads as that option's fine print.
    warningLayout->setContentsMargins(style()->pixelMetric(QStyle::PM_IndicatorWidth) + 6, 4, 0, 0);
    m_unsandboxedIcon = new QLabel;
    m_unsandboxedIcon->setAlignment(Qt::AlignTop);
    m_unsandboxedWarning =
        new QLabel(tr("<b>Not recommended.</b> Without the sandbox, generated code runs with your user's "
                      "rights: it can read, change and delete your files and use your network. SpawnAI "
                      "falls back to this only when bubblewrap cannot run, and marks every such session."));
    m_unsandboxedWarning->setObjectName(u"unsandboxedWarning"_s);
    m_unsandboxedWarning->setWordWrap(true);
    m_unsandboxedWarning->setTextFormat(Qt::RichText);
    warningLayout->addWidget(m_unsandboxedIcon);
    warningLayout->addWidget(m_unsandboxedWarning, 1);
    layout->addWidget(warning);
    layout->addStretch(1);
    return page;
}

// Turning the sandbox off is the one setting that can hurt the user, so it takes a second, explicit yes.
void SettingsDialog::onUnsandboxedClicked(bool checked)
{
    if (!checked) {
        updateButtons();
        return;
    }
    m_allowUnsandboxed->setChecked(false); // until confirmed
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Run Apps Without a Sandbox?"),
                                tr("Allow apps on this computer to run without a sandbox when bubblewrap "
                                   "cannot run?"),
                                QMessageBox::NoButton, this);
    box->setObjectName(u"confirmUnsandboxed"_s);
    box->setInformativeText(tr("Generated code would run with your user's rights: it could read, change and "
                               "delete your files and use your network. Only allow this if you read the "
                               "code you run."));
    QAbstractButton *allow = box->addButton(tr("Allow Without Sandbox"), QMessageBox::AcceptRole);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setEscapeButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, box, allow] {
        const bool confirmed = box->clickedButton() == allow;
        box->deleteLater();
        if (confirmed)
            m_allowUnsandboxed->setChecked(true);
        updateButtons();
    });
    box->open();
}

// ---- Appearance -------------------------------------------------------------------------------------------

QWidget *SettingsDialog::buildAppearancePage()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    auto *group = new QGroupBox(tr("Window colours"));
    auto *groupLayout = new QVBoxLayout(group);
    m_theme = new QButtonGroup(this);
    const QList<std::pair<QString, QString>> choices = {
        {u"system"_s, tr("Follow the &system")}, {u"light"_s, tr("&Light")}, {u"dark"_s, tr("&Dark")}};
    for (const auto &[value, text] : choices) {
        auto *radio = new QRadioButton(text);
        radio->setObjectName(u"theme-"_s + value);
        radio->setProperty("themeValue", value);
        m_theme->addButton(radio);
        groupLayout->addWidget(radio);
    }
    groupLayout->addWidget(newHintLabel(tr("“Follow the system” uses your desktop's light or dark "
                                           "preference and switches when it does.")));
    connect(m_theme, &QButtonGroup::buttonToggled, this, [this] { updateButtons(); });
    layout->addWidget(group);
    layout->addStretch(1);
    return page;
}

// ---- Values -----------------------------------------------------------------------------------------------

void SettingsDialog::loadValues()
{
    const QString provider = m_settings.value(kProvider);
    {
        const QSignalBlocker blocker(m_provider);
        m_provider->clear();
        for (const auto &[value, name] : m_providerChoices)
            m_provider->addItem(name, value);
        // A provider set elsewhere (the CLI, a newer version) is kept rather than silently replaced.
        if (m_provider->findData(provider) < 0)
            m_provider->addItem(tr("%1 (not available in this version)").arg(provider), provider);
        m_provider->setCurrentIndex(m_provider->findData(provider));
    }

    const QString ttl = m_settings.value(kTtl);
    const auto ttlSeconds = parseDuration(ttl);
    const int preset = ttlSeconds ? m_lifetime->findData(*ttlSeconds) : -1;
    if (preset >= 0)
        m_lifetime->setCurrentIndex(preset);
    else
        m_lifetime->setEditText(ttlSeconds ? formatDuration(*ttlSeconds) : ttl);

    m_openBrowser->setChecked(m_settings.value(kOpenBrowser) == u"true"_s);
    m_leadTimes->setText(m_settings.value(kLeadTimes));
    m_startTimeout->setText(m_settings.value(kStartTimeout));
    m_allowUnsandboxed->setChecked(m_settings.value(kAllowUnsandboxed) == u"true"_s);

    const QString theme = m_settings.value(kTheme);
    for (QAbstractButton *button : m_theme->buttons())
        button->setChecked(button->property("themeValue").toString() == theme);

    m_rateTable->load();
    m_sessionTarget->setValue(m_settings.sessionTargetUsd());
    m_monthlyBudget->setValue(m_settings.monthlyBudgetUsd());

    clearErrors();
}

std::vector<SettingsDialog::Pending> SettingsDialog::pendingValues() const
{
    std::vector<Pending> pending;

    Pending provider{kProvider, m_provider->currentData().toString(), {}, m_providerError};
    if (provider.value.isEmpty())
        provider.error = tr("Choose a provider.");
    pending.push_back(provider);

    Pending ttl{kTtl, {}, {}, m_lifetimeError};
    if (const auto seconds = parseDuration(m_lifetime->currentText()); !seconds)
        ttl.error = seconds.error();
    else if (*seconds < kMinLifetime)
        ttl.error = tr("A session needs at least 1 min to start and be used.");
    else if (*seconds > kMaxLifetime)
        ttl.error = tr("Sessions run at most 24 h; choose a shorter lifetime.");
    else
        ttl.value = compactDuration(*seconds);
    pending.push_back(ttl);

    pending.push_back({kOpenBrowser, m_openBrowser->isChecked() ? u"true"_s : u"false"_s, {}, nullptr});

    Pending leads{kLeadTimes, {}, {}, m_leadTimesError};
    if (const Result<QString> normalised = normalisedLeadTimes(m_leadTimes->text()))
        leads.value = *normalised;
    else
        leads.error = normalised.error();
    pending.push_back(leads);

    Pending timeout{kStartTimeout, {}, {}, m_startTimeoutError};
    if (const auto seconds = parseDuration(m_startTimeout->text()))
        timeout.value = compactDuration(*seconds);
    else
        timeout.error = seconds.error();
    pending.push_back(timeout);

    pending.push_back(
        {kAllowUnsandboxed, m_allowUnsandboxed->isChecked() ? u"true"_s : u"false"_s, {}, nullptr});

    QString theme = m_settings.value(kTheme);
    if (QAbstractButton *checked = m_theme->checkedButton())
        theme = checked->property("themeValue").toString();
    pending.push_back({kTheme, theme, {}, nullptr});

    pending.push_back({kSessionTarget, usdValue(m_sessionTarget->value()), {}, nullptr});
    pending.push_back({kMonthlyBudget, usdValue(m_monthlyBudget->value()), {}, nullptr});
    return pending;
}

bool SettingsDialog::isModified() const
{
    const std::vector<Pending> pending = pendingValues();
    const bool keys = std::any_of(pending.cbegin(), pending.cend(), [this](const Pending &p) {
        return !p.error.isEmpty() || p.value != normalisedStored(p.key, m_settings.value(p.key));
    });
    return keys || m_rateTable->isModified();
}

bool SettingsDialog::apply()
{
    clearErrors();
    const std::vector<Pending> pending = pendingValues();
    QLabel *firstError = nullptr;
    const auto refuse = [&](QLabel *label, const QString &error) {
        showFieldError(label ? label : m_applyError, error);
        if (!firstError)
            firstError = label ? label : m_applyError;
    };
    for (const Pending &p : pending) {
        if (!p.error.isEmpty())
            refuse(p.errorLabel, p.error);
    }

    // Every refused rate is named in the one message under the table; the first one gets the focus.
    const auto refuseRates = [&](const RateTable::Refusal &refusal) {
        refuse(m_rateTable->errorLabel(), refusal.message);
        refusal.field->setFocus();
    };
    if (const std::optional<RateTable::Refusal> refused = m_rateTable->validate())
        refuseRates(*refused);

    std::vector<Pending> changed;
    for (const Pending &p : pending) {
        if (p.error.isEmpty() && p.value != normalisedStored(p.key, m_settings.value(p.key)))
            changed.push_back(p);
    }

    // A dry run through AppSettings' own rules (the ones `spawnai config` applies) on a scratch file, so a
    // value it refuses leaves the real file exactly as it was.
    if (!firstError && (!changed.empty() || m_rateTable->isModified())) {
        const QTemporaryDir scratchDir;
        if (scratchDir.isValid()) {
            AppSettings scratch(scratchDir.filePath(u"check.conf"_s));
            for (const Pending &p : changed) {
                if (const Result<void> checked = scratch.setValue(p.key, p.value); !checked)
                    refuse(p.errorLabel, checked.error());
            }
            if (const std::optional<RateTable::Refusal> refused = m_rateTable->validate(&scratch))
                refuseRates(*refused);
        }
    }

    if (firstError) {
        for (int i = 0; i < m_tabs->count(); ++i) {
            if (m_tabs->widget(i)->isAncestorOf(firstError)) {
                m_tabs->setCurrentIndex(i);
                break;
            }
        }
        updateButtons();
        return false;
    }

    bool wroteAny = false;
    for (const Pending &p : changed) {
        if (const Result<void> written = m_settings.setValue(p.key, p.value); !written) {
            // Only a failing disk gets here (the dry run passed): say so, and tell listeners what did change.
            refuse(nullptr, written.error());
            if (wroteAny)
                emit settingsChanged();
            updateButtons();
            return false;
        }
        wroteAny = true;
    }
    const Result<bool> ratesWritten = m_rateTable->save();
    if (!ratesWritten) {
        refuse(nullptr, ratesWritten.error());
        emit settingsChanged();
        updateButtons();
        return false;
    }
    wroteAny = wroteAny || *ratesWritten;
    loadValues(); // shows what was saved, normalised ("90m" → "1 h 30 min")
    updateButtons();
    if (wroteAny)
        emit settingsChanged();
    return true;
}

void SettingsDialog::showFieldError(QLabel *label, const QString &error)
{
    label->setText(error);
    label->show();
}

void SettingsDialog::clearErrors()
{
    for (QLabel *label : {m_providerError, m_lifetimeError, m_leadTimesError, m_startTimeoutError,
                          m_rateTable->errorLabel(), m_applyError}) {
        label->clear();
        label->hide();
    }
}

void SettingsDialog::updateButtons()
{
    if (QPushButton *applyButton = m_buttons ? m_buttons->button(QDialogButtonBox::Apply) : nullptr)
        applyButton->setEnabled(isModified());
}

// ---- Look -------------------------------------------------------------------------------------------------

void SettingsDialog::updateColours()
{
    const QPalette &colours = palette();
    const QColor error = Theme::errorColor(colours);
    for (QLabel *label : {m_providerError, m_lifetimeError, m_leadTimesError, m_startTimeoutError,
                          m_rateTable->errorLabel(), m_applyError})
        setTextColour(label, error);
    setTextColour(m_unsandboxedWarning, error);
    setTextColour(m_keysMessage, m_keysMessageIsError ? std::optional(error) : std::nullopt);
    for (const KeyRow &row : m_keyRows) {
        switch (row.state) {
        case KeyState::Set:
            setTextColour(row.status, Theme::successColor(colours));
            break;
        case KeyState::Error:
            setTextColour(row.status, error);
            break;
        case KeyState::Unknown:
        case KeyState::Busy:
        case KeyState::NotSet:
            setTextColour(row.status, std::nullopt);
            break;
        }
    }
    const QIcon warning = style()->standardIcon(QStyle::SP_MessageBoxWarning, nullptr, this);
    m_unsandboxedIcon->setPixmap(warning.pixmap(kWarningIconSize));
    m_keychainIcon->setPixmap(warning.pixmap(kWarningIconSize));
}

void SettingsDialog::changeEvent(QEvent *event)
{
    QDialog::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        updateColours();
}

void SettingsDialog::showEvent(QShowEvent *event)
{
    QDialog::showEvent(event);
    if (m_tabs->currentIndex() == int(Page::Keys))
        ensureKeysLoaded();
}
