// Whether the SpawnAI process owning a session is alive, told by flock(2): right after kill -9, never fooled
// by a reused pid or an old lock file.
#include "instancelock.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestInstanceLock : public QObject
{
    Q_OBJECT

private slots:
    void twoProcessesSeeEachOther()
    {
        QTemporaryDir dir;
        auto first = InstanceLock::acquire(dir.path());
        auto second = InstanceLock::acquire(dir.path());
        QVERIFY(first.ok() && second.ok());
        QVERIFY((*first)->id() != (*second)->id());
        QVERIFY((*first)->isAlive((*second)->id()));
        QVERIFY((*second)->isAlive((*first)->id()));
        QVERIFY((*first)->isAlive((*first)->id()));

        const QString gone = (*second)->id();
        second->reset();
        QVERIFY(!(*first)->isAlive(gone));
        QVERIFY(!(*first)->isAlive(QString()));
        QVERIFY(!(*first)->isAlive(u"../../etc/passwd"_s));
    }

    void killedOwnerIsDeadAndItsLockSwept()
    {
        QTemporaryDir dir;
        QVERIFY(QDir().mkpath(dir.filePath(u"owners"_s)));
        const QString owner = u"0d7a2c1e-killed-owner"_s;
        const QString lockFile = dir.filePath(u"owners/"_s + owner + u".lock"_s);
        QProcess holder; // another process holding an owner lock, as a running SpawnAI does
        holder.start(u"flock"_s,
                     {u"--close"_s, lockFile, u"sleep"_s, u"3"_s}); // --close: only flock holds it
        QVERIFY(holder.waitForStarted());
        QTRY_VERIFY(QFile::exists(lockFile));

        auto me = InstanceLock::acquire(dir.path());
        QVERIFY(me.ok());
        QTRY_VERIFY((*me)->isAlive(owner)); // flock takes the lock a moment after starting
        holder.kill();                      // kill -9: no chance to clean up
        QVERIFY(holder.waitForFinished());
        QTRY_VERIFY_WITH_TIMEOUT(!(*me)->isAlive(owner), 1000);
        QVERIFY2(!QFile::exists(lockFile), "the dead owner's lock file is left behind");

        // A stale file from an earlier crash is swept when the next SpawnAI starts.
        QFile stale(dir.filePath(u"owners/stale.lock"_s));
        QVERIFY(stale.open(QIODevice::WriteOnly));
        stale.close();
        auto next = InstanceLock::acquire(dir.path());
        QVERIFY(next.ok());
        QVERIFY(!QFile::exists(stale.fileName()));
        QVERIFY(QFile::exists(dir.filePath(u"owners/"_s + (*next)->id() + u".lock"_s)));
    }
};

QTEST_GUILESS_MAIN(TestInstanceLock)
#include "tst_instancelock.moc"
