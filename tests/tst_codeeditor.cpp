// The code editor: line-number gutter, tab width, font, wrapping, current-line highlight, palette changes.
#include "codeeditor.h"

#include <QFontDatabase>
#include <QFontInfo>
#include <QImage>
#include <QSet>
#include <QTest>
#include <QTextBlock>

using namespace Qt::StringLiterals;

namespace {

QString lines(int count)
{
    QStringList list;
    for (int i = 1; i <= count; ++i)
        list << u"line %1"_s.arg(i);
    return list.join(u'\n');
}

// Where the text area starts: right of the gutter.
int textLeft(CodeEditor &editor)
{
    return editor.viewport()->geometry().left() - editor.contentsRect().left();
}

QPalette darkPalette()
{
    QPalette palette;
    palette.setColor(QPalette::Window, QColor(0x202124));
    palette.setColor(QPalette::Base, QColor(0x1e1e1e));
    palette.setColor(QPalette::Text, QColor(0xe0e0e0));
    palette.setColor(QPalette::WindowText, QColor(0xe0e0e0));
    palette.setColor(QPalette::Highlight, QColor(0x2f65ca));
    return palette;
}

QPalette lightPalette()
{
    QPalette palette;
    palette.setColor(QPalette::Window, QColor(0xefefef));
    palette.setColor(QPalette::Base, Qt::white);
    palette.setColor(QPalette::Text, Qt::black);
    palette.setColor(QPalette::WindowText, Qt::black);
    palette.setColor(QPalette::Highlight, QColor(0x308cc6));
    return palette;
}

} // namespace

class TestCodeEditor : public QObject
{
    Q_OBJECT

private slots:
    void gutterWidthFollowsLineCount()
    {
        CodeEditor editor;
        editor.setPlainText(lines(1));
        const int one = editor.gutterWidth();
        QVERIFY(one > 0);
        QCOMPARE(textLeft(editor), one);

        editor.setPlainText(lines(99)); // two digits: the minimum, so no jump at line 10
        QCOMPARE(editor.gutterWidth(), one);
        editor.setPlainText(lines(100));
        const int three = editor.gutterWidth();
        QVERIFY2(three > one, qPrintable(u"%1 vs %2"_s.arg(three).arg(one)));
        editor.setPlainText(lines(10000));
        const int five = editor.gutterWidth();
        QVERIFY(five > three);
        QCOMPARE(textLeft(editor), five);
        // One more digit costs about one digit's width.
        const qreal digit = QFontMetricsF(editor.font()).horizontalAdvance(u'9');
        QVERIFY(qAbs((five - three) - 2 * digit) <= 2);

        // Typing lines grows it too, and deleting them shrinks it back.
        editor.setPlainText(lines(99));
        QTextCursor cursor(editor.document());
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(u"\nline 100"_s);
        QCOMPARE(editor.gutterWidth(), three);
        QCOMPARE(textLeft(editor), three);
        cursor.deletePreviousChar();
        cursor.movePosition(QTextCursor::StartOfBlock, QTextCursor::KeepAnchor);
        cursor.movePosition(QTextCursor::PreviousCharacter, QTextCursor::KeepAnchor);
        cursor.removeSelectedText();
        QCOMPARE(editor.blockCount(), 99);
        QCOMPARE(textLeft(editor), one);
    }

