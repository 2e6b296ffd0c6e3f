#include "bundlefolder.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSet>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("BundleFolder", text);
}

// Folders and files that are tooling, not app: version control, caches, editor droppings.
bool isIgnored(const QString &name)
{
    return name.startsWith(u'.') || name == u"__pycache__" || name == u"node_modules";
}

class FolderReader
{
public:
    explicit FolderReader(const QString &root)
        : m_root(QDir(root).canonicalPath())
    {}

    Result<QMap<QString, QByteArray>> read()
    {
        if (auto ok = readDir(m_root, QString()); !ok)
            return Error{ok.error()};
        return m_files;
    }

private:
    bool insideRoot(const QString &canonical) const
    {
        return canonical == m_root || canonical.startsWith(m_root + u'/');
    }

    Result<void> readDir(const QString &dirPath, const QString &relativeDir)
    {
        if (m_visitedDirs.contains(dirPath))
            return {}; // a link back into a folder already read
        m_visitedDirs.insert(dirPath);

        const QFileInfoList entries = QDir(dirPath).entryInfoList(
            QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
        for (const QFileInfo &entry : entries) {
            if (isIgnored(entry.fileName()))
                continue;
            const QString relative =
                relativeDir.isEmpty() ? entry.fileName() : relativeDir + u'/' + entry.fileName();
            if (auto ok = readEntry(entry, relative); !ok)
                return ok;
        }
        return {};
    }

    Result<void> readEntry(const QFileInfo &entry, const QString &relative)
    {
        QString target = entry.absoluteFilePath();
        if (entry.isSymLink()) {
            target = entry.canonicalFilePath();
            if (target.isEmpty())
                return Error{
                    tr("%1 is a broken link (it points to %2).").arg(relative, entry.symLinkTarget())};
            if (!insideRoot(target))
                return Error{
                    tr("%1 is a link to %2, outside the app folder. Copy the file into the folder instead.")
                        .arg(relative, entry.symLinkTarget())};
        }
        const QFileInfo info(target);
        if (info.isDir())
            return readDir(info.canonicalFilePath(), relative);
        if (!info.isFile())
            return Error{tr("%1 is not a regular file (a device, socket or pipe); remove it from the folder.")
                             .arg(relative)};
        if (info.size() > AppBundle::kMaxFileBytes)
            return Error{tr("%1 is %2 MB; an app file may be at most %3 MB. Remove it or host it elsewhere.")
                             .arg(relative)
                             .arg(double(info.size()) / (1024.0 * 1024.0), 0, 'f', 1)
                             .arg(AppBundle::kMaxFileBytes / (1024 * 1024))};
        if (m_files.size() >= AppBundle::kMaxFiles)
            return Error{tr("The folder has more than %1 files; an app may have at most that many.")
                             .arg(AppBundle::kMaxFiles)};
        m_totalBytes += info.size();
        if (m_totalBytes > AppBundle::kMaxTotalBytes)
            return Error{tr("The folder holds more than %1 MB of files; an app may be at most that big.")
                             .arg(AppBundle::kMaxTotalBytes / (1024 * 1024))};

        QFile file(target);
        if (!file.open(QIODevice::ReadOnly))
            return Error{tr("Cannot read %1: %2.").arg(relative, file.errorString())};
        m_files.insert(relative, file.readAll());
        return {};
    }

    QString m_root;
    QSet<QString> m_visitedDirs;
    QMap<QString, QByteArray> m_files;
    qint64 m_totalBytes = 0;
};

Result<AppBundle> loadSinglePage(const QFileInfo &info)
{
    const QString suffix = info.suffix().toLower();
    if (suffix != u"html" && suffix != u"htm")
        return Error{
            tr("%1 is a single file but not an .html page. Give the folder that holds the app instead.")
                .arg(info.filePath())};
    if (info.size() > AppBundle::kMaxFileBytes)
        return Error{tr("%1 is larger than %2 MB.")
                         .arg(info.filePath())
                         .arg(AppBundle::kMaxFileBytes / (1024 * 1024))};
    QFile file(info.absoluteFilePath());
    if (!file.open(QIODevice::ReadOnly))
        return Error{tr("Cannot read %1: %2.").arg(info.filePath(), file.errorString())};
    AppBundle bundle;
    bundle.manifest.title = info.completeBaseName();
    bundle.manifest.runtime = Runtime::Static;
    bundle.files.insert(u"index.html"_s, file.readAll());
    return bundle;
}

} // namespace

namespace BundleFolder {

Result<AppBundle> load(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error{tr("%1 does not exist.").arg(path)};

    Result<AppBundle> loaded = AppBundle();
    if (info.isFile()) {
        loaded = loadSinglePage(info);
    } else {
        if (!info.isReadable())
            return Error{tr("Cannot read the folder %1 (permission denied).").arg(path)};
        auto files = FolderReader(info.absoluteFilePath()).read();
        if (!files)
            return Error{files.error()};
        AppBundle bundle;
        const QString title = QDir(info.absoluteFilePath()).dirName();
        if (files->contains(AppBundle::kManifestName)) {
            auto manifest = AppManifest::fromJson(files->take(AppBundle::kManifestName));
            if (!manifest)
                return Error{manifest.error()};
            bundle.manifest = *manifest;
            if (bundle.manifest.title.isEmpty())
                bundle.manifest.title = title;
        } else if (!files->isEmpty()) {
            auto manifest = AppBundle::inferManifest(*files, title);
            if (!manifest)
                return Error{tr("%1: %2").arg(path, manifest.error())};
            bundle.manifest = *manifest;
        }
        if (files->isEmpty())
            return Error{tr("The folder %1 is empty. Put an index.html (static site), app.py (Python) or "
                            "server.js (Node) in it.")
                             .arg(path)};
        bundle.files = std::move(*files);
        loaded = std::move(bundle);
    }
    if (!loaded)
        return loaded;
    if (auto valid = loaded->validate(); !valid)
        return Error{tr("%1: %2").arg(path, valid.error())};
    return loaded;
}

Result<void> write(const AppBundle &bundle, const QString &dir)
{
    const QDir root(dir);
    if (!root.mkpath(u"."_s))
        return Error{tr("Cannot create the folder %1.").arg(dir)};
    auto writeFile = [&](const QString &relative, const QByteArray &content) -> Result<void> {
        const QString target = root.filePath(relative);
        if (!QDir().mkpath(QFileInfo(target).absolutePath()))
            return Error{tr("Cannot create the folder for %1.").arg(target)};
        QFile file(target);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(content) != content.size() ||
            !file.flush())
            return Error{tr("Cannot write %1: %2.").arg(target, file.errorString())};
        return {};
    };
    for (auto it = bundle.files.cbegin(); it != bundle.files.cend(); ++it) {
        if (auto pathOk = AppBundle::checkPath(it.key()); !pathOk)
            return pathOk;
        if (auto ok = writeFile(it.key(), it.value()); !ok)
            return ok;
    }
    return writeFile(AppBundle::kManifestName, QJsonDocument(bundle.manifest.toJson()).toJson());
}

} // namespace BundleFolder
