#include "sessiontablemodel.h"

#include "duration.h"

#include <QLocale>
#include <QSet>

#include <algorithm>
#include <array>
#include <limits>

using namespace Qt::StringLiterals;

namespace {

constexpr int kColumns = int(SessionTableModel::Column::Count);

// The roles an upsert compares to decide which cells changed (SessionIdRole cannot change for one id;
// TextAlignmentRole depends on the column only).
constexpr std::array kComparedRoles = {int(Qt::DisplayRole),
                                       int(SessionTableModel::RawValueRole),
                                       int(Qt::ToolTipRole),
                                       int(SessionTableModel::LifetimeFractionRole),
                                       int(SessionTableModel::StateRole),
                                       int(SessionTableModel::UnsandboxedRole)};

using CellSnapshot = std::array<std::array<QVariant, kComparedRoles.size()>, kColumns>;

qint64 lifetimeSeconds(const Session &session)
{
    if (session.startedAt.isValid() && session.expiresAt.isValid())
        return session.startedAt.secsTo(session.expiresAt);
    return session.ttlSeconds;
}

} // namespace

SessionTableModel::Hot::Hot(const Session &session)
    : expiresMs(session.expiresAt.isValid() ? session.expiresAt.toMSecsSinceEpoch() : 0)
    , state(session.state)
    , hasExpiry(session.expiresAt.isValid())
{}

SessionTableModel::SessionTableModel(const PricingCatalogue &pricing, QObject *parent)
    : QAbstractTableModel(parent)
    , m_pricing(pricing)
    , m_now(QDateTime::currentDateTimeUtc())
    , m_tickRoles{Qt::DisplayRole, RawValueRole, LifetimeFractionRole}
{
    m_today = m_now.toLocalTime().date();
    const QStringList keys = m_pricing.providers();
    for (const QString &key : keys) {
        if (const ProviderPricing *provider = m_pricing.provider(key); provider && !provider->name.isEmpty())
            m_catalogueNames.insert(key, provider->name);
    }
}

int SessionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_sessions.size());
}

int SessionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : kColumns;
}

Qt::ItemFlags SessionTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QVariant SessionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= kColumns)
        return QAbstractTableModel::headerData(section, orientation, role);
    const auto column = Column(section);
    if (role == Qt::TextAlignmentRole) {
        switch (column) {
        case Column::TimeLeft:
        case Column::Cost:
        case Column::ExpiresAt:
        case Column::Quote:
        case Column::Generation:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        case Column::Name:
        case Column::Provider:
        case Column::Status:
        case Column::Url:
        case Column::Count:
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        }
        return {};
    }
    if (role == Qt::InitialSortOrderRole) {
        // What a first click on the header should show: the dearest sessions, the ones ending soonest.
        const bool money = column == Column::Cost || column == Column::Quote || column == Column::Generation;
        return int(money ? Qt::DescendingOrder : Qt::AscendingOrder);
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case Column::Name:
        return tr("Name");
    case Column::Provider:
        return tr("Provider");
    case Column::Status:
        return tr("Status");
    case Column::Url:
        return tr("URL");
    case Column::TimeLeft:
        return tr("Time left");
    case Column::Cost:
        return tr("Cost");
    case Column::ExpiresAt:
        return tr("Expires at");
    case Column::Quote:
        return tr("Quote");
    case Column::Generation:
        return tr("Generation");
    case Column::Count:
        break;
    }
    return {};
}

QVariant SessionTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this || index.row() >= m_sessions.size() ||
        index.column() >= kColumns)
        return {};
    const int stored = toStored(index.row());
    const Session &session = m_sessions.at(stored);
    const auto column = Column(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return display(stored, column);
    case RawValueRole:
        return rawValue(stored, column);
    case Qt::ToolTipRole:
        return toolTip(session, column);
    case Qt::TextAlignmentRole:
        return headerData(index.column(), Qt::Horizontal, role);
    case LifetimeFractionRole:
        return column == Column::TimeLeft ? lifetimeFraction(session) : QVariant();
    case SessionIdRole:
        return session.id;
    case StateRole:
        return int(session.state);
    case UnsandboxedRole:
        return session.unsandboxed;
    }
    return {};
}

