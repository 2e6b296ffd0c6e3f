// The revisions panel on a real store: a chain of three revisions (two generated, one hand edit), the history
// model under QAbstractItemModelTester, file markers and coloured diffs against the parent, restore, export
// into empty and non-empty folders, store errors shown in the panel, and light and dark palettes.
#include "apppane.h"
#include "bundlefolder.h"
#include "costmeter.h"
#include "revisionlistmodel.h"
#include "revisionspanel.h"
#include "store.h"
#include "theme.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStackedWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTreeWidget>

#include <cmath>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

QByteArray replaced(QByteArray text, const QByteArray &from, const QByteArray &to)
{
    const qsizetype at = text.indexOf(from);
    if (at < 0)
        qFatal("test data: \"%s\" not found", from.constData());
    return text.replace(at, from.size(), to);
}

Generation generationFor(const QString &prompt, const QString &revisionId, const QString &parentId,
                         qint64 input, qint64 output, double cost)
{
    Generation g;
    g.prompt = prompt;
    g.model = u"claude-sonnet-4-5"_s;
    g.parentRevisionId = parentId;
    g.revisionId = revisionId;
    g.commentary = parentId.isEmpty() ? u"A dark pomodoro timer that counts finished sessions."_s
                                      : u"Focus now lasts 50 minutes, and a short beep marks the end."_s;
    g.stopReason = u"tool_use"_s;
    g.usage.inputTokens = input;
    g.usage.outputTokens = output;
    g.usage.cacheReadTokens = 1000;
    g.costUsd = cost;
    return g;
}

// WCAG contrast ratio of two colours.
double contrast(const QColor &a, const QColor &b)
{
    const auto luminance = [](const QColor &c) {
        const auto channel = [](double v) {
            return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
        };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

struct Row
{
    QString marker;
    QString path;
    QString added;
    QString removed;
};

} // namespace

class TestRevisionsPanel final : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void modelUnderTester();
    void modelColumns();
    void selectingShowsFilesAndDiff();
    void firstRevisionIsAllAdded();
    void plainView();
    void summaryNamesGenerationAndManifest();
    void restoreEmitsId();
    void exportIntoEmptyFolder();
    void exportIntoNonEmptyFolder();
    void storeErrorsShownInPanel();
    void corruptRevisionShownInPanel();
    void diffColoursReadInBothPalettes();
    void emptyIdClears();
    void screenshots();

private:
    QList<Row> fileRows(RevisionsPanel &panel);
    QPlainTextEdit *diffView(RevisionsPanel &panel)
    {
        return panel.findChild<QPlainTextEdit *>(u"diffView"_s);
    }
    QWidget *shownView(RevisionsPanel &panel)
    {
        return panel.findChild<QStackedWidget *>(u"views"_s)->currentWidget();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
    AppBundle m_first;
    AppBundle m_second;
    AppBundle m_third;
    QString m_r1;
    QString m_r2;
    QString m_r3;
    Generation m_g1;
    Generation m_g2;
};

void TestRevisionsPanel::init()
{
    QApplication::setStyle(u"Fusion"_s);
    QApplication::setPalette(Theme::lightPalette());
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    auto opened = Store::open(m_dir->filePath(u"spawnai.sqlite"_s));
    QVERIFY2(opened, qPrintable(opened.error()));
    m_store = std::move(opened).value();

    // 1: the pomodoro example with a logo, generated.
    auto example = AppPane::example(u"pomodoro"_s);
    QVERIFY2(example, qPrintable(example.error()));
    m_first = *example;
    m_first.manifest.title = u"Pomodoro"_s;
    m_first.files.insert(u"logo.png"_s,
                         QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + QByteArray(600, '\x7f'));
    // 2: a refine: 50-minute focus, a beep, an about page, a new accent colour.
    m_second = m_first;
    m_second.files[u"app.js"_s] =
        replaced(replaced(m_first.files.value(u"app.js"_s), "let minutes = 25,", "let minutes = 50,"),
                 "      stop();\n", "      stop();\n      beep();\n") +
        "function beep() {\n  const ctx = new AudioContext();\n  const osc = ctx.createOscillator();\n"
        "  osc.connect(ctx.destination);\n  osc.start();\n  osc.stop(ctx.currentTime + 0.3);\n}\n";
    m_second.files[u"style.css"_s] = replaced(m_first.files.value(u"style.css"_s), "#ff6b5b", "#4fb286");
    m_second.files.insert(u"about.html"_s,
                          "<!doctype html>\n<title>About</title>\n<p>Focus for 50 minutes.</p>\n");
    // 3: edited by hand: a new title, the heading changed, the about page gone.
    m_third = m_second;
    m_third.manifest.title = u"Pomodoro 50"_s;
    m_third.files[u"index.html"_s] =
        replaced(m_second.files.value(u"index.html"_s), "<h1>Pomodoro</h1>", "<h1>Pomodoro 50</h1>");
    m_third.files.remove(u"about.html"_s);

    const auto r1 = m_store->saveRevision(m_first, {}, u"a pomodoro timer with a dark theme"_s);
    QVERIFY2(r1, qPrintable(r1.error()));
    const auto r2 = m_store->saveRevision(m_second, *r1, u"make focus 50 minutes\nand beep at the end"_s);
    QVERIFY2(r2, qPrintable(r2.error()));
    const auto r3 = m_store->saveRevision(m_third, *r2);
    QVERIFY2(r3, qPrintable(r3.error()));
    m_r1 = *r1;
    m_r2 = *r2;
    m_r3 = *r3;
    m_g1 = generationFor(u"a pomodoro timer with a dark theme"_s, m_r1, {}, 2100, 5400, 0.0893);
    QVERIFY(m_store->addGeneration(m_g1));
    m_g2 = generationFor(u"make focus 50 minutes\nand beep at the end"_s, m_r2, m_r1, 6800, 1900, 0.0489);
    QVERIFY(m_store->addGeneration(m_g2));
}

void TestRevisionsPanel::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

QList<Row> TestRevisionsPanel::fileRows(RevisionsPanel &panel)
{
    QList<Row> rows;
    auto *tree = panel.findChild<QTreeWidget *>(u"fileList"_s);
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = tree->topLevelItem(i);
        rows.append({item->text(0), item->text(1), item->text(2), item->text(3)});
    }
    return rows;
}

