#pragma once

#include "appbundle.h"
#include "generationcontroller.h"

#include <QElapsedTimer>
#include <QObject>

class AppPane;
class PromptPane;
class Store;

// Connects the prompt pane, the generation controller and the app pane: a prompt goes out, the commentary
// and the files stream in, and the answer lands in the editor as a new revision, or stays there marked
// incomplete with a way forward. Keeps what the window needs afterwards: the app that was there before
// ("Back to previous version") and the generation cost not yet charged to a session.
class GenerationFlow final : public QObject
{
    Q_OBJECT
public:
    GenerationFlow(GenerationController &controller, PromptPane &prompt, AppPane &app, Store &store,
                   QObject *parent);

    // What generating the app now in the editor cost and no session has been charged for yet. Once a
    // session has taken it over (its deploy started), costCharged() clears it.
    double unbilledCost() const { return m_unbilledUsd; }
    void costCharged() { m_unbilledUsd = 0; }
    // Offers "Ask Claude to fix it" for a problem found after generation (the app failed to start).
    void offerFix(const QString &message, const QString &fixMessage);
    // Whether the last generation changed the app that was in the editor (rather than starting a new one).
    bool lastWasRefine() const { return m_lastRefine; }
    void refreshHistory();
    void updateEstimate();

signals:
    // Generate & Deploy: the new app is in the editor and ready to go out.
    void deployRequested();
    void revisionProduced(const QString &revisionId);
    void statusMessage(const QString &text);

private:
    void start(bool deployAfter);
    void run(const GenerationRequest &request);
    void onFinished(const GenerationOutcome &outcome);
    void restorePrevious();
    GenerationRequest requestFromPanes() const;

    GenerationController &m_controller;
    PromptPane &m_prompt;
    AppPane &m_app;
    Store &m_store;

    bool m_deployAfter = false;
    bool m_lastRefine = false;
    double m_unbilledUsd = 0;
    double m_estimateUsd = 0;
    QString m_title; // of the app being written, once Claude has written it
    QElapsedTimer m_clock;
    AppBundle m_previous; // the editor's app before the generation that is streaming or failed
    QString m_previousSource;
    GenerationRequest m_fixRequest; // what "Ask Claude to fix it" and "Retry" resend
    QString m_fixMessage;
};
