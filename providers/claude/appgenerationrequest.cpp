#include "appgenerationrequest.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace AppGenerationRequest {

namespace {

const QString kDependenciesPlaceholder = u"{{DEPENDENCIES}}"_s;
const QString kFileOpen = u"<file "_s;
const QString kBinaryOpen = u"<binary "_s;

// The contract per provider: Local has no network, so nothing can be installed there.
QString dependenciesText(bool allowed)
{
    if (allowed)
        return u"The sandbox installs dependencies before it starts the app: list Python packages in "
               u"`requirements.txt` (installed with `pip install -r requirements.txt`) and Node packages "
               u"under "
               u"`dependencies` in `package.json` (installed with `npm install`). Prefer the standard "
               u"library "
               u"all the same, and use only a few well-known packages."_s;
    return u"No network: standard library only. Nothing is installed in the sandbox, so Python apps use the "
           u"Python standard library and Node apps the Node standard library, with no `requirements.txt` and "
           u"no packages in `package.json`."_s;
}

// Only reached if the resource is not linked in; a request without the contract still yields an app.
QString fallbackPrompt()
{
    return u"You generate small web apps. Always answer by calling write_app exactly once with all files, "
           u"each complete. Servers read PORT and bind HOST from the environment. Dependencies: "_s +
           kDependenciesPlaceholder;
}

QString loadPromptTemplate()
{
    QFile file(u":/spawnai/prompts/system.md"_s);
    if (!file.open(QIODevice::ReadOnly))
        return fallbackPrompt();
    const QString text = QString::fromUtf8(file.readAll());
    return text.contains(kDependenciesPlaceholder) ? text : fallbackPrompt();
}

QJsonObject ephemeral()
{
    return QJsonObject{{u"type"_s, u"ephemeral"_s}};
}

QJsonObject textBlock(const QString &text)
{
    return QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, text}};
}

// Attribute values: XML entities for the markup characters, numeric references for control characters, so
// a value never spans lines.
QString escapeAttribute(const QString &value)
{
    QString out;
    out.reserve(value.size());
    for (const QChar c : value) {
        switch (c.unicode()) {
        case u'&':
            out += u"&amp;"_s;
            break;
        case u'"':
            out += u"&quot;"_s;
            break;
        case u'<':
            out += u"&lt;"_s;
            break;
        case u'>':
            out += u"&gt;"_s;
            break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                out += u"&#"_s + QString::number(c.unicode()) + u';';
            else
                out += c;
        }
    }
    return out;
}

std::optional<QString> unescapeAttribute(QStringView value)
{
    QString out;
    out.reserve(value.size());
    for (qsizetype i = 0; i < value.size(); ++i) {
        if (value[i] != u'&') {
            out += value[i];
            continue;
        }
        const qsizetype semicolon = value.indexOf(u';', i);
        if (semicolon < 0)
            return std::nullopt;
        const QStringView entity = value.sliced(i + 1, semicolon - i - 1);
        if (entity == u"amp")
            out += u'&';
        else if (entity == u"quot")
            out += u'"';
        else if (entity == u"lt")
            out += u'<';
        else if (entity == u"gt")
            out += u'>';
        else if (entity.startsWith(u'#')) {
            bool ok = false;
            const uint code = entity.sliced(1).toUInt(&ok);
            if (!ok || code > 0xffff)
                return std::nullopt;
            out += QChar(char16_t(code));
        } else {
            return std::nullopt;
        }
        i = semicolon;
    }
    return out;
}

// One line that cannot be mistaken for a tag (tags are only recognised at the start of a line).
QString oneLine(QString text)
{
    for (QChar &c : text) {
        if (c == u'\n' || c == u'\r')
            c = u' ';
    }
    return text;
}

// The closing tag's name for `content`: "file", or "file-N" when the content mentions "</file".
QString closingName(const QByteArray &content)
{
    if (!content.contains("</file"))
        return u"file"_s;
    for (int n = 2;; ++n) {
        const QByteArray candidate = "</file-" + QByteArray::number(n);
        if (!content.contains(candidate))
            return u"file-"_s + QString::number(n);
    }
}

