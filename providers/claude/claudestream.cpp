#include "claudestream.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;

namespace {

// Blocks are addressed by index; a sane answer has a handful. This only bounds what a broken stream can
// make us allocate.
constexpr int kMaxBlocks = 10'000;

QString tr(const char *text)
{
    return QCoreApplication::translate("ClaudeStream", text);
}

ClaudeContentBlock::Kind kindOf(const QString &type)
{
    if (type == "text"_L1)
        return ClaudeContentBlock::Kind::Text;
    if (type == "thinking"_L1)
        return ClaudeContentBlock::Kind::Thinking;
    if (type == "redacted_thinking"_L1)
        return ClaudeContentBlock::Kind::RedactedThinking;
    if (type == "tool_use"_L1)
        return ClaudeContentBlock::Kind::ToolUse;
    if (type == "server_tool_use"_L1)
        return ClaudeContentBlock::Kind::ServerToolUse;
    return ClaudeContentBlock::Kind::Other;
}

// A token count from a usage object; absent or null leaves the current value (message_delta may omit or
// null the fields it does not update).
void readCount(const QJsonObject &usage, QLatin1StringView key, qint64 &into)
{
    const QJsonValue value = usage.value(key);
    if (value.isDouble())
        into = value.toInteger();
}

// The shape in which the API sends every delta (anthropic.md §5), up to the string's opening quote.
constexpr QByteArrayView kCanonicalDeltaHead = "{\"type\":\"content_block_delta\",\"index\":";
constexpr QByteArrayView kCanonicalDeltaType = ",\"delta\":{\"type\":\"";
constexpr QByteArrayView kCanonicalDeltaTail = "\"}}";

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Decodes the body of a JSON string (without its quotes) into UTF-8, and returns false for anything the
// general path should judge instead: \u escapes (which may carry half a surrogate pair), control
// characters, a quote or backslash out of place, invalid UTF-8. Accepting only this subset keeps the result
// byte-identical to what QJsonDocument would give for the same string.
bool decodePlainJsonString(QByteArrayView raw, QByteArray &out)
{
    out.resize(0); // keeps the capacity: this buffer is reused for every delta
    const char *p = raw.data();
    const char *const end = p + raw.size();
    bool ascii = true;
    while (p < end) {
        const char *run = p;
        while (p < end) {
            const auto c = uchar(*p);
            if (c == '"' || c == '\\' || c < 0x20)
                break;
            ascii = ascii && c < 0x80;
            ++p;
        }
        out.append(run, p - run);
        if (p == end)
            break;
        if (*p != '\\' || ++p == end)
            return false;
        switch (*p) {
        case '"':
        case '\\':
        case '/':
            out.append(*p);
            break;
        case 'b':
            out.append('\b');
            break;
        case 'f':
            out.append('\f');
            break;
        case 'n':
            out.append('\n');
            break;
        case 'r':
            out.append('\r');
            break;
        case 't':
            out.append('\t');
            break;
        default:
            return false; // \u, or an invalid escape
        }
        ++p;
    }
    return ascii || QByteArrayView(out).isValidUtf8();
}

} // namespace

ClaudeStream::ClaudeStream(qsizetype maxContentBytes)
    : m_maxContentBytes(maxContentBytes)
{}

void ClaudeStream::feed(QByteArrayView bytes)
{
    if (isFinished())
        return;
    m_parser.feed(bytes);
    if (m_parser.hasError()) {
        // Events completed before the oversized one are still worth applying.
        const QList<SseEvent> events = m_parser.take();
        for (const SseEvent &event : events)
            handleEvent(event);
        if (!isFinished())
            protocolError(m_parser.errorString());
        return;
    }
    if (!m_parser.hasEvents())
        return;
    const QList<SseEvent> events = m_parser.take();
    for (const SseEvent &event : events) {
        handleEvent(event);
        if (isFinished())
            return;
    }
}

