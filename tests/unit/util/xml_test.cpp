#include <catch2/catch.hpp>

#include "core/util/xml.hpp"

using aia::xml::parse;

TEST_CASE("XML elements, text, entities and attributes", "[xml]") {
    const auto doc = parse(R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<Root xmlns="https://example/"><a>one &amp; two &lt;3&gt; &#65;&#x42;</a><b attr='x' other="y"/><b>second</b>
  <c><![CDATA[<raw>]]></c></Root>)");
    REQUIRE(doc.ok());
    CHECK(doc->name == "Root");
    CHECK(doc->child_text("a") == "one & two <3> AB");
    CHECK(doc->children_named("b").size() == 2);
    CHECK(doc->child("b")->text.empty());
    CHECK(doc->children_named("b")[1]->text == "second");
    CHECK(doc->child_text("c") == "<raw>");
    CHECK(doc->child("missing") == nullptr);
    CHECK(doc->child_text("missing").empty());
}

TEST_CASE("malformed and hostile XML is refused", "[xml]") {
    CHECK_FALSE(parse("").ok());
    CHECK_FALSE(parse("<a>").ok());
    CHECK_FALSE(parse("<a></b>").ok());
    CHECK_FALSE(parse("<a>&unknown;</a>").ok());
    CHECK_FALSE(parse("<a>&#0;</a>").ok());
    CHECK_FALSE(parse("<a/><b/>").ok());
    CHECK_FALSE(parse("<a x=1/>").ok());
    CHECK(parse(R"(<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>)").error() == "DOCTYPE is not accepted");
    std::string deep;
    for (int i = 0; i < 40; ++i) deep += "<a>";
    CHECK_THAT(parse(deep).error(), Catch::StartsWith("nested too deeply"));
}
