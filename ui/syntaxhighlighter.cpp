#include "syntaxhighlighter.h"

#include <QFileInfo>
#include <QGuiApplication>
#include <QPalette>
#include <QStringView>

#include <algorithm>
#include <initializer_list>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

using Token = SyntaxHighlighter::Token;

// What is still open at the end of a line. The packed int is QSyntaxHighlighter's block state.
enum Inner { Normal = 0, BlockComment, TemplateString, TripleSingle, TripleDouble, HtmlComment, HtmlTag };
// Inside an HTML page: plain markup, or the body of a <script> or <style> element (with `inner` then being
// the JavaScript or CSS state). While inner == HtmlTag, a non-markup embed means "the open tag being read is
// <script ...> / <style ...>", so its body starts after the `>`, which may be lines away.
enum Embed { Markup = 0, Script, Style };

struct State
{
    int inner = Normal;
    int embed = Markup;
    int cssDepth = 0; // braces open in CSS, so `color:` inside a rule is a property and `a:hover` is not

    static State unpack(int packed)
    {
        if (packed < 0) // the first block, or a block never highlighted
            return {};
        return {packed & 0xf, (packed >> 4) & 0x3, (packed >> 6) & 0x7};
    }
    int pack() const { return inner | (embed << 4) | (std::clamp(cssDepth, 0, 7) << 6); }
};

using Words = std::vector<QStringView>;

// Word lists are binary-searched without building a QString per identifier.
Words sortedWords(std::initializer_list<QStringView> words)
{
    Words sorted(words);
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

bool contains(const Words &words, QStringView word)
{
    return std::binary_search(words.begin(), words.end(), word);
}

const Words &jsKeywords()
{
    static const Words words = sortedWords(
        {u"async",    u"await",    u"break",  u"case",   u"catch",  u"class",      u"const",   u"continue",
         u"debugger", u"default",  u"delete", u"do",     u"else",   u"export",     u"extends", u"finally",
         u"for",      u"function", u"if",     u"import", u"in",     u"instanceof", u"let",     u"new",
         u"of",       u"return",   u"static", u"super",  u"switch", u"this",       u"throw",   u"try",
         u"typeof",   u"var",      u"void",   u"while",  u"with",   u"yield"});
    return words;
}

const Words &jsBuiltins()
{
    static const Words words = sortedWords(
        {u"Array",        u"Boolean",     u"Date",       u"Error",      u"Infinity",      u"JSON",
         u"Map",          u"Math",        u"NaN",        u"Number",     u"Object",        u"Promise",
         u"RegExp",       u"Set",         u"String",     u"Symbol",     u"clearInterval", u"clearTimeout",
         u"console",      u"document",    u"exports",    u"false",      u"fetch",         u"globalThis",
         u"localStorage", u"module",      u"null",       u"parseFloat", u"parseInt",      u"process",
         u"require",      u"setInterval", u"setTimeout", u"true",       u"undefined",     u"window"});
    return words;
}

const Words &jsonKeywords()
{
    static const Words words = sortedWords({u"false", u"null", u"true"});
    return words;
}

const Words &pythonKeywords()
{
    static const Words words = sortedWords(
        {u"False", u"None",     u"True",  u"and",    u"as",   u"assert", u"async",  u"await",    u"break",
         u"class", u"continue", u"def",   u"del",    u"elif", u"else",   u"except", u"finally",  u"for",
         u"from",  u"global",   u"if",    u"import", u"in",   u"is",     u"lambda", u"nonlocal", u"not",
         u"or",    u"pass",     u"raise", u"return", u"try",  u"while",  u"with",   u"yield"});
    return words;
}

const Words &pythonBuiltins()
{
    static const Words words = sortedWords(
        {u"Exception", u"KeyError",   u"OSError", u"TypeError", u"ValueError", u"__file__", u"__init__",
         u"__name__",  u"abs",        u"all",     u"any",       u"bool",       u"bytes",    u"cls",
         u"dict",      u"enumerate",  u"filter",  u"float",     u"format",     u"getattr",  u"hasattr",
         u"int",       u"isinstance", u"iter",    u"len",       u"list",       u"map",      u"max",
         u"min",       u"next",       u"object",  u"open",      u"print",      u"range",    u"repr",
         u"round",     u"self",       u"set",     u"setattr",   u"sorted",     u"str",      u"sum",
         u"super",     u"tuple",      u"type",    u"zip"});
    return words;
}

// ASCII fast paths: nearly every character of source code is ASCII.
bool isAsciiLetter(char16_t c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
}
bool isDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}
bool isIdentStart(QChar c)
{
    const char16_t u = c.unicode();
    return isAsciiLetter(u) || u == u'_' || u == u'$' || (u > 127 && c.isLetter());
}
bool isIdentChar(QChar c)
{
    return isIdentStart(c) || isDigit(c);
}
bool isQuote(QChar c)
{
    return c == u'"' || c == u'\'';
}

} // namespace

