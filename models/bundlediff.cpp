#include "bundlediff.h"

#include "textdiff.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace BundleDiff {

bool isBinary(const QString &path, const QByteArray &content)
{
    return AppBundle::isBinaryPath(path) || content.contains('\0');
}

QList<FileChange> compare(const AppBundle &before, const AppBundle &after)
{
    // Both maps are sorted by path: walk them side by side.
    QList<FileChange> changes;
    changes.reserve(std::max(before.files.size(), after.files.size()));
    auto old = before.files.cbegin();
    auto now = after.files.cbegin();
    while (old != before.files.cend() || now != after.files.cend()) {
        FileChange change;
        const bool onlyOld =
            now == after.files.cend() || (old != before.files.cend() && old.key() < now.key());
        const bool onlyNew =
            old == before.files.cend() || (now != after.files.cend() && now.key() < old.key());
        if (onlyOld) {
            change.path = old.key();
            change.kind = FileChange::Kind::Removed;
            change.binary = isBinary(old.key(), old.value());
            if (!change.binary)
                change.removed = TextDiff::count(TextDiff::lines(QString::fromUtf8(old.value()), {})).removed;
            ++old;
        } else if (onlyNew) {
            change.path = now.key();
            change.kind = FileChange::Kind::Added;
            change.binary = isBinary(now.key(), now.value());
            if (!change.binary)
                change.added = TextDiff::count(TextDiff::lines({}, QString::fromUtf8(now.value()))).added;
            ++now;
        } else {
            change.path = now.key();
            change.binary = isBinary(old.key(), old.value()) || isBinary(now.key(), now.value());
            if (old.value() == now.value()) {
                change.kind = FileChange::Kind::Unchanged;
            } else {
                change.kind = FileChange::Kind::Changed;
                if (!change.binary) {
                    const TextDiff::Counts counts = TextDiff::count(
                        TextDiff::lines(QString::fromUtf8(old.value()), QString::fromUtf8(now.value())));
                    change.added = counts.added;
                    change.removed = counts.removed;
                }
            }
            ++old;
            ++now;
        }
        changes.append(change);
    }
    return changes;
}

QList<ManifestChange> manifestChanges(const AppBundle &before, const AppBundle &after)
{
    const AppManifest &a = before.manifest;
    const AppManifest &b = after.manifest;
    QList<ManifestChange> changes;
    if (a.title != b.title)
        changes.append({u"title"_s, a.title, b.title});
    if (a.runtime != b.runtime)
        changes.append({u"runtime"_s, Runtimes::name(a.runtime), Runtimes::name(b.runtime)});
    if (a.start != b.start)
        changes.append({u"start"_s, a.start, b.start});
    if (a.port != b.port)
        changes.append({u"port"_s, QString::number(a.port), QString::number(b.port)});
    return changes;
}

} // namespace BundleDiff