void TestRevisionsPanel::modelUnderTester()
{
    RevisionsPanel panel(*m_store, nullptr);
    auto *model = panel.findChild<RevisionListModel *>();
    QVERIFY(model);
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    panel.showHistory(m_r3);
    QCOMPARE(model->rowCount(), 3);
    panel.showHistory(m_r1);
    QCOMPARE(model->rowCount(), 1);
    panel.showHistory({});
    QCOMPARE(model->rowCount(), 0);
    panel.showHistory(m_r2);
    QCOMPARE(model->rowCount(), 2);
    // Every cell of every role answers without tripping the tester.
    for (int row = 0; row < model->rowCount(); ++row) {
        for (int column = 0; column < model->columnCount(); ++column) {
            const QModelIndex index = model->index(row, column);
            QCOMPARE(index.data(RevisionListModel::RevisionIdRole).toString(), row == 0 ? m_r2 : m_r1);
            QVERIFY(!model->headerData(column, Qt::Horizontal).toString().isEmpty());
        }
    }
}

void TestRevisionsPanel::modelColumns()
{
    RevisionListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto history = m_store->revisionHistory(m_r3);
    QVERIFY2(history, qPrintable(history.error()));
    model.setRevisions(*history);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(RevisionListModel::Column::Count));

    const auto cell = [&](int row, RevisionListModel::Column column, int role = Qt::DisplayRole) {
        return model.index(row, int(column)).data(role);
    };
    using C = RevisionListModel::Column;
    const QLocale locale;
    // Newest first, numbered from the oldest.
    QCOMPARE(cell(0, C::Number).toString(), u"3"_s);
    QCOMPARE(cell(2, C::Number, RevisionListModel::RawValueRole).toInt(), 1);
    QCOMPARE(cell(0, C::Number, RevisionListModel::RevisionIdRole).toString(), m_r3);
    QCOMPARE(cell(2, C::Cost, RevisionListModel::RevisionIdRole).toString(), m_r1);

    // The hand edit: no prompt, no tokens, no cost, no model.
    QCOMPARE(cell(0, C::Prompt).toString(), RevisionListModel::tr("Edited by hand"));
    QVERIFY(!cell(0, C::Tokens, RevisionListModel::RawValueRole).isValid());
    QVERIFY(!cell(0, C::Cost, RevisionListModel::RawValueRole).isValid());
    QVERIFY(cell(0, C::Cost).toString().isEmpty());
    QVERIFY(cell(0, C::Model).toString().isEmpty());

    // The refine: the prompt on one line, the whole prompt in the tooltip, tokens and cost of its generation.
    QCOMPARE(cell(1, C::Prompt).toString(), u"make focus 50 minutes and beep at the end"_s);
    QVERIFY(cell(1, C::Prompt, Qt::ToolTipRole).toString().contains(u"make focus 50 minutes\nand beep"_s));
    const qint64 tokens2 = m_g2.usage.inputTokens + m_g2.usage.outputTokens + m_g2.usage.cacheReadTokens;
    QCOMPARE(cell(1, C::Tokens, RevisionListModel::RawValueRole).toLongLong(), tokens2);
    QCOMPARE(cell(1, C::Tokens).toString(), locale.toString(tokens2));
    QCOMPARE(cell(1, C::Cost, RevisionListModel::RawValueRole).toDouble(), m_g2.costUsd);
    QCOMPARE(cell(1, C::Cost).toString(), formatUsd(m_g2.costUsd));
    QCOMPARE(cell(1, C::Model).toString(), m_g2.model);
    QCOMPARE(cell(2, C::Cost).toString(), formatUsd(m_g1.costUsd));

    // Files and size of each revision's own bundle.
    QCOMPARE(cell(1, C::Files, RevisionListModel::RawValueRole).toInt(), int(m_second.files.size()));
    QCOMPARE(cell(0, C::Files, RevisionListModel::RawValueRole).toInt(), int(m_third.files.size()));
    QCOMPARE(cell(0, C::Size, RevisionListModel::RawValueRole).toLongLong(), m_third.totalBytes());
    QCOMPARE(cell(0, C::Size).toString(), locale.formattedDataSize(m_third.totalBytes()));
    QCOMPARE(cell(0, C::When, RevisionListModel::RawValueRole).toLongLong(),
             history->at(0).createdAt.toMSecsSinceEpoch());
    QCOMPARE(cell(0, C::Tokens, Qt::TextAlignmentRole).toInt(), int(Qt::AlignRight | Qt::AlignVCenter));
    QCOMPARE(model.rowOf(m_r2), 1);
    QCOMPARE(model.rowOf(u"nope"_s), -1);
}

