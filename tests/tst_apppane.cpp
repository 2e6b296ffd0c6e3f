// The app pane: bundled examples, bundles in and out byte for byte, editing, and drafts that survive a crash.
#include "apppane.h"
#include "bundlefolder.h"
#include "codeeditor.h"
#include "testsupport.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <memory>

using namespace Qt::StringLiterals;
using Files = QMap<QString, QByteArray>;

namespace {

QTabWidget *tabsOf(AppPane &pane)
{
    return pane.findChild<QTabWidget *>(u"fileTabs"_s);
}

int tabIndex(AppPane &pane, const QString &path)
{
    QTabWidget *tabs = tabsOf(pane);
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->tabText(i) == path)
            return i;
    }
    return -1;
}

// The editor of `path`, made the current tab so it can take keys.
CodeEditor *editorFor(AppPane &pane, const QString &path)
{
    const int index = tabIndex(pane, path);
    if (index < 0)
        return nullptr;
    tabsOf(pane)->setCurrentIndex(index);
    return qobject_cast<CodeEditor *>(tabsOf(pane)->widget(index));
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(content), content.size());
}

// A file's content as the draft on disk has it (text or base64), or a null array.
QByteArray draftFile(const QString &draftPath, const QString &file)
{
    const QJsonObject entry = QJsonDocument::fromJson(readFile(draftPath))
                                  .object()
                                  .value(u"files"_s)
                                  .toObject()
                                  .value(file)
                                  .toObject();
    if (entry.contains(u"text"_s))
        return entry.value(u"text"_s).toString().toUtf8();
    if (entry.contains(u"base64"_s))
        return QByteArray::fromBase64(entry.value(u"base64"_s).toString().toLatin1());
    return {};
}

QByteArray allBytes()
{
    QByteArray bytes;
    for (int i = 0; i < 256; ++i)
        bytes.append(char(i));
    return bytes + QByteArray("\x89PNG\r\n\x1a\n\0\0\xff\xfe", 14);
}

// Everything that tends to get lost between bytes, a text editor and JSON.
AppBundle trickyBundle()
{
    AppBundle bundle;
    bundle.manifest.title = u"Round trip"_s;
    bundle.manifest.runtime = Runtime::Python;
    bundle.manifest.start = u"python3 app.py --quiet"_s;
    bundle.manifest.port = 9001;
    bundle.files.insert(u"app.py"_s, "print('hi')\n");
    bundle.files.insert(u"index.html"_s,
                        "<p>caf\xc3\xa9\xc2\xa0\xe2\x80\xa8 \xf0\x9f\x8d\x85\r\n\tend</p>\r\n");
    bundle.files.insert(u"static/logo.png"_s, allBytes());
    bundle.files.insert(u"notes.txt"_s, "latin-1 \xe9t\xe9, not UTF-8");
    bundle.files.insert(u"empty.css"_s, QByteArray());
    bundle.files.insert(u"no-newline.js"_s, "let a = 1;");
    return bundle;
}

void compareBundles(const AppBundle &actual, const AppBundle &expected)
{
    QCOMPARE(actual.manifest.title, expected.manifest.title);
    QCOMPARE(actual.manifest.runtime, expected.manifest.runtime);
    QCOMPARE(actual.manifest.start, expected.manifest.start);
    QCOMPARE(actual.manifest.port, expected.manifest.port);
    QCOMPARE(actual.files.keys(), expected.files.keys());
    for (auto it = expected.files.cbegin(); it != expected.files.cend(); ++it)
        QVERIFY2(actual.files.value(it.key()) == it.value(), qPrintable(it.key() + u" differs"_s));
}

} // namespace

class TestAppPane : public QObject
{
    Q_OBJECT

private slots:
    void exampleNames()
    {
        QCOMPARE(AppPane::exampleNames(), (QStringList{u"clock-node"_s, u"notes-python"_s, u"pomodoro"_s}));
    }

