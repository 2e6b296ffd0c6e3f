#pragma once

#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QString>
#include <QVersionNumber>

// Whether bubblewrap can build SpawnAI's sandbox on this machine, and if not, why and how to fix it.
struct SandboxSupport
{
    bool available = false;
    QString bwrapPath;
    QVersionNumber version;
    QString problem; // what failed, with bwrap's own words
    QString fix;     // what the user can do about it
};

// Runs `bwrap --version`, then a trial sandbox with the same namespaces a real one uses (reliability.md
// §1.5): a kernel or AppArmor policy that refuses user namespaces only shows up when one is created.
class BwrapProbe final : public QObject
{
    Q_OBJECT
public:
    static inline const QVersionNumber kMinimumVersion{0, 8, 0}; // --disable-userns and --size

    explicit BwrapProbe(const QString &bwrapPath, QObject *parent = nullptr);
    void setTimeout(int ms) { m_timeoutMs = ms; } // for a bwrap that hangs
    void start();

    // Explains a failed trial from bwrap's stderr (pure, for tests).
    static SandboxSupport diagnose(const QString &bwrapPath, const QString &stderrText, int exitCode);
    static QVersionNumber parseVersion(const QString &versionOutput);

signals:
    void finished(const SandboxSupport &support);

private:
    void runVersion();
    void runTrial();
    void finish(SandboxSupport support);

    QString m_bwrapPath;
    int m_timeoutMs = 10'000;
    SandboxSupport m_support;
    QPointer<QProcess> m_process;
};
