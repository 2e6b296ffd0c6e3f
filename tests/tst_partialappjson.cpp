// PartialAppJson: the write_app tool input read while it streams, split at every possible byte.
#include "claude/partialappjson.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

// What the reader should end with, taken from Qt's parser on the whole input.
struct Expected
{
    QString title;
    QString runtime;
    QString startCommand;
    int port = 0;
    QList<PartialAppJson::File> files;
};

Expected expectedFromQt(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("test input is not a JSON object: %s", qPrintable(error.errorString()));
    const QJsonObject root = doc.object();
    Expected expected;
    expected.title = root.value(u"title"_s).toString();
    expected.runtime = root.value(u"runtime"_s).toString();
    expected.startCommand = root.value(u"start_command"_s).toString();
    const QJsonValue port = root.value(u"port"_s);
    if (port.isDouble() && port.toDouble() == std::floor(port.toDouble()))
        expected.port = port.toInt();
    for (const QJsonValue &entry : root.value(u"files"_s).toArray()) {
        const QJsonObject file = entry.toObject();
        if (!file.value(u"path"_s).isString())
            continue;
        expected.files.append({file.value(u"path"_s).toString(), file.value(u"content"_s).toString(), true});
    }
    return expected;
}

// Empty when `reader` ended where Qt's parser did; else what differs.
QString difference(const PartialAppJson &reader, const Expected &expected)
{
    if (reader.hasError())
        return u"error: "_s + reader.errorString();
    if (!reader.isComplete())
        return u"not complete"_s;
    if (reader.title() != expected.title)
        return u"title \"%1\" != \"%2\""_s.arg(reader.title(), expected.title);
    if (reader.runtime() != expected.runtime)
        return u"runtime \"%1\" != \"%2\""_s.arg(reader.runtime(), expected.runtime);
    if (reader.startCommand() != expected.startCommand)
        return u"start_command \"%1\" != \"%2\""_s.arg(reader.startCommand(), expected.startCommand);
    if (reader.port() != expected.port)
        return u"port %1 != %2"_s.arg(reader.port()).arg(expected.port);
    if (reader.files().size() != expected.files.size())
        return u"%1 files != %2"_s.arg(reader.files().size()).arg(expected.files.size());
    for (qsizetype i = 0; i < expected.files.size(); ++i) {
        const PartialAppJson::File &got = reader.files().at(i);
        const PartialAppJson::File &want = expected.files.at(i);
        if (got.path != want.path)
            return u"file %1: path \"%2\" != \"%3\""_s.arg(i).arg(got.path, want.path);
        if (got.content != want.content)
            return u"file %1 (%2): content differs (%3 vs %4 characters)"_s.arg(i)
                .arg(got.path)
                .arg(got.content.size())
                .arg(want.content.size());
        if (!got.complete)
            return u"file %1 (%2) is not complete"_s.arg(i).arg(got.path);
    }
    return {};
}

// What a streaming reader may show at any moment: a prefix of the final state, never a half character.
QString streamingDifference(const PartialAppJson &reader, const Expected &expected)
{
    if (reader.hasError())
        return u"error: "_s + reader.errorString();
    if (!reader.title().isEmpty() && reader.title() != expected.title)
        return u"title \"%1\" shown early"_s.arg(reader.title());
    if (reader.files().size() > expected.files.size())
        return u"too many files"_s;
    for (qsizetype i = 0; i < reader.files().size(); ++i) {
        const PartialAppJson::File &got = reader.files().at(i);
        if (got.path != expected.files.at(i).path)
            return u"file %1: path \"%2\" shown"_s.arg(i).arg(got.path);
        if (!expected.files.at(i).content.startsWith(got.content))
            return u"file %1: content so far is not a prefix of the final content"_s.arg(i);
        if (got.complete && got.content != expected.files.at(i).content)
            return u"file %1: complete too early"_s.arg(i);
    }
    return {};
}

QByteArray toolInput(const QJsonArray &files, const QString &title = u"Pomodoro Timer"_s)
{
    return QJsonDocument(QJsonObject{{u"title"_s, title},
                                     {u"runtime"_s, u"static"_s},
                                     {u"start_command"_s, u""_s},
                                     {u"port"_s, 8000},
                                     {u"files"_s, files}})
        .toJson(QJsonDocument::Compact);
}