void TestRevisionsPanel::selectingShowsFilesAndDiff()
{
    RevisionsPanel panel(*m_store, nullptr);
    panel.resize(1000, 700);
    panel.showHistory(m_r3);
    QCOMPARE(panel.selectedRevision(), m_r3);

    // Clicking the middle row selects it.
    auto *table = panel.findChild<QTableView *>(u"revisionTable"_s);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    const QRect rowRect = table->visualRect(table->model()->index(1, int(RevisionListModel::Column::Prompt)));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rowRect.center());
    QCOMPARE(panel.selectedRevision(), m_r2);

    const QList<Row> rows = fileRows(panel);
    QCOMPARE(rows.size(), 5);
    QCOMPARE(rows.at(0).path, u"about.html"_s);
    QCOMPARE(rows.at(0).marker, u"A"_s);
    QCOMPARE(rows.at(0).added, u"+3"_s);
    QCOMPARE(rows.at(1).path, u"app.js"_s);
    QCOMPARE(rows.at(1).marker, u"M"_s);
    QCOMPARE(rows.at(1).added, u"+9"_s); // the changed line, the beep() call, the 7-line function
    QCOMPARE(rows.at(1).removed, u"−1"_s);
    QCOMPARE(rows.at(2).path, u"index.html"_s);
    QCOMPARE(rows.at(2).marker, QString());
    QCOMPARE(rows.at(3).path, u"logo.png"_s);
    QCOMPARE(rows.at(3).marker, QString());
    QCOMPARE(rows.at(4).path, u"style.css"_s);
    QCOMPARE(rows.at(4).marker, u"M"_s);

    // The first changed file is shown, as a diff: the changed lines are there, coloured, with context.
    QCOMPARE(panel.currentFile(), u"about.html"_s);
    panel.selectFile(u"app.js"_s);
    QVERIFY(panel.showsDiff());
    QCOMPARE(shownView(panel), diffView(panel));
    QTextDocument *document = diffView(panel)->document();
    const QString text = document->toPlainText();
    QVERIFY2(text.contains(u"let minutes = 25,"_s), qPrintable(text));
    QVERIFY(text.contains(u"let minutes = 50,"_s));
    QVERIFY(text.contains(u"beep();"_s));
    QVERIFY(!text.contains(u"document.querySelectorAll('.modes button').forEach(b =>"_s)); // far from changes
    // Each line: old and new line numbers (as wide as the longest), then the marker.
    const int digits = int(QString::number(std::max(m_first.files.value(u"app.js"_s).count('\n'),
                                                    m_second.files.value(u"app.js"_s).count('\n')))
                               .size());
    const QColor base = diffView(panel)->palette().color(QPalette::Base);
    QStringList added;
    QStringList removed;
    QColor addedColour;
    QColor removedColour;
    int skipped = 0;
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        const QString line = block.text();
        const QBrush background = block.blockFormat().background();
        if (line.startsWith(u"⋯"_s)) {
            ++skipped;
            QVERIFY(background.style() != Qt::NoBrush);
            continue;
        }
        const QChar marker = line.at(2 * digits + 2);
        const QString content = line.mid(2 * digits + 4);
        if (marker == u'+') {
            QVERIFY(!addedColour.isValid() || background.color() == addedColour);
            addedColour = background.color();
            added.append(content);
        } else if (marker == u'−') {
            QVERIFY(!removedColour.isValid() || background.color() == removedColour);
            removedColour = background.color();
            removed.append(content);
        } else {
            QCOMPARE(marker, u' ');
            QVERIFY2(background.style() == Qt::NoBrush, qPrintable(line)); // context: plain
        }
    }
    QCOMPARE(removed.size(), 1);
    QVERIFY(removed.at(0).startsWith(u"let minutes = 25,"_s));
    QCOMPARE(added.size(), 9);
    QVERIFY(added.at(0).startsWith(u"let minutes = 50,"_s));
    QCOMPARE(added.at(1), u"      beep();"_s);
    QCOMPARE(added.constLast(), u"}"_s);
    QCOMPARE(skipped, 2); // between the three runs of changes (the last one ends the file)
    QVERIFY(addedColour != base && removedColour != base && addedColour != removedColour);
    QVERIFY(addedColour.green() > addedColour.red());
    QVERIFY(removedColour.red() > removedColour.green());

    // The hand edit: index.html changed, about.html deleted.
    panel.selectRevision(m_r3);
    const QList<Row> third = fileRows(panel);
    QCOMPARE(third.size(), 5); // the four files and the deleted one
    QCOMPARE(third.at(0).path, u"about.html"_s);
    QCOMPARE(third.at(0).marker, u"D"_s);
    QCOMPARE(third.at(0).removed, u"−3"_s);
    QCOMPARE(third.at(1).marker, QString());
    QCOMPARE(third.at(2).marker, u"M"_s);
    panel.selectFile(u"index.html"_s);
    const QString heading = diffView(panel)->toPlainText();
    QVERIFY(heading.contains(u"<h1>Pomodoro</h1>"_s) && heading.contains(u"<h1>Pomodoro 50</h1>"_s));
    // The deleted file's diff shows what it held, all removed.
    panel.selectFile(u"about.html"_s);
    QVERIFY(diffView(panel)->toPlainText().contains(u"<p>Focus for 50 minutes.</p>"_s));
    // An unchanged file has nothing to diff: a notice says so.
    panel.selectFile(u"app.js"_s);
    QCOMPARE(shownView(panel)->objectName(), u"notice"_s);
    QVERIFY(panel.findChild<QLabel *>(u"notice"_s)->text().contains(u"app.js"_s));
}