    void tabStopIsFourSpaces()
    {
        CodeEditor editor;
        const qreal space = QFontMetricsF(editor.font()).horizontalAdvance(u' ');
        QCOMPARE(editor.tabStopDistance(), 4 * space);

        QFont bigger = editor.font();
        bigger.setPointSizeF(bigger.pointSizeF() * 2);
        editor.setFont(bigger);
        const qreal biggerSpace = QFontMetricsF(editor.font()).horizontalAdvance(u' ');
        QVERIFY(biggerSpace > space);
        QCOMPARE(editor.tabStopDistance(), 4 * biggerSpace);

        // Laid out: the text after a tab starts where it would after four spaces.
        editor.resize(400, 200);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setPlainText(u"\tx\n    x"_s);
        QTextCursor afterTab(editor.document());
        afterTab.setPosition(1);
        QTextCursor afterSpaces(editor.document()->findBlockByNumber(1));
        afterSpaces.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, 4);
        QCOMPARE(editor.cursorRect(afterTab).x(), editor.cursorRect(afterSpaces).x());
    }

    void monospaceNoWrap()
    {
        CodeEditor editor;
        QCOMPARE(editor.font().family(), QFontDatabase::systemFont(QFontDatabase::FixedFont).family());
        QVERIFY(QFontInfo(editor.font()).fixedPitch());
        QCOMPARE(editor.lineWrapMode(), QPlainTextEdit::NoWrap);
        QFontMetricsF metrics(editor.font());
        QCOMPARE(metrics.horizontalAdvance(u'i'), metrics.horizontalAdvance(u'W'));
    }

    void currentLineHighlight_data()
    {
        QTest::addColumn<QPalette>("palette");
        QTest::newRow("light") << lightPalette();
        QTest::newRow("dark") << darkPalette();
    }
    void currentLineHighlight()
    {
        QFETCH(QPalette, palette);
        CodeEditor editor;
        editor.setPalette(palette);
        editor.setPlainText(lines(5));
        QTextCursor cursor = editor.textCursor();
        cursor.movePosition(QTextCursor::Start);
        cursor.movePosition(QTextCursor::Down, QTextCursor::MoveAnchor, 2);
        editor.setTextCursor(cursor);

        const auto selections = editor.extraSelections();
        QCOMPARE(selections.size(), 1);
        QCOMPARE(selections.first().cursor.blockNumber(), 2);
        QVERIFY(selections.first().format.property(QTextFormat::FullWidthSelection).toBool());
        QVERIFY(!selections.first().cursor.hasSelection());
        // A tint of the palette's own colours: close to the base, but not the base.
        const QColor line = selections.first().format.background().color();
        const QColor base = palette.color(QPalette::Base);
        QVERIFY(line != base);
        QVERIFY(qAbs(line.lightness() - base.lightness()) < 60);

        // Changing the palette recolours it.
        editor.setPalette(palette == darkPalette() ? lightPalette() : darkPalette());
        const QColor recoloured = editor.extraSelections().first().format.background().color();
        QVERIFY(recoloured != line);
    }

    void highlighterFollowsPalette()
    {
        CodeEditor editor;
        editor.setPalette(lightPalette());
        editor.setLanguage(SyntaxHighlighter::Language::Python);
        QVERIFY(editor.highlighter());
        QCOMPARE(editor.highlighter()->language(), SyntaxHighlighter::Language::Python);
        QVERIFY(!editor.highlighter()->darkColours());
        editor.setPalette(darkPalette());
        QVERIFY(editor.highlighter()->darkColours());

        editor.setLanguage(SyntaxHighlighter::Language::PlainText);
        QVERIFY(!editor.highlighter());
    }

    void gutterPaintsNumbers_data() { currentLineHighlight_data(); }
    void gutterPaintsNumbers()
    {
        QFETCH(QPalette, palette);
        CodeEditor editor;
        editor.setPalette(palette);
        editor.resize(300, 200);
        editor.setPlainText(lines(3));
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        const QImage image = editor.grab().toImage();
        // The gutter's strip: its own background plus the glyphs of the numbers.
        const QRect gutter = QRect(editor.contentsRect().topLeft(), QSize(editor.gutterWidth(), 40));
        QSet<QRgb> colours;
        for (int y = gutter.top(); y <= gutter.bottom(); ++y) {
            for (int x = gutter.left(); x <= gutter.right(); ++x)
                colours.insert(image.pixel(x, y));
        }
        QVERIFY2(colours.size() > 2, qPrintable(u"%1 colours"_s.arg(colours.size())));
        const QColor background = image.pixelColor(gutter.left() + 1, gutter.bottom());
        QVERIFY(background != palette.color(QPalette::Base)); // set apart from the text
        QVERIFY(qAbs(background.lightness() - palette.color(QPalette::Base).lightness()) < 40);
    }
};

QTEST_MAIN(TestCodeEditor)
#include "tst_codeeditor.moc"
