#include "number_text.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace gpuplan {

namespace {

constexpr uint64_t kPowersOf10[] = {1,
                                    10,
                                    100,
                                    1000,
                                    10000,
                                    100000,
                                    1000000,
                                    10000000,
                                    100000000,
                                    1000000000,
                                    10000000000,
                                    100000000000,
                                    1000000000000,
                                    10000000000000,
                                    100000000000000,
                                    1000000000000000,
                                    10000000000000000,
                                    100000000000000000,
                                    1000000000000000000};

// Unsigned integer of up to 1536 bits. The largest exact ratio below, a 64-digit
// significand over 10^389 shifted left by 54 bits while dividing, fits in it.
class BigUint {
 public:
  explicit BigUint(uint64_t value) {
    limbs_[0] = static_cast<uint32_t>(value);
    limbs_[1] = static_cast<uint32_t>(value >> 32);
    size_ = 2;
    trim();
  }

  bool is_zero() const { return size_ == 0; }

  int bit_length() const {
    if (size_ == 0) return 0;
    return 32 * size_ - __builtin_clz(limbs_[size_ - 1]);
  }

  void multiply_add(uint32_t factor, uint32_t addend) {
    uint64_t carry = addend;
    for (int i = 0; i < size_; ++i) {
      const uint64_t product = uint64_t{limbs_[i]} * factor + carry;
      limbs_[i] = static_cast<uint32_t>(product);
      carry = product >> 32;
    }
    if (carry != 0) limbs_[size_++] = static_cast<uint32_t>(carry);
  }

  void multiply_pow10(int exponent) {
    for (; exponent >= 9; exponent -= 9) multiply_add(1000000000, 0);
    multiply_add(static_cast<uint32_t>(kPowersOf10[exponent]), 0);
  }

  void shift_left(int bits) {
    if (size_ == 0) return;
    const int words = bits / 32;
    const int rest = bits % 32;
    const int top = size_ + words;
    // Downward, so each source limb is read before it is overwritten.
    for (int target = top; target >= words; --target) {
      const int source = target - words;
      const uint64_t high = source < size_ ? limbs_[source] : 0;
      const uint64_t low = source > 0 ? limbs_[source - 1] : 0;
      limbs_[target] = static_cast<uint32_t>(((high << 32 | low) << rest) >> 32);
    }
    for (int target = 0; target < words; ++target) limbs_[target] = 0;
    size_ = top + 1;
    trim();
  }

  int compare(const BigUint& other) const {
    if (size_ != other.size_) return size_ < other.size_ ? -1 : 1;
    for (int i = size_ - 1; i >= 0; --i) {
      if (limbs_[i] != other.limbs_[i]) return limbs_[i] < other.limbs_[i] ? -1 : 1;
    }
    return 0;
  }

  // Requires *this >= other.
  void subtract(const BigUint& other) {
    uint64_t borrow = 0;
    for (int i = 0; i < size_; ++i) {
      const uint64_t difference = uint64_t{limbs_[i]} - (i < other.size_ ? other.limbs_[i] : 0) - borrow;
      limbs_[i] = static_cast<uint32_t>(difference);
      borrow = (difference >> 32) & 1;
    }
    trim();
  }

  // Divides in place and returns the remainder.
  uint32_t divide_small(uint32_t divisor) {
    uint64_t remainder = 0;
    for (int i = size_ - 1; i >= 0; --i) {
      const uint64_t current = remainder << 32 | limbs_[i];
      limbs_[i] = static_cast<uint32_t>(current / divisor);
      remainder = current % divisor;
    }
    trim();
    return static_cast<uint32_t>(remainder);
  }

 private:
  void trim() {
    while (size_ > 0 && limbs_[size_ - 1] == 0) --size_;
  }

