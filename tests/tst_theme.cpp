// Theme: both palettes are readable (WCAG contrast), the dark one is complete, apply() switches, the system
// preference comes from the XDG desktop portal (a fake one on a private bus, in a child process) or the
// fallbacks, a hung portal cannot hold up startup, and the app icon renders at 16 and 256 px.
//
// The test re-runs itself under dbus-run-session so the fake portal never meets a real desktop's portal.
#include "theme.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusContext>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QElapsedTimer>
#include <QFile>
#include <QIcon>
#include <QImage>
#include <QPixmap>
#include <QProcess>
#include <QSignalSpy>
#include <QStyle>
#include <QTest>
#include <QTextStream>
#include <QToolTip>

#include <unistd.h>

#include <cmath>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

const QString kService = u"org.freedesktop.portal.Desktop"_s;
const QString kPath = u"/org/freedesktop/portal/desktop"_s;
const QString kInterface = u"org.freedesktop.portal.Settings"_s;
constexpr char kPrivateBusVariable[] = "SPAWNAI_THEME_TEST_BUS";

// WCAG 2 relative luminance and contrast ratio.
double luminance(const QColor &colour)
{
    const auto channel = [](double c) {
        return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) +
           0.0722 * channel(colour.blueF());
}

double contrastRatio(const QColor &a, const QColor &b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

} // namespace

// The portal's Settings interface as xdg-desktop-portal serves it, plus two test controls.
class FakePortal final : public QObject, protected QDBusContext
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.portal.Settings")
public:
    using QObject::QObject;

public slots:
    QDBusVariant Read(const QString &group, const QString &key)
    {
        if (m_stalled) {
            setDelayedReply(true); // and never answer, like a hung portal
            return {};
        }
        if (group != u"org.freedesktop.appearance"_s || key != u"color-scheme"_s) {
            sendErrorReply(u"org.freedesktop.portal.Error.NotFound"_s, u"Requested setting not found"_s);
            return {};
        }
        // Read's value comes wrapped in one variant too many, as the real portal sends it.
        return QDBusVariant(QVariant::fromValue(QDBusVariant(m_scheme)));
    }
    void SetColorScheme(uint scheme)
    {
        m_scheme = scheme;
        emit SettingChanged(u"org.freedesktop.appearance"_s, u"color-scheme"_s, QDBusVariant(scheme));
    }
    void SetStalled(bool stalled) { m_stalled = stalled; }

signals:
    void SettingChanged(const QString &group, const QString &key, const QDBusVariant &value);

private:
    uint m_scheme = 0;
    bool m_stalled = false;
};

class TestTheme final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void darkPaletteIsComplete();
    void lightness();
    void contrast_data();
    void contrast();
    void messageColoursReadable_data();
    void messageColoursReadable();
    void applySwitches();

    void portalPreference_data();
    void portalPreference();
    void hungPortalDoesNotBlock();
    void followerFollowsPortal();

    void iconRenders_data();
    void iconRenders();

private:
    bool callPortal(const QString &method, const QVariant &argument);

    QProcess m_portal;
    bool m_portalUp = false;
};

