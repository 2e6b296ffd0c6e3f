#include "appbundle.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QProcess>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("AppBundle", text);
}

// The offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates), or -1.
qsizetype firstInvalidUtf8(const QByteArray &data)
{
    const auto *bytes = reinterpret_cast<const uchar *>(data.constData());
    const qsizetype size = data.size();
    qsizetype i = 0;
    while (i < size) {
        const uchar lead = bytes[i];
        int length = 0;
        uchar min = 0x80, max = 0xbf; // allowed range of the second byte
        if (lead < 0x80) {
            ++i;
            continue;
        } else if (lead >= 0xc2 && lead <= 0xdf) {
            length = 2;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            length = 3;
            min = lead == 0xe0 ? 0xa0 : 0x80;
            max = lead == 0xed ? 0x9f : 0xbf;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            length = 4;
            min = lead == 0xf0 ? 0x90 : 0x80;
            max = lead == 0xf4 ? 0x8f : 0xbf;
        } else {
            return i;
        }
        if (i + length > size)
            return i;
        if (bytes[i + 1] < min || bytes[i + 1] > max)
            return i;
        for (int k = 2; k < length; ++k) {
            if ((bytes[i + k] & 0xc0) != 0x80)
                return i;
        }
        i += length;
    }
    return -1;
}

// The file a python/node start command runs, if it names one ("python3 app.py" → "app.py").
QString scriptOf(const QString &start)
{
    const QStringList args = QProcess::splitCommand(start);
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (arg.startsWith(u'-'))
            continue;
        if (arg.endsWith(u".py") || arg.endsWith(u".js") || arg.endsWith(u".mjs") || arg.endsWith(u".cjs"))
            return arg.startsWith(u"./") ? arg.mid(2) : arg;
        return {};
    }
    return {};
}

} // namespace

namespace Runtimes {

QString name(Runtime runtime)
{
    switch (runtime) {
    case Runtime::Static:
        return u"static"_s;
    case Runtime::Python:
        return u"python"_s;
    case Runtime::Node:
        return u"node"_s;
    }
    return {};
}

std::optional<Runtime> fromName(const QString &runtimeName)
{
    for (Runtime r : {Runtime::Static, Runtime::Python, Runtime::Node}) {
        if (name(r) == runtimeName)
            return r;
    }
    return std::nullopt;
}

} // namespace Runtimes

QJsonObject AppManifest::toJson() const
{
    QJsonObject json{{u"title"_s, title}, {u"runtime"_s, Runtimes::name(runtime)}, {u"port"_s, port}};
    if (!start.isEmpty())
        json.insert(u"start"_s, start);
    return json;
}

Result<AppManifest> AppManifest::fromJson(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error{tr("spawnai.json is not valid JSON (%1 at offset %2).")
                         .arg(parseError.errorString())
                         .arg(parseError.offset)};
    if (!doc.isObject())
        return Error{tr("spawnai.json must be a JSON object with title, runtime, start and port.")};
    const QJsonObject obj = doc.object();

    AppManifest manifest;
    manifest.title = obj.value(u"title"_s).toString();
    const QString runtimeName = obj.value(u"runtime"_s).toString();
    const auto runtime = Runtimes::fromName(runtimeName);
    if (!runtime)
        return Error{tr("spawnai.json: runtime \"%1\" is not one of static, python, node.").arg(runtimeName)};
    manifest.runtime = *runtime;
    manifest.start = obj.value(u"start"_s).toString().trimmed();
    if (obj.contains(u"port"_s)) {
        const QJsonValue port = obj.value(u"port"_s);
        const double value = port.toDouble(-1);
        if (!port.isDouble() || value != double(int(value)) || value < 1 || value > 65535)
            return Error{tr("spawnai.json: port must be a whole number between 1 and 65535.")};
        manifest.port = int(value);
    }
    return manifest;
}

qint64 AppBundle::totalBytes() const
{
    qint64 total = 0;
    for (const QByteArray &content : files)
        total += content.size();
    return total;
}

