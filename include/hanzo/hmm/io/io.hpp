// hanzo-hmm JSON codecs: include this for everything in hanzo::hmm::io.
#pragma once

#include "hanzo/hmm/io/json.hpp"
#include "hanzo/hmm/io/model.hpp"
#include "hanzo/hmm/io/observations.hpp"
#include "hanzo/hmm/io/symbol.hpp"
