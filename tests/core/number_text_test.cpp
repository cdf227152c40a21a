// Number text: the formatter and parser must match the C library exactly,
// because messages, URL text and round trips used snprintf and strtod before.
#include <catch2/catch.hpp>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "number_text.h"

using namespace gpuplan;

namespace {

std::string printf_general(double value, int precision) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
  return buffer;
}

std::string printf_fixed(double value, int decimals) {
  char buffer[400];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

double from_bits(uint64_t bits) {
  double value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// Doubles from every binade: random bit patterns, reinterpreted, skipping NaN and infinity.
double random_finite(std::mt19937_64& random) {
  for (;;) {
    const double value = from_bits(random());
    if (std::isfinite(value)) return value;
  }
}

}  // namespace

TEST_CASE("format_general known values", "[number_text]") {
  struct Row {
    double value;
    int precision;
    const char* expected;
  };
  // Expected texts are C99 %g rules worked by hand: trailing zeros dropped, exponent
  // form below 1e-4 or at 10^precision and above, at least two exponent digits.
  const Row rows[] = {
      {0.0, 6, "0"},
      {-0.0, 6, "-0"},
      {1e13, 6, "1e+13"},
      {1048576, 10, "1048576"},
      {0.001, 10, "0.001"},
      {0.0001, 6, "0.0001"},
      {0.00001, 6, "1e-05"},
      {123456, 6, "123456"},
      {1234567, 6, "1.23457e+06"},
      {999999.5, 6, "1e+06"},
      {0.1, 17, "0.10000000000000001"},
      {0.1, 15, "0.1"},
      {2.5, 1, "2"},
      {3.5, 1, "4"},
      {8.03e9, 3, "8.03e+09"},
      {-1.5, 17, "-1.5"},
      {1e300, 6, "1e+300"},
      {4.9406564584124654e-324, 17, "4.9406564584124654e-324"},
      {DBL_MAX, 17, "1.7976931348623157e+308"},
      {INFINITY, 6, "inf"},
      {-INFINITY, 6, "-inf"},
  };
  for (const Row& row : rows) {
    INFO(row.expected);
    CHECK(format_general(row.value, row.precision) == row.expected);
  }
}

TEST_CASE("format_fixed known values", "[number_text]") {
  CHECK(format_fixed(0.5, 6) == "0.500000");
  CHECK(format_fixed(-0.0, 6) == "-0.000000");
  CHECK(format_fixed(-1e-9, 6) == "-0.000000");
  CHECK(format_fixed(2.5, 0) == "2");       // tie to even
  CHECK(format_fixed(3.5, 0) == "4");
  CHECK(format_fixed(0.125, 2) == "0.12");  // 0.125 is exact, so this is a tie
  CHECK(format_fixed(1e20, 6) == "100000000000000000000.000000");
  CHECK(format_fixed(0.999999999, 6) == "1.000000");
}

TEST_CASE("format_shortest round-trips", "[number_text]") {
  // 0.1 reads back from 15 digits. 1/3 needs 16 because 0.333333333333333 is
  // another double, and 12345678901234567168 needs 17.
  CHECK(format_shortest(0.1) == "0.1");
  CHECK(format_shortest(1.0 / 3.0) == "0.3333333333333333");
  CHECK(format_shortest(12345678901234567890.0) == "1.2345678901234567e+19");
  CHECK(format_shortest(-0.0) == "-0");
  // The smallest subnormal, 4.94065645841247e-324, reads back from 15 digits.
  CHECK(format_shortest(5e-324) == "4.94065645841247e-324");
}

TEST_CASE("format_general matches snprintf", "[number_text]") {
  std::mt19937_64 random(20260512);
  for (int i = 0; i < 20000; ++i) {
    const double value = random_finite(random);
    const int precision = 1 + static_cast<int>(random() % 17);
    INFO(printf_general(value, 17) << " at precision " << precision);
    REQUIRE(format_general(value, precision) == printf_general(value, precision));
  }
  // Values a user types: short decimals, where ties and carries happen.
  for (int i = 0; i < 20000; ++i) {
    const double value = static_cast<double>(random() % 2000001) / static_cast<double>(1 + random() % 1000) *
                         std::pow(10.0, static_cast<int>(random() % 41) - 20);
    const int precision = 1 + static_cast<int>(random() % 17);
    INFO(printf_general(value, 17) << " at precision " << precision);
    REQUIRE(format_general(value, precision) == printf_general(value, precision));
  }
}

TEST_CASE("format_fixed matches snprintf", "[number_text]") {
  std::mt19937_64 random(7);
  for (int i = 0; i < 5000; ++i) {
    const double value = random_finite(random);
    const int decimals = static_cast<int>(random() % 18);
    INFO(printf_general(value, 17) << " with " << decimals << " decimals");
    REQUIRE(format_fixed(value, decimals) == printf_fixed(value, decimals));
  }
  for (int i = 0; i < 5000; ++i) {
    const double value = static_cast<double>(random() % 20000001) / 1024.0;
    const int decimals = static_cast<int>(random() % 18);
    INFO(printf_general(value, 17) << " with " << decimals << " decimals");
    REQUIRE(format_fixed(value, decimals) == printf_fixed(value, decimals));
  }
}

TEST_CASE("parse_decimal grammar", "[number_text]") {
  CHECK(parse_decimal("1.3e9") == 1.3e9);
  CHECK(parse_decimal("+16") == 16.0);
  CHECK(parse_decimal(".5") == 0.5);
  CHECK(parse_decimal("5.") == 5.0);
  CHECK(parse_decimal("1E-3") == 0.001);
  CHECK(std::signbit(*parse_decimal("-0")));
  CHECK(parse_decimal("1e999") == HUGE_VAL);
  CHECK(parse_decimal("-1e999") == -HUGE_VAL);
  CHECK(parse_decimal("1e-999") == 0.0);
  CHECK(parse_decimal("1e000000000000000000000000000000000000000001") == 10.0);
  const char* rejected[] = {"", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "--1", "+-1", " 1", "1 ",
                            "0x10", "inf", "nan", "1e5e", "1,5"};
  for (const char* text : rejected) {
    INFO('"' << text << '"');
    CHECK_FALSE(parse_decimal(text).has_value());
  }
  CHECK_FALSE(parse_decimal(std::string(65, '1')).has_value());
  CHECK(parse_decimal(std::string(64, '1')).has_value());
}

TEST_CASE("parse_decimal matches strtod", "[number_text]") {
  std::mt19937_64 random(99);
  auto check = [](const std::string& text) {
    INFO(text);
    const std::optional<double> parsed = parse_decimal(text);
    REQUIRE(parsed.has_value());
    const double expected = std::strtod(text.c_str(), nullptr);
    REQUIRE(std::memcmp(&*parsed, &expected, sizeof expected) == 0);
  };
  // Round trips of random doubles at 17 digits, and at fewer digits, which lands between doubles.
  for (int i = 0; i < 20000; ++i) {
    const double value = random_finite(random);
    check(printf_general(value, 1 + static_cast<int>(random() % 17)));
    check(printf_general(value, 17));
  }
  // Long significands near halfway points and around the subnormal and overflow edges.
  const char* edges[] = {"9007199254740993",                    // 2^53 + 1: tie, rounds to even
                         "9007199254740993.0000000000000000001",  // just above the tie
                         "2.4703282292062327e-324",             // below half the smallest subnormal
                         "2.4703282292062328e-324",             // above it
                         "2.2250738585072011e-308",
                         "1.7976931348623157e308",
                         "1.7976931348623158e308",
                         "1.7976931348623159e308",  // past DBL_MAX plus half an ulp: infinity
                         "0.000000000000000000000000000000000000000000000000000000000001",
                         "123456789012345678901234567890123456789012345678901234567890e-40"};
  for (const char* text : edges) check(text);
  for (int i = 0; i < 5000; ++i) {
    std::string text = std::to_string(random() % 1000000000000000000ULL);
    text += 'e';
    text += std::to_string(static_cast<int>(random() % 700) - 350);
    check(text);
  }
}