  static constexpr int kLimbs = 48;
  uint32_t limbs_[kLimbs] = {};
  int size_ = 0;
};

// Replaces numerator by the remainder and returns the quotient, which must be below 2^64.
uint64_t divide(BigUint& numerator, const BigUint& denominator) {
  uint64_t quotient = 0;
  for (int shift = numerator.bit_length() - denominator.bit_length(); shift >= 0; --shift) {
    BigUint shifted = denominator;
    shifted.shift_left(shift);
    if (numerator.compare(shifted) >= 0) {
      numerator.subtract(shifted);
      quotient |= uint64_t{1} << shift;
    }
  }
  return quotient;
}

// Whether a quotient rounds up, to nearest with ties to even, given the remainder of its division.
bool rounds_up(BigUint remainder, const BigUint& denominator, bool quotient_is_odd) {
  remainder.shift_left(1);
  const int order = remainder.compare(denominator);
  return order > 0 || (order == 0 && quotient_is_odd);
}

// A finite non-negative double as mantissa * 2^exponent.
struct BinaryValue {
  uint64_t mantissa;
  int exponent;
};

BinaryValue decompose(double magnitude) {
  uint64_t bits = 0;
  std::memcpy(&bits, &magnitude, sizeof bits);
  const int biased_exponent = static_cast<int>(bits >> 52) & 0x7FF;
  const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
  if (biased_exponent == 0) return {fraction, -1074};
  return {fraction | (uint64_t{1} << 52), biased_exponent - 1075};
}

int floor_divide(int numerator, int denominator) {
  const int quotient = numerator / denominator;
  return quotient * denominator > numerator ? quotient - 1 : quotient;
}

// Writes the sign, and for an infinity or NaN the whole text as printf writes it.
// Returns true when the text is complete.
bool start_text(double value, std::string& text) {
  if (std::signbit(value)) text = "-";
  if (std::isnan(value)) {
    text += "nan";
    return true;
  }
  if (std::isinf(value)) {
    text += "inf";
    return true;
  }
  return false;
}

std::string decimal_text(BigUint value) {
  std::string reversed;
  do {
    uint32_t chunk = value.divide_small(1000000000);
    for (int i = 0; i < 9; ++i) {
      reversed += static_cast<char>('0' + chunk % 10);
      chunk /= 10;
    }
  } while (!value.is_zero());
  while (reversed.size() > 1 && reversed.back() == '0') reversed.pop_back();
  return std::string(reversed.rbegin(), reversed.rend());
}

}  // namespace

std::string format_general(double value, int precision) {
  std::string text;
  if (start_text(value, text)) return text;
  if (value == 0) return text + "0";

  // Find the decimal exponent and the precision-digit significand, rounded from the exact value.
  const BinaryValue binary = decompose(std::fabs(value));
  const int binary_log = BigUint(binary.mantissa).bit_length() - 1 + binary.exponent;
  // log10(2) is about 78913 / 2^18, so this is floor(log10(value)) or one less.
  int exponent10 = floor_divide(binary_log * 78913, 1 << 18);
  const uint64_t lowest = kPowersOf10[precision - 1];
  const uint64_t limit = kPowersOf10[precision];
  uint64_t digits = 0;
  for (;;) {
    const int scale = exponent10 - precision + 1;  // digits = value / 10^scale
    BigUint numerator(binary.mantissa);
    BigUint denominator(1);
    if (binary.exponent > 0) {
      numerator.shift_left(binary.exponent);
    } else {
      denominator.shift_left(-binary.exponent);
    }
    if (scale > 0) {
      denominator.multiply_pow10(scale);
    } else {
      numerator.multiply_pow10(-scale);
    }
    digits = divide(numerator, denominator);
    if (digits >= limit) {
      ++exponent10;
      continue;
    }
    if (digits < lowest) {
      --exponent10;
      continue;
    }
    if (rounds_up(numerator, denominator, digits & 1)) ++digits;
    if (digits == limit) {
      digits = lowest;
      ++exponent10;
    }
    break;
  }

  // %g drops trailing zeros and picks scientific notation outside [1e-4, 10^precision).
  std::string significant = std::to_string(digits);
  while (significant.size() > 1 && significant.back() == '0') significant.pop_back();
  if (exponent10 < -4 || exponent10 >= precision) {
    text += significant[0];
    if (significant.size() > 1) {
      text += '.';
      text.append(significant, 1, std::string::npos);
    }
    text += exponent10 < 0 ? "e-" : "e+";
    const int magnitude = exponent10 < 0 ? -exponent10 : exponent10;
    if (magnitude < 10) text += '0';
    text += std::to_string(magnitude);
  } else if (exponent10 < 0) {
    text += "0.";
    text.append(static_cast<size_t>(-exponent10 - 1), '0');
    text += significant;
  } else {
    const size_t integer_digits = static_cast<size_t>(exponent10) + 1;
    if (significant.size() <= integer_digits) {
      text += significant;
      text.append(integer_digits - significant.size(), '0');
    } else {
      text.append(significant, 0, integer_digits);
      text += '.';
      text.append(significant, integer_digits, std::string::npos);
    }
  }
  return text;
}

