// Syntax highlighting: languages by file name, the token each character gets, constructs that span lines,
// the light and dark colour sets, and the cost on a large file.
#include "codeeditor.h"
#include "syntaxhighlighter.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QMetaEnum>
#include <QPalette>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>

using namespace Qt::StringLiterals;
using Language = SyntaxHighlighter::Language;
using Token = SyntaxHighlighter::Token;

namespace {

constexpr int kNone = -1;

// Snippets are ordinary literals, not raw strings: moc skips function bodies with a lexer that does not know
// raw strings, and a `//` inside one made it miss the test class.
QString utf8(const char *text)
{
    return QString::fromUtf8(text);
}

// The token the highlighter gave the character at `position`, or kNone.
int tokenAt(QTextDocument &doc, int position)
{
    const QTextBlock block = doc.findBlock(position);
    const int inBlock = position - block.position();
    const auto ranges = block.layout()->formats();
    for (const QTextLayout::FormatRange &range : ranges) {
        if (inBlock >= range.start && inBlock < range.start + range.length) {
            const QVariant token = range.format.property(SyntaxHighlighter::kTokenProperty);
            return token.isValid() ? token.toInt() : kNone;
        }
    }
    return kNone;
}

QString tokenName(int token)
{
    if (token == kNone)
        return u"None"_s;
    return QString::fromLatin1(QMetaEnum::fromType<Token>().valueToKey(token));
}

int tokenFromName(const QString &name)
{
    if (name == u"None")
        return kNone;
    bool ok = false;
    const int value = QMetaEnum::fromType<Token>().keyToValue(name.toLatin1().constData(), &ok);
    Q_ASSERT(ok);
    return value;
}

// Each expectation is "needle=Token": every character of the needle's first occurrence has that token.
void checkTokens(QTextDocument &doc, const QStringList &expectations)
{
    const QString text = doc.toPlainText();
    for (const QString &expectation : expectations) {
        const qsizetype split = expectation.lastIndexOf(u'=');
        const QString needle = expectation.left(split);
        const int expected = tokenFromName(expectation.mid(split + 1));
        const qsizetype at = text.indexOf(needle);
        QVERIFY2(at >= 0, qPrintable(u"not in the snippet: "_s + needle));
        for (qsizetype i = at; i < at + needle.size(); ++i) {
            if (text.at(i) == u'\n')
                continue;
            const int actual = tokenAt(doc, int(i));
            QVERIFY2(actual == expected, qPrintable(u"%1: character %2 ('%3') is %4, expected %5"_s.arg(
                                             needle, QString::number(i - at), text.at(i), tokenName(actual),
                                             tokenName(expected))));
        }
    }
}

QPalette paletteWithWindow(const QColor &window, const QColor &text)
{
    QPalette palette;
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::Base, window);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::WindowText, text);
    return palette;
}