// QJsonObject sorts its keys, so "content" comes before "path" in what toJson() writes.
QJsonObject file(const QString &path, const QString &content)
{
    return QJsonObject{{u"path"_s, path}, {u"content"_s, content}};
}

// The order Claude writes: the path first, so the editor can open the file while its content streams.
QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.sliced(1, array.size() - 2);
}

QByteArray pathFirstInput(const QList<std::pair<QString, QString>> &files)
{
    QByteArray json =
        "{\"title\":\"Big\",\"runtime\":\"static\",\"start_command\":\"\",\"port\":8000,\"files\":[";
    for (const auto &[path, content] : files) {
        if (!json.endsWith('['))
            json += ',';
        json += "{\"path\":" + jsonString(path) + ",\"content\":" + jsonString(content) + '}';
    }
    return json + "]}";
}

// anthropic.md §5.1, the joined input_json_delta fragments of a write_app call.
const QByteArray kSpecExample =
    "{\"title\": \"Pomodoro Timer\", \"runtime\": \"static\", \"start_command\": \"\", \"port\": 80, "
    "\"files\": [{\"path\": \"index.html\", \"content\": \"<!doctype "
    "html>\\n<html><head><title>Pomodoro</title>"
    "<script src=\\\"app.js\\\" defer></script></head><body><h1 id=\\\"t\\\">25:00</h1></body></html>\\n\"}, "
    "{\"path\": \"app.js\", \"content\": \"let s = 1500; setInterval(() => { s--; t.textContent = "
    "`${(s/60|0)}:${String(s%60).padStart(2,'0')}`; }, 1000);\\n\"}]}";

} // namespace

