// parse_query_json: a reader for exactly the query shape, one JSON object whose
// values are strings, numbers or booleans. It replaces RapidJSON's DOM reader,
// which was about 7 KB of the wasm module that every page view loads. Errors
// keep the messages and byte offsets of RapidJSON 1.1 (default flags) for the
// same text, with three exceptions:
// - Bytes after a NUL that follows the object are rejected. RapidJSON stopped reading at the NUL.
// - Only a whole UTF-8 byte order mark is skipped. RapidJSON skipped any of its three bytes.
// - Every number is rounded correctly and an overflow is rejected. RapidJSON's
//   default reader can be a few units in the last place off, and it passed some
//   overflows on as infinity.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "json_io.h"
#include "number_text.h"

namespace gpuplan {

namespace {

constexpr size_t kMaxQueryBytes = 1 << 20;

// RapidJSON's English parse error texts (rapidjson/error/en.h).
constexpr const char* kDocumentEmpty = "The document is empty.";
constexpr const char* kRootNotSingular = "The document root must not be followed by other values.";
constexpr const char* kValueInvalid = "Invalid value.";
constexpr const char* kMissName = "Missing a name for object member.";
constexpr const char* kMissColon = "Missing a colon after a name of object member.";
constexpr const char* kMissCommaOrBrace = "Missing a comma or '}' after an object member.";
constexpr const char* kMissCommaOrBracket = "Missing a comma or ']' after an array element.";
constexpr const char* kInvalidHex = "Incorrect hex digit after \\u escape in string.";
constexpr const char* kInvalidSurrogate = "The surrogate pair in string is invalid.";
constexpr const char* kInvalidEscape = "Invalid escape character in string.";
constexpr const char* kMissQuote = "Missing a closing quotation mark in string.";
constexpr const char* kNumberTooBig = "Number too big to be stored in double.";
constexpr const char* kMissFraction = "Miss fraction part in number.";
constexpr const char* kMissExponent = "Miss exponent in number.";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Converts a JSON number of more than 64 significant digits, which
// parse_decimal does not take: it keeps 63 digits and puts a 1 in the 64th
// place when any dropped digit is nonzero, so the rounding direction stays.
// NOTE: a value within 1e-63 (relative) of a halfway point between two doubles
// may still round to the other neighbour.
double parse_long_number(const std::string& lexeme) {
  std::string digits;
  int64_t exponent = 0;
  bool dropped_nonzero = false;
  size_t at = lexeme[0] == '-' ? 1 : 0;
  bool after_point = false;
  for (; at < lexeme.size() && lexeme[at] != 'e' && lexeme[at] != 'E'; ++at) {
    const char c = lexeme[at];
    if (c == '.') {
      after_point = true;
      continue;
    }
    if (after_point) --exponent;
    if (digits.empty() && c == '0') continue;
    if (digits.size() < 63) {
      digits += c;
    } else {
      ++exponent;
      dropped_nonzero |= c != '0';
    }
  }
  if (dropped_nonzero) {
    digits += '1';
    --exponent;
  }
  if (at < lexeme.size()) {
    ++at;
    const bool negative = lexeme[at] == '-';
    if (lexeme[at] == '-' || lexeme[at] == '+') ++at;
    int64_t written = 0;
    // Saturates like parse_decimal: past 100000 every value overflows or underflows.
    for (; at < lexeme.size(); ++at) {
      if (written < 100000) written = written * 10 + (lexeme[at] - '0');
    }
    exponent += negative ? -written : written;
  }
  const std::string text = (lexeme[0] == '-' ? "-" : "") + digits + "e" + std::to_string(exponent);
  return parse_decimal(text).value_or(0.0);
}

// Reads query JSON from a byte cursor. peek() returns 0 at the end, so a
// check for an expected byte also fails at the end, as in RapidJSON.
class QueryReader {
 public:
  explicit QueryReader(const std::string& text) : text_(text) {}

  // Reads the whole text. Returns false on a syntax error (see error_offset()
  // and error_reason()). `is_object` is set when the root is an object, whose
  // scalar members go to `values` and whose other members to `value_errors`.
  bool read(KeyValues& values, FieldErrors& value_errors, bool& is_object) {
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) at_ = 3;
    skip_whitespace();
    if (peek() == '\0') return fail(at_, kDocumentEmpty);
    is_object = peek() == '{';
    if (is_object ? !read_object(values, value_errors) : !skip_value()) return false;
    skip_whitespace();
    if (at_ != text_.size()) return fail(at_, kRootNotSingular);
    return true;
  }