// name="value" pairs of a tag's inside, e.g. ` path="a.js" end="file-2"`.
std::optional<QMap<QString, QString>> parseAttributes(QStringView inside)
{
    QMap<QString, QString> attributes;
    qsizetype i = 0;
    while (true) {
        while (i < inside.size() && inside[i] == u' ')
            ++i;
        if (i == inside.size())
            return attributes;
        const qsizetype eq = inside.indexOf(u"=\"", i);
        if (eq < 0)
            return std::nullopt;
        const qsizetype close = inside.indexOf(u'"', eq + 2);
        if (close < 0)
            return std::nullopt;
        const auto value = unescapeAttribute(inside.sliced(eq + 2, close - eq - 2));
        if (!value)
            return std::nullopt;
        attributes.insert(inside.sliced(i, eq - i).toString(), *value);
        i = close + 1;
    }
}

QString tr(const char *text)
{
    return QCoreApplication::translate("AppGenerationRequest", text);
}

} // namespace

QString systemPrompt(bool dependenciesAllowed)
{
    static const QString promptTemplate = loadPromptTemplate();
    QString prompt = promptTemplate;
    prompt.replace(kDependenciesPlaceholder, dependenciesText(dependenciesAllowed));
    return prompt;
}

QJsonObject writeAppTool()
{
    const QJsonObject fileSchema{
        {u"type"_s, u"object"_s},
        {u"properties"_s,
         QJsonObject{
             {u"path"_s,
              QJsonObject{{u"type"_s, u"string"_s},
                          {u"description"_s, u"Relative path with forward slashes, e.g. index.html or "
                                             u"static/app.js. No leading '/', no '..'."_s}}},
             {u"content"_s, QJsonObject{{u"type"_s, u"string"_s},
                                        {u"description"_s, u"The complete file content, UTF-8 text. Never "
                                                           u"abbreviated."_s}}},
         }},
        {u"required"_s, QJsonArray{u"path"_s, u"content"_s}},
        {u"additionalProperties"_s, false},
    };
    const QJsonObject properties{
        {u"title"_s, QJsonObject{{u"type"_s, u"string"_s},
                                 {u"description"_s, u"Short title of the app, at most 5 words"_s}}},
        {u"runtime"_s, QJsonObject{{u"type"_s, u"string"_s},
                                   {u"enum"_s, QJsonArray{u"static"_s, u"python"_s, u"node"_s}},
                                   {u"description"_s, u"static: files served as they are (needs index.html); "
                                                      u"python or node: start_command runs a server"_s}}},
        {u"start_command"_s,
         QJsonObject{{u"type"_s, u"string"_s},
                     {u"description"_s,
                      u"Command that starts the server, run without a shell in the app's "
                      u"folder, e.g. 'python3 app.py' or 'node server.js'. Empty for static."_s}}},
        {u"port"_s,
         QJsonObject{{u"type"_s, u"integer"_s},
                     {u"description"_s, u"8000. The server must read the PORT and HOST environment "
                                        u"variables, which SpawnAI sets."_s}}},
        {u"files"_s, QJsonObject{{u"type"_s, u"array"_s},
                                 {u"items"_s, fileSchema},
                                 {u"description"_s, u"Every file of the app, each complete"_s}}},
    };
    return QJsonObject{
        {u"name"_s, u"write_app"_s},
        {u"description"_s,
         u"Return the complete, runnable app. Call exactly once with every file, each in full. Paths are "
         u"relative. For runtime 'static' SpawnAI serves the files as they are; for 'python' or 'node' "
         u"start_command starts an HTTP server that listens on the PORT environment variable and binds the "
         u"HOST "
         u"environment variable (never a hard-coded port or 0.0.0.0)."_s},
        {u"strict"_s, true},
        {u"input_schema"_s,
         QJsonObject{
             {u"type"_s, u"object"_s},
             {u"properties"_s, properties},
             {u"required"_s, QJsonArray{u"title"_s, u"runtime"_s, u"start_command"_s, u"port"_s, u"files"_s}},
             {u"additionalProperties"_s, false},
         }},
    };
}

QString encodeFiles(const AppBundle &app)
{
    const AppManifest &manifest = app.manifest;
    // One arg() call: a "%1" in the title must stay text.
    QString text =
        u"The app as the user has it now: title \"%1\", runtime %2, start command \"%3\", port %4. "
        u"Every text file follows in full; binary files are only listed (leave them out of your "
        u"answer to keep them as they are)."_s.arg(oneLine(manifest.title), Runtimes::name(manifest.runtime),
                                                   oneLine(manifest.start), QString::number(manifest.port));
    text += u"\n\n"_s;
    for (auto it = app.files.cbegin(); it != app.files.cend(); ++it) {
        const QString path = escapeAttribute(it.key());
        if (AppBundle::isBinaryPath(it.key())) {
            text +=
                u"<binary path=\"%1\" size=\"%2\"/>\n"_s.arg(path, AppBundle::formatSize(it.value().size()));
            continue;
        }
        const QString close = closingName(it.value());
        text += u"<file path=\""_s + path + u'"';
        if (close != u"file")
            text += u" end=\""_s + close + u'"';
        text += u">\n"_s + QString::fromUtf8(it.value()) + u"\n</"_s + close + u">\n"_s;
    }
    return text;
}

