#pragma once

#include <QFile>
#include <QPlainTextEdit>
#include <QTimer>

// The selected session's output, live: the log file is followed as it grows.
class LogPane final : public QPlainTextEdit
{
    Q_OBJECT
public:
    static constexpr int kMaxLines = 5000; // older lines scroll away; the file keeps everything

    explicit LogPane(QWidget *parent = nullptr);
    void follow(const QString &logPath, const QString &emptyText);
    void stop();

private:
    void readMore();

    QFile m_file;
    QTimer m_poll;
    QString m_emptyText;
};
