#include "codeeditor.h"

#include <QFontDatabase>
#include <QPainter>
#include <QTextBlock>

#include <cmath>

using namespace Qt::StringLiterals;

namespace {

constexpr int kTabWidthInSpaces = 4;
// Line numbers use at least this many digits, so the text does not shift when line 10 is typed.
constexpr int kMinGutterDigits = 2;

// A colour between `from` (t = 0) and `to` (t = 1): tints that keep working whatever the theme's colours.
QColor mix(const QColor &from, const QColor &to, qreal t)
{
    return QColor::fromRgbF(float(from.redF() + (to.redF() - from.redF()) * t),
                            float(from.greenF() + (to.greenF() - from.greenF()) * t),
                            float(from.blueF() + (to.blueF() - from.blueF()) * t));
}

} // namespace

// The line-number strip left of the text; it only forwards painting to the editor, which knows the layout.
class CodeEditor::Gutter final : public QWidget
{
public:
    explicit Gutter(CodeEditor *editor)
        : QWidget(editor)
        , m_editor(editor)
    {}

    QSize sizeHint() const override { return {m_editor->gutterWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override { m_editor->paintGutter(event); }

private:
    CodeEditor *m_editor;
};

CodeEditor::CodeEditor(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_gutter(new Gutter(this))
{
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    applyFontMetrics();

    connect(this, &QPlainTextEdit::blockCountChanged, this, &CodeEditor::updateGutterWidth);
    connect(this, &QPlainTextEdit::updateRequest, this, &CodeEditor::updateGutter);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, [this] {
        highlightCurrentLine();
        m_gutter->update(); // the current line's number is drawn stronger
    });
    highlightCurrentLine();
}

CodeEditor::~CodeEditor() = default;

void CodeEditor::setLanguage(SyntaxHighlighter::Language language)
{
    if (m_highlighter && m_highlighter->language() == language)
        return;
    delete m_highlighter; // takes its formats off the document
    if (language == SyntaxHighlighter::Language::PlainText)
        return;
    m_highlighter = new SyntaxHighlighter(language, document());
    m_highlighter->setPalette(palette());
}

int CodeEditor::gutterWidth() const
{
    int digits = 1;
    for (int lines = std::max(1, blockCount()); lines >= 10; lines /= 10)
        ++digits;
    digits = std::max(digits, kMinGutterDigits);
    const QFontMetricsF metrics(font());
    const qreal padding = metrics.horizontalAdvance(u' ');
    return int(std::ceil(metrics.horizontalAdvance(u'9') * digits + 2 * padding));
}

void CodeEditor::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect area = contentsRect();
    m_gutter->setGeometry(QRect(area.left(), area.top(), gutterWidth(), area.height()));
}

void CodeEditor::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    switch (event->type()) {
    case QEvent::FontChange:
        applyFontMetrics();
        break;
    case QEvent::PaletteChange:
    case QEvent::StyleChange:
        if (m_highlighter)
            m_highlighter->setPalette(palette());
        highlightCurrentLine();
        m_gutter->update();
        break;
    default:
        break;
    }
}

void CodeEditor::applyFontMetrics()
{
    setTabStopDistance(QFontMetricsF(font()).horizontalAdvance(u' ') * kTabWidthInSpaces);
    updateGutterWidth();
}

void CodeEditor::updateGutterWidth()
{
    const int width = gutterWidth();
    setViewportMargins(width, 0, 0, 0);
    const QRect area = contentsRect();
    m_gutter->setGeometry(QRect(area.left(), area.top(), width, area.height()));
}

void CodeEditor::updateGutter(const QRect &rect, int dy)
{
    if (dy != 0)
        m_gutter->scroll(0, dy);
    else
        m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
    if (rect.contains(viewport()->rect()))
        updateGutterWidth();
}

void CodeEditor::highlightCurrentLine()
{
    const QPalette colours = palette();
    QTextEdit::ExtraSelection line;
    // A faint wash of the selection colour: visible on light and dark bases, never mistaken for a selection.
    line.format.setBackground(mix(colours.color(QPalette::Base), colours.color(QPalette::Highlight), 0.12));
    line.format.setProperty(QTextFormat::FullWidthSelection, true);
    line.cursor = textCursor();
    line.cursor.clearSelection();
    setExtraSelections({line});
}

void CodeEditor::paintGutter(QPaintEvent *event)
{
    const QPalette colours = palette();
    const QColor base = colours.color(QPalette::Base);
    const QColor text = colours.color(QPalette::Text);
    QPainter painter(m_gutter);
    painter.fillRect(event->rect(), mix(base, text, 0.05));

    const QColor dimmed = mix(base, text, 0.45);
    const int current = textCursor().blockNumber();
    const int right = m_gutter->width() - int(QFontMetricsF(font()).horizontalAdvance(u' '));
    const qreal lineHeight = QFontMetricsF(font()).height();

    QTextBlock block = firstVisibleBlock();
    int number = block.blockNumber();
    qreal top = blockBoundingGeometry(block).translated(contentOffset()).top();
    qreal bottom = top + blockBoundingRect(block).height();
    while (block.isValid() && top <= event->rect().bottom()) {
        if (block.isVisible() && bottom >= event->rect().top()) {
            painter.setPen(number == current ? text : dimmed);
            painter.drawText(QRectF(0, top, right, lineHeight), Qt::AlignRight | Qt::AlignVCenter,
                             QString::number(number + 1));
        }
        block = block.next();
        top = bottom;
        bottom = top + blockBoundingRect(block).height();
        ++number;
    }
}
