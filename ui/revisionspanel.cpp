#include "revisionspanel.h"

#include "bundlefolder.h"
#include "codeeditor.h"
#include "costmeter.h"
#include "revisionlistmodel.h"
#include "store.h"
#include "syntaxhighlighter.h"
#include "textdiff.h"
#include "theme.h"

#include <QCheckBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTextCursor>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcRevisions, "spawnai.ui.revisions")

namespace {

constexpr int kShortIdLength = 8;
constexpr int kMaxFolderTitle = 60;

enum FileColumn { MarkerColumn, PathColumn, AddedColumn, RemovedColumn, FileColumnCount };

QColor mix(const QColor &a, const QColor &b, double amount)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * amount),
                            float(a.greenF() + (b.greenF() - a.greenF()) * amount),
                            float(a.blueF() + (b.blueF() - a.blueF()) * amount));
}

// Line backgrounds tinted from the palette's own base and message colours, so text on them keeps the
// contrast of the base in light and dark palettes alike.
QColor addedBackground(const QPalette &palette)
{
    return mix(palette.color(QPalette::Base), Theme::successColor(palette),
               Theme::isDark(palette) ? 0.24 : 0.16);
}

QColor removedBackground(const QPalette &palette)
{
    return mix(palette.color(QPalette::Base), Theme::errorColor(palette),
               Theme::isDark(palette) ? 0.24 : 0.14);
}

QColor separatorBackground(const QPalette &palette)
{
    return mix(palette.color(QPalette::Base), palette.color(QPalette::Highlight), 0.10);
}

QColor mutedText(const QPalette &palette)
{
    return palette.color(QPalette::PlaceholderText);
}

QString markerOf(FileChange::Kind kind)
{
    switch (kind) {
    case FileChange::Kind::Added:
        return u"A"_s;
    case FileChange::Kind::Removed:
        return u"D"_s;
    case FileChange::Kind::Changed:
        return u"M"_s;
    case FileChange::Kind::Unchanged:
        break;
    }
    return {};
}

QColor markerColor(FileChange::Kind kind, const QPalette &palette)
{
    switch (kind) {
    case FileChange::Kind::Added:
        return Theme::successColor(palette);
    case FileChange::Kind::Removed:
        return Theme::errorColor(palette);
    case FileChange::Kind::Changed:
        return Theme::warningColor(palette);
    case FileChange::Kind::Unchanged:
        break;
    }
    return palette.color(QPalette::Text);
}

// A folder name from an app title: letters, digits and a few safe marks, never hidden, never a path.
QString folderNameFor(const QString &title, const QString &revisionId)
{
    QString name;
    for (const QChar c : title.simplified()) {
        const bool safe = c.isLetterOrNumber() || c == u' ' || c == u'-' || c == u'_' || c == u'.';
        name += safe ? c : u'-';
    }
    while (name.startsWith(u'.') || name.startsWith(u' '))
        name.remove(0, 1);
    name = name.left(kMaxFolderTitle).trimmed();
    if (name.isEmpty())
        name = u"app"_s;
    return name + u'-' + revisionId.left(kShortIdLength);
}

bool isMissingOrEmpty(const QString &dir)
{
    const QDir folder(dir);
    return !folder.exists() ||
           folder.isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
}

// The file a reader of a revision wants first: a changed one, else the one the app starts from.
QString firstFileToShow(const QList<FileChange> &changes)
{
    for (const FileChange &change : changes) {
        if (change.kind != FileChange::Kind::Unchanged)
            return change.path;
    }
    for (const QString &entry : {u"index.html"_s, u"app.py"_s, u"main.py"_s, u"server.js"_s, u"index.js"_s}) {
        for (const FileChange &change : changes) {
            if (change.path == entry)
                return entry;
        }
    }
    return changes.isEmpty() ? QString() : changes.constFirst().path;
}

QString manifestFieldName(const QString &field)
{
    if (field == u"title")
        return RevisionsPanel::tr("title");
    if (field == u"runtime")
        return RevisionsPanel::tr("runtime");
    if (field == u"start")
        return RevisionsPanel::tr("start command");
    if (field == u"port")
        return RevisionsPanel::tr("port");
    return field;
}

} // namespace

