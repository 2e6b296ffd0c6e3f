// Whether bubblewrap can sandbox apps here, and the advice given when it cannot.
#include "local/bwrapprobe.h"
#include "testsupport.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestBwrapProbe : public QObject
{
    Q_OBJECT

    SandboxSupport probe(const QString &bwrap)
    {
        BwrapProbe probe(bwrap);
        probe.setTimeout(1000);
        QSignalSpy finished(&probe, &BwrapProbe::finished);
        probe.start();
        if (!finished.wait(15'000))
            return {};
        return finished.constFirst().constFirst().value<SandboxSupport>();
    }

private slots:
    void versions_data()
    {
        QTest::addColumn<QString>("output");
        QTest::addColumn<QString>("version");
        QTest::newRow("debian 12") << u"bubblewrap 0.8.0\n"_s << u"0.8.0"_s;
        QTest::newRow("ubuntu 24.04") << u"bubblewrap 0.9.0"_s << u"0.9.0"_s;
        QTest::newRow("two parts") << u"bubblewrap 0.11"_s << u"0.11"_s;
        QTest::newRow("garbage") << u"command not found"_s << QString();
    }

    void versions()
    {
        QFETCH(QString, output);
        QFETCH(QString, version);
        QCOMPARE(BwrapProbe::parseVersion(output).toString(), version);
    }

    void advice_data()
    {
        QTest::addColumn<QString>("stderrText");
        QTest::addColumn<QString>("fix");
        QTest::newRow("apparmor uid map")
            << u"bwrap: setting up uid map: Permission denied"_s << u"AppArmor"_s;
        QTest::newRow("apparmor loopback")
            << u"bwrap: loopback: Failed RTM_NEWADDR: Operation not permitted"_s << u"AppArmor"_s;
        QTest::newRow("userns disabled")
            << u"bwrap: No permissions to creating new namespace, likely because the "
               u"kernel does not allow non-privileged user namespaces."_s
            << u"unprivileged_userns_clone"_s;
        QTest::newRow("nested") << u"bwrap: Creating new namespace failed: nesting depth or "
                                   u"/proc/sys/user/max_*_namespaces exceeded (ENOSPC)"_s
                                << u"Flatpak, Docker"_s;
        QTest::newRow("silent") << QString() << u"bwrap --ro-bind"_s;
    }

    void advice()
    {
        QFETCH(QString, stderrText);
        QFETCH(QString, fix);
        const SandboxSupport support = BwrapProbe::diagnose(u"/usr/bin/bwrap"_s, stderrText, 1);
        QVERIFY(!support.available);
        QVERIFY2(support.fix.contains(fix), qPrintable(support.fix));
        if (!stderrText.isEmpty())
            QVERIFY(support.problem.contains(stderrText));
    }

    void thisMachineCanSandbox()
    {
        const QString bwrap = QStandardPaths::findExecutable(u"bwrap"_s);
        QVERIFY2(!bwrap.isEmpty(), "bubblewrap is not installed (./test.sh installs it)");
        const SandboxSupport support = probe(bwrap);
        QVERIFY2(support.available, qPrintable(support.problem + u'\n' + support.fix));
        QVERIFY(support.version >= BwrapProbe::kMinimumVersion);
    }

    void tooOldBubblewrapIsRefused()
    {
        QTemporaryDir dir;
        TestSupport::writeScript(dir.filePath(u"bwrap"_s), "echo 'bubblewrap 0.4.0'\n");
        const SandboxSupport support = probe(dir.filePath(u"bwrap"_s));
        QVERIFY(!support.available);
        QVERIFY2(support.problem.contains(u"0.4.0 is too old"_s), qPrintable(support.problem));
    }

    void hangingBubblewrapTimesOut()
    {
        QTemporaryDir dir;
        TestSupport::writeScript(
            dir.filePath(u"bwrap"_s),
            "case \"$1\" in --version) echo 'bubblewrap 0.8.0';; *) exec sleep 60;; esac\n");
        const SandboxSupport support = probe(dir.filePath(u"bwrap"_s));
        QVERIFY(!support.available);
        QVERIFY2(support.problem.contains(u"did not finish within 1 s"_s), qPrintable(support.problem));
    }
};

QTEST_GUILESS_MAIN(TestBwrapProbe)
#include "tst_bwrapprobe.moc"
