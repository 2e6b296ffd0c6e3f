#include "sessionfilterproxy.h"
#include "sessiontablemodel.h"

#include <QAbstractItemModelTester>
#include <QLocale>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <set>
#include <time.h>

using namespace Qt::StringLiterals;
using Column = SessionTableModel::Column;

Q_DECLARE_METATYPE(Session)

namespace {

// Local time in these tests is UTC+3 (a POSIX TZ rule needs no tzdata): kNow is 15:00 local.
constexpr char kTimeZone[] = "XST-3";
const QDateTime kNow = QDateTime(QDate(2026, 11, 28), QTime(12, 0), Qt::UTC);
constexpr double kRate = 0.001; // USD per second on "cloud" and "minimum"

const QString kPricing = uR"({"schema": 1, "updated": "2026-11-28",
 "providers": {
   "local": {"name": "Local", "billing": "free", "source": "test", "as_of": "2026-11-28",
     "sizes": {"sandbox": {"label": "Sandbox", "per_second": 0}}, "default_size": "sandbox"},
   "cloud": {"name": "Cloud One", "billing": "per second", "source": "test", "as_of": "2026-11-28",
     "sizes": {"small": {"label": "Small", "per_second": 0.001}}, "default_size": "small"},
   "minimum": {"name": "Minimum Co", "billing": "per second, 60 s or $0.50 at least", "source": "test",
     "as_of": "2026-11-28", "minimum_charge": {"seconds": 60, "usd": 0.5},
     "sizes": {"small": {"label": "Small", "per_second": 0.001}}, "default_size": "small"}},
 "claude": {"source": "test", "as_of": "2026-11",
   "models": {"m": {"name": "M", "input": 1, "output": 2, "cache_write_5m": 1.25, "cache_write_1h": 2,
                    "cache_read": 0.1}}}})"_s;

PricingCatalogue catalogue()
{
    auto loaded = PricingCatalogue::load(kPricing.toUtf8());
    if (!loaded)
        qFatal("test pricing does not load: %s", qPrintable(loaded.error()));
    return std::move(loaded).value();
}

QString idFor(int n)
{
    return u"%1-0000-4000-8000-000000000000"_s.arg(n, 8, 16, QLatin1Char('0'));
}

// A session `startedAgo` seconds into a `ttl`-second lifetime at kNow. Deploying states before Running have
// no start, expiry or end; ended and failed ones ended 20 minutes after they started.
Session makeSession(int n, SessionState state, qint64 startedAgo = 600, qint64 ttl = 3600,
                    const QString &provider = u"cloud"_s)
{
    Session s;
    s.id = idFor(n);
    s.name = u"app %1"_s.arg(n);
    s.provider = provider;
    s.state = state;
    s.ttlSeconds = ttl;
    s.ratePerSecond = provider == u"local" ? 0 : kRate;
    s.createdAt = kNow.addSecs(-startedAgo - 20);
    s.url = QUrl(u"https://%1.%2.example/app"_s.arg(s.id.left(8), provider));
    const bool started = state == SessionState::Running || state == SessionState::Expiring ||
                         state == SessionState::Stopping || SessionStates::isTerminal(state);
    if (started) {
        s.startedAt = kNow.addSecs(-startedAgo);
        s.expiresAt = s.startedAt.addSecs(ttl);
    }
    if (SessionStates::isTerminal(state) && started)
        s.endedAt = s.startedAt.addSecs(1200);
    return s;
}

// The model and a proxy over it, each watched by a fatal QAbstractItemModelTester for the whole test.
struct Table
{
    SessionTableModel model{catalogue()};
    SessionFilterProxy proxy;
    std::unique_ptr<QAbstractItemModelTester> modelTester;
    std::unique_ptr<QAbstractItemModelTester> proxyTester;

    explicit Table(const QList<Session> &sessions = {})
    {
        using Mode = QAbstractItemModelTester::FailureReportingMode;
        modelTester = std::make_unique<QAbstractItemModelTester>(&model, Mode::Fatal);
        proxyTester = std::make_unique<QAbstractItemModelTester>(&proxy, Mode::Fatal);
        model.tick(kNow);
        proxy.setSourceModel(&model);
        model.setSessions(sessions);
    }

    QVariant cell(int row, Column column, int role = Qt::DisplayRole) const
    {
        return model.index(row, int(column)).data(role);
    }
    QString text(int row, Column column) const { return cell(row, column).toString(); }
    double cost(int row) const { return cell(row, Column::Cost, SessionTableModel::RawValueRole).toDouble(); }

    // The proxy's rows, top to bottom, as the text of one column.
    QStringList proxyColumn(Column column) const
    {
        QStringList texts;
        for (int row = 0; row < proxy.rowCount(); ++row)
            texts << proxy.index(row, int(column)).data().toString();
        return texts;
    }
};

struct Range
{
    int top, bottom, left, right;
    QList<int> roles;
};

QList<Range> ranges(const QSignalSpy &spy)
{
    QList<Range> found;
    for (const QList<QVariant> &args : spy) {
        const auto topLeft = args.at(0).value<QModelIndex>();
        const auto bottomRight = args.at(1).value<QModelIndex>();
        found.append({topLeft.row(), bottomRight.row(), topLeft.column(), bottomRight.column(),
                      args.at(2).value<QList<int>>()});
    }
    return found;
}

std::set<int> columnsOf(const QList<Range> &found)
{
    std::set<int> columns;
    for (const Range &range : found) {
        for (int column = range.left; column <= range.right; ++column)
            columns.insert(column);
    }
    return columns;
}

QString localExpiry(const QDateTime &utc)
{
    const QDateTime local = utc.toLocalTime();
    const QString time = local.toString(u"HH:mm"_s);
    return local.date() == kNow.toLocalTime().date()
               ? time
               : QLocale().toString(local.date(), QLocale::ShortFormat) + u' ' + time;
}

} // namespace