void TestRevisionsPanel::firstRevisionIsAllAdded()
{
    RevisionsPanel panel(*m_store, nullptr);
    panel.showHistory(m_r3);
    panel.selectRevision(m_r1);
    QCOMPARE(panel.selectedRevision(), m_r1);
    const QList<Row> rows = fileRows(panel);
    QCOMPARE(rows.size(), m_first.files.size());
    for (const Row &row : rows)
        QCOMPARE(row.marker, u"A"_s);
    panel.selectFile(u"index.html"_s);
    const QString index = QString::fromUtf8(m_first.files.value(u"index.html"_s));
    const int lines = int(index.count(u'\n'));
    QCOMPARE(rows.at(int(m_first.files.keys().indexOf(u"index.html"_s))).added, u"+%1"_s.arg(lines));
    QTextDocument *document = diffView(panel)->document();
    QCOMPARE(document->blockCount(), lines);
    QColor first;
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        QVERIFY(block.blockFormat().background().style() != Qt::NoBrush);
        QCOMPARE(block.text().at(2 * int(QString::number(lines).size()) + 2), u'+');
        if (!first.isValid())
            first = block.blockFormat().background().color();
        QCOMPARE(block.blockFormat().background().color(), first);
    }
    // A binary file is described, not dumped.
    panel.selectFile(u"logo.png"_s);
    QCOMPARE(shownView(panel)->objectName(), u"notice"_s);
    QVERIFY(panel.findChild<QLabel *>(u"notice"_s)->text().contains(u"Binary"_s));
}

