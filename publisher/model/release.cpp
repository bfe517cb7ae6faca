#include "publisher/model/release.hpp"

namespace gazette {

const char* to_string(ReleaseKind k) {
  switch (k) {
    case ReleaseKind::routine: return "routine";
    case ReleaseKind::backfill: return "backfill";
    case ReleaseKind::rollback: return "rollback";
  }
  return "routine";
}

}  // namespace gazette
