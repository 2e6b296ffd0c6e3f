#pragma once

#include "appsettings.h"

#include <QColor>
#include <QObject>
#include <QPalette>

class QApplication;
class QDBusVariant;

// Light and dark window colours. Qt 6.4 has no colour-scheme API, so the desktop's preference is read from
// the XDG desktop portal (GNOME, KDE and others answer there), then GTK_THEME, then the platform palette.
namespace Theme {

// Whether the desktop prefers dark windows. Waits at most `portalTimeoutMs` for the portal so a missing or
// hung one never holds up startup; without an answer, falls back to GTK_THEME and the platform palette.
bool systemPrefersDark(int portalTimeoutMs = 250);

// Fusion's own light palette, with a darker selection colour so selected text stays readable (4.5:1).
QPalette lightPalette();
// A complete hand-made dark palette: every role in the active, inactive and disabled groups.
QPalette darkPalette();
bool isDark(const QPalette &palette);

// The Fusion style with the light or dark palette (System asks systemPrefersDark()). Also sets the tooltip
// palette, which Qt keeps separately.
void apply(QApplication &app, AppSettings::Theme choice);
void applyDark(QApplication &app, bool dark);

// Message colours that stay readable (4.5:1) on `palette`'s window colour, light or dark.
QColor errorColor(const QPalette &palette);
QColor warningColor(const QPalette &palette);
QColor successColor(const QPalette &palette);

} // namespace Theme

// Keeps the application's palette in line with a theme choice and, for System, with the desktop: it follows
// the portal's SettingChanged signal, so switching the desktop to dark switches SpawnAI too.
class ThemeFollower final : public QObject
{
    Q_OBJECT
public:
    ThemeFollower(QApplication &app, AppSettings::Theme choice, QObject *parent);

    void setChoice(AppSettings::Theme choice);
    AppSettings::Theme choice() const { return m_choice; }
    bool isDark() const { return m_dark; }
    bool systemPrefersDark() const { return m_systemDark; } // as last read from the desktop

signals:
    void darkChanged(bool dark);

private slots:
    // Connected by name: QDBusConnection::connect takes no member pointers.
    void onPortalSettingChanged(const QString &group, const QString &key, const QDBusVariant &value);

private:
    void readPortalLater();
    void setSystemDark(bool dark);
    void update();

    QApplication &m_app;
    AppSettings::Theme m_choice;
    bool m_systemDark = false;
    bool m_dark = false;
    bool m_applied = false;
};
