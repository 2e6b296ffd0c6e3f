#pragma once

#include "appbundle.h"
#include "result.h"

#include <QHash>
#include <QMap>
#include <QStringList>
#include <QWidget>

class CodeEditor;
class QFrame;
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

    // An answer streaming in: beginStream() empties the pane, streamFile() opens or extends one file's tab as
    // its content arrives (only the new tail is inserted, so a long file costs nothing per fragment; the tabs
    // are read-only meanwhile). setBundle() then shows the final, validated answer; endStream(reason) keeps
    // what arrived of an answer that failed, marked incomplete.
    void beginStream(const QString &title);
    void streamFile(const QString &path, const QString &contentSoFar);
    void setStreamTitle(const QString &title);
    void endStream(const QString &incompleteReason);
    bool isStreaming() const { return m_streaming; }
    // What the pane shows is part of an answer that failed: it must not be deployed as it is (until the user
    // chooses "Use as is"). Empty when the app is whole.
    QString incompleteReason() const { return m_incomplete; }

public slots:
    // The UI actions (the pane's own buttons and the window's menu): they ask before replacing edits and
    // show errors in a message box.
    void chooseFolder();
    void chooseFile();
    void chooseExample(const QString &name);

signals:
    void bundleChanged(); // an edit (coalesced within ~300 ms) or a new bundle
    void statusMessage(const QString &text);
    void previousVersionRequested(); // from the incomplete-answer banner

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
        QString incomplete;
    };

    void buildUi();
    void showBundle(const AppBundle &bundle, const QString &source, const QString &currentFile, bool edited);
    void addFileTab(const QString &path, const QByteArray &content);
    void updateTitle();
    void updatePlaceholder();
    void setIncomplete(const QString &reason);
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
    bool m_streaming = false;
    QHash<QString, qsizetype> m_streamed; // characters of each file shown so far while streaming
    QString m_incomplete;
    AppManifest m_manifest;
    QMap<QString, FileTab> m_files;
    bool m_edited = false;
    QString m_lastDir;

    QLabel *m_title = nullptr;
    QFrame *m_banner = nullptr;
    QLabel *m_bannerText = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_placeholder = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTimer *m_draftTimer = nullptr;
};
