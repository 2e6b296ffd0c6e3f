#include "apppane.h"

#include "bundlefolder.h"
#include "codeeditor.h"
#include "syntaxhighlighter.h"
#include "theme.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QLoggingCategory>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QScrollBar>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTextCursor>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcAppPane, "spawnai.ui.apppane")

namespace {

const QString kExamplesRoot = u":/spawnai/examples"_s;
const QString kExampleSourcePrefix = u"example:"_s;
constexpr int kDraftVersion = 1;
// At most this long between an edit and its draft on disk: what a crash can cost.
constexpr auto kDraftDelay = 300ms;

// Text the editor can show and give back unchanged: valid UTF-8 without NUL bytes.
bool isEditableText(const QString &path, const QByteArray &content)
{
    if (AppBundle::isBinaryPath(path) || content.contains('\0'))
        return false;
    return QString::fromUtf8(content).toUtf8() == content;
}

// Makes a rename or a newly created file in `dir` durable: QSaveFile syncs the file, not the directory entry
// (ref/reliability.md §4), so after a power loss the draft could otherwise still be the previous one.
void syncDirectory(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        qCWarning(lcAppPane) << "cannot open" << dir << "to sync it:" << qt_error_string(errno);
        return;
    }
    if (::fsync(fd) != 0)
        qCWarning(lcAppPane) << "fsync of" << dir << "failed:" << qt_error_string(errno);
    ::close(fd);
}

// The file to show first: the one the app starts from.
QString entryFile(const QMap<QString, QByteArray> &files)
{
    for (const QString &candidate :
         {u"index.html"_s, u"app.py"_s, u"main.py"_s, u"server.js"_s, u"index.js"_s}) {
        if (files.contains(candidate))
            return candidate;
    }
    return files.isEmpty() ? QString() : files.firstKey();
}

} // namespace

AppPane::AppPane(const QString &draftPath, QWidget *parent)
    : QWidget(parent)
    , m_draftPath(draftPath)
    , m_lastDir(QDir::homePath())
{
    m_draftTimer = new QTimer(this);
    m_draftTimer->setSingleShot(true);
    m_draftTimer->setInterval(kDraftDelay);
    connect(m_draftTimer, &QTimer::timeout, this, [this] {
        saveDraftReporting();
        emit bundleChanged();
    });

    buildUi();
    restoreDraft();
    updatePlaceholder();
    updateTitle();
}

AppPane::~AppPane()
{
    // Edits from the last ~300 ms are still only in the editors.
    if (m_draftTimer->isActive()) {
        if (auto saved = writeDraft(); !saved)
            qCWarning(lcAppPane) << "draft not saved on close:" << saved.error();
    }
}

