// Boost.JSON compiled from source into the fuzz target, so the fuzzer instruments and sees it.
#include <boost/json/src.hpp>
