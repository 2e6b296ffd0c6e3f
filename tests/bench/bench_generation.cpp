// Is the window responsive while Claude streams an app into it? The real window (offscreen unless
// QT_QPA_PLATFORM says otherwise) generates from fake_anthropic, a separate process streaming an app with a
// 50 KB file as fast as the socket takes it. A 1 ms timer on the UI thread measures the longest time the
// event loop was blocked. Target (issue 4): never blocked more than 50 ms. Needs the keyring of
// scripts/test-session.sh: scripts/test-session.sh build/bench/bin/bench_generation [RUNS] [FILE_KB]
#include "appcore.h"
#include "apppane.h"
#include "mainwindow.h"
#include "promptpane.h"
#include "secretstore.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QPlainTextEdit>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

// A static app whose script is `kilobytes` of realistic JavaScript.
void writeApp(const QString &dir, int kilobytes)
{
    QDir().mkpath(dir);
    QFile index(dir + u"/index.html"_s);
    (void)index.open(QIODevice::WriteOnly);
    index.write("<!doctype html><title>Big</title><script src=\"app.js\"></script><h1>Big</h1>\n");
    QByteArray js;
    for (int i = 0; js.size() < kilobytes * 1024; ++i)
        js += "function step" + QByteArray::number(i) +
              "(state) {\n  const next = { ...state, n: state.n + " + QByteArray::number(i) +
              " };\n  return next.n % 7 === 0 ? \"seven\\t\" + next.n : next;\n}\n";
    QFile app(dir + u"/app.js"_s);
    (void)app.open(QIODevice::WriteOnly);
    app.write(js);
}

struct Run
{
    double streamMs = 0;
    double maxGapMs = 0;
    double p99GapMs = 0;
    qsizetype bytes = 0;
};

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int runs = argc > 1 ? std::max(1, atoi(argv[1])) : 5;
    const int kilobytes = argc > 2 ? std::max(1, atoi(argv[2])) : 50;

    QTemporaryDir home;
    qputenv("XDG_DATA_HOME", home.filePath(u"data"_s).toUtf8());
    qputenv("XDG_CONFIG_HOME", home.filePath(u"config"_s).toUtf8());
    writeApp(home.filePath(u"app"_s), kilobytes);

    QProcess claude;
    const QString portFile = home.filePath(u"port"_s);
    claude.start(QCoreApplication::applicationDirPath() + u"/fake_anthropic"_s,
                 {u"--port-file"_s, portFile, u"--app"_s, home.filePath(u"app"_s)});
    if (!claude.waitForStarted() || !QTest::qWaitFor([&] { return QFileInfo(portFile).size() > 0; }, 5000)) {
        std::fprintf(stderr, "fake_anthropic did not start\n");
        return 1;
    }
    QFile port(portFile);
    (void)port.open(QIODevice::ReadOnly);
    AppSettings settings;
    (void)settings.setValue(u"anthropic.base-url"_s,
                            u"http://127.0.0.1:"_s + QString::fromLatin1(port.readAll().trimmed()));

    SecretStore secrets(nullptr);
    bool keySet = false;
    secrets.write(u"anthropic"_s, u"sk-ant-api03-bench"_s, &app,
                  [&](const SecretResult &r) { keySet = r.ok(); });
    if (!QTest::qWaitFor([&] { return keySet; }, 20'000)) {
        std::fprintf(stderr, "no keyring: run inside scripts/test-session.sh\n");
        return 1;
    }

    auto core = AppCore::open();
    if (!core) {
        std::fprintf(stderr, "%s\n", qPrintable(core.error()));
        return 1;
    }
    MainWindow window(**core);
    window.show();
    window.start();
    auto *prompt = window.findChild<PromptPane *>();
    auto *editor = prompt->findChild<QPlainTextEdit *>(u"prompt"_s);

    std::printf("streaming an app with a %d KB file from a separate process, %d runs\n", kilobytes, runs);
    QList<Run> results;
    for (int i = 0; i < runs; ++i) {
        window.appPane()->setBundle(AppBundle(), QString());
        prompt->setPrompt(u"a big app"_s);
        QTest::qWait(200);

        // The watchdog: a 1 ms timer on the UI thread; a gap between two ticks is time the loop was busy.
        QList<double> gaps;
        QElapsedTimer clock;
        QTimer watchdog;
        watchdog.setTimerType(Qt::PreciseTimer);
        watchdog.setInterval(1);
        qint64 last = 0;
        QObject::connect(&watchdog, &QTimer::timeout, [&] {
            const qint64 now = clock.nsecsElapsed();
            gaps << double(now - last) / 1e6;
            last = now;
        });
        clock.start();
        watchdog.start();
        QTest::keyClick(editor, Qt::Key_Return, Qt::ControlModifier);
        const bool done = QTest::qWaitFor(
            [&] {
                return !prompt->isBusy() && !window.appPane()->isEmpty() && !window.appPane()->isStreaming();
            },
            60'000);
        watchdog.stop();
        if (!done || window.appPane()->bundle().files.value(u"app.js"_s).size() < kilobytes * 1024) {
            std::fprintf(stderr, "run %d: the app did not arrive whole\n", i + 1);
            return 1;
        }
        std::sort(gaps.begin(), gaps.end());
        Run run;
        run.streamMs = double(clock.nsecsElapsed()) / 1e6;
        run.maxGapMs = gaps.constLast();
        run.p99GapMs = gaps.at(qsizetype(double(gaps.size() - 1) * 0.99));
        run.bytes = window.appPane()->bundle().files.value(u"app.js"_s).size();
        results << run;
        std::printf(
            "run %d: %.0f ms to the whole app (%lld bytes of app.js); UI thread blocked at most %.1f ms "
            "(p99 %.1f ms)\n",
            i + 1, run.streamMs, qlonglong(run.bytes), run.maxGapMs, run.p99GapMs);
    }
    const double worst = std::max_element(results.cbegin(), results.cend(), [](const Run &a, const Run &b) {
                             return a.maxGapMs < b.maxGapMs;
                         })->maxGapMs;
    std::printf("longest block over %d runs: %.1f ms (target: < 50 ms) %s\n", runs, worst,
                worst < 50 ? "OK" : "OVER");

    secrets.remove(u"anthropic"_s, &app, [](const SecretResult &) {});
    QTest::qWait(500);
    claude.kill();
    claude.waitForFinished();
    return worst < 50 ? 0 : 2;
}
