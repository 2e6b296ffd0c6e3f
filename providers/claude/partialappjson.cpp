#include "partialappjson.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;

namespace {

// Qt's JSON parser refuses deeper documents (QJsonParseError::DeepNesting); so does the preview.
constexpr std::size_t kMaxDepth = 1024;
// Longer keys cannot be one of the few the preview looks for, so they are not kept.
constexpr qsizetype kMaxKeyLength = 16;
// The port's number is kept only this long; a longer one is no port.
constexpr qsizetype kMaxNumberLength = 32;

QString tr(const char *text)
{
    return QCoreApplication::translate("PartialAppJson", text);
}

bool isWhitespace(char byte)
{
    return byte == ' ' || byte == '\n' || byte == '\r' || byte == '\t';
}

bool isDigit(char byte)
{
    return byte >= '0' && byte <= '9';
}

int hexDigit(char byte)
{
    if (byte >= '0' && byte <= '9')
        return byte - '0';
    if (byte >= 'a' && byte <= 'f')
        return byte - 'a' + 10;
    if (byte >= 'A' && byte <= 'F')
        return byte - 'A' + 10;
    return -1;
}

} // namespace

void PartialAppJson::feed(QByteArrayView fragment)
{
    const qint64 base = m_bytesFed;
    m_bytesFed += fragment.size();
    const char *const begin = fragment.data();
    const char *const end = begin + fragment.size();
    const char *p = begin;
    while (p != end && m_state != State::Failed) {
        // The bulk of the input is file content: take a run of plain characters at once.
        if (m_state == State::String && m_utf8Pending == 0) {
            p += appendPlainRun(p, end);
            if (p == end)
                break;
        }
        m_position = base + (p - begin);
        step(*p);
        ++p;
    }
}

QList<int> PartialAppJson::takeChangedFiles()
{
    for (const int index : std::as_const(m_changed))
        m_isChanged[std::size_t(index)] = false;
    std::sort(m_changed.begin(), m_changed.end());
    return std::exchange(m_changed, {});
}

void PartialAppJson::step(char byte)
{
    switch (m_state) {
    case State::BeforeRoot:
        if (isWhitespace(byte))
            return;
        if (byte != '{')
            return fail(tr("the input must start with \"{\": write_app takes a JSON object"));
        openContainer(true, Role::Root);
        return;
    case State::KeyOrObjectEnd:
        if (isWhitespace(byte))
            return;
        if (byte == '}')
            return closeContainer();
        if (byte != '"')
            return fail(tr("expected a member name in quotes or \"}\""));
        return beginString(Sink::Key);
    case State::Key:
        if (isWhitespace(byte))
            return;
        if (byte != '"')
            return fail(tr("expected a member name in quotes after \",\""));
        return beginString(Sink::Key);
    case State::Colon:
        if (isWhitespace(byte))
            return;
        if (byte != ':')
            return fail(tr("expected \":\" after a member name"));
        m_state = State::Value;
        return;
    case State::Value:
        if (isWhitespace(byte))
            return;
        return beginValue(byte);
    case State::ValueOrArrayEnd:
        if (isWhitespace(byte))
            return;
        if (byte == ']')
            return closeContainer();
        return beginValue(byte);
    case State::AfterValue: {
        if (isWhitespace(byte))
            return;
        const bool inObject = m_stack.back().isObject;
        if (byte == ',') {
            m_state = inObject ? State::Key : State::Value;
            return;
        }
        if (byte == (inObject ? '}' : ']'))
            return closeContainer();
        return fail(inObject ? tr("expected \",\" or \"}\" after a member")
                             : tr("expected \",\" or \"]\" after an element"));
    }
    case State::String:
        if (m_utf8Pending > 0 || uchar(byte) >= 0x80)
            return stepUtf8(uchar(byte));
        if (byte == '"')
            return endString();
        if (byte == '\\') {
            m_state = State::Escape;
            return;
        }
        return emitUnit(char16_t(uchar(byte))); // a raw control character: Qt's parser keeps it too
    case State::Escape:
        m_state = State::String;
        switch (byte) {
        case 'b':
            return emitUnit(u'\b');
        case 'f':
            return emitUnit(u'\f');
        case 'n':
            return emitUnit(u'\n');
        case 'r':
            return emitUnit(u'\r');
        case 't':
            return emitUnit(u'\t');
        case 'u':
            m_state = State::HexEscape;
            m_hexValue = 0;
            m_hexDigits = 0;
            return;
        default:
            // \" \\ \/ and, as in Qt's parser, any other ASCII character standing for itself.
            if (uchar(byte) >= 0x80)
                return fail(tr("a backslash in a string must be followed by an escape such as \\n"));
            return emitUnit(char16_t(uchar(byte)));
        }
    case State::HexEscape: {
        const int digit = hexDigit(byte);
        if (digit < 0)
            return fail(tr("\\u must be followed by four hexadecimal digits"));
        m_hexValue = char16_t(m_hexValue * 16 + digit);
        if (++m_hexDigits == 4) {
            m_state = State::String;
            emitUnit(m_hexValue);
        }
        return;
    }
    case State::Literal:
        if (byte != m_literal[m_literalPos])
            return fail(tr("expected a value: a string, number, object, list, true, false or null"));
        if (m_literal[++m_literalPos] == '\0')
            endValue();
        return;
    case State::Number:
        return stepNumber(byte);
    case State::Done:
        if (!isWhitespace(byte))
            fail(tr("there is more after the end of the object"));
        return;
    case State::Failed:
        return;
    }
}

