// Line diffs: exact results for small cases, minimal edit distance against a dynamic-programming LCS, unified
// text that a patch applier turns `before` back into `after`, and the fallback past the edit-distance cap.
#include "textdiff.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

// A diff written as "=same", "-removed", "+added" per line, for rows a reader can check by eye.
QStringList notation(const QList<DiffLine> &diff)
{
    QStringList out;
    for (const DiffLine &line : diff) {
        switch (line.kind) {
        case DiffLine::Kind::Same:
            out.append(u'=' + line.text);
            break;
        case DiffLine::Kind::Added:
            out.append(u'+' + line.text);
            break;
        case DiffLine::Kind::Removed:
            out.append(u'-' + line.text);
            break;
        }
    }
    return out;
}

// The lines of a text as the diff sees them: split on '\n', a final '\n' ends the last line.
QStringList linesOf(const QString &text)
{
    if (text.isEmpty())
        return {};
    QStringList lines = text.split(u'\n');
    if (lines.constLast().isEmpty())
        lines.removeLast();
    return lines;
}

// What must hold for every diff: each side read back in order, line numbers counting up from 1 on their
// side and 0 on the other.
void checkSides(const QList<DiffLine> &diff, const QString &before, const QString &after)
{
    QStringList oldSide;
    QStringList newSide;
    for (const DiffLine &line : diff) {
        if (line.kind != DiffLine::Kind::Added) {
            oldSide.append(line.text);
            QCOMPARE(line.oldLine, oldSide.size());
        } else {
            QCOMPARE(line.oldLine, 0);
        }
        if (line.kind != DiffLine::Kind::Removed) {
            newSide.append(line.text);
            QCOMPARE(line.newLine, newSide.size());
        } else {
            QCOMPARE(line.newLine, 0);
        }
    }
    QCOMPARE(oldSide, linesOf(before));
    QCOMPARE(newSide, linesOf(after));
}

// Length of a longest common subsequence of lines (textbook O(N·M) table), for small inputs. Lines compare
// as the diff compares them: a last line without '\n' is not equal to the same text with one.
int lcsLength(const QString &before, const QString &after)
{
    QStringList a = linesOf(before);
    QStringList b = linesOf(after);
    if (!before.isEmpty() && !before.endsWith(u'\n'))
        a.last() += u"<no newline>"_s;
    if (!after.isEmpty() && !after.endsWith(u'\n'))
        b.last() += u"<no newline>"_s;
    std::vector<std::vector<int>> table(std::size_t(a.size() + 1),
                                        std::vector<int>(std::size_t(b.size() + 1)));
    for (qsizetype i = a.size() - 1; i >= 0; --i) {
        for (qsizetype j = b.size() - 1; j >= 0; --j) {
            auto &cell = table[std::size_t(i)][std::size_t(j)];
            cell = a.at(i) == b.at(j) ? table[std::size_t(i + 1)][std::size_t(j + 1)] + 1
                                      : std::max(table[std::size_t(i + 1)][std::size_t(j)],
                                                 table[std::size_t(i)][std::size_t(j + 1)]);
        }
    }
    return table[0][0];
}

