#include "pricingcatalogue.h"
#include "sessiontablemodel.h"
#include "timeleftdelegate.h"

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QStyle>
#include <QStyleOptionViewItem>
#include <QTest>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

using namespace Qt::StringLiterals;
using Column = SessionTableModel::Column;
using Urgency = TimeLeftDelegate::Urgency;

namespace {

const QDateTime kNow = QDateTime(QDate(2026, 11, 28), QTime(12, 0), Qt::UTC);

// A live session `left` seconds before its end, at the very start of its lifetime: the bar is full, so the
// cell is mostly fill colour and the countdown drawn on it.
Session liveSession(int n, qint64 left)
{
    Session s;
    s.id = u"%1-0000-4000-8000-000000000000"_s.arg(n, 8, 10, QLatin1Char('0'));
    s.name = u"app %1"_s.arg(n);
    s.provider = u"local"_s;
    s.state = SessionState::Running;
    s.ttlSeconds = left;
    s.startedAt = kNow;
    s.expiresAt = kNow.addSecs(left);
    s.url = QUrl(u"http://127.0.0.1:8080/"_s);
    return s;
}

QPalette lightPalette()
{
    return QApplication::style()->standardPalette();
}

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x35, 0x35, 0x35));
    p.setColor(QPalette::WindowText, Qt::white);
    p.setColor(QPalette::Base, QColor(0x23, 0x23, 0x23));
    p.setColor(QPalette::AlternateBase, QColor(0x2c, 0x2c, 0x2c));
    p.setColor(QPalette::Text, Qt::white);
    p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    p.setColor(QPalette::ButtonText, Qt::white);
    p.setColor(QPalette::Highlight, QColor(0x8e, 0x44, 0xad)); // purple, so "follows the palette" shows
    p.setColor(QPalette::HighlightedText, Qt::white);
    return p;
}

QImage render(const QModelIndex &index, const QPalette &palette)
{
    QImage image(QSize(240, 26), QImage::Format_ARGB32_Premultiplied);
    image.fill(palette.color(QPalette::Base));
    QPainter painter(&image);
    QStyleOptionViewItem option;
    option.rect = image.rect();
    option.palette = palette;
    option.state = QStyle::State_Enabled | QStyle::State_Active;
    option.font = QApplication::font();
    option.fontMetrics = QFontMetrics(option.font);
    TimeLeftDelegate delegate;
    delegate.paint(&painter, option, index);
    painter.end();
    return image;
}

struct Dominant
{
    int hue = -1; // of the most common saturated colour; -1: nothing saturated
    int pixels = 0;
};

// The most common hue among clearly coloured pixels, in 10-degree buckets.
Dominant dominantHue(const QImage &image)
{
    std::array<int, 36> buckets{};
    std::array<qint64, 36> hueSums{};
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y).toHsv();
            if (c.hsvSaturation() < 90 || c.value() < 80 || c.hsvHue() < 0)
                continue;
            const int bucket = c.hsvHue() / 10;
            ++buckets[std::size_t(bucket)];
            hueSums[std::size_t(bucket)] += c.hsvHue();
        }
    }
    const auto top = std::max_element(buckets.begin(), buckets.end());
    if (*top == 0)
        return {};
    const auto bucket = std::size_t(top - buckets.begin());
    return {int(hueSums[bucket] / *top), *top};
}

int hueDistance(int a, int b)
{
    const int d = std::abs(a - b) % 360;
    return std::min(d, 360 - d);
}

// WCAG relative luminance contrast.
double contrast(const QColor &a, const QColor &b)
{
    const auto luminance = [](const QColor &c) {
        const auto channel = [](double v) {
            return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
        };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

int pixelsNear(const QImage &image, const QColor &colour, int tolerance)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - colour.red()) + std::abs(c.green() - colour.green()) +
                    std::abs(c.blue() - colour.blue()) <=
                tolerance)
                ++count;
        }
    }
    return count;
}

} // namespace

class TestTimeLeftDelegate : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void urgency_data();
    void urgency();
    void textOnFillIsReadable_data();
    void textOnFillIsReadable();
    void barColour_data();
    void barColour();
    void coloursDifferPerUrgency();
    void rowsThatAreNotLiveArePlainText();

private:
    std::unique_ptr<SessionTableModel> m_model;
};

void TestTimeLeftDelegate::initTestCase()
{
    // Fusion paints progress bars in the palette's highlight; platform styles may not, and are not ours.
    QApplication::setStyle(u"Fusion"_s);
    auto pricing = PricingCatalogue::load(R"({"schema": 1, "updated": "2026-11-28",
        "providers": {"local": {"name": "Local", "billing": "free", "source": "test", "as_of": "2026-11-28",
            "sizes": {"sandbox": {"label": "Sandbox", "per_second": 0}}, "default_size": "sandbox"}},
        "claude": {"source": "test", "as_of": "2026-11", "models": {"m": {"name": "M", "input": 1,
            "output": 2, "cache_write_5m": 1.25, "cache_write_1h": 2, "cache_read": 0.1}}}})");
    QVERIFY2(pricing.ok(), qPrintable(pricing.error()));
    m_model = std::make_unique<SessionTableModel>(*pricing);
    m_model->tick(kNow);
    Session ended = liveSession(4, 3600);
    ended.state = SessionState::Ended;
    ended.endedAt = kNow;
    // Rows: 0 normal (1 h left), 1 soon (5 min), 2 imminent (30 s), 3 ended.
    m_model->setSessions({liveSession(1, 3600), liveSession(2, 300), liveSession(3, 30), ended});
}

