#include "staticserver.h"

#include "diagnostics.h"
#include "http.h"
#include "socketio.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

using namespace std::chrono_literals;

namespace {

constexpr int kMaxConnections = 128;
// Longest wait for a request head, and longest stall while a client reads a response:
// a slow or idle client gives up its thread after this.
constexpr auto kClientTimeout = 30s;
constexpr std::string_view kIndexFile = "index.html";

// ---- Finding the file -------------------------------------------------------------------------

struct Lookup
{
    enum class Outcome { File, AddSlash, NotFound, Failed };
    Outcome outcome = Outcome::NotFound;
    UniqueFd file;
    off_t size = 0;
    std::string_view contentType;
};

Lookup outcomeOf(Lookup::Outcome outcome)
{
    Lookup lookup;
    lookup.outcome = outcome;
    return lookup;
}

Lookup failedOpen(int err, const std::string &name)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ELOOP: // a symlink: refused, see openBelow()
    case EACCES:
    case EPERM:
    case ENAMETOOLONG:
    case ENXIO: // a socket file
        return outcomeOf(Lookup::Outcome::NotFound);
    }
    logError("cannot open \"" + name + "\": " + errorText(err));
    return outcomeOf(Lookup::Outcome::Failed);
}

// Dot files (.git, .env) are not part of a web app, except the standard /.well-known/.
bool isHidden(const std::string &segment)
{
    return segment.front() == '.' && segment != ".well-known";
}

struct Entry
{
    UniqueFd fd;
    struct stat info = {};
    int error = 0;
};

