#pragma once

#include "appbundle.h"
#include "result.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

// What one generation asks Claude for. A first generation has a prompt only; a refine carries the app as the
// user has it now; a fix carries the message AppAnswer::fixRequest() wrote about the answer that failed.
struct AppRequestOptions
{
    QString model;
    int maxTokens = 32000;
    QString prompt;                      // what the user typed (for a fix: the prompt of the failed attempt)
    std::optional<AppBundle> currentApp; // refine: the files as the user has them now, including edits
    QString fixMessage;                  // AppAnswer::fixRequest(error), sent after the prompt
    bool dependenciesAllowed = false;    // the provider installs requirements.txt / package.json
    QString effort = QStringLiteral("medium"); // output_config.effort; empty: the model's default
};

// The Messages API request body for a `write_app` generation (anthropic.md §10's portable recipe): the
// system prompt as a cached text block, the strict `write_app` tool, tool_choice auto without parallel calls,
// output_config.effort, and one user message. The HTTP client adds `stream: true`. No temperature, top_p or
// top_k: API version 2026-10-21 rejects them.
//
// The current app of a refine travels as one text block (marked for caching, so a fix round reuses it):
//
//     The app as the user has it now. Title: …; runtime: …; start command: …; port: ….
//     <file path="index.html">
//     …content, byte for byte…
//     </file>
//     <binary path="logo.png" size="12.0 KB"/>
//
// Content is never escaped, so Claude reads exactly what the user has. The opening tag is followed by one
// newline, the content follows as is, and one newline precedes the closing line. The closing line is
// `</file>` unless the content contains `</file` anywhere; then it is `</file-N>` for the smallest N ≥ 2
// whose `</file-N` the content does not contain, and the opening tag says so with `end="file-N"`. Attribute
// values escape & " < > as XML entities. Binary files (AppBundle::isBinaryPath) are described, never inlined:
// AppAnswer keeps them when the answer leaves them out.
namespace AppGenerationRequest {

QJsonObject body(const AppRequestOptions &options);

// The `write_app` tool definition with its strict input schema.
QJsonObject writeAppTool();

// resources/prompts/system.md with {{DEPENDENCIES}} filled for the provider.
QString systemPrompt(bool dependenciesAllowed);

// The text block that carries `app` (see above), and its inverse, for tests and for reading a stored request
// back: the text files with their content, and the paths of the binary files.
struct DecodedFiles
{
    QMap<QString, QByteArray> textFiles;
    QStringList binaryPaths;
};
QString encodeFiles(const AppBundle &app);
Result<DecodedFiles> decodeFiles(const QString &text);

} // namespace AppGenerationRequest
