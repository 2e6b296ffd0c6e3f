#include "http.h"

#include <array>
#include <utility>

namespace http {
namespace {

constexpr char toLowerAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (toLowerAscii(a[i]) != toLowerAscii(b[i]))
            return false;
    }
    return true;
}

constexpr bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

constexpr bool isAlpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 9110 "tchar": what methods and header names are made of.
constexpr bool isTokenChar(char c)
{
    return isDigit(c) || isAlpha(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view text)
{
    if (text.empty())
        return false;
    for (const char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

// Visible ASCII only: no spaces or control characters can reach a path or a Location header.
bool isValidTarget(std::string_view target)
{
    if (target.empty())
        return false;
    for (const char c : target) {
        if (c <= ' ' || c == '\x7f')
            return false;
    }
    return true;
}

std::string_view trimWhitespace(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

// Splits off the next line (without "\n" or "\r\n") from text.
std::string_view takeLine(std::string_view &text)
{
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    return line;
}

// Splits off the text before the next occurrence of separator.
std::string_view takeUntil(std::string_view &text, char separator)
{
    const std::size_t end = text.find(separator);
    const std::string_view field = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    return field;
}

int hexValue(char c)
{
    if (isDigit(c))
        return c - '0';
    c = toLowerAscii(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

std::optional<std::string> percentDecode(std::string_view text)
{
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            decoded.push_back(text[i]);
            continue;
        }
        const int high = i + 1 < text.size() ? hexValue(text[i + 1]) : -1;
        const int low = i + 2 < text.size() ? hexValue(text[i + 2]) : -1;
        if (high < 0 || low < 0)
            return std::nullopt;
        decoded.push_back(char(high * 16 + low));
        i += 2;
    }
    return decoded;
}

struct HeaderEffects
{
    bool sawClose = false;
    bool sawKeepAlive = false;
    bool hasBody = false;
};

void applyConnectionTokens(std::string_view value, HeaderEffects &effects)
{
    while (!value.empty()) {
        const std::string_view option = trimWhitespace(takeUntil(value, ','));
        effects.sawClose |= equalsIgnoringCase(option, "close");
        effects.sawKeepAlive |= equalsIgnoringCase(option, "keep-alive");
    }
}

} // namespace

std::size_t findHeadEnd(std::string_view buffer)
{
    // A blank line ends the head; bare LF line ends are tolerated (RFC 9112 §2.2).
    for (std::size_t newline = buffer.find('\n'); newline != std::string_view::npos;
         newline = buffer.find('\n', newline + 1)) {
        std::size_t next = newline + 1;
        if (next < buffer.size() && buffer[next] == '\r')
            ++next;
        if (next < buffer.size() && buffer[next] == '\n')
            return next + 1;
    }
    return 0;
}

std::optional<Request> parseRequestHead(std::string_view head)
{
    std::string_view requestLine = takeLine(head);
    Request request;
    request.method = takeUntil(requestLine, ' ');
    request.target = takeUntil(requestLine, ' ');
    const std::string_view version = requestLine;
    if (!isToken(request.method) || !isValidTarget(request.target))
        return std::nullopt;
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
        return std::nullopt;

    HeaderEffects effects;
    for (std::string_view line = takeLine(head); !line.empty(); line = takeLine(head)) {
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || !isToken(line.substr(0, colon)))
            return std::nullopt; // includes obsolete line folding and "Name : value"
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trimWhitespace(line.substr(colon + 1));
        if (equalsIgnoringCase(name, "connection"))
            applyConnectionTokens(value, effects);
        else if (equalsIgnoringCase(name, "content-length"))
            effects.hasBody |= value != "0";
        else if (equalsIgnoringCase(name, "transfer-encoding"))
            effects.hasBody = true;
    }

    const bool persistentByDefault = version == "HTTP/1.1";
    request.keepAlive = !effects.sawClose && (persistentByDefault || effects.sawKeepAlive);
    request.hasBody = effects.hasBody;
    return request;
}

PathResult parseTargetPath(std::string_view target)
{
    PathResult result;
    if (target.empty() || target.front() != '/') {
        result.errorStatus = 400; // absolute-form and "*" are for proxies
        return result;
    }
    const std::size_t pathEnd = target.find_first_of("?#");
    if (pathEnd != std::string_view::npos && target[pathEnd] == '?')
        result.path.query = target.substr(pathEnd);
    std::string_view rawPath = target.substr(1, pathEnd == std::string_view::npos ? pathEnd : pathEnd - 1);

    for (bool last = false; !last;) {
        last = rawPath.find('/') == std::string_view::npos;
        const std::string_view rawSegment = takeUntil(rawPath, '/');
        if (rawSegment.empty()) {
            result.path.trailingSlash = last;
            continue; // "//" collapses
        }
        std::optional<std::string> segment = percentDecode(rawSegment);
        // Browsers resolve dot segments themselves, so any that arrive are probing. An encoded
        // slash or a NUL would smuggle a different path into open().
        if (!segment || *segment == "." || *segment == ".." ||
            segment->find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
            result.errorStatus = 400;
            return result;
        }
        result.path.segments.push_back(std::move(*segment));
    }
    return result;
}

std::string encodePath(const std::vector<std::string> &segments, bool trailingSlash)
{
    constexpr std::string_view kHexDigits = "0123456789ABCDEF";
    // RFC 3986 pchar minus '%': stays readable and can never form "//" or a scheme.
    constexpr std::string_view kPlainPunctuation = "-._~!$&'()*+,;=:@";
    std::string encoded;
    for (const std::string &segment : segments) {
        encoded.push_back('/');
        for (const char c : segment) {
            if (isAlpha(c) || isDigit(c) || kPlainPunctuation.find(c) != std::string_view::npos) {
                encoded.push_back(c);
            } else {
                const auto byte = static_cast<unsigned char>(c);
                encoded.push_back('%');
                encoded.push_back(kHexDigits[byte >> 4]);
                encoded.push_back(kHexDigits[byte & 0xf]);
            }
        }
    }
    if (trailingSlash || segments.empty())
        encoded.push_back('/');
    return encoded;
}

std::string_view contentTypeFor(std::string_view fileName)
{
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 33> kTypes{{
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"json", "application/json"},
        {"map", "application/json"},
        {"webmanifest", "application/manifest+json"},
        {"txt", "text/plain; charset=utf-8"},
        {"md", "text/markdown; charset=utf-8"},
        {"csv", "text/csv; charset=utf-8"},
        {"xml", "text/xml; charset=utf-8"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"avif", "image/avif"},
        {"ico", "image/x-icon"},
        {"woff", "font/woff"},
        {"woff2", "font/woff2"},
        {"ttf", "font/ttf"},
        {"otf", "font/otf"},
        {"wasm", "application/wasm"},
        {"mp3", "audio/mpeg"},
        {"wav", "audio/wav"},
        {"ogg", "audio/ogg"},
        {"mp4", "video/mp4"},
        {"webm", "video/webm"},
        {"pdf", "application/pdf"},
        {"zip", "application/zip"},
        {"gz", "application/gzip"},
    }};
    constexpr std::string_view kDefault = "application/octet-stream";

    const std::size_t dot = fileName.rfind('.');
    if (dot == std::string_view::npos || dot + 1 == fileName.size())
        return kDefault;
    const std::string_view extension = fileName.substr(dot + 1);
    for (const auto &[known, type] : kTypes) {
        if (equalsIgnoringCase(extension, known))
            return type;
    }
    return kDefault;
}

std::string_view reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 302:
        return "Found";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    }
    return "Unknown";
}

std::string formatDate(std::time_t time)
{
    std::tm utc{};
    ::gmtime_r(&time, &utc);
    char text[40];
    // strftime's %a and %b are English in the "C" locale, which we never leave.
    const std::size_t size = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    return std::string(text, size);
}

} // namespace http
