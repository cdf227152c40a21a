// parse_query_json: the hand-written reader of the query object. The tables
// give each expected value and error by hand. The last case compares the
// reader with RapidJSON's DOM reader, which parse_query_json used before, on
// the table texts and on many mutations of them.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "json_io.h"
#include "number_text.h"

using namespace gpuplan;

namespace {

struct ValidCase {
  const char* text;
  KeyValues values;
};

struct InvalidCase {
  std::string text;
  const char* message;
};

std::string only_message(const FieldErrors& errors) {
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == "query");
  CHECK(errors[0].code == ErrorCode::invalid_json);
  return errors[0].message;
}

// The reader that parse_query_json used before, with RapidJSON's default flags.
KeyValues rapidjson_query(const std::string& text, FieldErrors& errors) {
  KeyValues values;
  rapidjson::Document document;
  document.Parse(text.c_str(), text.size());
  if (document.HasParseError() || !document.IsObject()) {
    FieldError error;
    error.field = "query";
    error.code = ErrorCode::invalid_json;
    error.message = document.HasParseError()
                        ? std::string("query: invalid JSON at offset ") + std::to_string(document.GetErrorOffset()) +
                              ": " + rapidjson::GetParseError_En(document.GetParseError())
                        : std::string("query: expected a JSON object of field names to values");
    errors.push_back(error);
    return values;
  }
  for (auto member = document.MemberBegin(); member != document.MemberEnd(); ++member) {
    const std::string key(member->name.GetString(), member->name.GetStringLength());
    const rapidjson::Value& value = member->value;
    if (value.IsString()) {
      values[key] = std::string(value.GetString(), value.GetStringLength());
    } else if (value.IsBool()) {
      values[key] = value.GetBool() ? "true" : "false";
    } else if (value.IsNumber()) {
      values[key] = format_shortest(value.GetDouble());
    } else {
      FieldError error;
      error.field = truncate_for_message(key);
      error.code = ErrorCode::invalid_json;
      error.message = truncate_for_message(key) + ": expected a string, number or boolean value";
      errors.push_back(error);
    }
  }
  return values;
}

// True when the two number texts are doubles within 1e-15 of each other.
// RapidJSON's default reader is not correctly rounded. It sums the digits of an
// integer past 2^64 in floating point, which ends a few units in the last place off.
bool nearly_same_number(const std::string& ours, const std::string& theirs) {
  const std::optional<double> a = parse_decimal(ours);
  const std::optional<double> b = parse_decimal(theirs);
  if (!a || !b) return false;
  return std::fabs(*a - *b) <= 1e-15 * std::fabs(*b);
}

// True for the texts where the reader differs from RapidJSON on purpose: a
// NUL byte, which RapidJSON took for the end of the text, and a partial byte
// order mark, whose bytes RapidJSON skipped one by one.
bool differs_by_design(const std::string& text) {
  if (text.find('\0') != std::string::npos) return true;
  const unsigned char first = text.empty() ? 0 : static_cast<unsigned char>(text[0]);
  return (first == 0xEF || first == 0xBB || first == 0xBF) && text.compare(0, 3, "\xEF\xBB\xBF") != 0;
}

// Describes the first difference between parse_query_json and RapidJSON's reader, or returns "".
std::string difference(const std::string& text) {
  if (differs_by_design(text)) return "";
  FieldErrors ours_errors;
  FieldErrors theirs_errors;
  const KeyValues ours = parse_query_json(text, ours_errors);
  const KeyValues theirs = rapidjson_query(text, theirs_errors);
  if (ours_errors.size() == 1 && ours_errors[0].message.find(": Number too big") != std::string::npos) {
    // The reader rejects every number that overflows a double. RapidJSON passed
    // some on as infinity and read on, so it may stop later or not at all.
    const size_t offset = std::stoul(ours_errors[0].message.substr(std::strlen("query: invalid JSON at offset ")));
    const std::string lexeme = text.substr(offset, text.find_first_not_of("0123456789+-.eE", offset) - offset);
    if (std::isinf(std::strtod(lexeme.c_str(), nullptr))) return "";
    return "too big: " + lexeme;
  }
  if (ours_errors.size() != theirs_errors.size()) return "error count " + std::to_string(ours_errors.size()) + " vs " + std::to_string(theirs_errors.size());
  for (size_t i = 0; i < ours_errors.size(); ++i) {
    if (ours_errors[i].message != theirs_errors[i].message) return ours_errors[i].message + " vs " + theirs_errors[i].message;
  }
  if (ours.size() != theirs.size()) return "value count";
  for (const auto& [key, value] : theirs) {
    const auto found = ours.find(key);
    if (found == ours.end()) return "missing key " + key;
    if (found->second != value && !nearly_same_number(found->second, value)) return key + ": " + found->second + " vs " + value;
  }
  return "";
}

