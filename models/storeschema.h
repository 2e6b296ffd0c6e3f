#pragma once

#include <QSqlQuery>

#include <span>

// The store's schema history, private to Store. Each step moves the database from version - 1 to `version`.
// Store runs every pending step in ONE transaction and then sets PRAGMA user_version. Append only: a released
// step is never edited, a change is a new step (v2 = new columns or tables, copied data, ...).
namespace StoreSchema {

// Written into the SQLite header (PRAGMA application_id) so a file of another program is recognised: "SPAI".
constexpr int kApplicationId = 0x53504149;

struct Step
{
    int version;
    // Runs inside the migration transaction on `query`'s connection. On false, query.lastError() says why.
    bool (*apply)(QSqlQuery &query);
};

std::span<const Step> steps();

} // namespace StoreSchema