// One line's worth of scanning. Each scan function colours text[pos, end) and leaves the open construct, if
// any, in the state. A friend of SyntaxHighlighter for setFormat().
class HighlightScanner
{
public:
    HighlightScanner(SyntaxHighlighter &highlighter, const QString &text)
        : m_h(highlighter)
        , m_text(text)
        , m_size(text.size())
    {}

    void run(SyntaxHighlighter::Language language, State &state)
    {
        switch (language) {
        case SyntaxHighlighter::Language::PlainText:
            return;
        case SyntaxHighlighter::Language::Html:
            scanHtml(state);
            return;
        case SyntaxHighlighter::Language::Css:
            scanCss(0, m_size, state);
            return;
        case SyntaxHighlighter::Language::JavaScript:
            scanJs(0, m_size, state, false);
            return;
        case SyntaxHighlighter::Language::Json:
            scanJs(0, m_size, state, true);
            return;
        case SyntaxHighlighter::Language::Python:
            scanPython(state);
            return;
        }
    }

private:
    void mark(qsizetype from, qsizetype to, Token token)
    {
        if (to > from)
            m_h.setFormat(int(from), int(to - from), m_h.m_formats[std::size_t(token)]);
    }
    QChar at(qsizetype i, qsizetype end) const { return i < end ? m_text.at(i) : QChar(); }
    qsizetype identEnd(qsizetype pos, qsizetype end) const
    {
        while (pos < end && isIdentChar(m_text.at(pos)))
            ++pos;
        return pos;
    }
    // 42, 3.14, 0xff, 1e-9, 10n; in CSS also the unit (12px, 1.5em, 50%).
    qsizetype numberEnd(qsizetype pos, qsizetype end) const
    {
        ++pos;
        while (pos < end) {
            const QChar c = m_text.at(pos);
            const QChar prev = m_text.at(pos - 1);
            if (isIdentChar(c) || c == u'.' || c == u'%' ||
                ((c == u'+' || c == u'-') && (prev == u'e' || prev == u'E')))
                ++pos;
            else
                break;
        }
        return pos;
    }
    // The end of a one-line string whose opening quote is before pos: after the closing quote, or the line's
    // end.
    qsizetype stringEnd(qsizetype pos, qsizetype end, QChar quote) const
    {
        for (; pos < end; ++pos) {
            const QChar c = m_text.at(pos);
            if (c == u'\\')
                ++pos;
            else if (c == quote)
                return pos + 1;
        }
        return end;
    }
    // A construct that closes with `closer` (comments, template literals, triple quotes), starting at
    // markFrom and read from pos; stays open in the state when the line ends first.
    qsizetype spanning(qsizetype markFrom, qsizetype pos, qsizetype end, QStringView closer, bool escapes,
                       Token token, State &state)
    {
        const QChar first = closer.front();
        for (; pos < end; ++pos) {
            const QChar c = m_text.at(pos);
            if (escapes && c == u'\\') {
                ++pos;
            } else if (c == first && QStringView(m_text).sliced(pos).startsWith(closer) &&
                       pos + closer.size() <= end) {
                mark(markFrom, pos + closer.size(), token);
                state.inner = Normal;
                return pos + closer.size();
            }
        }
        mark(markFrom, end, token);
        return end;
    }