void TestRevisionsPanel::plainView()
{
    RevisionsPanel panel(*m_store, nullptr);
    panel.showHistory(m_r2);
    panel.selectFile(u"app.js"_s);
    panel.findChild<QCheckBox *>(u"diffToggle"_s)->click();
    QVERIFY(!panel.showsDiff());
    auto *fileView = panel.findChild<QPlainTextEdit *>(u"fileView"_s);
    QCOMPARE(shownView(panel), fileView);
    QVERIFY(fileView->isReadOnly());
    QCOMPARE(fileView->toPlainText(), QString::fromUtf8(m_second.files.value(u"app.js"_s)));
    // Another file, then another revision: still the plain file.
    panel.selectFile(u"style.css"_s);
    QCOMPARE(fileView->toPlainText(), QString::fromUtf8(m_second.files.value(u"style.css"_s)));
    panel.selectRevision(m_r1);
    panel.selectFile(u"style.css"_s);
    QCOMPARE(fileView->toPlainText(), QString::fromUtf8(m_first.files.value(u"style.css"_s)));
    // Back to the diff.
    panel.setShowDiff(true);
    QCOMPARE(shownView(panel), diffView(panel));
}

void TestRevisionsPanel::summaryNamesGenerationAndManifest()
{
    RevisionsPanel panel(*m_store, nullptr);
    panel.showHistory(m_r3);
    auto *title = panel.findChild<QLabel *>(u"revisionTitle"_s);
    auto *summary = panel.findChild<QLabel *>(u"revisionSummary"_s);
    QVERIFY(title->text().contains(u"3"_s) && title->text().contains(u"Pomodoro 50"_s));
    QVERIFY(title->text().contains(m_r3.left(8)));
    QVERIFY2(summary->text().contains(u"“Pomodoro” → “Pomodoro 50”"_s), qPrintable(summary->text()));
    panel.selectRevision(m_r2);
    QVERIFY2(summary->text().contains(m_g2.model), qPrintable(summary->text()));
    QVERIFY(summary->text().contains(formatUsd(m_g2.costUsd)));
    QVERIFY(summary->text().contains(m_g2.commentary));
    QVERIFY(!summary->text().contains(u"→"_s)); // the manifest did not change
}