const std::vector<InvalidCase>& invalid_cases() {
  // Offsets count bytes from 0, and each is where RapidJSON stopped.
  static const std::vector<InvalidCase> cases = {
      {"", "query: invalid JSON at offset 0: The document is empty."},
      {" \n\t\r", "query: invalid JSON at offset 4: The document is empty."},
      {"{", "query: invalid JSON at offset 1: Missing a name for object member."},
      {R"({"a"})", "query: invalid JSON at offset 4: Missing a colon after a name of object member."},
      {R"({"a":})", "query: invalid JSON at offset 5: Invalid value."},
      {R"({"a":"b",})", "query: invalid JSON at offset 9: Missing a name for object member."},
      {R"({"a":"b" "c":"d"})", "query: invalid JSON at offset 9: Missing a comma or '}' after an object member."},
      {R"({"a":"b"} x)", "query: invalid JSON at offset 10: The document root must not be followed by other values."},
      {R"({"a":"b"}{})", "query: invalid JSON at offset 9: The document root must not be followed by other values."},
      {R"({a:"b"})", "query: invalid JSON at offset 1: Missing a name for object member."},
      {R"({'a':"b"})", "query: invalid JSON at offset 1: Missing a name for object member."},
      {R"({"a":tru})", "query: invalid JSON at offset 8: Invalid value."},
      {R"({"a":True})", "query: invalid JSON at offset 5: Invalid value."},
      {R"({"a":nul})", "query: invalid JSON at offset 8: Invalid value."},
      {R"({"a":01})", "query: invalid JSON at offset 6: Missing a comma or '}' after an object member."},
      {R"({"a":1.})", "query: invalid JSON at offset 7: Miss fraction part in number."},
      {R"({"a":.5})", "query: invalid JSON at offset 5: Invalid value."},
      {R"({"a":1e})", "query: invalid JSON at offset 7: Miss exponent in number."},
      {R"({"a":1e+})", "query: invalid JSON at offset 8: Miss exponent in number."},
      {R"({"a":-})", "query: invalid JSON at offset 6: Invalid value."},
      {R"({"a":+1})", "query: invalid JSON at offset 5: Invalid value."},
      {R"({"a":1e400})", "query: invalid JSON at offset 5: Number too big to be stored in double."},
      {R"({"a":-1e400})", "query: invalid JSON at offset 5: Number too big to be stored in double."},
      {R"({"a":NaN})", "query: invalid JSON at offset 5: Invalid value."},
      {R"({"a":"\x"})", "query: invalid JSON at offset 6: Invalid escape character in string."},
      {R"({"a":"\U0041"})", "query: invalid JSON at offset 6: Invalid escape character in string."},
      {R"({"a":"\u12G4"})", "query: invalid JSON at offset 6: Incorrect hex digit after \\u escape in string."},
      {R"({"a":"\u12"})", "query: invalid JSON at offset 6: Incorrect hex digit after \\u escape in string."},
      // A high surrogate needs a low one right after it, and errors point at the first backslash.
      {R"({"a":"\uD800"})", "query: invalid JSON at offset 6: The surrogate pair in string is invalid."},
      {R"({"a":"\uD800x"})", "query: invalid JSON at offset 6: The surrogate pair in string is invalid."},
      {R"({"a":"\uD800\n"})", "query: invalid JSON at offset 6: The surrogate pair in string is invalid."},
      {R"({"a":"\uD800\u0041"})", "query: invalid JSON at offset 6: The surrogate pair in string is invalid."},
      {R"({"a":"\uDBFF\uE000"})", "query: invalid JSON at offset 6: The surrogate pair in string is invalid."},
      {R"({"a":"\uD800\u00G1"})", "query: invalid JSON at offset 6: Incorrect hex digit after \\u escape in string."},
      {R"({"a":"b)", "query: invalid JSON at offset 7: Missing a closing quotation mark in string."},
      {R"({"a)", "query: invalid JSON at offset 3: Missing a closing quotation mark in string."},
      {"{\"a\":\"b\tc\"}", "query: invalid JSON at offset 7: Invalid escape character in string."},
      {"{\"a\":\"b\nc\"}", "query: invalid JSON at offset 7: Invalid escape character in string."},
      {std::string("{\"a\":\"b\0c\"}", 11), "query: invalid JSON at offset 7: Missing a closing quotation mark in string."},
      // Nested values are checked in full before any member is read.
      {R"({"a":[1 2]})", "query: invalid JSON at offset 8: Missing a comma or ']' after an array element."},
      {R"({"a":[1,]})", "query: invalid JSON at offset 8: Invalid value."},
      {R"({"a":[})", "query: invalid JSON at offset 6: Invalid value."},
      {R"({"a":{"b" 1}})", "query: invalid JSON at offset 10: Missing a colon after a name of object member."},
      {R"({"a":{"b":1 "c":2}})", "query: invalid JSON at offset 12: Missing a comma or '}' after an object member."},
      {R"({"a":{"b":1,}})", "query: invalid JSON at offset 12: Missing a name for object member."},
      {R"({"a":{"b":[1,{"c":"\q"}]}})", "query: invalid JSON at offset 19: Invalid escape character in string."},
      {R"({"a":[[[[1]]]})", "query: invalid JSON at offset 13: Missing a comma or ']' after an array element."},
      {R"([1,])", "query: invalid JSON at offset 3: Invalid value."},
      {R"("abc)", "query: invalid JSON at offset 4: Missing a closing quotation mark in string."},
      // RFC 8259 allows no comments or other whitespace, and a byte order mark only whole.
      {"{\"a\":1 // note\n}", "query: invalid JSON at offset 7: Missing a comma or '}' after an object member."},
      {"\xEF\xBB{}", "query: invalid JSON at offset 0: Invalid value."},
      {"{\f}", "query: invalid JSON at offset 1: Missing a name for object member."},
  };
  return cases;
}