class TestSessionTableModel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void headers();
    void cells_data();
    void cells();
    void toolTips();
    void lifetimeFraction();
    void rowsAreNewestFirst();

    void upsertInsertsAtTheTop();
    void upsertUnchangedEmitsNothing();
    void upsertEmitsOnlyChangedCells_data();
    void upsertEmitsOnlyChangedCells();
    void remove();

    void tickEmitsOnlyTickingTimeAndCost();
    void tickWithNothingLiveEmitsNothing();
    void tickLeavesTheCostOfFreeSessionsAlone();
    void tickAdvancesCountdownAndCost();
    void tickFollowsStateChanges();
    void tickIncludesExpiryOnANewDay();
    void costDoesNotGoDownWhenTheClockStepsBack();
    void liveCountAndCost();
    void providerNames();

    void proxyFilterActiveAndAll();
    void proxySearch_data();
    void proxySearch();
    void proxyFilterFollowsUpserts();
    void proxySortsTimeLeftByValue();
    void quoteAndGenerationColumns();
    void proxySortsCostByValue();
    void proxySortsUrlAndExpiry();
    void proxyResortsWhenCostsCross();
    void proxyTickForwardsOnlyTickingCells();
    void proxyOutlivesItsSource();
};

void TestSessionTableModel::initTestCase()
{
    qputenv("TZ", kTimeZone);
    tzset();
    QCOMPARE(kNow.toLocalTime().time(), QTime(15, 0));
}

void TestSessionTableModel::headers()
{
    Table t;
    QCOMPARE(t.model.columnCount(), int(Column::Count));
    QStringList titles;
    for (int column = 0; column < t.model.columnCount(); ++column)
        titles << t.model.headerData(column, Qt::Horizontal).toString();
    QCOMPARE(titles, QStringList({u"Name"_s, u"Provider"_s, u"Status"_s, u"URL"_s, u"Time left"_s, u"Cost"_s,
                                  u"Expires at"_s, u"Quote"_s, u"Generation"_s}));
    const auto right = int(Qt::AlignRight | Qt::AlignVCenter);
    QCOMPARE(t.model.headerData(int(Column::Cost), Qt::Horizontal, Qt::TextAlignmentRole).toInt(), right);
    QCOMPARE(t.model.headerData(int(Column::Cost), Qt::Horizontal, Qt::InitialSortOrderRole).toInt(),
             int(Qt::DescendingOrder));
    QCOMPARE(t.model.headerData(int(Column::TimeLeft), Qt::Horizontal, Qt::InitialSortOrderRole).toInt(),
             int(Qt::AscendingOrder));

    t.model.setSessions({makeSession(1, SessionState::Running)});
    for (const Column column : {Column::TimeLeft, Column::Cost, Column::ExpiresAt})
        QCOMPARE(t.cell(0, column, Qt::TextAlignmentRole).toInt(), right);
    QCOMPARE(t.cell(0, Column::Name, Qt::TextAlignmentRole).toInt(), int(Qt::AlignLeft | Qt::AlignVCenter));
}

void TestSessionTableModel::cells_data()
{
    QTest::addColumn<Session>("session");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("display"); // empty: no display value at all
    QTest::addColumn<QVariant>("raw");    // invalid: no raw value

    const auto add = [](const char *name, const Session &s, Column column, const QString &display,
                        const QVariant &raw) {
        QTest::addRow("%s / %s", name, QMetaEnum::fromType<Column>().valueToKey(int(column)))
            << s << int(column) << display << raw;
    };
    const auto ms = [](const QDateTime &at) { return QVariant(at.toMSecsSinceEpoch()); };

    const Session running = makeSession(1, SessionState::Running); // 600 s into 3600 s
    add("running", running, Column::Name, u"app 1"_s, u"app 1"_s);
    add("running", running, Column::Provider, u"Cloud One"_s, u"Cloud One"_s);
    add("running", running, Column::Status, u"Running"_s, int(SessionState::Running));
    add("running", running, Column::Url, running.url.toString(), running.url.toString());
    add("running", running, Column::TimeLeft, u"50:00"_s, qint64(3000));
    add("running", running, Column::Cost, u"$0.60"_s, kRate * 600);
    add("running", running, Column::ExpiresAt, u"15:50"_s, ms(running.expiresAt));

    const Session expiring = makeSession(2, SessionState::Expiring, 3541);
    add("expiring", expiring, Column::Status, u"Expiring"_s, int(SessionState::Expiring));
    add("expiring", expiring, Column::TimeLeft, u"0:59"_s, qint64(59));
    add("expiring", expiring, Column::Cost, u"$3.54"_s, kRate * 3541);

    const Session twoHours = makeSession(3, SessionState::Running, 10, 7200);
    add("two hours", twoHours, Column::TimeLeft, u"1:59:50"_s, qint64(7190));

    const Session overdue = makeSession(4, SessionState::Running, 4000);
    add("overdue", overdue, Column::TimeLeft, u"0:00"_s, qint64(0));
    add("overdue", overdue, Column::Cost, u"$3.60"_s, kRate * 3600); // capped at the expiry

    const Session tomorrow = makeSession(5, SessionState::Running, 60, 24 * 3600);
    add("tomorrow", tomorrow, Column::ExpiresAt, localExpiry(tomorrow.expiresAt), ms(tomorrow.expiresAt));

    const Session ended = makeSession(6, SessionState::Ended, 7200);
    add("ended", ended, Column::Status, u"Ended"_s, int(SessionState::Ended));
    add("ended", ended, Column::Url, QString(), QVariant());
    add("ended", ended, Column::TimeLeft, QString(), QVariant());
    add("ended", ended, Column::Cost, u"$1.20"_s, kRate * 1200); // the final cost
    add("ended", ended, Column::ExpiresAt, QString(), QVariant());

    Session failed = makeSession(7, SessionState::Failed);
    failed.startedAt = failed.expiresAt = failed.endedAt = QDateTime();
    failed.failure = FailureReason::AppNeverAnswered;
    add("failed", failed, Column::Status,
        u"Failed: "_s + FailureReasons::label(FailureReason::AppNeverAnswered), int(SessionState::Failed));
    add("failed", failed, Column::Cost, u"$0.00"_s, 0.0);

    Session unsandboxed = makeSession(8, SessionState::Running, 600, 3600, u"local"_s);
    unsandboxed.unsandboxed = true;
    add("unsandboxed local", unsandboxed, Column::Status, u"Running  ⚠ unsandboxed"_s,
        int(SessionState::Running));
    add("unsandboxed local", unsandboxed, Column::Provider, u"Local"_s, u"Local"_s);
    add("unsandboxed local", unsandboxed, Column::Cost, u"$0.00"_s, 0.0);

    const Session provisioning = makeSession(9, SessionState::Provisioning);
    add("provisioning", provisioning, Column::Status, u"Provisioning"_s, int(SessionState::Provisioning));
    add("provisioning", provisioning, Column::Url, QString(), QVariant());
    add("provisioning", provisioning, Column::TimeLeft, QString(), QVariant());
    add("provisioning", provisioning, Column::Cost, u"$0.00"_s, 0.0);

    const Session stopping = makeSession(10, SessionState::Stopping);
    add("stopping", stopping, Column::Url, QString(), QVariant());
    add("stopping", stopping, Column::TimeLeft, QString(), QVariant());
    add("stopping", stopping, Column::Cost, u"$0.60"_s, kRate * 600); // still billing until it has ended
    add("stopping", stopping, Column::ExpiresAt, u"15:50"_s, ms(stopping.expiresAt));

    const Session minimum = makeSession(11, SessionState::Running, 10, 3600, u"minimum"_s);
    add("minimum charge", minimum, Column::Cost, u"$0.50"_s, 0.5);

    const Session unknown = makeSession(12, SessionState::Ended, 7200, 3600, u"mystery"_s);
    add("unknown provider", unknown, Column::Provider, u"mystery"_s, u"mystery"_s);
}

