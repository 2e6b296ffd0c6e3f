// SettingsDialog, driven through its real widgets: values load from and save to a temporary settings file,
// refused values show their error and save nothing, the sandbox opt-out asks first, and the Keys page sets,
// tests and removes a key in the real keyring (scripts/test-session.sh: a private bus with a throw-away
// gnome-keyring; those tests skip without it). A child run on a bus where no secret service can answer
// shows the keychain banner.
//
// The Pricing page stores the user's own rates and the budgets; AppSettings' own round trip of them (and of
// the `spawnai config` rules for the budget keys) is tested here too.
//
// `tst_settingsdialog --screenshot PAGE light|dark [--errors] [--with-key] [--with-rates]` shows the dialog
// for ../shared/tools/screenshot instead of testing.
#include "settingsdialog.h"

#include "appsettings.h"
#include "costmeter.h"
#include "fakeanthropic.h"
#include "fakee2b.h"
#include "fakefly.h"
#include "secretstore.h"
#include "theme.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QTimer>

#include <cmath>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

constexpr int kKeyringTimeoutMs = 20'000;

QStringList g_log;
QtMessageHandler g_previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    g_log.append(QString::fromUtf8(context.category ? context.category : "") + u' ' + message);
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

QString testSecret()
{
    QString hex;
    for (int i = 0; i < 4; ++i)
        hex += QString::number(QRandomGenerator::global()->generate(), 16).rightJustified(8, u'0');
    return u"sk-ant-TEST-"_s + hex;
}

template<typename T> T *child(QObject *parent, const QString &name)
{
    T *found = parent->findChild<T *>(name);
    if (!found)
        qWarning("no child %s", qPrintable(name));
    return found;
}

QString statusText(QObject *dialog, const QString &provider)
{
    QLabel *label = child<QLabel>(dialog, u"keyStatus-"_s + provider);
    return label ? label->text() : QString();
}

// Answers the message box `name` as soon as it shows: clicks its button with `role`, or rejects it (Esc)
// without one. A polling timer, so it works whether the dialog opens the box with open() or exec().
void answerMessageBox(QWidget *owner, const QString &name, std::optional<QMessageBox::ButtonRole> role,
                      bool *answered)
{
    *answered = false;
    auto *timer = new QTimer(owner);
    timer->setInterval(10);
    QObject::connect(timer, &QTimer::timeout, owner, [owner, name, role, answered, timer] {
        const QList<QMessageBox *> boxes = owner->findChildren<QMessageBox *>(name);
        const auto shown =
            std::find_if(boxes.cbegin(), boxes.cend(), [](QMessageBox *b) { return b->isVisible(); });
        if (shown == boxes.cend())
            return;
        timer->stop();
        timer->deleteLater();
        QMessageBox *box = *shown;
        if (!role) {
            box->reject();
        } else {
            for (QAbstractButton *button : box->buttons()) {
                if (box->buttonRole(button) == *role) {
                    button->click();
                    break;
                }
            }
        }
        *answered = true;
    });
    timer->start();
}

bool inTestSession()
{
    return !qEnvironmentVariableIsEmpty("SPAWNAI_TEST_SESSION");
}

#define REQUIRE_TEST_SESSION()                                                                               \
    do {                                                                                                     \
        if (!inTestSession())                                                                                \
            QSKIP("needs scripts/test-session.sh (a throw-away keyring); never touches your own keyring");   \
    } while (false)

// Waits for one SecretStore result.
std::optional<SecretResult> await(const std::function<void(const SecretStore::Callback &)> &start)
{
    std::optional<SecretResult> result;
    start([&result](const SecretResult &r) { result = r; });
    (void)QTest::qWaitFor([&] { return result.has_value(); }, kKeyringTimeoutMs);
    return result;
}

} // namespace

class TestSettingsDialog final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();

    void loadsValues();
    void savesChangedValuesOnly();
    void refusedValuesSaveNothing_data();
    void refusedValuesSaveNothing();
    void okStaysOpenOnError();
    void applyFollowsEdits();
    void providerChoices();
    void unsandboxedNeedsConfirmation();
    void keychainNotAskedUntilKeysShown();
    void keysSetTestRemove();
    void cloudKeysAreTestedWithTheProvider();
    void keychainUnavailableBanner();

    void pricingPageListsEverySize();
    void rateOverrideIsSaved();
    void resetRestoresShippedRates();
    void refusedRateKeepsTheOldOne_data();
    void refusedRateKeepsTheOldOne();
    void budgetSpinBoxesRoundTrip();
    void appSettingsRateOverrides();
    void appSettingsBudgetKeys_data();
    void appSettingsBudgetKeys();

private:
    QByteArray settingsBytes() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<AppSettings> m_settings;
    SecretStore *m_secrets = nullptr;
};

void TestSettingsDialog::initTestCase()
{
    QLoggingCategory::setFilterRules(u"spawnai.*.debug=true"_s);
    g_previousHandler = qInstallMessageHandler(captureMessage);
    m_secrets = new SecretStore(this);
}

void TestSettingsDialog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<AppSettings>(m_dir->filePath(u"spawnai.conf"_s));
}

void TestSettingsDialog::cleanup()
{
    m_settings.reset();
    m_dir.reset();
}

