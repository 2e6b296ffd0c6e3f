// Per-file comparison of two app bundles: added, removed, changed and unchanged files with their line counts,
// binary files by bytes, and the manifest fields that changed.
#include "bundlediff.h"

#include <QTest>

using namespace Qt::StringLiterals;
using Files = QMap<QString, QByteArray>;
using Kind = FileChange::Kind;

Q_DECLARE_METATYPE(AppManifest)
Q_DECLARE_METATYPE(FileChange)
Q_DECLARE_METATYPE(QList<FileChange>)

namespace {

AppBundle bundleOf(const Files &files, const QString &title = u"Timer"_s)
{
    AppBundle bundle;
    bundle.manifest.title = title;
    bundle.files = files;
    return bundle;
}

FileChange change(const QString &path, Kind kind, int added = 0, int removed = 0, bool binary = false)
{
    FileChange c;
    c.path = path;
    c.kind = kind;
    c.added = added;
    c.removed = removed;
    c.binary = binary;
    return c;
}

QByteArray png(char fill, int size = 64)
{
    QByteArray bytes("\x89PNG\r\n\x1a\n", 8);
    bytes.append(size, fill);
    return bytes;
}

} // namespace

namespace QTest {
template<> char *toString(const FileChange &c)
{
    static const char *kinds[] = {"Added", "Removed", "Changed", "Unchanged"};
    return qstrdup(QByteArray(c.path.toUtf8() + ' ' + kinds[int(c.kind)] + " +" +
                              QByteArray::number(c.added) + " -" + QByteArray::number(c.removed) +
                              (c.binary ? " binary" : ""))
                       .constData());
}
} // namespace QTest

class TestBundleDiff final : public QObject
{
    Q_OBJECT
private slots:
    void compare_data();
    void compare();
    void manifestChanges_data();
    void manifestChanges();
};

void TestBundleDiff::compare_data()
{
    QTest::addColumn<Files>("before");
    QTest::addColumn<Files>("after");
    QTest::addColumn<QList<FileChange>>("expected");

    const Files app = {{u"index.html"_s, "<h1>Timer</h1>\n<p>25:00</p>\n"},
                       {u"app.js"_s, "let left = 1500;\ntick();\n"},
                       {u"style.css"_s, "body { color: black; }\n"}};

    QTest::newRow("identical") << app << app
                               << QList<FileChange>{change(u"app.js"_s, Kind::Unchanged),
                                                    change(u"index.html"_s, Kind::Unchanged),
                                                    change(u"style.css"_s, Kind::Unchanged)};
    QTest::newRow("first revision: everything added")
        << Files() << app
        << QList<FileChange>{change(u"app.js"_s, Kind::Added, 2), change(u"index.html"_s, Kind::Added, 2),
                             change(u"style.css"_s, Kind::Added, 1)};
    QTest::newRow("everything removed") << app << Files()
                                        << QList<FileChange>{change(u"app.js"_s, Kind::Removed, 0, 2),
                                                             change(u"index.html"_s, Kind::Removed, 0, 2),
                                                             change(u"style.css"_s, Kind::Removed, 0, 1)};

    Files edited = app;
    edited[u"app.js"_s] = "let left = 300;\ntick();\nrender();\n";
    edited.remove(u"style.css"_s);
    edited[u"about.html"_s] = "<p>About</p>\n";
    QTest::newRow("added, removed, changed, unchanged")
        << app << edited
        << QList<FileChange>{
               change(u"about.html"_s, Kind::Added, 1), change(u"app.js"_s, Kind::Changed, 2, 1),
               change(u"index.html"_s, Kind::Unchanged), change(u"style.css"_s, Kind::Removed, 0, 1)};

    Files crlf = app;
    crlf[u"style.css"_s] = "body { color: black; }\r\n";
    QTest::newRow("line ends changed")
        << app << crlf
        << QList<FileChange>{change(u"app.js"_s, Kind::Unchanged), change(u"index.html"_s, Kind::Unchanged),
                             change(u"style.css"_s, Kind::Changed, 1, 1)};

    Files withLogo = app;
    withLogo[u"logo.png"_s] = png('a');
    Files newLogo = withLogo;
    newLogo[u"logo.png"_s] = png('b');
    Files sameLogo = withLogo;
    QTest::newRow("binary added") << app << withLogo
                                  << QList<FileChange>{change(u"app.js"_s, Kind::Unchanged),
                                                       change(u"index.html"_s, Kind::Unchanged),
                                                       change(u"logo.png"_s, Kind::Added, 0, 0, true),
                                                       change(u"style.css"_s, Kind::Unchanged)};
    QTest::newRow("binary changed by bytes")
        << withLogo << newLogo
        << QList<FileChange>{change(u"app.js"_s, Kind::Unchanged), change(u"index.html"_s, Kind::Unchanged),
                             change(u"logo.png"_s, Kind::Changed, 0, 0, true),
                             change(u"style.css"_s, Kind::Unchanged)};
    QTest::newRow("binary unchanged")
        << withLogo << sameLogo
        << QList<FileChange>{change(u"app.js"_s, Kind::Unchanged), change(u"index.html"_s, Kind::Unchanged),
                             change(u"logo.png"_s, Kind::Unchanged, 0, 0, true),
                             change(u"style.css"_s, Kind::Unchanged)};
    QTest::newRow("binary removed") << withLogo << app
                                    << QList<FileChange>{change(u"app.js"_s, Kind::Unchanged),
                                                         change(u"index.html"_s, Kind::Unchanged),
                                                         change(u"logo.png"_s, Kind::Removed, 0, 0, true),
                                                         change(u"style.css"_s, Kind::Unchanged)};
    // A NUL byte makes a file binary whatever its name.
    QTest::newRow("NUL byte in a text name")
        << Files{{u"data.txt"_s, QByteArray("a\0b\n", 4)}} << Files{{u"data.txt"_s, QByteArray("a\0c\n", 4)}}
        << QList<FileChange>{change(u"data.txt"_s, Kind::Changed, 0, 0, true)};
    QTest::newRow("renamed: removed and added")
        << Files{{u"app.py"_s, "print(1)\n"}} << Files{{u"main.py"_s, "print(1)\n"}}
        << QList<FileChange>{change(u"app.py"_s, Kind::Removed, 0, 1), change(u"main.py"_s, Kind::Added, 1)};
    QTest::newRow("folders sort by path")
        << Files{{u"b/x.js"_s, "1\n"}, {u"a.js"_s, "1\n"}}
        << Files{{u"a/y.js"_s, "1\n"}, {u"b/x.js"_s, "2\n"}}
        << QList<FileChange>{change(u"a.js"_s, Kind::Removed, 0, 1), change(u"a/y.js"_s, Kind::Added, 1),
                             change(u"b/x.js"_s, Kind::Changed, 1, 1)};
    QTest::newRow("empty file added") << Files() << Files{{u"empty.txt"_s, QByteArray()}}
                                      << QList<FileChange>{change(u"empty.txt"_s, Kind::Added)};
}