  size_t error_offset() const { return error_offset_; }
  const char* error_reason() const { return error_reason_; }

 private:
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }

  bool consume(char expected) {
    if (at_ >= text_.size() || text_[at_] != expected) return false;
    ++at_;
    return true;
  }

  bool fail(size_t offset, const char* reason) {
    error_offset_ = offset;
    error_reason_ = reason;
    return false;
  }

  void skip_whitespace() {
    while (peek() == ' ' || peek() == '\n' || peek() == '\r' || peek() == '\t') ++at_;
  }

  bool read_object(KeyValues& values, FieldErrors& value_errors) {
    ++at_;
    skip_whitespace();
    if (consume('}')) return true;
    for (;;) {
      std::string key;
      if (!read_member_name(&key)) return false;
      const char first = peek();
      if (first == '{' || first == '[' || first == 'n') {
        if (!skip_value()) return false;
        FieldError error;
        error.field = truncate_for_message(key);
        error.code = ErrorCode::invalid_json;
        error.message = truncate_for_message(key) + ": expected a string, number or boolean value";
        value_errors.push_back(error);
      } else {
        std::string value;
        if (!read_scalar(&value)) return false;
        // A duplicate key keeps its last value.
        values[key] = std::move(value);
      }
      skip_whitespace();
      if (consume('}')) return true;
      if (!consume(',')) return fail(at_, kMissCommaOrBrace);
      skip_whitespace();
    }
  }

  // Reads `"name"`, the colon and the whitespace around it. `name` may be null.
  bool read_member_name(std::string* name) {
    if (!consume('"')) return fail(at_, kMissName);
    if (!read_string(name)) return false;
    skip_whitespace();
    if (!consume(':')) return fail(at_, kMissColon);
    skip_whitespace();
    return true;
  }

  // Checks one value of any type, with nested objects and arrays, and keeps
  // nothing. A stack of closing brackets replaces recursion, so deep nesting
  // cannot overflow the call stack.
  bool skip_value() {
    std::string closers;
    for (;;) {
      bool complete = true;
      const char opener = peek();
      if (opener == '{' || opener == '[') {
        ++at_;
        skip_whitespace();
        const char closer = opener == '{' ? '}' : ']';
        if (!consume(closer)) {
          closers += closer;
          if (closer == '}' && !read_member_name(nullptr)) return false;
          complete = false;
        }
      } else if (!read_scalar(nullptr)) {
        return false;
      }
      // After a complete value: close the containers that end here, or start the next element.
      while (complete) {
        if (closers.empty()) return true;
        skip_whitespace();
        const char closer = closers.back();
        if (consume(',')) {
          skip_whitespace();
          if (closer == '}' && !read_member_name(nullptr)) return false;
          complete = false;
        } else if (consume(closer)) {
          closers.pop_back();
        } else {
          return fail(at_, closer == '}' ? kMissCommaOrBrace : kMissCommaOrBracket);
        }
      }
    }
  }

  // Reads a string, number, true, false or null. `text` (may be null) gets the
  // string's content, "true", "false", or the number's shortest round-trip text.
  bool read_scalar(std::string* text) {
    switch (peek()) {
      case '"':
        ++at_;
        return read_string(text);
      case 't':
        return read_literal("true", text);
      case 'f':
        return read_literal("false", text);
      case 'n':
        return read_literal("null", nullptr);
      default:
        return read_number(text);
    }
  }

  bool read_literal(const char* word, std::string* text) {
    ++at_;
    for (const char* rest = word + 1; *rest != '\0'; ++rest) {
      if (!consume(*rest)) return fail(at_, kValueInvalid);
    }
    if (text) *text = word;
    return true;
  }

  // Reads the rest of a string after its opening quote. `out` may be null.
  bool read_string(std::string* out) {
    std::string ignored;
    std::string& text = out ? *out : ignored;
    for (;;) {
      const char c = peek();
      if (c == '"') {
        ++at_;
        return true;
      }
      if (c == '\\') {
        if (!read_escape(text)) return false;
        continue;
      }
      // An unescaped control character. RapidJSON reports the end of the text
      // and a NUL byte as a missing quotation mark.
      if (static_cast<unsigned char>(c) < 0x20) return fail(at_, c == '\0' ? kMissQuote : kInvalidEscape);
      // Other bytes, UTF-8 or not, are copied as they are, as RapidJSON does without kParseValidateEncodingFlag.
      text += c;
      ++at_;
    }
  }

