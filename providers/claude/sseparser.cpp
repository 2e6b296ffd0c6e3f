#include "sseparser.h"

#include <QCoreApplication>
#include <QLocale>

#include <cstring>

namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";

const char *findByte(const char *from, const char *end, char byte)
{
    return static_cast<const char *>(std::memchr(from, byte, size_t(end - from)));
}

QString tr(const char *text)
{
    return QCoreApplication::translate("SseParser", text);
}

QString tooLarge(qsizetype maxEventSize)
{
    return tr("An event in the stream is larger than %1.").arg(QLocale().formattedDataSize(maxEventSize));
}

} // namespace

SseParser::SseParser(qsizetype maxEventSize)
    : m_maxEventSize(maxEventSize)
{}

void SseParser::reset()
{
    *this = SseParser(m_maxEventSize);
}

QList<SseEvent> SseParser::take()
{
    return std::exchange(m_events, {});
}

bool SseParser::hasPartialEvent() const
{
    return m_hasFields || !m_pending.isEmpty() || m_bomBytesSeen > 0;
}

void SseParser::fail(const QString &error)
{
    m_error = error;
    m_pending = QByteArray();
    m_data = QByteArray();
    m_hasData = false;
}

void SseParser::feed(QByteArrayView chunk)
{
    if (hasError() || chunk.isEmpty())
        return;
    m_bytesFed += chunk.size();

    // A BOM is only stripped at the very start of the stream, and it may arrive one byte at a time.
    if (m_bomBytesSeen >= 0) {
        qsizetype i = 0;
        while (m_bomBytesSeen < 3 && i < chunk.size() && chunk[i] == kBom[m_bomBytesSeen]) {
            ++m_bomBytesSeen;
            ++i;
        }
        if (m_bomBytesSeen < 3 && i == chunk.size())
            return; // still a possible BOM: wait for more
        const int matched = m_bomBytesSeen;
        m_bomBytesSeen = -1;
        chunk = chunk.sliced(i);
        if (matched < 3 && matched > 0) {
            // Not a BOM after all: what looked like its start is ordinary input.
            feedLines(QByteArrayView(kBom, matched));
            if (hasError())
                return;
        }
    }
    feedLines(chunk);
}

void SseParser::feedLines(QByteArrayView chunk)
{
    const char *p = chunk.data();
    const char *const end = p + chunk.size();
    if (m_skipLf && p < end) {
        m_skipLf = false;
        if (*p == '\n')
            ++p;
    }

    // Both line-end bytes are searched with memchr; each search result is reused until passed, so a
    // stream that never uses one of them costs a single failed scan per chunk.
    const char *nextLf = nullptr;
    const char *nextCr = nullptr;
    bool lfKnown = false;
    bool crKnown = false;
    while (p < end) {
        if (!lfKnown || (nextLf && nextLf < p)) {
            nextLf = findByte(p, end, '\n');
            lfKnown = true;
        }
        if (!crKnown || (nextCr && nextCr < p)) {
            nextCr = findByte(p, end, '\r');
            crKnown = true;
        }
        const char *eol = nextLf;
        if (nextCr && (!eol || nextCr < eol))
            eol = nextCr;

        if (!eol) {
            // The same limit processLine() applies to the whole line, checked early so that a line that
            // never ends cannot grow without bound.
            if (m_pending.size() + (end - p) + m_data.size() > m_maxEventSize) {
                fail(tooLarge(m_maxEventSize));
                return;
            }
            m_pending.append(p, end - p);
            return;
        }

        const QByteArrayView line(p, eol - p);
        if (m_pending.isEmpty()) {
            processLine(line);
        } else {
            m_pending.append(line);
            processLine(m_pending);
            // Keep the capacity for the next straddling line, unless a huge line made it large.
            if (m_pending.capacity() > 64 * 1024)
                m_pending = QByteArray();
            else
                m_pending.resize(0);
        }
        if (hasError())
            return;

        p = eol + 1;
        if (*eol == '\r') {
            if (p < end) {
                if (*p == '\n')
                    ++p;
            } else {
                m_skipLf = true;
            }
        }
    }
}

void SseParser::processLine(QByteArrayView line)
{
    if (line.isEmpty()) {
        dispatch();
        return;
    }
    // Whole lines are measured (field name included) so that the verdict does not depend on how the
    // stream was cut into chunks.
    if (line.size() + m_data.size() > m_maxEventSize) {
        fail(tooLarge(m_maxEventSize));
        return;
    }
    if (line.front() == ':')
        return; // comment

    QByteArrayView field = line;
    QByteArrayView value;
    const void *colon = std::memchr(line.data(), ':', size_t(line.size()));
    if (colon) {
        const qsizetype at = static_cast<const char *>(colon) - line.data();
        field = line.first(at);
        value = line.sliced(at + 1);
        if (!value.isEmpty() && value.front() == ' ')
            value = value.sliced(1);
    }
    m_hasFields = true;

    if (field == "data") {
        if (m_hasData)
            m_data.append('\n');
        m_data.append(value);
        m_hasData = true;
    } else if (field == "event") {
        // Event names repeat ("content_block_delta" thousands of times): share the previous buffer.
        m_eventType = value == m_lastEventType ? m_lastEventType : value.toByteArray();
    } else if (field == "id") {
        if (!std::memchr(value.data(), '\0', size_t(value.size())))
            m_idBuffer = value.toByteArray();
    } else if (field == "retry") {
        bool digits = !value.isEmpty() && value.size() <= 9;
        for (const char c : value)
            digits = digits && c >= '0' && c <= '9';
        if (digits)
            m_retryMs = value.toInt();
    }
    // Any other field is ignored, as the standard requires.
}

void SseParser::dispatch()
{
    m_hasFields = false;
    m_lastEventId = m_idBuffer; // WHATWG: set on every blank line, whether or not an event is dispatched
    if (!m_eventType.isEmpty())
        m_lastEventType = m_eventType;
    if (!m_hasData) {
        // Nothing to dispatch; the event type does not carry over to the next event.
        m_eventType = QByteArray();
        return;
    }
    static const QByteArray message = QByteArrayLiteral("message");
    SseEvent event;
    event.event = m_eventType.isEmpty() ? message : m_eventType;
    event.data = std::move(m_data);
    event.id = m_lastEventId;
    m_events.append(std::move(event));
    m_data = QByteArray();
    m_hasData = false;
    m_eventType = QByteArray(); // the spec empties the type buffer after each dispatch
}
