#pragma once

#include <QStringList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QFrame;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTextBrowser;
class QTimer;

// Where a sentence becomes an app: the prompt box (Ctrl+Enter generates, Ctrl+Up/Down recall earlier
// prompts), Generate / Generate & Deploy / Stop, the quote before and the tokens and cost after, Claude's
// commentary as it streams, and what went wrong with a way forward (ask Claude to fix it, try again).
// A view only: the window connects it to the GenerationController.
class PromptPane final : public QWidget
{
    Q_OBJECT
public:
    explicit PromptPane(QWidget *parent = nullptr);

    QString prompt() const;
    void setPrompt(const QString &text);
    // Whether an app is in the editor: then a generation refines it (its files are sent along) unless the
    // user unticks "Change the app in the editor".
    void setHasApp(bool hasApp);
    bool refines() const;
    void setHistory(const QStringList &newestFirst);

    // The models to offer (an id can also be typed, for a gateway's own) and the one in use.
    void setModels(const QStringList &ids, const QString &current);
    QString model() const;
    // Before: the quote for what the prompt would cost.
    void setEstimate(const QString &model, double usd);
    // During.
    void setBusy(bool busy);
    bool isBusy() const { return m_busy; }
    void clearCommentary();
    void appendCommentary(const QString &text);
    void setProgress(const QString &text);
    // After.
    void showDone(const QString &summary);
    // `canFix`: offer "Ask Claude to fix it" (the answer came but could not be used).
    void showProblem(const QString &message, bool canFix);

signals:
    void generateRequested(bool deployAfter);
    void stopRequested();
    void fixRequested();
    void retryRequested();
    void promptEdited(); // debounced, for the quote
    void modelChosen(const QString &id);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateButtons();
    void recall(int step);

    QPlainTextEdit *m_prompt = nullptr;
    QCheckBox *m_refine = nullptr;
    QPushButton *m_generate = nullptr;
    QPushButton *m_generateDeploy = nullptr;
    QPushButton *m_stop = nullptr;
    QComboBox *m_model = nullptr;
    QLabel *m_estimate = nullptr;
    QLabel *m_status = nullptr;
    QTextBrowser *m_commentary = nullptr;
    QFrame *m_problem = nullptr;
    QLabel *m_problemText = nullptr;
    QPushButton *m_fix = nullptr;
    QTimer *m_editTimer = nullptr;
    QStringList m_history;
    int m_historyIndex = -1; // -1: the text being typed
    QString m_typed;         // kept while browsing the history
    bool m_busy = false;
    bool m_hasApp = false;
};