// Opens name inside dirFd, refusing a symlink (ELOOP). O_NONBLOCK keeps a FIFO from blocking the
// open; it is then refused as not a regular file.
Entry openNoFollow(int dirFd, const std::string &name)
{
    Entry entry;
    entry.fd.reset(::openat(dirFd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!entry.fd || ::fstat(entry.fd.get(), &entry.info) != 0)
        entry.error = errno;
    return entry;
}

Lookup servable(Entry entry, const std::string &name)
{
    if (!S_ISREG(entry.info.st_mode))
        return outcomeOf(Lookup::Outcome::NotFound);
    Lookup lookup;
    lookup.outcome = Lookup::Outcome::File;
    lookup.file = std::move(entry.fd);
    lookup.size = entry.info.st_size;
    lookup.contentType = http::contentTypeFor(name);
    return lookup;
}

Lookup openIndex(int dirFd)
{
    const std::string name(kIndexFile);
    Entry entry = openNoFollow(dirFd, name);
    if (entry.error != 0)
        return failedOpen(entry.error, name);
    return servable(std::move(entry), name); // a directory named index.html is not served
}

Lookup openTarget(int dirFd, const std::string &name, bool trailingSlash)
{
    Entry entry = openNoFollow(dirFd, name);
    if (entry.error != 0)
        return failedOpen(entry.error, name);
    if (S_ISDIR(entry.info.st_mode)) {
        // "/docs" must become "/docs/" so that the page's relative links resolve inside docs/.
        return trailingSlash ? openIndex(entry.fd.get()) : outcomeOf(Lookup::Outcome::AddSlash);
    }
    if (trailingSlash)
        return outcomeOf(Lookup::Outcome::NotFound);
    return servable(std::move(entry), name);
}

// Walks down from the root one component at a time with O_NOFOLLOW, so no symlink is ever
// followed: nothing outside ROOT is reachable, whatever the app directory contains.
Lookup openBelow(int rootFd, const http::Path &path)
{
    if (std::any_of(path.segments.begin(), path.segments.end(), isHidden))
        return outcomeOf(Lookup::Outcome::NotFound);
    if (path.segments.empty())
        return openIndex(rootFd);

    UniqueFd directory;
    for (std::size_t i = 0; i + 1 < path.segments.size(); ++i) {
        const int parentFd = directory ? directory.get() : rootFd;
        const int fd =
            ::openat(parentFd, path.segments[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return failedOpen(errno, path.segments[i]);
        directory.reset(fd);
    }
    return openTarget(directory ? directory.get() : rootFd, path.segments.back(), path.trailingSlash);
}

// ---- Writing responses ------------------------------------------------------------------------

std::string responseHead(int status, std::string_view contentType, off_t contentLength, bool keepAlive,
                         std::string_view extraHeaders = {})
{
    std::string head;
    head.reserve(256);
    head.append("HTTP/1.1 ").append(std::to_string(status)).append(" ").append(http::reasonPhrase(status));
    head.append("\r\nDate: ").append(http::formatDate(std::time(nullptr)));
    head.append("\r\nContent-Type: ").append(contentType);
    head.append("\r\nContent-Length: ").append(std::to_string(contentLength));
    // Always revalidate: a redeploy must show up on the next refresh.
    head.append("\r\nCache-Control: no-cache");
    head.append("\r\nX-Content-Type-Options: nosniff\r\n");
    head.append(extraHeaders);
    head.append(keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
    return head;
}

std::string errorPage(int status)
{
    const std::string title = std::to_string(status) + " " + std::string(http::reasonPhrase(status));
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title +
           "</title></head>\n<body><h1>" + title + "</h1></body></html>\n";
}

// Sends a status with a small HTML page; returns whether the connection may carry another request.
bool sendStatusPage(int client, int status, bool keepAlive, bool headOnly, std::string_view extraHeaders = {})
{
    const std::string body = errorPage(status);
    std::string response =
        responseHead(status, "text/html; charset=utf-8", off_t(body.size()), keepAlive, extraHeaders);
    if (!headOnly)
        response += body;
    return sendAll(client, response) && keepAlive;
}

bool copyFileBody(int client, int file, off_t offset, off_t size)
{
    char buffer[64 * 1024];
    while (offset < size) {
        const ssize_t count =
            ::pread(file, buffer, std::size_t(std::min<off_t>(size - offset, sizeof buffer)), offset);
        if (count < 0 && errno == EINTR)
            continue;
        if (count <= 0 || !sendAll(client, std::string_view(buffer, std::size_t(count))))
            return false;
        offset += count;
    }
    return true;
}

// Streams the file without loading it: sendfile, or a bounded copy loop where sendfile is unsupported.
bool sendFileBody(int client, int file, off_t size)
{
    off_t offset = 0;
    while (offset < size) {
        const ssize_t sent =
            ::sendfile(client, file, &offset, std::size_t(std::min<off_t>(size - offset, 1 << 30)));
        if (sent > 0 || (sent < 0 && errno == EINTR))
            continue;
        if (sent < 0 && (errno == EINVAL || errno == ENOSYS))
            return copyFileBody(client, file, offset, size);
        return false; // the client left or stalled past SO_SNDTIMEO, or the file shrank under us
    }
    return true;
}

// ---- One request, one connection --------------------------------------------------------------

// Answers one parsed request; returns whether the connection may carry another request.
bool answer(int client, int rootFd, const http::Request &request)
{
    const bool headOnly = request.method == "HEAD";
    // We never read a request body, so after one the connection's framing is lost.
    const bool keepAlive = request.keepAlive && !request.hasBody;
    if (request.method != "GET" && !headOnly)
        return sendStatusPage(client, 405, keepAlive, false, "Allow: GET, HEAD\r\n");

    const http::PathResult target = http::parseTargetPath(request.target);
    if (target.errorStatus != 0)
        return sendStatusPage(client, target.errorStatus, false, headOnly);

    Lookup found = openBelow(rootFd, target.path);
    switch (found.outcome) {
    case Lookup::Outcome::NotFound:
        return sendStatusPage(client, 404, keepAlive, headOnly);
    case Lookup::Outcome::Failed:
        return sendStatusPage(client, 500, false, headOnly);
    case Lookup::Outcome::AddSlash: {
        // Rebuilt from the decoded segments, so the Location can never point at another host.
        const std::string location =
            http::encodePath(target.path.segments, true) + std::string(target.path.query);
        return sendStatusPage(client, 302, keepAlive, headOnly, "Location: " + location + "\r\n");
    }
    case Lookup::Outcome::File:
        break;
    }

    const std::string head = responseHead(200, found.contentType, found.size, keepAlive);
    if (headOnly)
        return sendAll(client, head) && keepAlive;
    return sendAll(client, head, MSG_MORE) && sendFileBody(client, found.file.get(), found.size) && keepAlive;
}

enum class HeadStatus { Complete, TooLarge, Closed };

// Reads until buffer holds a complete request head (its size goes to headSize). A client gets
// kClientTimeout for the whole head, so one trickling bytes (slowloris) cannot hold a thread forever.
HeadStatus readRequestHead(int client, std::string &buffer, std::size_t &headSize)
{
    const auto deadline = Clock::now() + kClientTimeout;
    for (;;) {
        headSize = http::findHeadEnd(buffer);
        if (headSize > http::kMaxHeadSize || (headSize == 0 && buffer.size() > http::kMaxHeadSize))
            return HeadStatus::TooLarge;
        if (headSize != 0)
            return HeadStatus::Complete;
        if (waitReadable(client, deadline) != WaitResult::Ready)
            return HeadStatus::Closed; // idle or too slow: drop it without an answer
        char chunk[4096];
        const ssize_t received = ::recv(client, chunk, sizeof chunk, 0);
        if (received < 0 && errno == EINTR)
            continue;
        if (received <= 0)
            return HeadStatus::Closed;
        buffer.append(chunk, std::size_t(received));
    }
}

void serveConnection(int rootFd, UniqueFd client)
{
    setNoDelay(client.get());
    setSendTimeout(client.get(), kClientTimeout);
    std::string buffer; // may already hold the start of the next (pipelined) request
    for (;;) {
        std::size_t headSize = 0;
        const HeadStatus status = readRequestHead(client.get(), buffer, headSize);
        if (status == HeadStatus::Closed)
            return;
        if (status == HeadStatus::TooLarge) {
            sendStatusPage(client.get(), 431, false, false);
            break;
        }
        const std::optional<http::Request> request =
            http::parseRequestHead(std::string_view(buffer).substr(0, headSize));
        const bool reusable = request ? answer(client.get(), rootFd, *request)
                                      : sendStatusPage(client.get(), 400, false, false);
        if (!reusable)
            break;
        buffer.erase(0, headSize);
    }
    closeGracefully(std::move(client));
}

} // namespace

int runStaticServer(const std::string &root, int listenFd)
{
    const int rootFd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootFd < 0) {
        logError("cannot serve \"" + root + "\": " + errorText(errno));
        return 1;
    }
    // rootFd stays open for the life of the process; connection threads use it.
    serveConnections(listenFd, kMaxConnections,
                     [rootFd](UniqueFd client) { serveConnection(rootFd, std::move(client)); });
    return 1;
}