void TestSessionTableModel::cells()
{
    QFETCH(Session, session);
    QFETCH(int, column);
    QFETCH(QString, display);
    QFETCH(QVariant, raw);

    Table t({makeSession(100, SessionState::Ended), session, makeSession(101, SessionState::Running)});
    const QModelIndex cell = t.model.index(t.model.rowOf(session.id), column);
    QCOMPARE(cell.row(), 1);

    const QVariant shown = cell.data(Qt::DisplayRole);
    QCOMPARE(shown.isValid(), !display.isEmpty());
    QCOMPARE(shown.toString(), display);

    const QVariant value = cell.data(SessionTableModel::RawValueRole);
    QCOMPARE(value.isValid(), raw.isValid());
    if (raw.isValid()) {
        QCOMPARE(value.metaType(), raw.metaType());
        if (raw.typeId() == QMetaType::Double)
            QCOMPARE(value.toDouble(), raw.toDouble());
        else
            QCOMPARE(value, raw);
    }
    QCOMPARE(cell.data(SessionTableModel::SessionIdRole).toString(), session.id);
    QCOMPARE(cell.data(SessionTableModel::StateRole).toInt(), int(session.state));
    QCOMPARE(cell.data(SessionTableModel::UnsandboxedRole).toBool(), session.unsandboxed);
}

void TestSessionTableModel::toolTips()
{
    Session failed = makeSession(1, SessionState::Failed);
    failed.failure = FailureReason::AppNeverAnswered;
    failed.failureMessage = u"The app did not answer on its port within 30 s; check that it reads PORT."_s;
    Session unsandboxed = makeSession(2, SessionState::Running, 600, 3600, u"local"_s);
    unsandboxed.unsandboxed = true;
    const Session running = makeSession(3, SessionState::Running);
    Table t({failed, unsandboxed, running});

    QCOMPARE(t.cell(0, Column::Status, Qt::ToolTipRole).toString(), failed.failureMessage);
    QVERIFY(t.cell(1, Column::Status, Qt::ToolTipRole).toString().contains(u"sandbox"_s));
    QVERIFY(!t.cell(2, Column::Status, Qt::ToolTipRole).isValid());
    QCOMPARE(t.cell(2, Column::Url, Qt::ToolTipRole).toString(), running.url.toString());
    QVERIFY(!t.cell(0, Column::Url, Qt::ToolTipRole).isValid());
    QVERIFY(t.cell(2, Column::Name, Qt::ToolTipRole).toString().contains(running.id));
    QVERIFY(t.cell(2, Column::Cost, Qt::ToolTipRole).toString().contains(u"$3.60"_s)); // per hour
    QCOMPARE(t.cell(2, Column::ExpiresAt, Qt::ToolTipRole).toString(),
             QLocale().toString(running.expiresAt.toLocalTime(), QLocale::LongFormat));
    QVERIFY(t.cell(0, Column::ExpiresAt, Qt::ToolTipRole).toString().startsWith(u"Ended"_s));
}

void TestSessionTableModel::lifetimeFraction()
{
    Table t({makeSession(1, SessionState::Running), makeSession(2, SessionState::Ended),
             makeSession(3, SessionState::Running, 4000)});
    const int role = SessionTableModel::LifetimeFractionRole;
    QCOMPARE(t.cell(0, Column::TimeLeft, role).toDouble(), 3000.0 / 3600.0);
    QVERIFY(!t.cell(0, Column::Cost, role).isValid());
    QVERIFY(!t.cell(1, Column::TimeLeft, role).isValid());
    QCOMPARE(t.cell(2, Column::TimeLeft, role).toDouble(), 0.0);
    t.model.tick(kNow.addSecs(1800));
    QCOMPARE(t.cell(0, Column::TimeLeft, role).toDouble(), 1200.0 / 3600.0);
}