const std::vector<ValidCase>& valid_cases() {
  static const std::vector<ValidCase> cases = {
      {"{}", {}},
      // A UTF-8 byte order mark may start the text (RFC 8259, section 8.1).
      {"\xEF\xBB\xBF{\"a\":1}", {{"a", "1"}}},
      {" \t\r\n{ \t\r\n} \t\r\n", {}},
      {R"({"model":"llama-3-8b","micro_batch":"16"})", {{"model", "llama-3-8b"}, {"micro_batch", "16"}}},
      {R"( { "a" : "b" , "c" : "" } )", {{"a", "b"}, {"c", ""}}},
      {R"({"":"empty key"})", {{"", "empty key"}}},
      {R"({"t":true,"f":false})", {{"t", "true"}, {"f", "false"}}},
      // Numbers become the shortest text that reads back as the same double.
      {R"({"a":16,"b":1.5,"c":-2.25,"d":1E3,"e":1e-7,"f":0.1,"g":2e+2})",
       {{"a", "16"}, {"b", "1.5"}, {"c", "-2.25"}, {"d", "1000"}, {"e", "1e-07"}, {"f", "0.1"}, {"g", "200"}}},
      // -0 is the integer 0, as RapidJSON reads it, but -0.0 is the double -0.
      {R"({"a":-0,"b":-0.0,"c":0e5})", {{"a", "0"}, {"b", "-0"}, {"c", "0"}}},
      // 12345678901234567890 rounds to the double 12345678901234567168, which needs 17 digits.
      {R"({"a":12345678901234567890,"b":18446744073709551615})", {{"a", "1.2345678901234567e+19"}, {"b", "1.8446744073709552e+19"}}},
      // 1e-400 underflows to 0, and 4.9e-324 is the smallest subnormal.
      {R"({"a":1e-400,"b":4.9e-324})", {{"a", "0"}, {"b", "4.94065645841247e-324"}}},
      {R"({"a":1.7976931348623157e308})", {{"a", "1.7976931348623157e+308"}}},
  };
  return cases;
}

}  // namespace