std::string format_fixed(double value, int decimals) {
  std::string text;
  if (start_text(value, text)) return text;

  const BinaryValue binary = decompose(std::fabs(value));
  BigUint integer(binary.mantissa);
  uint64_t fraction = 0;
  if (binary.exponent >= 0) {
    integer.shift_left(binary.exponent);
  } else {
    // Split off the integer part, then round fraction * 10^decimals exactly.
    const int shift = -binary.exponent;
    uint64_t whole = shift >= 64 ? 0 : binary.mantissa >> shift;
    BigUint numerator(shift >= 64 ? binary.mantissa : binary.mantissa - (whole << shift));
    numerator.multiply_pow10(decimals);
    BigUint denominator(1);
    denominator.shift_left(shift);
    fraction = divide(numerator, denominator);
    const bool last_digit_odd = decimals > 0 ? (fraction & 1) != 0 : (whole & 1) != 0;
    if (rounds_up(numerator, denominator, last_digit_odd)) ++fraction;
    if (fraction == kPowersOf10[decimals]) {
      fraction = 0;
      ++whole;
    }
    integer = BigUint(whole);
  }

  text += decimal_text(integer);
  if (decimals > 0) {
    const std::string fraction_digits = std::to_string(fraction);
    text += '.';
    text.append(static_cast<size_t>(decimals) - fraction_digits.size(), '0');
    text += fraction_digits;
  }
  return text;
}

std::string format_shortest(double value) {
  std::string text;
  for (int digits = 15; digits <= 17; ++digits) {
    text = format_general(value, digits);
    if (parse_decimal(text) == value) break;
  }
  return text;
}

std::optional<double> parse_decimal(const std::string& text) {
  size_t at = 0;
  const size_t end = text.size();
  bool negative = false;
  if (at < end && (text[at] == '+' || text[at] == '-')) {
    negative = text[at] == '-';
    ++at;
  }

  // value = significand * 10^exponent10, with leading zeros dropped from the significand.
  BigUint significand(0);
  int significand_digits = 0;
  int exponent10 = 0;
  bool any_digit = false;
  bool after_point = false;
  for (; at < end; ++at) {
    const char c = text[at];
    if (c == '.' && !after_point) {
      after_point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any_digit = true;
    if (after_point) --exponent10;
    if (significand_digits == 0 && c == '0') continue;
    // The bound keeps the exact ratios within BigUint's capacity.
    if (++significand_digits > 64) return std::nullopt;
    significand.multiply_add(10, static_cast<uint32_t>(c - '0'));
  }
  if (!any_digit) return std::nullopt;
  if (at < end && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    bool negative_exponent = false;
    if (at < end && (text[at] == '+' || text[at] == '-')) {
      negative_exponent = text[at] == '-';
      ++at;
    }
    if (at == end) return std::nullopt;
    int written_exponent = 0;
    for (; at < end && text[at] >= '0' && text[at] <= '9'; ++at) {
      // Saturates: any exponent past 100000 already overflows or underflows.
      if (written_exponent < 100000) written_exponent = written_exponent * 10 + (text[at] - '0');
    }
    exponent10 += negative_exponent ? -written_exponent : written_exponent;
  }
  if (at != end) return std::nullopt;

  const double sign = negative ? -1.0 : 1.0;
  if (significand_digits == 0) return sign * 0.0;
  // Decimal magnitudes are in [10^(digits+exponent-1), 10^(digits+exponent)); beyond
  // DBL_MAX (1.8e308) the value overflows, and below half of 4.9e-324 it rounds to 0.
  if (significand_digits + exponent10 > 310) return sign * HUGE_VAL;
  if (significand_digits + exponent10 < -325) return sign * 0.0;

  BigUint numerator = significand;
  BigUint denominator(1);
  if (exponent10 >= 0) {
    numerator.multiply_pow10(exponent10);
  } else {
    denominator.multiply_pow10(-exponent10);
  }
  // Pick the binary exponent that gives a 53-bit quotient (fewer for subnormals).
  int binary_exponent = numerator.bit_length() - denominator.bit_length() - 53;
  for (;;) {
    if (binary_exponent < -1074) binary_exponent = -1074;
    BigUint scaled_numerator = numerator;
    BigUint scaled_denominator = denominator;
    if (binary_exponent < 0) {
      scaled_numerator.shift_left(-binary_exponent);
    } else {
      scaled_denominator.shift_left(binary_exponent);
    }
    uint64_t mantissa = divide(scaled_numerator, scaled_denominator);
    if (mantissa >> 53 != 0) {
      ++binary_exponent;
      continue;
    }
    if (rounds_up(scaled_numerator, scaled_denominator, mantissa & 1)) ++mantissa;
    if (BigUint(mantissa).bit_length() + binary_exponent > 1024) return sign * HUGE_VAL;
    return sign * std::ldexp(static_cast<double>(mantissa), binary_exponent);
  }
}

}  // namespace gpuplan