// Applies a unified diff to `before` the way patch(1) does, strictly: every hunk must start where its header
// says, its context and removed lines must match, and its counts must be right. nullopt when anything is off.
std::optional<QString> applyUnified(const QString &before, const QString &patch)
{
    const QStringList oldLines = linesOf(before);
    const bool oldMissesNewline = !before.isEmpty() && !before.endsWith(u'\n');
    const QStringList patchLines = linesOf(patch);
    if (patchLines.size() < 2 || !patchLines.at(0).startsWith(u"--- a/"_s) ||
        !patchLines.at(1).startsWith(u"+++ b/"_s))
        return std::nullopt;
    static const QRegularExpression header(u"^@@ -(\\d+)(?:,(\\d+))? \\+(\\d+)(?:,(\\d+))? @@$"_s);

    QStringList newLines;
    bool newMissesNewline = false;
    bool oldEndInHunk = false; // the last old line was context or removed in a hunk
    bool oldEndMarked = false; // ... and the patch said it has no newline
    qsizetype oldPos = 0;      // lines of `before` used so far
    qsizetype i = 2;
    while (i < patchLines.size()) {
        const QRegularExpressionMatch match = header.match(patchLines.at(i));
        if (!match.hasMatch())
            return std::nullopt;
        const int oldCount = match.captured(2).isEmpty() ? 1 : match.captured(2).toInt();
        const int newCount = match.captured(4).isEmpty() ? 1 : match.captured(4).toInt();
        const int oldStart = match.captured(1).toInt() - (oldCount > 0 ? 1 : 0); // 0-based
        const int newStart = match.captured(3).toInt() - (newCount > 0 ? 1 : 0);
        if (oldStart < oldPos || oldStart > oldLines.size())
            return std::nullopt;
        while (oldPos < oldStart)
            newLines.append(oldLines.at(oldPos++));
        if (newLines.size() != newStart)
            return std::nullopt;
        int oldSeen = 0;
        int newSeen = 0;
        for (++i; i < patchLines.size() && !patchLines.at(i).startsWith(u"@@"_s); ++i) {
            const QString &line = patchLines.at(i);
            const QChar marker = line.isEmpty() ? QChar() : line.at(0);
            if (line == u"\\ No newline at end of file"_s) {
                const QChar previous = patchLines.at(i - 1).at(0);
                if (previous == u' ' || previous == u'-') {
                    if (oldPos != oldLines.size() || !oldMissesNewline)
                        return std::nullopt;
                    oldEndMarked = true;
                }
                if (previous == u' ' || previous == u'+')
                    newMissesNewline = true;
                continue;
            }
            if (marker != u' ' && marker != u'-' && marker != u'+')
                return std::nullopt;
            if (newMissesNewline)
                return std::nullopt; // a line after the one that ended the new text
            const QString text = line.mid(1);
            if (marker != u'+') {
                if (oldPos >= oldLines.size() || oldLines.at(oldPos) != text)
                    return std::nullopt;
                ++oldPos;
                ++oldSeen;
                oldEndInHunk = oldPos == oldLines.size();
            }
            if (marker != u'-') {
                newLines.append(text);
                ++newSeen;
            }
        }
        if (oldSeen != oldCount || newSeen != newCount)
            return std::nullopt;
    }
    if (oldPos < oldLines.size()) {
        if (newMissesNewline)
            return std::nullopt;
        while (oldPos < oldLines.size())
            newLines.append(oldLines.at(oldPos++));
        newMissesNewline = oldMissesNewline; // the old end, untouched
    } else if (oldEndInHunk && oldMissesNewline && !oldEndMarked) {
        return std::nullopt;
    }
    QString result;
    for (qsizetype n = 0; n < newLines.size(); ++n) {
        result += newLines.at(n);
        if (n + 1 < newLines.size() || !newMissesNewline)
            result += u'\n';
    }
    return result;
}

// `lines` random lines drawn from `vocabulary` different words (few words: many equal lines, the hard case).
QStringList randomLines(QRandomGenerator &random, int lines, int vocabulary)
{
    QStringList out;
    out.reserve(lines);
    for (int i = 0; i < lines; ++i)
        out.append(u"line %1"_s.arg(random.bounded(vocabulary)));
    return out;
}

// `source` with random edits: runs of lines deleted, inserted and replaced.
QStringList mutate(QRandomGenerator &random, QStringList source, int edits, int vocabulary)
{
    for (int e = 0; e < edits; ++e) {
        const int at = source.isEmpty() ? 0 : int(random.bounded(int(source.size()) + 1));
        const int run = 1 + int(random.bounded(5));
        switch (random.bounded(3)) {
        case 0:
            source.remove(std::min<qsizetype>(at, source.size()),
                          std::min<qsizetype>(run, source.size() - std::min<qsizetype>(at, source.size())));
            break;
        case 1:
            for (int r = 0; r < run; ++r)
                source.insert(at, u"new %1"_s.arg(random.bounded(vocabulary)));
            break;
        default:
            for (int r = 0; r < run && at + r < source.size(); ++r)
                source[at + r] = u"changed %1"_s.arg(random.bounded(vocabulary));
            break;
        }
    }
    return source;
}