QByteArray TestSettingsDialog::settingsBytes() const
{
    QFile file(m_settings->fileName());
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void TestSettingsDialog::loadsValues()
{
    QVERIFY(m_settings->setValue(u"defaults.ttl"_s, u"90m"_s));
    QVERIFY(m_settings->setValue(u"notify.lead-times"_s, u"5m,30s"_s));
    QVERIFY(m_settings->setValue(u"defaults.open-browser"_s, u"false"_s));
    QVERIFY(m_settings->setValue(u"local.start-timeout"_s, u"45s"_s));
    QVERIFY(m_settings->setValue(u"appearance.theme"_s, u"dark"_s));

    SettingsDialog dialog(*m_settings, *m_secrets);
    QCOMPARE(child<QComboBox>(&dialog, u"defaultProvider"_s)->currentData().toString(), u"local"_s);
    QCOMPARE(child<QComboBox>(&dialog, u"defaultLifetime"_s)->currentText(), u"1 h 30 min"_s);
    QVERIFY(!child<QCheckBox>(&dialog, u"openBrowser"_s)->isChecked());
    QCOMPARE(child<QLineEdit>(&dialog, u"leadTimes"_s)->text(), u"5m,30s"_s);
    QCOMPARE(child<QLineEdit>(&dialog, u"startTimeout"_s)->text(), u"45s"_s);
    QVERIFY(!child<QCheckBox>(&dialog, u"allowUnsandboxed"_s)->isChecked());
    QVERIFY(child<QRadioButton>(&dialog, u"theme-dark"_s)->isChecked());
    QVERIFY(!dialog.isModified());
    QVERIFY(!child<QDialogButtonBox>(&dialog, {})->button(QDialogButtonBox::Apply)->isEnabled());

    // Defaults: a preset lifetime is selected, not typed.
    init();
    SettingsDialog fresh(*m_settings, *m_secrets);
    auto *lifetime = child<QComboBox>(&fresh, u"defaultLifetime"_s);
    QCOMPARE(lifetime->currentText(), u"2 h"_s);
    QCOMPARE(lifetime->currentData().toLongLong(), 7200);
    QCOMPARE(lifetime->count(), 7); // 15 min … 24 h
    QVERIFY(child<QCheckBox>(&fresh, u"openBrowser"_s)->isChecked());
    QVERIFY(child<QRadioButton>(&fresh, u"theme-system"_s)->isChecked());
}

void TestSettingsDialog::savesChangedValuesOnly()
{
    SettingsDialog dialog(*m_settings, *m_secrets);
    QSignalSpy changed(&dialog, &SettingsDialog::settingsChanged);

    // Nothing changed: nothing written, no defaults frozen into the file.
    QVERIFY(dialog.apply());
    QCOMPARE(changed.count(), 0);
    QVERIFY(!QSettings(m_settings->fileName(), QSettings::IniFormat).contains(u"defaults/ttl"_s));

    auto *lifetime = child<QComboBox>(&dialog, u"defaultLifetime"_s);
    lifetime->setCurrentIndex(lifetime->findText(u"4 h"_s));
    child<QCheckBox>(&dialog, u"openBrowser"_s)->setChecked(false);
    child<QLineEdit>(&dialog, u"leadTimes"_s)->setText(u" 15m , 2 min"_s);
    child<QLineEdit>(&dialog, u"startTimeout"_s)->setText(u"1 m"_s);
    child<QRadioButton>(&dialog, u"theme-light"_s)->setChecked(true);
    QVERIFY(dialog.isModified());
    QVERIFY(dialog.apply());
    QCOMPARE(changed.count(), 1);
    QVERIFY(!dialog.isModified());

    const AppSettings reread(m_settings->fileName());
    QCOMPARE(reread.value(u"defaults.ttl"_s), u"4h"_s);
    QCOMPARE(reread.defaultTtlSeconds(), 4 * 3600);
    QVERIFY(!reread.openBrowserOnDeploy());
    QCOMPARE(reread.value(u"notify.lead-times"_s), u"15m,2m"_s);
    QCOMPARE(reread.notificationLeadSeconds(), (QList<qint64>{900, 120}));
    QCOMPARE(reread.value(u"local.start-timeout"_s), u"1m"_s);
    QCOMPARE(reread.theme(), AppSettings::Theme::Light);
    QVERIFY(!QSettings(m_settings->fileName(), QSettings::IniFormat).contains(u"defaults/provider"_s));

    // A typed lifetime is saved in the CLI's form and shown in the dialog's.
    lifetime->setEditText(u"90 minutes"_s);
    QVERIFY(dialog.apply());
    QCOMPARE(AppSettings(m_settings->fileName()).value(u"defaults.ttl"_s), u"1h30m"_s);
    QCOMPARE(lifetime->currentText(), u"1 h 30 min"_s);
    QCOMPARE(changed.count(), 2);

    // Empty lead times: no warnings.
    child<QLineEdit>(&dialog, u"leadTimes"_s)->clear();
    QVERIFY(dialog.apply());
    QCOMPARE(AppSettings(m_settings->fileName()).notificationLeadSeconds(), QList<qint64>());
}

void TestSettingsDialog::refusedValuesSaveNothing_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("errorLabel");
    QTest::addColumn<QString>("errorContains");
    QTest::newRow("lead time not a duration")
        << u"leadTimes"_s << u"10m,banana"_s << u"leadTimesError"_s << u"banana"_s;
    QTest::newRow("lead time without unit") << u"leadTimes"_s << u"10"_s << u"leadTimesError"_s << u"unit"_s;
    QTest::newRow("lifetime words") << u"defaultLifetime"_s << u"forever"_s << u"defaultLifetimeError"_s
                                    << u"forever"_s;
    QTest::newRow("lifetime zero") << u"defaultLifetime"_s << u"0m"_s << u"defaultLifetimeError"_s
                                   << u"zero"_s;
    QTest::newRow("lifetime too long")
        << u"defaultLifetime"_s << u"25h"_s << u"defaultLifetimeError"_s << u"24 h"_s;
    QTest::newRow("lifetime too short")
        << u"defaultLifetime"_s << u"30s"_s << u"defaultLifetimeError"_s << u"1 min"_s;
    QTest::newRow("start timeout bare number")
        << u"startTimeout"_s << u"30"_s << u"startTimeoutError"_s << u"30s"_s;
}

void TestSettingsDialog::refusedValuesSaveNothing()
{
    QFETCH(QString, field);
    QFETCH(QString, text);
    QFETCH(QString, errorLabel);
    QFETCH(QString, errorContains);

    QVERIFY(m_settings->setValue(u"defaults.ttl"_s, u"2h"_s));
    const QByteArray before = settingsBytes();
    SettingsDialog dialog(*m_settings, *m_secrets);
    dialog.showPage(SettingsDialog::Page::Appearance);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy changed(&dialog, &SettingsDialog::settingsChanged);

    // Valid changes alongside the refused one must not be saved either.
    child<QRadioButton>(&dialog, u"theme-dark"_s)->setChecked(true);
    child<QCheckBox>(&dialog, u"openBrowser"_s)->setChecked(false);
    if (field != u"leadTimes"_s)
        child<QLineEdit>(&dialog, u"leadTimes"_s)->setText(u"20m"_s);
    if (auto *combo = dialog.findChild<QComboBox *>(field))
        combo->setEditText(text);
    else
        child<QLineEdit>(&dialog, field)->setText(text);

    QVERIFY(!dialog.apply());
    QCOMPARE(changed.count(), 0);
    QCOMPARE(settingsBytes(), before);
    auto *error = child<QLabel>(&dialog, errorLabel);
    QVERIFY(error->isVisible()); // the page with the error was brought forward
    QVERIFY2(error->text().contains(errorContains), qPrintable(error->text()));
    // Only the refused field shows an error.
    for (const QString &other : {u"defaultLifetimeError"_s, u"leadTimesError"_s, u"startTimeoutError"_s}) {
        if (other != errorLabel)
            QVERIFY(child<QLabel>(&dialog, other)->isHidden());
    }

    // Editing the field clears its error; fixing it saves everything.
    if (auto *combo = dialog.findChild<QComboBox *>(field))
        combo->setEditText(u"3h"_s);
    else
        child<QLineEdit>(&dialog, field)->setText(u"3m"_s);
    QVERIFY(error->isHidden());
    QVERIFY(dialog.apply());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(AppSettings(m_settings->fileName()).theme(), AppSettings::Theme::Dark);
}