void TestSessionTableModel::rowsAreNewestFirst()
{
    QList<Session> sessions;
    for (int n = 5; n >= 1; --n)
        sessions << makeSession(n, SessionState::Ended);
    Table t(sessions);
    QCOMPARE(t.model.rowCount(), 5);
    for (int row = 0; row < 5; ++row) {
        QCOMPARE(t.model.sessionAt(row).id, idFor(5 - row));
        QCOMPARE(t.model.rowOf(idFor(5 - row)), row);
    }
    QCOMPARE(t.model.rowOf(idFor(99)), -1);
    QVERIFY(!t.model.session(idFor(99)));
    QCOMPARE(t.model.session(idFor(3))->name, u"app 3"_s);

    Session repeated = makeSession(3, SessionState::Running);
    repeated.name = u"newer"_s;
    t.model.setSessions({repeated, makeSession(2, SessionState::Ended), makeSession(3, SessionState::Ended)});
    QCOMPARE(t.model.rowCount(), 2);
    QCOMPARE(t.model.session(idFor(3))->name, u"newer"_s);
    QCOMPARE(t.model.liveCount(), 1);
}

void TestSessionTableModel::upsertInsertsAtTheTop()
{
    Table t({makeSession(2, SessionState::Ended), makeSession(1, SessionState::Ended)});
    QSignalSpy inserted(&t.model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&t.model, &QAbstractItemModel::dataChanged);
    t.model.upsert(makeSession(3, SessionState::Provisioning));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 0);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(t.model.rowCount(), 3);
    QCOMPARE(t.model.rowOf(idFor(3)), 0);
    QCOMPARE(t.model.rowOf(idFor(2)), 1);
    QCOMPARE(t.model.rowOf(idFor(1)), 2);
    QCOMPARE(t.proxy.rowCount(), 3);
}

void TestSessionTableModel::upsertUnchangedEmitsNothing()
{
    const Session running = makeSession(1, SessionState::Running);
    Table t({running, makeSession(2, SessionState::Ended)});
    QSignalSpy changed(&t.model, &QAbstractItemModel::dataChanged);
    t.model.upsert(running);
    Session ownerChanged = running; // nothing the table shows
    ownerChanged.owner = u"gui-1-2"_s;
    t.model.upsert(ownerChanged);
    QCOMPARE(changed.size(), 0);
}

void TestSessionTableModel::upsertEmitsOnlyChangedCells_data()
{
    QTest::addColumn<Session>("before");
    QTest::addColumn<Session>("after");
    QTest::addColumn<QList<int>>("columns");

    Session failed = makeSession(1, SessionState::Failed);
    failed.failure = FailureReason::AppCrashed;
    Session reworded = failed;
    reworded.failureMessage = u"It exited with status 1: see the log."_s;
    QTest::newRow("failure message") << failed << reworded << QList<int>{int(Column::Status)};

    const Session running = makeSession(1, SessionState::Running);
    Session extended = running;
    extended.expiresAt = extended.expiresAt.addSecs(1800);
    extended.ttlSeconds += 1800;
    QTest::newRow("extend") << running << extended
                            << QList<int>{int(Column::TimeLeft), int(Column::ExpiresAt),
                                          int(Column::Quote)}; // the lifetime's quote grew

    Session renamed = running;
    renamed.name = u"pomodoro"_s;
    QTest::newRow("rename") << running << renamed << QList<int>{int(Column::Name)};

    Session moved = running;
    moved.url = QUrl(u"https://elsewhere.example/"_s);
    QTest::newRow("new url") << running << moved << QList<int>{int(Column::Url)};

    Session stopping = running;
    stopping.state = SessionState::Stopping;
    QList<int> all;
    for (int column = 0; column < int(Column::Count); ++column)
        all << column;
    QTest::newRow("state") << running << stopping << all; // StateRole is on every cell

    Session ended = makeSession(1, SessionState::Ended);
    Session endedLater = ended;
    endedLater.endedAt = endedLater.endedAt.addSecs(60);
    QTest::newRow("ended later") << ended << endedLater
                                 << QList<int>{int(Column::Cost), int(Column::ExpiresAt)}; // cost, tooltip
}

void TestSessionTableModel::upsertEmitsOnlyChangedCells()
{
    QFETCH(Session, before);
    QFETCH(Session, after);
    QFETCH(QList<int>, columns);

    Table t({makeSession(3, SessionState::Running), before, makeSession(2, SessionState::Ended)});
    QSignalSpy changed(&t.model, &QAbstractItemModel::dataChanged);
    t.model.upsert(after);
    const QList<Range> found = ranges(changed);
    QVERIFY(!found.isEmpty());
    for (const Range &range : found) {
        QCOMPARE(range.top, 1);
        QCOMPARE(range.bottom, 1);
        QVERIFY(!range.roles.isEmpty());
    }
    const std::set<int> emitted = columnsOf(found);
    QCOMPARE(QList<int>(emitted.begin(), emitted.end()), columns);
    QCOMPARE(t.model.sessionAt(1).name, after.name);
}