QString joined(const QStringList &lines, bool finalNewline)
{
    QString text = lines.join(u'\n');
    if (finalNewline && !lines.isEmpty())
        text += u'\n';
    return text;
}

// Lines that share every other line: a0 c0 a1 c1 ... aK against b0 c0 b1 c1 ... bK. The shortest edit removes
// K + 1 lines and adds K + 1, keeping the K common ones; there is no common first or last line.
std::pair<QString, QString> interleaved(int k)
{
    QStringList before;
    QStringList after;
    for (int i = 0; i <= k; ++i) {
        before.append(u"old %1"_s.arg(i));
        after.append(u"new %1"_s.arg(i));
        if (i < k) {
            before.append(u"common %1"_s.arg(i));
            after.append(u"common %1"_s.arg(i));
        }
    }
    return {joined(before, true), joined(after, true)};
}

} // namespace

class TestTextDiff final : public QObject
{
    Q_OBJECT
private slots:
    void lines_data();
    void lines();
    void lineNumbers();
    void minimalEditDistance_data();
    void minimalEditDistance();
    void unified_data();
    void unified();
    void unifiedAppliesBack_data();
    void unifiedAppliesBack();
    void hunks_data();
    void hunks();
    void capFallback_data();
    void capFallback();
    void hugeInputIsBounded();
};

void TestTextDiff::lines_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("identical") << u"a\nb\nc\n"_s << u"a\nb\nc\n"_s << QStringList{u"=a"_s, u"=b"_s, u"=c"_s};
    QTest::newRow("both empty") << QString() << QString() << QStringList();
    QTest::newRow("insert at start") << u"b\nc\n"_s << u"a\nb\nc\n"_s
                                     << QStringList{u"+a"_s, u"=b"_s, u"=c"_s};
    QTest::newRow("insert in middle")
        << u"a\nc\n"_s << u"a\nb\nc\n"_s << QStringList{u"=a"_s, u"+b"_s, u"=c"_s};
    QTest::newRow("insert at end") << u"a\nb\n"_s << u"a\nb\nc\n"_s << QStringList{u"=a"_s, u"=b"_s, u"+c"_s};
    QTest::newRow("delete at start") << u"a\nb\nc\n"_s << u"b\nc\n"_s
                                     << QStringList{u"-a"_s, u"=b"_s, u"=c"_s};
    QTest::newRow("delete in middle")
        << u"a\nb\nc\n"_s << u"a\nc\n"_s << QStringList{u"=a"_s, u"-b"_s, u"=c"_s};
    QTest::newRow("delete at end") << u"a\nb\nc\n"_s << u"a\nb\n"_s << QStringList{u"=a"_s, u"=b"_s, u"-c"_s};
    QTest::newRow("change in middle")
        << u"a\nb\nc\n"_s << u"a\nx\nc\n"_s << QStringList{u"=a"_s, u"-b"_s, u"+x"_s, u"=c"_s};
    QTest::newRow("all replaced") << u"a\nb\n"_s << u"c\nd\n"_s
                                  << QStringList{u"-a"_s, u"-b"_s, u"+c"_s, u"+d"_s};
    QTest::newRow("empty before") << QString() << u"a\nb\n"_s << QStringList{u"+a"_s, u"+b"_s};
    QTest::newRow("empty after") << u"a\nb\n"_s << QString() << QStringList{u"-a"_s, u"-b"_s};
    QTest::newRow("blank lines count") << u"\n\n"_s << u"\n"_s << QStringList{u"="_s, u"-"_s};
    // Lines are split on '\n' only: the '\r' of CRLF is part of the line.
    QTest::newRow("CRLF against LF") << u"a\r\nb\r\n"_s << u"a\nb\n"_s
                                     << QStringList{u"-a\r"_s, u"-b\r"_s, u"+a"_s, u"+b"_s};
    QTest::newRow("CRLF both") << u"a\r\nb\r\n"_s << u"a\r\nc\r\n"_s
                               << QStringList{u"=a\r"_s, u"-b\r"_s, u"+c\r"_s};
    QTest::newRow("newline added at end")
        << u"a\nb"_s << u"a\nb\n"_s << QStringList{u"=a"_s, u"-b"_s, u"+b"_s};
    QTest::newRow("no newline at end, same") << u"a\nb"_s << u"a\nb"_s << QStringList{u"=a"_s, u"=b"_s};
    QTest::newRow("line appended after one without newline")
        << u"a"_s << u"a\nb"_s << QStringList{u"-a"_s, u"+a"_s, u"+b"_s};
    QTest::newRow("moved line") << u"a\nb\nc\nd\n"_s << u"b\nc\nd\na\n"_s
                                << QStringList{u"-a"_s, u"=b"_s, u"=c"_s, u"=d"_s, u"+a"_s};
    QTest::newRow("two separate changes")
        << u"1\n2\n3\n4\n5\n6\n"_s << u"1\nx\n3\n4\ny\n6\n"_s
        << QStringList{u"=1"_s, u"-2"_s, u"+x"_s, u"=3"_s, u"=4"_s, u"-5"_s, u"+y"_s, u"=6"_s};
    QTest::newRow("repeated lines") << u"x\nx\nx\n"_s << u"x\nx\n"_s
                                    << QStringList{u"=x"_s, u"=x"_s, u"-x"_s};
}

