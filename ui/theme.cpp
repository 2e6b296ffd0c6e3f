#include "theme.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusVariant>
#include <QLoggingCategory>
#include <QStyle>
#include <QStyleFactory>
#include <QToolTip>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTheme, "spawnai.ui.theme")

namespace {

const QString kPortalService = u"org.freedesktop.portal.Desktop"_s;
const QString kPortalPath = u"/org/freedesktop/portal/desktop"_s;
const QString kPortalSettings = u"org.freedesktop.portal.Settings"_s;
const QString kAppearance = u"org.freedesktop.appearance"_s;
const QString kColorScheme = u"color-scheme"_s;

// Long enough for a portal that D-Bus starts on first use; it only corrects the first guess.
constexpr int kLatePortalTimeoutMs = 5000;

// The portal wraps Read's value in one variant more than the spec's signature says (it returns "v" holding
// a "v"); SettingChanged sends it wrapped once. Unwrap whatever arrives.
QVariant unwrap(QVariant value)
{
    while (value.metaType() == QMetaType::fromType<QDBusVariant>())
        value = qvariant_cast<QDBusVariant>(value).variant();
    return value;
}

// color-scheme: 0 no preference, 1 prefer dark, 2 prefer light. Only 1 and 2 are answers.
std::optional<bool> darkFromColorScheme(const QVariant &value)
{
    bool ok = false;
    const uint scheme = unwrap(value).toUInt(&ok);
    if (!ok || (scheme != 1 && scheme != 2))
        return std::nullopt;
    return scheme == 1;
}

QDBusMessage portalReadCall()
{
    QDBusMessage call =
        QDBusMessage::createMethodCall(kPortalService, kPortalPath, kPortalSettings, u"Read"_s);
    call << kAppearance << kColorScheme;
    return call;
}

std::optional<bool> portalPrefersDark(int timeoutMs)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return std::nullopt;
    // Blocks without an event loop, for at most timeoutMs.
    const QDBusMessage reply = bus.call(portalReadCall(), QDBus::Block, timeoutMs);
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty()) {
        qCDebug(lcTheme) << "portal gave no colour scheme:" << reply.errorName() << reply.errorMessage();
        return std::nullopt;
    }
    return darkFromColorScheme(reply.arguments().constFirst());
}

std::optional<QPalette> &platformPaletteSlot()
{
    static std::optional<QPalette> palette;
    return palette;
}

// The palette the platform gave before SpawnAI set its own; captured once, before the first apply().
void capturePlatformPalette()
{
    if (!platformPaletteSlot() && qGuiApp)
        platformPaletteSlot() = QGuiApplication::palette();
}

// Without a portal answer: GTK_THEME ("Adwaita:dark"), then whether the platform's window colour is dark.
bool fallbackPrefersDark()
{
    const QString gtkTheme = qEnvironmentVariable("GTK_THEME");
    if (!gtkTheme.isEmpty())
        return gtkTheme.endsWith(u":dark"_s, Qt::CaseInsensitive) ||
               gtkTheme.contains(u"dark"_s, Qt::CaseInsensitive);
    capturePlatformPalette();
    return platformPaletteSlot() && Theme::isDark(*platformPaletteSlot());
}

void setAll(QPalette &palette, QPalette::ColorRole role, const QColor &normal, const QColor &disabled)
{
    palette.setColor(QPalette::Active, role, normal);
    palette.setColor(QPalette::Inactive, role, normal);
    palette.setColor(QPalette::Disabled, role, disabled);
}

bool usesFusion(const QApplication &app)
{
    return app.style() && app.style()->name().compare(u"fusion"_s, Qt::CaseInsensitive) == 0;
}

} // namespace

