#include "generatecommand.h"

#include "appcore.h"
#include "bundlefolder.h"
#include "claude/claudemodelsjob.h"
#include "console.h"
#include "costmeter.h"
#include "deploycommand.h"
#include "paths.h"
#include "secretstore.h"
#include "signalwatcher.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QNetworkAccessManager>

using namespace Qt::StringLiterals;

namespace {

bool isEmptyOrMissingDir(const QString &path)
{
    const QFileInfo info(path);
    return !info.exists() ||
           (info.isDir() && QDir(path).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden));
}

} // namespace

GenerateCommand::GenerateCommand(AppCore &core, QObject *parent)
    : CliCommand(parent)
    , m_core(core)
    , m_secrets(new SecretStore(this))
    , m_generation(new GenerationController(core.store(), core.pricing(), core.settings(), *m_secrets, this))
{}

void GenerateCommand::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption outOption(u"out"_s, tr("Write the app into DIR (new or empty)."), tr("DIR"));
    const QCommandLineOption fromOption(
        u"from"_s, tr("Change the app in DIR instead of writing a new one (its files are sent along)."),
        tr("DIR"));
    const QCommandLineOption deployOption(u"deploy"_s, tr("Deploy the app once it is written."));
    const QCommandLineOption providerOption(u"provider"_s, tr("With --deploy: where to run it."),
                                            tr("PROVIDER"));
    const QCommandLineOption ttlOption(u"ttl"_s, tr("With --deploy: its lifetime, e.g. 30m, 2h."),
                                       tr("DURATION"));
    const QCommandLineOption openOption(u"open"_s, tr("With --deploy: open the URL in the browser."));
    const QCommandLineOption modelsOption(u"models"_s, tr("List the Claude models your key can use."));
    parser.addOptions(
        {outOption, fromOption, deployOption, providerOption, ttlOption, openOption, modelsOption});
    const Syntax syntax{
        u"generate [options] PROMPT"_s,
        tr("Asks Claude (%1, setting anthropic.model) to write the app PROMPT describes,\n"
           "checks it and writes it to a folder. Prints the folder on stdout, or with --deploy\n"
           "the URL. Needs an Anthropic API key: spawnai key set anthropic.")
            .arg(m_generation->model()),
        0, 1};
    if (!parse(parser, arguments, syntax))
        return;
    if (parser.isSet(modelsOption))
        return listModels();

    GenerationRequest request;
    request.prompt = operands(parser).value(0).trimmed();
    if (request.prompt.isEmpty()) {
        Console::error(tr("Describe the app: spawnai generate \"a pomodoro timer with a dark theme\"."));
        return finish(Usage);
    }
    if (!parser.isSet(deployOption)) {
        for (const QCommandLineOption *option : {&providerOption, &ttlOption, &openOption}) {
            if (parser.isSet(*option)) {
                Console::error(tr("--%1 only goes with --deploy.").arg(option->names().constFirst()));
                return finish(Usage);
            }
        }
    }
    if (parser.isSet(fromOption)) {
        auto current = BundleFolder::load(parser.value(fromOption));
        if (!current) {
            Console::error(current.error());
            return finish(Failure);
        }
        request.currentApp = *current;
    }
    m_out = parser.value(outOption);
    if (!m_out.isEmpty() && !isEmptyOrMissingDir(m_out)) {
        Console::error(tr("%1 is not empty; choose a new or empty folder for --out.")
                           .arg(QDir::toNativeSeparators(m_out)));
        return finish(Usage);
    }
    m_deploy = parser.isSet(deployOption);
    if (parser.isSet(providerOption))
        m_deployArguments << u"--provider"_s << parser.value(providerOption);
    if (parser.isSet(ttlOption))
        m_deployArguments << u"--ttl"_s << parser.value(ttlOption);
    if (parser.isSet(openOption))
        m_deployArguments << u"--open"_s;

    connect(m_generation, &GenerationController::started, this, [](const QString &model, double usd) {
        Console::err(tr("Asking %1 (estimate %2)…").arg(model, formatUsd(usd)));
    });
    connect(m_generation, &GenerationController::retrying, this, [](int, int delayMs, const QString &reason) {
        Console::err(
            tr("%1 Trying again in %2 s.").arg(reason).arg(QLocale().toString(delayMs / 1000.0, 'f', 1)));
    });
    connect(m_generation, &GenerationController::commentaryAppended, this, [this](const QString &text) {
        m_commentaryLine += text;
        qsizetype newline;
        while ((newline = m_commentaryLine.indexOf(u'\n')) >= 0) {
            Console::err(u"│ "_s + m_commentaryLine.left(newline));
            m_commentaryLine.remove(0, newline + 1);
        }
    });
    connect(m_generation, &GenerationController::fileStreaming, this,
            [this](const QString &path, const QString &content) {
                m_streamed.insert(path, content);
                Console::status(tr("Writing %1 (%2)…")
                                    .arg(path, QLocale().formattedDataSize(
                                                   content.size(), 1, QLocale::DataSizeTraditionalFormat)));
            });
    connect(m_generation, &GenerationController::finished, this, &GenerateCommand::onFinished);
    auto *watcher = new SignalWatcher(this);
    connect(watcher, &SignalWatcher::received, this, [this] {
        if (m_generation->isRunning())
            m_generation->cancel();
    });
    if (auto started = m_generation->generate(request); !started) {
        Console::error(started.error());
        return finish(Failure);
    }
}

