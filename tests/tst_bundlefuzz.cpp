// Seeded random inputs through everything that reads Claude's answer: nothing may crash or assert, every
// bundle accepted must be deployable with safe relative paths, and the streaming preview must agree with the
// final parse. The seeds are fixed, so a failure reproduces; the message names the input.
#include "claude/appanswer.h"
#include "claude/appgenerationrequest.h"
#include "claude/partialappjson.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

constexpr quint32 kSeed = 0x5eed2026;

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject entry(const QString &path, const QString &content)
{
    return QJsonObject{{u"path"_s, path}, {u"content"_s, content}};
}

QList<QByteArray> validInputs()
{
    return {
        toJson(
            {{u"title"_s, u"Timer"_s},
             {u"runtime"_s, u"static"_s},
             {u"start_command"_s, u""_s},
             {u"port"_s, 80},
             {u"files"_s, QJsonArray{entry(u"index.html"_s, u"<!doctype html>\n<h1 id=\"t\">25:00</h1>\n"_s),
                                     entry(u"app.js"_s, u"let s = 1500; // é \U0001F600\n"_s)}}}),
        toJson({{u"title"_s, u"Notes API"_s},
                {u"runtime"_s, u"python"_s},
                {u"start_command"_s, u"python3 app.py"_s},
                {u"port"_s, 8000},
                {u"files"_s, QJsonArray{entry(u"app.py"_s, u"import os\nport = int(os.environ['PORT'])\n"_s),
                                        entry(u"static/index.html"_s, u"<p>\"quoted\" \\ back</p>"_s)}}}),
        toJson({{u"title"_s, u"Chat"_s},
                {u"runtime"_s, u"node"_s},
                {u"start_command"_s, u"npm start"_s},
                {u"port"_s, 3000},
                {u"files"_s,
                 QJsonArray{entry(u"server.js"_s, u"require('http').createServer()\n"_s),
                            entry(u"package.json"_s, u"{\"scripts\":{\"start\":\"node server.js\"}}"_s),
                            entry(u"logo.png"_s, u""_s)}}}),
        // Key order and escapes as Claude might write them.
        QByteArray("{\"files\":[{\"content\":\"a\\u00e9\\ud83d\\ude00\\n\",\"path\":\"index.html\"}],"
                   "\"port\":8000,\"runtime\":\"static\",\"start_command\":\"\",\"title\":\"T\\t\"}"),
    };
}

// Pieces that make paths hostile, joined at random.
const QStringList kPathPieces = {u".."_s,
                                 u"."_s,
                                 u""_s,
                                 u"/"_s,
                                 u"\\"_s,
                                 u"C:"_s,
                                 u"c:\\"_s,
                                 u"a"_s,
                                 u"index.html"_s,
                                 u"%2e%2e"_s,
                                 QString(QChar(0)),
                                 u"\n"_s,
                                 u"\t"_s,
                                 u"\u202e"_s,
                                 QString(QChar(0xd800)),
                                 QString(QChar(0xdc00)),
                                 u"~"_s,
                                 u"spawnai.json"_s,
                                 u" "_s,
                                 u"con"_s,
                                 u"logo.png"_s,
                                 u"é"_s,
                                 u"./"_s,
                                 u"//"_s,
                                 u"\x7f"_s,
                                 u"...."_s,
                                 QString(300, u'x'),
                                 u"app.py"_s,
                                 u"server.js"_s};

QString hostilePath(QRandomGenerator &random)
{
    QString path;
    const int pieces = random.bounded(1, 6);
    for (int i = 0; i < pieces; ++i) {
        if (i > 0 && random.bounded(2) == 0)
            path += u'/';
        path += kPathPieces.at(random.bounded(int(kPathPieces.size())));
    }
    return path;
}