void TestSettingsDialog::okStaysOpenOnError()
{
    SettingsDialog dialog(*m_settings, *m_secrets);
    dialog.showPage(SettingsDialog::Page::Defaults);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    child<QLineEdit>(&dialog, u"leadTimes"_s)->setText(u"soon"_s);
    auto *buttons = child<QDialogButtonBox>(&dialog, {});
    buttons->button(QDialogButtonBox::Ok)->click();
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QVERIFY(child<QLabel>(&dialog, u"leadTimesError"_s)->isVisible());

    child<QLineEdit>(&dialog, u"leadTimes"_s)->setText(u"5m"_s);
    buttons->button(QDialogButtonBox::Ok)->click();
    QVERIFY(!dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(AppSettings(m_settings->fileName()).value(u"notify.lead-times"_s), u"5m"_s);
}

void TestSettingsDialog::applyFollowsEdits()
{
    SettingsDialog dialog(*m_settings, *m_secrets);
    QPushButton *applyButton = child<QDialogButtonBox>(&dialog, {})->button(QDialogButtonBox::Apply);
    QVERIFY(!applyButton->isEnabled());
    auto *leads = child<QLineEdit>(&dialog, u"leadTimes"_s);
    leads->setText(u"10m, 1m"_s); // the same as the default, written differently
    QVERIFY(!applyButton->isEnabled());
    leads->setText(u"10m"_s);
    QVERIFY(applyButton->isEnabled());
    applyButton->click();
    QVERIFY(!applyButton->isEnabled());
    QCOMPARE(AppSettings(m_settings->fileName()).value(u"notify.lead-times"_s), u"10m"_s);
}

void TestSettingsDialog::providerChoices()
{
    QVERIFY(m_settings->setValue(u"defaults.provider"_s, u"fly"_s));
    SettingsDialog dialog(*m_settings, *m_secrets);
    auto *provider = child<QComboBox>(&dialog, u"defaultProvider"_s);
    // A provider this version does not offer is kept, not silently replaced.
    QCOMPARE(provider->currentData().toString(), u"fly"_s);
    QVERIFY(provider->currentText().contains(u"not available"_s));

    dialog.setProviderChoices({{u"local"_s, u"Local (this computer)"_s}, {u"e2b"_s, u"E2B"_s}});
    QCOMPARE(provider->count(), 3);
    provider->setCurrentIndex(provider->findData(u"e2b"_s));
    QVERIFY(dialog.apply());
    QCOMPARE(AppSettings(m_settings->fileName()).defaultProvider(), u"e2b"_s);
    QCOMPARE(provider->count(), 2); // fly is no longer the setting
    QCOMPARE(provider->currentText(), u"E2B"_s);
    QCOMPARE(SettingsDialog::defaultProviderChoices().constFirst().first, u"local"_s);
}

void TestSettingsDialog::unsandboxedNeedsConfirmation()
{
    SettingsDialog dialog(*m_settings, *m_secrets);
    dialog.showPage(SettingsDialog::Page::Sandbox);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *optOut = child<QCheckBox>(&dialog, u"allowUnsandboxed"_s);
    auto *warning = child<QLabel>(&dialog, u"unsandboxedWarning"_s);
    QVERIFY(warning->isVisible());
    QVERIFY(warning->text().contains(u"your files"_s));
    QVERIFY(warning->text().contains(u"network"_s));

    // Declined: stays off.
    bool answered = false;
    answerMessageBox(&dialog, u"confirmUnsandboxed"_s, std::nullopt, &answered);
    optOut->click();
    QTRY_VERIFY(answered);
    QVERIFY(!optOut->isChecked());
    QVERIFY(dialog.apply());
    QVERIFY(!AppSettings(m_settings->fileName()).allowUnsandboxed());

    // Confirmed: on, and saved.
    answerMessageBox(&dialog, u"confirmUnsandboxed"_s, QMessageBox::AcceptRole, &answered);
    optOut->click();
    QTRY_VERIFY(answered);
    QTRY_VERIFY(optOut->isChecked());
    QVERIFY(dialog.apply());
    QVERIFY(AppSettings(m_settings->fileName()).allowUnsandboxed());

    // Turning the sandbox back on needs no confirmation.
    optOut->click();
    QVERIFY(!optOut->isChecked());
    for (QMessageBox *box : dialog.findChildren<QMessageBox *>())
        QVERIFY(!box->isVisible());
    QVERIFY(dialog.apply());
    QVERIFY(!AppSettings(m_settings->fileName()).allowUnsandboxed());
}

void TestSettingsDialog::keychainNotAskedUntilKeysShown()
{
    SettingsDialog dialog(*m_settings, *m_secrets);
    dialog.showPage(SettingsDialog::Page::Defaults);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::qWait(50);
    QCOMPARE(statusText(&dialog, u"anthropic"_s), u"Not checked"_s);
    if (!inTestSession())
        return; // showing the Keys page would ask the developer's own keyring
    dialog.showPage(SettingsDialog::Page::Keys);
    QTRY_VERIFY_WITH_TIMEOUT(statusText(&dialog, u"anthropic"_s) != u"Checking…"_s &&
                                 statusText(&dialog, u"anthropic"_s) != u"Not checked"_s,
                             kKeyringTimeoutMs);
}

void TestSettingsDialog::keysSetTestRemove()
{
    REQUIRE_TEST_SESSION();
    g_log.clear();
    const QString secret = testSecret();
    SettingsDialog dialog(*m_settings, *m_secrets);
    dialog.showPage(SettingsDialog::Page::Keys);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));

    // One row per provider, Claude first; every row gets a status.
    for (const QString &provider : SecretStore::providers())
        QTRY_COMPARE_WITH_TIMEOUT(statusText(&dialog, provider), u"Not set"_s, kKeyringTimeoutMs);
    QVERIFY(child<QWidget>(&dialog, u"keychainBanner"_s)->isHidden());
    auto *setButton = child<QPushButton>(&dialog, u"keySet-anthropic"_s);
    auto *testButton = child<QPushButton>(&dialog, u"keyTest-anthropic"_s);
    auto *removeButton = child<QPushButton>(&dialog, u"keyRemove-anthropic"_s);
    QVERIFY(setButton->isEnabled());
    QVERIFY(!removeButton->isEnabled()); // nothing to remove
    const QPoint anthropicPos = child<QLabel>(&dialog, u"keyStatus-anthropic"_s)->pos();
    QVERIFY(anthropicPos.y() < child<QLabel>(&dialog, u"keyStatus-e2b"_s)->pos().y());

    // Set…: a masked input; OK waits for text; the widget is emptied after use.
    setButton->click();
    QDialog *input = nullptr;
    QTRY_VERIFY((input = dialog.findChild<QDialog *>(u"keyInputDialog"_s)) && input->isVisible());
    QPointer<QLineEdit> edit = child<QLineEdit>(input, u"keyInput"_s);
    QCOMPARE(edit->echoMode(), QLineEdit::Password);
    QPushButton *store = child<QDialogButtonBox>(input, {})->button(QDialogButtonBox::Ok);
    QVERIFY(!store->isEnabled());
    edit->setText(secret + u"\n"_s); // pasted with a line break
    QVERIFY(store->isEnabled());
    store->click();
    QVERIFY(!edit || edit->text().isEmpty());
    QVERIFY(!edit || !edit->isUndoAvailable());
    // The row is busy until the keyring answers.
    QVERIFY(!setButton->isEnabled());
    QVERIFY(!testButton->isEnabled());
    QVERIFY(!removeButton->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(statusText(&dialog, u"anthropic"_s), u"Set"_s, kKeyringTimeoutMs);
    QVERIFY(setButton->isEnabled() && testButton->isEnabled() && removeButton->isEnabled());
    QTRY_VERIFY(!dialog.findChild<QDialog *>(u"keyInputDialog"_s)); // deleted
    QVERIFY(child<QLabel>(&dialog, u"keysMessage"_s)->text().contains(u"Stored"_s));

    auto stored =
        await([&](const SecretStore::Callback &done) { m_secrets->read(u"anthropic"_s, this, done); });
    QVERIFY(stored);
    QCOMPARE(SecretStore::statusName(stored->status), u"ok"_s);
    QCOMPARE(stored->secret, secret); // trimmed of the line break
    stored.reset();

    // Test: Anthropic itself is asked (GET /v1/models on a fake that knows this key)…
    FakeAnthropicServer anthropic;
    QVERIFY(anthropic.listen());
    anthropic.setApiKey(secret);
    QVERIFY(m_settings->setValue(u"anthropic.base-url"_s, anthropic.baseUrl().toString()).ok());
    testButton->click();
    QVERIFY(!testButton->isEnabled());
    auto *message = child<QLabel>(&dialog, u"keysMessage"_s);
    QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(u"Anthropic accepted the key"_s), kKeyringTimeoutMs);
    QVERIFY2(message->text().contains(u"claude-sonnet-5-5, the model SpawnAI writes apps with"_s),
             qPrintable(message->text()));
    QCOMPARE(anthropic.requests().constLast().path, QByteArray("/v1/models"));
    QTRY_VERIFY(testButton->isEnabled());
    // … and says so when it refuses the key.
    anthropic.setApiKey(u"sk-ant-api03-another-key"_s);
    testButton->click();
    QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(u"rejected the API key"_s), kKeyringTimeoutMs);
    QTRY_VERIFY(testButton->isEnabled());

    // Remove: declined keeps the key; confirmed removes it.
    bool answered = false;
    answerMessageBox(&dialog, u"confirmRemoveKey"_s, std::nullopt, &answered);
    removeButton->click();
    QTRY_VERIFY(answered);
    QTest::qWait(100);
    QCOMPARE(statusText(&dialog, u"anthropic"_s), u"Set"_s);

    answerMessageBox(&dialog, u"confirmRemoveKey"_s, QMessageBox::DestructiveRole, &answered);
    removeButton->click();
    QTRY_VERIFY(answered);
    QTRY_COMPARE_WITH_TIMEOUT(statusText(&dialog, u"anthropic"_s), u"Not set"_s, kKeyringTimeoutMs);
    QVERIFY(!removeButton->isEnabled());
    QVERIFY(message->text().contains(u"Removed"_s));
    auto removed =
        await([&](const SecretStore::Callback &done) { m_secrets->read(u"anthropic"_s, this, done); });
    QVERIFY(removed);
    QCOMPARE(SecretStore::statusName(removed->status), u"not-found"_s);

    // The key never showed in the dialog nor in any log.
    for (QLabel *label : dialog.findChildren<QLabel *>())
        QVERIFY(!label->text().contains(secret.mid(12)));
    for (const QString &line : std::as_const(g_log))
        QVERIFY2(!line.contains(secret.mid(12)), "a log line holds the key");
}

