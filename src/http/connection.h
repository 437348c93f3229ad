// Internal to the http module, shared by server.cc and connection.cc only: the state a
// Server shares with its connections, and the entry point that serves one accepted socket.
// Everything here lives on the loop thread; nothing is synchronised.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "http/server.h"

namespace kraken::http {

class Connection;

// Owned jointly by the Server and its live connections, so that connections still
// finishing after the Server is gone never touch freed memory. Once `stopped` is set no
// handler runs again.
struct ServerShared {
  Router* router = nullptr;
  ServerOptions options;
  bool stopped = false;
  std::unique_ptr<boost::asio::ssl::context> tls;  // set when the server speaks HTTPS
  std::unordered_set<Connection*> connections;
  // Live connections per client address, for ServerOptions::max_connections_per_address.
  std::unordered_map<std::string, size_t> per_address;
  // The cap on live connections: ServerOptions::max_connections, lowered to fit under the
  // process's file descriptor limit.
  size_t max_connections = 0;
  // Connections waiting for a request (idle, or reading its header), longest-waiting first;
  // and how many of those were closed to make room and are not gone yet.
  std::set<std::pair<std::chrono::steady_clock::time_point, Connection*>> waiting;
  size_t evicted = 0;
  // The threads of ServerOptions::prepare_body; set when there is one.
  std::unique_ptr<boost::asio::thread_pool> prepare_pool;
};

// The client's address as text; IPv4 clients of a dual-stack listener as plain IPv4.
std::string RemoteAddress(const boost::asio::ip::tcp::socket& socket);

// Serves HTTP/1.1 requests on `socket` until the peer closes, an error, or Stop.
void ServeConnection(std::shared_ptr<ServerShared> shared, boost::asio::ip::tcp::socket socket);

// Closes a live connection's socket and wakes it if parked, so that its coroutine ends.
void CloseConnection(Connection* connection);

// At the cap: closes the connection that has waited longest for a request, if it has waited
// ServerOptions::evict_waiting_after, to make room for a new one. False when none has.
bool EvictLongestWaiting(ServerShared& shared);

// Live connections, less those closed to make room.
size_t LiveConnections(const ServerShared& shared);

}  // namespace kraken::http
