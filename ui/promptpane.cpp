#include "promptpane.h"

#include "costmeter.h"
#include "theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

// The quote is recomputed this long after the last keystroke (it serialises the whole request).
constexpr int kEditDebounceMs = 300;

void setMessageColor(QLabel *label, const QColor &color)
{
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, color);
    label->setPalette(palette);
}

} // namespace

PromptPane::PromptPane(QWidget *parent)
    : QWidget(parent)
{
    m_prompt = new QPlainTextEdit(this);
    m_prompt->setObjectName(u"prompt"_s);
    m_prompt->setPlaceholderText(
        tr("Describe the app you want, e.g. “a pomodoro timer with a dark theme and a history of today's "
           "sessions”. Ctrl+Enter generates."));
    m_prompt->setTabChangesFocus(true);
    m_prompt->installEventFilter(this);
    setFocusProxy(m_prompt);
    const int line = m_prompt->fontMetrics().lineSpacing();
    m_prompt->setMinimumHeight(3 * line + 12);
    m_prompt->setMaximumHeight(7 * line + 12);

    m_editTimer = new QTimer(this);
    m_editTimer->setSingleShot(true);
    m_editTimer->setInterval(kEditDebounceMs);
    connect(m_prompt, &QPlainTextEdit::textChanged, this, [this] {
        updateButtons();
        m_editTimer->start();
    });
    connect(m_editTimer, &QTimer::timeout, this, &PromptPane::promptEdited);

    m_refine = new QCheckBox(tr("Change the app in the &editor"), this);
    m_refine->setObjectName(u"refine"_s);
    m_refine->setToolTip(tr("Send the files as they are in the editor, your edits included, and get a new "
                            "revision back. Untick to start a new app."));
    connect(m_refine, &QCheckBox::toggled, this, [this] {
        updateButtons();
        emit promptEdited();
    });

    m_generate = new QPushButton(tr("&Generate"), this);
    m_generate->setObjectName(u"generate"_s);
    m_generate->setToolTip(tr("Ask Claude to write the app (Ctrl+Enter)"));
    m_generate->setDefault(true);
    connect(m_generate, &QPushButton::clicked, this, [this] { emit generateRequested(false); });

    m_generateDeploy = new QPushButton(tr("Generate && De&ploy"), this);
    m_generateDeploy->setObjectName(u"generateDeploy"_s);
    m_generateDeploy->setToolTip(tr("Write the app, then deploy it with the settings below, or update the "
                                    "running session in place when you are changing its app "
                                    "(Ctrl+Shift+Enter)"));
    connect(m_generateDeploy, &QPushButton::clicked, this, [this] { emit generateRequested(true); });

    m_stop = new QPushButton(tr("S&top"), this);
    m_stop->setObjectName(u"stopGeneration"_s);
    m_stop->setToolTip(tr("Stop Claude; what it wrote so far is kept"));
    connect(m_stop, &QPushButton::clicked, this, &PromptPane::stopRequested);

    m_model = new QComboBox(this);
    m_model->setObjectName(u"model"_s);
    m_model->setEditable(true); // a gateway may offer models SpawnAI has no price for
    m_model->setInsertPolicy(QComboBox::NoInsert);
    m_model->setToolTip(tr("The Claude model that writes the app (setting anthropic.model)"));
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_model, &QComboBox::textActivated, this, [this](const QString &id) {
        if (!id.trimmed().isEmpty())
            emit modelChosen(id.trimmed());
    });

    m_estimate = new QLabel(this);
    m_estimate->setObjectName(u"estimate"_s);
    m_estimate->setTextFormat(Qt::PlainText);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_generate);
    buttons->addWidget(m_generateDeploy);
    buttons->addWidget(m_stop);
    buttons->addSpacing(8);
    buttons->addWidget(m_refine);
    buttons->addStretch(1);
    buttons->addWidget(m_model);
    buttons->addWidget(m_estimate);

    m_status = new QLabel(this);
    m_status->setObjectName(u"generationStatus"_s);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    m_status->hide();

    m_commentary = new QTextBrowser(this);
    m_commentary->setObjectName(u"commentary"_s);
    m_commentary->setOpenLinks(false);
    m_commentary->setPlaceholderText(tr("Claude's notes on the app appear here."));
    m_commentary->setMaximumHeight(6 * line + 12);
    m_commentary->hide();

    m_problem = new QFrame(this);
    m_problem->setObjectName(u"generationProblem"_s);
    m_problem->setFrameShape(QFrame::StyledPanel);
    m_problemText = new QLabel(m_problem);
    m_problemText->setTextFormat(Qt::PlainText);
    m_problemText->setWordWrap(true);
    m_problemText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fix = new QPushButton(tr("Ask Claude to &Fix It"), m_problem);
    m_fix->setObjectName(u"askToFix"_s);
    m_fix->setToolTip(tr("Send the problem back to Claude and get a corrected app"));
    connect(m_fix, &QPushButton::clicked, this, &PromptPane::fixRequested);
    auto *retry = new QPushButton(tr("&Retry"), m_problem);
    retry->setObjectName(u"retryGeneration"_s);
    connect(retry, &QPushButton::clicked, this, &PromptPane::retryRequested);
    auto *problemLayout = new QHBoxLayout(m_problem);
    problemLayout->setContentsMargins(8, 4, 8, 4);
    problemLayout->addWidget(m_problemText, 1);
    problemLayout->addWidget(m_fix, 0, Qt::AlignTop);
    problemLayout->addWidget(retry, 0, Qt::AlignTop);
    m_problem->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_prompt);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addWidget(m_problem);
    layout->addWidget(m_commentary);
    updateButtons();
}

