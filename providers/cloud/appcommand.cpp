#include "appcommand.h"

#include <QProcess>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace AppCommand {

QString shellQuote(const QString &word)
{
    static const QString safe = u"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%"_s;
    if (!word.isEmpty() && std::all_of(word.cbegin(), word.cend(), [](QChar c) { return safe.contains(c); }))
        return word;
    QString quoted = word;
    quoted.replace(u'\'', u"'\\''"_s);
    return u'\'' + quoted + u'\'';
}

QString shellLine(const AppBundle &bundle, const QString &folder, qint64 deadlineSeconds)
{
    QStringList steps{u"cd "_s + shellQuote(folder)};
    if (bundle.manifest.runtime == Runtime::Python && bundle.files.contains(u"requirements.txt"_s))
        steps << u"python3 -m pip install --quiet --user -r requirements.txt"_s;
    if (bundle.manifest.runtime == Runtime::Node && bundle.files.contains(u"package.json"_s))
        steps << u"npm install --omit=dev --no-audit --no-fund"_s;

    QStringList program;
    if (bundle.manifest.runtime == Runtime::Static) {
        program = {u"python3"_s, u"-m"_s,     u"http.server"_s, QString::number(bundle.manifest.port),
                   u"--bind"_s,  u"0.0.0.0"_s};
    } else {
        program = QProcess::splitCommand(bundle.manifest.start);
    }
    QStringList quoted;
    for (const QString &word : std::as_const(program))
        quoted << shellQuote(word);
    QString run = u"exec "_s;
    if (deadlineSeconds > 0)
        run += u"timeout "_s + QString::number(deadlineSeconds) + u' ';
    steps << run + quoted.join(u' ');
    return steps.join(u" && "_s);
}

} // namespace AppCommand
