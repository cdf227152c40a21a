#include "breakdown.h"

namespace gpuplan {

const Term* find_term(const Term& root, const std::string& path) {
  const Term* node = &root;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string key = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    const Term* next = nullptr;
    for (const Term& child : node->children) {
      if (child.key == key) {
        next = &child;
        break;
      }
    }
    if (next == nullptr) return nullptr;
    node = next;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return node;
}

}  // namespace gpuplan
