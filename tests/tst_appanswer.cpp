// AppAnswer: Claude's write_app input → a validated AppBundle, or an error that names what to fix.
#include "claude/appanswer.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using Files = QMap<QString, QByteArray>;

namespace {

QJsonObject entry(const QString &path, const QString &content)
{
    return QJsonObject{{u"path"_s, path}, {u"content"_s, content}};
}

QJsonObject input(const QString &runtime, const QString &start, const QJsonArray &files,
                  const QJsonValue &port = 8000)
{
    return QJsonObject{{u"title"_s, u"Test App"_s},
                       {u"runtime"_s, runtime},
                       {u"start_command"_s, start},
                       {u"port"_s, port},
                       {u"files"_s, files}};
}

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

const QJsonArray kStaticFiles{entry(u"index.html"_s, u"<h1>Hi</h1>"_s), entry(u"style.css"_s, u"h1{}"_s)};
const QJsonArray kPythonFiles{entry(u"app.py"_s, u"import os\nprint(os.environ['PORT'])\n"_s)};
const QJsonArray kNodeFiles{entry(u"server.js"_s, u"require('http')"_s)};

QJsonArray withFile(QJsonArray files, const QString &path, const QString &content)
{
    files.append(entry(path, content));
    return files;
}

// The peak resident memory of this process so far, from /proc/self/status.
qint64 peakResidentKiB()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

bool isSafeRelativePath(const QString &path)
{
    return AppBundle::checkPath(path).ok() && !path.startsWith(u"./") && path.isValidUtf16();
}

} // namespace

class TestAppAnswer : public QObject
{
    Q_OBJECT

private slots:
    void accepted_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QString>("runtime");
        QTest::addColumn<QString>("start");
        QTest::addColumn<int>("port");
        QTest::addColumn<QStringList>("paths");

        const QStringList staticPaths{u"index.html"_s, u"style.css"_s};
        QTest::newRow("static") << toJson(input(u"static"_s, u""_s, kStaticFiles)) << u"static"_s << QString()
                                << 8000 << staticPaths;
        QTest::newRow("static: start command and port 80 dropped")
            << toJson(input(u"static"_s, u"python3 -m http.server"_s, kStaticFiles, 80)) << u"static"_s
            << QString() << 8000 << staticPaths;
        QTest::newRow("static: ./index.html normalised")
            << toJson(input(u"static"_s, u""_s, QJsonArray{entry(u"./index.html"_s, u"x"_s)})) << u"static"_s
            << QString() << 8000 << QStringList{u"index.html"_s};
        QTest::newRow("static: nested folders")
            << toJson(
                   input(u"static"_s, u""_s,
                         QJsonArray{entry(u"index.html"_s, u"x"_s), entry(u"assets/js/app.js"_s, u"y"_s),
                                    entry(u"assets/css/a.css"_s, u"z"_s), entry(u"icon.svg"_s, u"<svg/>"_s)}))
            << u"static"_s << QString() << 8000
            << QStringList{u"assets/css/a.css"_s, u"assets/js/app.js"_s, u"icon.svg"_s, u"index.html"_s};
        QTest::newRow("python") << toJson(input(u"python"_s, u"python3 app.py"_s, kPythonFiles))
                                << u"python"_s << u"python3 app.py"_s << 8000 << QStringList{u"app.py"_s};
        QTest::newRow("python: versioned interpreter with flags")
            << toJson(input(u"python"_s, u"/usr/bin/python3.11 -u app.py"_s, kPythonFiles, 9000))
            << u"python"_s << u"/usr/bin/python3.11 -u app.py"_s << 9000 << QStringList{u"app.py"_s};
        QTest::newRow("python: start command trimmed")
            << toJson(input(u"python"_s, u"  python3 app.py \t"_s, kPythonFiles)) << u"python"_s
            << u"python3 app.py"_s << 8000 << QStringList{u"app.py"_s};
        QTest::newRow("python: quoted argument with a space")
            << toJson(input(u"python"_s, u"python3 \"my app.py\""_s,
                            QJsonArray{entry(u"my app.py"_s, u"print(1)"_s)}))
            << u"python"_s << u"python3 \"my app.py\""_s << 8000 << QStringList{u"my app.py"_s};
        QTest::newRow("node") << toJson(input(u"node"_s, u"node server.js"_s, kNodeFiles, 3000)) << u"node"_s
                              << u"node server.js"_s << 3000 << QStringList{u"server.js"_s};
        QTest::newRow("node: npm start")
            << toJson(input(u"node"_s, u"npm start"_s,
                            withFile(kNodeFiles, u"package.json"_s,
                                     u"{\"scripts\":{\"start\":\"node server.js\"}}"_s)))
            << u"node"_s << u"npm start"_s << 8000 << QStringList{u"package.json"_s, u"server.js"_s};
        QTest::newRow("node: npm run serve")
            << toJson(input(u"node"_s, u"npm run serve"_s,
                            withFile(kNodeFiles, u"package.json"_s,
                                     u"{\"scripts\":{\"serve\":\"node server.js\"}}"_s)))
            << u"node"_s << u"npm run serve"_s << 8000 << QStringList{u"package.json"_s, u"server.js"_s};