void TestSessionTableModel::remove()
{
    Table t({makeSession(3, SessionState::Running), makeSession(2, SessionState::Running),
             makeSession(1, SessionState::Ended)});
    QSignalSpy removed(&t.model, &QAbstractItemModel::rowsRemoved);
    t.model.remove(idFor(99));
    QCOMPARE(removed.size(), 0);

    t.model.remove(idFor(2));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 1);
    QCOMPARE(t.model.rowCount(), 2);
    QCOMPARE(t.model.rowOf(idFor(3)), 0);
    QCOMPARE(t.model.rowOf(idFor(1)), 1);
    QCOMPARE(t.model.rowOf(idFor(2)), -1);
    QVERIFY(!t.model.session(idFor(2)));
    QCOMPARE(t.model.liveCount(), 1);
    QCOMPARE(t.proxy.rowCount(), 2);

    // The countdown still knows which rows are live.
    QSignalSpy changed(&t.model, &QAbstractItemModel::dataChanged);
    t.model.tick(kNow.addSecs(1));
    QCOMPARE(changed.size(), 1);
    const Range range = ranges(changed).constFirst();
    QCOMPARE(range.top, 0);
    QCOMPARE(range.bottom, 0);

    t.model.remove(idFor(3));
    t.model.remove(idFor(1));
    QCOMPARE(t.model.rowCount(), 0);
    QCOMPARE(t.model.liveCount(), 0);
}

void TestSessionTableModel::tickEmitsOnlyTickingTimeAndCost()
{
    // Rows 0, 1, 3, 6 and 7 hold a resource: three runs of adjacent rows.
    Table t({makeSession(10, SessionState::Running), makeSession(9, SessionState::Expiring, 3300),
             makeSession(8, SessionState::Ended), makeSession(7, SessionState::Running),
             makeSession(6, SessionState::Failed), makeSession(5, SessionState::Ended),
             makeSession(4, SessionState::Stopping), makeSession(3, SessionState::Provisioning),
             makeSession(2, SessionState::Draft), makeSession(1, SessionState::Ended)});
    QSignalSpy changed(&t.model, &QAbstractItemModel::dataChanged);
    t.model.tick(kNow.addSecs(1));

    const QList<Range> found = ranges(changed);
    QCOMPARE(found.size(), 3);
    std::set<int> rows;
    const QList<int> roles = {Qt::DisplayRole, SessionTableModel::RawValueRole,
                              SessionTableModel::LifetimeFractionRole};
    for (const Range &range : found) {
        QCOMPARE(range.left, int(Column::TimeLeft));
        QCOMPARE(range.right, int(Column::Cost));
        QCOMPARE(range.roles, roles);
        for (int row = range.top; row <= range.bottom; ++row)
            QVERIFY2(rows.insert(row).second, "a row was emitted twice");
    }
    QCOMPARE(rows, (std::set<int>{0, 1, 3, 6, 7}));
    QCOMPARE(found.at(0).top, 0);
    QCOMPARE(found.at(0).bottom, 1);
    QCOMPARE(found.at(1).top, 3);
    QCOMPARE(found.at(1).bottom, 3);
    QCOMPARE(found.at(2).top, 6);
    QCOMPARE(found.at(2).bottom, 7);
}

void TestSessionTableModel::tickWithNothingLiveEmitsNothing()
{
    Table t({makeSession(3, SessionState::Ended), makeSession(2, SessionState::Failed),
             makeSession(1, SessionState::Draft)});
    QSignalSpy model(&t.model, &QAbstractItemModel::dataChanged);
    QSignalSpy proxy(&t.proxy, &QAbstractItemModel::dataChanged);
    for (int s = 1; s <= 5; ++s)
        t.model.tick(kNow.addSecs(s));
    QCOMPARE(model.size(), 0);
    QCOMPARE(proxy.size(), 0);
    QCOMPARE(t.text(0, Column::Cost), u"$1.20"_s);
}

void TestSessionTableModel::tickLeavesTheCostOfFreeSessionsAlone()
{
    // Rows 0-1 are free (Local) and paid, row 3 free alone: a run that holds a paid session re-emits its
    // cost, a run of free sessions only its countdown.
    Table t({makeSession(4, SessionState::Running, 600, 3600, u"local"_s),
             makeSession(3, SessionState::Running), makeSession(2, SessionState::Ended),
             makeSession(1, SessionState::Running, 600, 3600, u"local"_s)});
    QSignalSpy changed(&t.model, &QAbstractItemModel::dataChanged);
    t.model.tick(kNow.addSecs(1));
    const QList<Range> found = ranges(changed);
    QCOMPARE(found.size(), 2);
    QCOMPARE(found.at(0).top, 0);
    QCOMPARE(found.at(0).bottom, 1);
    QCOMPARE(found.at(0).left, int(Column::TimeLeft));
    QCOMPARE(found.at(0).right, int(Column::Cost));
    QCOMPARE(found.at(1).top, 3);
    QCOMPARE(found.at(1).bottom, 3);
    QCOMPARE(found.at(1).left, int(Column::TimeLeft));
    QCOMPARE(found.at(1).right, int(Column::TimeLeft));
    QCOMPARE(t.text(3, Column::Cost), u"$0.00"_s);
}

void TestSessionTableModel::tickAdvancesCountdownAndCost()
{
    Table t({makeSession(1, SessionState::Running)});
    QCOMPARE(t.text(0, Column::TimeLeft), u"50:00"_s);
    t.model.tick(kNow.addSecs(5));
    QCOMPARE(t.model.now(), kNow.addSecs(5));
    QCOMPARE(t.text(0, Column::TimeLeft), u"49:55"_s);
    QCOMPARE(t.cell(0, Column::TimeLeft, SessionTableModel::RawValueRole).toLongLong(), 2995);
    QCOMPARE(t.cost(0), kRate * 605);
    t.model.tick(kNow.addSecs(3000));
    QCOMPARE(t.text(0, Column::TimeLeft), u"0:00"_s);
    QCOMPARE(t.text(0, Column::Cost), u"$3.60"_s);
}