RevisionsPanel::RevisionsPanel(Store &store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_lastExportDir(QDir::homePath())
{
    buildUi();
    clearDetails();
}

RevisionsPanel::~RevisionsPanel() = default;

void RevisionsPanel::buildUi()
{
    m_message = new QLabel(this);
    m_message->setObjectName(u"message"_s);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setContentsMargins(6, 2, 6, 2);
    m_message->hide();

    m_model = new RevisionListModel(this);
    m_table = new QTableView(this);
    m_table->setObjectName(u"revisionTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(int(RevisionListModel::Column::Prompt), QHeaderView::Stretch);
    header->setHighlightSections(false);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &RevisionsPanel::onCurrentRowChanged);

    m_title = new QLabel(this);
    m_title->setObjectName(u"revisionTitle"_s);
    m_title->setTextFormat(Qt::PlainText); // titles come from Claude
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);

    m_summary = new QLabel(this);
    m_summary->setObjectName(u"revisionSummary"_s);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_diffToggle = new QCheckBox(tr("Diff with previous"), this);
    m_diffToggle->setObjectName(u"diffToggle"_s);
    m_diffToggle->setToolTip(tr("Show the changes against the revision before this one, or the whole file"));
    m_diffToggle->setChecked(true);
    connect(m_diffToggle, &QCheckBox::toggled, this, &RevisionsPanel::showCurrentFile);

    m_restoreButton = new QPushButton(tr("Restore this revision"), this);
    m_restoreButton->setObjectName(u"restoreButton"_s);
    m_restoreButton->setToolTip(tr("Load this revision's files into the editor"));
    connect(m_restoreButton, &QPushButton::clicked, this, [this] {
        if (!m_revisionId.isEmpty())
            emit restoreRequested(m_revisionId);
    });

    m_exportButton = new QPushButton(tr("Export…"), this);
    m_exportButton->setObjectName(u"exportButton"_s);
    m_exportButton->setToolTip(tr("Write this revision's files and spawnai.json to a folder"));
    connect(m_exportButton, &QPushButton::clicked, this, &RevisionsPanel::exportSelected);

    m_files = new QTreeWidget(this);
    m_files->setObjectName(u"fileList"_s);
    m_files->setColumnCount(FileColumnCount);
    m_files->setHeaderLabels({QString(), tr("File"), u"+"_s, u"−"_s});
    m_files->setRootIsDecorated(false);
    m_files->setUniformRowHeights(true);
    m_files->setAllColumnsShowFocus(true);
    m_files->header()->setStretchLastSection(false);
    m_files->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_files->header()->setSectionResizeMode(PathColumn, QHeaderView::Stretch);
    m_files->headerItem()->setTextAlignment(AddedColumn, Qt::AlignRight | Qt::AlignVCenter);
    m_files->headerItem()->setTextAlignment(RemovedColumn, Qt::AlignRight | Qt::AlignVCenter);
    m_files->headerItem()->setToolTip(AddedColumn, tr("Lines added"));
    m_files->headerItem()->setToolTip(RemovedColumn, tr("Lines removed"));
    connect(m_files, &QTreeWidget::currentItemChanged, this, &RevisionsPanel::showCurrentFile);

    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_fileView = new CodeEditor(this);
    m_fileView->setObjectName(u"fileView"_s);
    m_fileView->setReadOnly(true);

    m_diffView = new QPlainTextEdit(this);
    m_diffView->setObjectName(u"diffView"_s);
    m_diffView->setReadOnly(true);
    m_diffView->setUndoRedoEnabled(false); // rebuilt for every file shown; nothing to undo
    m_diffView->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_diffView->setFont(fixed);
    m_diffView->setTabStopDistance(4 * QFontMetricsF(fixed).horizontalAdvance(u' '));
    m_diffView->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);

    m_notice = new QLabel(this);
    m_notice->setObjectName(u"notice"_s);
    m_notice->setTextFormat(Qt::PlainText);
    m_notice->setAlignment(Qt::AlignCenter);
    m_notice->setWordWrap(true);
    m_notice->setMargin(24);
    m_notice->setAutoFillBackground(true);
    m_notice->setBackgroundRole(QPalette::Base);
    m_notice->setForegroundRole(QPalette::PlaceholderText);

    m_views = new QStackedWidget(this);
    m_views->setObjectName(u"views"_s);
    m_views->addWidget(m_diffView);
    m_views->addWidget(m_fileView);
    m_views->addWidget(m_notice);

    auto *actions = new QHBoxLayout;
    actions->setContentsMargins(0, 0, 0, 0);
    actions->addWidget(m_title, 1);
    actions->addWidget(m_diffToggle);
    actions->addSpacing(12);
    actions->addWidget(m_restoreButton);
    actions->addWidget(m_exportButton);

    auto *filesAndText = new QSplitter(Qt::Horizontal, this);
    filesAndText->setChildrenCollapsible(false);
    filesAndText->addWidget(m_files);
    filesAndText->addWidget(m_views);
    filesAndText->setStretchFactor(0, 1);
    filesAndText->setStretchFactor(1, 3);
    filesAndText->setSizes({240, 720});

    auto *details = new QWidget(this);
    auto *detailsLayout = new QVBoxLayout(details);
    detailsLayout->setContentsMargins(6, 6, 6, 0);
    detailsLayout->addLayout(actions);
    detailsLayout->addWidget(m_summary);
    detailsLayout->addWidget(filesAndText, 1);

    // The history above, the selected revision below: the table needs the width for its columns, the code
    // for its lines.
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setChildrenCollapsible(false);
    split->addWidget(m_table);
    split->addWidget(details);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);
}

