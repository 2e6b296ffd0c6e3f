#pragma once

// The pure HTTP/1.1 pieces of the static server: parsing, path checks, MIME types.

#include <cstddef>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace http {

// Request line plus headers; larger heads are answered with 431.
inline constexpr std::size_t kMaxHeadSize = 16 * 1024;

// Size of the request head including its terminating blank line, or 0 while it is incomplete.
std::size_t findHeadEnd(std::string_view buffer);

struct Request
{
    std::string_view method;
    std::string_view target;
    bool keepAlive = false;
    bool hasBody = false; // we never read bodies, so such a connection cannot be reused
};

// Parses a complete request head; nullopt when it is malformed (400).
std::optional<Request> parseRequestHead(std::string_view head);

struct Path
{
    // Decoded segments; none is empty, ".", "..", or contains '/' or NUL.
    std::vector<std::string> segments;
    bool trailingSlash = false;
    std::string_view query; // raw, including its leading '?'
};

struct PathResult
{
    Path path;
    int errorStatus = 0; // 0, or 400 for a target that is malformed or tries to leave the root
};

// Splits an origin-form request target into safe path segments.
PathResult parseTargetPath(std::string_view target);

// The inverse of parseTargetPath for a redirect: "/" + percent-encoded segments.
std::string encodePath(const std::vector<std::string> &segments, bool trailingSlash);

std::string_view contentTypeFor(std::string_view fileName);
std::string_view reasonPhrase(int status);
std::string formatDate(std::time_t time); // IMF-fixdate, as the Date header wants

} // namespace http
