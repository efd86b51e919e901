// The Kafka layer of hanzo-hmmd (hanzo::kafka): producer, group consumer, offset tracking
// behind producer acknowledgements, backpressure, DLQ records, and the embedded mock cluster.
#pragma once

#include "hanzo/hmm/kafka/consumer.hpp"
#include "hanzo/hmm/kafka/dlq.hpp"
#include "hanzo/hmm/kafka/mock_cluster.hpp"
#include "hanzo/hmm/kafka/offset_tracker.hpp"
#include "hanzo/hmm/kafka/producer.hpp"
#include "hanzo/hmm/kafka/types.hpp"
