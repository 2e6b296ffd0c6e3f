#include "redactor.h"

#include <QMutex>
#include <QRegularExpression>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Redactor {

namespace {

constexpr auto kMask = "[redacted]"_L1;

QMutex &mutex()
{
    static QMutex m;
    return m;
}

QSet<QString> &secrets()
{
    static QSet<QString> s;
    return s;
}

const QRegularExpression &keyShapes()
{
    // sk-ant-… (Anthropic), e2b_… (E2B), fm1r_/fm1a_/fm2_… macaroons (Fly), dop_v1_… (DigitalOcean), and the
    // value of credential headers or token/key/secret query parameters.
    static const QRegularExpression re(
        uR"((sk-ant-[A-Za-z0-9_\-]{8,}|\be2b_[0-9a-fA-F]{8,}|\bfm[12][ar]?_[A-Za-z0-9_+/=\-]{8,}|\bdop_v1_[0-9a-fA-F]{8,})|((?:authorization|x-api-key|x-access-token|proxy-authorization|cookie|set-cookie)\s*[:=]\s*)([^\r\n,;]+)|([?&](?:token|key|secret|access_token)=)([^&\s]+))"_s,
        QRegularExpression::CaseInsensitiveOption);
    return re;
}

QtMessageHandler &previousHandler()
{
    static QtMessageHandler handler = nullptr;
    return handler;
}

void redactingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (QtMessageHandler previous = previousHandler())
        previous(type, context, redact(message));
}

} // namespace

void addSecret(const QString &secret)
{
    const QString trimmed = secret.trimmed();
    if (trimmed.size() < 6) // too short to mask without masking ordinary words
        return;
    QMutexLocker lock(&mutex());
    secrets().insert(trimmed);
}

void removeSecret(const QString &secret)
{
    QMutexLocker lock(&mutex());
    secrets().remove(secret.trimmed());
}

QString redact(QString text)
{
    {
        QMutexLocker lock(&mutex());
        for (const QString &secret : std::as_const(secrets()))
            text.replace(secret, kMask);
    }
    QString out;
    qsizetype last = 0;
    QRegularExpressionMatchIterator it = keyShapes().globalMatch(text);
    if (!it.hasNext())
        return text;
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        out += QStringView(text).sliced(last, m.capturedStart() - last);
        if (m.capturedLength(1) > 0)
            out += kMask;
        else if (m.capturedLength(2) > 0)
            out += m.captured(2) + kMask;
        else
            out += m.captured(4) + kMask;
        last = m.capturedEnd();
    }
    out += QStringView(text).sliced(last);
    return out;
}

void installMessageHandler()
{
    QtMessageHandler previous = qInstallMessageHandler(redactingHandler);
    if (previous != redactingHandler)
        previousHandler() = previous;
}

} // namespace Redactor
