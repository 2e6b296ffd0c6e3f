#include "clauderesult.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ClaudeResult", text);
}

} // namespace

QString ClaudeFailures::name(ClaudeFailure failure)
{
    switch (failure) {
    case ClaudeFailure::None:
        return u"none"_s;
    case ClaudeFailure::NoKey:
        return u"no_key"_s;
    case ClaudeFailure::BadKey:
        return u"bad_key"_s;
    case ClaudeFailure::Forbidden:
        return u"forbidden"_s;
    case ClaudeFailure::Billing:
        return u"billing"_s;
    case ClaudeFailure::RateLimited:
        return u"rate_limited"_s;
    case ClaudeFailure::SpendLimit:
        return u"spend_limit"_s;
    case ClaudeFailure::Overloaded:
        return u"overloaded"_s;
    case ClaudeFailure::Server:
        return u"server"_s;
    case ClaudeFailure::BadRequest:
        return u"bad_request"_s;
    case ClaudeFailure::TooLarge:
        return u"too_large"_s;
    case ClaudeFailure::Timeout:
        return u"timeout"_s;
    case ClaudeFailure::Network:
        return u"network"_s;
    case ClaudeFailure::Cancelled:
        return u"cancelled"_s;
    case ClaudeFailure::Truncated:
        return u"truncated"_s;
    case ClaudeFailure::Protocol:
        return u"protocol"_s;
    }
    return u"unknown"_s;
}

QString ClaudeResult::text() const
{
    QString joined;
    for (const ClaudeContentBlock &block : content) {
        if (block.kind != ClaudeContentBlock::Kind::Text)
            continue;
        if (!joined.isEmpty() && !block.text.isEmpty())
            joined += u"\n\n"_s;
        joined += block.text;
    }
    return joined;
}

const ClaudeContentBlock *ClaudeResult::toolUse(const QString &name) const
{
    for (const ClaudeContentBlock &block : content) {
        if (block.kind == ClaudeContentBlock::Kind::ToolUse && block.toolName == name)
            return &block;
    }
    return nullptr;
}

QString ClaudeResult::stopProblem() const
{
    if (stopReason == "max_tokens"_L1)
        return tr("Claude hit the output limit (max_tokens) before finishing, so the answer is cut off. "
                  "Ask for a smaller app or raise the output limit.");
    if (stopReason == "model_context_window_exceeded"_L1)
        return tr("The answer filled the model's context window before it was finished. "
                  "Shorten the prompt or the app and try again.");
    if (stopReason == "refusal"_L1) {
        const QString category = stopDetails.value(u"category"_s).toString();
        const QString explanation = stopDetails.value(u"explanation"_s).toString();
        QString text = category.isEmpty() ? tr("Claude declined this request.")
                                          : tr("Claude declined this request (%1).").arg(category);
        if (!explanation.isEmpty())
            text += u' ' + explanation;
        return text + u' ' + tr("Rephrase the prompt and try again.");
    }
    if (stopReason == "pause_turn"_L1)
        return tr("Claude paused a long turn; send the answer back to let it continue.");
    return {};
}
