#pragma once

#include "result.h"

#include <QMap>
#include <QPair>
#include <QString>
#include <QWidget>

#include <optional>
#include <vector>

class AppSettings;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

// Settings → Pricing: every size of the shipped catalogue with its published rate and a field for the user's
// own (negotiated) rate per hour, empty for the published one; the error under the table and the Reset
// button.
//
// Fields are compared with the rates saved in the settings as they are now, not as they were when loaded, so
// what counts as a change is always what saving would write.
class RateTable final : public QWidget
{
    Q_OBJECT
public:
    explicit RateTable(AppSettings &settings, QWidget *parent = nullptr);

    // Shows the saved rates in the fields and forgets a pending Reset.
    void load();
    // Whether saving would change the stored rates.
    bool isModified() const;

    // Rates that cannot be saved: each refused size named, one a line, and the first one's field, to focus.
    struct Refusal
    {
        QString message;
        QLineEdit *field = nullptr;
    };
    // Without scratch settings only the text is checked (is it an amount?); with them every changed amount
    // also goes through AppSettings::setRateOverride there, so the real file stays untouched.
    std::optional<Refusal> validate(AppSettings *scratch = nullptr) const;
    // Where the dialog shows a Refusal's message ("ratesError").
    QLabel *errorLabel() const { return m_error; }

    // Writes the changed rates, after clearing the stored ones if Reset was pressed. Whether anything was
    // written, or the error of the write that failed (only a failing disk: validate() passed).
    Result<bool> save();

signals:
    // A field changed or Reset was pressed.
    void modified();
    // A field's text changed (typed, loaded, or cleared by Reset); Reset of empty fields changes none.
    void edited();

private:
    struct Row
    {
        QString provider;
        QString size;
        QString name; // "E2B, base template: 2 vCPU, 512 MiB", for messages
        QLineEdit *edit = nullptr;
    };
    // What a field would save: nullopt for an empty field (the published rate), an error if the text is not
    // an amount.
    struct PendingRate
    {
        const Row *row = nullptr;
        std::optional<double> usdPerHour;
        QString error;
    };
    void addRows();
    void fitToRows();
    std::vector<PendingRate> pendingRates() const;
    // The rates as saved, by (provider, size); none after Reset until the dialog saves or reloads.
    QMap<QPair<QString, QString>, double> savedRates() const;
    std::vector<PendingRate> changedRates() const;
    void updateResetButton();

    AppSettings &m_settings;
    std::vector<Row> m_rows;
    QTableWidget *m_table = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_reset = nullptr;
    bool m_resetPressed = false; // saving clears every stored rate first
};