void PartialAppJson::beginValue(char byte)
{
    const Role parent = parentRole();
    switch (byte) {
    case '{':
        return openContainer(true, parent == Role::Files ? Role::FileObject : Role::Skip);
    case '[':
        return openContainer(false,
                             parent == Role::Root && m_member == Member::Files ? Role::Files : Role::Skip);
    case '"': {
        Sink sink = Sink::Skip;
        if (parent == Role::Root) {
            sink = m_member == Member::Title          ? Sink::Title
                   : m_member == Member::Runtime      ? Sink::Runtime
                   : m_member == Member::StartCommand ? Sink::StartCommand
                                                      : Sink::Skip;
        } else if (parent == Role::FileObject) {
            if (m_member == Member::Path && !m_pathDone) {
                sink = Sink::Path;
            } else if (m_member == Member::Content) {
                sink = Sink::Content;
                if (m_contentDone) {
                    // A second "content" replaces the first, as in Qt's parser.
                    m_contentDone = false;
                    contentTarget().clear();
                }
            }
        }
        return beginString(sink);
    }
    case 't':
        m_literal = "true";
        break;
    case 'f':
        m_literal = "false";
        break;
    case 'n':
        m_literal = "null";
        break;
    default:
        if (byte != '-' && !isDigit(byte))
            return fail(tr("expected a value: a string, number, object, list, true, false or null"));
        m_state = State::Number;
        m_numberState = byte == '-'   ? NumberState::Minus
                        : byte == '0' ? NumberState::Zero
                                      : NumberState::Integer;
        m_capturingPort = parent == Role::Root && m_member == Member::Port;
        m_number.clear();
        if (m_capturingPort)
            m_number.append(byte);
        return;
    }
    m_state = State::Literal;
    m_literalPos = 1;
}

void PartialAppJson::beginString(Sink sink)
{
    m_state = State::String;
    m_sink = sink;
    m_text.clear();
    m_key.clear();
    m_highSurrogate = 0;
}

void PartialAppJson::endString()
{
    flushHighSurrogate();
    const Sink sink = std::exchange(m_sink, Sink::Skip);
    switch (sink) {
    case Sink::Key: {
        const Role parent = parentRole();
        m_member = Member::Other;
        if (parent == Role::Root) {
            if (m_key == u"title")
                m_member = Member::Title;
            else if (m_key == u"runtime")
                m_member = Member::Runtime;
            else if (m_key == u"start_command")
                m_member = Member::StartCommand;
            else if (m_key == u"port")
                m_member = Member::Port;
            else if (m_key == u"files")
                m_member = Member::Files;
        } else if (parent == Role::FileObject) {
            if (m_key == u"path")
                m_member = Member::Path;
            else if (m_key == u"content")
                m_member = Member::Content;
        }
        m_state = State::Colon;
        return;
    }
    case Sink::Title:
        m_title = std::exchange(m_text, {});
        break;
    case Sink::Runtime:
        m_runtime = std::exchange(m_text, {});
        break;
    case Sink::StartCommand:
        m_startCommand = std::exchange(m_text, {});
        break;
    case Sink::Path:
        m_pathDone = true;
        m_pendingFile.path = std::exchange(m_text, {});
        m_pendingFile.complete = m_contentDone;
        m_files.append(std::exchange(m_pendingFile, {}));
        m_isChanged.push_back(false);
        m_currentFile = int(m_files.size() - 1);
        markChanged(m_currentFile);
        break;
    case Sink::Content:
        m_contentDone = true;
        if (m_currentFile >= 0 && m_pathDone) {
            m_files[m_currentFile].complete = true;
            markChanged(m_currentFile);
        }
        break;
    case Sink::Skip:
        break;
    }
    endValue();
}