    void scanJs(qsizetype pos, qsizetype end, State &state, bool json)
    {
        if (state.inner == BlockComment)
            pos = spanning(pos, pos, end, u"*/", false, Token::Comment, state);
        else if (state.inner == TemplateString)
            pos = spanning(pos, pos, end, u"`", true, Token::String, state);
        else
            state.inner = Normal;

        const Words &keywords = json ? jsonKeywords() : jsKeywords();
        while (pos < end) {
            const QChar c = m_text.at(pos);
            const QChar next = at(pos + 1, end);
            if (c == u'/' && next == u'/') {
                mark(pos, end, Token::Comment);
                return;
            }
            if (c == u'/' && next == u'*') {
                state.inner = BlockComment;
                pos = spanning(pos, pos + 2, end, u"*/", false, Token::Comment, state);
            } else if (isQuote(c)) {
                const qsizetype close = stringEnd(pos + 1, end, c);
                mark(pos, close, json && isFollowedByColon(close, end) ? Token::Property : Token::String);
                pos = close;
            } else if (c == u'`' && !json) {
                state.inner = TemplateString;
                pos = spanning(pos, pos + 1, end, u"`", true, Token::String, state);
            } else if (isDigit(c) || (c == u'.' && isDigit(next))) {
                const qsizetype close = numberEnd(pos, end);
                mark(pos, close, Token::Number);
                pos = close;
            } else if (c == u'-' && json && isDigit(next)) {
                const qsizetype close = numberEnd(pos + 1, end);
                mark(pos, close, Token::Number);
                pos = close;
            } else if (isIdentStart(c)) {
                const qsizetype close = identEnd(pos, end);
                const QStringView word = QStringView(m_text).sliced(pos, close - pos);
                if (contains(keywords, word))
                    mark(pos, close, Token::Keyword);
                else if (!json && contains(jsBuiltins(), word))
                    mark(pos, close, Token::Builtin);
                pos = close;
            } else {
                ++pos;
            }
        }
    }

    bool isFollowedByColon(qsizetype pos, qsizetype end) const
    {
        while (pos < end && m_text.at(pos).isSpace())
            ++pos;
        return pos < end && m_text.at(pos) == u':';
    }

    void scanPython(State &state)
    {
        const qsizetype end = m_size;
        qsizetype pos = 0;
        if (state.inner == TripleSingle)
            pos = spanning(0, 0, end, u"'''", true, Token::String, state);
        else if (state.inner == TripleDouble)
            pos = spanning(0, 0, end, u"\"\"\"", true, Token::String, state);
        else
            state.inner = Normal;

        while (pos < end) {
            const QChar c = m_text.at(pos);
            if (c == u'#') {
                mark(pos, end, Token::Comment);
                return;
            }
            if (isQuote(c)) {
                pos = pythonString(pos, pos, end, state);
            } else if (isDigit(c) || (c == u'.' && isDigit(at(pos + 1, end)))) {
                const qsizetype close = numberEnd(pos, end);
                mark(pos, close, Token::Number);
                pos = close;
            } else if (c == u'@' && isIdentStart(at(pos + 1, end))) { // a decorator
                qsizetype close = pos + 1;
                while (close < end && (isIdentChar(m_text.at(close)) || m_text.at(close) == u'.'))
                    ++close;
                mark(pos, close, Token::Builtin);
                pos = close;
            } else if (isIdentStart(c)) {
                const qsizetype close = identEnd(pos, end);
                const QStringView word = QStringView(m_text).sliced(pos, close - pos);
                if (close < end && isQuote(m_text.at(close)) && isStringPrefix(word)) {
                    pos = pythonString(pos, close, end, state); // f"…", rb'…'
                    continue;
                }
                if (contains(pythonKeywords(), word))
                    mark(pos, close, Token::Keyword);
                else if (contains(pythonBuiltins(), word))
                    mark(pos, close, Token::Builtin);
                pos = close;
            } else {
                ++pos;
            }
        }
    }

