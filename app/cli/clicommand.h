#pragma once

#include <QCommandLineParser>
#include <QObject>
#include <QStringList>

// One `spawnai COMMAND`. Runs on the event loop and reports its exit code once: 0 done, 1 failed, 2 bad
// usage.
class CliCommand : public QObject
{
    Q_OBJECT
public:
    enum ExitCode { Success = 0, Failure = 1, Usage = 2 };

    using QObject::QObject;
    virtual void start(const QStringList &arguments) = 0;

signals:
    void finished(int exitCode);

protected:
    // Ends the command (later, from the event loop), once.
    void finish(int exitCode);
    struct Syntax
    {
        QString usage; // "deploy [options] PATH"
        QString description;
        int minPositional = 0; // after the command's name
        int maxPositional = 0;
    };
    // Parses `arguments` ("spawnai", the command's name, the rest). Prints the help or the usage error and
    // finishes when the command should not go on.
    bool parse(QCommandLineParser &parser, const QStringList &arguments, const Syntax &syntax);
    // The positional arguments after the command's name.
    static QStringList operands(const QCommandLineParser &parser);

private:
    bool m_finished = false;
};
