#pragma once

#include <QString>

class QNetworkRequest;
class QUrl;

// Names that can only mean this computer, and how SpawnAI reaches them.
namespace Loopback {

// "localhost", any "*.localhost" name (RFC 6761 §6.3: always the loopback address) and loopback addresses.
// Any other name could resolve to a remote host.
bool isLoopbackHost(const QString &host);

// Points a request for a "*.localhost" name at 127.0.0.1 and keeps the name in the Host header, as browsers
// do: the system resolver does not know these names, but per-sandbox hosts (8000-<id>.localhost) of local
// fakes and gateways need them. Other requests are left alone.
void route(QNetworkRequest &request);

} // namespace Loopback
