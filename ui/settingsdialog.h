#pragma once

#include "appsettings.h"

#include <QDialog>
#include <QList>
#include <QPair>
#include <QString>

#include <vector>

class QAbstractButton;
class QButtonGroup;
class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QFrame;
class QGridLayout;
class QLabel;
class QNetworkAccessManager;
class QLineEdit;
class QPushButton;
class QTabWidget;
class RateTable;
class SecretStore;
struct SecretResult;

// Settings → Keys, Defaults, Pricing, Sandbox, Appearance.
//
// Keys act at once through the SecretStore (asynchronously; a row's buttons are disabled while its operation
// runs). Everything else is saved by OK or Apply: every field is checked first, through the same
// AppSettings::setValue (and setRateOverride) the CLI uses, and only if all pass is anything written, so a
// refused field never leaves the others half-saved.
//
// Pricing holds the RateTable (the user's own rate per size of the shipped catalogue) and the budgets.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
public:
    // (value stored in defaults.provider, name shown), e.g. ("local", "Local (this computer)").
    using ProviderChoices = QList<QPair<QString, QString>>;
    enum class Page { Keys, Defaults, Pricing, Sandbox, Appearance };

    SettingsDialog(AppSettings &settings, SecretStore &secrets, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    // The deploy providers the window offers; Local only until the cloud adapters exist.
    void setProviderChoices(const ProviderChoices &choices);
    static ProviderChoices defaultProviderChoices();
    void showPage(Page page);

    // Checks every field and saves the changed ones; false (with the errors shown by their fields) if any
    // is refused, in which case nothing was saved. Emits settingsChanged() when something was saved.
    bool apply();
    // Whether a field differs from what is saved.
    bool isModified() const;

    // "Anthropic (Claude)", "Fly.io", … for SecretStore's provider names.
    static QString keyProviderName(const QString &provider);

signals:
    void settingsChanged();

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    enum class KeyState { Unknown, Busy, Set, NotSet, Error };
    struct KeyRow
    {
        QString provider;
        QString name;
        KeyState state = KeyState::Unknown;
        QLabel *status = nullptr;
        QPushButton *set = nullptr;
        QPushButton *test = nullptr;
        QPushButton *remove = nullptr;
    };
    QWidget *buildKeysPage();
    QWidget *buildDefaultsPage();
    QWidget *buildPricingPage();
    QWidget *buildSandboxPage();
    QWidget *buildAppearancePage();
    void addSetting(QGridLayout *grid, const QString &label, QWidget *field, QLabel *error,
                    const QString &hint);
    QLabel *newErrorLabel(const QString &objectName);

    void loadValues();
    // What each field would save, normalised ("2 h" → "2h"); an entry's error is set if the text is refused.
    struct Pending
    {
        QString key;
        QString value;
        QString error;
        QLabel *errorLabel = nullptr;
    };
    std::vector<Pending> pendingValues() const;
    void showFieldError(QLabel *label, const QString &error);
    void clearErrors();
    void updateButtons();
    void updateColours();

    // Keys
    void ensureKeysLoaded();
    void refreshKey(int row);
    void setKey(int row);
    void storeKey(int row, const QString &secret);
    void testKey(int row);
    void removeKey(int row);
    void confirmedRemoveKey(int row);
    void setRowBusy(int row, const QString &status);
    void showKeyResult(int row, const SecretResult &result);
    void setKeysMessage(const QString &message, bool isError);
    void updateKeychainBanner(const SecretResult &result);
    void updateRowButtons(int row);

    void onUnsandboxedClicked(bool checked);

    AppSettings &m_settings;
    QNetworkAccessManager *m_network = nullptr; // for asking Anthropic whether it accepts the key
    SecretStore &m_secrets;
    ProviderChoices m_providerChoices;

    QTabWidget *m_tabs = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QLabel *m_applyError = nullptr;

    // Keys
    std::vector<KeyRow> m_keyRows;
    bool m_keysLoaded = false;
    QFrame *m_keychainBanner = nullptr;
    QLabel *m_keychainIcon = nullptr;
    QLabel *m_keychainMessage = nullptr;
    QLabel *m_keysMessage = nullptr;
    bool m_keysMessageIsError = false;

    // Defaults
    QComboBox *m_provider = nullptr;
    QLabel *m_providerError = nullptr;
    QComboBox *m_lifetime = nullptr;
    QLabel *m_lifetimeError = nullptr;
    QCheckBox *m_openBrowser = nullptr;
    QLineEdit *m_leadTimes = nullptr;
    QLabel *m_leadTimesError = nullptr;
    QLineEdit *m_startTimeout = nullptr;
    QLabel *m_startTimeoutError = nullptr;

    // Pricing
    RateTable *m_rateTable = nullptr;
    QDoubleSpinBox *m_sessionTarget = nullptr;
    QDoubleSpinBox *m_monthlyBudget = nullptr;

    // Sandbox
    QCheckBox *m_allowUnsandboxed = nullptr;
    QLabel *m_unsandboxedIcon = nullptr;
    QLabel *m_unsandboxedWarning = nullptr;

    // Appearance
    QButtonGroup *m_theme = nullptr;
};
