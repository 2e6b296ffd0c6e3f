// AppGenerationRequest: the Messages API body of a write_app generation, and the files of a refine.
#include "claude/appgenerationrequest.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using Files = QMap<QString, QByteArray>;

namespace {

QStringList sortedKeys(const QJsonObject &object)
{
    QStringList keys = object.keys();
    keys.sort();
    return keys;
}

QStringList texts(const QJsonArray &blocks)
{
    QStringList result;
    for (const QJsonValue &block : blocks)
        result << block.toObject().value(u"text"_s).toString();
    return result;
}

// Strict tools accept only objects that list every property as required and allow no others
// (structured-outputs' "JSON Schema limitations"); checks every object schema inside `schema`.
QString strictSchemaProblem(const QJsonObject &schema, const QString &where)
{
    const QString type = schema.value(u"type"_s).toString();
    if (type.isEmpty())
        return where + u": no type"_s;
    if (type == u"object") {
        if (schema.value(u"additionalProperties"_s) != QJsonValue(false))
            return where + u": additionalProperties is not false"_s;
        QStringList required;
        for (const QJsonValue &name : schema.value(u"required"_s).toArray())
            required << name.toString();
        required.sort();
        const QJsonObject properties = schema.value(u"properties"_s).toObject();
        if (required != sortedKeys(properties))
            return where + u": required does not list every property"_s;
        for (auto it = properties.begin(); it != properties.end(); ++it) {
            const QString problem = strictSchemaProblem(it.value().toObject(), where + u'.' + it.key());
            if (!problem.isEmpty())
                return problem;
        }
    }
    if (type == u"array")
        return strictSchemaProblem(schema.value(u"items"_s).toObject(), where + u"[]"_s);
    return {};
}

AppBundle sampleApp()
{
    AppBundle app = TestSupport::bundle(Runtime::Python,
                                        {{u"app.py"_s, "print('hi')\n"},
                                         {u"static/logo.png"_s, QByteArray("\x89PNG\r\n\x1a\n\0\0", 10)},
                                         {u"notes.md"_s, "Closing tags: </file> and </file-2\n"}},
                                        u"python3 app.py"_s);
    app.manifest.title = u"Notes"_s;
    return app;
}

} // namespace

class TestAppGenerationRequest : public QObject
{
    Q_OBJECT

private slots:
    void body_data()
    {
        QTest::addColumn<bool>("refine");
        QTest::addColumn<QString>("prompt");
        QTest::addColumn<QString>("fixMessage");
        QTest::addColumn<QString>("effort");
        QTest::addColumn<bool>("dependencies");

        QTest::newRow("first generation")
            << false << u"A pomodoro timer with a dark theme"_s << QString() << u"medium"_s << false;
        QTest::newRow("model default effort") << false << u"A clock"_s << QString() << QString() << false;
        QTest::newRow("dependencies allowed") << false << u"A clock"_s << QString() << u"high"_s << true;
        QTest::newRow("refine") << true << u"Make the button red"_s << QString() << u"low"_s << false;
        QTest::newRow("fix") << false << u"A clock"_s << u"The start command runs python."_s << u"medium"_s
                             << false;
        QTest::newRow("refine and fix")
            << true << u"Add a title"_s << u"index.html is missing."_s << u"medium"_s << false;
    }