void TestSessionTableModel::tickFollowsStateChanges()
{
    const Session running = makeSession(1, SessionState::Running);
    Table t({running, makeSession(2, SessionState::Ended)});
    QSignalSpy changed(&t.model, &QAbstractItemModel::dataChanged);

    Session ended = running;
    ended.state = SessionState::Ended;
    ended.endedAt = kNow;
    t.model.upsert(ended);
    changed.clear();
    t.model.tick(kNow.addSecs(1));
    QCOMPARE(changed.size(), 0);

    Session other = makeSession(2, SessionState::Running); // the ended row 1 runs again (a test fiction)
    t.model.upsert(other);
    changed.clear();
    t.model.tick(kNow.addSecs(2));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(ranges(changed).constFirst().top, 1);

    t.model.upsert(makeSession(3, SessionState::Running)); // new row 0: row 1 moves to 2
    changed.clear();
    t.model.tick(kNow.addSecs(3));
    const QList<Range> found = ranges(changed);
    QCOMPARE(found.size(), 2);
    QCOMPARE(found.at(0).top, 0);
    QCOMPARE(found.at(0).bottom, 0);
    QCOMPARE(found.at(1).top, 2);
    QCOMPARE(found.at(1).bottom, 2);
    QCOMPARE(t.model.rowOf(idFor(2)), 2);
    QCOMPARE(t.model.liveCount(), 2);
}

void TestSessionTableModel::tickIncludesExpiryOnANewDay()
{
    // Local midnight is 21:00 UTC. The 24-hour session's expiry turns from a date into "today".
    Table t({makeSession(1, SessionState::Running, 600, 24 * 3600), makeSession(2, SessionState::Ended)});
    QVERIFY(t.text(0, Column::ExpiresAt).size() > 5);
    QSignalSpy changed(&t.model, &QAbstractItemModel::dataChanged);
    const QDateTime midnight = QDateTime(QDate(2026, 11, 28), QTime(21, 0, 5), Qt::UTC);
    t.model.tick(midnight);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(ranges(changed).constFirst().right, int(Column::ExpiresAt));
    QCOMPARE(t.text(0, Column::ExpiresAt), u"14:50"_s);
    changed.clear();
    t.model.tick(midnight.addSecs(1));
    QCOMPARE(ranges(changed).constFirst().right, int(Column::Cost));
}

void TestSessionTableModel::costDoesNotGoDownWhenTheClockStepsBack()
{
    Table t({makeSession(1, SessionState::Running)});
    t.model.tick(kNow.addSecs(100));
    const double before = t.cost(0);
    const QString shown = t.text(0, Column::Cost);
    QCOMPARE(before, kRate * 700);
    t.model.tick(kNow.addSecs(50)); // NTP or the user moved the clock back
    QVERIFY2(t.cost(0) >= before, qPrintable(u"%1 after %2"_s.arg(t.cost(0)).arg(before)));
    QCOMPARE(t.text(0, Column::Cost), shown);
    QVERIFY(t.model.liveCost(kNow.addSecs(50)) >= before);
    t.model.tick(kNow.addSecs(200));
    QCOMPARE(t.cost(0), kRate * 800);
}

void TestSessionTableModel::liveCountAndCost()
{
    Table t({makeSession(5, SessionState::Running), makeSession(4, SessionState::Expiring, 3541),
             makeSession(3, SessionState::Stopping), makeSession(2, SessionState::Ended),
             makeSession(1, SessionState::Provisioning)});
    QCOMPARE(t.model.liveCount(), 2);
    QCOMPARE(t.model.liveCost(kNow), kRate * 600 + kRate * 3541);
    QCOMPARE(t.model.liveCost(kNow.addSecs(10)), kRate * 610 + kRate * 3551);
    t.model.setSessions({});
    QCOMPARE(t.model.liveCount(), 0);
    QCOMPARE(t.model.liveCost(kNow), 0.0);
}

void TestSessionTableModel::providerNames()
{
    Table t(
        {makeSession(2, SessionState::Running), makeSession(1, SessionState::Ended, 7200, 3600, u"other"_s)});
    QSignalSpy changed(&t.model, &QAbstractItemModel::dataChanged);
    t.model.setProviderNames({{u"cloud"_s, u"Cloud Two"_s}});
    QCOMPARE(t.text(0, Column::Provider), u"Cloud Two"_s);
    QCOMPARE(t.text(1, Column::Provider), u"other"_s);
    QCOMPARE(columnsOf(ranges(changed)), (std::set<int>{int(Column::Provider)}));
    t.model.setProviderNames({{u"cloud"_s, u"Cloud Two"_s}});
    QCOMPARE(changed.size(), 1);
    t.model.setProviderNames({});
    QCOMPARE(t.text(0, Column::Provider), u"Cloud One"_s); // the catalogue's name again
}

void TestSessionTableModel::proxyFilterActiveAndAll()
{
    Table t({makeSession(5, SessionState::Running), makeSession(4, SessionState::Ended),
             makeSession(3, SessionState::Provisioning), makeSession(2, SessionState::Failed),
             makeSession(1, SessionState::Ready)});
    QCOMPARE(t.proxy.filter(), SessionFilterProxy::Filter::All);
    QCOMPARE(t.proxy.rowCount(), 5);
    t.proxy.setFilter(SessionFilterProxy::Filter::Active);
    QCOMPARE(t.proxyColumn(Column::Name), QStringList({u"app 5"_s, u"app 3"_s, u"app 1"_s}));
    t.model.tick(kNow.addSecs(1));
    QCOMPARE(t.proxy.rowCount(), 3);
    t.proxy.setFilter(SessionFilterProxy::Filter::All);
    QCOMPARE(t.proxy.rowCount(), 5);
}

