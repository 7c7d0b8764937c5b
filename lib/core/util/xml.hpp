#pragma once
// A small, strict XML reader for AWS Query API answers (STS AssumeRole, EC2
// DescribeInstances, error documents): elements, text, the five predefined
// entities and numeric character references; attributes are read past;
// comments, processing instructions and CDATA are handled; DOCTYPE (and so
// entity expansion) is refused. Depth and size are bounded.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.hpp"

namespace aia::xml {

struct Element {
    std::string name;  // as written, namespace prefix included
    std::string text;  // the element's own text (decoded), not its children's
    std::vector<Element> children;

    // The first child named `name`, or nullptr.
    const Element* child(std::string_view child_name) const;
    // The first child's text, or empty.
    std::string_view child_text(std::string_view child_name) const;
    // Every child named `name`.
    std::vector<const Element*> children_named(std::string_view child_name) const;
};

inline constexpr std::size_t kMaxDepth = 32;
inline constexpr std::size_t kMaxElements = 200'000;

// The document's root element.
Result<Element, std::string> parse(std::string_view document);

}  // namespace aia::xml