void PartialAppJson::endValue()
{
    m_state = State::AfterValue;
}

void PartialAppJson::openContainer(bool isObject, Role role)
{
    if (m_stack.size() >= kMaxDepth)
        return fail(tr("the objects and lists are nested too deeply"));
    m_stack.push_back(Frame{role, isObject});
    m_state = isObject ? State::KeyOrObjectEnd : State::ValueOrArrayEnd;
    if (role == Role::FileObject) {
        m_pendingFile = {};
        m_currentFile = -1;
        m_pathDone = false;
        m_contentDone = false;
    }
}

void PartialAppJson::closeContainer()
{
    const Frame frame = m_stack.back();
    m_stack.pop_back();
    if (frame.role == Role::FileObject) {
        // Nothing more can come for this file, whether or not it had a content.
        if (m_currentFile >= 0 && !m_files[m_currentFile].complete) {
            m_files[m_currentFile].complete = true;
            markChanged(m_currentFile);
        }
        m_currentFile = -1;
        m_pendingFile = {}; // content whose path never came
    }
    m_state = m_stack.empty() ? State::Done : State::AfterValue;
}

void PartialAppJson::stepUtf8(uchar byte)
{
    if (m_utf8Pending == 0) {
        // A lead byte (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
        m_utf8Low = 0x80;
        m_utf8High = 0xbf;
        if (byte >= 0xc2 && byte <= 0xdf) {
            m_utf8Pending = 1;
            m_codePoint = byte & 0x1f;
        } else if (byte >= 0xe0 && byte <= 0xef) {
            m_utf8Pending = 2;
            m_codePoint = byte & 0x0f;
            if (byte == 0xe0)
                m_utf8Low = 0xa0;
            else if (byte == 0xed)
                m_utf8High = 0x9f;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
            m_utf8Pending = 3;
            m_codePoint = byte & 0x07;
            if (byte == 0xf0)
                m_utf8Low = 0x90;
            else if (byte == 0xf4)
                m_utf8High = 0x8f;
        } else {
            return fail(tr("a string is not valid UTF-8"));
        }
        return;
    }
    if (byte < m_utf8Low || byte > m_utf8High)
        return fail(tr("a string is not valid UTF-8"));
    m_codePoint = (m_codePoint << 6) | (byte & 0x3f);
    m_utf8Low = 0x80;
    m_utf8High = 0xbf;
    if (--m_utf8Pending > 0)
        return;
    if (m_codePoint > 0xffff) {
        flushHighSurrogate();
        const char16_t pair[2] = {QChar::highSurrogate(m_codePoint), QChar::lowSurrogate(m_codePoint)};
        append(QStringView(pair, 2));
        return;
    }
    emitUnit(char16_t(m_codePoint));
}