QString PromptPane::prompt() const
{
    return m_prompt->toPlainText().trimmed();
}

void PromptPane::setPrompt(const QString &text)
{
    m_prompt->setPlainText(text);
    m_prompt->moveCursor(QTextCursor::End);
}

void PromptPane::setHasApp(bool hasApp)
{
    if (hasApp && !m_hasApp)
        m_refine->setChecked(true); // a new app in the editor: the next prompt most likely changes it
    m_hasApp = hasApp;
    m_refine->setVisible(hasApp);
    updateButtons();
}

bool PromptPane::refines() const
{
    return m_hasApp && m_refine->isChecked();
}

void PromptPane::setHistory(const QStringList &newestFirst)
{
    m_history = newestFirst;
    m_historyIndex = -1;
}

void PromptPane::setModels(const QStringList &ids, const QString &current)
{
    const QSignalBlocker blocker(m_model);
    m_model->clear();
    m_model->addItems(ids);
    if (!ids.contains(current))
        m_model->addItem(current);
    m_model->setCurrentText(current);
}

QString PromptPane::model() const
{
    return m_model->currentText();
}

void PromptPane::setEstimate(const QString &model, double usd)
{
    m_estimate->setText(usd > 0 ? tr("≈ %1").arg(formatUsd(usd)) : tr("no price known for %1").arg(model));
    m_estimate->setToolTip(tr("An estimate: the prompt%1 at about four characters per token, and an answer "
                              "the size of a typical app. The actual tokens and cost replace it when Claude "
                              "is done.")
                               .arg(refines() ? tr(", the app's files") : QString()));
}

void PromptPane::setBusy(bool busy)
{
    m_busy = busy;
    if (busy) {
        m_problem->hide();
        m_status->show();
        setMessageColor(m_status, palette().color(QPalette::WindowText));
    }
    m_prompt->setReadOnly(busy);
    updateButtons();
}

void PromptPane::clearCommentary()
{
    m_commentary->clear();
    m_commentary->hide();
}

void PromptPane::appendCommentary(const QString &text)
{
    m_commentary->show();
    QScrollBar *bar = m_commentary->verticalScrollBar();
    const bool atEnd = bar->value() == bar->maximum();
    QTextCursor cursor(m_commentary->document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(text);
    if (atEnd)
        bar->setValue(bar->maximum());
}

void PromptPane::setProgress(const QString &text)
{
    m_status->setText(text);
    m_status->show();
}

void PromptPane::showDone(const QString &summary)
{
    setMessageColor(m_status, Theme::successColor(palette()));
    m_status->setText(summary);
    m_status->show();
    m_problem->hide();
}

void PromptPane::showProblem(const QString &message, bool canFix)
{
    m_status->hide();
    setMessageColor(m_problemText, Theme::errorColor(palette()));
    m_problemText->setText(message);
    m_fix->setVisible(canFix);
    m_problem->show();
}

void PromptPane::updateButtons()
{
    const bool hasPrompt = !m_prompt->toPlainText().trimmed().isEmpty();
    m_generate->setText(refines() ? tr("&Refine") : tr("&Generate"));
    m_generateDeploy->setText(refines() ? tr("Refine && De&ploy") : tr("Generate && De&ploy"));
    m_generate->setEnabled(!m_busy && hasPrompt);
    m_generateDeploy->setEnabled(!m_busy && hasPrompt);
    m_stop->setVisible(m_busy);
    m_refine->setEnabled(!m_busy);
    m_model->setEnabled(!m_busy);
    m_fix->setEnabled(!m_busy);
}

void PromptPane::recall(int step)
{
    if (m_history.isEmpty())
        return;
    if (m_historyIndex == -1)
        m_typed = m_prompt->toPlainText();
    m_historyIndex = std::clamp(m_historyIndex + step, -1, int(m_history.size()) - 1);
    setPrompt(m_historyIndex == -1 ? m_typed : m_history.at(m_historyIndex));
}

bool PromptPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_prompt && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        const bool ctrl = key->modifiers() & Qt::ControlModifier;
        if (ctrl && (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter)) {
            if (!m_busy && !prompt().isEmpty())
                emit generateRequested(key->modifiers() & Qt::ShiftModifier);
            return true;
        }
        if (ctrl && key->key() == Qt::Key_Up) {
            recall(+1);
            return true;
        }
        if (ctrl && key->key() == Qt::Key_Down) {
            recall(-1);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}
