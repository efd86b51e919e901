// Quote requests and answers: round trips, errors naming the field, and the handler against the
// market's own quote (the exact level set; its independent check is tests/market/test_amount_quote.cpp).
#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "hanzo/hmm/wire/quote.hpp"

using namespace hanzo::hmm;
using wire_test::error_text;

TEST_CASE("wire quote: a request round-trips", "[wire][quote]") {
  const auto q = wire::decode_quote_request(R"({"id": "q-1", "class": "h100-80g", "gpu_seconds": 3600})").value();
  CHECK(q.id == "q-1");
  CHECK(q.compute_class == "h100-80g");
  CHECK(q.gpu_seconds == 3600.0);
  const auto again = wire::decode_quote_request(wire::encode_quote_request(q)).value();
  CHECK(again.id == q.id);
  CHECK(again.compute_class == q.compute_class);
  CHECK(again.gpu_seconds == q.gpu_seconds);
}

TEST_CASE("wire quote: bad requests name the field", "[wire][quote]") {
  const auto err = [](const char* text) { return error_text(wire::decode_quote_request(text)); };
  CHECK_THAT(err(R"({"class": "cpu", "gpu_seconds": 1})"), Catch::Contains("id"));
  CHECK_THAT(err(R"({"id": "", "class": "cpu", "gpu_seconds": 1})"), Catch::Contains("id"));
  CHECK_THAT(err(R"({"id": "a", "class": "cpu", "gpu_seconds": 0})"), Catch::Contains("gpu_seconds"));
  CHECK_THAT(err(R"({"id": "a", "class": "cpu", "gpu_seconds": -3})"), Catch::Contains("gpu_seconds"));
  CHECK_THAT(err(R"({"id": "a", "class": "cpu", "gpu_seconds": 1e999})"), Catch::Contains("gpu_seconds"));
  CHECK_THAT(err(R"({"id": "a", "class": "cpu", "gpu_seconds": "60"})"), Catch::Contains("gpu_seconds"));
  CHECK_THAT(err(R"({"id": "a", "class": 3, "gpu_seconds": 1})"), Catch::Contains("class"));
  CHECK_THAT(err(R"({"id": "a", "class": "cpu", "gpu_seconds": 1, "amount": 2})"), Catch::Contains("amount"));
  CHECK_THAT(err(R"({"id": "a")"), Catch::Contains("line"));
}

TEST_CASE("wire quote: the handler answers with the market's exact quote, or says why not", "[wire][quote]") {
  const auto market = wire_test::ticked_market();
  const std::string id = market.classes()[1].id;  // class 0 was drained to its floor
  const auto a = wire::answer_quote(market, {"q-9", id, 3600.0});
  REQUIRE_FALSE(a.error);
  const auto q = market.quote_buy_supply(1, 3600.0).value();
  CHECK(a.id == "q-9");
  CHECK(a.compute_class == id);
  CHECK(a.gpu_seconds == 3600.0);
  CHECK(a.cost == q.amount_in);
  CHECK(a.average_price == q.amount_in / 3600.0);
  CHECK(a.marginal_price == q.price_after);
  CHECK(a.average_price > market.prices()[1]);  // a real amount pays more than the marginal price
  CHECK(a.marginal_price > a.average_price);
  const auto back = wire::decode_quote_answer(wire::encode_quote_answer(a)).value();
  CHECK(back.cost == a.cost);
  CHECK(back.average_price == a.average_price);
  CHECK(back.marginal_price == a.marginal_price);
  CHECK_FALSE(back.error);

  const auto unknown = wire::answer_quote(market, {"q-10", "tpu-v5", 60.0});
  REQUIRE(unknown.error);
  CHECK_THAT(*unknown.error, Catch::Contains("tpu-v5"));
  const auto too_much = wire::answer_quote(market, {"q-11", id, 10.0 * market.supply()[1]});
  REQUIRE(too_much.error);
  const auto text = wire::encode_quote_answer(too_much);
  CHECK(text.find("\"cost\"") == std::string::npos);
  const auto decoded = wire::decode_quote_answer(text).value();
  CHECK(decoded.error == too_much.error);
  CHECK(decoded.id == "q-11");
}

TEST_CASE("wire quote: answers are either a quote or an error", "[wire][quote]") {
  const auto err = [](const char* text) { return error_text(wire::decode_quote_answer(text)); };
  CHECK_THAT(err(R"({"id": "a", "class": "cpu", "gpu_seconds": 1, "cost": 2, "average_price": 2})"),
             Catch::Contains("marginal_price"));
  CHECK_THAT(err(R"({"id": "a", "class": "cpu", "gpu_seconds": 1, "error": "x", "cost": 2})"), Catch::Contains("cost"));
  CHECK_THAT(err(R"({"id": "a", "class": "cpu", "gpu_seconds": 1, "cost": -2, "average_price": 2, "marginal_price": 1})"),
             Catch::Contains("cost"));
}