void TestSessionTableModel::proxySearch_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("names");

    QTest::newRow("nothing") << QString() << QStringList{u"pomodoro timer"_s, u"habit tracker"_s, u"app 3"_s};
    QTest::newRow("name, any case") << u"  POMODORO "_s << QStringList{u"pomodoro timer"_s};
    QTest::newRow("provider name") << u"cloud one"_s << QStringList{u"pomodoro timer"_s, u"app 3"_s};
    QTest::newRow("provider key") << u"local"_s << QStringList{u"habit tracker"_s};
    QTest::newRow("status") << u"failed"_s << QStringList{u"app 3"_s};
    QTest::newRow("unsandboxed") << u"unsandboxed"_s << QStringList{u"habit tracker"_s};
    QTest::newRow("url") << u"timer.example.net"_s << QStringList{u"pomodoro timer"_s};
    QTest::newRow("id prefix") << u"7F3E"_s << QStringList{u"habit tracker"_s};
    QTest::newRow("id middle") << u"aaaa"_s << QStringList{};
    QTest::newRow("no match") << u"zzz"_s << QStringList{};
}

void TestSessionTableModel::proxySearch()
{
    QFETCH(QString, text);
    QFETCH(QStringList, names);

    Session pomodoro = makeSession(1, SessionState::Running);
    pomodoro.name = u"pomodoro timer"_s;
    pomodoro.url = QUrl(u"https://timer.example.net/"_s);
    Session habits = makeSession(2, SessionState::Running, 600, 3600, u"local"_s);
    habits.id = u"7f3e9a10-aaaa-4000-8000-000000000002"_s;
    habits.name = u"habit tracker"_s;
    habits.unsandboxed = true;
    Session failed = makeSession(3, SessionState::Failed);
    Table t({pomodoro, habits, failed});

    t.proxy.setSearchText(text);
    QCOMPARE(t.proxyColumn(Column::Name), names);
    t.model.tick(kNow.addSecs(1));
    QCOMPARE(t.proxyColumn(Column::Name), names);
}

void TestSessionTableModel::proxyFilterFollowsUpserts()
{
    Session one = makeSession(2, SessionState::Running);
    const Session two = makeSession(1, SessionState::Running);
    Table t({one, two});
    t.proxy.setSearchText(u"pomodoro"_s);
    QCOMPARE(t.proxy.rowCount(), 0);

    one.name = u"Pomodoro"_s;
    t.model.upsert(one);
    QCOMPARE(t.proxyColumn(Column::Name), QStringList{u"Pomodoro"_s});
    t.model.tick(kNow.addSecs(1));
    QCOMPARE(t.proxy.rowCount(), 1);

    Session three = makeSession(3, SessionState::Running);
    three.name = u"pomodoro 2"_s;
    t.model.upsert(three);
    QCOMPARE(t.proxy.rowCount(), 2);
    t.model.remove(one.id);
    QCOMPARE(t.proxyColumn(Column::Name), QStringList{u"pomodoro 2"_s});

    t.proxy.setSearchText({});
    t.proxy.setFilter(SessionFilterProxy::Filter::Active);
    QCOMPARE(t.proxy.rowCount(), 2);
    three.state = SessionState::Ended;
    three.endedAt = kNow;
    t.model.upsert(three);
    QCOMPARE(t.proxyColumn(Column::Name), QStringList{two.name});
}

void TestSessionTableModel::proxySortsTimeLeftByValue()
{
    // As text, "9:59" > "10:00" and "1:00:00" < "59:59".
    Table t({makeSession(1, SessionState::Running, 3000), makeSession(2, SessionState::Ended),
             makeSession(3, SessionState::Running, 3001), makeSession(4, SessionState::Running, 0),
             makeSession(5, SessionState::Running, 1)});
    t.proxy.sort(int(Column::TimeLeft), Qt::AscendingOrder);
    QCOMPARE(t.proxyColumn(Column::TimeLeft),
             QStringList({u"9:59"_s, u"10:00"_s, u"59:59"_s, u"1:00:00"_s, QString()}));
    t.proxy.sort(int(Column::TimeLeft), Qt::DescendingOrder);
    QCOMPARE(t.proxyColumn(Column::TimeLeft),
             QStringList({u"1:00:00"_s, u"59:59"_s, u"10:00"_s, u"9:59"_s, QString()})); // empty stays last

    // Ticks do not reorder it; an extension does.
    QSignalSpy layout(&t.proxy, &QAbstractItemModel::layoutChanged);
    t.model.tick(kNow.addSecs(1));
    QCOMPARE(layout.size(), 0);
    QCOMPARE(t.proxyColumn(Column::TimeLeft),
             QStringList({u"59:59"_s, u"59:58"_s, u"9:59"_s, u"9:58"_s, QString()}));
    Session extended = *t.model.session(idFor(3));
    extended.expiresAt = extended.expiresAt.addSecs(3600);
    t.model.upsert(extended);
    QCOMPARE(t.proxyColumn(Column::TimeLeft),
             QStringList({u"1:09:58"_s, u"59:59"_s, u"59:58"_s, u"9:59"_s, QString()}));
}

void TestSessionTableModel::quoteAndGenerationColumns()
{
    Session cloud = makeSession(1, SessionState::Running, 600, 7200);
    cloud.generationCostUsd = 0.0654;
    const Session local = makeSession(2, SessionState::Running, 600, 7200, u"local"_s);
    Session draft = makeSession(3, SessionState::Draft);
    draft.ttlSeconds = 0;
    Table t({cloud, local, draft});
    const auto cell = [&](int n, Column column, int role = Qt::DisplayRole) {
        return t.model.index(t.model.rowOf(idFor(n)), int(column)).data(role);
    };
    // 7,200 s at kRate ($0.001/s) = $7.20 for the whole lifetime, plus $0.0654 of generation; Local without a
    // generation cost is free; a draft has nothing to quote.
    QCOMPARE(cell(1, Column::Quote).toString(), u"$7.27"_s);
    QVERIFY(qAbs(cell(1, Column::Quote, SessionTableModel::RawValueRole).toDouble() - 7.2654) < 1e-12);
    QCOMPARE(cell(2, Column::Quote).toString(), u"Free"_s);
    QVERIFY(!cell(3, Column::Quote).isValid());
    QVERIFY(!cell(3, Column::Quote, SessionTableModel::RawValueRole).isValid());
    QCOMPARE(cell(1, Column::Generation).toString(), u"$0.07"_s);
    QCOMPARE(cell(1, Column::Generation, SessionTableModel::RawValueRole).toDouble(), 0.0654);
    QVERIFY(!cell(2, Column::Generation).isValid());
    // A tick does not touch them.
    QSignalSpy changed(&t.model, &QAbstractItemModel::dataChanged);
    t.model.tick(kNow.addSecs(1));
    for (const Range &range : ranges(changed)) {
        QVERIFY(range.left > int(Column::Generation) || range.right < int(Column::Quote));
    }
}

