// The fake E2B (control plane, envd and port proxy on one port) as a program, for manual runs and benchmarks:
//   fake_e2b [--port N] [--api-key K] [--plan hobby|pro] [--latency MS] [--app-start-delay MS]
// Prints "E2B fake on http://127.0.0.1:P (domain localhost:P)" once it listens, then runs until killed,
// printing "created <sandboxID> session <metadata spawnai-session, or ->" for every sandbox created. Clients
// send sandbox requests to 127.0.0.1:P with the Host <port>-<sandboxID>.localhost:P.
#include "fakee2b.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>
#include <limits>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"A fake E2B API (control plane, envd, port proxy) on 127.0.0.1."_s);
    parser.addHelpOption();
    const QCommandLineOption port(u"port"_s, u"Listen on port N (default: any free port)."_s, u"N"_s, u"0"_s);
    const QCommandLineOption apiKey(u"api-key"_s, u"Accept only this API key (default: any)."_s, u"K"_s);
    const QCommandLineOption plan(u"plan"_s, u"hobby (1 h, 20 sandboxes) or pro (24 h, 100; default)."_s,
                                  u"PLAN"_s, u"pro"_s);
    // Slower than loopback, so that a kill at a random moment can land inside a deploy.
    const QCommandLineOption latency(u"latency"_s, u"Wait MS before handling each request (default: 0)."_s,
                                     u"MS"_s, u"0"_s);
    const QCommandLineOption appStart(u"app-start-delay"_s, u"A started app listens MS later (default: 0)."_s,
                                      u"MS"_s, u"0"_s);
    parser.addOptions({port, apiKey, plan, latency, appStart});
    parser.process(app);
    if (parser.value(plan) != u"hobby" && parser.value(plan) != u"pro") {
        std::fprintf(stderr, "fake_e2b: --plan must be hobby or pro\n");
        return 2;
    }

    FakeE2bServer server;
    server.setApiKey(parser.value(apiKey));
    server.setPlan(parser.value(plan) == u"hobby" ? FakeE2bServer::Plan::Hobby : FakeE2bServer::Plan::Pro);
    server.setAppStartDelayMs(parser.value(appStart).toInt());
    if (const int ms = parser.value(latency).toInt(); ms > 0)
        server.addFault(
            {.kind = FakeFault::Kind::Delay, .delayMs = ms, .times = std::numeric_limits<int>::max()});
    if (!server.listen(quint16(parser.value(port).toUInt()))) {
        std::fprintf(stderr, "fake_e2b: cannot listen on 127.0.0.1:%s\n", qPrintable(parser.value(port)));
        return 2;
    }
    std::printf("E2B fake on %s (domain %s)\n", qPrintable(server.apiUrl().toString()),
                qPrintable(server.domain()));
    std::fflush(stdout);
    // One line per create, flushed at once, so a crash test can count the creates of each session.
    QObject::connect(&server, &FakeE2bServer::sandboxCreated, &server, [&server](const QString &id) {
        const QString session = server.sandbox(id)->metadata.value(u"spawnai-session"_s, u"-"_s);
        std::printf("created %s session %s\n", qPrintable(id), qPrintable(session));
        std::fflush(stdout);
    });
    return app.exec();
}