void TestSettingsDialog::cloudKeysAreTestedWithTheProvider()
{
    // E2B and Fly.io are asked with their cheapest authenticated call, on fakes that know one key each.
    FakeE2bServer e2b;
    FakeFlyServer fly;
    QVERIFY(e2b.listen() && fly.listen());
    const QString e2bKey = u"e2b_"_s + QString::number(QRandomGenerator::global()->generate64(), 16);
    const QString flyToken = u"fm2_"_s + QString::number(QRandomGenerator::global()->generate64(), 36);
    e2b.setApiKey(e2bKey);
    fly.setToken(flyToken);
    QVERIFY(m_settings->setValue(u"e2b.base-url"_s, e2b.apiUrl().toString()).ok());
    QVERIFY(m_settings->setValue(u"fly.base-url"_s, fly.apiUrl().toString()).ok());
    for (const auto &[provider, key] : {std::pair{u"e2b"_s, e2bKey}, std::pair{u"fly"_s, flyToken}}) {
        auto written = await([&, p = provider, k = key](const SecretStore::Callback &done) {
            m_secrets->write(p, k, this, done);
        });
        QVERIFY(written && written->ok());
    }

    SettingsDialog dialog(*m_settings, *m_secrets);
    dialog.showPage(SettingsDialog::Page::Keys);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *message = child<QLabel>(&dialog, u"keysMessage"_s);
    QTRY_COMPARE_WITH_TIMEOUT(statusText(&dialog, u"e2b"_s), u"Set"_s, kKeyringTimeoutMs);
    child<QPushButton>(&dialog, u"keyTest-e2b"_s)->click();
    QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(u"E2B accepted the key"_s), kKeyringTimeoutMs);
    QCOMPARE(e2b.requests().constLast().path, QByteArray("/v2/sandboxes"));
    e2b.setApiKey(u"e2b_ffffffffffffffffffff"_s);
    QTRY_VERIFY(child<QPushButton>(&dialog, u"keyTest-e2b"_s)->isEnabled());
    child<QPushButton>(&dialog, u"keyTest-e2b"_s)->click();
    QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(u"E2B refused the API key"_s), kKeyringTimeoutMs);
    QVERIFY(!message->text().contains(e2bKey));

    QTRY_COMPARE_WITH_TIMEOUT(statusText(&dialog, u"fly"_s), u"Set"_s, kKeyringTimeoutMs);
    child<QPushButton>(&dialog, u"keyTest-fly"_s)->click();
    QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(u"Fly.io accepted the token"_s), kKeyringTimeoutMs);
    QCOMPARE(fly.requests().constLast().header("authorization"), ("FlyV1 " + flyToken).toLatin1());

    for (const QString &provider : {u"e2b"_s, u"fly"_s}) { // the keyring is shared with other tests
        auto removed =
            await([&](const SecretStore::Callback &done) { m_secrets->remove(provider, this, done); });
        QVERIFY(removed && removed->ok());
    }
}

