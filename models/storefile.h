#pragma once

#include "result.h"

#include <QString>

// Is an existing database file safe to open? Store asks before it writes a byte to a file that has content,
// and words its own refusals (damaged, newer schema) the same way.
namespace StoreFile {

// Reads the file's schema version and checks it without writing to it: first the SQLite header (read without
// SQLite), then on a read-only connection the version, the application id and PRAGMA quick_check. A file that
// must be refused (newer schema, another program's, not a database, damaged) is left byte-for-byte as it was.
// (A WAL-mode file may get SQLite's empty -wal/-shm companions; the database itself is not written.)
Result<int> inspect(const QString &path);

// "<path> is damaged (SQLite: <why>)", with what to do: restore the newest existing backup or move it aside.
QString damagedMessage(const QString &path, const QString &why);
// "<path> was written by a newer SpawnAI (schema <version>)", with what to do.
QString newerMessage(const QString &path, int version);

} // namespace StoreFile