  // Reads one escape sequence. Its errors point at the backslash, or at the
  // first backslash of a surrogate pair.
  bool read_escape(std::string& text) {
    const size_t escape_offset = at_;
    ++at_;
    static constexpr char kNames[] = "\"\\/bfnrt";
    static constexpr char kValues[] = "\"\\/\b\f\n\r\t";
    for (int i = 0; kNames[i] != '\0'; ++i) {
      if (consume(kNames[i])) {
        text += kValues[i];
        return true;
      }
    }
    if (!consume('u')) return fail(escape_offset, kInvalidEscape);
    unsigned code = 0;
    if (!read_hex4(escape_offset, code)) return false;
    if (code >= 0xD800 && code <= 0xDBFF) {
      if (!consume('\\') || !consume('u')) return fail(escape_offset, kInvalidSurrogate);
      unsigned low = 0;
      if (!read_hex4(escape_offset, low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return fail(escape_offset, kInvalidSurrogate);
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    // A lone low surrogate (\uDC00 to \uDFFF) is kept as its 3-byte encoding, as RapidJSON keeps it.
    append_utf8(text, code);
    return true;
  }

  bool read_hex4(size_t escape_offset, unsigned& code) {
    for (int i = 0; i < 4; ++i) {
      const char c = peek();
      unsigned digit = 0;
      if (is_digit(c)) {
        digit = static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<unsigned>(c - 'A' + 10);
      } else {
        return fail(escape_offset, kInvalidHex);
      }
      code = code * 16 + digit;
      ++at_;
    }
    return true;
  }

  // Reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and its value.
  bool read_number(std::string* text) {
    const size_t start = at_;
    consume('-');
    if (!consume('0')) {
      if (peek() < '1' || peek() > '9') return fail(at_, kValueInvalid);
      while (is_digit(peek())) ++at_;
    }
    bool integer = true;
    if (consume('.')) {
      integer = false;
      if (!is_digit(peek())) return fail(at_, kMissFraction);
      while (is_digit(peek())) ++at_;
    }
    if (consume('e') || consume('E')) {
      integer = false;
      if (!consume('+')) consume('-');
      if (!is_digit(peek())) return fail(at_, kMissExponent);
      while (is_digit(peek())) ++at_;
    }
    const std::string lexeme = text_.substr(start, at_ - start);
    const std::optional<double> parsed = parse_decimal(lexeme);
    double value = parsed ? *parsed : parse_long_number(lexeme);
    if (std::isinf(value)) return fail(start, kNumberTooBig);
    // RapidJSON reads an integer as one, so -0 is 0.
    if (integer && value == 0) value = 0;
    if (text) *text = format_shortest(value);
    return true;
  }

  const std::string& text_;
  size_t at_ = 0;
  size_t error_offset_ = 0;
  const char* error_reason_ = "";
};

}  // namespace

KeyValues parse_query_json(const std::string& text, FieldErrors& errors) {
  if (text.size() > kMaxQueryBytes) {
    FieldError error;
    error.field = "query";
    error.code = ErrorCode::too_large;
    error.max = static_cast<double>(kMaxQueryBytes);
    error.message = "query: the input is " + std::to_string(text.size()) + " bytes; the limit is 1 MiB";
    errors.push_back(error);
    return {};
  }

  KeyValues values;
  FieldErrors value_errors;
  bool is_object = false;
  QueryReader reader(text);
  const bool parsed = reader.read(values, value_errors, is_object);
  if (!parsed || !is_object) {
    FieldError error;
    error.field = "query";
    error.code = ErrorCode::invalid_json;
    error.message = parsed ? std::string("query: expected a JSON object of field names to values")
                           : "query: invalid JSON at offset " + std::to_string(reader.error_offset()) + ": " +
                                 reader.error_reason();
    errors.push_back(error);
    return {};
  }
  errors.insert(errors.end(), value_errors.begin(), value_errors.end());
  return values;
}

}  // namespace gpuplan