class TestPartialAppJson : public QObject
{
    Q_OBJECT

private slots:
    // Every sample, fed whole, at every single split point, byte by byte and in random pieces, must end
    // exactly where Qt's parser ends, and show only prefixes of that on the way.
    void everySplit_data()
    {
        QTest::addColumn<QByteArray>("json");

        QTest::newRow("spec example") << kSpecExample;
        QTest::newRow("escapes") << QByteArray(
            "{\"title\":\"Tab\\there \\\"quoted\\\" back\\\\slash\\/\",\"runtime\":\"static\","
            "\"files\":[{\"path\":\"a\\/b.txt\",\"content\":\"line1\\nline2\\r\\n\\t\\b\\f"
            "\\u00e9\\u00E9\\u20ac\\u0000end\"}]}");
        QTest::newRow("surrogate pairs") << QByteArray(
            "{\"files\":[{\"path\":\"\\ud83d\\ude00.txt\",\"content\":\"smile \\ud83d\\ude00 "
            "raw \xf0\x9f\x98\x80 upper \\uD83D\\uDE00!\"}],\"title\":\"\\ud83c\\udf45 Timer\"}");
        QTest::newRow("lone surrogates kept as Qt keeps them")
            << QByteArray("{\"files\":[{\"path\":\"x\",\"content\":\"a\\ud800b\\udc00c\\ud800\\ud800\\ude00"
                          "\\ud800\"}]}");
        QTest::newRow("multi-byte UTF-8")
            << QByteArray("{\"title\":\"Caf\xc3\xa9 \xe2\x82\xac \xe4\xb8\xad\",\"runtime\":\"static\","
                          "\"files\":[{\"path\":\"\xc3\xa9t\xc3\xa9.html\",\"content\":\"\xc3\xa9\xe2\x82\xac"
                          "\xe4\xb8\xad\xf0\x9f\x98\x80\xef\xbf\xbe\xf4\x8f\xbf\xbf\"}]}");
        QTest::newRow("content before path") << QByteArray(
            "{\"files\":[{\"content\":\"<h1>hi</h1>\",\"path\":\"index.html\"},"
            "{\"path\":\"app.js\",\"content\":\"x\"},{\"content\":\"y\\n\",\"path\":\"b.css\"}],"
            "\"runtime\":\"static\",\"title\":\"Later\"}");
        QTest::newRow("keys in any order") << QByteArray(
            "{\"port\":9000,\"files\":[],\"start_command\":\"python3 app.py\",\"runtime\":\"python\","
            "\"title\":\"Last\"}");
        QTest::newRow("escaped key names") << QByteArray(
            "{\"\\u0074itle\":\"T\",\"files\":[{\"p\\u0061th\":\"a.txt\",\"cont\\u0065nt\":\"c\"}]}");
        QTest::newRow("unknown keys and nested values skipped") << QByteArray(
            "{\"meta\":{\"files\":[{\"path\":\"evil\",\"content\":\"no\"}],\"title\":\"no\"},"
            "\"title\":\"Real\",\"list\":[[1,2,{\"path\":\"no\"}],true,false,null,-1.5e+10,0,"
            "\"s\"],\"files\":[{\"path\":\"a.txt\",\"extra\":{\"path\":\"no\",\"content\":\"no\"},"
            "\"content\":\"yes\",\"n\":[null]},7,\"str\",[{\"path\":\"no\"}],null,"
            "{\"content\":\"orphan\"},{\"path\":42,\"content\":\"numeric path\"},"
            "{\"path\":\"b.txt\",\"content\":{\"not\":\"text\"}}],\"runtime\":\"static\"}");
        QTest::newRow("pretty printed")
            << QJsonDocument(QJsonObject{{u"title"_s, u"Pretty"_s},
                                         {u"runtime"_s, u"node"_s},
                                         {u"start_command"_s, u"node server.js"_s},
                                         {u"port"_s, 3000},
                                         {u"files"_s, QJsonArray{file(u"server.js"_s, u"const a = 1;\n"_s),
                                                                 file(u"index.html"_s, u"<p>é</p>"_s)}}})
                   .toJson(QJsonDocument::Indented);
        QTest::newRow("whitespace everywhere") << QByteArray(
            " \r\n\t{ \"title\" :\t\"W\" ,\n\"files\" : [ { \"path\" : \"a\" , \"content\" : \"b\" } "
            ", { } ] , \"port\" : 8080 } \n ");
        QTest::newRow("numbers") << QByteArray(
            "{\"a\":0,\"b\":-0,\"c\":12.5e-3,\"d\":1E+2,\"e\":-0.0,\"port\":8.0e3,\"files\":[]}");
        QTest::newRow("fractional port is no port") << QByteArray("{\"port\":8000.5,\"files\":[]}");
        QTest::newRow("port as text is no port") << QByteArray("{\"port\":\"8000\",\"files\":[]}");
        QTest::newRow("raw control characters and unknown escapes (as lenient as Qt)")
            << QByteArray("{\"files\":[{\"path\":\"a\",\"content\":\"tab\there\nnewline\\x\\'\\a\"}]}");
        QTest::newRow("empty strings and files") << QByteArray(
            "{\"title\":\"\",\"runtime\":\"\",\"files\":[{\"path\":\"\",\"content\":\"\"},{}]}");
        QTest::newRow("empty object") << QByteArray("{}");
        QTest::newRow("generated, path first")
            << pathFirstInput({{u"index.html"_s, u"<!doctype html>\n<title>\"x\" & 'y'</title>\\"_s},
                               {u"dir/app.js"_s, u"console.log(\"\\u00e9\", '\t', '\u00e9\U0001F600');\n"_s},
                               {u"empty.txt"_s, QString()}});
        QTest::newRow("generated, content first")
            << toolInput(QJsonArray{file(u"index.html"_s, u"<!doctype html>\n<title>\"x\" & 'y'</title>\\"_s),
                                    file(u"style.css"_s, u"body { color: #fff; }\n/* \u00e9\U0001F600 */"_s),
                                    file(u"app.js"_s, u"console.log(\"\\u00e9\", '\t');\n"_s)});
    }