const QList<QByteArray> kTokens = {"\"",
                                   "\\",
                                   "{",
                                   "}",
                                   "[",
                                   "]",
                                   ",",
                                   ":",
                                   "\\u",
                                   "\\ud800",
                                   "\\udc00",
                                   "\\u0000",
                                   "null",
                                   "true",
                                   "-0.5e3",
                                   "\"../",
                                   "\"/etc/pas",
                                   "\"path\":",
                                   "\xc3",
                                   "\xff",
                                   "\xed\xa0\x80",
                                   "\"files\":[",
                                   "\"content\":",
                                   "\"runtime\":\"python\"",
                                   "\"port\":1e309",
                                   "\n"};

QByteArray mutate(QByteArray data, QRandomGenerator &random)
{
    const int mutations = random.bounded(1, 5);
    for (int m = 0; m < mutations; ++m) {
        const qsizetype at = data.isEmpty() ? 0 : random.bounded(int(data.size()));
        switch (random.bounded(7)) {
        case 0: // flip a byte
            if (!data.isEmpty())
                data[at] = char(data.at(at) ^ (1 << random.bounded(8)));
            break;
        case 1: // insert a random byte
            data.insert(at, char(random.bounded(256)));
            break;
        case 2: // delete a span
            data.remove(at, random.bounded(1, 16));
            break;
        case 3: // insert a JSON-ish token
            data.insert(at, kTokens.at(random.bounded(int(kTokens.size()))));
            break;
        case 4: // truncate
            data.truncate(at);
            break;
        case 5: // duplicate a span
            data.insert(at, data.mid(random.bounded(int(data.size()) + 1), random.bounded(1, 64)));
            break;
        case 6: // replace a path with a hostile one
        {
            const qsizetype path = data.indexOf("\"path\":\"");
            if (path >= 0) {
                const qsizetype from = path + 8;
                const qsizetype to = data.indexOf('"', from);
                if (to > from)
                    data.replace(from, to - from,
                                 QJsonDocument(QJsonArray{hostilePath(random)})
                                     .toJson(QJsonDocument::Compact)
                                     .mid(2)
                                     .chopped(2));
            }
            break;
        }
        }
    }
    return data;
}

QByteArray randomBytes(QRandomGenerator &random)
{
    QByteArray data(random.bounded(0, 400), Qt::Uninitialized);
    // Mostly JSON's own alphabet, so the readers get past the first byte now and then.
    static const QByteArray alphabet = "{}[]\",:\\ u0123456789abcdefnrtl-+.eE\"pathcontentfilesruntime";
    for (char &c : data)
        c = random.bounded(3) == 0 ? char(random.bounded(256))
                                   : alphabet.at(random.bounded(int(alphabet.size())));
    return data;
}

AppBundle randomPrevious(QRandomGenerator &random)
{
    AppBundle previous = TestSupport::bundle(Runtime::Static, {{u"index.html"_s, "<p>old</p>"}});
    const int extra = random.bounded(4);
    for (int i = 0; i < extra; ++i) {
        const QString path = random.bounded(2) == 0 ? hostilePath(random) : u"img/p%1.png"_s.arg(i);
        previous.files.insert(path, QByteArray(random.bounded(1, 32), char(random.bounded(256))));
    }
    return previous;
}

// Empty if `bundle` may be deployed; else why not.
QString unsafe(const AppBundle &bundle)
{
    if (auto valid = bundle.validate(); !valid)
        return u"accepted but invalid: "_s + valid.error();
    for (auto it = bundle.files.cbegin(); it != bundle.files.cend(); ++it) {
        const QString &path = it.key();
        if (!AppBundle::checkPath(path).ok() || !path.isValidUtf16() || path.startsWith(u'/') ||
            path.contains(u'\\') || path.split(u'/').contains(u".."_s))
            return u"accepted an unsafe path: "_s + path;
        // No file may be where another needs a folder.
        for (qsizetype slash = path.indexOf(u'/'); slash > 0; slash = path.indexOf(u'/', slash + 1)) {
            if (bundle.files.contains(path.left(slash)))
                return u"accepted a file and a folder of the same name: "_s + path;
        }
    }
    if (bundle.files.contains(AppBundle::kManifestName))
        return u"accepted spawnai.json among the files"_s;
    return {};
}