void AppPane::buildUi()
{
    auto *openFolderButton = new QToolButton(this);
    openFolderButton->setObjectName(u"openFolderButton"_s);
    openFolderButton->setText(tr("Open folder…"));
    openFolderButton->setToolTip(tr("Open an app folder (with or without spawnai.json)"));
    connect(openFolderButton, &QToolButton::clicked, this, &AppPane::chooseFolder);

    auto *openFileButton = new QToolButton(this);
    openFileButton->setObjectName(u"openFileButton"_s);
    openFileButton->setText(tr("Open file…"));
    openFileButton->setToolTip(tr("Open a single .html page as a static app"));
    connect(openFileButton, &QToolButton::clicked, this, &AppPane::chooseFile);

    auto *examplesButton = new QToolButton(this);
    examplesButton->setObjectName(u"examplesButton"_s);
    examplesButton->setText(tr("Examples"));
    examplesButton->setPopupMode(QToolButton::InstantPopup); // draws the ▾
    auto *examplesMenu = new QMenu(examplesButton);
    for (const QString &name : exampleNames()) {
        QString label = name;
        if (const auto loaded = example(name))
            label = tr("%1 (%2)").arg(name, Runtimes::name(loaded->manifest.runtime));
        QAction *action = examplesMenu->addAction(label);
        connect(action, &QAction::triggered, this, [this, name] { chooseExample(name); });
    }
    examplesButton->setMenu(examplesMenu);

    m_title = new QLabel(this);
    m_title->setObjectName(u"appTitle"_s);
    m_title->setTextFormat(Qt::PlainText); // titles come from files and from Claude
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *row = new QHBoxLayout;
    row->setContentsMargins(6, 4, 6, 4);
    row->addWidget(openFolderButton);
    row->addWidget(openFileButton);
    row->addWidget(examplesButton);
    row->addSpacing(12);
    row->addWidget(m_title, 1);

    m_placeholder = new QLabel(this);
    m_placeholder->setObjectName(u"placeholder"_s);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setTextFormat(Qt::RichText);
    m_placeholder->setMargin(24);
    connect(m_placeholder, &QLabel::linkActivated, this, &AppPane::chooseExample);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"fileTabs"_s);
    m_tabs->setDocumentMode(true);
    m_tabs->setUsesScrollButtons(true);

    m_banner = new QFrame(this);
    m_banner->setObjectName(u"incompleteBanner"_s);
    m_banner->setFrameShape(QFrame::StyledPanel);
    m_banner->setAutoFillBackground(true);
    m_bannerText = new QLabel(m_banner);
    m_bannerText->setWordWrap(true);
    m_bannerText->setTextFormat(Qt::RichText);
    auto *useAsIs = new QToolButton(m_banner);
    useAsIs->setObjectName(u"useAsIsButton"_s);
    useAsIs->setText(tr("Use as is"));
    useAsIs->setToolTip(tr("Treat these files as your own edit: they can then be deployed"));
    connect(useAsIs, &QToolButton::clicked, this, [this] {
        setIncomplete(QString());
        m_edited = true;
        updateTitle();
        saveDraftReporting();
        emit bundleChanged();
    });
    auto *previous = new QToolButton(m_banner);
    previous->setObjectName(u"previousVersionButton"_s);
    previous->setText(tr("Back to previous version"));
    connect(previous, &QToolButton::clicked, this, &AppPane::previousVersionRequested);
    auto *bannerLayout = new QHBoxLayout(m_banner);
    bannerLayout->setContentsMargins(8, 4, 8, 4);
    bannerLayout->addWidget(m_bannerText, 1);
    bannerLayout->addWidget(useAsIs);
    bannerLayout->addWidget(previous);
    m_banner->hide();

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(m_tabs);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_banner);
    layout->addWidget(m_stack, 1);
}

AppBundle AppPane::bundle() const
{
    AppBundle result;
    result.manifest = m_manifest;
    for (auto it = m_files.cbegin(); it != m_files.cend(); ++it)
        result.files.insert(it.key(), fileContent(it.value()));
    return result;
}

QByteArray AppPane::fileContent(const FileTab &file) const
{
    // An unmodified document gives back the bytes it was loaded from: toPlainText() would turn CRLF into LF
    // and no-break spaces into spaces.
    if (!file.editor || !file.editor->document()->isModified())
        return file.original;
    // toRawText() keeps every character as typed; only the block separators need turning into line ends.
    QString text = file.editor->document()->toRawText();
    text.replace(QChar::ParagraphSeparator, file.crlf ? u"\r\n"_s : u"\n"_s);
    return text.toUtf8();
}

void AppPane::setBundle(const AppBundle &bundle, const QString &source)
{
    showBundle(bundle, source, QString(), false);
    saveDraftReporting();
    emit bundleChanged();
}

void AppPane::beginStream(const QString &title)
{
    AppBundle empty;
    empty.manifest.title = title;
    showBundle(empty, u"generating"_s, QString(), false);
    m_streaming = true;
    m_streamed.clear();
    updatePlaceholder();
}

