#pragma once

#include <QObject>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

#include <array>

class QPalette;

// Colours the languages a generated app is written in: HTML (with inline <script> and <style>), CSS,
// JavaScript, Python and JSON. A hand-written scanner per language rather than a list of regular expressions:
// one pass per line, so a `//` inside a string is not a comment, and a 5,000-line file highlights in a few
// tens of milliseconds. Constructs that span lines (block comments, template literals, triple-quoted strings,
// HTML comments and tags) carry over in the block state.
class SyntaxHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    enum class Language { PlainText, Html, Css, JavaScript, Python, Json };
    Q_ENUM(Language)

    // What a coloured range is. Every format carries its token as QTextFormat::UserProperty (tests and
    // tooling read it back from the layout).
    enum class Token { Keyword, Builtin, String, Comment, Number, Tag, Attribute, Property, Count };
    Q_ENUM(Token)
    static constexpr int kTokenProperty = QTextFormat::UserProperty;

    SyntaxHighlighter(Language language, QTextDocument *document);

    static Language languageFor(const QString &fileName);
    // Dark palettes get the dark colour set; decided by the window colour's lightness.
    static bool isDark(const QPalette &palette);

    Language language() const { return m_language; }
    bool darkColours() const { return m_dark; }
    QTextCharFormat tokenFormat(Token token) const { return m_formats.at(std::size_t(token)); }

    // Switches colour sets when the palette changes between light and dark; rehighlights only then.
    void setPalette(const QPalette &palette);

protected:
    void highlightBlock(const QString &text) override;

private:
    friend class HighlightScanner;
    void applyColours(bool dark);

    Language m_language;
    bool m_dark = false;
    std::array<QTextCharFormat, std::size_t(Token::Count)> m_formats;
};
