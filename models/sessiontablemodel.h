#pragma once

#include "costmeter.h"
#include "pricingcatalogue.h"
#include "session.h"

#include <QAbstractTableModel>
#include <QDate>
#include <QDateTime>
#include <QHash>
#include <QList>

#include <optional>
#include <vector>

// The session table: one row per session, newest first, and a 1 Hz countdown.
//
// Words used below:
// - live: Running or Expiring. Only live rows show a URL, a countdown and a lifetime fraction; liveCount()
//   and liveCost() count them.
// - ticking: the session holds a provider resource (deploying, live, stopping), so its cost may still run.
//   tick() re-emits the TimeLeft and Cost cells of ticking rows and of no others. Ended and failed rows,
//   which are most of a long history, are never touched by a tick.
//
// data() is a function of the session and the model's `now` (the last tick()), never of the wall clock, so
// every cell of one tick agrees and tests are deterministic. The one exception to purity is deliberate: live
// costs go through a CostMeter, so a wall clock stepped backwards never makes a shown cost go down.
class SessionTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    // Quote: what the whole session costs if it runs to its expiry (its lifetime, extensions included, at its
    // rate, plus its generation cost: Cost counted the same way); Generation: what generating its code cost.
    // Neither changes with a tick.
    enum class Column { Name, Provider, Status, Url, TimeLeft, Cost, ExpiresAt, Quote, Generation, Count };
    Q_ENUM(Column)

    enum Role {
        // Sortable value: name and provider as QString, status as int (SessionState), URL as QString, time
        // left in seconds (qint64), cost, quote and generation in USD (double), expiry in ms since the epoch
        // (qint64). Invalid where the cell shows nothing (no countdown, no expiry), so proxies can sort empty
        // cells last.
        RawValueRole = Qt::UserRole + 1,
        SessionIdRole,        // every column
        StateRole,            // every column: SessionState as int
        LifetimeFractionRole, // TimeLeft of live rows: 0..1 of the lifetime left (double); else invalid
        UnsandboxedRole,      // every column: bool
    };
    Q_ENUM(Role)

    explicit SessionTableModel(const PricingCatalogue &pricing, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    // Replaces every row (a model reset). `sessions` come newest first; a repeated id gets one row, with the
    // data listed first.
    void setSessions(const QList<Session> &sessions);
    // A new id becomes row 0; a known id is replaced in place, and only cells whose data changed are emitted.
    void upsert(const Session &session);
    void remove(const QString &sessionId);
    // The countdown: stores `now` and emits dataChanged for the TimeLeft and Cost cells of ticking rows, one
    // signal per run of adjacent rows, roles {DisplayRole, RawValueRole, LifetimeFractionRole}. When the
    // local date changes, ExpiresAt is included once (its "today" format depends on the date).
    void tick(const QDateTime &now);
    QDateTime now() const { return m_now; }

    std::optional<Session> session(const QString &id) const;
    const Session &sessionAt(int row) const;
    int rowOf(const QString &id) const; // -1 if unknown
    int liveCount() const;
    // The sessions that may still be billing (deploying, live, stopping): what the cost view adds to the
    // ledger. Cheap: the model keeps their indices.
    QList<Session> tickingSessions() const;
    // Accrued USD of the live sessions at `now`, for the status bar.
    double liveCost(const QDateTime &now) const;

    // Names shown for provider keys; keys left out fall back to the pricing catalogue's name, then the key.
    void setProviderNames(const QHash<QString, QString> &keyToDisplayName);
    QString providerName(const QString &key) const;
    // The Status cell: state label, the failure's label when failed, the unsandboxed marker.
    QString statusText(const Session &session) const;

    static bool isLive(SessionState state);
    static bool isTicking(SessionState state);

    // What RawValueRole orders by, without building QVariants: proxies sort 10,000 rows on these.
    // Name, Provider and Url sort as text (nullopt: the cell shows nothing), the other columns as numbers
    // (NaN: the cell shows nothing). TimeLeft orders by the expiry: the same order as the seconds left, and
    // one no tick can change, so a table sorted by time left is never re-sorted by a tick.
    static bool sortsAsText(Column column);
    std::optional<QString> sortText(int row, Column column) const;
    double sortNumber(int row, Column column) const;

private:
    // Rows are stored oldest first, so a new session (row 0) is an append and no stored index moves.
    int toRow(int stored) const { return int(m_sessions.size()) - 1 - stored; }
    int toStored(int row) const { return int(m_sessions.size()) - 1 - row; }

    QVariant display(int stored, Column column) const;
    QVariant rawValue(int stored, Column column) const;
    QVariant toolTip(const Session &session, Column column) const;
    QVariant lifetimeFraction(const Session &session) const;
    bool showsCountdown(const Session &session) const;
    bool showsExpiry(const Session &session) const;
    double cost(const Session &session, const QDateTime &at) const;
    bool showsQuote(const Session &session) const;
    double quote(const Session &session) const;
    // cost() at m_now, computed once per row and tick: sorting by cost asks for it n log n times.
    double costNow(int stored) const;
    const QString &providerNameRef(const QString &key) const;
    QString expiryText(const QDateTime &expiresAt) const;

    void addTicking(int stored);
    void removeTicking(int stored);

    PricingCatalogue m_pricing; // a copy: callers pass temporaries such as PricingCatalogue::shipped()
    QHash<QString, QString> m_catalogueNames;
    QHash<QString, QString> m_providerNames;
    QList<Session> m_sessions;     // oldest first
    QHash<QString, int> m_indexOf; // id → stored index
    std::vector<int> m_ticking;    // stored indices of ticking sessions, ascending
    QDateTime m_now;
    QDate m_today; // m_now's local date
    mutable CostMeter m_meter;
    // What sorting reads, by stored index, small and contiguous: sorting 10,000 rows by time left reads
    // this instead of 10,000 scattered Sessions.
    struct Hot
    {
        explicit Hot(const Session &session);
        qint64 expiresMs = 0; // valid when hasExpiry
        SessionState state = SessionState::Draft;
        bool hasExpiry = false;
    };
    std::vector<Hot> m_hot;
    struct CachedCost
    {
        quint64 generation = 0; // usd is valid when equal to m_generation
        double usd = 0;
    };
    mutable std::vector<CachedCost> m_costs; // by stored index
    quint64 m_generation = 1;                // bumped by every tick
    const QList<int> m_tickRoles;
};