struct PreviewState
{
    bool error = false;
    bool complete = false;
    QString title;
    QString runtime;
    QList<PartialAppJson::File> files;

    bool operator==(const PreviewState &other) const
    {
        if (error != other.error || complete != other.complete || title != other.title ||
            runtime != other.runtime || files.size() != other.files.size())
            return false;
        for (qsizetype i = 0; i < files.size(); ++i) {
            if (files[i].path != other.files[i].path || files[i].content != other.files[i].content ||
                files[i].complete != other.files[i].complete)
                return false;
        }
        return true;
    }
};

PreviewState preview(const QByteArray &raw, QRandomGenerator *random)
{
    PartialAppJson reader;
    if (!random) {
        reader.feed(raw);
    } else {
        for (qsizetype at = 0; at < raw.size();) {
            const qsizetype length = std::min<qsizetype>(random->bounded(1, 9), raw.size() - at);
            reader.feed(QByteArrayView(raw).sliced(at, length));
            reader.takeChangedFiles();
            at += length;
        }
    }
    return {reader.hasError(), reader.isComplete(), reader.title(), reader.runtime(), reader.files()};
}

// Everything that reads an answer, on one input; empty if all invariants hold.
QString check(const QByteArray &raw, QRandomGenerator &random)
{
    const auto parsed = AppAnswer::parseToolJson(raw);
    if (parsed.ok() != parsed.error().isEmpty())
        return u"parseToolJson: ok and error disagree"_s;

    std::optional<AppBundle> previous;
    if (random.bounded(3) == 0)
        previous = randomPrevious(random);
    const auto bundle = AppAnswer::fromRaw(raw, previous);
    if (bundle.ok()) {
        if (!parsed.ok())
            return u"fromRaw accepted what parseToolJson refused"_s;
        if (const QString problem = unsafe(*bundle); !problem.isEmpty())
            return problem;
    } else if (bundle.error().isEmpty()) {
        return u"fromRaw failed without a message"_s;
    }
    if (parsed.ok()) {
        const auto again = AppAnswer::fromToolInput(*parsed, previous);
        if (again.ok() != bundle.ok())
            return u"fromToolInput and fromRaw disagree"_s;
    }

    // The preview reads the same whatever the fragments, and agrees with Qt when it finishes.
    const PreviewState whole = preview(raw, nullptr);
    if (!(preview(raw, &random) == whole))
        return u"the preview depends on how the input is split"_s;
    if (whole.complete && !whole.error) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(raw, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            return u"the preview finished an input Qt refuses: "_s + error.errorString();
        if (!parsed.ok())
            return u"the preview finished an input parseToolJson refuses: "_s + parsed.error();
        const QJsonObject root = doc.object();
        if (root.value(u"title"_s).isString() && whole.title != root.value(u"title"_s).toString())
            return u"the preview's title differs from Qt's"_s;
    }

    // The refine encoding of whatever was read must not break the decoder either.
    (void)AppGenerationRequest::decodeFiles(QString::fromUtf8(raw));
    return {};
}

QString describe(const QByteArray &raw)
{
    return QString::fromLatin1(raw.left(300).toPercentEncoding(" {}[]\":,"));
}

} // namespace