void TestSettingsDialog::keychainUnavailableBanner()
{
    // A bus address nothing listens on: no secret service can answer, whatever the machine has installed.
    QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &name : {u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s, u"XDG_CURRENT_DESKTOP"_s,
                                u"DESKTOP_SESSION"_s, u"KDE_FULL_SESSION"_s, u"KDE_SESSION_VERSION"_s})
        env.remove(name);
    env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path="_s + home.filePath(u"no-bus"_s));
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    env.insert(u"HOME"_s, home.path());
    env.insert(u"XDG_RUNTIME_DIR"_s, home.path());
    QProcess child;
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::SeparateChannels);
    child.start(QCoreApplication::applicationFilePath(), {u"--scenario"_s, u"no-keychain"_s});
    QVERIFY(child.waitForFinished(60'000));
    const QString out = QString::fromUtf8(child.readAllStandardOutput());
    QVERIFY2(child.exitCode() == 0, qPrintable(out + QString::fromUtf8(child.readAllStandardError())));
    QVERIFY2(out.contains(u"banner: visible"_s), qPrintable(out));
    QVERIFY2(out.contains(u"Install and start gnome-keyring"_s), qPrintable(out));
    QVERIFY2(out.contains(u"anthropic: No keychain"_s), qPrintable(out));
    QVERIFY2(out.contains(u"nhost: No keychain"_s), qPrintable(out));
    QCOMPARE(out.count(u"banner: visible"_s), 1);
}

// ---- Pricing ----------------------------------------------------------------------------------------------

namespace {

QLineEdit *rateField(QObject *dialog, const QString &provider, const QString &size)
{
    return child<QLineEdit>(dialog, u"rate-%1-%2"_s.arg(provider, size));
}

std::optional<RateOverride> storedRate(const QString &fileName, const QString &provider, const QString &size)
{
    for (const RateOverride &rate : AppSettings(fileName).rateOverrides()) {
        if (rate.provider == provider && rate.size == size)
            return rate;
    }
    return std::nullopt;
}

} // namespace

void TestSettingsDialog::pricingPageListsEverySize()
{
    SettingsDialog dialog(*m_settings, *m_secrets);
    dialog.showPage(SettingsDialog::Page::Pricing);
    QCOMPARE(child<QTabWidget>(&dialog, u"settingsPages"_s)->tabText(int(SettingsDialog::Page::Pricing)),
             u"Pricing"_s);
    auto *table = child<QTableWidget>(&dialog, u"rateTable"_s);
    const PricingCatalogue shipped = PricingCatalogue::shipped();
    int sizes = 0;
    for (const QString &provider : shipped.providers()) {
        for (const SizePricing &size : shipped.sizes(provider)) {
            ++sizes;
            // Every cloud size has a field, empty (the published rate) until the user types one.
            if (provider == u"local"_s)
                continue;
            QLineEdit *field = rateField(&dialog, provider, size.key);
            QVERIFY2(field, qPrintable(provider + u'/' + size.key));
            QVERIFY(field->text().isEmpty());
        }
    }
    QCOMPARE(sizes, 12);
    QCOMPARE(table->rowCount(), sizes);
    QVERIFY(!dialog.findChild<QLineEdit *>(u"rate-local-sandbox"_s)); // always free: nothing to set

    // The published rate per hour, with how, source and date in its tooltip. E2B base: 0.00003025/s × 3600.
    bool foundBase = false;
    for (int row = 0; row < table->rowCount(); ++row) {
        if (table->cellWidget(row, 3) != rateField(&dialog, u"e2b"_s, u"base"_s))
            continue;
        foundBase = true;
        QCOMPARE(table->item(row, 0)->text(), u"E2B"_s);
        QVERIFY(table->item(row, 0)->toolTip().contains(u"~150 ms"_s));
        QCOMPARE(table->item(row, 1)->text(), u"base template: 2 vCPU, 512 MiB"_s);
        QCOMPARE(table->item(row, 2)->text(), u"$0.1089"_s);
        const QString tip = table->item(row, 2)->toolTip();
        QVERIFY2(tip.contains(u"2 vCPU × $0.000014/s + 0.5 GiB × $0.0000045/s"_s), qPrintable(tip));
        QVERIFY2(tip.contains(u"e2b-dev/E2B templates/base"_s), qPrintable(tip));
        QVERIFY2(tip.contains(u"2026-08"_s), qPrintable(tip));
    }
    QVERIFY(foundBase);
    // Estimates say so; DigitalOcean's hourly price is shown as published.
    const QList<QTableWidgetItem *> runpod = table->findItems(u"$0.08 (estimate)"_s, Qt::MatchExactly);
    QCOMPARE(runpod.size(), 1);
    QVERIFY(runpod.first()->toolTip().contains(u"does not publish"_s));
    QCOMPARE(table->findItems(u"$0.00893"_s, Qt::MatchExactly).size(), 1);
    QCOMPARE(table->findItems(u"free"_s, Qt::MatchExactly).size(), 1);
    QVERIFY(!child<QPushButton>(&dialog, u"resetRates"_s)->isEnabled()); // nothing to reset
}

void TestSettingsDialog::rateOverrideIsSaved()
{
    SettingsDialog dialog(*m_settings, *m_secrets);
    dialog.showPage(SettingsDialog::Page::Pricing);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy changed(&dialog, &SettingsDialog::settingsChanged);
    QVERIFY(!dialog.isModified());

    QLineEdit *base = rateField(&dialog, u"e2b"_s, u"base"_s);
    base->setText(u" $0.05 "_s);
    QVERIFY(dialog.isModified());
    QVERIFY(child<QDialogButtonBox>(&dialog, {})->button(QDialogButtonBox::Apply)->isEnabled());
    QVERIFY(child<QPushButton>(&dialog, u"resetRates"_s)->isEnabled());
    child<QDialogButtonBox>(&dialog, {})->button(QDialogButtonBox::Ok)->click();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(changed.count(), 1);

    const std::optional<RateOverride> saved = storedRate(m_settings->fileName(), u"e2b"_s, u"base"_s);
    QVERIFY(saved);
    QCOMPARE(saved->usdPerHour, 0.05);
    QCOMPARE(saved->setOn, QDate::currentDate());
    QCOMPARE(AppSettings(m_settings->fileName()).rateOverrides().size(), 1); // only the edited size
    QCOMPARE(QSettings(m_settings->fileName(), QSettings::IniFormat).value(u"rates/e2b/base"_s).toString(),
             u"0.05@"_s + QDate::currentDate().toString(Qt::ISODate));

    // What AppCore makes of it: $0.05/h, so 2 h cost $0.10.
    const PricingCatalogue priced =
        PricingCatalogue::shipped().withOverrides(AppSettings(m_settings->fileName()).rateOverrides());
    QVERIFY(priced.isOverridden(u"e2b"_s, u"base"_s));
    QVERIFY(std::abs(CostMeter::quote(priced, u"e2b"_s, u"base"_s, 7200)->usd - 0.10) < 1e-12);

    // Shown again as saved; emptying the field goes back to the published rate.
    SettingsDialog again(*m_settings, *m_secrets);
    QLineEdit *shown = rateField(&again, u"e2b"_s, u"base"_s);
    QCOMPARE(shown->text(), u"0.05"_s);
    QVERIFY(!again.isModified());
    shown->clear();
    QVERIFY(again.isModified());
    QVERIFY(again.apply());
    QVERIFY(AppSettings(m_settings->fileName()).rateOverrides().isEmpty());
}

void TestSettingsDialog::resetRestoresShippedRates()
{
    QVERIFY(m_settings->setRateOverride(u"e2b"_s, u"base"_s, 0.07, QDate(2026, 10, 1)));
    QVERIFY(m_settings->setRateOverride(u"fly"_s, u"shared-cpu-1x-1gb"_s, 0.004, QDate(2026, 10, 2)));
    SettingsDialog dialog(*m_settings, *m_secrets);
    QSignalSpy changed(&dialog, &SettingsDialog::settingsChanged);
    QCOMPARE(rateField(&dialog, u"e2b"_s, u"base"_s)->text(), u"0.07"_s);
    QCOMPARE(rateField(&dialog, u"fly"_s, u"shared-cpu-1x-1gb"_s)->text(), u"0.004"_s);
    auto *reset = child<QPushButton>(&dialog, u"resetRates"_s);
    QVERIFY(reset->isEnabled());

    // Reset, then Cancel: nothing changes on disk.
    reset->click();
    QVERIFY(rateField(&dialog, u"e2b"_s, u"base"_s)->text().isEmpty());
    QVERIFY(rateField(&dialog, u"fly"_s, u"shared-cpu-1x-1gb"_s)->text().isEmpty());
    QVERIFY(dialog.isModified());
    QVERIFY(!reset->isEnabled());
    QCOMPARE(AppSettings(m_settings->fileName()).rateOverrides().size(), 2);

    // Reset, then save: every rate is the shipped one again, and the catalogue says so.
    QVERIFY(dialog.apply());
    QCOMPARE(changed.count(), 1);
    QVERIFY(AppSettings(m_settings->fileName()).rateOverrides().isEmpty());
    QVERIFY(!QSettings(m_settings->fileName(), QSettings::IniFormat).contains(u"rates/e2b/base"_s));
    const PricingCatalogue priced =
        PricingCatalogue::shipped().withOverrides(AppSettings(m_settings->fileName()).rateOverrides());
    QVERIFY(!priced.isOverridden(u"e2b"_s, u"base"_s));
    QVERIFY(!dialog.isModified());
    QVERIFY(!reset->isEnabled());

    // Reset, then a new rate: only the new one is kept.
    QVERIFY(m_settings->setRateOverride(u"e2b"_s, u"base"_s, 0.07));
    dialog.setProviderChoices({}); // reloads the fields
    QCOMPARE(rateField(&dialog, u"e2b"_s, u"base"_s)->text(), u"0.07"_s);
    reset->click();
    rateField(&dialog, u"modal"_s, u"1-core-2gib"_s)->setText(u"0.2"_s);
    QVERIFY(dialog.apply());
    const QList<RateOverride> left = AppSettings(m_settings->fileName()).rateOverrides();
    QCOMPARE(left.size(), 1);
    QCOMPARE(left.first().provider, u"modal"_s);
    QCOMPARE(left.first().usdPerHour, 0.2);
}

void TestSettingsDialog::refusedRateKeepsTheOldOne_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("errorContains");
    QTest::newRow("words") << u"abc"_s << u"“abc” is not an amount"_s;
    QTest::newRow("negative") << u"-1"_s << u"cannot be negative"_s;
    QTest::newRow("a thousand") << u"1000"_s << u"below $1000 per hour"_s;
    QTest::newRow("not finite") << u"inf"_s << u"US dollars per hour"_s;
    QTest::newRow("two numbers") << u"0.05 0.06"_s << u"is not an amount"_s;
}