    static bool isStringPrefix(QStringView word)
    {
        if (word.size() > 2)
            return false;
        for (const QChar c : word) {
            if (!QStringView(u"rRbBfFuU").contains(c))
                return false;
        }
        return true;
    }

    qsizetype pythonString(qsizetype markFrom, qsizetype quotePos, qsizetype end, State &state)
    {
        const QChar quote = m_text.at(quotePos);
        if (at(quotePos + 1, end) == quote && at(quotePos + 2, end) == quote) {
            state.inner = quote == u'\'' ? TripleSingle : TripleDouble;
            return spanning(markFrom, quotePos + 3, end,
                            quote == u'\'' ? QStringView(u"'''") : QStringView(u"\"\"\""), true,
                            Token::String, state);
        }
        const qsizetype close = stringEnd(quotePos + 1, end, quote);
        mark(markFrom, close, Token::String);
        return close;
    }

    static bool isCssIdentStart(QChar c, QChar next)
    {
        return isIdentStart(c) || (c == u'-' && (isIdentStart(next) || next == u'-'));
    }
    qsizetype cssIdentEnd(qsizetype pos, qsizetype end) const
    {
        while (pos < end && (isIdentChar(m_text.at(pos)) || m_text.at(pos) == u'-'))
            ++pos;
        return pos;
    }

    void scanCss(qsizetype pos, qsizetype end, State &state)
    {
        if (state.inner == BlockComment)
            pos = spanning(pos, pos, end, u"*/", false, Token::Comment, state);
        else
            state.inner = Normal;

        int parens = 0; // `(max-width: 600px)` in a media query: a property, though outside braces
        while (pos < end) {
            const QChar c = m_text.at(pos);
            const QChar next = at(pos + 1, end);
            if (c == u'/' && next == u'*') {
                state.inner = BlockComment;
                pos = spanning(pos, pos + 2, end, u"*/", false, Token::Comment, state);
            } else if (isQuote(c)) {
                const qsizetype close = stringEnd(pos + 1, end, c);
                mark(pos, close, Token::String);
                pos = close;
            } else if (c == u'{' || c == u'}') {
                state.cssDepth = std::clamp(state.cssDepth + (c == u'{' ? 1 : -1), 0, 7);
                ++pos;
            } else if (c == u'(' || c == u')') {
                parens = std::max(0, parens + (c == u'(' ? 1 : -1));
                ++pos;
            } else if ((c == u'@' || c == u'!') && isCssIdentStart(next, at(pos + 2, end))) {
                const qsizetype close = cssIdentEnd(pos + 1, end); // @media, !important
                mark(pos, close, Token::Keyword);
                pos = close;
            } else if (isDigit(c) || (c == u'.' && isDigit(next))) {
                const qsizetype close = numberEnd(pos, end);
                mark(pos, close, Token::Number);
                pos = close;
            } else if (state.cssDepth == 0 && parens == 0) {
                pos = cssSelector(pos, end, c, next);
            } else if (c == u'#' && isIdentChar(next)) { // a colour: #1e1e1e
                const qsizetype close = identEnd(pos + 1, end);
                mark(pos, close, Token::Number);
                pos = close;
            } else if (isCssIdentStart(c, next)) {
                const qsizetype close = cssIdentEnd(pos, end);
                if (isFollowedByColon(close, end))
                    mark(pos, close, Token::Property);
                pos = close;
            } else {
                ++pos;
            }
        }
    }