bool AppBundle::isBinaryPath(const QString &path)
{
    static const QStringList binarySuffixes = {u".png"_s, u".jpg"_s,  u".jpeg"_s, u".gif"_s,    u".webp"_s,
                                               u".ico"_s, u".bmp"_s,  u".avif"_s, u".woff"_s,   u".woff2"_s,
                                               u".ttf"_s, u".otf"_s,  u".eot"_s,  u".mp3"_s,    u".ogg"_s,
                                               u".wav"_s, u".mp4"_s,  u".webm"_s, u".pdf"_s,    u".zip"_s,
                                               u".gz"_s,  u".wasm"_s, u".bin"_s,  u".sqlite"_s, u".db"_s};
    for (const QString &suffix : binarySuffixes) {
        if (path.endsWith(suffix, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

Result<void> AppBundle::checkPath(const QString &path)
{
    if (path.isEmpty())
        return Error{tr("A file has an empty name.")};
    if (path.startsWith(u'/') || path.contains(u'\\') || (path.size() > 1 && path.at(1) == u':'))
        return Error{tr("\"%1\" is not a relative path inside the app.").arg(path)};
    const QStringList parts = path.split(u'/');
    for (const QString &part : parts) {
        if (part.isEmpty() || part == u"." || part == u"..")
            return Error{tr("\"%1\" points outside the app or has an empty part.").arg(path)};
    }
    for (const QChar c : path) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return Error{tr("\"%1\" contains a control character.").arg(path)};
    }
    if (path.size() > 255)
        return Error{tr("\"%1…\" is longer than 255 characters.").arg(path.left(40))};
    return {};
}

Result<void> AppBundle::validate() const
{
    if (files.isEmpty())
        return Error{tr("The app has no files.")};
    if (files.size() > kMaxFiles)
        return Error{tr("The app has %1 files; at most %2 are allowed.").arg(files.size()).arg(kMaxFiles)};
    qint64 total = 0;
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        if (auto pathOk = checkPath(it.key()); !pathOk)
            return pathOk;
        if (it.key() == kManifestName)
            return Error{tr("spawnai.json belongs in the manifest, not among the files.")};
        const qint64 size = it.value().size();
        if (size > kMaxFileBytes)
            return Error{tr("%1 is %2; an app file may be at most %3.")
                             .arg(it.key(), formatSize(size), formatSize(kMaxFileBytes))};
        total += size;
        if (!isBinaryPath(it.key())) {
            const qsizetype bad = firstInvalidUtf8(it.value());
            if (bad >= 0)
                return Error{tr("%1 is not valid UTF-8 text (byte 0x%2 at offset %3). Save it as UTF-8.")
                                 .arg(it.key())
                                 .arg(uchar(it.value().at(bad)), 2, 16, QChar(u'0'))
                                 .arg(bad)};
        }
    }
    if (total > kMaxTotalBytes)
        return Error{tr("The app is %1 in all; at most %2 can be deployed.")
                         .arg(formatSize(total), formatSize(kMaxTotalBytes))};
    if (manifest.port < 1 || manifest.port > 65535)
        return Error{tr("The app's port %1 is not between 1 and 65535.").arg(manifest.port)};

    switch (manifest.runtime) {
    case Runtime::Static:
        if (!files.contains(u"index.html"_s))
            return Error{tr("A static app needs an index.html at its top level.")};
        break;
    case Runtime::Python:
    case Runtime::Node: {
        if (manifest.start.isEmpty())
            return Error{tr("A %1 app needs a start command (for example \"%2\").")
                             .arg(Runtimes::name(manifest.runtime), manifest.runtime == Runtime::Python
                                                                        ? u"python3 app.py"_s
                                                                        : u"node server.js"_s)};
        const QString script = scriptOf(manifest.start);
        if (!script.isEmpty() && !files.contains(script))
            return Error{tr("The start command runs %1, which is not among the app's files.").arg(script)};
        break;
    }
    }
    return {};
}

Result<AppManifest> AppBundle::inferManifest(const QMap<QString, QByteArray> &files, const QString &title)
{
    AppManifest manifest;
    manifest.title = title;
    for (const QString &entry : {u"app.py"_s, u"main.py"_s}) {
        if (files.contains(entry)) {
            manifest.runtime = Runtime::Python;
            manifest.start = u"python3 "_s + entry;
            return manifest;
        }
    }
    const bool hasIndexHtml = files.contains(u"index.html"_s);
    if (files.contains(u"server.js"_s) || (files.contains(u"index.js"_s) && !hasIndexHtml)) {
        manifest.runtime = Runtime::Node;
        manifest.start = files.contains(u"server.js"_s) ? u"node server.js"_s : u"node index.js"_s;
        return manifest;
    }
    if (files.contains(u"package.json"_s)) {
        const QJsonObject package = QJsonDocument::fromJson(files.value(u"package.json"_s)).object();
        const QString startScript = package.value(u"scripts"_s).toObject().value(u"start"_s).toString();
        if (!startScript.isEmpty()) {
            manifest.runtime = Runtime::Node;
            manifest.start = startScript;
            return manifest;
        }
    }
    if (hasIndexHtml) {
        manifest.runtime = Runtime::Static;
        return manifest;
    }
    QStringList found = files.keys();
    if (found.size() > 6)
        found = found.mid(0, 6) << u"…"_s;
    return Error{tr("No entry point: add index.html (a static site), app.py (Python) or server.js (Node), "
                    "or a spawnai.json manifest. Found: %1.")
                     .arg(found.join(u", "_s))};
}

QString AppBundle::formatSize(qint64 bytes)
{
    if (bytes >= 1024 * 1024)
        return u"%1 MB"_s.arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
    if (bytes >= 1024)
        return u"%1 KB"_s.arg(double(bytes) / 1024.0, 0, 'f', 1);
    return u"%1 bytes"_s.arg(bytes);
}