void TestSettingsDialog::refusedRateKeepsTheOldOne()
{
    QFETCH(QString, text);
    QFETCH(QString, errorContains);

    QVERIFY(m_settings->setRateOverride(u"e2b"_s, u"base"_s, 0.07, QDate(2026, 10, 1)));
    const QByteArray before = settingsBytes();
    SettingsDialog dialog(*m_settings, *m_secrets);
    dialog.showPage(SettingsDialog::Page::Appearance);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy changed(&dialog, &SettingsDialog::settingsChanged);

    // Valid changes alongside the refused one are not saved either.
    child<QRadioButton>(&dialog, u"theme-dark"_s)->setChecked(true);
    rateField(&dialog, u"fly"_s, u"shared-cpu-1x-1gb"_s)->setText(u"0.004"_s);
    child<QDoubleSpinBox>(&dialog, u"monthlyBudget"_s)->setValue(35);
    QLineEdit *base = rateField(&dialog, u"e2b"_s, u"base"_s);
    base->setText(text);

    QVERIFY(!dialog.apply());
    child<QDialogButtonBox>(&dialog, {})->button(QDialogButtonBox::Ok)->click();
    QVERIFY(dialog.isVisible()); // OK does not close on a refused value
    QCOMPARE(changed.count(), 0);
    QCOMPARE(settingsBytes(), before);
    const std::optional<RateOverride> kept = storedRate(m_settings->fileName(), u"e2b"_s, u"base"_s);
    QVERIFY(kept);
    QCOMPARE(kept->usdPerHour, 0.07);
    QCOMPARE(kept->setOn, QDate(2026, 10, 1));

    auto *error = child<QLabel>(&dialog, u"ratesError"_s);
    QVERIFY(error->isVisible()); // the Pricing page was brought forward
    QCOMPARE(child<QTabWidget>(&dialog, u"settingsPages"_s)->currentIndex(),
             int(SettingsDialog::Page::Pricing));
    QVERIFY2(error->text().contains(errorContains), qPrintable(error->text()));
    QVERIFY2(error->text().contains(u"E2B, base template"_s), qPrintable(error->text())); // which size
    QCOMPARE(base->text(), text); // nothing the user typed is lost
    QCOMPARE(rateField(&dialog, u"fly"_s, u"shared-cpu-1x-1gb"_s)->text(), u"0.004"_s);
    QVERIFY(child<QLabel>(&dialog, u"leadTimesError"_s)->isHidden());

    // Editing the field clears the error; fixing it saves everything.
    base->setText(u"0.06"_s);
    QVERIFY(error->isHidden());
    QVERIFY(dialog.apply());
    QCOMPARE(changed.count(), 1);
    const AppSettings reread(m_settings->fileName());
    QCOMPARE(storedRate(m_settings->fileName(), u"e2b"_s, u"base"_s)->usdPerHour, 0.06);
    QCOMPARE(storedRate(m_settings->fileName(), u"fly"_s, u"shared-cpu-1x-1gb"_s)->usdPerHour, 0.004);
    QCOMPARE(reread.monthlyBudgetUsd(), 35.0);
    QCOMPARE(reread.theme(), AppSettings::Theme::Dark);
}

