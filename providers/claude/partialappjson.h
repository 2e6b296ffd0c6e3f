#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <vector>

// Reads the `write_app` tool input while its input_json_delta fragments stream in, so the editor can open
// files before the answer is complete. Fragments may split the text anywhere: inside a key, an escape
// ("\u00" | "e9"), a surrogate pair or a multi-byte UTF-8 sequence.
//
// One pass, byte by byte, with no look-back: every input byte is examined once, and file content is decoded
// as it arrives and appended. Only the top-level title, runtime, start_command, port and files matter;
// other keys and nested values are checked for syntax and skipped. Keys may come in any order: content that
// arrives before its file's path is buffered, and the file appears in files() when the path is complete.
//
// Inside strings it is as lenient as Qt's parser (raw control characters, unknown escapes such as "\x", lone
// surrogates kept), elsewhere it follows RFC 8259; Qt also takes a few forms Claude never writes ("1.",
// ".5", a leading BOM). A repeated key replaces the earlier value as in Qt, except a file's path: the file
// is already shown under the first. It is a preview only: the bundle SpawnAI deploys comes from
// AppAnswer::fromRaw on the whole input.
class PartialAppJson
{
public:
    struct File
    {
        QString path;
        QString content;
        bool complete = false; // both the path and the content strings have ended
    };

    void feed(QByteArrayView fragment);

    // Files whose path is known, in the order their paths completed. Indexes stay valid. A copy of a content
    // kept elsewhere while more of it streams in makes the next append copy the whole string (implicit
    // sharing): keep only what is needed, e.g. content.mid(sizeShownSoFar).
    const QList<File> &files() const { return m_files; }
    // Each is empty until its string value is complete.
    QString title() const { return m_title; }
    QString runtime() const { return m_runtime; }
    QString startCommand() const { return m_startCommand; }
    // The top-level port once its number is complete and whole; 0 until then.
    int port() const { return m_port; }

    // Indexes into files() of the files appended, grown or completed since the last call, ascending.
    QList<int> takeChangedFiles();

    // The top-level object has closed.
    bool isComplete() const { return m_state == State::Done; }
    // The input stopped being JSON (or a JSON object) at some byte; nothing is updated after that.
    bool hasError() const { return m_state == State::Failed; }
    QString errorString() const { return m_error; }
    // Every byte passed to feed(), also those after an error.
    qint64 bytesFed() const { return m_bytesFed; }

private:
    enum class State {
        BeforeRoot,      // whitespace, then '{'
        KeyOrObjectEnd,  // after '{'
        Key,             // after ',' in an object
        Colon,           // after a key
        Value,           // after ':' or after ',' in an array
        ValueOrArrayEnd, // after '['
        AfterValue,      // ',' or the closing bracket of the container
        String,
        Escape,    // after a backslash
        HexEscape, // inside \uXXXX
        Literal,   // true, false, null
        Number,
        Done,
        Failed,
    };
    // What a container or a string is, as far as the preview cares.
    enum class Role { Skip, Root, Files, FileObject };
    enum class Sink { Skip, Key, Title, Runtime, StartCommand, Path, Content };
    enum class Member { Other, Title, Runtime, StartCommand, Port, Files, Path, Content };
    // RFC 8259 number grammar, one state per position.
    enum class NumberState { Minus, Zero, Integer, Point, Fraction, ExponentMark, ExponentSign, Exponent };

    struct Frame
    {
        Role role;
        bool isObject;
    };

    void step(char byte);
    void beginValue(char byte);
    void beginString(Sink sink);
    void endString();
    void endValue();
    void openContainer(bool isObject, Role role);
    void closeContainer();
    void stepUtf8(uchar byte);
    void stepNumber(char byte);
    void endNumber();
    qsizetype appendPlainRun(const char *from, const char *end);

    void emitUnit(char16_t unit);
    void flushHighSurrogate();
    void append(QStringView text);
    QString *textTarget(); // where the current string's characters go; null: nowhere
    QString &contentTarget();
    void markChanged(int index);
    void fail(const QString &why);

    Role parentRole() const { return m_stack.empty() ? Role::Skip : m_stack.back().role; }

    State m_state = State::BeforeRoot;
    std::vector<Frame> m_stack;
    QString m_error;
    qint64 m_bytesFed = 0;
    qint64 m_position = 0; // of the byte being stepped, for error messages

    // The string being read.
    Sink m_sink = Sink::Skip;
    QString m_text;                  // the value of a title, runtime, start_command or path string
    QString m_key;                   // the object key being read, cut off at kMaxKeyLength
    Member m_member = Member::Other; // the key the next value belongs to
    char16_t m_highSurrogate = 0;    // held back until the next unit shows whether it is half of a pair
    char16_t m_hexValue = 0;
    int m_hexDigits = 0;
    // A multi-byte UTF-8 sequence: its code point so far, bytes still expected, the next byte's range.
    char32_t m_codePoint = 0;
    int m_utf8Pending = 0;
    uchar m_utf8Low = 0x80;
    uchar m_utf8High = 0xbf;

    // The literal or number being read.
    const char *m_literal = nullptr;
    int m_literalPos = 0;
    NumberState m_numberState = NumberState::Minus;
    QByteArray m_number; // the port's digits, when that is the number being read
    bool m_capturingPort = false;

    // The file object being read; its index in m_files once its path is known, else -1.
    File m_pendingFile;
    int m_currentFile = -1;
    bool m_pathDone = false;
    bool m_contentDone = false;

    QList<File> m_files;
    QList<int> m_changed;
    std::vector<bool> m_isChanged;
    QString m_title;
    QString m_runtime;
    QString m_startCommand;
    int m_port = 0;
};
