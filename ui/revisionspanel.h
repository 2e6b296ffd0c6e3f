#pragma once

#include "appbundle.h"
#include "bundlediff.h"
#include "result.h"

#include <QList>
#include <QString>
#include <QWidget>

class CodeEditor;
class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTreeWidget;
class RevisionListModel;
class Store;
struct RevisionInfo;

// The revision history of the app being worked on: every saved revision of the chain, newest first, with
// the prompt that made it and what it cost; below, the selected revision's files marked against its parent
// (A/M/D, +added −removed lines) and one file shown plainly or as a coloured diff with the previous revision.
// The selected revision can be restored into the editor or exported as a folder. Store errors are shown in
// the panel.
class RevisionsPanel final : public QWidget
{
    Q_OBJECT
public:
    // At most this many revisions are listed; older ones are counted as not shown.
    static constexpr int kHistoryLimit = 500;
    // Unchanged lines shown around each change in the diff.
    static constexpr int kDiffContext = 3;

    RevisionsPanel(Store &store, QWidget *parent);
    ~RevisionsPanel() override;

    // Lists the chain ending at `revisionId` and selects that revision. An empty id clears the panel.
    void showHistory(const QString &revisionId);
    QString selectedRevision() const;
    void selectRevision(const QString &revisionId);

    // The file shown for the selected revision.
    QString currentFile() const;
    void selectFile(const QString &path);
    bool showsDiff() const;
    void setShowDiff(bool diff);

    // Writes the revision's files and spawnai.json into `targetDir`. A folder that already holds anything
    // gets a new subfolder named after the app's title and the short revision id instead, so files of
    // different apps never mix. Returns the folder written.
    Result<QString> exportRevision(const QString &revisionId, const QString &targetDir);

public slots:
    // Asks for a folder, then exportRevision() on the selected revision; failures in a message box.
    void exportSelected();

signals:
    void restoreRequested(const QString &revisionId); // the window loads it into the editor

protected:
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void fitColumns();
    void onCurrentRowChanged();
    void loadRevision(const RevisionInfo &revision);
    void clearDetails();
    void fillFileList();
    void showCurrentFile();
    void showDiff(const FileChange &change);
    void showPlain(const FileChange &change);
    void showNotice(const QString &text);
    void showMessage(const QString &text, bool error);
    void updateButtons();
    QString summaryText(const RevisionInfo &revision) const;

    Store &m_store;
    RevisionListModel *m_model = nullptr;

    // The selected revision and the one it is compared with (empty for a first revision).
    QString m_revisionId;
    AppBundle m_bundle;
    AppBundle m_parent;
    bool m_hasParent = false;
    QList<FileChange> m_changes;
    QString m_lastExportDir;

    QLabel *m_message = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_summary = nullptr;
    QCheckBox *m_diffToggle = nullptr;
    QPushButton *m_restoreButton = nullptr;
    QPushButton *m_exportButton = nullptr;
    QTreeWidget *m_files = nullptr;
    QStackedWidget *m_views = nullptr;
    CodeEditor *m_fileView = nullptr;
    QPlainTextEdit *m_diffView = nullptr;
    QLabel *m_notice = nullptr;
};
