#pragma once

#include "pricingcatalogue.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

// Why a call to the Anthropic API did not succeed, typed so the UI and CLI can offer the next step.
enum class ClaudeFailure {
    None,
    NoKey,       // no API key configured: nothing was sent
    BadKey,      // 401 authentication_error
    Forbidden,   // 403 permission_error
    Billing,     // 402 billing_error
    RateLimited, // 429 rate_limit_error (retries exhausted, or retry-after beyond what we wait for)
    SpendLimit,  // 429 with error.details.error_code = enforced_spend_limit_reached: no point retrying
    Overloaded,  // 529 or an overloaded_error event
    Server,      // 5xx, api_error
    BadRequest,  // 400/404/422, including a prompt over the context window
    TooLarge,    // 413 request_too_large
    Timeout,     // no answer within the connect timeout, or the stream went silent
    Network,     // connection failed, TLS, refused endpoint (http:// to a remote host, cross-host redirect)
    Cancelled,   // cancel() was called
    Truncated,   // the stream ended without message_stop
    Protocol,    // malformed SSE or JSON, an answer that is not what the API documents
};

namespace ClaudeFailures {
QString name(ClaudeFailure failure); // stable identifier for logs and JSON ("bad_key", ...)
}

// One block of the assistant's answer, in the order of the API's `content` array.
struct ClaudeContentBlock
{
    enum class Kind { Text, Thinking, RedactedThinking, ToolUse, ServerToolUse, Other };
    Kind kind = Kind::Other;
    QString type;       // the API's name for it ("text", "tool_use", "web_search_tool_result", ...)
    QString text;       // Text: the text; Thinking: the thinking
    QString signature;  // Thinking: opaque, must be sent back unchanged on the next turn
    QString toolId;     // ToolUse/ServerToolUse
    QString toolName;   // ToolUse/ServerToolUse
    QByteArray inputJson; // the tool input as streamed (UTF-8 JSON text)
    QJsonObject input;    // inputJson parsed once, at content_block_stop
    bool inputValid = false;
    QString inputError;   // why inputJson is not a JSON object (cut off, malformed)
    QJsonArray citations; // Text: citations_delta payloads
    QJsonObject start;    // the content_block skeleton as it arrived (redacted_thinking "data", server results)
    bool complete = false; // content_block_stop arrived
};

// Common to every Claude job's result: ok, or a typed failure with a message for people.
struct ClaudeOutcome
{
    ClaudeFailure failure = ClaudeFailure::None;
    QString message;    // translated, actionable; empty on success
    int httpStatus = 0; // of the last attempt; 0 when no HTTP answer came
    QString errorType;  // the API's error.type ("overloaded_error", ...) when it sent one
    QString requestId;  // request-id header or error body: show it in error details
    int attempts = 0;   // HTTP requests made (1 + retries)
    int retryAfterMs = -1; // RateLimited: how long the API asked us to wait, when it said

    bool ok() const { return failure == ClaudeFailure::None; }
};

// What a generation produced. Content that arrived is kept even when the call failed part-way.
struct ClaudeResult : ClaudeOutcome
{
    QString messageId;
    QString model;
    QString stopReason; // "end_turn", "tool_use", "max_tokens", "refusal", ...; empty if the stream ended early
    QString stopSequence;
    QJsonObject stopDetails; // refusal: {type, category, explanation}
    TokenUsage usage;
    QList<ClaudeContentBlock> content;

    // All text blocks joined (the commentary besides the tool call).
    QString text() const;
    // The first tool_use block with that name, or nullptr.
    const ClaudeContentBlock *toolUse(const QString &name) const;
    // Why a complete answer is still not usable (max_tokens cut it off, a refusal, ...), for people; empty
    // when the stop reason is an ordinary end.
    QString stopProblem() const;
};

struct ClaudeModelInfo
{
    QString id;
    QString displayName;
    QDateTime createdAt; // UTC
    qint64 maxInputTokens = 0; // 0 when the API did not say
    qint64 maxTokens = 0;
};

struct ClaudeModelsResult : ClaudeOutcome
{
    QList<ClaudeModelInfo> models; // newest first, as the API lists them
};

Q_DECLARE_METATYPE(ClaudeResult)
Q_DECLARE_METATYPE(ClaudeModelsResult)
