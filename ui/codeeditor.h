#pragma once

#include "syntaxhighlighter.h"

#include <QPlainTextEdit>
#include <QPointer>

// A plain-text code editor: line numbers in a gutter, the current line highlighted, the system's monospace
// font, tabs four spaces wide, no wrapping. Colours are derived from the palette, so light and dark themes
// both read well, and follow it when it changes.
class CodeEditor final : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit CodeEditor(QWidget *parent = nullptr);
    ~CodeEditor() override;

    // Colours the text as `language` (PlainText: no colouring). The highlighter belongs to the document.
    void setLanguage(SyntaxHighlighter::Language language);
    SyntaxHighlighter *highlighter() const { return m_highlighter; }

    // The width the line numbers take for the current number of lines.
    int gutterWidth() const;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    class Gutter;

    void paintGutter(QPaintEvent *event);
    void updateGutterWidth();
    void updateGutter(const QRect &rect, int dy);
    void highlightCurrentLine();
    void applyFontMetrics();

    Gutter *m_gutter = nullptr;
    QPointer<SyntaxHighlighter> m_highlighter;
};