TEST_CASE("query JSON valid objects", "[query_json]") {
  for (const ValidCase& item : valid_cases()) {
    INFO(item.text);
    FieldErrors errors;
    const KeyValues values = parse_query_json(item.text, errors);
    CHECK(errors.empty());
    CHECK(values == item.values);
  }
}

TEST_CASE("query JSON invalid text", "[query_json]") {
  for (const InvalidCase& item : invalid_cases()) {
    INFO(item.text);
    FieldErrors errors;
    const KeyValues values = parse_query_json(item.text, errors);
    CHECK(values.empty());
    CHECK(only_message(errors) == item.message);
  }
}

TEST_CASE("query JSON root not an object", "[query_json]") {
  for (const char* text : {"[]", "[1,{\"a\":2}]", "\"abc\"", "12", "true", "null", " [ ] "}) {
    INFO(text);
    FieldErrors errors;
    CHECK(parse_query_json(text, errors).empty());
    CHECK(only_message(errors) == "query: expected a JSON object of field names to values");
  }
}

TEST_CASE("query JSON string escapes", "[query_json]") {
  struct EscapeCase {
    const char* escaped;
    std::string bytes;
  };
  const std::vector<EscapeCase> cases = {
      {R"(\"\\\/)", "\"\\/"},
      {R"(\b\f\n\r\t)", "\b\f\n\r\t"},
      {R"(\u0041\u00e9\u00E9)", "A\xC3\xA9\xC3\xA9"},
      // U+20AC EURO SIGN is E2 82 AC in UTF-8.
      {R"(\u20AC)", "\xE2\x82\xAC"},
      // U+1F600 is the pair D83D DE00, F0 9F 98 80 in UTF-8.
      {R"(\uD83D\uDE00)", "\xF0\x9F\x98\x80"},
      // U+10FFFF, the last code point, is DBFF DFFF.
      {R"(\uDBFF\uDFFF)", "\xF4\x8F\xBF\xBF"},
      {R"(\u0000)", std::string(1, '\0')},
      // A lone low surrogate is kept as its 3-byte form, as RapidJSON keeps it.
      {R"(\uDC00)", "\xED\xB0\x80"},
      // Unescaped UTF-8 passes through unchanged.
      {"\xE4\xB8\xAD\xE6\x96\x87", "\xE4\xB8\xAD\xE6\x96\x87"},
  };
  for (const EscapeCase& item : cases) {
    const std::string text = std::string(R"({"k":")") + item.escaped + R"(","key\u00e9":"x"})";
    INFO(text);
    FieldErrors errors;
    const KeyValues values = parse_query_json(text, errors);
    CHECK(errors.empty());
    CHECK(values.at("k") == item.bytes);
    CHECK(values.at("key\xC3\xA9") == "x");
  }
}

TEST_CASE("query JSON duplicate keys", "[query_json]") {
  FieldErrors errors;
  const KeyValues values = parse_query_json(R"({"a":"1","b":"x","a":2,"a":"3"})", errors);
  CHECK(errors.empty());
  CHECK(values == KeyValues{{"a", "3"}, {"b", "x"}});

  // A nested duplicate is reported, and the earlier scalar value stays.
  FieldErrors nested_errors;
  const KeyValues kept = parse_query_json(R"({"a":"1","a":[2]})", nested_errors);
  CHECK(kept == KeyValues{{"a", "1"}});
  REQUIRE(nested_errors.size() == 1);
  CHECK(nested_errors[0].field == "a");
}

TEST_CASE("query JSON nested values name the key", "[query_json]") {
  FieldErrors errors;
  const KeyValues values = parse_query_json(R"({"model":"gpt2","gpus":["a100-80gb"],"opts":{"x":{"y":[null]}},"z":null})", errors);
  CHECK(values == KeyValues{{"model", "gpt2"}});
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].field == "gpus");
  CHECK(errors[0].code == ErrorCode::invalid_json);
  CHECK(errors[0].message == "gpus: expected a string, number or boolean value");
  CHECK(errors[1].message == "opts: expected a string, number or boolean value");
  CHECK(errors[2].message == "z: expected a string, number or boolean value");
}