void TestBundleDiff::compare()
{
    QFETCH(Files, before);
    QFETCH(Files, after);
    QFETCH(QList<FileChange>, expected);
    const QList<FileChange> changes = BundleDiff::compare(bundleOf(before), bundleOf(after));
    QCOMPARE(changes.size(), expected.size());
    for (qsizetype i = 0; i < changes.size(); ++i)
        QCOMPARE(changes.at(i), expected.at(i));
}

void TestBundleDiff::manifestChanges_data()
{
    QTest::addColumn<AppManifest>("before");
    QTest::addColumn<AppManifest>("after");
    QTest::addColumn<QStringList>("expected"); // "field: before → after"

    AppManifest base;
    base.title = u"Notes"_s;
    base.runtime = Runtime::Python;
    base.start = u"python3 app.py"_s;
    base.port = 8000;

    QTest::newRow("none") << base << base << QStringList();
    AppManifest retitled = base;
    retitled.title = u"Notes 2"_s;
    QTest::newRow("title") << base << retitled << QStringList{u"title: Notes → Notes 2"_s};
    AppManifest node = base;
    node.runtime = Runtime::Node;
    node.start = u"node server.js"_s;
    node.port = 3000;
    QTest::newRow("runtime, start and port")
        << base << node
        << QStringList{u"runtime: python → node"_s, u"start: python3 app.py → node server.js"_s,
                       u"port: 8000 → 3000"_s};
}

void TestBundleDiff::manifestChanges()
{
    QFETCH(AppManifest, before);
    QFETCH(AppManifest, after);
    QFETCH(QStringList, expected);
    AppBundle a;
    a.manifest = before;
    AppBundle b;
    b.manifest = after;
    QStringList actual;
    for (const ManifestChange &c : BundleDiff::manifestChanges(a, b))
        actual.append(c.field + u": "_s + c.before + u" → "_s + c.after);
    QCOMPARE(actual, expected);
    // The files are not involved.
    QVERIFY(BundleDiff::compare(a, b).isEmpty());
}

QTEST_GUILESS_MAIN(TestBundleDiff)
#include "tst_bundlediff.moc"