void AppPane::streamFile(const QString &path, const QString &contentSoFar)
{
    if (!m_streaming)
        return;
    auto it = m_files.find(path);
    if (it == m_files.end()) {
        addFileTab(path, QByteArray());
        it = m_files.find(path);
        if (it->editor)
            it->editor->setReadOnly(true);            // until the answer is complete
        m_tabs->setCurrentIndex(m_tabs->count() - 1); // follow the file being written
        updatePlaceholder();
        updateTitle();
    }
    CodeEditor *editor = it->editor;
    const qsizetype shown = m_streamed.value(path);
    if (!editor || contentSoFar.size() <= shown)
        return;
    // Only the new tail is inserted at the end: the cost per fragment does not grow with the file.
    QTextCursor cursor(editor->document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(contentSoFar.mid(shown));
    m_streamed.insert(path, contentSoFar.size());
    if (m_tabs->currentWidget() == editor) {
        // Follow the line being written down the file, but keep the view at the left margin.
        editor->moveCursor(QTextCursor::End);
        editor->horizontalScrollBar()->setValue(0);
    }
}

void AppPane::setStreamTitle(const QString &title)
{
    if (!m_streaming)
        return;
    m_manifest.title = title;
    updateTitle();
}

void AppPane::endStream(const QString &incompleteReason)
{
    if (!m_streaming)
        return;
    m_streaming = false;
    for (FileTab &file : m_files) {
        if (!file.editor)
            continue;
        file.original = file.editor->toPlainText().toUtf8();
        file.editor->document()->setModified(false);
        file.editor->setReadOnly(false);
    }
    setIncomplete(incompleteReason);
    updatePlaceholder();
    updateTitle();
    saveDraftReporting();
}

void AppPane::setIncomplete(const QString &reason)
{
    m_incomplete = reason;
    m_bannerText->setText(
        tr("<b>Incomplete answer.</b> %1 It is kept here so nothing is lost, but it will not "
           "be deployed as it is.")
            .arg(reason.toHtmlEscaped()));
    m_banner->setVisible(!reason.isEmpty());
    // A warning tint that works on light and dark palettes alike.
    QPalette tinted = palette();
    const QColor window = tinted.color(QPalette::Window);
    const QColor warning = Theme::warningColor(tinted);
    tinted.setColor(QPalette::Window, QColor::fromRgbF(window.redF() * 0.85 + warning.redF() * 0.15,
                                                       window.greenF() * 0.85 + warning.greenF() * 0.15,
                                                       window.blueF() * 0.85 + warning.blueF() * 0.15));
    m_banner->setPalette(tinted);
}

void AppPane::showBundle(const AppBundle &bundle, const QString &source, const QString &currentFile,
                         bool edited)
{
    m_streaming = false;
    setIncomplete(QString());
    m_draftTimer->stop(); // the edits it would save are being replaced; the caller saves the new state
    m_tabs->setUpdatesEnabled(false);
    while (m_tabs->count() > 0) {
        QWidget *page = m_tabs->widget(0);
        m_tabs->removeTab(0);
        delete page;
    }
    m_files.clear();
    m_manifest = bundle.manifest;
    m_source = source;
    m_edited = edited;

    for (auto it = bundle.files.cbegin(); it != bundle.files.cend(); ++it)
        addFileTab(it.key(), it.value());
    const QString current = bundle.files.contains(currentFile) ? currentFile : entryFile(bundle.files);
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->tabToolTip(i) == current)
            m_tabs->setCurrentIndex(i);
    }
    m_tabs->setUpdatesEnabled(true);
    m_placeholderNote.clear();
    updatePlaceholder();
    updateTitle();
}

void AppPane::addFileTab(const QString &path, const QByteArray &content)
{
    FileTab file;
    file.original = content;
    if (!isEditableText(path, content)) {
        auto *placeholder = new QLabel(
            tr("binary, %1")
                .arg(QLocale().formattedDataSize(content.size(), 1, QLocale::DataSizeTraditionalFormat)),
            m_tabs);
        placeholder->setObjectName(u"binaryPlaceholder"_s);
        placeholder->setAlignment(Qt::AlignCenter);
        placeholder->setToolTip(tr("%1 is kept unchanged; SpawnAI does not edit binary files.").arg(path));
        m_tabs->addTab(placeholder, path);
    } else {
        auto *editor = new CodeEditor(m_tabs);
        file.editor = editor;
        file.crlf = content.contains("\r\n");
        editor->setPlainText(QString::fromUtf8(content));
        editor->document()->setModified(false);
        editor->setLanguage(SyntaxHighlighter::languageFor(path));
        // Connected after loading, so only the user's changes count as edits.
        connect(editor->document(), &QTextDocument::contentsChange, this,
                [this](int, int removed, int added) {
                    if (!m_streaming && (removed > 0 || added > 0))
                        onEdited();
                });
        m_tabs->addTab(editor, path);
    }
    m_tabs->setTabToolTip(m_tabs->count() - 1, path);
    m_files.insert(path, file);
}

