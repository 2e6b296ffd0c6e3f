// Writes to a Store in a loop until it is killed; tst_storecrash kills it with SIGKILL at random moments.
// Each write is acknowledged on stdout only after the Store call returned ok, one line per write:
//   ready
//   S <session> <state> <events>   inserted      T <session> <state> <events>   transitioned
//   E <session> <state> <events>   event added   R <revision>                    revision saved
//   P <n>                          prompt "crash prompt <n>" added
// <events> is how many events of that session have been acknowledged so far.

#include "store.h"

#include <QCoreApplication>
#include <QUuid>

#include <array>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

// One line, one write(2) on the pipe, flushed before the next write to the store.
void ack(const QString &line)
{
    const QByteArray bytes = line.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

[[noreturn]] void fail(const QString &what)
{
    std::fprintf(stderr, "store_writer: %s\n", qPrintable(what));
    std::exit(1);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: store_writer <database>\n");
        return 2;
    }
    auto opened = Store::open(QString::fromLocal8Bit(argv[1]));
    if (!opened)
        fail(opened.error());
    const std::unique_ptr<Store> store = std::move(opened).value();
    ack(u"ready"_s);

    // The path every session walks; tst_storecrash knows it too, to accept one committed but unacknowledged
    // step.
    using S = SessionState;
    constexpr std::array kPath = {S::Draft,    S::Generating, S::Ready,    S::Provisioning, S::Uploading,
                                  S::Starting, S::Running,    S::Stopping, S::Ended};
    const QString owner = u"store-writer-%1"_s.arg(QCoreApplication::applicationPid());
    QString parentRevision;
    for (qint64 n = 0;; ++n) {
        Session s;
        s.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        s.name = u"crash %1 ⚡"_s.arg(n);
        s.provider = u"local"_s;
        s.owner = owner;
        s.ttlSeconds = 7200;
        s.createdAt = QDateTime::currentDateTimeUtc();
        if (auto r = store->insertSession(s); !r)
            fail(r.error());
        int events = 1;
        ack(u"S %1 %2 %3"_s.arg(s.id).arg(int(s.state)).arg(events));

        if (auto r = store->addPrompt(u"crash prompt %1"_s.arg(n), s.id); !r)
            fail(r.error());
        ack(u"P %1"_s.arg(n));

        for (std::size_t step = 1; step < kPath.size(); ++step) {
            if (kPath[step] == S::Uploading) {
                AppBundle bundle;
                bundle.manifest.title = s.name;
                bundle.files.insert(u"index.html"_s, u"<h1>%1</h1>"_s.arg(n).toUtf8());
                bundle.files.insert(u"data.bin"_s, QByteArray(int(1000 + n % 3000), char(n)));
                auto saved = store->saveRevision(bundle, parentRevision, u"crash prompt %1"_s.arg(n));
                if (!saved)
                    fail(saved.error());
                parentRevision = *saved;
                s.revisionId = *saved;
                ack(u"R %1"_s.arg(*saved));
            }
            if (kPath[step] == S::Running) {
                s.startedAt = QDateTime::currentDateTimeUtc();
                s.expiresAt = s.startedAt.addSecs(s.ttlSeconds);
                s.url = QUrl(u"http://127.0.0.1:%1/"_s.arg(20000 + n % 10000));
            }
            if (auto r = store->transition(s, kPath[step], u"step %1"_s.arg(step)); !r)
                fail(r.error());
            ack(u"T %1 %2 %3"_s.arg(s.id).arg(int(s.state)).arg(++events));
            if (step % 3 == 0) {
                if (auto r = store->appendEvent(s.id, u"note"_s, u"after step %1"_s.arg(step)); !r)
                    fail(r.error());
                ack(u"E %1 %2 %3"_s.arg(s.id).arg(int(s.state)).arg(++events));
            }
        }
    }
}