TEST_CASE("query JSON deep nesting", "[query_json]") {
  // 200,000 open arrays would overflow a recursive reader's stack.
  const std::string depth(200000, '[');
  const std::string closed = R"({"a":)" + depth + std::string(200000, ']') + "}";
  FieldErrors errors;
  CHECK(parse_query_json(closed, errors).empty());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == "a");

  FieldErrors unclosed_errors;
  const std::string unclosed = R"({"a":)" + depth;
  CHECK(parse_query_json(unclosed, unclosed_errors).empty());
  CHECK(only_message(unclosed_errors) == "query: invalid JSON at offset 200005: Invalid value.");
}

TEST_CASE("query JSON long numbers", "[query_json]") {
  // More than 64 significant digits: 1 followed by 69 zeros is 1e69.
  const std::string zeros(69, '0');
  // 2^53 + 1 = 9007199254740993 lies halfway between the doubles 2^53 and 2^53 + 2.
  // Exactly halfway it rounds to even (2^53); anything above it, even 1e-60 above, rounds up.
  const std::string just_above = "9007199254740993." + std::string(59, '0') + "1";
  const std::string halfway = "9007199254740993." + std::string(60, '0');
  FieldErrors errors;
  const KeyValues values = parse_query_json(R"({"a":1)" + zeros + R"(,"b":)" + just_above + R"(,"c":)" + halfway + R"(,"d":-0.)" + zeros + "1}", errors);
  CHECK(errors.empty());
  CHECK(values.at("a") == "1e+69");
  CHECK(values.at("b") == "9007199254740994");
  CHECK(values.at("c") == "9007199254740992");
  CHECK(values.at("d") == "-1e-70");
}

TEST_CASE("query JSON size limit", "[query_json][limits]") {
  // {"x":"<a…>"} is 8 bytes around the value, so this text is exactly 1 MiB.
  const std::string at_limit = R"({"x":")" + std::string((1 << 20) - 8, 'a') + R"("})";
  REQUIRE(at_limit.size() == 1048576);
  FieldErrors errors;
  CHECK(parse_query_json(at_limit, errors).at("x").size() == 1048568);
  CHECK(errors.empty());

  FieldErrors over_errors;
  CHECK(parse_query_json(at_limit + " ", over_errors).empty());
  REQUIRE(over_errors.size() == 1);
  CHECK(over_errors[0].code == ErrorCode::too_large);
  CHECK(over_errors[0].message == "query: the input is 1048577 bytes; the limit is 1 MiB");
}

TEST_CASE("query JSON agrees with RapidJSON", "[query_json]") {
  std::vector<std::string> texts;
  for (const ValidCase& item : valid_cases()) texts.push_back(item.text);
  for (const InvalidCase& item : invalid_cases()) texts.push_back(item.text);
  texts.push_back(R"({"model":"qwen3-8b","a":[1,{"b":null}],"u":"\u00e9\uD83D\uDE00","n":-12.5e-3})");
  for (const std::string& text : texts) {
    INFO(text);
    CHECK(difference(text) == "");
  }

  // Mutations of the texts above: a byte deleted, inserted or replaced, or a
  // slice repeated. Bytes come from JSON's own alphabet, so most mutations stay
  // close to valid JSON and reach deep into the reader.
  const std::string alphabet = "{}[]\":,\\/ \t\n0123456789.-+eEtrufalsnbu\"xDC\x01\xC3";
  std::mt19937 random(20250601);
  const std::vector<std::string> seeds = texts;
  int compared = 0;
  for (int round = 0; round < 40000; ++round) {
    std::string text = seeds[random() % seeds.size()];
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int edit = 0; edit < edits; ++edit) {
      const size_t at = text.empty() ? 0 : random() % (text.size() + 1);
      const char byte = alphabet[random() % alphabet.size()];
      switch (random() % 4) {
        case 0:
          if (at < text.size()) text.erase(at, 1);
          break;
        case 1:
          text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), byte);
          break;
        case 2:
          if (at < text.size()) text[at] = byte;
          break;
        default:
          if (at < text.size()) text.insert(at, text.substr(at, random() % 8));
          break;
      }
    }
    if (differs_by_design(text)) continue;
    INFO(text);
    REQUIRE(difference(text) == "");
    ++compared;
  }
  CHECK(compared > 30000);
}