void TestTimeLeftDelegate::urgency_data()
{
    QTest::addColumn<qint64>("secondsLeft");
    QTest::addColumn<Urgency>("expected");
    QTest::newRow("1 h") << qint64(3600) << Urgency::Normal;
    QTest::newRow("10 min") << qint64(600) << Urgency::Normal;
    QTest::newRow("9:59") << qint64(599) << Urgency::Soon;
    QTest::newRow("1:00") << qint64(60) << Urgency::Soon;
    QTest::newRow("0:59") << qint64(59) << Urgency::Imminent;
    QTest::newRow("0:00") << qint64(0) << Urgency::Imminent;
}

void TestTimeLeftDelegate::urgency()
{
    QFETCH(qint64, secondsLeft);
    QFETCH(Urgency, expected);
    QCOMPARE(TimeLeftDelegate::urgency(secondsLeft), expected);
}

void TestTimeLeftDelegate::textOnFillIsReadable_data()
{
    QTest::addColumn<QPalette>("palette");
    QTest::addColumn<Urgency>("level");
    for (const auto &[name, palette] :
         {std::pair{"light", lightPalette()}, std::pair{"dark", darkPalette()}}) {
        QTest::addRow("%s soon", name) << palette << Urgency::Soon;
        QTest::addRow("%s imminent", name) << palette << Urgency::Imminent;
    }
}

void TestTimeLeftDelegate::textOnFillIsReadable()
{
    QFETCH(QPalette, palette);
    QFETCH(Urgency, level);
    const QColor fill = TimeLeftDelegate::fillColor(level, palette);
    const QColor text = TimeLeftDelegate::textOnFillColor(level, palette);
    QVERIFY2(contrast(fill, text) >= 4.5, qPrintable(u"contrast %1"_s.arg(contrast(fill, text))));
    // The fill must also stand out from the table's background, light or dark.
    QVERIFY(contrast(fill, palette.color(QPalette::Base)) >= 1.8);
}

void TestTimeLeftDelegate::barColour_data()
{
    QTest::addColumn<QPalette>("palette");
    QTest::addColumn<int>("row");
    QTest::addColumn<int>("minHue");
    QTest::addColumn<int>("maxHue");

    for (const auto &[name, palette] :
         {std::pair{"light", lightPalette()}, std::pair{"dark", darkPalette()}}) {
        const int highlight = palette.color(QPalette::Highlight).hsvHue();
        QTest::addRow("%s normal", name) << palette << 0 << highlight - 12 << highlight + 12;
        QTest::addRow("%s soon", name) << palette << 1 << 28 << 50;      // amber
        QTest::addRow("%s imminent", name) << palette << 2 << -12 << 12; // red
    }
}

void TestTimeLeftDelegate::barColour()
{
    QFETCH(QPalette, palette);
    QFETCH(int, row);
    QFETCH(int, minHue);
    QFETCH(int, maxHue);

    const QModelIndex cell = m_model->index(row, int(Column::TimeLeft));
    const QImage image = render(cell, palette);
    const Dominant dominant = dominantHue(image);
    QVERIFY2(dominant.pixels > image.width() * image.height() / 3,
             qPrintable(u"only %1 coloured pixels"_s.arg(dominant.pixels)));
    const int centre = (minHue + maxHue) / 2;
    QVERIFY2(hueDistance(dominant.hue, (centre + 360) % 360) <= (maxHue - minHue) / 2,
             qPrintable(u"hue %1, expected %2..%3"_s.arg(dominant.hue).arg(minHue).arg(maxHue)));

    // The countdown is drawn on the bar in the colour chosen for it.
    const Urgency level = TimeLeftDelegate::urgency(cell.data(SessionTableModel::RawValueRole).toLongLong());
    QVERIFY(pixelsNear(image, TimeLeftDelegate::textOnFillColor(level, palette), 60) >= 15);
}

void TestTimeLeftDelegate::coloursDifferPerUrgency()
{
    for (const QPalette &palette : {lightPalette(), darkPalette()}) {
        const int normal = dominantHue(render(m_model->index(0, int(Column::TimeLeft)), palette)).hue;
        const int soon = dominantHue(render(m_model->index(1, int(Column::TimeLeft)), palette)).hue;
        const int imminent = dominantHue(render(m_model->index(2, int(Column::TimeLeft)), palette)).hue;
        QVERIFY(normal >= 0 && soon >= 0 && imminent >= 0);
        QVERIFY(hueDistance(normal, soon) >= 25);
        QVERIFY(hueDistance(soon, imminent) >= 25);
        QVERIFY(hueDistance(normal, imminent) >= 25);
    }
}

void TestTimeLeftDelegate::rowsThatAreNotLiveArePlainText()
{
    const QPalette palette = lightPalette();
    // An ended row's TimeLeft cell, and a live row's Cost cell should the delegate be set on it.
    for (const QModelIndex &cell :
         {m_model->index(3, int(Column::TimeLeft)), m_model->index(0, int(Column::Cost))}) {
        const QImage image = render(cell, palette);
        QCOMPARE(dominantHue(image).pixels, 0);
    }
    // The plain text is painted: the Cost cell shows "$0.00" in the palette's text colour.
    QVERIFY(pixelsNear(render(m_model->index(0, int(Column::Cost)), palette), palette.color(QPalette::Text),
                       90) > 0);
}

QTEST_MAIN(TestTimeLeftDelegate)
#include "tst_timeleftdelegate.moc"