void GenerateCommand::onFinished(const GenerationOutcome &outcome)
{
    Console::clearStatus();
    if (!m_commentaryLine.trimmed().isEmpty())
        Console::err(u"│ "_s + m_commentaryLine);
    const TokenUsage &usage = outcome.record.usage;
    const QLocale locale;
    if (usage.promptTokens() + usage.outputTokens > 0)
        Console::err(tr("Tokens: %1 in, %2 out · %3")
                         .arg(locale.toString(usage.promptTokens()), locale.toString(usage.outputTokens),
                              formatUsd(outcome.record.costUsd)));
    if (!outcome.ok) {
        Console::error(outcome.message);
        keepPartialFiles();
        return finish(Failure);
    }

    QString folder = m_out;
    if (folder.isEmpty())
        folder = Paths::dataDir() + u"/generated/"_s + outcome.revisionId.left(12);
    if (auto written = BundleFolder::write(outcome.bundle, folder); !written) {
        Console::error(written.error());
        return finish(Failure);
    }
    Console::err(
        tr("Wrote \"%1\" (%2, %n file(s)) to %3; revision %4.", nullptr, int(outcome.bundle.files.size()))
            .arg(outcome.bundle.manifest.title, Runtimes::name(outcome.bundle.manifest.runtime),
                 QDir::toNativeSeparators(folder), outcome.revisionId.left(12)));
    if (!m_deploy) {
        Console::out(QDir::toNativeSeparators(folder));
        return finish(Success);
    }
    deploy(folder, outcome.record.costUsd);
}

void GenerateCommand::keepPartialFiles()
{
    if (m_streamed.isEmpty())
        return;
    // Nothing half-written goes where the app was meant to go; what arrived is kept beside it.
    const QString base = m_out.isEmpty() ? Paths::dataDir() + u"/generated/incomplete"_s : m_out;
    QString dir = base + u".incomplete"_s;
    for (int n = 2; QFileInfo::exists(dir); ++n)
        dir = base + u".incomplete-"_s + QString::number(n);
    for (auto it = m_streamed.cbegin(); it != m_streamed.cend(); ++it) {
        const QString path = dir + u'/' + it.key();
        if (!AppBundle::checkPath(it.key()) || !QDir().mkpath(QFileInfo(path).absolutePath()))
            continue;
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write(it.value().toUtf8());
    }
    Console::err(
        tr("What arrived is kept in %1 (incomplete: not deployed).").arg(QDir::toNativeSeparators(dir)));
}

void GenerateCommand::deploy(const QString &folder, double generationCostUsd)
{
    auto *command = new DeployCommand(m_core, this);
    command->setGenerationCost(generationCostUsd);
    connect(command, &CliCommand::finished, this, [this](int code) { finish(code); });
    command->start(QStringList{u"spawnai"_s, u"deploy"_s} + m_deployArguments + QStringList{folder});
}

void GenerateCommand::listModels()
{
    m_secrets->read(u"anthropic"_s, this, [this](const SecretResult &key) {
        if (!key.ok()) {
            Console::error(key.status == SecretStatus::NotFound
                               ? tr("No Anthropic API key is set: spawnai key set anthropic")
                               : key.message);
            return finish(Failure);
        }
        ClaudeConfig config = m_core.settings().claudeConfig();
        config.apiKey = key.secret;
        auto *job = new ClaudeModelsJob(new QNetworkAccessManager(this), config, this);
        connect(job, &ClaudeModelsJob::finished, this, [this](const ClaudeModelsResult &result) {
            if (!result.ok()) {
                Console::error(result.message);
                return finish(Failure);
            }
            const QString current = m_core.settings().claudeModel();
            for (const ClaudeModelInfo &model : result.models) {
                const bool priced =
                    m_core.pricing().generationCost(model.id, TokenUsage{1000000, 0, 0, 0, 0}) > 0;
                Console::out(u"%1%2\t%3\t%4"_s.arg(model.id == current ? u"* "_s : u"  "_s, model.id,
                                                   model.displayName,
                                                   priced ? QString() : tr("(no price known)")));
            }
            finish(Success);
        });
        job->start();
    });
}
