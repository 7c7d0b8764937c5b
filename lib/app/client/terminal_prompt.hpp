#pragma once
// Asking the user at the terminal, as the AWS SDKs ask for an MFA code: the
// prompt and the answer go through /dev/tty, so stdout (the ExecCredential
// kubectl reads) stays clean and it works whatever stdin is.

#include <string>

#include "core/util/result.hpp"

namespace aia::app {

// Prints "Assume Role MFA token code: " and reads one line. Fails when there
// is no terminal to ask at, or nothing was typed.
Result<std::string, std::string> ask_mfa_token_code(const std::string& mfa_serial);

}  // namespace aia::app
