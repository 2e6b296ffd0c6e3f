#pragma once

// Test helper shared by tst_claudestream and tst_ssefuzz: a ClaudeStream that records its callbacks, and a
// digest of everything it exposes, one fact per line, so that two runs (different chunking, different
// decoding path) can be compared with QCOMPARE and the first difference is readable.

#include "claude/claudestream.h"

#include <QJsonDocument>
#include <QStringList>

class RecordingStream
{
public:
    explicit RecordingStream(qsizetype maxContentBytes = ClaudeStream::DefaultMaxContentBytes)
        : m_stream(maxContentBytes)
    {
        using namespace Qt::StringLiterals;
        ClaudeStream::Callbacks callbacks;
        callbacks.textAppended = [this](int index, const QString &text) {
            m_calls.append(u"text %1: %2"_s.arg(index).arg(text));
        };
        callbacks.thinkingAppended = [this](int index, const QString &thinking) {
            m_calls.append(u"thinking %1: %2"_s.arg(index).arg(thinking));
        };
        callbacks.toolInputAppended = [this](int index, const QString &toolName, const QByteArray &fragment) {
            m_calls.append(u"tool %1 %2: %3"_s.arg(index).arg(
                toolName, QString::fromLatin1(fragment.toPercentEncoding())));
            m_toolInput += fragment;
        };
        callbacks.blockStopped = [this](int index) { m_calls.append(u"stop %1"_s.arg(index)); };
        m_stream.setCallbacks(std::move(callbacks));
    }

    Q_DISABLE_COPY_MOVE(RecordingStream) // the callbacks point at this object

    ClaudeStream &stream() { return m_stream; }
    const ClaudeStream &stream() const { return m_stream; }
    const QStringList &calls() const { return m_calls; }
    const QByteArray &toolInputFromCallbacks() const { return m_toolInput; }

    // Feeds the bytes cut at the given ascending offsets.
    void feed(QByteArrayView bytes, const QList<qsizetype> &cuts = {})
    {
        qsizetype from = 0;
        for (const qsizetype cut : cuts) {
            m_stream.feed(bytes.sliced(from, cut - from));
            from = cut;
        }
        m_stream.feed(bytes.sliced(from));
    }

    QStringList digest() const
    {
        using namespace Qt::StringLiterals;
        const auto json = [](const auto &value) {
            return QString::fromUtf8(QJsonDocument(value).toJson(QJsonDocument::Compact));
        };
        const ClaudeStream &s = m_stream;
        QStringList out;
        // Once finished the stream stops reading, so how much of the rest its parser saw depends on the
        // chunking: the partial-event flag only means something before that.
        out << u"state %1 finished %2 content %3 partial %4"_s.arg(int(s.state()))
                   .arg(s.isFinished())
                   .arg(s.receivedContent())
                   .arg(!s.isFinished() && s.hasPartialEvent());
        out << u"message %1 %2"_s.arg(s.messageId(), s.model());
        out << u"stop %1 | %2 | %3"_s.arg(s.stopReason(), s.stopSequence(), json(s.stopDetails()));
        const TokenUsage u = s.usage();
        out << u"usage in %1 out %2 write %3 write1h %4 read %5"_s.arg(u.inputTokens)
                   .arg(u.outputTokens)
                   .arg(u.cacheWriteTokens)
                   .arg(u.cacheWrite1hTokens)
                   .arg(u.cacheReadTokens);
        out << u"error %1 | %2 | %3"_s.arg(s.errorType(), s.errorMessage(), s.requestId());
        out << u"counts unknown events %1 unknown deltas %2 pings %3 deltas %4"_s.arg(s.unknownEvents())
                   .arg(s.unknownDeltas())
                   .arg(s.pings())
                   .arg(s.deltaCount());
        for (qsizetype i = 0; i < s.blocks().size(); ++i) {
            const ClaudeContentBlock &b = s.blocks().at(i);
            out << u"block %1 kind %2 type %3 complete %4"_s.arg(i)
                       .arg(int(b.kind))
                       .arg(b.type)
                       .arg(b.complete);
            out << u"  text %1"_s.arg(b.text);
            out << u"  signature %1"_s.arg(b.signature);
            out << u"  tool %1 %2"_s.arg(b.toolId, b.toolName);
            out << u"  input json %1"_s.arg(QString::fromLatin1(b.inputJson.toPercentEncoding()));
            out << u"  input valid %1 %2 | %3"_s.arg(b.inputValid).arg(json(b.input), b.inputError);
            out << u"  citations %1"_s.arg(json(b.citations));
            out << u"  start %1"_s.arg(json(b.start));
        }
        for (const QString &call : m_calls)
            out << u"call "_s + call;
        return out;
    }

private:
    ClaudeStream m_stream;
    QStringList m_calls;
    QByteArray m_toolInput;
};