void RevisionsPanel::showHistory(const QString &revisionId)
{
    showMessage({}, false);
    if (revisionId.isEmpty()) {
        m_model->setRevisions({});
        clearDetails();
        return;
    }
    auto history = m_store.revisionHistory(revisionId, kHistoryLimit);
    if (!history) {
        qCWarning(lcRevisions) << "no history for" << revisionId << history.error();
        m_model->setRevisions({});
        clearDetails();
        showMessage(tr("The revision history could not be read: %1").arg(history.error()), true);
        return;
    }
    m_model->setRevisions(*history);
    fitColumns();
    if (!history->isEmpty() && !history->constLast().parentId.isEmpty())
        showMessage(tr("Only the newest %n revisions are listed.", nullptr, int(history->size())), false);
    selectRevision(revisionId);
}

// Every column as wide as its contents plus some air, so a right-aligned number never touches the text of
// the next column; the prompt takes what is left.
void RevisionsPanel::fitColumns()
{
    constexpr int kPadding = 14;
    m_table->resizeColumnsToContents();
    for (int column = 0; column < m_model->columnCount(); ++column) {
        if (column != int(RevisionListModel::Column::Prompt))
            m_table->setColumnWidth(column, m_table->columnWidth(column) + kPadding);
    }
}

QString RevisionsPanel::selectedRevision() const
{
    return m_revisionId;
}

void RevisionsPanel::selectRevision(const QString &revisionId)
{
    const int row = m_model->rowOf(revisionId);
    if (row < 0)
        return;
    // Emits currentRowChanged, which loads the revision, unless that row is current already.
    m_table->setCurrentIndex(m_model->index(row, 0));
    m_table->scrollTo(m_model->index(row, 0));
}

void RevisionsPanel::onCurrentRowChanged()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        clearDetails();
        return;
    }
    loadRevision(m_model->revisionAt(current.row()));
}

void RevisionsPanel::clearDetails()
{
    m_revisionId.clear();
    m_bundle = {};
    m_parent = {};
    m_hasParent = false;
    m_changes.clear();
    m_title->setText(tr("No revision selected"));
    m_summary->clear();
    m_summary->setToolTip({});
    m_summary->hide();
    m_files->clear();
    showNotice(m_model->rowCount() == 0
                   ? tr("No revisions yet. Every generated or deployed version of the app "
                        "is kept here.")
                   : QString());
    updateButtons();
}