QVariant SessionTableModel::display(int stored, Column column) const
{
    const Session &session = m_sessions.at(stored);
    switch (column) {
    case Column::Name:
        return session.name;
    case Column::Provider:
        return providerName(session.provider);
    case Column::Status:
        return statusText(session);
    case Column::Url:
        return isLive(session.state) && !session.url.isEmpty() ? QVariant(session.url.toDisplayString())
                                                               : QVariant();
    case Column::TimeLeft:
        return showsCountdown(session) ? QVariant(formatCountdown(session.secondsLeft(m_now))) : QVariant();
    case Column::Cost:
        return formatUsd(costNow(stored));
    case Column::ExpiresAt:
        return showsExpiry(session) ? QVariant(expiryText(session.expiresAt)) : QVariant();
    case Column::Quote:
        if (!showsQuote(session))
            return {};
        return quote(session) == 0 ? tr("Free") : formatUsd(quote(session));
    case Column::Generation:
        return session.generationCostUsd > 0 ? QVariant(formatUsd(session.generationCostUsd)) : QVariant();
    case Column::Count:
        break;
    }
    return {};
}

QVariant SessionTableModel::rawValue(int stored, Column column) const
{
    const Session &session = m_sessions.at(stored);
    switch (column) {
    case Column::Name:
        return session.name;
    case Column::Provider:
        return providerName(session.provider);
    case Column::Status:
        return int(session.state);
    case Column::Url:
        return isLive(session.state) && !session.url.isEmpty() ? QVariant(session.url.toString())
                                                               : QVariant();
    case Column::TimeLeft:
        return showsCountdown(session) ? QVariant(session.secondsLeft(m_now)) : QVariant();
    case Column::Cost:
        return costNow(stored);
    case Column::ExpiresAt:
        return showsExpiry(session) ? QVariant(session.expiresAt.toMSecsSinceEpoch()) : QVariant();
    case Column::Quote:
        return showsQuote(session) ? QVariant(quote(session)) : QVariant();
    case Column::Generation:
        return session.generationCostUsd > 0 ? QVariant(session.generationCostUsd) : QVariant();
    case Column::Count:
        break;
    }
    return {};
}

QVariant SessionTableModel::toolTip(const Session &session, Column column) const
{
    // Nothing here depends on m_now: tick() does not re-emit tooltips.
    switch (column) {
    case Column::Name:
        return tr("%1\nSession %2").arg(session.name, session.id);
    case Column::Provider:
        return session.size.isEmpty() ? QVariant() : QVariant(tr("Size: %1").arg(session.size));
    case Column::Status: {
        QStringList lines;
        if (session.state == SessionState::Failed && !session.failureMessage.isEmpty())
            lines << session.failureMessage;
        if (session.unsandboxed)
            lines << tr("Runs without the bubblewrap sandbox, as you chose: the app can read your files "
                        "and use the network.");
        return lines.isEmpty() ? QVariant() : QVariant(lines.join(u'\n'));
    }
    case Column::Url:
        return isLive(session.state) && !session.url.isEmpty() ? QVariant(session.url.toString())
                                                               : QVariant();
    case Column::TimeLeft:
        return showsCountdown(session)
                   ? QVariant(tr("Lifetime %1").arg(formatDuration(lifetimeSeconds(session))))
                   : QVariant();
    case Column::Cost:
        if (session.ratePerSecond <= 0 || session.provider == u"local")
            return {};
        return tr("%1 per hour").arg(formatUsd(session.ratePerSecond * 3600));
    case Column::ExpiresAt:
        if (showsExpiry(session))
            return QLocale().toString(session.expiresAt.toLocalTime(), QLocale::LongFormat);
        if (SessionStates::isTerminal(session.state) && session.endedAt.isValid())
            return tr("Ended %1").arg(QLocale().toString(session.endedAt.toLocalTime(), QLocale::LongFormat));
        return {};
    case Column::Quote:
        if (!showsQuote(session))
            return {};
        if (session.provider == u"local")
            return tr("Running is free; generating its code cost %1").arg(formatUsd(session.generationCostUsd));
        return tr("%1 at %2 per hour, plus %3 for generating its code\n%4\nSource: %5 (%6)")
            .arg(formatDuration(session.ttlSeconds), formatUsd(session.ratePerSecond * 3600),
                 formatUsd(session.generationCostUsd), session.rateBasis.how, session.rateBasis.source,
                 session.rateBasis.asOf);
    case Column::Generation:
        return session.generationCostUsd > 0 ? QVariant(tr("What Claude's tokens for this app's code cost"))
                                             : QVariant();
    case Column::Count:
        break;
    }
    return {};
}

