#pragma once

#include <QList>
#include <QPointer>
#include <QSortFilterProxyModel>

#include <vector>

class SessionTableModel;
struct Session;

// The session table as the view shows it: active or all sessions, a search, sorting on RawValueRole.
// Cells without a raw value (no countdown, no expiry) sort last in either order.
class SessionFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    enum class Filter {
        Active, // not ended or failed
        All,
    };
    Q_ENUM(Filter)

    explicit SessionFilterProxy(QObject *parent = nullptr);

    // With a SessionTableModel source, filtering and sorting read its sessions directly; other sources are
    // not filtered and sort on RawValueRole through data().
    void setSourceModel(QAbstractItemModel *source) override;

    Filter filter() const { return m_filter; }
    void setFilter(Filter filter);
    QString searchText() const { return m_searchText; }
    // Case-insensitive, over name, provider (name and key), status, URL and the start of the session id.
    void setSearchText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    bool accepts(const Session &session) const;
    void forgetVerdicts(int first, int last);
    void forgetAllVerdicts();

    QPointer<const SessionTableModel> m_sessions; // null once it is gone: sources may die first
    QList<QMetaObject::Connection> m_sourceConnections;
    Filter m_filter = Filter::All;
    QString m_searchText;
    // The filter's answer per source row (-1: not asked yet). QSortFilterProxyModel asks again for every row
    // a tick touches; the answer cannot change then, because ticks touch no column the filter reads.
    mutable std::vector<qint8> m_verdicts;
};
