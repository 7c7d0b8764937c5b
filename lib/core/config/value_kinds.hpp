#pragma once
// The kinds of value settings take, each read, shown and bounded one way
// wherever the value comes from (config file, environment, flag).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/config/settings.hpp"
#include "core/mapping/entry_yaml.hpp"

namespace aia::config::kinds {

ValueKind text(std::string ServerConfig::*field, std::string_view placeholder = "TEXT");
ValueKind on_off(bool ServerConfig::*field);
// "10s", "500ms", "1m30s"; a bare number is seconds.
ValueKind duration(std::chrono::milliseconds ServerConfig::*field);
// Digits only, `min` to `max`. (The "at least 1" of most counts is their
// setting's check, so that it holds whichever source set the value.)
template <class Number>
ValueKind whole_number(Number ServerConfig::*field, unsigned min = 0, unsigned max = 999'999);
ValueKind port(std::uint16_t ServerConfig::*field);
// "33554432", "64Ki", "32Mi", "1Gi".
ValueKind byte_size(std::size_t ServerConfig::*field, std::string_view placeholder = "SIZE");
// A YAML list, or one string of items separated by commas or spaces.
ValueKind text_list(std::vector<std::string> ServerConfig::*field, std::string_view placeholder = "LIST");
// "text" or "json"; anything else is a warning and "text", as upstream.
ValueKind log_format(std::string ServerConfig::*field);
// Upstream's key or flag for a feature this build does not have: a warning.
// mapRoles / mapUsers entries (YAML only).
ValueKind mapping_entries(mapping::EntryKind kind);
// mapAccounts: account IDs, as text_list reads them.
ValueKind mapped_accounts();
// [{backendmode: MountedFile, usernamePrefixReserveList: [aws:, system:]}] (YAML only).
ValueKind reserved_prefixes();
// "SSORoleMatch=true,ConfiguredInitDirectories=false".
ValueKind feature_gates();

// "2m", "10s", "500ms": the shortest exact spelling.
std::string show_duration(std::chrono::milliseconds value);
// "32Mi", "64Ki", "20000".
std::string show_byte_size(std::size_t value);
// Items separated by commas and/or spaces, empty items dropped.
std::vector<std::string> split_list(std::string_view text);

}  // namespace aia::config::kinds
