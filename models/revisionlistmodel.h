#pragma once

#include "store.h"

#include <QAbstractTableModel>
#include <QList>

// The revisions of one app, newest first, as Store::revisionHistory returns them: one row per revision with
// its number in the chain, when it was saved, the prompt that made it and what generating it cost.
class RevisionListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class Column { Number, When, Prompt, Files, Size, Tokens, Cost, Model, Count };
    Q_ENUM(Column)

    enum Role {
        // Sortable value: number and file count as int, time in ms since the epoch, size and tokens as
        // qint64, cost in USD (double), prompt and model as QString. Tokens and cost are invalid for a
        // revision no generation produced (a hand edit).
        RawValueRole = Qt::UserRole + 1,
        RevisionIdRole, // every column
    };
    Q_ENUM(Role)

    explicit RevisionListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    // Replaces every row (a model reset). Newest first; the oldest gets number 1.
    void setRevisions(const QList<RevisionInfo> &revisions);
    const QList<RevisionInfo> &revisions() const { return m_revisions; }
    const RevisionInfo &revisionAt(int row) const { return m_revisions.at(row); }
    int rowOf(const QString &revisionId) const; // -1 if not listed
    int numberAt(int row) const { return int(m_revisions.size()) - row; }

    // The prompt on one line, or what stands in for it when there is none.
    static QString promptSummary(const RevisionInfo &revision);
    static qint64 totalTokens(const TokenUsage &usage);

private:
    QVariant display(const RevisionInfo &revision, int row, Column column) const;
    QVariant rawValue(const RevisionInfo &revision, int row, Column column) const;
    QVariant toolTip(const RevisionInfo &revision, Column column) const;

    QList<RevisionInfo> m_revisions;
};