QVariant SessionTableModel::lifetimeFraction(const Session &session) const
{
    if (!showsCountdown(session))
        return {};
    const qint64 lifetime = lifetimeSeconds(session);
    if (lifetime <= 0)
        return 0.0;
    return std::clamp(double(session.secondsLeft(m_now)) / double(lifetime), 0.0, 1.0);
}

bool SessionTableModel::showsCountdown(const Session &session) const
{
    return isLive(session.state) && session.expiresAt.isValid();
}

bool SessionTableModel::showsExpiry(const Session &session) const
{
    // An ended session's planned expiry would read as a promise; its tooltip says when it ended instead.
    return isTicking(session.state) && session.expiresAt.isValid();
}

double SessionTableModel::cost(const Session &session, const QDateTime &at) const
{
    const MinimumCharge minimum = m_pricing.minimumCharge(session.provider);
    // An ended session's cost is fixed by its stored times; only running costs need the meter's memory.
    if (SessionStates::isTerminal(session.state))
        return CostMeter::accruedAt(session, at, minimum);
    return m_meter.accrued(session, at, minimum);
}

bool SessionTableModel::showsQuote(const Session &session) const
{
    // What it was deployed (and extended) for; a session with no lifetime yet has nothing to quote.
    return session.ttlSeconds > 0;
}

double SessionTableModel::quote(const Session &session) const
{
    // The whole session, as Cost counts it: its lifetime at its rate and what generating its code cost.
    return CostMeter::lifetimeQuote(session, m_pricing.minimumCharge(session.provider)) +
           session.generationCostUsd;
}

double SessionTableModel::costNow(int stored) const
{
    CachedCost &cached = m_costs[std::size_t(stored)];
    if (cached.generation != m_generation) {
        cached.usd = cost(m_sessions.at(stored), m_now);
        cached.generation = m_generation;
    }
    return cached.usd;
}

bool SessionTableModel::sortsAsText(Column column)
{
    switch (column) {
    case Column::Name:
    case Column::Provider:
    case Column::Url:
        return true;
    case Column::Status:
    case Column::TimeLeft:
    case Column::Cost:
    case Column::ExpiresAt:
    case Column::Quote:
    case Column::Generation:
    case Column::Count:
        return false;
    }
    return false;
}

std::optional<QString> SessionTableModel::sortText(int row, Column column) const
{
    const Session &session = sessionAt(row);
    switch (column) {
    case Column::Name:
        return session.name;
    case Column::Provider:
        return providerNameRef(session.provider);
    case Column::Url:
        if (!isLive(session.state) || session.url.isEmpty())
            return std::nullopt;
        return session.url.toString();
    case Column::Status:
    case Column::TimeLeft:
    case Column::Cost:
    case Column::ExpiresAt:
    case Column::Quote:
    case Column::Generation:
    case Column::Count:
        break;
    }
    return std::nullopt;
}

double SessionTableModel::sortNumber(int row, Column column) const
{
    // Mirrors rawValue(), reading only the small m_hot and m_costs arrays.
    constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
    const int stored = toStored(row);
    const Hot &hot = m_hot[std::size_t(stored)];
    switch (column) {
    case Column::Status:
        return double(hot.state);
    case Column::TimeLeft:
        return isLive(hot.state) && hot.hasExpiry ? double(hot.expiresMs) : kNone;
    case Column::Cost:
        return costNow(stored);
    case Column::ExpiresAt:
        return isTicking(hot.state) && hot.hasExpiry ? double(hot.expiresMs) : kNone;
    case Column::Quote: {
        const Session &session = m_sessions.at(stored);
        return showsQuote(session) ? quote(session) : kNone;
    }
    case Column::Generation: {
        const double usd = m_sessions.at(stored).generationCostUsd;
        return usd > 0 ? usd : kNone;
    }
    case Column::Name:
    case Column::Provider:
    case Column::Url:
    case Column::Count:
        break;
    }
    return kNone;
}

QString SessionTableModel::expiryText(const QDateTime &expiresAt) const
{
    const QDateTime local = expiresAt.toLocalTime();
    const QString time = local.toString(u"HH:mm"_s);
    if (local.date() == m_today)
        return time;
    return QLocale().toString(local.date(), QLocale::ShortFormat) + u' ' + time;
}

QString SessionTableModel::providerName(const QString &key) const
{
    return providerNameRef(key);
}

