#pragma once

#include <QList>
#include <QString>

// One line of a line diff. Line numbers are 1-based; a line that exists on one side only has 0 on the other
// (oldLine of an Added line, newLine of a Removed one). `text` has no line end.
struct DiffLine
{
    enum class Kind { Same, Added, Removed };
    Kind kind = Kind::Same;
    QString text;
    int oldLine = 0;
    int newLine = 0;

    friend bool operator==(const DiffLine &, const DiffLine &) = default;
};

// Line diffs of two texts (Myers' O(ND) algorithm in linear space, as GNU diff and git compute them).
// Lines are split on '\n' only: a '\r' stays part of its line, so CRLF against LF differs on every line. A
// last line without '\n' differs from the same text with one (the unified text says "\ No newline at end of
// file").
namespace TextDiff {

// How many lines may differ (removed + added) before the diff gives up looking for common lines: the work
// grows with the square of this. Past it, whatever lies between the common first and last lines is shown as
// removed and added whole, which for texts that different is what a reader sees anyway.
constexpr int kMaxEditDistance = 2000;

// Every line of both texts in order: in each run of changes the removed lines come before the added ones.
QList<DiffLine> lines(const QString &before, const QString &after, int maxEditDistance = kMaxEditDistance);

// How many lines lines() marks removed and added.
struct Counts
{
    int added = 0;
    int removed = 0;
};
Counts count(const QList<DiffLine> &diff);

// The changes as a unified diff ("--- a/path", "+++ b/path", "@@ -l,n +l,n @@" hunks with `context` unchanged
// lines around each change), as diff -u and git print it. Empty when the texts are equal.
QString unified(const QString &before, const QString &after, const QString &path, int context = 3);

// The runs of lines a reader needs: every change with up to `context` unchanged lines around it. Runs closer
// than 2 × context lines apart merge into one. Indices into `diff`, [begin, end).
struct Hunk
{
    int begin = 0;
    int end = 0;
};
QList<Hunk> hunks(const QList<DiffLine> &diff, int context = 3);

} // namespace TextDiff