void TestRevisionsPanel::restoreEmitsId()
{
    RevisionsPanel panel(*m_store, nullptr);
    QSignalSpy restore(&panel, &RevisionsPanel::restoreRequested);
    auto *button = panel.findChild<QPushButton *>(u"restoreButton"_s);
    QVERIFY(!button->isEnabled()); // nothing to restore yet
    panel.showHistory(m_r3);
    panel.selectRevision(m_r2);
    QVERIFY(button->isEnabled());
    button->click();
    QCOMPARE(restore.count(), 1);
    QCOMPARE(restore.at(0).at(0).toString(), m_r2);
    panel.selectRevision(m_r1);
    button->click();
    QCOMPARE(restore.count(), 2);
    QCOMPARE(restore.at(1).at(0).toString(), m_r1);
}

void TestRevisionsPanel::exportIntoEmptyFolder()
{
    RevisionsPanel panel(*m_store, nullptr);
    panel.showHistory(m_r3);
    const QString target = m_dir->filePath(u"export"_s); // not there yet
    const auto exported = panel.exportRevision(m_r2, target);
    QVERIFY2(exported, qPrintable(exported.error()));
    QCOMPARE(*exported, target);
    QVERIFY(QFile::exists(target + u"/spawnai.json"_s));
    const auto loaded = BundleFolder::load(target);
    QVERIFY2(loaded, qPrintable(loaded.error()));
    QCOMPARE(loaded->files, m_second.files);
    QCOMPARE(loaded->manifest.title, m_second.manifest.title);
    QCOMPARE(loaded->manifest.runtime, m_second.manifest.runtime);
    QCOMPARE(loaded->manifest.start, m_second.manifest.start);
    QCOMPARE(loaded->manifest.port, m_second.manifest.port);

    // An existing, empty folder is used as it is.
    const QString empty = m_dir->filePath(u"empty"_s);
    QVERIFY(QDir().mkpath(empty));
    const auto again = panel.exportRevision(m_r3, empty);
    QVERIFY2(again, qPrintable(again.error()));
    QCOMPARE(*again, empty);
    QCOMPARE(BundleFolder::load(empty)->files, m_third.files);
}