void AppPane::onEdited()
{
    if (!m_edited) {
        m_edited = true;
        updateTitle();
    }
    // Not restarted on every key: during steady typing the draft still reaches the disk every 300 ms.
    if (!m_draftTimer->isActive())
        m_draftTimer->start();
}

QString AppPane::currentFile() const
{
    const int index = m_tabs->currentIndex();
    return index < 0 ? QString() : m_tabs->tabToolTip(index);
}

void AppPane::updateTitle()
{
    if (m_streaming) {
        m_title->setText(tr("Claude is writing %1…").arg(m_manifest.title));
        m_title->setToolTip(QString());
        return;
    }
    if (isEmpty()) {
        m_title->setText(tr("No app open"));
        m_title->setToolTip(QString());
        return;
    }
    QString details = Runtimes::name(m_manifest.runtime);
    if (m_manifest.runtime != Runtime::Static)
        details = tr("%1 · %2 · port %3").arg(details, m_manifest.start).arg(m_manifest.port);
    const QString title = m_manifest.title.isEmpty() ? tr("Untitled app") : m_manifest.title;
    m_title->setText(m_edited ? tr("%1 — %2 — edited").arg(title, details)
                              : tr("%1 — %2").arg(title, details));
    m_title->setToolTip(m_source.startsWith(kExampleSourcePrefix)
                            ? tr("The bundled example %1").arg(m_source.mid(kExampleSourcePrefix.size()))
                            : QDir::toNativeSeparators(m_source));
}

void AppPane::updatePlaceholder()
{
    if (m_streaming) {
        m_placeholder->setText(tr("<p><b>Claude is writing the app…</b></p><p>Its files open here as they "
                                  "arrive.</p>"));
        m_stack->setCurrentWidget(isEmpty() ? static_cast<QWidget *>(m_placeholder) : m_tabs);
        return;
    }
    QStringList links;
    for (const QString &name : exampleNames())
        links << u"<a href=\"%1\">%1</a>"_s.arg(name.toHtmlEscaped());
    QString text = tr("<p><b>No app yet.</b></p><p>Start from an example (%1), or open an app folder or an "
                      ".html page with the buttons above.</p>")
                       .arg(links.join(u", "_s));
    if (!m_placeholderNote.isEmpty())
        text += u"<p>"_s + m_placeholderNote.toHtmlEscaped() + u"</p>"_s;
    m_placeholder->setText(text);
    m_stack->setCurrentWidget(isEmpty() ? static_cast<QWidget *>(m_placeholder) : m_tabs);
}

QStringList AppPane::exampleNames()
{
    return QDir(kExamplesRoot).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
}

Result<AppBundle> AppPane::example(const QString &name)
{
    if (!exampleNames().contains(name))
        return Error{tr("There is no example called \"%1\". The examples are: %2.")
                         .arg(name, exampleNames().join(u", "_s))};
    // Walked directly: BundleFolder::load canonicalizes paths, which means nothing inside resources.
    const QString root = kExamplesRoot + u'/' + name;
    QMap<QString, QByteArray> files;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return Error{tr("Cannot read the example file %1: %2.").arg(path, file.errorString())};
        files.insert(path.mid(root.size() + 1), file.readAll());
    }
    AppBundle bundle;
    if (files.contains(AppBundle::kManifestName)) {
        auto manifest = AppManifest::fromJson(files.take(AppBundle::kManifestName));
        if (!manifest)
            return Error{manifest.error()};
        bundle.manifest = *manifest;
    } else {
        auto manifest = AppBundle::inferManifest(files, name);
        if (!manifest)
            return Error{manifest.error()};
        bundle.manifest = *manifest;
    }
    bundle.files = std::move(files);
    return bundle;
}

Result<void> AppPane::openFolder(const QString &path)
{
    auto loaded = BundleFolder::load(path);
    if (!loaded)
        return Error{loaded.error()};
    setBundle(*loaded, QFileInfo(path).absoluteFilePath());
    emit statusMessage(tr("Opened %1.").arg(QDir::toNativeSeparators(path)));
    return {};
}

Result<void> AppPane::openFile(const QString &path)
{
    // The loader takes single .html pages and explains what it refuses.
    return openFolder(path);
}

Result<void> AppPane::openExample(const QString &name)
{
    auto loaded = example(name);
    if (!loaded)
        return Error{loaded.error()};
    setBundle(*loaded, kExampleSourcePrefix + name);
    emit statusMessage(tr("Opened the example %1.").arg(name));
    return {};
}

