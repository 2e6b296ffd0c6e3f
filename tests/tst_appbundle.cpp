// The app bundle contract: manifest, runtime inference, validation, and bundles on disk.
#include "appbundle.h"
#include "bundlefolder.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Files = QMap<QString, QByteArray>;

class TestAppBundle : public QObject
{
    Q_OBJECT

private slots:
    void manifest_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("runtime");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("error");

        QTest::newRow("full")
            << QByteArray(R"({"title":"T","runtime":"python","start":"python3 app.py","port":9000})") << true
            << u"python"_s << 9000 << QString();
        QTest::newRow("default port")
            << QByteArray(R"({"runtime":"static"})") << true << u"static"_s << 8000 << QString();
        QTest::newRow("unknown runtime")
            << QByteArray(R"({"runtime":"ruby"})") << false << QString() << 0 << u"ruby"_s;
        QTest::newRow("missing runtime")
            << QByteArray(R"({"title":"x"})") << false << QString() << 0 << u"runtime"_s;
        QTest::newRow("port zero") << QByteArray(R"({"runtime":"node","port":0})") << false << QString() << 0
                                   << u"port"_s;
        QTest::newRow("port too big")
            << QByteArray(R"({"runtime":"node","port":70000})") << false << QString() << 0 << u"port"_s;
        QTest::newRow("port fractional")
            << QByteArray(R"({"runtime":"node","port":80.5})") << false << QString() << 0 << u"port"_s;
        QTest::newRow("port as text")
            << QByteArray(R"({"runtime":"node","port":"80"})") << false << QString() << 0 << u"port"_s;
        QTest::newRow("not json") << QByteArray("{runtime: static") << false << QString() << 0
                                  << u"not valid JSON"_s;
        QTest::newRow("array") << QByteArray("[]") << false << QString() << 0 << u"JSON object"_s;
    }

    void manifest()
    {
        QFETCH(QByteArray, json);
        QFETCH(bool, valid);
        QFETCH(QString, runtime);
        QFETCH(int, port);
        QFETCH(QString, error);
        const auto parsed = AppManifest::fromJson(json);
        QCOMPARE(parsed.ok(), valid);
        if (!valid) {
            QVERIFY2(parsed.error().contains(error), qPrintable(parsed.error()));
            return;
        }
        QCOMPARE(Runtimes::name(parsed->runtime), runtime);
        QCOMPARE(parsed->port, port);
        // And back: what toJson writes, fromJson reads.
        const auto again = AppManifest::fromJson(QJsonDocument(parsed->toJson()).toJson());
        QVERIFY(again.ok());
        QCOMPARE(again->start, parsed->start);
        QCOMPARE(again->port, parsed->port);
    }

    void inference_data()
    {
        QTest::addColumn<Files>("files");
        QTest::addColumn<QString>("runtime"); // empty: no entry point
        QTest::addColumn<QString>("start");

        QTest::newRow("static") << Files{{u"index.html"_s, ""}, {u"style.css"_s, ""}} << u"static"_s
                                << QString();
        QTest::newRow("static with client index.js")
            << Files{{u"index.html"_s, ""}, {u"index.js"_s, ""}} << u"static"_s << QString();
        QTest::newRow("app.py") << Files{{u"app.py"_s, ""}} << u"python"_s << u"python3 app.py"_s;
        QTest::newRow("main.py") << Files{{u"main.py"_s, ""}} << u"python"_s << u"python3 main.py"_s;
        QTest::newRow("python serving a page")
            << Files{{u"app.py"_s, ""}, {u"index.html"_s, ""}} << u"python"_s << u"python3 app.py"_s;
        QTest::newRow("server.js") << Files{{u"server.js"_s, ""}, {u"index.html"_s, ""}} << u"node"_s
                                   << u"node server.js"_s;
        QTest::newRow("index.js alone") << Files{{u"index.js"_s, ""}} << u"node"_s << u"node index.js"_s;
        QTest::newRow("package.json start")
            << Files{{u"package.json"_s, R"({"scripts":{"start":"node src/main.js"}})"}} << u"node"_s
            << u"node src/main.js"_s;
        QTest::newRow("package.json without start")
            << Files{{u"package.json"_s, "{}"}} << QString() << QString();
        QTest::newRow("css only") << Files{{u"style.css"_s, ""}, {u"README.md"_s, ""}} << QString()
                                  << QString();
    }

    void inference()
    {
        QFETCH(Files, files);
        QFETCH(QString, runtime);
        QFETCH(QString, start);
        const auto manifest = AppBundle::inferManifest(files, u"t"_s);
        if (runtime.isEmpty()) {
            QVERIFY(!manifest.ok());
            QVERIFY2(manifest.error().contains(u"No entry point"_s), qPrintable(manifest.error()));
            return;
        }
        QVERIFY2(manifest.ok(), qPrintable(manifest.error()));
        QCOMPARE(Runtimes::name(manifest->runtime), runtime);
        QCOMPARE(manifest->start, start);
    }

    void paths_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("safe");
        QTest::newRow("plain") << u"index.html"_s << true;
        QTest::newRow("nested") << u"static/css/site.css"_s << true;
        QTest::newRow("unicode") << u"données/été.txt"_s << true;
        QTest::newRow("parent") << u"../x"_s << false;
        QTest::newRow("nested parent") << u"a/../../x"_s << false;
        QTest::newRow("absolute") << u"/etc/passwd"_s << false;
        QTest::newRow("dot") << u"./x"_s << false;
        QTest::newRow("empty part") << u"a//b"_s << false;
        QTest::newRow("trailing slash") << u"a/"_s << false;
        QTest::newRow("backslash") << u"a\\..\\b"_s << false;
        QTest::newRow("drive") << u"C:x"_s << false;
        QTest::newRow("newline") << u"a\nb"_s << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("too long") << QString(300, u'a') << false;
    }

    void paths()
    {
        QFETCH(QString, path);
        QFETCH(bool, safe);
        QCOMPARE(AppBundle::checkPath(path).ok(), safe);
    }

    void validation_data()
    {
        QTest::addColumn<int>("runtime");
        QTest::addColumn<QString>("start");
        QTest::addColumn<Files>("files");
        QTest::addColumn<QString>("error"); // empty: valid

        QTest::newRow("static ok") << int(Runtime::Static) << QString()
                                   << Files{{u"index.html"_s, "<p>é</p>"}} << QString();
        QTest::newRow("binary image")
            << int(Runtime::Static) << QString()
            << Files{{u"index.html"_s, "x"}, {u"logo.png"_s, QByteArray("\x89PNG\r\n\x1a\n\xff\xfe", 10)}}
            << QString();
        QTest::newRow("no files") << int(Runtime::Static) << QString() << Files{} << u"no files"_s;
        QTest::newRow("static without index")
            << int(Runtime::Static) << QString() << Files{{u"a.html"_s, "x"}} << u"index.html"_s;
        QTest::newRow("python without start")
            << int(Runtime::Python) << QString() << Files{{u"app.py"_s, ""}} << u"start command"_s;
        QTest::newRow("start names a missing file")
            << int(Runtime::Python) << u"python3 server.py"_s << Files{{u"app.py"_s, ""}} << u"server.py"_s;
        QTest::newRow("latin-1 text")
            << int(Runtime::Static) << QString() << Files{{u"index.html"_s, "caf\xe9"}} << u"offset 3"_s;
        QTest::newRow("overlong UTF-8")
            << int(Runtime::Static) << QString() << Files{{u"index.html"_s, "\xc0\xaf"}} << u"UTF-8"_s;
        QTest::newRow("UTF-16 surrogate")
            << int(Runtime::Static) << QString() << Files{{u"index.html"_s, "\xed\xa0\x80"}} << u"UTF-8"_s;
        QTest::newRow("truncated sequence")
            << int(Runtime::Static) << QString() << Files{{u"index.html"_s, "ok\xe2\x82"}} << u"offset 2"_s;
        QTest::newRow("4-byte emoji ok")
            << int(Runtime::Static) << QString() << Files{{u"index.html"_s, "\xf0\x9f\x8d\x85"}} << QString();
        QTest::newRow("unsafe path") << int(Runtime::Static) << QString()
                                     << Files{{u"index.html"_s, "x"}, {u"../../etc/cron.d/x"_s, "x"}}
                                     << u"outside"_s;
        QTest::newRow("manifest among files")
            << int(Runtime::Static) << QString() << Files{{u"index.html"_s, "x"}, {u"spawnai.json"_s, "{}"}}
            << u"manifest"_s;
        QTest::newRow("file too big")
            << int(Runtime::Static) << QString()
            << Files{{u"index.html"_s, QByteArray(AppBundle::kMaxFileBytes + 1, 'a')}} << u"at most"_s;
    }

    void validation()
    {
        QFETCH(int, runtime);
        QFETCH(QString, start);
        QFETCH(Files, files);
        QFETCH(QString, error);
        const auto valid = TestSupport::bundle(Runtime(runtime), files, start).validate();
        if (error.isEmpty()) {
            QVERIFY2(valid.ok(), qPrintable(valid.error()));
        } else {
            QVERIFY(!valid.ok());
            QVERIFY2(valid.error().contains(error), qPrintable(valid.error()));
        }
    }

    void folderWithManifestAndIgnoredFiles()
    {
        QTemporaryDir dir;
        TestSupport::writeFiles(
            dir.path(), {{u"spawnai.json"_s,
                          R"({"title":"Tasks","runtime":"python","start":"python3 srv.py","port":5000})"},
                         {u"srv.py"_s, "print(1)"},
                         {u"templates/page.html"_s, "<p>x</p>"},
                         {u".git/config"_s, "[core]"},
                         {u"__pycache__/srv.cpython-311.pyc"_s, QByteArray("\x00\xff", 2)},
                         {u".env"_s, "SECRET=1"}});
        QVERIFY(QFile::link(dir.filePath(u"srv.py"_s), dir.filePath(u"alias.py"_s))); // inside: followed
        const auto bundle = BundleFolder::load(dir.path());
        QVERIFY2(bundle.ok(), qPrintable(bundle.error()));
        QCOMPARE(bundle->manifest.title, u"Tasks"_s);
        QCOMPARE(bundle->manifest.port, 5000);
        QCOMPARE(bundle->files.keys(), (QStringList{u"alias.py"_s, u"srv.py"_s, u"templates/page.html"_s}));
        QCOMPARE(bundle->files.value(u"alias.py"_s), QByteArray("print(1)"));
    }

    void singleHtmlPageBecomesAStaticApp()
    {
        QTemporaryDir dir;
        TestSupport::writeFiles(dir.path(), {{u"timer.html"_s, "<h1>timer</h1>"}});
        const auto bundle = BundleFolder::load(dir.filePath(u"timer.html"_s));
        QVERIFY2(bundle.ok(), qPrintable(bundle.error()));
        QCOMPARE(bundle->manifest.runtime, Runtime::Static);
        QCOMPARE(bundle->manifest.title, u"timer"_s);
        QCOMPARE(bundle->files, (Files{{u"index.html"_s, "<h1>timer</h1>"}}));
    }

    void linkLoopsAndBrokenLinks()
    {
        QTemporaryDir dir;
        TestSupport::writeFiles(dir.path(), {{u"index.html"_s, "x"}, {u"sub/page.html"_s, "y"}});
        QVERIFY(QFile::link(dir.path(), dir.filePath(u"sub/loop"_s)));
        const auto looped = BundleFolder::load(dir.path());
        QVERIFY2(looped.ok(), qPrintable(looped.error()));
        QCOMPARE(looped->files.size(), 2);

        QVERIFY(QFile::link(dir.filePath(u"gone.txt"_s), dir.filePath(u"broken.txt"_s)));
        const auto broken = BundleFolder::load(dir.path());
        QVERIFY(!broken.ok());
        QVERIFY2(broken.error().contains(u"broken link"_s), qPrintable(broken.error()));
    }

    void writeThenLoadGivesTheSameBundle()
    {
        QTemporaryDir dir;
        AppBundle original = TestSupport::bundle(
            Runtime::Node, {{u"server.js"_s, "require('http')"}, {u"public/app.css"_s, "body{}"}},
            u"node server.js"_s);
        original.manifest.port = 3000;
        QVERIFY(BundleFolder::write(original, dir.filePath(u"out"_s)).ok());
        const auto loaded = BundleFolder::load(dir.filePath(u"out"_s));
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->files, original.files);
        QCOMPARE(loaded->manifest.start, original.manifest.start);
        QCOMPARE(loaded->manifest.port, 3000);
        QCOMPARE(loaded->manifest.title, original.manifest.title);
    }
};

QTEST_GUILESS_MAIN(TestAppBundle)
#include "tst_appbundle.moc"
