#include "appanswer.h"

#include "partialappjson.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

using namespace Qt::StringLiterals;

namespace AppAnswer {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("AppAnswer", text);
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return tr("null");
    case QJsonValue::Bool:
        return tr("a true/false value");
    case QJsonValue::Double:
        return tr("a number");
    case QJsonValue::String:
        return tr("text");
    case QJsonValue::Array:
        return tr("a list");
    case QJsonValue::Object:
        return tr("an object");
    case QJsonValue::Undefined:
        return tr("missing");
    }
    return tr("missing");
}

// What the parser wanted where it stopped, in words; QJsonParseError's own text names only the failure.
QString expectation(QJsonParseError::ParseError error)
{
    switch (error) {
    case QJsonParseError::UnterminatedObject:
        return tr("expected \",\" or \"}\" after a member of an object");
    case QJsonParseError::MissingNameSeparator:
        return tr("expected \":\" after a member name");
    case QJsonParseError::UnterminatedArray:
        return tr("expected \",\" or \"]\" after an element of a list");
    case QJsonParseError::MissingValueSeparator:
        return tr("expected \",\" between values");
    case QJsonParseError::IllegalValue:
        return tr("expected a value: a string, number, object, list, true, false or null");
    case QJsonParseError::TerminationByNumber:
        return tr("the text ended inside a number");
    case QJsonParseError::IllegalNumber:
        return tr("expected a valid number");
    case QJsonParseError::IllegalEscapeSequence:
        return tr("expected an escape such as \\n, \\\" or \\u00e9 after a backslash");
    case QJsonParseError::IllegalUTF8String:
        return tr("expected UTF-8 text inside a string");
    case QJsonParseError::UnterminatedString:
        return tr("expected a closing quote before the end of the string");
    case QJsonParseError::MissingObject:
        return tr("expected an object at the top level");
    case QJsonParseError::DeepNesting:
        return tr("the objects and lists are nested too deeply");
    case QJsonParseError::DocumentTooLarge:
        return tr("the text is too large to parse");
    case QJsonParseError::GarbageAtEnd:
        return tr("expected nothing after the end of the object");
    case QJsonParseError::NoError:
        break;
    }
    return {};
}

// A short, printable piece of `raw` around `offset` for an error message.
QString excerpt(const QByteArray &raw, qsizetype offset)
{
    const qsizetype from = std::clamp<qsizetype>(offset - 24, 0, raw.size());
    const qsizetype to = std::clamp<qsizetype>(offset + 16, from, raw.size());
    QString text = QString::fromUtf8(raw.mid(from, to - from));
    for (QChar &c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u' ';
    }
    return (from > 0 ? u"…"_s : QString()) + text + (to < raw.size() ? u"…"_s : QString());
}

// "python3", "python3.11", "/usr/bin/node" → the program's bare name, when it is one the sandbox has.
QString programName(const QString &program)
{
    for (const QString &dir : {u"/usr/bin/"_s, u"/bin/"_s, u"/usr/local/bin/"_s}) {
        if (program.startsWith(dir))
            return program.mid(dir.size());
    }
    return program;
}

bool isPython(const QString &name)
{
    static const QRegularExpression python3(u"^python3(\\.\\d+)?$"_s);
    return python3.match(name).hasMatch();
}

bool isShell(const QString &name)
{
    return name == u"sh" || name == u"bash" || name == u"dash" || name == u"zsh";
}

// Whether an argument only means something to a shell: an operator, a redirection, an expansion.
bool isShellSyntax(const QString &arg)
{
    static const QSet<QString> operators = {u"&&"_s, u"||"_s, u";"_s,    u"|"_s,  u"&"_s, u">"_s,
                                            u">>"_s, u"<"_s,  u"2>&1"_s, u"2>"_s, u"&>"_s};
    if (operators.contains(arg) || arg.startsWith(u'$') || arg.startsWith(u'~'))
        return true;
    for (const QStringView part : {u"&&", u"||", u"`", u"$(", u"${", u">", u"<", u"|"}) {
        if (arg.contains(part))
            return true;
    }
    return arg.endsWith(u';') || arg.endsWith(u'&');
}