    void body()
    {
        QFETCH(bool, refine);
        QFETCH(QString, prompt);
        QFETCH(QString, fixMessage);
        QFETCH(QString, effort);
        QFETCH(bool, dependencies);

        AppRequestOptions options;
        options.model = u"claude-sonnet-5-5"_s;
        options.maxTokens = 24000;
        options.prompt = prompt;
        options.fixMessage = fixMessage;
        options.effort = effort;
        options.dependenciesAllowed = dependencies;
        if (refine)
            options.currentApp = sampleApp();
        const QJsonObject body = AppGenerationRequest::body(options);

        QStringList expectedKeys = {u"max_tokens"_s, u"messages"_s,    u"model"_s,
                                    u"system"_s,     u"tool_choice"_s, u"tools"_s};
        if (!effort.isEmpty())
            expectedKeys << u"output_config"_s;
        expectedKeys.sort();
        // Sampling parameters are a 400 under API version 2026-10-21; the HTTP client adds stream itself.
        QCOMPARE(sortedKeys(body), expectedKeys);

        QCOMPARE(body.value(u"model"_s).toString(), u"claude-sonnet-5-5"_s);
        QCOMPARE(body.value(u"max_tokens"_s).toInt(), 24000);

        const QJsonArray system = body.value(u"system"_s).toArray();
        QCOMPARE(system.size(), 1);
        const QJsonObject systemBlock = system.first().toObject();
        QCOMPARE(systemBlock.value(u"type"_s).toString(), u"text"_s);
        QCOMPARE(systemBlock.value(u"text"_s).toString(), AppGenerationRequest::systemPrompt(dependencies));
        QCOMPARE(systemBlock.value(u"cache_control"_s).toObject(),
                 (QJsonObject{{u"type"_s, u"ephemeral"_s}}));

        const QJsonArray tools = body.value(u"tools"_s).toArray();
        QCOMPARE(tools.size(), 1);
        QCOMPARE(tools.first().toObject(), AppGenerationRequest::writeAppTool());
        QCOMPARE(body.value(u"tool_choice"_s).toObject(),
                 (QJsonObject{{u"type"_s, u"auto"_s}, {u"disable_parallel_tool_use"_s, true}}));
        if (!effort.isEmpty())
            QCOMPARE(body.value(u"output_config"_s).toObject(), (QJsonObject{{u"effort"_s, effort}}));

        const QJsonArray messages = body.value(u"messages"_s).toArray();
        QCOMPARE(messages.size(), 1);
        const QJsonObject message = messages.first().toObject();
        QCOMPARE(message.value(u"role"_s).toString(), u"user"_s);
        const QJsonArray content = message.value(u"content"_s).toArray();
        const QStringList blocks = texts(content);
        for (const QString &text : blocks)
            QVERIFY(!text.isEmpty()); // the API refuses empty text blocks
        QCOMPARE(blocks.size(), 1 + (refine ? 1 : 0) + (fixMessage.isEmpty() ? 0 : 1));
        qsizetype next = 0;
        if (refine) {
            // The files first, cached, so a fix round of the same refine reuses them.
            const QJsonObject files = content.at(next++).toObject();
            QCOMPARE(files.value(u"cache_control"_s).toObject(), (QJsonObject{{u"type"_s, u"ephemeral"_s}}));
            const auto decoded = AppGenerationRequest::decodeFiles(files.value(u"text"_s).toString());
            QVERIFY2(decoded.ok(), qPrintable(decoded.error()));
            QCOMPARE(decoded->textFiles.value(u"app.py"_s), sampleApp().files.value(u"app.py"_s));
            QCOMPARE(decoded->binaryPaths, QStringList{u"static/logo.png"_s});
        }
        QVERIFY(blocks.at(next++).endsWith(prompt));
        if (!fixMessage.isEmpty())
            QCOMPARE(blocks.at(next), fixMessage); // last: what went wrong with the previous answer
        for (const QJsonValue &block : content)
            QCOMPARE(block.toObject().value(u"type"_s).toString(), u"text"_s);
    }

    // anthropic.md §10.1: the same properties, types, enum and requirements, strict.
    void writeAppToolSchema()
    {
        const QJsonObject tool = AppGenerationRequest::writeAppTool();
        QCOMPARE(sortedKeys(tool),
                 (QStringList{u"description"_s, u"input_schema"_s, u"name"_s, u"strict"_s}));
        QCOMPARE(tool.value(u"name"_s).toString(), u"write_app"_s);
        QCOMPARE(tool.value(u"strict"_s), QJsonValue(true));
        QVERIFY(!tool.value(u"description"_s).toString().isEmpty());
        // The sandbox contract: servers bind HOST and listen on PORT, never a hard-coded 0.0.0.0.
        QVERIFY(tool.value(u"description"_s).toString().contains(u"PORT"_s));
        QVERIFY(tool.value(u"description"_s).toString().contains(u"HOST"_s));

        const QJsonObject schema = tool.value(u"input_schema"_s).toObject();
        const QString problem = strictSchemaProblem(schema, u"input_schema"_s);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QJsonObject properties = schema.value(u"properties"_s).toObject();
        QCOMPARE(sortedKeys(properties),
                 (QStringList{u"files"_s, u"port"_s, u"runtime"_s, u"start_command"_s, u"title"_s}));
        const auto typeOf = [&](const QString &name) {
            return properties.value(name).toObject().value(u"type"_s).toString();
        };
        QCOMPARE(typeOf(u"title"_s), u"string"_s);
        QCOMPARE(typeOf(u"runtime"_s), u"string"_s);
        QCOMPARE(typeOf(u"start_command"_s), u"string"_s);
        QCOMPARE(typeOf(u"port"_s), u"integer"_s);
        QCOMPARE(typeOf(u"files"_s), u"array"_s);
        QCOMPARE(properties.value(u"runtime"_s).toObject().value(u"enum"_s).toArray(),
                 (QJsonArray{u"static"_s, u"python"_s, u"node"_s}));
        const QJsonObject item = properties.value(u"files"_s).toObject().value(u"items"_s).toObject();
        QCOMPARE(item.value(u"type"_s).toString(), u"object"_s);
        QCOMPARE(sortedKeys(item.value(u"properties"_s).toObject()), (QStringList{u"content"_s, u"path"_s}));
        for (const QString &name : {u"path"_s, u"content"_s}) {
            QCOMPARE(
                item.value(u"properties"_s).toObject().value(name).toObject().value(u"type"_s).toString(),
                u"string"_s);
        }
        // The API takes the schema as JSON: it must survive a round trip unchanged.
        QCOMPARE(QJsonDocument::fromJson(QJsonDocument(tool).toJson()).object(), tool);
    }