Result<DecodedFiles> decodeFiles(const QString &text)
{
    DecodedFiles decoded;
    qsizetype pos = 0;
    while (pos < text.size()) {
        const bool atLineStart = pos == 0 || text.at(pos - 1) == u'\n';
        const QStringView rest = QStringView(text).sliced(pos);
        const bool isFile = atLineStart && rest.startsWith(kFileOpen);
        const bool isBinary = atLineStart && rest.startsWith(kBinaryOpen);
        if (!isFile && !isBinary) {
            const qsizetype newline = text.indexOf(u'\n', pos);
            pos = newline < 0 ? text.size() : newline + 1;
            continue;
        }
        const qsizetype tagEnd = text.indexOf(u'>', pos);
        if (tagEnd < 0)
            return Error{tr("A file tag at offset %1 is not closed.").arg(pos)};
        const qsizetype nameLength = isFile ? kFileOpen.size() : kBinaryOpen.size();
        QStringView inside = QStringView(text).sliced(pos + nameLength, tagEnd - pos - nameLength);
        if (isBinary && inside.endsWith(u'/'))
            inside.chop(1);
        const auto attributes = parseAttributes(inside);
        if (!attributes || !attributes->contains(u"path"_s))
            return Error{tr("The tag at offset %1 has no readable path.").arg(pos)};
        const QString path = attributes->value(u"path"_s);
        if (isBinary) {
            decoded.binaryPaths << path;
            pos = tagEnd + 1;
            continue;
        }
        const QString close = attributes->value(u"end"_s, u"file"_s);
        const qsizetype contentStart = tagEnd + 2;
        if (contentStart > text.size() || text.at(tagEnd + 1) != u'\n')
            return Error{tr("The content of %1 does not start on its own line.").arg(path)};
        const QString closeTag = u"</"_s + close + u'>';
        // The content never contains its closing tag, so the first one found is it; one newline precedes it
        // (the content ends before that newline, so even an empty file has a line between the tags).
        const qsizetype closeAt = text.indexOf(closeTag, contentStart);
        if (closeAt <= contentStart || text.at(closeAt - 1) != u'\n')
            return Error{tr("%1 has no closing %2 line.").arg(path, closeTag)};
        if (decoded.textFiles.contains(path))
            return Error{tr("%1 appears twice.").arg(path)};
        decoded.textFiles.insert(path, text.sliced(contentStart, closeAt - 1 - contentStart).toUtf8());
        pos = closeAt + closeTag.size();
    }
    return decoded;
}

QJsonObject body(const AppRequestOptions &options)
{
    QJsonObject system = textBlock(systemPrompt(options.dependenciesAllowed));
    system.insert(u"cache_control"_s, ephemeral());

    QJsonArray content;
    if (options.currentApp) {
        // Marked for caching too: a fix round sends the same files with a different last block.
        QJsonObject files = textBlock(encodeFiles(*options.currentApp));
        files.insert(u"cache_control"_s, ephemeral());
        content.append(files);
        if (!options.prompt.isEmpty())
            content.append(textBlock(u"Change the app as follows:\n\n"_s + options.prompt));
    } else if (!options.prompt.isEmpty()) {
        content.append(textBlock(options.prompt));
    }
    if (!options.fixMessage.isEmpty())
        content.append(textBlock(options.fixMessage));

    QJsonObject request{
        {u"model"_s, options.model},
        {u"max_tokens"_s, options.maxTokens},
        {u"system"_s, QJsonArray{system}},
        {u"tools"_s, QJsonArray{writeAppTool()}},
        {u"tool_choice"_s, QJsonObject{{u"type"_s, u"auto"_s}, {u"disable_parallel_tool_use"_s, true}}},
        {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, content}}}},
    };
    if (!options.effort.isEmpty())
        request.insert(u"output_config"_s, QJsonObject{{u"effort"_s, options.effort}});
    return request;
}

} // namespace AppGenerationRequest