// The start command of a server, checked for what the sandbox can run. SpawnAI splits it like
// QProcess::splitCommand (double quotes only) and runs it without a shell, with Debian's python3 and node
// and no network to fetch packages with.
Result<void> checkStartCommand(const QString &start, Runtime runtime, const QMap<QString, QByteArray> &files)
{
    for (const QChar c : start) {
        if (c == u'\n' || c == u'\r')
            return Error{tr("The start command must be a single line.")};
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return Error{tr("The start command contains a control character (U+%1).")
                             .arg(c.unicode(), 4, 16, QChar(u'0'))};
    }
    if (start.size() > 1000)
        return Error{tr("The start command is %1 characters long; keep it under 1000.").arg(start.size())};
    const QStringList args = QProcess::splitCommand(start);
    if (args.isEmpty())
        return {}; // validate() explains a missing start command
    const QString &first = args.first();
    if (first.contains(u'=') && !first.startsWith(u'/'))
        return Error{tr("The start command \"%1\" begins with a variable assignment, which needs a shell. "
                        "Start the program directly; it reads PORT and HOST from its environment.")
                         .arg(start)};
    const QString name = programName(first);
    // A shell would hide the program from the checks below and from AppBundle::validate(), and the command
    // line is never given to one: nothing a server needs takes more than one program (PORT and HOST come
    // from the environment).
    if (isShell(name))
        return Error{tr("The start command \"%1\" runs a shell, but SpawnAI starts one program without a "
                        "shell. Start the server directly, for example \"%2\"; it reads PORT and HOST from "
                        "its environment.")
                         .arg(start, runtime == Runtime::Python ? u"python3 app.py"_s : u"node server.js"_s)};
    for (const QString &arg : args) {
        if (isShellSyntax(arg))
            return Error{tr("The start command \"%1\" uses shell syntax (%2), but it runs without a shell. "
                            "Start one program with its arguments; it reads PORT and HOST from its "
                            "environment.")
                             .arg(start, arg)};
        if (arg.startsWith(u'\'') || arg.endsWith(u'\''))
            return Error{tr("The start command \"%1\" uses single quotes, which SpawnAI does not interpret. "
                            "Use double quotes around an argument with spaces, or avoid the spaces.")
                             .arg(start)};
    }

    if (runtime == Runtime::Python) {
        if (isPython(name))
            return {};
        if (name == u"python")
            return Error{
                tr("The start command runs \"python\", which the sandbox does not have. Use python3, "
                   "for example \"python3 app.py\".")};
        if (name == u"node" || name == u"nodejs" || name == u"npm")
            return Error{
                tr("The start command \"%1\" starts Node, but the runtime is python. Set the runtime "
                   "to node, or start the app with python3.")
                    .arg(start)};
        return Error{tr("A python app starts with python3 (for example \"python3 app.py\"), not with \"%1\": "
                        "only the Python standard library is available.")
                         .arg(first)};
    }

    // Node.
    if (name == u"node" || name == u"nodejs")
        return {};
    if (name == u"npm") {
        const QString script = args.size() >= 2 && args.at(1) == u"start" ? u"start"_s
                               : args.size() >= 3 && (args.at(1) == u"run" || args.at(1) == u"run-script")
                                   ? args.at(2)
                                   : QString();
        if (script.isEmpty())
            return Error{
                tr("The start command \"%1\" should be \"npm start\" or \"npm run <script>\".").arg(start)};
        if (!files.contains(u"package.json"_s))
            return Error{
                tr("The start command \"%1\" needs a package.json, which is not among the app's files.")
                    .arg(start)};
        const QJsonObject package = QJsonDocument::fromJson(files.value(u"package.json"_s)).object();
        if (!package.value(u"scripts"_s).toObject().value(script).isString())
            return Error{tr("The start command \"%1\" runs the script \"%2\", which package.json does not "
                            "define under \"scripts\".")
                             .arg(start, script)};
        return {};
    }
    if (name == u"npx")
        return Error{tr("The start command runs npx, which downloads packages; the sandbox has no network. "
                        "Start the app with node, for example \"node server.js\".")};
    if (isPython(name) || name == u"python")
        return Error{tr("The start command \"%1\" starts Python, but the runtime is node. Set the runtime to "
                        "python, or start the app with node.")
                         .arg(start)};
    return Error{tr("A node app starts with node or npm (for example \"node server.js\"), not with \"%1\".")
                     .arg(first)};
}

// Qt's parser needs about 16 bytes per value however short the value is in the text, so a small input
// can ask for a lot of memory ("[0,0,0,…"). A write_app input has a handful of values per file; count
// the values (roughly: the commas and opening brackets outside strings) before parsing.
qsizetype roughValueCount(const QByteArray &raw)
{
    qsizetype count = 0;
    bool inString = false;
    bool escaped = false;
    for (const char c : raw) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == ',' || c == '[' || c == '{')
            ++count;
    }
    return count;
}