void TestTextDiff::lines()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(QStringList, expected);
    const QList<DiffLine> diff = TextDiff::lines(before, after);
    QCOMPARE(notation(diff), expected);
    checkSides(diff, before, after);
}

void TestTextDiff::lineNumbers()
{
    const QList<DiffLine> diff = TextDiff::lines(u"a\nb\nc\n"_s, u"a\nx\ny\nc\n"_s);
    const QList<DiffLine> expected = {
        {DiffLine::Kind::Same, u"a"_s, 1, 1},  {DiffLine::Kind::Removed, u"b"_s, 2, 0},
        {DiffLine::Kind::Added, u"x"_s, 0, 2}, {DiffLine::Kind::Added, u"y"_s, 0, 3},
        {DiffLine::Kind::Same, u"c"_s, 3, 4},
    };
    QCOMPARE(diff, expected);
    const TextDiff::Counts counts = TextDiff::count(diff);
    QCOMPARE(counts.added, 2);
    QCOMPARE(counts.removed, 1);
}

void TestTextDiff::minimalEditDistance_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");

    // The example of Myers' paper: edit distance 5.
    QTest::newRow("ABCABBA/CBABAC") << u"A\nB\nC\nA\nB\nB\nA\n"_s << u"C\nB\nA\nB\nA\nC\n"_s;
    QRandomGenerator random(20240611);
    for (int n = 0; n < 300; ++n) {
        // Small alphabets make many equal lines and many equally short paths: where greedy shortcuts fail.
        const int vocabulary = 2 + int(random.bounded(6));
        const QStringList a = randomLines(random, int(random.bounded(40)), vocabulary);
        const QStringList b = n % 2 ? randomLines(random, int(random.bounded(40)), vocabulary)
                                    : mutate(random, a, 1 + int(random.bounded(6)), vocabulary);
        QTest::addRow("random %d", n)
            << joined(a, random.bounded(4) != 0) << joined(b, random.bounded(4) != 0);
    }
}

void TestTextDiff::minimalEditDistance()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    const QList<DiffLine> diff = TextDiff::lines(before, after);
    checkSides(diff, before, after);
    const TextDiff::Counts counts = TextDiff::count(diff);
    const int common = lcsLength(before, after);
    QCOMPARE(counts.removed, int(linesOf(before).size()) - common);
    QCOMPARE(counts.added, int(linesOf(after).size()) - common);
}

