#include "revisionlistmodel.h"

#include "costmeter.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace {

constexpr int kColumns = int(RevisionListModel::Column::Count);
constexpr int kShortIdLength = 8;

// Rich text, so a long prompt wraps in the tooltip instead of making it as wide as the screen.
QString wrappingToolTip(const QString &plain)
{
    return u"<p style='white-space:pre-wrap'>"_s + plain.toHtmlEscaped() + u"</p>"_s;
}

} // namespace

RevisionListModel::RevisionListModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int RevisionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_revisions.size());
}

int RevisionListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : kColumns;
}

Qt::ItemFlags RevisionListModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QVariant RevisionListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= kColumns)
        return QAbstractTableModel::headerData(section, orientation, role);
    const auto column = Column(section);
    if (role == Qt::TextAlignmentRole) {
        switch (column) {
        case Column::Number:
        case Column::Files:
        case Column::Size:
        case Column::Tokens:
        case Column::Cost:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        case Column::When:
        case Column::Prompt:
        case Column::Model:
        case Column::Count:
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case Column::Number:
        return tr("#");
    case Column::When:
        return tr("When");
    case Column::Prompt:
        return tr("Prompt");
    case Column::Files:
        return tr("Files");
    case Column::Size:
        return tr("Size");
    case Column::Tokens:
        return tr("Tokens");
    case Column::Cost:
        return tr("Cost");
    case Column::Model:
        return tr("Model");
    case Column::Count:
        break;
    }
    return {};
}

QVariant RevisionListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const RevisionInfo &revision = m_revisions.at(row);
    const auto column = Column(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return display(revision, row, column);
    case RawValueRole:
        return rawValue(revision, row, column);
    case Qt::ToolTipRole:
        return toolTip(revision, column);
    case Qt::TextAlignmentRole:
        return headerData(index.column(), Qt::Horizontal, Qt::TextAlignmentRole);
    case RevisionIdRole:
        return revision.id;
    default:
        return {};
    }
}

QVariant RevisionListModel::display(const RevisionInfo &revision, int row, Column column) const
{
    const QLocale locale;
    switch (column) {
    case Column::Number:
        return locale.toString(numberAt(row));
    case Column::When:
        return locale.toString(revision.createdAt.toLocalTime(), QLocale::ShortFormat);
    case Column::Prompt:
        return promptSummary(revision);
    case Column::Files:
        return locale.toString(revision.fileCount);
    case Column::Size:
        return locale.formattedDataSize(revision.bytes);
    case Column::Tokens:
        return revision.isGenerated() ? locale.toString(totalTokens(revision.usage)) : QString();
    case Column::Cost:
        return revision.isGenerated() ? formatUsd(revision.generationCostUsd) : QString();
    case Column::Model:
        return revision.model;
    case Column::Count:
        break;
    }
    return {};
}

QVariant RevisionListModel::rawValue(const RevisionInfo &revision, int row, Column column) const
{
    switch (column) {
    case Column::Number:
        return numberAt(row);
    case Column::When:
        return revision.createdAt.toMSecsSinceEpoch();
    case Column::Prompt:
        return revision.prompt;
    case Column::Files:
        return revision.fileCount;
    case Column::Size:
        return revision.bytes;
    case Column::Tokens:
        return revision.isGenerated() ? QVariant(totalTokens(revision.usage)) : QVariant();
    case Column::Cost:
        return revision.isGenerated() ? QVariant(revision.generationCostUsd) : QVariant();
    case Column::Model:
        return revision.model;
    case Column::Count:
        break;
    }
    return {};
}

QVariant RevisionListModel::toolTip(const RevisionInfo &revision, Column column) const
{
    const QLocale locale;
    switch (column) {
    case Column::Number:
    case Column::When:
        return tr("Revision %1, saved %2")
            .arg(revision.id.left(kShortIdLength),
                 locale.toString(revision.createdAt.toLocalTime(), QLocale::LongFormat));
    case Column::Prompt:
        return revision.prompt.isEmpty() ? QVariant() : QVariant(wrappingToolTip(revision.prompt));
    case Column::Tokens: {
        if (!revision.isGenerated())
            return {};
        const TokenUsage &usage = revision.usage;
        return tr("%1 input, %2 output, %3 written to the cache, %4 read from the cache")
            .arg(locale.toString(usage.inputTokens), locale.toString(usage.outputTokens),
                 locale.toString(usage.cacheWriteTokens + usage.cacheWrite1hTokens),
                 locale.toString(usage.cacheReadTokens));
    }
    case Column::Size:
        return tr("%1 bytes, the manifest not counted").arg(locale.toString(revision.bytes));
    case Column::Files:
    case Column::Cost:
    case Column::Model:
    case Column::Count:
        break;
    }
    return {};
}

void RevisionListModel::setRevisions(const QList<RevisionInfo> &revisions)
{
    beginResetModel();
    m_revisions = revisions;
    endResetModel();
}

int RevisionListModel::rowOf(const QString &revisionId) const
{
    for (int row = 0; row < m_revisions.size(); ++row) {
        if (m_revisions.at(row).id == revisionId)
            return row;
    }
    return -1;
}

QString RevisionListModel::promptSummary(const RevisionInfo &revision)
{
    if (revision.prompt.isEmpty())
        return revision.isGenerated() ? tr("(no prompt)") : tr("Edited by hand");
    return revision.prompt.simplified(); // one line: newlines and runs of spaces become single spaces
}

qint64 RevisionListModel::totalTokens(const TokenUsage &usage)
{
    return usage.promptTokens() + usage.outputTokens;
}
