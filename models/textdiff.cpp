#include "textdiff.h"

#include <QHash>
#include <QStringList>

#include <algorithm>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

// A text cut into lines, each line interned to a number so the diff compares ints, not strings.
struct Lines
{
    QStringList text;
    std::vector<int> ids;
    bool missingFinalNewline = false; // the last line has no '\n'
};

class Interner
{
public:
    Lines split(const QString &text)
    {
        Lines lines;
        if (text.isEmpty())
            return lines;
        lines.text = text.split(u'\n');
        if (lines.text.constLast().isEmpty())
            lines.text.removeLast(); // the '\n' ended the last line; it did not start another
        else
            lines.missingFinalNewline = true;
        lines.ids.reserve(std::size_t(lines.text.size()));
        for (const QString &line : std::as_const(lines.text)) {
            const auto found = m_ids.constFind(line);
            const int id = found != m_ids.cend() ? *found : int(m_ids.size());
            if (found == m_ids.cend())
                m_ids.insert(line, id);
            lines.ids.push_back(id * 2);
        }
        // "x" at the very end without '\n' is not the line "x\n": the odd id keeps them apart.
        if (lines.missingFinalNewline)
            lines.ids.back() += 1;
        return lines;
    }

private:
    QHash<QString, int> m_ids;
};

// Myers' divide and conquer: find the middle of a shortest edit path by searching from both ends at once,
// then solve the two halves the same way. O((N+M)·D) time, O(N+M) memory. The search is the one of Neil
// Fraser's diff-match-patch (bisect), on ints. Marks which lines of `a` were removed and of `b` added.
class Myers
{
public:
    Myers(const std::vector<int> &a, const std::vector<int> &b, int maxEditDistance)
        : m_a(a)
        , m_b(b)
        , m_removed(a.size(), false)
        , m_added(b.size(), false)
        // Meeting at step d means an edit distance of 2d - 1 or 2d.
        , m_maxSteps(std::max(1, maxEditDistance / 2 + 1))
    {}

    void run() { compare(0, int(m_a.size()), 0, int(m_b.size())); }
    bool removed(int i) const { return m_removed[std::size_t(i)]; }
    bool added(int j) const { return m_added[std::size_t(j)]; }

private:
    void compare(int aLo, int aHi, int bLo, int bHi)
    {
        while (aLo < aHi && bLo < bHi && m_a[std::size_t(aLo)] == m_b[std::size_t(bLo)]) {
            ++aLo;
            ++bLo;
        }
        while (aLo < aHi && bLo < bHi && m_a[std::size_t(aHi - 1)] == m_b[std::size_t(bHi - 1)]) {
            --aHi;
            --bHi;
        }
        if (aLo == aHi || bLo == bHi) {
            markReplaced(aLo, aHi, bLo, bHi);
            return;
        }
        int splitA = 0;
        int splitB = 0;
        if (!bisect(aLo, aHi, bLo, bHi, splitA, splitB)) {
            markReplaced(aLo, aHi, bLo, bHi); // too different to be worth the search
            return;
        }
        compare(aLo, splitA, bLo, splitB);
        compare(splitA, aHi, splitB, bHi);
    }

    void markReplaced(int aLo, int aHi, int bLo, int bHi)
    {
        std::fill(m_removed.begin() + aLo, m_removed.begin() + aHi, true);
        std::fill(m_added.begin() + bLo, m_added.begin() + bHi, true);
    }

