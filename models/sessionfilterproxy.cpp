#include "sessionfilterproxy.h"

#include "sessiontablemodel.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace {

using Column = SessionTableModel::Column;

// The columns whose data the filter reads (the state shows in Status); changes elsewhere keep verdicts.
bool filterReads(int column)
{
    switch (Column(column)) {
    case Column::Name:
    case Column::Provider:
    case Column::Status:
    case Column::Url:
        return true;
    case Column::TimeLeft:
    case Column::Cost:
    case Column::ExpiresAt:
    case Column::Quote:
    case Column::Generation:
    case Column::Count:
        return false;
    }
    return true;
}

} // namespace

SessionFilterProxy::SessionFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(SessionTableModel::RawValueRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    // Ticks touch only the TimeLeft and Cost columns, so a tick can re-sort only a table sorted by one of
    // them, and QSortFilterProxyModel does it only when a touched row is out of order.
    setDynamicSortFilter(true);
}

void SessionFilterProxy::setSourceModel(QAbstractItemModel *source)
{
    if (source == sourceModel())
        return;
    for (const QMetaObject::Connection &connection : std::as_const(m_sourceConnections))
        disconnect(connection);
    m_sourceConnections.clear();
    m_sessions = qobject_cast<const SessionTableModel *>(source);
    m_verdicts.assign(m_sessions ? std::size_t(m_sessions->rowCount()) : 0, -1);
    if (m_sessions) {
        // Connected before the base class connects its own handlers, so verdicts follow the source's rows
        // before QSortFilterProxyModel asks for them.
        const auto forgetAll = [this] { forgetAllVerdicts(); };
        m_sourceConnections = {
            connect(source, &QAbstractItemModel::modelReset, this, forgetAll),
            connect(source, &QAbstractItemModel::layoutChanged, this, forgetAll),
            connect(source, &QAbstractItemModel::rowsMoved, this, forgetAll),
            connect(source, &QAbstractItemModel::rowsInserted, this,
                    [this](const QModelIndex &parent, int first, int last) {
                        if (parent.isValid() || std::size_t(first) > m_verdicts.size())
                            return forgetAllVerdicts();
                        m_verdicts.insert(m_verdicts.begin() + first, std::size_t(last - first + 1), -1);
                    }),
            connect(source, &QAbstractItemModel::rowsRemoved, this,
                    [this](const QModelIndex &parent, int first, int last) {
                        if (parent.isValid() || std::size_t(last) >= m_verdicts.size())
                            return forgetAllVerdicts();
                        m_verdicts.erase(m_verdicts.begin() + first, m_verdicts.begin() + last + 1);
                    }),
            connect(source, &QAbstractItemModel::dataChanged, this,
                    [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                        for (int column = topLeft.column(); column <= bottomRight.column(); ++column) {
                            if (filterReads(column))
                                return forgetVerdicts(topLeft.row(), bottomRight.row());
                        }
                    }),
        };
    }
    QSortFilterProxyModel::setSourceModel(source);
}

void SessionFilterProxy::setFilter(Filter filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    forgetAllVerdicts();
    invalidateFilter();
}

void SessionFilterProxy::setSearchText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_searchText)
        return;
    m_searchText = trimmed;
    forgetAllVerdicts();
    invalidateFilter();
}

bool SessionFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const SessionTableModel *sessions = m_sessions.data();
    if (!sessions || sourceParent.isValid())
        return true;
    if (sourceRow < 0 || std::size_t(sourceRow) >= m_verdicts.size())
        return accepts(sessions->sessionAt(sourceRow)); // not expected: the source told us of every row
    qint8 &verdict = m_verdicts[std::size_t(sourceRow)];
    if (verdict < 0)
        verdict = accepts(sessions->sessionAt(sourceRow)) ? 1 : 0;
    return verdict == 1;
}

bool SessionFilterProxy::accepts(const Session &session) const
{
    if (m_filter == Filter::Active && SessionStates::isTerminal(session.state))
        return false;
    if (m_searchText.isEmpty())
        return true;
    const auto has = [this](const QString &text) { return text.contains(m_searchText, Qt::CaseInsensitive); };
    return has(session.name) || session.id.startsWith(m_searchText, Qt::CaseInsensitive) ||
           has(session.provider) || has(m_sessions->providerName(session.provider)) ||
           has(m_sessions->statusText(session)) || has(session.url.toString());
}

void SessionFilterProxy::forgetVerdicts(int first, int last)
{
    const auto end = std::min(std::size_t(last) + 1, m_verdicts.size());
    for (auto row = std::size_t(std::max(first, 0)); row < end; ++row)
        m_verdicts[row] = -1;
}

void SessionFilterProxy::forgetAllVerdicts()
{
    m_verdicts.assign(sourceModel() ? std::size_t(sourceModel()->rowCount()) : 0, -1);
}

bool SessionFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // Descending sorts by lessThan(right, left): answering by the order keeps empty cells at the bottom.
    const auto emptyLast = [this](bool leftHasValue, bool rightHasValue) {
        if (leftHasValue == rightHasValue)
            return false;
        return leftHasValue ? sortOrder() == Qt::AscendingOrder : sortOrder() == Qt::DescendingOrder;
    };

    const SessionTableModel *sessions = m_sessions.data();
    if (sessions && left.model() == sessions && sortRole() == SessionTableModel::RawValueRole) {
        const auto column = Column(left.column());
        if (SessionTableModel::sortsAsText(column)) {
            const std::optional<QString> l = sessions->sortText(left.row(), column);
            const std::optional<QString> r = sessions->sortText(right.row(), column);
            if (!l || !r)
                return emptyLast(l.has_value(), r.has_value());
            return QString::compare(*l, *r, sortCaseSensitivity()) < 0;
        }
        const double l = sessions->sortNumber(left.row(), column);
        const double r = sessions->sortNumber(right.row(), column);
        if (std::isnan(l) || std::isnan(r))
            return emptyLast(!std::isnan(l), !std::isnan(r));
        return l < r;
    }

    const QVariant l = left.data(sortRole());
    const QVariant r = right.data(sortRole());
    if (!l.isValid() || !r.isValid())
        return emptyLast(l.isValid(), r.isValid());
    if (l.typeId() == QMetaType::QString && r.typeId() == QMetaType::QString)
        return QString::compare(l.toString(), r.toString(), sortCaseSensitivity()) < 0;
    return QVariant::compare(l, r) == QPartialOrdering::Less;
}