    void everySplit()
    {
        QFETCH(QByteArray, json);
        const Expected expected = expectedFromQt(json);

        {
            PartialAppJson reader;
            reader.feed(json);
            QVERIFY2(difference(reader, expected).isEmpty(), qPrintable(difference(reader, expected)));
            QCOMPARE(reader.bytesFed(), json.size());
        }
        for (qsizetype split = 0; split <= json.size(); ++split) {
            PartialAppJson reader;
            reader.feed(QByteArrayView(json).first(split));
            const QString early = streamingDifference(reader, expected);
            QVERIFY2(early.isEmpty(), qPrintable(u"split at %1: %2"_s.arg(split).arg(early)));
            reader.feed(QByteArrayView(json).sliced(split));
            const QString diff = difference(reader, expected);
            QVERIFY2(diff.isEmpty(), qPrintable(u"split at %1: %2"_s.arg(split).arg(diff)));
        }
        {
            PartialAppJson reader;
            for (qsizetype i = 0; i < json.size(); ++i) {
                reader.feed(QByteArrayView(json).sliced(i, 1));
                const QString early = streamingDifference(reader, expected);
                QVERIFY2(early.isEmpty(), qPrintable(u"byte %1: %2"_s.arg(i).arg(early)));
            }
            QVERIFY2(difference(reader, expected).isEmpty(), qPrintable(difference(reader, expected)));
            QCOMPARE(reader.bytesFed(), json.size());
        }
        QRandomGenerator random(20261128);
        for (int round = 0; round < 50; ++round) {
            PartialAppJson reader;
            qsizetype at = 0;
            while (at < json.size()) {
                const qsizetype length = std::min<qsizetype>(random.bounded(1, 12), json.size() - at);
                reader.feed(QByteArrayView(json).sliced(at, length));
                at += length;
            }
            QVERIFY2(difference(reader, expected).isEmpty(), qPrintable(difference(reader, expected)));
        }
    }

    // The splits that matter most, with what the reader shows between the two fragments.
    void awkwardSplit_data()
    {
        QTest::addColumn<QByteArray>("first");
        QTest::addColumn<QByteArray>("second");
        QTest::addColumn<int>("filesBetween");
        QTest::addColumn<QString>("contentBetween"); // of the first file, if any

        const QByteArray head = "{\"files\":[{\"path\":\"a.txt\",\"content\":\"x";
        QTest::newRow("mid key") << QByteArray("{\"files\":[{\"pa")
                                 << QByteArray("th\":\"a\",\"content\":\"x\"}]}") << 0 << QString();
        QTest::newRow("mid path") << QByteArray("{\"files\":[{\"path\":\"a.t")
                                  << QByteArray("xt\",\"content\":\"x\"}]}") << 0 << QString();
        QTest::newRow("after the backslash") << head + "\\" << QByteArray("n\"}]}") << 1 << u"x"_s;
        QTest::newRow("mid \\u escape") << head + "\\u00" << QByteArray("e9\"}]}") << 1 << u"x"_s;
        QTest::newRow("between the escapes of a pair")
            << head + "\\ud83d" << QByteArray("\\ude00\"}]}") << 1 << u"x"_s;
        QTest::newRow("mid second escape of a pair")
            << head + "\\ud83d\\ude" << QByteArray("00y\"}]}") << 1 << u"x"_s;
        QTest::newRow("mid two-byte UTF-8") << head + "\xc3" << QByteArray("\xa9\"}]}") << 1 << u"x"_s;
        QTest::newRow("mid three-byte UTF-8") << head + "\xe2\x82" << QByteArray("\xac\"}]}") << 1 << u"x"_s;
        QTest::newRow("mid four-byte UTF-8")
            << head + "\xf0\x9f\x98" << QByteArray("\x80\"}]}") << 1 << u"x"_s;
        QTest::newRow("mid literal") << QByteArray("{\"x\":tr") << QByteArray("ue,\"files\":[]}") << 0
                                     << QString();
        QTest::newRow("mid number") << QByteArray("{\"port\":80") << QByteArray("00,\"files\":[]}") << 0
                                    << QString();
        QTest::newRow("content before path, path not yet complete")
            << QByteArray("{\"files\":[{\"content\":\"abc\",\"path\":\"in") << QByteArray("dex.html\"}]}")
            << 0 << QString();
    }