    // Outside rules: element names as tags, .classes and #ids as attributes, :pseudo-classes as builtins.
    qsizetype cssSelector(qsizetype pos, qsizetype end, QChar c, QChar next)
    {
        if ((c == u'.' || c == u'#') && isCssIdentStart(next, at(pos + 2, end))) {
            const qsizetype close = cssIdentEnd(pos + 1, end);
            mark(pos, close, Token::Attribute);
            return close;
        }
        if (c == u':') {
            const qsizetype start = next == u':' ? pos + 2 : pos + 1;
            const qsizetype close = cssIdentEnd(start, end);
            mark(pos, close, Token::Builtin);
            return std::max(close, pos + 1);
        }
        if (isCssIdentStart(c, next)) {
            const qsizetype close = cssIdentEnd(pos, end);
            mark(pos, close, Token::Tag);
            return close;
        }
        return pos + 1;
    }

    void scanHtml(State &state)
    {
        const qsizetype end = m_size;
        qsizetype pos = 0;
        while (pos < end) {
            if (state.inner == HtmlTag) {
                pos = tagBody(pos, end, state);
            } else if (state.embed != Markup) {
                // The body of <script> or <style> ends at its closing tag, even inside a string (as in HTML).
                const bool script = state.embed == Script;
                const qsizetype close = m_text.indexOf(
                    script ? QStringView(u"</script") : QStringView(u"</style"), pos, Qt::CaseInsensitive);
                const qsizetype bodyEnd = close < 0 ? end : close;
                if (script)
                    scanJs(pos, bodyEnd, state, false);
                else
                    scanCss(pos, bodyEnd, state);
                if (close < 0)
                    return;
                state = State{};
                pos = close;
            } else if (state.inner == HtmlComment) {
                pos = spanning(pos, pos, end, u"-->", false, Token::Comment, state);
            } else if (m_text.at(pos) == u'<') {
                pos = tagStart(pos, end, state);
            } else if (m_text.at(pos) == u'&') {
                qsizetype close = pos + 1;
                while (close < end && (isIdentChar(m_text.at(close)) || m_text.at(close) == u'#'))
                    ++close;
                if (close > pos + 1 && at(close, end) == u';') { // &amp; &#8212;
                    mark(pos, close + 1, Token::Builtin);
                    pos = close + 1;
                } else {
                    pos = close;
                }
            } else {
                ++pos;
            }
        }
    }

    qsizetype tagStart(qsizetype pos, qsizetype end, State &state)
    {
        if (QStringView(m_text).sliced(pos).startsWith(u"<!--")) {
            state.inner = HtmlComment;
            return spanning(pos, pos + 4, end, u"-->", false, Token::Comment, state);
        }
        qsizetype nameStart = pos + 1;
        const bool closing = at(nameStart, end) == u'/';
        if (closing || at(nameStart, end) == u'!') // </p>, <!doctype html>
            ++nameStart;
        if (!isAsciiLetter(at(nameStart, end).unicode()))
            return pos + 1; // a lone `<` in text
        qsizetype nameEnd = nameStart;
        while (nameEnd < end &&
               (isIdentChar(m_text.at(nameEnd)) || m_text.at(nameEnd) == u'-' || m_text.at(nameEnd) == u':'))
            ++nameEnd;
        mark(pos, nameEnd, Token::Tag);
        const QStringView name = QStringView(m_text).sliced(nameStart, nameEnd - nameStart);
        state.inner = HtmlTag;
        state.embed = Markup;
        if (!closing && name.compare(u"script", Qt::CaseInsensitive) == 0)
            state.embed = Script;
        else if (!closing && name.compare(u"style", Qt::CaseInsensitive) == 0)
            state.embed = Style;
        return tagBody(nameEnd, end, state);
    }