void PartialAppJson::stepNumber(char byte)
{
    const bool digit = isDigit(byte);
    const bool exponent = byte == 'e' || byte == 'E';
    const bool sign = byte == '+' || byte == '-';
    if (!digit && !exponent && !sign && byte != '.') {
        // The number ended; the byte belongs to what follows it.
        switch (m_numberState) {
        case NumberState::Zero:
        case NumberState::Integer:
        case NumberState::Fraction:
        case NumberState::Exponent:
            endNumber();
            return step(byte);
        case NumberState::Minus:
        case NumberState::Point:
        case NumberState::ExponentMark:
        case NumberState::ExponentSign:
            return fail(tr("a number is not complete"));
        }
    }
    std::optional<NumberState> next;
    switch (m_numberState) {
    case NumberState::Minus:
        if (digit)
            next = byte == '0' ? NumberState::Zero : NumberState::Integer;
        break;
    case NumberState::Zero:
    case NumberState::Integer:
        if (digit && m_numberState == NumberState::Integer)
            next = NumberState::Integer;
        else if (byte == '.')
            next = NumberState::Point;
        else if (exponent)
            next = NumberState::ExponentMark;
        break;
    case NumberState::Point:
    case NumberState::Fraction:
        if (digit)
            next = NumberState::Fraction;
        else if (exponent && m_numberState == NumberState::Fraction)
            next = NumberState::ExponentMark;
        break;
    case NumberState::ExponentMark:
        if (sign)
            next = NumberState::ExponentSign;
        else if (digit)
            next = NumberState::Exponent;
        break;
    case NumberState::ExponentSign:
    case NumberState::Exponent:
        if (digit)
            next = NumberState::Exponent;
        break;
    }
    if (!next)
        return fail(tr("expected a valid number"));
    m_numberState = *next;
    if (m_capturingPort) {
        if (m_number.size() < kMaxNumberLength)
            m_number.append(byte);
        else
            m_capturingPort = false;
    }
}

void PartialAppJson::endNumber()
{
    if (m_capturingPort) {
        bool ok = false;
        const double value = m_number.toDouble(&ok);
        if (ok && value == std::floor(value) && value >= std::numeric_limits<int>::min() &&
            value <= std::numeric_limits<int>::max())
            m_port = int(value);
        m_capturingPort = false;
    }
    endValue();
}

qsizetype PartialAppJson::appendPlainRun(const char *from, const char *end)
{
    const char *p = from;
    while (p != end) {
        const char byte = *p;
        if (byte == '"' || byte == '\\' || uchar(byte) >= 0x80)
            break;
        ++p;
    }
    const qsizetype length = p - from;
    if (length == 0)
        return 0;
    flushHighSurrogate();
    if (m_sink == Sink::Key) {
        const qsizetype room = kMaxKeyLength + 1 - m_key.size();
        if (room > 0)
            m_key.append(QLatin1StringView(from, std::min(length, room)));
    } else if (QString *target = textTarget()) {
        target->append(QLatin1StringView(from, length));
    }
    return length;
}

void PartialAppJson::emitUnit(char16_t unit)
{
    // A surrogate pair may come as two \u escapes in two fragments: hold the first half back, so the content
    // never ends in half a character while it streams. A lone surrogate is kept, as Qt's parser keeps it.
    if (QChar::isHighSurrogate(unit)) {
        flushHighSurrogate();
        m_highSurrogate = unit;
        return;
    }
    if (m_highSurrogate != 0 && QChar::isLowSurrogate(unit)) {
        const char16_t pair[2] = {std::exchange(m_highSurrogate, char16_t(0)), unit};
        append(QStringView(pair, 2));
        return;
    }
    flushHighSurrogate();
    append(QStringView(&unit, 1));
}

void PartialAppJson::flushHighSurrogate()
{
    if (m_highSurrogate == 0)
        return;
    const char16_t unit = std::exchange(m_highSurrogate, char16_t(0));
    append(QStringView(&unit, 1));
}

void PartialAppJson::append(QStringView text)
{
    if (QString *target = textTarget())
        target->append(text);
}

QString *PartialAppJson::textTarget()
{
    switch (m_sink) {
    case Sink::Skip:
        return nullptr;
    case Sink::Key:
        return m_key.size() <= kMaxKeyLength ? &m_key : nullptr;
    case Sink::Title:
    case Sink::Runtime:
    case Sink::StartCommand:
    case Sink::Path:
        return &m_text;
    case Sink::Content:
        return &contentTarget();
    }
    return nullptr;
}

QString &PartialAppJson::contentTarget()
{
    if (m_currentFile < 0)
        return m_pendingFile.content;
    markChanged(m_currentFile);
    return m_files[m_currentFile].content;
}

void PartialAppJson::markChanged(int index)
{
    if (m_isChanged[std::size_t(index)])
        return;
    m_isChanged[std::size_t(index)] = true;
    m_changed.append(index);
}

void PartialAppJson::fail(const QString &why)
{
    m_state = State::Failed;
    m_error = tr("The app's JSON breaks at byte %1: %2.").arg(m_position).arg(why);
}