void TestSessionTableModel::proxySortsCostByValue()
{
    // Lifetimes long enough that the cap at expiry does not apply.
    Session nine = makeSession(1, SessionState::Ended, 20000, 20000);
    nine.endedAt = nine.startedAt.addSecs(9000); // $9.00
    Session ten = makeSession(2, SessionState::Ended, 20000, 20000);
    ten.endedAt = ten.startedAt.addSecs(10000); // $10.00
    Table t({nine, ten, makeSession(3, SessionState::Running)});
    t.proxy.sort(int(Column::Cost), Qt::AscendingOrder);
    QCOMPARE(t.proxyColumn(Column::Cost), QStringList({u"$0.60"_s, u"$9.00"_s, u"$10.00"_s}));
    t.proxy.sort(int(Column::Cost), Qt::DescendingOrder);
    QCOMPARE(t.proxyColumn(Column::Cost), QStringList({u"$10.00"_s, u"$9.00"_s, u"$0.60"_s}));

    t.proxy.sort(int(Column::Status), Qt::AscendingOrder); // by lifecycle order, not by label
    QCOMPARE(t.proxyColumn(Column::Status), QStringList({u"Running"_s, u"Ended"_s, u"Ended"_s}));
    t.proxy.sort(int(Column::Name), Qt::DescendingOrder);
    QCOMPARE(t.proxyColumn(Column::Name), QStringList({u"app 3"_s, u"app 2"_s, u"app 1"_s}));
}

void TestSessionTableModel::proxySortsUrlAndExpiry()
{
    Session b = makeSession(1, SessionState::Running, 100);
    b.url = QUrl(u"https://b.example/"_s);
    Session a = makeSession(2, SessionState::Running, 200);
    a.url = QUrl(u"https://A.example/"_s);
    Table t({b, makeSession(3, SessionState::Ended), a});
    t.proxy.sort(int(Column::Url), Qt::AscendingOrder);
    QCOMPARE(t.proxyColumn(Column::Url),
             QStringList({u"https://a.example/"_s, u"https://b.example/"_s, QString()}));
    t.proxy.sort(int(Column::ExpiresAt), Qt::DescendingOrder);
    QCOMPARE(t.proxyColumn(Column::Name), QStringList({u"app 1"_s, u"app 2"_s, u"app 3"_s}));
}

void TestSessionTableModel::proxyResortsWhenCostsCross()
{
    Session fast = makeSession(1, SessionState::Running, 100); // $0.20 now, $0.60 in 200 s
    fast.ratePerSecond = 2 * kRate;
    const Session slow = makeSession(2, SessionState::Running, 300); // $0.30 now, $0.50 in 200 s
    Table t({fast, slow, makeSession(3, SessionState::Ended)});
    t.proxy.sort(int(Column::Cost), Qt::DescendingOrder);
    QCOMPARE(t.proxyColumn(Column::Name), QStringList({u"app 3"_s, u"app 2"_s, u"app 1"_s}));
    t.model.tick(kNow.addSecs(200));
    QCOMPARE(t.proxyColumn(Column::Cost), QStringList({u"$1.20"_s, u"$0.60"_s, u"$0.50"_s}));
}

void TestSessionTableModel::proxyTickForwardsOnlyTickingCells()
{
    QList<Session> sessions;
    for (int n = 20; n >= 1; --n)
        sessions << makeSession(n, n % 3 == 0 ? SessionState::Running : SessionState::Ended, 100 + n);
    Table t(sessions);
    t.proxy.sort(int(Column::Name), Qt::AscendingOrder); // interleaves live and ended rows
    QSignalSpy changed(&t.proxy, &QAbstractItemModel::dataChanged);
    t.model.tick(kNow.addSecs(1));
    QVERIFY(!changed.isEmpty());
    int rows = 0;
    for (const Range &range : ranges(changed)) {
        QCOMPARE(range.left, int(Column::TimeLeft));
        QCOMPARE(range.right, int(Column::Cost));
        for (int row = range.top; row <= range.bottom; ++row, ++rows) {
            const int state = t.proxy.index(row, 0).data(SessionTableModel::StateRole).toInt();
            QCOMPARE(state, int(SessionState::Running));
        }
    }
    QCOMPARE(rows, 6);
}

void TestSessionTableModel::proxyOutlivesItsSource()
{
    SessionFilterProxy proxy;
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    {
        SessionTableModel model(catalogue());
        model.setSessions({makeSession(2, SessionState::Running), makeSession(1, SessionState::Ended)});
        proxy.setSourceModel(&model);
        proxy.setSourceModel(&model); // again: nothing changes
        proxy.setSearchText(u"app"_s);
        proxy.sort(int(Column::TimeLeft));
        QCOMPARE(proxy.rowCount(), 2);
        model.upsert(makeSession(3, SessionState::Running));
        QCOMPARE(proxy.rowCount(), 3);
    }
    QCOMPARE(proxy.rowCount(), 0);
    proxy.setFilter(SessionFilterProxy::Filter::Active);
    QCOMPARE(proxy.rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestSessionTableModel)
#include "tst_sessiontablemodel.moc"