void ClaudeStream::handleEvent(const SseEvent &event)
{
    if (isFinished())
        return;
    // Nearly every event of a long answer is a delta: those in the API's usual shape skip QJsonDocument,
    // which would otherwise be most of the cost of reading a stream.
    if (event.event == "content_block_delta" && m_state == State::Streaming &&
        handleCanonicalDelta(event.data))
        return;
    if (event.event == "ping") {
        ++m_pings;
        return;
    }

    static const QList<QByteArray> known = {"content_block_delta",
                                            "content_block_start",
                                            "content_block_stop",
                                            "message_start",
                                            "message_delta",
                                            "message_stop",
                                            "error",
                                            "message"};
    if (!known.contains(event.event)) {
        ++m_unknownEvents; // new event types appear without a version bump: skip them
        return;
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(event.data, &parseError);
    if (!document.isObject()) {
        protocolError(tr("The “%1” event is not a JSON object (%2).")
                          .arg(QString::fromUtf8(event.event.left(64)),
                               parseError.error == QJsonParseError::NoError ? tr("not an object")
                                                                            : parseError.errorString()));
        return;
    }
    const QJsonObject data = document.object();

    // Without an "event:" line the JSON "type" names the event (the API always sends both).
    QByteArray name = event.event;
    if (name == "message") {
        name = data.value(u"type"_s).toString().toUtf8();
        if (name == "ping") {
            ++m_pings;
            return;
        }
    }

    if (name == "error") {
        onError(data);
        return;
    }
    if (name == "message_start") {
        onMessageStart(data);
        return;
    }
    if (name != "content_block_start" && name != "content_block_delta" && name != "content_block_stop" &&
        name != "message_delta" && name != "message_stop") {
        ++m_unknownEvents;
        return;
    }
    if (m_state == State::Waiting) {
        protocolError(tr("The stream sent “%1” before message_start.").arg(QString::fromUtf8(name)));
        return;
    }
    if (name == "content_block_start")
        onBlockStart(data, event.data.size());
    else if (name == "content_block_delta")
        onBlockDelta(data, event.data.size());
    else if (name == "content_block_stop")
        onBlockStop(data);
    else if (name == "message_delta")
        onMessageDelta(data);
    else
        m_state = State::Complete;
}

// {"type":"content_block_delta","index":N,"delta":{"type":"T","F":"..."}} for the text, thinking and
// input_json deltas, decoded without building a JSON tree. Returns false, having changed nothing, for any
// other form (key order, spaces, extra fields, \u escapes, ...): the general path then decides, so what a
// delta means never depends on which path read it.
bool ClaudeStream::handleCanonicalDelta(QByteArrayView data)
{
    while (!data.isEmpty() && isJsonSpace(data.back()))
        data.chop(1);
    if (!data.startsWith(kCanonicalDeltaHead))
        return false;
    data = data.sliced(kCanonicalDeltaHead.size());

    qint64 index = 0;
    qsizetype digits = 0;
    while (digits < data.size() && digits < 9 && data[digits] >= '0' && data[digits] <= '9')
        index = index * 10 + (data[digits++] - '0');
    if (digits == 0 || (digits > 1 && data.front() == '0'))
        return false; // JSON has no leading zeros: let QJsonDocument reject it
    data = data.sliced(digits);
    if (!data.startsWith(kCanonicalDeltaType))
        return false;
    data = data.sliced(kCanonicalDeltaType.size());

    static constexpr struct
    {
        QByteArrayView head; // the delta type and the name of its string field
        DeltaType type;
        QLatin1StringView name;
    } kinds[] = {
        {"input_json_delta\",\"partial_json\":\"", DeltaType::InputJson, "input_json_delta"_L1},
        {"text_delta\",\"text\":\"", DeltaType::Text, "text_delta"_L1},
        {"thinking_delta\",\"thinking\":\"", DeltaType::Thinking, "thinking_delta"_L1},
    };
    const auto kind = std::find_if(std::begin(kinds), std::end(kinds),
                                   [&](const auto &candidate) { return data.startsWith(candidate.head); });
    if (kind == std::end(kinds) || !data.endsWith(kCanonicalDeltaTail) ||
        data.size() < kind->head.size() + kCanonicalDeltaTail.size())
        return false;
    const QByteArrayView raw =
        data.sliced(kind->head.size(), data.size() - kind->head.size() - kCanonicalDeltaTail.size());
    if (!decodePlainJsonString(raw, m_scratch))
        return false;

    ClaudeContentBlock *block = openBlock(index, "content_block_delta");
    if (!block || !acceptsDelta(*block, kind->type, kind->name))
        return true;
    if (kind->type == DeltaType::InputJson)
        appendInputJsonUtf8(int(index), m_scratch);
    else
        appendText(int(index), kind->type, QString::fromUtf8(m_scratch));
    return true;
}

void ClaudeStream::endOfInput()
{
    for (ClaudeContentBlock &block : m_blocks) {
        if (!block.complete && (block.kind == ClaudeContentBlock::Kind::ToolUse ||
                                block.kind == ClaudeContentBlock::Kind::ServerToolUse)) {
            block.inputValid = false;
            block.inputError = tr("the tool input was cut off before it was complete");
        }
    }
}

void ClaudeStream::onMessageStart(const QJsonObject &data)
{
    if (m_state != State::Waiting) {
        protocolError(tr("The stream sent a second message_start."));
        return;
    }
    const QJsonObject message = data.value(u"message"_s).toObject();
    m_messageId = message.value(u"id"_s).toString();
    m_model = message.value(u"model"_s).toString();
    applyUsage(message.value(u"usage"_s).toObject());
    m_state = State::Streaming;
}

ClaudeContentBlock *ClaudeStream::openBlock(const QJsonObject &data, const char *event)
{
    const QJsonValue indexValue = data.value(u"index"_s);
    return openBlock(indexValue.isDouble() ? indexValue.toInteger(-1) : -1, event);
}

ClaudeContentBlock *ClaudeStream::openBlock(qint64 index, const char *event)
{
    if (index < 0 || index >= m_blocks.size()) {
        protocolError(tr("The stream sent %1 for block %2, which never started.")
                          .arg(QLatin1StringView(event))
                          .arg(index));
        return nullptr;
    }
    ClaudeContentBlock &block = m_blocks[index];
    if (block.complete) {
        protocolError(
            tr("The stream sent %1 for block %2 after it ended.").arg(QLatin1StringView(event)).arg(index));
        return nullptr;
    }
    return &block;
}

void ClaudeStream::onBlockStart(const QJsonObject &data, qsizetype eventBytes)
{
    const QJsonValue indexValue = data.value(u"index"_s);
    const qint64 index = indexValue.isDouble() ? indexValue.toInteger(-1) : -1;
    // Blocks arrive in index order: the next one must be the next position of the content array.
    if (index != m_blocks.size() || index >= kMaxBlocks) {
        protocolError(
            tr("The stream started block %1 where block %2 was expected.").arg(index).arg(m_blocks.size()));
        return;
    }
    // The skeleton is kept (server tool results arrive whole in it), so it counts against the cap.
    if (!account(eventBytes))
        return;
    const QJsonObject skeleton = data.value(u"content_block"_s).toObject();
    ClaudeContentBlock block;
    block.type = skeleton.value(u"type"_s).toString();
    block.kind = kindOf(block.type);
    block.start = skeleton;
    switch (block.kind) {
    case ClaudeContentBlock::Kind::Text:
        block.text = skeleton.value(u"text"_s).toString();
        break;
    case ClaudeContentBlock::Kind::Thinking:
        block.text = skeleton.value(u"thinking"_s).toString();
        block.signature = skeleton.value(u"signature"_s).toString();
        break;
    case ClaudeContentBlock::Kind::ToolUse:
    case ClaudeContentBlock::Kind::ServerToolUse:
        block.toolId = skeleton.value(u"id"_s).toString();
        block.toolName = skeleton.value(u"name"_s).toString();
        break;
    case ClaudeContentBlock::Kind::RedactedThinking:
    case ClaudeContentBlock::Kind::Other:
        break;
    }
    m_blocks.append(std::move(block));
    m_heldSurrogates.append(0);
}

void ClaudeStream::onBlockDelta(const QJsonObject &data, qsizetype eventBytes)
{
    ClaudeContentBlock *block = openBlock(data, "content_block_delta");
    if (!block)
        return;
    const int index = int(block - m_blocks.data());
    const QJsonObject delta = data.value(u"delta"_s).toObject();
    const QString type = delta.value(u"type"_s).toString();

    if (type == "text_delta"_L1) {
        if (acceptsDelta(*block, DeltaType::Text, "text_delta"_L1))
            appendText(index, DeltaType::Text, delta.value(u"text"_s).toString());
    } else if (type == "thinking_delta"_L1) {
        if (acceptsDelta(*block, DeltaType::Thinking, "thinking_delta"_L1))
            appendText(index, DeltaType::Thinking, delta.value(u"thinking"_s).toString());
    } else if (type == "input_json_delta"_L1) {
        if (acceptsDelta(*block, DeltaType::InputJson, "input_json_delta"_L1))
            appendInputJson(index, delta.value(u"partial_json"_s).toString());
    } else if (type == "signature_delta"_L1) {
        if (block->kind != ClaudeContentBlock::Kind::Thinking) {
            protocolError(tr("The stream sent a %1 for a %2 block.").arg(type, block->type));
            return;
        }
        const QString signature = delta.value(u"signature"_s).toString();
        if (!account(signature.size()))
            return;
        block->signature += signature;
        ++m_deltas;
    } else if (type == "citations_delta"_L1) {
        if (block->kind != ClaudeContentBlock::Kind::Text) {
            protocolError(tr("The stream sent a %1 for a %2 block.").arg(type, block->type));
            return;
        }
        if (!account(eventBytes))
            return;
        block->citations.append(delta.value(u"citation"_s));
        ++m_deltas;
    } else {
        ++m_unknownDeltas;
    }
}

bool ClaudeStream::acceptsDelta(const ClaudeContentBlock &block, DeltaType type, QLatin1StringView typeName)
{
    using Kind = ClaudeContentBlock::Kind;
    bool fits = false;
    switch (type) {
    case DeltaType::Text:
        fits = block.kind == Kind::Text;
        break;
    case DeltaType::Thinking:
        fits = block.kind == Kind::Thinking;
        break;
    case DeltaType::InputJson:
        // Tool calls, and block types newer than this code that stream their input the same way.
        fits =
            block.kind != Kind::Text && block.kind != Kind::Thinking && block.kind != Kind::RedactedThinking;
        break;
    }
    if (!fits)
        protocolError(tr("The stream sent a %1 for a %2 block.").arg(typeName, block.type));
    return fits;
}

void ClaudeStream::appendText(int index, DeltaType type, const QString &text)
{
    if (!account(text.size()))
        return;
    ClaudeContentBlock &block = m_blocks[index];
    block.text += text;
    ++m_deltas;
    if (text.isEmpty())
        return;
    if (type == DeltaType::Text && m_callbacks.textAppended)
        m_callbacks.textAppended(index, text);
    else if (type == DeltaType::Thinking && m_callbacks.thinkingAppended)
        m_callbacks.thinkingAppended(index, text);
}

// A fragment decoded by QJsonDocument: as UTF-16 it may end in the first half of a surrogate pair whose
// second half starts the next fragment (a \ud83d|\ude00 split). Hold that half back so the character
// reaches inputJson whole instead of as two replacement characters.
void ClaudeStream::appendInputJson(int index, QStringView fragment)
{
    char16_t &held = m_heldSurrogates[index];
    if (fragment.isEmpty()) {
        commitInputJson(index, {}, true);
        return;
    }
    QString text;
    if (held) {
        text += QChar(held);
        held = 0;
    }
    text += fragment;
    if (text.back().isHighSurrogate()) {
        held = text.back().unicode();
        text.chop(1);
    }
    commitInputJson(index, text.toUtf8(), true);
}

void ClaudeStream::appendInputJsonUtf8(int index, const QByteArray &fragment)
{
    char16_t &held = m_heldSurrogates[index];
    if (held && !fragment.isEmpty()) {
        // Plain strings hold no surrogates: the held half stays alone, encoded as QString::toUtf8 does.
        QByteArray bytes = QString(QChar(std::exchange(held, 0))).toUtf8();
        commitInputJson(index, bytes + fragment, true);
        return;
    }
    commitInputJson(index, fragment, true);
}

void ClaudeStream::commitInputJson(int index, const QByteArray &bytes, bool isDelta)
{
    if (!account(bytes.size()))
        return;
    ClaudeContentBlock &block = m_blocks[index];
    block.inputJson += bytes;
    if (isDelta)
        ++m_deltas;
    if (m_callbacks.toolInputAppended && !bytes.isEmpty())
        m_callbacks.toolInputAppended(index, block.toolName, bytes);
}

void ClaudeStream::onBlockStop(const QJsonObject &data)
{
    ClaudeContentBlock *block = openBlock(data, "content_block_stop");
    if (!block)
        return;
    const int index = int(block - m_blocks.data());
    if (const char16_t held = std::exchange(m_heldSurrogates[index], 0)) {
        commitInputJson(index, QString(QChar(held)).toUtf8(), false); // its other half never came
        if (isFinished())
            return;
    }
    block->complete = true;
    if (block->kind == ClaudeContentBlock::Kind::ToolUse ||
        block->kind == ClaudeContentBlock::Kind::ServerToolUse) {
        // The fragments are not JSON on their own: parse once, now that the input is whole. No fragment
        // at all means an empty input object.
        if (block->inputJson.trimmed().isEmpty()) {
            block->input = {};
            block->inputValid = true;
        } else {
            QJsonParseError error;
            const QJsonDocument document = QJsonDocument::fromJson(block->inputJson, &error);
            block->inputValid = document.isObject();
            if (block->inputValid)
                block->input = document.object();
            else
                block->inputError = error.error == QJsonParseError::NoError
                                        ? tr("the tool input is not a JSON object")
                                        : tr("the tool input is not valid JSON: %1 at byte %2")
                                              .arg(error.errorString())
                                              .arg(error.offset);
        }
    }
    if (m_callbacks.blockStopped)
        m_callbacks.blockStopped(index);
}
void ClaudeStream::onMessageDelta(const QJsonObject &data)
{
    const QJsonObject delta = data.value(u"delta"_s).toObject();
    const QJsonValue stopReason = delta.value(u"stop_reason"_s);
    if (stopReason.isString())
        m_stopReason = stopReason.toString();
    const QJsonValue stopSequence = delta.value(u"stop_sequence"_s);
    if (stopSequence.isString())
        m_stopSequence = stopSequence.toString();
    const QJsonValue stopDetails = delta.value(u"stop_details"_s);
    if (stopDetails.isObject())
        m_stopDetails = stopDetails.toObject();
    applyUsage(data.value(u"usage"_s).toObject());
}

void ClaudeStream::onError(const QJsonObject &data)
{
    const QJsonObject error = data.value(u"error"_s).toObject();
    m_errorType = error.value(u"type"_s).toString();
    m_errorMessage = error.value(u"message"_s).toString();
    m_requestId = data.value(u"request_id"_s).toString();
    if (m_errorType.isEmpty())
        m_errorType = u"api_error"_s;
    m_state = State::ErrorEvent;
}

void ClaudeStream::applyUsage(const QJsonObject &usage)
{
    // message_delta usage is cumulative: values replace, never add.
    readCount(usage, "input_tokens"_L1, m_usage.inputTokens);
    readCount(usage, "output_tokens"_L1, m_usage.outputTokens);
    readCount(usage, "cache_read_input_tokens"_L1, m_usage.cacheReadTokens);
    const QJsonValue split = usage.value(u"cache_creation"_s);
    if (split.isObject()) {
        // 5-minute and 1-hour writes are priced differently: take the split when the API gives it.
        readCount(split.toObject(), "ephemeral_5m_input_tokens"_L1, m_usage.cacheWriteTokens);
        readCount(split.toObject(), "ephemeral_1h_input_tokens"_L1, m_usage.cacheWrite1hTokens);
    } else if (usage.value(u"cache_creation_input_tokens"_s).isDouble()) {
        // Only the total: a split seen earlier (message_start) still holds for its part, the rest was
        // written with the default TTL (5 minutes).
        const qint64 total = usage.value(u"cache_creation_input_tokens"_s).toInteger();
        if (total < m_usage.cacheWrite1hTokens)
            m_usage.cacheWrite1hTokens = 0;
        m_usage.cacheWriteTokens = total - m_usage.cacheWrite1hTokens;
    }
}

bool ClaudeStream::account(qsizetype bytes)
{
    m_contentBytes += bytes;
    if (m_contentBytes <= m_maxContentBytes)
        return true;
    protocolError(tr("The answer is larger than %1 MB; SpawnAI stopped reading it.")
                      .arg(m_maxContentBytes / (1024 * 1024)));
    return false;
}

void ClaudeStream::protocolError(const QString &message)
{
    m_errorMessage = message;
    m_state = State::ProtocolError;
}