    void awkwardSplit()
    {
        QFETCH(QByteArray, first);
        QFETCH(QByteArray, second);
        QFETCH(int, filesBetween);
        QFETCH(QString, contentBetween);

        PartialAppJson reader;
        reader.feed(first);
        QVERIFY2(!reader.hasError(), qPrintable(reader.errorString()));
        QCOMPARE(reader.files().size(), filesBetween);
        if (filesBetween > 0)
            QCOMPARE(reader.files().first().content, contentBetween);
        reader.feed(second);
        const QString diff = difference(reader, expectedFromQt(first + second));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    void titleAndRuntimeOnlyWhenComplete()
    {
        PartialAppJson reader;
        reader.feed("{\"title\":\"Pomo");
        QCOMPARE(reader.title(), QString());
        reader.feed("doro\",\"runtime\":\"pyt");
        QCOMPARE(reader.title(), u"Pomodoro"_s);
        QCOMPARE(reader.runtime(), QString());
        reader.feed("hon\",\"start_command\":\"python3 app.py\",\"port\":80");
        QCOMPARE(reader.runtime(), u"python"_s);
        QCOMPARE(reader.startCommand(), u"python3 app.py"_s);
        QCOMPARE(reader.port(), 0); // "80" may still become "8000"
        reader.feed("00,");
        QCOMPARE(reader.port(), 8000);
        QVERIFY(!reader.isComplete());
    }

    void changedFiles()
    {
        PartialAppJson reader;
        reader.feed("{\"title\":\"T\",\"files\":[{\"path\":\"index.html\",\"content\":\"<h1>");
        QCOMPARE(reader.takeChangedFiles(), QList<int>{0});
        QCOMPARE(reader.takeChangedFiles(), QList<int>{});
        QCOMPARE(reader.files().at(0).content, u"<h1>"_s);
        QVERIFY(!reader.files().at(0).complete);

        reader.feed("Hi</h1>");
        QCOMPARE(reader.takeChangedFiles(), QList<int>{0});
        QCOMPARE(reader.files().at(0).content, u"<h1>Hi</h1>"_s);

        // A fragment that adds nothing visible (half an escape) changes nothing.
        reader.feed("\\u00");
        QCOMPARE(reader.takeChangedFiles(), QList<int>{});
        reader.feed("e9");
        QCOMPARE(reader.takeChangedFiles(), QList<int>{0});

        // Completing file 0 and starting file 1 in one fragment reports both.
        reader.feed("\"},{\"path\":\"app.js\",\"content\":\"");
        QCOMPARE(reader.takeChangedFiles(), (QList<int>{0, 1}));
        QVERIFY(reader.files().at(0).complete);
        QVERIFY(!reader.files().at(1).complete);
        QCOMPARE(reader.files().at(1).content, QString());

        // Content before its path: nothing to show until the path arrives, then all at once.
        reader.feed("x\"},{\"content\":\"body{}\",");
        QCOMPARE(reader.takeChangedFiles(), QList<int>{1});
        QCOMPARE(reader.files().size(), 2);
        reader.feed("\"path\":\"style.css\"}");
        QCOMPARE(reader.takeChangedFiles(), QList<int>{2});
        QCOMPARE(reader.files().at(2).content, u"body{}"_s);
        QVERIFY(reader.files().at(2).complete);

        // A file object without content is complete when it closes.
        reader.feed(",{\"path\":\"empty.txt\"");
        QCOMPARE(reader.takeChangedFiles(), QList<int>{3});
        QVERIFY(!reader.files().at(3).complete);
        reader.feed("}]}");
        QCOMPARE(reader.takeChangedFiles(), QList<int>{3});
        QVERIFY(reader.files().at(3).complete);
        QVERIFY(reader.isComplete());
        QCOMPARE(reader.takeChangedFiles(), QList<int>{});
    }

    void incomplete_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("files");
        QTest::addColumn<QString>("lastContent");
        QTest::addColumn<bool>("lastComplete");

        QTest::newRow("nothing") << QByteArray() << 0 << QString() << false;
        QTest::newRow("whitespace") << QByteArray(" \n") << 0 << QString() << false;
        QTest::newRow("open object") << QByteArray("{") << 0 << QString() << false;
        QTest::newRow("mid content") << QByteArray("{\"files\":[{\"path\":\"a\",\"content\":\"hel") << 1
                                     << u"hel"_s << false;
        QTest::newRow("content string closed, object open")
            << QByteArray("{\"files\":[{\"path\":\"a\",\"content\":\"hello\"") << 1 << u"hello"_s << true;
        QTest::newRow("after a file")
            << QByteArray("{\"files\":[{\"path\":\"a\",\"content\":\"hello\"}") << 1 << u"hello"_s << true;
        QTest::newRow("before the closing brace")
            << QByteArray("{\"files\":[{\"path\":\"a\",\"content\":\"hello\"}]") << 1 << u"hello"_s << true;
        QTest::newRow("cut in UTF-8")
            << QByteArray("{\"files\":[{\"path\":\"a\",\"content\":\"h\xe2\x82") << 1 << u"h"_s << false;
        QTest::newRow("cut in an escape")
            << QByteArray("{\"files\":[{\"path\":\"a\",\"content\":\"h\\u00") << 1 << u"h"_s << false;
    }

