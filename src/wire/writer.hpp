// A minimal JSON writer for the encoders (internal to hanzo_hmm_wire). Appends compact JSON to a
// caller's string so the daemon can reuse one buffer per thread. Building a boost::json::object
// and serialising it allocates per member: measured 2.2-2.9x slower on router decisions.
//
// It writes through a raw pointer into the string, grown ahead with slack, and trims the string
// to what was written when it is destroyed (or on flush()): std::string::append per token was
// most of a decision's encoding (a call and a memcpy call for a few bytes; hanzo-wire-bench).
// So read the string only once the Writer is gone: keep it in a scope that ends before the
// string is used or returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace hanzo::hmm::wire::detail {

class Writer {
 public:
  explicit Writer(std::string& out);
  ~Writer() { flush(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Trims the string to what was written; writing may go on after it.
  void flush();

  Writer& begin_object() { return open('{'); }
  Writer& end_object() { return close('}'); }
  Writer& begin_array() { return open('['); }
  Writer& end_array() { return close(']'); }
  // `k` is one of our own plain ASCII key names: written as is, without escaping.
  Writer& key(std::string_view k) {
    ensure(k.size() + 4);
    separate();
    *p_++ = '"';
    std::memcpy(p_, k.data(), k.size());
    p_ += k.size();
    *p_++ = '"';
    *p_++ = ':';
    return *this;
  }

  Writer& str(std::string_view s);  // UTF-8 text, escaped
  // Shortest text that reads back to the same double. Non-finite numbers cannot be JSON: they
  // are asserted against and written as null.
  Writer& num(double x);
  // An explanatory figure (a score, a probability, an expected cost): rounded to 6 significant
  // digits, like printf's %g, in plain notation from 1e-9 to 1e15. Exact integers there are
  // written whole. About 5x cheaper than num() and 40% shorter on a decision; never for values
  // that are read back as state or inputs.
  Writer& approx(double x);
  Writer& uint(std::uint64_t x);
  Writer& integer(std::int64_t x);
  Writer& boolean(bool b);
  Writer& null();

 private:
  // Room for n more characters (and a separator) past p_.
  void ensure(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n + 1) grow(n + 1);
  }
  void grow(std::size_t n);
  // A comma unless the value is the first in its container or follows its key (or is the
  // first thing in the string).
  void separate() {
    if (p_ != out_.data()) {
      const char c = p_[-1];
      if (c != '{' && c != '[' && c != ':') *p_++ = ',';
    }
  }
  Writer& open(char c) {
    ensure(1);
    separate();
    *p_++ = c;
    return *this;
  }
  Writer& close(char c) {
    ensure(1);
    *p_++ = c;
    return *this;
  }
  std::string& out_;
  char* p_;    // the next character to write, in out_
  char* end_;  // out_'s end (its slack runs from p_ to here)
};

}  // namespace hanzo::hmm::wire::detail
