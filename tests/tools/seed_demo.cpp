// Fills a SpawnAI data directory ($XDG_DATA_HOME/spawnai) with a realistic history for screenshots and manual
// checks: ended and failed sessions of the last days, and the pomodoro example open in the editor.
// Running sessions come from real deploys (scripts/screenshots.sh starts them with the CLI).
#include "apppane.h"
#include "paths.h"
#include "store.h"

#include <QApplication>
#include <QDir>
#include <QUuid>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

struct Past
{
    const char *name;
    SessionState end;
    FailureReason failure;
    const char *message;
    int hoursAgo;
    int ranMinutes;
};

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv); // the editor's draft is written by the editor itself
    QDir().mkpath(Paths::dataDir());
    auto store = Store::open(Paths::databasePath());
    if (!store) {
        std::fprintf(stderr, "%s\n", qPrintable(store.error()));
        return 1;
    }
    const QList<Past> history = {
        {"habit tracker", SessionState::Ended, FailureReason::None, nullptr, 3, 120},
        {"recipe scaler", SessionState::Failed, FailureReason::AppCrashed,
         "The app stopped before it answered: the app exited with code 1. Its last output:\n"
         "ModuleNotFoundError: No module named 'flask'",
         5, 0},
        {"markdown preview", SessionState::Ended, FailureReason::None, nullptr, 26, 45},
        {"team standup timer", SessionState::Ended, FailureReason::None, nullptr, 30, 240},
        {"bmi calculator", SessionState::Failed, FailureReason::PortInUse,
         "Port 8080 on 127.0.0.1 is already in use by another program.", 50, 0},
        {"color palette picker", SessionState::Ended, FailureReason::None, nullptr, 74, 30},
    };
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const Past &past : history) {
        Session session;
        session.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        session.name = QString::fromUtf8(past.name);
        session.provider = u"local"_s;
        session.state = SessionState::Ready;
        session.ttlSeconds = past.ranMinutes > 0 ? past.ranMinutes * 60 : 7200;
        session.createdAt = now.addSecs(-past.hoursAgo * 3600);
        if (!(*store)->insertSession(session))
            return 1;
        for (SessionState step : {SessionState::Provisioning, SessionState::Uploading, SessionState::Starting})
            (void)(*store)->transition(session, step);
        if (past.end == SessionState::Ended) {
            session.startedAt = session.createdAt.addSecs(1);
            session.expiresAt = session.startedAt.addSecs(session.ttlSeconds);
            session.url = QUrl(u"http://127.0.0.1:%1/"_s.arg(41000 + past.hoursAgo));
            (void)(*store)->transition(session, SessionState::Running);
            (void)(*store)->transition(session, SessionState::Stopping, u"expired"_s);
            session.endedAt = session.expiresAt;
        } else {
            session.failure = past.failure;
            session.failureMessage = QString::fromUtf8(past.message);
            session.endedAt = session.createdAt.addSecs(2);
        }
        (void)(*store)->transition(session, past.end);
    }

    AppPane pane(Paths::dataDir() + u"/draft.json"_s);
    if (!pane.openExample(u"pomodoro"_s))
        return 1;
    return 0; // the pane writes its draft as it goes away
}
