#pragma once

#include "appbundle.h"
#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

// Turns Claude's finished `write_app` tool input into an AppBundle, or says why it cannot be deployed.
//
// Every error message is written for the person at the keyboard and is also what fixRequest() wraps to send
// back to Claude, so it names the file or field and what would be acceptable.
//
// Rules beyond AppBundle::validate():
// - the raw input is refused above kMaxInputBytes, or with more than kMaxJsonValues values, before it is
//   parsed, and file contents are measured before they are converted, so an oversized answer is never
//   copied and parsing never needs much more memory than the input;
// - every files[] entry is an object with a string path and a string content; a leading "./" is dropped;
//   the same path twice, a path that is not valid Unicode, and a file where another needs a folder ("a" and
//   "a/b") are refused;
// - a spawnai.json among the files is folded away when it agrees with the tool's fields (they are the
//   manifest) and refused when it contradicts them;
// - the start command is one program with its arguments, split like QProcess::splitCommand (double quotes
//   only) and run without a shell: python3 for a python app, node or npm for a node app; one line, no shell
//   syntax, no single quotes, no shell as the program (it would hide the program from these checks);
// - static apps get no start command and port 8000; servers keep their port when it is 1024–65535 and get
//   8000 otherwise (they read PORT, so the number is only a preference, and the Local sandbox cannot bind
//   ports below 1024);
// - binary files (AppBundle::isBinaryPath): Claude sees them only as a description and cannot write them. On
//   a refine, one of `previous` that the answer does not list, or lists with some content, is kept as it is;
//   one listed with empty content is deleted. A new binary file with content is refused. Text files the
//   answer leaves out are deleted: the answer is the complete new set.
namespace AppAnswer {

// Claude's output cap (128K tokens) is well under this; the cap guards against a gateway or a local server
// sending anything. It leaves room for AppBundle::kMaxTotalBytes of content plus JSON escaping.
inline constexpr qint64 kMaxInputBytes = 64 * 1024 * 1024;
// An app of AppBundle::kMaxFiles files needs a few thousand values; Qt's parser takes ~16 bytes per value.
inline constexpr qsizetype kMaxJsonValues = 100'000;

// The tool input JSON (the joined input_json_delta fragments) as an object, or where and why it is invalid
// (saying so when the text was cut off).
Result<QJsonObject> parseToolJson(const QByteArray &raw);

// The bundle the tool input describes, validated. `previous` is the app a refine started from.
Result<AppBundle> fromToolInput(const QJsonObject &input, const std::optional<AppBundle> &previous = {});

// parseToolJson() then fromToolInput(), so the raw text is parsed once and the parsed object freed early.
Result<AppBundle> fromRaw(const QByteArray &raw, const std::optional<AppBundle> &previous = {});

// The message to send back to Claude (AppRequestOptions::fixMessage) when an answer failed: the error, and
// what to do about it. In English whatever the UI language: it is for the model, not for people.
QString fixRequest(const QString &validationError);

} // namespace AppAnswer