void RevisionsPanel::loadRevision(const RevisionInfo &revision)
{
    const QString keepFile = currentFile();
    clearDetails();
    auto bundle = m_store.revision(revision.id);
    if (!bundle) {
        qCWarning(lcRevisions) << "cannot load revision" << revision.id << bundle.error();
        m_title->setText(tr("Revision %1").arg(revision.id.left(kShortIdLength)));
        showNotice(tr("This revision could not be read: %1").arg(bundle.error()));
        showMessage(
            tr("Revision %1 could not be read: %2").arg(revision.id.left(kShortIdLength), bundle.error()),
            true);
        return;
    }
    if (m_message->property("error").toBool())
        showMessage({}, false); // the last revision's problem; notes (exported, history cut short) stay
    m_revisionId = revision.id;
    m_bundle = std::move(bundle).value();
    if (!revision.parentId.isEmpty()) {
        auto parent = m_store.revision(revision.parentId);
        if (parent) {
            m_parent = std::move(parent).value();
            m_hasParent = true;
        } else {
            // The files still show; the diff is against nothing, so everything reads as added.
            showMessage(
                tr("The previous revision could not be read, so this one is compared with an empty app: %1")
                    .arg(parent.error()),
                true);
        }
    }
    m_changes = BundleDiff::compare(m_parent, m_bundle);

    const int row = m_model->rowOf(revision.id);
    m_title->setText(tr("Revision %1 of %2 · %3 (%4) · %5")
                         .arg(m_model->numberAt(row))
                         .arg(m_model->rowCount())
                         .arg(m_bundle.manifest.title.isEmpty() ? tr("Untitled") : m_bundle.manifest.title,
                              Runtimes::name(m_bundle.manifest.runtime), revision.id.left(kShortIdLength)));
    m_summary->setText(summaryText(revision));
    m_summary->setVisible(!m_summary->text().isEmpty());

    fillFileList();
    // Stay on the file being read while it keeps changing from revision to revision.
    const bool keepChanged = std::any_of(m_changes.cbegin(), m_changes.cend(), [&](const FileChange &change) {
        return change.path == keepFile && change.kind != FileChange::Kind::Unchanged;
    });
    selectFile(keepChanged ? keepFile : firstFileToShow(m_changes));
    updateButtons();
}

QString RevisionsPanel::summaryText(const RevisionInfo &revision) const
{
    const QLocale locale;
    QStringList lines;
    if (revision.isGenerated()) {
        QString line =
            tr("%1 · %2 tokens · %3")
                .arg(revision.model, locale.toString(RevisionListModel::totalTokens(revision.usage)),
                     formatUsd(revision.generationCostUsd));
        auto generations = m_store.generationsFor(revision.id);
        if (generations && generations->size() > 1)
            line += tr(" · generated %n times", nullptr, int(generations->size()));
        if (generations && !generations->isEmpty()) {
            const QString commentary = generations->constFirst().commentary.simplified();
            if (!commentary.isEmpty())
                line += tr(" · Claude: “%1”").arg(commentary);
        }
        if (!generations)
            qCWarning(lcRevisions) << "no generations for" << revision.id << generations.error();
        lines.append(line);
    } else {
        lines.append(revision.parentId.isEmpty() ? tr("Opened or written by hand") : tr("Edited by hand"));
    }
    if (m_hasParent) {
        QStringList manifest;
        for (const ManifestChange &change : BundleDiff::manifestChanges(m_parent, m_bundle))
            manifest.append(
                tr("%1 “%2” → “%3”").arg(manifestFieldName(change.field), change.before, change.after));
        if (!manifest.isEmpty())
            lines.append(tr("Changed: %1").arg(manifest.join(u", "_s)));
    }
    return lines.join(u'\n');
}

