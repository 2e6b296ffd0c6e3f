#include "storefile.h"

#include "store.h"
#include "storeschema.h"
#include "storesqlite.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QtEndian>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace StoreFile {

namespace {

// The messages keep the translation context of Store, whose errors they are.
QString tr(const char *text)
{
    return QCoreApplication::translate("Store", text);
}

// A one-off connection of its own (the read-only check before opening), removed when it goes.
class TempConnection
{
public:
    TempConnection(const QString &path, const QString &options)
        : m_name(StoreSqlite::newConnectionName())
    {
        auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
        db.setDatabaseName(path);
        db.setConnectOptions(options);
    }
    ~TempConnection()
    {
        {
            auto db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    TempConnection(const TempConnection &) = delete;
    TempConnection &operator=(const TempConnection &) = delete;

    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }

private:
    QString m_name;
};

// The backups Store wrote before upgrades (path.bak-v<n>...), newest name first.
QStringList existingBackups(const QString &path)
{
    const QFileInfo info(path);
    QStringList backups;
    const QStringList names =
        info.dir().entryList({info.fileName() + u".bak-v*"_s}, QDir::Files, QDir::Name | QDir::Reversed);
    for (const QString &name : names)
        backups << info.dir().filePath(name);
    return backups;
}

QString foreignMessage(const QString &path, int applicationId)
{
    return tr("%1 belongs to another program (application id %2), not SpawnAI. "
              "SpawnAI did not change it; choose another file.")
        .arg(QDir::toNativeSeparators(path))
        .arg(applicationId);
}

// The 100-byte SQLite header, read without SQLite: a file to refuse for its version or owner is refused
// before any connection exists, so not even a -wal/-shm companion appears next to it. SQLite re-checks both
// values later (a newer version may still sit in an uncheckpointed WAL).
Result<void> checkHeader(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{tr("Cannot read %1: %2.").arg(QDir::toNativeSeparators(path), file.errorString())};
    const QByteArray header = file.read(100);
    if (header.size() < 100 || !header.startsWith(QByteArrayView("SQLite format 3\0", 16)))
        return Error{
            tr("%1 is not a SpawnAI database (it is not an SQLite file). SpawnAI did not change it; move "
               "it aside or choose another file.")
                .arg(QDir::toNativeSeparators(path))};
    auto bigEndian = [&](int offset) { return qFromBigEndian<qint32>(header.constData() + offset); };
    const int version = bigEndian(60);
    if (version > Store::kSchemaVersion)
        return Error{newerMessage(path, version)};
    const int applicationId = bigEndian(68);
    if (applicationId != 0 && applicationId != StoreSchema::kApplicationId)
        return Error{foreignMessage(path, applicationId)};
    return {};
}

} // namespace

QString damagedMessage(const QString &path, const QString &why)
{
    const QStringList backups = existingBackups(path);
    if (backups.isEmpty())
        return tr("%1 is damaged (SQLite: %2). SpawnAI did not change it. Move it aside to start with an "
                  "empty history.")
            .arg(QDir::toNativeSeparators(path), why);
    return tr("%1 is damaged (SQLite: %2). SpawnAI did not change it. Restore the backup %3 by copying it "
              "over the damaged file, or move the file aside to start with an empty history.")
        .arg(QDir::toNativeSeparators(path), why, QDir::toNativeSeparators(backups.first()));
}

QString newerMessage(const QString &path, int version)
{
    return tr("%1 was written by a newer SpawnAI (schema %2); this version understands up to %3. "
              "Update SpawnAI to use it. The file was left unchanged.")
        .arg(QDir::toNativeSeparators(path))
        .arg(version)
        .arg(Store::kSchemaVersion);
}

Result<int> inspect(const QString &path)
{
    if (auto header = checkHeader(path); !header)
        return Error{header.error()};

    TempConnection connection(
        path, u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=%1"_s.arg(StoreSqlite::kBusyTimeoutMs));
    QSqlDatabase db = connection.db();
    if (!db.open())
        return Error{tr("Cannot open %1: %2.")
                         .arg(QDir::toNativeSeparators(path), StoreSqlite::errorText(db.lastError()))};

    QSqlQuery q(db);
    auto failure = [&]() -> Error {
        const QSqlError error = q.lastError();
        switch (StoreSqlite::primaryCode(error)) {
        case StoreSqlite::NotADb:
            return Error{
                tr("%1 is not a SpawnAI database (SQLite: %2). SpawnAI did not change it; move it aside "
                   "or choose another file.")
                    .arg(QDir::toNativeSeparators(path), StoreSqlite::errorText(error))};
        case StoreSqlite::Corrupt:
            return Error{damagedMessage(path, StoreSqlite::errorText(error))};
        case StoreSqlite::Busy:
        case StoreSqlite::Locked:
            return Error{tr("Another SpawnAI process kept %1 locked for more than %2 seconds; try again.")
                             .arg(QDir::toNativeSeparators(path))
                             .arg(StoreSqlite::kBusyTimeoutMs / 1000)};
        default:
            return Error{tr("Cannot read %1 (SQLite: %2).")
                             .arg(QDir::toNativeSeparators(path), StoreSqlite::errorText(error))};
        }
    };

    if (!q.exec(u"PRAGMA user_version"_s) || !q.next())
        return failure();
    const int version = q.value(0).toInt();
    if (version > Store::kSchemaVersion)
        return Error{newerMessage(path, version)};

    if (!q.exec(u"PRAGMA application_id"_s) || !q.next())
        return failure();
    const int applicationId = q.value(0).toInt();
    if (applicationId != 0 && applicationId != StoreSchema::kApplicationId)
        return Error{foreignMessage(path, applicationId)};

    if (!q.exec(u"PRAGMA quick_check"_s))
        return failure();
    QStringList problems;
    while (q.next())
        problems << q.value(0).toString();
    if (q.lastError().isValid())
        return failure();
    if (problems != QStringList{u"ok"_s})
        return Error{damagedMessage(path, problems.mid(0, 3).join(u"; "))};
    return version;
}

} // namespace StoreFile