    // Where the forward and the backward paths meet, in absolute line indices; false past the step limit.
    // Called with differing first and last lines and neither range empty.
    bool bisect(int aLo, int aHi, int bLo, int bHi, int &splitA, int &splitB)
    {
        const int n = aHi - aLo;
        const int m = bHi - bLo;
        const int steps = std::min((n + m + 1) / 2, m_maxSteps);
        const int offset = steps + 1;
        const int length = 2 * steps + 3;
        // Furthest x reached on each diagonal k (index offset + k), from the start and from the end.
        m_forward.assign(std::size_t(length), -1);
        m_backward.assign(std::size_t(length), -1);
        m_forward[std::size_t(offset + 1)] = 0;
        m_backward[std::size_t(offset + 1)] = 0;
        const int delta = n - m;
        // With an odd delta the paths meet on a forward step, otherwise on a backward one.
        const bool forwardMeets = delta % 2 != 0;
        // Diagonals that ran off the grid are not extended any more.
        int forwardStart = 0;
        int forwardEnd = 0;
        int backwardStart = 0;
        int backwardEnd = 0;
        const auto a = [&](int x) { return m_a[std::size_t(aLo + x)]; };
        const auto b = [&](int y) { return m_b[std::size_t(bLo + y)]; };
        const auto aFromEnd = [&](int x) { return m_a[std::size_t(aHi - 1 - x)]; };
        const auto bFromEnd = [&](int y) { return m_b[std::size_t(bHi - 1 - y)]; };

        for (int d = 0; d < steps; ++d) {
            for (int k = -d + forwardStart; k <= d - forwardEnd; k += 2) {
                const int at = offset + k;
                int x =
                    (k == -d || (k != d && m_forward[std::size_t(at - 1)] < m_forward[std::size_t(at + 1)]))
                        ? m_forward[std::size_t(at + 1)]
                        : m_forward[std::size_t(at - 1)] + 1;
                int y = x - k;
                while (x < n && y < m && a(x) == b(y)) {
                    ++x;
                    ++y;
                }
                m_forward[std::size_t(at)] = x;
                if (x > n) {
                    forwardEnd += 2;
                } else if (y > m) {
                    forwardStart += 2;
                } else if (forwardMeets) {
                    const int opposite = offset + delta - k;
                    if (opposite >= 0 && opposite < length && m_backward[std::size_t(opposite)] != -1 &&
                        x >= n - m_backward[std::size_t(opposite)]) {
                        splitA = aLo + x;
                        splitB = bLo + y;
                        return true;
                    }
                }
            }
            for (int k = -d + backwardStart; k <= d - backwardEnd; k += 2) {
                const int at = offset + k;
                int x =
                    (k == -d || (k != d && m_backward[std::size_t(at - 1)] < m_backward[std::size_t(at + 1)]))
                        ? m_backward[std::size_t(at + 1)]
                        : m_backward[std::size_t(at - 1)] + 1;
                int y = x - k;
                while (x < n && y < m && aFromEnd(x) == bFromEnd(y)) {
                    ++x;
                    ++y;
                }
                m_backward[std::size_t(at)] = x;
                if (x > n) {
                    backwardEnd += 2;
                } else if (y > m) {
                    backwardStart += 2;
                } else if (!forwardMeets) {
                    const int opposite = offset + delta - k;
                    if (opposite >= 0 && opposite < length && m_forward[std::size_t(opposite)] != -1) {
                        const int forwardX = m_forward[std::size_t(opposite)];
                        const int forwardY = forwardX - (opposite - offset);
                        if (forwardX >= n - x) {
                            splitA = aLo + forwardX;
                            splitB = bLo + forwardY;
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    const std::vector<int> &m_a;
    const std::vector<int> &m_b;
    std::vector<bool> m_removed;
    std::vector<bool> m_added;
    std::vector<int> m_forward;
    std::vector<int> m_backward;
    const int m_maxSteps;
};

QString range(int start, int count)
{
    return count == 1 ? QString::number(start) : u"%1,%2"_s.arg(start).arg(count);
}

} // namespace

namespace TextDiff {

QList<DiffLine> lines(const QString &before, const QString &after, int maxEditDistance)
{
    Interner interner;
    const Lines oldLines = interner.split(before);
    const Lines newLines = interner.split(after);
    Myers myers(oldLines.ids, newLines.ids, maxEditDistance);
    myers.run();

    const int oldCount = int(oldLines.ids.size());
    const int newCount = int(newLines.ids.size());
    QList<DiffLine> diff;
    diff.reserve(std::max(oldCount, newCount));
    int i = 0;
    int j = 0;
    while (i < oldCount || j < newCount) {
        if (i < oldCount && myers.removed(i)) {
            diff.append({DiffLine::Kind::Removed, oldLines.text.at(i), i + 1, 0});
            ++i;
        } else if (j < newCount && myers.added(j)) {
            diff.append({DiffLine::Kind::Added, newLines.text.at(j), 0, j + 1});
            ++j;
        } else {
            Q_ASSERT(i < oldCount && j < newCount &&
                     oldLines.ids[std::size_t(i)] == newLines.ids[std::size_t(j)]);
            diff.append({DiffLine::Kind::Same, newLines.text.at(j), i + 1, j + 1});
            ++i;
            ++j;
        }
    }
    return diff;
}

Counts count(const QList<DiffLine> &diff)
{
    Counts counts;
    for (const DiffLine &line : diff) {
        if (line.kind == DiffLine::Kind::Added)
            ++counts.added;
        else if (line.kind == DiffLine::Kind::Removed)
            ++counts.removed;
    }
    return counts;
}

QList<Hunk> hunks(const QList<DiffLine> &diff, int context)
{
    context = std::max(0, context);
    const int size = int(diff.size());
    QList<Hunk> result;
    for (int i = 0; i < size; ++i) {
        if (diff.at(i).kind == DiffLine::Kind::Same)
            continue;
        const int begin = std::max(0, i - context);
        const int end = std::min(size, i + 1 + context);
        if (!result.isEmpty() && begin <= result.last().end)
            result.last().end = end;
        else
            result.append({begin, end});
    }
    return result;
}

QString unified(const QString &before, const QString &after, const QString &path, int context)
{
    const QList<DiffLine> diff = lines(before, after);
    const QList<Hunk> runs = hunks(diff, context);
    if (runs.isEmpty())
        return {};

    const bool oldMissesNewline = !before.isEmpty() && !before.endsWith(u'\n');
    const bool newMissesNewline = !after.isEmpty() && !after.endsWith(u'\n');
    int oldTotal = 0;
    int newTotal = 0;
    for (const DiffLine &line : diff) {
        oldTotal = std::max(oldTotal, line.oldLine);
        newTotal = std::max(newTotal, line.newLine);
    }

    QString out = u"--- a/"_s + path + u"\n+++ b/"_s + path + u'\n';
    int oldSeen = 0; // lines of each side before the current position
    int newSeen = 0;
    int position = 0;
    for (const Hunk &hunk : runs) {
        for (; position < hunk.begin; ++position) {
            oldSeen += diff.at(position).kind != DiffLine::Kind::Added;
            newSeen += diff.at(position).kind != DiffLine::Kind::Removed;
        }
        int oldCount = 0;
        int newCount = 0;
        for (int i = hunk.begin; i < hunk.end; ++i) {
            oldCount += diff.at(i).kind != DiffLine::Kind::Added;
            newCount += diff.at(i).kind != DiffLine::Kind::Removed;
        }
        // An empty side names the line before the hunk, as diff -u does.
        out += u"@@ -"_s + range(oldCount > 0 ? oldSeen + 1 : oldSeen, oldCount) + u" +"_s +
               range(newCount > 0 ? newSeen + 1 : newSeen, newCount) + u" @@\n"_s;
        for (int i = hunk.begin; i < hunk.end; ++i) {
            const DiffLine &line = diff.at(i);
            switch (line.kind) {
            case DiffLine::Kind::Same:
                out += u' ';
                break;
            case DiffLine::Kind::Added:
                out += u'+';
                break;
            case DiffLine::Kind::Removed:
                out += u'-';
                break;
            }
            out += line.text + u'\n';
            const bool lastOld = line.kind != DiffLine::Kind::Added && line.oldLine == oldTotal;
            const bool lastNew = line.kind != DiffLine::Kind::Removed && line.newLine == newTotal;
            if ((lastOld && oldMissesNewline) || (lastNew && newMissesNewline))
                out += u"\\ No newline at end of file\n"_s;
        }
    }
    return out;
}

} // namespace TextDiff