void TestTextDiff::unified_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<int>("context");
    QTest::addColumn<QString>("expected");

    QTest::newRow("identical") << u"a\nb\n"_s << u"a\nb\n"_s << 3 << QString();
    QTest::newRow("change, context 1") << u"1\n2\n3\n4\n5\n"_s << u"1\n2\nx\n4\n5\n"_s << 1
                                       << u"--- a/f.txt\n+++ b/f.txt\n@@ -2,3 +2,3 @@\n 2\n-3\n+x\n 4\n"_s;
    QTest::newRow("change, context 0")
        << u"1\n2\n3\n"_s << u"1\nx\n3\n"_s << 0 << u"--- a/f.txt\n+++ b/f.txt\n@@ -2 +2 @@\n-2\n+x\n"_s;
    QTest::newRow("pure insert, context 0")
        << u"1\n2\n"_s << u"1\nx\n2\n"_s << 0 << u"--- a/f.txt\n+++ b/f.txt\n@@ -1,0 +2 @@\n+x\n"_s;
    QTest::newRow("new file") << QString() << u"a\n"_s << 3
                              << u"--- a/f.txt\n+++ b/f.txt\n@@ -0,0 +1 @@\n+a\n"_s;
    QTest::newRow("emptied file") << u"a\nb\n"_s << QString() << 3
                                  << u"--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +0,0 @@\n-a\n-b\n"_s;
    QTest::newRow("no newline at end")
        << u"a\nb"_s << u"a\nc"_s << 3
        << u"--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
           u"\\ No newline at end of file\n"_s;
    QTest::newRow("newline added at end")
        << u"a"_s << u"a\n"_s << 3
        << u"--- a/f.txt\n+++ b/f.txt\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n"_s;

    QStringList twenty;
    for (int i = 1; i <= 20; ++i)
        twenty.append(QString::number(i));
    QStringList apart = twenty;
    apart[1] = u"two"_s;
    apart[17] = u"eighteen"_s;
    QTest::newRow("two hunks") << joined(twenty, true) << joined(apart, true) << 3
                               << u"--- a/f.txt\n+++ b/f.txt\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"
                                  u"@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n"_s;
    // Six unchanged lines between two changes: their contexts touch, so one hunk.
    QStringList close = twenty;
    close[1] = u"two"_s;
    close[8] = u"nine"_s;
    QTest::newRow("close changes merge")
        << joined(twenty, true) << joined(close, true) << 3
        << u"--- a/f.txt\n+++ b/f.txt\n@@ -1,12 +1,12 @@\n 1\n-2\n+two\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+nine\n"
           u" 10\n 11\n 12\n"_s;
}

void TestTextDiff::unified()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(int, context);
    QFETCH(QString, expected);
    const QString patch = TextDiff::unified(before, after, u"f.txt"_s, context);
    QCOMPARE(patch, expected);
    if (!patch.isEmpty()) {
        const std::optional<QString> applied = applyUnified(before, patch);
        QVERIFY(applied);
        QCOMPARE(*applied, after);
    }
}

void TestTextDiff::unifiedAppliesBack_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<int>("context");

    QRandomGenerator random(7);
    const struct
    {
        const char *name;
        int lines;
        int vocabulary;
        int edits;
    } shapes[] = {
        {"small", 30, 5, 3},
        {"medium", 400, 40, 20},
        {"large", 3000, 300, 80},
        {"large, few words", 3000, 8, 150},
        {"rewritten", 2000, 1000, 600},
    };
    for (const auto &shape : shapes) {
        for (int n = 0; n < 4; ++n) {
            const QStringList a = randomLines(random, shape.lines, shape.vocabulary);
            const QStringList b = mutate(random, a, shape.edits, shape.vocabulary);
            QTest::addRow("%s %d", shape.name, n)
                << joined(a, n != 1) << joined(b, n != 2) << int(random.bounded(5));
        }
    }
}

void TestTextDiff::unifiedAppliesBack()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(int, context);
    const QList<DiffLine> diff = TextDiff::lines(before, after);
    checkSides(diff, before, after);
    const QString patch = TextDiff::unified(before, after, u"app.js"_s, context);
    QCOMPARE(patch.isEmpty(), before == after);
    const std::optional<QString> applied = applyUnified(before, patch);
    QVERIFY2(applied, qPrintable(patch.left(2000)));
    QCOMPARE(*applied, after);
}