// Whether two paths cannot both be files: one is a folder of the other ("a" and "a/b").
QString folderConflict(const QMap<QString, QByteArray> &files)
{
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        qsizetype slash = it.key().indexOf(u'/');
        while (slash > 0) {
            const QString folder = it.key().left(slash);
            if (files.contains(folder))
                return tr("%1 is a file, but %2 needs a folder of that name. Rename one of them.")
                    .arg(folder, it.key());
            slash = it.key().indexOf(u'/', slash + 1);
        }
    }
    return {};
}

} // namespace

Result<QJsonObject> parseToolJson(const QByteArray &raw)
{
    if (raw.size() > kMaxInputBytes)
        return Error{tr("The answer is %1; an app may be at most %2. It was refused without being read.")
                         .arg(AppBundle::formatSize(raw.size()), AppBundle::formatSize(kMaxInputBytes))};
    if (raw.trimmed().isEmpty())
        return Error{tr("The answer contains no app: the write_app input is empty.")};
    if (const qsizetype values = roughValueCount(raw); values > kMaxJsonValues)
        return Error{tr("The answer has over %1 JSON values; an app has a few per file. It was refused "
                        "without being parsed.")
                         .arg(kMaxJsonValues)};
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(raw, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // Qt's offset for a cut-off text is not always its end; the incremental reader knows for sure.
        PartialAppJson reader;
        reader.feed(raw);
        if (!reader.hasError() && !reader.isComplete())
            return Error{
                tr("The app is not valid JSON: it ends early, after %1 bytes (near “%2”). The answer "
                   "was probably cut off.")
                    .arg(raw.size())
                    .arg(excerpt(raw, raw.size()))};
        const qsizetype offset = parseError.offset;
        return Error{tr("The app is not valid JSON: %1 at offset %2 of %3 (near “%4”).")
                         .arg(expectation(parseError.error))
                         .arg(offset)
                         .arg(raw.size())
                         .arg(excerpt(raw, offset))};
    }
    if (!doc.isObject())
        return Error{tr("The app is not a JSON object with title, runtime, start_command, port and files.")};
    return doc.object();
}