bool AppPane::confirmReplace(const QString &replacement)
{
    if (isEmpty() || !m_edited)
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Replace the app?"),
        tr("%1 has edits that are not saved anywhere else. Open %2 instead and discard them?")
            .arg(m_manifest.title.isEmpty() ? tr("The current app") : m_manifest.title, replacement),
        QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
    return answer == QMessageBox::Discard;
}

void AppPane::chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open app folder"), m_lastDir);
    if (dir.isEmpty() || !confirmReplace(QDir::toNativeSeparators(dir)))
        return;
    m_lastDir = dir;
    if (auto opened = openFolder(dir); !opened)
        QMessageBox::warning(this, tr("Cannot open the app"), opened.error());
}

void AppPane::chooseFile()
{
    const QString file =
        QFileDialog::getOpenFileName(this, tr("Open page"), m_lastDir, tr("HTML pages (*.html *.htm)"));
    if (file.isEmpty() || !confirmReplace(QDir::toNativeSeparators(file)))
        return;
    m_lastDir = QFileInfo(file).absolutePath();
    if (auto opened = openFile(file); !opened)
        QMessageBox::warning(this, tr("Cannot open the page"), opened.error());
}

void AppPane::chooseExample(const QString &name)
{
    if (!confirmReplace(tr("the example %1").arg(name)))
        return;
    if (auto opened = openExample(name); !opened)
        QMessageBox::warning(this, tr("Cannot open the example"), opened.error());
}

// Drafts ------------------------------------------------------------------------------------------------

QByteArray AppPane::draftJson() const
{
    QJsonObject files;
    for (auto it = m_files.cbegin(); it != m_files.cend(); ++it) {
        const QByteArray content = fileContent(it.value());
        // Text stays readable in the draft; anything that would not survive UTF-8 goes as base64.
        if (isEditableText(it.key(), content))
            files.insert(it.key(), QJsonObject{{u"text"_s, QString::fromUtf8(content)}});
        else
            files.insert(it.key(), QJsonObject{{u"base64"_s, QString::fromLatin1(content.toBase64())}});
    }
    const QJsonObject draft{{u"version"_s, kDraftVersion},
                            {u"source"_s, m_source},
                            {u"edited"_s, m_edited},
                            {u"incomplete"_s, m_incomplete},
                            {u"current"_s, currentFile()},
                            {u"manifest"_s, m_manifest.toJson()},
                            {u"files"_s, files}};
    return QJsonDocument(draft).toJson(QJsonDocument::Compact);
}