class TestBundleFuzz : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { m_timer.start(); }
    void cleanupTestCase() { qInfo("fuzzing took %lld ms", m_timer.elapsed()); }

    void validInputsAreAccepted()
    {
        // The seeds of the mutations: if these were refused, the mutations would test nothing.
        QRandomGenerator random(kSeed);
        for (const QByteArray &raw : validInputs()) {
            const auto bundle = AppAnswer::fromRaw(raw);
            QVERIFY2(bundle.ok(), qPrintable(bundle.error()));
            QCOMPARE(check(raw, random), QString());
        }
    }

    void randomBytes()
    {
        QRandomGenerator random(kSeed + 1);
        for (int i = 0; i < 4000; ++i) {
            const QByteArray raw = ::randomBytes(random);
            const QString problem = check(raw, random);
            QVERIFY2(problem.isEmpty(),
                     qPrintable(u"input %1 (%2): %3"_s.arg(i).arg(describe(raw), problem)));
        }
    }

    void mutatedInputs()
    {
        QRandomGenerator random(kSeed + 2);
        const QList<QByteArray> seeds = validInputs();
        int accepted = 0;
        for (int i = 0; i < 8000; ++i) {
            const QByteArray raw = mutate(seeds.at(i % seeds.size()), random);
            const QString problem = check(raw, random);
            QVERIFY2(problem.isEmpty(),
                     qPrintable(u"input %1 (%2): %3"_s.arg(i).arg(describe(raw), problem)));
            accepted += AppAnswer::fromRaw(raw).ok() ? 1 : 0;
        }
        qInfo("%d of 8000 mutated inputs accepted", accepted);
        QVERIFY(accepted > 0); // some mutations leave a deployable app: the acceptance path was exercised
    }

    void hostilePaths()
    {
        QRandomGenerator random(kSeed + 3);
        int accepted = 0;
        for (int i = 0; i < 4000; ++i) {
            QJsonArray files{entry(u"index.html"_s, u"x"_s)};
            const int count = random.bounded(1, 4);
            for (int f = 0; f < count; ++f)
                files.append(entry(hostilePath(random), random.bounded(2) ? u"text"_s : QString()));
            const QByteArray raw = toJson({{u"title"_s, u"t"_s},
                                           {u"runtime"_s, u"static"_s},
                                           {u"start_command"_s, u""_s},
                                           {u"port"_s, 8000},
                                           {u"files"_s, files}});
            const QString problem = check(raw, random);
            QVERIFY2(problem.isEmpty(),
                     qPrintable(u"input %1 (%2): %3"_s.arg(i).arg(describe(raw), problem)));
            accepted += AppAnswer::fromRaw(raw).ok() ? 1 : 0;
        }
        qInfo("%d of 4000 inputs with generated paths accepted", accepted);
        QVERIFY(accepted > 0);
    }

    void refineEncoding()
    {
        QRandomGenerator random(kSeed + 4);
        for (int i = 0; i < 1500; ++i) {
            AppBundle app = TestSupport::bundle(Runtime::Static, {});
            const int count = random.bounded(1, 5);
            for (int f = 0; f < count; ++f) {
                QByteArray content = mutate("</file>\n</file-2\n<file path=\"x\">\n\n", random);
                content = QString::fromUtf8(content).toUtf8(); // text files are UTF-8
                app.files.insert(u"f%1_"_s.arg(f) +
                                     hostilePath(random).remove(QChar(0xd800)).remove(QChar(0xdc00)),
                                 content);
            }
            const QString text = AppGenerationRequest::encodeFiles(app);
            const auto decoded = AppGenerationRequest::decodeFiles(text);
            QVERIFY2(decoded.ok(), qPrintable(u"bundle %1: %2"_s.arg(i).arg(decoded.error())));
            QMap<QString, QByteArray> textFiles;
            for (auto it = app.files.cbegin(); it != app.files.cend(); ++it) {
                if (!AppBundle::isBinaryPath(it.key()))
                    textFiles.insert(it.key(), it.value());
            }
            QCOMPARE(decoded->textFiles, textFiles);

            // Mutated encodings: any answer, no crash.
            const QByteArray broken = mutate(text.toUtf8(), random);
            (void)AppGenerationRequest::decodeFiles(QString::fromUtf8(broken));
        }
    }

private:
    QElapsedTimer m_timer;
};

QTEST_GUILESS_MAIN(TestBundleFuzz)
#include "tst_bundlefuzz.moc"
