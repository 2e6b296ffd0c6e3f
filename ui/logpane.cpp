#include "logpane.h"

#include <QFontDatabase>
#include <QScrollBar>

using namespace std::chrono_literals;

LogPane::LogPane(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setMaximumBlockCount(kMaxLines);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_poll.setInterval(250ms);
    connect(&m_poll, &QTimer::timeout, this, &LogPane::readMore);
}

void LogPane::follow(const QString &logPath, const QString &emptyText)
{
    if (m_file.fileName() == logPath && m_file.isOpen())
        return;
    stop();
    clear();
    m_emptyText = emptyText;
    setPlaceholderText(emptyText);
    m_file.setFileName(logPath);
    m_poll.start();
    readMore();
}

void LogPane::stop()
{
    m_poll.stop();
    m_file.close();
    m_file.setFileName(QString());
}

void LogPane::readMore()
{
    if (!m_file.isOpen() && !m_file.open(QIODevice::ReadOnly))
        return; // the app has not written anything yet
    if (m_file.size() > 2 * 1024 * 1024 && m_file.pos() == 0)
        m_file.seek(m_file.size() - 2 * 1024 * 1024); // a huge log: its end is what matters
    const QByteArray chunk = m_file.read(256 * 1024);
    if (chunk.isEmpty())
        return;
    QScrollBar *bar = verticalScrollBar();
    const bool atEnd = bar->value() == bar->maximum();
    moveCursor(QTextCursor::End);
    insertPlainText(QString::fromUtf8(chunk));
    if (atEnd)
        bar->setValue(bar->maximum());
}
