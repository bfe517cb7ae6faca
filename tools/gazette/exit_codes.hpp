// The one place a gate's verdict becomes an exit status of the admin tool (DESIGN: 0
// publishable as given, 3 a notice is required, 4 refused).
#pragma once

#include "publisher/contract/contract.hpp"
#include "tools/gazette/cli.hpp"

namespace gazette::cli {

inline int exit_code_for(const Verdict& v) {
  switch (v.outcome) {
    case Outcome::publishable: return kOk;
    case Outcome::notice_required: return kNoticeRequired;
    case Outcome::refused: return kBreaking;
  }
  return kBreaking;
}

}  // namespace gazette::cli