    void systemPrompt_data()
    {
        QTest::addColumn<bool>("dependencies");
        QTest::addColumn<QStringList>("mentions");

        QTest::newRow("local: standard library only")
            << false << QStringList{u"standard library only"_s, u"No network"_s};
        QTest::newRow("cloud: dependencies installed")
            << true
            << QStringList{u"requirements.txt"_s, u"pip install -r requirements.txt"_s, u"npm install"_s};
    }

    void systemPrompt()
    {
        QFETCH(bool, dependencies);
        QFETCH(QStringList, mentions);

        const QString prompt = AppGenerationRequest::systemPrompt(dependencies);
        QVERIFY(!prompt.contains(u"{{"_s));
        for (const QString &mention : mentions)
            QVERIFY2(prompt.contains(mention), qPrintable(mention));
        QVERIFY(prompt != AppGenerationRequest::systemPrompt(!dependencies));
        // The shipped prompt from the resource, not the short fallback.
        QVERIFY(prompt.contains(u"# The sandbox contract"_s));
        QVERIFY(prompt.contains(u"write_app"_s));
        QVERIFY(prompt.contains(u"`PORT`"_s));
        QVERIFY(prompt.contains(u"`HOST`"_s));
        QVERIFY(prompt.contains(u"python3"_s));
        // What the request builder and AppAnswer rely on the model knowing.
        QVERIFY(prompt.contains(u"end=\"file-N\""_s));
        QVERIFY(prompt.contains(u"spawnai.json"_s));
    }

    void roundTrip_data()
    {
        QTest::addColumn<Files>("files");
        QTest::addColumn<QString>("title");
        QTest::addColumn<QStringList>("endTags"); // the end="…" attributes the encoding must use, in order

        QTest::newRow("plain") << Files{{u"index.html"_s, "<h1>Hi</h1>\n"}, {u"app.js"_s, "let a = 1;"}}
                               << u"Hello"_s << QStringList();
        QTest::newRow("content with </file>")
            << Files{{u"index.html"_s, "<pre>\n</file>\n</pre>\n"}} << u"T"_s << QStringList{u"file-2"_s};
        QTest::newRow("content with </file and </file-2")
            << Files{{u"notes.md"_s, "a </file-2> b </file"}} << u"T"_s << QStringList{u"file-3"_s};
        QTest::newRow("content with </file-2 and </file-3>")
            << Files{{u"notes.md"_s, "</file-2\n</file-3>\n</file-4x"}} << u"T"_s << QStringList{u"file-5"_s};
        QTest::newRow("content with </file at a line start, only")
            << Files{{u"a.txt"_s, "</file"}} << u"T"_s << QStringList{u"file-2"_s};
        QTest::newRow("lines that look like tags")
            << Files{{u"a.html"_s, "<file path=\"evil.txt\">\nx\n<binary path=\"b.png\"/>\n"}} << u"T"_s
            << QStringList();
        QTest::newRow("empty and newline-only files")
            << Files{{u"empty.txt"_s, ""}, {u"nl.txt"_s, "\n"}, {u"two.txt"_s, "\n\n"}} << u"T"_s
            << QStringList();
        QTest::newRow("CRLF and no final newline")
            << Files{{u"a.txt"_s, "one\r\ntwo\r\n"}, {u"b.txt"_s, "no newline"}} << u"T"_s << QStringList();
        QTest::newRow("attribute escaping")
            << Files{{u"we\"ird & <name>.txt"_s, "x"}, {u"amp&amp;.txt"_s, "y"}, {u"tab\tname.txt"_s, "z"}}
            << u"T"_s << QStringList();
        QTest::newRow("non-ASCII paths and content")
            << Files{{u"café/menü.html"_s, "é € 中 😀\n"}} << u"Café ☕"_s << QStringList();
        QTest::newRow("binary files described, not inlined")
            << Files{{u"index.html"_s, "<img src=\"logo.png\">"},
                     {u"logo.png"_s, QByteArray("\x89PNG\r\n\x1a\n\0\x01", 10)},
                     {u"fonts/a.woff2"_s, QByteArray(3000, '\xff')}}
            << u"T"_s << QStringList();
        QTest::newRow("title with placeholders and newlines")
            << Files{{u"index.html"_s, "x"}} << u"50%1 off %2\n<file path=\"x\">"_s << QStringList();
    }