const QString &SessionTableModel::providerNameRef(const QString &key) const
{
    if (const auto it = m_providerNames.constFind(key); it != m_providerNames.cend())
        return *it;
    if (const auto it = m_catalogueNames.constFind(key); it != m_catalogueNames.cend())
        return *it;
    return key;
}

QString SessionTableModel::statusText(const Session &session) const
{
    QString text = SessionStates::label(session.state);
    if (session.state == SessionState::Failed && session.failure != FailureReason::None)
        text = tr("%1: %2").arg(text, FailureReasons::label(session.failure));
    if (session.unsandboxed)
        text += u"  "_s + tr("⚠ unsandboxed");
    return text;
}

QList<Session> SessionTableModel::tickingSessions() const
{
    QList<Session> sessions;
    sessions.reserve(qsizetype(m_ticking.size()));
    for (const int stored : m_ticking)
        sessions << m_sessions.at(stored);
    return sessions;
}

bool SessionTableModel::isLive(SessionState state)
{
    return state == SessionState::Running || state == SessionState::Expiring;
}

bool SessionTableModel::isTicking(SessionState state)
{
    return SessionStates::holdsResource(state);
}

void SessionTableModel::setSessions(const QList<Session> &sessions)
{
    beginResetModel();
    QSet<QString> kept;
    kept.reserve(sessions.size());
    for (const Session &session : sessions)
        kept.insert(session.id);
    for (const Session &old : std::as_const(m_sessions)) {
        if (!kept.contains(old.id))
            m_meter.forget(old.id);
    }

    m_sessions.clear();
    m_indexOf.clear();
    m_ticking.clear();
    m_sessions.reserve(sessions.size());
    m_indexOf.reserve(sessions.size());
    for (auto it = sessions.crbegin(); it != sessions.crend(); ++it) {
        if (const auto known = m_indexOf.constFind(it->id); known != m_indexOf.cend()) {
            m_sessions[*known] = *it;
            continue;
        }
        m_indexOf.insert(it->id, int(m_sessions.size()));
        m_sessions.append(*it);
    }
    for (int stored = 0; stored < m_sessions.size(); ++stored) {
        if (isTicking(m_sessions.at(stored).state))
            m_ticking.push_back(stored);
    }
    m_hot.clear();
    m_hot.reserve(std::size_t(m_sessions.size()));
    for (const Session &session : std::as_const(m_sessions))
        m_hot.emplace_back(session);
    m_costs.assign(m_hot.size(), CachedCost{});
    endResetModel();
}

void SessionTableModel::upsert(const Session &session)
{
    const auto known = m_indexOf.constFind(session.id);
    if (known == m_indexOf.cend()) {
        beginInsertRows({}, 0, 0);
        const int stored = int(m_sessions.size());
        m_sessions.append(session);
        m_hot.emplace_back(session);
        m_costs.push_back({});
        m_indexOf.insert(session.id, stored);
        if (isTicking(session.state))
            m_ticking.push_back(stored); // the largest index: the list stays sorted
        endInsertRows();
        return;
    }

    const int stored = *known;
    const int row = toRow(stored);
    auto snapshot = [&] {
        CellSnapshot cells;
        for (int column = 0; column < kColumns; ++column) {
            const QModelIndex cell = index(row, column);
            for (std::size_t r = 0; r < kComparedRoles.size(); ++r)
                cells[column][r] = data(cell, kComparedRoles[r]);
        }
        return cells;
    };
    const CellSnapshot before = snapshot();
    const bool wasTicking = isTicking(m_sessions.at(stored).state);
    m_sessions[stored] = session;
    m_hot[std::size_t(stored)] = Hot(session);
    m_costs[std::size_t(stored)] = {};
    if (SessionStates::isTerminal(session.state))
        m_meter.forget(session.id); // its stored times decide its cost from now on
    if (wasTicking != isTicking(session.state)) {
        if (wasTicking)
            removeTicking(stored);
        else
            addTicking(stored);
    }
    const CellSnapshot after = snapshot();

    // One signal per run of adjacent changed cells, with the roles that changed in it.
    int first = -1;
    QList<int> roles;
    for (int column = 0; column <= kColumns; ++column) {
        bool changed = false;
        if (column < kColumns) {
            for (std::size_t r = 0; r < kComparedRoles.size(); ++r) {
                if (before[column][r] != after[column][r]) {
                    changed = true;
                    if (!roles.contains(kComparedRoles[r]))
                        roles.append(kComparedRoles[r]);
                }
            }
        }
        if (changed && first < 0)
            first = column;
        if (!changed && first >= 0) {
            emit dataChanged(index(row, first), index(row, column - 1), roles);
            first = -1;
            roles.clear();
        }
    }
}

