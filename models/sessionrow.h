#pragma once

#include "session.h"

#include <QString>
#include <QVariantList>

class QSqlQuery;

// A Session as a row of the sessions table: one column list, written and read by position.
namespace SessionRow {

// SELECT of every column FROM sessions; read each row with toSession().
extern const QString kSelect;
// Newest first; rowid breaks ties (and orders sessions without a creation time) by insertion.
extern const QString kNewestFirst;
// Binds fields(), then the state, then the id.
extern const QString kInsert;
// Binds fields(), then the id. stop_requested is sticky: an update never clears another process's request.
extern const QString kUpdate;
// Binds fields(), then the new state, then the id; stop_requested is sticky as in kUpdate.
extern const QString kTransition;

// The session's fields in column order: everything but the state and the id.
QVariantList fields(const Session &session);
// The session in the current row of a kSelect query.
Session toSession(const QSqlQuery &query);

} // namespace SessionRow
