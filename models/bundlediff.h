#pragma once

#include "appbundle.h"

#include <QList>
#include <QString>

// How one file differs between two revisions of an app. Line counts are for text files only; a binary file
// (AppBundle::isBinaryPath, or any file holding a NUL byte) is compared by its bytes.
struct FileChange
{
    enum class Kind { Added, Removed, Changed, Unchanged };
    QString path;
    Kind kind = Kind::Unchanged;
    bool binary = false;
    int added = 0;   // lines
    int removed = 0; // lines

    friend bool operator==(const FileChange &, const FileChange &) = default;
};

// A changed manifest field ("title", "runtime", "start", "port"), with both values as text.
struct ManifestChange
{
    QString field;
    QString before;
    QString after;

    friend bool operator==(const ManifestChange &, const ManifestChange &) = default;
};

// Per-file comparison of two app bundles: what a revision changed against its parent.
namespace BundleDiff {

// Every path of either bundle once, sorted by path. A first revision is compared against an empty bundle:
// every file is Added.
QList<FileChange> compare(const AppBundle &before, const AppBundle &after);
// The manifest fields that differ, in the order title, runtime, start, port.
QList<ManifestChange> manifestChanges(const AppBundle &before, const AppBundle &after);

// Whether a file is shown as bytes rather than lines.
bool isBinary(const QString &path, const QByteArray &content);

} // namespace BundleDiff