    // Attributes up to the `>` that closes a tag; the tag may go on over several lines.
    qsizetype tagBody(qsizetype pos, qsizetype end, State &state)
    {
        while (pos < end) {
            const QChar c = m_text.at(pos);
            if (c == u'>' || (c == u'/' && at(pos + 1, end) == u'>')) {
                const qsizetype close = c == u'>' ? pos + 1 : pos + 2;
                mark(pos, close, Token::Tag);
                state.inner = Normal;
                if (c == u'/')
                    state.embed = Markup; // <script/> has no body
                state.cssDepth = 0;
                return close;
            }
            if (isQuote(c)) {
                const qsizetype closeQuote = m_text.indexOf(c, pos + 1);
                const qsizetype close = closeQuote < 0 || closeQuote >= end ? end : closeQuote + 1;
                mark(pos, close, Token::String);
                pos = close;
            } else if (c == u'=') {
                ++pos;
                if (pos < end && !isQuote(m_text.at(pos)) && !m_text.at(pos).isSpace()) {
                    qsizetype close = pos; // an unquoted value
                    while (close < end && !m_text.at(close).isSpace() && m_text.at(close) != u'>')
                        ++close;
                    mark(pos, close, Token::String);
                    pos = close;
                }
            } else if (!c.isSpace()) {
                qsizetype close = pos + 1;
                while (close < end) {
                    const QChar n = m_text.at(close);
                    if (n.isSpace() || n == u'=' || n == u'>' || n == u'/' || isQuote(n))
                        break;
                    ++close;
                }
                mark(pos, close, Token::Attribute);
                pos = close;
            } else {
                ++pos;
            }
        }
        return end;
    }

    SyntaxHighlighter &m_h;
    const QString &m_text;
    const qsizetype m_size;
};

SyntaxHighlighter::SyntaxHighlighter(Language language, QTextDocument *document)
    : QSyntaxHighlighter(document)
    , m_language(language)
{
    applyColours(isDark(QGuiApplication::palette()));
}

SyntaxHighlighter::Language SyntaxHighlighter::languageFor(const QString &fileName)
{
    const QString suffix = QFileInfo(fileName).suffix().toLower();
    if (suffix == u"html" || suffix == u"htm")
        return Language::Html;
    if (suffix == u"css")
        return Language::Css;
    if (suffix == u"js" || suffix == u"mjs" || suffix == u"cjs")
        return Language::JavaScript;
    if (suffix == u"py")
        return Language::Python;
    if (suffix == u"json")
        return Language::Json;
    return Language::PlainText;
}

bool SyntaxHighlighter::isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

void SyntaxHighlighter::setPalette(const QPalette &palette)
{
    const bool dark = isDark(palette);
    if (dark == m_dark)
        return;
    applyColours(dark);
    rehighlight();
}

void SyntaxHighlighter::applyColours(bool dark)
{
    m_dark = dark;
    struct Style
    {
        Token token;
        QColor light;
        QColor dark;
        bool bold = false;
        bool italic = false;
    };
    // Two hand-picked sets: each colour keeps a contrast of at least 4.5:1 against a white or a #1e1e1e-ish
    // background respectively, which a single set derived from the palette could not promise.
    const Style styles[] = {
        {Token::Keyword, QColor(0x0033b3), QColor(0x569cd6), true, false},
        {Token::Builtin, QColor(0x871094), QColor(0xc586c0)},
        {Token::String, QColor(0x067d17), QColor(0xce9178)},
        {Token::Comment, QColor(0x6a737d), QColor(0x8b949e), false, true},
        {Token::Number, QColor(0xa04a00), QColor(0xb5cea8)},
        {Token::Tag, QColor(0xa31515), QColor(0xe06c75)},
        {Token::Attribute, QColor(0x0e6577), QColor(0x9cdcfe)},
        {Token::Property, QColor(0x0e6577), QColor(0x9cdcfe)},
    };
    for (const Style &style : styles) {
        QTextCharFormat format;
        format.setForeground(dark ? style.dark : style.light);
        if (style.bold)
            format.setFontWeight(QFont::Bold);
        if (style.italic)
            format.setFontItalic(true);
        format.setProperty(kTokenProperty, int(style.token));
        m_formats[std::size_t(style.token)] = format;
    }
}

void SyntaxHighlighter::highlightBlock(const QString &text)
{
    if (m_language == Language::PlainText)
        return;
    State state = State::unpack(previousBlockState());
    HighlightScanner(*this, text).run(m_language, state);
    setCurrentBlockState(state.pack());
}
