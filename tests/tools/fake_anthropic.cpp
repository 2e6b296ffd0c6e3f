// The fake Anthropic API as a program, for manual runs, CLI tests and benchmarks:
//   fake_anthropic --port-file FILE [--port N] [--key KEY] [--app DIR] [--chunk N --delay MS]
// Every POST /v1/messages is answered with a streamed write_app call carrying the app in DIR (all files, read
// as SpawnAI reads an app folder: spawnai.json, or a manifest inferred from the entry point), or a small
// built-in static app without --app. GET /v1/models lists the current lineup. The port is
// written to FILE once the server listens; the program runs until it is killed.
#include "appbundle.h"
#include "bundlefolder.h"
#include "fakeanthropic.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QSaveFile>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

[[noreturn]] void fail(const QString &message)
{
    std::fprintf(stderr, "fake_anthropic: %s\n", qPrintable(message));
    std::exit(2);
}

// The app as SpawnAI itself reads the folder (manifest from spawnai.json or inferred from the entry point).
QJsonObject appFromFolder(const QString &dir)
{
    const Result<AppBundle> bundle = BundleFolder::load(dir);
    if (!bundle)
        fail(bundle.error());
    QJsonArray files;
    for (auto it = bundle->files.cbegin(); it != bundle->files.cend(); ++it)
        files.append(QJsonObject{{u"path"_s, it.key()}, {u"content"_s, QString::fromUtf8(it.value())}});
    const AppManifest &manifest = bundle->manifest;
    return {{u"title"_s, manifest.title},
            {u"runtime"_s, Runtimes::name(manifest.runtime)},
            {u"start_command"_s, manifest.start},
            {u"port"_s, manifest.port},
            {u"files"_s, files}};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"A fake Anthropic Messages API on 127.0.0.1, for tests."_s);
    parser.addHelpOption();
    const QCommandLineOption portFile(u"port-file"_s, u"Write the port to FILE once listening."_s, u"FILE"_s);
    const QCommandLineOption port(u"port"_s, u"Listen on port N (default: any free port)."_s, u"N"_s, u"0"_s);
    const QCommandLineOption key(u"key"_s, u"Accept only this API key (default: any)."_s, u"KEY"_s);
    const QCommandLineOption appDir(u"app"_s, u"Answer with the app in DIR."_s, u"DIR"_s);
    const QCommandLineOption chunk(u"chunk"_s, u"Send the stream N bytes at a time."_s, u"N"_s, u"0"_s);
    const QCommandLineOption delay(u"delay"_s, u"Wait MS milliseconds between chunks."_s, u"MS"_s, u"0"_s);
    parser.addOptions({portFile, port, key, appDir, chunk, delay});
    parser.process(app);
    if (!parser.isSet(portFile))
        fail(u"--port-file is required"_s);

    const QJsonObject toolInput =
        parser.isSet(appDir) ? appFromFolder(parser.value(appDir)) : FakeStreams::sampleApp();
    FakeReply reply;
    reply.body = FakeStreams::toolAnswer(u"Here is your app."_s, toolInput);
    reply.chunkSize = parser.value(chunk).toInt();
    reply.chunkDelayMs = parser.value(delay).toInt();

    FakeAnthropicServer server;
    server.setApiKey(parser.value(key));
    server.setDefaultReply(reply);
    if (!server.listen(quint16(parser.value(port).toUInt())))
        fail(u"cannot listen on 127.0.0.1:%1"_s.arg(parser.value(port)));

    // Written whole or not at all: a reader polling for the file never sees half a number.
    QSaveFile file(parser.value(portFile));
    if (!file.open(QIODevice::WriteOnly) || file.write(QByteArray::number(server.port()) + '\n') < 0 ||
        !file.commit())
        fail(u"cannot write %1: %2"_s.arg(parser.value(portFile), file.errorString()));
    return app.exec();
}
