#pragma once

#include <QDateTime>
#include <QString>
#include <QVariant>

class QSqlError;

// What the store's files (Store, StoreFile, SessionRow) share about SQLite: how connections are named and how
// long they wait for a lock, the result codes explained to the user, and how values are spelled in a row.
namespace StoreSqlite {

// How long a connection waits for another process's lock before it gives up with SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 5000;

// "spawnai.store.<n>", a new name for every connection: one per Store, one per short-lived read-only check.
QString newConnectionName();

// SQLite result codes we explain to the user. Extended codes keep the primary code in the low byte.
enum ResultCode {
    Busy = 5,
    Locked = 6,
    ReadOnly = 8,
    IoErr = 10,
    Corrupt = 11,
    Full = 13,
    CantOpen = 14,
    NotADb = 26
};

// The primary result code of `error`, or -1 when it has none.
int primaryCode(const QSqlError &error);
// SQLite's own text for `error`, or Qt's where SQLite gave none.
QString errorText(const QSqlError &error);

// --- value conversions. Times: INTEGER ms since the epoch, UTC; NULL for a null QDateTime.
QVariant timeValue(const QDateTime &time);
QDateTime timeFrom(const QVariant &value);
// Optional text is NULL when empty, so "not set" has one spelling in the file.
QVariant textValue(const QString &text);

} // namespace StoreSqlite
