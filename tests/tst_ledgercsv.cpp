// The cost ledger as CSV: RFC 4180, what spreadsheets make of it, and reading it back.
#include "ledgercsv.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// A strict RFC 4180 reader, enough to read back what LedgerCsv writes: records end in CRLF, a quoted field
// may hold commas, doubled quotes and line breaks. Returns nothing for malformed input.
std::optional<QList<QStringList>> readCsv(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    QList<QStringList> records;
    QStringList record;
    QString field;
    qsizetype i = 0;
    bool fieldStarted = false;
    while (i < text.size()) {
        const QChar c = text.at(i);
        if (!fieldStarted && c == u'"') {
            ++i;
            for (;;) {
                if (i >= text.size())
                    return std::nullopt; // unterminated quote
                if (text.at(i) == u'"') {
                    if (i + 1 < text.size() && text.at(i + 1) == u'"') {
                        field += u'"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text.at(i++);
            }
            fieldStarted = true;
            if (i < text.size() && text.at(i) != u',' && text.at(i) != u'\r')
                return std::nullopt; // text after the closing quote
            continue;
        }
        if (c == u',') {
            record << field;
            field.clear();
            fieldStarted = false;
            ++i;
        } else if (c == u'\r') {
            if (i + 1 >= text.size() || text.at(i + 1) != u'\n')
                return std::nullopt; // a bare CR
            record << field;
            records << record;
            record.clear();
            field.clear();
            fieldStarted = false;
            i += 2;
        } else if (c == u'\n' || c == u'"') {
            return std::nullopt; // a bare LF, or a quote inside an unquoted field
        } else {
            field += c;
            fieldStarted = true;
            ++i;
        }
    }
    if (fieldStarted || !record.isEmpty())
        return std::nullopt; // the last record has no CRLF
    return records;
}

const QByteArray kHeader =
    "id,at,kind,session,provider,size,started_at,seconds,rate_per_second,usd,quoted_usd,"
    "rate,rate_source,rate_as_of,detail\r\n";

LedgerEntry runtimeLine()
{
    LedgerEntry line;
    line.id = 7;
    line.kind = LedgerEntry::Kind::Runtime;
    line.at = QDateTime(QDate(2026, 11, 29), QTime(10, 16, 40), Qt::UTC);
    line.sessionId = u"3f2a9c1e-0000-4000-8000-000000000001"_s;
    line.provider = u"e2b"_s;
    line.size = u"base"_s;
    line.startedAt = QDateTime(QDate(2026, 11, 29), QTime(10, 0), Qt::UTC);
    line.seconds = 1000;
    line.ratePerSecond = 0.00003025;
    line.usd = 0.03025;
    line.basis = {u"2 vCPU × $0.000014/s + 0.5 GiB × $0.0000045/s"_s, u"https://e2b.dev/pricing"_s,
                  u"2026-08"_s};
    line.detail = u"stopped"_s;
    return line;
}

} // namespace

class TestLedgerCsv : public QObject
{
    Q_OBJECT

private slots:
    void emptyLedgerIsTheHeaderOnly()
    {
        QCOMPARE(LedgerCsv::write({}), kHeader);
        QCOMPARE(LedgerCsv::columns().join(u',').toUtf8() + "\r\n", kHeader);
    }

    void writesOneRecordPerLine()
    {
        LedgerEntry generation;
        generation.id = 3;
        generation.kind = LedgerEntry::Kind::Generation;
        generation.at = QDateTime(QDate(2026, 11, 29), QTime(9, 0), Qt::UTC);
        generation.provider = u"claude"_s;
        generation.size = u"claude-sonnet-5-5"_s;
        generation.usd = 0.0654;
        LedgerEntry extension;
        extension.id = 9;
        extension.kind = LedgerEntry::Kind::Extension;
        extension.at = QDateTime(QDate(2026, 11, 29), QTime(11, 0), Qt::LocalTime); // written as UTC
        extension.sessionId = u"s1"_s;
        extension.provider = u"fly"_s;
        extension.seconds = -3600;
        extension.quotedUsd = -0.1089;

        const QByteArray csv = LedgerCsv::write({generation, runtimeLine(), extension});
        const QList<QByteArray> records = csv.split('\n');
        QCOMPARE(records.size(), 5); // header, three lines, and the empty rest after the last CRLF
        QVERIFY(records.last().isEmpty());
        QCOMPARE(records.at(1),
                 "3,2026-11-29T09:00:00Z,generation,,claude,claude-sonnet-5-5,,0,0,0.0654,0,,,,\r");
        QCOMPARE(records.at(2),
                 "7,2026-11-29T10:16:40Z,runtime,3f2a9c1e-0000-4000-8000-000000000001,e2b,base,"
                 "2026-11-29T10:00:00Z,1000,3.025e-05,0.03025,0,"
                 "2 vCPU × $0.000014/s + 0.5 GiB × $0.0000045/s,https://e2b.dev/pricing,2026-08,"
                 "stopped\r");
        // Negative figures stay numbers: the formula guard is for text only.
        const QString at = extension.at.toUTC().toString(Qt::ISODate);
        QVERIFY(at.endsWith(u'Z'));
        QCOMPARE(QString::fromUtf8(records.at(3)),
                 u"9,"_s + at + u",extension,s1,fly,,,-3600,0,0,-0.1089,,,,\r"_s);
    }

    void moneyKeepsTwelveDigits()
    {
        LedgerEntry line = runtimeLine();
        line.usd = 0.1 + 0.2;            // 0.30000000000000004
        line.ratePerSecond = 1.0 / 3600; // $1/h
        line.quotedUsd = 123456.789012345;
        const auto records = readCsv(LedgerCsv::write({line}));
        QVERIFY(records);
        QCOMPARE(records->at(1).at(9), u"0.3"_s);
        QCOMPARE(records->at(1).at(8), u"0.000277777777778"_s);
        QCOMPARE(records->at(1).at(10), u"123456.789012"_s);
    }

    void invalidTimesAreEmpty()
    {
        LedgerEntry line;
        const auto records = readCsv(LedgerCsv::write({line}));
        QVERIFY(records);
        QCOMPARE(records->at(1).at(1), QString());
        QCOMPARE(records->at(1).at(6), QString());
    }

    void quotesWhatNeedsIt_data()
    {
        QTest::addColumn<QString>("detail");
        QTest::addColumn<QByteArray>("written");

        QTest::newRow("plain") << u"stopped"_s << QByteArray("stopped");
        QTest::newRow("comma") << u"1,200 input tokens, 5,400 output"_s
                               << QByteArray("\"1,200 input tokens, 5,400 output\"");
        QTest::newRow("quote") << u"the \"notes\" app"_s << QByteArray("\"the \"\"notes\"\" app\"");
        QTest::newRow("LF") << u"line one\nline two"_s << QByteArray("\"line one\nline two\"");
        QTest::newRow("CRLF") << u"line one\r\nline two"_s << QByteArray("\"line one\r\nline two\"");
        QTest::newRow("CR") << u"a\rb"_s << QByteArray("\"a\rb\"");
        QTest::newRow("unicode") << u"Pomodoro ⏱ café 日本"_s << QString(u"Pomodoro ⏱ café 日本"_s).toUtf8();
        QTest::newRow("emoji") << u"🚀 launch"_s << QString(u"🚀 launch"_s).toUtf8();
        QTest::newRow("leading space") << u" spaced "_s << QByteArray(" spaced ");
        QTest::newRow("empty") << QString() << QByteArray();
    }

    void quotesWhatNeedsIt()
    {
        QFETCH(QString, detail);
        QFETCH(QByteArray, written);
        LedgerEntry line = runtimeLine();
        line.detail = detail;
        const QByteArray csv = LedgerCsv::write({line});
        QVERIFY(csv.startsWith(kHeader));
        QVERIFY2(csv.endsWith(QByteArray(',' + written + "\r\n")), csv.constData());
        const auto records = readCsv(csv);
        QVERIFY(records);
        QCOMPARE(records->size(), 2);
        QCOMPARE(records->at(1).size(), LedgerCsv::columns().size());
        QCOMPARE(records->at(1).last(), detail);
    }

    // A cell that starts with = + - @ (or tab, CR) is a formula to a spreadsheet: a size key or a rate source
    // from a hand-edited settings file could run one. It is written as text, with a leading quote.
    void formulasBecomeText_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("read");

        QTest::newRow("=") << u"=HYPERLINK(\"http://evil\",\"x\")"_s
                           << u"'=HYPERLINK(\"http://evil\",\"x\")"_s;
        QTest::newRow("+") << u"+1+1"_s << u"'+1+1"_s;
        QTest::newRow("-") << u"-2+3"_s << u"'-2+3"_s;
        QTest::newRow("@") << u"@SUM(A1)"_s << u"'@SUM(A1)"_s;
        QTest::newRow("tab") << u"\t=1"_s << u"'\t=1"_s;
        QTest::newRow("CR") << u"\r=1"_s << u"'\r=1"_s;
        QTest::newRow("inside") << u"a=b-c"_s << u"a=b-c"_s;
        QTest::newRow("quote first") << u"'already"_s << u"'already"_s;
    }

    void formulasBecomeText()
    {
        QFETCH(QString, value);
        QFETCH(QString, read);
        LedgerEntry line = runtimeLine();
        line.sessionId = value;
        line.provider = value;
        line.size = value;
        line.basis = {value, value, value};
        line.detail = value;
        const auto records = readCsv(LedgerCsv::write({line}));
        QVERIFY(records);
        const QStringList fields = records->at(1);
        for (const int column : {3, 4, 5, 11, 12, 13, 14})
            QCOMPARE(fields.at(column), read);
        // The figures are untouched.
        QCOMPARE(fields.at(0), u"7"_s);
        QCOMPARE(fields.at(9), u"0.03025"_s);
    }

    void readsBack()
    {
        QList<LedgerEntry> lines;
        LedgerEntry first = runtimeLine();
        first.detail = u"ended, \"expired\"\r\nbilled to its expiry ⏱"_s;
        lines << first;
        LedgerEntry second;
        second.id = 12;
        second.kind = LedgerEntry::Kind::Generation;
        second.at = QDateTime(QDate(2026, 12, 31), QTime(23, 59, 59), Qt::UTC);
        second.provider = u"claude"_s;
        second.size = u"claude-sonnet-5-5"_s;
        second.usd = 0.0654;
        second.basis = {u"Claude Sonnet: $3.00/M input, $15.00/M output"_s, u"anthropic pricing"_s,
                        u"2026-11"_s};
        second.detail = u"1,200 input tokens; 5,400 output tokens"_s;
        lines << second;
        LedgerEntry third;
        third.id = 13;
        third.kind = LedgerEntry::Kind::Extension;
        third.at = QDateTime(QDate(2027, 1, 1), QTime(0, 0), Qt::UTC);
        third.sessionId = u"abc"_s;
        third.provider = u"fly"_s;
        third.size = u"shared-cpu-1x"_s;
        third.seconds = 3600;
        third.ratePerSecond = 0.0000019;
        third.quotedUsd = 0.00684;
        lines << third;

        const auto records = readCsv(LedgerCsv::write(lines));
        QVERIFY(records);
        QCOMPARE(records->size(), 1 + lines.size());
        QCOMPARE(records->first(), LedgerCsv::columns());
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const LedgerEntry &line = lines.at(i);
            const QStringList &f = records->at(i + 1);
            QCOMPARE(f.size(), LedgerCsv::columns().size());
            QCOMPARE(f.at(0).toLongLong(), line.id);
            QCOMPARE(QDateTime::fromString(f.at(1), Qt::ISODate), line.at);
            QCOMPARE(LedgerKinds::fromName(f.at(2)), std::optional(line.kind));
            QCOMPARE(f.at(3), line.sessionId);
            QCOMPARE(f.at(4), line.provider);
            QCOMPARE(f.at(5), line.size);
            QCOMPARE(f.at(6).isEmpty() ? QDateTime() : QDateTime::fromString(f.at(6), Qt::ISODate),
                     line.startedAt);
            QCOMPARE(f.at(7).toLongLong(), line.seconds);
            QCOMPARE(f.at(8).toDouble(), line.ratePerSecond);
            QCOMPARE(f.at(9).toDouble(), line.usd);
            QCOMPARE(f.at(10).toDouble(), line.quotedUsd);
            QCOMPARE(f.at(11), line.basis.how);
            QCOMPARE(f.at(12), line.basis.source);
            QCOMPARE(f.at(13), line.basis.asOf);
            QCOMPARE(f.at(14), line.detail);
        }
    }
};

QTEST_GUILESS_MAIN(TestLedgerCsv)
#include "tst_ledgercsv.moc"