Result<AppPane::Draft> AppPane::parseDraft(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error{
            tr("not valid JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset)};
    const QJsonObject root = doc.object();
    if (!doc.isObject() || !root.value(u"version"_s).isDouble())
        return Error{tr("not a SpawnAI draft")};
    if (root.value(u"version"_s).toInt() != kDraftVersion)
        return Error{tr("written by another SpawnAI version (draft version %1)")
                         .arg(root.value(u"version"_s).toVariant().toString())};
    if (!root.value(u"manifest"_s).isObject() || !root.value(u"files"_s).isObject())
        return Error{tr("the manifest or the files are missing")};

    Draft draft;
    auto manifest = AppManifest::fromJson(QJsonDocument(root.value(u"manifest"_s).toObject()).toJson());
    if (!manifest)
        return Error{manifest.error()};
    draft.bundle.manifest = *manifest;
    const QJsonObject files = root.value(u"files"_s).toObject();
    for (auto it = files.constBegin(); it != files.constEnd(); ++it) {
        const QJsonObject entry = it.value().toObject();
        if (entry.value(u"text"_s).isString()) {
            draft.bundle.files.insert(it.key(), entry.value(u"text"_s).toString().toUtf8());
        } else if (entry.value(u"base64"_s).isString()) {
            auto decoded = QByteArray::fromBase64Encoding(entry.value(u"base64"_s).toString().toLatin1(),
                                                          QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return Error{tr("the content of %1 is damaged").arg(it.key())};
            draft.bundle.files.insert(it.key(), *decoded);
        } else {
            return Error{tr("the content of %1 is missing").arg(it.key())};
        }
    }
    draft.source = root.value(u"source"_s).toString();
    draft.current = root.value(u"current"_s).toString();
    draft.edited = root.value(u"edited"_s).toBool();
    draft.incomplete = root.value(u"incomplete"_s).toString();
    return draft;
}

void AppPane::restoreDraft()
{
    if (m_draftPath.isEmpty() || !QFileInfo::exists(m_draftPath))
        return;
    QFile file(m_draftPath);
    if (!file.open(QIODevice::ReadOnly)) {
        // Not corrupt, just unreadable now: leave it where it is and do not write over it.
        m_draftWritable = false;
        m_placeholderNote = tr("Your last draft %1 cannot be read (%2). SpawnAI left it alone and will not "
                               "save drafts over it until it is readable or moved away.")
                                .arg(QDir::toNativeSeparators(m_draftPath), file.errorString());
        postStatus(m_placeholderNote);
        return;
    }
    auto draft = parseDraft(file.readAll());
    file.close();
    if (!draft) {
        keepCorruptDraft(draft.error());
        return;
    }
    showBundle(draft->bundle, draft->source, draft->current, draft->edited);
    setIncomplete(draft->incomplete);
    if (!isEmpty())
        postStatus(tr("Restored %1 as you left it.")
                       .arg(m_manifest.title.isEmpty() ? tr("your app") : m_manifest.title));
}

void AppPane::keepCorruptDraft(const QString &why)
{
    // Never deleted and never overwritten: an older kept-aside draft keeps its name.
    QString aside = m_draftPath + u".corrupt"_s;
    for (int n = 2; QFileInfo::exists(aside); ++n)
        aside = m_draftPath + u'.' + QString::number(n) + u".corrupt"_s;
    if (QFile::rename(m_draftPath, aside)) {
        syncDirectory(QFileInfo(m_draftPath).absolutePath());
        m_placeholderNote = tr("Your last draft could not be read (%1). It was kept as %2; the editor starts "
                               "empty.")
                                .arg(why, QDir::toNativeSeparators(aside));
    } else {
        m_draftWritable = false;
        m_placeholderNote = tr("Your last draft %1 could not be read (%2) nor moved aside. SpawnAI left it "
                               "alone and will not save drafts over it until it is moved away.")
                                .arg(QDir::toNativeSeparators(m_draftPath), why);
    }
    qCWarning(lcAppPane).noquote() << m_placeholderNote;
    postStatus(m_placeholderNote);
}

Result<void> AppPane::writeDraft()
{
    m_draftTimer->stop();
    if (m_draftPath.isEmpty() || !m_draftWritable)
        return {};
    const QByteArray json = draftJson();
    const QString dir = QFileInfo(m_draftPath).absolutePath();
    if (!QDir().mkpath(dir))
        return Error{
            tr("Cannot save the draft: cannot create the folder %1.").arg(QDir::toNativeSeparators(dir))};
    QSaveFile file(m_draftPath);
    if (!file.open(QIODevice::WriteOnly))
        return Error{tr("Cannot save the draft %1: %2.")
                         .arg(QDir::toNativeSeparators(m_draftPath), file.errorString())};
    if (file.write(json) != json.size()) {
        const QString why = file.errorString();
        file.cancelWriting();
        return Error{tr("Cannot save the draft %1: %2.").arg(QDir::toNativeSeparators(m_draftPath), why)};
    }
    if (!file.commit())
        return Error{tr("Cannot save the draft %1: %2.")
                         .arg(QDir::toNativeSeparators(m_draftPath), file.errorString())};
    syncDirectory(dir);
    return {};
}

void AppPane::saveDraftReporting()
{
    const auto saved = writeDraft();
    if (saved.ok()) {
        if (!m_lastDraftError.isEmpty())
            emit statusMessage(tr("The draft is saved again."));
        m_lastDraftError.clear();
        return;
    }
    // Said once per distinct failure, not on every keystroke.
    if (saved.error() != m_lastDraftError) {
        m_lastDraftError = saved.error();
        qCWarning(lcAppPane).noquote() << saved.error();
        emit statusMessage(saved.error());
    }
}

void AppPane::postStatus(const QString &text)
{
    // From the constructor nobody is connected yet: deliver once the event loop runs.
    QTimer::singleShot(0, this, [this, text] { emit statusMessage(text); });
}