Result<AppBundle> fromToolInput(const QJsonObject &input, const std::optional<AppBundle> &previous)
{
    AppBundle bundle;
    AppManifest &manifest = bundle.manifest;

    manifest.title = input.value(u"title"_s).toString().simplified().left(80);
    if (manifest.title.isEmpty())
        manifest.title =
            previous && !previous->manifest.title.isEmpty() ? previous->manifest.title : tr("Untitled app");

    const QJsonValue runtimeValue = input.value(u"runtime"_s);
    if (!runtimeValue.isString())
        return Error{tr("The app has no runtime (static, python or node); its runtime is %1.")
                         .arg(typeName(runtimeValue))};
    const auto runtime = Runtimes::fromName(runtimeValue.toString().trimmed());
    if (!runtime)
        return Error{tr("The app's runtime \"%1\" is not one of static, python, node.")
                         .arg(runtimeValue.toString().left(40))};
    manifest.runtime = *runtime;

    const QJsonValue startValue = input.value(u"start_command"_s);
    if (!startValue.isUndefined() && !startValue.isNull() && !startValue.isString())
        return Error{tr("The app's start_command must be text, not %1.").arg(typeName(startValue))};
    // SpawnAI serves static files itself: a start command there would be ignored anyway.
    manifest.start = manifest.runtime == Runtime::Static ? QString() : startValue.toString().trimmed();

    const double port = input.value(u"port"_s).toDouble(0);
    manifest.port = 8000;
    if (manifest.runtime != Runtime::Static && port >= 1024 && port <= 65535 && port == std::floor(port))
        manifest.port = int(port);

    const QJsonValue filesValue = input.value(u"files"_s);
    if (!filesValue.isArray())
        return Error{
            tr("The app's files must be a list of {path, content}; they are %1.").arg(typeName(filesValue))};
    const QJsonArray files = filesValue.toArray();
    if (files.size() > AppBundle::kMaxFiles)
        return Error{
            tr("The app has %1 files; at most %2 are allowed.").arg(files.size()).arg(AppBundle::kMaxFiles)};

    QSet<QString> listed;
    std::optional<QByteArray> manifestFile;
    qint64 total = 0;
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QJsonValue entry = files.at(i);
        if (!entry.isObject())
            return Error{tr("File %1 of the app is %2, not an object with path and content.")
                             .arg(i + 1)
                             .arg(typeName(entry))};
        const QJsonObject file = entry.toObject();
        const QJsonValue pathValue = file.value(u"path"_s);
        if (!pathValue.isString())
            return Error{
                tr("File %1 of the app has no path (its path is %2).").arg(i + 1).arg(typeName(pathValue))};
        QString path = pathValue.toString();
        if (path.startsWith(u"./"))
            path = path.mid(2);
        if (path.isEmpty())
            return Error{tr("File %1 of the app has an empty path.").arg(i + 1)};
        if (auto ok = AppBundle::checkPath(path); !ok)
            return Error{ok.error()};
        // A lone surrogate cannot be written as a file name: it would become "?" on disk.
        if (!path.isValidUtf16())
            return Error{
                tr("File %1 of the app has a path that is not valid Unicode (\"%2\").").arg(i + 1).arg(path)};
        if (listed.contains(path))
            return Error{tr("%1 appears twice in the app; send each file once.").arg(path)};
        listed.insert(path);

        const QJsonValue contentValue = file.value(u"content"_s);
        if (!contentValue.isString())
            return Error{tr("The content of %1 must be text (a JSON string), not %2.")
                             .arg(path, typeName(contentValue))};
        const QString content = contentValue.toString();
        // UTF-8 takes at least one byte per UTF-16 unit: refuse by the character count before converting.
        if (content.size() > AppBundle::kMaxFileBytes)
            return Error{tr("%1 is over %2; an app file may be at most %2.")
                             .arg(path, AppBundle::formatSize(AppBundle::kMaxFileBytes))};
        if (total + content.size() > AppBundle::kMaxTotalBytes)
            return Error{tr("The app is over %1 in all; at most %1 can be deployed.")
                             .arg(AppBundle::formatSize(AppBundle::kMaxTotalBytes))};
        QByteArray bytes = content.toUtf8();
        total += bytes.size();
        if (total > AppBundle::kMaxTotalBytes)
            return Error{tr("The app is over %1 in all; at most %1 can be deployed.")
                             .arg(AppBundle::formatSize(AppBundle::kMaxTotalBytes))};

        if (path == AppBundle::kManifestName) {
            manifestFile = std::move(bytes);
            continue;
        }
        if (AppBundle::isBinaryPath(path)) {
            // Claude sees binary files only as a description and cannot write one: an empty one is its way
            // of deleting it, anything else leaves the file as it is.
            if (previous && previous->files.contains(path)) {
                if (!bytes.isEmpty())
                    bundle.files.insert(path, previous->files.value(path));
                continue;
            }
            if (!bytes.isEmpty())
                return Error{
                    tr("%1 would be a binary file (an image, font or media file), but write_app only "
                       "carries text. Use an SVG file, inline SVG or CSS instead.")
                        .arg(path)};
        }
        bundle.files.insert(path, std::move(bytes));
    }

    if (manifestFile) {
        const auto folded = AppManifest::fromJson(*manifestFile);
        if (!folded)
            return Error{tr("Leave spawnai.json out of the files: SpawnAI writes it from write_app's fields. "
                            "This one is not usable: %1")
                             .arg(folded.error())};
        const bool sameStart = manifest.runtime == Runtime::Static || folded->start == manifest.start;
        if (folded->runtime != manifest.runtime || !sameStart)
            return Error{
                tr("The app's spawnai.json (runtime %1, start \"%2\") contradicts its runtime %3 and "
                   "start command \"%4\". Leave spawnai.json out: SpawnAI writes it from write_app's "
                   "fields.")
                    .arg(Runtimes::name(folded->runtime), folded->start, Runtimes::name(manifest.runtime),
                         manifest.start)};
        // It agrees with the tool's fields: nothing to keep.
    }

    if (previous) {
        for (auto it = previous->files.cbegin(); it != previous->files.cend(); ++it) {
            if (AppBundle::isBinaryPath(it.key()) && !listed.contains(it.key()))
                bundle.files.insert(it.key(), it.value());
        }
    }

    if (const QString conflict = folderConflict(bundle.files); !conflict.isEmpty())
        return Error{conflict};
    if (manifest.runtime != Runtime::Static) {
        if (auto ok = checkStartCommand(manifest.start, manifest.runtime, bundle.files); !ok)
            return Error{ok.error()};
    }
    if (auto ok = bundle.validate(); !ok)
        return Error{ok.error()};
    return bundle;
}

Result<AppBundle> fromRaw(const QByteArray &raw, const std::optional<AppBundle> &previous)
{
    Result<QJsonObject> input = parseToolJson(raw);
    if (!input)
        return Error{input.error()};
    return fromToolInput(*input, previous);
}

QString fixRequest(const QString &validationError)
{
    // The request carries no earlier turns, so this says what went wrong rather than pointing at an answer
    // Claude cannot see.
    return u"SpawnAI could not accept the previous answer to this request:\n\n%1\n\n"
           u"Write the app again without this problem: call write_app once with the complete app, every file "
           u"in full, following the runtime contract of the system prompt."_s.arg(validationError);
}

} // namespace AppAnswer