void SessionTableModel::remove(const QString &sessionId)
{
    const auto known = m_indexOf.constFind(sessionId);
    if (known == m_indexOf.cend())
        return;
    const int stored = *known;
    const int row = toRow(stored);
    beginRemoveRows({}, row, row);
    m_sessions.removeAt(stored);
    m_hot.erase(m_hot.begin() + stored);
    m_costs.erase(m_costs.begin() + stored);
    m_indexOf.remove(sessionId);
    for (int moved = stored; moved < m_sessions.size(); ++moved)
        m_indexOf[m_sessions.at(moved).id] = moved;
    const auto at = std::lower_bound(m_ticking.begin(), m_ticking.end(), stored);
    auto next = (at != m_ticking.end() && *at == stored) ? m_ticking.erase(at) : at;
    for (; next != m_ticking.end(); ++next)
        --*next;
    m_meter.forget(sessionId);
    endRemoveRows();
}

void SessionTableModel::tick(const QDateTime &now)
{
    if (!now.isValid())
        return;
    m_now = now;
    ++m_generation;
    const QDate today = m_now.toLocalTime().date();
    const bool newDay = today != m_today;
    m_today = today;
    if (m_ticking.empty())
        return;

    // One dataChanged per run of adjacent ticking rows. A run of free sessions only (Local) leaves its cost
    // column alone: it would repaint "$0.00" every second for nothing.
    static_assert(int(Column::Cost) == int(Column::TimeLeft) + 1,
                  "one rectangle covers both ticking columns");
    const int lastColumn = int(newDay ? Column::ExpiresAt : Column::Cost);
    // Ascending stored indices are descending rows: walk backwards so signals come in row order.
    auto it = m_ticking.crbegin();
    while (it != m_ticking.crend()) {
        const int newest = *it;
        int oldest = newest;
        bool costMoves = m_sessions.at(newest).ratePerSecond > 0;
        for (++it; it != m_ticking.crend() && *it == oldest - 1; ++it) {
            oldest = *it;
            costMoves = costMoves || m_sessions.at(oldest).ratePerSecond > 0;
        }
        const int last = newDay || costMoves ? lastColumn : int(Column::TimeLeft);
        emit dataChanged(index(toRow(newest), int(Column::TimeLeft)), index(toRow(oldest), last),
                         m_tickRoles);
    }
}

std::optional<Session> SessionTableModel::session(const QString &id) const
{
    const auto known = m_indexOf.constFind(id);
    if (known == m_indexOf.cend())
        return std::nullopt;
    return m_sessions.at(*known);
}

const Session &SessionTableModel::sessionAt(int row) const
{
    Q_ASSERT(row >= 0 && row < m_sessions.size());
    return m_sessions.at(toStored(row));
}

int SessionTableModel::rowOf(const QString &id) const
{
    const auto known = m_indexOf.constFind(id);
    return known == m_indexOf.cend() ? -1 : toRow(*known);
}

int SessionTableModel::liveCount() const
{
    return int(std::count_if(m_ticking.cbegin(), m_ticking.cend(),
                             [this](int stored) { return isLive(m_sessions.at(stored).state); }));
}

double SessionTableModel::liveCost(const QDateTime &now) const
{
    double total = 0;
    for (const int stored : m_ticking) {
        const Session &session = m_sessions.at(stored);
        if (isLive(session.state))
            total += cost(session, now);
    }
    return total;
}

void SessionTableModel::setProviderNames(const QHash<QString, QString> &keyToDisplayName)
{
    if (keyToDisplayName == m_providerNames)
        return;
    m_providerNames = keyToDisplayName;
    if (!m_sessions.isEmpty()) {
        const QModelIndex cell = index(0, int(Column::Provider));
        emit dataChanged(cell, index(rowCount() - 1, int(Column::Provider)), {Qt::DisplayRole, RawValueRole});
    }
}

void SessionTableModel::addTicking(int stored)
{
    m_ticking.insert(std::lower_bound(m_ticking.begin(), m_ticking.end(), stored), stored);
}

void SessionTableModel::removeTicking(int stored)
{
    const auto at = std::lower_bound(m_ticking.begin(), m_ticking.end(), stored);
    if (at != m_ticking.end() && *at == stored)
        m_ticking.erase(at);
}
