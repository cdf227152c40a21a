// Decimal text of doubles without the C library's printf and strtod, whose
// long-double code was about a tenth of the wasm module (Emscripten 3.1.6).
// Both directions are exact, and tests/core/number_text_test.cpp compares them
// with glibc's snprintf and strtod byte for byte.
#pragma once

#include <optional>
#include <string>

namespace gpuplan {

// Formats like std::snprintf with "%.<precision>g", precision 1 to 17,
// rounding the exact binary value half to even.
std::string format_general(double value, int precision);

// Formats with the fewest significant digits, 15 to 17, that parse back to
// the same double, as format_general does.
std::string format_shortest(double value);

// Formats like std::snprintf with "%.<decimals>f", decimals 0 to 17, so
// format_fixed(value, 6) is std::to_string(value).
std::string format_fixed(double value, int decimals);

// Parses [+-]digits[.digits][(e|E)[+-]digits], at least one digit before the
// exponent, and nothing else: no spaces, hex, "inf" or "nan". Rounds to nearest,
// ties to even, like std::strtod, so an overflow returns an infinity. Returns
// nothing for more than 64 significant digits, which the exact arithmetic does not hold.
std::optional<double> parse_decimal(const std::string& text);

}  // namespace gpuplan