namespace Theme {

bool systemPrefersDark(int portalTimeoutMs)
{
    if (const std::optional<bool> portal = portalPrefersDark(portalTimeoutMs))
        return *portal;
    return fallbackPrefersDark();
}

QPalette lightPalette()
{
    const std::unique_ptr<QStyle> fusion(QStyleFactory::create(u"Fusion"_s));
    QPalette palette = fusion ? fusion->standardPalette() : QPalette(QColor(239, 239, 239));
    // Fusion's selection blue (#308cc6) gives white text only 3.7:1.
    palette.setColor(QPalette::Active, QPalette::Highlight, QColor(0x2a72b5));
    palette.setColor(QPalette::Inactive, QPalette::Highlight, QColor(0x2a72b5));
    palette.setColor(QPalette::Active, QPalette::Link, QColor(0x1a5fb4));
    palette.setColor(QPalette::Inactive, QPalette::Link, QColor(0x1a5fb4));
    return palette;
}

QPalette darkPalette()
{
    // Grey-blue neutrals rather than pure black: easier on the eyes and leaves room for frames and shadows.
    QPalette p;
    setAll(p, QPalette::Window, QColor(0x2b2d30), QColor(0x2b2d30));
    setAll(p, QPalette::WindowText, QColor(0xe8e8e8), QColor(0x7f8287));
    setAll(p, QPalette::Base, QColor(0x1e1f22), QColor(0x25272a));
    setAll(p, QPalette::AlternateBase, QColor(0x26282b), QColor(0x292b2e));
    setAll(p, QPalette::ToolTipBase, QColor(0x3c3f44), QColor(0x3c3f44));
    setAll(p, QPalette::ToolTipText, QColor(0xf0f0f0), QColor(0x9a9da2));
    setAll(p, QPalette::PlaceholderText, QColor(0x8d9096), QColor(0x5f6267));
    setAll(p, QPalette::Text, QColor(0xe8e8e8), QColor(0x7f8287));
    setAll(p, QPalette::Button, QColor(0x3a3d41), QColor(0x323438));
    setAll(p, QPalette::ButtonText, QColor(0xe8e8e8), QColor(0x7f8287));
    setAll(p, QPalette::BrightText, QColor(0xffffff), QColor(0xb0b3b8));
    // Fusion draws bevels, frames and handles from these.
    setAll(p, QPalette::Light, QColor(0x50545a), QColor(0x45484d));
    setAll(p, QPalette::Midlight, QColor(0x43464b), QColor(0x3b3e42));
    setAll(p, QPalette::Mid, QColor(0x303236), QColor(0x2e3033));
    setAll(p, QPalette::Dark, QColor(0x17181a), QColor(0x1c1d1f));
    setAll(p, QPalette::Shadow, QColor(0x0b0b0c), QColor(0x0b0b0c));
    setAll(p, QPalette::Highlight, QColor(0x2a62c4), QColor(0x3e4249));
    setAll(p, QPalette::HighlightedText, QColor(0xffffff), QColor(0xa4a7ac));
    setAll(p, QPalette::Link, QColor(0x6cb0ff), QColor(0x4c7db5));
    setAll(p, QPalette::LinkVisited, QColor(0xc99cff), QColor(0x8c70b3));
    return p;
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Active, QPalette::Window).lightnessF() < 0.5;
}

void applyDark(QApplication &app, bool dark)
{
    capturePlatformPalette();
    // One style for both, so switching changes colours only; Fusion draws every role of a custom palette.
    if (!usesFusion(app))
        QApplication::setStyle(u"Fusion"_s);
    const QPalette palette = dark ? darkPalette() : lightPalette();
    QApplication::setPalette(palette);
    QToolTip::setPalette(palette);
    qCDebug(lcTheme) << "applied" << (dark ? "dark" : "light") << "palette";
}

void apply(QApplication &app, AppSettings::Theme choice)
{
    switch (choice) {
    case AppSettings::Theme::Light:
        applyDark(app, false);
        return;
    case AppSettings::Theme::Dark:
        applyDark(app, true);
        return;
    case AppSettings::Theme::System:
        applyDark(app, systemPrefersDark());
        return;
    }
}

QColor errorColor(const QPalette &palette)
{
    return isDark(palette) ? QColor(0xff8a80) : QColor(0xb3261e);
}

QColor warningColor(const QPalette &palette)
{
    return isDark(palette) ? QColor(0xffc24d) : QColor(0x8a5300);
}

QColor successColor(const QPalette &palette)
{
    return isDark(palette) ? QColor(0x7ddc8c) : QColor(0x1e7a34);
}

} // namespace Theme

ThemeFollower::ThemeFollower(QApplication &app, AppSettings::Theme choice, QObject *parent)
    : QObject(parent)
    , m_app(app)
    , m_choice(choice)
{
    capturePlatformPalette();
    m_systemDark = Theme::systemPrefersDark();
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (bus.isConnected()) {
        bus.connect(kPortalService, kPortalPath, kPortalSettings, u"SettingChanged"_s, this,
                    SLOT(onPortalSettingChanged(QString, QString, QDBusVariant)));
        readPortalLater();
    }
    update();
}

void ThemeFollower::setChoice(AppSettings::Theme choice)
{
    m_choice = choice;
    update();
}

void ThemeFollower::onPortalSettingChanged(const QString &group, const QString &key,
                                           const QDBusVariant &value)
{
    if (group != kAppearance || key != kColorScheme)
        return;
    const std::optional<bool> dark = darkFromColorScheme(value.variant());
    setSystemDark(dark ? *dark : fallbackPrefersDark());
}

// The short startup read may have timed out while D-Bus was still starting the portal; ask once more
// without blocking and correct the first guess if the answer differs.
void ThemeFollower::readPortalLater()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(portalReadCall(), kLatePortalTimeoutMs), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *call) {
        call->deleteLater();
        const QDBusMessage reply = call->reply();
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
            return;
        if (const std::optional<bool> dark = darkFromColorScheme(reply.arguments().constFirst()))
            setSystemDark(*dark);
    });
}

void ThemeFollower::setSystemDark(bool dark)
{
    if (dark == m_systemDark)
        return;
    m_systemDark = dark;
    update();
}

void ThemeFollower::update()
{
    const bool dark =
        m_choice == AppSettings::Theme::Dark || (m_choice == AppSettings::Theme::System && m_systemDark);
    if (m_applied && dark == m_dark)
        return;
    m_applied = true;
    Theme::applyDark(m_app, dark);
    if (dark != m_dark) {
        m_dark = dark;
        emit darkChanged(dark);
    }
}