// WCAG 2 contrast ratio.
double contrast(const QColor &a, const QColor &b)
{
    auto luminance = [](const QColor &c) {
        auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QString largeJavaScript(int lines)
{
    const QString chunk =
        utf8("// A timer that counts down and rings.\n"
             "const state = { remaining: 25 * 60, running: false, label: \"Focus\" };\n"
             "function tick(now) {\n"
             "    /* once a second */ if (!state.running) return;\n"
             "    state.remaining = Math.max(0, state.remaining - 1);\n"
             "    document.getElementById('time').textContent = `${Math.floor(state.remaining / "
             "60)}:${state.remaining % 60}`;\n"
             "    if (state.remaining === 0) { new Audio(\"ring.mp3\").play(); state.running = false; }\n"
             "}\n"
             "setInterval(() => tick(Date.now()), 1000);\n"
             "export default { state, tick, version: 0x1f, ratio: 1.5e-3 };\n");
    QString text;
    const int chunkLines = int(chunk.count(u'\n'));
    for (int i = 0; i < lines / chunkLines; ++i)
        text += chunk;
    return text;
}

} // namespace

class TestSyntaxHighlighter : public QObject
{
    Q_OBJECT

private slots:
    void languageFor_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<Language>("language");
        QTest::newRow("html") << u"index.html"_s << Language::Html;
        QTest::newRow("htm upper") << u"PAGE.HTM"_s << Language::Html;
        QTest::newRow("css in folder") << u"static/style.css"_s << Language::Css;
        QTest::newRow("js") << u"app.js"_s << Language::JavaScript;
        QTest::newRow("mjs") << u"lib/util.mjs"_s << Language::JavaScript;
        QTest::newRow("cjs") << u"server.cjs"_s << Language::JavaScript;
        QTest::newRow("py") << u"app.py"_s << Language::Python;
        QTest::newRow("json") << u"package.json"_s << Language::Json;
        QTest::newRow("txt") << u"requirements.txt"_s << Language::PlainText;
        QTest::newRow("markdown") << u"README.md"_s << Language::PlainText;
        QTest::newRow("no suffix") << u"Procfile"_s << Language::PlainText;
        QTest::newRow("dot file") << u".env"_s << Language::PlainText;
        QTest::newRow("html in name only") << u"html"_s << Language::PlainText;
        QTest::newRow("json.bak") << u"data.json.bak"_s << Language::PlainText;
    }
    void languageFor()
    {
        QFETCH(QString, fileName);
        QFETCH(Language, language);
        QCOMPARE(SyntaxHighlighter::languageFor(fileName), language);
    }

    void tokens_data()
    {
        QTest::addColumn<Language>("language");
        QTest::addColumn<QString>("snippet");
        QTest::addColumn<QStringList>("expectations");

        QTest::newRow("javascript") << Language::JavaScript
                                    << utf8("function greet(name) { // say hi\n"
                                            "  const s = 'it\\'s // not a comment';\n"
                                            "  return `hello ${name}` + 42 + 0x1F + 3.5e-2 + \"two\";\n"
                                            "}\n"
                                            "/* block */ let x = null; console.log(x);\n")
                                    << QStringList{u"function=Keyword"_s,
                                                   u"greet=None"_s,
                                                   u"// say hi=Comment"_s,
                                                   u"const=Keyword"_s,
                                                   utf8("'it\\'s // not a comment'=String"),
                                                   u"return=Keyword"_s,
                                                   u"`hello ${name}`=String"_s,
                                                   u"42=Number"_s,
                                                   u"0x1F=Number"_s,
                                                   u"3.5e-2=Number"_s,
                                                   u"\"two\"=String"_s,
                                                   u"/* block */=Comment"_s,
                                                   u"let=Keyword"_s,
                                                   u"null=Builtin"_s,
                                                   u"console=Builtin"_s,
                                                   u"log=None"_s};

        QTest::newRow("python") << Language::Python
                                << utf8("import json  # stdlib only\n"
                                        "def serve(self, path):\n"
                                        "    if path == \"/api\" and not False:\n"
                                        "        return f'{path!r}', 200, b\"\\x00#x\", r'\\d'\n"
                                        "    print(len(path), 1_000, .5)\n"
                                        "@app.route\n"
                                        "class Store: pass\n")
                                << QStringList{u"import=Keyword"_s,
                                               u"json=None"_s,
                                               u"# stdlib only=Comment"_s,
                                               u"def=Keyword"_s,
                                               u"serve=None"_s,
                                               u"self=Builtin"_s,
                                               u"\"/api\"=String"_s,
                                               u"and=Keyword"_s,
                                               u"not=Keyword"_s,
                                               u"False=Keyword"_s,
                                               u"f'{path!r}'=String"_s,
                                               u"200=Number"_s,
                                               utf8("b\"\\x00#x\"=String"),
                                               utf8("r'\\d'=String"),
                                               u"print=Builtin"_s,
                                               u"len=Builtin"_s,
                                               u"1_000=Number"_s,
                                               u".5=Number"_s,
                                               u"@app.route=Builtin"_s,
                                               u"class=Keyword"_s,
                                               u"Store=None"_s,
                                               u"pass=Keyword"_s};

        QTest::newRow("html") << Language::Html
                              << utf8("<!doctype html>\n"
                                      "<a href=\"x.html\" class=nav data-id='7'>Home &amp; away</a>\n"
                                      "<!-- note -->\n"
                                      "<script>const n = 1; // js here\n"
                                      "</script>\n"
                                      "<style>body { color: #fff; }</style>\n"
                                      "<p>return</p>\n")
                              << QStringList{u"<!doctype=Tag"_s,
                                             u"<a=Tag"_s,
                                             u"href=Attribute"_s,
                                             u"\"x.html\"=String"_s,
                                             u"nav=String"_s,
                                             u"data-id=Attribute"_s,
                                             u"'7'=String"_s,
                                             u"Home=None"_s,
                                             u"&amp;=Builtin"_s,
                                             u"</a>=Tag"_s,
                                             u"<!-- note -->=Comment"_s,
                                             u"<script>=Tag"_s,
                                             u"const=Keyword"_s,
                                             u"1=Number"_s,
                                             u"// js here=Comment"_s,
                                             u"</script>=Tag"_s,
                                             u"body=Tag"_s,
                                             u"color=Property"_s,
                                             u"#fff=Number"_s,
                                             u"</style>=Tag"_s,
                                             u"return=None"_s}; // markup text, not JavaScript

        QTest::newRow("css")
            << Language::Css
            << utf8("/* theme */\n"
                    "main .card:hover, #top { margin: 0 auto; }\n"
                    "@media (max-width: 600px) {\n"
                    "  body.dark > a { color: #1e1e1e !important; font-family: \"Fira Code\"; }\n"
                    "}\n")
            << QStringList{u"/* theme */=Comment"_s,
                           u"main=Tag"_s,
                           u".card=Attribute"_s,
                           u":hover=Builtin"_s,
                           u"#top=Attribute"_s,
                           u"margin=Property"_s,
                           u"0=Number"_s,
                           u"auto=None"_s,
                           u"@media=Keyword"_s,
                           u"max-width=Property"_s,
                           u"600px=Number"_s,
                           u"color=Property"_s,
                           u"#1e1e1e=Number"_s,
                           u"!important=Keyword"_s,
                           u"font-family=Property"_s,
                           u"\"Fira Code\"=String"_s};

        QTest::newRow("json") << Language::Json
                              << utf8("{\"name\": \"pomodoro\", \"port\": 8000, \"debug\": false,\n"
                                      " \"ratio\": -1.5, \"tags\": [null, \"a:b\", true]}\n")
                              << QStringList{u"\"name\"=Property"_s, u"\"pomodoro\"=String"_s,
                                             u"8000=Number"_s,       u"false=Keyword"_s,
                                             u"-1.5=Number"_s,       u"null=Keyword"_s,
                                             u"\"a:b\"=String"_s,    u"true=Keyword"_s};

        QTest::newRow("plain text") << Language::PlainText << u"function x() { return 1; } // no"_s
                                    << QStringList{u"function=None"_s, u"1=None"_s, u"// no=None"_s};
    }
    void tokens()
    {
        QFETCH(Language, language);
        QFETCH(QString, snippet);
        QFETCH(QStringList, expectations);
        QTextDocument doc;
        doc.setPlainText(snippet);
        SyntaxHighlighter highlighter(language, &doc);
        highlighter.rehighlight();
        checkTokens(doc, expectations);
    }

    void multiLine_data()
    {
        QTest::addColumn<Language>("language");
        QTest::addColumn<QString>("snippet");
        QTest::addColumn<QStringList>("expectations");

        QTest::newRow("js block comment")
            << Language::JavaScript << u"a();\n/* one\nreturn two;\nthree */ if (ok) x = 1;\nlet"_s
            << QStringList{u"/* one=Comment"_s,   u"return two;=Comment"_s,
                           u"three */=Comment"_s, u"if=Keyword"_s,
                           u"1=Number"_s,         u"let=Keyword"_s};
        QTest::newRow("js template literal")
            << Language::JavaScript << u"let s = `line1\nline2 // not a comment\n` + x; // real"_s
            << QStringList{u"`line1=String"_s, u"line2 // not a comment=String"_s, u" + x=None"_s,
                           u"// real=Comment"_s};
        QTest::newRow("python triple single")
            << Language::Python << u"s = '''first\n# not a comment\n''' # real\nx = 1"_s
            << QStringList{u"'''first=String"_s, u"# not a comment=String"_s, u"# real=Comment"_s,
                           u"1=Number"_s};
        QTest::newRow("python triple double")
            << Language::Python << u"\"\"\"doc\nstill 'quoted' doc\nend\"\"\"\nreturn"_s
            << QStringList{u"still 'quoted' doc=String"_s, u"end\"\"\"=String"_s, u"return=Keyword"_s};
        QTest::newRow("html comment")
            << Language::Html << u"<!-- a\n<b>not a tag</b>\n-->\n<p>"_s
            << QStringList{u"<b>not a tag</b>=Comment"_s, u"-->=Comment"_s, u"<p>=Tag"_s};
        QTest::newRow("html tag over lines")
            << Language::Html << u"<button\n  class=\"x\"\n  disabled>go</button>"_s
            << QStringList{u"class=Attribute"_s, u"\"x\"=String"_s, u"disabled=Attribute"_s, u"go=None"_s,
                           u"</button>=Tag"_s};
        QTest::newRow("html script over lines")
            << Language::Html
            << u"<script\n  type=\"module\">\nlet a = 1; /* x\ny */ var b;\n</script>\n<p>"_s
            << QStringList{u"type=Attribute"_s, u"let=Keyword"_s,   u"y */=Comment"_s,
                           u"var=Keyword"_s,    u"</script>=Tag"_s, u"<p>=Tag"_s};
        QTest::newRow("html style over lines")
            << Language::Html << u"<style>\nbody {\n  color: red;\n}\n</style>\ncolor: x"_s
            << QStringList{u"body=Tag"_s, u"color=Property"_s, u"</style>=Tag"_s};
        QTest::newRow("css comment") << Language::Css << u"a {\n/* x\ny */ color: red; }\nb { }"_s
                                     << QStringList{u"y */=Comment"_s, u"color=Property"_s, u"b=Tag"_s};
    }
    void multiLine() { tokens(); }

    void stateFollowsEdits()
    {
        // In an editor: a bare QTextDocument without a layout does not report changes to its highlighter.
        CodeEditor editor;
        editor.setPlainText(u"a();\nreturn 1;\n"_s);
        editor.setLanguage(Language::JavaScript);
        QTextDocument &doc = *editor.document();
        // The first pass runs from the event loop; later ones follow each change at once.
        QCoreApplication::processEvents();
        const int returnAt = int(doc.toPlainText().indexOf(u"return"));
        QCOMPARE(tokenAt(doc, returnAt), int(Token::Keyword));

        QTextCursor cursor(&doc);
        cursor.insertText(u"/*"_s); // opens a comment that now runs to the end
        QCOMPARE(tokenAt(doc, returnAt + 2), int(Token::Comment));
        cursor.movePosition(QTextCursor::Start);
        cursor.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor, 2);
        cursor.removeSelectedText();
        QCOMPARE(tokenAt(doc, returnAt), int(Token::Keyword));
    }

    void lightAndDarkColours()
    {
        const QPalette light = paletteWithWindow(QColor(0xf5f5f5), Qt::black);
        const QPalette dark = paletteWithWindow(QColor(0x1e1e1e), QColor(0xdddddd));
        QVERIFY(!SyntaxHighlighter::isDark(light));
        QVERIFY(SyntaxHighlighter::isDark(dark));

        QTextDocument doc;
        SyntaxHighlighter highlighter(Language::JavaScript, &doc);
        for (const QPalette &palette : {light, dark}) {
            highlighter.setPalette(palette);
            const bool isDark = SyntaxHighlighter::isDark(palette);
            QCOMPARE(highlighter.darkColours(), isDark);
            // Readable on the background each set is meant for (WCAG AA for normal text).
            const QColor background = isDark ? QColor(0x1e1e1e) : QColor(Qt::white);
            for (int t = 0; t < int(Token::Count); ++t) {
                const QColor colour = highlighter.tokenFormat(Token(t)).foreground().color();
                QVERIFY2(contrast(colour, background) >= 4.5,
                         qPrintable(u"%1 in the %2 set: contrast %3"_s
                                        .arg(tokenName(t), isDark ? u"dark"_s : u"light"_s)
                                        .arg(contrast(colour, background), 0, 'f', 2)));
            }
        }
    }

    void largeFile()
    {
        const QString text = largeJavaScript(5000);
        QCOMPARE(text.count(u'\n'), 5000);
        QTextDocument doc;
        doc.setPlainText(text);
        SyntaxHighlighter highlighter(Language::JavaScript, &doc);
        QElapsedTimer timer;
        timer.start();
        highlighter.rehighlight();
        const qint64 ms = timer.elapsed();
        qInfo("highlighting 5,000 lines of JavaScript (%lld KB): %lld ms", qint64(text.size() / 1024), ms);
        // Really highlighted, to the last line.
        const int lastExport = int(text.lastIndexOf(u"export"));
        QCOMPARE(tokenAt(doc, lastExport), int(Token::Keyword));
        QCOMPARE(tokenAt(doc, int(text.lastIndexOf(u"once a second"))), int(Token::Comment));
        QVERIFY2(ms < 500, qPrintable(u"took %1 ms"_s.arg(ms)));

        // The same file opened in the editor: load, layout and highlighting together (printed, not asserted).
        CodeEditor editor;
        editor.setLanguage(Language::JavaScript);
        timer.restart();
        editor.setPlainText(text);
        qInfo("opening it in a CodeEditor with highlighting: %lld ms", timer.elapsed());
    }
};

QTEST_MAIN(TestSyntaxHighlighter)
#include "tst_syntaxhighlighter.moc"
