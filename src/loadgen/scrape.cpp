#include "scrape.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>

namespace hanzo::hmm::loadgen::detail {

namespace {

// HTTP/1.0: the server closes after the response, so reading to EOF reads all of it.
Result<std::string> http_get(const std::string& host, const std::string& port, const std::string& path) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return make_error(Errc::io_error, host + ":" + port, ::gai_strerror(rc));
  const int fd = ::socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  const bool connected = fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) == 0;
  ::freeaddrinfo(found);
  if (!connected) {
    if (fd >= 0) ::close(fd);
    return make_error(Errc::io_error, host + ":" + port, "cannot connect");
  }
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
  std::string response;
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buf[16384];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (response.rfind("HTTP/1.", 0) != 0 || response.find(" 200 ") == std::string::npos)
    return make_error(Errc::io_error, host + ":" + port + path, "no 200 response");
  return response;
}

}  // namespace

Result<double> scrape_sample(const std::string& url, std::string_view sample) {
  constexpr std::string_view scheme = "http://";
  const auto bad = [&] { return make_error(Errc::invalid_value, url, "expected http://HOST:PORT/PATH"); };
  if (url.rfind(scheme, 0) != 0) return bad();
  const auto slash = url.find('/', scheme.size());
  const std::string authority = url.substr(scheme.size(), slash - scheme.size());
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == authority.size()) return bad();
  auto body = http_get(authority.substr(0, colon), authority.substr(colon + 1),
                       slash == std::string::npos ? "/" : url.substr(slash));
  if (!body) return std::move(body).error();
  for (std::size_t at = body->find(sample); at != std::string::npos; at = body->find(sample, at + 1)) {
    const bool line_start = at == 0 || (*body)[at - 1] == '\n';
    if (!line_start || at + sample.size() >= body->size() || (*body)[at + sample.size()] != ' ') continue;
    return std::strtod(body->c_str() + at + sample.size() + 1, nullptr);
  }
  return 0.0;
}

}  // namespace hanzo::hmm::loadgen::detail