void TestSettingsDialog::budgetSpinBoxesRoundTrip()
{
    // Defaults: $0.50 per session, $20 a month; nothing is written for them.
    {
        SettingsDialog dialog(*m_settings, *m_secrets);
        auto *target = child<QDoubleSpinBox>(&dialog, u"sessionTarget"_s);
        auto *monthly = child<QDoubleSpinBox>(&dialog, u"monthlyBudget"_s);
        QCOMPARE(target->value(), 0.50);
        QCOMPARE(monthly->value(), 20.0);
        QCOMPARE(target->prefix(), u"$"_s);
        QCOMPARE(monthly->prefix(), u"$"_s);
        QVERIFY(!dialog.isModified());
        QVERIFY(dialog.apply());
        QVERIFY(
            !QSettings(m_settings->fileName(), QSettings::IniFormat).contains(u"budget/session-target"_s));
        QVERIFY(!QSettings(m_settings->fileName(), QSettings::IniFormat).contains(u"budget/monthly"_s));

        target->setValue(1.25);
        monthly->setValue(0);
        QCOMPARE(monthly->text(), u"No budget"_s);
        QVERIFY(dialog.isModified());
        QVERIFY(dialog.apply());
    }
    const AppSettings reread(m_settings->fileName());
    QCOMPARE(reread.sessionTargetUsd(), 1.25);
    QCOMPARE(reread.monthlyBudgetUsd(), 0.0);
    QCOMPARE(reread.value(u"budget.session-target"_s), u"1.25"_s);
    QCOMPARE(reread.value(u"budget.monthly"_s), u"0.00"_s);

    // Set from the CLI in another form ("2.5"): shown, and not counted as a change.
    QVERIFY(m_settings->setValue(u"budget.session-target"_s, u"2.5"_s));
    SettingsDialog dialog(*m_settings, *m_secrets);
    QCOMPARE(child<QDoubleSpinBox>(&dialog, u"sessionTarget"_s)->value(), 2.5);
    QCOMPARE(child<QDoubleSpinBox>(&dialog, u"monthlyBudget"_s)->value(), 0.0);
    QVERIFY(!dialog.isModified());
}

void TestSettingsDialog::appSettingsRateOverrides()
{
    AppSettings &settings = *m_settings;
    QVERIFY(settings.rateOverrides().isEmpty());
    QVERIFY(settings.setRateOverride(u"e2b"_s, u"base"_s, 0.05, QDate(2026, 11, 29)));
    QVERIFY(settings.setRateOverride(u"modal"_s, u"0.125-core-128mib"_s, 0.0125, QDate(2026, 11, 30)));
    QVERIFY(settings.setRateOverride(u"fly"_s, u"shared-cpu-1x-256mb"_s, 0)); // a free credit is a rate
    QVERIFY(settings.setRateOverride(u"e2b"_s, u"base"_s, 0.04, QDate(2026, 12, 1))); // replaces

    // Stored where the ini shows it, and read back by another instance.
    const QSettings ini(settings.fileName(), QSettings::IniFormat);
    QCOMPARE(ini.value(u"rates/e2b/base"_s).toString(), u"0.04@2026-12-01"_s);
    QCOMPARE(ini.value(u"rates/modal/0.125-core-128mib"_s).toString(), u"0.0125@2026-11-30"_s);
    QList<RateOverride> read = AppSettings(settings.fileName()).rateOverrides();
    std::sort(read.begin(), read.end(), [](const RateOverride &a, const RateOverride &b) {
        return std::pair(a.provider, a.size) < std::pair(b.provider, b.size);
    });
    QCOMPARE(read.size(), 3);
    QVERIFY(read.at(0) == (RateOverride{u"e2b"_s, u"base"_s, 0.04, QDate(2026, 12, 1)}));
    QVERIFY(read.at(1) == (RateOverride{u"fly"_s, u"shared-cpu-1x-256mb"_s, 0, QDate::currentDate()}));
    QVERIFY(read.at(2) == (RateOverride{u"modal"_s, u"0.125-core-128mib"_s, 0.0125, QDate(2026, 11, 30)}));

    // Refused: nothing written.
    const QByteArray before = settingsBytes();
    const struct
    {
        QString provider;
        QString size;
        double usd;
        QString error;
    } refused[] = {
        {u"heroku"_s, u"base"_s, 0.05, u"no prices for a provider “heroku”"_s},
        {u"e2b"_s, u"huge"_s, 0.05,
         u"“huge” is not a size of E2B; choose one of: 1cpu-2gib, base, 2cpu-2gib"_s},
        {u"e2b"_s, QString(), 0.05, u"is not a size of E2B"_s},
        {u"replit"_s, u"any"_s, 0.05, u"Replit has no sizes to set a rate for"_s},
        {u"local"_s, u"sandbox"_s, 0.05, u"free"_s},
        {u"e2b"_s, u"base"_s, -0.01, u"cannot be negative"_s},
        {u"e2b"_s, u"base"_s, std::nan(""), u"a number of US dollars per hour"_s},
        {u"e2b"_s, u"base"_s, INFINITY, u"a number of US dollars per hour"_s},
        {u"e2b"_s, u"base"_s, 1000, u"below $1000 per hour"_s},
    };
    for (const auto &row : refused) {
        const Result<void> set = settings.setRateOverride(row.provider, row.size, row.usd);
        QVERIFY2(!set.ok(), qPrintable(row.provider + u'/' + row.size));
        QVERIFY2(set.error().contains(row.error), qPrintable(set.error()));
    }
    QCOMPARE(settingsBytes(), before);
    QVERIFY(settings.setRateOverride(u"e2b"_s, u"base"_s, 999.99));

    // A hand-edited file: a rate without a date counts, text that is no rate is skipped.
    {
        QSettings edit(settings.fileName(), QSettings::IniFormat);
        edit.setValue(u"rates/digitalocean/s-1vcpu-1gb"_s, u"0.007"_s);
        edit.setValue(u"rates/runpod/cpu3c-2-4"_s, u"cheap@2026-11-01"_s);
        edit.setValue(u"rates/fly/shared-cpu-1x-1gb"_s, u"-3@2026-11-01"_s);
    }
    const AppSettings edited(settings.fileName());
    QCOMPARE(edited.rateOverrides().size(), 4);
    bool sawDo = false;
    for (const RateOverride &rate : edited.rateOverrides()) {
        QVERIFY2(rate.provider != u"runpod"_s && rate.size != u"shared-cpu-1x-1gb"_s, qPrintable(rate.size));
        if (rate.provider == u"digitalocean"_s) {
            sawDo = true;
            QCOMPARE(rate.usdPerHour, 0.007);
            QVERIFY(!rate.setOn.isValid());
        }
    }
    QVERIFY(sawDo);

    settings.clearRateOverride(u"e2b"_s, u"base"_s);
    QVERIFY(!storedRate(settings.fileName(), u"e2b"_s, u"base"_s));
    QVERIFY(storedRate(settings.fileName(), u"modal"_s, u"0.125-core-128mib"_s));
    settings.clearRateOverrides();
    QVERIFY(AppSettings(settings.fileName()).rateOverrides().isEmpty());
    QVERIFY(!QSettings(settings.fileName(), QSettings::IniFormat).contains(u"rates/runpod/cpu3c-2-4"_s));
    // Rates are not `spawnai config` keys.
    QVERIFY(!settings.setValue(u"rates.e2b.base"_s, u"0.05"_s));
}

