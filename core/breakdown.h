// A hierarchical breakdown: a named quantity whose children sum to it.
// The same tree feeds the CLI table, the JSON output, the charts and the tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace gpuplan {

struct Term {
  std::string key;  // stable snake_case id, unique among siblings (e.g. "weights", "attention_q")
  double value = 0;  // in the unit of the whole tree (bytes, FLOPs, parameters)
  std::vector<Term> children;
};

// Returns a leaf.
inline Term leaf(std::string key, double value) { return Term{std::move(key), value, {}}; }

// Returns a node whose value is the sum of its children.
inline Term sum_of(std::string key, std::vector<Term> children) {
  double total = 0;
  for (const Term& child : children) total += child.value;
  return Term{std::move(key), total, std::move(children)};
}

// Returns a node of the given children, moved in: an initializer list would
// copy each child's whole subtree.
template <typename... Children>
Term sum_of_terms(std::string key, Children&&... children) {
  std::vector<Term> list;
  list.reserve(sizeof...(children));
  (list.push_back(std::forward<Children>(children)), ...);
  return sum_of(std::move(key), std::move(list));
}

// Finds a descendant by a slash-separated path such as "layers/attention/q";
// returns nullptr when absent.
const Term* find_term(const Term& root, const std::string& path);

}  // namespace gpuplan
