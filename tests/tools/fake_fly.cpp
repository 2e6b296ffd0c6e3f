// The fake Fly.io as a program, for manual runs and end-to-end tests of the Fly provider:
//   fake_fly [--port N] [--token T] [--org SLUG] [--latency MS] [--app-start-delay MS]
// prints one line "Fly fake on http://127.0.0.1:P/v1 (domain localhost:P)" once it listens, then serves the
// Machines API (/v1), the GraphQL IP allocation (/graphql) and the apps' public hosts <app>.localhost:P until
// it is killed, printing "created app <name>" and "created machine <id> app <name> session <metadata
// spawnai_session, or ->" for every app and Machine created.
#include "fakefly.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSet>

#include <cstdio>
#include <cstdlib>
#include <limits>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"A fake Fly.io Machines API on 127.0.0.1, for tests."_s);
    parser.addHelpOption();
    const QCommandLineOption port(u"port"_s, u"Listen on port N (default: any free port)."_s, u"N"_s, u"0"_s);
    const QCommandLineOption token(u"token"_s, u"Accept only this token (default: any)."_s, u"T"_s);
    const QCommandLineOption org(u"org"_s, u"The organisation slug (default: personal)."_s, u"SLUG"_s,
                                 u"personal"_s);
    // Slower than loopback, so that a kill at a random moment can land inside a deploy.
    const QCommandLineOption latency(u"latency"_s, u"Wait MS before handling each request (default: 0)."_s,
                                     u"MS"_s, u"0"_s);
    const QCommandLineOption appStart(
        u"app-start-delay"_s, u"A started Machine's app listens MS later (default: 0)."_s, u"MS"_s, u"0"_s);
    parser.addOptions({port, token, org, latency, appStart});
    parser.process(app);

    FakeFlyServer server;
    server.setToken(parser.value(token));
    server.setOrgSlug(parser.value(org));
    server.setAppStartDelayMs(parser.value(appStart).toInt());
    if (const int ms = parser.value(latency).toInt(); ms > 0)
        server.addFault(
            {.kind = FakeFault::Kind::Delay, .delayMs = ms, .times = std::numeric_limits<int>::max()});
    if (!server.listen(quint16(parser.value(port).toUInt()))) {
        std::fprintf(stderr, "fake_fly: cannot listen on 127.0.0.1:%s\n", qPrintable(parser.value(port)));
        return 2;
    }
    // One line, flushed: a parent process reads the URL and the domain from it.
    std::printf("Fly fake on %s (domain %s)\n", qPrintable(server.apiUrl().toString()),
                qPrintable(server.domain()));
    std::fflush(stdout);
    // One line per app or Machine created, so a crash test can count the creates of each session. The server
    // has no creation signals: the new ones are looked for after each request (queued: once it is handled).
    QSet<QString> seen; // app ids and Machine ids, both random per create
    QObject::connect(
        &server, &FakeHttpServer::requestReceived, &server,
        [&server, &seen] {
            for (const FakeFlyServer::App &each : server.apps()) {
                if (!seen.contains(each.id)) {
                    seen.insert(each.id);
                    std::printf("created app %s\n", qPrintable(each.name));
                }
                for (const FakeFlyServer::Machine &machine : each.machines) {
                    if (seen.contains(machine.id))
                        continue;
                    seen.insert(machine.id);
                    std::printf("created machine %s app %s session %s\n", qPrintable(machine.id),
                                qPrintable(each.name),
                                qPrintable(machine.metadata.value(u"spawnai_session"_s, u"-"_s)));
                }
            }
            std::fflush(stdout);
        },
        Qt::QueuedConnection);
    return app.exec();
}