void TestSettingsDialog::appSettingsBudgetKeys_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<double>("usd"); // what the accessor returns afterwards
    for (const QString &key : {u"budget.session-target"_s, u"budget.monthly"_s}) {
        const double fallback = key == u"budget.monthly"_s ? 20.0 : 0.50;
        const QByteArray name = key.toUtf8();
        QTest::addRow("%s 12.5", name.constData()) << key << u"12.5"_s << true << 12.5;
        QTest::addRow("%s 0", name.constData()) << key << u"0"_s << true << 0.0;
        QTest::addRow("%s padded", name.constData()) << key << u" 3 "_s << true << 3.0;
        QTest::addRow("%s words", name.constData()) << key << u"lots"_s << false << fallback;
        QTest::addRow("%s dollar sign", name.constData()) << key << u"$5"_s << false << fallback;
        QTest::addRow("%s negative", name.constData()) << key << u"-1"_s << false << fallback;
        QTest::addRow("%s empty", name.constData()) << key << QString() << false << fallback;
        QTest::addRow("%s not finite", name.constData()) << key << u"inf"_s << false << fallback;
        QTest::addRow("%s too much", name.constData()) << key << u"2000000"_s << false << fallback;
    }
}

void TestSettingsDialog::appSettingsBudgetKeys()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(bool, accepted);
    QFETCH(double, usd);

    // Listed for `spawnai config`, with a description and the default.
    const QList<AppSettings::Key> keys = AppSettings::keys();
    const auto known =
        std::find_if(keys.cbegin(), keys.cend(), [&](const AppSettings::Key &k) { return k.name == key; });
    QVERIFY(known != keys.cend());
    QVERIFY(known->description.contains(u"US dollars"_s));
    QCOMPARE(known->defaultValue, key == u"budget.monthly"_s ? u"20.00"_s : u"0.50"_s);
    QCOMPARE(m_settings->value(key), known->defaultValue);

    const Result<void> set = m_settings->setValue(key, value);
    QCOMPARE(set.ok(), accepted);
    if (!accepted)
        QVERIFY2(set.error().contains(key) && set.error().contains(u"US dollars"_s), qPrintable(set.error()));
    const AppSettings reread(m_settings->fileName());
    QCOMPARE(key == u"budget.monthly"_s ? reread.monthlyBudgetUsd() : reread.sessionTargetUsd(), usd);
}

// The child side of keychainUnavailableBanner: shows the Keys page and reports what it says.
static int runNoKeychainScenario()
{
    QTemporaryDir dir;
    AppSettings settings(dir.filePath(u"spawnai.conf"_s));
    SecretStore secrets(nullptr);
    secrets.setRetryDelay(std::chrono::milliseconds(50));
    SettingsDialog dialog(settings, secrets);
    dialog.showPage(SettingsDialog::Page::Keys);
    dialog.show();
    const auto settled = [&] {
        for (const QString &provider : SecretStore::providers()) {
            const QString text = statusText(&dialog, provider);
            if (text == u"Checking…"_s || text == u"Not checked"_s)
                return false;
        }
        return true;
    };
    const bool done = QTest::qWaitFor(settled, 30'000);
    QTextStream out(stdout);
    auto *banner = dialog.findChild<QWidget *>(u"keychainBanner"_s);
    out << "banner: " << (banner && banner->isVisible() ? "visible" : "hidden") << '\n';
    if (auto *message = dialog.findChild<QLabel *>(u"keychainMessage"_s))
        out << "message: " << message->text() << '\n';
    for (const QString &provider : SecretStore::providers())
        out << provider << ": " << statusText(&dialog, provider) << '\n';
    return done ? 0 : 1;
}

// Shows the dialog for a screenshot (../shared/tools/screenshot) until killed.
static int runScreenshot(QApplication &app)
{
    const QStringList args = app.arguments();
    const QString page = args.value(args.indexOf(u"--screenshot"_s) + 1);
    const bool dark = args.contains(u"dark"_s);
    Theme::apply(app, dark ? AppSettings::Theme::Dark : AppSettings::Theme::Light);
    QApplication::setWindowIcon(QIcon(u":/spawnai/icons/spawnai.svg"_s));

    static QTemporaryDir dir;
    static AppSettings settings(dir.filePath(u"spawnai.conf"_s));
    auto *secrets = new SecretStore(&app);
    if (args.contains(u"--with-rates"_s)) {
        (void)settings.setRateOverride(u"e2b"_s, u"base"_s, 0.05);
        (void)settings.setRateOverride(u"digitalocean"_s, u"s-1vcpu-1gb"_s, 0.007);
    }
    auto *dialog = new SettingsDialog(settings, *secrets);
    const QMap<QString, SettingsDialog::Page> pages = {{u"keys"_s, SettingsDialog::Page::Keys},
                                                       {u"defaults"_s, SettingsDialog::Page::Defaults},
                                                       {u"pricing"_s, SettingsDialog::Page::Pricing},
                                                       {u"sandbox"_s, SettingsDialog::Page::Sandbox},
                                                       {u"appearance"_s, SettingsDialog::Page::Appearance}};
    dialog->showPage(pages.value(page, SettingsDialog::Page::Keys));
    if (args.contains(u"--errors"_s)) {
        dialog->findChild<QComboBox *>(u"defaultLifetime"_s)->setEditText(u"forever"_s);
        dialog->findChild<QLineEdit *>(u"leadTimes"_s)->setText(u"10m, soon"_s);
        (void)dialog->apply();
    }
    if (args.contains(u"--rate-errors"_s)) {
        dialog->findChild<QLineEdit *>(u"rate-fly-shared-cpu-1x-1gb"_s)->setText(u"abc"_s);
        (void)dialog->apply();
    }
    if (args.contains(u"--unsandboxed"_s))
        dialog->findChild<QCheckBox *>(u"allowUnsandboxed"_s)->click();
    const auto show = [dialog] {
        dialog->move(40, 40);
        dialog->show();
    };
    if (args.contains(u"--with-key"_s)) {
        secrets->write(u"anthropic"_s, u"sk-ant-screenshot-0000"_s, dialog,
                       [show](const SecretResult &) { show(); });
    } else {
        show();
    }
    if (args.contains(u"--set-dialog"_s)) {
        QTimer::singleShot(800, dialog, [dialog] {
            dialog->findChild<QPushButton *>(u"keySet-e2b"_s)->click();
            if (auto *edit = dialog->findChild<QLineEdit *>(u"keyInput"_s))
                edit->setText(u"e2b_0123456789"_s);
        });
    }
    if (args.contains(u"--test-key"_s))
        QTimer::singleShot(1200, dialog,
                           [dialog] { dialog->findChild<QPushButton *>(u"keyTest-anthropic"_s)->click(); });
    return app.exec();
}

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.contains(u"--scenario"_s))
        return runNoKeychainScenario();
    if (args.contains(u"--screenshot"_s))
        return runScreenshot(app);
    TestSettingsDialog test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_settingsdialog.moc"