        // Port rules: a server's port is a preference from 1024 to 65535, else 8000.
        const auto portRow = [](const char *name, const QJsonValue &port, int expected) {
            QTest::newRow(name) << toJson(input(u"python"_s, u"python3 app.py"_s, kPythonFiles, port))
                                << u"python"_s << u"python3 app.py"_s << expected << QStringList{u"app.py"_s};
        };
        portRow("port 1024", 1024, 1024);
        portRow("port 65535", 65535, 65535);
        portRow("port 80: privileged", 80, 8000);
        portRow("port 0", 0, 8000);
        portRow("port -1", -1, 8000);
        portRow("port 70000", 70000, 8000);
        portRow("port 8080.5", 8080.5, 8000);
        portRow("port 1e300", 1e300, 8000);
        portRow("port as text", u"8080"_s, 8000);
        portRow("port null", QJsonValue(), 8000);

        QTest::newRow("spawnai.json that agrees is folded away")
            << toJson(
                   input(u"python"_s, u"python3 app.py"_s,
                         withFile(kPythonFiles, u"spawnai.json"_s,
                                  u"{\"runtime\":\"python\",\"start\":\"python3 app.py\",\"port\":8000}"_s)))
            << u"python"_s << u"python3 app.py"_s << 8000 << QStringList{u"app.py"_s};
        QTest::newRow("static spawnai.json with another start is folded away")
            << toJson(input(
                   u"static"_s, u""_s,
                   withFile(kStaticFiles, u"spawnai.json"_s, u"{\"runtime\":\"static\",\"start\":\"x\"}"_s)))
            << u"static"_s << QString() << 8000 << staticPaths;
    }

    void accepted()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QString, runtime);
        QFETCH(QString, start);
        QFETCH(int, port);
        QFETCH(QStringList, paths);

        const auto bundle = AppAnswer::fromRaw(raw);
        QVERIFY2(bundle.ok(), qPrintable(bundle.error()));
        QCOMPARE(Runtimes::name(bundle->manifest.runtime), runtime);
        QCOMPARE(bundle->manifest.start, start);
        QCOMPARE(bundle->manifest.port, port);
        QCOMPARE(bundle->files.keys(), paths);
        QVERIFY(bundle->validate().ok());
        for (const QString &path : bundle->files.keys())
            QVERIFY2(isSafeRelativePath(path), qPrintable(path));

        // The content arrives byte for byte as UTF-8.
        const QJsonArray files = QJsonDocument::fromJson(raw).object().value(u"files"_s).toArray();
        for (const QJsonValue &file : files) {
            QString path = file.toObject().value(u"path"_s).toString();
            if (path.startsWith(u"./"))
                path = path.mid(2);
            if (path != AppBundle::kManifestName)
                QCOMPARE(bundle->files.value(path), file.toObject().value(u"content"_s).toString().toUtf8());
        }
    }

    void title()
    {
        QJsonObject answer = input(u"static"_s, u""_s, kStaticFiles);
        answer.insert(u"title"_s, QString(u"  A   very\tlong\ntitle "_s + QString(200, u'x')));
        auto bundle = AppAnswer::fromToolInput(answer);
        QVERIFY(bundle.ok());
        QVERIFY(bundle->manifest.title.startsWith(u"A very long title xx"_s));
        QCOMPARE(bundle->manifest.title.size(), 80);

        answer.remove(u"title"_s);
        bundle = AppAnswer::fromToolInput(answer);
        QVERIFY(bundle.ok());
        QVERIFY(!bundle->manifest.title.isEmpty());

        AppBundle previous = TestSupport::bundle(Runtime::Static, {{u"index.html"_s, "x"}});
        previous.manifest.title = u"Kept"_s;
        bundle = AppAnswer::fromToolInput(answer, previous);
        QVERIFY(bundle.ok());
        QCOMPARE(bundle->manifest.title, u"Kept"_s);
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QStringList>("mentions"); // what the message must name

        const auto staticWith = [](const QString &path) {
            return toJson(input(u"static"_s, u""_s, withFile(kStaticFiles, path, u"x"_s)));
        };
        // Paths.
        QTest::newRow("../../x") << staticWith(u"../../x"_s) << QStringList{u"\"../../x\""_s};
        QTest::newRow("/etc/passwd") << staticWith(u"/etc/passwd"_s) << QStringList{u"\"/etc/passwd\""_s};
        QTest::newRow("a/../../b") << staticWith(u"a/../../b"_s) << QStringList{u"\"a/../../b\""_s};
        QTest::newRow("C:\\x") << staticWith(u"C:\\x"_s) << QStringList{u"\"C:\\x\""_s};
        QTest::newRow("C:x") << staticWith(u"C:x"_s) << QStringList{u"\"C:x\""_s};
        QTest::newRow("backslashes") << staticWith(u"js\\app.js"_s) << QStringList{u"\"js\\app.js\""_s};
        QTest::newRow("./.. after normalising") << staticWith(u"./../x"_s) << QStringList{u"\"../x\""_s};
        QTest::newRow("a/./b") << staticWith(u"a/./b"_s) << QStringList{u"\"a/./b\""_s};
        QTest::newRow("trailing slash") << staticWith(u"dir/"_s) << QStringList{u"\"dir/\""_s};
        QTest::newRow("double slash") << staticWith(u"a//b"_s) << QStringList{u"\"a//b\""_s};
        QTest::newRow("empty path") << staticWith(QString()) << QStringList{u"File 3"_s, u"empty path"_s};
        QTest::newRow("./ only") << staticWith(u"./"_s) << QStringList{u"File 3"_s, u"empty path"_s};
        QTest::newRow("NUL in path") << staticWith(u"a\0b.js"_s) << QStringList{u"control character"_s};
        QTest::newRow("newline in path") << staticWith(u"a\nb.js"_s) << QStringList{u"control character"_s};
        QTest::newRow("lone surrogate in path")
            << QByteArray(
                   "{\"title\":\"t\",\"runtime\":\"static\",\"start_command\":\"\",\"port\":8000,\"files\":"
                   "[{\"path\":\"index.html\",\"content\":\"x\"},{\"path\":\"a\\ud800.js\",\"content\":\"\"}]"
                   "}")
            << QStringList{u"File 2"_s, u"not valid Unicode"_s};
        QTest::newRow("path too long") << staticWith(QString(300, u'a')) << QStringList{u"255"_s};
        QTest::newRow("duplicate") << staticWith(u"index.html"_s)
                                   << QStringList{u"index.html appears twice"_s};
        QTest::newRow("duplicate after ./")
            << staticWith(u"./style.css"_s) << QStringList{u"style.css appears twice"_s};
        QTest::newRow("file where a folder is needed")
            << toJson(input(u"static"_s, u""_s,
                            withFile(withFile(kStaticFiles, u"lib"_s, u"x"_s), u"lib/a.js"_s, u"y"_s)))
            << QStringList{u"lib is a file"_s, u"lib/a.js"_s};
        QTest::newRow("new binary file with text content")
            << staticWith(u"logo.png"_s) << QStringList{u"logo.png"_s, u"binary"_s, u"SVG"_s};

        // Shape of the input.
        QJsonObject noRuntime = input(u"static"_s, u""_s, kStaticFiles);
        noRuntime.remove(u"runtime"_s);
        QTest::newRow("no runtime") << toJson(noRuntime) << QStringList{u"runtime"_s, u"missing"_s};
        QTest::newRow("unknown runtime") << toJson(input(u"ruby"_s, u"ruby app.rb"_s, kStaticFiles))
                                         << QStringList{u"runtime"_s, u"\"ruby\""_s};
        QJsonObject numericRuntime = input(u"static"_s, u""_s, kStaticFiles);
        numericRuntime.insert(u"runtime"_s, 3);
        QTest::newRow("runtime not text")
            << toJson(numericRuntime) << QStringList{u"runtime"_s, u"a number"_s};
        QJsonObject filesObject = input(u"static"_s, u""_s, {});
        filesObject.insert(u"files"_s, QJsonObject{{u"index.html"_s, u"x"_s}});
        QTest::newRow("files not a list") << toJson(filesObject) << QStringList{u"files"_s, u"an object"_s};
        QTest::newRow("no files") << toJson(input(u"static"_s, u""_s, {})) << QStringList{u"no files"_s};
        QTest::newRow("file entry not an object")
            << toJson(input(u"static"_s, u""_s, QJsonArray{u"index.html"_s}))
            << QStringList{u"File 1"_s, u"text"_s};
        QTest::newRow("path not text")
            << toJson(
                   input(u"static"_s, u""_s, QJsonArray{QJsonObject{{u"path"_s, 1}, {u"content"_s, u"x"_s}}}))
            << QStringList{u"File 1"_s, u"path"_s};
        QTest::newRow("content not text")
            << toJson(
                   input(u"static"_s, u""_s,
                         QJsonArray{QJsonObject{{u"path"_s, u"index.html"_s}, {u"content"_s, QJsonArray{}}}}))
            << QStringList{u"content of index.html"_s, u"a list"_s};
        QJsonObject startNumber = input(u"python"_s, u""_s, kPythonFiles);
        startNumber.insert(u"start_command"_s, 5);
        QTest::newRow("start_command not text") << toJson(startNumber) << QStringList{u"start_command"_s};
        QTest::newRow("static without index.html")
            << toJson(input(u"static"_s, u""_s, QJsonArray{entry(u"home.html"_s, u"x"_s)}))
            << QStringList{u"index.html"_s};
        QTest::newRow("static with index.html in a folder only")
            << toJson(input(u"static"_s, u""_s, QJsonArray{entry(u"site/index.html"_s, u"x"_s)}))
            << QStringList{u"index.html"_s};

        // Start commands.
        const auto python = [](const QString &start) {
            return toJson(input(u"python"_s, start, kPythonFiles));
        };
        const auto node = [](const QString &start) { return toJson(input(u"node"_s, start, kNodeFiles)); };
        QTest::newRow("python: no start command") << python(QString()) << QStringList{u"start command"_s};
        QTest::newRow("python: &&") << python(u"python3 app.py && echo done"_s)
                                    << QStringList{u"shell syntax"_s, u"&&"_s};
        QTest::newRow("python: && without spaces")
            << python(u"python3 app.py&&echo"_s) << QStringList{u"shell syntax"_s};
        QTest::newRow("python: redirection")
            << python(u"python3 app.py > log.txt"_s) << QStringList{u"shell syntax"_s, u">"_s};
        QTest::newRow("python: pipe")
            << python(u"python3 app.py | tee log"_s) << QStringList{u"shell syntax"_s};
        QTest::newRow("python: variable")
            << python(u"python3 app.py --port $PORT"_s) << QStringList{u"shell syntax"_s, u"$PORT"_s};
        QTest::newRow("python: command substitution")
            << python(u"python3 app.py --x=$(id)"_s) << QStringList{u"shell syntax"_s};
        QTest::newRow("python: background")
            << python(u"python3 app.py &"_s) << QStringList{u"shell syntax"_s};
        QTest::newRow("python: assignment first")
            << python(u"PORT=8000 python3 app.py"_s) << QStringList{u"variable assignment"_s};
        QTest::newRow("python: two lines")
            << python(u"python3 app.py\npython3 other.py"_s) << QStringList{u"single line"_s};
        QTest::newRow("python: tab in the middle")
            << python(u"python3\x01 app.py"_s) << QStringList{u"control character"_s};
        QTest::newRow("python: sh -c")
            << python(u"sh -c \"python3 app.py\""_s) << QStringList{u"shell"_s, u"python3 app.py"_s};
        QTest::newRow("python: bash script") << python(u"/bin/bash run.sh"_s) << QStringList{u"shell"_s};
        QTest::newRow("python: single quotes")
            << python(u"python3 'app.py'"_s) << QStringList{u"single quotes"_s};
        QTest::newRow("python: python") << python(u"python app.py"_s) << QStringList{u"python3"_s};
        QTest::newRow("python: node") << python(u"node server.js"_s) << QStringList{u"starts Node"_s};
        QTest::newRow("python: flask") << python(u"flask run"_s) << QStringList{u"\"flask\""_s};
        QTest::newRow("python: missing script") << python(u"python3 main.py"_s) << QStringList{u"main.py"_s};
        QTest::newRow("node: python3") << node(u"python3 app.py"_s) << QStringList{u"starts Python"_s};
        QTest::newRow("node: npx") << node(u"npx serve"_s) << QStringList{u"npx"_s};
        QTest::newRow("node: deno") << node(u"deno run server.js"_s) << QStringList{u"\"deno\""_s};
        QTest::newRow("node: npm start without package.json")
            << node(u"npm start"_s) << QStringList{u"package.json"_s};
        QTest::newRow("node: npm run without the script")
            << toJson(input(u"node"_s, u"npm run dev"_s,
                            withFile(kNodeFiles, u"package.json"_s, u"{\"scripts\":{\"start\":\"x\"}}"_s)))
            << QStringList{u"\"dev\""_s, u"scripts"_s};
        QTest::newRow("node: npm install") << node(u"npm install"_s) << QStringList{u"npm start"_s};
        QTest::newRow("node: missing script") << node(u"node index.js"_s) << QStringList{u"index.js"_s};

        // spawnai.json among the files.
        QTest::newRow("spawnai.json contradicting the runtime")
            << toJson(input(u"python"_s, u"python3 app.py"_s,
                            withFile(kPythonFiles, u"spawnai.json"_s,
                                     u"{\"runtime\":\"node\",\"start\":\"node server.js\"}"_s)))
            << QStringList{u"spawnai.json"_s, u"contradicts"_s, u"node server.js"_s};
        QTest::newRow("spawnai.json contradicting the start command")
            << toJson(input(u"python"_s, u"python3 app.py"_s,
                            withFile(kPythonFiles, u"spawnai.json"_s,
                                     u"{\"runtime\":\"python\",\"start\":\"python3 main.py\"}"_s)))
            << QStringList{u"spawnai.json"_s, u"contradicts"_s};
        QTest::newRow("spawnai.json not JSON")
            << toJson(
                   input(u"python"_s, u"python3 app.py"_s, withFile(kPythonFiles, u"spawnai.json"_s, u"{"_s)))
            << QStringList{u"spawnai.json"_s, u"not valid JSON"_s};
        QJsonArray tooMany;
        for (int i = 0; i <= AppBundle::kMaxFiles; ++i)
            tooMany.append(entry(u"f%1.txt"_s.arg(i), QString()));
        QTest::newRow("too many files") << toJson(input(u"static"_s, u""_s, tooMany))
                                        << QStringList{u"%1 files"_s.arg(AppBundle::kMaxFiles + 1)};
    }

    void refused()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QStringList, mentions);

        const auto bundle = AppAnswer::fromRaw(raw);
        QVERIFY(!bundle.ok());
        for (const QString &mention : mentions)
            QVERIFY2(bundle.error().contains(mention), qPrintable(bundle.error()));
        // What goes back to Claude carries the error as it is.
        QVERIFY(AppAnswer::fixRequest(bundle.error()).contains(bundle.error()));
    }

    void invalidJson_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QStringList>("mentions");
        QTest::addColumn<bool>("withOffset"); // the message names Qt's offset and the text around it

        QTest::newRow("empty") << QByteArray() << QStringList{u"empty"_s} << false;
        QTest::newRow("whitespace") << QByteArray(" \n\t") << QStringList{u"empty"_s} << false;
        QTest::newRow("list") << QByteArray("[1,2]") << QStringList{u"not a JSON object"_s} << false;
        QTest::newRow("missing comma")
            << QByteArray("{\"title\":\"x\" \"runtime\":\"static\"}")
            << QStringList{u"not valid JSON"_s, u"expected"_s, u"\"runtime\""_s} << true;
        QTest::newRow("missing colon") << QByteArray("{\"title\" \"x\"}") << QStringList{u"\":\""_s} << true;
        QTest::newRow("garbage at the end")
            << QByteArray("{\"files\":[]} trailing") << QStringList{u"nothing after the end"_s} << true;
        QTest::newRow("bad escape") << QByteArray("{\"title\":\"a\\u12x4\"}") << QStringList{u"escape"_s}
                                    << true;
        QTest::newRow("invalid UTF-8")
            << QByteArray("{\"title\":\"\xc0\xaf\"}") << QStringList{u"UTF-8"_s} << true;
        QTest::newRow("cut off in a string")
            << QByteArray("{\"title\":\"x\",\"files\":[{\"path\":\"index.html\",\"content\":\"<h1>Hel")
            << QStringList{u"ends early"_s, u"cut off"_s, u"<h1>Hel"_s} << false;
        QTest::newRow("cut off in an escape")
            << QByteArray("{\"title\":\"x\",\"files\":[{\"path\":\"a\",\"content\":\"\\u00")
            << QStringList{u"cut off"_s} << false;
        QTest::newRow("cut off after a value")
            << QByteArray("{\"title\":\"x\",\"port\":8000") << QStringList{u"cut off"_s} << false;
        QTest::newRow("cut off after a comma")
            << QByteArray("{\"title\":\"x\",\n  ") << QStringList{u"cut off"_s} << false;
    }

    void invalidJson()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QStringList, mentions);
        QFETCH(bool, withOffset);

        const auto parsed = AppAnswer::parseToolJson(raw);
        QVERIFY(!parsed.ok());
        for (const QString &mention : mentions)
            QVERIFY2(parsed.error().contains(mention), qPrintable(parsed.error()));
        if (withOffset) {
            QJsonParseError error;
            QJsonDocument::fromJson(raw, &error);
            QVERIFY2(parsed.error().contains(u"at offset %1 of %2"_s.arg(error.offset).arg(raw.size())),
                     qPrintable(parsed.error()));
            QVERIFY(!parsed.error().contains(u"cut off"_s));
        }
        QCOMPARE(AppAnswer::fromRaw(raw).error(), parsed.error());
    }

    // A runaway or hostile answer is refused by its size, before the parser allocates anything for it.
    void oversizedInputRefusedBeforeParsing()
    {
        QByteArray raw;
        raw.reserve(100 * 1024 * 1024);
        raw += "{\"title\":\"x\",\"runtime\":\"static\",\"start_command\":\"\",\"port\":8000,\"files\":[{"
               "\"path\":"
               "\"index.html\",\"content\":\"";
        raw += QByteArray(100 * 1024 * 1024 - raw.size() - 4, 'a');
        raw += "\"}]}";
        QCOMPARE(raw.size(), 100 * 1024 * 1024);

        const qint64 peakBefore = peakResidentKiB();
        QElapsedTimer timer;
        timer.start();
        const auto bundle = AppAnswer::fromRaw(raw);
        const qint64 elapsed = timer.elapsed();
        const qint64 peakAfter = peakResidentKiB();

        QVERIFY(!bundle.ok());
        QVERIFY2(bundle.error().contains(u"100.0 MB"_s), qPrintable(bundle.error()));
        QVERIFY2(bundle.error().contains(u"without being read"_s), qPrintable(bundle.error()));
        QVERIFY2(elapsed < 1000, qPrintable(u"%1 ms"_s.arg(elapsed))); // parsing 100 MB takes seconds
        QVERIFY(peakBefore > 0);
        // Parsing would need several times the input; refusing needs nothing.
        QVERIFY2(peakAfter - peakBefore < 16 * 1024,
                 qPrintable(u"%1 KiB more"_s.arg(peakAfter - peakBefore)));
    }

    // Small text, many values: "[0,0,0,…" costs the parser ~16 bytes a value.
    void tooManyValuesRefusedBeforeParsing()
    {
        QByteArray raw = "{\"title\":\"x\",\"runtime\":\"static\",\"files\":[";
        for (int i = 0; i < 4'000'000; ++i)
            raw += "0,";
        raw += "0]}";
        QVERIFY(raw.size() < AppAnswer::kMaxInputBytes);

        const qint64 peakBefore = peakResidentKiB();
        const auto parsed = AppAnswer::parseToolJson(raw);
        const qint64 peakAfter = peakResidentKiB();
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().contains(u"JSON values"_s), qPrintable(parsed.error()));
        QVERIFY2(peakAfter - peakBefore < 16 * 1024,
                 qPrintable(u"%1 KiB more"_s.arg(peakAfter - peakBefore)));

        // Commas inside strings are content, not values.
        QByteArray commas = "{\"title\":\"x\",\"runtime\":\"static\",\"files\":[{\"path\":\"index.html\","
                            "\"content\":\"" +
                            QByteArray(1'000'000, ',') + "\\\",\"}]}";
        const auto bundle = AppAnswer::fromRaw(commas);
        QVERIFY2(bundle.ok(), qPrintable(bundle.error()));
        QCOMPARE(bundle->files.value(u"index.html"_s).size(), 1'000'002);
    }

    void perFileCap_data()
    {
        QTest::addColumn<QString>("unit");
        QTest::addColumn<qsizetype>("count");

        // Over the cap in characters, refused before conversion; over it only in UTF-8 bytes, by validate().
        QTest::newRow("ASCII") << u"a"_s << qsizetype(AppBundle::kMaxFileBytes + 1);
        QTest::newRow("three-byte characters") << u"中"_s << qsizetype(AppBundle::kMaxFileBytes / 3 + 1);
    }

    void perFileCap()
    {
        QFETCH(QString, unit);
        QFETCH(qsizetype, count);

        QJsonArray files = kStaticFiles;
        files.append(entry(u"big.txt"_s, unit.repeated(count)));
        const QByteArray raw = toJson(input(u"static"_s, u""_s, files));
        QVERIFY(raw.size() < AppAnswer::kMaxInputBytes);
        const auto bundle = AppAnswer::fromRaw(raw);
        QVERIFY(!bundle.ok());
        QVERIFY2(bundle.error().contains(u"big.txt"_s), qPrintable(bundle.error()));
        QVERIFY2(bundle.error().contains(u"10.0 MB"_s), qPrintable(bundle.error()));

        // Just under the cap passes.
        files.removeLast();
        files.append(entry(u"big.txt"_s, unit.repeated(AppBundle::kMaxFileBytes / unit.toUtf8().size())));
        const auto fits = AppAnswer::fromRaw(toJson(input(u"static"_s, u""_s, files)));
        QVERIFY2(fits.ok(), qPrintable(fits.error()));
    }

    void totalCap()
    {
        QJsonArray files = kStaticFiles;
        const QString nineMegabytes(9 * 1024 * 1024, u'x');
        const int count = int(AppBundle::kMaxTotalBytes / nineMegabytes.size()) + 1;
        for (int i = 0; i < count; ++i)
            files.append(entry(u"part%1.txt"_s.arg(i), nineMegabytes));
        const QByteArray raw = toJson(input(u"static"_s, u""_s, files));
        QVERIFY(raw.size() < AppAnswer::kMaxInputBytes);
        const auto bundle = AppAnswer::fromRaw(raw);
        QVERIFY(!bundle.ok());
        QVERIFY2(bundle.error().contains(u"in all"_s), qPrintable(bundle.error()));
        QVERIFY2(bundle.error().contains(u"50.0 MB"_s), qPrintable(bundle.error()));
    }

    void refineKeepsBinaryFiles_data()
    {
        QTest::addColumn<QJsonArray>("answer");
        QTest::addColumn<Files>("expected");

        const QByteArray logo("\x89PNG\r\n\x1a\n\0\x01\x02", 11);
        const QByteArray font(64, '\xfe');
        QTest::newRow("binaries not listed are kept, text files not listed are deleted")
            << QJsonArray{entry(u"index.html"_s, u"<img src=\"img/logo.png\">v2"_s)}
            << Files{{u"index.html"_s, "<img src=\"img/logo.png\">v2"},
                     {u"img/logo.png"_s, logo},
                     {u"fonts/a.woff2"_s, font}};
        QTest::newRow("a binary listed with empty content is deleted")
            << QJsonArray{entry(u"index.html"_s, u"v2"_s), entry(u"img/logo.png"_s, QString())}
            << Files{{u"index.html"_s, "v2"}, {u"fonts/a.woff2"_s, font}};
        QTest::newRow("a binary listed with some content is kept as it was")
            << QJsonArray{entry(u"index.html"_s, u"v2"_s), entry(u"img/logo.png"_s, u"(unchanged binary)"_s)}
            << Files{{u"index.html"_s, "v2"}, {u"img/logo.png"_s, logo}, {u"fonts/a.woff2"_s, font}};
    }

    void refineKeepsBinaryFiles()
    {
        QFETCH(QJsonArray, answer);
        QFETCH(Files, expected);

        const AppBundle previous = TestSupport::bundle(
            Runtime::Static, {{u"index.html"_s, "<img src=\"img/logo.png\">"},
                              {u"old.js"_s, "gone"},
                              {u"img/logo.png"_s, QByteArray("\x89PNG\r\n\x1a\n\0\x01\x02", 11)},
                              {u"fonts/a.woff2"_s, QByteArray(64, '\xfe')}});
        const auto bundle = AppAnswer::fromToolInput(input(u"static"_s, u""_s, answer), previous);
        QVERIFY2(bundle.ok(), qPrintable(bundle.error()));
        QCOMPARE(bundle->files, expected);
        QVERIFY(bundle->validate().ok());
    }

    void refineKeptBinaryMustNotClashWithNewFolders()
    {
        const AppBundle previous =
            TestSupport::bundle(Runtime::Static, {{u"index.html"_s, "x"}, {u"logo.png"_s, "\x89PNG"}});
        const auto bundle = AppAnswer::fromToolInput(
            input(u"static"_s, u""_s,
                  QJsonArray{entry(u"index.html"_s, u"x"_s), entry(u"logo.png/a.txt"_s, u"y"_s)}),
            previous);
        QVERIFY(!bundle.ok());
        QVERIFY2(bundle.error().contains(u"logo.png/a.txt"_s), qPrintable(bundle.error()));
    }

    void fixRequest()
    {
        const auto bundle = AppAnswer::fromRaw(toJson(input(u"python"_s, u"python app.py"_s, kPythonFiles)));
        QVERIFY(!bundle.ok());
        const QString fix = AppAnswer::fixRequest(bundle.error());
        QVERIFY(fix.contains(bundle.error()));
        QVERIFY(fix.contains(u"write_app"_s));
        QVERIFY(fix.contains(u"complete"_s));
        // Placeholders in an error stay text.
        QVERIFY(AppAnswer::fixRequest(u"50%1 %2"_s).contains(u"50%1 %2"_s));
    }
};

QTEST_GUILESS_MAIN(TestAppAnswer)
#include "tst_appanswer.moc"
