#pragma once

#include "appbundle.h"
#include "result.h"

#include <QMap>
#include <QStringList>
#include <QWidget>

class CodeEditor;
class QLabel;
class QStackedWidget;
class QTabWidget;
class QTimer;

// The app being worked on: one editor tab per file, the app's title and runtime, and the ways to get an app
// in (a folder, a single .html page, a bundled example). Unsaved work survives crashes: every change is
// written to a draft file within ~300 ms (and on destruction), and the next pane built on the same draft path
// shows it again.
class AppPane final : public QWidget
{
    Q_OBJECT
public:
    explicit AppPane(const QString &draftPath, QWidget *parent = nullptr);
    ~AppPane() override;

    // The manifest plus every file as currently edited. Files not edited, binary ones included, are returned
    // byte for byte as they came in.
    AppBundle bundle() const;
    // Replaces all tabs. `source` is the folder or file it came from, or "example:<name>".
    void setBundle(const AppBundle &bundle, const QString &source);
    QString source() const { return m_source; }
    bool isEmpty() const { return m_files.isEmpty(); }

    // The example apps compiled into SpawnAI (a static page, a Python server, a Node server).
    static QStringList exampleNames();
    static Result<AppBundle> example(const QString &name);

    // Load an app into the pane; on failure the pane is unchanged and the loader's message is returned.
    Result<void> openFolder(const QString &path);
    Result<void> openFile(const QString &path);
    Result<void> openExample(const QString &name);

public slots:
    // The UI actions (the pane's own buttons and the window's menu): they ask before replacing edits and
    // show errors in a message box.
    void chooseFolder();
    void chooseFile();
    void chooseExample(const QString &name);

signals:
    void bundleChanged(); // an edit (coalesced within ~300 ms) or a new bundle
    void statusMessage(const QString &text);

private:
    struct FileTab
    {
        QByteArray original;          // as loaded; returned while the editor is unmodified
        CodeEditor *editor = nullptr; // null for a binary file
        bool crlf = false;            // the file used CRLF line ends; edits keep them
    };

    struct Draft
    {
        AppBundle bundle;
        QString source;
        QString current;
        bool edited = false;
    };

    void buildUi();
    void showBundle(const AppBundle &bundle, const QString &source, const QString &currentFile, bool edited);
    void addFileTab(const QString &path, const QByteArray &content);
    void updateTitle();
    void updatePlaceholder();
    void onEdited();
    QString currentFile() const;
    QByteArray fileContent(const FileTab &file) const;

    // Drafts.
    void restoreDraft();
    static Result<Draft> parseDraft(const QByteArray &json);
    QByteArray draftJson() const;
    Result<void> writeDraft();
    void saveDraftReporting();
    void keepCorruptDraft(const QString &why);
    void postStatus(const QString &text);

    bool confirmReplace(const QString &replacement);

    QString m_draftPath;
    bool m_draftWritable = true; // false while an unreadable draft could not be moved aside
    QString m_lastDraftError;
    QString m_placeholderNote;

    QString m_source;
    AppManifest m_manifest;
    QMap<QString, FileTab> m_files;
    bool m_edited = false;
    QString m_lastDir;

    QLabel *m_title = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_placeholder = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTimer *m_draftTimer = nullptr;
};