void TestTextDiff::hunks_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<int>("context");
    QTest::addColumn<QList<int>>("bounds"); // begin, end, begin, end, ...

    QTest::newRow("none") << u"a\n"_s << u"a\n"_s << 3 << QList<int>();
    QTest::newRow("context clipped at the ends") << u"a\nb\nc\n"_s << u"a\nx\nc\n"_s << 3 << QList<int>{0, 4};
    QTest::newRow("context 0") << u"a\nb\nc\n"_s << u"a\nx\nc\n"_s << 0 << QList<int>{1, 3};
    // Changes at lines 2 and 10 of 12, 7 unchanged lines apart: more than 2 × 3, so two hunks.
    QTest::newRow("apart") << u"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n"_s
                           << u"1\nB\n3\n4\n5\n6\n7\n8\n9\nJ\n11\n12\n"_s << 3 << QList<int>{0, 6, 7, 14};
}

void TestTextDiff::hunks()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(int, context);
    QFETCH(QList<int>, bounds);
    QList<int> actual;
    for (const TextDiff::Hunk &hunk : TextDiff::hunks(TextDiff::lines(before, after), context))
        actual << hunk.begin << hunk.end;
    QCOMPARE(actual, bounds);
}

void TestTextDiff::capFallback_data()
{
    QTest::addColumn<int>("commonLines"); // the K of interleaved(K): edit distance 2K + 2
    QTest::addColumn<int>("cap");
    QTest::addColumn<bool>("fallsBack");

    QTest::newRow("well below a small cap") << 20 << 100 << false;
    QTest::newRow("just below a small cap") << 48 << 100 << false;
    QTest::newRow("above a small cap") << 60 << 100 << true;
    QTest::newRow("far above a small cap") << 500 << 100 << true;
    QTest::newRow("below the default cap")
        << TextDiff::kMaxEditDistance / 4 << TextDiff::kMaxEditDistance << false;
    QTest::newRow("above the default cap")
        << TextDiff::kMaxEditDistance << TextDiff::kMaxEditDistance << true;
}

void TestTextDiff::capFallback()
{
    QFETCH(int, commonLines);
    QFETCH(int, cap);
    QFETCH(bool, fallsBack);
    const auto [before, after] = interleaved(commonLines);
    const QList<DiffLine> diff = TextDiff::lines(before, after, cap);
    checkSides(diff, before, after);
    const TextDiff::Counts counts = TextDiff::count(diff);
    if (fallsBack) {
        // Everything replaced, in one block: every old line first, then every new one.
        QCOMPARE(counts.removed, 2 * commonLines + 1);
        QCOMPARE(counts.added, 2 * commonLines + 1);
        QCOMPARE(diff.first().kind, DiffLine::Kind::Removed);
        QCOMPARE(diff.at(2 * commonLines + 1).kind, DiffLine::Kind::Added);
    } else {
        QCOMPARE(counts.removed, commonLines + 1);
        QCOMPARE(counts.added, commonLines + 1);
    }
}

// A fallback keeps the common first and last lines, and a huge, thoroughly different pair still comes back
// in bounded time (the cap, not the input size, bounds the search).
void TestTextDiff::hugeInputIsBounded()
{
    const auto [middleBefore, middleAfter] = interleaved(TextDiff::kMaxEditDistance * 2);
    const QString head = u"<!doctype html>\n<html>\n"_s;
    const QString tail = u"</html>\n"_s;
    QElapsedTimer timer;
    timer.start();
    const QList<DiffLine> diff = TextDiff::lines(head + middleBefore, head + middleAfter + tail);
    qInfo("%lld lines against %lld: %lld ms", qlonglong(linesOf(middleBefore).size() + 2),
          qlonglong(linesOf(middleAfter).size() + 3), qlonglong(timer.elapsed()));
    checkSides(diff, head + middleBefore, head + middleAfter + tail);
    QCOMPARE(notation(diff.mid(0, 2)), (QStringList{u"=<!doctype html>"_s, u"=<html>"_s}));
    QCOMPARE(notation(diff.mid(diff.size() - 1)), QStringList{u"+</html>"_s});
    const TextDiff::Counts counts = TextDiff::count(diff);
    QCOMPARE(counts.removed, int(linesOf(middleBefore).size()));
}

QTEST_GUILESS_MAIN(TestTextDiff)
#include "tst_textdiff.moc"