    void examples_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<Runtime>("runtime");
        QTest::addColumn<QString>("start");
        QTest::addColumn<QStringList>("files");
        QTest::newRow("pomodoro") << u"pomodoro"_s << Runtime::Static << QString()
                                  << QStringList{u"app.js"_s, u"index.html"_s, u"style.css"_s};
        QTest::newRow("notes-python")
            << u"notes-python"_s << Runtime::Python << u"python3 app.py"_s << QStringList{u"app.py"_s};
        QTest::newRow("clock-node") << u"clock-node"_s << Runtime::Node << u"node server.js"_s
                                    << QStringList{u"server.js"_s};
    }
    void examples()
    {
        QFETCH(QString, name);
        QFETCH(Runtime, runtime);
        QFETCH(QString, start);
        QFETCH(QStringList, files);

        const auto loaded = AppPane::example(name);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->manifest.runtime, runtime);
        QCOMPARE(loaded->manifest.start, start);
        QCOMPARE(loaded->manifest.title, name);
        QCOMPARE(loaded->files.keys(), files);
        const auto valid = loaded->validate();
        QVERIFY2(valid.ok(), qPrintable(valid.error()));
        // The compiled-in copy is the file in resources/examples, byte for byte.
        for (const QString &file : files) {
            const QString onDisk = QFINDTESTDATA(u"../resources/examples/%1/%2"_s.arg(name, file));
            QVERIFY(!onDisk.isEmpty());
            QCOMPARE(loaded->files.value(file), readFile(onDisk));
        }

        QTemporaryDir dir;
        AppPane pane(dir.filePath(u"draft.json"_s));
        QVERIFY(pane.openExample(name).ok());
        QCOMPARE(pane.source(), u"example:"_s + name);
        QCOMPARE(tabsOf(pane)->count(), files.size());
        const QString title = pane.findChild<QLabel *>(u"appTitle"_s)->text();
        QVERIFY2(title.contains(name) && title.contains(Runtimes::name(runtime)), qPrintable(title));
        // The file the app starts from is shown first.
        const QString entry = runtime == Runtime::Static ? u"index.html"_s : files.first();
        QCOMPARE(tabsOf(pane)->tabText(tabsOf(pane)->currentIndex()), entry);
    }

    void unknownExample()
    {
        const auto missing = AppPane::example(u"nope"_s);
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().contains(u"nope"_s));
        QVERIFY(missing.error().contains(u"pomodoro"_s));
        QTemporaryDir dir;
        AppPane pane(dir.filePath(u"draft.json"_s));
        QVERIFY(!pane.openExample(u"../pomodoro"_s).ok());
        QVERIFY(pane.isEmpty());
    }

    void emptyPane()
    {
        QTemporaryDir dir;
        const QString draft = dir.filePath(u"draft.json"_s);
        AppPane pane(draft);
        QVERIFY(pane.isEmpty());
        QVERIFY(pane.bundle().files.isEmpty());
        QVERIFY(pane.source().isEmpty());
        auto *placeholder = pane.findChild<QLabel *>(u"placeholder"_s);
        QCOMPARE(pane.findChild<QStackedWidget *>()->currentWidget(), placeholder);
        QVERIFY(placeholder->text().contains(u"href=\"pomodoro\""_s));
        QCOMPARE(pane.findChild<QLabel *>(u"appTitle"_s)->text(), u"No app open"_s);
        QTest::qWait(50);
        QVERIFY(!QFile::exists(draft)); // nothing to keep yet
    }

    void uiActions()
    {
        QTemporaryDir dir;
        AppPane pane(dir.filePath(u"draft.json"_s));
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));

        // The placeholder's links load an example straight away: there is nothing to lose yet.
        emit pane.findChild<QLabel *>(u"placeholder"_s)->linkActivated(u"notes-python"_s);
        QCOMPARE(pane.source(), u"example:notes-python"_s);

        // The menu lists every example with its runtime.
        auto *examples = pane.findChild<QToolButton *>(u"examplesButton"_s);
        QVERIFY(examples && examples->menu());
        const auto actions = examples->menu()->actions();
        QCOMPARE(actions.size(), 3);
        QCOMPARE(actions.at(0)->text(), u"clock-node (node)"_s);
        QCOMPARE(actions.at(2)->text(), u"pomodoro (static)"_s);
        actions.at(0)->trigger(); // not edited: no question
        QCOMPARE(pane.source(), u"example:clock-node"_s);

        // Once edited, replacing asks first; Cancel keeps the edits.
        QTest::keyClicks(editorFor(pane, u"server.js"_s), u"// mine"_s);
        QString asked;
        QTimer::singleShot(0, &pane, [&asked] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                asked = box->text();
                box->button(QMessageBox::Cancel)->click();
            }
        });
        actions.at(2)->trigger();
        QVERIFY2(asked.contains(u"not saved anywhere else"_s), qPrintable(asked));
        QCOMPARE(pane.source(), u"example:clock-node"_s);
        QVERIFY(pane.bundle().files.value(u"server.js"_s).startsWith("// mine"));

        // Discard replaces them.
        QTimer::singleShot(0, &pane, [] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget()))
                box->button(QMessageBox::Discard)->click();
        });
        actions.at(2)->trigger();
        QCOMPARE(pane.source(), u"example:pomodoro"_s);
    }

    void roundTrip()
    {
        QTemporaryDir dir;
        AppPane pane(dir.filePath(u"draft.json"_s));
        QSignalSpy changed(&pane, &AppPane::bundleChanged);
        const AppBundle input = trickyBundle();
        pane.setBundle(input, u"/somewhere/app"_s);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(pane.source(), u"/somewhere/app"_s);
        QVERIFY(!pane.isEmpty());
        QCOMPARE(tabsOf(pane)->count(), input.files.size());
        compareBundles(pane.bundle(), input);

        // Binary files (by name or by content) get a read-only placeholder, not an editor.
        for (const QString &binary : {u"static/logo.png"_s, u"notes.txt"_s}) {
            const int index = tabIndex(pane, binary);
            QVERIFY(index >= 0);
            auto *label = qobject_cast<QLabel *>(tabsOf(pane)->widget(index));
            QVERIFY2(label, qPrintable(binary));
            QVERIFY2(label->text().startsWith(u"binary, "_s), qPrintable(label->text()));
        }
        QVERIFY(qobject_cast<QLabel *>(tabsOf(pane)->widget(tabIndex(pane, u"static/logo.png"_s)))
                    ->text()
                    .contains(u"bytes"_s));
        QVERIFY(editorFor(pane, u"index.html"_s));
        QVERIFY(editorFor(pane, u"empty.css"_s));

        // setBundle replaces everything.
        pane.setBundle(AppPane::example(u"clock-node"_s).value(), u"example:clock-node"_s);
        QCOMPARE(tabsOf(pane)->count(), 1);
        QCOMPARE(pane.bundle().files.keys(), QStringList{u"server.js"_s});
        QCOMPARE(changed.count(), 2);
    }

    void keyboardEdits()
    {
        QTemporaryDir dir;
        AppPane pane(dir.filePath(u"draft.json"_s));
        pane.resize(800, 600);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        const AppBundle input = trickyBundle();
        pane.setBundle(input, u"/somewhere/app"_s);
        QSignalSpy changed(&pane, &AppPane::bundleChanged);

        CodeEditor *editor = editorFor(pane, u"app.py"_s);
        QVERIFY(editor);
        editor->setFocus();
        QTest::keyClicks(editor, u"import os"_s);
        QTest::keyClick(editor, Qt::Key_Return);
        QCOMPARE(pane.bundle().files.value(u"app.py"_s), QByteArray("import os\nprint('hi')\n"));
        QVERIFY(changed.wait(2000));
        QCOMPARE(changed.count(), 1); // one burst of typing, one notification

        // A CRLF file edited keeps CRLF, no-break spaces and line separators.
        editor = editorFor(pane, u"index.html"_s);
        QTextCursor cursor(editor->document());
        cursor.movePosition(QTextCursor::End);
        editor->setTextCursor(cursor);
        QTest::keyClicks(editor, u"<!-- x -->"_s);
        QCOMPARE(pane.bundle().files.value(u"index.html"_s),
                 input.files.value(u"index.html"_s) + "<!-- x -->");

        // Undoing back to the original gives the original bytes again.
        for (int i = 0; i < 20 && editor->document()->isModified(); ++i)
            editor->undo();
        QCOMPARE(pane.bundle().files.value(u"index.html"_s), input.files.value(u"index.html"_s));
        // The other files were not touched.
        QCOMPARE(pane.bundle().files.value(u"static/logo.png"_s), allBytes());
        QVERIFY(pane.findChild<QLabel *>(u"appTitle"_s)->text().contains(u"edited"_s));
    }

    void idlePaneIsQuiet()
    {
        // Highlighting and layout are not edits: no notification, no draft writes.
        QTemporaryDir dir;
        const QString draft = dir.filePath(u"draft.json"_s);
        AppPane pane(draft);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        QVERIFY(pane.openExample(u"pomodoro"_s).ok());
        const QDateTime written = QFileInfo(draft).lastModified();
        QSignalSpy changed(&pane, &AppPane::bundleChanged);
        for (int i = 0; i < tabsOf(pane)->count(); ++i) {
            tabsOf(pane)->setCurrentIndex(i);
            QTest::qWait(50);
        }
        QTest::qWait(500);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(QFileInfo(draft).lastModified(), written);
    }

    void draftSurvivesCrash()
    {
        QTemporaryDir dir;
        const QString draft = dir.filePath(u"drafts/current.json"_s); // the folder is created on demand
        const QString crashed = dir.filePath(u"crashed.json"_s);
        AppBundle expected;
        {
            auto pane = std::make_unique<AppPane>(draft);
            pane->show();
            QVERIFY(QTest::qWaitForWindowExposed(pane.get()));
            QVERIFY(pane->openExample(u"pomodoro"_s).ok());
            CodeEditor *editor = editorFor(*pane, u"style.css"_s);
            QVERIFY(editor);
            QTest::keyClicks(editor, u"/* mine */"_s);
            QVERIFY(!draftFile(draft, u"style.css"_s).startsWith("/* mine */")); // not yet: debounced
            // No explicit save: the debounce alone puts the edit on disk.
            QTRY_VERIFY_WITH_TIMEOUT(draftFile(draft, u"style.css"_s).startsWith("/* mine */"), 2000);
            expected = pane->bundle();
            // What a crash at this moment leaves behind, before the destructor could add anything.
            QVERIFY(QFile::copy(draft, crashed));
        }
        for (const QString &path : {crashed, draft}) {
            AppPane restored(path);
            QSignalSpy status(&restored, &AppPane::statusMessage);
            compareBundles(restored.bundle(), expected);
            QCOMPARE(restored.source(), u"example:pomodoro"_s);
            QCOMPARE(tabsOf(restored)->tabText(tabsOf(restored)->currentIndex()), u"style.css"_s);
            QVERIFY(restored.findChild<QLabel *>(u"appTitle"_s)->text().contains(u"edited"_s));
            QVERIFY(status.wait(1000));
            QVERIFY2(status.first().first().toString().contains(u"Restored"_s),
                     qPrintable(status.first().first().toString()));
        }
    }

    void destructorFlushesPendingEdit()
    {
        QTemporaryDir dir;
        const QString draft = dir.filePath(u"draft.json"_s);
        {
            AppPane pane(draft);
            pane.show();
            QVERIFY(QTest::qWaitForWindowExposed(&pane));
            QVERIFY(pane.openExample(u"notes-python"_s).ok());
            CodeEditor *editor = editorFor(pane, u"app.py"_s);
            QTest::keyClicks(editor, u"# last words"_s);
            QTest::keyClick(editor, Qt::Key_Return);
            // Destroyed well inside the debounce: the edit is only in the editor.
            QVERIFY(!draftFile(draft, u"app.py"_s).startsWith("# last words"));
        }
        AppPane restored(draft);
        QVERIFY(restored.bundle().files.value(u"app.py"_s).startsWith("# last words\n"));
        QCOMPARE(restored.bundle().files.value(u"app.py"_s).mid(13),
                 AppPane::example(u"notes-python"_s)->files.value(u"app.py"_s));
    }

    void draftKeepsBytes()
    {
        QTemporaryDir dir;
        const QString draft = dir.filePath(u"draft.json"_s);
        const AppBundle input = trickyBundle();
        {
            AppPane pane(draft);
            pane.setBundle(input, u"/somewhere/app"_s);
        }
        // Text stays readable in the draft; what is not UTF-8 text goes as base64.
        const QJsonObject files =
            QJsonDocument::fromJson(readFile(draft)).object().value(u"files"_s).toObject();
        QVERIFY(files.value(u"app.py"_s).toObject().contains(u"text"_s));
        QVERIFY(files.value(u"static/logo.png"_s).toObject().contains(u"base64"_s));
        QVERIFY(files.value(u"notes.txt"_s).toObject().contains(u"base64"_s));

        AppPane restored(draft);
        compareBundles(restored.bundle(), input);
        QCOMPARE(restored.source(), u"/somewhere/app"_s);
    }

    void corruptDraft_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("garbage") << QByteArray("{ not json");
        QTest::newRow("empty file") << QByteArray();
        QTest::newRow("binary junk") << QByteArray("\x00\xff\x13\x37", 4);
        QTest::newRow("truncated") << QByteArray("{\"version\":1,\"source\":\"x\",\"manifest\":{\"runtime\":"
                                                 "\"static\"},\"files\":{\"index.html\":{\"te");
        QTest::newRow("array") << QByteArray("[1,2,3]");
        QTest::newRow("files not an object")
            << QByteArray("{\"version\":1,\"manifest\":{\"runtime\":\"static\"},\"files\":3}");
        QTest::newRow("bad base64") << QByteArray("{\"version\":1,\"manifest\":{\"runtime\":\"static\"},"
                                                  "\"files\":{\"a.png\":{\"base64\":\"!!*\"}}}");
        QTest::newRow("no content") << QByteArray(
            "{\"version\":1,\"manifest\":{\"runtime\":\"static\"},\"files\":{\"a.html\":{}}}");
        QTest::newRow("bad manifest")
            << QByteArray("{\"version\":1,\"manifest\":{\"runtime\":\"ruby\"},\"files\":{}}");
        QTest::newRow("newer version")
            << QByteArray("{\"version\":2,\"manifest\":{\"runtime\":\"static\"},\"files\":{}}");
    }
    void corruptDraft()
    {
        QFETCH(QByteArray, content);
        QTemporaryDir dir;
        const QString draft = dir.filePath(u"draft.json"_s);
        writeFile(draft, content);

        AppPane pane(draft);
        QSignalSpy status(&pane, &AppPane::statusMessage);
        QVERIFY(pane.isEmpty());
        QVERIFY(status.wait(1000));
        const QString message = status.first().first().toString();
        QVERIFY2(message.contains(u"could not be read"_s) && message.contains(draft + u".corrupt"_s),
                 qPrintable(message));
        // Kept aside untouched, and said where the user will look.
        QVERIFY(!QFile::exists(draft));
        QCOMPARE(readFile(draft + u".corrupt"_s), content);
        QVERIFY(pane.findChild<QLabel *>(u"placeholder"_s)->text().contains(u"could not be read"_s));

        // Work goes on: new drafts are written, the kept copy stays.
        QVERIFY(pane.openExample(u"pomodoro"_s).ok());
        QVERIFY(QFile::exists(draft));
        QCOMPARE(readFile(draft + u".corrupt"_s), content);
    }

    void corruptCopiesAreNeverOverwritten()
    {
        QTemporaryDir dir;
        const QString draft = dir.filePath(u"draft.json"_s);
        writeFile(draft + u".corrupt"_s, "first");
        writeFile(draft, "second");
        {
            AppPane pane(draft);
            QVERIFY(pane.isEmpty());
        }
        writeFile(draft, "third");
        AppPane pane(draft);
        QSignalSpy status(&pane, &AppPane::statusMessage);
        QVERIFY(status.wait(1000));
        QVERIFY(status.first().first().toString().contains(draft + u".3.corrupt"_s));
        QCOMPARE(readFile(draft + u".corrupt"_s), QByteArray("first"));
        QCOMPARE(readFile(draft + u".2.corrupt"_s), QByteArray("second"));
        QCOMPARE(readFile(draft + u".3.corrupt"_s), QByteArray("third"));
    }

    void unwritableDraft()
    {
        QTemporaryDir dir;
        writeFile(dir.filePath(u"plainfile"_s), "x"); // a file where the draft's folder would go
        AppPane pane(dir.filePath(u"plainfile/draft.json"_s));
        QSignalSpy status(&pane, &AppPane::statusMessage);
        QVERIFY(pane.openExample(u"pomodoro"_s).ok());
        QStringList messages;
        for (const auto &args : std::as_const(status))
            messages << args.first().toString();
        QVERIFY2(messages.filter(u"Cannot save the draft"_s).size() == 1,
                 qPrintable(messages.join(u" | "_s)));
        // The same failure again is not repeated.
        QVERIFY(pane.openExample(u"clock-node"_s).ok());
        messages.clear();
        for (const auto &args : std::as_const(status))
            messages << args.first().toString();
        QCOMPARE(messages.filter(u"Cannot save the draft"_s).size(), 1);
        QCOMPARE(pane.bundle().files.keys(), QStringList{u"server.js"_s}); // the pane itself still works
    }

    void openFolder()
    {
        QTemporaryDir dir;
        const QString app = TestSupport::writeFiles(
            dir.filePath(u"notes"_s), {{u"app.py"_s, "print('x')\n"}, {u"img/a.png"_s, allBytes()}});
        AppPane pane(dir.filePath(u"draft.json"_s));
        QVERIFY(pane.openFolder(app).ok());
        QCOMPARE(pane.source(), QFileInfo(app).absoluteFilePath());
        QCOMPARE(pane.bundle().manifest.runtime, Runtime::Python);
        QCOMPARE(pane.bundle().files.value(u"img/a.png"_s), allBytes());
        QVERIFY(pane.findChild<QLabel *>(u"appTitle"_s)->text().contains(u"python3 app.py"_s));

        const QString page = dir.filePath(u"hello.html"_s);
        writeFile(page, "<h1>hi</h1>");
        QVERIFY(pane.openFile(page).ok());
        QCOMPARE(pane.bundle().files.keys(), QStringList{u"index.html"_s});
        QCOMPARE(pane.bundle().manifest.runtime, Runtime::Static);
    }

    void openErrors_data()
    {
        QTest::addColumn<QString>("relative");
        QTest::addColumn<bool>("asFile");
        QTest::newRow("missing folder") << u"nowhere"_s << false;
        QTest::newRow("empty folder") << u"empty"_s << false;
        QTest::newRow("no entry point") << u"noentry"_s << false;
        QTest::newRow("bad manifest") << u"badmanifest"_s << false;
        QTest::newRow("not a page") << u"notes.txt"_s << true;
        QTest::newRow("missing page") << u"gone.html"_s << true;
    }
    void openErrors()
    {
        QFETCH(QString, relative);
        QFETCH(bool, asFile);
        QTemporaryDir dir;
        QDir(dir.path()).mkdir(u"empty"_s);
        TestSupport::writeFiles(dir.filePath(u"noentry"_s), {{u"readme.md"_s, "hello"}});
        TestSupport::writeFiles(dir.filePath(u"badmanifest"_s),
                                {{u"index.html"_s, "x"}, {u"spawnai.json"_s, "{\"runtime\":\"ruby\"}"}});
        writeFile(dir.filePath(u"notes.txt"_s), "hello");
        const QString path = dir.filePath(relative);

        AppPane pane(dir.filePath(u"draft.json"_s));
        QVERIFY(pane.openExample(u"pomodoro"_s).ok());
        const AppBundle before = pane.bundle();
        QSignalSpy changed(&pane, &AppPane::bundleChanged);

        const auto opened = asFile ? pane.openFile(path) : pane.openFolder(path);
        QVERIFY(!opened.ok());
        const QString expected = BundleFolder::load(path).error();
        QVERIFY(!expected.isEmpty());
        QCOMPARE(opened.error(), expected);
        // The pane is unchanged.
        QCOMPARE(pane.source(), u"example:pomodoro"_s);
        compareBundles(pane.bundle(), before);
        QCOMPARE(changed.count(), 0);
    }
};

QTEST_MAIN(TestAppPane)
#include "tst_apppane.moc"