    void incomplete()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, files);
        QFETCH(QString, lastContent);
        QFETCH(bool, lastComplete);

        PartialAppJson reader;
        reader.feed(json);
        QVERIFY2(!reader.hasError(), qPrintable(reader.errorString()));
        QVERIFY(!reader.isComplete());
        QCOMPARE(reader.files().size(), files);
        if (files > 0) {
            QCOMPARE(reader.files().last().content, lastContent);
            QCOMPARE(reader.files().last().complete, lastComplete);
        }
        // Qt's parser agrees that this is not (yet) a document.
        QJsonParseError error;
        QJsonDocument::fromJson(json, &error);
        QVERIFY(error.error != QJsonParseError::NoError);
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("offset"); // the byte the reader stops at

        QTest::newRow("list at the top") << QByteArray("[1]") << 0;
        QTest::newRow("string at the top") << QByteArray(" \"x\"") << 1;
        QTest::newRow("more after the end") << QByteArray("{} {}") << 3;
        QTest::newRow("member name without quotes") << QByteArray("{title:1}") << 1;
        QTest::newRow("missing colon") << QByteArray("{\"a\" 1}") << 5;
        QTest::newRow("missing comma") << QByteArray("{\"a\":1 \"b\":2}") << 7;
        QTest::newRow("trailing comma in object") << QByteArray("{\"a\":1,}") << 7;
        QTest::newRow("trailing comma in list") << QByteArray("{\"a\":[1,]}") << 8;
        QTest::newRow("wrong closing bracket") << QByteArray("{\"a\":[1}") << 7;
        QTest::newRow("bad literal") << QByteArray("{\"a\":tru}") << 8;
        QTest::newRow("literal with more letters") << QByteArray("{\"a\":truex}") << 9;
        QTest::newRow("lone minus") << QByteArray("{\"a\":-}") << 6;
        QTest::newRow("leading zero") << QByteArray("{\"a\":01}") << 6;
        QTest::newRow("plus sign") << QByteArray("{\"a\":+1}") << 5;
        QTest::newRow("exponent without digits") << QByteArray("{\"a\":1e}") << 7;
        QTest::newRow("bad \\u escape") << QByteArray("{\"a\":\"\\u00g9\"}") << 10;
        QTest::newRow("overlong UTF-8") << QByteArray("{\"a\":\"\xc0\xaf\"}") << 6;
        QTest::newRow("UTF-8 surrogate") << QByteArray("{\"a\":\"\xed\xa0\x80\"}") << 7;
        QTest::newRow("above U+10FFFF") << QByteArray("{\"a\":\"\xf4\x90\x80\x80\"}") << 7;
        QTest::newRow("stray continuation byte") << QByteArray("{\"a\":\"\x80\"}") << 6;
        QTest::newRow("lead byte then ASCII")
            << QByteArray("{\"files\":[{\"path\":\"a\",\"content\":\"\xe2x\"}]}") << 34;
        QTest::newRow("nested too deeply")
            << QByteArray("{\"a\":") + QByteArray(1100, '[') + QByteArray(1100, ']') + "}" << 5 + 1023;
    }

    void malformed()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, offset);

        // Qt's parser refuses these too, or, for a top-level non-object, AppAnswer does.
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
        QVERIFY(error.error != QJsonParseError::NoError || !doc.isObject());

        PartialAppJson reader;
        reader.feed(json);
        QVERIFY(reader.hasError());
        QVERIFY2(reader.errorString().contains(u"byte %1:"_s.arg(offset)), qPrintable(reader.errorString()));
        QCOMPARE(reader.bytesFed(), json.size());

        // Byte by byte, the reader stops at the same place.
        PartialAppJson slow;
        for (qsizetype i = 0; i < json.size(); ++i)
            slow.feed(QByteArrayView(json).sliced(i, 1));
        QCOMPARE(slow.errorString(), reader.errorString());
    }

    void stopsAfterAnError()
    {
        const QByteArray broken = "{\"files\":[{\"path\":\"a\",\"content\":\"ok\"}x";
        const QByteArray more = ",{\"path\":\"b\",\"content\":\"more\"}]}";
        PartialAppJson reader;
        reader.feed(broken);
        QVERIFY(reader.hasError());
        QCOMPARE(reader.takeChangedFiles(), QList<int>{0});
        const QString error = reader.errorString();
        reader.feed(more);
        QCOMPARE(reader.files().size(), 1);
        QCOMPARE(reader.files().first().content, u"ok"_s);
        QCOMPARE(reader.takeChangedFiles(), QList<int>{});
        QCOMPARE(reader.errorString(), error);
        QVERIFY(!reader.isComplete());
        QCOMPARE(reader.bytesFed(), broken.size() + more.size());
    }

    // Each byte is examined once: 5 MB in 20-byte fragments, reading the changes after each as the editor
    // does, must take about as long per byte as 0.5 MB does. A reader that re-parsed its input per fragment
    // would take 10,000 times longer for the larger input, not 10 times.
    void linearTime()
    {
        auto makeInput = [](qsizetype bytes) {
            QString line = u"<p class=\"x\">Line with \"quotes\", a \\ backslash, tabs\t, é € 😀</p>\n"_s;
            QList<std::pair<QString, QString>> files;
            const qsizetype perFile = bytes / 4;
            for (int i = 0; i < 4; ++i) {
                QString content;
                while (content.size() < perFile)
                    content += line;
                files.append({u"file%1.html"_s.arg(i), content});
            }
            return pathFirstInput(files);
        };
        auto feedAll = [](const QByteArray &json, qint64 *elapsedMs) {
            QElapsedTimer timer;
            timer.start();
            auto reader = std::make_unique<PartialAppJson>();
            qsizetype changes = 0;
            for (qsizetype at = 0; at < json.size(); at += 20) {
                reader->feed(QByteArrayView(json).sliced(at, std::min<qsizetype>(20, json.size() - at)));
                changes += reader->takeChangedFiles().size();
            }
            *elapsedMs = std::max<qint64>(timer.elapsed(), 1);
            return std::pair{std::move(reader), changes};
        };

        const QByteArray small = makeInput(512 * 1024);
        const QByteArray large = makeInput(5 * 1024 * 1024);
        QVERIFY(large.size() >= 5 * 1024 * 1024);

        qint64 smallMs = std::numeric_limits<qint64>::max();
        qint64 largeMs = std::numeric_limits<qint64>::max();
        for (int run = 0; run < 2; ++run) {
            qint64 ms = 0;
            feedAll(small, &ms);
            smallMs = std::min(smallMs, ms);
        }
        qint64 ms = 0;
        auto [reader, changes] = feedAll(large, &ms);
        largeMs = ms;
        qInfo("5 MB in 20-byte fragments: %lld ms (0.5 MB: %lld ms)", largeMs, smallMs);

        const QString diff = difference(*reader, expectedFromQt(large));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        QVERIFY2(changes >= large.size() / 20 / 2,
                 qPrintable(QString::number(changes))); // the editor heard of nearly every fragment
        QVERIFY2(largeMs < 20'000, qPrintable(u"%1 ms"_s.arg(largeMs)));
        // Linear: about 10× the smaller input; allow for a noisy machine, far below quadratic (100×).
        QVERIFY2(largeMs < 40 * smallMs + 500, qPrintable(u"%1 ms vs %2 ms"_s.arg(largeMs).arg(smallMs)));
    }
};

QTEST_GUILESS_MAIN(TestPartialAppJson)
#include "tst_partialappjson.moc"
