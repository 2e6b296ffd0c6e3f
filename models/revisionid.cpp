#include "revisionid.h"

#include <QCryptographicHash>

#include <algorithm>
#include <utility>

namespace RevisionId {

QByteArray sha256Hex(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

QString of(const QByteArray &manifestJson, QList<File> files)
{
    std::sort(files.begin(), files.end(), [](const File &a, const File &b) { return a.path < b.path; });
    QByteArray encoded;
    encoded.reserve(64 + manifestJson.size() + files.size() * 96);
    encoded.append("spawnai-revision-1\nmanifest ")
        .append(QByteArray::number(manifestJson.size()))
        .append('\n');
    encoded.append(manifestJson);
    encoded.append("\nfiles ").append(QByteArray::number(files.size())).append('\n');
    for (const File &file : std::as_const(files)) {
        encoded.append("file ").append(QByteArray::number(file.path.size())).append('\n');
        encoded.append(file.path).append(' ').append(file.blobHash).append('\n');
    }
    return QString::fromLatin1(sha256Hex(encoded));
}

} // namespace RevisionId
