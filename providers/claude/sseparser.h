#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

// One dispatched Server-Sent Event. Bytes as they came: nothing is decoded, so a UTF-8 sequence that
// straddled network chunks is whole again here and the caller decodes once (JSON parsers take UTF-8).
struct SseEvent
{
    QByteArray event; // the "event:" field; "message" when the event had none (WHATWG)
    QByteArray data;  // "data:" lines joined with '\n'
    QByteArray id;    // the last event ID in effect when the event was dispatched
};

inline bool operator==(const SseEvent &a, const SseEvent &b)
{
    return a.event == b.event && a.data == b.data && a.id == b.id;
}

// An incremental text/event-stream parser following the WHATWG "event stream interpretation" rules:
// CRLF, LF and CR line ends (also split across chunks), a leading BOM, comments, fields without a colon,
// one optional space after the colon, multi-line data. An event without a terminating blank line is never
// dispatched. Lines are found with memchr rather than byte by byte, and a line is copied only when it
// straddles two chunks, so the parser runs at memory speed.
//
// An event whose data plus any one of its lines (complete or not) is larger than maxEventSize puts the
// parser in an error state instead of growing without bound; after that feed() ignores its input until
// reset(). The verdict depends only on the bytes, never on how they were split into chunks.
class SseParser
{
public:
    static constexpr qsizetype DefaultMaxEventSize = 16 * 1024 * 1024;

    explicit SseParser(qsizetype maxEventSize = DefaultMaxEventSize);

    void feed(QByteArrayView chunk);
    // The events completed so far, oldest first; the parser forgets them.
    QList<SseEvent> take();
    bool hasEvents() const { return !m_events.isEmpty(); }

    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }

    // Some bytes of an event arrived but not its terminating blank line (what end of stream would drop).
    bool hasPartialEvent() const;
    // The ID to reconnect with (Last-Event-ID): set from "id:" fields when an event ends at a blank line, so
    // an event cut off by the end of the stream does not move it.
    QByteArray lastEventId() const { return m_lastEventId; }
    int retryMs() const { return m_retryMs; } // -1 until the stream sent a valid "retry:" field
    qint64 bytesFed() const { return m_bytesFed; }

    void reset();

private:
    void feedLines(QByteArrayView chunk);
    void processLine(QByteArrayView line);
    void dispatch();
    void fail(const QString &error);

    qsizetype m_maxEventSize;
    QList<SseEvent> m_events;
    QByteArray m_pending; // an unfinished line carried over from the previous chunk
    QByteArray m_data;
    QByteArray m_eventType;
    QByteArray m_lastEventType; // the previous event's type, shared instead of copied when it repeats
    QByteArray m_idBuffer;      // the last "id:" value seen, even inside an unfinished event
    QByteArray m_lastEventId;
    QString m_error;
    qint64 m_bytesFed = 0;
    int m_retryMs = -1;
    int m_bomBytesSeen = 0; // 0..3: how much of a leading BOM has been matched; -1 once decided
    bool m_hasData = false;
    bool m_hasFields = false; // any field line since the last dispatch (for hasPartialEvent)
    bool m_skipLf = false;    // the previous chunk ended in CR: a LF starting this one belongs to it
};
