#include "keycommand.h"

#include "providerkeycheck.h"

#include "appsettings.h"
#include "claudekeycheck.h"
#include "console.h"
#include "secretstore.h"

#include <QNetworkAccessManager>

using namespace Qt::StringLiterals;

KeyCommand::KeyCommand(QObject *parent)
    : CliCommand(parent)
    , m_secrets(new SecretStore(this))
{}

void KeyCommand::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    const Syntax syntax{
        u"key set|test|rm PROVIDER"_s,
        tr("Stores, checks or removes a provider's API key in the system keychain (service SpawnAI).\n"
           "\"set\" reads the key from stdin: type or paste it at the prompt, or pipe it in.\n"
           "Providers: %1.")
            .arg(SecretStore::providers().join(u", "_s)),
        2, 3};
    if (!parse(parser, arguments, syntax))
        return;
    const QStringList args = operands(parser);
    const QString action = args.at(0);
    const QString provider = args.at(1).toLower();
    if (args.size() > 2) {
        Console::error(
            tr("give the key on stdin, not on the command line, where it would end up in your shell "
               "history and the process list: spawnai key set %1")
                .arg(provider));
        return finish(Usage);
    }
    if (!SecretStore::isValidProvider(provider)) {
        Console::error(tr("unknown provider \"%1\". Providers: %2.")
                           .arg(provider, SecretStore::providers().join(u", "_s)));
        return finish(Usage);
    }
    if (action == u"set")
        set(provider);
    else if (action == u"test")
        test(provider);
    else if (action == u"rm" || action == u"remove")
        remove(provider);
    else {
        Console::error(tr("unknown action \"%1\": use set, test or rm.").arg(action));
        finish(Usage);
    }
}

void KeyCommand::set(const QString &provider)
{
    const QString secret =
        QString::fromUtf8(Console::readSecret(tr("%1 API key (input hidden): ").arg(provider)));
    if (secret.isEmpty()) {
        Console::error(tr("no key given on stdin; nothing was stored."));
        return finish(Failure);
    }
    m_secrets->write(provider, secret, this, [this, provider](const SecretResult &result) {
        if (!result.ok()) {
            Console::error(result.message);
            return finish(Failure);
        }
        Console::err(tr("Stored the %1 key in the system keychain.").arg(provider));
        finish(Success);
    });
}

void KeyCommand::test(const QString &provider)
{
    m_secrets->read(provider, this, [this, provider](const SecretResult &result) {
        if (result.status == SecretStatus::NotFound) {
            Console::error(tr("no %1 key is stored. Add one with: spawnai key set %1").arg(provider));
            return finish(Failure);
        }
        if (!result.ok()) {
            Console::error(result.message);
            return finish(Failure);
        }
        Console::out(tr("A %1 key is stored in the system keychain and can be read (%n character(s)).",
                        nullptr, int(result.secret.size()))
                         .arg(provider));
        if (provider == u"anthropic"_s) {
            const AppSettings settings;
            ClaudeConfig config = settings.claudeConfig();
            config.apiKey = result.secret;
            ClaudeKeyCheck::start(*new QNetworkAccessManager(this), config, this,
                                  [this, model = settings.claudeModel()](const ClaudeModelsResult &check) {
                                      (check.ok() ? Console::out(ClaudeKeyCheck::summary(check, model))
                                                  : Console::error(ClaudeKeyCheck::summary(check, model)));
                                      finish(check.ok() ? Success : Failure);
                                  });
            return;
        }
        if (ProviderKeyCheck::supports(provider)) {
            ProviderKeyCheck::start(*new QNetworkAccessManager(this), AppSettings(), provider, result.secret,
                                    this, [this](bool accepted, const QString &summary) {
                                        (accepted ? Console::out(summary) : Console::error(summary));
                                        finish(accepted ? Success : Failure);
                                    });
            return;
        }
        // Whether the provider accepts it is checked by its adapter, which calls its cheapest authenticated
        // endpoint; SpawnAI has no adapter for this provider yet.
        Console::err(
            tr("SpawnAI cannot ask %1 whether it accepts the key yet: that provider is not supported in "
               "this version.")
                .arg(provider));
        finish(Success);
    });
}

void KeyCommand::remove(const QString &provider)
{
    m_secrets->remove(provider, this, [this, provider](const SecretResult &result) {
        if (result.status == SecretStatus::NotFound) {
            Console::err(tr("No %1 key was stored.").arg(provider));
            return finish(Success);
        }
        if (!result.ok()) {
            Console::error(result.message);
            return finish(Failure);
        }
        Console::err(tr("Removed the %1 key from the system keychain.").arg(provider));
        finish(Success);
    });
}
