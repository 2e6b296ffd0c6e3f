#pragma once

#include "clauderesult.h"
#include "sseparser.h"

#include <functional>

// Turns the Messages API's event stream into the message it describes (anthropic.md §5): the content blocks
// with their text, thinking, signatures and tool inputs, the stop reason and the token usage. Feed it raw
// bytes (it owns an SseParser) or already parsed events. Callbacks let a UI follow the answer as it grows.
//
// Unknown events and unknown delta types are skipped and counted (the API adds them without a version
// bump). An `error` event ends the stream with the API's error type. Anything that does not match the
// documented shape (bad JSON, a delta for a block that never started, ...) ends it as a protocol error.
// Whatever arrived before an error stays available.
//
// Deltas in the API's own shape are decoded without QJsonDocument (the hot path: a long answer is hundreds of
// thousands of them); any other form takes the general path with the same result. Tool input is kept as
// UTF-8 bytes; a character whose UTF-16 halves arrive in two fragments (\ud83d | \ude42) is joined.
class ClaudeStream
{
public:
    enum class State {
        Waiting,       // nothing meaningful yet
        Streaming,     // message_start seen
        Complete,      // message_stop seen
        ErrorEvent,    // the API sent an `error` event: errorType()/errorMessage()
        ProtocolError, // the stream is malformed: errorMessage()
    };

    struct Callbacks
    {
        std::function<void(int index, const QString &text)> textAppended;
        std::function<void(int index, const QString &thinking)> thinkingAppended;
        std::function<void(int index, const QString &toolName, const QByteArray &fragment)> toolInputAppended;
        std::function<void(int index)> blockStopped;
    };

    // Answers beyond this size are refused rather than buffered: every delta's text (UTF-16 code units for
    // text and thinking, bytes for tool input) plus the raw size of block starts and citations.
    static constexpr qsizetype DefaultMaxContentBytes = 32 * 1024 * 1024;

    explicit ClaudeStream(qsizetype maxContentBytes = DefaultMaxContentBytes);

    void setCallbacks(Callbacks callbacks) { m_callbacks = std::move(callbacks); }

    void feed(QByteArrayView bytes);
    void handleEvent(const SseEvent &event);
    // The input ended: tool blocks that never got their content_block_stop are marked as cut off.
    void endOfInput();

    State state() const { return m_state; }
    bool isFinished() const { return m_state != State::Waiting && m_state != State::Streaming; }
    bool hasPartialEvent() const { return m_parser.hasPartialEvent(); }
    // Any content_block_delta was applied (something a UI may already have shown).
    bool receivedContent() const { return m_deltas > 0; }

    QString messageId() const { return m_messageId; }
    QString model() const { return m_model; }
    QString stopReason() const { return m_stopReason; }
    QString stopSequence() const { return m_stopSequence; }
    QJsonObject stopDetails() const { return m_stopDetails; }
    TokenUsage usage() const { return m_usage; }
    const QList<ClaudeContentBlock> &blocks() const { return m_blocks; }

    QString errorType() const { return m_errorType; } // ErrorEvent: "overloaded_error", ...
    QString errorMessage() const { return m_errorMessage; }
    QString requestId() const { return m_requestId; } // when an error event carried one

    int unknownEvents() const { return m_unknownEvents; }
    int unknownDeltas() const { return m_unknownDeltas; }
    int pings() const { return m_pings; }
    qint64 deltaCount() const { return m_deltas; }

private:
    enum class DeltaType { Text, Thinking, InputJson };

    bool handleCanonicalDelta(QByteArrayView data);
    void onMessageStart(const QJsonObject &data);
    void onBlockStart(const QJsonObject &data, qsizetype eventBytes);
    void onBlockDelta(const QJsonObject &data, qsizetype eventBytes);
    void onBlockStop(const QJsonObject &data);
    void onMessageDelta(const QJsonObject &data);
    void onError(const QJsonObject &data);
    void applyUsage(const QJsonObject &usage);
    ClaudeContentBlock *openBlock(const QJsonObject &data, const char *event);
    ClaudeContentBlock *openBlock(qint64 index, const char *event);
    bool acceptsDelta(const ClaudeContentBlock &block, DeltaType type, QLatin1StringView typeName);
    void appendText(int index, DeltaType type, const QString &text);
    void appendInputJson(int index, QStringView fragment);
    void appendInputJsonUtf8(int index, const QByteArray &fragment);
    void commitInputJson(int index, const QByteArray &bytes, bool isDelta);
    bool account(qsizetype bytes);
    void protocolError(const QString &message);

    SseParser m_parser;
    Callbacks m_callbacks;
    qsizetype m_maxContentBytes;
    qsizetype m_contentBytes = 0;
    State m_state = State::Waiting;
    QString m_messageId;
    QString m_model;
    QString m_stopReason;
    QString m_stopSequence;
    QJsonObject m_stopDetails;
    TokenUsage m_usage;
    QList<ClaudeContentBlock> m_blocks;
    // Per block: a high surrogate that ended the last input_json_delta fragment, waiting for its low half
    // in the next one (0 when none), so a character split between two fragments is not lost.
    QList<char16_t> m_heldSurrogates;
    QByteArray m_scratch; // the decoded string of the last canonical delta; keeps its capacity
    QString m_errorType;
    QString m_errorMessage;
    QString m_requestId;
    int m_unknownEvents = 0;
    int m_unknownDeltas = 0;
    int m_pings = 0;
    qint64 m_deltas = 0;
};
