// A fake freedesktop notification server (org.freedesktop.Notifications, spec 1.2) for the tests: it owns
// the name on the session bus it is given (always a private test bus), records every call as one JSON line
// on stdout, and takes orders on stdin:
//   invoke <id> <key>    emit ActionInvoked(id, key), then NotificationClosed(id, 2) as servers do
//   close <id> <reason>  emit NotificationClosed(id, reason)
//   quit                 leave (so does end of input)
// Options: --no-actions leaves "actions" out of GetCapabilities. Prints "ready" once the name is owned.
#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSocketNotifier>
#include <QVariantMap>

#include <cstdio>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
const QString kService = u"org.freedesktop.Notifications"_s;
const QString kPath = u"/org/freedesktop/Notifications"_s;

void writeLine(const QJsonObject &record)
{
    const QByteArray line = QJsonDocument(record).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, std::size_t(line.size()), stdout);
    std::fflush(stdout);
}

QJsonValue toJson(const QVariant &value)
{
    // Hints arrive as D-Bus variants: a byte (urgency) is a uchar, which JSON has no name for.
    if (value.metaType().id() == QMetaType::UChar)
        return int(value.value<uchar>());
    return QJsonValue::fromVariant(value);
}
} // namespace

class FakeNotifications final : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    FakeNotifications(QDBusConnection bus, bool actions, QObject *parent = nullptr)
        : QObject(parent)
        , m_bus(bus)
        , m_actions(actions)
    {}

    void command(const QByteArray &line)
    {
        const QList<QByteArray> words = line.simplified().split(' ');
        if (words.value(0) == "invoke" && words.size() == 3) {
            const uint id = words.at(1).toUInt();
            emitSignal(u"ActionInvoked"_s, {id, QString::fromUtf8(words.at(2))});
            close(id, 2); // dismissed by the user: what servers do after an action
        } else if (words.value(0) == "close" && words.size() == 3) {
            close(words.at(1).toUInt(), words.at(2).toUInt());
        } else if (words.value(0) == "quit") {
            QCoreApplication::quit();
        } else if (!line.trimmed().isEmpty()) {
            std::fprintf(stderr, "fake_notifications: unknown command: %s\n", line.constData());
        }
    }

public slots:
    Q_SCRIPTABLE QStringList GetCapabilities()
    {
        writeLine({{u"method"_s, u"GetCapabilities"_s}});
        return m_actions ? QStringList{u"actions"_s, u"body"_s} : QStringList{u"body"_s};
    }

    Q_SCRIPTABLE QString GetServerInformation(QString &vendor, QString &version, QString &specVersion)
    {
        writeLine({{u"method"_s, u"GetServerInformation"_s}});
        vendor = u"SpawnAI tests"_s;
        version = u"1"_s;
        specVersion = u"1.2"_s;
        return u"fake_notifications"_s;
    }

    Q_SCRIPTABLE uint Notify(const QString &appName, uint replacesId, const QString &appIcon,
                             const QString &summary, const QString &body, const QStringList &actions,
                             const QVariantMap &hints, int expireTimeout)
    {
        // As the spec says: replacing an open notification keeps its id; otherwise a new one.
        const uint id = replacesId != 0 && m_open.contains(replacesId) ? replacesId : m_nextId++;
        m_open.insert(id);
        QJsonObject jsonHints;
        for (auto it = hints.cbegin(); it != hints.cend(); ++it)
            jsonHints.insert(it.key(), toJson(it.value()));
        writeLine({{u"method"_s, u"Notify"_s},
                   {u"id"_s, qint64(id)},
                   {u"app_name"_s, appName},
                   {u"replaces_id"_s, qint64(replacesId)},
                   {u"app_icon"_s, appIcon},
                   {u"summary"_s, summary},
                   {u"body"_s, body},
                   {u"actions"_s, QJsonArray::fromStringList(actions)},
                   {u"hints"_s, jsonHints},
                   {u"expire_timeout"_s, expireTimeout}});
        return id;
    }

    Q_SCRIPTABLE void CloseNotification(uint id)
    {
        writeLine({{u"method"_s, u"CloseNotification"_s}, {u"id"_s, qint64(id)}});
        close(id, 3);
    }

private:
    void close(uint id, uint reason)
    {
        if (m_open.remove(id))
            emitSignal(u"NotificationClosed"_s, {id, reason});
    }

    void emitSignal(const QString &name, const QVariantList &arguments)
    {
        QDBusMessage signal = QDBusMessage::createSignal(kPath, kService, name);
        signal.setArguments(arguments);
        m_bus.send(signal);
    }

    QDBusConnection m_bus;
    bool m_actions = true;
    uint m_nextId = 100; // not 1: a test confusing an id with a count fails
    QSet<uint> m_open;
};

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const bool actions = !QCoreApplication::arguments().contains(u"--no-actions"_s);
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        std::fprintf(stderr, "fake_notifications: no session bus\n");
        return 2;
    }
    FakeNotifications server(bus, actions);
    if (!bus.registerObject(kPath, &server, QDBusConnection::ExportScriptableSlots)) {
        std::fprintf(stderr, "fake_notifications: cannot register the object\n");
        return 2;
    }
    // Never queued and never replacing: on a bus where a real server runs, this fake gives up.
    const auto owned = bus.interface()->registerService(kService, QDBusConnectionInterface::DontQueueService,
                                                        QDBusConnectionInterface::DontAllowReplacement);
    if (!owned.isValid() || owned.value() != QDBusConnectionInterface::ServiceRegistered) {
        std::fprintf(stderr, "fake_notifications: %s is taken\n", qPrintable(kService));
        return 3;
    }

    QByteArray input;
    QSocketNotifier stdinReady(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&stdinReady, &QSocketNotifier::activated, &server, [&] {
        char buffer[1024];
        const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (got <= 0) { // the test is gone or done with us
            stdinReady.setEnabled(false);
            QCoreApplication::quit();
            return;
        }
        input.append(buffer, got);
        qsizetype newline;
        while ((newline = input.indexOf('\n')) >= 0) {
            server.command(input.left(newline));
            input.remove(0, newline + 1);
        }
    });

    std::fputs("ready\n", stdout);
    std::fflush(stdout);
    return QCoreApplication::exec();
}

#include "fake_notifications.moc"