void TestTheme::initTestCase()
{
    if (qEnvironmentVariable(kPrivateBusVariable) != u"1"_s)
        return; // no private bus: the portal tests skip rather than meet the desktop's real portal
    m_portal.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_portal.start(QCoreApplication::applicationFilePath(), {u"--fake-portal"_s});
    m_portalUp = m_portal.waitForStarted(10'000) &&
                 QTest::qWaitFor([this] { return m_portal.canReadLine(); }, 10'000) &&
                 m_portal.readLine().trimmed() == "ready";
}

void TestTheme::cleanupTestCase()
{
    if (m_portal.state() != QProcess::NotRunning) {
        m_portal.terminate();
        if (!m_portal.waitForFinished(5'000))
            m_portal.kill();
    }
}

void TestTheme::init()
{
    qunsetenv("GTK_THEME");
}

bool TestTheme::callPortal(const QString &method, const QVariant &argument)
{
    QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kInterface, method);
    call << argument;
    return QDBusConnection::sessionBus().call(call, QDBus::Block, 5'000).type() == QDBusMessage::ReplyMessage;
}

void TestTheme::darkPaletteIsComplete()
{
    const QPalette dark = Theme::darkPalette();
    for (const auto group : {QPalette::Active, QPalette::Inactive, QPalette::Disabled}) {
        for (int role = 0; role < QPalette::NColorRoles; ++role) {
            if (role == QPalette::NoRole)
                continue;
            if (!dark.isBrushSet(group, QPalette::ColorRole(role)))
                QFAIL(qPrintable(u"role %1 of group %2 is not set"_s.arg(role).arg(int(group))));
        }
    }
    // Disabled text is visibly dimmer than enabled text.
    QVERIFY(contrastRatio(dark.color(QPalette::Disabled, QPalette::Text),
                          dark.color(QPalette::Disabled, QPalette::Base)) <
            contrastRatio(dark.color(QPalette::Active, QPalette::Text),
                          dark.color(QPalette::Active, QPalette::Base)));
}

void TestTheme::lightness()
{
    QVERIFY(Theme::darkPalette().color(QPalette::Window).lightnessF() < 0.3);
    QVERIFY(Theme::darkPalette().color(QPalette::Base).lightnessF() < 0.3);
    QVERIFY(Theme::isDark(Theme::darkPalette()));
    QVERIFY(Theme::lightPalette().color(QPalette::Window).lightnessF() > 0.7);
    QVERIFY(Theme::lightPalette().color(QPalette::Base).lightnessF() > 0.7);
    QVERIFY(!Theme::isDark(Theme::lightPalette()));
}

void TestTheme::contrast_data()
{
    QTest::addColumn<bool>("dark");
    QTest::addColumn<int>("group");
    QTest::addColumn<int>("foreground");
    QTest::addColumn<int>("background");
    const std::vector<std::tuple<const char *, QPalette::ColorRole, QPalette::ColorRole>> pairs = {
        {"Text/Base", QPalette::Text, QPalette::Base},
        {"WindowText/Window", QPalette::WindowText, QPalette::Window},
        {"ButtonText/Button", QPalette::ButtonText, QPalette::Button},
        {"HighlightedText/Highlight", QPalette::HighlightedText, QPalette::Highlight},
        {"ToolTipText/ToolTipBase", QPalette::ToolTipText, QPalette::ToolTipBase},
        {"Link/Base", QPalette::Link, QPalette::Base},
    };
    for (const bool dark : {true, false}) {
        for (const auto group : {QPalette::Active, QPalette::Inactive}) {
            for (const auto &[name, fg, bg] : pairs) {
                QTest::addRow("%s %s %s", dark ? "dark" : "light",
                              group == QPalette::Active ? "active" : "inactive", name)
                    << dark << int(group) << int(fg) << int(bg);
            }
        }
    }
    QTest::addRow("dark placeholder")
        << true << int(QPalette::Active) << int(QPalette::PlaceholderText) << int(QPalette::Base);
}

void TestTheme::contrast()
{
    QFETCH(bool, dark);
    QFETCH(int, group);
    QFETCH(int, foreground);
    QFETCH(int, background);
    const QPalette palette = dark ? Theme::darkPalette() : Theme::lightPalette();
    const auto g = QPalette::ColorGroup(group);
    const QColor fg = palette.color(g, QPalette::ColorRole(foreground));
    const QColor bg = palette.color(g, QPalette::ColorRole(background));
    const double ratio = contrastRatio(fg, bg);
    if (ratio < 4.5)
        QFAIL(qPrintable(u"%1 on %2: %3:1, below 4.5:1"_s.arg(fg.name(), bg.name()).arg(ratio, 0, 'f', 2)));
}

void TestTheme::messageColoursReadable_data()
{
    QTest::addColumn<bool>("dark");
    QTest::newRow("dark") << true;
    QTest::newRow("light") << false;
}

void TestTheme::messageColoursReadable()
{
    QFETCH(bool, dark);
    const QPalette palette = dark ? Theme::darkPalette() : Theme::lightPalette();
    const QColor window = palette.color(QPalette::Window);
    QVERIFY(contrastRatio(Theme::errorColor(palette), window) >= 4.5);
    QVERIFY(contrastRatio(Theme::warningColor(palette), window) >= 4.5);
    QVERIFY(contrastRatio(Theme::successColor(palette), window) >= 4.5);
}

void TestTheme::applySwitches()
{
    auto &app = *qApp;
    Theme::apply(app, AppSettings::Theme::Dark);
    QCOMPARE(app.style()->name().toLower(), u"fusion"_s);
    QVERIFY(Theme::isDark(QApplication::palette()));
    QVERIFY(Theme::isDark(QToolTip::palette()));
    QWidget widget;
    QVERIFY(Theme::isDark(widget.palette()));
    QCOMPARE(QApplication::palette().color(QPalette::Text), Theme::darkPalette().color(QPalette::Text));

    Theme::apply(app, AppSettings::Theme::Light);
    QVERIFY(!Theme::isDark(QApplication::palette()));
    QVERIFY(!Theme::isDark(QToolTip::palette()));
    QTRY_VERIFY(!Theme::isDark(widget.palette())); // existing widgets follow (through posted events)
    QCOMPARE(QApplication::palette().color(QPalette::Highlight),
             Theme::lightPalette().color(QPalette::Highlight));

    Theme::applyDark(app, true);
    QTRY_VERIFY(Theme::isDark(widget.palette()));
    Theme::applyDark(app, false);
}

void TestTheme::portalPreference_data()
{
    QTest::addColumn<uint>("scheme");
    QTest::addColumn<QString>("gtkTheme");
    QTest::addColumn<bool>("dark");
    QTest::newRow("portal prefers dark") << 1u << QString() << true;
    QTest::newRow("portal prefers light") << 2u << QString() << false;
    QTest::newRow("portal wins over GTK_THEME") << 2u << u"Adwaita:dark"_s << false;
    QTest::newRow("no preference, GTK_THEME :dark") << 0u << u"Adwaita:dark"_s << true;
    QTest::newRow("no preference, GTK_THEME name") << 0u << u"Yaru-dark"_s << true;
    QTest::newRow("no preference, light GTK_THEME") << 0u << u"Adwaita"_s << false;
    QTest::newRow("no preference, platform palette") << 0u << QString() << false; // offscreen: light
}

void TestTheme::portalPreference()
{
    if (!m_portalUp)
        QSKIP("no private D-Bus session with the fake portal (dbus-run-session missing?)");
    QFETCH(uint, scheme);
    QFETCH(QString, gtkTheme);
    QFETCH(bool, dark);
    QVERIFY(callPortal(u"SetColorScheme"_s, QVariant::fromValue(scheme)));
    if (!gtkTheme.isEmpty())
        qputenv("GTK_THEME", gtkTheme.toUtf8());
    QCOMPARE(Theme::systemPrefersDark(), dark);
}

void TestTheme::hungPortalDoesNotBlock()
{
    if (!m_portalUp)
        QSKIP("no private D-Bus session with the fake portal (dbus-run-session missing?)");
    QVERIFY(callPortal(u"SetColorScheme"_s, QVariant::fromValue(2u)));
    QVERIFY(callPortal(u"SetStalled"_s, true));
    qputenv("GTK_THEME", "Adwaita:dark");
    QElapsedTimer timer;
    timer.start();
    QVERIFY(Theme::systemPrefersDark(200)); // the fallback answered, not the portal
    QVERIFY2(timer.elapsed() < 1'000, qPrintable(u"took %1 ms"_s.arg(timer.elapsed())));
    QVERIFY(callPortal(u"SetStalled"_s, false));
}

void TestTheme::followerFollowsPortal()
{
    if (!m_portalUp)
        QSKIP("no private D-Bus session with the fake portal (dbus-run-session missing?)");
    QVERIFY(callPortal(u"SetColorScheme"_s, QVariant::fromValue(2u)));
    ThemeFollower follower(*qApp, AppSettings::Theme::System, this);
    QVERIFY(!follower.isDark());
    QVERIFY(!Theme::isDark(QApplication::palette()));
    QSignalSpy changed(&follower, &ThemeFollower::darkChanged);

    QVERIFY(callPortal(u"SetColorScheme"_s, QVariant::fromValue(1u)));
    QTRY_VERIFY(follower.isDark());
    QVERIFY(Theme::isDark(QApplication::palette()));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.constFirst().constFirst().toBool(), true);

    // An explicit choice wins over the desktop, and System picks the desktop's choice up again.
    follower.setChoice(AppSettings::Theme::Light);
    QVERIFY(!Theme::isDark(QApplication::palette()));
    QVERIFY(follower.systemPrefersDark());
    follower.setChoice(AppSettings::Theme::System);
    QVERIFY(Theme::isDark(QApplication::palette()));

    // Other settings changing do not matter; the desktop going light does.
    QVERIFY(callPortal(u"SetColorScheme"_s, QVariant::fromValue(2u)));
    QTRY_VERIFY(!follower.isDark());
    QVERIFY(!Theme::isDark(QApplication::palette()));
}

void TestTheme::iconRenders_data()
{
    QTest::addColumn<int>("size");
    QTest::newRow("16") << 16;
    QTest::newRow("22") << 22;
    QTest::newRow("256") << 256;
}

void TestTheme::iconRenders()
{
    QFETCH(int, size);
    const QIcon icon(u":/spawnai/icons/spawnai.svg"_s);
    QVERIFY(!icon.isNull());
    const QPixmap pixmap = icon.pixmap(size);
    QVERIFY(!pixmap.isNull());
    const QImage image = pixmap.toImage().convertToFormat(QImage::Format_ARGB32);
    QCOMPARE(image.width(), size);

    int opaque = 0;
    int amber = 0;
    int white = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.alpha() > 200) {
                ++opaque;
                amber += c.red() > 200 && c.green() > 130 && c.blue() < 110;
                white += c.red() > 220 && c.green() > 220 && c.blue() > 220;
            }
        }
    }
    const int pixels = image.width() * image.height();
    QVERIFY2(opaque > pixels / 2, qPrintable(u"%1 of %2 pixels opaque"_s.arg(opaque).arg(pixels)));
    QVERIFY2(amber > 0 && white > 0, "the countdown arc and the spark are visible");
    QCOMPARE(image.pixelColor(0, 0).alpha(), 0); // a rounded tile, not a square
}

// The fake portal's process: owns the portal's name on the (private) session bus until terminated.
static int runFakePortal(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    qRegisterMetaType<QDBusVariant>(); // before export: SettingChanged carries one
    FakePortal portal;
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.registerObject(kPath, &portal,
                            QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals) ||
        !bus.registerService(kService)) {
        QTextStream(stderr) << "fake portal: cannot register: " << bus.lastError().message() << Qt::endl;
        return 1;
    }
    QTextStream(stdout) << "ready" << Qt::endl;
    return app.exec();
}

int main(int argc, char *argv[])
{
    if (argc > 1 && qstrcmp(argv[1], "--fake-portal") == 0)
        return runFakePortal(argc, argv);

    if (qEnvironmentVariableIsEmpty(kPrivateBusVariable)) {
        // Once, run again on a private session bus (dbus-run-session ends it with us).
        qputenv(kPrivateBusVariable, "1");
        const QByteArray self = QFile::symLinkTarget(u"/proc/self/exe"_s).toLocal8Bit();
        std::vector<char *> args{const_cast<char *>("dbus-run-session"), const_cast<char *>("--"),
                                 const_cast<char *>(self.constData())};
        for (int i = 1; i < argc; ++i)
            args.push_back(argv[i]);
        args.push_back(nullptr);
        execvp("dbus-run-session", args.data());
        qputenv(kPrivateBusVariable, "none"); // exec failed: run here, without the portal tests
    }

    QApplication app(argc, argv);
    TestTheme test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_theme.moc"
