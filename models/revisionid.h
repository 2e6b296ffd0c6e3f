#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

// Code revisions are content-addressed: a blob's key is the SHA-256 of its content, a revision's id the
// SHA-256 of its manifest and file list. Store computes the id when it saves a revision and checks it on
// load.
namespace RevisionId {

struct File
{
    QByteArray path; // UTF-8
    QByteArray blobHash;
};

// SHA-256 of `data`, lower-case hex.
QByteArray sha256Hex(const QByteArray &data);

// The revision id: SHA-256 over a versioned, length-prefixed encoding of the compact manifest JSON
// (QJsonObject sorts its keys) and the files sorted by their UTF-8 path bytes, so equal bundles get equal ids
// on every platform and no two different bundles encode alike.
QString of(const QByteArray &manifestJson, QList<File> files);

} // namespace RevisionId