void TestRevisionsPanel::exportIntoNonEmptyFolder()
{
    RevisionsPanel panel(*m_store, nullptr);
    panel.showHistory(m_r3);
    const QString target = m_dir->filePath(u"projects"_s);
    QVERIFY(QDir().mkpath(target));
    {
        QFile other(target + u"/notes.txt"_s);
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write("mine\n");
    }
    const auto first = panel.exportRevision(m_r3, target);
    QVERIFY2(first, qPrintable(first.error()));
    QCOMPARE(*first, target + u"/Pomodoro 50-"_s + m_r3.left(8));
    const auto loaded = BundleFolder::load(*first);
    QVERIFY2(loaded, qPrintable(loaded.error()));
    QCOMPARE(loaded->files, m_third.files);
    QCOMPARE(loaded->manifest.title, u"Pomodoro 50"_s);
    // The folder's own files are left alone and nothing of the app lands beside them.
    QStringList entries = QDir(target).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
    entries.sort();
    QCOMPARE(entries, (QStringList{u"Pomodoro 50-"_s + m_r3.left(8), u"notes.txt"_s}));

    // The same again: a second folder rather than files mixed into the first.
    const auto second = panel.exportRevision(m_r3, target);
    QVERIFY2(second, qPrintable(second.error()));
    QCOMPARE(*second, target + u"/Pomodoro 50-"_s + m_r3.left(8) + u" (2)"_s);
    QCOMPARE(BundleFolder::load(*second)->files, m_third.files);

    // A title that is not a safe folder name.
    AppBundle odd = m_third;
    odd.manifest.title = u"../.hidden/a:b"_s;
    const auto oddId = m_store->saveRevision(odd, m_r3);
    QVERIFY(oddId);
    const auto third = panel.exportRevision(*oddId, target);
    QVERIFY2(third, qPrintable(third.error()));
    QCOMPARE(QFileInfo(*third).dir().absolutePath(), QFileInfo(target).absoluteFilePath());
    QVERIFY2(!QFileInfo(*third).fileName().startsWith(u'.'), qPrintable(*third));

    // A folder that cannot be written: the error comes back, nothing is thrown.
    const QString blocked = m_dir->filePath(u"file-not-folder"_s);
    {
        QFile file(blocked);
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    const auto failed = panel.exportRevision(m_r3, blocked + u"/sub"_s);
    QVERIFY(!failed);
    QVERIFY(!failed.error().isEmpty());
}

void TestRevisionsPanel::storeErrorsShownInPanel()
{
    RevisionsPanel panel(*m_store, nullptr);
    auto *message = panel.findChild<QLabel *>(u"message"_s);
    panel.showHistory(m_r3);
    QVERIFY(message->isHidden());
    const QString unknown(64, u'0');
    panel.showHistory(unknown);
    QVERIFY(!message->isHidden());
    QVERIFY2(message->text().contains(unknown), qPrintable(message->text()));
    QCOMPARE(panel.findChild<RevisionListModel *>()->rowCount(), 0);
    QVERIFY(panel.selectedRevision().isEmpty());
    QVERIFY(!panel.findChild<QPushButton *>(u"exportButton"_s)->isEnabled());
    const auto exported = panel.exportRevision(unknown, m_dir->filePath(u"x"_s));
    QVERIFY(!exported);
    QVERIFY(!QFileInfo::exists(m_dir->filePath(u"x"_s)));
    // A good id afterwards clears the message.
    panel.showHistory(m_r2);
    QVERIFY(message->isHidden());
}

// A blob changed behind the store's back: the store refuses the revision, and the panel says so instead of
// showing wrong code. The revision after it still shows its own files, compared with nothing.
void TestRevisionsPanel::corruptRevisionShownInPanel()
{
    const QByteArray about = m_second.files.value(u"about.html"_s); // only revision 2 has it
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"tamper"_s);
        db.setDatabaseName(m_store->path());
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(u"DROP TRIGGER blobs_no_update"_s));
        QVERIFY(query.exec(
            u"UPDATE blobs SET content = CAST('<script>steal()</script>' AS BLOB) WHERE hash = '%1'"_s.arg(
                QString::fromLatin1(QCryptographicHash::hash(about, QCryptographicHash::Sha256).toHex()))));
        QCOMPARE(query.numRowsAffected(), 1);
        db.close();
    }
    QSqlDatabase::removeDatabase(u"tamper"_s);

    RevisionsPanel panel(*m_store, nullptr);
    auto *message = panel.findChild<QLabel *>(u"message"_s);
    panel.showHistory(m_r3);
    // Revision 3 lists its files; its parent could not be read, so everything counts as added.
    QCOMPARE(panel.selectedRevision(), m_r3);
    QVERIFY(!message->isHidden());
    QVERIFY2(message->text().contains(u"previous revision"_s), qPrintable(message->text()));
    QCOMPARE(fileRows(panel).size(), m_third.files.size());
    for (const Row &row : fileRows(panel))
        QCOMPARE(row.marker, u"A"_s);

    panel.selectRevision(m_r2);
    QVERIFY(panel.selectedRevision().isEmpty()); // nothing to restore or export
    QVERIFY(!panel.findChild<QPushButton *>(u"restoreButton"_s)->isEnabled());
    QVERIFY(!panel.findChild<QPushButton *>(u"exportButton"_s)->isEnabled());
    QVERIFY(fileRows(panel).isEmpty());
    QVERIFY2(message->text().contains(m_r2.left(8)) && message->text().contains(u"about.html"_s),
             qPrintable(message->text()));
    QCOMPARE(shownView(panel)->objectName(), u"notice"_s);
    QVERIFY(!panel.findChild<QLabel *>(u"notice"_s)->text().contains(u"steal"_s));

    // A good revision again: the message goes.
    panel.selectRevision(m_r1);
    QCOMPARE(panel.selectedRevision(), m_r1);
    QVERIFY(message->isHidden());
}