void RevisionsPanel::fillFileList()
{
    const QSignalBlocker blocker(m_files);
    m_files->clear();
    const QPalette colours = palette();
    const QLocale locale;
    QFont bold = m_files->font();
    bold.setBold(true);
    for (const FileChange &change : std::as_const(m_changes)) {
        auto *item = new QTreeWidgetItem(m_files);
        item->setText(MarkerColumn, markerOf(change.kind));
        item->setFont(MarkerColumn, bold);
        item->setForeground(MarkerColumn, markerColor(change.kind, colours));
        item->setTextAlignment(MarkerColumn, Qt::AlignCenter);
        item->setText(PathColumn, change.path);
        item->setData(PathColumn, Qt::UserRole, change.path);
        switch (change.kind) {
        case FileChange::Kind::Added:
            item->setToolTip(MarkerColumn, m_hasParent ? tr("Added") : tr("New: the first revision"));
            break;
        case FileChange::Kind::Removed:
            item->setToolTip(MarkerColumn, tr("Deleted"));
            break;
        case FileChange::Kind::Changed:
            item->setToolTip(MarkerColumn, tr("Modified"));
            break;
        case FileChange::Kind::Unchanged:
            item->setToolTip(MarkerColumn, tr("Unchanged"));
            break;
        }
        if (change.binary && change.kind != FileChange::Kind::Unchanged) {
            item->setText(AddedColumn, tr("binary"));
            item->setForeground(AddedColumn, mutedText(colours));
        } else {
            if (change.added > 0) {
                item->setText(AddedColumn, u"+"_s + locale.toString(change.added));
                item->setForeground(AddedColumn, Theme::successColor(colours));
            }
            if (change.removed > 0) {
                item->setText(RemovedColumn, u"−"_s + locale.toString(change.removed));
                item->setForeground(RemovedColumn, Theme::errorColor(colours));
            }
        }
        item->setTextAlignment(AddedColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(RemovedColumn, Qt::AlignRight | Qt::AlignVCenter);
    }
}

QString RevisionsPanel::currentFile() const
{
    const QTreeWidgetItem *item = m_files->currentItem();
    return item ? item->data(PathColumn, Qt::UserRole).toString() : QString();
}

void RevisionsPanel::selectFile(const QString &path)
{
    for (int i = 0; i < m_files->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_files->topLevelItem(i);
        if (item->data(PathColumn, Qt::UserRole).toString() == path) {
            const QSignalBlocker blocker(m_files);
            m_files->setCurrentItem(item);
            break;
        }
    }
    showCurrentFile();
}

bool RevisionsPanel::showsDiff() const
{
    return m_diffToggle->isChecked();
}

void RevisionsPanel::setShowDiff(bool diff)
{
    m_diffToggle->setChecked(diff);
}

void RevisionsPanel::showCurrentFile()
{
    const QString path = currentFile();
    if (m_revisionId.isEmpty())
        return;
    const auto change = std::find_if(m_changes.cbegin(), m_changes.cend(),
                                     [&](const FileChange &c) { return c.path == path; });
    if (path.isEmpty() || change == m_changes.cend()) {
        showNotice(m_changes.isEmpty() ? tr("This revision has no files.") : tr("Select a file."));
        return;
    }
    if (showsDiff())
        showDiff(*change);
    else
        showPlain(*change);
}

void RevisionsPanel::showPlain(const FileChange &change)
{
    if (change.kind == FileChange::Kind::Removed) {
        showNotice(tr("%1 was deleted in this revision. Tick “Diff with previous” to see what it held.")
                       .arg(change.path));
        return;
    }
    const QByteArray content = m_bundle.files.value(change.path);
    if (change.binary) {
        showNotice(
            tr("%1 is a binary file of %2.").arg(change.path, QLocale().formattedDataSize(content.size())));
        return;
    }
    m_fileView->setLanguage(SyntaxHighlighter::languageFor(change.path));
    m_fileView->setPlainText(QString::fromUtf8(content));
    m_views->setCurrentWidget(m_fileView);
}

void RevisionsPanel::showDiff(const FileChange &change)
{
    const QByteArray oldBytes = m_parent.files.value(change.path);
    const QByteArray newBytes = m_bundle.files.value(change.path);
    if (change.binary) {
        const QLocale locale;
        switch (change.kind) {
        case FileChange::Kind::Added:
            showNotice(
                tr("Binary file %1 added (%2).").arg(change.path, locale.formattedDataSize(newBytes.size())));
            return;
        case FileChange::Kind::Removed:
            showNotice(tr("Binary file %1 deleted (%2).")
                           .arg(change.path, locale.formattedDataSize(oldBytes.size())));
            return;
        case FileChange::Kind::Changed:
            showNotice(tr("Binary file %1 changed (%2 → %3).")
                           .arg(change.path, locale.formattedDataSize(oldBytes.size()),
                                locale.formattedDataSize(newBytes.size())));
            return;
        case FileChange::Kind::Unchanged:
            showNotice(tr("Binary file %1 did not change in this revision.").arg(change.path));
            return;
        }
    }
    const QString before = QString::fromUtf8(oldBytes);
    const QString after = QString::fromUtf8(newBytes);
    const QList<DiffLine> diff = TextDiff::lines(before, after);
    const QList<TextDiff::Hunk> hunks = TextDiff::hunks(diff, kDiffContext);
    if (hunks.isEmpty()) {
        showNotice(diff.isEmpty() ? tr("%1 is empty.").arg(change.path)
                                  : tr("%1 did not change in this revision. Untick “Diff with previous” to "
                                       "see the file.")
                                        .arg(change.path));
        return;
    }

    const QPalette colours = palette();
    int oldTotal = 0;
    int newTotal = 0;
    for (const DiffLine &line : diff) {
        oldTotal = std::max(oldTotal, line.oldLine);
        newTotal = std::max(newTotal, line.newLine);
    }
    const bool oldMissesNewline = !before.isEmpty() && !before.endsWith(u'\n');
    const bool newMissesNewline = !after.isEmpty() && !after.endsWith(u'\n');
    const int digits = int(QString::number(std::max(oldTotal, newTotal)).size());

    QTextCharFormat textFormat;
    textFormat.setForeground(colours.color(QPalette::Text));
    QTextCharFormat mutedFormat;
    mutedFormat.setForeground(mutedText(colours));
    QTextBlockFormat sameBlock;
    QTextBlockFormat addedBlock;
    addedBlock.setBackground(addedBackground(colours));
    QTextBlockFormat removedBlock;
    removedBlock.setBackground(removedBackground(colours));
    QTextBlockFormat separatorBlock;
    separatorBlock.setBackground(separatorBackground(colours));

    QTextDocument *document = m_diffView->document();
    document->clear();
    QTextCursor cursor(document);
    cursor.beginEditBlock();
    bool firstBlock = true;
    const auto startBlock = [&](const QTextBlockFormat &format) {
        if (firstBlock)
            cursor.setBlockFormat(format);
        else
            cursor.insertBlock(format);
        firstBlock = false;
    };
    const auto lineNumber = [&](int number) {
        return number > 0 ? QString::number(number).rightJustified(digits) : QString(digits, u' ');
    };
    // Unchanged lines left out, named by their numbers in this revision.
    const auto skipped = [&](int from, int to) {
        const int first = diff.at(from).newLine;
        const int last = diff.at(to - 1).newLine;
        startBlock(separatorBlock);
        cursor.insertText(first == last ? tr("⋯ line %1 unchanged").arg(first)
                                        : tr("⋯ lines %1–%2 unchanged").arg(first).arg(last),
                          mutedFormat);
    };

    int shownUpTo = 0;
    for (const TextDiff::Hunk &hunk : hunks) {
        if (hunk.begin > shownUpTo)
            skipped(shownUpTo, hunk.begin);
        for (int i = hunk.begin; i < hunk.end; ++i) {
            const DiffLine &line = diff.at(i);
            QChar marker = u' ';
            switch (line.kind) {
            case DiffLine::Kind::Same:
                startBlock(sameBlock);
                break;
            case DiffLine::Kind::Added:
                startBlock(addedBlock);
                marker = u'+';
                break;
            case DiffLine::Kind::Removed:
                startBlock(removedBlock);
                marker = u'−';
                break;
            }
            cursor.insertText(lineNumber(line.oldLine) + u' ' + lineNumber(line.newLine) + u' ', mutedFormat);
            cursor.insertText(QString(marker) + u' ',
                              line.kind == DiffLine::Kind::Same ? mutedFormat : textFormat);
            QString text = line.text;
            if (text.endsWith(u'\r'))
                text.chop(1); // CRLF files: the line end is not content
            cursor.insertText(text, textFormat);
            const bool endsOld =
                line.kind != DiffLine::Kind::Added && line.oldLine == oldTotal && oldMissesNewline;
            const bool endsNew =
                line.kind != DiffLine::Kind::Removed && line.newLine == newTotal && newMissesNewline;
            if (endsOld || endsNew)
                cursor.insertText(tr("  (no newline at end of file)"), mutedFormat);
        }
        shownUpTo = hunk.end;
    }
    if (shownUpTo < diff.size())
        skipped(shownUpTo, int(diff.size()));
    cursor.endEditBlock();
    m_diffView->moveCursor(QTextCursor::Start);
    m_views->setCurrentWidget(m_diffView);
}

void RevisionsPanel::showNotice(const QString &text)
{
    m_notice->setText(text);
    m_views->setCurrentWidget(m_notice);
}

void RevisionsPanel::showMessage(const QString &text, bool error)
{
    m_message->setText(text);
    QPalette colours = m_message->palette();
    colours.setColor(QPalette::WindowText,
                     error ? Theme::errorColor(palette()) : palette().color(QPalette::WindowText));
    m_message->setPalette(colours);
    m_message->setProperty("error", error);
    m_message->setVisible(!text.isEmpty());
}

void RevisionsPanel::updateButtons()
{
    const bool loaded = !m_revisionId.isEmpty();
    m_restoreButton->setEnabled(loaded);
    m_exportButton->setEnabled(loaded);
    m_diffToggle->setEnabled(loaded);
}

Result<QString> RevisionsPanel::exportRevision(const QString &revisionId, const QString &targetDir)
{
    if (revisionId.isEmpty())
        return Error{tr("No revision is selected.")};
    if (targetDir.isEmpty())
        return Error{tr("No folder was chosen.")};
    auto bundle = revisionId == m_revisionId ? Result<AppBundle>(m_bundle) : m_store.revision(revisionId);
    if (!bundle)
        return Error{bundle.error()};

    QString folder = QDir::cleanPath(targetDir);
    if (!isMissingOrEmpty(folder)) {
        const QString name = folderNameFor(bundle->manifest.title, revisionId);
        const QDir parent(folder);
        folder = parent.filePath(name);
        for (int n = 2; !isMissingOrEmpty(folder); ++n)
            folder = parent.filePath(u"%1 (%2)"_s.arg(name).arg(n));
    }
    if (auto written = BundleFolder::write(*bundle, folder); !written)
        return Error{written.error()};
    qCDebug(lcRevisions) << "exported" << revisionId << "to" << folder;
    return folder;
}

void RevisionsPanel::exportSelected()
{
    if (m_revisionId.isEmpty())
        return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export Revision To"), m_lastExportDir);
    if (dir.isEmpty())
        return;
    m_lastExportDir = dir;
    const auto exported = exportRevision(m_revisionId, dir);
    if (!exported) {
        QMessageBox::warning(this, tr("Export Failed"),
                             tr("The revision could not be exported.\n\n%1").arg(exported.error()));
        return;
    }
    showMessage(tr("Exported to %1").arg(QDir::toNativeSeparators(*exported)), false);
}

void RevisionsPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    // Diff backgrounds and file markers are tinted from the palette: repaint them in the new one.
    if (event->type() != QEvent::PaletteChange)
        return;
    if (m_message->isVisible())
        showMessage(m_message->text(), m_message->property("error").toBool());
    if (!m_revisionId.isEmpty()) {
        const QString path = currentFile();
        fillFileList();
        selectFile(path);
    }
}