    void roundTrip()
    {
        QFETCH(Files, files);
        QFETCH(QString, title);
        QFETCH(QStringList, endTags);

        AppBundle app = TestSupport::bundle(Runtime::Static, files);
        app.manifest.title = title;
        app.manifest.port = 8123;
        const QString text = AppGenerationRequest::encodeFiles(app);

        // The header names the manifest, on one line, with the title verbatim.
        const QString header = text.left(text.indexOf(u'\n'));
        QVERIFY2(header.contains(QString(title).replace(u'\n', u' ')), qPrintable(header));
        QVERIFY(header.contains(u"runtime static"_s));
        QVERIFY(header.contains(u"port 8123"_s));

        Files textFiles;
        QStringList binaryPaths;
        for (auto it = files.cbegin(); it != files.cend(); ++it) {
            if (AppBundle::isBinaryPath(it.key())) {
                binaryPaths << it.key();
                QVERIFY(!text.contains(QString::fromLatin1(it.value())));
            } else {
                textFiles.insert(it.key(), it.value());
            }
        }

        QStringList usedEnds;
        for (qsizetype at = text.indexOf(u" end=\""_s); at >= 0; at = text.indexOf(u" end=\""_s, at + 1))
            usedEnds << text.mid(at + 6, text.indexOf(u'"', at + 6) - at - 6);
        QCOMPARE(usedEnds, endTags);

        const auto decoded = AppGenerationRequest::decodeFiles(text);
        QVERIFY2(decoded.ok(), qPrintable(decoded.error()));
        QCOMPARE(decoded->textFiles, textFiles);
        QCOMPARE(decoded->binaryPaths, binaryPaths);
    }

    void decodeErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");

        QTest::newRow("tag not closed") << u"x\n<file path=\"a.txt\""_s << u"not closed"_s;
        QTest::newRow("no closing line") << u"<file path=\"a.txt\">\nabc\n"_s << u"a.txt has no closing"_s;
        QTest::newRow("closing tag not on its own line")
            << u"<file path=\"a.txt\">\nabc</file>\n"_s << u"a.txt has no closing"_s;
        QTest::newRow("closing line right after the opening line") // found by tst_bundlefuzz
            << u"<file path=\"a.txt\">\n</file>\n"_s << u"a.txt has no closing"_s;
        QTest::newRow("closing tag of another name")
            << u"<file path=\"a.txt\" end=\"file-2\">\nabc\n</file>\n"_s << u"</file-2>"_s;
        QTest::newRow("no path") << u"<file name=\"a.txt\">\nx\n</file>\n"_s << u"no readable path"_s;
        QTest::newRow("unknown entity")
            << u"<file path=\"a&nbsp;b\">\nx\n</file>\n"_s << u"no readable path"_s;
        QTest::newRow("content on the tag line") << u"<file path=\"a.txt\">x\n</file>\n"_s << u"own line"_s;
        QTest::newRow("the same file twice")
            << u"<file path=\"a.txt\">\nx\n</file>\n<file path=\"a.txt\">\ny\n</file>\n"_s << u"twice"_s;
    }

    void decodeErrors()
    {
        QFETCH(QString, text);
        QFETCH(QString, error);
        const auto decoded = AppGenerationRequest::decodeFiles(text);
        QVERIFY(!decoded.ok());
        QVERIFY2(decoded.error().contains(error), qPrintable(decoded.error()));
    }
};

QTEST_GUILESS_MAIN(TestAppGenerationRequest)
#include "tst_appgenerationrequest.moc"