void TestRevisionsPanel::diffColoursReadInBothPalettes()
{
    RevisionsPanel panel(*m_store, nullptr);
    panel.showHistory(m_r2);
    panel.selectFile(u"app.js"_s);
    const auto colours = [&] {
        QColor added;
        QColor removed;
        for (QTextBlock block = diffView(panel)->document()->begin(); block.isValid(); block = block.next()) {
            if (block.text().contains(u"let minutes = 50,"_s))
                added = block.blockFormat().background().color();
            if (block.text().contains(u"let minutes = 25,"_s))
                removed = block.blockFormat().background().color();
        }
        return QList<QColor>{added, removed};
    };
    const QList<QColor> light = colours();
    QApplication::setPalette(Theme::darkPalette());
    QCoreApplication::processEvents();
    const QList<QColor> dark = colours();
    QCOMPARE(panel.currentFile(), u"app.js"_s); // repainted in place
    for (const QColor &colour : dark) {
        QVERIFY(colour.isValid());
        QVERIFY2(colour.lightnessF() < 0.5, qPrintable(colour.name()));
        QVERIFY2(contrast(colour, Theme::darkPalette().color(QPalette::Text)) >= 4.5,
                 qPrintable(colour.name()));
    }
    for (const QColor &colour : light) {
        QVERIFY2(colour.lightnessF() > 0.5, qPrintable(colour.name()));
        QVERIFY2(contrast(colour, Theme::lightPalette().color(QPalette::Text)) >= 4.5,
                 qPrintable(colour.name()));
    }
    QVERIFY(dark.at(0) != light.at(0) && dark.at(1) != light.at(1));
}

void TestRevisionsPanel::emptyIdClears()
{
    RevisionsPanel panel(*m_store, nullptr);
    panel.showHistory(m_r3);
    QVERIFY(!fileRows(panel).isEmpty());
    panel.showHistory({});
    QVERIFY(panel.selectedRevision().isEmpty());
    QVERIFY(fileRows(panel).isEmpty());
    QVERIFY(!panel.findChild<QPushButton *>(u"restoreButton"_s)->isEnabled());
    QCOMPARE(shownView(panel)->objectName(), u"notice"_s);
}

// The panel as a user sees it, in both palettes; the pictures go to $SPAWNAI_SCREENSHOT_DIR when set. The
// picture must actually follow the palette.
void TestRevisionsPanel::screenshots()
{
    const QString outDir = qEnvironmentVariable("SPAWNAI_SCREENSHOT_DIR", m_dir->path());
    QVERIFY(QDir().mkpath(outDir));
    QList<double> windowLightness;
    for (const bool dark : {false, true}) {
        QApplication::setPalette(dark ? Theme::darkPalette() : Theme::lightPalette());
        RevisionsPanel panel(*m_store, nullptr);
        panel.resize(1100, 720);
        panel.showHistory(m_r3);
        panel.selectRevision(m_r2);
        panel.selectFile(u"app.js"_s);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const QImage image = panel.grab().toImage();
        QVERIFY(!image.isNull());
        const QString path = outDir + (dark ? u"/revisions-dark.png"_s : u"/revisions-light.png"_s);
        QVERIFY(image.save(path));
        // The hand edit as a file, and the first revision's binary file.
        panel.selectRevision(m_r3);
        panel.setShowDiff(false);
        panel.selectFile(u"index.html"_s);
        QVERIFY(panel.grab().save(outDir +
                                  (dark ? u"/revisions-plain-dark.png"_s : u"/revisions-plain-light.png"_s)));
        panel.selectRevision(m_r1);
        panel.setShowDiff(true);
        panel.selectFile(u"index.html"_s);
        QVERIFY(panel.grab().save(outDir +
                                  (dark ? u"/revisions-first-dark.png"_s : u"/revisions-first-light.png"_s)));
        windowLightness.append(image.pixelColor(image.width() / 2, image.height() - 3).lightnessF());
    }
    QVERIFY(windowLightness.at(0) > 0.5);
    QVERIFY(windowLightness.at(1) < 0.5);
}

QTEST_MAIN(TestRevisionsPanel)
#include "tst_revisionspanel.moc"
